-- retention(), cohort_retention() and kpis() on the full UCI Online Retail data (541,909 order
-- lines, returns and missing customers included), compared cell by cell with an independent
-- plain-SQL formulation of docs/retention.md's definitions (test/sql/retention_oracle.sql), by month
-- and by ISO week, with the default 365-day window, without a window and with a 90-day window.
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
SELECT 'month'::text AS period, * FROM customer_analytics.cohort_retention(:'q');
INSERT INTO cohort_retention_ours SELECT 'week', * FROM customer_analytics.cohort_retention(:'q', 'week');
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
