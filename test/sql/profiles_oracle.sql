-- favourite_items() and shopping_times() written in plain SQL from docs/profiles.md, independent
-- of the extension. Included with \i by the regression tests.
-- Input: the views fav_input(customer_id, order_id, item, quantity, amount) of order item lines and
-- times_input(customer_id, order_id, ordered_at timestamp, amount) of order lines. Output:
--   fav_oracle(by, customer_id, rank, item, orders, quantity, spend)  every bought item of every
--       customer, ranked once for each measure by ('orders', 'quantity', 'spend'); a test keeps
--       rank <= top_n;
--   times_oracle_orders(customer_id, order_id, at, amount)  the orders shopping_times() counts;
--   times_oracle, times_oracle_per_customer(customer_id, weekday, hour, orders, revenue)  the shop's
--       histogram (all 168 cells, customer_id NULL) and each customer's (non-empty cells).

-- favourite_items: per (customer, item) the distinct orders with a buying line (quantity > 0 and
-- amount >= 0), the net quantity and spend over every line; lines with a NULL in any column left
-- out; only bought items ranked, by the measure, ties by the other measures (orders, quantity,
-- spend), then by the item in its collation's order.
CREATE TEMP TABLE fav_oracle_pairs AS
SELECT customer_id, item,
       count(DISTINCT order_id) FILTER (WHERE quantity > 0 AND amount >= 0) AS orders,
       sum(quantity)::numeric AS quantity, sum(amount) AS spend
FROM fav_input
WHERE customer_id IS NOT NULL AND order_id IS NOT NULL AND item IS NOT NULL
  AND quantity IS NOT NULL AND amount IS NOT NULL
GROUP BY 1, 2;
CREATE TEMP TABLE fav_oracle AS
SELECT m.by, p.customer_id,
       (row_number() OVER (PARTITION BY m.by, p.customer_id ORDER BY
            CASE m.by WHEN 'orders' THEN p.orders WHEN 'quantity' THEN p.quantity ELSE p.spend END DESC,
            CASE m.by WHEN 'orders' THEN p.quantity ELSE p.orders END DESC,
            CASE m.by WHEN 'spend' THEN p.quantity ELSE p.spend END DESC,
            p.item))::int AS rank,
       p.item, p.orders, p.quantity, p.spend
FROM fav_oracle_pairs p CROSS JOIN (VALUES ('orders'), ('quantity'), ('spend')) AS m(by)
WHERE p.orders > 0;
CREATE INDEX ON fav_oracle (by, rank);
ANALYZE fav_oracle;

-- shopping_times: with order_id, one order per (customer_id, order_id) at its latest line with its
-- net amount (as rfm() counts orders); orders without a customer left out; the ISO weekday and
-- hour of the (local) time; all 168 cells shop-wide, non-empty ones per customer.
CREATE TEMP TABLE times_oracle_orders AS
SELECT customer_id, order_id, max(ordered_at) AS at, sum(amount) AS amount
FROM times_input WHERE customer_id IS NOT NULL AND order_id IS NOT NULL
  AND ordered_at IS NOT NULL AND amount IS NOT NULL
GROUP BY 1, 2;
CREATE TEMP VIEW times_oracle AS
SELECT (SELECT customer_id FROM times_oracle_orders WHERE false) AS customer_id,  -- NULL, of the input's type
       w AS weekday, h AS hour, coalesce(c.orders, 0) AS orders, coalesce(c.revenue, 0) AS revenue
FROM generate_series(1, 7) w CROSS JOIN generate_series(0, 23) h
LEFT JOIN (SELECT extract(isodow FROM at)::int AS weekday, extract(hour FROM at)::int AS hour,
                  count(*) AS orders, sum(amount) AS revenue
           FROM times_oracle_orders GROUP BY 1, 2) c ON (c.weekday, c.hour) = (w, h);
CREATE TEMP VIEW times_oracle_per_customer AS
SELECT customer_id, extract(isodow FROM at)::int AS weekday, extract(hour FROM at)::int AS hour,
       count(*) AS orders, sum(amount) AS revenue
FROM times_oracle_orders GROUP BY 1, 2, 3;
