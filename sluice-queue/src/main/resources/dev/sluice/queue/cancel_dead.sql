-- dead -> cancelled for every dead job matching the filter.
UPDATE ${schema}.job_dead
SET state = 'cancelled', finished_at = :now
WHERE state = 'dead'
  AND (:kind::text IS NULL OR kind = :kind::text)
  AND (:error_contains::text IS NULL OR strpos(last_error, :error_contains::text) > 0)
