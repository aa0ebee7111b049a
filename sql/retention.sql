-- retention(), cohort_retention() and kpis() (docs/retention.md): the formula's usual example as
-- data, hand-checked cases, every bad input with its SQLSTATE, and the generated sample against
-- a plain-SQL formulation written here.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS customer_analytics;
RESET client_min_messages;
\i test/sql/outcome.sql
SET TimeZone = 'UTC';

-- "Start a month with 100 customers, acquire 15, end with 105: 90 %." March 2001, 365-day window:
-- 60 customers bought in February and again in March, 30 last bought on 2000-12-10 (active at
-- both ends), 10 last bought on 2000-03-15 (active on March 1st, lapsed by April 1st), 15 bought
-- for the first time in March, and 3 last bought in June 1999 (active at neither end).
CREATE TABLE ex_orders (customer_id int, ordered_at timestamptz, amount numeric);
INSERT INTO ex_orders SELECT g, '2001-02-10 12:00', 10 FROM generate_series(1, 60) g;
INSERT INTO ex_orders SELECT g, '2001-03-10 12:00', 10 FROM generate_series(1, 60) g;
INSERT INTO ex_orders SELECT g, '2000-12-10 12:00', 10 FROM generate_series(61, 90) g;
INSERT INTO ex_orders SELECT g, '2000-03-15 12:00', 10 FROM generate_series(91, 100) g;
INSERT INTO ex_orders SELECT g, '2001-03-20 12:00', 10 FROM generate_series(101, 115) g;
INSERT INTO ex_orders SELECT g, '1999-06-01 12:00', 10 FROM generate_series(116, 118) g;
SELECT * FROM customer_analytics.retention('TABLE ex_orders', start_at => '2001-03-01', end_at => '2001-04-01');
-- Without a window every earlier buyer is active: S = 103, E = 118.
SELECT period_start, s_start, n_new, e_end, retention_rate, retained, reactivated
FROM customer_analytics.retention('TABLE ex_orders', active_window => NULL, start_at => '2001-03-01', end_at => '2001-04-01');
-- A return does not make a customer active; a lapsed customer who buys again is reactivated.
INSERT INTO ex_orders VALUES (116, '2001-03-25 12:00', -5), (91, '2001-03-26 12:00', 20);
SELECT period_start, s_start, n_new, e_end, retained, reactivated, churned
FROM customer_analytics.retention('TABLE ex_orders', active_window => '30 days', start_at => '2001-03-01', end_at => '2001-04-01');
SELECT * FROM customer_analytics.kpis('TABLE ex_orders', 'quarter') WHERE period_start >= '2000-10-01';
SELECT * FROM customer_analytics.cohort_retention('TABLE ex_orders', 'quarter', max_offset => 3) WHERE cohort >= '2000-01-01';

-- Modes, brackets and complete cells (docs/retention.md), on the hand-worked example of
-- test/test_retention.cpp. Months Jan..Jun 2001; June holds the latest order, so it is the
-- incomplete period: a cell is complete when cohort + its last offset is before June.
--   1: Jan +10, Mar +10, Jun +1     cohort Jan, purchases at offsets 0, 2, 5 (last 5)
--   2: Jan +5, Feb +5               cohort Jan, offsets 0, 1 (last 1)
--   3: Jan +2                       cohort Jan, offset 0
--   4: Mar +7, May +3, May -1       cohort Mar, offsets 0, 2 (the return is revenue only)
--   5: Jun +4                       cohort Jun, offset 0
-- on, Jan: 3, 1, 1, 0, 0, 1; on_or_after (last offset >= k): 3, 2, 1, 1, 1, 1.
-- on, Mar: 1, 0, 1, 0; on_or_after: 1, 1, 1, 0. Jun: 1, incomplete.
CREATE TABLE modes_orders (customer_id int, ordered_at date, amount numeric);
INSERT INTO modes_orders VALUES
    (1, '2001-01-10', 10), (1, '2001-03-10', 10), (1, '2001-06-10', 1),
    (2, '2001-01-11', 5), (2, '2001-02-11', 5), (3, '2001-01-12', 2),
    (4, '2001-03-13', 7), (4, '2001-05-13', 3), (4, '2001-05-14', -1), (5, '2001-06-15', 4);
SELECT o.cohort, o.period_offset, o.period_offset_end, o.cohort_size, o.active_customers AS on_active,
       a.active_customers AS on_or_after_active, round(a.retention, 2) AS on_or_after_retention,
       o.revenue, a.revenue = o.revenue AS same_revenue, o.complete, a.complete = o.complete AS same_complete
FROM customer_analytics.cohort_retention('TABLE modes_orders') o
JOIN customer_analytics.cohort_retention('TABLE modes_orders', mode => 'on_or_after') a USING (cohort, period_offset)
ORDER BY 1, 2;
-- ARRAY[0, 1, 2]: [0], [1], [2..last offset of the data]. Jan [2..5]: on, customer 1 (offsets 2
-- and 5, once): 1, revenue 10 + 1, incomplete (it reaches June). Mar [2..3]: customer 4: 1, 3 - 1.
SELECT o.cohort, o.period_offset, o.period_offset_end, o.active_customers AS on_active,
       a.active_customers AS on_or_after_active, o.revenue, o.complete
FROM customer_analytics.cohort_retention('TABLE modes_orders', brackets => ARRAY[0, 1, 2]) o
JOIN customer_analytics.cohort_retention('TABLE modes_orders', mode => 'on_or_after', brackets => ARRAY[0, 1, 2]) a
  USING (cohort, period_offset)
ORDER BY 1, 2;
-- ARRAY[0, 2] up to max_offset 3: [0..1], [2..3]. Jan [0..1]: customer 2 bought at 0 and 1 and
-- counts once: 3. Jun [0..1] reaches past the data (kept as 0..1, incomplete); [2..3] starts
-- after it: no row.
SELECT * FROM customer_analytics.cohort_retention('TABLE modes_orders', max_offset => 3, brackets => ARRAY[0, 2]);

-- Time zones: an order at 23:30 UTC on March 31st is in April in Berlin.
SELECT period_start, orders FROM customer_analytics.kpis($$SELECT 1 AS customer_id, timestamptz '2001-03-31 23:30+00' AS ordered_at, 5 AS amount$$);
SELECT period_start, orders FROM customer_analytics.kpis($$SELECT 1 AS customer_id, timestamptz '2001-03-31 23:30+00' AS ordered_at, 5 AS amount$$, time_zone => 'Europe/Berlin');

-- Daylight saving: 2024-03-31 has 23 hours in Berlin; its first and last local hour are one day,
-- and the next local midnight starts the next day.
SELECT period_start, orders FROM customer_analytics.kpis($$SELECT * FROM (VALUES
    (1, timestamptz '2024-03-30 23:30+00', 5),   -- 00:30 on March 31st, Berlin (CET)
    (2, timestamptz '2024-03-31 21:30+00', 5),   -- 23:30 on March 31st, Berlin (CEST)
    (3, timestamptz '2024-03-31 22:30+00', 5))   -- 00:30 on April 1st, Berlin
    AS v(customer_id, ordered_at, amount)$$, 'day', time_zone => 'Europe/Berlin') ORDER BY 1;

-- NULLs and rows after end_at are skipped and counted; empty input gives no rows.
SELECT period_start, orders, revenue FROM customer_analytics.kpis($$SELECT * FROM (VALUES (1, date '2024-01-05', 10), (NULL, '2024-01-06', 20),
    (2, NULL, 30), (3, '2024-01-07', NULL)) AS v(customer_id, ordered_at, amount)$$);
SELECT count(*) FROM customer_analytics.retention('TABLE ex_orders', end_at => '2001-03-15');
SELECT count(*) FROM customer_analytics.cohort_retention('SELECT * FROM ex_orders WHERE false');

-- Bad input.
SELECT q, pg_temp.outcome(q) FROM (VALUES
    ($$SELECT * FROM customer_analytics.retention('TABLE ex_orders', period => 'fortnight')$$),
    ($$SELECT * FROM customer_analytics.retention('TABLE ex_orders', period => NULL)$$),
    ($$SELECT * FROM customer_analytics.retention(NULL)$$),
    ($$SELECT * FROM customer_analytics.retention('TABLE ex_orders', active_window => '0 days')$$),
    ($$SELECT * FROM customer_analytics.retention('TABLE ex_orders', active_window => '-1 day')$$),
    ($$SELECT * FROM customer_analytics.retention('TABLE ex_orders', start_at => '2001-03-01', end_at => '2001-03-01')$$),
    ($$SELECT * FROM customer_analytics.retention('TABLE ex_orders', end_at => 'infinity')$$),
    ($$SELECT * FROM customer_analytics.cohort_retention('TABLE ex_orders', max_offset => -1)$$),
    ($$SELECT * FROM customer_analytics.cohort_retention('TABLE ex_orders', mode => 'rolling')$$),
    ($$SELECT * FROM customer_analytics.cohort_retention('TABLE ex_orders', mode => NULL)$$),
    ($$SELECT * FROM customer_analytics.cohort_retention('TABLE ex_orders', brackets => '{}')$$),
    ($$SELECT * FROM customer_analytics.cohort_retention('TABLE ex_orders', brackets => ARRAY[0, NULL])$$),
    ($$SELECT * FROM customer_analytics.cohort_retention('TABLE ex_orders', brackets => ARRAY[[0, 1], [2, 3]])$$),
    ($$SELECT * FROM customer_analytics.cohort_retention('TABLE ex_orders', brackets => ARRAY[1, 2])$$),
    ($$SELECT * FROM customer_analytics.cohort_retention('TABLE ex_orders', brackets => ARRAY[0, -1])$$),
    ($$SELECT * FROM customer_analytics.cohort_retention('TABLE ex_orders', brackets => ARRAY[0, 3, 3])$$),
    ($$SELECT * FROM customer_analytics.cohort_retention('TABLE ex_orders', brackets => ARRAY[0, 4, 2])$$),
    ($$SELECT * FROM customer_analytics.cohort_retention('TABLE ex_orders', max_offset => 12, brackets => ARRAY[0, 1, 13])$$),
    ($$SELECT * FROM customer_analytics.cohort_retention('TABLE ex_orders', brackets => (SELECT array_agg(g) FROM generate_series(0, 10000) g))$$),
    ($$SELECT * FROM customer_analytics.kpis('TABLE ex_orders', time_zone => 'Mars/Olympus')$$),
    ($$SELECT * FROM customer_analytics.kpis('SELECT customer_id, amount FROM ex_orders')$$)
) AS t(q);
-- The hint lists the valid modes; the detail names the offending bracket.
SELECT * FROM customer_analytics.cohort_retention('TABLE ex_orders', mode => 'unbounded');
SELECT * FROM customer_analytics.cohort_retention('TABLE ex_orders', brackets => ARRAY[0, 4, 2]);

-- The generated sample (order lines) against plain SQL of the same definitions, monthly.
CREATE TABLE ret_lines (order_id bigint, customer_id bigint, ordered_at timestamp, amount numeric);
\copy ret_lines FROM PROGRAM 'tools/ca_generate_orders --lines --customers 2000 --orders 20000 --seed 42 2>/dev/null' WITH (FORMAT csv)
CREATE TEMP TABLE ret_purchases AS
SELECT customer_id, max(ordered_at) AS at FROM ret_lines
WHERE customer_id IS NOT NULL GROUP BY customer_id, order_id HAVING sum(amount) > 0;
CREATE TEMP TABLE ret_months AS
SELECT m::date AS period_start FROM generate_series(
    (SELECT date_trunc('month', min(at)) FROM ret_purchases),
    (SELECT date_trunc('month', max(at)) FROM ret_purchases), interval '1 month') AS m;
CREATE TEMP TABLE ret_first AS SELECT customer_id, min(at) AS first_at FROM ret_purchases GROUP BY 1;
CREATE TEMP TABLE ret_oracle AS
SELECT m.period_start,
       (SELECT count(DISTINCT p.customer_id) FROM ret_purchases p
         WHERE p.at >= m.period_start - interval '365 days' AND p.at < m.period_start) AS s_start,
       (SELECT count(*) FROM ret_first f
         WHERE f.first_at >= m.period_start AND f.first_at < m.period_start + interval '1 month') AS n_new,
       (SELECT count(DISTINCT p.customer_id) FROM ret_purchases p
         WHERE p.at >= m.period_start + interval '1 month' - interval '365 days'
           AND p.at < m.period_start + interval '1 month') AS e_end,
       (SELECT count(DISTINCT p.customer_id) FROM ret_purchases p
         WHERE p.at >= m.period_start AND p.at < m.period_start + interval '1 month'
           AND EXISTS (SELECT 1 FROM ret_purchases q WHERE q.customer_id = p.customer_id
                        AND q.at >= m.period_start - interval '365 days' AND q.at < m.period_start)) AS retained
FROM ret_months m;
SELECT count(*) AS months,
       count(*) FILTER (WHERE (r.s_start, r.n_new, r.e_end, r.retained)
                        IS DISTINCT FROM (o.s_start, o.n_new, o.e_end, o.retained)) AS mismatches
FROM customer_analytics.retention('SELECT customer_id, order_id, ordered_at, amount FROM ret_lines') AS r
FULL JOIN ret_oracle AS o USING (period_start);
SELECT count(*) AS cells,
       count(*) FILTER (WHERE c.active_customers IS DISTINCT FROM o.active) AS mismatches
FROM customer_analytics.cohort_retention('SELECT customer_id, order_id, ordered_at, amount FROM ret_lines') AS c
FULL JOIN (SELECT date_trunc('month', f.first_at)::date AS cohort, m.period_start,
                  (SELECT count(DISTINCT p.customer_id) FROM ret_purchases p JOIN ret_first g USING (customer_id)
                    WHERE date_trunc('month', g.first_at) = date_trunc('month', f.first_at)
                      AND date_trunc('month', p.at) = m.period_start) AS active
           FROM (SELECT DISTINCT date_trunc('month', first_at) AS first_at FROM ret_first) f
           JOIN ret_months m ON m.period_start >= date_trunc('month', f.first_at)) AS o
  ON o.cohort = c.cohort AND o.period_start = (c.cohort + (c.period_offset || ' months')::interval)::date;
SELECT count(*) AS months,
       count(*) FILTER (WHERE (k.orders, k.revenue, k.active_customers, k.new_customers)
                        IS DISTINCT FROM (o.orders, o.revenue, o.active, o.fresh)) AS mismatches
FROM customer_analytics.kpis('SELECT customer_id, order_id, ordered_at, amount FROM ret_lines') AS k
FULL JOIN (SELECT m.period_start,
                  (SELECT count(*) FROM ret_purchases p WHERE date_trunc('month', p.at) = m.period_start) AS orders,
                  (SELECT coalesce(sum(amount), 0) FROM ret_lines l WHERE l.customer_id IS NOT NULL
                     AND date_trunc('month', l.ordered_at) = m.period_start) AS revenue,
                  (SELECT count(DISTINCT customer_id) FROM ret_purchases p WHERE date_trunc('month', p.at) = m.period_start) AS active,
                  (SELECT count(*) FROM ret_first f WHERE date_trunc('month', f.first_at) = m.period_start) AS fresh
           FROM ret_months m) AS o USING (period_start);
RESET TimeZone;

-- The shared limits hold here too: statement_timeout (57014) and the memory limit (53200).
SET statement_timeout = '200ms';
\set VERBOSITY sqlstate
SELECT count(*) FROM customer_analytics.cohort_retention($$SELECT g % 100000 AS customer_id,
                                              timestamptz '2024-01-01' + (g % 1000) * interval '1 hour' AS ordered_at,
                                              (g % 97)::numeric AS amount
                                       FROM generate_series(1, 200000000) AS g$$);
\set VERBOSITY default
RESET statement_timeout;
SET customer_analytics.memory_limit = '64kB';
SELECT count(*) FROM customer_analytics.kpis('SELECT customer_id, order_id, ordered_at, amount FROM ret_lines');
RESET customer_analytics.memory_limit;
SELECT count(*) AS months FROM customer_analytics.kpis('SELECT customer_id, order_id, ordered_at, amount FROM ret_lines');
