-- Takes one free slot of cap :name (never held, freed, or whose holder's lease ran out) for
-- :holder until :lease_until; no row when every slot is held. One statement: SKIP LOCKED lets
-- concurrent takers pick different slots instead of queueing on the same row.
UPDATE ${schema}.concurrency_slot AS c
SET holder = :holder::uuid, lease_until = :lease_until::timestamptz
FROM (
  SELECT name, slot FROM ${schema}.concurrency_slot
  WHERE name = :name::text AND (holder IS NULL OR lease_until < :now::timestamptz)
  ORDER BY slot
  LIMIT 1
  FOR UPDATE SKIP LOCKED
) AS free
WHERE c.name = free.name AND c.slot = free.slot
RETURNING c.slot
