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

-- What the planner may assume of each function: kind (f function, a aggregate), volatility
-- (i immutable, s stable, v volatile), parallel safety (s safe, r restricted, u unsafe) and
-- strictness. Functions that run the caller's query (orders_sql, items_sql) are VOLATILE PARALLEL
-- UNSAFE; predictions from a model value are IMMUTABLE STRICT PARALLEL SAFE; aggregates and their
-- support functions are PARALLEL SAFE, so that parallel plans can split the input.
SELECT e.extname, p.oid::regprocedure AS function, p.prokind AS kind, p.provolatile AS volatility,
       p.proparallel AS parallel, p.proisstrict AS strict, p.proretset AS returns_set
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname IN ('customer_analytics', 'customer_analytics_test')
ORDER BY e.extname, p.proname, p.oid::regprocedure::text;

-- Each aggregate with its state and support functions: a combine, serialize and deserialize
-- function for parallel plans, and a final function that leaves the state as it is (r), so that
-- a window can go on adding rows after it.
SELECT a.aggfnoid::regprocedure AS aggregate, a.aggtranstype::regtype AS state, a.aggtransfn AS transition,
       a.aggfinalfn AS final, a.aggfinalmodify AS final_modify, a.aggcombinefn AS combine,
       a.aggserialfn AS serialize, a.aggdeserialfn AS deserialize
FROM pg_aggregate a
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = a.aggfnoid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'customer_analytics'
ORDER BY a.aggfnoid::regprocedure::text;

-- The composite types it installs (rfm_summary's result and the CLV models), in its own schema:
-- a stored model keeps its columns in this order.
SELECT t.oid::regtype AS type, t.typnamespace::regnamespace AS schema,
       string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) AS columns
FROM pg_type t
JOIN pg_depend d ON d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'customer_analytics'
JOIN pg_attribute a ON a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
GROUP BY t.oid
ORDER BY t.oid::regtype::text;
