#!/bin/sh
# tests/cli/one.sh CASE_DIR: run one end-to-end case (see run.sh); prints one
# PASS/FAIL line (plus the diff of a failure) as a single write, and leaves
# "pass" or "fail" in $RESULTS/<case>.
[ -n "${1:-}" ] && [ -f "$1/cmd" ] || { echo "one.sh: no case directory given" >&2; exit 2; }
case=${1%/}
name=$(basename "$case")
work=$(mktemp -d)
cp -R "$case"/. "$work"/
start=$(date +%s.%N)
(cd "$work" && env -i PATH=/usr/bin:/bin LC_ALL=C TZ=UTC HOME="$work" \
    ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
    CS="$CS" SAMPLE="$TOP/sample-data" TOOLS="$TOOLSDIR" TOP="$TOP" \
    CALLSURVEY_TEMPLATES="$TOP/templates" \
    sh -e ./cmd >stdout 2>stderr; echo $? >status)
end=$(date +%s.%N)
want=0; [ -f "$case/expected.status" ] && want=$(cat "$case/expected.status")
got=$(cat "$work/status")
ok=1; why=""
[ "$got" = "$want" ] || { ok=0; why="status $got, expected $want"; }
if [ -f "$case/expected.stdout" ] && ! cmp -s "$case/expected.stdout" "$work/stdout"; then
    ok=0; why="$why stdout differs"; fi
if [ -f "$case/expected.stderr" ] && ! cmp -s "$case/expected.stderr" "$work/stderr"; then
    ok=0; why="$why stderr differs"; fi
secs=$(awk "BEGIN{printf \"%.2f\", $end - $start}")
if [ $ok = 1 ]; then
    echo pass > "$RESULTS/$name"
    echo "PASS $name (${secs}s)"
    rm -rf "$work"
else
    echo fail > "$RESULTS/$name"
    rm -rf "$OUTDIR/$name"; mv "$work" "$OUTDIR/$name"
    {
        echo "FAIL $name: $why (kept in $OUTDIR/$name)"
        for f in stdout stderr; do
            [ -f "$case/expected.$f" ] && diff "$case/expected.$f" "$OUTDIR/$name/$f" | head -20
        done
        tail -5 "$OUTDIR/$name/stderr" | sed 's/^/    stderr: /'
    } > "$OUTDIR/$name.report"
    cat "$OUTDIR/$name.report"
fi
exit 0
