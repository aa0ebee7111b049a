#!/usr/bin/env bash
# How long after statement_timeout each function really stops: every SQL function of the
# extension, on the generated orders, with statement_timeout set to several points of its run
# (reading the rows, the C++ computation, writing the result), each in a fresh session. Prints one
# line per function: the worst overshoot (time from the timeout to the error reaching the client)
# and how many of the runs were cancelled (a run that finishes before its timeout is not).
#
# usage: bench/cancel_latency.sh [--customers N] [--orders N]
#
# Defaults: 1 M customers, 5 M orders (tools/generate_orders.cpp, seed 42). Like the other
# benchmarks it starts a throwaway cluster (BENCH_USE_EXISTING=1: the server of PGHOST/PGPORT).
# docs/reliability.md quotes its output.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
BENCH=cancel_latency
. "$ROOT/bench/lib.sh"
ORDERS=5000000

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }
bench_options "$@"
bench_prepare
"${PSQL[@]}" -c "DROP TABLE IF EXISTS bench_text_orders" \
    -c "CREATE TABLE bench_text_orders AS SELECT 'customer-' || customer_id AS customer_id, ordered_at, amount FROM bench_orders" \
    -c "VACUUM ANALYZE bench_text_orders"
bench_header

declare -A QUERY
NAMES=(rfm rfm_ntile_text rfm_order_lines retention cohort_retention_day kpis rfm_summary)
QUERY[rfm]="SELECT count(*) FROM rfm(NULL::bigint, 'SELECT customer_id, ordered_at, amount FROM bench_orders')"
QUERY[rfm_ntile_text]="SELECT count(*) FROM rfm(NULL::text, 'TABLE bench_text_orders', method => 'ntile')"
QUERY[rfm_order_lines]="SELECT count(*) FROM rfm(NULL::bigint, 'SELECT customer_id, order_id % 1000000 AS order_id, ordered_at, amount FROM bench_orders')"
QUERY[retention]="SELECT count(*) FROM retention('SELECT customer_id, ordered_at, amount FROM bench_orders', 'week')"
QUERY[cohort_retention_day]="SELECT count(*) FROM cohort_retention('SELECT customer_id, ordered_at, amount FROM bench_orders', 'day')"
QUERY[kpis]="SELECT count(*) FROM kpis('SELECT customer_id, ordered_at, amount FROM bench_orders', 'day')"
QUERY[rfm_summary]="SELECT count(*) FROM (SELECT customer_id, rfm_summary(ordered_at, amount, NULL) FROM bench_orders GROUP BY customer_id) s"

# Milliseconds since the epoch, from the client's clock.
now_ms() { date +%s%3N; }

printf '%-22s %10s %12s %s\n' function "full run" "worst late" "cancelled / runs (timeouts in ms)"
for name in "${NAMES[@]}"; do
    # One full run (memory limit raised: this measures cancels, not the limit) for its length.
    start=$(now_ms)
    PGOPTIONS="$PGOPTIONS -c customer_analytics.memory_limit=4GB" "${PSQL[@]}" -c "${QUERY[$name]}" >/dev/null
    full=$(( $(now_ms) - start ))
    worst=0 cancelled=0 runs=0 points=""
    for frac in 5 20 40 60 80 95; do
        timeout=$(( full * frac / 100 ))
        [ "$timeout" -lt 1 ] && timeout=1
        points="$points $timeout"
        start=$(now_ms)
        if out=$(PGOPTIONS="$PGOPTIONS -c customer_analytics.memory_limit=4GB -c statement_timeout=${timeout}" \
                 "${PSQL[@]}" -c "${QUERY[$name]}" 2>&1); then
            :
        elif grep -q "canceling statement due to statement timeout" <<<"$out"; then
            late=$(( $(now_ms) - start - timeout ))
            cancelled=$((cancelled + 1))
            [ "$late" -gt "$worst" ] && worst=$late
        else
            echo "$name: unexpected error: $out" >&2
        fi
        runs=$((runs + 1))
    done
    printf '%-22s %8d ms %9d ms %d / %d (%s)\n' "$name" "$full" "$worst" "$cancelled" "$runs" "${points# }"
done
