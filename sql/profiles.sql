-- Buyer profiles (docs/profiles.md): favourite_items() and shopping_times() on the generated sample,
-- each compared with an independent plain-SQL formulation (test/sql/profiles_oracle.sql, 0
-- differences expected), a DST test with timestamptz data around Europe/Berlin's and
-- America/New_York's clock changes, and bad inputs with their SQLSTATEs.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS customer_analytics;
RESET client_min_messages;
SET TimeZone = 'UTC';
\i test/sql/outcome.sql

CREATE TABLE prof_lines (order_id bigint, customer_id bigint, ordered_at timestamp, amount numeric);
\copy prof_lines FROM PROGRAM 'tools/ca_generate_orders --lines --customers 2000 --orders 20000 --seed 42 2>/dev/null' WITH (FORMAT csv)
-- Order items: one of 40 items per line, spread by a hash, so that an order holds the same item
-- on several lines now and then; a quantity of 1 to 4, negative on return lines; a few lines with
-- a NULL item or quantity.
CREATE TABLE prof_items AS
SELECT order_id, customer_id, ordered_at, amount,
       CASE WHEN h % 997 = 0 THEN NULL ELSE 1 + h % 40 END AS item,
       CASE WHEN h % 991 = 0 THEN NULL ELSE (1 + (h / 40) % 4) * sign(amount)::int END AS quantity
FROM (SELECT *, abs(hashtext(order_id::text || '/' || ordered_at::text || '/' || amount::text)) AS h
      FROM prof_lines) s;
SELECT count(*) AS lines, count(DISTINCT order_id) AS orders, count(DISTINCT customer_id) AS customers,
       count(*) FILTER (WHERE item IS NULL) AS null_items, count(*) FILTER (WHERE quantity IS NULL) AS null_quantities,
       count(*) FILTER (WHERE quantity < 0) AS return_lines,
       count(*) - count(DISTINCT (order_id, item)) AS repeated_items
FROM prof_items;
-- The plain-SQL definitions of both functions on this sample: fav_oracle, times_oracle and
-- times_oracle_per_customer.
CREATE TEMP VIEW fav_input AS SELECT customer_id, order_id, item, quantity, amount FROM prof_items;
CREATE TEMP VIEW times_input AS SELECT customer_id, order_id, ordered_at, amount FROM prof_lines;
\i test/sql/profiles_oracle.sql

-- ---- favourite_items --------------------------------------------------------------------------
-- The definition in plain SQL (fav_oracle): per (customer, item) the distinct orders with a buying
-- line (quantity > 0 and amount >= 0), the net quantity and spend over every line; lines with a
-- NULL in any column left out; only bought items ranked; ties by the other measures, then by item.
-- Ours, numbered in the order the rows come back.
CREATE FUNCTION pg_temp.fav_ours(by text, top_n int)
RETURNS TABLE (n bigint, customer_id bigint, rank int, item int, orders bigint, quantity numeric, spend numeric)
LANGUAGE sql AS $$
    SELECT f.n, f.customer_id, f.rank, f.item, f.orders, f.quantity, f.spend
    FROM customer_analytics.favourite_items(NULL::bigint, NULL::int,
             'SELECT customer_id, order_id, item, quantity, amount FROM prof_items', top_n, by)
         WITH ORDINALITY AS f(customer_id, rank, item, orders, quantity, spend, n)
$$;
SET client_min_messages = warning;  -- the skipped lines' NOTICE is shown once, below
SELECT by, top_n,
       (SELECT count(*) FROM pg_temp.fav_ours(by, top_n)) AS ours,
       (SELECT count(*) FROM fav_oracle e WHERE e.by = t.by AND e.rank <= t.top_n) AS oracle,
       (SELECT count(*) FROM (SELECT customer_id, rank, item, orders, quantity, spend FROM pg_temp.fav_ours(by, top_n)
                              EXCEPT SELECT customer_id, rank, item, orders, quantity, spend
                                     FROM fav_oracle e WHERE e.by = t.by AND e.rank <= t.top_n) d) AS only_ours,
       (SELECT count(*) FROM (SELECT customer_id, rank, item, orders, quantity, spend
                              FROM fav_oracle e WHERE e.by = t.by AND e.rank <= t.top_n
                              EXCEPT SELECT customer_id, rank, item, orders, quantity, spend FROM pg_temp.fav_ours(by, top_n)) d) AS only_oracle,
       -- rows by customer_id, then rank
       (SELECT count(*) FROM (SELECT n, row_number() OVER (ORDER BY customer_id, rank) AS e
                              FROM pg_temp.fav_ours(by, top_n)) o WHERE n <> e) AS out_of_order
FROM (VALUES ('orders', 3), ('quantity', 3), ('spend', 3), ('orders', 1), ('spend', 10)) AS t(by, top_n);
RESET client_min_messages;
-- Ties are real here: customers with two items equal on every measure (the item order decides).
SELECT count(*) AS customers_with_full_ties
FROM (SELECT customer_id FROM fav_oracle WHERE by = 'orders' AND rank <= 1000
      GROUP BY customer_id, orders, quantity, spend HAVING count(*) > 1) t;
-- The NOTICE of the skipped lines, and the best customer's favourites.
SELECT * FROM customer_analytics.favourite_items(NULL::bigint, NULL::int,
    'SELECT customer_id, order_id, item, quantity, amount FROM prof_items') WHERE customer_id <= 2;

-- Text items come back in item_type and tie-break in their collation's order (ORDER BY item);
-- without quantity and amount those columns are NULL, and only orders rank.
SELECT count(*) AS mismatches
FROM (SELECT * FROM customer_analytics.favourite_items(NULL::text, NULL::text,
          $$SELECT customer_id, order_id, 'item ' || item AS item FROM prof_items WHERE item IS NOT NULL$$, 5)) AS f
FULL JOIN (SELECT customer_id::text AS customer_id, rank::int, item, orders
           FROM (SELECT customer_id, item, orders,
                        row_number() OVER (PARTITION BY customer_id ORDER BY orders DESC, item) AS rank
                 FROM (SELECT customer_id, 'item ' || item AS item, count(DISTINCT order_id) AS orders
                       FROM prof_items WHERE customer_id IS NOT NULL AND item IS NOT NULL
                       GROUP BY 1, 2) p) r
           WHERE rank <= 5) AS e USING (customer_id, rank)
WHERE f.item IS DISTINCT FROM e.item OR f.orders IS DISTINCT FROM e.orders
   OR f.quantity IS NOT NULL OR f.spend IS NOT NULL;

-- Edge cases: empty input, a single customer whose every line is a return, quantities with
-- decimals, NULL customers only.
SELECT count(*) AS empty FROM customer_analytics.favourite_items(NULL::int, NULL::int,
    'SELECT 1 AS customer_id, 1 AS order_id, 1 AS item WHERE false');
SELECT * FROM customer_analytics.favourite_items(NULL::int, NULL::text,
    $$SELECT * FROM (VALUES (1, 1, 'tea', -2, -5.00), (1, 2, 'tea', 0, 0))
      AS v(customer_id, order_id, item, quantity, amount)$$);
SELECT * FROM customer_analytics.favourite_items(NULL::int, NULL::text,
    $$SELECT * FROM (VALUES (7, 1, 'flour', 0.5, 1.10), (7, 2, 'flour', 1.25, 2.5), (7, 2, 'salt', 3, 0.3))
      AS v(customer_id, order_id, item, quantity, amount)$$, by => 'quantity');
SELECT * FROM customer_analytics.favourite_items(NULL::int, NULL::text,
    $$SELECT NULL::int AS customer_id, 1 AS order_id, 'tea' AS item$$);

-- ---- shopping_times -----------------------------------------------------------------------------
-- The definition in plain SQL (times_oracle, times_oracle_per_customer): with order_id, one order
-- per (customer_id, order_id) at its latest line with its net amount (as rfm() counts orders);
-- orders without a customer left out; the ISO weekday and hour of the (local) time; all 168 cells
-- shop-wide, non-empty ones per customer.
CREATE TEMP TABLE times_ours AS
SELECT * FROM customer_analytics.shopping_times(NULL::bigint,
    'SELECT customer_id, order_id, ordered_at, amount FROM prof_lines') WITH ORDINALITY;
CREATE TEMP TABLE times_ours_per_customer AS
SELECT * FROM customer_analytics.shopping_times(NULL::bigint,
    'SELECT customer_id, order_id, ordered_at, amount FROM prof_lines', per_customer => true) WITH ORDINALITY;
SELECT 'shop' AS histogram, (SELECT count(*) FROM times_ours) AS ours, (SELECT count(*) FROM times_oracle) AS oracle,
       (SELECT count(*) FROM (SELECT customer_id, weekday, hour, orders, revenue FROM times_ours EXCEPT TABLE times_oracle) d) AS only_ours,
       (SELECT count(*) FROM (TABLE times_oracle EXCEPT SELECT customer_id, weekday, hour, orders, revenue FROM times_ours) d) AS only_oracle,
       (SELECT count(*) FROM (SELECT ordinality, row_number() OVER (ORDER BY weekday, hour) AS e FROM times_ours) o
        WHERE ordinality <> e) AS out_of_order
UNION ALL
SELECT 'per customer', (SELECT count(*) FROM times_ours_per_customer), (SELECT count(*) FROM times_oracle_per_customer),
       (SELECT count(*) FROM (SELECT customer_id, weekday, hour, orders, revenue FROM times_ours_per_customer EXCEPT TABLE times_oracle_per_customer) d),
       (SELECT count(*) FROM (TABLE times_oracle_per_customer EXCEPT SELECT customer_id, weekday, hour, orders, revenue FROM times_ours_per_customer) d),
       (SELECT count(*) FROM (SELECT ordinality, row_number() OVER (ORDER BY customer_id, weekday, hour) AS e
                              FROM times_ours_per_customer) o WHERE ordinality <> e);
-- The shop's busiest cells.
SELECT weekday, hour, orders, revenue FROM times_ours ORDER BY orders DESC, weekday, hour LIMIT 5;

-- Without order_id every row is an order (lines then count one by one).
SELECT count(*) AS mismatches
FROM customer_analytics.shopping_times(NULL::bigint, 'SELECT customer_id, ordered_at, amount FROM prof_lines') AS s
JOIN (SELECT extract(isodow FROM ordered_at)::int AS weekday, extract(hour FROM ordered_at)::int AS hour,
             count(*) AS orders, sum(amount) AS revenue
      FROM prof_lines WHERE customer_id IS NOT NULL GROUP BY 1, 2) AS e USING (weekday, hour)
WHERE (s.orders, s.revenue) IS DISTINCT FROM (e.orders, e.revenue);

-- ---- Time zones and DST -------------------------------------------------------------------------
-- An order every 15 minutes, in UTC, across Europe/Berlin's spring-forward (2024-03-31 02:00 local
-- does not exist) and fall-back (2024-10-27 02:00-03:00 local happens twice), and New York's
-- (2024-03-10, 2024-11-03).
CREATE TABLE prof_dst AS
SELECT (g % 5) AS customer_id, t AS ordered_at, 1.5 AS amount
FROM (SELECT row_number() OVER () AS g, t FROM (
        SELECT generate_series(timestamptz '2024-03-30 22:00+00', '2024-03-31 04:00+00', interval '15 minutes')
        UNION ALL SELECT generate_series(timestamptz '2024-10-26 22:00+00', '2024-10-27 04:00+00', interval '15 minutes')
        UNION ALL SELECT generate_series(timestamptz '2024-03-10 04:00+00', '2024-03-10 10:00+00', interval '15 minutes')
        UNION ALL SELECT generate_series(timestamptz '2024-11-03 03:00+00', '2024-11-03 09:00+00', interval '15 minutes')) s(t)) n;
-- Against the plain-SQL local time, for a named zone, the session's zone and per customer.
SELECT zone, session_zone, per_customer,
       (SELECT count(*) FROM (
            (SELECT customer_id, weekday, hour, orders, revenue
             FROM customer_analytics.shopping_times(NULL::int, 'SELECT customer_id, ordered_at, amount FROM prof_dst', zone, per_customer)
             WHERE orders > 0
             EXCEPT
             SELECT CASE WHEN per_customer THEN customer_id END, extract(isodow FROM local)::int, extract(hour FROM local)::int,
                    count(*), sum(amount)
             FROM (SELECT customer_id, amount, ordered_at AT TIME ZONE coalesce(zone, session_zone) AS local FROM prof_dst) l
             GROUP BY 1, 2, 3)
            UNION ALL
            (SELECT CASE WHEN per_customer THEN customer_id END, extract(isodow FROM local)::int, extract(hour FROM local)::int,
                    count(*), sum(amount)
             FROM (SELECT customer_id, amount, ordered_at AT TIME ZONE coalesce(zone, session_zone) AS local FROM prof_dst) l
             GROUP BY 1, 2, 3
             EXCEPT
             SELECT customer_id, weekday, hour, orders, revenue
             FROM customer_analytics.shopping_times(NULL::int, 'SELECT customer_id, ordered_at, amount FROM prof_dst', zone, per_customer))) d) AS differences
FROM (VALUES ('Europe/Berlin', 'UTC', false), ('America/New_York', 'UTC', true), (NULL, 'Europe/Berlin', true),
             (NULL, 'America/New_York', false), ('Asia/Kolkata', 'UTC', false)) AS v(zone, session_zone, per_customer),
     LATERAL (SELECT set_config('TimeZone', session_zone, false)) s;
SET TimeZone = 'UTC';
-- Sunday in Berlin: 02:00-03:00 does not exist on 2024-03-31 (no orders in hour 2 then), and
-- happens twice on 2024-10-27 (8 orders in hour 2: both passes).
SELECT hour, orders, revenue FROM customer_analytics.shopping_times(NULL::int,
    $$SELECT customer_id, ordered_at, amount FROM prof_dst WHERE ordered_at < '2024-04-01'
                                                          AND ordered_at > '2024-03-15'$$, 'Europe/Berlin')
WHERE weekday = 7 AND hour BETWEEN 0 AND 5 ORDER BY hour;
SELECT hour, orders, revenue FROM customer_analytics.shopping_times(NULL::int,
    $$SELECT customer_id, ordered_at, amount FROM prof_dst WHERE ordered_at > '2024-10-01'
                                                          AND ordered_at < '2024-10-31'$$, 'Europe/Berlin')
WHERE weekday = 7 AND hour BETWEEN 0 AND 5 ORDER BY hour;
-- A timestamp without time zone is taken as local time already: time_zone changes nothing.
SELECT count(*) AS differences FROM (
    SELECT * FROM customer_analytics.shopping_times(NULL::int, 'SELECT customer_id, ordered_at AT TIME ZONE ''UTC'' AS ordered_at, amount FROM prof_dst', 'Asia/Tokyo')
    EXCEPT SELECT * FROM customer_analytics.shopping_times(NULL::int, 'SELECT customer_id, ordered_at, amount FROM prof_dst', 'UTC')) d;

-- ---- Bad input ----------------------------------------------------------------------------------
-- (A query that would fail if it ran shows that the arguments are checked first.)
CREATE TABLE prof_bad (customer_id int, order_id int, item text, ordered_at timestamptz, day date, amount numeric);
INSERT INTO prof_bad VALUES (1, 1, 'tea', '2024-01-01 10:00+00', '2024-01-01', 1);
SELECT q, pg_temp.outcome(q) FROM (VALUES
    ($$SELECT * FROM customer_analytics.favourite_items(NULL::int, NULL::text, NULL)$$),
    ($$SELECT * FROM customer_analytics.favourite_items(NULL::int, NULL::text, 'SELECT 1/0 AS customer_id', 0)$$),
    ($$SELECT * FROM customer_analytics.favourite_items(NULL::int, NULL::text, 'SELECT 1/0 AS customer_id', -1)$$),
    ($$SELECT * FROM customer_analytics.favourite_items(NULL::int, NULL::text, 'SELECT 1/0 AS customer_id', NULL)$$),
    ($$SELECT * FROM customer_analytics.favourite_items(NULL::int, NULL::text, 'SELECT 1/0 AS customer_id', by => 'revenue')$$),
    ($$SELECT * FROM customer_analytics.favourite_items(NULL::int, NULL::text, 'SELECT 1/0 AS customer_id', by => NULL)$$),
    ($$SELECT * FROM customer_analytics.favourite_items(NULL::int, NULL::text, 'SELECT order_id, item FROM prof_bad')$$),
    ($$SELECT * FROM customer_analytics.favourite_items(NULL::int, NULL::text, 'SELECT customer_id, item FROM prof_bad')$$),
    ($$SELECT * FROM customer_analytics.favourite_items(NULL::int, NULL::text, 'SELECT customer_id, order_id FROM prof_bad')$$),
    ($$SELECT * FROM customer_analytics.favourite_items(NULL::int, NULL::text, 'SELECT customer_id, order_id, item FROM prof_bad', by => 'quantity')$$),
    ($$SELECT * FROM customer_analytics.favourite_items(NULL::int, NULL::text, 'SELECT customer_id, order_id, item, 1 AS quantity FROM prof_bad', by => 'spend')$$),
    ($$SELECT * FROM customer_analytics.favourite_items(NULL::int, NULL::text, 'SELECT customer_id, order_id, item, item AS quantity FROM prof_bad')$$),
    ($$SELECT * FROM customer_analytics.favourite_items(NULL::date, NULL::text, 'SELECT customer_id, order_id, item FROM prof_bad')$$),
    ($$SELECT * FROM customer_analytics.favourite_items(NULL::int, NULL::int, 'SELECT customer_id, order_id, item FROM prof_bad')$$),
    ($$SELECT * FROM customer_analytics.favourite_items(NULL::int, NULL::text, 'SELECT customer_id, order_id, item FROM prof_bad; DELETE FROM prof_bad')$$),
    ($$SELECT * FROM customer_analytics.shopping_times(NULL::int, NULL)$$),
    ($$SELECT * FROM customer_analytics.shopping_times(NULL::int, 'SELECT 1/0 AS customer_id', 'Mars/Olympus_Mons')$$),
    ($$SELECT * FROM customer_analytics.shopping_times(NULL::int, 'SELECT 1/0 AS customer_id', per_customer => NULL)$$),
    ($$SELECT * FROM customer_analytics.shopping_times(NULL::int, 'SELECT customer_id, day AS ordered_at, amount FROM prof_bad')$$),
    ($$SELECT * FROM customer_analytics.shopping_times(NULL::int, 'SELECT customer_id, item AS ordered_at, amount FROM prof_bad')$$),
    ($$SELECT * FROM customer_analytics.shopping_times(NULL::int, 'SELECT customer_id, ordered_at FROM prof_bad')$$),
    ($$SELECT * FROM customer_analytics.shopping_times(NULL::date, 'SELECT customer_id, ordered_at, amount FROM prof_bad')$$)
) AS t(q);
-- Skipped rows: one NOTICE (NULL customer, NULL time, NULL amount).
SELECT count(*), sum(orders) FROM customer_analytics.shopping_times(NULL::int,
    $$SELECT * FROM (VALUES (1, timestamp '2024-01-01 10:00', 1.0), (NULL, '2024-01-01 11:00', 1.0), (2, NULL, 1.0),
                            (3, '2024-01-02 10:00', NULL), (4, 'infinity', 1.0))
      AS v(customer_id, ordered_at, amount)$$)
    AS s WHERE orders > 0;

-- The shared limits hold here too: statement_timeout (57014) and the memory limit (53200).
SET statement_timeout = '200ms';
\set VERBOSITY sqlstate
SELECT count(*) FROM customer_analytics.shopping_times(NULL::int, $$SELECT g % 1000 AS customer_id,
    timestamp '2024-01-01' + (g % 1000) * interval '1 hour' AS ordered_at, 1 AS amount
    FROM generate_series(1, 200000000) AS g$$, per_customer => true);
SELECT count(*) FROM customer_analytics.favourite_items(NULL::int, NULL::int, $$SELECT g % 1000 AS customer_id,
    g AS order_id, g % 77 AS item FROM generate_series(1, 200000000) AS g$$);
RESET statement_timeout;
SET customer_analytics.memory_limit = '64kB';
SELECT count(*) FROM customer_analytics.favourite_items(NULL::bigint, NULL::int, 'SELECT customer_id, order_id, item FROM prof_items');
SELECT count(*) FROM customer_analytics.shopping_times(NULL::bigint, 'SELECT customer_id, order_id, ordered_at, amount FROM prof_lines', per_customer => true);
\set VERBOSITY default
RESET customer_analytics.memory_limit;
