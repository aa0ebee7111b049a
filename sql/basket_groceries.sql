-- frequent_itemsets() on arules' Groceries data (9,835 baskets, 169 items), read from the shared
-- data folder (CA_DATA_DIR, default ../shared/data). The expected counts are arules' (apriori,
-- default maxlen 10): 13,492 frequent itemsets at support 0.001 and 333 at 0.01; none of them
-- comes from this extension.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS customer_analytics;
RESET client_min_messages;
\set datadir `echo "${CA_DATA_DIR:-../shared/data}"`
\set have_data `test -r "${CA_DATA_DIR:-../shared/data}/groceries.csv.gz" && echo true || echo false`
\if :have_data
CREATE TEMP TABLE groceries_raw (basket_id serial, line text);
\set load '\\copy groceries_raw (line) FROM PROGRAM ''gzip -dc "' :datadir '/groceries.csv.gz"'' WITH (FORMAT text)'
:load
CREATE TEMP TABLE groceries AS
SELECT basket_id AS order_id, item FROM groceries_raw, unnest(string_to_array(line, ',')) AS item;
SELECT count(DISTINCT order_id) AS baskets, count(DISTINCT item) AS items, count(*) AS occurrences
FROM groceries;

SELECT s.min_support, e.arules, count(f.*) AS ours
FROM (VALUES (0.001, 13492), (0.01, 333)) AS e(min_support, arules)
CROSS JOIN LATERAL (SELECT e.min_support) s
LEFT JOIN LATERAL customer_analytics.frequent_itemsets(NULL::text, 'TABLE groceries', s.min_support::float8) f ON true
GROUP BY s.min_support, e.arules ORDER BY s.min_support;
-- The same with arules' maxlen = 10: no frequent itemset is larger.
SELECT count(*) AS maxlen_10, max(size) AS largest
FROM customer_analytics.frequent_itemsets(NULL::text, 'TABLE groceries', 0.001, max_size => 10);
-- The most frequent items and pairs, counts checked against plain SQL.
SELECT f.items, f.count,
       (SELECT count(*) FROM (SELECT order_id FROM groceries g WHERE g.item = ANY (f.items)
                              GROUP BY order_id HAVING count(DISTINCT g.item) = f.size) b) = f.count AS sql_agrees,
       round(f.support::numeric, 6) AS support
FROM customer_analytics.frequent_itemsets(NULL::text, 'TABLE groceries', 0.05) f
ORDER BY f.count DESC, f.items LIMIT 8;
\else
\echo SKIP: groceries.csv.gz not found in the shared data folder (set CA_DATA_DIR)
\endif
