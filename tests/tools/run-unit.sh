#!/bin/sh
# run-unit.sh BIN...: runs each cmocka unit-test binary, then prints one
# closing line "unit: N passed, N failed" (N counts binaries' test cases).
pass=0; fail=0; failed_bins=""
for b in "$@"; do
    out=$("$b" 2>&1); rc=$?
    p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
    f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
    pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
    if [ $rc -ne 0 ]; then
        [ -z "$f" ] && fail=$((fail + 1))
        failed_bins="$failed_bins $b"
        printf '%s\n' "$out" | tail -40
        echo "FAIL: $b (exit $rc)"
    fi
done
echo "unit: $pass passed, $fail failed"
[ -z "$failed_bins" ]
