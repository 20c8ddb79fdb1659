UPDATE ${schema}.rate_limit SET throttled_total = throttled_total + 1 WHERE name = :name
