-- revenue_concentration(), revenue_gini(), revenue_lorenz() and top_customers() on the sample the
-- repository generates (tools/ca_generate_orders: 2,000 customers, order lines with returns and
-- guest orders), against independent plain SQL written from docs/concentration.md
-- (test/sql/concentration_oracle.sql): sum per customer, row_number() over revenue, the Gini
-- formula and the piecewise-linear Lorenz curve.
-- Revenues are compared exactly (numeric); shares within 1e-12 (they are double precision: the
-- functions divide correctly rounded doubles, the oracle divides numerics).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS customer_analytics;
RESET client_min_messages;
\i test/sql/outcome.sql

CREATE TEMP TABLE conc_lines (order_id bigint, customer_id bigint, ordered_at timestamp, amount numeric);
\copy conc_lines FROM PROGRAM 'tools/ca_generate_orders --lines --customers 2000 --orders 20000 --seed 42 2>/dev/null' WITH (FORMAT csv)

-- The definitions in plain SQL: net revenue per customer of the usable rows; customers with a
-- negative revenue left out; ranked by revenue, ties by customer_id.
CREATE TEMP VIEW conc_input AS SELECT customer_id, ordered_at, amount FROM conc_lines;
CREATE TEMP TABLE conc_shares AS
SELECT '{0.01,0.05,0.2,0.07,0.5,1,1e-9,0.333333333333333,0.9999}'::float8[] AS shares;
\i test/sql/concentration_oracle.sql
SELECT count(*) AS customers, count(*) FILTER (WHERE x < 0) AS negative, count(*) FILTER (WHERE x = 0) AS zero,
       sum(x) FILTER (WHERE x >= 0) AS total
FROM oracle_revenue;

-- revenue_concentration: k = ceil(s::numeric * N), the exact revenue of the top k, its share.
CREATE TEMP TABLE ours_conc AS
SELECT c.*, row_number() OVER () AS pos
FROM conc_shares, customer_analytics.revenue_concentration('SELECT customer_id, order_id, ordered_at, amount FROM conc_lines', shares) AS c;
SELECT top_share, customers, revenue, round(revenue_share::numeric, 6) AS revenue_share FROM ours_conc ORDER BY pos;
SELECT count(*) AS rows_compared,
       count(*) FILTER (WHERE (o.top_share, o.customers, o.revenue) IS DISTINCT FROM (e.top_share, e.customers, e.revenue)
                           OR abs(o.revenue_share::numeric - e.revenue_share) > 1e-12) AS differences
FROM ours_conc o FULL JOIN oracle_conc e USING (pos);
-- The default shares.
SELECT top_share, customers, revenue FROM customer_analytics.revenue_concentration('SELECT customer_id, ordered_at, amount FROM conc_lines');

-- revenue_gini: sum((2i - n - 1) x_(i)) / (n sum(x)), ascending x.
SELECT round(customer_analytics.revenue_gini('SELECT customer_id, ordered_at, amount FROM conc_lines')::numeric, 9) AS gini;
SELECT abs(customer_analytics.revenue_gini('SELECT customer_id, ordered_at, amount FROM conc_lines')::numeric
           - (SELECT gini FROM oracle_gini)) < 1e-12 AS gini_matches;

-- revenue_lorenz: at p = j / points, (S_i + f * x_(i+1)) / T with p * N = i + f, for 100 points,
-- for 7, and with a point on every customer.
SELECT points, count(*) AS rows_compared,
       count(*) FILTER (WHERE o.customer_share IS DISTINCT FROM e.customer_share
                           OR abs(o.revenue_share::numeric - e.revenue_share) > 1e-12) AS differences
FROM (VALUES (100), (7), ((SELECT count(*)::int FROM oracle_ranked))) AS v(points),
     LATERAL (SELECT row_number() OVER () - 1 AS j, l.*
              FROM customer_analytics.revenue_lorenz('SELECT customer_id, ordered_at, amount FROM conc_lines', points) AS l) o
     FULL JOIN LATERAL pg_temp.oracle_lorenz(points) e ON e.j = o.j
GROUP BY points ORDER BY points;
SELECT customer_share, round(revenue_share::numeric, 6) AS revenue_share
FROM customer_analytics.revenue_lorenz('SELECT customer_id, ordered_at, amount FROM conc_lines', 10);
-- Monotone, from (0, 0) to (1, 1).
SELECT min(customer_share) AS first_p, max(customer_share) AS last_p,
       bool_and(revenue_share >= prev) AS never_decreases,
       (array_agg(revenue_share ORDER BY customer_share))[1] AS first_l,
       (array_agg(revenue_share ORDER BY customer_share DESC))[1] AS last_l
FROM (SELECT customer_share, revenue_share, coalesce(lag(revenue_share) OVER (ORDER BY customer_share), 0) AS prev
      FROM customer_analytics.revenue_lorenz('SELECT customer_id, ordered_at, amount FROM conc_lines', 1000)) c;

-- top_customers: exactly k, ranked by revenue, ties by customer_id; shares and cumulated shares.
CREATE TEMP TABLE ours_top AS
SELECT * FROM customer_analytics.top_customers(NULL::bigint, 'SELECT customer_id, order_id, ordered_at, amount FROM conc_lines', 0.2);
SELECT count(*) AS rows_compared,
       count(*) FILTER (WHERE (o.customer_id, o.revenue) IS DISTINCT FROM (e.customer_id, e.x)
                           OR abs(o.revenue_share::numeric - e.x / e.t) > 1e-12
                           OR abs(o.cumulative_share::numeric - e.cum / e.t) > 1e-12) AS differences
FROM ours_top o
FULL JOIN (SELECT * FROM oracle_ranked WHERE r <= (SELECT ceil(0.2 * count(*)) FROM oracle_ranked)) e ON e.r = o.rank;
SELECT customer_id, rank, revenue, round(revenue_share::numeric, 6) AS revenue_share,
       round(cumulative_share::numeric, 6) AS cumulative_share
FROM ours_top ORDER BY rank LIMIT 5;
-- All customers, ids as text.
SELECT count(*) AS customers, max(rank) AS last_rank, max(cumulative_share) AS cumulative_share
FROM customer_analytics.top_customers(NULL::text, 'SELECT customer_id, ordered_at, amount FROM conc_lines', 1);

-- The worked example of docs/concentration.md: 60, 40 - 10, 10, 0, and 5 - 8 left out.
CREATE TEMP TABLE tiny (customer_id int, ordered_at date, amount numeric);
INSERT INTO tiny VALUES (1, '2024-01-01', 60), (2, '2024-01-02', 40), (2, '2024-01-03', -10),
  (3, '2024-01-04', 10), (4, '2024-01-05', 0), (5, '2024-01-06', 5), (5, '2024-01-07', -8);
SELECT * FROM customer_analytics.revenue_concentration('tiny', '{0.25, 0.5, 1}');
SELECT customer_analytics.revenue_gini('tiny');
SELECT * FROM customer_analytics.revenue_lorenz('tiny', 4);
SELECT * FROM customer_analytics.top_customers(NULL::int, 'tiny', 0.5);

-- Ties at the cut: revenues 50, 20, 20, 20, 10. The top 2 have 70 whichever 20 is counted;
-- top_customers takes the lowest id, integers by value and text in its collation.
CREATE TEMP TABLE ties (customer_id int, name text, ordered_at date, amount numeric);
INSERT INTO ties VALUES (10, 'e', '2024-01-01', 50), (9, 'b', '2024-01-01', 20), (2, 'c', '2024-01-01', 20),
  (30, 'B', '2024-01-01', 20), (4, 'a', '2024-01-01', 10);
SELECT * FROM customer_analytics.revenue_concentration('ties', '{0.4, 0.6, 0.8}');
SELECT * FROM customer_analytics.top_customers(NULL::int, 'ties', 0.4);
SELECT customer_id, rank FROM customer_analytics.top_customers(NULL::text, 'SELECT name COLLATE "C" AS customer_id, ordered_at, amount FROM ties', 0.6);
SELECT customer_id, rank, revenue FROM customer_analytics.top_customers(NULL::text, 'SELECT name AS customer_id, ordered_at, amount FROM ties', 1)
EXCEPT
SELECT name, row_number() OVER (ORDER BY amount DESC, name), amount FROM ties;
-- The same ids as numeric: other types tie-break by the bytes of their text form.
SELECT customer_id, rank FROM customer_analytics.top_customers(NULL::numeric, 'SELECT customer_id::numeric, ordered_at, amount FROM ties', 0.8);

-- Equal revenues: Gini 0 exactly, a straight Lorenz curve. One customer with everything: (N-1)/N.
SELECT customer_analytics.revenue_gini($$SELECT g AS customer_id, date '2024-01-01' AS ordered_at, 19.99 AS amount FROM generate_series(1, 1000) g$$) AS equal_gini;
SELECT customer_analytics.revenue_gini($$SELECT g AS customer_id, date '2024-01-01' AS ordered_at, CASE g WHEN 7 THEN 500 ELSE 0 END AS amount FROM generate_series(1, 8) g$$) AS one_has_all_gini;
SELECT * FROM customer_analytics.revenue_lorenz($$SELECT g AS customer_id, date '2024-01-01' AS ordered_at, 3 AS amount FROM generate_series(1, 6) g$$, 3);

-- Skipped rows and customers: NULL ids, times and amounts, infinite times, a customer with net
-- returns (left out), one with revenue 0 (kept); order_id is not read, so its NULL does not matter.
CREATE TEMP TABLE messy (customer_id text, ordered_at timestamptz, amount numeric, order_id int);
INSERT INTO messy VALUES
    ('a', '2024-01-01 10:00+00', 100, 1), ('a', '2024-01-20 10:00+00', -30, NULL),
    ('b', '2024-01-05 10:00+00', 40, 3), ('b', NULL, 40, 4), ('b', '2024-01-06 10:00+00', NULL, 5),
    ('b', 'infinity', 40, 6),
    (NULL, '2024-01-07 10:00+00', 70, 7), (NULL, '2024-01-08 10:00+00', 80, 8),
    ('c', '2024-01-09 10:00+00', -20, 9),
    ('d', '2024-01-10 10:00+00', 0, 10);
SELECT * FROM customer_analytics.revenue_concentration('messy', '{0.3, 1}');
SELECT customer_analytics.revenue_gini('messy');
SELECT * FROM customer_analytics.top_customers(NULL::text, 'messy', 1);

-- Empty input: no rows, Gini NULL, no notice. All revenues 0: shares NULL.
SELECT count(*) FROM customer_analytics.revenue_concentration('SELECT * FROM messy WHERE false');
SELECT customer_analytics.revenue_gini('SELECT * FROM messy WHERE false') IS NULL AS gini_is_null;
SELECT count(*) FROM customer_analytics.revenue_lorenz('SELECT * FROM messy WHERE false');
SELECT count(*) FROM customer_analytics.top_customers(NULL::text, 'SELECT * FROM messy WHERE false', 1);
SELECT * FROM customer_analytics.revenue_concentration($$SELECT * FROM messy WHERE customer_id = 'd'$$, '{0.5}');
SELECT customer_analytics.revenue_gini($$SELECT * FROM messy WHERE customer_id = 'd'$$) IS NULL AS gini_is_null;
SELECT * FROM customer_analytics.revenue_lorenz($$SELECT * FROM messy WHERE customer_id = 'd'$$, 2);

-- Bad arguments: 22023 (22004 for NULLs) before orders_sql runs (it names a missing table, which
-- would be 42P01); column errors as for every reader.
SELECT q, pg_temp.outcome(q) FROM (VALUES
    ($$SELECT * FROM customer_analytics.revenue_concentration('no_such_table', '{0}')$$),
    ($$SELECT * FROM customer_analytics.revenue_concentration('no_such_table', '{0.5,1.5}')$$),
    ($$SELECT * FROM customer_analytics.revenue_concentration('no_such_table', '{-0.1}')$$),
    ($$SELECT * FROM customer_analytics.revenue_concentration('no_such_table', '{NaN}')$$),
    ($$SELECT * FROM customer_analytics.revenue_concentration('no_such_table', '{Infinity}')$$),
    ($$SELECT * FROM customer_analytics.revenue_concentration('no_such_table', '{}')$$),
    ($$SELECT * FROM customer_analytics.revenue_concentration('no_such_table', '{{0.1},{0.2}}')$$),
    ($$SELECT * FROM customer_analytics.revenue_concentration('no_such_table', '{0.1,NULL}')$$),
    ($$SELECT * FROM customer_analytics.revenue_concentration('no_such_table', NULL)$$),
    ($$SELECT * FROM customer_analytics.revenue_concentration(NULL, '{0.1}')$$),
    ($$SELECT * FROM customer_analytics.revenue_lorenz('no_such_table', 0)$$),
    ($$SELECT * FROM customer_analytics.revenue_lorenz('no_such_table', -5)$$),
    ($$SELECT * FROM customer_analytics.revenue_lorenz('no_such_table', 1000001)$$),
    ($$SELECT * FROM customer_analytics.revenue_lorenz('no_such_table', NULL)$$),
    ($$SELECT * FROM customer_analytics.top_customers(NULL::int, 'no_such_table', 0)$$),
    ($$SELECT * FROM customer_analytics.top_customers(NULL::int, 'no_such_table', 1.01)$$),
    ($$SELECT * FROM customer_analytics.top_customers(NULL::int, 'no_such_table', 'NaN')$$),
    ($$SELECT * FROM customer_analytics.top_customers(NULL::int, 'no_such_table', NULL)$$),
    ($$SELECT * FROM customer_analytics.top_customers(NULL::int, NULL, 0.5)$$),
    ($$SELECT customer_analytics.revenue_gini(NULL)$$),
    ($$SELECT customer_analytics.revenue_gini('no_such_table')$$),
    ($$SELECT customer_analytics.revenue_gini('SELECT customer_id, amount FROM tiny')$$),
    ($$SELECT customer_analytics.revenue_gini('SELECT customer_id, ordered_at, ordered_at AS amount FROM tiny')$$),
    ($$SELECT customer_analytics.revenue_gini('SELECT customer_id, ordered_at, amount FROM tiny; DROP TABLE tiny')$$),
    ($$SELECT customer_analytics.revenue_gini($q$SELECT 1 AS customer_id, date '2024-01-01' AS ordered_at, 'NaN'::numeric AS amount$q$)$$),
    ($$SELECT customer_analytics.revenue_gini($q$SELECT 1 AS customer_id, date '2024-01-01' AS ordered_at, 1e28 AS amount$q$)$$),
    ($$SELECT customer_analytics.revenue_gini($q$SELECT 1 AS customer_id, date '2024-01-01' AS ordered_at, 9e27 AS amount FROM generate_series(1, 200)$q$)$$),
    ($$SELECT customer_analytics.revenue_gini($q$SELECT g AS customer_id, date '2024-01-01' AS ordered_at, 9e27 AS amount FROM generate_series(1, 200) g$q$)$$),
    ($$SELECT * FROM customer_analytics.top_customers(NULL::smallint, 'SELECT 100000 AS customer_id, ordered_at, amount FROM tiny', 1)$$),
    ($$SELECT * FROM customer_analytics.top_customers(NULL::int, 'SELECT name AS customer_id, ordered_at, amount FROM ties', 1)$$)
) AS t(q);

-- The memory limit (53200) and statement_timeout (57014).
SET customer_analytics.memory_limit = '64kB';
SELECT pg_temp.outcome($$SELECT customer_analytics.revenue_gini('SELECT g AS customer_id, date ''2024-01-01'' AS ordered_at, g AS amount FROM generate_series(1, 20000) g')$$);
RESET customer_analytics.memory_limit;
\set VERBOSITY sqlstate
SET statement_timeout = '200ms';
SELECT customer_analytics.revenue_gini('SELECT g AS customer_id, date ''2024-01-01'' AS ordered_at, g AS amount FROM generate_series(1, 100000000) g');
RESET statement_timeout;
\set VERBOSITY default
SELECT customer_analytics.revenue_gini('tiny') AS works_after_timeout;
