-- frequent_itemsets() (docs/basket.md) on a generated sample, against plain SQL of the
-- definitions: item and pair counts by self-join, closed and maximal from the frequent itemsets.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS customer_analytics;
RESET client_min_messages;

-- 1,500 orders of 300 customers; item popularity skewed (item k in about 1 of k + 2 baskets),
-- repeated items, returns (quantity <= 0) and NULL items.
CREATE TABLE b_lines AS
SELECT o AS order_id, o % 300 AS customer_id, k::bigint AS item,
       CASE WHEN (o + k) % 53 = 0 THEN -1 ELSE 1 END AS quantity
FROM generate_series(1, 1500) o, generate_series(1, 25) k
WHERE (o * 7 + k * k * 13) % (k + 2) = 0
UNION ALL SELECT o, o % 300, 1, 2 FROM generate_series(1, 1500, 5) o   -- item 1 again
UNION ALL SELECT o, o % 300, NULL, 1 FROM generate_series(1, 1500, 97) o;
-- The baskets as the definition reads them: distinct non-NULL items of lines with quantity > 0.
CREATE TEMP VIEW b_baskets AS
SELECT DISTINCT order_id, item FROM b_lines WHERE item IS NOT NULL AND quantity > 0;
SELECT count(DISTINCT order_id) AS n, count(*) AS pairs_order_item FROM b_baskets;

-- Itemsets of one and two items against a self-join; min_count = ceil(N * 0.03).
CREATE TEMP TABLE b_expected AS
WITH n AS (SELECT count(DISTINCT order_id) AS n FROM b_baskets),
     singles AS (SELECT ARRAY[item] AS items, count(*) AS c FROM b_baskets GROUP BY item),
     pairs AS (SELECT ARRAY[a.item, b.item] AS items, count(*) AS c
               FROM b_baskets a JOIN b_baskets b ON a.order_id = b.order_id AND a.item < b.item
               GROUP BY a.item, b.item)
SELECT items, c FROM (TABLE singles UNION ALL TABLE pairs) s, n WHERE c >= ceil(n.n * 0.03);
CREATE TEMP TABLE b_got AS
SELECT (SELECT array_agg(i ORDER BY i) FROM unnest(items) i) AS items, count AS c
FROM customer_analytics.frequent_itemsets(NULL::bigint, 'TABLE b_lines', 0.03, max_size => 2);
-- The skipped lines were reported once above (NOTICE); the rest of the file does not repeat it.
SET client_min_messages = warning;
SELECT (SELECT count(*) FROM b_expected) AS expected, (SELECT count(*) FROM b_got) AS got,
       (SELECT count(*) FROM (TABLE b_expected EXCEPT TABLE b_got) d) AS missing,
       (SELECT count(*) FROM (TABLE b_got EXCEPT TABLE b_expected) d) AS extra;
-- Support is count / N; size is the array length; each itemset once, its items in ascending
-- order (so that equal itemsets are equal arrays).
SELECT count(*) FILTER (WHERE support <> count::float8 / (SELECT count(DISTINCT order_id) FROM b_baskets)) AS bad_support,
       count(*) FILTER (WHERE size <> cardinality(items)) AS bad_size,
       count(*) - count(DISTINCT items) AS repeated,
       count(*) FILTER (WHERE items <> (SELECT array_agg(i ORDER BY i) FROM unnest(items) i)) AS unsorted
FROM customer_analytics.frequent_itemsets(NULL::bigint, 'TABLE b_lines', 0.03);

-- Closed and maximal itemsets equal their definitions applied to all frequent itemsets: closed
-- when no superset one item larger has the same count, maximal when none is frequent.
CREATE TEMP TABLE b_all AS
SELECT (SELECT array_agg(i ORDER BY i) FROM unnest(items) i) AS items, count AS c
FROM customer_analytics.frequent_itemsets(NULL::bigint, 'TABLE b_lines', 0.02);
SELECT target, (SELECT count(*) FROM b_all) AS frequent, expected.n AS expected, got.n AS got,
       mismatches
FROM (VALUES ('closed'), ('maximal')) t(target),
LATERAL (SELECT count(*) AS n FROM b_all x WHERE NOT EXISTS (
             SELECT 1 FROM b_all y WHERE cardinality(y.items) = cardinality(x.items) + 1
               AND y.items @> x.items AND (t.target = 'maximal' OR y.c = x.c))) expected,
LATERAL (SELECT count(*) AS n FROM customer_analytics.frequent_itemsets(NULL::bigint, 'TABLE b_lines', 0.02, target => t.target)) got,
LATERAL (SELECT count(*) AS mismatches FROM (
             (SELECT items, c FROM b_all x WHERE NOT EXISTS (
                  SELECT 1 FROM b_all y WHERE cardinality(y.items) = cardinality(x.items) + 1
                    AND y.items @> x.items AND (t.target = 'maximal' OR y.c = x.c))
              EXCEPT
              SELECT (SELECT array_agg(i ORDER BY i) FROM unnest(items) i), count
              FROM customer_analytics.frequent_itemsets(NULL::bigint, 'TABLE b_lines', 0.02, target => t.target))
         ) d) m
ORDER BY target;

-- Sizes: min_size and max_size bound what is reported.
SELECT min(size), max(size), count(*)
FROM customer_analytics.frequent_itemsets(NULL::bigint, 'TABLE b_lines', 0.02, max_size => 3, min_size => 2);

-- Per customer: one basket per customer_id; single items against count(DISTINCT customer_id).
CREATE TEMP TABLE b_per_customer AS
SELECT items, count FROM customer_analytics.frequent_itemsets(NULL::bigint, 'TABLE b_lines', 0.3,
                                                                max_size => 1, per => 'customer');
SELECT (SELECT count(*) FROM b_per_customer) AS items_found, count(*) AS mismatches FROM (
    (SELECT ARRAY[item] AS items, count(DISTINCT customer_id) AS count
     FROM b_lines WHERE item IS NOT NULL AND quantity > 0 GROUP BY item
     HAVING count(DISTINCT customer_id) >= ceil(0.3 * (SELECT count(DISTINCT customer_id)
                                                       FROM b_lines WHERE item IS NOT NULL AND quantity > 0)))
    EXCEPT TABLE b_per_customer) d;

-- Items keep their type: text and uuid items come back as text[] and uuid[].
SELECT items, size, count, support
FROM customer_analytics.frequent_itemsets(NULL::text, $$SELECT * FROM (VALUES
    (1, 'milk'), (1, 'bread'), (2, 'milk'), (2, 'bread'), (2, 'eggs'), (3, 'bread')) v(order_id, item)$$, 0.5)
ORDER BY size, items;
-- Items sort in the items' collation (text) or by value (integers), not by first appearance.
SELECT items FROM customer_analytics.frequent_itemsets(NULL::text, $$SELECT order_id, item COLLATE "C" AS item FROM (VALUES
    (1, 'b'), (1, 'B'), (1, 'a'), (1, 'A')) v(order_id, item)$$, 1.0, min_size => 4);
SELECT items FROM customer_analytics.frequent_itemsets(NULL::bigint, $$SELECT * FROM (VALUES
    (1, 10), (1, 9), (1, 100), (1, -1)) v(order_id, item)$$, 1.0, min_size => 4);
SELECT pg_typeof(items), items, count
FROM customer_analytics.frequent_itemsets(NULL::uuid, $$SELECT o AS order_id,
    ('00000000-0000-0000-0000-00000000000' || i)::uuid AS item FROM generate_series(1, 3) o, generate_series(1, 2) i$$,
    1.0, min_size => 2);

-- Edge inputs: no rows, one basket, identical baskets (every subset has support 1).
SELECT count(*) AS from_no_rows FROM customer_analytics.frequent_itemsets(NULL::bigint, 'SELECT 1 AS order_id, 1::bigint AS item WHERE false', 0.1);
SELECT items, count, support FROM customer_analytics.frequent_itemsets(NULL::bigint, 'SELECT 7 AS order_id, 3::bigint AS item', 1.0);
SELECT size, count(*) AS itemsets, min(support), max(support)
FROM customer_analytics.frequent_itemsets(NULL::bigint, 'SELECT o AS order_id, i::bigint AS item FROM generate_series(1, 4) o, generate_series(1, 5) i', 0.9)
GROUP BY size ORDER BY size;

-- association_rules() with one-item antecedents and consequents against the definitions in plain
-- SQL (docs/basket.md), from the single and pair counts; measures to 1e-12 relative, conviction
-- Infinity exactly where confidence is 1.
CREATE TEMP TABLE b_rules_expected AS
WITH n AS (SELECT count(DISTINCT order_id)::float8 AS n FROM b_baskets),
     c1 AS (SELECT item, count(*)::float8 AS c FROM b_baskets GROUP BY item),
     c2 AS (SELECT a.item AS x, b.item AS y, count(*)::float8 AS c
            FROM b_baskets a JOIN b_baskets b ON a.order_id = b.order_id AND a.item <> b.item
            GROUP BY a.item, b.item)
SELECT ARRAY[c2.x] AS antecedent, ARRAY[c2.y] AS consequent, c2.c::bigint AS count,
       c2.c / cx.c AS confidence, c2.c * n.n / (cx.c * cy.c) AS lift,
       c2.c / n.n - (cx.c / n.n) * (cy.c / n.n) AS leverage,
       CASE WHEN c2.c = cx.c THEN 'Infinity'::float8 ELSE (1 - cy.c / n.n) / (1 - c2.c / cx.c) END AS conviction,
       c2.c / (cx.c + cy.c - c2.c) AS jaccard
FROM c2 JOIN c1 cx ON cx.item = c2.x JOIN c1 cy ON cy.item = c2.y, n
WHERE c2.c >= ceil(n.n * 0.03) AND c2.c / cx.c >= 0.2;
CREATE TEMP TABLE b_rules AS
SELECT * FROM customer_analytics.association_rules(NULL::bigint, 'TABLE b_lines', 0.03, 0.2, max_size => 2);
CREATE FUNCTION pg_temp.close(a float8, b float8) RETURNS boolean LANGUAGE sql AS
$$ SELECT a = b OR abs(a - b) <= 1e-12 * greatest(abs(a), abs(b)) $$;
SELECT (SELECT count(*) FROM b_rules_expected) AS expected, (SELECT count(*) FROM b_rules) AS got,
       count(e.*) FILTER (WHERE r.antecedent IS NULL) AS missing,
       count(r.*) FILTER (WHERE e.antecedent IS NULL) AS extra,
       count(*) FILTER (WHERE e.count <> r.count OR NOT pg_temp.close(e.confidence, r.confidence)
                          OR NOT pg_temp.close(e.lift, r.lift) OR NOT pg_temp.close(e.jaccard, r.jaccard)
                          OR abs(e.leverage - r.leverage) > 1e-15
                          OR NOT pg_temp.close(e.conviction, r.conviction)) AS measure_mismatches,
       count(*) FILTER (WHERE r.conviction = 'Infinity') AS infinite_conviction,
       count(*) FILTER (WHERE r.fisher_p < 0 OR r.fisher_p > 1) AS bad_p
FROM b_rules_expected e FULL JOIN b_rules r USING (antecedent, consequent);
-- Longer rules: every antecedent and consequent within the bounds, sorted, disjoint, and the
-- support of X ∪ Y equal to that of the itemset frequent_itemsets() finds.
SELECT max(cardinality(antecedent)) AS longest_antecedent, max(cardinality(consequent)) AS longest_consequent,
       count(*) FILTER (WHERE antecedent && consequent) AS overlapping,
       count(*) FILTER (WHERE f.count IS DISTINCT FROM r.count) AS count_mismatches
FROM customer_analytics.association_rules(NULL::bigint, 'TABLE b_lines', 0.02, 0.3, max_antecedent => 2, max_consequent => 2) r
LEFT JOIN customer_analytics.frequent_itemsets(NULL::bigint, 'TABLE b_lines', 0.02) f
  ON f.items = (SELECT array_agg(i ORDER BY i) FROM unnest(r.antecedent || r.consequent) i);

-- Bad input: each with its SQLSTATE; the table is never written.
\i test/sql/outcome.sql
SELECT a AS arguments, pg_temp.outcome(format('SELECT count(*) FROM customer_analytics.frequent_itemsets(%s)', a)) AS outcome
FROM (VALUES
    ($$NULL::bigint, 'TABLE b_lines', 0$$),
    ($$NULL::bigint, 'TABLE b_lines', -0.5$$),
    ($$NULL::bigint, 'TABLE b_lines', 1.5$$),
    ($$NULL::bigint, 'TABLE b_lines', 'NaN'$$),
    ($$NULL::bigint, 'TABLE b_lines', NULL$$),
    ($$NULL::bigint, NULL, 0.1$$),
    ($$NULL::bigint, 'TABLE b_lines', 0.1, max_size => 0$$),
    ($$NULL::bigint, 'TABLE b_lines', 0.1, max_size => 2, min_size => 3$$),
    ($$NULL::bigint, 'TABLE b_lines', 0.1, target => 'all'$$),
    ($$NULL::bigint, 'TABLE b_lines', 0.1, target => NULL$$),
    ($$NULL::bigint, 'TABLE b_lines', 0.1, per => 'store'$$),
    ($$NULL::text, 'TABLE b_lines', 0.1$$),
    ($$NULL::bigint, 'SELECT order_id FROM b_lines', 0.1$$),
    ($$NULL::bigint, 'SELECT order_id, item FROM b_lines', 0.1, per => 'customer'$$),
    ($$NULL::bigint, 'TABLE b_lines; DELETE FROM b_lines', 0.1$$),
    ($$NULL, 'TABLE b_lines', 0.1$$)
) v(a);
SELECT a AS arguments, pg_temp.outcome(format('SELECT count(*) FROM customer_analytics.association_rules(%s)', a)) AS outcome
FROM (VALUES
    ($$NULL::bigint, 'TABLE b_lines', 0.1, 1.5$$),
    ($$NULL::bigint, 'TABLE b_lines', 0.1, -0.1$$),
    ($$NULL::bigint, 'TABLE b_lines', 0.1, NULL$$),
    ($$NULL::bigint, 'TABLE b_lines', 0.1, min_lift => -1$$),
    ($$NULL::bigint, 'TABLE b_lines', 0.1, max_consequent => 0$$),
    ($$NULL::bigint, 'TABLE b_lines', 0.1, max_size => 1$$),
    ($$NULL::bigint, 'TABLE b_lines', 0$$)
) v(a);
SELECT count(*) AS b_lines_rows FROM b_lines;

-- A statement_timeout stops a mining that would never end (2^40 itemsets) with 57014: the miner
-- ticks the interrupt hook.
\set VERBOSITY terse
SET statement_timeout = '300ms';
SELECT count(*) FROM customer_analytics.frequent_itemsets(NULL::bigint,
    'SELECT o AS order_id, i::bigint AS item FROM generate_series(1, 200) o, generate_series(1, 40) i', 0.001);
RESET statement_timeout;
-- The memory limit holds while the lines are read (53200).
SET customer_analytics.memory_limit = '64kB';
SELECT count(*) FROM customer_analytics.frequent_itemsets(NULL::bigint,
    'SELECT o AS order_id, i::bigint AS item FROM generate_series(1, 2000) o, generate_series(1, 40) i', 0.001);
RESET customer_analytics.memory_limit;
\set VERBOSITY default
RESET client_min_messages;
