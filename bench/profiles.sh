#!/usr/bin/env bash
# Benchmark of the buyer profiles, revenue concentration and data-quality functions against their
# hand-written SQL (the plain-SQL definitions of docs/profiles.md, docs/concentration.md and
# docs/data-quality.md) and the floor, on bench/rfm.sh's data: 10 M orders of 1 M customers,
# seed 42 (bench_orders), and the same orders as order lines with items (bench_items:
# ca_generate_orders --lines --items N, about 25 M lines).
#   orders (bench_orders, one row per order):
#     shopping_times, shopping_times_pc (per customer), revenue_concentration, revenue_gini,
#     revenue_lorenz, top_customers (top 1 %), order_data_quality (as_of 2024-01-01), each with
#     hand_<name>;
#     floor: a scan and aggregate by customer (bench/rfm.sh's floor)
#   lines (bench_items):
#     favourite_items, basket_data_quality, each with hand_<name>; floor_lines: the same
#     per-customer scan and aggregate over the lines
#
# usage: bench/profiles.sh [--customers N] [--orders N] [--repeat N] [--items N]
#
# Server, data and measuring method as bench/rfm.sh (its header; shared code in bench/lib.sh):
# a throwaway cluster unless BENCH_USE_EXISTING=1; every contender timed in the server as
# SELECT count(t) FROM (<contender>) t in one session, an untimed warm-up round, then --repeat
# rounds with the order rotated, medians; peak memory as VmHWM of a fresh backend per contender.
# Before timing, one session checks that each function and its hand-written SQL return the same
# rows (0 mismatches expected). The session running the functions gets
# customer_analytics.memory_limit = BENCH_MEMORY_LIMIT (default 4GB): favourite_items() keeps one
# tally per (customer, item), some 20 M of them here, beyond the default limit (it would stop
# with 53200, as documented). Raw times, plans and logs go to bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
BENCH=profiles
. "$ROOT/bench/lib.sh"

usage() { sed -n '16p' "$0" | sed 's/^# \{0,1\}//'; }
ITEMS=20000
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --items) bench_positive "$1" "${2:-}"; ITEMS="$2"; shift 2 ;;
        *) args+=("$1"); shift ;;
    esac
done
bench_options "${args[@]+"${args[@]}"}"
bench_prepare
orders_rows=$rows

# ---- the order lines with items ---------------------------------------------------------------
LINES_TAG="ca_generate_orders $GEN_ARGS --lines --items $ITEMS"
comment="$("${PSQL[@]}" -Atc "SELECT obj_description(to_regclass('bench_items'), 'pg_class')")"
if [ "${BENCH_USE_EXISTING:-0}" = 1 ] && [ "${comment%%: *}" = "$LINES_TAG" ]; then
    echo "reusing bench_items ($LINES_TAG)" >&2
else
    echo "loading bench_items: $LINES_TAG" >&2
    "${PSQL[@]}" -c "DROP TABLE IF EXISTS bench_items" \
        -c "CREATE TABLE bench_items(order_id bigint, customer_id bigint, ordered_at timestamp, amount numeric, item integer)"
    "$GEN" $GEN_ARGS --lines --items "$ITEMS" 2>>"$LOG" |
        "${PSQL[@]}" -c "\\copy bench_items FROM STDIN (FORMAT csv)"
    "${PSQL[@]}" -c "COMMENT ON TABLE bench_items IS '$LINES_TAG: $("${PSQL[@]}" -Atc "SELECT count(*) FROM bench_items") rows'"
    "${PSQL[@]}" -c "VACUUM ANALYZE bench_items"
    "${PSQL[@]}" -c "CHECKPOINT" 2>>"$LOG" || true
fi
lines_rows="$("${PSQL[@]}" -Atc "SELECT count(*) FROM bench_items")"
# The data-quality checks in plain SQL (test/sql/data_quality_oracle.sql, the regression tests'
# oracle) as views over the benchmark tables, as_of fixed at the generator's end.
{
    echo "DROP VIEW IF EXISTS dq_order_oracle, dq_basket_oracle, dq_input, dq_items;"
    echo "DROP TABLE IF EXISTS dq_params;"
    echo "CREATE VIEW dq_input AS SELECT customer_id, ordered_at, amount, order_id FROM bench_orders;"
    echo "CREATE VIEW dq_items AS SELECT order_id, item, NULL::integer AS quantity FROM bench_items;"
    echo "CREATE TABLE dq_params AS SELECT '2024-01-01'::timestamptz AS as_of;"
    sed 's/CREATE TEMP VIEW/CREATE VIEW/' "$ROOT/test/sql/data_quality_oracle.sql"
} | "${PSQL[@]}" >>"$LOG" 2>&1
export PGOPTIONS="$PGOPTIONS -c customer_analytics.memory_limit=${BENCH_MEMORY_LIMIT:-4GB}"

# ---- the contenders ---------------------------------------------------------------------------
ORDERS_SQL="SELECT customer_id, ordered_at, amount FROM bench_orders"
DQ_SQL="SELECT customer_id, ordered_at, amount, order_id FROM bench_orders"
ITEMS_SQL="SELECT customer_id, order_id, item, amount FROM bench_items"
BASKET_SQL="SELECT order_id, item, customer_id FROM bench_items"
# Customer revenue as the concentration functions define it (docs/concentration.md).
REVENUE="SELECT customer_id, sum(amount) AS x FROM bench_orders
         WHERE customer_id IS NOT NULL AND amount IS NOT NULL AND isfinite(ordered_at)
         GROUP BY customer_id HAVING sum(amount) >= 0"
declare -A QUERY=(
    [shopping_times]="SELECT count(t) FROM shopping_times(NULL::bigint, '$ORDERS_SQL') t"
    [hand_shopping_times]="SELECT count(t) FROM (
        SELECT d AS weekday, h AS hour, coalesce(c.orders, 0) AS orders, coalesce(c.revenue, 0) AS revenue
        FROM generate_series(1, 7) AS d CROSS JOIN generate_series(0, 23) AS h
        LEFT JOIN (SELECT extract(isodow FROM ordered_at)::int AS weekday, extract(hour FROM ordered_at)::int AS hour,
                          count(*) AS orders, sum(amount) AS revenue
                   FROM bench_orders
                   WHERE customer_id IS NOT NULL AND ordered_at IS NOT NULL AND amount IS NOT NULL
                   GROUP BY 1, 2) c ON c.weekday = d AND c.hour = h) t"
    [shopping_times_pc]="SELECT count(t) FROM shopping_times(NULL::bigint, '$ORDERS_SQL', per_customer => true) t"
    [hand_shopping_times_pc]="SELECT count(t) FROM (
        SELECT customer_id, extract(isodow FROM ordered_at)::int AS weekday, extract(hour FROM ordered_at)::int AS hour,
               count(*) AS orders, sum(amount) AS revenue
        FROM bench_orders
        WHERE customer_id IS NOT NULL AND ordered_at IS NOT NULL AND amount IS NOT NULL
        GROUP BY 1, 2, 3) t"
    [revenue_concentration]="SELECT count(t) FROM revenue_concentration('$ORDERS_SQL') t"
    [hand_revenue_concentration]="SELECT count(t) FROM (
        WITH revenue AS ($REVENUE),
        ranked AS (SELECT x, row_number() OVER (ORDER BY x DESC, customer_id) AS r,
                          count(*) OVER () AS n, sum(x) OVER () AS t FROM revenue)
        SELECT s AS top_share, ceil(s::numeric * min(n)) AS customers,
               sum(x) FILTER (WHERE r <= ceil(s::numeric * n)) AS revenue,
               (sum(x) FILTER (WHERE r <= ceil(s::numeric * n)) / nullif(min(t), 0))::float8 AS revenue_share
        FROM ranked, unnest('{0.01,0.05,0.2}'::float8[]) AS s GROUP BY s) t"
    [revenue_gini]="SELECT count(t) FROM (SELECT revenue_gini('$ORDERS_SQL') AS g) t"
    [hand_revenue_gini]="SELECT count(t) FROM (
        SELECT (sum((2 * i - n - 1) * x) / nullif(n * sum(x), 0))::float8 AS g
        FROM (SELECT x, row_number() OVER (ORDER BY x) AS i, count(*) OVER () AS n FROM ($REVENUE) c) s
        GROUP BY n) t"
    [revenue_lorenz]="SELECT count(t) FROM revenue_lorenz('$ORDERS_SQL') t"
    [hand_revenue_lorenz]="SELECT count(t) FROM (
        WITH c AS (SELECT x, row_number() OVER (ORDER BY x) AS i, count(*) OVER () AS n,
                          sum(x) OVER (ORDER BY x ROWS UNBOUNDED PRECEDING) AS cum, sum(x) OVER () AS total
                   FROM ($REVENUE) r),
        nt AS (SELECT min(n) AS n, min(total) AS total FROM c),
        p AS (SELECT j, j::numeric / 100 * nt.n AS pos, nt.total FROM generate_series(0, 100) AS j, nt)
        SELECT p.j::float8 / 100 AS customer_share,
               ((coalesce(a.cum, 0) + (p.pos - floor(p.pos)) * coalesce(b.x, 0)) / nullif(p.total, 0))::float8 AS revenue_share
        FROM p LEFT JOIN c a ON a.i = floor(p.pos) LEFT JOIN c b ON b.i = floor(p.pos) + 1) t"
    [top_customers]="SELECT count(t) FROM top_customers(NULL::bigint, '$ORDERS_SQL', 0.01) t"
    [hand_top_customers]="SELECT count(t) FROM (
        SELECT customer_id, r AS rank, x AS revenue, x / t AS revenue_share,
               sum(x) OVER (ORDER BY r) / t AS cumulative_share
        FROM (SELECT customer_id, x, row_number() OVER (ORDER BY x DESC, customer_id) AS r,
                     count(*) OVER () AS n, sum(x) OVER () AS t FROM ($REVENUE) c) s
        WHERE r <= ceil(0.01 * n)) t"
    [order_data_quality]="SELECT count(t) FROM order_data_quality('$DQ_SQL', '2024-01-01') t"
    [hand_order_data_quality]="SELECT count(t) FROM dq_order_oracle t"
    [floor]="SELECT count(t) FROM (SELECT customer_id, max(ordered_at), count(*), sum(amount) FROM bench_orders GROUP BY 1) t"
    [favourite_items]="SELECT count(t) FROM favourite_items(NULL::bigint, NULL::int, '$ITEMS_SQL') t"
    [hand_favourite_items]="SELECT count(t) FROM (
        SELECT customer_id, rank, item, orders, spend
        FROM (SELECT *, row_number() OVER (PARTITION BY customer_id ORDER BY orders DESC, spend DESC, item) AS rank
              FROM (SELECT customer_id, item,
                           count(DISTINCT order_id) FILTER (WHERE amount >= 0) AS orders, sum(amount) AS spend
                    FROM bench_items
                    WHERE customer_id IS NOT NULL AND order_id IS NOT NULL AND item IS NOT NULL AND amount IS NOT NULL
                    GROUP BY 1, 2) p
              WHERE orders > 0) r
        WHERE rank <= 3) t"
    [basket_data_quality]="SELECT count(t) FROM basket_data_quality('$BASKET_SQL') t"
    [hand_basket_data_quality]="SELECT count(t) FROM dq_basket_oracle t"
    [floor_lines]="SELECT count(t) FROM (SELECT customer_id, max(ordered_at), count(*), sum(amount) FROM bench_items GROUP BY 1) t"
)
NAMES=(shopping_times hand_shopping_times shopping_times_pc hand_shopping_times_pc
       revenue_concentration hand_revenue_concentration revenue_gini hand_revenue_gini
       revenue_lorenz hand_revenue_lorenz top_customers hand_top_customers
       order_data_quality hand_order_data_quality floor
       favourite_items hand_favourite_items basket_data_quality hand_basket_data_quality floor_lines)
COUNT_NOTE="(floor and floor_lines are one row per customer and keep the null customer_id group)"
bench_check_queries

rows="$orders_rows bench_orders rows and $lines_rows bench_items"
bench_header

# ---- agreement --------------------------------------------------------------------------------
# Each function against its hand-written SQL, row by row: joined on a key, the other columns equal
# exactly, but floating-point shares within 1e-12 of the hand SQL's numeric ones (rounding both
# to 12 decimals would call 0.0350300915499999 and 0.0350300915500000 different).
echo "checking: hand SQL against the functions" >&2
# mismatch_sql NAME KEY EXACT FLOATS OURS HAND: KEY, EXACT and FLOATS are comma-separated column
# lists (EXACT may be empty); prints "NAME mismatching-rows rows-of-ours".
mismatch_sql() {
    local name=$1 key=$2 exact=$3 floats=$4 ours=$5 hand=$6 cond="o.k_ IS NULL OR h.k_ IS NULL" c
    [ -n "$exact" ] && cond="$cond OR ($(sed -E 's/([a-z_"]+)/o.\1/g' <<<"$exact")) IS DISTINCT FROM ($(sed -E 's/([a-z_"]+)/h.\1/g' <<<"$exact"))"
    for c in ${floats//,/ }; do
        cond="$cond OR (o.$c IS NULL) <> (h.$c IS NULL) OR abs(o.$c::numeric - h.$c::numeric) > 1e-12"
    done
    echo "SELECT '$name', count(*) FILTER (WHERE $cond), count(o.k_)
FROM (SELECT true AS k_, * FROM ($ours) x) o FULL JOIN (SELECT true AS k_, * FROM ($hand) y) h USING ($key);"
}
strip() { sed -E 's/^SELECT count\(t\) FROM \(//; s/\) t$//' <<<"$1"; }
{
    echo "SET customer_analytics.memory_limit = '${BENCH_MEMORY_LIMIT:-4GB}';"
    mismatch_sql shopping_times "weekday, hour" "orders, revenue" "" \
        "SELECT weekday, hour, orders, revenue FROM shopping_times(NULL::bigint, '$ORDERS_SQL')" \
        "$(strip "${QUERY[hand_shopping_times]}")"
    mismatch_sql shopping_times_pc "customer_id, weekday, hour" "orders, revenue" "" \
        "SELECT customer_id, weekday, hour, orders, revenue FROM shopping_times(NULL::bigint, '$ORDERS_SQL', per_customer => true)" \
        "$(strip "${QUERY[hand_shopping_times_pc]}")"
    mismatch_sql revenue_concentration "top_share" "customers, revenue" "revenue_share" \
        "SELECT * FROM revenue_concentration('$ORDERS_SQL')" \
        "$(strip "${QUERY[hand_revenue_concentration]}")"
    mismatch_sql revenue_gini "k_" "" "g" \
        "SELECT revenue_gini('$ORDERS_SQL') AS g" \
        "$(strip "${QUERY[hand_revenue_gini]}")"
    mismatch_sql revenue_lorenz "customer_share" "" "revenue_share" \
        "SELECT * FROM revenue_lorenz('$ORDERS_SQL')" \
        "$(strip "${QUERY[hand_revenue_lorenz]}")"
    mismatch_sql top_customers "rank" "customer_id, revenue" "revenue_share, cumulative_share" \
        "SELECT * FROM top_customers(NULL::bigint, '$ORDERS_SQL', 0.01)" \
        "$(strip "${QUERY[hand_top_customers]}")"
    mismatch_sql favourite_items "customer_id, rank" "item, orders, spend" "" \
        "SELECT customer_id, rank, item, orders, spend FROM favourite_items(NULL::bigint, NULL::int, '$ITEMS_SQL')" \
        "$(strip "${QUERY[hand_favourite_items]}")"
    mismatch_sql order_data_quality '"check"' "rows, example" "share" \
        "SELECT * FROM order_data_quality('$DQ_SQL', '2024-01-01')" \
        "SELECT \"check\", rows, share, example FROM dq_order_oracle"
    mismatch_sql basket_data_quality '"check"' "rows, example" "share" \
        "SELECT * FROM basket_data_quality('$BASKET_SQL')" \
        "SELECT \"check\", rows, share, example FROM dq_basket_oracle"
} >"$OUT/profiles_check.sql"
"${PSQL[@]}" -At -F' ' -f "$OUT/profiles_check.sql" >"$OUT/profiles_check.txt" 2>>"$LOG"
all_agree=1
while read -r name mismatches n; do
    echo "check $name vs hand_$name: $mismatches mismatching rows ($n rows of ours)"
    [ "$mismatches" = 0 ] || all_agree=0
done <"$OUT/profiles_check.txt"

# ---- timing -----------------------------------------------------------------------------------
bench_time
for n in shopping_times shopping_times_pc revenue_concentration revenue_gini revenue_lorenz \
         top_customers order_data_quality; do
    bench_ratio "$n" "hand_$n"
    bench_ratio "$n" floor
done
bench_ratio favourite_items hand_favourite_items
bench_ratio favourite_items floor_lines
bench_ratio basket_data_quality hand_basket_data_quality
bench_ratio basket_data_quality floor_lines
bench_other_cpu
bench_peak
if [ "$all_agree" != 1 ]; then
    echo "the hand-written SQL and the functions disagree (see above)" >&2
    exit 1
fi
