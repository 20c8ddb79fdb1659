-- The queue demo's schema and its comment: the demo drops the schema only when the comment says
-- the demo made it, never a schema of that name someone else owns in a database the demo did not create.
SELECT coalesce(obj_description(oid, 'pg_namespace'), '') FROM pg_namespace WHERE nspname = :schema_name
