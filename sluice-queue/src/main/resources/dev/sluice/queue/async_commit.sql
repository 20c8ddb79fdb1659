-- Run first in the claim, heartbeat and completion transactions of a worker: their commit then
-- returns without waiting for the WAL flush (an fsync, several ms on a real disk), which otherwise
-- serialises the claim and completion loops and adds a flush to every pickup.
-- Safe for at-least-once: a server crash can only lose the last few hundred ms of such commits.
-- A lost claim leaves the job ready (it runs again); a lost completion leaves it running under
-- the dead worker's id, and the rescuer re-queues it once its heartbeat is stale; a lost heartbeat
-- only makes the job look older. Enqueues never run this: an acknowledged job stays durable.
SET LOCAL synchronous_commit = off
