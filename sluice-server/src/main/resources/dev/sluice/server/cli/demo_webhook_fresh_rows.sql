-- How many of the edited contacts show their new first name in the mirror.
SELECT count(*)
FROM unnest(?::text[], ?::text[]) AS u(external_id, firstname)
JOIN sluice.record r ON r.connection = ? AND r.object_type = 'contacts' AND r.external_id = u.external_id
WHERE r.properties ->> 'firstname' = u.firstname
