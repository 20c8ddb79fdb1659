-- One statement per page. The WHERE on the conflict branch makes a re-read page a no-op: a row is
-- rewritten only when its content hash changed, and never by content older than what is stored.
-- (Associations read before the stored ones were observed have been replaced by the stored ones in
-- MirrorWriter already; associations_read_at only moves forward.)
INSERT INTO ${schema}.record AS r (connection, object_type, external_id, properties, associations, archived,
                          source_updated_at, content_hash, first_seen_run, last_changed_run, synced_at,
                          associations_read_at)
SELECT ?, ?, u.external_id, u.properties::jsonb, u.associations::jsonb, u.archived, u.source_updated_at::timestamptz,
       u.content_hash, ?, ?, ?, ?::timestamptz
FROM unnest(?::text[], ?::text[], ?::text[], ?::boolean[], ?::text[], ?::text[])
       AS u(external_id, properties, associations, archived, source_updated_at, content_hash)
ON CONFLICT (connection, object_type, external_id) DO UPDATE
SET properties = EXCLUDED.properties,
    associations = EXCLUDED.associations,
    archived = EXCLUDED.archived,
    source_updated_at = EXCLUDED.source_updated_at,
    content_hash = EXCLUDED.content_hash,
    last_changed_run = EXCLUDED.last_changed_run,
    synced_at = EXCLUDED.synced_at,
    associations_read_at = GREATEST(r.associations_read_at, EXCLUDED.associations_read_at)
WHERE r.content_hash IS DISTINCT FROM EXCLUDED.content_hash
  AND (r.source_updated_at IS NULL OR EXCLUDED.source_updated_at IS NULL
       OR EXCLUDED.source_updated_at >= r.source_updated_at)
RETURNING external_id, (xmax = 0) AS inserted
