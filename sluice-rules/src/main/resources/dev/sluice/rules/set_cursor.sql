UPDATE ${schema}.rule_cursor SET position = :position, updated_at = :now WHERE name = :name
