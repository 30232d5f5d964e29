#!/bin/sh
# tests/faults/run.sh: the fault-injection loop (STYLE.md 14, issue 10 item 3).
#
#   CALLSURVEY=build/faults/callsurvey [CALLSURVEY_ASAN=build/faults-asan/callsurvey] \
#       sh tests/faults/run.sh
#
# Both binaries must be TEST_FAULTS builds (core/fault.h).  Allocation
# faults run on CALLSURVEY, the other kinds on CALLSURVEY_ASAN when given
# (an allocation failure ends the process at once: a sanitizer sees nothing
# more there; the other kinds run error paths through to a normal exit,
# where ASan and LeakSanitizer find what was missed).  Five commands run
# once without faults, with CS_FAULTS_LIST, to list every fault site they
# pass and keep reference outputs:
#   ingest    ingest --db (a copy of a database holding logs-export.csv)
#             --rejects, three more inputs: bad records, one PT1H.json,
#             customEvents.csv
#   report    report --formats json,csv,png,xlsx on logs-export.csv with
#             --custom customEvents.csv (a private database)
#   private   report --formats json,csv,pdf,xlsx with --pseudonymize and a
#             template with a SQL step and the Data sheet (the paths report
#             leaves out)
#   compare   compare --by resource on logs-export.csv (json, png, xlsx)
#   generate  generate --surveys 40 (a storage-account tree)
# Then every site runs again with CS_FAULT set to fail its first hit (and
# its last, when it has several; SQLite's allocator is one site with
# thousands of hits, sampled at 16 points), two runs at a time; an
# allocation site already run for an earlier command is not run again.  Each
# faulted run must:
#   - exit 1 ("could not do what was asked", DESIGN.md 5), not crash (a
#     failure may also be harmless: a SQLite allocation SQLite does without,
#     a temporary file libxlsxwriter never writes to; exit 0 is then
#     accepted when every output and the database are complete);
#   - say why on stderr: a "callsurvey: error: " line with the reason of
#     its kind (out of memory, No space left on device, Input/output error);
#   - show no AddressSanitizer, LeakSanitizer or UBSan report;
#   - leave no temporary file (*.tmp.*) and no output that differs from
#     the reference under a final name (a file is either complete or absent);
#   - for ingest: leave the database passing PRAGMA integrity_check with
#     row counts of some set of whole inputs (each input is one
#     transaction; an input that failed is absent, the others are whole);
#     a --rejects file, if present, is whole JSON Lines.
# Sites the faulted run did not reach (thread timing) are counted, not
# failed.  Failures keep their directory under tests/out/faults/.
# FAULTS_ONLY=report limits the loop to one command; FAULTS_JOBS=N sets the
# parallelism (default: the number of CPUs).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
self="$top/tests/faults/run.sh"

# ---- one faulted run: run.sh --one "CMD|KIND SITE|NTH" -------------------
if [ "${1:-}" = --one ]; then
    job=$2
    cmd=${job%%|*}; rest=${job#*|}; site=${rest%%|*}; nth=${rest#*|}
    kind=${site%% *}
    d=$(mktemp -d "$WORK/job.XXXXXX")
    cd "$d" || exit 1
    case $cmd in
    ingest) cp "$WORK/base.db" db.sqlite ;;
    esac
    bin=$CS; [ "$kind" != alloc ] && bin=$CS_ASAN
    # shellcheck disable=SC2086
    CS_FAULT="$site#$nth" CS_FAULTS_LIST="$d/fired" \
        timeout -s KILL 120 "$bin" $(cat "$WORK/args.$cmd") >stdout 2>stderr
    st=$?
    why=""
    [ $st = 137 ] && why="; killed after 120 s (hung?)"
    fired=0; grep -q '^fired ' fired 2>/dev/null && fired=1
    if [ $fired = 0 ] && [ $st = 0 ]; then
        echo "UNREACHED $job"; cd "$WORK" && rm -rf "$d"; exit 0
    fi
    if [ $fired = 1 ] && [ $st = 0 ] && [ "$kind" != alloc ]; then
        # the failure was absorbed: SQLite's page cache may fail "benignly",
        # libxlsxwriter keeps temporary files it never writes to.  Then
        # everything must be complete, as without the fault
        if grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error' stderr; then
            why="$why; sanitizer report"
        elif [ "$cmd" = ingest ]; then
            c=$(sqlite3 db.sqlite "$(cat "$WORK/counts.sql")" 2>&1)
            [ "$c" = "$(tail -1 "$WORK/states")" ] || why="$why; exit 0 with row counts '$c'"
            cmp -s rejects.jsonl "$WORK/ref.$cmd/rejects.jsonl" || why="$why; exit 0, rejects.jsonl differs"
        elif ! diff -r out "$WORK/ref.$cmd/out" >/dev/null 2>&1; then
            why="$why; exit 0 but the outputs differ from the reference"
        fi
        if [ -z "$why" ]; then
            echo "ABSORBED $job"; cd "$WORK" && rm -rf "$d"; exit 0
        fi
        echo "FAIL $job:${why#;} (kept in $d)"; exit 0
    fi
    [ $fired = 1 ] || why="$why; exit $st but the fault never fired"
    [ $st = 1 ] || why="$why; exit status $st, expected 1"
    if grep -Eq 'AddressSanitizer|LeakSanitizer|runtime error|UndefinedBehaviorSanitizer' stderr; then
        why="$why; sanitizer report"
    fi
    case $kind in
    alloc|sqlite) reason='out of memory' ;;
    create|write) reason='No space left on device' ;;
    rename) reason='Input/output error' ;;
    *) reason='.' ;;
    esac
    grep -q "^callsurvey: error: .*$reason" stderr ||
        why="$why; no 'callsurvey: error: ...$reason' line on stderr"
    tmps=$(find . -name '*.tmp.*' | head -3 | tr '\n' ' ')
    [ -z "$tmps" ] || why="$why; temporary files left: $tmps"
    # every output under a final name is the complete reference file (a
    # staging directory a killed run leaves is not one: the next run into
    # out removes it, core/outdir.h)
    for f in $(cd "$d" && find out -name '.callsurvey-staging.*' -prune -o \( -type f -o -type l \) -print 2>/dev/null | sort); do
        if [ -L "$f" ] || ! cmp -s "$f" "$WORK/ref.$cmd/$f"; then
            why="$why; $f is not the complete output"
            break
        fi
    done
    if [ "$cmd" = ingest ]; then
        ic=$(sqlite3 db.sqlite 'PRAGMA integrity_check;' 2>&1)
        [ "$ic" = ok ] || why="$why; integrity_check: $ic"
        c=$(sqlite3 db.sqlite "$(cat "$WORK/counts.sql")" 2>&1)
        grep -qxF "$c" "$WORK/states" || why="$why; row counts '$c' are no set of whole inputs"
        if [ -e rejects.jsonl ] &&
            ! awk '!/^\{.*\}$/ { bad = 1 } END { exit bad }' rejects.jsonl; then
            why="$why; rejects.jsonl is not whole JSON Lines"
        fi
    fi
    if [ -z "$why" ]; then
        echo "PASS $job"
        cd "$WORK" && rm -rf "$d"
    else
        echo "FAIL $job:${why#;} (kept in $d)"
        sed 's/^/    stderr: /' stderr | head -8
    fi
    exit 0
fi

# ---- set-up, listing, loop ------------------------------------------------
CS=$(cd "$(dirname "$CALLSURVEY")" && pwd)/$(basename "$CALLSURVEY")
CS_ASAN=$CS
[ -n "${CALLSURVEY_ASAN:-}" ] &&
    CS_ASAN=$(cd "$(dirname "$CALLSURVEY_ASAN")" && pwd)/$(basename "$CALLSURVEY_ASAN")
start=$(date +%s)
outdir="$top/tests/out/faults"
rm -rf "$outdir"; mkdir -p "$outdir"
WORK=$(mktemp -d "$outdir/work.XXXXXX")
export CS CS_ASAN WORK LC_ALL=C TZ=UTC SOURCE_DATE_EPOCH=1795000000 \
    CALLSURVEY_TEMPLATES="$top/templates" \
    ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
unset CS_FAULT CS_FAULTS_LIST
S="$top/sample-data"
in="$WORK/in"; mkdir -p "$in"
cp "$S/logs-export.csv" "$S/customEvents.csv" "$S/bad/bad-records.jsonl" "$in/"
cp "$(find "$S/insights-logs-callsurvey" -name PT1H.json | sort | head -1)" "$in/PT1H.json"

fail() { echo "faults: set-up failed: $*"; exit 1; }
"$CS" ingest -q --db "$WORK/base.db" "$in/logs-export.csv" >/dev/null 2>&1 ||
    fail "cannot build the base database"
# The counts that must hold after any run: survey rows, rating rows,
# unknown tags, rejects, custom events, inputs.
cat >"$WORK/counts.sql" <<'EOF'
SELECT (SELECT count(*) FROM survey_data) || ' ' || (SELECT count(*) FROM ratings) || ' ' ||
       (SELECT count(*) FROM unknown_tags) || ' ' || (SELECT count(*) FROM reject_data) || ' ' ||
       (SELECT count(*) FROM custom_events) || ' ' || (SELECT count(*) FROM inputs);
EOF
counts() { sqlite3 "$1" "$(cat "$WORK/counts.sql")"; }
inputs="$in/bad-records.jsonl $in/PT1H.json $in/customEvents.csv"
echo "ingest -q --db db.sqlite --rejects rejects.jsonl $inputs" >"$WORK/args.ingest"
echo "report -q --formats json,csv,png,xlsx -o out --custom $in/customEvents.csv $in/logs-export.csv" \
    >"$WORK/args.report"
echo "compare -q --by resource -o out $in/logs-export.csv" >"$WORK/args.compare"
# the paths report leaves out: report.pdf, the Data sheet, privacy mode and
# a template SQL step with its chart
printf 'callsurvey faults key, 32 bytes.' >"$WORK/key"
cat >"$WORK/t.yaml" <<'EOF2'
title: Faults
steps:
  - {title: Summary, section: summary}
  - {title: Distribution, section: distribution}
  - title: By resource
    query: SELECT resource, count(*) AS responses FROM ratings GROUP BY resource ORDER BY resource
    render: column
    x: resource
    y: responses
  - {title: Custom, section: custom}
  - {title: Data, section: data}
EOF2
echo "report -q --formats json,csv,pdf,xlsx --pseudonymize $WORK/key --template $WORK/t.yaml -o out --custom $in/customEvents.csv $in/logs-export.csv" \
    >"$WORK/args.private"
echo "generate -q --surveys 40 --seed 3 -o out" >"$WORK/args.generate"

# The database states a faulted ingest may leave: the base plus any set of
# whole inputs.  The inputs hold different surveys, so their effects add up;
# the full run checks that.
counts "$WORK/base.db" >"$WORK/delta.base"
for f in $inputs; do
    cp "$WORK/base.db" "$WORK/one.db"
    "$CS" ingest -q --db "$WORK/one.db" "$f" >/dev/null 2>&1 || fail "ingest $f"
    counts "$WORK/one.db" >>"$WORK/delta.one"
done
awk 'NR == 1 { n = split($0, b); next }
     { for (i = 1; i <= n; i++) d[NR - 1, i] = $i - b[i]; m = NR - 1 }
     END { for (s = 0; s < 2 ^ m; s++) { line = "";
             for (i = 1; i <= n; i++) { v = b[i];
               for (k = 1; k <= m; k++) if (int(s / 2 ^ (k - 1)) % 2) v += d[k, i];
               line = line (i > 1 ? " " : "") v }
             print line } }' "$WORK/delta.base" "$WORK/delta.one" >"$WORK/states"

touch "$WORK/alloc.seen"
for cmd in ingest generate report private compare; do
    case ${FAULTS_ONLY:-$cmd} in *$cmd*) ;; *) continue ;; esac
    mkdir -p "$WORK/ref.$cmd"
    [ $cmd = ingest ] && cp "$WORK/base.db" "$WORK/ref.$cmd/db.sqlite"
    # shellcheck disable=SC2046
    (cd "$WORK/ref.$cmd" && CS_FAULTS_LIST="$WORK/list.$cmd" "$CS" $(cat "$WORK/args.$cmd") \
        >stdout 2>stderr) || fail "$cmd without faults: $(tail -3 "$WORK/ref.$cmd/stderr")"
    if [ $cmd = ingest ]; then
        c=$(counts "$WORK/ref.$cmd/db.sqlite")
        tail -1 "$WORK/states" | grep -qxF "$c" ||
            fail "the inputs overlap: all of them give '$c', not the sum '$(tail -1 "$WORK/states")'"
    fi
    # jobs: the first hit of each site, the last too when it has several;
    # SQLite's allocator at 8 spread and 8 early hits.  An allocation site
    # an earlier command already covers is not run again (the failure ends
    # the process the same way; compare shares most of report's sites).
    awk -v cmd="$cmd" -v seen="$WORK/alloc.seen" '
        BEGIN { while ((getline l < seen) > 0) done[l] }
        $1 == "die" { next }    # kill points: tests/faults/die.sh
        $1 == "alloc" && ($2 in done) { next }
        $1 == "alloc" { print $2 >> seen }
        $1 == "sqlite" { h = $3
            for (i = 0; i < 8; i++) { n = int(1 + (h - 1) * i / 7); if (!(n in s)) { s[n]; print cmd "|" $1 " " $2 "|" n } }
            for (i = 0; i < 8; i++) { n = int(3 ^ i) + 1; if (n <= h && !(n in s)) { s[n]; print cmd "|" $1 " " $2 "|" n } }
            next }
        { print cmd "|" $1 " " $2 "|1"; if ($3 > 1) print cmd "|" $1 " " $2 "|" $3 }' \
        "$WORK/list.$cmd" >>"$WORK/jobs"
done
[ -s "$WORK/jobs" ] || fail "no fault sites listed: is $CS a TEST_FAULTS build?"

for cmd in ingest report private compare generate; do
    [ -f "$WORK/list.$cmd" ] || continue
    printf 'faults: %-8s %4d sites:' "$cmd" "$(wc -l <"$WORK/list.$cmd")"
    awk '{ n[$1]++ } END { for (k in n) printf " %s %d", k, n[k]; print "" }' "$WORK/list.$cmd"
done
jobs=${FAULTS_JOBS:-$(nproc 2>/dev/null || echo 2)}
tr '\n' '\0' <"$WORK/jobs" | xargs -0 -n 1 -P "$jobs" sh "$self" --one >"$WORK/results"
grep -v '^PASS\|^UNREACHED\|^ABSORBED' "$WORK/results"
pass=$(grep -c '^PASS' "$WORK/results")
failn=$(grep -c '^FAIL' "$WORK/results")
unreached=$(grep -c '^UNREACHED' "$WORK/results")
absorbed=$(grep -c '^ABSORBED' "$WORK/results")
echo "faults: $pass passed, $failn failed, $absorbed absorbed, $unreached not reached ($(($(date +%s) - start)) s)"
if [ "$failn" = 0 ]; then rm -rf "$WORK"; fi
[ "$failn" = 0 ]
