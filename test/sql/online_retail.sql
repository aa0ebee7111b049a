-- Loads the UCI Online Retail data from the shared data folder (CA_DATA_DIR, default
-- ../shared/data) when it is there, into retail and the view retail_lines(customer_id, order_id,
-- ordered_at, amount); sets :have_online_retail to true or false. Included with \i by the
-- extended tests, which print SKIP when it is false.
\set datadir `echo "${CA_DATA_DIR:-../shared/data}"`
\set have_online_retail `test -r "${CA_DATA_DIR:-../shared/data}/online_retail.csv.xz" && echo true || echo false`
\if :have_online_retail
CREATE TEMP TABLE retail (invoice_no text, stock_code text, description text, quantity integer,
                          invoice_date timestamp, unit_price numeric, customer_id integer,
                          country text);
\set load '\\copy retail FROM PROGRAM ''xz -dc "' :datadir '/online_retail.csv.xz"'' WITH (FORMAT csv, HEADER true)'
:load
CREATE TEMP VIEW retail_lines AS
SELECT customer_id, invoice_no AS order_id, invoice_date AS ordered_at, quantity * unit_price AS amount
FROM retail;
\endif
