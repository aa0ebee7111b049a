-- The rfm_summary(ordered_at, amount, as_of) aggregate: values against plain aggregates, NULL
-- handling, and a parallel plan (Partial/Finalize Aggregate through serialize/combine).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS customer_analytics;
RESET client_min_messages;
SET TimeZone = 'UTC';

CREATE TABLE summary_orders (customer_id bigint, ordered_at timestamptz, amount numeric);
\copy summary_orders (customer_id, ordered_at, amount) FROM PROGRAM 'tools/ca_generate_orders --customers 5000 --orders 200000 --seed 7 2>/dev/null | cut -d, -f2-' WITH (FORMAT csv)
ANALYZE summary_orders;

-- Against plain aggregates of the same definitions (purchases: amount > 0; monetary: net sum).
CREATE TEMP TABLE summary_plain AS
SELECT customer_id,
       min(ordered_at) FILTER (WHERE amount > 0) AS first_order,
       max(ordered_at) FILTER (WHERE amount > 0) AS last_order,
       date '2024-01-01' - (max(ordered_at) FILTER (WHERE amount > 0))::date AS recency_days,
       count(*) FILTER (WHERE amount > 0) AS frequency,
       sum(amount) AS monetary
FROM summary_orders GROUP BY customer_id;
SELECT count(*) AS customers,
       count(*) FILTER (WHERE (s.r).first_order IS DISTINCT FROM p.first_order
                           OR (s.r).last_order IS DISTINCT FROM p.last_order
                           OR (s.r).recency_days IS DISTINCT FROM p.recency_days
                           OR (s.r).frequency <> p.frequency
                           OR (s.r).monetary <> p.monetary) AS mismatches
FROM (SELECT customer_id, customer_analytics.rfm_summary(ordered_at, amount, '2024-01-01') AS r
      FROM summary_orders GROUP BY customer_id) AS s
JOIN summary_plain AS p USING (customer_id);

-- A parallel plan really runs: partial states are serialized in the workers and combined.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT customer_id % 10 AS bucket, customer_analytics.rfm_summary(ordered_at, amount, '2024-01-01')
FROM summary_orders GROUP BY 1;
CREATE TEMP TABLE summary_parallel AS
SELECT customer_id % 10 AS bucket, customer_analytics.rfm_summary(ordered_at, amount, '2024-01-01') AS r
FROM summary_orders GROUP BY 1;
RESET parallel_leader_participation;
RESET max_parallel_workers_per_gather;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
SET max_parallel_workers_per_gather = 0;
SELECT count(*) AS buckets,
       count(*) FILTER (WHERE (p.r).first_order IS DISTINCT FROM q.first_order
                           OR (p.r).last_order IS DISTINCT FROM q.last_order
                           OR (p.r).frequency <> q.frequency
                           OR (p.r).monetary <> q.monetary) AS mismatches
FROM summary_parallel AS p
JOIN (SELECT customer_id % 10 AS bucket,
             min(ordered_at) FILTER (WHERE amount > 0) AS first_order,
             max(ordered_at) FILTER (WHERE amount > 0) AS last_order,
             count(*) FILTER (WHERE amount > 0) AS frequency, sum(amount) AS monetary
      FROM summary_orders GROUP BY 1) AS q USING (bucket);
RESET max_parallel_workers_per_gather;

-- NULLs, returns, as_of: rows with a NULL time or amount are left out; rows after as_of too; a
-- group without a purchase has no first/last order and no recency; no rows at all gives NULL.
SELECT g, (customer_analytics.rfm_summary(t, a, as_of)).*
FROM (VALUES (1, timestamptz '2024-01-05', 10::numeric, timestamptz '2024-02-01'),
             (1, '2024-01-20', -4, '2024-02-01'),
             (1, NULL, 99, '2024-02-01'),
             (1, '2024-01-25', NULL, '2024-02-01'),
             (1, '2024-03-01', 50, '2024-02-01'),
             (2, '2024-01-10', -7, '2024-02-01'),
             (3, NULL, NULL, '2024-02-01'),
             (4, '2024-01-10', 5, NULL)) AS v(g, t, a, as_of)
GROUP BY g ORDER BY g;
SELECT customer_analytics.rfm_summary(ordered_at, amount, now()) IS NULL AS empty_is_null FROM summary_orders WHERE false;

-- Dates and timestamps are accepted through their casts to timestamptz.
SELECT (customer_analytics.rfm_summary(d, 10, date '2024-01-31')).recency_days
FROM (VALUES (date '2024-01-01'), (date '2024-01-15')) AS v(d);
RESET TimeZone;

-- The deserialize function reads bytes from other processes and must never trust them. SQL cannot
-- feed it a corrupted or truncated bytea: its second argument is of type internal, of which SQL
-- can write no value, not even NULL. Malformed bytes are therefore tested against the core's
-- Deserialize (test/test_customer_summary.cpp: every truncation, wrong versions, inconsistent
-- fields, random bytes).
SELECT customer_analytics.rfm_summary_deserialfn('\x01'::bytea, NULL::internal);
SELECT customer_analytics.rfm_summary_deserialfn('\x01'::bytea, NULL);
