SELECT position FROM ${schema}.rule_cursor WHERE name = :name FOR UPDATE SKIP LOCKED
