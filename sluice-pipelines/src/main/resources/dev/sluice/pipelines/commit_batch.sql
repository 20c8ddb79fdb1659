-- Moves the run past one batch: only from the batch and generation the job was for, only while active.
UPDATE ${schema}.pipeline_run
SET status = 'processing',
    started_at = COALESCE(started_at, :now),
    position = :position,
    batches_committed = batches_committed + 1,
    selected = selected + :selected,
    synced = synced + :synced,
    failed = failed + :failed,
    skipped = skipped + :skipped,
    write_calls = write_calls + :write_calls
WHERE id = :run AND status IN ('pending', 'processing') AND generation = :generation AND batches_committed = :batch
