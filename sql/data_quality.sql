-- order_data_quality() and basket_data_quality() (docs/data-quality.md) on the generated sample
-- (tools/ca_generate_orders) with injected defects: every check equals its plain-SQL formulation
-- (test/sql/data_quality_oracle.sql); id and time types, NULL keys, empty input, bad input with
-- SQLSTATEs, a statement_timeout.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS customer_analytics;
RESET client_min_messages;
SET TimeZone = 'UTC';
\i test/sql/outcome.sql

CREATE TABLE dq_lines (order_id bigint, customer_id bigint, ordered_at timestamp, amount numeric);
\copy dq_lines FROM PROGRAM 'tools/ca_generate_orders --lines --customers 2000 --orders 20000 --seed 42 2>/dev/null' WITH (FORMAT csv)
-- Defects: exact duplicates (some lines three times), missing times and amounts, zero amounts,
-- future dates, an infinite date, a hundredfold and a ten-thousandth amount, a customer with 15
-- orders in one day and one with 12 lines of a single order in one day (not flagged).
INSERT INTO dq_lines SELECT * FROM dq_lines WHERE order_id % 97 = 0;
INSERT INTO dq_lines SELECT * FROM dq_lines WHERE order_id % 389 = 0;
UPDATE dq_lines SET ordered_at = NULL WHERE order_id % 211 = 1;
UPDATE dq_lines SET amount = NULL WHERE order_id % 223 = 2;
UPDATE dq_lines SET amount = 0 WHERE order_id % 227 = 3;
UPDATE dq_lines SET ordered_at = ordered_at + interval '3 years' WHERE order_id % 229 = 4;
UPDATE dq_lines SET ordered_at = 'infinity' WHERE order_id = 233;
UPDATE dq_lines SET amount = amount * 100 WHERE order_id % 401 = 5 AND amount > 0;
UPDATE dq_lines SET amount = amount / 10000 WHERE order_id % 409 = 6 AND amount > 0;
INSERT INTO dq_lines SELECT 1000000 + g, 17, timestamp '2023-05-05 08:00' + g * interval '10 minutes', 9.99
FROM generate_series(1, 15) g;
INSERT INTO dq_lines SELECT 1000100, 18, timestamp '2023-05-05 08:00', g FROM generate_series(1, 12) g;

CREATE TEMP VIEW dq_input AS SELECT customer_id, ordered_at, amount, order_id FROM dq_lines;
CREATE TEMP TABLE dq_params AS SELECT timestamptz '2024-01-01 00:00+00' AS as_of;
CREATE TEMP TABLE dq_item_lines AS
SELECT order_id, 1 + abs(hashtext(order_id::text || '/' || amount::text)) % 40 AS item,
       CASE WHEN order_id % 101 = 0 THEN 0 WHEN order_id % 103 = 0 THEN -1 WHEN order_id % 107 = 0 THEN NULL ELSE 1 END AS quantity
FROM dq_lines;
-- A NULL order, NULL items, and one basket of 400 items.
UPDATE dq_item_lines SET order_id = NULL WHERE order_id % 499 = 7;
UPDATE dq_item_lines SET item = NULL WHERE order_id % 503 = 8;
INSERT INTO dq_item_lines SELECT 2000000, g, 1 FROM generate_series(1, 400) g;
CREATE TEMP VIEW dq_items AS SELECT order_id, item, quantity FROM dq_item_lines;
\i test/sql/data_quality_oracle.sql

-- The report, in its order, and the differences from the oracle (none).
CREATE TEMP TABLE dq_ours AS
SELECT row_number() OVER () AS pos, * FROM customer_analytics.order_data_quality(
    'SELECT customer_id, ordered_at, amount, order_id FROM dq_lines', '2024-01-01 00:00+00');
SELECT pos, "check", rows, round(share::numeric, 6) AS share, example FROM dq_ours ORDER BY pos;
SELECT count(*) AS differences FROM (
    (SELECT * FROM dq_ours EXCEPT SELECT * FROM dq_order_oracle)
    UNION ALL (SELECT * FROM dq_order_oracle EXCEPT SELECT * FROM dq_ours)) d;

CREATE TEMP TABLE dq_basket_ours AS
SELECT row_number() OVER () AS pos, * FROM customer_analytics.basket_data_quality(
    'SELECT order_id, item, quantity FROM dq_item_lines');
SELECT pos, "check", rows, round(share::numeric, 6) AS share, example FROM dq_basket_ours ORDER BY pos;
SELECT count(*) AS differences FROM (
    (SELECT * FROM dq_basket_ours EXCEPT SELECT * FROM dq_basket_oracle)
    UNION ALL (SELECT * FROM dq_basket_oracle EXCEPT SELECT * FROM dq_basket_ours)) d;

-- Text ids (examples: the smallest by bytes, as COLLATE "C" sorts) and quantities given as double
-- precision: equal to the oracle on the same input.
DROP VIEW dq_order_oracle, dq_basket_oracle, dq_input, dq_items;
CREATE TEMP VIEW dq_input AS
SELECT ('c' || customer_id) COLLATE "C" AS customer_id, ordered_at, amount, ('o' || order_id) COLLATE "C" AS order_id FROM dq_lines;
CREATE TEMP VIEW dq_items AS
SELECT ('o' || order_id) COLLATE "C" AS order_id, ('i' || item) COLLATE "C" AS item, quantity::float8 AS quantity FROM dq_item_lines;
\i test/sql/data_quality_oracle.sql
SELECT count(*) AS differences FROM (
    (SELECT row_number() OVER () AS pos, * FROM customer_analytics.order_data_quality(
        $$SELECT 'c' || customer_id AS customer_id, ordered_at, amount, 'o' || order_id AS order_id FROM dq_lines$$,
        '2024-01-01 00:00+00')
     EXCEPT SELECT * FROM dq_order_oracle)
    UNION ALL
    (SELECT row_number() OVER () AS pos, * FROM customer_analytics.basket_data_quality(
        $$SELECT 'o' || order_id AS order_id, 'i' || item AS item, quantity::float8 AS quantity FROM dq_item_lines$$)
     EXCEPT SELECT * FROM dq_basket_oracle)) d;

-- Without order_id, rows are orders: duplicates compare three columns, every row of a
-- customer-day counts as an order (customer 18's 12 lines now are 12 orders).
SELECT "check", rows, example FROM customer_analytics.order_data_quality(
    'SELECT customer_id, ordered_at, amount FROM dq_lines', '2024-01-01 00:00+00')
WHERE "check" IN ('duplicate rows', 'implausible orders per day');
SELECT (SELECT sum(n - 1) FROM (SELECT count(*) AS n FROM dq_lines GROUP BY customer_id, ordered_at, amount) s) AS duplicates,
       (SELECT sum(n) FROM (SELECT count(*) AS n FROM dq_lines WHERE customer_id IS NOT NULL AND isfinite(ordered_at)
                            GROUP BY customer_id, ordered_at::date HAVING count(*) > 10) s) AS busy_rows;

-- timestamptz and date: days and as_of in the session's time zone; the default as_of is now().
CREATE TABLE dq_tz (customer_id int, ordered_at timestamptz, amount numeric);
INSERT INTO dq_tz SELECT 1, timestamptz '2024-03-01 20:00+00' + g * interval '20 minutes', 10 FROM generate_series(0, 11) g;
INSERT INTO dq_tz VALUES (2, now() + interval '1 day', 5), (NULL, '2024-03-01 12:30:01.5+00', 12.50);
-- In UTC the 12 orders of customer 1 span two days (8 and 4); in Asia/Tokyo (UTC+9) one.
SELECT "check", rows, example FROM customer_analytics.order_data_quality('TABLE dq_tz')
WHERE "check" IN ('null customer_id', 'ordered after as_of', 'implausible orders per day');
SET TimeZone = 'Asia/Tokyo';
SELECT "check", rows, example FROM customer_analytics.order_data_quality('TABLE dq_tz', '2024-03-02 04:00+09')
WHERE "check" IN ('null customer_id', 'ordered after as_of', 'implausible orders per day');
SELECT count(*) FILTER (WHERE ordered_at > '2024-03-02 04:00+09') AS after_as_of,
       (SELECT max(n) FROM (SELECT count(*) AS n FROM dq_tz WHERE customer_id IS NOT NULL
                            GROUP BY customer_id, ordered_at::date) s) AS most_orders_in_a_local_day
FROM dq_tz;
-- As a date: 2024-03-02 in Tokyo is after as_of's day only from 2024-03-03.
SELECT "check", rows FROM customer_analytics.order_data_quality(
    'SELECT customer_id, ordered_at::date AS ordered_at, amount FROM dq_tz', '2024-03-02 23:00+09')
WHERE "check" = 'ordered after as_of';
SELECT count(*) FILTER (WHERE ordered_at::date > date '2024-03-02') AS oracle FROM dq_tz;
RESET TimeZone;
SET TimeZone = 'UTC';

-- NULLs in every column: NULL rows are duplicates of each other; examples without any key show
-- the row.
SELECT * FROM customer_analytics.order_data_quality($$
    SELECT * FROM (VALUES (NULL::int, NULL::timestamp, NULL::numeric), (NULL, NULL, NULL),
                          (NULL, timestamp '2024-01-02 03:04:05', -2.50), (3, NULL, 0)) v(customer_id, ordered_at, amount)$$);

-- Empty input: every check, rows 0, share and example NULL.
SELECT * FROM customer_analytics.order_data_quality('SELECT * FROM dq_lines WHERE false');
SELECT * FROM customer_analytics.basket_data_quality('SELECT order_id, item FROM dq_item_lines WHERE false');
-- Without a quantity column the quantity check is 0.
SELECT "check", rows, example FROM customer_analytics.basket_data_quality('SELECT order_id, item FROM dq_item_lines')
WHERE "check" = 'quantity <= 0';

-- Bad input.
SELECT q, pg_temp.outcome(q) FROM (VALUES
    ($$SELECT * FROM customer_analytics.order_data_quality(NULL)$$),
    ($$SELECT * FROM customer_analytics.order_data_quality('TABLE dq_lines', 'infinity')$$),
    ($$SELECT * FROM customer_analytics.order_data_quality('TABLE dq_lines', '-infinity')$$),
    ($$SELECT * FROM customer_analytics.order_data_quality('SELECT customer_id, amount FROM dq_lines')$$),
    ($$SELECT * FROM customer_analytics.order_data_quality('SELECT customer_id, ordered_at, ''x''::text AS amount FROM dq_lines')$$),
    ($$SELECT * FROM customer_analytics.order_data_quality('SELECT customer_id, 1 AS ordered_at, amount FROM dq_lines')$$),
    ($$SELECT * FROM customer_analytics.order_data_quality('SELECT customer_id, ordered_at, amount, amount FROM dq_lines')$$),
    ($$SELECT * FROM customer_analytics.order_data_quality('SELECT * FROM no_such_table')$$),
    ($$SELECT * FROM customer_analytics.order_data_quality('TABLE dq_lines; DROP TABLE dq_lines')$$),
    ($$SELECT * FROM customer_analytics.order_data_quality('SELECT 1 AS customer_id, now() AS ordered_at, ''NaN''::numeric AS amount')$$),
    ($$SELECT * FROM customer_analytics.basket_data_quality(NULL)$$),
    ($$SELECT * FROM customer_analytics.basket_data_quality('SELECT order_id FROM dq_item_lines')$$),
    ($$SELECT * FROM customer_analytics.basket_data_quality('SELECT order_id, item, ''1''::text AS quantity FROM dq_item_lines')$$)
) AS t(q);

-- The memory limit holds (53200) and a statement_timeout stops a long read (57014).
SET customer_analytics.memory_limit = '64kB';
SELECT q, pg_temp.outcome(q) FROM (VALUES
    ($$SELECT * FROM customer_analytics.order_data_quality('TABLE dq_lines')$$)) AS t(q);
RESET customer_analytics.memory_limit;
\set VERBOSITY terse
SET statement_timeout = '300ms';
SELECT count(*) FROM customer_analytics.order_data_quality(
    'SELECT g AS customer_id, now() AS ordered_at, g AS amount FROM generate_series(1, 1000000000) g');
RESET statement_timeout;
\set VERBOSITY default
