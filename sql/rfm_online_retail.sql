-- rfm() on the full UCI Online Retail data (541,909 order lines, returns and missing customers
-- included), compared cell by cell with an independent plain-SQL formulation of docs/rfm.md's
-- definitions written here. Reads CA_DATA_DIR (default ../shared/data); prints SKIP without it.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS customer_analytics;
RESET client_min_messages;
\i test/sql/online_retail.sql
\if :have_online_retail
SELECT count(*) AS lines, count(DISTINCT invoice_no) AS invoices, count(DISTINCT customer_id) AS customers,
       sum(quantity * unit_price) AS total FROM retail;
SET TimeZone = 'UTC';

-- The definitions in plain SQL (test/sql/rfm_oracle.sql), independent of the extension.
CREATE TEMP VIEW oracle_input AS SELECT * FROM retail_lines;
\i test/sql/rfm_oracle.sql
CREATE TEMP VIEW oracle AS SELECT * FROM rfm_oracle;

CREATE TEMP TABLE ours AS
SELECT * FROM customer_analytics.rfm(NULL::text, 'SELECT customer_id, order_id, ordered_at, amount FROM retail_lines');
SELECT (SELECT count(*) FROM ours) AS ours, (SELECT count(*) FROM oracle) AS oracle,
       (SELECT count(*) FROM (TABLE ours EXCEPT TABLE oracle) d) AS only_ours,
       (SELECT count(*) FROM (TABLE oracle EXCEPT TABLE ours) d) AS only_oracle;
SELECT segment, count(*) AS customers FROM ours GROUP BY segment ORDER BY 2 DESC, 1;

-- ntile: what hand-written SQL does, NTILE(5) with ties broken by customer_id.
SELECT count(*) AS ntile_mismatches
FROM customer_analytics.rfm(NULL::text, 'SELECT customer_id, order_id, ordered_at, amount FROM retail_lines', method => 'ntile') AS t
JOIN (SELECT customer_id::text AS customer_id,
             ntile(5) OVER (ORDER BY recency_days DESC, customer_id) AS r,
             ntile(5) OVER (ORDER BY frequency, customer_id) AS f,
             ntile(5) OVER (ORDER BY monetary, customer_id) AS m
      FROM (SELECT customer_id::int AS customer_id, recency_days, frequency, monetary FROM oracle) o) AS h
  USING (customer_id)
WHERE (t.r_score, t.f_score, t.m_score) IS DISTINCT FROM (h.r, h.f, h.m);
-- How many customers with equal values NTILE puts into different scores (docs/rfm.md).
SELECT dimension, count(*) AS tied_values_split, sum(customers) AS customers_involved
FROM (SELECT 'recency' AS dimension, recency_days::numeric AS v, count(*) AS customers, count(DISTINCT r_score) AS scores
        FROM customer_analytics.rfm(NULL::text, 'SELECT customer_id, order_id, ordered_at, amount FROM retail_lines', method => 'ntile') GROUP BY 2
      UNION ALL
      SELECT 'frequency', frequency, count(*), count(DISTINCT f_score)
        FROM customer_analytics.rfm(NULL::text, 'SELECT customer_id, order_id, ordered_at, amount FROM retail_lines', method => 'ntile') GROUP BY 2
      UNION ALL
      SELECT 'monetary', monetary, count(*), count(DISTINCT m_score)
        FROM customer_analytics.rfm(NULL::text, 'SELECT customer_id, order_id, ordered_at, amount FROM retail_lines', method => 'ntile') GROUP BY 2) s
WHERE scores > 1
GROUP BY dimension ORDER BY dimension;

-- The usual cleaning (known customer, no cancellation, positive quantity and price) gives the
-- published 4,338 customers.
SELECT count(*) AS customers_after_usual_cleaning
FROM customer_analytics.rfm(NULL::text, $$SELECT customer_id, order_id, ordered_at, amount FROM retail_lines
          WHERE customer_id IS NOT NULL AND order_id NOT LIKE 'C%' AND amount > 0$$);

-- rfm_summary agrees with the oracle's frequency and recency per customer (summing the lines of
-- each invoice first, as the definition does).
SELECT count(*) AS summary_mismatches
FROM (SELECT customer_id::text AS customer_id, (customer_analytics.rfm_summary(at, amount, (SELECT max(ordered_at)::date + 1 FROM retail_lines WHERE customer_id IS NOT NULL))).*
      FROM (SELECT customer_id, order_id, max(ordered_at) AS at, sum(amount) AS amount
            FROM retail_lines WHERE customer_id IS NOT NULL GROUP BY 1, 2) per_order
      GROUP BY customer_id) s
JOIN oracle o USING (customer_id)
WHERE s.recency_days <> o.recency_days OR s.frequency <> o.frequency OR s.monetary <> o.monetary;
RESET TimeZone;
\else
\echo SKIP: online_retail.csv.xz not found in the shared data folder (set CA_DATA_DIR)
\endif
