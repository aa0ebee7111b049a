#!/usr/bin/env bash
# The demo: installs what is needed (Debian 12), builds and installs customer_analytics, starts a
# throwaway PostgreSQL cluster, loads order lines and prints RFM segment counts, the best customers
# and how the segments are defined, the CLV models and the most valuable customers, the
# data-quality report, revenue concentration and the busiest shopping hours.
#
#   bash tools/demo.sh                      # the sample this repository generates (2,000 customers)
#   bash tools/demo.sh Online_Retail.csv    # the UCI Online Retail data, as CSV (.csv, .csv.gz, .csv.xz;
#                                           # UTF-8 or Windows-1252, as spreadsheets save it)
#   bash tools/demo.sh --keep [FILE]        # leave the cluster running and say how to connect
set -euo pipefail

keep=0
if [ "${1:-}" = "--keep" ]; then keep=1; shift; fi
data="${1:-}"
if [ -n "$data" ]; then
    # Resolved from where the command was given, before moving to the repository.
    [ -r "$data" ] || { echo "cannot read $data" >&2; exit 1; }
    data="$(cd "$(dirname "$data")" && pwd)/$(basename "$data")"
fi
cd "$(dirname "$0")/.."

bash tools/install_deps.sh
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "building and installing the extension ..."
make -j2 >/dev/null
$SUDO make install >/dev/null

. tools/pg_cluster.sh
ca_cluster_start
if [ "$keep" = 1 ]; then
    echo "cluster on port $PGPORT in $CA_CLUSTER_DIR (kept running)"
else
    trap ca_cluster_stop EXIT
    echo "throwaway cluster on port $PGPORT (removed on exit; --keep leaves it running)"
fi

psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
psql -c "CREATE EXTENSION customer_analytics"
# The functions live in schema customer_analytics; with it on the database's search_path (new
# sessions) they can be called unqualified, as below.
psql -c "ALTER DATABASE $PGDATABASE SET search_path = \"\$user\", public, customer_analytics"

if [ -z "$data" ]; then
    echo "loading the generated sample: tools/ca_generate_orders --lines --customers 2000 --orders 20000 --seed 42"
    psql <<'SQL'
CREATE TABLE order_lines (order_id bigint, customer_id bigint, ordered_at timestamp, amount numeric);
\copy order_lines FROM PROGRAM 'tools/ca_generate_orders --lines --customers 2000 --orders 20000 --seed 42' WITH (FORMAT csv)
SQL
else
    echo "loading $data"
    case "$data" in
        *.xz) reader="xz -dc" ;;
        *.gz) reader="gzip -dc" ;;
        *) reader="cat" ;;
    esac
    # Spreadsheets save CSV as Windows-1252 (the pound signs of the descriptions) unless told UTF-8.
    encoding=UTF8
    if ! $reader "$data" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1; then
        encoding=WIN1252
        echo "the file is not UTF-8: reading it as Windows-1252"
    fi
    # UCI's columns; InvoiceDate is either ISO (2010-12-01 08:26:00) or as spreadsheets export it
    # (12/1/2010 8:26), and CustomerID may come as 17850.0.
    psql -v reader="$reader" -v file="$data" -v encoding="$encoding" <<'SQL'
CREATE TABLE uci_raw (invoice_no text, stock_code text, description text, quantity text,
                      invoice_date text, unit_price text, customer_id text, country text);
\set load '\\copy uci_raw FROM PROGRAM ''' :reader ' "' :file '"'' WITH (FORMAT csv, HEADER true, ENCODING ''' :encoding ''')'
:load
CREATE TABLE order_lines AS
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
FROM order_lines;
\echo
\echo '-- SELECT * FROM rfm(NULL::bigint, ''SELECT customer_id, order_id, ordered_at, amount FROM order_lines'')'
CREATE TEMP TABLE result AS
SELECT * FROM rfm(NULL::bigint, 'SELECT customer_id, order_id, ordered_at, amount FROM order_lines');
\echo
\echo 'Customers per segment'
SELECT segment, count(*) AS customers, round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS pct,
       round(avg(recency_days)) AS avg_recency_days, round(avg(frequency), 1) AS avg_orders,
       round(sum(monetary), 2) AS revenue
FROM result GROUP BY segment ORDER BY customers DESC;
\echo 'Top customers by spend'
SELECT customer_id, recency_days, frequency, monetary, rfm_cell, segment
FROM result ORDER BY monetary DESC, customer_id LIMIT 10;
\echo 'How the segments are defined: each customer gets scores from 1 (worst) to 5 (best) for'
\echo 'recency (R), frequency (F) and monetary value (M), and the first segment below whose three'
\echo 'ranges hold those scores, or Others (docs/rfm.md).'
SELECT priority, segment, r_min || '-' || r_max AS r, f_min || '-' || f_max AS f,
       m_min || '-' || m_max AS m
FROM rfm_default_segments() ORDER BY priority;
\echo
\echo '-- Customer lifetime value (docs/clv.md): BG/NBD and Gamma-Gamma fitted on every customer'
\echo '-- (weeks, up to the latest order), value of the next 12 months at 1 % discount a month'
SET client_min_messages = warning;
CREATE TEMP TABLE summary AS
SELECT * FROM clv_summary(NULL::bigint, 'SELECT customer_id, order_id, ordered_at, amount FROM order_lines');
RESET client_min_messages;
SELECT 'BG/NBD' AS model, round((m).r::numeric, 4) AS r, round((m).alpha::numeric, 4) AS alpha,
       round((m).a::numeric, 4) AS a, round((m).b::numeric, 4) AS b,
       round((m).log_likelihood::numeric, 2) AS log_likelihood, (m).customers, (m).converged
FROM (SELECT bgnbd_fit(frequency, recency, t) AS m FROM summary) AS f;
SELECT 'Gamma-Gamma' AS model, round((m).p::numeric, 4) AS p, round((m).q::numeric, 4) AS q,
       round((m).gamma::numeric, 4) AS gamma, (m).customers, (m).converged
FROM (SELECT gamma_gamma_fit(frequency, monetary) AS m FROM summary WHERE monetary > 0) AS f;
\echo 'Most valuable customers'
SELECT customer_id, frequency, round(recency::numeric, 1) AS recency_weeks,
       round(t::numeric, 1) AS age_weeks, round(p_alive::numeric, 3) AS p_alive,
       round(expected_purchases::numeric, 2) AS purchases_next_12_months,
       round(expected_spend::numeric, 2) AS expected_spend, round(clv::numeric, 2) AS clv
FROM customer_lifetime_value(NULL::bigint, 'SELECT customer_id, order_id, ordered_at, amount FROM order_lines')
ORDER BY clv DESC, customer_id LIMIT 10;
\echo
\echo '-- Can the input be trusted? (docs/data-quality.md)'
SELECT "check", rows, round(share::numeric, 4) AS share, example
FROM order_data_quality('SELECT customer_id, order_id, ordered_at, amount FROM order_lines');
\echo '-- How concentrated is the revenue? (docs/concentration.md)'
SET client_min_messages = warning;
SELECT top_share, customers, revenue, round(revenue_share::numeric, 3) AS revenue_share
FROM revenue_concentration('SELECT customer_id, ordered_at, amount FROM order_lines');
SELECT round(revenue_gini('SELECT customer_id, ordered_at, amount FROM order_lines')::numeric, 3) AS gini;
\echo '-- When do customers shop? The five busiest weekday hours (docs/profiles.md; 1 = Monday)'
SELECT weekday, hour, orders, revenue
FROM shopping_times(NULL::bigint, 'SELECT customer_id, order_id, ordered_at, amount FROM order_lines')
ORDER BY orders DESC, weekday, hour LIMIT 5;
SQL

if [ "$keep" = 1 ]; then
    echo
    echo "The cluster keeps running, with the extension and the table order_lines. Connect with:"
    echo "  psql -h $CA_CLUSTER_DIR -p $PGPORT -U postgres postgres"
    stop="$PG_BIN/pg_ctl -D $CA_CLUSTER_DIR/data stop -m fast"
    [ "$(id -u)" -eq 0 ] && stop="runuser -u postgres -- $stop"
    echo "Stop and remove it with:"
    echo "  $stop; rm -rf $CA_CLUSTER_DIR"
fi
