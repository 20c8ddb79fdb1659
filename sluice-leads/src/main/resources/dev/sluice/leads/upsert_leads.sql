-- Stores a committed batch of submissions, one row per (source, email key), in key order (bytewise,
-- COLLATE "C") so that concurrent batches lock rows in the same order, and so does the drain
-- (record_outcomes.sql and lease_leads.sql lock their rows in this order too).
-- A repeat merges its non-empty fields over the stored ones; when that changes something, a sent or
-- rejected lead goes back to the drain.
-- (xmax = 0) tells a fresh insert from an update of an existing lead.
INSERT INTO ${schema}.leads AS l
  (source, email_key, email, fields, destination, state, submissions, available_at, received_at, updated_at)
SELECT s, k, e, f::jsonb, d, 'received', n, :now, :now, :now
FROM unnest(:sources::text[], :keys::text[], :emails::text[], :fields::text[], :destinations::text[], :counts::int[])
  AS t(s, k, e, f, d, n)
ORDER BY s COLLATE "C", k COLLATE "C"
ON CONFLICT ON CONSTRAINT leads_source_email_key DO UPDATE SET
  fields       = l.fields || excluded.fields,
  submissions  = l.submissions + excluded.submissions,
  destination  = excluded.destination,
  updated_at   = excluded.updated_at,
  version      = l.version + CASE WHEN l.fields || excluded.fields = l.fields THEN 0 ELSE 1 END,
  state        = CASE WHEN l.fields || excluded.fields <> l.fields AND l.state IN ('sent', 'rejected')
                      THEN 'received' ELSE l.state END,
  available_at = CASE WHEN l.fields || excluded.fields <> l.fields AND l.state IN ('sent', 'rejected')
                      THEN excluded.available_at ELSE l.available_at END
RETURNING l.id, l.source, l.email_key, (l.xmax = 0) AS inserted
