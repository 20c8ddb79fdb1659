-- Locks (creating it empty) the throttle row of a scope and key and answers its slots.
INSERT INTO ${schema}.rule_throttle AS t (scope, throttle_key, slots) VALUES (:scope, :throttle_key, '{}')
ON CONFLICT (scope, throttle_key) DO UPDATE SET slots = t.slots
RETURNING slots
