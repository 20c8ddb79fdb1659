SELECT id, connection, objects, mode, status, current_object, phase, last_error, created_at, started_at,
       finished_at, last_event_seq
FROM ${schema}.sync_run WHERE id = ? FOR UPDATE
