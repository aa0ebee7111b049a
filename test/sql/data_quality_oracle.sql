-- The checks of order_data_quality() and basket_data_quality() written in plain SQL from
-- docs/data-quality.md, independent of the extension. Included with \i by the regression tests.
-- Input: the view dq_input(customer_id, ordered_at timestamp, amount, order_id), the table
-- dq_params(as_of timestamptz) and the view dq_items(order_id, item, quantity); text ids carry
-- COLLATE "C" (examples are the smallest ids by their bytes). Output: the views dq_order_oracle
-- and dq_basket_oracle ("check", rows, share, example).
CREATE TEMP VIEW dq_order_oracle AS
WITH t AS (
    -- An infinite ordered_at reads as a missing one.
    SELECT customer_id, CASE WHEN isfinite(ordered_at) THEN ordered_at END AS ordered_at, amount, order_id
    FROM dq_input),
total AS (SELECT count(*) AS n FROM t),
fences AS (
    SELECT q1, q3, greatest(q3 - q1, ln(2::float8)) AS w
    FROM (SELECT percentile_cont(0.25) WITHIN GROUP (ORDER BY ln(amount::float8)) AS q1,
                 percentile_cont(0.75) WITHIN GROUP (ORDER BY ln(amount::float8)) AS q3
          FROM t WHERE amount > 0) s),
flags AS (
    SELECT t.*,
           'ordered_at ' || coalesce(to_char(ordered_at, 'YYYY-MM-DD HH24:MI:SS'), 'null') ||
           ', amount ' || coalesce(trim_scale(amount)::text, 'null') AS row_text,
           ARRAY[customer_id IS NULL, ordered_at IS NULL, amount IS NULL, amount = 0, amount < 0,
                 ordered_at > (SELECT as_of FROM dq_params)::timestamp] AS f
    FROM t),
checks(pos, name, i) AS (VALUES (2, 'null customer_id', 1), (3, 'null ordered_at', 2), (4, 'null amount', 3),
                                (5, 'zero amount', 4), (6, 'negative amount', 5), (8, 'ordered after as_of', 6)),
simple AS (
    SELECT c.pos, c.name AS "check", count(fl.*) AS rows,
           coalesce(min(fl.order_id)::text, min(fl.customer_id)::text,
                    (array_agg(fl.row_text ORDER BY fl.ordered_at NULLS LAST, fl.amount NULLS LAST)
                        FILTER (WHERE fl.order_id IS NULL AND fl.customer_id IS NULL))[1]) AS example
    FROM checks c LEFT JOIN flags fl ON coalesce(fl.f[c.i], false)
    GROUP BY c.pos, c.name),
copies AS (
    SELECT customer_id, order_id, count(*) AS n FROM dq_input
    GROUP BY customer_id, ordered_at, amount, order_id),
duplicates AS (
    SELECT 7 AS pos, 'duplicate rows' AS "check", coalesce(sum(n - 1), 0)::bigint AS rows,
           coalesce(min(order_id) FILTER (WHERE n > 1)::text, min(customer_id) FILTER (WHERE n > 1)::text) AS example
    FROM copies),
outlying AS (
    SELECT t.* FROM t, fences
    WHERE amount > 0 AND (ln(amount::float8) < q1 - 3 * w OR ln(amount::float8) > q3 + 3 * w)),
outliers AS (
    -- The example: the order of the largest amount when it is an outlier, else of the smallest.
    SELECT 9 AS pos, 'amount outliers' AS "check", (SELECT count(*) FROM outlying) AS rows,
           (SELECT coalesce(min(order_id)::text, min(customer_id)::text) FROM t
            WHERE amount = (SELECT CASE WHEN ln(max(amount)::float8) > (SELECT q3 + 3 * w FROM fences) THEN max(amount)
                                        WHEN ln(min(amount)::float8) < (SELECT q1 - 3 * w FROM fences) THEN min(amount) END
                            FROM t WHERE amount > 0)) AS example),
busy_days AS (
    SELECT customer_id, ordered_at::date AS day FROM t
    WHERE customer_id IS NOT NULL AND ordered_at IS NOT NULL
    GROUP BY 1, 2
    HAVING count(DISTINCT order_id) + count(*) FILTER (WHERE order_id IS NULL) > 10),
busy AS (
    SELECT 10 AS pos, 'implausible orders per day' AS "check",
           (SELECT count(*) FROM t JOIN busy_days b ON t.customer_id = b.customer_id AND t.ordered_at::date = b.day) AS rows,
           (SELECT customer_id || ' on ' || to_char(day, 'YYYY-MM-DD') FROM busy_days ORDER BY customer_id, day LIMIT 1) AS example),
report AS (
    SELECT 1 AS pos, 'total rows' AS "check", n AS rows, NULL::text AS example FROM total
    UNION ALL SELECT * FROM simple UNION ALL SELECT * FROM duplicates
    UNION ALL SELECT * FROM outliers UNION ALL SELECT * FROM busy)
SELECT pos, "check", rows, rows::float8 / nullif((SELECT n FROM total), 0)::float8 AS share,
       CASE WHEN rows > 0 THEN example END AS example
FROM report;

CREATE TEMP VIEW dq_basket_oracle AS
WITH t AS (SELECT order_id, item, quantity FROM dq_items),
total AS (SELECT count(*) AS n FROM t),
pairs AS (SELECT order_id, item, count(*) AS lines FROM t
          WHERE order_id IS NOT NULL AND item IS NOT NULL GROUP BY 1, 2),
sizes AS (SELECT order_id, count(DISTINCT item) AS size FROM t
          WHERE order_id IS NOT NULL GROUP BY 1 HAVING count(item) > 0),
fences AS (
    SELECT q3 + 3 * greatest(q3 - q1, ln(2::float8)) AS upper
    FROM (SELECT percentile_cont(0.25) WITHIN GROUP (ORDER BY ln(size::float8)) AS q1,
                 percentile_cont(0.75) WITHIN GROUP (ORDER BY ln(size::float8)) AS q3 FROM sizes) s),
big AS (SELECT order_id FROM sizes, fences WHERE ln(size::float8) > upper),
report AS (
    SELECT 1 AS pos, 'total lines' AS "check", n AS rows, NULL::text AS example FROM total
    UNION ALL SELECT 2, 'null order_id', count(*), min(item)::text FROM t WHERE order_id IS NULL
    UNION ALL SELECT 3, 'null item', count(*), min(order_id)::text FROM t WHERE item IS NULL
    UNION ALL SELECT 4, 'quantity <= 0', count(*), coalesce(min(order_id)::text, min(item)::text) FROM t WHERE quantity <= 0
    UNION ALL SELECT 5, 'repeated item in order', coalesce(sum(lines - 1), 0)::bigint,
                     min(order_id) FILTER (WHERE lines > 1)::text FROM pairs
    UNION ALL SELECT 6, 'outlier basket size', count(*), min(order_id)::text
              FROM t WHERE order_id IN (SELECT order_id FROM big))
SELECT pos, "check", rows, rows::float8 / nullif((SELECT n FROM total), 0)::float8 AS share,
       CASE WHEN rows > 0 THEN example END AS example
FROM report;
