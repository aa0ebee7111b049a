-- favourite_items() and shopping_times() on the full UCI Online Retail data (541,909 order lines,
-- cancellations and lines without a customer included), compared with independent plain-SQL
-- formulations of docs/profiles.md's definitions (test/sql/profiles_oracle.sql). Reads CA_DATA_DIR
-- (default ../shared/data); prints SKIP without it.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS customer_analytics;
RESET client_min_messages;
\i test/sql/online_retail.sql
\if :have_online_retail
SET TimeZone = 'UTC';
SELECT count(*) AS lines, count(DISTINCT invoice_no) AS invoices, count(DISTINCT customer_id) AS customers,
       count(*) FILTER (WHERE quantity <= 0) AS non_positive_quantity_lines,
       count(*) FILTER (WHERE unit_price < 0) AS negative_price_lines FROM retail;
-- The plain-SQL definitions of both functions on these lines: fav_oracle, times_oracle_orders,
-- times_oracle and times_oracle_per_customer.
CREATE TEMP VIEW fav_input AS
SELECT customer_id, invoice_no AS order_id, stock_code AS item, quantity, quantity * unit_price AS amount FROM retail;
CREATE TEMP VIEW times_input AS SELECT customer_id, order_id, ordered_at, amount FROM retail_lines;
\i test/sql/profiles_oracle.sql

-- ---- favourite_items: stock codes per customer --------------------------------------------------
-- Plain SQL (fav_oracle): per (customer, stock code) the distinct invoices with a buying line
-- (quantity > 0 and amount >= 0), net quantity and net spend; bought codes ranked by the measure,
-- then the others (orders, quantity, spend), then the stock code in its collation's order.
CREATE FUNCTION pg_temp.fav_ours(by text, top_n int)
RETURNS TABLE (n bigint, customer_id int, rank int, item text, orders bigint, quantity numeric, spend numeric)
LANGUAGE sql AS $$
    SELECT f.n, f.customer_id, f.rank, f.item, f.orders, f.quantity, f.spend
    FROM customer_analytics.favourite_items(NULL::int, NULL::text,
             $q$SELECT customer_id, invoice_no AS order_id, stock_code AS item, quantity,
                       quantity * unit_price AS amount FROM retail$q$, top_n, by)
         WITH ORDINALITY AS f(customer_id, rank, item, orders, quantity, spend, n)
$$;
SET client_min_messages = warning;
SELECT by, top_n,
       (SELECT count(*) FROM pg_temp.fav_ours(by, top_n)) AS ours,
       (SELECT count(*) FROM fav_oracle e WHERE e.by = t.by AND e.rank <= t.top_n) AS oracle,
       (SELECT count(*) FROM (SELECT customer_id, rank, item, orders, quantity, spend FROM pg_temp.fav_ours(by, top_n)
                              EXCEPT SELECT customer_id, rank, item, orders, quantity, spend
                                     FROM fav_oracle e WHERE e.by = t.by AND e.rank <= t.top_n) d) AS only_ours,
       (SELECT count(*) FROM (SELECT customer_id, rank, item, orders, quantity, spend
                              FROM fav_oracle e WHERE e.by = t.by AND e.rank <= t.top_n
                              EXCEPT SELECT customer_id, rank, item, orders, quantity, spend FROM pg_temp.fav_ours(by, top_n)) d) AS only_oracle,
       (SELECT count(*) FROM (SELECT n, row_number() OVER (ORDER BY customer_id, rank) AS e
                              FROM pg_temp.fav_ours(by, top_n)) o WHERE n <> e) AS out_of_order
FROM (VALUES ('orders', 3), ('quantity', 3), ('spend', 3), ('orders', 10)) AS t(by, top_n);
RESET client_min_messages;
-- The NOTICE of the lines without a customer, and how often each code is a customer's favourite.
SELECT f.item, d.description, count(*) AS customers
FROM customer_analytics.favourite_items(NULL::int, NULL::text,
         'SELECT customer_id, invoice_no AS order_id, stock_code AS item, quantity, quantity * unit_price AS amount FROM retail', 1) f
JOIN (SELECT stock_code, mode() WITHIN GROUP (ORDER BY description) AS description FROM retail GROUP BY 1) d ON d.stock_code = f.item
GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT 5;

-- ---- shopping_times: the shop's weekday x hour and each customer's -----------------------------
-- Plain SQL (times_oracle, times_oracle_per_customer): one order per (customer, invoice) at its
-- latest line with its net amount; lines without a customer left out; ISO weekday and hour; all
-- 168 cells for the shop.
SET client_min_messages = warning;
CREATE TEMP TABLE times_ours AS
SELECT * FROM customer_analytics.shopping_times(NULL::int,
    'SELECT customer_id, order_id, ordered_at, amount FROM retail_lines') WITH ORDINALITY;
CREATE TEMP TABLE times_ours_per_customer AS
SELECT * FROM customer_analytics.shopping_times(NULL::int,
    'SELECT customer_id, order_id, ordered_at, amount FROM retail_lines', per_customer => true) WITH ORDINALITY;
RESET client_min_messages;
SELECT 'shop' AS histogram, (SELECT count(*) FROM times_ours) AS ours, (SELECT count(*) FROM times_oracle) AS oracle,
       (SELECT count(*) FROM (SELECT customer_id, weekday, hour, orders, revenue FROM times_ours EXCEPT TABLE times_oracle) d) AS only_ours,
       (SELECT count(*) FROM (TABLE times_oracle EXCEPT SELECT customer_id, weekday, hour, orders, revenue FROM times_ours) d) AS only_oracle,
       (SELECT count(*) FROM (SELECT ordinality, row_number() OVER (ORDER BY weekday, hour) AS e FROM times_ours) o
        WHERE ordinality <> e) AS out_of_order
UNION ALL
SELECT 'per customer', (SELECT count(*) FROM times_ours_per_customer), (SELECT count(*) FROM times_oracle_per_customer),
       (SELECT count(*) FROM (SELECT customer_id, weekday, hour, orders, revenue FROM times_ours_per_customer EXCEPT TABLE times_oracle_per_customer) d),
       (SELECT count(*) FROM (TABLE times_oracle_per_customer EXCEPT SELECT customer_id, weekday, hour, orders, revenue FROM times_ours_per_customer) d),
       (SELECT count(*) FROM (SELECT ordinality, row_number() OVER (ORDER BY customer_id, weekday, hour) AS e
                              FROM times_ours_per_customer) o WHERE ordinality <> e);
-- The heat map's numbers: orders per weekday and hour (the shop has no orders on Saturdays).
SELECT hour, sum(orders) FILTER (WHERE weekday = 1) AS mon, sum(orders) FILTER (WHERE weekday = 2) AS tue,
       sum(orders) FILTER (WHERE weekday = 3) AS wed, sum(orders) FILTER (WHERE weekday = 4) AS thu,
       sum(orders) FILTER (WHERE weekday = 5) AS fri, sum(orders) FILTER (WHERE weekday = 6) AS sat,
       sum(orders) FILTER (WHERE weekday = 7) AS sun
FROM times_ours GROUP BY hour HAVING sum(orders) > 0 ORDER BY hour;

-- The invoice times read as UK local time, given as timestamptz and shown in New York's time zone
-- (a DST change in each country in the period, on different dates), against plain SQL.
SELECT count(*) AS differences FROM (
    (SELECT weekday, hour, orders, revenue
     FROM customer_analytics.shopping_times(NULL::int,
         $$SELECT customer_id, order_id, ordered_at AT TIME ZONE 'Europe/London' AS ordered_at, amount FROM retail_lines$$,
         'America/New_York')
     WHERE orders > 0
     EXCEPT
     SELECT extract(isodow FROM l)::int, extract(hour FROM l)::int, count(*), sum(amount)
     FROM (SELECT (at AT TIME ZONE 'Europe/London') AT TIME ZONE 'America/New_York' AS l, amount FROM times_oracle_orders) o
     GROUP BY 1, 2)
    UNION ALL
    (SELECT extract(isodow FROM l)::int, extract(hour FROM l)::int, count(*), sum(amount)
     FROM (SELECT (at AT TIME ZONE 'Europe/London') AT TIME ZONE 'America/New_York' AS l, amount FROM times_oracle_orders) o
     GROUP BY 1, 2
     EXCEPT
     SELECT weekday, hour, orders, revenue
     FROM customer_analytics.shopping_times(NULL::int,
         $$SELECT customer_id, order_id, ordered_at AT TIME ZONE 'Europe/London' AS ordered_at, amount FROM retail_lines$$,
         'America/New_York'))) d;
\else
\echo SKIP: online_retail.csv.xz not found in the shared data folder (set CA_DATA_DIR)
\endif
