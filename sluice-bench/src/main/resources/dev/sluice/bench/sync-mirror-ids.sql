-- The mirror's rows of one connection and object type (schema 'sluice', as the bench sets it).
SELECT external_id FROM sluice.record WHERE connection = ? AND object_type = ?
