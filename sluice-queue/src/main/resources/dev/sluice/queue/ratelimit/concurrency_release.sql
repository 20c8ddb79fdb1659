-- Frees slot :slot of cap :name if :holder still holds it (a slot taken over after its lease ran
-- out stays with its new holder).
UPDATE ${schema}.concurrency_slot
SET holder = NULL, lease_until = NULL
WHERE name = :name::text AND slot = :slot::int AND holder = :holder::uuid
