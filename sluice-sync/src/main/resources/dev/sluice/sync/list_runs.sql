SELECT id, connection, objects, mode, status, current_object, phase, last_error, created_at, started_at,
       finished_at, last_event_seq
FROM ${schema}.sync_run
WHERE (?::text IS NULL OR connection = ?)
  AND (?::text IS NULL OR status = ?)
  AND (?::bigint IS NULL OR id < ?)
ORDER BY id DESC
LIMIT ?
