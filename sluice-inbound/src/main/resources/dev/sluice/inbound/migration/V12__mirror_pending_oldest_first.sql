-- The refresh takes the oldest waiting ids of one connection and object type (pending_ids.sql):
-- without this index every attempt sorted all the ids waiting for that type, which grow while the
-- source is unreachable or rate-limited (66 ms an attempt at ~150,000 ids, the largest statement of
-- `bench webhooks` in pg_stat_statements, docs/benchmarks.md); with it an attempt reads its 1,000.
CREATE INDEX inbound_mirror_pending_oldest_idx ON inbound_mirror_pending (connection, object_type, noted_at, object_id);
