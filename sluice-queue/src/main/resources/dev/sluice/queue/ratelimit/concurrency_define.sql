-- Creates the slots 0 .. :slots-1 of cap :name (idempotent) and drops any slot at or above :slots
-- that nobody holds; a held one goes when it is freed (see concurrency_release.sql).
WITH added AS (
  INSERT INTO ${schema}.concurrency_slot (name, slot)
  SELECT :name::text, s FROM generate_series(0, :slots::int - 1) AS s
  ON CONFLICT (name, slot) DO NOTHING
  RETURNING slot
)
DELETE FROM ${schema}.concurrency_slot
WHERE name = :name::text AND slot >= :slots::int AND (holder IS NULL OR lease_until < :now::timestamptz)
