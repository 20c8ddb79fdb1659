UPDATE loop_job SET state = 'done', attempts = attempts + 1 WHERE id = ? AND state = 'ready'
