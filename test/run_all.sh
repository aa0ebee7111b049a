#!/usr/bin/env bash
# Runs every test of customer_analytics: the core's Catch2 tests (through CTest) and the pg_regress
# suite, core and extended, against a throwaway PostgreSQL cluster started here. Installs what it
# needs first (Debian 12). The core's tests run a second time built with AddressSanitizer and
# UndefinedBehaviorSanitizer; the library's exported symbols are checked (test/exported_symbols.sh),
# the SQL examples of README.md and docs/ are run, a dump and restore of materialized views over
# the functions is checked (test/dump_restore.sh), and a bounded fuzz pass (test/fuzz.sh, seed
# CA_FUZZ_SEED or 1) calls every SQL function; the docs' pictures are drawn (tools/draw_pictures.sh)
# and their numbers compared with the committed copies. The last line is
# "N passed, N failed, N skipped": each test counts once, an extended test whose dataset is absent
# (it prints SKIP) as skipped; the exit status is non-zero when anything failed.
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
        # Tests that printed "SKIP:" (their dataset is absent) are listed by CTest as "(Skipped)".
        skip=$(grep -c '(Skipped)$' "$dir/ctest.log")
        if [ -n "$summary" ]; then
            passed=$((passed + total - bad - skip)); failed=$((failed + bad))
            skipped=$((skipped + skip))
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
    echo "== extension: the library exports only PostgreSQL's entry points (one test)"
    if bash test/exported_symbols.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
    ca_cluster_start
    trap ca_cluster_stop EXIT
    rm -rf results regression.diffs regression.out
    # The extended tests once as a machine without the datasets sees them: a check that their
    # SKIP output (an expected file too) is right. It counts only when it fails.
    CA_DATA_DIR=/nonexistent make installcheck-extended >skipcheck.log 2>&1
    skip_bad=$(grep -cE '\.\.\. +FAILED' skipcheck.log)
    if [ "$skip_bad" -gt 0 ] || ! grep -qE 'All [0-9]+ tests passed' skipcheck.log; then
        cat skipcheck.log; [ -f regression.diffs ] && cat regression.diffs
        echo "the SKIP output of the extended tests does not match expected/*_1.out"
        failed=$((failed + (skip_bad > 0 ? skip_bad : 1)))
    else
        echo "checked: the extended tests' SKIP output (not counted as tests)"
    fi
    rm -f skipcheck.log
    make installcheck 2>&1 | tee core_regress.log
    cat core_regress.log >>regress.log
    grep -qE '\.\.\. +FAILED' core_regress.log && [ -f regression.diffs ] && cat regression.diffs
    rm -f core_regress.log
    # The extended tests for real; each counts once: passed, failed, or skipped when it printed
    # SKIP (its dataset is absent).
    make installcheck-extended 2>&1 | tee extended.log
    [ -f regression.diffs ] && grep -qE '\.\.\. +FAILED' extended.log && cat regression.diffs
    while read -r name outcome; do
        if [ "$outcome" != ok ]; then
            failed=$((failed + 1))
        elif grep -q '^SKIP:' "results/$name.out" 2>/dev/null; then
            grep -h '^SKIP:' "results/$name.out" | sort -u
            skipped=$((skipped + 1))
        else
            passed=$((passed + 1))
        fi
    done < <(awk '$1 == "test" && $3 == "..." { print $2, $4 }    # pg_regress up to 15
                  /^(not )?ok [0-9]+ / {                        # 16 and later (TAP)
                      for (i = 2; i < NF; i++) if ($i == "-") { print $(i + 1), ($1 == "ok" ? "ok" : "FAILED"); break }
                  }' extended.log)
    grep -qE '^test |^(not )?ok [0-9]+ ' extended.log || failed=$((failed + 1))   # it ran no test
    rm -f extended.log
    echo "== docs: every sql example in README.md and docs/"
    bash test/docs_examples.sh >docs.log 2>&1
    docs_status=$?
    cat docs.log; cat docs.log >>regress.log
    if [ "$docs_status" -ne 0 ] && ! grep -q '^not ok ' docs.log; then
        failed=$((failed + 1))   # it failed before running any example
    fi
    rm -f docs.log
    echo "== dump and restore: materialized views over the extension's functions (one test)"
    if bash test/dump_restore.sh; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
    echo "== pictures: the docs' pictures drawn from Online Retail through the functions"
    pictures_dir=$(mktemp -d /tmp/ca_pictures_out.XXXXXX)
    bash tools/draw_pictures.sh "$pictures_dir" >pictures.log 2>&1
    cat pictures.log; grep -E '^(not )?ok ' pictures.log >>regress.log
    if grep -q '^SKIP:' pictures.log; then
        skipped=$((skipped + 1))
    elif ! grep -qE '^(not )?ok ' pictures.log; then
        failed=$((failed + 1))   # it stopped before drawing anything
    fi
    rm -rf "$pictures_dir" pictures.log
    echo "== fuzz: a bounded pass over every SQL function (bash test/fuzz.sh --calls 100000 is the long run)"
    bash test/fuzz.sh --seconds "${CA_FUZZ_SECONDS:-100}" 2>&1 | grep -v '^ca_fuzz: [0-9]* calls' | tee -a regress.log
    ok=$(grep -cE '^ok |\.\.\. +ok' regress.log)
    bad=$(grep -cE '\.\.\. +FAILED|^not ok ' regress.log)
    passed=$((passed + ok)); failed=$((failed + bad))
    rm -f regress.log
else
    tail -50 build.log; echo "extension build failed"; failed=$((failed + 1))
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
