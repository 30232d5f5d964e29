#!/bin/sh
# tests/cli/run.sh: end-to-end cases, one directory per case (STYLE.md 12).
#   tests/cli/<case>/cmd              shell commands; $CS is the binary,
#                                     $SAMPLE the sample-data dir, $TOOLS test tools
#   tests/cli/<case>/expected.status  exit status of the last command (default 0)
#   tests/cli/<case>/expected.stdout  exact stdout (optional)
#   tests/cli/<case>/expected.stderr  exact stderr (optional)
#   tests/cli/<case>/serial           present: the case is timing-sensitive
#                                     (signals, concurrent writers) and runs alone
#   tests/cli/<case>/asan-skip        present: a volume test whose code paths
#                                     smaller cases cover; not run when
#                                     CLI_SANITIZED=1 (make cli-asan), which
#                                     says so (the file says why)
# Each case runs in a fresh temporary copy of its directory under
# env -i LC_ALL=C TZ=UTC (tests/cli/one.sh).  The other cases run CLI_JOBS at
# a time (default: the number of cores); the serial ones run after them, one
# by one.  Only failures keep their output.
# Ends with one line: "cli: N passed, N failed".
top=$(cd "$(dirname "$0")/../.." && pwd)
CS=$(cd "$(dirname "$CALLSURVEY")" && pwd)/$(basename "$CALLSURVEY")
TOOLSDIR=$(cd "${TOOLS:-$top/build/tools}" 2>/dev/null && pwd)
OUTDIR="$top/tests/out/cli"
RESULTS=$(mktemp -d)
TOP=$top
export CS TOOLSDIR OUTDIR RESULTS TOP
jobs=${CLI_JOBS:-$(nproc 2>/dev/null || echo 2)}
rm -rf "$OUTDIR"; mkdir -p "$OUTDIR"
: > "$RESULTS/.parallel"; : > "$RESULTS/.serial"
skipped=0
for case in "$top"/tests/cli/*/; do
    name=$(basename "$case")
    [ -f "$case/cmd" ] || continue
    [ -n "${CLI_ONLY:-}" ] && case "$name" in *$CLI_ONLY*) ;; *) continue ;; esac
    if [ "${CLI_SANITIZED:-0}" = 1 ] && [ -f "$case/asan-skip" ]; then
        echo "SKIP $name under ASan: $(head -1 "$case/asan-skip")"; skipped=$((skipped + 1)); continue
    fi
    if [ -f "$case/serial" ]; then echo "$case" >> "$RESULTS/.serial"
    else echo "$case" >> "$RESULTS/.parallel"; fi
done
xargs -r -P "$jobs" -n 1 sh "$top/tests/cli/one.sh" < "$RESULTS/.parallel"
xargs -r -P 1 -n 1 sh "$top/tests/cli/one.sh" < "$RESULTS/.serial"
pass=$(grep -lx pass "$RESULTS"/* 2>/dev/null | wc -l)
fail=$(grep -lx fail "$RESULTS"/* 2>/dev/null | wc -l)
want=$(cat "$RESULTS/.parallel" "$RESULTS/.serial" | wc -l)
rm -rf "$RESULTS"
if [ $((pass + fail)) -ne "$want" ]; then
    echo "cli: $want cases, but only $((pass + fail)) reported a result"; fail=$((fail + want - pass - fail))
fi
if [ "$fail" != 0 ]; then
    echo "failed:"; for r in "$OUTDIR"/*.report; do [ -f "$r" ] && head -1 "$r"; done
fi
if [ "$skipped" = 0 ]; then echo "cli: $pass passed, $fail failed"; else echo "cli: $pass passed, $fail failed, $skipped skipped under ASan"; fi
[ "$fail" = 0 ]
