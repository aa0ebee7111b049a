-- Revenue concentration on the full UCI Online Retail data (541,909 order lines, cancellations and
-- lines without a customer included), compared with independent plain SQL written from the
-- definitions of docs/concentration.md (test/sql/concentration_oracle.sql). Revenues are compared
-- exactly (numeric); shares, the Gini coefficient and the Lorenz curve (double precision) within
-- 1e-12 of the numeric oracle. Reads CA_DATA_DIR (default ../shared/data); prints SKIP without it.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS customer_analytics;
RESET client_min_messages;
\i test/sql/online_retail.sql
\if :have_online_retail

-- Net revenue per customer of the usable rows; customers with a negative revenue left out.
CREATE TEMP VIEW conc_input AS SELECT customer_id, ordered_at, amount FROM retail_lines;
CREATE TEMP TABLE conc_shares AS SELECT '{0.001,0.01,0.05,0.1,0.2,0.5,0.8,1}'::float8[] AS shares;
\i test/sql/concentration_oracle.sql
SELECT count(*) AS customers, count(*) FILTER (WHERE x < 0) AS negative, count(*) FILTER (WHERE x = 0) AS zero,
       sum(x) FILTER (WHERE x >= 0) AS total,
       (SELECT count(*) FROM retail_lines WHERE customer_id IS NULL) AS lines_without_customer
FROM oracle_revenue;
-- Revenues shared by more than one customer (ties that top_customers breaks by customer_id).
SELECT count(*) AS tied_revenues, sum(c) AS customers_involved
FROM (SELECT x, count(*) AS c FROM oracle_ranked GROUP BY x HAVING count(*) > 1) t;

-- revenue_concentration.
CREATE TEMP TABLE ours_conc AS
SELECT c.*, row_number() OVER () AS pos
FROM conc_shares, customer_analytics.revenue_concentration('SELECT customer_id, order_id, ordered_at, amount FROM retail_lines', shares) AS c;
SELECT top_share, customers, revenue, round(revenue_share::numeric, 6) AS revenue_share FROM ours_conc ORDER BY pos;
SELECT count(*) AS rows_compared,
       count(*) FILTER (WHERE (o.top_share, o.customers, o.revenue) IS DISTINCT FROM (e.top_share, e.customers, e.revenue)
                           OR abs(o.revenue_share::numeric - e.revenue_share) > 1e-12) AS differences
FROM ours_conc o FULL JOIN oracle_conc e USING (pos);

-- revenue_gini: sum((2i - n - 1) x_(i)) / (n sum(x)).
SELECT round(customer_analytics.revenue_gini('SELECT customer_id, ordered_at, amount FROM retail_lines')::numeric, 9) AS gini;
SELECT abs(customer_analytics.revenue_gini('SELECT customer_id, ordered_at, amount FROM retail_lines')::numeric
           - (SELECT gini FROM oracle_gini)) < 1e-12 AS gini_matches;

-- revenue_lorenz: 100 points, and one point per customer.
SELECT points, count(*) AS rows_compared,
       count(*) FILTER (WHERE o.customer_share IS DISTINCT FROM e.customer_share
                           OR abs(o.revenue_share::numeric - e.revenue_share) > 1e-12) AS differences
FROM (VALUES (100), ((SELECT count(*)::int FROM oracle_ranked))) AS v(points),
     LATERAL (SELECT row_number() OVER () - 1 AS j, l.*
              FROM customer_analytics.revenue_lorenz('SELECT customer_id, ordered_at, amount FROM retail_lines', points) AS l) o
     FULL JOIN LATERAL pg_temp.oracle_lorenz(points) e ON e.j = o.j
GROUP BY points ORDER BY points;
-- The 80/20 picture: the revenue share of the poorest 80 % of customers.
SELECT customer_share, round(revenue_share::numeric, 6) AS revenue_share
FROM customer_analytics.revenue_lorenz('SELECT customer_id, ordered_at, amount FROM retail_lines', 10);

-- top_customers: every customer, ranks and ties against row_number() OVER (ORDER BY x DESC,
-- customer_id), integer ids and text ids (ties then in the text's collation).
CREATE TEMP TABLE ours_top AS
SELECT * FROM customer_analytics.top_customers(NULL::int, 'SELECT customer_id, order_id, ordered_at, amount FROM retail_lines', 1);
SELECT count(*) AS rows_compared,
       count(*) FILTER (WHERE (o.customer_id, o.revenue) IS DISTINCT FROM (e.customer_id, e.x)
                           OR abs(o.revenue_share::numeric - e.x / e.t) > 1e-12
                           OR abs(o.cumulative_share::numeric - e.cum / e.t) > 1e-12) AS differences
FROM ours_top o
FULL JOIN oracle_ranked e ON e.r = o.rank;
SELECT customer_id, rank, revenue, round(revenue_share::numeric, 6) AS revenue_share,
       round(cumulative_share::numeric, 6) AS cumulative_share
FROM ours_top ORDER BY rank LIMIT 5;
SELECT count(*) AS rows_compared,
       count(*) FILTER (WHERE (o.customer_id, o.rank, o.revenue) IS DISTINCT FROM (e.customer_id, e.r, e.x)) AS differences
FROM customer_analytics.top_customers(NULL::text, 'SELECT customer_id::text, ordered_at, amount FROM retail_lines', 0.1) o
FULL JOIN (SELECT customer_id::text AS customer_id, x, row_number() OVER (ORDER BY x DESC, customer_id::text) AS r
           FROM oracle_ranked) e ON e.r = o.rank
WHERE e.r <= (SELECT ceil(0.1 * count(*)) FROM oracle_ranked) OR o.rank IS NOT NULL;

-- The usual cleaning (known customer, no cancellation, positive amount): no customer is left out.
SELECT top_share, customers, revenue
FROM customer_analytics.revenue_concentration($$SELECT customer_id, order_id, ordered_at, amount FROM retail_lines
          WHERE customer_id IS NOT NULL AND order_id NOT LIKE 'C%' AND amount > 0$$, '{0.2}');
\else
\echo SKIP: online_retail.csv.xz not found in the shared data folder (set CA_DATA_DIR)
\endif
