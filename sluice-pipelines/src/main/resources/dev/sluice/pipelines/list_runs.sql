SELECT id, pipeline, status, trigger, generation, position, batches_committed, selected, synced, failed, skipped,
       write_calls, last_error, created_at, started_at, finished_at
FROM ${schema}.pipeline_run
WHERE (CAST(:pipeline AS text) IS NULL OR pipeline = :pipeline)
  AND (CAST(:status AS text) IS NULL OR status = :status)
  AND id < :before
ORDER BY id DESC
LIMIT :limit
