-- order_data_quality() and basket_data_quality() on the full UCI Online Retail data (541,909
-- order lines): the lines without a customer id, the cancellation lines (InvoiceNo starting with
-- 'C', negative quantity) and every other check equal counts computed here in plain SQL
-- (test/sql/data_quality_oracle.sql). Reads CA_DATA_DIR (default ../shared/data); prints SKIP
-- without it.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS customer_analytics;
RESET client_min_messages;
\i test/sql/online_retail.sql
\if :have_online_retail
SET TimeZone = 'UTC';

-- The known defects, counted straight from the table.
SELECT count(*) AS lines,
       count(*) FILTER (WHERE customer_id IS NULL) AS lines_without_customer,
       count(*) FILTER (WHERE invoice_no LIKE 'C%') AS cancellation_lines,
       count(*) FILTER (WHERE invoice_no LIKE 'C%' AND quantity < 0) AS cancellation_lines_negative,
       count(*) FILTER (WHERE quantity < 0) AS negative_quantity_lines,
       count(*) FILTER (WHERE quantity * unit_price < 0) AS negative_amount_lines
FROM retail;

CREATE TEMP TABLE dq_ours AS
SELECT row_number() OVER () AS pos, * FROM customer_analytics.order_data_quality(
    'SELECT customer_id, order_id, ordered_at, amount FROM retail_lines', '2012-01-01 00:00+00');
SELECT pos, "check", rows, round(share::numeric, 6) AS share, example FROM dq_ours ORDER BY pos;
CREATE TEMP TABLE dq_basket_ours AS
SELECT row_number() OVER () AS pos, * FROM customer_analytics.basket_data_quality(
    'SELECT invoice_no AS order_id, stock_code AS item, quantity FROM retail');
SELECT pos, "check", rows, round(share::numeric, 6) AS share, example FROM dq_basket_ours ORDER BY pos;

-- The issue's claims, against counts of the table: the lines without a customer id; the negative
-- amounts are the cancellation lines plus the two bad-debt adjustments (negative unit price);
-- quantity <= 0 holds every cancellation line and the other negative quantities.
SELECT (SELECT rows FROM dq_ours WHERE "check" = 'null customer_id') =
       (SELECT count(*) FROM retail WHERE customer_id IS NULL) AS lines_without_customer_equal,
       (SELECT rows FROM dq_ours WHERE "check" = 'negative amount') =
       (SELECT count(*) FROM retail WHERE invoice_no LIKE 'C%')
       + (SELECT count(*) FROM retail WHERE unit_price < 0) AS cancellations_and_adjustments_equal,
       (SELECT rows FROM dq_basket_ours WHERE "check" = 'quantity <= 0') =
       (SELECT count(*) FROM retail WHERE invoice_no LIKE 'C%')
       + (SELECT count(*) FROM retail WHERE invoice_no NOT LIKE 'C%' AND quantity <= 0) AS non_positive_quantities_equal,
       (SELECT count(*) FROM retail WHERE invoice_no NOT LIKE 'C%' AND quantity <= 0) AS other_non_positive_quantities;

-- Every check against the plain-SQL formulation: 0 differences.
CREATE TEMP VIEW dq_input AS
SELECT customer_id, ordered_at, amount, order_id COLLATE "C" AS order_id FROM retail_lines;
CREATE TEMP TABLE dq_params AS SELECT timestamptz '2012-01-01 00:00+00' AS as_of;
CREATE TEMP VIEW dq_items AS
SELECT invoice_no COLLATE "C" AS order_id, stock_code COLLATE "C" AS item, quantity FROM retail;
\i test/sql/data_quality_oracle.sql
SELECT count(*) AS order_differences FROM (
    (SELECT * FROM dq_ours EXCEPT SELECT * FROM dq_order_oracle)
    UNION ALL (SELECT * FROM dq_order_oracle EXCEPT SELECT * FROM dq_ours)) d;
SELECT count(*) AS basket_differences FROM (
    (SELECT * FROM dq_basket_ours EXCEPT SELECT * FROM dq_basket_oracle)
    UNION ALL (SELECT * FROM dq_basket_oracle EXCEPT SELECT * FROM dq_basket_ours)) d;
\else
\echo SKIP: online_retail.csv.xz not found in the shared data folder (set CA_DATA_DIR)
\endif
