#!/usr/bin/env bash
# Benchmark of the customer-lifetime-value fitters against Python lifetimes 0.11 (../shared/vendor,
# bench/lifetimes.sh), side by side in one run, on two datasets:
#   cdnow      the CDNOW cohort (cdnow_master.txt.gz in ../shared/data or CA_DATA_DIR; SKIP when
#              absent), 69,659 purchases of 23,570 customers, summarized at the calibration end
#              1997-09-30 (its first 39 weeks)
#   simulated  --customers (default 1,000,000) customers of tools/ca_simulate_bgnbd (BG/NBD with
#              Gamma-Gamma spend at the CDNOW estimates; --seed), summarized at 1998-06-30
# Per dataset: the orders are loaded into clv_orders_<ds> (customer_id bigint, ordered_at date,
# amount numeric) and summarized once into clv_summary_<ds> by
#   clv_summary(NULL::bigint, 'SELECT customer_id, ordered_at, amount FROM clv_orders_<ds>', as_of, 'week')
# which is checked row by row against hand_summary (below) and against lifetimes'
# summary_data_from_transaction_data (bench/clv_oracle.py --summary-only), then \copy'd to
# bench/out/clv_<ds>_summary.csv, the input of lifetimes. Contenders timed in the server, in one
# session (bench/lib.sh: a warm-up, then --repeat interleaved rounds; medians):
#   summary       clv_summary() over the orders
#   hand_summary  the summary in plain SQL, the floor: the purchases merged per customer and day
#                 by GROUP BY, numbered by a window, then per customer the days less one, the
#                 first and last day, the mean of the later days' totals
#   bgnbd         bgnbd_fit(frequency, recency, t) over clv_summary_<ds>
#   pareto_nbd    pareto_nbd_fit(frequency, recency, t)
#   gamma_gamma   gamma_gamma_fit(frequency, monetary) over the rows with frequency > 0 and
#                 monetary > 0 (lifetimes refuses a mean spend of 0: CDNOW has one such customer)
# against lifetimes' BetaGeoFitter, ParetoNBDFitter and GammaGammaFitter with penalizer_coef 0
# (bench/clv_lifetimes.py) on the same CSV, each model in a fresh Python process that times its
# .fit() call --lifetimes-repeat times (default: --repeat on cdnow, 1 on simulated, where
# lifetimes' Pareto/NBD takes minutes), killed after LIFETIMES_TIMEOUT seconds (default 1800).
# Printed: "ratio <ours>/<theirs>" lines; peak memory (ours: VmHWM of a fresh backend per contender,
# bench/lib.sh; lifetimes: the process's peak RSS and how far it rose during the fit); per
# parameter OK or DIFF, ours against lifetimes to 1e-4 relative where lifetimes converged
# (Pareto/NBD against lifetimes run again to a tight tolerance where the summary has at most
# 100,000 customers: its default Nelder-Mead stops about 1e-4 from the maximum), and both
# log-likelihoods. Until the installed extension has clv_summary() and the fitting aggregates,
# their part is skipped (SKIP line) and lifetimes runs on lifetimes' own summary.
# Server: a throwaway cluster (tools/pg_cluster.sh) with the installed extension, TimeZone UTC.
#
# usage: bench/clv.sh [--repeat N] [--customers N] [--seed S] [--lifetimes-repeat N] [--datasets LIST]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
BENCH=clv
. "$ROOT/bench/lib.sh"
CUSTOMERS=1000000
LT_REPEAT=""
WANTED="cdnow,simulated"
declare -A MED=()
usage() { sed -n '2,/^# usage:/p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case "$1" in
        --repeat) bench_positive "$1" "${2:-}"; REPEAT="$2"; shift 2 ;;
        --customers) bench_positive "$1" "${2:-}"; CUSTOMERS="$2"; shift 2 ;;
        --seed) [[ "${2:-}" =~ ^[0-9]+$ ]] || { echo "--seed needs a number" >&2; exit 2; }
                SEED="$2"; shift 2 ;;
        --lifetimes-repeat) bench_positive "$1" "${2:-}"; LT_REPEAT="$2"; shift 2 ;;
        --datasets) WANTED="${2:-}"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done
DATA_DIR="${CA_DATA_DIR:-$ROOT/../shared/data}"
VENDOR="$ROOT/../shared/vendor"
LIFETIMES_TIMEOUT="${LIFETIMES_TIMEOUT:-1800}"
PARETO_TIGHT_MAX=100000
# Days are days: no daylight-saving hour in as_of - first purchase.
export PGTZ=UTC

# ---- the datasets -----------------------------------------------------------------------------
CDNOW="$DATA_DIR/cdnow_master.txt.gz"
declare -A AS_OF=([cdnow]=1997-09-30 [simulated]=1998-06-30)
DATASETS=()
for ds in ${WANTED//,/ }; do
    case "$ds" in
        cdnow)
            if [ -r "$CDNOW" ]; then DATASETS+=(cdnow)
            else echo "SKIP: cdnow_master.txt.gz not found in the shared data folder (set CA_DATA_DIR)"; fi ;;
        simulated) DATASETS+=(simulated) ;;
        *) echo "unknown dataset $ds (cdnow, simulated)" >&2; exit 2 ;;
    esac
done
[ ${#DATASETS[@]} -gt 0 ] || exit 0

bench_server
. "$ROOT/bench/lifetimes.sh"
lifetimes_setup clv_lifetimes_setup.log
if [[ " ${DATASETS[*]} " == *" simulated "* ]]; then
    make -s -C "$ROOT" tools/ca_simulate_bgnbd >>"$LOG" 2>&1 ||
        { echo "building tools/ca_simulate_bgnbd failed, see $LOG" >&2; exit 1; }
fi

# Ours is there once the installed script has the summary and the three fitting aggregates.
ours="$("${PSQL[@]}" -Atc "SELECT count(DISTINCT proname) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'customer_analytics' AND proname IN ('clv_summary', 'bgnbd_fit', 'pareto_nbd_fit', 'gamma_gamma_fit')")"
have_ours=0
if [ "$ours" = 4 ]; then
    have_ours=1
else
    echo "SKIP: the installed customer_analytics lacks clv_summary() or a fitting aggregate; timing lifetimes only, on lifetimes' summary"
fi
[ "$have_ours" = 1 ] || [ "$have_lifetimes" = 1 ] || exit 0

# ---- helpers ----------------------------------------------------------------------------------
kv() {   # line, key: the value of key=value in a line of key=value fields
    awk -v k="$2" '{ for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) { print substr($i, length(k) + 2); exit } }' <<<"$1"
}
mb() { case "$1" in ''|n/a) echo "n/a" ;; *) awk -v k="$1" 'BEGIN { printf "%.0f MB", k / 1024 }' ;; esac; }
# Rows of two summary tables that differ (1e-9 relative on the floats), or are in one only.
compare_summaries() {   # label, table a, table b
    "${PSQL[@]}" -At -F ' ' -c "SELECT count(*),
        count(*) FILTER (WHERE a.customer_id IS NULL OR b.customer_id IS NULL),
        count(*) FILTER (WHERE a.frequency <> b.frequency
            OR abs(a.recency - b.recency) > 1e-9 * (1 + abs(b.recency))
            OR abs(a.t - b.t) > 1e-9 * (1 + abs(b.t))
            OR (a.monetary IS NULL) <> (b.monetary IS NULL)
            OR abs(a.monetary - b.monetary) > 1e-9 * (1 + abs(b.monetary)))
        FROM $2 a FULL JOIN $3 b ON a.customer_id = b.customer_id" |
        { read -r n missing differ; echo "summary $1: $n customers, $missing in one only, $differ differ"; }
}
PARAMS_OK=0 PARAMS_DIFF=0
check_params() {   # label, ours line, lifetimes line, parameter names
    local label=$1 o=$2 l=$3 name a b status
    shift 3
    status="$(kv "$l" status)"
    if [ "$status" != converged ]; then
        echo "check $label: n/a (lifetimes ${status:-did not run})"
        return
    fi
    [ "$(kv "$o" converged)" = true ] || echo "check $label: ours did not converge ($(kv "$o" status))"
    for name in "$@" log_likelihood; do
        a="$(kv "$o" "$name")" b="$(kv "$l" "$name")"
        if [ "$name" = log_likelihood ]; then
            awk -v a="$a" -v b="$b" -v l="$label" 'BEGIN {
                printf "check %s log_likelihood: ours %.10g, lifetimes %.10g, ours - lifetimes %.3g\n", l, a, b, a - b }'
            continue
        fi
        if awk -v a="$a" -v b="$b" 'BEGIN { exit !(a != "" && b != "" && (a - b) ^ 2 <= (1e-4 * b) ^ 2) }'; then
            PARAMS_OK=$((PARAMS_OK + 1)); verdict=OK
        else
            PARAMS_DIFF=$((PARAMS_DIFF + 1)); verdict=DIFF
        fi
        awk -v a="$a" -v b="$b" -v l="$label" -v n="$name" -v v="$verdict" 'BEGIN {
            printf "check %s %s: %s (ours %.10g, lifetimes %.10g, relative %.2g)\n", l, n, v, a, b, (b != 0 ? (a - b) / b : 0) }'
    done
}

# ---- per dataset ------------------------------------------------------------------------------
SUMMARY_SQL_HAND() {   # table, as_of date
    cat <<SQL
SELECT customer_id, count(*) - 1 AS frequency, (max(day) - min(day)) / 7.0::float8 AS recency,
       (DATE '$2' - min(day)) / 7.0::float8 AS t, (avg(total) FILTER (WHERE n > 1))::float8 AS monetary
FROM (SELECT customer_id, day, total, row_number() OVER (PARTITION BY customer_id ORDER BY day) AS n
      FROM (SELECT customer_id, ordered_at::date AS day, sum(amount) AS total
            FROM $1 WHERE ordered_at <= DATE '$2' GROUP BY customer_id, ordered_at::date) per_day) numbered
GROUP BY customer_id
SQL
}
MODELS=(bgnbd pareto_nbd gamma_gamma)
declare -A PARAM_NAMES=([bgnbd]="r alpha a b" [pareto_nbd]="r alpha s beta" [gamma_gamma]="p q gamma")
declare -A FIT_SQL=([bgnbd]="bgnbd_fit(frequency, recency, t)" [pareto_nbd]="pareto_nbd_fit(frequency, recency, t)"
                    [gamma_gamma]="gamma_gamma_fit(frequency, monetary)")
declare -A FIT_WHERE=([bgnbd]="" [pareto_nbd]="" [gamma_gamma]=" WHERE frequency > 0 AND monetary > 0")

for ds in "${DATASETS[@]}"; do
    as_of="${AS_OF[$ds]}"
    orders="clv_orders_$ds"
    echo "---- $ds"
    # The orders, and lifetimes' own summary of them.
    "${PSQL[@]}" -c "DROP TABLE IF EXISTS $orders" \
        -c "CREATE TABLE $orders (customer_id bigint, ordered_at date, amount numeric)"
    if [ "$ds" = cdnow ]; then
        TAG="cdnow_master.txt.gz, as of $as_of"
        gzip -dc "$CDNOW" | tr -d '\r' |
            awk 'NF == 4 { printf "%d,%s-%s-%s,%s\n", $1, substr($2, 1, 4), substr($2, 5, 2), substr($2, 7, 2), $4 }' |
            "${PSQL[@]}" -c "\\copy $orders FROM STDIN (FORMAT csv)"
        oracle_args=(cdnow_master "$CDNOW")
    else
        TAG="ca_simulate_bgnbd --customers $CUSTOMERS --seed $SEED, as of $as_of"
        "$ROOT/tools/ca_simulate_bgnbd" --customers "$CUSTOMERS" --seed "$SEED" >"$OUT/clv_simulated_orders.csv" 2>>"$LOG"
        "${PSQL[@]}" -c "\\copy $orders FROM '$OUT/clv_simulated_orders.csv' (FORMAT csv)"
        oracle_args=(orders "$OUT/clv_simulated_orders.csv")
    fi
    "${PSQL[@]}" -c "VACUUM ANALYZE $orders"
    rows="$("${PSQL[@]}" -Atc "SELECT count(*) FROM $orders")"
    BENCH_TABLE="$orders"
    echo "data: $ds, $rows orders of $("${PSQL[@]}" -Atc "SELECT count(DISTINCT customer_id) FROM $orders") customers ($TAG)"
    "${PSQL[@]}" -c "DROP TABLE IF EXISTS clv_hand_$ds" -c "CREATE TABLE clv_hand_$ds AS $(SUMMARY_SQL_HAND "$orders" "$as_of")"
    if [ "$have_lifetimes" = 1 ]; then
        "${LIFETIMES_PY[@]}" "$ROOT/bench/clv_oracle.py" "${oracle_args[@]}" --calibration-end "$as_of" \
            --write-summary "$OUT/clv_${ds}_lifetimes_summary.csv" --summary-only >>"$LOG" 2>&1
        "${PSQL[@]}" -c "DROP TABLE IF EXISTS clv_lifetimes_$ds" \
            -c "CREATE TABLE clv_lifetimes_$ds (customer_id bigint, frequency bigint, recency float8, t float8, monetary float8)" \
            -c "\\copy clv_lifetimes_$ds FROM '$OUT/clv_${ds}_lifetimes_summary.csv' (FORMAT csv, HEADER)"
        compare_summaries "$ds hand/lifetimes" "clv_hand_$ds" "clv_lifetimes_$ds"
    fi

    # Ours: the summary once into a table, its CSV for lifetimes; the contenders timed.
    CSV="$OUT/clv_${ds}_lifetimes_summary.csv"
    NAMES=()
    if [ "$have_ours" = 1 ]; then
        ORDERS_SQL="SELECT customer_id, ordered_at, amount FROM $orders"
        SUMMARY_SQL="SELECT * FROM clv_summary(NULL::bigint, '$ORDERS_SQL', '$as_of', 'week')"
        "${PSQL[@]}" -c "DROP TABLE IF EXISTS clv_summary_$ds" -c "CREATE TABLE clv_summary_$ds AS $SUMMARY_SQL" \
            -c "VACUUM ANALYZE clv_summary_$ds"
        compare_summaries "$ds ours/hand" "clv_summary_$ds" "clv_hand_$ds"
        if [ "$have_lifetimes" = 1 ]; then
            compare_summaries "$ds ours/lifetimes" "clv_summary_$ds" "clv_lifetimes_$ds"
        fi
        CSV="$OUT/clv_${ds}_summary.csv"
        "${PSQL[@]}" -c "\\copy (SELECT customer_id, frequency, recency, t, monetary FROM clv_summary_$ds ORDER BY customer_id) TO '$CSV' (FORMAT csv, HEADER)"

        unset QUERY
        declare -A QUERY=(
            [summary]="SELECT count(s) FROM ($SUMMARY_SQL) s"
            [hand_summary]="SELECT count(s) FROM ($(SUMMARY_SQL_HAND "$orders" "$as_of")) s"
        )
        NAMES=(summary hand_summary)
        for m in "${MODELS[@]}"; do
            QUERY[$m]="SELECT count(m) FROM (SELECT ${FIT_SQL[$m]} AS m FROM clv_summary_$ds${FIT_WHERE[$m]}) x"
            NAMES+=("$m")
        done
        BENCH="clv_$ds"
        bench_header
        bench_time
        bench_other_cpu
        bench_ratio summary hand_summary
        declare -A OURS=()
        for m in "${MODELS[@]}"; do
            OURS[$m]="$("${PSQL[@]}" -At -c "SELECT string_agg(key || '=' || coalesce(value, 'null'), ' ')
                FROM (SELECT ${FIT_SQL[$m]} AS m FROM clv_summary_$ds${FIT_WHERE[$m]}) x, json_each_text(row_to_json(x.m))")"
            echo "ours $m: ${OURS[$m]}"
        done
    fi

    # lifetimes on the same summary, a fresh process per model.
    if [ "$have_lifetimes" = 1 ]; then
        ltr="${LT_REPEAT:-$([ "$ds" = cdnow ] && echo "$REPEAT" || echo 1)}"
        customers="$(($(wc -l <"$CSV") - 1))"
        declare -A THEIRS=()
        for m in "${MODELS[@]}"; do
            rc=0
            THEIRS[$m]="$(timeout "$LIFETIMES_TIMEOUT" "${LIFETIMES_PY[@]}" "$ROOT/bench/clv_lifetimes.py" "$CSV" \
                --models "$m" --repeat "$ltr" --peak --gg-positive 2>>"$LOG")" || rc=$?
            if [ "$rc" = 124 ]; then THEIRS[$m]="$m status=timeout_after_${LIFETIMES_TIMEOUT}s"
            elif [ "$rc" != 0 ]; then THEIRS[$m]="$m status=failed_exit_$rc"; fi
            echo "lifetimes $m (repeat $ltr): ${THEIRS[$m]}"
            MED[lifetimes_$m]="$(kv "${THEIRS[$m]}" seconds)"
            echo "peak lifetimes $m: $(mb "$(kv "${THEIRS[$m]}" peak_rss_kb)") process peak RSS, $(mb "$(kv "${THEIRS[$m]}" fit_rise_kb)") rise during the fit"
        done
        REFERENCE="${THEIRS[pareto_nbd]}"
        if [ "$customers" -le "$PARETO_TIGHT_MAX" ]; then
            REFERENCE="$(timeout "$LIFETIMES_TIMEOUT" "${LIFETIMES_PY[@]}" "$ROOT/bench/clv_lifetimes.py" "$CSV" \
                --models pareto_nbd --pareto-tight 2>>"$LOG")" || REFERENCE="pareto_nbd status=failed"
            echo "lifetimes pareto_nbd, tight (the reference for the check): $REFERENCE"
        else
            echo "lifetimes pareto_nbd: $customers customers, checked against its default fit (about 1e-4 from the maximum)"
        fi
    fi

    if [ "$have_ours" = 1 ]; then
        bench_peak
        if [ "$have_lifetimes" = 1 ]; then
            for m in "${MODELS[@]}"; do
                if [ -n "${MED[lifetimes_$m]}" ]; then bench_ratio "$m" "lifetimes_$m"; else echo "ratio $m/lifetimes_$m: n/a"; fi
            done
            # shellcheck disable=SC2086  # the parameter names, one word each
            check_params "$ds bgnbd" "${OURS[bgnbd]}" "${THEIRS[bgnbd]}" ${PARAM_NAMES[bgnbd]}
            # shellcheck disable=SC2086
            check_params "$ds pareto_nbd" "${OURS[pareto_nbd]}" "$REFERENCE" ${PARAM_NAMES[pareto_nbd]}
            # shellcheck disable=SC2086
            check_params "$ds gamma_gamma" "${OURS[gamma_gamma]}" "${THEIRS[gamma_gamma]}" ${PARAM_NAMES[gamma_gamma]}
        fi
    fi
done
if [ "$have_ours" = 1 ] && [ "$have_lifetimes" = 1 ]; then
    echo "parameters: $PARAMS_OK OK, $PARAMS_DIFF DIFF (1e-4 relative, where lifetimes converged)"
fi
