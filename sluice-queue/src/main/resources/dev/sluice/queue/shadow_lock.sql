-- setShadow holds the kind's lock exclusively to the end of its transaction: enqueues of the kind
-- in flight (holding it shared, see enqueue.sql) commit first, later ones wait and then see the switch.
SELECT pg_advisory_xact_lock(hashtext(:lock_space), hashtext(:kind))
