UPDATE ${schema}.record AS r
SET associations = u.associations::jsonb, content_hash = u.content_hash, last_changed_run = ?, synced_at = ?
FROM unnest(?::text[], ?::text[], ?::text[]) AS u(external_id, associations, content_hash)
WHERE r.connection = ? AND r.object_type = ? AND r.external_id = u.external_id
