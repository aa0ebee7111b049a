-- ---------------------------------------------------------------------------------------------
-- Revenue concentration (docs/concentration.md). VOLATILE and PARALLEL UNSAFE like rfm(): they
-- run the caller's query themselves, and that query can use parallel workers.
-- ---------------------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.revenue_concentration(
    orders_sql text,
    shares     double precision[] DEFAULT '{0.01,0.05,0.2}')
RETURNS TABLE (
    top_share     double precision,
    customers     bigint,
    revenue       numeric,
    revenue_share double precision)
AS 'MODULE_PATHNAME', 'ca_revenue_concentration'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.revenue_concentration(text, double precision[]) IS
'for each share s, the revenue of the top ceil(s * N) customers by net revenue of the orders returned by orders_sql (customer_id, ordered_at, amount), and its share of all revenue';

CREATE FUNCTION @extschema@.revenue_gini(orders_sql text)
RETURNS double precision
AS 'MODULE_PATHNAME', 'ca_revenue_gini'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.revenue_gini(text) IS
'the Gini coefficient of net revenue per customer of the orders returned by orders_sql (sum((2i - n - 1) x_(i)) / (n sum(x)), as R ineq::Gini)';

CREATE FUNCTION @extschema@.revenue_lorenz(
    orders_sql text,
    points     integer DEFAULT 100)
RETURNS TABLE (
    customer_share double precision,
    revenue_share  double precision)
AS 'MODULE_PATHNAME', 'ca_revenue_lorenz'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.revenue_lorenz(text, integer) IS
'the Lorenz curve of net revenue per customer of the orders returned by orders_sql: points + 1 evenly spaced customer shares, poorest first, from (0, 0) to (1, 1)';

CREATE FUNCTION @extschema@.top_customers(
    -- The type customer_id comes back in, given as a NULL of it, as in rfm().
    id_type    anyelement,
    orders_sql text,
    share      double precision)
RETURNS TABLE (
    customer_id      anyelement,
    rank             bigint,
    revenue          numeric,
    revenue_share    double precision,
    cumulative_share double precision)
AS 'MODULE_PATHNAME', 'ca_top_customers'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.top_customers(anyelement, text, double precision) IS
'the top ceil(share * N) customers by net revenue of the orders returned by orders_sql, with their rank (ties by customer_id), revenue, share and cumulative share';
