#!/usr/bin/env bash
# Draws the pictures of the docs from the UCI Online Retail data, through the extension's own
# functions read with psql, with gnuplot (Debian's gnuplot-nox):
#   shopping_times.png    orders by weekday and hour (shopping_times(), docs/profiles.md)
#   cohort_retention.png  monthly cohorts by months since the first purchase
#                         (cohort_retention(), docs/retention.md)
#   lorenz.png            the Lorenz curve of customer revenue and its Gini coefficient
#                         (revenue_lorenz(), revenue_gini(), docs/concentration.md)
#   rfm_segments.png      customers per RFM segment (rfm(), docs/rfm.md)
# The numbers behind each picture are written beside it (*.dat), so a picture can be checked.
#
#   bash tools/draw_pictures.sh [OUTDIR]    # default docs/img (the copies the docs show)
#
# Needs the extension installed (make install) and online_retail.csv.xz in CA_DATA_DIR (default
# ../shared/data); prints "SKIP: ..." and exits 0 without it. Uses the caller's throwaway cluster
# when there is one (CA_CLUSTER_DIR, PGHOST, PGPORT as tools/pg_cluster.sh sets them), else
# starts its own. Prints "ok - ..." or "not ok - ..." per picture; exits non-zero when one failed.
set -uo pipefail
out="${1:-docs/img}"
mkdir -p "$out" && out="$(cd "$out" && pwd)"
cd "$(dirname "$0")/.."
. tools/pg_cluster.sh

data_dir="${CA_DATA_DIR:-../shared/data}"
if [ ! -r "$data_dir/online_retail.csv.xz" ]; then
    echo "SKIP: pictures: $data_dir/online_retail.csv.xz is absent"
    exit 0
fi
command -v gnuplot >/dev/null || { echo "not ok - pictures: gnuplot is not installed"; exit 1; }

own_cluster=""
if [ -z "${CA_CLUSTER_DIR:-}" ]; then
    ca_cluster_start
    own_cluster=1
fi
db=ca_pictures
work=$(mktemp -d /tmp/ca_pictures.XXXXXX)
psql_q() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
cleanup() {
    psql_q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db"
    rm -rf "$work"
    [ -n "$own_cluster" ] && ca_cluster_stop
}
trap cleanup EXIT

psql_q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" \
    -c "CREATE DATABASE $db" || exit 1
# One session: the data is loaded into temporary tables (test/sql/online_retail.sql, the loader
# of the extended tests), and each picture's numbers are copied out as whitespace-separated
# columns. Every order line counts as the functions define it (cancellations are negative lines
# of their own invoices; lines without a customer are skipped with a NOTICE).
if ! CA_DATA_DIR="$data_dir" psql_q -d "$db" -v out="$work" >"$work/psql.log" 2>&1 <<'SQL'; then
SET client_min_messages = warning;
CREATE EXTENSION customer_analytics;
SET search_path = public, customer_analytics;
\pset format unaligned
\pset fieldsep ' '
\pset tuples_only on
\pset footer off
\i test/sql/online_retail.sql
CREATE TEMP VIEW orders_q AS SELECT 'SELECT customer_id, order_id, ordered_at, amount FROM retail_lines' AS q;

-- Weekday x hour, every one of the 168 cells (0 where no order was placed).
CREATE TEMP TABLE pic_times AS
SELECT d AS weekday, h AS hour, coalesce(t.orders, 0) AS orders
FROM generate_series(1, 7) AS d CROSS JOIN generate_series(0, 23) AS h
LEFT JOIN shopping_times(NULL::integer, (SELECT q FROM orders_q)) AS t
       ON t.weekday = d AND t.hour = h AND t.customer_id IS NULL;
\set f :out '/shopping_times.dat'
SELECT weekday, hour, orders FROM pic_times ORDER BY 1, 2 \g :f

-- Cohort x months since the first purchase: cohorts numbered from 0 (December 2010).
CREATE TEMP TABLE pic_cohorts AS
SELECT cohort, period_offset, cohort_size, round(retention, 1) AS retention_pct
FROM cohort_retention((SELECT q FROM orders_q), 'month');
\set f :out '/cohort_retention.dat'
SELECT (extract(year FROM cohort) - 2010) * 12 + extract(month FROM cohort) - 12, period_offset, retention_pct, to_char(cohort, 'YYYY-MM'), cohort_size FROM pic_cohorts ORDER BY 1, 2 \g :f

-- The Lorenz curve (100 points) and the Gini coefficient.
\set f :out '/lorenz.dat'
SELECT customer_share, revenue_share FROM revenue_lorenz((SELECT q FROM orders_q), 100) ORDER BY 1 \g :f
\set f :out '/gini.dat'
SELECT round(revenue_gini((SELECT q FROM orders_q))::numeric, 3) \g :f

-- RFM segment sizes, largest first.
\set f :out '/rfm_segments.dat'
SELECT row_number() OVER (ORDER BY count(*) DESC, segment) - 1, '"' || segment || '"', count(*) FROM rfm(NULL::integer, (SELECT q FROM orders_q)) GROUP BY segment ORDER BY 1 \g :f
SQL
    cat "$work/psql.log"
    echo "not ok - pictures: reading the numbers from the extension failed"
    exit 1
fi

failed=0
# draw NAME GNUPLOT-SCRIPT: runs gnuplot in the data folder, checks the PNG and keeps it with its
# numbers.
draw() {
    local name=$1 script=$2
    rm -f "$work/$name.png"
    printf "set terminal pngcairo size 900,560 font 'DejaVu Sans,10'\nset output '%s.png'\n%s\n" \
        "$name" "$script" >"$work/$name.gp"
    if (cd "$work" && gnuplot "$name.gp") 2>"$work/gnuplot.log" &&
        [ "$(head -c 8 "$work/$name.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
        cp "$work/$name.png" "$work/$name.dat" "$out/"
        echo "ok - pictures: $name.png"
    else
        cat "$work/gnuplot.log"
        echo "not ok - pictures: $name.png"
        failed=1
    fi
}

# The numbers must look like what the picture claims before it is drawn: 168 cells; cohorts with
# offset 0 at 100 %; a Lorenz curve from (0,0) to (1,1) that never decreases; segments.
check_numbers() {
    local name=$1 awk_prog=$2
    if ! awk "$awk_prog" "$work/$name.dat"; then
        head -5 "$work/$name.dat"
        echo "not ok - pictures: the numbers of $name.png are wrong"
        failed=1
        return 1
    fi
}

check_numbers shopping_times 'END { exit !(NR == 168) }' &&
    draw shopping_times "
set title 'Online Retail: orders by weekday and hour (local time)'
set xlabel 'hour of the day'; set ylabel ''
set xrange [-0.5:23.5]; set yrange [7.5:0.5]
set xtics 0,1,23 scale 0
set ytics ('Mon' 1, 'Tue' 2, 'Wed' 3, 'Thu' 4, 'Fri' 5, 'Sat' 6, 'Sun' 7) scale 0
set cblabel 'orders'
set palette defined (0 '#f7fbff', 1 '#6baed6', 2 '#08306b')
plot 'shopping_times.dat' using 2:1:3 with image notitle"

check_numbers cohort_retention '$2 == 0 && $3 != 100 { bad = 1 } END { exit bad || NR == 0 }' &&
    draw cohort_retention "
set title 'Online Retail: monthly cohorts, % of each cohort buying n months after its first purchase'
set xlabel 'months since the first purchase'; set ylabel 'cohort (first purchase)'
set xrange [-0.5:12.5]; set yrange [12.5:-0.5]
set xtics 0,1,12 scale 0
set ytics scale 0
set cbrange [0:50]; set cblabel '% of the cohort (offset 0 is 100 %)'
set palette defined (0 '#fff5eb', 1 '#fd8d3c', 2 '#7f2704')
plot 'cohort_retention.dat' using 2:1:(0.5):(0.5):(\$3 > 50 ? 50 : \$3):ytic(4) with boxxyerror fc palette fs solid 1.0 border lc rgb 'white' notitle, \
     '' using 2:1:(sprintf('%.0f', \$3)) with labels font ',8' notitle"

gini=$(cat "$work/gini.dat" 2>/dev/null)
# The 80/20 reading: the revenue share of the top 20 % of customers, 1 - L(0.8).
top20=$(awk '$1 > 0.8 - 1e-9 && !done { printf "%.0f", 100 * (1 - $2); done = 1 }' "$work/lorenz.dat")
check_numbers lorenz 'NR == 1 && ($1 != 0 || $2 != 0) { bad = 1 }
                      NR > 1 && ($1 < x || $2 < y - 1e-12) { bad = 1 }
                      { x = $1; y = $2 }
                      END { exit bad || x != 1 || (y - 1) * (y - 1) > 1e-18 }' &&
    draw lorenz "
set title 'Online Retail: Lorenz curve of customer revenue (Gini $gini)'
set xlabel 'share of customers, least revenue first'; set ylabel 'share of revenue'
set xrange [0:1]; set yrange [0:1]; set size ratio -1
set grid; set key top left
set xtics ('0%%' 0, '20%%' 0.2, '40%%' 0.4, '60%%' 0.6, '80%%' 0.8, '100%%' 1)
set ytics ('0%%' 0, '20%%' 0.2, '40%%' 0.4, '60%%' 0.6, '80%%' 0.8, '100%%' 1)
set arrow from 0.8,0 to 0.8,1 nohead dt 3 lc rgb '#cc4c02'
set label 'the top 20 % of customers bring $top20 % of the revenue' at 0.78,0.9 right tc rgb '#cc4c02'
plot x with lines dt 2 lc rgb '#999999' title 'equal revenue', \
     'lorenz.dat' using 1:2 with lines lw 2 lc rgb '#08519c' title 'customers'"

check_numbers rfm_segments 'END { exit NR == 0 }' &&
    draw rfm_segments "
set title 'Online Retail: customers per RFM segment (R package rfm''s default segments)'
set ylabel 'customers'; set xlabel ''
set style fill solid 0.8 noborder; set boxwidth 0.7
set xtics rotate by -35 scale 0; set grid ytics
set yrange [0:*]
plot 'rfm_segments.dat' using 1:3:xtic(2) with boxes lc rgb '#2171b5' notitle, \
     '' using 1:3:3 with labels offset 0,0.7 font ',8' notitle"

# The copies the docs show must be those of the current code and data: their numbers are compared
# with the ones just drawn (the PNG bytes depend on gnuplot's version, the numbers do not).
if [ "$out" != "$PWD/docs/img" ]; then
    for f in shopping_times cohort_retention lorenz rfm_segments; do
        if [ -f "$out/$f.dat" ] && cmp -s "$out/$f.dat" "docs/img/$f.dat"; then
            echo "ok - pictures: docs/img/$f.png shows the current numbers"
        else
            echo "not ok - pictures: docs/img/$f.png is stale; redraw with bash tools/draw_pictures.sh"
            failed=1
        fi
    done
fi
exit $failed
