-- Ids for a batch's new requests and events, taken up front so each event can name its request.
SELECT ARRAY(SELECT nextval('${schema}.inbound_request_id_seq') FROM generate_series(1, :requests)) AS request_ids,
       ARRAY(SELECT nextval('${schema}.inbound_event_id_seq') FROM generate_series(1, :events)) AS event_ids
