-- also_bought() (docs/basket.md, "Recommendations") on a generated sample with text items,
-- against its definition run as plain SQL over the stored rules of association_rules(), and
-- against the production table docs/basket.md shows (the best next items of each antecedent,
-- one indexed query per basket). Then bad input, empty and degenerate data, cancel and the memory limit.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS customer_analytics;
RESET client_min_messages;

-- 1,200 orders over 20 items p01 .. p20 whose baskets overlap by construction (items whose
-- moduli share factors come together), lines with quantity 0 and NULL items.
CREATE TABLE r_lines AS
SELECT o AS order_id, 'p' || lpad(k::text, 2, '0') AS item,
       CASE WHEN (o + k) % 41 = 0 THEN 0 ELSE 1 END AS quantity
FROM generate_series(1, 1200) o, generate_series(1, 20) k
WHERE (o * 5 + k * k * 11) % (k + 3) = 0 OR (k <= 3 AND o % 4 = k)
UNION ALL SELECT o, NULL, 1 FROM generate_series(1, 1200, 101) o;
SELECT count(DISTINCT order_id) AS orders, count(DISTINCT item) AS items FROM r_lines;

-- The rules once, as a table with a GIN index on the antecedent (the production path); the
-- NOTICE reports the skipped lines.
CREATE TABLE r_rules AS
SELECT * FROM customer_analytics.association_rules(NULL::text, 'TABLE r_lines', 0.01, 0);
CREATE INDEX ON r_rules USING gin (antecedent);
SELECT count(*) AS rules, max(cardinality(antecedent)) AS longest_antecedent FROM r_rules;
SET client_min_messages = warning;

-- The recommendations for a basket from the stored rules, by their definition.
\i test/sql/best_rules.sql

-- Baskets: the first 80 orders' own, every single item, and a few made up (with an item no
-- order has, and repeats).
CREATE TEMP TABLE r_baskets AS
SELECT order_id AS id, array_agg(DISTINCT item ORDER BY item) AS basket
FROM r_lines WHERE order_id <= 80 AND item IS NOT NULL AND quantity > 0 GROUP BY order_id
UNION ALL SELECT 1000 + k, ARRAY['p' || lpad(k::text, 2, '0')] FROM generate_series(1, 20) k
UNION ALL VALUES (2001, ARRAY['p01', 'p02', 'p03', 'p04', 'p05', 'p06']),
                 (2002, ARRAY['p20', 'zz', 'p01', 'p20']),
                 (2003, ARRAY['zz']),
                 (2004, ARRAY[]::text[]);

-- Every list in full (top_n => NULL) and the first 5, row by row in order: no mismatches.
SELECT count(*) AS baskets,
       sum(n_sql) AS recommendations, sum(n_ours) AS ours,
       count(*) FILTER (WHERE mismatches > 0) AS baskets_with_mismatches,
       count(*) FILTER (WHERE top5_mismatches > 0) AS top5_with_mismatches
FROM r_baskets b,
LATERAL (SELECT count(*) AS n_sql FROM pg_temp.best_rules('r_rules', b.basket)) s,
LATERAL (SELECT count(*) AS n_ours FROM customer_analytics.also_bought('TABLE r_lines', b.basket, NULL, 0.01)) o,
LATERAL (SELECT count(*) AS mismatches FROM (
    (SELECT * FROM pg_temp.best_rules('r_rules', b.basket) WITH ORDINALITY
     EXCEPT ALL
     SELECT * FROM customer_analytics.also_bought('TABLE r_lines', b.basket, NULL, 0.01) WITH ORDINALITY)
    UNION ALL
    (SELECT * FROM customer_analytics.also_bought('TABLE r_lines', b.basket, NULL, 0.01) WITH ORDINALITY
     EXCEPT ALL
     SELECT * FROM pg_temp.best_rules('r_rules', b.basket) WITH ORDINALITY)) d) m,
LATERAL (SELECT count(*) AS top5_mismatches FROM (
    (SELECT * FROM pg_temp.best_rules('r_rules', b.basket) WITH ORDINALITY LIMIT 5)
    EXCEPT ALL
    SELECT * FROM customer_analytics.also_bought('TABLE r_lines', b.basket, 5, 0.01) WITH ORDINALITY) d) t;

-- The production table of docs/basket.md: the best next items of each antecedent, keyed by its
-- least frequent item. The docs keep 50; kept here are only as many as the exactness argument of
-- docs/basket.md needs for the first five (top_n + the largest basket - 1), so that the test
-- holds the argument to its bound. The first five for every basket equal also_bought()'s.
SELECT 5 + max(cardinality(basket)) - 1 AS kept FROM r_baskets \gset
SELECT :kept AS kept_per_antecedent, (SELECT max(n) FROM (SELECT count(*) AS n FROM r_rules GROUP BY antecedent) a) AS most_per_antecedent;
CREATE TEMP TABLE r_item_counts AS
SELECT items[1] AS item, count FROM customer_analytics.frequent_itemsets(NULL::text, 'TABLE r_lines', 0.01, max_size => 1);
CREATE TEMP TABLE r_next_items AS
SELECT antecedent,
       (SELECT a FROM unnest(antecedent) a JOIN r_item_counts c ON c.item = a ORDER BY c.count, a LIMIT 1) AS rarest,
       array_agg(consequent[1] ORDER BY place) AS items, array_agg(count ORDER BY place) AS counts,
       array_agg(support ORDER BY place) AS supports,
       array_agg(confidence ORDER BY place) AS confidences, array_agg(lift ORDER BY place) AS lifts
FROM (SELECT r.*, row_number() OVER (PARTITION BY antecedent ORDER BY confidence DESC, lift DESC, consequent) AS place
      FROM r_rules r) ranked
WHERE place <= :kept
GROUP BY antecedent;
CREATE INDEX ON r_next_items (rarest);
CREATE FUNCTION pg_temp.from_next_items(basket text[])
RETURNS TABLE (item text, antecedent text[], count bigint, support float8, confidence float8, lift float8)
LANGUAGE sql AS $$
SELECT item, antecedent, count, support, confidence, lift FROM (
    SELECT DISTINCT ON (x.item) x.item, n.antecedent, x.count, x.support, x.confidence, x.lift
    FROM r_next_items n,
         unnest(n.items, n.counts, n.supports, n.confidences, n.lifts) AS x(item, count, support, confidence, lift)
    WHERE n.rarest = ANY (basket) AND n.antecedent <@ basket AND x.item <> ALL (basket)
    ORDER BY x.item, x.confidence DESC, x.lift DESC, cardinality(n.antecedent), n.antecedent
) best
ORDER BY confidence DESC, lift DESC, item
LIMIT 5
$$;
SELECT count(*) AS baskets, sum(n) AS recommendations, count(*) FILTER (WHERE mismatches > 0) AS baskets_with_mismatches
FROM r_baskets b,
LATERAL (SELECT count(*) AS n FROM pg_temp.from_next_items(b.basket)) s,
LATERAL (SELECT count(*) AS mismatches FROM (
    (SELECT * FROM pg_temp.from_next_items(b.basket) WITH ORDINALITY
     EXCEPT ALL
     SELECT * FROM customer_analytics.also_bought('TABLE r_lines', b.basket, 5, 0.01) WITH ORDINALITY)
    UNION ALL
    (SELECT * FROM customer_analytics.also_bought('TABLE r_lines', b.basket, 5, 0.01) WITH ORDINALITY
     EXCEPT ALL
     SELECT * FROM pg_temp.from_next_items(b.basket) WITH ORDINALITY)) d) m;

-- One basket shown, with the thresholds: min_confidence, min_lift and max_antecedent filter the
-- same rules the stored table would.
SELECT item, antecedent, count, round(confidence::numeric, 4) AS confidence, round(lift::numeric, 4) AS lift
FROM customer_analytics.also_bought('TABLE r_lines', ARRAY['p01', 'p02'], 5, 0.01);
SELECT (SELECT count(*) FROM customer_analytics.also_bought('TABLE r_lines', ARRAY['p01', 'p02', 'p05'], NULL, 0.01,
                                                            min_confidence => 0.3, min_lift => 1.1, max_antecedent => 1)) AS ours,
       (SELECT count(DISTINCT consequent) FROM r_rules r
        WHERE r.antecedent <@ ARRAY['p01', 'p02', 'p05'] AND NOT r.consequent <@ ARRAY['p01', 'p02', 'p05']
          AND r.confidence >= 0.3 AND r.lift >= 1.1 AND cardinality(r.antecedent) = 1) AS sql;

-- The lookups use their indexes.
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM r_rules WHERE antecedent <@ ARRAY['p01', 'p02'];
EXPLAIN (COSTS OFF) SELECT * FROM r_next_items n
WHERE n.rarest = ANY (ARRAY['p01', 'p02']) AND n.antecedent <@ ARRAY['p01', 'p02'];
RESET enable_seqscan;

-- Integer items come back as the basket's type; varchar baskets work on text items.
SELECT item, antecedent, count FROM customer_analytics.also_bought(
    'SELECT order_id, substr(item, 2)::int AS item, quantity FROM r_lines', ARRAY[1, 2], 3, 0.01);
SELECT pg_typeof(item) AS item_type, pg_typeof(antecedent) AS antecedent_type
FROM customer_analytics.also_bought('TABLE r_lines', ARRAY['p01']::varchar[], 1, 0.01);

-- Per customer: baskets are the customers' item sets.
SELECT count(*) AS per_customer FROM customer_analytics.also_bought(
    'SELECT order_id, order_id % 40 AS customer_id, item, quantity FROM r_lines', ARRAY['p01'], NULL, 0.05,
    per => 'customer');

-- Degenerate data: no lines, one order, every order the same basket.
SELECT count(*) AS no_lines FROM customer_analytics.also_bought('SELECT 1 AS order_id, ''a''::text AS item WHERE false', ARRAY['a']);
SELECT item, antecedent, confidence, lift FROM customer_analytics.also_bought(
    'SELECT 1 AS order_id, unnest(ARRAY[''a'', ''b'', ''c'']) AS item', ARRAY['a']);
SELECT item, antecedent, confidence, lift FROM customer_analytics.also_bought(
    'SELECT o AS order_id, unnest(ARRAY[''a'', ''b'', ''c'']) AS item FROM generate_series(1, 50) o', ARRAY['a', 'b']);
-- A basket of 5,000 items, almost all unknown to the data.
SELECT count(*) AS from_huge_basket FROM customer_analytics.also_bought('TABLE r_lines',
    ARRAY(SELECT 'x' || g FROM generate_series(1, 4998) g) || ARRAY['p01', 'p02'], NULL, 0.01);

-- Bad input: each with its SQLSTATE; the table is never written.
\i test/sql/outcome.sql
SELECT a AS arguments, pg_temp.outcome(format('SELECT count(*) FROM customer_analytics.also_bought(%s)', a)) AS outcome
FROM (VALUES
    ($$NULL, ARRAY['p01']$$),
    ($$'TABLE r_lines', NULL::text[]$$),
    ($$'TABLE r_lines', ARRAY['p01'], 0$$),
    ($$'TABLE r_lines', ARRAY['p01'], -3$$),
    ($$'TABLE r_lines', ARRAY['p01'], 10, 0$$),
    ($$'TABLE r_lines', ARRAY['p01'], 10, 1.5$$),
    ($$'TABLE r_lines', ARRAY['p01'], 10, NULL$$),
    ($$'TABLE r_lines', ARRAY['p01'], 10, 0.01, -0.5$$),
    ($$'TABLE r_lines', ARRAY['p01'], 10, 0.01, NULL$$),
    ($$'TABLE r_lines', ARRAY['p01'], 10, 0.01, min_lift => 'Infinity'$$),
    ($$'TABLE r_lines', ARRAY['p01'], 10, 0.01, max_antecedent => 0$$),
    ($$'TABLE r_lines', ARRAY['p01'], per => 'store'$$),
    ($$'TABLE r_lines', ARRAY['p01'], per => 'customer'$$),
    ($$'TABLE r_lines', ARRAY[1, 2]$$),
    ($$'TABLE r_lines', ARRAY[['p01', 'p02'], ['p03', 'p04']]$$),
    ($$'TABLE r_lines', ARRAY['p01', NULL]$$),
    ($$'SELECT order_id FROM r_lines', ARRAY['p01']$$),
    ($$'TABLE r_lines; DELETE FROM r_lines', ARRAY['p01']$$),
    ($$'SELECT order_id, item, 1 AS group_key FROM r_lines', ARRAY['p01']$$),
    ($$'SELECT order_id, substr(item, 2)::int AS item FROM r_lines', ARRAY[1]::smallint[]$$)
) v(a);
SELECT count(*) AS r_lines_rows FROM r_lines;

-- A basket whose subsets never run out (every order holds the same 30 items: 2^30 frequent
-- antecedents): a statement_timeout stops it with 57014.
\set VERBOSITY terse
SET statement_timeout = '300ms';
SELECT count(*) FROM customer_analytics.also_bought(
    'SELECT o AS order_id, i::bigint AS item FROM generate_series(1, 100) o, generate_series(1, 31) i',
    ARRAY(SELECT g::bigint FROM generate_series(1, 30) g));
RESET statement_timeout;
-- The same explosion in association_rules() holds every frequent itemset and hits the memory
-- limit: 53200 with the hint naming min_support and max_size.
SET customer_analytics.memory_limit = '8MB';
\set VERBOSITY default
SELECT count(*) FROM customer_analytics.association_rules(NULL::bigint,
    'SELECT o AS order_id, i::bigint AS item FROM generate_series(1, 100) o, generate_series(1, 31) i', 0.5);
SELECT pg_temp.outcome($$SELECT count(*) FROM customer_analytics.association_rules(NULL::bigint,
    'SELECT o AS order_id, i::bigint AS item FROM generate_series(1, 100) o, generate_series(1, 31) i', 0.5)$$);
RESET customer_analytics.memory_limit;
RESET client_min_messages;
