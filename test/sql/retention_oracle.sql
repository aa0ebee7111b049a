-- An independent plain-SQL formulation of docs/retention.md (retention(), cohort_retention() and
-- kpis() with their default ranges, no start_at / end_at / max_offset), included by the regression
-- tests with \i. Input: a relation oracle_input(customer_id, order_id, ordered_at, amount) of order
-- lines (order_id may repeat; ordered_at a timestamp taken as local time) and the psql variable
-- oracle_period (day, week, month, quarter or year). Output: rows for that period appended to the
-- temporary tables
--   retention_oracle(period, active_window, <retention()'s columns>)  windows 365 days (the default),
--                                                                      NULL and 90 days
--   cohort_retention_oracle(period, <cohort_retention()'s columns>)
--   kpis_oracle(period, <kpis()'s columns>)
-- which are created by the first inclusion.
--
-- An order is an order_id of a customer; its time is its latest line, its amount the net sum of its
-- lines; a purchase is an order with a positive amount. Periods are date_trunc() periods, numbered
-- densely from the period of the first purchase to the period of the last purchase. A customer is
-- active at a boundary b when they have a purchase at t with b - window <= t < b (no window: t < b).
-- Everything is spelled out per (customer, period) and counted; nothing is shared with the extension.
SET client_min_messages = warning;
CREATE TEMP TABLE IF NOT EXISTS retention_oracle (
    period text, active_window interval, period_start date, s_start bigint, n_new bigint,
    e_end bigint, retention_rate numeric, retained bigint, strict_retention numeric,
    reactivated bigint, churned bigint, churn_rate numeric);
CREATE TEMP TABLE IF NOT EXISTS cohort_retention_oracle (
    period text, cohort date, period_offset integer, cohort_size bigint, active_customers bigint,
    retention numeric, revenue numeric);
CREATE TEMP TABLE IF NOT EXISTS kpis_oracle (
    period text, period_start date, orders bigint, revenue numeric, avg_order_value numeric,
    active_customers bigint, new_customers bigint, returning_customers bigint,
    repeat_purchase_rate numeric);
RESET client_min_messages;

CREATE TEMP TABLE ro_orders AS
SELECT customer_id, order_id, max(ordered_at) AS at, sum(amount) AS amount
FROM oracle_input
WHERE customer_id IS NOT NULL AND order_id IS NOT NULL AND ordered_at IS NOT NULL
  AND isfinite(ordered_at) AND amount IS NOT NULL
GROUP BY customer_id, order_id;

CREATE TEMP TABLE ro_purchases AS
SELECT customer_id, order_id, at FROM ro_orders WHERE amount > 0;

-- Customers with at least one purchase and the time of their first one.
CREATE TEMP TABLE ro_customers AS
SELECT customer_id, min(at) AS first_at FROM ro_purchases GROUP BY customer_id;

-- The analysed periods [p_start, p_end), idx 0 = the period of the first order: from the first
-- to the last order, returns included (docs/retention.md).
CREATE TEMP TABLE ro_periods AS
SELECT (row_number() OVER (ORDER BY s) - 1)::int AS idx, s::date AS period_start,
       s AS p_start, s + step AS p_end
FROM (SELECT CASE :'oracle_period' WHEN 'quarter' THEN interval '3 months'
                                   ELSE ('1 ' || :'oracle_period')::interval END AS step) c,
     generate_series((SELECT date_trunc(:'oracle_period', min(at)) FROM ro_orders),
                     (SELECT date_trunc(:'oracle_period', max(at)) FROM ro_orders), step) AS s;

-- Period retention: per window, period and customer with a purchase before the period's end, is
-- the customer active at the start, active at the end, and did they buy in the period.
INSERT INTO retention_oracle
WITH windows(active_window) AS (VALUES (interval '365 days'), (NULL::interval), (interval '90 days')),
flags AS (
    SELECT w.active_window, p.idx, pu.customer_id,
           bool_or(pu.at < p.p_start
                   AND (w.active_window IS NULL OR pu.at >= p.p_start - w.active_window)) AS active_start,
           bool_or(pu.at < p.p_end
                   AND (w.active_window IS NULL OR pu.at >= p.p_end - w.active_window)) AS active_end,
           bool_or(pu.at >= p.p_start AND pu.at < p.p_end) AS bought
    FROM windows w CROSS JOIN ro_periods p JOIN ro_purchases pu ON pu.at < p.p_end
    GROUP BY w.active_window, p.idx, pu.customer_id),
counts AS (
    SELECT f.active_window, f.idx,
           count(*) FILTER (WHERE f.active_start) AS s,
           count(*) FILTER (WHERE c.first_at >= p.p_start AND c.first_at < p.p_end) AS n,
           count(*) FILTER (WHERE f.active_end) AS e,
           count(*) FILTER (WHERE f.active_start AND f.bought) AS retained,
           count(*) FILTER (WHERE f.bought AND NOT f.active_start AND c.first_at < p.p_start) AS reactivated
    FROM flags f JOIN ro_customers c USING (customer_id) JOIN ro_periods p USING (idx)
    GROUP BY f.active_window, f.idx),
filled AS (
    SELECT w.active_window, p.period_start, coalesce(c.s, 0) AS s, coalesce(c.n, 0) AS n,
           coalesce(c.e, 0) AS e, coalesce(c.retained, 0) AS retained,
           coalesce(c.reactivated, 0) AS reactivated
    FROM windows w CROSS JOIN ro_periods p
    LEFT JOIN counts c ON c.idx = p.idx AND c.active_window IS NOT DISTINCT FROM w.active_window)
SELECT :'oracle_period', active_window, period_start, s, n, e,
       CASE WHEN s > 0 THEN (e - n)::numeric * 100 / s END,
       retained,
       CASE WHEN s > 0 THEN retained::numeric * 100 / s END,
       reactivated,
       s - retained,
       CASE WHEN s > 0 THEN (s - retained)::numeric * 100 / s END
FROM filled;

-- Cohort retention: cohort = period of the first purchase; one cell per cohort and offset up to the
-- last period; revenue is every order (returns included) of the cohort's customers in the period.
INSERT INTO cohort_retention_oracle
WITH members AS (
    SELECT c.customer_id, p.idx AS cohort_idx
    FROM ro_customers c JOIN ro_periods p ON c.first_at >= p.p_start AND c.first_at < p.p_end),
sizes AS (
    SELECT cohort_idx, count(*) AS cohort_size FROM members GROUP BY cohort_idx),
cells AS (
    SELECT s.cohort_idx, p.idx - s.cohort_idx AS k FROM sizes s JOIN ro_periods p ON p.idx >= s.cohort_idx),
active AS (
    SELECT m.cohort_idx, p.idx - m.cohort_idx AS k, count(DISTINCT m.customer_id) AS active_customers
    FROM members m JOIN ro_purchases pu USING (customer_id)
    JOIN ro_periods p ON pu.at >= p.p_start AND pu.at < p.p_end
    GROUP BY 1, 2),
revenue AS (
    SELECT m.cohort_idx, p.idx - m.cohort_idx AS k, sum(o.amount) AS revenue
    FROM members m JOIN ro_orders o USING (customer_id)
    JOIN ro_periods p ON o.at >= p.p_start AND o.at < p.p_end
    WHERE p.idx >= m.cohort_idx
    GROUP BY 1, 2)
SELECT :'oracle_period', pc.period_start, cells.k, s.cohort_size, coalesce(a.active_customers, 0),
       coalesce(a.active_customers, 0)::numeric * 100 / s.cohort_size, coalesce(r.revenue, 0)
FROM cells JOIN sizes s USING (cohort_idx)
JOIN ro_periods pc ON pc.idx = cells.cohort_idx
LEFT JOIN active a USING (cohort_idx, k)
LEFT JOIN revenue r USING (cohort_idx, k);

-- KPIs per period, each column its own query over the orders.
INSERT INTO kpis_oracle
SELECT :'oracle_period', p.period_start, k.orders, k.revenue,
       round(k.revenue / nullif(k.orders, 0), 2),
       k.active_customers, k.new_customers, k.active_customers - k.new_customers,
       k.repeat_purchase_rate
FROM ro_periods p,
LATERAL (SELECT
    (SELECT count(*) FROM ro_purchases pu WHERE pu.at >= p.p_start AND pu.at < p.p_end) AS orders,
    (SELECT coalesce(sum(o.amount), 0) FROM ro_orders o WHERE o.at >= p.p_start AND o.at < p.p_end) AS revenue,
    (SELECT count(DISTINCT pu.customer_id) FROM ro_purchases pu
      WHERE pu.at >= p.p_start AND pu.at < p.p_end) AS active_customers,
    (SELECT count(*) FROM ro_customers c WHERE c.first_at >= p.p_start AND c.first_at < p.p_end) AS new_customers,
    (SELECT count(*) FILTER (WHERE purchases >= 2)::numeric * 100 / nullif(count(*), 0)
       FROM (SELECT customer_id, count(*) AS purchases FROM ro_purchases
             WHERE at < p.p_end GROUP BY customer_id) so_far) AS repeat_purchase_rate) k;

DROP TABLE ro_orders, ro_purchases, ro_customers, ro_periods;
