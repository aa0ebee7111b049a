#!/usr/bin/env bash
# Dump and restore of a database whose materialized views call the extension: pg_dump -Fc, then
# pg_restore --single-transaction --exit-on-error into a new database, and the restored views must
# hold exactly the rows of the originals. pg_restore runs with an empty search_path, so it also
# checks the documented failure: a view whose orders_sql names its table without a schema does
# not restore, and the error says to qualify the names.
#
# Needs the extension installed (make install) and tools/ca_generate_orders built (make). Uses the
# throwaway cluster of the caller when there is one (test/run_all.sh: CA_CLUSTER_DIR, PGHOST,
# PGPORT), else starts its own. Prints "ok - ..." or "not ok - ..." per check; exits non-zero when
# any check failed.
set -uo pipefail
cd "$(dirname "$0")/.."
. tools/pg_cluster.sh

own_cluster=""
if [ -z "${CA_CLUSTER_DIR:-}" ]; then
    ca_cluster_start
    own_cluster=1
fi
work=$(mktemp -d /tmp/ca_dump_restore.XXXXXX)
src=ca_dump_src dst=ca_dump_dst bad_src=ca_dump_bad_src bad_dst=ca_dump_bad_dst

psql_q() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
drop_all() {
    local db
    for db in $src $dst $bad_src $bad_dst; do
        psql_q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db"
    done
}
cleanup() {
    drop_all
    rm -rf "$work"
    [ -n "$own_cluster" ] && ca_cluster_stop
}
trap cleanup EXIT

failed=0
check() {   # check DESCRIPTION COMMAND...: one "ok"/"not ok" line
    local what=$1; shift
    if "$@"; then
        echo "ok - dump/restore: $what"
    else
        echo "not ok - dump/restore: $what"
        failed=$((failed + 1))
    fi
}

drop_all || { echo "not ok - dump/restore: cannot reach the server"; exit 1; }

# The extension's schema: created here when the control file does not name one (then CREATE
# EXTENSION ... SCHEMA needs it to exist), created by CREATE EXTENSION when it does.
create_extension="CREATE SCHEMA IF NOT EXISTS customer_analytics;
CREATE EXTENSION customer_analytics SCHEMA customer_analytics;"
# The sample: orders from 2022-01-01 up to 2024-01-01, so as_of => '2024-01-01' and explicit
# period bounds make every figure independent of the clock.
generator="tools/ca_generate_orders --lines --customers 2000 --orders 20000 --seed 42 2>/dev/null"

setup_source() {
    psql_q -d postgres -c "CREATE DATABASE $src" &&
    psql_q -d "$src" <<SQL
SET client_min_messages = warning;
$create_extension
CREATE SCHEMA shop;
CREATE TABLE shop.order_lines (order_id bigint, customer_id bigint, ordered_at timestamp, amount numeric);
\copy shop.order_lines FROM PROGRAM '$generator' WITH (FORMAT csv)
CREATE MATERIALIZED VIEW shop.customer_rfm AS
SELECT * FROM customer_analytics.rfm(NULL::bigint,
    'SELECT customer_id, order_id, ordered_at, amount FROM shop.order_lines',
    as_of => '2024-01-01');
CREATE MATERIALIZED VIEW shop.monthly_retention AS
SELECT * FROM customer_analytics.retention(
    'SELECT customer_id, order_id, ordered_at, amount FROM shop.order_lines',
    period => 'month', start_at => '2022-01-01', end_at => '2024-01-01', time_zone => 'UTC');
SQL
}

dump_and_restore() {   # dump_and_restore FROM TO: pg_restore's messages go to $work/TO.log
    psql_q -d postgres -c "CREATE DATABASE $2" &&
    "$PG_BIN/pg_dump" -Fc -d "$1" -f "$work/$1.dump" &&
    "$PG_BIN/pg_restore" --single-transaction --exit-on-error -d "$2" "$work/$1.dump" \
        >"$work/$2.log" 2>&1
}

# Rows of a view as one fingerprint: their count and the md5 of their text in a fixed order.
fingerprint() {
    psql_q -At -d "$1" -c "SELECT count(*) || ' ' || md5(coalesce(string_agg(v::text, E'\n' ORDER BY v::text), ''))
                           FROM $2 AS v"
}
same_rows() {   # same_rows VIEW: the restored view holds the rows of the original, and some
    local before after
    before=$(fingerprint "$src" "$1") && after=$(fingerprint "$dst" "$1") || return 1
    [ "${before%% *}" -gt 0 ] || { echo "    $1 is empty in $src"; return 1; }
    [ "$before" = "$after" ] || { echo "    $1: $before in $src, $after after the restore"; return 1; }
}
# The same check row by row: no row of one side is missing from the other (EXCEPT ALL both ways).
no_difference() {
    local view=$1 n
    psql_q -d "$src" -c "\\copy (TABLE $view) TO '$work/original.copy'" || return 1
    n=$(psql_q -At -d "$dst" <<SQL
CREATE TEMP TABLE original AS SELECT * FROM $view WITH NO DATA;
\\copy original FROM '$work/original.copy'
SELECT (SELECT count(*) FROM (TABLE original EXCEPT ALL TABLE $view) a)
     + (SELECT count(*) FROM (TABLE $view EXCEPT ALL TABLE original) b);
SQL
    ) || return 1
    [ "$n" = 0 ] || { echo "    $view: $n rows differ after the restore"; return 1; }
}

if ! setup_source; then
    echo "not ok - dump/restore: setting up $src failed"
    exit 1
fi
restore() {
    dump_and_restore $src $dst || { sed 's/^/    /' "$work/$dst.log"; return 1; }
}
check "pg_restore --single-transaction of views over schema-qualified tables" restore
for view in shop.customer_rfm shop.monthly_retention; do
    check "$view has the same rows after the restore (count and md5)" same_rows $view
    check "$view has the same rows after the restore (EXCEPT ALL both ways)" no_difference $view
done

# An unqualified table in orders_sql: fine with the default search_path, not during pg_restore.
setup_unqualified() {
    psql_q -d postgres -c "CREATE DATABASE $bad_src" &&
    psql_q -d "$bad_src" <<SQL
SET client_min_messages = warning;
$create_extension
CREATE TABLE public.order_lines (order_id bigint, customer_id bigint, ordered_at timestamp, amount numeric);
\copy public.order_lines FROM PROGRAM '$generator' WITH (FORMAT csv)
CREATE MATERIALIZED VIEW public.customer_rfm AS
SELECT * FROM customer_analytics.rfm(NULL::bigint,
    'SELECT customer_id, order_id, ordered_at, amount FROM order_lines', as_of => '2024-01-01');
SQL
}
restore_fails_with_hint() {
    if dump_and_restore $bad_src $bad_dst; then
        echo "    pg_restore succeeded"; return 1
    fi
    grep -q 'relation "order_lines" does not exist' "$work/$bad_dst.log" &&
    grep -q 'HINT:  The search_path is empty (as during pg_restore): name tables in the query with their schema' \
        "$work/$bad_dst.log" || { sed 's/^/    /' "$work/$bad_dst.log"; return 1; }
}
if setup_unqualified; then
    check "an unqualified table in orders_sql fails to restore, with the hint to qualify it" \
        restore_fails_with_hint
else
    echo "not ok - dump/restore: setting up $bad_src failed"
    failed=$((failed + 1))
fi

[ "$failed" -eq 0 ]
