-- Bulk pre-insert of ? no-op jobs in one statement.
INSERT INTO loop_job (kind, payload)
SELECT 'noop', jsonb_build_object('n', i) FROM generate_series(1, ?) AS i
