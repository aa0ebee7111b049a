-- The shared readers the analytics build on, through the test-only diagnostics of
-- customer_analytics_test: the transactions reader (order_id, item [, customer_id, quantity,
-- amount]) with the baskets the core makes of it, item ids kept in their type on the way in
-- (array arguments) and out (arrays and values of the caller's type).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS customer_analytics;
CREATE EXTENSION IF NOT EXISTS customer_analytics_test;
RESET client_min_messages;

-- A generated sample: 3,000 lines of 600 orders of 150 customers over 40 items, with repeated
-- items in an order, NULL orders and items, returns (quantity <= 0) and NULL quantities.
CREATE TABLE basket_lines AS
SELECT CASE WHEN g % 97 = 0 THEN NULL ELSE (g * 7919) % 600 END AS order_id,
       ((g * 7919) % 600) % 150 AS customer_id,
       CASE WHEN g % 89 = 0 THEN NULL ELSE (g * 104729) % 40 END::bigint AS item,
       CASE WHEN g % 31 = 0 THEN -1 WHEN g % 37 = 0 THEN 0 WHEN g % 41 = 0 THEN NULL ELSE 1 + g % 3 END AS quantity,
       (g % 50) + 0.25 AS amount
FROM generate_series(1, 3000) g;

-- The baskets equal a plain-SQL formulation of the definition (docs/architecture.md,
-- "Transactions"): distinct non-NULL items of the lines whose quantity is NULL or positive, per
-- order; orders with no such line are not transactions.
CREATE TEMP TABLE expected_baskets AS
SELECT order_id::text AS transaction, array_agg(DISTINCT item ORDER BY item) AS items
FROM basket_lines
WHERE order_id IS NOT NULL AND item IS NOT NULL AND (quantity IS NULL OR quantity > 0)
GROUP BY order_id;
CREATE TEMP TABLE got_baskets AS
SELECT transaction, (SELECT array_agg(i ORDER BY i) FROM unnest(items) i) AS items
FROM customer_analytics.read_transactions(NULL::bigint, 'TABLE basket_lines');
SELECT (SELECT count(*) FROM expected_baskets) AS expected, (SELECT count(*) FROM got_baskets) AS got,
       (SELECT count(*) FROM (TABLE expected_baskets EXCEPT TABLE got_baskets) d) AS missing,
       (SELECT count(*) FROM (TABLE got_baskets EXCEPT TABLE expected_baskets) d) AS extra;
-- The skipped lines are reported once, with their reasons.
SELECT count(*) FROM customer_analytics.read_transactions(NULL::bigint, 'TABLE basket_lines');
SELECT count(*) FILTER (WHERE order_id IS NULL) AS null_order,
       count(*) FILTER (WHERE order_id IS NOT NULL AND item IS NULL) AS null_item,
       count(*) FILTER (WHERE order_id IS NOT NULL AND item IS NOT NULL AND quantity <= 0) AS non_positive
FROM basket_lines;

-- Per customer: one basket per customer_id.
SELECT count(*) AS mismatches FROM (
    (SELECT customer_id::text, array_agg(DISTINCT item ORDER BY item)
     FROM basket_lines
     WHERE customer_id IS NOT NULL AND order_id IS NOT NULL AND item IS NOT NULL AND (quantity IS NULL OR quantity > 0)
     GROUP BY customer_id
     EXCEPT
     SELECT transaction, (SELECT array_agg(i ORDER BY i) FROM unnest(items) i)
     FROM customer_analytics.read_transactions(NULL::bigint,
         'SELECT order_id, customer_id, item, quantity FROM basket_lines WHERE order_id IS NOT NULL', 'customer'))
) d;

-- Items come back in the type asked for: the array's element type follows item_type.
SELECT pg_typeof(items) AS bigint_items FROM customer_analytics.read_transactions(NULL::bigint, 'TABLE basket_lines') LIMIT 1;
SELECT pg_typeof(items) AS text_items, items
FROM customer_analytics.read_transactions(NULL::text,
    $$SELECT 1 AS order_id, i AS item FROM (VALUES ('b'), ('a'), ('b')) v(i)$$);
SELECT pg_typeof(items) AS uuid_items, items
FROM customer_analytics.read_transactions(NULL::uuid,
    $$SELECT 'x' AS order_id, ('00000000-0000-0000-0000-00000000000' || g)::uuid AS item FROM generate_series(1, 2) g$$);
SELECT items AS numeric_items
FROM customer_analytics.read_transactions(NULL::numeric,
    $$SELECT 1 AS order_id, v AS item FROM (VALUES (1.0), (1.00), (2.50)) t(v)$$);

-- Array arguments matched to the items' key column, and given back in the array's type.
SELECT * FROM customer_analytics.basket_keys('TABLE basket_lines', ARRAY[3, 39, 40]::int[]);
SELECT * FROM customer_analytics.basket_keys(
    $$SELECT 1 AS order_id, i::varchar AS item FROM (VALUES ('tea'), ('milk')) v(i)$$, ARRAY['milk', 'bread']);
SELECT * FROM customer_analytics.basket_keys(
    $$SELECT 1 AS order_id, ('00000000-0000-0000-0000-00000000000' || g)::uuid AS item FROM generate_series(1, 2) g$$,
    ARRAY['00000000-0000-0000-0000-000000000002'::uuid, '00000000-0000-0000-0000-000000000003']);
SELECT * FROM customer_analytics.basket_keys(
    $$SELECT 1 AS order_id, ('00000000-0000-0000-0000-00000000000' || g)::uuid AS item FROM generate_series(1, 2) g$$,
    ARRAY['00000000-0000-0000-0000-000000000001']);
SELECT * FROM customer_analytics.basket_keys(
    $$SELECT 1 AS order_id, v AS item FROM (VALUES (1.0), (2.50)) t(v)$$, ARRAY[1.000, 2.5, 3]);

-- Bad input: each with its SQLSTATE.
\i test/sql/outcome.sql
SELECT q, pg_temp.outcome(q) FROM (VALUES
    ($$SELECT * FROM customer_analytics.read_transactions(NULL::bigint, 'SELECT order_id FROM basket_lines')$$),
    ($$SELECT * FROM customer_analytics.read_transactions(NULL::bigint, 'SELECT order_id, item FROM basket_lines', 'customer')$$),
    ($$SELECT * FROM customer_analytics.read_transactions(NULL::bigint, 'SELECT order_id, item, customer_id FROM basket_lines', 'store')$$),
    ($$SELECT * FROM customer_analytics.read_transactions(NULL::bigint, 'SELECT order_id, item, ''x'' AS quantity FROM basket_lines')$$),
    ($$SELECT * FROM customer_analytics.read_transactions(NULL::uuid, 'TABLE basket_lines')$$),
    ($$SELECT * FROM customer_analytics.read_transactions(NULL::bigint, 'TABLE basket_lines; DROP TABLE basket_lines')$$),
    ($$SELECT * FROM customer_analytics.basket_keys('TABLE basket_lines', ARRAY['3'])$$),
    ($$SELECT * FROM customer_analytics.basket_keys('TABLE basket_lines', ARRAY[3, NULL])$$),
    ($$SELECT * FROM customer_analytics.basket_keys('TABLE basket_lines', ARRAY[[3], [4]])$$),
    ($$SELECT * FROM customer_analytics.basket_keys('TABLE basket_lines', NULL::int[])$$)
) v(q);
SELECT count(*) AS basket_lines_still_there FROM basket_lines;
