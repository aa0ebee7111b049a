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

-- ---------------------------------------------------------------------------------------------
-- Diagnostics of the shared readers (src/pg/reader_check.cpp): the baskets the transactions
-- reader makes of items_sql, and an array argument matched to its items.
-- ---------------------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.read_transactions(item_type anyelement, items_sql text,
                                              per text DEFAULT 'order')
RETURNS TABLE (transaction text, items anyarray)
AS 'MODULE_PATHNAME', 'ca_read_transactions'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.read_transactions(anyelement, text, text) IS
'the baskets (distinct items per order or customer) the transactions reader makes of items_sql, for the regression tests';

CREATE FUNCTION @extschema@.basket_keys(items_sql text, basket anyarray)
RETURNS TABLE (item anyelement, known boolean)
AS 'MODULE_PATHNAME', 'ca_basket_keys'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.basket_keys(text, anyarray) IS
'each element of basket as the items of items_sql key it, and whether items_sql has it, for the regression tests';
