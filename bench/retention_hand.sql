-- Contender "hand_retention" of bench/retention.sh: monthly period retention with a 365-day
-- activity window, the way a careful analyst writes it in plain SQL, with retention()'s
-- definitions (docs/retention.md):
--   s_start  customers active at the month's start b: with a purchase (amount > 0) in
--            [b - 365 days, b);
--   n_new    customers whose first purchase ever is in the month;
--   e_end    customers active at the next month's start;
--   retained, reactivated: customers who purchased in the month and were active at its start /
--            were neither active at its start nor new.
-- One row per month from the first to the last month with an order (returns included).
--
-- How: per customer and month with a purchase, the latest purchase in that month (the others of
-- the month cannot keep the customer active any longer). A purchase at t makes the customer
-- active at the month starts b with t < b <= t + 365 days, so the month row m covers the starts
-- from m + 1 month to date_trunc('month', last purchase + 365 days); the starts after the
-- customer's next purchase month belong to that month's row. Those disjoint spans become +1/-1
-- events whose running sum over the months is the number of active customers at each start.
-- bench/retention.sh runs this file's text inside SELECT count(t) FROM (...) t, so: one statement,
-- no trailing semicolon.
WITH purchase_months AS (
    SELECT customer_id,
           date_trunc('month', ordered_at) AS month,
           max(ordered_at)                 AS last_at
    FROM bench_orders
    WHERE customer_id IS NOT NULL AND amount > 0
    GROUP BY customer_id, date_trunc('month', ordered_at)
), spans AS (
    SELECT customer_id,
           month,
           month + interval '1 month' AS active_from,
           -- the last month start at which this month's purchases still keep the customer active,
           -- up to the next purchase month (whose own row takes over from there)
           least(date_trunc('month', last_at + interval '365 days'),
                 lead(month) OVER w)  AS active_to,
           -- previous purchase month's coverage: was the customer active at this month's start?
           lag(date_trunc('month', last_at + interval '365 days')) OVER w AS prev_active_to,
           row_number() OVER w = 1    AS is_first
    FROM purchase_months
    WINDOW w AS (PARTITION BY customer_id ORDER BY month)
), months AS (
    -- the month starts from the first to the month after the last order, returns included
    SELECT generate_series(date_trunc('month', min(ordered_at)),
                           date_trunc('month', max(ordered_at)) + interval '1 month',
                           interval '1 month') AS b
    FROM bench_orders
    WHERE customer_id IS NOT NULL AND amount IS NOT NULL
), events AS (
    SELECT at, sum(delta) AS delta
    FROM (SELECT active_from AS at, 1 AS delta FROM spans
          UNION ALL
          SELECT active_to + interval '1 month', -1 FROM spans) e
    GROUP BY at
), active AS (
    SELECT m.b, sum(coalesce(e.delta, 0)) OVER (ORDER BY m.b) AS active
    FROM months m
    LEFT JOIN events e ON e.at = m.b
), buyers AS (
    SELECT month,
           count(*) FILTER (WHERE is_first)                                     AS n_new,
           count(*) FILTER (WHERE NOT is_first AND prev_active_to >= month)     AS retained,
           count(*) FILTER (WHERE NOT is_first AND prev_active_to < month)      AS reactivated
    FROM spans
    GROUP BY month
), per_month AS (
    SELECT a.b                          AS period_start,
           a.active                     AS s_start,
           coalesce(n.n_new, 0)         AS n_new,
           lead(a.active) OVER (ORDER BY a.b) AS e_end,
           coalesce(n.retained, 0)      AS retained,
           coalesce(n.reactivated, 0)   AS reactivated
    FROM active a
    LEFT JOIN buyers n ON n.month = a.b
)
SELECT period_start::date AS period_start,
       s_start::bigint    AS s_start,
       n_new,
       e_end::bigint      AS e_end,
       round(100.0 * (e_end - n_new) / nullif(s_start, 0), 2)     AS retention_rate,
       retained,
       round(100.0 * retained / nullif(s_start, 0), 2)             AS strict_retention,
       reactivated,
       (s_start - retained)::bigint                                AS churned,
       round(100.0 * (s_start - retained) / nullif(s_start, 0), 2) AS churn_rate
FROM per_month
WHERE e_end IS NOT NULL
