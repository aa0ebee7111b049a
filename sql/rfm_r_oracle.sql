-- method => 'r_rfm' against R package rfm 0.3.0 on its own sample data (rfm_data_orders, MIT
-- licence), read from the shared data folder (CA_DATA_DIR, default ../shared/data). The expected
-- numbers are those the package documents for rfm_table_order(..., analysis_date = 2006-12-31)
-- and its default segment map; none of them comes from this extension.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS customer_analytics;
RESET client_min_messages;
\set datadir `echo "${CA_DATA_DIR:-../shared/data}"`
\set have_data `test -r "${CA_DATA_DIR:-../shared/data}/rfm_data_orders.csv.gz" && echo true || echo false`
\if :have_data
CREATE TEMP TABLE rfm_data_orders (customer_id text, order_date date, revenue numeric,
                                   first_name text, last_name text, email text);
\set load '\\copy rfm_data_orders FROM PROGRAM ''gzip -dc "' :datadir '/rfm_data_orders.csv.gz"'' WITH (FORMAT csv, HEADER true)'
:load
SELECT count(*) AS orders, count(DISTINCT customer_id) AS customers FROM rfm_data_orders;

CREATE TEMP TABLE r_result AS
SELECT * FROM customer_analytics.rfm(NULL::text, 'SELECT customer_id, order_date AS ordered_at, revenue AS amount FROM rfm_data_orders',
                  as_of => '2006-12-31', method => 'r_rfm');

-- The three customers the package's documentation shows.
SELECT r.customer_id, r.recency_days = e.recency AND r.frequency = e.frequency
       AND r.monetary = e.monetary AND r.rfm_cell = e.cell AS as_documented
FROM r_result AS r
JOIN (VALUES ('Brion Stark', 229, 8, 852, '355'), ('Hosteen Jacobi', 545, 4, 300, '122'),
             ('Edw Frami', 44, 10, 868, '555')) AS e(customer_id, recency, frequency, monetary, cell)
  USING (customer_id)
ORDER BY 1;

-- The documented split of the 995 customers into segments.
SELECT e.segment, e.customers AS documented, count(r.customer_id) AS ours
FROM (VALUES ('Potential Loyalist', 342), ('Loyal Customers', 170), ('Lost', 148),
             ('New Customers', 104), ('About To Sleep', 102), ('Can''t Lose Them', 47),
             ('Champions', 35), ('At Risk', 28), ('Need Attention', 10), ('Promising', 9),
             ('Others', 0)) AS e(segment, customers)
LEFT JOIN r_result AS r USING (segment)
GROUP BY e.segment, e.customers
HAVING count(r.customer_id) <> e.customers OR e.customers > 0
ORDER BY e.customers DESC, e.segment;
SELECT count(*) AS customers_scored FROM r_result;

-- The same thresholds given by hand (method 'fixed') score like the package's custom-threshold
-- example: rfm_table_order(..., recency_bins = c(115, 181, 297, 482), frequency_bins = c(4, 5, 6, 8),
-- monetary_bins = c(256, 382, 506, 666)). Check it against a plain CASE formulation.
SELECT count(*) AS mismatches
FROM customer_analytics.rfm(NULL::text, 'SELECT customer_id, order_date AS ordered_at, revenue AS amount FROM rfm_data_orders',
         as_of => '2006-12-31', method => 'fixed', r_breaks => '{115,181,297,482}',
         f_breaks => '{4,5,6,8}', m_breaks => '{256,382,506,666}') AS f
WHERE f.r_score <> 5 - (CASE WHEN f.recency_days >= 482 THEN 4 WHEN f.recency_days >= 297 THEN 3
                             WHEN f.recency_days >= 181 THEN 2 WHEN f.recency_days >= 115 THEN 1 ELSE 0 END)
   OR f.f_score <> 1 + (f.frequency >= 4)::int + (f.frequency >= 5)::int + (f.frequency >= 6)::int + (f.frequency >= 8)::int
   OR f.m_score <> 1 + (f.monetary >= 256)::int + (f.monetary >= 382)::int + (f.monetary >= 506)::int + (f.monetary >= 666)::int;
\else
\echo SKIP: rfm_data_orders.csv.gz not found in the shared data folder (set CA_DATA_DIR)
\endif
