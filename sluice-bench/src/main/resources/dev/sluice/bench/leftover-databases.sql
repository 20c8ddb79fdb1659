-- Bench databases on the bench's own embedded server: only one bench uses that server at a time
-- (its data folder is locked), so any found at start were left by a bench that was killed.
SELECT datname FROM pg_database WHERE datname LIKE 'bench\_%' ORDER BY datname
