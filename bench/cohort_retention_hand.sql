-- Contender "hand" of bench/retention.sh: the monthly cohort matrix the way a careful analyst
-- writes it in plain SQL. A customer's cohort is the month of their first purchase (an order with
-- a positive amount; returns do not make anyone a customer); for each cohort and each later month
-- with a purchase, the number of distinct customers of the cohort who purchased in it, and the
-- cohort sizes joined in for the retention percentage. Like cohort_retention()'s cohort,
-- period_offset, cohort_size, active_customers and retention columns, except that cells without
-- any activity are absent instead of 0, and there is no revenue column.
-- bench/retention.sh runs this file's text inside SELECT count(t) FROM (...) t, so: one statement,
-- no trailing semicolon.
WITH first_purchase AS (
    SELECT customer_id, min(ordered_at) AS first_at
    FROM bench_orders
    WHERE customer_id IS NOT NULL AND amount > 0
    GROUP BY customer_id
), cohorts AS (
    SELECT customer_id, date_trunc('month', first_at) AS cohort
    FROM first_purchase
), cohort_sizes AS (
    SELECT cohort, count(*) AS cohort_size
    FROM cohorts
    GROUP BY cohort
), activity AS (
    SELECT c.cohort,
           date_trunc('month', o.ordered_at) AS month,
           count(DISTINCT o.customer_id)     AS active_customers
    FROM bench_orders o
    JOIN cohorts c USING (customer_id)
    WHERE o.amount > 0
    GROUP BY c.cohort, date_trunc('month', o.ordered_at)
)
SELECT a.cohort::date                                                              AS cohort,
       ((extract(year FROM a.month) - extract(year FROM a.cohort)) * 12
        + extract(month FROM a.month) - extract(month FROM a.cohort))::int         AS period_offset,
       s.cohort_size,
       a.active_customers,
       round(100.0 * a.active_customers / s.cohort_size, 2)                        AS retention
FROM activity a
JOIN cohort_sizes s USING (cohort)
