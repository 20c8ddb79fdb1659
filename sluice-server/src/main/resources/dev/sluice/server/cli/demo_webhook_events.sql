-- Webhook events stored so far (the demo's webhook step counts the new ones).
SELECT count(*) FROM sluice.inbound_event WHERE source = 'hubspot'
