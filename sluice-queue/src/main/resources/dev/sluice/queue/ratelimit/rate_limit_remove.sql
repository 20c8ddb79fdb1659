DELETE FROM ${schema}.rate_limit WHERE name = :name
