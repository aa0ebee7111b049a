#!/usr/bin/env bash
# Runs every test of customer_analytics: the core's Catch2 tests (through CTest) and the pg_regress
# suite, core and extended, against a throwaway PostgreSQL cluster started here. Installs what it
# needs first (Debian 12). The core's tests run a second time built with AddressSanitizer and
# UndefinedBehaviorSanitizer; the SQL examples of README.md and docs/ are run, and a bounded fuzz
# pass (test/fuzz.sh, seed CA_FUZZ_SEED or 1) calls every SQL function. The last line is
# "N passed, N failed, N skipped"; the exit status is non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

bash tools/install_deps.sh || { echo "0 passed, 1 failed"; exit 1; }
. tools/pg_cluster.sh

passed=0 failed=0 skipped=0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

# Builds the core and its Catch2 tests in build dir $1 (further arguments go to cmake), runs
# them through CTest and counts the results.
core_tests() {
    local dir=$1; shift
    if cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null &&
        cmake --build "$dir" -j2 >>build.log 2>&1; then
        (cd "$dir" && ctest --output-on-failure) | tee "$dir/ctest.log"
        summary=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$dir/ctest.log" | tail -1)
        total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$summary")
        bad=$(sed -E 's/.* ([0-9]+) tests? failed.*/\1/' <<<"$summary")
        if [ -n "$summary" ]; then
            passed=$((passed + total - bad)); failed=$((failed + bad))
        else
            failed=$((failed + 1))
        fi
    else
        tail -50 build.log; echo "core build failed ($dir)"; failed=$((failed + 1))
    fi
}

: >build.log
echo "== core: build and Catch2 tests"
core_tests build
echo "== core: Catch2 tests under AddressSanitizer and UndefinedBehaviorSanitizer"
core_tests build-sanitize -DCA_SANITIZE=ON

echo "== extension: build, install, pg_regress"
if make -j2 >>build.log 2>&1 && $SUDO make install >>build.log 2>&1; then
    ca_cluster_start
    trap ca_cluster_stop EXIT
    rm -rf results regression.diffs regression.out
    # The extended tests once as a machine without the datasets sees them (their SKIP output is
    # an expected file too), then for real.
    CA_DATA_DIR=/nonexistent make installcheck-extended 2>&1 | tee -a regress.log
    for target in installcheck installcheck-extended; do
        make "$target" 2>&1 | tee -a regress.log
    done
    echo "== docs: every sql example in README.md and docs/"
    bash test/docs_examples.sh >docs.log 2>&1
    docs_status=$?
    cat docs.log; cat docs.log >>regress.log
    if [ "$docs_status" -ne 0 ] && ! grep -q '^not ok ' docs.log; then
        failed=$((failed + 1))   # it failed before running any example
    fi
    rm -f docs.log
    echo "== fuzz: a bounded pass over every SQL function (bash test/fuzz.sh --calls 100000 is the long run)"
    bash test/fuzz.sh --seconds "${CA_FUZZ_SECONDS:-100}" 2>&1 | grep -v '^ca_fuzz: [0-9]* calls' | tee -a regress.log
    ok=$(grep -cE '^ok |\.\.\. +ok' regress.log)
    bad=$(grep -cE '\.\.\. +FAILED|^not ok ' regress.log)
    passed=$((passed + ok)); failed=$((failed + bad))
    if [ -f regression.diffs ] && [ "$bad" -gt 0 ]; then cat regression.diffs; fi
    if ls results/*.out >/dev/null 2>&1; then
        skips=$(grep -h '^SKIP:' results/*.out | sort -u)
        if [ -n "$skips" ]; then
            echo "$skips"
            skipped=$((skipped + $(wc -l <<<"$skips")))
        fi
    fi
    rm -f regress.log
else
    tail -50 build.log; echo "extension build failed"; failed=$((failed + 1))
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
