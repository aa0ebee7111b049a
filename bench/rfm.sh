#!/usr/bin/env bash
# Benchmark of rfm() against the two other ways to get RFM segments out of PostgreSQL:
#   rfm    SELECT ... FROM rfm(NULL::bigint, 'SELECT customer_id, ordered_at, amount FROM bench_orders')
#   hand   the plain SQL a careful analyst writes (bench/rfm_hand.sql): GROUP BY, NTILE(5), CASE
#   floor  the per-customer GROUP BY alone: the least work any way of computing RFM has to do
# on 10 M generated orders of 1 M customers (tools/generate_orders.cpp, seed 42).
#
# usage: bench/rfm.sh [--customers N] [--orders N] [--repeat N]
#
# By default it starts a throwaway PostgreSQL 15 cluster (tools/pg_cluster.sh: defaults plus
# max_parallel_workers_per_gather=2) and removes it on exit. With BENCH_USE_EXISTING=1 it uses the
# server of PGHOST/PGPORT (and PGUSER) instead, in database ${BENCH_DB:-ca_bench}, and keeps
# bench_orders there for the next run when it already holds the same generated data.
#
# How it measures:
#  - Every contender is timed as SELECT count(t) FROM (<contender>) t, so no result rows go to the
#    client. count(t), not count(*): with count(*) PostgreSQL drops the subquery's unused output
#    columns, and with them the aggregates, the NTILE window functions and the CASE of the SQL
#    contenders, which would then time a bare GROUP BY. The whole-row reference keeps every column
#    computed, as a client reading the result would need.
#  - The time is taken in the server: a plpgsql function (pg_temp.bench_time) reads
#    clock_timestamp() around EXECUTE ... INTO. Dynamic EXECUTE plans with parallel query allowed
#    (the warm-up round records, through auto_explain, how many parallel workers each contender's
#    plans launched; rfm() runs its inner queries through SPI, which allows them too).
#  - One session: a warm-up round (untimed, plans recorded), then --repeat rounds of all three
#    contenders, the order rotated each round so drift hits all alike; the median per contender.
#  - Peak memory: VmHWM of /proc/<backend pid>/status, read by the client (same machine) at the end
#    of a fresh session that ran only one contender once.
# Raw times, plans and logs go to bench/out/ (ignored by git). The code shared with the other
# benchmarks is in bench/lib.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
BENCH=rfm
. "$ROOT/bench/lib.sh"

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }
bench_options "$@"
bench_prepare

# ---- the contenders -------------------------------------------------------------------------
HAND="$(bench_sql_file "$ROOT/bench/rfm_hand.sql")"
declare -A QUERY=(
    [rfm]="SELECT count(t) FROM rfm(NULL::bigint, 'SELECT customer_id, ordered_at, amount FROM bench_orders') t"
    [hand]="SELECT count(t) FROM (
$HAND
) t"
    [floor]="SELECT count(t) FROM (SELECT customer_id, max(ordered_at), count(*), sum(amount) FROM bench_orders GROUP BY 1) t"
)
NAMES=(rfm hand floor)
COUNT_NOTE="(floor keeps the null customer_id group)"
bench_check_queries

bench_header
bench_time
bench_ratio rfm hand
bench_ratio rfm floor
bench_ratio hand floor
bench_other_cpu
bench_peak
