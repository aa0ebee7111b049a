#!/usr/bin/env bash
# The demo: installs what is needed (Debian 12), builds and installs customer_analytics, starts a
# throwaway PostgreSQL cluster, loads orders and prints RFM segment counts and the best customers.
#
#   bash tools/demo.sh                      # the sample this repository generates (2,000 customers)
#   bash tools/demo.sh Online_Retail.csv    # the UCI Online Retail data, as CSV (.csv, .csv.gz, .csv.xz)
set -euo pipefail
cd "$(dirname "$0")/.."

data="${1:-}"
if [ -n "$data" ]; then
    [ -r "$data" ] || { echo "cannot read $data" >&2; exit 1; }
    data="$(cd "$(dirname "$data")" && pwd)/$(basename "$data")"
fi

bash tools/install_deps.sh
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "building and installing the extension ..."
make -j2 >/dev/null
$SUDO make install >/dev/null

. tools/pg_cluster.sh
ca_cluster_start
trap ca_cluster_stop EXIT
echo "throwaway cluster on port $PGPORT (removed on exit)"

psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
psql -c "CREATE EXTENSION customer_analytics"

if [ -z "$data" ]; then
    echo "loading the generated sample: tools/ca_generate_orders --lines --customers 2000 --orders 20000 --seed 42"
    psql <<'SQL'
CREATE TABLE orders (order_id bigint, customer_id bigint, ordered_at timestamp, amount numeric);
\copy orders FROM PROGRAM 'tools/ca_generate_orders --lines --customers 2000 --orders 20000 --seed 42' WITH (FORMAT csv)
SQL
else
    echo "loading $data"
    case "$data" in
        *.xz) reader="xz -dc" ;;
        *.gz) reader="gzip -dc" ;;
        *) reader="cat" ;;
    esac
    # UCI's columns; InvoiceDate is either ISO (2010-12-01 08:26:00) or as spreadsheets export it
    # (12/1/2010 8:26), and CustomerID may come as 17850.0.
    psql -v reader="$reader" -v file="$data" <<'SQL'
CREATE TABLE uci_raw (invoice_no text, stock_code text, description text, quantity text,
                      invoice_date text, unit_price text, customer_id text, country text);
\set load '\\copy uci_raw FROM PROGRAM ''' :reader ' "' :file '"'' WITH (FORMAT csv, HEADER true)'
:load
CREATE TABLE orders AS
SELECT invoice_no AS order_id,
       nullif(customer_id, '')::numeric::bigint AS customer_id,
       CASE WHEN invoice_date ~ '^\d{4}-' THEN invoice_date::timestamp
            ELSE to_timestamp(invoice_date, 'MM/DD/YYYY HH24:MI')::timestamp END AS ordered_at,
       quantity::numeric * unit_price::numeric AS amount
FROM uci_raw;
SQL
fi

psql <<'SQL'
\echo
SELECT count(*) AS order_lines, count(DISTINCT order_id) AS orders,
       count(DISTINCT customer_id) AS customers, min(ordered_at) AS first, max(ordered_at) AS last
FROM orders;
\echo
\echo '-- SELECT * FROM rfm(''SELECT customer_id, order_id, ordered_at, amount FROM orders'')'
CREATE TEMP TABLE result AS
SELECT * FROM rfm('SELECT customer_id, order_id, ordered_at, amount FROM orders');
\echo
\echo 'Customers per segment'
SELECT segment, count(*) AS customers, round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS pct,
       round(avg(recency_days)) AS avg_recency_days, round(avg(frequency), 1) AS avg_orders,
       round(sum(monetary), 2) AS revenue
FROM result GROUP BY segment ORDER BY customers DESC;
\echo 'Top customers by spend'
SELECT customer_id, recency_days, frequency, monetary, rfm_cell, segment
FROM result ORDER BY monetary DESC, customer_id LIMIT 10;
SQL
