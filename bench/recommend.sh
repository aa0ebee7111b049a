#!/usr/bin/env bash
# Benchmark of "also bought" recommendations on FIMI retail.dat (88,162 real baskets, 16,470
# items; ../shared/data or CA_DATA_DIR), answering the first 200 baskets of the data one by one,
# timed in the server (a PL/pgSQL loop over the baskets; no client round trips):
#   stored      the production path of docs/basket.md: rules mined once by association_rules()
#               (min_support 0.001, min_confidence 0) into the 50 best next items of each
#               antecedent, keyed by its least frequent item (B-tree), one plain query per basket
#               (top 10)
#   all_rules   the same query over every stored rule with a GIN index on the antecedent
#   live        also_bought('TABLE retail_items', basket, 10, 0.001): reads and mines per call
#   arules      R arules 1.7-10 (../shared/vendor, built into bench/out/rlib), the way its users
#               recommend: apriori(supp = 0.001, conf = 0, minlen = 2) once, then per basket the
#               rules whose lhs is.subset of it from the rules object in memory, the best per rhs
#               item, the first 10 (bench/recommend_arules.R); timed inside R
#   hand_sql    what an analyst writes without the extension: per basket, the items of the orders
#               that share an item with it, counted (a different, cruder definition; B-tree
#               indexes on (item, order_id) and (order_id, item) give it its best plan)
# plus the one-off cost of mining and storing (ours) and of mining (arules). The stored and live
# lists must be equal row by row, and arules' items the same (all checked). Each contender runs
# once untimed, then --repeat times; the median time per basket is reported, with ratios.
#
# usage: bench/recommend.sh [--repeat N]
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
DATA="${CA_DATA_DIR:-$ROOT/../shared/data}/retail.dat.gz"
if [ ! -r "$DATA" ]; then
    echo "SKIP: retail.dat.gz not found in the shared data folder (set CA_DATA_DIR)"
    exit 0
fi

OUT="$ROOT/bench/out"
VENDOR="$ROOT/../shared/vendor"
mkdir -p "$OUT"
. "$ROOT/bench/arules.sh"
arules_build recommend_arules_build.log

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
CREATE INDEX ON retail_items (item, order_id);
CREATE INDEX ON retail_items (order_id, item);
VACUUM ANALYZE retail_items;
CREATE TABLE bench_baskets AS
SELECT order_id AS id, array_agg(DISTINCT item ORDER BY item) AS basket
FROM retail_items WHERE order_id <= 200 GROUP BY order_id;
SQL
read -r N LINES <<<"$("${PSQL[@]}" -At -F ' ' -c "SELECT count(DISTINCT order_id), count(*) FROM retail_items")"
read -r B AVG <<<"$("${PSQL[@]}" -At -F ' ' -c "SELECT count(*), round(avg(cardinality(basket)), 1) FROM bench_baskets")"
echo "data: retail.dat, $N baskets, $LINES item lines; $B baskets answered (on average $AVG items); repeat $REPEAT, medians"
echo "machine: $(nproc) CPUs; PostgreSQL $("${PSQL[@]}" -Atc 'SHOW server_version'); extension at git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"

# The one-off step, timed in the server: the rules, the item counts, the table of next items.
BUILD=$("${PSQL[@]}" -At <<'SQL'
SET client_min_messages = warning;
CREATE FUNCTION pg_temp.build() RETURNS text LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
    CREATE TABLE bench_rules AS
    SELECT * FROM customer_analytics.association_rules(NULL::bigint, 'TABLE retail_items', 0.001, 0);
    CREATE TABLE bench_item_counts AS
    SELECT items[1] AS item, count
    FROM customer_analytics.frequent_itemsets(NULL::bigint, 'TABLE retail_items', 0.001, max_size => 1);
    CREATE TABLE bench_next_items AS
    SELECT antecedent,
           (SELECT a FROM unnest(antecedent) a JOIN bench_item_counts c ON c.item = a
            ORDER BY c.count, a LIMIT 1) AS rarest,
           array_agg(consequent[1] ORDER BY place) AS items, array_agg(count ORDER BY place) AS counts,
           array_agg(support ORDER BY place) AS supports,
           array_agg(confidence ORDER BY place) AS confidences, array_agg(lift ORDER BY place) AS lifts
    FROM (SELECT r.*, row_number() OVER (PARTITION BY antecedent
                                         ORDER BY confidence DESC, lift DESC, consequent) AS place
          FROM bench_rules r) ranked
    WHERE place <= 50
    GROUP BY antecedent;
    CREATE INDEX ON bench_next_items (rarest);
    ANALYZE bench_next_items;
    RETURN extract(epoch FROM clock_timestamp() - t0) || ' ' || (SELECT count(*) FROM bench_rules)
           || ' ' || (SELECT count(*) FROM bench_next_items);
END $$;
SELECT pg_temp.build();
CREATE INDEX ON bench_rules USING gin (antecedent);
ANALYZE bench_rules;
SQL
)
read -r BUILD_S RULES ANTECEDENTS <<<"$BUILD"
printf 'one-off: %s rules, %s antecedents stored in %.3f s\n' "$RULES" "$ANTECEDENTS" "$BUILD_S"

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.9f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
declare -A PER
# Each contender is a PL/pgSQL function of the basket returning its rows; the loop calls it for
# every basket and returns the seconds per basket and the rows returned in all.
run() {   # name, function body (SQL returning the rows for basket $1 as a bigint[] parameter)
    local name=$1 body=$2 out
    out=$("${PSQL[@]}" -At <<SQL
SET client_min_messages = warning;
CREATE FUNCTION pg_temp.contender(basket bigint[]) RETURNS SETOF record LANGUAGE plpgsql AS \$f\$
BEGIN RETURN QUERY $body; END \$f\$;
CREATE FUNCTION pg_temp.loop() RETURNS text LANGUAGE plpgsql AS \$f\$
DECLARE t0 timestamptz; n bigint := 0; k bigint; b bigint[];
BEGIN
    t0 := clock_timestamp();
    FOR b IN SELECT basket FROM bench_baskets ORDER BY id LOOP
        SELECT count(*) INTO k FROM pg_temp.contender(b) AS r(item bigint, score float8);
        n := n + k;
    END LOOP;
    RETURN extract(epoch FROM clock_timestamp() - t0) / (SELECT count(*) FROM bench_baskets) || ' ' || n;
END \$f\$;
SELECT 'warmup ' || pg_temp.loop();
$(for ((i = 1; i <= REPEAT; i++)); do echo "SELECT 'run ' || pg_temp.loop();"; done)
SQL
)
    PER[$name]=$(awk '$1 == "run" { print $2 }' <<<"$out" | median)
    echo "runs $name: $(awk '$1 == "run" { printf "%.6f ", $2 }' <<<"$out")s per basket, rows $(awk '$1 == "run" { print $3 }' <<<"$out" | sort -u | paste -sd/)"
}
run stored "SELECT item, confidence FROM (
    SELECT DISTINCT ON (x.item) x.item, n.antecedent, x.confidence, x.lift
    FROM bench_next_items n, unnest(n.items, n.confidences, n.lifts) AS x(item, confidence, lift)
    WHERE n.rarest = ANY (basket) AND n.antecedent <@ basket AND x.item <> ALL (basket)
    ORDER BY x.item, x.confidence DESC, x.lift DESC, cardinality(n.antecedent), n.antecedent
) best ORDER BY confidence DESC, lift DESC, item LIMIT 10"
run all_rules "SELECT item, confidence FROM (
    SELECT DISTINCT ON (r.consequent[1]) r.consequent[1] AS item, r.antecedent, r.confidence, r.lift
    FROM bench_rules r
    WHERE r.antecedent <@ basket AND NOT r.consequent <@ basket
    ORDER BY r.consequent[1], r.confidence DESC, r.lift DESC, cardinality(r.antecedent), r.antecedent
) best ORDER BY confidence DESC, lift DESC, item LIMIT 10"
run live "SELECT item, confidence FROM customer_analytics.also_bought('TABLE retail_items', basket, 10, 0.001)"
run hand_sql "SELECT b.item, count(DISTINCT b.order_id)::float8
    FROM retail_items a JOIN retail_items b ON b.order_id = a.order_id
    WHERE a.item = ANY (basket) AND b.item <> ALL (basket)
    GROUP BY b.item ORDER BY 2 DESC, 1 LIMIT 10"

# The stored and live lists, row by row.
DIFF=$("${PSQL[@]}" -At <<'SQL'
SET client_min_messages = warning;
CREATE FUNCTION pg_temp.stored(basket bigint[])
RETURNS TABLE (item bigint, antecedent bigint[], count bigint, support float8, confidence float8, lift float8)
LANGUAGE sql AS $$
SELECT item, antecedent, count, support, confidence, lift FROM (
    SELECT DISTINCT ON (x.item) x.item, n.antecedent, x.count, x.support, x.confidence, x.lift
    FROM bench_next_items n,
         unnest(n.items, n.counts, n.supports, n.confidences, n.lifts) AS x(item, count, support, confidence, lift)
    WHERE n.rarest = ANY (basket) AND n.antecedent <@ basket AND x.item <> ALL (basket)
    ORDER BY x.item, x.confidence DESC, x.lift DESC, cardinality(n.antecedent), n.antecedent
) best ORDER BY confidence DESC, lift DESC, item LIMIT 10
$$;
SELECT count(*) FROM bench_baskets b, LATERAL (
    (SELECT * FROM pg_temp.stored(b.basket) WITH ORDINALITY
     EXCEPT ALL
     SELECT * FROM customer_analytics.also_bought('TABLE retail_items', b.basket, 10, 0.001) WITH ORDINALITY)
    UNION ALL
    (SELECT * FROM customer_analytics.also_bought('TABLE retail_items', b.basket, 10, 0.001) WITH ORDINALITY
     EXCEPT ALL
     SELECT * FROM pg_temp.stored(b.basket) WITH ORDINALITY)
) d;
SQL
)
echo "stored and live lists: $DIFF rows differ"

# ---- arules, timed inside R; its lists against ours --------------------------------------------
if [ "$have_arules" = 1 ]; then
    "${PSQL[@]}" -c "\\copy (SELECT DISTINCT order_id, item FROM retail_items) TO '$OUT/recommend_lines.tsv'" \
        -c "\\copy (SELECT id, unnest(basket) FROM bench_baskets) TO '$OUT/recommend_baskets.tsv'"
    R_LIBS="$RLIB" Rscript "$ROOT/bench/recommend_arules.R" "$OUT/recommend_lines.tsv" \
        "$OUT/recommend_baskets.tsv" 0.001 "$REPEAT" >"$OUT/recommend_arules.txt" 2>"$OUT/recommend_arules.log"
    read -r _ MINE_R RULES_R < <(grep '^mine ' "$OUT/recommend_arules.txt")
    PER[arules]=$(grep '^answer ' "$OUT/recommend_arules.txt" | cut -d' ' -f2- | tr ' ' '\n' | grep . | median)
    echo "runs arules: $(grep '^answer ' "$OUT/recommend_arules.txt" | cut -d' ' -f2-)s per basket; mined $RULES_R rules in $MINE_R s"
    "${PSQL[@]}" -At -F ' ' -c "SELECT 'list', b.id, coalesce(string_agg(r.item::text, ',' ORDER BY r.n), '')
        FROM bench_baskets b LEFT JOIN LATERAL customer_analytics.also_bought('TABLE retail_items', b.basket, 10, 0.001)
             WITH ORDINALITY AS r(item, antecedent, count, support, confidence, lift, n) ON true
        GROUP BY b.id" | sed 's/ *$//' | sort >"$OUT/recommend_ours_lists.txt"
    grep '^list ' "$OUT/recommend_arules.txt" | sed 's/ *$//' | sort >"$OUT/recommend_arules_lists.txt"
    echo "arules and ours: $RULES_R and $RULES rules; $(comm -3 "$OUT/recommend_ours_lists.txt" "$OUT/recommend_arules_lists.txt" | wc -l) basket lists differ"
fi

ratio() { awk -v a="$2" -v b="$3" -v l="$1" 'BEGIN { if (a == "" || b == "" || b == 0) print l ": n/a"; else printf "%s: %.4f (ours %.3f ms, theirs %.3f ms per basket)\n", l, a / b, a * 1000, b * 1000 }'; }
ratio "ratio live/hand_sql" "${PER[live]}" "${PER[hand_sql]}"
ratio "ratio stored/hand_sql" "${PER[stored]}" "${PER[hand_sql]}"
ratio "ratio stored/live" "${PER[stored]}" "${PER[live]}"
ratio "ratio stored/all_rules" "${PER[stored]}" "${PER[all_rules]}"
if [ "$have_arules" = 1 ]; then
    ratio "ratio stored/arules" "${PER[stored]}" "${PER[arules]}"
    ratio "ratio live/arules" "${PER[live]}" "${PER[arules]}"
fi
awk -v s="${PER[stored]}" 'BEGIN { printf "stored query: %.3f ms per basket (target: well under 1 ms)\n", s * 1000 }'
