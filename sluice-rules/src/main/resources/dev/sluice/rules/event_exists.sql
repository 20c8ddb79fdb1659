SELECT EXISTS (SELECT 1 FROM ${schema}.inbound_event WHERE id = :event_id)
