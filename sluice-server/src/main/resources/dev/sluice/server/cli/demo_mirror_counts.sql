-- Live and archived rows per object type of one connection in the mirror (the demo's final check).
SELECT object_type,
       count(*) FILTER (WHERE NOT archived) AS live,
       count(*) FILTER (WHERE archived)     AS archived
  FROM sluice.record
 WHERE connection = ?
 GROUP BY object_type
