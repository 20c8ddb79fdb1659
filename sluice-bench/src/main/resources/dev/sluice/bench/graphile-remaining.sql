-- graphile-worker deletes a job when it completes: what is left was not worked.
SELECT count(*) FROM graphile_worker._private_jobs
