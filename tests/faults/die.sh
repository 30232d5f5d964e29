#!/bin/sh
# tests/faults/die.sh: a report killed at every step of its output
# directory's commit, deterministically (issue 15 item 10; CLI case 121
# does the same with timed SIGKILLs, which reach the commit's steps only by
# chance).
#
#   CALLSURVEY=build/faults/callsurvey sh tests/faults/die.sh
#
# CALLSURVEY must be a TEST_FAULTS build: core/outdir.c then has "die"
# sites (core/fault.h) where the run ends as by SIGKILL when CS_FAULT names
# the site and hit.  A reference run of week 2026-W46 into a directory
# holding a complete run of 2026-W44 and the user's notes.txt lists the
# sites and their hits; then, for every hit of every site:
#   1. the W46 run into a fresh copy of that directory, killed there (exit
#      status 137, the site reported as fired);
#   2. what it left: either the whole W44 run or the whole W46 run (files,
#      bytes and manifest), or the journal .callsurvey-pending; then the
#      next run must finish the W46 move before anything of its own: a W44
#      run killed right after its own staging (before its journal) must
#      leave exactly the W46 run;
#   3. a complete W44 run after all that gives exactly the W44 reference,
#      with no staging directory or temporary file left; notes.txt is never
#      touched.
# Kills during that recovery too: for each kill that left the journal, a
# second run killed at each hit of each site of the recovery (every hit of
# small sites; of the moves, the first two, the middle and the last two),
# then steps 2 and 3.  Prints one line per failure and a total; exit 1 on
# any failure (the directories of failures are kept under tests/out/die/).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
self="$top/tests/faults/die.sh"

same() { # DIR REF: DIR holds the run REF (files, bytes, manifest)
    diff -r -x notes.txt -x '.callsurvey-*' "$1" "$2" >/dev/null 2>&1 &&
        cmp -s "$1/.callsurvey-manifest" "$2/.callsurvey-manifest"
}
# run WEEK [FAULT]: a report of WEEK into out, killed at FAULT when given
run() {
    if [ -n "${2:-}" ]; then
        CS_FAULT="$2" CS_FAULTS_LIST="$PWD/fired" "$CS" report -q --db "$WORK/s.db" \
            --week "$1" -o out >/dev/null 2>>err
    else
        "$CS" report -q --db "$WORK/s.db" --week "$1" -o out >/dev/null 2>>err
    fi
}

# ---- one case: die.sh --one "SITE#N[ SITE2#N2]" ------------------------------
if [ "${1:-}" = --one ]; then
    case_=$2
    first=${case_%% +*}
    second=""; [ "$first" != "$case_" ] && second=${case_#* +}
    d=$(mktemp -d "$WORK/case.XXXXXX")
    cd "$d" || exit 1
    cp -R "$WORK/ref44" out
    echo "my notes" >out/notes.txt
    why=""
    run 2026-W46 "die $first"
    st=$?
    [ $st = 137 ] || why="$why; the run to kill exited $st"
    grep -q "^fired die" fired 2>/dev/null || why="$why; the site never fired"
    if [ -n "$second" ]; then
        # killed again, during the next run's recovery of the first
        [ -e out/.callsurvey-pending ] || why="$why; no journal to recover"
        rm -f fired
        run 2026-W44 "die $second"
        st=$?
        [ $st = 137 ] || why="$why; the recovering run exited $st"
    fi
    if [ -e out/.callsurvey-pending ]; then
        # the next run finishes the W46 move first: killed after its own
        # staging, before its journal, it leaves the W46 run alone
        rm -f fired
        run 2026-W44 "die $STAGED#1"
        st=$?
        [ $st = 137 ] || why="$why; the run after the journal exited $st"
        [ -e out/.callsurvey-pending ] && why="$why; the journal is still there after the next run"
        if [ -z "$second" ]; then
            same out "$WORK/ref46" || why="$why; the next run did not finish the W46 move"
        elif ! same out "$WORK/ref46" && ! same out "$WORK/ref44"; then
            # a second kill past the recovery, in the W44 run's own commit,
            # leaves that run's journal, which the next run finishes
            why="$why; the next run left neither complete run"
        fi
    elif ! same out "$WORK/ref44" && ! same out "$WORK/ref46"; then
        why="$why; neither complete run (no journal)"
    fi
    run 2026-W44 || why="$why; the complete run after the kill failed"
    same out "$WORK/ref44" || why="$why; the complete run after the kill is not the W44 run"
    ls -A out | grep -q '^\.callsurvey-staging' && why="$why; a staging directory left"
    ls -A out | grep -q '\.tmp\.' && why="$why; a temporary file left"
    [ "$(cat out/notes.txt 2>/dev/null)" = "my notes" ] || why="$why; notes.txt touched"
    if [ -z "$why" ]; then
        echo "PASS $case_"
        cd "$WORK" && rm -rf "$d"
    else
        echo "FAIL $case_:${why#;} (kept in $d)"
        sed 's/^/    stderr: /' err 2>/dev/null | head -5
    fi
    exit 0
fi

# ---- set-up, listing, loop --------------------------------------------------
CS=$(cd "$(dirname "$CALLSURVEY")" && pwd)/$(basename "$CALLSURVEY")
start=$(date +%s)
outdir="$top/tests/out/die"
rm -rf "$outdir"; mkdir -p "$outdir"
WORK=$(mktemp -d "$outdir/work.XXXXXX")
export CS WORK LC_ALL=C TZ=UTC SOURCE_DATE_EPOCH=1795000000 CALLSURVEY_TEMPLATES="$top/templates"
unset CS_FAULT CS_FAULTS_LIST
fail() { echo "die: set-up failed: $*"; exit 1; }
cd "$WORK" || exit 1
"$CS" ingest -q --db "$WORK/s.db" "$top/sample-data" >/dev/null 2>&1 || fail "ingest"
"$CS" report -q --db "$WORK/s.db" --week 2026-W44 -o ref44 >/dev/null 2>&1 || fail "the W44 run"
"$CS" report -q --db "$WORK/s.db" --week 2026-W46 -o ref46 >/dev/null 2>&1 || fail "the W46 run"
mkdir list && cd list && cp -R ../ref44 out && echo "my notes" >out/notes.txt
CS_FAULTS_LIST="$WORK/sites" "$CS" report -q --db "$WORK/s.db" --week 2026-W46 -o out >/dev/null 2>&1 ||
    fail "the listing run"
same out ../ref46 || fail "the listing run is not the W46 run"
cd "$WORK" || exit 1
grep '^die ' sites | sort >die.sites
[ -s die.sites ] || fail "no die sites listed: is $CS a TEST_FAULTS build?"
line=$(grep -n 'everything staged, no journal yet' "$top/src/core/outdir.c" | cut -d: -f1)
STAGED="src/core/outdir.c:$line"
grep -q " $STAGED " die.sites || fail "the site after staging ($STAGED) is not listed"
export STAGED
# every hit of every site
awk '{ for (n = 1; n <= $3; n++) print $2 "#" n }' die.sites >cases
# the kills that leave the journal, each followed by kills in the recovery
# (the recovery passes the same sites after the journal was written)
journaled=$(grep -n 'the journal written, nothing moved' "$top/src/core/outdir.c" | cut -d: -f1)
awk -v j="src/core/outdir.c:$journaled" -v staged="$STAGED" '
    $2 == j || $2 == staged { next }            # not passed by a recovery
    { h = $3; for (n = 1; n <= h; n++)
        if (h <= 4 || n <= 2 || n == int((h + 1) / 2) || n >= h - 1)
            print j "#1 +" $2 "#" n }' die.sites >>cases
jobs=${DIE_JOBS:-$(nproc 2>/dev/null || echo 2)}
tr '\n' '\0' <cases | xargs -0 -n 1 -P "$jobs" sh "$self" --one >results
grep -v '^PASS' results
pass=$(grep -c '^PASS' results)
failn=$(grep -c '^FAIL' results)
echo "die: $(wc -l <die.sites) sites of the output directory's commit, $pass of $(wc -l <cases) kills left one complete run, $failn did not ($(($(date +%s) - start)) s)"
cd "$top" || exit 1
if [ "$failn" = 0 ] && [ "$pass" -gt 0 ]; then rm -rf "$outdir"; fi
[ "$failn" = 0 ] && [ "$pass" -gt 0 ]
