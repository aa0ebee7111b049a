-- An independent plain-SQL formulation of docs/rfm.md's quantile method (bins = 5, default as_of,
-- default segment map), included by the regression tests with \i. Input: a relation
-- oracle_input(customer_id, order_id, ordered_at, amount) of order lines (order_id may repeat);
-- output: a temporary table rfm_oracle with rfm()'s columns.
--
-- An order is an order_id of a customer; its time is its latest line, its amount the net sum of its
-- lines; a purchase is an order with a positive amount. Frequency counts purchases, recency is
-- calendar days from the last purchase to as_of (the day after the latest line of a known
-- customer), monetary is the net sum of all the customer's lines. A score is
-- 1 + floor(5 * (number of customers strictly worse) / customers).
CREATE TEMP TABLE rfm_oracle AS
WITH orders AS (
    SELECT customer_id, order_id, max(ordered_at) AS at, sum(amount) AS amount
    FROM oracle_input
    WHERE customer_id IS NOT NULL AND order_id IS NOT NULL AND ordered_at IS NOT NULL AND amount IS NOT NULL
    GROUP BY customer_id, order_id),
as_of AS (
    SELECT max(ordered_at)::date + 1 AS day FROM oracle_input
    WHERE customer_id IS NOT NULL AND amount IS NOT NULL),
customers AS (
    SELECT customer_id,
           (SELECT day FROM as_of) - (max(at) FILTER (WHERE amount > 0))::date AS recency_days,
           count(*) FILTER (WHERE amount > 0) AS frequency,
           sum(amount) AS monetary
    FROM orders GROUP BY customer_id
    HAVING count(*) FILTER (WHERE amount > 0) > 0),
ranked AS (
    SELECT *, count(*) OVER () AS n,
           rank() OVER (ORDER BY recency_days DESC) - 1 AS r_worse,
           rank() OVER (ORDER BY frequency) - 1 AS f_worse,
           rank() OVER (ORDER BY monetary) - 1 AS m_worse
    FROM customers),
scored AS (
    SELECT customer_id::text AS customer_id, recency_days, frequency, monetary,
           (1 + 5 * r_worse / n)::int AS r_score, (1 + 5 * f_worse / n)::int AS f_score,
           (1 + 5 * m_worse / n)::int AS m_score
    FROM ranked)
SELECT *, r_score::text || f_score || m_score AS rfm_cell,
       CASE WHEN r_score = 5 AND f_score = 5 AND m_score = 5 THEN 'Champions'
            WHEN r_score BETWEEN 3 AND 5 AND f_score BETWEEN 3 AND 5 AND m_score BETWEEN 2 AND 5 THEN 'Potential Loyalist'
            WHEN r_score BETWEEN 2 AND 4 AND f_score BETWEEN 2 AND 4 AND m_score BETWEEN 2 AND 4 THEN 'Loyal Customers'
            WHEN r_score BETWEEN 3 AND 4 AND f_score BETWEEN 1 AND 3 AND m_score BETWEEN 3 AND 5 THEN 'Promising'
            WHEN r_score BETWEEN 4 AND 5 AND f_score BETWEEN 1 AND 3 AND m_score BETWEEN 1 AND 5 THEN 'New Customers'
            WHEN r_score BETWEEN 1 AND 2 AND f_score BETWEEN 3 AND 4 AND m_score BETWEEN 4 AND 5 THEN 'Can''t Lose Them'
            WHEN r_score BETWEEN 1 AND 2 AND f_score BETWEEN 2 AND 5 AND m_score BETWEEN 4 AND 5 THEN 'At Risk'
            WHEN r_score BETWEEN 1 AND 3 AND f_score BETWEEN 3 AND 5 AND m_score BETWEEN 3 AND 5 THEN 'Need Attention'
            WHEN r_score BETWEEN 2 AND 3 AND f_score BETWEEN 1 AND 3 AND m_score BETWEEN 1 AND 4 THEN 'About To Sleep'
            WHEN r_score = 1 AND f_score BETWEEN 1 AND 5 AND m_score BETWEEN 1 AND 5 THEN 'Lost'
            ELSE 'Others' END AS segment
FROM scored;
