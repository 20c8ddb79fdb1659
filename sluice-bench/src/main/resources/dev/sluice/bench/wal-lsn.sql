-- The server's current WAL position as bytes since the start of the WAL (server-wide: other
-- databases' writes in the window count too, so run benchmarks on a quiet server).
SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint
