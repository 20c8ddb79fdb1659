-- The event job ran for this event (at least once: a re-run counts again).
UPDATE ${schema}.inbound_event
SET handled_count = handled_count + 1,
    first_handled_at = coalesce(first_handled_at, :now),
    last_handled_at = :now
WHERE id = :id
