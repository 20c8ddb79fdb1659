-- The deal-stage events of the demo's rules step, oldest first: event id, deal, new stage.
SELECT id, object_id, property_value
FROM sluice.inbound_event
WHERE connection = ? AND type = 'deal.propertyChange' AND property_name = 'dealstage' AND object_id = ANY (?::text[])
ORDER BY id
