# Sourced by the benchmarks under bench/ (bench/rfm.sh, bench/retention.sh): what they share.
#   bench_options "$@"     --customers, --orders, --repeat, -h (the script defines usage())
#   bench_positive OPT V   exits with a message unless V is a positive integer
#   bench_prepare          bench_server, the generator, bench_orders generated or reused, VACUUM ANALYZE
#   bench_server           bench/out and the log, the server (a throwaway cluster unless
#                          BENCH_USE_EXISTING=1), the extension recreated, its schema on search_path
#   bench_header           the settings, the data ($rows rows of BENCH_TABLE, default bench_orders,
#                          made by $TAG) and the build of the extension that ran
#   bench_time             one session: warm-up, REPEAT interleaved rounds; prints the workers
#                          launched, the rows counted, the runs; fills MED (name -> median seconds)
#   bench_ratio A B        "ratio A/B: R (ours X s, theirs Y s)" from the medians
#   bench_other_cpu        CPU time other processes of the machine used while timing
#   bench_peak             peak backend memory per contender, each in a fresh session
# The script sets BENCH (its name: bench/out/<BENCH>_*), and before bench_time the contenders:
# NAMES (in order) and QUERY (an associative array, name -> SELECT count(t) FROM (...) t), and
# optionally COUNT_NOTE (appended to the "rows counted" line).
# The measuring method is described in bench/rfm.sh's header and in docs/performance.md.

CUSTOMERS=1000000
ORDERS=10000000
REPEAT=3
SEED=42
COUNT_NOTE=""
PSQL=(psql -X -q -v ON_ERROR_STOP=1)

bench_positive() {   # option, value: exits unless the value is a positive integer
    [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "$1 needs a positive integer, got '$2'" >&2; exit 2; }
}

bench_options() {
    while [ $# -gt 0 ]; do
        case "$1" in
            --customers) bench_positive "$1" "${2:-}"; CUSTOMERS="$2"; shift 2 ;;
            --orders)    bench_positive "$1" "${2:-}"; ORDERS="$2"; shift 2 ;;
            --repeat)    bench_positive "$1" "${2:-}"; REPEAT="$2"; shift 2 ;;
            -h|--help)   usage; exit 0 ;;
            *) echo "unknown option $1" >&2; usage >&2; exit 2 ;;
        esac
    done
}

# The output folder, the log, the server (a throwaway cluster unless BENCH_USE_EXISTING=1) and
# the extension recreated, with its schema on the database's search_path.
bench_server() {
    OUT="$ROOT/bench/out"
    mkdir -p "$OUT"
    # The files below are written by the client; with a throwaway cluster nothing else needs them.
    LOG="$OUT/$BENCH.log"
    : >"$LOG"

    # ---- the server -------------------------------------------------------------------------
    if [ "${BENCH_USE_EXISTING:-0}" = 1 ]; then
        DB="${BENCH_DB:-ca_bench}"
    else
        . "$ROOT/tools/pg_cluster.sh"
        trap ca_cluster_stop EXIT
        trap 'exit 130' INT TERM
        ca_cluster_start
        DB=ca_bench
    fi
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
    # The functions live in schema customer_analytics; the benchmark queries call them unqualified,
    # as README.md suggests, with the schema on the database's search_path (new sessions).
    "${PSQL[@]}" -c "ALTER DATABASE \"$DB\" SET search_path = \"\$user\", public, customer_analytics"
}

bench_prepare() {
    bench_server

    # ---- the generator ----------------------------------------------------------------------
    GEN="$ROOT/build/ca_generate_orders"
    if [ ! -x "$GEN" ] || [ "$ROOT/tools/generate_orders.cpp" -nt "$GEN" ]; then
        echo "building ca_generate_orders" >&2
        { cmake -S "$ROOT" -B "$ROOT/build" && cmake --build "$ROOT/build" --target ca_generate_orders; } \
            >>"$LOG" 2>&1 || { echo "building the generator failed, see $LOG" >&2; exit 1; }
    fi

    # ---- the data ---------------------------------------------------------------------------
    GEN_ARGS="--customers $CUSTOMERS --orders $ORDERS --seed $SEED"
    TAG="ca_generate_orders $GEN_ARGS"
    local reuse=0 comment want have
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
}

# A contender's text from a file: trailing blanks and the final semicolon removed.
bench_sql_file() {
    local text
    text="$(sed -e 's/[[:space:]]*$//' "$1")"
    echo "${text%;}"
}

bench_check_queries() {
    local n
    for n in "${NAMES[@]}"; do
        case "${QUERY[$n]}" in *'$bench$'*) echo "the $n query must not contain \$bench\$" >&2; exit 1 ;; esac
    done
}

setting() { "${PSQL[@]}" -Atc "SELECT current_setting('$1')"; }

bench_header() {
    echo "server: PostgreSQL $(setting server_version), max_parallel_workers_per_gather $(setting max_parallel_workers_per_gather), work_mem $(setting work_mem), nproc $(nproc)"
    echo "also: max_parallel_workers $(setting max_parallel_workers), max_worker_processes $(setting max_worker_processes), shared_buffers $(setting shared_buffers), hash_mem_multiplier $(setting hash_mem_multiplier), jit $(setting jit)"
    echo "data: ${BENCH_TABLE:-bench_orders}, $rows rows ($TAG), repeat $REPEAT"
    # Which build of the extension ran: other work may reinstall it between runs.
    local ext lib rev
    ext="customer_analytics $("${PSQL[@]}" -Atc "SELECT extversion FROM pg_extension WHERE extname = 'customer_analytics'")"
    lib="$(pg_config --pkglibdir 2>/dev/null || true)/customer_analytics.so"
    [ -r "$lib" ] && ext="$ext, $lib of $(date -r "$lib" '+%F %T %Z'), md5 $(md5sum <"$lib" | cut -c1-12)"
    rev="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
    [ -n "$(git -C "$ROOT" status --porcelain -- src Makefile customer_analytics--*.sql 2>/dev/null)" ] &&
        rev="$rev with uncommitted changes to src/, Makefile or the SQL script"
    echo "extension: $ext; source tree at git $rev"
}

# ---- timing: one session ----------------------------------------------------------------------
bench_timing_sql() {
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
    local n round i k count=${#NAMES[@]}
    for n in "${NAMES[@]}"; do
        echo "SELECT 'warmup|$n|' || pg_temp.bench_time(\$bench\$${QUERY[$n]}\$bench\$);"
    done
    echo "\\set ON_ERROR_STOP off"
    echo "SET auto_explain.log_min_duration = -1;"
    echo "\\set ON_ERROR_STOP on"
    # The order rotated each round, so that drift hits all contenders alike.
    for ((round = 1; round <= REPEAT; round++)); do
        for ((i = 0; i < count; i++)); do
            k=$(((round - 1 + i) % count))
            n="${NAMES[$k]}"
            echo "SELECT '$round|$n|' || pg_temp.bench_time(\$bench\$${QUERY[$n]}\$bench\$);"
        done
    done
}

# CPU used by other processes of this machine while timing (other sessions' builds and tests
# make the times noisy): all busy CPU time (/proc/stat) minus this cluster's processes, that is
# the postmaster, its children and its exited children. Only when the server runs here and its
# processes are readable.
bench_cpu_ticks() {   # prints: busy ticks of the machine, ticks of the cluster
    local busy cluster=0 pid
    busy="$(awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat)"
    for pid in "$POSTMASTER" $(ps -o pid= --ppid "$POSTMASTER"); do
        cluster=$((cluster + $(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    done
    echo "$busy $cluster"
}

# Workers launched in the warm-up plans, per contender. auto_explain logs nested statements
# first, so every plan up to a contender's own top-level "SELECT 'warmup|<name>|' ..." is its own
# (for the extension's functions: the queries they run through SPI).
bench_workers() {
    awk -v want="$1" '
        /Workers Launched:/ { n += $NF }
        /Query Text: SELECT .warmup\|/ {
            split($0, f, "|")
            if (f[2] == want) { print n + 0; found = 1; exit }
            n = 0
        }
        END { if (!found) print "n/a" }' "$OUT/${BENCH}_plans.txt"
}

bench_median() {
    awk -F'|' -v n="$1" '$1 ~ /^[0-9]+$/ && $2 == n { print $3 }' "$OUT/${BENCH}_times.txt" | sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
bench_runs() {
    awk -F'|' -v n="$1" '$1 ~ /^[0-9]+$/ && $2 == n { printf "%s%.2f", sep, $3; sep = " " }' "$OUT/${BENCH}_times.txt"
}
bench_count() { awk -F'|' -v n="$1" '$1 == "warmup" && $2 == n { print $4 }' "$OUT/${BENCH}_times.txt"; }

# "a X, b Y, c Z" for the contenders, X from the function $1.
bench_list() {
    local n sep="" line=""
    for n in "${NAMES[@]}"; do line="$line$sep$n $("$1" "$n")"; sep=", "; done
    echo "$line"
}

bench_time() {
    bench_check_queries
    echo "timing: warm-up, then $REPEAT interleaved rounds" >&2
    bench_timing_sql >"$OUT/${BENCH}_timing.sql"
    POSTMASTER="$("${PSQL[@]}" -Atc "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'")"
    POSTMASTER="$(awk '{ print $4 }' "/proc/$POSTMASTER/stat" 2>/dev/null || true)"
    busy0="" busy1=""
    [ -n "$POSTMASTER" ] && [ -r "/proc/$POSTMASTER/stat" ] && read -r busy0 cluster0 < <(bench_cpu_ticks)
    t0="$(date +%s.%N)"
    "${PSQL[@]}" -At -f "$OUT/${BENCH}_timing.sql" >"$OUT/${BENCH}_times.txt" 2>"$OUT/${BENCH}_plans.txt"
    t1="$(date +%s.%N)"
    if [ -n "$busy0" ]; then
        # The session's backend counts once the postmaster has reaped it.
        local backend
        backend="$(awk -F'|' '$1 == "backend" { print $2 }' "$OUT/${BENCH}_times.txt")"
        for _ in $(seq 100); do
            [ "$(awk '{ print $4 }' "/proc/$backend/stat" 2>/dev/null)" = "$POSTMASTER" ] || break
            sleep 0.1
        done
        read -r busy1 cluster1 < <(bench_cpu_ticks)
    fi

    echo "parallel workers launched (warm-up plans, bench/out/${BENCH}_plans.txt): $(bench_list bench_workers)"
    echo "rows counted: $(bench_list bench_count)${COUNT_NOTE:+ $COUNT_NOTE}"
    declare -gA MED
    local n
    for n in "${NAMES[@]}"; do
        MED[$n]="$(bench_median "$n")"
        echo "runs $n: $(bench_runs "$n") s (warm-up $(awk -F'|' -v n="$n" '$1 == "warmup" && $2 == n { printf "%.2f", $3 }' "$OUT/${BENCH}_times.txt") s)"
    done
}

bench_ratio() {
    awk -v a="${MED[$1]}" -v b="${MED[$2]}" -v name="$1/$2" \
        'BEGIN { printf "ratio %s: %.2f (ours %.2f s, theirs %.2f s)\n", name, a / b, a, b }'
}

bench_other_cpu() {
    [ -n "$busy1" ] || return 0
    awk -v b="$((busy1 - busy0))" -v c="$((cluster1 - cluster0))" -v hz="$(getconf CLK_TCK)" \
        -v t0="$t0" -v t1="$t1" -v ncpu="$(nproc)" 'BEGIN {
            wall = t1 - t0; o = (b - c) / hz; if (o < 0) o = 0
            printf "other processes used %.1f CPU s while timing (%.0f%% of %d CPUs over %.0f s; the cluster used %.1f)\n",
                o, 100 * o / (ncpu * wall), ncpu, wall, c / hz }'
}

# ---- peak memory: a fresh session per contender -----------------------------------------------
bench_peak_kb() {
    {
        echo "SET client_min_messages = warning;"
        echo "SELECT pg_backend_pid() AS bench_pid \\gset"
        echo "\\setenv BENCH_PID :bench_pid"
        [ -n "$1" ] && echo "${QUERY[$1]};"
        echo "\\! f=/proc/\$BENCH_PID/status; if [ -r \$f ]; then awk '/^VmHWM:/ { print \$2 }' \$f; else echo n/a; fi"
    } | "${PSQL[@]}" -At 2>>"$LOG" | tail -n 1
}
bench_mb() { case "$1" in n/a|'') echo "n/a" ;; *) echo "$(( ($1 + 512) / 1024 )) MB" ;; esac; }
bench_peak_of() { echo "${PEAK[$1]}"; }

bench_peak() {
    echo "peak memory: fresh sessions" >&2
    declare -gA PEAK
    local n idle
    for n in "${NAMES[@]}"; do PEAK[$n]="$(bench_mb "$(bench_peak_kb "$n")")"; done
    idle="$(bench_mb "$(bench_peak_kb "")")"
    echo "peak backend memory: $(bench_list bench_peak_of)"
    echo "(VmHWM of the session's backend, not its parallel workers; an idle fresh backend: $idle)"
}
