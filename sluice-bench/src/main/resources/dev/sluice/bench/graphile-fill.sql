-- graphile-worker's own bulk path: one add_jobs call with every job spec in one array.
SELECT count(*) FROM graphile_worker.add_jobs(ARRAY(
  SELECT json_populate_record(NULL::graphile_worker.job_spec,
                              json_build_object('identifier', 'noop', 'payload', json_build_object('n', i)))
  FROM generate_series(1, ?) AS i))
