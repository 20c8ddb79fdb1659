-- Slots of cap :name held now (lease not run out), and the cap's size.
SELECT count(*) FILTER (WHERE holder IS NOT NULL AND lease_until >= :now::timestamptz) AS held,
       count(*) AS slots
FROM ${schema}.concurrency_slot
WHERE name = :name::text
