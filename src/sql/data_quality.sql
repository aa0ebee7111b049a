
-- ---------------------------------------------------------------------------------------------
-- Input data-quality reports (docs/data-quality.md)
-- ---------------------------------------------------------------------------------------------

-- The result column is named "check", a reserved word: callers quote it (SELECT "check", rows ...).
CREATE FUNCTION @extschema@.order_data_quality(
    orders_sql text,
    as_of      timestamptz DEFAULT NULL)
RETURNS TABLE (
    "check" text,
    rows    bigint,
    share   double precision,
    example text)
AS 'MODULE_PATHNAME', 'ca_order_data_quality'
-- VOLATILE and PARALLEL UNSAFE: it runs the caller's query itself (see rfm()).
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.order_data_quality(text, timestamptz) IS
'data-quality checks of the rows returned by orders_sql (customer_id, ordered_at, amount[, order_id]): one row per check, rows, share of all rows and an example key';

CREATE FUNCTION @extschema@.basket_data_quality(items_sql text)
RETURNS TABLE (
    "check" text,
    rows    bigint,
    share   double precision,
    example text)
AS 'MODULE_PATHNAME', 'ca_basket_data_quality'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.basket_data_quality(text) IS
'data-quality checks of the order lines returned by items_sql (order_id, item[, customer_id, quantity, amount]): one row per check, rows, share of all lines and an example key';
