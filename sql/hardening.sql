-- Defects found by fuzzing and probing, one block each (docs/reliability.md): a second read of
-- orders_sql that differs from the first, a hostile search_path, statements appended to an inner
-- query, unchecked revenue sums, values passed as SQL text (DateStyle), dates after the timestamp
-- range, infinite timestamps, invalid time zones, float amounts past the limit, 2-D break arrays,
-- huge windows and ranges, and numeric ids that differ only in trailing zeros.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS customer_analytics;
RESET client_min_messages;
\i test/sql/outcome.sql
SET TimeZone = 'UTC';

CREATE TABLE h_orders (customer_id int, ordered_at timestamptz, amount numeric);
INSERT INTO h_orders
SELECT 1 + (g * 7919) % 500, timestamptz '2010-01-01' + (g * 104729 % 730) * interval '1 day',
       (g % 97) + 0.5
FROM generate_series(1, 5000) g;
CREATE SEQUENCE h_reads;

-- 1. A second read that differs from the first. The scalar subquery runs once per read: the
-- first read returns the odd customers, the second the even ones. This was a heap overflow
-- (server crash); now every function refuses it with 22000.
SELECT f, pg_temp.outcome(format('SELECT count(*) FROM customer_analytics.%s(%s%L)', f, CASE f WHEN 'rfm' THEN 'NULL::text, ' ELSE '' END,
    'SELECT * FROM h_orders WHERE customer_id % 2 = (SELECT nextval(''h_reads'') % 2)'))
FROM unnest(ARRAY['retention', 'cohort_retention', 'kpis']) f;
-- Same customers, other amounts: the fingerprint of the reads differs.
SELECT pg_temp.outcome($$SELECT count(*) FROM customer_analytics.kpis(
    'SELECT customer_id, ordered_at, amount + (SELECT nextval(''h_reads'')) AS amount FROM h_orders')$$);
-- A sample that is not repeatable differs between reads; a repeatable one does not.
SELECT pg_temp.outcome($$SELECT count(*) FROM customer_analytics.kpis('SELECT * FROM h_orders TABLESAMPLE BERNOULLI (50)')$$);
SELECT pg_temp.outcome($$SELECT count(*) FROM customer_analytics.kpis('SELECT * FROM h_orders ORDER BY random() LIMIT 2500')$$);
SELECT count(*) > 0 AS repeatable_sample_works
FROM customer_analytics.kpis('SELECT * FROM h_orders TABLESAMPLE BERNOULLI (50) REPEATABLE (7)');

-- 2. A hostile schema first in the search_path: look-alikes of everything the generated SQL
-- uses. Each writes to a canary table when called; none may run, and results must not change.
CREATE TABLE h_canary (what text);
CREATE SCHEMA evil;
CREATE FUNCTION evil.timezone(text, timestamptz) RETURNS timestamp LANGUAGE plpgsql AS
$$BEGIN INSERT INTO h_canary VALUES ('timezone'); RETURN $2::timestamp + interval '10 years'; END$$;
CREATE FUNCTION evil.isfinite(timestamptz) RETURNS boolean LANGUAGE plpgsql AS
$$BEGIN INSERT INTO h_canary VALUES ('isfinite'); RETURN true; END$$;
CREATE FUNCTION evil.trim_scale(numeric) RETURNS numeric LANGUAGE plpgsql AS
$$BEGIN INSERT INTO h_canary VALUES ('trim_scale'); RETURN $1; END$$;
CREATE FUNCTION evil.h_max_step(timestamp, timestamp) RETURNS timestamp LANGUAGE plpgsql AS
$$BEGIN INSERT INTO h_canary VALUES ('max'); RETURN greatest($1, $2); END$$;
CREATE AGGREGATE evil.max(timestamp) (SFUNC = evil.h_max_step, STYPE = timestamp);
CREATE FUNCTION evil.h_sum_step(numeric, numeric) RETURNS numeric LANGUAGE plpgsql AS
$$BEGIN INSERT INTO h_canary VALUES ('sum'); RETURN coalesce($1, 0) + $2; END$$;
CREATE AGGREGATE evil.sum(numeric) (SFUNC = evil.h_sum_step, STYPE = numeric);
CREATE FUNCTION evil.h_count_step(bigint) RETURNS bigint LANGUAGE plpgsql AS
$$BEGIN INSERT INTO h_canary VALUES ('count'); RETURN $1 + 1; END$$;
CREATE AGGREGATE evil.count(*) (SFUNC = evil.h_count_step, STYPE = bigint, INITCOND = '0');
CREATE FUNCTION evil.h_lt(timestamp, timestamp) RETURNS boolean LANGUAGE plpgsql AS
$$BEGIN INSERT INTO h_canary VALUES ('<'); RETURN $1 OPERATOR(pg_catalog.<) $2; END$$;
CREATE OPERATOR evil.< (LEFTARG = timestamp, RIGHTARG = timestamp, FUNCTION = evil.h_lt);
CREATE OPERATOR evil.<= (LEFTARG = timestamp, RIGHTARG = timestamp, FUNCTION = evil.h_lt);
CREATE TABLE h_lines AS
SELECT customer_id, (row_number() OVER ())::int / 3 AS order_id, ordered_at, amount,
       customer_id::numeric(10, 2) AS numeric_id
FROM h_orders;
-- Every function's result over the same orders, as one digest per function.
CREATE FUNCTION pg_temp.h_digests() RETURNS TABLE (f text, digest text) LANGUAGE sql AS $f$
SELECT 'kpis' AS f, md5(string_agg(k::text, ',' ORDER BY k::text)) AS digest
FROM customer_analytics.kpis('SELECT customer_id, order_id, ordered_at, amount FROM h_lines', time_zone => 'Asia/Kolkata') k
UNION ALL
SELECT 'retention', md5(string_agg(r::text, ',' ORDER BY r::text))
FROM customer_analytics.retention('SELECT customer_id, order_id, ordered_at, amount FROM h_lines',
               end_at => '2011-06-01') r
UNION ALL
SELECT 'cohort_retention', md5(string_agg(c::text, ',' ORDER BY c::text))
FROM customer_analytics.cohort_retention('SELECT numeric_id AS customer_id, ordered_at, amount FROM h_lines', 'quarter') c
UNION ALL
SELECT 'rfm', md5(string_agg(r::text, ',' ORDER BY r::text))
FROM customer_analytics.rfm(NULL::text, 'SELECT customer_id, order_id, ordered_at, amount FROM h_lines', as_of => '2011-06-01') r
$f$;
CREATE TEMP TABLE h_expected AS SELECT * FROM pg_temp.h_digests();
SET search_path = evil, pg_catalog, public;
CREATE TEMP TABLE h_hostile AS SELECT * FROM pg_temp.h_digests();
RESET search_path;
SELECT e.f, e.digest = h.digest AS same_result FROM h_expected e JOIN h_hostile h USING (f) ORDER BY f;
SELECT count(*) AS hostile_calls FROM h_canary;
-- The hostile objects do work when called by name (so the canary would have caught them).
SET search_path = evil, pg_catalog, public;
SELECT count(*) FROM (SELECT max(ordered_at::timestamp) FROM h_orders) s;
RESET search_path;
SELECT count(*) > 0 AS canary_works FROM h_canary;
TRUNCATE h_canary;

-- 3. Text that closes the wrapper's parenthesis and appends statements: refused (42601) before
-- anything runs; the sequence does not move.
CREATE SEQUENCE h_injected;
SELECT f, pg_temp.outcome(format('SELECT count(*) FROM customer_analytics.%s(%s%L)', f, CASE f WHEN 'rfm' THEN 'NULL::text, ' ELSE '' END,
    'SELECT * FROM h_orders) AS x; SELECT nextval(''h_injected''); SELECT * FROM (SELECT * FROM h_orders'))
FROM unnest(ARRAY['rfm', 'retention', 'cohort_retention', 'kpis']) f;
SELECT pg_temp.outcome($$SELECT count(*) FROM customer_analytics.rfm(NULL::text, 'SELECT * FROM h_orders; SELECT 1')$$);
SELECT pg_temp.outcome($$SELECT count(*) FROM customer_analytics.rfm(NULL::text, 'TABLE h_orders',
    segments_sql => 'SELECT * FROM customer_analytics.rfm_default_segments()) s; SELECT nextval(''h_injected''); SELECT * FROM (SELECT 1')$$);
SELECT pg_temp.outcome($$SELECT count(*) FROM customer_analytics.rfm(NULL::text, 'INSERT INTO h_orders VALUES (1, now(), 1) RETURNING *')$$);
SELECT last_value, is_called FROM h_injected;
-- One statement with a trailing semicolon and a comment is still one query.
SELECT count(*) > 0 AS one_query FROM customer_analytics.rfm(NULL::text, 'SELECT * FROM h_orders; -- all of them');

-- 4. Sums are checked: 200 amounts of 9.99e27 cannot be summed exactly (22000), never wrapped.
CREATE TABLE h_huge AS SELECT 1 AS customer_id, timestamptz '2010-01-01' + g * interval '1 hour' AS ordered_at,
    9.99e27::numeric AS amount FROM generate_series(1, 200) g;
SELECT f, pg_temp.outcome(format('SELECT count(*) FROM customer_analytics.%s(%s%L)', f, CASE f WHEN 'rfm' THEN 'NULL::text, ' ELSE '' END, 'TABLE h_huge'))
FROM unnest(ARRAY['rfm', 'kpis', 'cohort_retention']) f;
SELECT pg_temp.outcome($$SELECT customer_analytics.rfm_summary(ordered_at, amount, NULL) FROM h_huge$$);

-- 5. Values are passed as values: DateStyle and TimeZone abbreviations cannot change a result.
-- Order 1's lines straddle as_of (one line 30 minutes before, one 30 minutes after).
CREATE TABLE h_straddle (customer_id int, order_id int, ordered_at timestamptz, amount numeric);
INSERT INTO h_straddle VALUES (1, 1, '2020-06-01 11:30+05:30', 10), (1, 1, '2020-06-01 12:30+05:30', 5),
                              (2, 2, '2020-05-01 12:00+05:30', 7);
SET DateStyle = 'SQL, DMY';
SET TimeZone = 'Asia/Kolkata';
SELECT customer_id, frequency, monetary
FROM customer_analytics.rfm(NULL::text, 'TABLE h_straddle', as_of => '2020-06-01 12:00+05:30') ORDER BY customer_id;
SELECT period_start, orders, revenue
FROM customer_analytics.kpis('SELECT * FROM h_straddle WHERE ordered_at < ''2020-06-01 12:00+05:30''', 'day')
WHERE orders > 0;
SELECT period_start, e_end
FROM customer_analytics.retention('TABLE h_straddle', 'day', end_at => '2020-06-01 12:00+05:30')
WHERE period_start >= '2020-05-31';
RESET DateStyle;
SET TimeZone = 'UTC';

-- 6. Dates after the timestamp range (294276 AD) are an error (22008), not an overflow.
CREATE TABLE h_far (customer_id int, ordered_at date, amount numeric);
INSERT INTO h_far VALUES (1, '2010-01-01', 10), (1, '300000-01-01', 10);
SELECT f, pg_temp.outcome(format('SELECT count(*) FROM customer_analytics.%s(%s%L)', f, CASE f WHEN 'rfm' THEN 'NULL::text, ' ELSE '' END, 'TABLE h_far'))
FROM unnest(ARRAY['rfm', 'retention', 'cohort_retention', 'kpis']) f;
-- The last representable day works.
SELECT count(*) FROM customer_analytics.kpis($$SELECT 1 AS customer_id, date '294276-12-31' AS ordered_at, 1 AS amount$$, 'year');

-- 7. rfm_summary: infinite order times are left out like NULL ones; an infinite as_of is 22023.
SELECT (customer_analytics.rfm_summary(t, 10, '2020-01-10')).*
FROM (VALUES (timestamptz '2020-01-01'), ('infinity'), ('-infinity')) v(t);
SELECT pg_temp.outcome($$SELECT customer_analytics.rfm_summary(now(), 10, 'infinity')$$);

-- 8. Arguments: an unknown time zone is 22023 whatever the input; float amounts of 10^28 or more
-- are 22003 like numeric ones; 2-D breaks are 22023.
SELECT pg_temp.outcome($$SELECT count(*) FROM customer_analytics.kpis('SELECT 1 AS customer_id, date ''2020-01-01'' AS ordered_at, 1 AS amount', time_zone => 'Mars/Olympus')$$);
SELECT pg_temp.outcome($$SELECT count(*) FROM customer_analytics.cohort_retention('SELECT 1 AS customer_id, now() AS ordered_at, 1 AS amount WHERE false', time_zone => 'Mars/Olympus')$$);
SELECT pg_temp.outcome($$SELECT count(*) FROM customer_analytics.retention('SELECT 1 AS customer_id, localtimestamp AS ordered_at, 1 AS amount', time_zone => 'nowhere')$$);
SELECT pg_temp.outcome($$SELECT count(*) FROM customer_analytics.rfm(NULL::text, 'SELECT 1 AS customer_id, now() AS ordered_at, 5e28::float8 AS amount')$$);
SELECT pg_temp.outcome($$SELECT count(*) FROM customer_analytics.rfm(NULL::text, 'SELECT 1 AS customer_id, now() AS ordered_at, 1e28::float8 AS amount')$$);
SELECT pg_temp.outcome($$SELECT count(*) FROM customer_analytics.rfm(NULL::text, 'TABLE h_orders', method => 'fixed',
    r_breaks => '{{1,2},{3,4}}', f_breaks => '{1}', m_breaks => '{1}')$$);

-- 9. A window longer than the calendar means "every earlier buyer is active": the same as none.
SELECT count(*) AS differing_rows FROM (
    (SELECT * FROM customer_analytics.retention('TABLE h_orders', 'month', active_window => '100000 years')
     EXCEPT SELECT * FROM customer_analytics.retention('TABLE h_orders', 'month', active_window => NULL))
    UNION ALL
    (SELECT * FROM customer_analytics.retention('TABLE h_orders', 'month', active_window => NULL)
     EXCEPT SELECT * FROM customer_analytics.retention('TABLE h_orders', 'month', active_window => '100000 years'))) d;

-- 10. A huge range fails at once (22023), before anything is computed per period.
SET statement_timeout = '5s';
SELECT pg_temp.outcome($$SELECT count(*) FROM customer_analytics.retention('TABLE h_orders', 'day',
    start_at => '0001-01-01', end_at => '200000-01-01')$$);
RESET statement_timeout;
-- Two orders 25 years apart by day: period retention and KPIs need no cohort matrix.
SET customer_analytics.memory_limit = '64MB';
SELECT count(*) FROM customer_analytics.kpis($$SELECT * FROM (VALUES (1, timestamptz '2000-01-01', 1), (2, '2025-01-01', 1)) AS v(customer_id, ordered_at, amount)$$, 'day');
SELECT count(*) FROM customer_analytics.retention($$SELECT * FROM (VALUES (1, timestamptz '2000-01-01', 1), (2, '2025-01-01', 1)) AS v(customer_id, ordered_at, amount)$$, 'day');
RESET customer_analytics.memory_limit;

-- 11. Numeric ids that differ only in trailing zeros are one customer, with or without order_id.
SELECT customer_id, frequency
FROM customer_analytics.rfm(NULL::text, $$SELECT * FROM (VALUES (1.0, 1, timestamptz '2020-01-01', 5), (1.00, 2, '2020-01-02', 5)) AS v(customer_id, order_id, ordered_at, amount)$$);
SELECT customer_id, frequency
FROM customer_analytics.rfm(NULL::text, $$SELECT * FROM (VALUES (1.0, timestamptz '2020-01-01', 5), (1.00, '2020-01-02', 5)) AS v(customer_id, ordered_at, amount)$$);

-- 12. ntile on text ids breaks ties in the order ORDER BY customer_id gives, in the id's collation
-- (sorted by sort keys, checked pair by pair against PostgreSQL's comparison); NTILE in SQL is the
-- oracle. Few distinct values, so nearly everything is a tie.
CREATE TABLE h_text AS
SELECT (ARRAY['a', 'B', 'b', 'Ä', 'z', 'Z', 'é', 'e', '_x', '10', '9', 'cust-', ' a'])[1 + g % 13]
       || (g % 41)::text AS customer_id,
       timestamptz '2020-01-01' + (g % 3) * interval '1 day' AS ordered_at, (g % 2 + 1)::numeric AS amount
FROM generate_series(1, 2000) g;
CREATE FUNCTION pg_temp.h_ntile_mismatches(coll text) RETURNS bigint LANGUAGE plpgsql AS $f$
DECLARE
    ids text := format('SELECT customer_id COLLATE %I AS customer_id, ordered_at, amount FROM h_text', coll);
    n bigint;
BEGIN
    EXECUTE format($q$
        SELECT count(*) FROM customer_analytics.rfm(NULL::text, %L, method => 'ntile') t
        JOIN (SELECT customer_id,
                     ntile(5) OVER (ORDER BY recency_days DESC, customer_id) AS r,
                     ntile(5) OVER (ORDER BY frequency, customer_id) AS f,
                     ntile(5) OVER (ORDER BY monetary, customer_id) AS m
              FROM (SELECT customer_id, count(*) AS frequency, sum(amount) AS monetary,
                           date '2020-01-04' - max(ordered_at)::date AS recency_days
                    FROM (%s) s GROUP BY customer_id) a) o
          ON o.customer_id = t.customer_id
        WHERE (t.r_score, t.f_score, t.m_score) IS DISTINCT FROM (o.r, o.f, o.m)$q$, ids, ids)
    INTO n;
    RETURN n;
END $f$;
SET TimeZone = 'UTC';
SELECT c AS collation, pg_temp.h_ntile_mismatches(c) AS mismatches
FROM unnest(ARRAY['default', 'C', 'POSIX']) c ORDER BY c;
SELECT count(*) AS customers FROM customer_analytics.rfm(NULL::text, 'TABLE h_text', method => 'ntile');

-- 13. A period with only returns (before the first or after the last purchase) is a row: the
-- revenue of every order is in some row, so the rows add up to the total.
CREATE TABLE h_returns (customer_id int, ordered_at timestamptz, amount numeric);
INSERT INTO h_returns VALUES (1, '2023-12-20', -4), (1, '2024-01-05', 30), (2, '2024-01-06', 20),
                             (2, '2024-02-10', -5), (1, '2024-03-01', -2.5);
SELECT period_start, orders, revenue, active_customers FROM customer_analytics.kpis('TABLE h_returns') ORDER BY 1;
SELECT (SELECT sum(revenue) FROM customer_analytics.kpis('TABLE h_returns')) = (SELECT sum(amount) FROM h_returns) AS kpis_add_up,
       (SELECT sum(revenue) FROM customer_analytics.cohort_retention('TABLE h_returns', 'week')) AS cohort_revenue;
SELECT period_start, s_start, n_new, e_end FROM customer_analytics.retention('TABLE h_returns') ORDER BY 1;

-- 14. A bare table name is read as TABLE name (schema-qualified and quoted names too); anything
-- else that is not one SELECT says what is expected.
CREATE SCHEMA h_sales;
CREATE TABLE h_sales."Orders" AS TABLE h_orders;
SELECT (SELECT count(*) FROM customer_analytics.rfm(NULL::text, 'h_orders')) = (SELECT count(*) FROM customer_analytics.rfm(NULL::text, 'TABLE h_orders')) AS bare_name,
       (SELECT count(*) FROM customer_analytics.kpis(' h_sales."Orders"; ')) = (SELECT count(*) FROM customer_analytics.kpis('TABLE h_orders')) AS qualified_name;
SELECT pg_temp.outcome($$SELECT count(*) FROM customer_analytics.rfm(NULL::text, 'h_orders x')$$);
SELECT pg_temp.outcome($$SELECT count(*) FROM customer_analytics.rfm(NULL::text, 'no_such_table')$$);
SELECT count(*) FROM customer_analytics.rfm(NULL::text, 'UPDATE h_orders SET amount = 0');

-- 15. With an empty search_path (as pg_dump and pg_restore run) an unqualified table is not
-- found; the error says why. A qualified one works.
SET search_path = '';
SELECT count(*) FROM customer_analytics.rfm(NULL::text, 'h_orders');
SELECT count(*) > 0 AS qualified_works FROM customer_analytics.rfm(NULL::text, 'public.h_orders');
RESET search_path;

-- 16. Pareto/NBD scales beyond the double range (alpha 1e-300, beta 1e300) put the quadrature's
-- interval at infinity, where Boost's own evaluation error surfaced as an internal error (XX000).
-- Now 22000, like every prediction that double precision cannot hold.
SELECT pg_temp.outcome($$SELECT customer_analytics.pareto_nbd_expected_purchases(
    ROW(0.55, 1e-300, 1e300, 1e300, NULL, NULL, NULL, NULL, NULL)::customer_analytics.pareto_nbd_model,
    1e15, 0, 0, 2147483648)$$);
