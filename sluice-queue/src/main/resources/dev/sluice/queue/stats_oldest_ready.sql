SELECT min(run_at) FROM ${schema}.job WHERE state IN ('ready', 'retryable') AND run_at <= :now
