#!/usr/bin/env bash
# Benchmark of frequent_itemsets() against the tools users would otherwise pick, side by side in
# one run, on FIMI retail.dat (88,162 baskets, 16,470 items; ../shared/data or CA_DATA_DIR):
#   ours        SELECT count(*) FROM frequent_itemsets(NULL::bigint, 'TABLE retail_items', s,
#               max_size => 10): read from the table, mined, streamed to a tuplestore
#   apriori     R arules 1.7-10 apriori(), Borgelt's C code (../shared/vendor, built into
#               bench/out/rlib), timing only the mining call on an in-memory transactions object,
#               target "frequent itemsets", maxlen 10 (arules' default)
#   eclat       R arules eclat(), the same way
#   self_join   for pairs only: the SQL a careful analyst writes, a self-join of the baskets on
#               order_id with a.item < b.item, GROUP BY the pair, HAVING count >= ceil(N * s);
#               against ours with min_size => 2, max_size => 2
# at min_support 0.01, 0.005, 0.0025 and 0.001. Each contender runs once untimed, then --repeat
# times; the median is reported, with the itemset counts (which must agree) and the ratios.
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
        -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
DATA="${CA_DATA_DIR:-$ROOT/../shared/data}/retail.dat.gz"
VENDOR="$ROOT/../shared/vendor"
OUT="$ROOT/bench/out"
mkdir -p "$OUT"
SUPPORTS=(0.01 0.005 0.0025 0.001)
if [ ! -r "$DATA" ]; then
    echo "SKIP: retail.dat.gz not found in the shared data folder (set CA_DATA_DIR)"
    exit 0
fi

# ---- arules, built once into bench/out/rlib -------------------------------------------------
RLIB="$OUT/rlib"
have_arules=0
if [ -x "$VENDOR/build-arules.sh" ] || [ -r "$VENDOR/build-arules.sh" ]; then
    if bash "$VENDOR/build-arules.sh" "$RLIB" >"$OUT/basket_arules_build.log" 2>&1; then
        have_arules=1
    else
        echo "SKIP: arules could not be built (bench/out/basket_arules_build.log); timing ours only"
    fi
else
    echo "SKIP: ../shared/vendor/build-arules.sh not found; timing ours only"
fi

# ---- the server and the data ----------------------------------------------------------------
. "$ROOT/tools/pg_cluster.sh"
ca_cluster_start
trap ca_cluster_stop EXIT
PSQL=(psql -X -q -v ON_ERROR_STOP=1)
"${PSQL[@]}" <<SQL
SET client_min_messages = warning;
CREATE EXTENSION customer_analytics;
CREATE TABLE retail_raw (order_id serial, line text);
\\copy retail_raw (line) FROM PROGRAM 'gzip -dc "$DATA"' WITH (FORMAT text)
CREATE TABLE retail_items AS
SELECT order_id, item::bigint AS item
FROM retail_raw, unnest(string_to_array(btrim(line), ' ')) AS item WHERE item <> '';
VACUUM ANALYZE retail_items;
SQL
read -r N LINES <<<"$("${PSQL[@]}" -At -F ' ' -c "SELECT count(DISTINCT order_id), count(*) FROM retail_items")"
echo "data: retail.dat, $N baskets, $LINES item lines; repeat $REPEAT, medians"
echo "machine: $(nproc) CPUs; PostgreSQL $("${PSQL[@]}" -Atc 'SHOW server_version'); work_mem $("${PSQL[@]}" -Atc 'SHOW work_mem'); extension at git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"

# ---- ours and the self-join, timed in the server ----------------------------------------------
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.6f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
declare -A TIME COUNT
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
    echo "runs $name: $(awk '$1 == "run" { printf "%.3f ", $2 }' <<<"$out")s (warm-up $(awk '$1 == "warmup" { printf "%.3f", $2 }' <<<"$out") s), count ${COUNT[$name]}"
}
for s in "${SUPPORTS[@]}"; do
    sql_time "ours@$s" "SELECT count(*) FROM customer_analytics.frequent_itemsets(NULL::bigint, 'TABLE retail_items', $s, max_size => 10)"
done
for s in 0.01 0.001; do
    sql_time "ours_pairs@$s" "SELECT count(*) FROM customer_analytics.frequent_itemsets(NULL::bigint, 'TABLE retail_items', $s, min_size => 2, max_size => 2)"
    sql_time "self_join@$s" "WITH d AS (SELECT DISTINCT order_id, item FROM retail_items) SELECT count(*) FROM (SELECT a.item, b.item FROM d a JOIN d b ON a.order_id = b.order_id AND a.item < b.item GROUP BY a.item, b.item HAVING count(*) >= ceil($N * $s::float8)) p"
done

# ---- arules, timed inside R -------------------------------------------------------------------
if [ "$have_arules" = 1 ]; then
    gzip -dc "$DATA" >"$OUT/retail.dat"
    R_LIBS="$RLIB" Rscript - "$OUT/retail.dat" "$REPEAT" "${SUPPORTS[@]}" >"$OUT/basket_arules.txt" 2>"$OUT/basket_arules.log" <<'R'
suppressPackageStartupMessages(library(arules))
args <- commandArgs(trailingOnly = TRUE)
trans <- read.transactions(args[1], format = "basket", sep = " ")
repeat_n <- as.integer(args[2])
for (s in as.numeric(args[-(1:2)])) {
  for (algo in c("apriori", "eclat")) {
    mine <- function() {
      p <- list(supp = s, target = "frequent itemsets", maxlen = 10)
      if (algo == "apriori") apriori(trans, parameter = p, control = list(verbose = FALSE))
      else eclat(trans, parameter = p, control = list(verbose = FALSE))
    }
    n <- length(mine())  # warm-up
    times <- replicate(repeat_n, system.time(r <- mine())[["elapsed"]])
    cat(algo, s, n, times, "\n")
  }
}
R
    while read -r algo s n times; do
        TIME["$algo@$s"]=$(tr ' ' '\n' <<<"$times" | grep . | median)
        COUNT["$algo@$s"]=$n
        echo "runs $algo@$s: $times s, count $n"
    done <"$OUT/basket_arules.txt"
fi

# ---- ratios -----------------------------------------------------------------------------------
ratio() { awk -v a="$2" -v b="$3" -v l="$1" 'BEGIN { if (a == "" || b == "" || b == 0) print l ": n/a"; else printf "%s: %.2f (%.3f s / %.3f s)\n", l, a / b, a, b }'; }
for s in "${SUPPORTS[@]}"; do
    if [ "$have_arules" = 1 ]; then
        ratio "ratio ours/apriori at $s" "${TIME[ours@$s]}" "${TIME[apriori@$s]:-}"
        ratio "ratio ours/eclat at $s" "${TIME[ours@$s]}" "${TIME[eclat@$s]:-}"
        [ "${COUNT[ours@$s]}" = "${COUNT[apriori@$s]:-}" ] || echo "COUNTS DIFFER at $s: ours ${COUNT[ours@$s]}, apriori ${COUNT[apriori@$s]:-?}"
    fi
done
for s in 0.01 0.001; do
    ratio "ratio self_join/ours_pairs at $s" "${TIME[self_join@$s]}" "${TIME[ours_pairs@$s]}"
    [ "${COUNT[self_join@$s]}" = "${COUNT[ours_pairs@$s]}" ] || echo "COUNTS DIFFER for pairs at $s: self-join ${COUNT[self_join@$s]}, ours ${COUNT[ours_pairs@$s]}"
done
