-- Leads a drainer of :destination could take now or later (waiting, retrying or in flight).
SELECT count(*) FROM ${schema}.leads
WHERE destination = :destination AND state IN ('received', 'retrying', 'sending')
