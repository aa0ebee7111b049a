-- The extension's SQL surface: every function and aggregate it installs has a comment (what \df+
-- and \dx+ users read), none runs with its owner's privileges, and all live in the extension's own
-- schema. The test-only diagnostics are a separate extension, not part of the production script.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS customer_analytics;
CREATE EXTENSION IF NOT EXISTS customer_analytics_test;
RESET client_min_messages;
SELECT e.extname, p.pronamespace::regnamespace AS schema, p.oid::regprocedure AS function, obj_description(p.oid, 'pg_proc') IS NOT NULL AS commented,
       p.prosecdef AS security_definer
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname IN ('customer_analytics', 'customer_analytics_test')
ORDER BY e.extname, p.proname, p.oid::regprocedure::text;
