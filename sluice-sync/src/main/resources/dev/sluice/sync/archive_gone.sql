-- Records the source no longer knows at all (merged away, or deleted beyond its recycle bin):
-- archived in the mirror, their properties kept. The hash no longer matches any content, so the
-- next sync page that sees the record rewrites the row whatever it holds.
UPDATE ${schema}.record
SET archived = true, content_hash = 'gone:' || content_hash, last_changed_run = ?, synced_at = ?
WHERE connection = ? AND object_type = ? AND external_id = ANY(?) AND NOT archived
RETURNING external_id
