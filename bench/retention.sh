#!/usr/bin/env bash
# Benchmark of cohort_retention() and retention() against hand-written SQL and the floor:
#   cohort_retention  cohort_retention('SELECT customer_id, ordered_at, amount FROM bench_orders')
#   retention         retention('SELECT customer_id, ordered_at, amount FROM bench_orders')
#   hand              the cohort matrix in plain SQL (bench/cohort_retention_hand.sql)
#   hand_retention    period retention in plain SQL (bench/retention_hand.sql)
#   floor             the per-customer GROUP BY of bench/rfm.sh: a scan and aggregate by customer
# monthly, 365-day window, on bench/rfm.sh's data: 10 M orders of 1 M customers, seed 42.
#
# usage: bench/retention.sh [--customers N] [--orders N] [--repeat N]
#
# Server, data and measuring method as bench/rfm.sh (its header; shared code in bench/lib.sh):
# a throwaway cluster unless BENCH_USE_EXISTING=1; every contender timed in the server as
# SELECT count(t) FROM (<contender>) t in one session, an untimed warm-up round, then --repeat
# rounds with the order rotated, medians; peak memory as VmHWM of a fresh backend per contender.
# Before timing, one session checks that the hand-written SQL and the functions agree: every
# cohort and offset (active_customers; cohort_size and retention where the hand SQL has the cell,
# which leaves out cells without activity), every month (s_start, n_new, e_end; and separately
# retained, reactivated and the rates). Raw times, plans and logs go to bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
BENCH=retention
. "$ROOT/bench/lib.sh"

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; }
bench_options "$@"
bench_prepare

# ---- the contenders -------------------------------------------------------------------------
ORDERS_SQL="SELECT customer_id, ordered_at, amount FROM bench_orders"
HAND="$(bench_sql_file "$ROOT/bench/cohort_retention_hand.sql")"
HAND_RETENTION="$(bench_sql_file "$ROOT/bench/retention_hand.sql")"
declare -A QUERY=(
    [cohort_retention]="SELECT count(t) FROM cohort_retention('$ORDERS_SQL') t"
    [retention]="SELECT count(t) FROM retention('$ORDERS_SQL') t"
    [hand]="SELECT count(t) FROM (
$HAND
) t"
    [hand_retention]="SELECT count(t) FROM (
$HAND_RETENTION
) t"
    [floor]="SELECT count(t) FROM (SELECT customer_id, max(ordered_at), count(*), sum(amount) FROM bench_orders GROUP BY 1) t"
)
NAMES=(cohort_retention retention hand hand_retention floor)
COUNT_NOTE="(hand leaves out cells without activity; floor is one row per customer and keeps the null customer_id group)"
bench_check_queries

bench_header

# ---- agreement ------------------------------------------------------------------------------
echo "checking: hand SQL against the functions" >&2
"${PSQL[@]}" -At -F' ' >"$OUT/retention_check.txt" 2>>"$LOG" <<EOF
SELECT 'cohorts', count(*),
       count(*) FILTER (WHERE coalesce(c.active_customers, 0) <> coalesce(h.active_customers, 0)
                           OR (h.cohort IS NOT NULL
                               AND (c.cohort_size, round(c.retention, 2)) IS DISTINCT FROM (h.cohort_size, h.retention))),
       count(h.cohort)
FROM cohort_retention('$ORDERS_SQL') c
FULL JOIN (
$HAND
) h ON h.cohort = c.cohort AND h.period_offset = c.period_offset;
SELECT 'months', count(*),
       count(*) FILTER (WHERE (r.s_start, r.n_new, r.e_end) IS DISTINCT FROM (h.s_start, h.n_new, h.e_end)),
       count(*) FILTER (WHERE (r.retained, r.reactivated, r.churned, round(r.retention_rate, 2), round(r.strict_retention, 2), round(r.churn_rate, 2))
                              IS DISTINCT FROM
                              (h.retained, h.reactivated, h.churned, h.retention_rate, h.strict_retention, h.churn_rate))
FROM retention('$ORDERS_SQL') r
FULL JOIN (
$HAND_RETENTION
) h USING (period_start);
EOF
read -r _ cells cell_mismatches hand_cells < <(grep '^cohorts ' "$OUT/retention_check.txt")
read -r _ months month_mismatches other_mismatches < <(grep '^months ' "$OUT/retention_check.txt")
echo "check cohort_retention vs hand: $cell_mismatches mismatching cells of $cells (active_customers; cohort_size and retention in the $hand_cells cells hand has)"
echo "check retention vs hand_retention: $month_mismatches mismatching months of $months (s_start, n_new, e_end); $other_mismatches (retained, reactivated, churned, rates)"

# ---- timing ---------------------------------------------------------------------------------
bench_time
bench_ratio cohort_retention hand
bench_ratio cohort_retention floor
bench_ratio retention hand_retention
bench_ratio retention floor
bench_ratio hand floor
bench_ratio hand_retention floor
bench_other_cpu
bench_peak
if [ "$cell_mismatches" != 0 ] || [ "$month_mismatches" != 0 ] || [ "$other_mismatches" != 0 ]; then
    echo "the hand-written SQL and the functions disagree (see above)" >&2
    exit 1
fi
