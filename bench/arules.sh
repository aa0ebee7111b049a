# Sourced by the market-basket benchmarks (bench/basket.sh, bench/recommend.sh): R arules 1.7-10,
# the peer users would otherwise pick, built from ../shared/vendor (its build-arules.sh) into
# bench/out/rlib once.
#   arules_build LOG   sets RLIB and have_arules (1 when arules can be loaded); prints a SKIP
#                      line and leaves have_arules 0 when it cannot be built (the build's output
#                      goes to bench/out/LOG)
arules_build() {
    RLIB="$OUT/rlib"
    have_arules=0
    if [ -r "$VENDOR/build-arules.sh" ]; then
        if bash "$VENDOR/build-arules.sh" "$RLIB" >"$OUT/$1" 2>&1; then
            have_arules=1
        else
            echo "SKIP: arules could not be built (bench/out/$1); timing ours only"
        fi
    else
        echo "SKIP: ../shared/vendor/build-arules.sh not found; timing ours only"
    fi
}
