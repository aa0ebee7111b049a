#!/usr/bin/env bash
# Benchmark of frequent_itemsets() against the tools users would otherwise pick, side by side in
# one run, on two real datasets (../shared/data or CA_DATA_DIR; a missing one prints SKIP):
#   retail   FIMI retail.dat, 88,162 baskets, loaded as retail_items (order_id, item bigint);
#            min_support 0.01, 0.005, 0.0025, 0.001; pairs at 0.01 and 0.001
#   online   UCI Online Retail, loaded as online_retail with all its columns: a basket is an
#            invoice (InvoiceNo), its items the stock codes (StockCode, text) of its lines with a
#            quantity above 0. Lines of quantity <= 0 (every cancellation 'C...', and stock
#            adjustments) are in no basket, so an invoice made only of them is no basket;
#            min_support 0.02, 0.01, 0.005, 0.0025; pairs at 0.01 and 0.0025
# Contenders:
#   ours        SELECT count(*) FROM frequent_itemsets(NULL::<type>, '<lines>', s, max_size => 10)
#               read from the table (online: 'SELECT invoice_no AS order_id, stock_code AS item,
#               quantity FROM online_retail', our reader drops quantity <= 0), mined, streamed to a
#               tuplestore
#   apriori     R arules 1.7-10 apriori(), Borgelt's C code (../shared/vendor, built into
#               bench/out/rlib), timing only the mining call on an in-memory transactions object
#               built from the same baskets (the distinct order/item pairs of the kept lines,
#               exported from the table), target "frequent itemsets", maxlen 10 (arules' default)
#   eclat       R arules eclat(), the same way
#   self_join   pairs only: the SQL a careful analyst writes, a self-join of the distinct kept
#               (order, item) lines on the order with a.item < b.item, GROUP BY the pair, HAVING
#               count >= ceil(N * s); against ours with min_size => 2, max_size => 2
#   ours_read   ours at min_support 1: the lines read into baskets and nothing to mine, the part
#               of ours that arules does before its clock (and its memory baseline) starts
# Time: each contender once untimed, then --repeat times; medians. Every count must agree, or
# the script prints COUNTS DIFFER; the last line says how many comparisons agree.
# Peak memory: each contender once more, alone in a fresh backend (ours, self_join) or a fresh R
# process that has loaded the transactions (apriori, eclat): how far its private memory rose in
# the call, that is the rise of the resident peak (VmHWM, reset just before through
# /proc/<pid>/clear_refs) less the shared buffers and mapped files it first touched. The
# ratio lines show it next to the times; docs/performance.md says what each figure includes.
# Server: a throwaway cluster (tools/pg_cluster.sh) with the installed extension.
#
# usage: bench/basket.sh [--repeat N]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
REPEAT=3
while [ $# -gt 0 ]; do
    case "$1" in
        --repeat) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { echo "--repeat needs a positive integer" >&2; exit 2; }
                  REPEAT="$2"; shift 2 ;;
        -h|--help) sed -n '2,/^# usage:/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
DATA_DIR="${CA_DATA_DIR:-$ROOT/../shared/data}"
VENDOR="$ROOT/../shared/vendor"
OUT="$ROOT/bench/out"
mkdir -p "$OUT"

# ---- the datasets -----------------------------------------------------------------------------
# FILE: the data file; TYPE: the item type; LINES: ours' items_sql; BASKETS: the distinct
# (order_id, item) pairs of the kept lines, for the self-join and for arules; SUPPORTS, PAIRS.
declare -A FILE TYPE LINES BASKETS SUPPORTS PAIRS
FILE[retail]="$DATA_DIR/retail.dat.gz"
TYPE[retail]=bigint
LINES[retail]="TABLE retail_items"
BASKETS[retail]="SELECT DISTINCT order_id, item FROM retail_items"
SUPPORTS[retail]="0.01 0.005 0.0025 0.001"
PAIRS[retail]="0.01 0.001"
FILE[online]="$DATA_DIR/online_retail.csv.xz"
TYPE[online]=text
LINES[online]="SELECT invoice_no AS order_id, stock_code AS item, quantity FROM online_retail"
BASKETS[online]="SELECT DISTINCT invoice_no AS order_id, stock_code AS item FROM online_retail WHERE quantity > 0"
SUPPORTS[online]="0.02 0.01 0.005 0.0025"
PAIRS[online]="0.01 0.0025"
DATASETS=()
for ds in retail online; do
    if [ -r "${FILE[$ds]}" ]; then
        DATASETS+=("$ds")
    else
        echo "SKIP: $(basename "${FILE[$ds]}") not found in the shared data folder (set CA_DATA_DIR)"
    fi
done
[ ${#DATASETS[@]} -gt 0 ] || exit 0

# ---- arules, built once into bench/out/rlib -------------------------------------------------
. "$ROOT/bench/arules.sh"
arules_build basket_arules_build.log

# ---- the server and the data ----------------------------------------------------------------
. "$ROOT/tools/pg_cluster.sh"
ca_cluster_start
trap ca_cluster_stop EXIT
PSQL=(psql -X -q -v ON_ERROR_STOP=1)
"${PSQL[@]}" -c "SET client_min_messages = warning" -c "CREATE EXTENSION customer_analytics"
load_retail() {
    "${PSQL[@]}" <<SQL
CREATE TABLE retail_raw (order_id serial, line text);
\\copy retail_raw (line) FROM PROGRAM 'gzip -dc "${FILE[retail]}"' WITH (FORMAT text)
CREATE TABLE retail_items AS
SELECT order_id, item::bigint AS item
FROM retail_raw, unnest(string_to_array(btrim(line), ' ')) AS item WHERE item <> '';
VACUUM ANALYZE retail_items;
SQL
}
load_online() {   # as test/sql/online_retail.sql loads it
    "${PSQL[@]}" <<SQL
CREATE TABLE online_retail (invoice_no text, stock_code text, description text, quantity integer,
                            invoice_date timestamp, unit_price numeric, customer_id integer,
                            country text);
\\copy online_retail FROM PROGRAM 'xz -dc "${FILE[online]}"' WITH (FORMAT csv, HEADER true)
VACUUM ANALYZE online_retail;
SQL
}
declare -A N
for ds in "${DATASETS[@]}"; do
    "load_$ds"
    read -r "N[$ds]" pairs items <<<"$("${PSQL[@]}" -At -F ' ' -c \
        "SELECT count(DISTINCT order_id), count(*), count(DISTINCT item) FROM (${BASKETS[$ds]}) b")"
    lines="$("${PSQL[@]}" -Atc "SELECT count(*) FROM (${LINES[$ds]}) l")"
    echo "data: $ds ($(basename "${FILE[$ds]}")), ${N[$ds]} baskets, $items items, $pairs distinct basket items, from $lines lines"
done
echo "machine: $(nproc) CPUs; PostgreSQL $("${PSQL[@]}" -Atc 'SHOW server_version'); work_mem $("${PSQL[@]}" -Atc 'SHOW work_mem'); extension at git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'); repeat $REPEAT, medians"

# ---- ours and the self-join, timed in the server ----------------------------------------------
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.6f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
declare -A TIME COUNT QUERY
sql_time() {   # name, query returning one count: fills TIME[name], COUNT[name]
    local name=$1 query=$2 out
    out=$("${PSQL[@]}" -At <<SQL
SET client_min_messages = warning;
CREATE FUNCTION pg_temp.bench_time(sql text) RETURNS text LANGUAGE plpgsql AS \$f\$
DECLARE t0 timestamptz; n bigint;
BEGIN
    t0 := clock_timestamp();
    EXECUTE sql INTO n;
    RETURN extract(epoch FROM clock_timestamp() - t0) || ' ' || n;
END \$f\$;
SELECT 'warmup ' || pg_temp.bench_time(\$b\$$query\$b\$);
$(for ((i = 1; i <= REPEAT; i++)); do echo "SELECT 'run ' || pg_temp.bench_time(\$b\$$query\$b\$);"; done)
SQL
)
    TIME[$name]=$(awk '$1 == "run" { print $2 }' <<<"$out" | median)
    COUNT[$name]=$(awk '$1 == "run" { print $3 }' <<<"$out" | sort -u | paste -sd/)
    QUERY[$name]=$query
    echo "runs $name: $(awk '$1 == "run" { printf "%.3f ", $2 }' <<<"$out")s (warm-up $(awk '$1 == "warmup" { printf "%.3f", $2 }' <<<"$out") s), count ${COUNT[$name]}"
}
for ds in "${DATASETS[@]}"; do
    sql_time "$ds ours_read" "SELECT count(*) FROM customer_analytics.frequent_itemsets(NULL::${TYPE[$ds]}, '${LINES[$ds]}', 1)"
    for s in ${SUPPORTS[$ds]}; do
        sql_time "$ds ours@$s" "SELECT count(*) FROM customer_analytics.frequent_itemsets(NULL::${TYPE[$ds]}, '${LINES[$ds]}', $s, max_size => 10)"
    done
    for s in ${PAIRS[$ds]}; do
        sql_time "$ds ours_pairs@$s" "SELECT count(*) FROM customer_analytics.frequent_itemsets(NULL::${TYPE[$ds]}, '${LINES[$ds]}', $s, min_size => 2, max_size => 2)"
        sql_time "$ds self_join@$s" "WITH d AS (${BASKETS[$ds]}) SELECT count(*) FROM (SELECT a.item, b.item FROM d a JOIN d b ON a.order_id = b.order_id AND a.item < b.item GROUP BY a.item, b.item HAVING count(*) >= ceil(${N[$ds]} * $s::float8)) p"
    done
done

# ---- arules, timed inside R -------------------------------------------------------------------
if [ "$have_arules" = 1 ]; then
    for ds in "${DATASETS[@]}"; do
        "${PSQL[@]}" -c "\\copy (${BASKETS[$ds]}) TO '$OUT/basket_$ds.tsv'"
        # shellcheck disable=SC2086
        R_LIBS="$RLIB" Rscript "$ROOT/bench/basket_arules.R" time "$OUT/basket_$ds.tsv" "$OUT/basket_$ds.rds" \
            "$REPEAT" ${SUPPORTS[$ds]} >"$OUT/basket_arules_$ds.txt" 2>"$OUT/basket_arules_$ds.log"
        while read -r algo s n times; do
            TIME["$ds $algo@$s"]=$(tr ' ' '\n' <<<"$times" | grep . | median)
            COUNT["$ds $algo@$s"]=$n
            echo "runs $ds $algo@$s: $times s, count $n"
        done <"$OUT/basket_arules_$ds.txt"
    done
fi

COUNTS_CHECKED=0 COUNTS_DIFFER=0
same() {   # a, b, what: counts a check, prints COUNTS DIFFER <what> unless a = b
    COUNTS_CHECKED=$((COUNTS_CHECKED + 1))
    if [ "$1" != "$2" ]; then COUNTS_DIFFER=$((COUNTS_DIFFER + 1)); echo "COUNTS DIFFER $3"; fi
}

# ---- peak memory: each contender once more, alone in a fresh process -------------------------
# From kB readings "VmRSS VmHWM RssShmem RssFile" just before the call (after the reset of VmHWM)
# and "VmHWM RssShmem RssFile" after it. Private: the rise of the resident peak less the shared
# memory and mapped files first touched in the call (exact when they were touched before the
# peak; a lower bound otherwise). Without the reset, and when VmHWM did not rise, only
# "<= <rise of the resident peak>" is known.
declare -A PEAK PEAK_NOTE
peak_record() {   # name, count, rss0 hwm0 shm0 file0 hwm1 shm1 file1
    local name=$1 count=${2:-}
    if [ $# -ne 9 ]; then PEAK[$name]="n/a"; PEAK_NOTE[$name]="no reading"; return; fi
    shift 2
    PEAK[$name]=$(awk -v r0="$1" -v h0="$2" -v s0="$3" -v f0="$4" -v h1="$5" -v s1="$6" -v f1="$7" 'BEGIN {
        if (h1 > h0 || h0 <= r0) printf "%.1f MB", (h1 - r0 - (s1 - s0) - (f1 - f0)) / 1024
        else printf "<= %.1f MB", (h1 - r0) / 1024 }')
    PEAK_NOTE[$name]=$(awk -v r0="$1" -v s0="$3" -v f0="$4" -v h1="$5" -v s1="$6" -v f1="$7" 'BEGIN {
        printf "resident %.1f MB before, peak +%.1f MB, of which first touched: shared memory %.1f MB, mapped files %.1f MB",
            r0 / 1024, (h1 - r0) / 1024, (s1 - s0) / 1024, (f1 - f0) / 1024 }')
    same "$count" "${COUNT[$name]:-}" "for $name in its memory run: $count, timed ${COUNT[$name]:-?}"
}
# shellcheck disable=SC2016
STATUS_AWK='/^(VmRSS|VmHWM|RssShmem|RssFile):/ { v[$1] = $2 } END { print tag, v["VmRSS:"], v["VmHWM:"], v["RssShmem:"], v["RssFile:"] }'
sql_peak() {   # name: runs QUERY[name] once in a fresh session
    local name=$1 out
    out=$("${PSQL[@]}" -At <<SQL
SET client_min_messages = warning;
SET max_parallel_workers_per_gather = 0;
LOAD 'customer_analytics';
SELECT pg_backend_pid() AS bench_pid \gset
\setenv BENCH_PID :bench_pid
\! { echo 5 >/proc/\$BENCH_PID/clear_refs; } 2>/dev/null; awk -v tag=before '$STATUS_AWK' /proc/\$BENCH_PID/status
${QUERY[$name]} \gset bench_
\echo count :bench_count
\! awk -v tag=after '$STATUS_AWK' /proc/\$BENCH_PID/status
SQL
)
    # shellcheck disable=SC2046
    peak_record "$name" "$(awk '$1 == "count" { print $2 }' <<<"$out")" \
        $(awk '$1 == "before" { print $2, $3, $4, $5 }' <<<"$out") $(awk '$1 == "after" { print $3, $4, $5 }' <<<"$out")
}
r_peak() {   # dataset, algorithm, support
    local out
    out=$(R_LIBS="$RLIB" Rscript "$ROOT/bench/basket_arules.R" peak "$OUT/basket_$1.rds" "$2" "$3" 2>>"$OUT/basket_arules_$1.log")
    # shellcheck disable=SC2046
    peak_record "$1 $2@$3" $(awk '$1 == "peak" { print $2, $3, $4, $5, $6, $7, $8, $9 }' <<<"$out")
}
for ds in "${DATASETS[@]}"; do
    sql_peak "$ds ours_read"
    for s in ${SUPPORTS[$ds]}; do
        sql_peak "$ds ours@$s"
        if [ "$have_arules" = 1 ]; then r_peak "$ds" apriori "$s"; r_peak "$ds" eclat "$s"; fi
    done
    for s in ${PAIRS[$ds]}; do sql_peak "$ds ours_pairs@$s"; sql_peak "$ds self_join@$s"; done
done

# ---- results ----------------------------------------------------------------------------------
echo "peak memory: the private memory added during the one call, in a fresh backend that had loaded the extension or a fresh R process that had loaded arules and the transactions; ours_read is ours at min_support 1 (the lines read into baskets, nothing to mine)"
for ds in "${DATASETS[@]}"; do
    for name in ours_read $(for s in ${SUPPORTS[$ds]}; do echo "ours@$s apriori@$s eclat@$s"; done) \
                $(for s in ${PAIRS[$ds]}; do echo "ours_pairs@$s self_join@$s"; done); do
        if [ -n "${PEAK[$ds $name]:-}" ]; then echo "peak $ds $name: ${PEAK[$ds $name]} (${PEAK_NOTE[$ds $name]})"; fi
    done
done
ratio() {   # label, ours, theirs
    awk -v a="${TIME[$2]:-}" -v b="${TIME[$3]:-}" -v l="$1" -v ma="${PEAK[$2]:-n/a}" -v mb="${PEAK[$3]:-n/a}" 'BEGIN {
        if (a == "" || b == "" || b == 0) print "ratio " l ": n/a"
        else printf "ratio %s: %.3f (ours %.3f s, theirs %.3f s; peak memory ours %s, theirs %s)\n", l, a / b, a, b, ma, mb }'
}
for ds in "${DATASETS[@]}"; do
    for s in ${SUPPORTS[$ds]}; do
        if [ "$have_arules" = 1 ]; then
            ratio "$ds ours/apriori@$s" "$ds ours@$s" "$ds apriori@$s"
            ratio "$ds ours/eclat@$s" "$ds ours@$s" "$ds eclat@$s"
            for algo in apriori eclat; do
                same "${COUNT[$ds ours@$s]}" "${COUNT[$ds $algo@$s]:-}" \
                    "for $ds at $s: ours ${COUNT[$ds ours@$s]}, $algo ${COUNT[$ds $algo@$s]:-?}"
            done
        fi
    done
    for s in ${PAIRS[$ds]}; do
        ratio "$ds ours_pairs/self_join@$s" "$ds ours_pairs@$s" "$ds self_join@$s"
        same "${COUNT[$ds self_join@$s]}" "${COUNT[$ds ours_pairs@$s]}" \
            "for $ds pairs at $s: self-join ${COUNT[$ds self_join@$s]}, ours ${COUNT[$ds ours_pairs@$s]}"
    done
done
if [ "$COUNTS_CHECKED" -gt 0 ] && [ "$COUNTS_DIFFER" = 0 ]; then
    echo "counts: all $COUNTS_CHECKED comparisons agree"
else
    echo "counts: $COUNTS_DIFFER of $COUNTS_CHECKED comparisons differ"
fi
