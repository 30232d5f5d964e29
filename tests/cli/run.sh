#!/bin/sh
# tests/cli/run.sh: end-to-end cases, one directory per case (STYLE.md 12).
#   tests/cli/<case>/cmd              shell commands; $CS is the binary,
#                                     $SAMPLE the sample-data dir, $TOOLS test tools
#   tests/cli/<case>/expected.status  exit status of the last command (default 0)
#   tests/cli/<case>/expected.stdout  exact stdout (optional)
#   tests/cli/<case>/expected.stderr  exact stderr (optional)
# Each case runs in a fresh temporary copy of its directory under
# env -i LC_ALL=C TZ=UTC.  Only failures keep their output.
# Ends with one line: "cli: N passed, N failed".
top=$(cd "$(dirname "$0")/../.." && pwd)
CS=$(cd "$(dirname "$CALLSURVEY")" && pwd)/$(basename "$CALLSURVEY")
TOOLSDIR=$(cd "${TOOLS:-$top/build/tools}" 2>/dev/null && pwd)
pass=0; fail=0
outdir="$top/tests/out/cli"
rm -rf "$outdir"; mkdir -p "$outdir"
for case in "$top"/tests/cli/*/; do
    name=$(basename "$case")
    [ -f "$case/cmd" ] || continue
    [ -n "${CLI_ONLY:-}" ] && case "$name" in *$CLI_ONLY*) ;; *) continue ;; esac
    work=$(mktemp -d)
    cp -R "$case"/. "$work"/
    start=$(date +%s.%N)
    (cd "$work" && env -i PATH=/usr/bin:/bin LC_ALL=C TZ=UTC HOME="$work" \
        ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
        CS="$CS" SAMPLE="$top/sample-data" TOOLS="$TOOLSDIR" TOP="$top" \
        CALLSURVEY_TEMPLATES="$top/templates" \
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
        pass=$((pass + 1)); echo "PASS $name (${secs}s)"
        rm -rf "$work"
    else
        fail=$((fail + 1)); echo "FAIL $name: $why (kept in $outdir/$name)"
        rm -rf "$outdir/$name"; mv "$work" "$outdir/$name"
        for f in stdout stderr; do
            [ -f "$case/expected.$f" ] && diff "$case/expected.$f" "$outdir/$name/$f" | head -20
        done
        tail -5 "$outdir/$name/stderr" | sed 's/^/    stderr: /'
    fi
done
echo "cli: $pass passed, $fail failed"
[ $fail = 0 ]
