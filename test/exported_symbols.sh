#!/usr/bin/env bash
# Checks the dynamic symbol table of the built customer_analytics.so (run `make` first): it exports
# only what PostgreSQL looks up (Pg_magic_func, _PG_init, pg_finfo_* and the ca_* fmgr entry
# points; see exports.txt), nothing of the C++ core (no mangled _Z... name), and every entry point
# an install script names (*--*.sql, test/extension/*--*.sql) is still exported. Prints "ok - ..."
# or "not ok - ..."; exits non-zero on failure.
set -uo pipefail
cd "$(dirname "$0")/.."
lib=customer_analytics.so
allowed='^(Pg_magic_func|_PG_init|pg_finfo_[A-Za-z0-9_]+|ca_[A-Za-z0-9_]+)$'

if [ ! -f "$lib" ] || ! symbols=$(nm -D --defined-only "$lib" | awk 'NF >= 3 { print $3 }'); then
    echo "not ok - exported symbols: cannot read the dynamic symbols of $lib (built?)"
    exit 1
fi
status=0
extra=$(grep -Ev "$allowed" <<<"$symbols")
if [ -n "$extra" ]; then
    echo "not ok - $lib exports $(wc -l <<<"$extra") symbols outside exports.txt, for example:"
    head -20 <<<"$extra" | sed 's/^/    /'
    status=1
fi
# The entry points the install scripts name: each must be there with its pg_finfo_ record, in this
# library or in another one the Makefile built (a test-only extension may have its own).
others=$(for so in ./*.so; do [ "$so" != "./$lib" ] && nm -D --defined-only "$so" | awk 'NF >= 3 { print $3 }'; done)
all_symbols=$(printf '%s\n%s\n' "$symbols" "$others")
entry_points=$(grep -ohE "'ca_[A-Za-z0-9_]+'" ./*--*.sql test/extension/*--*.sql 2>/dev/null | tr -d "'" | sort -u)
missing=""
[ -n "$entry_points" ] || missing+=" (no install script names an entry point: built?)"
for f in $entry_points; do
    grep -qx "$f" <<<"$all_symbols" || missing+=" $f"
    grep -qx "pg_finfo_$f" <<<"$all_symbols" || missing+=" pg_finfo_$f"
done
grep -qx Pg_magic_func <<<"$symbols" || missing+=" Pg_magic_func"
if [ -n "$missing" ]; then
    echo "not ok - $lib does not export:$missing"
    status=1
fi
[ "$status" -eq 0 ] && echo "ok - $lib exports only the module magic, _PG_init and the fmgr entry points ($(wc -l <<<"$symbols") symbols)"
exit "$status"
