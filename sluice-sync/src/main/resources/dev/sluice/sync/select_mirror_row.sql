SELECT properties::text, associations::text, archived, source_updated_at, content_hash, first_seen_run,
       last_changed_run, synced_at
FROM ${schema}.record WHERE connection = ? AND object_type = ? AND external_id = ?
