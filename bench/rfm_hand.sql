-- Contender (b) of bench/rfm.sh: RFM the way a careful analyst writes it in plain SQL.
-- One row per customer (GROUP BY), quintiles with NTILE(5) window functions, then the default
-- segment map (R package rfm's, as rfm_default_segments() returns it) as a CASE, first match wins.
-- Recency counts days up to the day after the latest order, like rfm() without as_of.
-- bench/rfm.sh runs this file's text inside SELECT count(*) FROM (...), so: one statement, no
-- trailing semicolon.
WITH per_customer AS (
    SELECT customer_id,
           max(ordered_at) AS last_order,
           count(*)        AS frequency,
           sum(amount)     AS monetary
    FROM bench_orders
    WHERE customer_id IS NOT NULL
    GROUP BY customer_id
), with_recency AS (
    SELECT customer_id,
           (max(last_order) OVER ())::date + 1 - last_order::date AS recency,
           frequency,
           monetary
    FROM per_customer
), scored AS (
    SELECT customer_id, recency, frequency, monetary,
           ntile(5) OVER (ORDER BY recency DESC) AS r,
           ntile(5) OVER (ORDER BY frequency)    AS f,
           ntile(5) OVER (ORDER BY monetary)     AS m
    FROM with_recency
)
SELECT customer_id, recency, frequency, monetary, r, f, m,
       r::text || f::text || m::text AS rfm_cell,
       CASE
           WHEN r = 5 AND f = 5 AND m = 5                                     THEN 'Champions'
           WHEN r BETWEEN 3 AND 5 AND f BETWEEN 3 AND 5 AND m BETWEEN 2 AND 5 THEN 'Potential Loyalist'
           WHEN r BETWEEN 2 AND 4 AND f BETWEEN 2 AND 4 AND m BETWEEN 2 AND 4 THEN 'Loyal Customers'
           WHEN r BETWEEN 3 AND 4 AND f BETWEEN 1 AND 3 AND m BETWEEN 3 AND 5 THEN 'Promising'
           WHEN r BETWEEN 4 AND 5 AND f BETWEEN 1 AND 3 AND m BETWEEN 1 AND 5 THEN 'New Customers'
           WHEN r BETWEEN 1 AND 2 AND f BETWEEN 3 AND 4 AND m BETWEEN 4 AND 5 THEN 'Can''t Lose Them'
           WHEN r BETWEEN 1 AND 2 AND f BETWEEN 2 AND 5 AND m BETWEEN 4 AND 5 THEN 'At Risk'
           WHEN r BETWEEN 1 AND 3 AND f BETWEEN 3 AND 5 AND m BETWEEN 3 AND 5 THEN 'Need Attention'
           WHEN r BETWEEN 2 AND 3 AND f BETWEEN 1 AND 3 AND m BETWEEN 1 AND 4 THEN 'About To Sleep'
           WHEN r = 1 AND f BETWEEN 1 AND 5 AND m BETWEEN 1 AND 5             THEN 'Lost'
           ELSE 'Others'
       END AS segment
FROM scored
