-- frequent_itemsets() and association_rules() on arules' Groceries data (9,835 baskets, 169
-- items), read from the shared data folder (CA_DATA_DIR, default ../shared/data). The expected
-- counts are arules' (apriori, default maxlen 10): 13,492 frequent itemsets at support 0.001 and
-- 333 at 0.01; 5,668 rules at support 0.001 and confidence 0.5, 15 at 0.01; none of them comes
-- from this extension.
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
-- Rules, as arules' apriori(Groceries, parameter = list(supp = s, conf = 0.5)).
SELECT e.min_support, e.arules,
       (SELECT count(*) FROM customer_analytics.association_rules(NULL::text, 'TABLE groceries',
                                                                  e.min_support::float8, 0.5, max_size => 10)) AS ours
FROM (VALUES (0.001, 5668), (0.01, 15)) AS e(min_support, arules) ORDER BY 1;
-- The 15 rules at 0.01: each measure against its definition from the three counts.
SELECT r.antecedent, r.consequent, r.count, round(r.confidence::numeric, 4) AS confidence,
       round(r.lift::numeric, 4) AS lift,
       abs(r.confidence - r.count::float8 / ax.c) <= 1e-12 AND abs(r.lift - r.count::float8 * 9835 / (ax.c * cy.c)) <= 1e-12 AS by_definition
FROM customer_analytics.association_rules(NULL::text, 'TABLE groceries', 0.01, 0.5) r
CROSS JOIN LATERAL (SELECT count(*)::float8 AS c FROM (SELECT order_id FROM groceries g WHERE g.item = ANY (r.antecedent)
                    GROUP BY order_id HAVING count(DISTINCT g.item) = cardinality(r.antecedent)) b) ax
CROSS JOIN LATERAL (SELECT count(DISTINCT order_id)::float8 AS c FROM groceries g WHERE g.item = r.consequent[1]) cy
ORDER BY r.lift DESC, r.antecedent LIMIT 15;
-- also_bought() on real baskets: for the first 150 Groceries baskets, every list (top_n NULL)
-- equals, row by row, the best stored rule per item from association_rules() at the same
-- support (docs/basket.md, "Recommendations": the production path).
CREATE TEMP TABLE g_rules AS
SELECT * FROM customer_analytics.association_rules(NULL::text, 'TABLE groceries', 0.002, 0);
CREATE INDEX ON g_rules USING gin (antecedent);
CREATE TEMP TABLE g_baskets AS
SELECT order_id, array_agg(DISTINCT item) AS basket FROM groceries WHERE order_id <= 150 GROUP BY order_id;
\i test/sql/best_rules.sql
SELECT (SELECT count(*) FROM g_rules) AS rules, count(*) AS baskets, sum(n) AS recommendations,
       sum(mismatches) AS mismatches
FROM g_baskets b,
LATERAL (SELECT count(*) AS n FROM pg_temp.best_rules('g_rules', b.basket)) s,
LATERAL (SELECT count(*) AS mismatches FROM (
    (SELECT * FROM pg_temp.best_rules('g_rules', b.basket) WITH ORDINALITY
     EXCEPT ALL
     SELECT * FROM customer_analytics.also_bought('TABLE groceries', b.basket, NULL, 0.002) WITH ORDINALITY)
    UNION ALL
    (SELECT * FROM customer_analytics.also_bought('TABLE groceries', b.basket, NULL, 0.002) WITH ORDINALITY
     EXCEPT ALL
     SELECT * FROM pg_temp.best_rules('g_rules', b.basket) WITH ORDINALITY)) d) m;
-- What goes with yogurt and rolls/buns.
SELECT item, antecedent, count, round(confidence::numeric, 4) AS confidence, round(lift::numeric, 4) AS lift
FROM customer_analytics.also_bought('TABLE groceries', ARRAY['yogurt', 'rolls/buns'], 5, 0.002);
\else
\echo SKIP: groceries.csv.gz not found in the shared data folder (set CA_DATA_DIR)
\endif
