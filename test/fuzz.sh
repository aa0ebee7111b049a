#!/usr/bin/env bash
# Fuzzes the SQL functions of the installed customer_analytics (test/fuzz/ca_fuzz.cpp): builds the
# fuzzer and the order generator, starts a throwaway cluster (tools/pg_cluster.sh) unless PGHOST
# and PGPORT point at a server already, creates a database, runs the fuzzer and stops.
#
#   bash test/fuzz.sh                    # 1,000 calls, seed 1
#   bash test/fuzz.sh --calls 100000     # the long run
#   bash test/fuzz.sh --seconds 90 --seed 7
#   CA_FUZZ_LIBRARY=./customer_analytics.so bash test/fuzz.sh   # a build that is not installed
#
# Arguments go to ca_fuzz (--help lists them); the seed defaults to CA_FUZZ_SEED or 1. With a
# server of your own, pass --server-log PATH so crashes are also read from its log. The last line
# is "ok - fuzz (...)" or "not ok - fuzz (...)"; the exit status is non-zero on any finding.
set -uo pipefail
cd "$(dirname "$0")/.."

make -s fuzz >/dev/null || { echo "not ok - fuzz (build failed)"; exit 1; }

args=("$@")
case " $* " in *" --seed "*) ;; *) args+=(--seed "${CA_FUZZ_SEED:-1}") ;; esac

own_cluster=""
if [ -z "${PGHOST:-}" ] || [ -z "${PGPORT:-}" ]; then
    . tools/pg_cluster.sh
    ca_cluster_start || { echo "not ok - fuzz (cluster did not start)"; exit 1; }
    trap ca_cluster_stop EXIT
    own_cluster=1
fi
case " $* " in
    *" --server-log "*) ;;
    *) if [ -n "${CA_CLUSTER_DIR:-}" ] && [ -f "$CA_CLUSTER_DIR/server.log" ]; then
           args+=(--server-log "$CA_CLUSTER_DIR/server.log")
       fi ;;
esac

db=ca_fuzz
psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" \
    -c "CREATE DATABASE $db" || { echo "not ok - fuzz (no database)"; exit 1; }
if [ -n "${CA_FUZZ_LIBRARY:-}" ]; then
    # A build that is not installed: the install script's objects, bound to that library.
    psql -X -q -d "$db" -c "CREATE SCHEMA customer_analytics" >/dev/null || { echo "not ok - fuzz (no schema)"; exit 1; }
    sed -e "s|@extschema@|customer_analytics|g" -e "s|MODULE_PATHNAME|$(realpath "$CA_FUZZ_LIBRARY")|g" \
        -e '/^\\echo/d' customer_analytics--0.1.sql |
        psql -X -q -v ON_ERROR_STOP=1 -d "$db" >/dev/null || { echo "not ok - fuzz (library load failed)"; exit 1; }
    echo "# library: $CA_FUZZ_LIBRARY (sha256 $(sha256sum "$CA_FUZZ_LIBRARY" | cut -c1-16))"
else
    lib="$(pg_config --pkglibdir)/customer_analytics.so"
    [ -f "$lib" ] && echo "# installed build: sha256 $(sha256sum "$lib" | cut -c1-16), $(date -u -r "$lib" '+%Y-%m-%d %H:%M UTC')"
fi
PGDATABASE=$db test/fuzz/ca_fuzz --generator tools/ca_generate_orders "${args[@]}"
status=$?
if [ "$status" -ne 0 ] && [ -n "${CA_CLUSTER_DIR:-}" ] && [ -f "$CA_CLUSTER_DIR/server.log" ]; then
    echo "# crashes in the server log:"
    grep -E -A1 'terminated by signal|was terminated by|server process \(PID' "$CA_CLUSTER_DIR/server.log" |
        head -40 | sed 's/^/#   /'
    echo "# the server log ends with:"
    grep -v -E 'ERROR|STATEMENT|CONTEXT|DETAIL|HINT|NOTICE|WARNING' "$CA_CLUSTER_DIR/server.log" |
        tail -15 | sed 's/^/#   /'
fi
# A crash can leave the server restarting for a moment; the database goes either way.
for _ in 1 2 3 4 5 6 7 8 9 10; do
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" 2>/dev/null && break
    sleep 1
done

exit "$status"
