-- Per rule, what its evaluations since :since decided: fired live, would have fired (shadowed), or why not.
SELECT rule,
       count(*) AS evaluated,
       count(*) FILTER (WHERE matched) AS matched,
       count(*) FILTER (WHERE outcome IN ('enqueued', 'throttled', 'debounced', 'paused')) AS fired,
       count(*) FILTER (WHERE outcome = 'shadowed') AS shadowed,
       coalesce(sum(jsonb_array_length(jobs)) FILTER (WHERE outcome = 'shadowed'), 0) AS shadowed_jobs,
       count(*) FILTER (WHERE outcome = 'deduped') AS deduped,
       count(*) FILTER (WHERE outcome = 'already-matching') AS already_matching,
       count(*) FILTER (WHERE outcome = 'no-match') AS no_match,
       count(*) FILTER (WHERE outcome = 'error') AS errors,
       min(evaluated_at) AS first_at,
       max(evaluated_at) AS last_at
FROM ${schema}.rule_decision
WHERE evaluated_at >= :since
GROUP BY rule
ORDER BY rule
