-- ---------------------------------------------------------------------------------------------
-- Retention (docs/retention.md). VOLATILE and PARALLEL UNSAFE like rfm(): they run the caller's
-- query themselves (twice, in the same snapshot), and that query can use parallel workers.
-- ---------------------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.retention(
    orders_sql    text,
    period        text DEFAULT 'month',
    active_window interval DEFAULT '365 days',
    start_at      timestamptz DEFAULT NULL,
    end_at        timestamptz DEFAULT NULL,
    time_zone     text DEFAULT NULL)
RETURNS TABLE (
    period_start     date,
    s_start          bigint,
    n_new            bigint,
    e_end            bigint,
    retention_rate   numeric,
    retained         bigint,
    strict_retention numeric,
    reactivated      bigint,
    churned          bigint,
    churn_rate       numeric)
AS 'MODULE_PATHNAME', 'ca_retention'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.retention(text, text, interval, timestamptz, timestamptz, text) IS
'period retention per period of the orders returned by orders_sql: customers active at the start (S), new (N), active at the end (E), retention and churn rates, retained and reactivated';

CREATE FUNCTION @extschema@.cohort_retention(
    orders_sql text,
    period     text DEFAULT 'month',
    max_offset integer DEFAULT NULL,
    time_zone  text DEFAULT NULL,
    mode       text DEFAULT 'on',
    brackets   integer[] DEFAULT NULL)
RETURNS TABLE (
    cohort            date,
    period_offset     integer,
    period_offset_end integer,
    cohort_size       bigint,
    active_customers  bigint,
    retention         numeric,
    revenue           numeric,
    complete          boolean)
AS 'MODULE_PATHNAME', 'ca_cohort_retention'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.cohort_retention(text, text, integer, text, text, integer[]) IS
'cohort retention of the orders returned by orders_sql: per first-purchase cohort and period offset (or bracket of offsets), the customers active (mode on: in that period; on_or_after: in it or later), the retention rate, the revenue and whether the periods are complete';

CREATE FUNCTION @extschema@.kpis(
    orders_sql text,
    period     text DEFAULT 'month',
    time_zone  text DEFAULT NULL)
RETURNS TABLE (
    period_start         date,
    orders               bigint,
    revenue              numeric,
    avg_order_value      numeric,
    active_customers     bigint,
    new_customers        bigint,
    returning_customers  bigint,
    repeat_purchase_rate numeric)
AS 'MODULE_PATHNAME', 'ca_kpis'
LANGUAGE C VOLATILE PARALLEL UNSAFE;

COMMENT ON FUNCTION @extschema@.kpis(text, text, text) IS
'KPIs per period of the orders returned by orders_sql: orders, revenue, average order value, active, new and returning customers, repeat purchase rate';
