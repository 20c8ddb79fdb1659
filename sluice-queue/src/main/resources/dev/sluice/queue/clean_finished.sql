-- Retention: delete a batch of finished rows past their window. Rows holding a dedupe key stay
-- until the dedupe window has passed too, so the key keeps answering "duplicate" until then.
DELETE FROM ${schema}.job
WHERE id IN (
  SELECT id FROM ${schema}.job
  WHERE ((state IN ('completed', 'cancelled', 'shadowed') AND finished_at < :finished_before)
         OR (state = 'dead' AND finished_at < :dead_before))
    AND (dedupe_key IS NULL OR finished_at < :dedupe_before)
  LIMIT :limit
)
