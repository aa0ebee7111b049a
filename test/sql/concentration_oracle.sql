-- revenue_concentration(), revenue_gini(), revenue_lorenz() and top_customers() written in plain
-- SQL from docs/concentration.md, independent of the extension: sum per customer, row_number()
-- over revenue, the Gini formula and the piecewise-linear Lorenz curve, in numeric. Included with
-- \i by the regression tests.
-- Input: the view conc_input(customer_id, ordered_at, amount) of order lines and the table
-- conc_shares(shares float8[]) of the top shares asked of revenue_concentration(). Output:
--   oracle_revenue(customer_id, x)  net revenue per customer of the usable rows (customer_id and
--       amount not NULL, ordered_at finite), negative ones included;
--   oracle_ranked(customer_id, x, r, i, n, t, cum)  the customers with x >= 0: r ranks by revenue,
--       ties by customer_id (top_customers' rank), i the other way round (x ascending), n of them
--       with total t, cum the revenue of ranks 1 to r;
--   oracle_conc(pos, top_share, customers, revenue, revenue_share)  revenue_concentration's rows
--       for conc_shares, k = ceil(s::numeric * N) customers;
--   oracle_gini(gini)  sum((2i - n - 1) x_(i)) / (n sum(x)), ascending x;
--   oracle_ascending(i, x, s) and pg_temp.oracle_lorenz(points)(j, customer_share, revenue_share)
--       the Lorenz curve at p = j / points: (S_i + f * x_(i+1)) / T with p * N = i + f.
CREATE TEMP TABLE oracle_revenue AS
SELECT customer_id, sum(amount) AS x FROM conc_input
WHERE customer_id IS NOT NULL AND amount IS NOT NULL AND isfinite(ordered_at)
GROUP BY customer_id;
CREATE TEMP TABLE oracle_ranked AS
SELECT customer_id, x, row_number() OVER (ORDER BY x DESC, customer_id) AS r,
       row_number() OVER (ORDER BY x, customer_id) AS i,
       count(*) OVER () AS n, sum(x) OVER () AS t,
       sum(x) OVER (ORDER BY x DESC, customer_id ROWS UNBOUNDED PRECEDING) AS cum
FROM oracle_revenue WHERE x >= 0;

CREATE TEMP VIEW oracle_conc AS
SELECT u.pos, u.s AS top_share, ceil(u.s::numeric * n)::bigint AS customers,
       (SELECT sum(x) FROM oracle_ranked o WHERE o.r <= ceil(u.s::numeric * n)) AS revenue,
       (SELECT sum(x) FROM oracle_ranked o WHERE o.r <= ceil(u.s::numeric * n)) / t AS revenue_share
FROM conc_shares, unnest(shares) WITH ORDINALITY AS u(s, pos),
     (SELECT DISTINCT n, t FROM oracle_ranked) nt;

CREATE TEMP VIEW oracle_gini AS
SELECT sum((2 * i - n - 1) * x) / (n * sum(x)) AS gini FROM oracle_ranked GROUP BY n;

CREATE TEMP TABLE oracle_ascending AS
SELECT i, x, sum(x) OVER (ORDER BY i ROWS UNBOUNDED PRECEDING) AS s FROM oracle_ranked;
CREATE INDEX ON oracle_ascending (i);
ANALYZE oracle_ascending;
CREATE FUNCTION pg_temp.oracle_lorenz(points int)
RETURNS TABLE (j int, customer_share float8, revenue_share numeric) LANGUAGE sql AS $$
    SELECT j, j::float8 / points,
           (coalesce((SELECT s FROM oracle_ascending WHERE i = floor(pos)), 0)
            + (pos - floor(pos)) * coalesce((SELECT x FROM oracle_ascending WHERE i = floor(pos) + 1), 0))
           / (SELECT sum(x) FROM oracle_ascending)
    FROM generate_series(0, points) AS j,
         LATERAL (SELECT j::numeric * (SELECT count(*) FROM oracle_ascending) / points AS pos) p
$$;
