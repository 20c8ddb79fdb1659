-- The mirror-change trigger reads record_change (sluice-sync's) in sequence order after a cursor.
-- Made only where the sync tables exist (the rules engine can run without them).
DO $$
BEGIN
  IF to_regclass('record_change') IS NOT NULL THEN
    CREATE INDEX IF NOT EXISTS record_change_seq_idx ON record_change (event_seq);
  END IF;
END $$;
