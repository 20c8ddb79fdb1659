COMMENT ON SCHEMA ${schema} IS 'made by sluice demo --queue-only; its next run drops it'
