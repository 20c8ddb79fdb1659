-- Lock order everywhere: the run, then its streams (by object type), then mirror rows (RunTransaction).
SELECT run_id, object_type, status, generation, checkpoint, pages_committed, fetched, created, updated, unchanged,
       archived, failed, requests, position, estimated_total, incremental_since, started_at, finished_at, last_error
FROM ${schema}.sync_stream WHERE run_id = ? ORDER BY object_type FOR UPDATE
