-- One poller at a time per cursor: the row is created at 0 and locked for the poll's transaction.
INSERT INTO ${schema}.rule_cursor AS c (name, position, updated_at) VALUES (:name, 0, :now)
ON CONFLICT (name) DO NOTHING
