-- Rows the planner's statistics know the mirror has (-1 = never analyzed).
SELECT c.reltuples::bigint FROM pg_class c WHERE c.oid = to_regclass('${schema}.record')
