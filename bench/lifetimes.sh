# Sourced by the customer-lifetime-value benchmark (bench/clv.sh): Python lifetimes 0.11 (BG/NBD,
# Pareto/NBD and Gamma-Gamma fitters), the peer users would otherwise pick, from ../shared/vendor.
#   lifetimes_setup LOG   sets LIFETIMES_PY (the command, an array, that imports lifetimes) and
#                         have_lifetimes (1 when it imports). LIFETIMES_DIR names a copy unpacked by
#                         ../shared/vendor/setup-lifetimes.sh DIR; without it that script unpacks
#                         one into bench/out/lifetimes once. Prints a SKIP line and leaves
#                         have_lifetimes 0 when neither works (output in bench/out/LOG).
lifetimes_setup() {
    local dir="${LIFETIMES_DIR:-$OUT/lifetimes}"
    have_lifetimes=0
    # One thread: lifetimes' work is numpy element-wise code, and the machine has 2 cores.
    LIFETIMES_PY=(env "PYTHONPATH=$dir/lifetimes:$dir/autograd" OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
                  /usr/bin/python3)
    if ! "${LIFETIMES_PY[@]}" -c 'import lifetimes' >"$OUT/$1" 2>&1; then
        if [ -n "${LIFETIMES_DIR:-}" ]; then
            echo "SKIP: lifetimes does not import from LIFETIMES_DIR (bench/out/$1); timing ours only"
            return 0
        fi
        if [ ! -r "$VENDOR/setup-lifetimes.sh" ]; then
            echo "SKIP: ../shared/vendor/setup-lifetimes.sh not found; timing ours only"
            return 0
        fi
        if ! { bash "$VENDOR/setup-lifetimes.sh" "$dir" && "${LIFETIMES_PY[@]}" -c 'import lifetimes'; } \
                >"$OUT/$1" 2>&1; then
            echo "SKIP: lifetimes could not be set up (bench/out/$1); timing ours only"
            return 0
        fi
    fi
    have_lifetimes=1
}
