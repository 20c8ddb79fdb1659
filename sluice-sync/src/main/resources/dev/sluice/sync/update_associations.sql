-- New association lists for rows locked earlier in this transaction (lock_association_targets.sql),
-- so their ctid cannot change under us: each id is found by its own unique-key lookup and its row
-- by ctid (see select_mirror_rows.sql); a plain join on external_id can be planned as a scan of
-- every row of the object type.
UPDATE ${schema}.record AS r
SET associations = u.associations::jsonb, content_hash = u.content_hash, last_changed_run = ?, synced_at = ?,
    associations_read_at = GREATEST(r.associations_read_at, ?::timestamptz)
FROM unnest(?::text[], ?::text[], ?::text[]) AS u(external_id, associations, content_hash)
CROSS JOIN LATERAL (
  SELECT t.ctid AS row_id FROM ${schema}.record t
  WHERE t.connection = ? AND t.object_type = ? AND t.external_id = u.external_id
  LIMIT 1
) k
WHERE r.ctid = k.row_id
