INSERT INTO ${schema}.sync_total AS t (connection, object_type, fetched, created, updated, unchanged, archived, failed, requests)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (connection, object_type) DO UPDATE SET
  fetched = t.fetched + EXCLUDED.fetched,
  created = t.created + EXCLUDED.created,
  updated = t.updated + EXCLUDED.updated,
  unchanged = t.unchanged + EXCLUDED.unchanged,
  archived = t.archived + EXCLUDED.archived,
  failed = t.failed + EXCLUDED.failed,
  requests = t.requests + EXCLUDED.requests
