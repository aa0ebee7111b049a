-- customer_analytics_test 0.1: test-only diagnostics, kept out of the production install script.
\echo Use "CREATE EXTENSION customer_analytics_test" to load this file. \quit

-- ---------------------------------------------------------------------------------------------
-- Diagnostics of the C++/PostgreSQL boundary (docs/architecture.md). Superuser only.
-- ---------------------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.boundary_check(kind text, n bigint DEFAULT 0)
RETURNS bigint AS 'MODULE_PATHNAME', 'ca_boundary_check'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.boundary_check(text, bigint) IS
'diagnostics of the C++/PostgreSQL boundary, for the regression tests (superuser only)';

REVOKE ALL ON FUNCTION @extschema@.boundary_check(text, bigint) FROM PUBLIC;
