-- UASAM owns these tables and the data in them: reverting this service's
-- migrations never drops them.
SELECT 1;
