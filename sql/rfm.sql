-- rfm() on the sample the repository generates (tools/ca_generate_orders: 2,000 customers, order
-- lines with returns and guest orders), checked against the plain-SQL formulation of
-- docs/rfm.md in test/sql/rfm_oracle.sql. The segment counts below are the ones docs/rfm.md quotes.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS customer_analytics;
RESET client_min_messages;
SET TimeZone = 'UTC';

CREATE TABLE sample_lines (order_id bigint, customer_id bigint, ordered_at timestamp, amount numeric);
\copy sample_lines FROM PROGRAM 'tools/ca_generate_orders --lines --customers 2000 --orders 20000 --seed 42 2>/dev/null' WITH (FORMAT csv)
SELECT count(*) AS lines, count(DISTINCT order_id) AS orders, count(DISTINCT customer_id) AS customers,
       count(*) FILTER (WHERE customer_id IS NULL) AS guest_lines,
       count(*) FILTER (WHERE amount < 0) AS return_lines, sum(amount) AS net_amount
FROM sample_lines;

-- Every cell equals the plain-SQL formulation.
CREATE TEMP VIEW oracle_input AS SELECT customer_id, order_id, ordered_at, amount FROM sample_lines;
\i test/sql/rfm_oracle.sql
CREATE TEMP TABLE sample_rfm AS
SELECT * FROM customer_analytics.rfm(NULL::text, 'SELECT customer_id, order_id, ordered_at, amount FROM sample_lines');
SELECT (SELECT count(*) FROM sample_rfm) AS ours, (SELECT count(*) FROM rfm_oracle) AS oracle,
       (SELECT count(*) FROM (TABLE sample_rfm EXCEPT TABLE rfm_oracle) d) AS only_ours,
       (SELECT count(*) FROM (TABLE rfm_oracle EXCEPT TABLE sample_rfm) d) AS only_oracle;

-- Segment counts (docs/rfm.md) and the best customers.
SELECT segment, count(*) AS customers, round(avg(recency_days)) AS avg_recency,
       round(avg(frequency), 1) AS avg_frequency, round(avg(monetary), 2) AS avg_monetary
FROM sample_rfm GROUP BY segment ORDER BY customers DESC, segment;
SELECT customer_id, recency_days, frequency, monetary, rfm_cell, segment
FROM sample_rfm ORDER BY monetary DESC, customer_id LIMIT 5;

-- The score distribution: with ties, quantile scores need not be equally filled, but every
-- customer with the same value has the same score.
SELECT 'r' AS dim, r_score AS score, count(*) FROM sample_rfm GROUP BY 2
UNION ALL SELECT 'f', f_score, count(*) FROM sample_rfm GROUP BY 2
UNION ALL SELECT 'm', m_score, count(*) FROM sample_rfm GROUP BY 2 ORDER BY 1, 2;
SELECT count(*) AS values_with_two_scores FROM (
    SELECT recency_days FROM sample_rfm GROUP BY 1 HAVING count(DISTINCT r_score) > 1
    UNION ALL SELECT frequency FROM sample_rfm GROUP BY 1 HAVING count(DISTINCT f_score) > 1
    UNION ALL SELECT monetary FROM sample_rfm GROUP BY 1 HAVING count(DISTINCT m_score) > 1) s;

-- Other bins and an explicit as_of, against the same definitions written inline.
SELECT count(*) AS mismatches
FROM customer_analytics.rfm(NULL::text, 'SELECT customer_id, order_id, ordered_at, amount FROM sample_lines', as_of => '2023-07-01', bins => 3) AS r
JOIN (SELECT customer_id::text AS customer_id, recency_days, frequency, monetary,
             1 + 3 * (rank() OVER (ORDER BY recency_days DESC) - 1) / count(*) OVER () AS r_score,
             1 + 3 * (rank() OVER (ORDER BY frequency) - 1) / count(*) OVER () AS f_score,
             1 + 3 * (rank() OVER (ORDER BY monetary) - 1) / count(*) OVER () AS m_score
      FROM (SELECT customer_id, date '2023-07-01' - (max(at) FILTER (WHERE amount > 0))::date AS recency_days,
                   count(*) FILTER (WHERE amount > 0) AS frequency, sum(amount) AS monetary
            FROM (SELECT customer_id, order_id, max(ordered_at) AS at, sum(amount) AS amount
                  FROM sample_lines WHERE customer_id IS NOT NULL AND ordered_at <= '2023-07-01'
                  GROUP BY 1, 2) o
            GROUP BY customer_id HAVING count(*) FILTER (WHERE amount > 0) > 0) c) AS e
  USING (customer_id)
WHERE (r.recency_days, r.frequency, r.monetary, r.r_score, r.f_score, r.m_score)
      IS DISTINCT FROM (e.recency_days, e.frequency, e.monetary, e.r_score, e.f_score, e.m_score);
SELECT count(*) AS customers_at_2023_07_01
FROM customer_analytics.rfm(NULL::text, 'SELECT customer_id, order_id, ordered_at, amount FROM sample_lines', as_of => '2023-07-01', bins => 3);

-- monetary => 'average': net amount per purchase.
SELECT count(*) AS mismatches
FROM customer_analytics.rfm(NULL::text, 'SELECT customer_id, order_id, ordered_at, amount FROM sample_lines', monetary => 'average') AS a
JOIN sample_rfm AS t USING (customer_id)
WHERE a.monetary <> t.monetary / t.frequency;

-- The default segment map as a query gives the default segments.
SELECT count(*) AS mismatches
FROM customer_analytics.rfm(NULL::text, 'SELECT customer_id, order_id, ordered_at, amount FROM sample_lines',
         segments_sql => 'SELECT * FROM customer_analytics.rfm_default_segments() ORDER BY priority') AS d
JOIN sample_rfm AS t USING (customer_id)
WHERE d.segment <> t.segment;

-- Rows that are already orders (no order_id) and order lines give the same result once the lines
-- are summed per order.
SELECT count(*) AS mismatches FROM (
    SELECT * FROM customer_analytics.rfm(NULL::text, $$SELECT customer_id, max(ordered_at) AS ordered_at, sum(amount) AS amount
                        FROM sample_lines GROUP BY customer_id, order_id$$)
    EXCEPT SELECT * FROM sample_rfm) d;

-- Joining the result back to a customers table (docs/rfm.md, "Id types"): customer_id comes back
-- in the type of id_type, so it joins to an integer key without a cast and sorts as a number.
CREATE TABLE sample_customers AS SELECT g AS id, 'customer ' || g AS name FROM generate_series(1, 2000) g;
SELECT c.id, c.name, r.rfm_cell, r.segment
FROM sample_customers AS c
JOIN customer_analytics.rfm(NULL::bigint, 'SELECT customer_id, order_id, ordered_at, amount FROM sample_lines') AS r
  ON r.customer_id = c.id
ORDER BY r.monetary DESC, c.id LIMIT 3;
SELECT pg_typeof(customer_id), min(customer_id), max(customer_id),
       (array_agg(customer_id ORDER BY customer_id))[1:3] AS first_three
FROM customer_analytics.rfm(NULL::bigint, 'sample_lines') GROUP BY 1;
-- The same scores whatever type the ids come back in.
SELECT count(*) AS mismatches FROM (
    SELECT customer_id::text, recency_days, frequency, monetary, rfm_cell, segment
    FROM customer_analytics.rfm(NULL::bigint, 'sample_lines')
    EXCEPT SELECT customer_id, recency_days, frequency, monetary, rfm_cell, segment
    FROM customer_analytics.rfm(NULL::text, 'sample_lines')) d;
-- Each id kind and the types it can come back in; the rest are refused before anything runs.
CREATE TABLE typed_ids AS
SELECT g::int AS int_id, ('c' || g)::varchar(10) AS text_id,
       ('00000000-0000-0000-0000-00000000000' || g)::uuid AS uuid_id, (g || '.00')::numeric AS numeric_id,
       date '2024-01-01' + g AS ordered_at, 10 * g AS amount
FROM generate_series(1, 3) g;
CREATE FUNCTION pg_temp.typed(id_column text, id_type text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE result text;
BEGIN
    EXECUTE format('SELECT pg_typeof(customer_id)::text || '': '' || string_agg(customer_id::text, '','' ORDER BY customer_id)
                    FROM customer_analytics.rfm(NULL::%s, %L) GROUP BY pg_typeof(customer_id)',
                   id_type, format('SELECT %I AS customer_id, ordered_at, amount FROM typed_ids', id_column))
    INTO result;
    RETURN result;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $f$;
SELECT c, t, pg_temp.typed(c, t) AS result
FROM unnest(ARRAY['int_id', 'text_id', 'uuid_id', 'numeric_id']) c,
     unnest(ARRAY['bigint', 'integer', 'smallint', 'numeric', 'text', 'varchar', 'uuid', 'date']) t
ORDER BY c, t;
-- The hint names the type to pass; an integer id that does not fit the type asked for is 22003.
SELECT * FROM customer_analytics.rfm(NULL::bigint, 'SELECT uuid_id AS customer_id, ordered_at, amount FROM typed_ids');
SELECT * FROM customer_analytics.rfm(NULL::smallint, 'SELECT 70000 AS customer_id, date ''2024-01-01'' AS ordered_at, 1 AS amount');
SELECT * FROM customer_analytics.rfm(NULL, 'typed_ids');

-- The worked example of docs/rfm.md, computed by hand there: six customers, one return.
CREATE TABLE example_orders (customer_id text, ordered_at date, amount numeric);
INSERT INTO example_orders VALUES
    ('A', '2024-03-01', 50), ('A', '2024-03-28', 100),
    ('B', '2024-03-30', 20),
    ('C', '2024-02-15', 300), ('C', '2024-03-10', -40),
    ('D', '2024-01-05', 80), ('D', '2024-02-05', 80), ('D', '2024-03-05', 80),
    ('E', '2023-12-20', 10),
    ('F', '2024-03-30', 500);
SELECT * FROM customer_analytics.rfm(NULL::text, 'TABLE example_orders') ORDER BY customer_id;
