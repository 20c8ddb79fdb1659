-- dead -> ready for every dead job matching the filter.
UPDATE ${schema}.job
SET state = 'ready', run_at = :now, attempt = 0, finished_at = NULL
WHERE state = 'dead'
  AND (:kind::text IS NULL OR kind = :kind::text)
  AND (:error_contains::text IS NULL OR strpos(last_error, :error_contains::text) > 0)
