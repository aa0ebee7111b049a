#!/usr/bin/env bash
# Benchmark of rfm() against the two other ways to get RFM segments out of PostgreSQL:
#   rfm    SELECT ... FROM rfm('SELECT customer_id, ordered_at, amount FROM bench_orders')
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
# Raw times, plans and logs go to bench/out/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

CUSTOMERS=1000000
ORDERS=10000000
REPEAT=3
SEED=42

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }
positive() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "$1 needs a positive integer, got '$2'" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
    case "$1" in
        --customers) positive "$1" "${2:-}"; CUSTOMERS="$2"; shift 2 ;;
        --orders)    positive "$1" "${2:-}"; ORDERS="$2"; shift 2 ;;
        --repeat)    positive "$1" "${2:-}"; REPEAT="$2"; shift 2 ;;
        -h|--help)   usage; exit 0 ;;
        *) echo "unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done

OUT="$ROOT/bench/out"
mkdir -p "$OUT"
# The files below are written by the client; with a throwaway cluster nothing else needs them.
LOG="$OUT/rfm.log"
: >"$LOG"

# ---- the generator --------------------------------------------------------------------------
GEN="$ROOT/build/ca_generate_orders"
if [ ! -x "$GEN" ] || [ "$ROOT/tools/generate_orders.cpp" -nt "$GEN" ]; then
    echo "building ca_generate_orders" >&2
    { cmake -S "$ROOT" -B "$ROOT/build" && cmake --build "$ROOT/build" --target ca_generate_orders; } \
        >>"$LOG" 2>&1 || { echo "building the generator failed, see $LOG" >&2; exit 1; }
fi

# ---- the server -----------------------------------------------------------------------------
if [ "${BENCH_USE_EXISTING:-0}" = 1 ]; then
    DB="${BENCH_DB:-ca_bench}"
else
    . "$ROOT/tools/pg_cluster.sh"
    trap ca_cluster_stop EXIT
    trap 'exit 130' INT TERM
    ca_cluster_start
    DB=ca_bench
fi
PSQL=(psql -X -q -v ON_ERROR_STOP=1)
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
if [ -z "$("${PSQL[@]}" -d "${BENCH_MAINTENANCE_DB:-postgres}" -Atc \
        "SELECT 1 FROM pg_database WHERE datname = '$DB'")" ]; then
    "${PSQL[@]}" -d "${BENCH_MAINTENANCE_DB:-postgres}" -c "CREATE DATABASE \"$DB\""
fi
export PGDATABASE="$DB"

if [ -z "$("${PSQL[@]}" -Atc "SELECT 1 FROM pg_available_extensions WHERE name = 'customer_analytics'")" ]; then
    echo "customer_analytics is not installed in this server: run make && make install" >&2
    exit 1
fi
# Recreated so that the SQL definitions are those of the installed script.
"${PSQL[@]}" -c "DROP EXTENSION IF EXISTS customer_analytics" -c "CREATE EXTENSION customer_analytics"

# ---- the data -------------------------------------------------------------------------------
GEN_ARGS="--customers $CUSTOMERS --orders $ORDERS --seed $SEED"
TAG="ca_generate_orders $GEN_ARGS"
reuse=0
if [ "${BENCH_USE_EXISTING:-0}" = 1 ]; then
    # The table's comment records what was loaded: "<TAG>: <rows> rows".
    comment="$("${PSQL[@]}" -Atc "SELECT obj_description(to_regclass('bench_orders'), 'pg_class')")"
    if [ -n "$comment" ] && [ "${comment%%: *}" = "$TAG" ]; then
        want="${comment##*: }"; want="${want%% rows}"
        have="$("${PSQL[@]}" -Atc "SELECT count(*) FROM bench_orders")"
        [ "$have" = "$want" ] && reuse=1
    fi
fi
if [ "$reuse" = 1 ]; then
    echo "reusing bench_orders ($TAG, $have rows)" >&2
else
    echo "loading bench_orders: $TAG" >&2
    "${PSQL[@]}" -c "DROP TABLE IF EXISTS bench_orders" \
        -c "CREATE TABLE bench_orders(order_id bigint, customer_id bigint, ordered_at timestamp, amount numeric)"
    "$GEN" $GEN_ARGS 2>>"$LOG" | "${PSQL[@]}" -c "\\copy bench_orders FROM STDIN (FORMAT csv)"
    rows="$("${PSQL[@]}" -Atc "SELECT count(*) FROM bench_orders")"
    "${PSQL[@]}" -c "COMMENT ON TABLE bench_orders IS '$TAG: $rows rows'"
fi
"${PSQL[@]}" -c "VACUUM ANALYZE bench_orders"
# Written out now rather than during the timed runs (CHECKPOINT needs pg_checkpoint or superuser).
"${PSQL[@]}" -c "CHECKPOINT" 2>>"$LOG" || true
sync
rows="$("${PSQL[@]}" -Atc "SELECT count(*) FROM bench_orders")"

# ---- the contenders -------------------------------------------------------------------------
HAND="$(sed -e 's/[[:space:]]*$//' "$ROOT/bench/rfm_hand.sql")"
HAND="${HAND%;}"
declare -A QUERY=(
    [rfm]="SELECT count(t) FROM rfm('SELECT customer_id, ordered_at, amount FROM bench_orders') t"
    [hand]="SELECT count(t) FROM (
$HAND
) t"
    [floor]="SELECT count(t) FROM (SELECT customer_id, max(ordered_at), count(*), sum(amount) FROM bench_orders GROUP BY 1) t"
)
NAMES=(rfm hand floor)
for n in "${NAMES[@]}"; do
    case "${QUERY[$n]}" in *'$bench$'*) echo "the $n query must not contain \$bench\$" >&2; exit 1 ;; esac
done

# ---- settings -------------------------------------------------------------------------------
setting() { "${PSQL[@]}" -Atc "SELECT current_setting('$1')"; }
echo "server: PostgreSQL $(setting server_version), max_parallel_workers_per_gather $(setting max_parallel_workers_per_gather), work_mem $(setting work_mem), nproc $(nproc)"
echo "also: max_parallel_workers $(setting max_parallel_workers), max_worker_processes $(setting max_worker_processes), shared_buffers $(setting shared_buffers), hash_mem_multiplier $(setting hash_mem_multiplier), jit $(setting jit)"
echo "data: bench_orders, $rows rows ($TAG), repeat $REPEAT"
# Which build of the extension ran: other work may reinstall it between runs.
ext="customer_analytics $("${PSQL[@]}" -Atc "SELECT extversion FROM pg_extension WHERE extname = 'customer_analytics'")"
lib="$(pg_config --pkglibdir 2>/dev/null || true)/customer_analytics.so"
[ -r "$lib" ] && ext="$ext, $lib of $(date -r "$lib" '+%F %T %Z'), md5 $(md5sum <"$lib" | cut -c1-12)"
rev="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
[ -n "$(git -C "$ROOT" status --porcelain -- src Makefile customer_analytics--*.sql 2>/dev/null)" ] &&
    rev="$rev with uncommitted changes to src/, Makefile or the SQL script"
echo "extension: $ext; source tree at git $rev"

# ---- timing: one session --------------------------------------------------------------------
timing_sql() {
    cat <<'EOF'
SET client_min_messages = warning;
-- "<seconds>|<count>": the time around EXECUTE, and the count the contender returned.
CREATE FUNCTION pg_temp.bench_time(sql text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
    t0 timestamptz;
    t1 timestamptz;
    n bigint;
BEGIN
    t0 := clock_timestamp();
    EXECUTE sql INTO n;
    t1 := clock_timestamp();
    RETURN extract(epoch FROM t1 - t0) || '|' || n;
END
$f$;
SELECT 'backend|' || pg_backend_pid();
EOF
    # Warm-up: every contender once, untimed, plans shown through auto_explain when it loads.
    echo "\\set ON_ERROR_STOP off"
    echo "LOAD 'auto_explain';"
    echo "SET auto_explain.log_min_duration = 0; SET auto_explain.log_analyze = on;"
    echo "SET auto_explain.log_timing = off; SET auto_explain.log_nested_statements = on;"
    echo "SET auto_explain.log_level = warning;"
    echo "\\set ON_ERROR_STOP on"
    for n in "${NAMES[@]}"; do
        echo "SELECT 'warmup|$n|' || pg_temp.bench_time(\$bench\$${QUERY[$n]}\$bench\$);"
    done
    echo "\\set ON_ERROR_STOP off"
    echo "SET auto_explain.log_min_duration = -1;"
    echo "\\set ON_ERROR_STOP on"
    local round i k
    for ((round = 1; round <= REPEAT; round++)); do
        for ((i = 0; i < 3; i++)); do
            k=$(((round - 1 + i) % 3))
            n="${NAMES[$k]}"
            echo "SELECT '$round|$n|' || pg_temp.bench_time(\$bench\$${QUERY[$n]}\$bench\$);"
        done
    done
}
# CPU used by other processes of this machine while timing (other sessions' builds and tests
# make the times noisy): all busy CPU time (/proc/stat) minus this cluster's processes, that is
# the postmaster, its children and its exited children. Only when the server runs here and its
# processes are readable.
POSTMASTER="$("${PSQL[@]}" -Atc "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'")"
POSTMASTER="$(awk '{ print $4 }' "/proc/$POSTMASTER/stat" 2>/dev/null || true)"
cpu_ticks() {   # prints: busy ticks of the machine, ticks of the cluster
    local busy cluster=0 pid
    busy="$(awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat)"
    for pid in "$POSTMASTER" $(ps -o pid= --ppid "$POSTMASTER"); do
        cluster=$((cluster + $(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    done
    echo "$busy $cluster"
}
echo "timing: warm-up, then $REPEAT interleaved rounds" >&2
timing_sql >"$OUT/rfm_timing.sql"
[ -n "$POSTMASTER" ] && [ -r "/proc/$POSTMASTER/stat" ] && read -r busy0 cluster0 < <(cpu_ticks)
t0="$(date +%s.%N)"
"${PSQL[@]}" -At -f "$OUT/rfm_timing.sql" >"$OUT/rfm_times.txt" 2>"$OUT/rfm_plans.txt"
t1="$(date +%s.%N)"
if [ -n "${busy0:-}" ]; then
    # The session's backend counts once the postmaster has reaped it.
    backend="$(awk -F'|' '$1 == "backend" { print $2 }' "$OUT/rfm_times.txt")"
    for _ in $(seq 100); do
        [ "$(awk '{ print $4 }' "/proc/$backend/stat" 2>/dev/null)" = "$POSTMASTER" ] || break
        sleep 0.1
    done
    read -r busy1 cluster1 < <(cpu_ticks)
fi

# Workers launched in the warm-up plans, per contender. auto_explain logs nested statements
# first, so every plan up to a contender's own top-level "SELECT 'warmup|<name>|' ..." is its own
# (for rfm: the queries it runs through SPI).
workers() {
    awk -v want="$1" '
        /Workers Launched:/ { n += $NF }
        /Query Text: SELECT .warmup\|/ {
            split($0, f, "|")
            if (f[2] == want) { print n + 0; found = 1; exit }
            n = 0
        }
        END { if (!found) print "n/a" }' "$OUT/rfm_plans.txt"
}
echo "parallel workers launched (warm-up plans, bench/out/rfm_plans.txt): rfm $(workers rfm), hand $(workers hand), floor $(workers floor)"

median() {
    awk -F'|' -v n="$1" '$1 ~ /^[0-9]+$/ && $2 == n { print $3 }' "$OUT/rfm_times.txt" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
runs() {
    awk -F'|' -v n="$1" '$1 ~ /^[0-9]+$/ && $2 == n { printf "%s%.2f", sep, $3; sep = " " }' "$OUT/rfm_times.txt"
}
count() { awk -F'|' -v n="$1" '$1 == "warmup" && $2 == n { print $4 }' "$OUT/rfm_times.txt"; }
echo "rows counted: rfm $(count rfm), hand $(count hand), floor $(count floor) (floor keeps the null customer_id group)"
declare -A MED
for n in "${NAMES[@]}"; do
    MED[$n]="$(median "$n")"
    echo "runs $n: $(runs "$n") s (warm-up $(awk -F'|' -v n="$n" '$1 == "warmup" && $2 == n { printf "%.2f", $3 }' "$OUT/rfm_times.txt") s)"
done
ratio() {
    awk -v a="${MED[$1]}" -v b="${MED[$2]}" -v name="$1/$2" \
        'BEGIN { printf "ratio %s: %.2f (ours %.2f s, theirs %.2f s)\n", name, a / b, a, b }'
}
ratio rfm hand
ratio rfm floor
ratio hand floor
if [ -n "${busy1:-}" ]; then
    awk -v b="$((busy1 - busy0))" -v c="$((cluster1 - cluster0))" -v hz="$(getconf CLK_TCK)" \
        -v t0="$t0" -v t1="$t1" -v ncpu="$(nproc)" 'BEGIN {
            wall = t1 - t0; o = (b - c) / hz; if (o < 0) o = 0
            printf "other processes used %.1f CPU s while timing (%.0f%% of %d CPUs over %.0f s; the cluster used %.1f)\n",
                o, 100 * o / (ncpu * wall), ncpu, wall, c / hz }'
fi

# ---- peak memory: a fresh session per contender ---------------------------------------------
peak_kb() {
    {
        echo "SET client_min_messages = warning;"
        echo "SELECT pg_backend_pid() AS bench_pid \\gset"
        echo "\\setenv BENCH_PID :bench_pid"
        [ -n "$1" ] && echo "${QUERY[$1]};"
        echo "\\! f=/proc/\$BENCH_PID/status; if [ -r \$f ]; then awk '/^VmHWM:/ { print \$2 }' \$f; else echo n/a; fi"
    } | "${PSQL[@]}" -At 2>>"$LOG" | tail -n 1
}
mb() { case "$1" in n/a|'') echo "n/a" ;; *) echo "$(( ($1 + 512) / 1024 )) MB" ;; esac; }
echo "peak memory: fresh sessions" >&2
declare -A PEAK
for n in "${NAMES[@]}"; do PEAK[$n]="$(mb "$(peak_kb "$n")")"; done
idle="$(mb "$(peak_kb "")")"
echo "peak backend memory: rfm ${PEAK[rfm]}, hand ${PEAK[hand]}, floor ${PEAK[floor]}"
echo "(VmHWM of the session's backend, not its parallel workers; an idle fresh backend: $idle)"
