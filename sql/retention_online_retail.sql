-- retention(), cohort_retention() and kpis() on the full UCI Online Retail data (541,909 order
-- lines, returns and missing customers included), compared cell by cell with an independent
-- plain-SQL formulation of docs/retention.md's definitions (test/sql/retention_oracle.sql), by month
-- and by ISO week, with the default 365-day window, without a window and with a 90-day window;
-- cohort_retention()'s on_or_after mode, brackets and complete flags against plain SQL written here.
-- Reads CA_DATA_DIR (default ../shared/data); prints SKIP without it.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS customer_analytics;
RESET client_min_messages;
\i test/sql/online_retail.sql
\if :have_online_retail
SELECT count(*) AS lines, count(DISTINCT invoice_no) AS invoices, count(DISTINCT customer_id) AS customers,
       min(invoice_date), max(invoice_date) FROM retail;
SET TimeZone = 'UTC';

-- The definitions in plain SQL, independent of the extension, once per period.
CREATE TEMP VIEW oracle_input AS SELECT * FROM retail_lines;
\set oracle_period month
\i test/sql/retention_oracle.sql
\set oracle_period week
\i test/sql/retention_oracle.sql

-- The extension, with the same leading columns as the oracle's tables.
\set q 'SELECT customer_id, order_id, ordered_at, amount FROM retail_lines'
CREATE TEMP TABLE retention_ours AS
SELECT 'month'::text AS period, interval '365 days' AS active_window, * FROM customer_analytics.retention(:'q');
INSERT INTO retention_ours SELECT 'month', NULL, * FROM customer_analytics.retention(:'q', 'month', NULL);
INSERT INTO retention_ours SELECT 'month', '90 days', * FROM customer_analytics.retention(:'q', 'month', '90 days');
INSERT INTO retention_ours SELECT 'week', '365 days', * FROM customer_analytics.retention(:'q', 'week');
INSERT INTO retention_ours SELECT 'week', NULL, * FROM customer_analytics.retention(:'q', 'week', NULL);
INSERT INTO retention_ours SELECT 'week', '90 days', * FROM customer_analytics.retention(:'q', 'week', '90 days');
CREATE TEMP TABLE cohort_retention_ours AS
SELECT 'month'::text AS period, cohort, period_offset, cohort_size, active_customers, retention, revenue
FROM customer_analytics.cohort_retention(:'q');
INSERT INTO cohort_retention_ours
SELECT 'week', cohort, period_offset, cohort_size, active_customers, retention, revenue
FROM customer_analytics.cohort_retention(:'q', 'week');
CREATE TEMP TABLE kpis_ours AS
SELECT 'month'::text AS period, * FROM customer_analytics.kpis(:'q');
INSERT INTO kpis_ours SELECT 'week', * FROM customer_analytics.kpis(:'q', 'week');

-- Every cell, both ways: rows only in ours or only in the oracle (all 0).
WITH only_ours AS (TABLE retention_ours EXCEPT TABLE retention_oracle),
     only_oracle AS (TABLE retention_oracle EXCEPT TABLE retention_ours),
     runs AS (SELECT period, active_window FROM retention_ours
              UNION SELECT period, active_window FROM retention_oracle)
SELECT r.period, r.active_window,
       (SELECT count(*) FROM retention_ours x
         WHERE (x.period, x.active_window) IS NOT DISTINCT FROM (r.period, r.active_window)) AS ours,
       (SELECT count(*) FROM retention_oracle x
         WHERE (x.period, x.active_window) IS NOT DISTINCT FROM (r.period, r.active_window)) AS oracle,
       (SELECT count(*) FROM only_ours x
         WHERE (x.period, x.active_window) IS NOT DISTINCT FROM (r.period, r.active_window)) AS only_ours,
       (SELECT count(*) FROM only_oracle x
         WHERE (x.period, x.active_window) IS NOT DISTINCT FROM (r.period, r.active_window)) AS only_oracle
FROM runs r ORDER BY r.period, r.active_window;
WITH only_ours AS (TABLE cohort_retention_ours EXCEPT TABLE cohort_retention_oracle),
     only_oracle AS (TABLE cohort_retention_oracle EXCEPT TABLE cohort_retention_ours),
     runs AS (SELECT period FROM cohort_retention_ours UNION SELECT period FROM cohort_retention_oracle)
SELECT r.period,
       (SELECT count(*) FROM cohort_retention_ours x WHERE x.period = r.period) AS ours,
       (SELECT count(*) FROM cohort_retention_oracle x WHERE x.period = r.period) AS oracle,
       (SELECT count(*) FROM only_ours x WHERE x.period = r.period) AS only_ours,
       (SELECT count(*) FROM only_oracle x WHERE x.period = r.period) AS only_oracle
FROM runs r ORDER BY r.period;
WITH only_ours AS (TABLE kpis_ours EXCEPT TABLE kpis_oracle),
     only_oracle AS (TABLE kpis_oracle EXCEPT TABLE kpis_ours),
     runs AS (SELECT period FROM kpis_ours UNION SELECT period FROM kpis_oracle)
SELECT r.period,
       (SELECT count(*) FROM kpis_ours x WHERE x.period = r.period) AS ours,
       (SELECT count(*) FROM kpis_oracle x WHERE x.period = r.period) AS oracle,
       (SELECT count(*) FROM only_ours x WHERE x.period = r.period) AS only_ours,
       (SELECT count(*) FROM only_oracle x WHERE x.period = r.period) AS only_oracle
FROM runs r ORDER BY r.period;

-- cohort_retention()'s modes, brackets and complete flags against plain SQL of docs/retention.md
-- written here: on_or_after by month and by week, brackets [0], [1..3], [4..6], [7..] (mode on)
-- and, with on_or_after, up to max_offset 9. Per run: our rows, the oracle's rows and the rows
-- that differ in any column or exist on one side only (all 0).
CREATE TEMP TABLE mb_runs (run text, period text, step interval, mode text, max_offset int, brackets int[]);
INSERT INTO mb_runs VALUES
    ('month on_or_after', 'month', '1 month', 'on_or_after', NULL, NULL),
    ('week on_or_after', 'week', '1 week', 'on_or_after', NULL, NULL),
    ('month brackets', 'month', '1 month', 'on', NULL, '{0,1,4,7}'),
    ('month on_or_after brackets max 9', 'month', '1 month', 'on_or_after', 9, '{0,1,4,7}');
CREATE TEMP TABLE mb_ours AS
SELECT 'month on_or_after'::text AS run, * FROM customer_analytics.cohort_retention(:'q', mode => 'on_or_after');
INSERT INTO mb_ours SELECT 'week on_or_after', * FROM customer_analytics.cohort_retention(:'q', 'week', mode => 'on_or_after');
INSERT INTO mb_ours SELECT 'month brackets', * FROM customer_analytics.cohort_retention(:'q', brackets => ARRAY[0, 1, 4, 7]);
INSERT INTO mb_ours SELECT 'month on_or_after brackets max 9', *
FROM customer_analytics.cohort_retention(:'q', max_offset => 9, mode => 'on_or_after', brackets => ARRAY[0, 1, 4, 7]);
CREATE TEMP TABLE mb_oracle AS
WITH orders AS (  -- an order: the lines of a (customer, invoice); its time the latest, its amount the sum
    SELECT customer_id, order_id, max(ordered_at) AS at, sum(amount) AS amount FROM retail_lines
    WHERE customer_id IS NOT NULL AND order_id IS NOT NULL AND ordered_at IS NOT NULL AND amount IS NOT NULL
    GROUP BY customer_id, order_id),
p AS (SELECT r.run, o.customer_id, o.amount, date_trunc(r.period, o.at) AS period
      FROM mb_runs r CROSS JOIN orders o),
data_end AS (SELECT run, max(period) AS last_period FROM p GROUP BY run),  -- the incomplete period
cust AS (SELECT run, customer_id, min(period) AS cohort, max(period) AS last_purchase
         FROM p WHERE amount > 0 GROUP BY run, customer_id),
sizes AS (SELECT run, cohort, count(*) AS cohort_size FROM cust GROUP BY run, cohort),
grid AS (  -- every period of the data from the cohort on, numbered k = 0, 1, ...
    SELECT s.run, s.cohort, s.cohort_size, g AS period,
           (row_number() OVER (PARTITION BY s.run, s.cohort ORDER BY g) - 1)::int AS k,
           (count(*) OVER (PARTITION BY s.run, s.cohort) - 1)::int AS data_last
    FROM sizes s JOIN mb_runs r USING (run) JOIN data_end d USING (run),
         generate_series(s.cohort, d.last_period, r.step) AS g),
cells AS (  -- each offset with its bracket's first and last offset
    SELECT g.*, b.b_start,
           CASE WHEN r.brackets IS NULL THEN g.k
                ELSE coalesce((SELECT min(x) - 1 FROM unnest(r.brackets) x WHERE x > g.k),
                              r.max_offset, g.data_last) END AS b_end
    FROM grid g JOIN mb_runs r USING (run),
         LATERAL (SELECT CASE WHEN r.brackets IS NULL THEN g.k
                              ELSE (SELECT max(x) FROM unnest(r.brackets) x WHERE x <= g.k) END AS b_start) b
    WHERE r.max_offset IS NULL OR g.k <= r.max_offset),
active AS (  -- (customer, offset) pairs where the customer is active, per mode
    SELECT c.run, c.cohort, c.k, cu.customer_id  -- on: a purchase in the offset's period
    FROM cells c JOIN mb_runs r USING (run) JOIN cust cu USING (run, cohort)
    JOIN p ON p.run = c.run AND p.customer_id = cu.customer_id AND p.period = c.period AND p.amount > 0
    WHERE r.mode = 'on'
    UNION
    SELECT c.run, c.cohort, c.k, cu.customer_id  -- on_or_after: the last purchase in it or later
    FROM cells c JOIN mb_runs r USING (run) JOIN cust cu USING (run, cohort)
    WHERE r.mode = 'on_or_after' AND cu.last_purchase >= c.period),
brackets AS (
    SELECT run, cohort, b_start, max(b_end) AS b_end, max(cohort_size) AS cohort_size FROM cells GROUP BY 1, 2, 3),
counts AS (
    SELECT c.run, c.cohort, c.b_start, count(DISTINCT a.customer_id) AS active_customers
    FROM cells c JOIN active a USING (run, cohort, k) GROUP BY 1, 2, 3),
revenue AS (
    SELECT c.run, c.cohort, c.b_start, sum(p.amount) AS revenue
    FROM cells c JOIN cust cu USING (run, cohort) JOIN p ON p.run = c.run AND p.customer_id = cu.customer_id
                                                          AND p.period = c.period
    GROUP BY 1, 2, 3)
SELECT b.run, b.cohort::date AS cohort, b.b_start AS period_offset, b.b_end AS period_offset_end,
       b.cohort_size, coalesce(n.active_customers, 0) AS active_customers,
       coalesce(n.active_customers, 0)::numeric * 100 / b.cohort_size AS retention,
       coalesce(v.revenue, 0) AS revenue,
       b.cohort + b.b_end * r.step < d.last_period AS complete
FROM brackets b JOIN mb_runs r USING (run) JOIN data_end d USING (run)
LEFT JOIN counts n USING (run, cohort, b_start) LEFT JOIN revenue v USING (run, cohort, b_start);
SELECT r.run,
       (SELECT count(*) FROM mb_ours o WHERE o.run = r.run) AS ours,
       (SELECT count(*) FROM mb_oracle x WHERE x.run = r.run) AS oracle,
       (SELECT count(*) FROM (SELECT * FROM mb_ours WHERE run = r.run) o
                             FULL JOIN (SELECT * FROM mb_oracle WHERE run = r.run) x USING (cohort, period_offset)
         WHERE (o.period_offset_end, o.cohort_size, o.active_customers, o.retention, o.revenue, o.complete)
               IS DISTINCT FROM
               (x.period_offset_end, x.cohort_size, x.active_customers, x.retention, x.revenue, x.complete)) AS mismatches,
       (SELECT count(*) FILTER (WHERE complete) FROM mb_oracle x WHERE x.run = r.run) AS complete_cells
FROM mb_runs r ORDER BY r.run;

-- start_at / end_at only select the rows: purchases before start_at still count for activity and
-- acquisition, so June to September are the oracle's rows (0 mismatches both ways).
CREATE TEMP TABLE retention_ours_restricted AS
SELECT * FROM customer_analytics.retention(:'q', 'month', '90 days', start_at => '2011-06-01', end_at => '2011-10-01');
SELECT (SELECT count(*) FROM retention_ours_restricted) AS ours,
       (SELECT count(*) FROM (TABLE retention_ours_restricted
                              EXCEPT SELECT period_start, s_start, n_new, e_end, retention_rate, retained,
                                            strict_retention, reactivated, churned, churn_rate
                                     FROM retention_oracle
                                     WHERE period = 'month' AND active_window = '90 days'
                                       AND period_start BETWEEN '2011-06-01' AND '2011-09-01') d) AS only_ours,
       (SELECT count(*) FROM (SELECT period_start, s_start, n_new, e_end, retention_rate, retained,
                                     strict_retention, reactivated, churned, churn_rate
                              FROM retention_oracle
                              WHERE period = 'month' AND active_window = '90 days'
                                AND period_start BETWEEN '2011-06-01' AND '2011-09-01'
                              EXCEPT TABLE retention_ours_restricted) d) AS only_oracle;

-- The functions agree with each other: purchasers of a period are N + retained + reactivated.
SELECT count(*) AS cross_check_mismatches
FROM retention_ours r JOIN kpis_ours k USING (period, period_start)
WHERE r.n_new <> k.new_customers OR r.n_new + r.retained + r.reactivated <> k.active_customers;

-- The monthly numbers. With the default 365-day window nobody lapses within the 13 months of data,
-- so E - N = S until the window starts to drop December 2010's customers at the end.
SELECT period_start, s_start, n_new, e_end, retention_rate, retained, strict_retention, reactivated,
       churned, churn_rate
FROM retention_ours WHERE period = 'month' AND active_window = '365 days' ORDER BY period_start;
SELECT period_start, s_start, n_new, e_end, retention_rate, retained, strict_retention, reactivated,
       churned, churn_rate
FROM retention_ours WHERE period = 'month' AND active_window = '90 days' ORDER BY period_start;
-- The December 2010 cohort, every month to December 2011, and the size of every monthly cohort.
SELECT cohort, period_offset, cohort_size, active_customers, retention, revenue
FROM cohort_retention_ours WHERE period = 'month' AND cohort = '2010-12-01' ORDER BY period_offset;
SELECT cohort, cohort_size, count(*) AS offsets, sum(revenue) AS revenue
FROM cohort_retention_ours WHERE period = 'month' GROUP BY cohort, cohort_size ORDER BY cohort;
SELECT period_start, orders, revenue, avg_order_value, active_customers, new_customers,
       returning_customers, repeat_purchase_rate
FROM kpis_ours WHERE period = 'month' ORDER BY period_start;
RESET TimeZone;
\else
\echo SKIP: online_retail.csv.xz not found in the shared data folder (set CA_DATA_DIR)
\endif
