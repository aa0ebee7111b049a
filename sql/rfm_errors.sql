-- rfm() on bad input: every row of docs/rfm.md's bad-input table, with its SQLSTATE, and the
-- caller's privileges (GRANTs and row-level security) respected.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS customer_analytics;
RESET client_min_messages;

\i test/sql/outcome.sql

CREATE TABLE err_orders (customer_id bigint, ordered_at date, amount numeric, order_id int, note text);
INSERT INTO err_orders VALUES
    (1, '2024-01-10', 10, 1, 'a'), (1, '2024-03-01', 30, 2, 'b'), (2, '2024-02-01', 20, 3, 'c'),
    (3, '2024-02-15', 15, 4, 'd'), (4, '2024-03-05', 50, 5, 'e');

-- Parameters.
SELECT q, pg_temp.outcome(q) FROM (VALUES
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, NULL)$$),
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, 'TABLE err_orders', bins => NULL)$$),
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, 'TABLE err_orders', bins => 0)$$),
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, 'TABLE err_orders', bins => -3)$$),
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, 'TABLE err_orders', bins => 101)$$),
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, 'TABLE err_orders', bins => 2000000000)$$),
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, 'TABLE err_orders', method => 'kmeans')$$),
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, 'TABLE err_orders', method => NULL)$$),
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, 'TABLE err_orders', monetary => 'median')$$),
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, 'TABLE err_orders', as_of => 'infinity')$$),
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, 'TABLE err_orders', r_breaks => '{1,2}')$$),
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, 'TABLE err_orders', method => 'fixed')$$),
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, 'TABLE err_orders', method => 'fixed', r_breaks => '{30,10}', f_breaks => '{2}', m_breaks => '{20}')$$),
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, 'TABLE err_orders', method => 'fixed', r_breaks => '{30,NULL}', f_breaks => '{2}', m_breaks => '{20}')$$),
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, 'TABLE err_orders', method => 'fixed', r_breaks => '{30,NaN}', f_breaks => '{2}', m_breaks => '{20}')$$)
) AS t(q);

-- The inner query: missing, mistyped and duplicate columns; not a query; more than one statement.
SELECT q, pg_temp.outcome(q) FROM (VALUES
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, 'SELECT customer_id, amount FROM err_orders')$$),
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, 'SELECT customer_id, note AS ordered_at, amount FROM err_orders')$$),
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, 'SELECT customer_id, ordered_at, note AS amount FROM err_orders')$$),
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, 'SELECT customer_id, ordered_at, amount, amount FROM err_orders')$$),
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, 'SELECT customer_id, ordered_at, amount FROM no_such_table')$$),
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, 'DELETE FROM err_orders RETURNING customer_id, ordered_at, amount')$$),
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, 'SELECT customer_id, ordered_at, amount FROM err_orders; DROP TABLE err_orders')$$),
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, 'CREATE TABLE x (a int)')$$)
) AS t(q);
-- None of that touched the table.
SELECT count(*) AS rows_still_there FROM err_orders;

-- A trailing semicolon is fine, and so is any query shape (TABLE, VALUES, WITH).
SELECT count(*) FROM customer_analytics.rfm(NULL::text, 'TABLE err_orders;  ');
SELECT count(*) FROM customer_analytics.rfm(NULL::text, $$WITH o AS (SELECT * FROM err_orders) SELECT customer_id, ordered_at, amount FROM o$$);
SELECT customer_id, frequency, monetary FROM customer_analytics.rfm(NULL::text, $$SELECT * FROM (VALUES ('x', date '2024-01-01', 5), ('x', date '2024-01-02', 7)) AS v(customer_id, ordered_at, amount)$$);

-- Empty input: no rows, no notice.
SELECT count(*) FROM customer_analytics.rfm(NULL::text, 'SELECT * FROM err_orders WHERE false');

-- NULL customer ids, NULL dates and amounts, orders after as_of, returns: rows are skipped and
-- counted in a NOTICE; a customer with returns only gets no score.
CREATE TABLE messy_orders (customer_id text, ordered_at timestamptz, amount numeric);
INSERT INTO messy_orders VALUES
    ('a', '2024-01-01 10:00+00', 100), ('a', '2024-01-20 10:00+00', -30),   -- a return
    ('b', '2024-01-05 10:00+00', 40),  ('b', NULL, 40),  ('b', '2024-01-06 10:00+00', NULL),
    (NULL, '2024-01-07 10:00+00', 70), (NULL, '2024-01-08 10:00+00', 80),
    ('c', '2024-01-09 10:00+00', -20),                                       -- returns only
    ('d', '2024-01-10 10:00+00', 0),                                         -- zero only
    ('e', '2024-03-01 10:00+00', 90);                                        -- after as_of below
SET TimeZone = 'UTC';
SELECT customer_id, recency_days, frequency, monetary FROM customer_analytics.rfm(NULL::text, 'TABLE messy_orders', as_of => '2024-02-01') ORDER BY 1;
SELECT customer_id, recency_days, frequency, monetary FROM customer_analytics.rfm(NULL::text, 'TABLE messy_orders') ORDER BY 1;
RESET TimeZone;

-- Amounts are summed exactly with 8 decimal places; a ninth decimal is rounded half away from
-- zero. Integers and floats are accepted (0.1 + 0.2 is 0.3); NaN, infinity and amounts of 10^28
-- or more are errors. Infinite order times are skipped like NULLs.
SELECT customer_id, frequency, monetary FROM customer_analytics.rfm(NULL::text, $$SELECT * FROM (VALUES
    (1, date '2024-01-01', 0.123456789::numeric), (1, date '2024-01-02', 0.000000005),
    (2, date '2024-01-01', 12345678901234567890.12),
    (3, date '2024-01-01', -0.000000015), (3, date '2024-01-02', 1),
    (4, date '2024-01-01', 2.50), (4, date '2024-01-02', -2.5)) AS v(customer_id, ordered_at, amount)$$)
ORDER BY 1;
SELECT customer_id, monetary FROM customer_analytics.rfm(NULL::text, $$SELECT 1 AS customer_id, d AS ordered_at, a::float8 AS amount
    FROM (VALUES (date '2024-01-01', 0.1), (date '2024-01-02', 0.2)) AS v(d, a)$$);
SELECT customer_id, monetary FROM customer_analytics.rfm(NULL::text, $$SELECT 1 AS customer_id, date '2024-01-01' AS ordered_at, 7::smallint AS amount$$);
SELECT q, pg_temp.outcome(q) FROM (VALUES
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, $s$SELECT 1 AS customer_id, date '2024-01-01' AS ordered_at, 'NaN'::numeric AS amount$s$)$$),
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, $s$SELECT 1 AS customer_id, date '2024-01-01' AS ordered_at, 'Infinity'::float8 AS amount$s$)$$),
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, $s$SELECT 1 AS customer_id, date '2024-01-01' AS ordered_at, 1e29::numeric AS amount$s$)$$)
) AS t(q);
SELECT customer_id, recency_days FROM customer_analytics.rfm(NULL::text, $$SELECT * FROM (VALUES (1, timestamptz 'infinity', 5), (1, '2024-01-01', 5),
    (2, '-infinity', 5)) AS v(customer_id, ordered_at, amount)$$);

-- Single customer, all values equal, more bins than customers.
SELECT r_score, f_score, m_score, rfm_cell FROM customer_analytics.rfm(NULL::text, $$SELECT 1 AS customer_id, date '2024-01-01' AS ordered_at, 5 AS amount$$);
SELECT DISTINCT r_score, f_score, m_score FROM customer_analytics.rfm(NULL::text, $$SELECT g AS customer_id, date '2024-01-01' AS ordered_at, 5 AS amount FROM generate_series(1, 10) g$$);
SELECT customer_id, r_score, f_score, m_score FROM customer_analytics.rfm(NULL::text, $$SELECT g AS customer_id, date '2024-01-01' + g AS ordered_at, g AS amount FROM generate_series(1, 3) g$$, bins => 9) ORDER BY 1;

-- Customer id and column types: bigint, integer, text, uuid; date, timestamp, timestamptz;
-- integer, numeric, double precision amounts.
SELECT count(*) FROM customer_analytics.rfm(NULL::text, 'SELECT customer_id::int, ordered_at, amount FROM err_orders');
SELECT count(*) FROM customer_analytics.rfm(NULL::text, 'SELECT customer_id::text, ordered_at::timestamp, amount::float8 FROM err_orders');
SELECT count(*) FROM customer_analytics.rfm(NULL::text, $$SELECT md5(customer_id::text)::uuid AS customer_id, ordered_at::timestamptz, amount::int FROM err_orders$$);

-- Segment maps from a query: in query order, or by an optional priority column; bad maps.
SELECT customer_id, rfm_cell, segment FROM customer_analytics.rfm(NULL::text, 'TABLE err_orders', segments_sql =>
    $$SELECT * FROM (VALUES ('recent', 4, 5, 1, 5, 1, 5), ('everyone', 1, 5, 1, 5, 1, 5))
      AS s(segment, r_min, r_max, f_min, f_max, m_min, m_max)$$) ORDER BY 1;
SELECT customer_id, rfm_cell, segment FROM customer_analytics.rfm(NULL::text, 'TABLE err_orders', segments_sql =>
    $$SELECT * FROM (VALUES (2, 'recent', 4, 5, 1, 5, 1, 5), (1, 'everyone', 1, 5, 1, 5, 1, 5))
      AS s(priority, segment, r_min, r_max, f_min, f_max, m_min, m_max)$$) ORDER BY 1;
SELECT customer_id, segment FROM customer_analytics.rfm(NULL::text, 'TABLE err_orders', segments_sql =>
    $$SELECT * FROM (VALUES ('big spenders', 1, 5, 1, 5, 5, 5)) AS s(segment, r_min, r_max, f_min, f_max, m_min, m_max)$$) ORDER BY 1;
SELECT q, pg_temp.outcome(q) FROM (VALUES
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, 'TABLE err_orders', segments_sql => $s$VALUES ('recent', 4, 5, 1, 5, 1, 5)$s$)$$),
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, 'TABLE err_orders', segments_sql => 'SELECT 1 AS segment')$$),
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, 'TABLE err_orders', segments_sql => $s$SELECT * FROM (VALUES ('x', 5, 1, 1, 5, 1, 5)) AS s(segment, r_min, r_max, f_min, f_max, m_min, m_max)$s$)$$),
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, 'TABLE err_orders', segments_sql => $s$SELECT * FROM (VALUES (NULL::text, 1, 5, 1, 5, 1, 5)) AS s(segment, r_min, r_max, f_min, f_max, m_min, m_max)$s$)$$),
    ($$SELECT * FROM customer_analytics.rfm(NULL::text, 'TABLE err_orders', segments_sql => $s$SELECT 's' AS segment, 1 AS r_min, 5 AS r_max, 1 AS f_min, 5 AS f_max, 1 AS m_min, 5 AS m_max FROM generate_series(1, 40000)$s$)$$)
) AS t(q);

-- The caller's privileges: no SELECT grant, no rows; row-level security limits what is scored.
CREATE ROLE rfm_analyst;
GRANT USAGE ON SCHEMA public TO rfm_analyst;
SET ROLE rfm_analyst;
SELECT pg_temp.outcome($$SELECT * FROM customer_analytics.rfm(NULL::text, 'TABLE err_orders')$$);
RESET ROLE;
GRANT SELECT ON err_orders TO rfm_analyst;
ALTER TABLE err_orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_small ON err_orders FOR SELECT TO rfm_analyst USING (customer_id <= 2);
SET ROLE rfm_analyst;
SELECT customer_id FROM customer_analytics.rfm(NULL::text, 'TABLE err_orders') ORDER BY 1;
RESET ROLE;
DROP POLICY only_small ON err_orders;
REVOKE ALL ON err_orders FROM rfm_analyst;
REVOKE ALL ON SCHEMA public FROM rfm_analyst;
DROP ROLE rfm_analyst;

-- NOTICE policy: a call over clean data raises none (BI tools and application logs stay quiet);
-- one that skipped rows raises exactly one, with the counts.
SET client_min_messages = notice;
SELECT count(*) AS clean_rfm FROM customer_analytics.rfm(NULL::bigint, $$SELECT 1 AS customer_id, date '2024-01-01' AS ordered_at, 5 AS amount$$);
SELECT count(*) AS clean_kpis FROM customer_analytics.kpis($$SELECT 1 AS customer_id, date '2024-01-01' AS ordered_at, 5 AS amount$$);
SELECT count(*) AS one_skipped FROM customer_analytics.rfm(NULL::bigint, $$SELECT * FROM (VALUES (1, date '2024-01-01', 5), (NULL, date '2024-01-01', 5)) v(customer_id, ordered_at, amount)$$);
RESET client_min_messages;
