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

-- 1,000 rounds of calls, one of them failing in one of nine ways, leave neither PostgreSQL
-- memory contexts nor the process's resident memory (C++ heap included) noticeably larger.
CREATE TEMP TABLE small_orders AS
SELECT g % 500 AS customer_id, date '2024-01-01' + g % 200 AS ordered_at, (g % 70 - 3)::numeric AS amount
FROM generate_series(1, 3000) AS g;
-- Customer lifetime value: 60 customers whose fits converge, and 5 of them.
CREATE TEMP TABLE clv_orders (order_id bigint, customer_id bigint, ordered_at timestamp, amount numeric);
\copy clv_orders FROM PROGRAM 'tools/ca_generate_orders --customers 60 --orders 600 --seed 7 2>/dev/null' WITH (FORMAT csv)
CREATE TEMP TABLE tiny_orders AS SELECT * FROM clv_orders WHERE customer_id <= 5;
CREATE FUNCTION pg_temp.rss_kb() RETURNS bigint LANGUAGE sql AS $$
    SELECT substring(pg_read_file('/proc/self/status') FROM 'VmRSS:\s+(\d+)')::bigint $$;
CREATE FUNCTION pg_temp.context_bytes() RETURNS bigint LANGUAGE sql AS $$
    SELECT sum(total_bytes)::bigint FROM pg_backend_memory_contexts $$;
CREATE FUNCTION pg_temp.repeat_calls(n int) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    c bigint;
    m customer_analytics.bgnbd_model;
    v double precision;
BEGIN
    FOR i IN 1..n LOOP
        SELECT count(*) INTO c FROM customer_analytics.rfm(NULL::text, 'SELECT customer_id, ordered_at, amount FROM small_orders');
        -- The market-basket functions too: mined per group, and recommended.
        SELECT count(*) INTO c FROM customer_analytics.association_rules_by_group(NULL::int, NULL::text,
            'SELECT customer_id AS order_id, (amount::int % 7)::text AS item, customer_id % 2 AS group_key FROM small_orders', 0.1, 0);
        SELECT count(*) INTO c FROM customer_analytics.also_bought(
            'SELECT customer_id AS order_id, amount::int % 7 AS item FROM small_orders', ARRAY[1, 2], 3, 0.1);
        -- Customer lifetime value: a fit of a VALUES list (an aggregate state that owns C++
        -- memory), a prediction from it, the summary and the whole pipeline.
        m := (SELECT customer_analytics.bgnbd_fit(x, r, t) FROM (VALUES (0, 0, 30), (1, 5, 30), (2, 20, 28), (0, 0, 25),
            (4, 22, 30), (1, 2, 20), (3, 12, 26), (0, 0, 18), (6, 25, 27), (2, 3, 30), (1, 15, 22), (0, 0, 30)) AS f(x, r, t));
        v := customer_analytics.clv(m, ROW(6.25, 3.74, 15.44, NULL, NULL, NULL, NULL, NULL)::customer_analytics.gamma_gamma_model,
            2, 20, 28, 30.5, 12, 4.345, 0.01);
        SELECT count(*) INTO c FROM customer_analytics.clv_summary(NULL::int, 'SELECT customer_id, order_id, ordered_at, amount FROM tiny_orders');
        SELECT count(*) INTO c FROM customer_analytics.customer_lifetime_value(NULL::int,
            'SELECT customer_id, order_id, ordered_at, amount FROM clv_orders');
        -- Buyer profiles: favourite items (three key indices, a hash of pairs) and per-customer
        -- shopping times.
        SELECT count(*) INTO c FROM customer_analytics.favourite_items(NULL::text, NULL::int,
            'SELECT customer_id, ordered_at AS order_id, amount::int % 7 AS item, amount FROM small_orders');
        SELECT count(*) INTO c FROM customer_analytics.shopping_times(NULL::text,
            'SELECT customer_id, ordered_at + customer_id * interval ''1 hour'' AS ordered_at, amount FROM small_orders', NULL, true);
        -- Revenue concentration: the top customers (typed ids, ties by id) and the Gini.
        SELECT count(*) INTO c FROM customer_analytics.top_customers(NULL::int, 'SELECT customer_id, ordered_at, amount FROM small_orders', 0.5);
        v := customer_analytics.revenue_gini('SELECT customer_id, ordered_at, amount FROM small_orders');
        BEGIN
            CASE i % 10
                WHEN 0 THEN PERFORM customer_analytics.boundary_check('bad_alloc');
                WHEN 1 THEN PERFORM count(*) FROM customer_analytics.rfm(NULL::text, 'SELECT customer_id, ordered_at, amount FROM small_orders', bins => 0);
                WHEN 2 THEN PERFORM count(*) FROM customer_analytics.rfm(NULL::text, 'SELECT customer_id, amount FROM small_orders');
                -- A basket of the wrong type fails inside the reader's SPI session.
                WHEN 3 THEN PERFORM count(*) FROM customer_analytics.also_bought(
                    'SELECT customer_id AS order_id, amount::int % 7 AS item FROM small_orders', ARRAY['a']);
                -- A group type that cannot hold the groups fails the same way.
                WHEN 4 THEN PERFORM count(*) FROM customer_analytics.frequent_itemsets_by_group(NULL::date, NULL::int,
                    'SELECT customer_id AS order_id, amount::int % 7 AS item, customer_id AS group_key FROM small_orders', 0.1);
                -- A NaN amount fails customer_lifetime_value() inside its reader, half-way through.
                WHEN 5 THEN PERFORM count(*) FROM customer_analytics.customer_lifetime_value(NULL::int,
                    'SELECT customer_id, order_id, ordered_at, CASE WHEN customer_id = 30 THEN ''NaN'' ELSE amount END AS amount FROM clv_orders');
                -- A fractional frequency fails a fit whose state already holds points.
                WHEN 6 THEN PERFORM customer_analytics.bgnbd_fit(x, r, t) FROM (VALUES (1, 1, 2), (2, 1, 3), (1.5, 1, 2)) AS f(x, r, t);
                -- An id that does not fit id_type fails while shopping_times writes its rows (22003).
                WHEN 7 THEN PERFORM count(*) FROM customer_analytics.shopping_times(NULL::smallint,
                    'SELECT customer_id * 100000 AS customer_id, ordered_at::timestamp AS ordered_at, amount FROM small_orders', per_customer => true);
                -- An id that does not fit id_type fails top_customers() while it writes its rows.
                WHEN 8 THEN PERFORM count(*) FROM customer_analytics.top_customers(NULL::smallint,
                    'SELECT customer_id * 100 AS customer_id, ordered_at, amount FROM small_orders', 1);
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
-- The same for the CLV calls: the fit converges, CLV is positive, the summary has the 5 customers
-- of tiny_orders and the pipeline all 60, and the failing ones fail where they should.
SELECT (m).converged AS fit_converged,
       customer_analytics.clv(m, ROW(6.25, 3.74, 15.44, NULL, NULL, NULL, NULL, NULL)::customer_analytics.gamma_gamma_model,
           2, 20, 28, 30.5, 12, 4.345, 0.01) > 0 AS clv_positive,
       (SELECT count(*) FROM customer_analytics.clv_summary(NULL::int, 'SELECT customer_id, order_id, ordered_at, amount FROM tiny_orders')) AS summary_customers,
       (SELECT count(*) FROM customer_analytics.customer_lifetime_value(NULL::int,
            'SELECT customer_id, order_id, ordered_at, amount FROM clv_orders')) AS clv_customers
FROM (SELECT customer_analytics.bgnbd_fit(x, r, t) AS m FROM (VALUES (0, 0, 30), (1, 5, 30), (2, 20, 28), (0, 0, 25),
          (4, 22, 30), (1, 2, 20), (3, 12, 26), (0, 0, 18), (6, 25, 27), (2, 3, 30), (1, 15, 22), (0, 0, 30)) AS f(x, r, t)) AS fit;
SELECT pg_temp.outcome($q$SELECT count(*) FROM customer_analytics.customer_lifetime_value(NULL::int,
           'SELECT customer_id, order_id, ordered_at, CASE WHEN customer_id = 30 THEN ''NaN'' ELSE amount END AS amount FROM clv_orders')$q$) AS nan_amount,
       pg_temp.outcome($q$SELECT customer_analytics.bgnbd_fit(x, r, t) FROM (VALUES (1, 1, 2), (2, 1, 3), (1.5, 1, 2)) AS f(x, r, t)$q$) AS fractional_frequency;
-- And for revenue concentration.
SELECT (SELECT count(*) FROM customer_analytics.top_customers(NULL::int, 'SELECT customer_id, ordered_at, amount FROM small_orders', 0.5)) AS top_customers,
       customer_analytics.revenue_gini('SELECT customer_id, ordered_at, amount FROM small_orders') > 0 AS gini_positive,
       pg_temp.outcome($q$SELECT count(*) FROM customer_analytics.top_customers(NULL::smallint,
           'SELECT customer_id * 100 AS customer_id, ordered_at, amount FROM small_orders', 1)$q$) AS id_too_big;
SELECT pg_temp.repeat_calls(100);  -- warm up caches and allocator pools
CREATE TEMP TABLE before AS SELECT pg_temp.rss_kb() AS rss, pg_temp.context_bytes() AS ctx;
SELECT pg_temp.repeat_calls(1000);
RESET client_min_messages;
SELECT pg_temp.rss_kb() - rss < 8192 AS rss_grew_less_than_8mb,
       pg_temp.context_bytes() - ctx < 1048576 AS contexts_grew_less_than_1mb,
       customer_analytics.boundary_check('live_objects') AS live_cpp_objects
FROM before;
