-- The C++/PostgreSQL boundary in a real backend: every kind of error reaches the client with its
-- SQLSTATE, cancel and statement_timeout stop C++ loops and inner queries, the memory limit holds,
-- C++ destructors run on every error path, and repeated calls leak nothing.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS customer_analytics;
CREATE EXTENSION IF NOT EXISTS customer_analytics_test;
RESET client_min_messages;

\i test/sql/outcome.sql

SELECT kind, pg_temp.outcome(format('SELECT customer_analytics.boundary_check(%L)', kind))
FROM unnest(ARRAY['ok', 'invalid_parameter', 'data_exception', 'bad_alloc', 'std_exception',
                  'unknown', 'pg_error', 'no_such_kind']) AS kind;

-- A typed core error carries its detail and hint.
SELECT customer_analytics.boundary_check('invalid_parameter', 7);

-- A core "cancelled" error is 57014.
\set VERBOSITY sqlstate
SELECT customer_analytics.boundary_check('cancelled');
\set VERBOSITY default

-- Every C++ object created on those error paths was destroyed.
SELECT customer_analytics.boundary_check('live_objects') AS live_cpp_objects;

-- statement_timeout stops a C++ loop through the interrupt hook ...
SET statement_timeout = '200ms';
\set VERBOSITY sqlstate
SELECT customer_analytics.boundary_check('spin');
-- ... and an inner query that is still running inside rfm().
SELECT count(*) FROM customer_analytics.rfm(NULL::text, $$SELECT g % 100000 AS customer_id,
                                  timestamptz '2024-01-01' + (g % 1000) * interval '1 hour' AS ordered_at,
                                  (g % 97)::numeric AS amount
                           FROM generate_series(1, 200000000) AS g$$);
\set VERBOSITY default
-- ... and the same loop inside a row sink, i.e. inside the executor: there the hook calls no
-- PostgreSQL function; the door raises PostgreSQL's own error (its message names the timeout).
SELECT customer_analytics.boundary_check('sink_spin');
RESET statement_timeout;
-- A sink that finishes on its own reads every row.
SELECT customer_analytics.boundary_check('sink_spin', 10) AS rows_read;
-- The session goes on, and the loop's objects were unwound.
SELECT customer_analytics.boundary_check('live_objects') AS live_cpp_objects, customer_analytics.boundary_check('ok', 1) AS next_call;

-- The memory limit: 53200 with a hint naming the setting, then the backend goes on.
SET customer_analytics.memory_limit = '64kB';
SELECT customer_analytics.boundary_check('memory', 1000000);
SELECT count(*) FROM customer_analytics.rfm(NULL::text, 'SELECT g AS customer_id, date ''2024-01-01'' + g % 300 AS ordered_at, g % 50 + 1 AS amount FROM generate_series(1, 20000) g');
RESET customer_analytics.memory_limit;
SELECT count(*) AS customers FROM customer_analytics.rfm(NULL::text, 'SELECT g AS customer_id, date ''2024-01-01'' + g % 300 AS ordered_at, g % 50 + 1 AS amount FROM generate_series(1, 20000) g');
SELECT customer_analytics.boundary_check('memory', 1000000) >= 1000000 AS counted;

-- 1,000 rounds of two calls, one of them failing in one of four ways, leave neither PostgreSQL
-- memory contexts nor the process's resident memory (C++ heap included) noticeably larger.
CREATE TEMP TABLE small_orders AS
SELECT g % 500 AS customer_id, date '2024-01-01' + g % 200 AS ordered_at, (g % 70 - 3)::numeric AS amount
FROM generate_series(1, 3000) AS g;
CREATE FUNCTION pg_temp.rss_kb() RETURNS bigint LANGUAGE sql AS $$
    SELECT substring(pg_read_file('/proc/self/status') FROM 'VmRSS:\s+(\d+)')::bigint $$;
CREATE FUNCTION pg_temp.context_bytes() RETURNS bigint LANGUAGE sql AS $$
    SELECT sum(total_bytes)::bigint FROM pg_backend_memory_contexts $$;
CREATE FUNCTION pg_temp.repeat_calls(n int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    c bigint;
BEGIN
    FOR i IN 1..n LOOP
        SELECT count(*) INTO c FROM customer_analytics.rfm(NULL::text, 'SELECT customer_id, ordered_at, amount FROM small_orders');
        -- The market-basket functions too: mined per group, and recommended.
        SELECT count(*) INTO c FROM customer_analytics.association_rules_by_group(NULL::int, NULL::text,
            'SELECT customer_id AS order_id, (amount::int % 7)::text AS item, customer_id % 2 AS group_key FROM small_orders', 0.1, 0);
        SELECT count(*) INTO c FROM customer_analytics.also_bought(
            'SELECT customer_id AS order_id, amount::int % 7 AS item FROM small_orders', ARRAY[1, 2], 3, 0.1);
        BEGIN
            CASE i % 6
                WHEN 0 THEN PERFORM customer_analytics.boundary_check('bad_alloc');
                WHEN 1 THEN PERFORM count(*) FROM customer_analytics.rfm(NULL::text, 'SELECT customer_id, ordered_at, amount FROM small_orders', bins => 0);
                WHEN 2 THEN PERFORM count(*) FROM customer_analytics.rfm(NULL::text, 'SELECT customer_id, amount FROM small_orders');
                -- A basket of the wrong type fails inside the reader's SPI session.
                WHEN 3 THEN PERFORM count(*) FROM customer_analytics.also_bought(
                    'SELECT customer_id AS order_id, amount::int % 7 AS item FROM small_orders', ARRAY['a']);
                -- A group type that cannot hold the groups fails the same way.
                WHEN 4 THEN PERFORM count(*) FROM customer_analytics.frequent_itemsets_by_group(NULL::date, NULL::int,
                    'SELECT customer_id AS order_id, amount::int % 7 AS item, customer_id AS group_key FROM small_orders', 0.1);
                ELSE PERFORM customer_analytics.boundary_check('pg_error');
            END CASE;
        EXCEPTION WHEN OTHERS THEN
            NULL;
        END;
    END LOOP;
END $$;
SET client_min_messages = warning;
-- The loop's basket calls return rows, and its failing ones fail where they should.
SELECT (SELECT count(*) FROM customer_analytics.association_rules_by_group(NULL::int, NULL::text,
            'SELECT customer_id AS order_id, (amount::int % 7)::text AS item, customer_id % 2 AS group_key FROM small_orders', 0.1, 0)) > 0 AS rules_by_group,
       (SELECT count(*) FROM customer_analytics.also_bought(
            'SELECT customer_id AS order_id, amount::int % 7 AS item FROM small_orders', ARRAY[1, 2], 3, 0.1)) > 0 AS also_bought;
SELECT pg_temp.outcome($q$SELECT count(*) FROM customer_analytics.also_bought(
           'SELECT customer_id AS order_id, amount::int % 7 AS item FROM small_orders', ARRAY['a'])$q$) AS wrong_basket,
       pg_temp.outcome($q$SELECT count(*) FROM customer_analytics.frequent_itemsets_by_group(NULL::date, NULL::int,
           'SELECT customer_id AS order_id, amount::int % 7 AS item, customer_id AS group_key FROM small_orders', 0.1)$q$) AS wrong_group_type;
SELECT pg_temp.repeat_calls(100);  -- warm up caches and allocator pools
CREATE TEMP TABLE before AS SELECT pg_temp.rss_kb() AS rss, pg_temp.context_bytes() AS ctx;
SELECT pg_temp.repeat_calls(1000);
RESET client_min_messages;
SELECT pg_temp.rss_kb() - rss < 8192 AS rss_grew_less_than_8mb,
       pg_temp.context_bytes() - ctx < 1048576 AS contexts_grew_less_than_1mb,
       customer_analytics.boundary_check('live_objects') AS live_cpp_objects
FROM before;
