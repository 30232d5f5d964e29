#!/bin/sh
# run-unit.sh BIN...: runs the cmocka unit-test binaries, UNIT_JOBS at a time
# (default: the number of cores), then prints the output of each failed one
# and one closing line "unit: N passed, N failed" (N counts test cases).
tmp=$(mktemp -d)
jobs=${UNIT_JOBS:-$(nproc 2>/dev/null || echo 2)}
i=0
for b in "$@"; do i=$((i + 1)); printf '%s\t%s\n' "$i" "$b"; done > "$tmp/list"
# each job leaves its output in $tmp/N.out and its exit status in $tmp/N.rc
tr '\t' '\n' < "$tmp/list" | xargs -r -P "$jobs" -n 2 sh -c \
    '"$2" > "$0/$1.out" 2>&1; echo $? > "$0/$1.rc"' "$tmp"
pass=0; fail=0; failed_bins=""
while IFS="$(printf '\t')" read -r n b; do
    rc=$(cat "$tmp/$n.rc" 2>/dev/null || echo 127)
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$tmp/$n.out" | tail -1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$tmp/$n.out" | tail -1)
    pass=$((pass + ${p:-0})); fail=$((fail + ${f:-0}))
    if [ "$rc" -ne 0 ]; then
        [ -z "$f" ] && fail=$((fail + 1))
        failed_bins="$failed_bins $b"
        tail -40 "$tmp/$n.out"
        echo "FAIL: $b (exit $rc)"
    fi
done < "$tmp/list"
rm -rf "$tmp"
echo "unit: $pass passed, $fail failed"
[ -z "$failed_bins" ]
