SELECT run_id, object_type, status, generation, checkpoint, pages_committed, fetched, created, updated, unchanged,
       archived, failed, requests, position, estimated_total, incremental_since, started_at, finished_at, last_error
FROM ${schema}.sync_stream WHERE run_id = ? AND object_type = ?
