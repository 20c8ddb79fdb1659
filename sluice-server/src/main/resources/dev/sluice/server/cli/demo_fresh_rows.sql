-- How many of the given records show the given property value in the mirror (the demo's webhook
-- step: edited first names; its rules step: deal owners).
SELECT count(*)
FROM unnest(?::text[], ?::text[]) AS u(external_id, value)
JOIN sluice.record r ON r.connection = ? AND r.object_type = ? AND r.external_id = u.external_id
WHERE r.properties ->> ? = u.value
