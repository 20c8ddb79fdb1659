-- Makes the day partition of job_finished for :day unless it exists (or its rows are already in the
-- default partition); true when it was made.
SELECT ${schema}.job_finished_ensure_day(:day::date)
