-- The pipeline bench's source: N mirror contacts of one connection, each with its own e-mail address
-- (<prefix><i>@bench.test, the match key), as a sync would have stored them. Parameters: connection,
-- count, prefix.
INSERT INTO sluice.record (connection, object_type, external_id, properties, associations, archived, source_updated_at,
                           content_hash, first_seen_run, last_changed_run, synced_at)
SELECT ?, 'contacts', lpad(g::text, 9, '0'), x.p, '{}'::jsonb, false, now(), md5(x.p::text), 0, 0, now()
FROM generate_series(1, ?) AS g,
     LATERAL (SELECT jsonb_build_object('email', ? || g || '@bench.test', 'firstname', 'First' || g,
                                        'lastname', 'Last' || g, 'phone', '+1 555 ' || lpad(g::text, 7, '0')) AS p) AS x
