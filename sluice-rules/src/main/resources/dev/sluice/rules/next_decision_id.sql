SELECT nextval(pg_get_serial_sequence('${schema}.rule_decision', 'id'))
