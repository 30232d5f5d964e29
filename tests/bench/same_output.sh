#!/bin/sh
# tests/bench/same_output.sh BASE NEW: issue 22's "no output changes" check.
# Runs two callsurvey binaries (BASE built from main, NEW this tree) on the
# same inputs and compares what they write: summary.json (all but its
# "generated" time), every CSV byte for byte, every PNG's decoded pixels
# (a checksum of `convert F ppm:-`, so a different zlib level or filter is
# not a difference), and every workbook cell's value and number format
# (tests/bench/xlsx_dump.py through openpyxl).  Cases: the sample data,
# the sample data's week 2026-W46 against two weeks, the sample data read
# from a database file (report --db), and 100,000 generated
# surveys with custom events (build/bench/100000, as `make bench` makes
# them; SAME_QUICK=1 leaves this one out), each with the Data sheet.  Exit 1 naming the first difference
# of each file that differs; the outputs stay in build/same-output/.
set -eu
base=$1 new=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
work="$top/build/same-output"
py=/usr/bin/python3
command -v convert >/dev/null || { echo "same_output: convert (ImageMagick or its PNG stand-in) missing"; exit 2; }
# the decoded pixels of a PNG as a checksum (`convert F ppm:-` is what the
# stand-in of this machine also does)
pixels() { convert "$1" ppm:- | sha256sum | cut -d' ' -f1; }
rm -rf "$work"
mkdir -p "$work"
big="$top/build/bench/100000"
if [ ! -f "$big/surveys.jsonl" ]; then
    "$new" generate -q --surveys 100000 --seed 42 --single-file --custom-share 0.32 \
        --events-format jsonl -o "$big"
fi
fail=0
# compare NAME: build/same-output/NAME.base and NAME.new
compare() {
    a="$work/$1.base" b="$work/$1.new"
    (cd "$a" && find . -type f ! -name .callsurvey-manifest | sort) > "$work/$1.files.base"
    (cd "$b" && find . -type f ! -name .callsurvey-manifest | sort) > "$work/$1.files.new"
    if ! cmp -s "$work/$1.files.base" "$work/$1.files.new"; then
        echo "same_output: $1: different files:"; diff "$work/$1.files.base" "$work/$1.files.new" || true
        fail=1
    fi
    n=0
    for f in $(cat "$work/$1.files.base"); do
        [ -f "$b/$f" ] || continue
        n=$((n + 1))
        case "$f" in
        *.png)
            if [ "$(pixels "$a/$f")" != "$(pixels "$b/$f")" ]; then
                echo "same_output: $1: $f: the pixels differ"; fail=1
            fi ;;
        *.xlsx)
            "$py" "$top/tests/bench/xlsx_dump.py" "$a/$f" > "$work/$1.xlsx.base"
            "$py" "$top/tests/bench/xlsx_dump.py" "$b/$f" > "$work/$1.xlsx.new"
            if ! cmp -s "$work/$1.xlsx.base" "$work/$1.xlsx.new"; then
                echo "same_output: $1: $f: cells differ:"
                diff "$work/$1.xlsx.base" "$work/$1.xlsx.new" | head -5; fail=1
            fi ;;
        summary.json|./summary.json)
            if ! diff -I '"generated":' "$a/$f" "$b/$f" > "$work/$1.json.diff"; then
                echo "same_output: $1: $f differs:"; head -5 "$work/$1.json.diff"; fail=1
            fi ;;
        *)
            if ! cmp -s "$a/$f" "$b/$f"; then
                echo "same_output: $1: $f differs:"; diff "$a/$f" "$b/$f" | head -5; fail=1
            fi ;;
        esac
    done
    echo "same_output: $1: $n files compared"
}
# run NAME ARGS...: both binaries, then compare
run() {
    name=$1; shift
    "$base" report -q -o "$work/$name.base" "$@"
    "$new" report -q -o "$work/$name.new" "$@"
    compare "$name"
}
all=json,csv,png,xlsx
run sample --formats "$all" --data-sheet "$top/sample-data"
run sample-week --formats "$all" --week 2026-W46 --vs 2 "$top/sample-data"
# a report read from a database file (--db), custom events and all
"$base" ingest -q --db "$work/sample.db" "$top/sample-data"
run db --formats "$all" --db "$work/sample.db"
[ "${SAME_QUICK:-0}" = 1 ] || run big --formats "$all" --data-sheet "$big/surveys.jsonl" --custom "$big/customEvents.jsonl"
[ $fail = 0 ] && echo "same_output: the same outputs" || echo "same_output: OUTPUTS DIFFER"
exit $fail
