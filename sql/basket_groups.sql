-- Mining per group (docs/basket.md, "Mining per group"): frequent_itemsets_by_group() and
-- association_rules_by_group() against, for every group g, the ungrouped function on the lines
-- WHERE group_key = g, and against plain SQL of the definitions; text, bigint and date groups,
-- bigint and text items; NULL groups, per customer, and the errors.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS customer_analytics;
RESET client_min_messages;

-- A hand-made case. Order 1 has lines in stores A and B, so it is a basket of each: {milk, bread}
-- in A and {eggs} in B. A: {milk, bread}, {milk, bread}, {bread} (N = 3); B: {eggs}, {eggs, milk},
-- {beer} (N = 3). At min_support 0.5 (a count of at least 2): A has bread 3, milk 2, {bread,
-- milk} 2; B has eggs 2. The NULL-store line of order 6 is skipped and reported.
CREATE TABLE gb_hand (order_id int, item text, store text);
INSERT INTO gb_hand VALUES
    (1, 'milk', 'A'), (1, 'bread', 'A'), (1, 'eggs', 'B'),
    (2, 'milk', 'A'), (2, 'bread', 'A'), (2, 'bread', 'A'),
    (3, 'bread', 'A'),
    (4, 'eggs', 'B'), (4, 'milk', 'B'),
    (5, 'beer', 'B'),
    (6, 'milk', NULL);
SELECT * FROM customer_analytics.frequent_itemsets_by_group(NULL::text, NULL::text,
    'SELECT order_id, item, store AS group_key FROM gb_hand', 0.5)
ORDER BY group_key, size, items;
-- Rules of A: bread -> milk has confidence 2/3, milk -> bread 2/2 (support 2/3, lift 1 / 1).
SELECT group_key, antecedent, consequent, count, round(support::numeric, 4) AS support,
       round(confidence::numeric, 4) AS confidence, round(lift::numeric, 4) AS lift
FROM customer_analytics.association_rules_by_group(NULL::text, NULL::text,
    'SELECT order_id, item, store AS group_key FROM gb_hand', 0.5, 0.5)
ORDER BY group_key, antecedent;

-- 1,200 orders of 200 customers. Each line carries a store (text; the lines of an order are in
-- its store, some in 'online', so orders span stores), a segment (bigint, per customer) and a
-- month (date); item popularity differs by store. Returns, NULL items and NULL groups too.
CREATE TABLE gb_lines AS
SELECT o AS order_id, o % 200 AS customer_id, k::bigint AS item, 'item ' || k AS item_text,
       CASE WHEN (o + k) % 47 = 0 THEN -1 ELSE 1 END AS quantity,
       CASE WHEN o % 89 = 0 AND k % 2 = 0 THEN NULL
            WHEN k % 6 = 0 THEN 'online'
            ELSE (ARRAY['north', 'South', 'east', 'West'])[1 + o % 4] END AS store,
       ((o % 200) % 5)::bigint AS segment,
       date '2024-01-01' + ((o % 6) * interval '1 month') AS month
FROM generate_series(1, 1200) o, generate_series(1, 24) k
WHERE (o * 7 + k * k * 13 + (o % 4) * k) % (k + 2) = 0
UNION ALL SELECT o, o % 200, NULL, NULL, 1, 'north', 1, date '2024-02-01'
FROM generate_series(1, 1200, 97) o;
ALTER TABLE gb_lines ALTER COLUMN month TYPE date;
SELECT count(*) AS lines, count(DISTINCT order_id) AS orders,
       count(DISTINCT store) AS stores, count(*) FILTER (WHERE store IS NULL) AS null_stores,
       (SELECT count(*) FROM (SELECT order_id FROM gb_lines WHERE store IS NOT NULL
                              GROUP BY order_id HAVING count(DISTINCT store) > 1) s) AS orders_in_two_stores
FROM gb_lines;

-- NULL groups are skipped and reported once, with the other reasons.
SELECT count(*) > 0 AS found
FROM customer_analytics.frequent_itemsets_by_group(NULL::text, NULL::bigint,
    'SELECT order_id, item, quantity, store AS group_key FROM gb_lines', 0.05);
SELECT count(*) FILTER (WHERE item IS NULL) AS null_items,
       count(*) FILTER (WHERE item IS NOT NULL AND store IS NULL) AS null_groups,
       count(*) FILTER (WHERE item IS NOT NULL AND store IS NOT NULL AND quantity <= 0) AS returns
FROM gb_lines;
SET client_min_messages = warning;

-- The oracle: for each group g, the ungrouped function on the lines of g alone. `groups` lists
-- each case's group values as text; cases: text, bigint and date groups; bigint and text items.
CREATE TEMP TABLE gb_cases (name text, grouped text, alone text, items text);
INSERT INTO gb_cases VALUES
    ('store, bigint items', 'SELECT order_id, item, quantity, store AS group_key FROM gb_lines',
     'SELECT order_id, item, quantity FROM gb_lines WHERE store = %L', 'bigint'),
    ('store, text items', 'SELECT order_id, item_text AS item, quantity, store AS group_key FROM gb_lines',
     'SELECT order_id, item_text AS item, quantity FROM gb_lines WHERE store = %L', 'text'),
    ('segment, bigint items', 'SELECT order_id, item, quantity, segment AS group_key FROM gb_lines',
     'SELECT order_id, item, quantity FROM gb_lines WHERE segment = %L', 'bigint'),
    ('month, text items', 'SELECT order_id, item_text AS item, quantity, month AS group_key FROM gb_lines',
     'SELECT order_id, item_text AS item, quantity FROM gb_lines WHERE month = %L', 'text');
CREATE TEMP VIEW gb_case_groups AS
SELECT 'store, bigint items' AS name, store::text AS g FROM gb_lines WHERE store IS NOT NULL
UNION SELECT 'store, text items', store FROM gb_lines WHERE store IS NOT NULL
UNION SELECT 'segment, bigint items', segment::text FROM gb_lines
UNION SELECT 'month, text items', month::text FROM gb_lines;

-- Itemsets (text form of the items, so that one table holds both item types), each target.
CREATE FUNCTION pg_temp.grouped_itemsets(c gb_cases, s float8, t text)
RETURNS TABLE (g text, items text, size int, count bigint, support float8) LANGUAGE plpgsql AS $$
BEGIN
    IF c.items = 'bigint' THEN
        RETURN QUERY SELECT f.group_key::text, f.items::text, f.size, f.count, f.support
            FROM customer_analytics.frequent_itemsets_by_group(NULL::text, NULL::bigint, c.grouped, s, target => t) f;
    ELSE
        RETURN QUERY SELECT f.group_key::text, f.items::text, f.size, f.count, f.support
            FROM customer_analytics.frequent_itemsets_by_group(NULL::text, NULL::text, c.grouped, s, target => t) f;
    END IF;
END $$;
CREATE FUNCTION pg_temp.alone_itemsets(c gb_cases, grp text, s float8, t text)
RETURNS TABLE (g text, items text, size int, count bigint, support float8) LANGUAGE plpgsql AS $$
BEGIN
    IF c.items = 'bigint' THEN
        RETURN QUERY SELECT grp, f.items::text, f.size, f.count, f.support
            FROM customer_analytics.frequent_itemsets(NULL::bigint, format(c.alone, grp), s, target => t) f;
    ELSE
        RETURN QUERY SELECT grp, f.items::text, f.size, f.count, f.support
            FROM customer_analytics.frequent_itemsets(NULL::text, format(c.alone, grp), s, target => t) f;
    END IF;
END $$;
SELECT c.name, t.target, s.min_support,
       (SELECT count(DISTINCT g) FROM gb_case_groups cg WHERE cg.name = c.name) AS groups,
       (SELECT count(*) FROM pg_temp.grouped_itemsets(c, s.min_support, t.target)) AS itemsets,
       (SELECT count(*) FROM (
            SELECT * FROM pg_temp.grouped_itemsets(c, s.min_support, t.target)
            EXCEPT ALL
            SELECT a.* FROM gb_case_groups cg, pg_temp.alone_itemsets(c, cg.g, s.min_support, t.target) a
            WHERE cg.name = c.name) d) AS extra,
       (SELECT count(*) FROM (
            SELECT a.* FROM gb_case_groups cg, pg_temp.alone_itemsets(c, cg.g, s.min_support, t.target) a
            WHERE cg.name = c.name
            EXCEPT ALL
            SELECT * FROM pg_temp.grouped_itemsets(c, s.min_support, t.target)) d) AS missing
FROM gb_cases c, (VALUES ('frequent'), ('closed'), ('maximal')) t(target),
     (VALUES (0.02::float8), (0.1)) s(min_support)
ORDER BY c.name, t.target, s.min_support;

-- Rules: every column of association_rules() on a group's lines alone (measures compared exactly).
CREATE TEMP TABLE gb_rules AS
SELECT * FROM customer_analytics.association_rules_by_group(NULL::text, NULL::bigint,
    'SELECT order_id, item, quantity, store AS group_key FROM gb_lines', 0.02, 0.3,
    max_antecedent => 2, max_consequent => 2);
CREATE TEMP TABLE gb_rules_alone AS
SELECT g.store AS group_key, r.*
FROM (SELECT DISTINCT store FROM gb_lines WHERE store IS NOT NULL) g,
     customer_analytics.association_rules(NULL::bigint,
         format('SELECT order_id, item, quantity FROM gb_lines WHERE store = %L', g.store), 0.02, 0.3,
         max_antecedent => 2, max_consequent => 2) r;
SELECT (SELECT count(*) FROM gb_rules) AS rules, (SELECT count(DISTINCT group_key) FROM gb_rules) AS groups,
       (SELECT count(*) FROM (TABLE gb_rules EXCEPT ALL TABLE gb_rules_alone) d) AS extra,
       (SELECT count(*) FROM (TABLE gb_rules_alone EXCEPT ALL TABLE gb_rules) d) AS missing;
-- Rules with text items and bigint groups, defaults (one-item consequents).
SELECT count(*) AS rules, count(*) FILTER (WHERE a.antecedent IS NULL) AS missing,
       count(*) FILTER (WHERE r.antecedent IS NULL) AS extra,
       count(*) FILTER (WHERE (a.*)::text <> (r.*)::text) AS mismatches
FROM customer_analytics.association_rules_by_group(NULL::bigint, NULL::text,
         'SELECT order_id, item_text AS item, quantity, segment AS group_key FROM gb_lines', 0.03) r
FULL JOIN (
    SELECT g.segment AS group_key, x.*
    FROM (SELECT DISTINCT segment FROM gb_lines) g,
         customer_analytics.association_rules(NULL::text,
             format('SELECT order_id, item_text AS item, quantity FROM gb_lines WHERE segment = %s', g.segment), 0.03) x
) a USING (group_key, antecedent, consequent);

-- Plain SQL of the definitions, independent of the miner: the single items and pairs of each
-- store, counted over the store's non-empty baskets (distinct items of an order's kept lines of
-- that store), min_count = ceil(N_g * 0.03), support = count / N_g.
CREATE TEMP VIEW gb_baskets AS
SELECT DISTINCT store, order_id, item FROM gb_lines
WHERE store IS NOT NULL AND item IS NOT NULL AND quantity > 0;
CREATE TEMP TABLE gb_expected AS
WITH n AS (SELECT store, count(DISTINCT order_id) AS n FROM gb_baskets GROUP BY store),
     singles AS (SELECT store, ARRAY[item] AS items, count(*) AS c FROM gb_baskets GROUP BY store, item),
     pairs AS (SELECT a.store, ARRAY[a.item, b.item] AS items, count(*) AS c
               FROM gb_baskets a JOIN gb_baskets b
                 ON a.store = b.store AND a.order_id = b.order_id AND a.item < b.item
               GROUP BY a.store, a.item, b.item)
SELECT s.store, s.items, s.c, s.c::float8 / n.n AS support
FROM (TABLE singles UNION ALL TABLE pairs) s JOIN n USING (store) WHERE s.c >= ceil(n.n * 0.03::float8);
CREATE TEMP TABLE gb_got AS
SELECT group_key AS store, items, count AS c, support
FROM customer_analytics.frequent_itemsets_by_group(NULL::text, NULL::bigint,
    'SELECT order_id, item, quantity, store AS group_key FROM gb_lines', 0.03, max_size => 2);
SELECT (SELECT count(*) FROM gb_expected) AS expected, (SELECT count(*) FROM gb_got) AS got,
       (SELECT count(*) FROM (TABLE gb_expected EXCEPT TABLE gb_got) d) AS missing,
       (SELECT count(*) FROM (TABLE gb_got EXCEPT TABLE gb_expected) d) AS extra;

-- Output order: groups come one after the other in the group key's order (text in its
-- collation, integers by value), each once.
SELECT count(*) AS rows_, count(*) FILTER (WHERE prev > g) AS out_of_order,
       count(*) FILTER (WHERE prev IS DISTINCT FROM g) AS group_starts, count(DISTINCT g) AS groups
FROM (SELECT group_key AS g, lag(group_key) OVER (ORDER BY n) AS prev
      FROM customer_analytics.frequent_itemsets_by_group(NULL::text, NULL::bigint,
          'SELECT order_id, item, quantity, store AS group_key FROM gb_lines', 0.02)
          WITH ORDINALITY f(group_key, items, size, count, support, n)) o;
SELECT count(*) AS rows_, count(*) FILTER (WHERE prev > g) AS out_of_order,
       count(*) FILTER (WHERE prev IS DISTINCT FROM g) AS group_starts, count(DISTINCT g) AS groups
FROM (SELECT group_key AS g, lag(group_key) OVER (ORDER BY n) AS prev
      FROM customer_analytics.frequent_itemsets_by_group(NULL::bigint, NULL::bigint,
          'SELECT order_id, item, quantity, segment * 7 - 10 AS group_key FROM gb_lines', 0.02)
          WITH ORDINALITY f(group_key, items, size, count, support, n)) o;
-- The groups in the function's order: byte order under COLLATE "C" (upper case first).
SELECT group_key, count(*) AS itemsets
FROM customer_analytics.frequent_itemsets_by_group(NULL::text, NULL::bigint,
    'SELECT order_id, item, quantity, store COLLATE "C" AS group_key FROM gb_lines', 0.02)
    WITH ORDINALITY f(group_key, items, size, count, support, n)
GROUP BY group_key ORDER BY min(n);

-- Per customer: a basket per (store, customer), and customers buy in several stores. Single items
-- against count(DISTINCT customer_id) per store; rules against association_rules() per customer
-- on each store's lines alone.
SELECT count(*) AS itemsets, count(*) FILTER (WHERE e.items IS NULL) AS extra,
       count(*) FILTER (WHERE f.items IS NULL) AS missing,
       count(*) FILTER (WHERE e.c <> f.count) AS count_mismatches
FROM (SELECT group_key, items, count FROM customer_analytics.frequent_itemsets_by_group(NULL::text, NULL::bigint,
          'SELECT order_id, customer_id, item, quantity, store AS group_key FROM gb_lines', 0.2,
          max_size => 1, per => 'customer')) f
FULL JOIN (
    SELECT store AS group_key, ARRAY[item] AS items, count(DISTINCT customer_id) AS c
    FROM gb_lines l WHERE store IS NOT NULL AND item IS NOT NULL AND quantity > 0
    GROUP BY store, item
    HAVING count(DISTINCT customer_id) >= ceil(0.2::float8 * (
        SELECT count(DISTINCT customer_id) FROM gb_lines m
        WHERE m.store = l.store AND item IS NOT NULL AND quantity > 0))
) e USING (group_key, items);
CREATE TEMP TABLE gb_customer_rules AS
SELECT * FROM customer_analytics.association_rules_by_group(NULL::text, NULL::bigint,
    'SELECT order_id, customer_id, item, quantity, store AS group_key FROM gb_lines', 0.1, 0.5,
    per => 'customer');
CREATE TEMP TABLE gb_customer_rules_alone AS
SELECT g.store AS group_key, x.*
FROM (SELECT DISTINCT store FROM gb_lines WHERE store IS NOT NULL) g,
     customer_analytics.association_rules(NULL::bigint,
         format('SELECT order_id, customer_id, item, quantity FROM gb_lines WHERE store = %L', g.store),
         0.1, 0.5, per => 'customer') x;
SELECT (SELECT count(*) FROM gb_customer_rules) AS rules,
       (SELECT count(DISTINCT group_key) FROM gb_customer_rules) AS groups,
       (SELECT count(*) FROM (TABLE gb_customer_rules EXCEPT ALL TABLE gb_customer_rules_alone) d) AS extra,
       (SELECT count(*) FROM (TABLE gb_customer_rules_alone EXCEPT ALL TABLE gb_customer_rules) d) AS missing;

-- Group and item types are the caller's, each on its own: a date group with text items, a
-- bigint group as numeric or text, an untyped NULL (text), a date group as text.
SELECT pg_typeof(group_key) AS group_type, pg_typeof(items) AS items_type, count(*) AS itemsets
FROM customer_analytics.frequent_itemsets_by_group(NULL::date, NULL::text,
    'SELECT order_id, item_text AS item, month AS group_key FROM gb_lines', 0.1) GROUP BY 1, 2
UNION ALL
SELECT pg_typeof(group_key), pg_typeof(items), count(*)
FROM customer_analytics.frequent_itemsets_by_group(NULL::numeric, NULL::int,
    'SELECT order_id, item, segment AS group_key FROM gb_lines', 0.1) GROUP BY 1, 2
UNION ALL
SELECT pg_typeof(group_key), pg_typeof(items), count(*)
FROM customer_analytics.frequent_itemsets_by_group(NULL, NULL::bigint,
    'SELECT order_id, item, segment AS group_key FROM gb_lines', 0.1) GROUP BY 1, 2
UNION ALL
SELECT pg_typeof(group_key), pg_typeof(items), count(*)
FROM customer_analytics.frequent_itemsets_by_group(NULL::text, NULL::bigint,
    'SELECT order_id, item, month AS group_key FROM gb_lines', 0.1) GROUP BY 1, 2;
-- Date groups come back as the same dates (in this session's DateStyle).
SELECT group_key, count(*) AS itemsets
FROM customer_analytics.frequent_itemsets_by_group(NULL::date, NULL::text,
    'SELECT order_id, item_text AS item, month AS group_key FROM gb_lines', 0.1)
GROUP BY group_key ORDER BY group_key;

-- Edge inputs: no rows; a group whose every line is a return gives no rows.
SELECT count(*) AS from_no_rows FROM customer_analytics.frequent_itemsets_by_group(NULL::text, NULL::bigint,
    'SELECT order_id, item, store AS group_key FROM gb_lines WHERE false', 0.1);
SELECT group_key, items, count, support FROM customer_analytics.frequent_itemsets_by_group(NULL::text, NULL::int,
    $$SELECT * FROM (VALUES (1, 1, 'kept', 1), (2, 1, 'returned', -1), (3, 2, 'returned', 0)) v(order_id, item, group_key, quantity)$$, 0.5);

-- Bad input: each with its SQLSTATE.
\i test/sql/outcome.sql
SELECT a AS arguments, pg_temp.outcome(format('SELECT count(*) FROM customer_analytics.frequent_itemsets_by_group(%s)', a)) AS outcome
FROM (VALUES
    ($$NULL::int, NULL::bigint, 'SELECT order_id, item, store AS group_key FROM gb_lines', 0.1$$),
    ($$NULL::uuid, NULL::bigint, 'SELECT order_id, item, segment AS group_key FROM gb_lines', 0.1$$),
    ($$NULL::date, NULL::bigint, 'SELECT order_id, item, store AS group_key FROM gb_lines', 0.1$$),
    ($$NULL::text, NULL::uuid, 'SELECT order_id, item, store AS group_key FROM gb_lines', 0.1$$),
    ($$NULL::text, NULL::bigint, 'SELECT order_id, item FROM gb_lines', 0.1$$),
    ($$NULL::text, NULL::bigint, 'SELECT order_id, item, store AS group_key, store AS group_key FROM gb_lines', 0.1$$),
    ($$NULL::text, NULL::bigint, 'SELECT order_id, item, store AS group_key FROM gb_lines', 0.1, per => 'customer'$$),
    ($$NULL::text, NULL::bigint, NULL, 0.1$$),
    ($$NULL::text, NULL::bigint, 'SELECT order_id, item, store AS group_key FROM gb_lines', NULL$$),
    ($$NULL::text, NULL::bigint, 'SELECT order_id, item, store AS group_key FROM gb_lines', 0$$),
    ($$NULL::text, NULL::bigint, 'SELECT order_id, item, store AS group_key FROM gb_lines', 0.1, target => 'all'$$),
    ($$NULL::text, NULL, 'SELECT order_id, item, store AS group_key FROM gb_lines', 0.1$$)
) v(a);
SELECT a AS arguments, pg_temp.outcome(format('SELECT count(*) FROM customer_analytics.association_rules_by_group(%s)', a)) AS outcome
FROM (VALUES
    ($$NULL::int, NULL::bigint, 'SELECT order_id, item, store AS group_key FROM gb_lines', 0.1$$),
    ($$NULL::text, NULL::bigint, 'SELECT order_id, item FROM gb_lines', 0.1$$),
    ($$NULL::text, NULL::bigint, 'SELECT order_id, item, store AS group_key FROM gb_lines', 0.1, 1.5$$),
    ($$NULL::text, NULL::bigint, 'SELECT order_id, item, store AS group_key FROM gb_lines', 0.1, max_size => 1$$)
) v(a);
-- The ungrouped functions refuse a group_key column: mining across groups silently would be wrong.
SELECT f AS function, pg_temp.outcome(format('SELECT count(*) FROM customer_analytics.%s(NULL::bigint, %L, 0.1)', f,
           'SELECT order_id, item, store AS group_key FROM gb_lines')) AS outcome
FROM (VALUES ('frequent_itemsets'), ('association_rules')) v(f);
-- The messages' detail and hint.
SELECT count(*) FROM customer_analytics.frequent_itemsets(NULL::bigint, 'SELECT order_id, item, store AS group_key FROM gb_lines', 0.1);
SELECT count(*) FROM customer_analytics.association_rules_by_group(NULL::text, NULL::bigint, 'SELECT order_id, item FROM gb_lines', 0.1);
SELECT count(*) FROM customer_analytics.frequent_itemsets_by_group(NULL::int, NULL::bigint, 'SELECT order_id, item, store AS group_key FROM gb_lines', 0.1);

-- A statement_timeout stops mining per group (57014): 2^40 itemsets in the first group.
\set VERBOSITY terse
SET statement_timeout = '300ms';
SELECT count(*) FROM customer_analytics.frequent_itemsets_by_group(NULL::bigint, NULL::bigint,
    'SELECT o AS order_id, i::bigint AS item, o % 2 AS group_key FROM generate_series(1, 200) o, generate_series(1, 40) i', 0.001);
RESET statement_timeout;
\set VERBOSITY default
RESET client_min_messages;
