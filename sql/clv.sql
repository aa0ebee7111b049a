-- Customer lifetime value (docs/clv.md) on the sample the repository generates and on hand-made
-- orders: clv_summary() against the plain-SQL definition, the fitting aggregates serial and
-- parallel, the predictions at the published CDNOW estimates, customer_lifetime_value() against
-- the same pieces called one by one, and every bad input with its SQLSTATE. The fits against
-- published figures on the real CDNOW data are in sql/clv_cdnow.sql.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS customer_analytics;
RESET client_min_messages;
SET TimeZone = 'UTC';
\i test/sql/outcome.sql

CREATE TABLE clv_lines (order_id bigint, customer_id bigint, ordered_at timestamp, amount numeric);
\copy clv_lines FROM PROGRAM 'tools/ca_generate_orders --lines --customers 2000 --orders 20000 --seed 7 2>/dev/null' WITH (FORMAT csv)

-- The summary, as docs/clv.md defines it, in plain SQL: orders netted over their lines up to the
-- end of as_of's day, purchase days (orders >= 0, summed per day), x = days - 1, recency and T in
-- weeks, monetary = mean value of the days after the first.
CREATE TEMP VIEW clv_oracle AS
WITH o AS (
    SELECT customer_id, order_id, max(ordered_at) AS at, sum(amount) AS amount
    FROM clv_lines
    WHERE customer_id IS NOT NULL AND order_id IS NOT NULL AND ordered_at IS NOT NULL
      AND amount IS NOT NULL AND ordered_at < date '2023-07-01'
    GROUP BY customer_id, order_id),
d AS (
    SELECT customer_id, at::date AS day, sum(amount) AS value
    FROM o WHERE amount >= 0 GROUP BY customer_id, at::date),
c AS (
    SELECT customer_id, count(*) AS days, min(day) AS first_day, max(day) AS last_day,
           sum(value) AS total
    FROM d GROUP BY customer_id)
SELECT c.customer_id, c.days - 1 AS frequency, (c.last_day - c.first_day) / 7.0 AS recency,
       (date '2023-06-30' - c.first_day) / 7.0 AS t,
       (c.total - d.value) / nullif(c.days - 1, 0) AS monetary
FROM c JOIN d ON d.customer_id = c.customer_id AND d.day = c.first_day;

-- (Not a temporary table: parallel plans cannot scan those.)
CREATE TABLE clv_s AS
SELECT * FROM customer_analytics.clv_summary(NULL::bigint,
    'SELECT customer_id, order_id, ordered_at, amount FROM clv_lines', '2023-06-30');
SELECT count(*) AS customers, count(*) FILTER (WHERE s.frequency > 0) AS repeat_customers,
       (SELECT count(*) FROM clv_oracle) AS oracle_customers,
       count(*) FILTER (WHERE o.customer_id IS NULL OR s.frequency <> o.frequency
                        OR abs(s.recency - o.recency) > 1e-12 OR abs(s.t - o.t) > 1e-12
                        OR (s.monetary IS NULL) <> (o.monetary IS NULL)
                        OR abs(s.monetary - o.monetary) > 1e-9 * o.monetary) AS mismatches
FROM clv_s AS s LEFT JOIN clv_oracle AS o USING (customer_id);

-- Hand-made orders: same-day purchases merge, a return is no purchase, a free item is one, days
-- are local days of the session's time zone, and customer_id keeps its type.
CREATE TABLE clv_hand (customer_id text, ordered_at timestamptz, amount numeric);
INSERT INTO clv_hand VALUES
  ('ann', '2024-01-01 09:00+00', 10), ('ann', '2024-01-01 18:00+00', 5),
  ('ann', '2024-01-04 12:00+00', 20), ('ann', '2024-01-04 13:00+00', -5),
  ('ann', '2024-01-11 12:00+00', 0),  ('ann', '2024-02-01 12:00+00', 100),
  ('bob', '2024-01-02 12:00+00', -30),
  ('cy',  '2024-01-03 23:30+00', 7),  ('cy',  '2024-01-04 00:30+00', 8),
  (NULL,  '2024-01-05 12:00+00', 1),  ('dee', NULL, 3);
SELECT * FROM customer_analytics.clv_summary(NULL::text,
    'SELECT customer_id, ordered_at, amount FROM clv_hand', '2024-01-15', 'day') ORDER BY 1;
-- In New York, cy's two orders fall on one local day.
SET TimeZone = 'America/New_York';
SELECT * FROM customer_analytics.clv_summary(NULL::text,
    'SELECT customer_id, ordered_at, amount FROM clv_hand', '2024-01-15', 'day') ORDER BY 1;
SET TimeZone = 'UTC';
-- Without as_of: the latest purchase day (2024-02-01).
SELECT customer_id, t FROM customer_analytics.clv_summary(NULL::varchar,
    'SELECT customer_id, ordered_at, amount FROM clv_hand') ORDER BY 1;

-- The fits: serial and parallel plans agree exactly, and a customer counted twice counts twice.
CREATE TEMP TABLE clv_models AS
SELECT customer_analytics.bgnbd_fit(frequency, recency, t) AS bg,
       customer_analytics.pareto_nbd_fit(frequency, recency, t) AS pn,
       customer_analytics.gamma_gamma_fit(frequency, monetary) AS gg
FROM clv_s;
SELECT (bg).converged AS bg_converged, (bg).customers AS bg_customers,
       (pn).converged AS pn_converged, (gg).converged AS gg_converged,
       (gg).customers AS gg_customers
FROM clv_models;
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF) SELECT customer_analytics.bgnbd_fit(frequency, recency, t) FROM clv_s;
SELECT m.bg = p.bg AS bg_same, m.pn = p.pn AS pn_same, m.gg = p.gg AS gg_same
FROM clv_models AS m,
     (SELECT customer_analytics.bgnbd_fit(frequency, recency, t) AS bg,
             customer_analytics.pareto_nbd_fit(frequency, recency, t) AS pn,
             customer_analytics.gamma_gamma_fit(frequency, monetary) AS gg FROM clv_s) AS p;
RESET max_parallel_workers_per_gather; RESET parallel_setup_cost; RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
SELECT (d.bg).r = (m.bg).r AND (d.bg).alpha = (m.bg).alpha AND (d.bg).a = (m.bg).a
       AND (d.bg).b = (m.bg).b AS same_parameters,
       abs((d.bg).log_likelihood - 2 * (m.bg).log_likelihood) < 1e-9 * abs((m.bg).log_likelihood)
         AS log_likelihood_doubled,
       (d.bg).customers = 2 * (m.bg).customers AS customers_doubled
FROM clv_models AS m,
     (SELECT customer_analytics.bgnbd_fit(frequency, recency, t) AS bg
      FROM (SELECT * FROM clv_s UNION ALL SELECT * FROM clv_s ORDER BY 1 DESC) AS twice) AS d;
-- No rows, or only rows with a NULL: no model.
SELECT customer_analytics.bgnbd_fit(frequency, recency, t) IS NULL AS no_model FROM clv_s WHERE false;
SELECT customer_analytics.gamma_gamma_fit(x, m) IS NULL AS no_model
FROM (VALUES (NULL::float8, 1::float8), (2, NULL)) AS v(x, m);

-- Predictions at the published CDNOW estimates (Fader, Hardie & Lee 2005): the paper's customer
-- with x = 2, t_x = 30.43, T = 38.86 expects 1.226 purchases in the next 39 weeks.
CREATE TEMP TABLE cdnow_published AS
SELECT ROW(0.2426, 4.4137, 0.7930, 2.4262, NULL, NULL, NULL, NULL, NULL)::customer_analytics.bgnbd_model AS bg,
       ROW(6.25, 3.74, 15.44, NULL, NULL, NULL, NULL, NULL)::customer_analytics.gamma_gamma_model AS gg;
SELECT round(customer_analytics.bgnbd_expected_purchases(bg, 39, 2, 30.43, 38.86)::numeric, 3) AS paper_1_226,
       customer_analytics.bgnbd_p_alive(bg, 0, 0, 38.86) AS new_is_alive,
       customer_analytics.bgnbd_expected_purchases(bg, 0, 2, 30.43, 38.86) AS nothing_in_no_time
FROM cdnow_published;
-- Gamma-Gamma's expectation is a weighted mean of the population's mean and the customer's own.
SELECT abs(customer_analytics.gamma_gamma_expected_spend(gg, 2, 50)
           - ((6.25 * 2) / (6.25 * 2 + 3.74 - 1) * 50
              + (3.74 - 1) / (6.25 * 2 + 3.74 - 1) * (6.25 * 15.44 / (3.74 - 1)))) < 1e-9 AS weighted_mean
FROM cdnow_published;
-- CLV with no discount over one period is expected purchases times expected spend.
SELECT abs(customer_analytics.clv(bg, gg, 2, 30.43, 38.86, 50, 1, 39, 0)
           - customer_analytics.bgnbd_expected_purchases(bg, 39, 2, 30.43, 38.86)
             * customer_analytics.gamma_gamma_expected_spend(gg, 2, 50)) < 1e-9 AS one_period
FROM cdnow_published;
-- NULL in, NULL out.
SELECT customer_analytics.bgnbd_p_alive(bg, NULL, 0, 1) IS NULL AS strict FROM cdnow_published;

-- customer_lifetime_value() is the pieces above, called on the same customers.
CREATE TEMP TABLE clv_all AS
SELECT * FROM customer_analytics.customer_lifetime_value(NULL::bigint,
    'SELECT customer_id, order_id, ordered_at, amount FROM clv_lines', '2023-06-30',
    horizon => 12, discount_rate => 0.01, unit => 'week', period => '1 month');
SELECT count(*) AS customers,
       count(*) FILTER (WHERE abs(a.p_alive - customer_analytics.bgnbd_p_alive(m.bg, a.frequency, a.recency, a.t)) > 1e-12
           OR abs(a.expected_purchases - customer_analytics.bgnbd_expected_purchases(m.bg, 12 * 30 / 7.0, a.frequency, a.recency, a.t)) > 1e-9
           OR abs(a.expected_spend - customer_analytics.gamma_gamma_expected_spend(m.gg, a.frequency, coalesce(a.monetary, 0))) > 1e-9
           OR abs(a.clv - customer_analytics.clv(m.bg, m.gg, a.frequency, a.recency, a.t, coalesce(a.monetary, 0), 12, 30 / 7.0, 0.01)) > 1e-9 * greatest(1, a.clv)
       ) AS mismatches,
       count(*) FILTER (WHERE (a.customer_id, a.frequency, a.recency, a.t) NOT IN (SELECT customer_id, frequency, recency, t FROM clv_s)) AS summary_mismatches
FROM clv_all AS a, clv_models AS m;
-- Pareto/NBD too.
SELECT count(*) FILTER (WHERE abs(a.p_alive - customer_analytics.pareto_nbd_p_alive(m.pn, a.frequency, a.recency, a.t)) > 1e-12
           OR abs(a.clv - customer_analytics.clv(m.pn, m.gg, a.frequency, a.recency, a.t, coalesce(a.monetary, 0), 6, 1, 0.02)) > 1e-9 * greatest(1, a.clv)) AS pareto_mismatches
FROM customer_analytics.customer_lifetime_value(NULL::bigint,
    'SELECT customer_id, order_id, ordered_at, amount FROM clv_lines', '2023-06-30',
    horizon => 6, discount_rate => 0.02, model => 'pareto_nbd', period => '7 days') AS a, clv_models AS m;

-- Bad input: a documented error, with its SQLSTATE.
SELECT q, pg_temp.outcome(q) FROM (VALUES
  ('SELECT customer_analytics.bgnbd_fit(x, r, t) FROM (VALUES (1.5, 1, 2)) v(x, r, t)'),
  ('SELECT customer_analytics.bgnbd_fit(x, r, t) FROM (VALUES (-1, 0, 2)) v(x, r, t)'),
  ('SELECT customer_analytics.bgnbd_fit(x, r, t) FROM (VALUES (1, 3, 2)) v(x, r, t)'),
  ('SELECT customer_analytics.bgnbd_fit(x, r, t) FROM (VALUES (0, 1, 2)) v(x, r, t)'),
  ('SELECT customer_analytics.bgnbd_fit(x, r, t) FROM (VALUES (1, 1, ''infinity''::float8)) v(x, r, t)'),
  ('SELECT customer_analytics.bgnbd_fit(x, r, t) FROM (VALUES (''NaN''::float8, 0, 1)) v(x, r, t)'),
  ('SELECT customer_analytics.bgnbd_fit(x, r, t) FROM (VALUES (0, 0, 5), (0, 0, 7)) v(x, r, t)'),
  ('SELECT customer_analytics.pareto_nbd_fit(x, r, t) FROM (VALUES (0, 0, 5)) v(x, r, t)'),
  ('SELECT customer_analytics.gamma_gamma_fit(x, m) FROM (VALUES (2, 0)) v(x, m)'),
  ('SELECT customer_analytics.gamma_gamma_fit(x, m) FROM (VALUES (2, 30), (2, 30)) v(x, m)'),
  ('SELECT customer_analytics.bgnbd_expected_purchases(ROW(1, 1, 1, 0, 0, 0, 0, true, '''')::customer_analytics.bgnbd_model, 1)'),
  ('SELECT customer_analytics.bgnbd_expected_purchases(ROW(1, 1, 0.5, NULL, 0, 0, 0, true, '''')::customer_analytics.bgnbd_model, 1)'),
  ('SELECT customer_analytics.bgnbd_expected_purchases(ROW(1, 1, 0.5, 1, 0, 0, 0, true, '''')::customer_analytics.bgnbd_model, -1)'),
  ('SELECT customer_analytics.bgnbd_p_alive(ROW(1, 1, 0.5, 1, 0, 0, 0, true, '''')::customer_analytics.bgnbd_model, 2, 5, 4)'),
  ('SELECT customer_analytics.gamma_gamma_expected_spend(ROW(1, 0.5, 1, 0, 0, 0, true, '''')::customer_analytics.gamma_gamma_model, 0, 0)'),
  ('SELECT customer_analytics.gamma_gamma_expected_spend(ROW(1, 2, 1, 0, 0, 0, true, '''')::customer_analytics.gamma_gamma_model, 1, -3)'),
  ('SELECT customer_analytics.clv(ROW(1, 1, 0.5, 1, 0, 0, 0, true, '''')::customer_analytics.bgnbd_model, ROW(1, 2, 1, 0, 0, 0, true, '''')::customer_analytics.gamma_gamma_model, 1, 1, 2, 5, 0, 1, 0.01)'),
  ('SELECT customer_analytics.clv(ROW(1, 1, 0.5, 1, 0, 0, 0, true, '''')::customer_analytics.bgnbd_model, ROW(1, 2, 1, 0, 0, 0, true, '''')::customer_analytics.gamma_gamma_model, 1, 1, 2, 5, 12, 1, -1)'),
  ('SELECT customer_analytics.clv(ROW(1, 1, 0.5, 1, 0, 0, 0, true, '''')::customer_analytics.bgnbd_model, ROW(1, 2, 1, 0, 0, 0, true, '''')::customer_analytics.gamma_gamma_model, 1, 1, 2, 5, 12, ''NaN'', 0)'),
  ('SELECT * FROM customer_analytics.clv_summary(NULL::text, ''SELECT customer_id, ordered_at, amount FROM clv_hand'', unit => ''fortnight'')'),
  ('SELECT * FROM customer_analytics.clv_summary(NULL::text, ''SELECT customer_id, ordered_at, amount FROM clv_hand'', ''infinity'')'),
  ('SELECT * FROM customer_analytics.clv_summary(NULL::text, NULL)'),
  ('SELECT * FROM customer_analytics.clv_summary(NULL::text, ''SELECT customer_id, amount FROM clv_hand'')'),
  ('SELECT * FROM customer_analytics.customer_lifetime_value(NULL::text, ''SELECT customer_id, ordered_at, amount FROM clv_hand'', model => ''bg'')'),
  ('SELECT * FROM customer_analytics.customer_lifetime_value(NULL::text, ''SELECT customer_id, ordered_at, amount FROM clv_hand'', horizon => 0)'),
  ('SELECT * FROM customer_analytics.customer_lifetime_value(NULL::text, ''SELECT customer_id, ordered_at, amount FROM clv_hand'', period => NULL)'),
  ('SELECT * FROM customer_analytics.customer_lifetime_value(NULL::text, ''SELECT customer_id, ordered_at, amount FROM clv_hand'', period => ''-1 month'')'),
  ('SELECT * FROM customer_analytics.customer_lifetime_value(NULL::text, ''SELECT customer_id, ordered_at, amount FROM clv_hand'', ''2024-01-15'')')
) AS t(q);

-- Extreme but valid models give finite answers (an alpha of 1.8e308 once reached an assertion
-- inside the quadrature, which aborted the server).
SELECT p >= 0 AND p <= 1 AS p_alive_in_range
FROM (SELECT customer_analytics.pareto_nbd_p_alive(ROW(0.55, 1.7976931348623157e308, 0.61, 11.67,
          NULL, NULL, NULL, NULL, NULL)::customer_analytics.pareto_nbd_model, 3, 0.9999999999999999, 54.66) AS p) AS s;

-- A fit that cannot converge says so: nobody ever drops out (every customer bought right up to
-- T): the model degenerates (b or r runs off to a bound).
-- (Which parameter runs off first depends on rounding: the status is not shown here.)
\set VERBOSITY terse
SELECT (m).converged, (m).status <> 'converged' AS says_why
FROM (SELECT customer_analytics.bgnbd_fit(x, x, 10) AS m
      FROM generate_series(1, 9) AS x, generate_series(1, 20)) AS f;
\set VERBOSITY default

-- The memory limit holds the state of the fitting aggregates.
SET customer_analytics.memory_limit = '64kB';
SELECT pg_temp.outcome('SELECT customer_analytics.bgnbd_fit(0, 0, g) FROM generate_series(1, 100000) g');
RESET customer_analytics.memory_limit;

-- statement_timeout stops a long fit (Pareto/NBD over 200,000 distinct customers).
CREATE TEMP TABLE clv_many AS
SELECT (g % 7)::float8 AS x, CASE WHEN g % 7 = 0 THEN 0 ELSE (g % 1000) / 10.0 END AS r,
       100 + g / 1000.0 AS t
FROM generate_series(1, 200000) g;
SET statement_timeout = '300ms';
\set VERBOSITY sqlstate
SELECT customer_analytics.pareto_nbd_fit(x, r, t) FROM clv_many;
\set VERBOSITY default
RESET statement_timeout;
