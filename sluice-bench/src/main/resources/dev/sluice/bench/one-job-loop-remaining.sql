SELECT count(*) FROM loop_job WHERE state <> 'done'
