#!/usr/bin/env bash
# Benchmark of rfm(method => 'ntile') on text customer ids against rfm()'s default method on the
# same input. ntile breaks ties by customer_id in the ids' collation, so it sorts the customers by
# id first; the target is at most 1.5 x quantile.
#   ntile     SELECT ... FROM rfm(NULL::text, 'TABLE bench_text_orders', method => 'ntile')
#   quantile  SELECT ... FROM rfm(NULL::text, 'TABLE bench_text_orders')
#   ntile_c   ntile with the ids in the C collation (byte order)
# bench_text_orders holds the generated orders (tools/generate_orders.cpp, seed 42) with text ids
# 'customer-<n>' in the database's default collation.
#
# usage: bench/rfm_ntile.sh [--customers N] [--orders N] [--repeat N]
#
# Defaults: 2 M customers, 3 M orders. Measured as bench/rfm.sh measures (see its header);
# customer_analytics.memory_limit is raised to 2 GB for all contenders alike.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
BENCH=rfm_ntile
. "$ROOT/bench/lib.sh"
CUSTOMERS=2000000
ORDERS=3000000

usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }
bench_options "$@"
bench_prepare
"${PSQL[@]}" -c "DROP TABLE IF EXISTS bench_text_orders" \
    -c "CREATE TABLE bench_text_orders AS SELECT 'customer-' || customer_id AS customer_id, ordered_at, amount FROM bench_orders" \
    -c "VACUUM ANALYZE bench_text_orders"
export PGOPTIONS="$PGOPTIONS -c customer_analytics.memory_limit=2GB"

declare -A QUERY=(
    [ntile]="SELECT count(t) FROM rfm(NULL::text, 'TABLE bench_text_orders', method => 'ntile') t"
    [quantile]="SELECT count(t) FROM rfm(NULL::text, 'TABLE bench_text_orders') t"
    [ntile_c]="SELECT count(t) FROM rfm(NULL::text, 'SELECT customer_id COLLATE \"C\" AS customer_id, ordered_at, amount FROM bench_text_orders', method => 'ntile') t"
)
NAMES=(ntile quantile ntile_c)
bench_check_queries

bench_header
echo "collation of the ids: $("${PSQL[@]}" -Atc "SELECT datcollate FROM pg_database WHERE datname = current_database()")"
bench_time
bench_ratio ntile quantile
bench_ratio ntile_c quantile
bench_other_cpu
