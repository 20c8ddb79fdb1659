SELECT to_regclass(:table) IS NOT NULL
