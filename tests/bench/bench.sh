#!/bin/sh
# tests/bench/bench.sh BINARY: `make bench`.  Never part of `make test`.
#
# Generates 100,000 and 1,000,000 surveys once (cached in build/bench/),
# then times, median of 3 runs each, in the same run:
#   sqlite3  baseline: the sqlite3 shell importing the same files and running
#            the equivalent aggregate SQL (per-category counts, means and
#            poor counts per scale, tag counts, the left join with answers)
#   duckdb   second baseline, the same work in DuckDB through its Node
#            package (installed from npm into build/bench/duckdb; skipped
#            with a note when npm cannot install it)
#   tokenize the floor: jsmn tokenizing every line on one core, nothing else
#   ingest   callsurvey ingest of the JSON Lines file alone
#   report   callsurvey report end to end: JSON Lines + custom events ->
#            summary.json, charts, report.xlsx without the Data sheet
#   +data    the same report with the per-survey Data sheet
# and prints wall time, records/s, MB/s, peak RSS (/usr/bin/time), the
# stage times of one report run, each ratio to the baselines, ingest over
# the tokenizing floor, and the growth of the report from 100k to 1M.
# Environment: BENCH_SIZES (default "100000 1000000"), BENCH_REPS (3),
# BENCH_FORMATS (report formats, default json,png,xlsx), BENCH_BASELINE=0 to
# skip the (slow) sqlite3 baseline, BENCH_DUCKDB=0 to skip DuckDB,
# BENCH_CUSTOM_KEYS=0 to skip the custom-keys case.
#
# Issue 22's targets: after each size's rows, a table of the issue's
# targets with "today" (BENCH_BASE=PATH, a callsurvey binary built from
# main, e.g. `git worktree add /tmp/base main && make -C /tmp/base`;
# "-" without one) and "new" (BINARY) side by side, both timed in this run,
# each as seconds and as a ratio to the typed-schema DuckDB baseline.  The
# stage times are the report's own "timings" note: since issue 22 the
# charts are drawn on a second thread while the workbook is written, so
# "charts" is drawing time that overlaps the workbook's, not added to it.
set -eu
cs=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tools=$(cd "$(dirname "$1")" && pwd)/tools
top=$(cd "$(dirname "$0")/../.." && pwd)
dir="$top/build/bench"
mkdir -p "$dir"
sizes=${BENCH_SIZES:-"100000 1000000"}
reps=${BENCH_REPS:-3}
formats=${BENCH_FORMATS:-json,png,xlsx}
command -v sqlite3 >/dev/null || { echo "bench: sqlite3 shell missing (make deps)"; exit 1; }
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time missing (make deps)"; exit 1; }

# median of the first fields of lines "wall rss"
median() { sort -n | awk '{v[NR]=$1; r[NR]=$2} END {m=int((NR+1)/2); print v[m], r[m]}'; }

# time CMD... reps times; prints "median_wall rss_of_that_run"
timeit() {
    i=0
    : > "$dir/times"
    while [ $i -lt "$reps" ]; do
        /usr/bin/time -f "%e %M" -o "$dir/t1" "$@" >/dev/null 2>"$dir/stderr" || {
            echo "bench: failed: $*" >&2; cat "$dir/stderr" >&2; exit 1; }
        cat "$dir/t1" >> "$dir/times"
        i=$((i + 1))
    done
    median < "$dir/times"
}

baseline_sql() {
    cat <<'SQL'
PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
CREATE TABLE raw(j TEXT);
CREATE TABLE rawe(j TEXT);
.mode ascii
.separator "\037" "\n"
.import surveys.jsonl raw
.import customEvents.jsonl rawe
.mode list
CREATE TABLE s AS SELECT
  json_extract(j,'$.properties.SurveyId') AS sid,
  json_extract(j,'$.properties.OverallRatingScore') AS os, json_extract(j,'$.properties.OverallRatingScoreLowerBound') AS olo,
  json_extract(j,'$.properties.OverallRatingScoreUpperBound') AS ohi, json_extract(j,'$.properties.OverallRatingScoreThreshold') AS oth,
  json_extract(j,'$.properties.OverallCallIssues') AS oi,
  json_extract(j,'$.properties.AudioRatingScore') AS a_s, json_extract(j,'$.properties.AudioRatingScoreLowerBound') AS alo,
  json_extract(j,'$.properties.AudioRatingScoreUpperBound') AS ahi, json_extract(j,'$.properties.AudioRatingScoreThreshold') AS ath,
  json_extract(j,'$.properties.AudioIssues') AS ai,
  json_extract(j,'$.properties.VideoRatingScore') AS vs, json_extract(j,'$.properties.VideoRatingScoreLowerBound') AS vlo,
  json_extract(j,'$.properties.VideoRatingScoreUpperBound') AS vhi, json_extract(j,'$.properties.VideoRatingScoreThreshold') AS vth,
  json_extract(j,'$.properties.VideoIssues') AS vi,
  json_extract(j,'$.properties.ScreenshareRatingScore') AS ss, json_extract(j,'$.properties.ScreenshareIssues') AS si
  FROM raw;
CREATE TABLE e AS SELECT lower(trim(json_extract(j,'$.Properties.id'))) AS sid FROM rawe;
CREATE INDEX e_sid ON e(sid);
SELECT coalesce(olo,1), coalesce(ohi,5), coalesce(oth,2), count(*), avg(os), sum(os <= coalesce(oth,2)) FROM s WHERE os IS NOT NULL GROUP BY 1,2,3;
SELECT coalesce(alo,1), coalesce(ahi,5), coalesce(ath,2), count(*), avg(a_s), sum(a_s <= coalesce(ath,2)) FROM s WHERE a_s IS NOT NULL GROUP BY 1,2,3;
SELECT coalesce(vlo,1), coalesce(vhi,5), coalesce(vth,2), count(*), avg(vs), sum(vs <= coalesce(vth,2)) FROM s WHERE vs IS NOT NULL GROUP BY 1,2,3;
SELECT count(*), avg(ss) FROM s WHERE ss IS NOT NULL;
SELECT x.value, count(*) FROM s, json_each('["' || replace(oi, ',', '","') || '"]') x WHERE oi <> '' GROUP BY 1;
SELECT x.value, count(*) FROM s, json_each('["' || replace(ai, ',', '","') || '"]') x WHERE ai <> '' GROUP BY 1;
SELECT x.value, count(*) FROM s, json_each('["' || replace(vi, ',', '","') || '"]') x WHERE vi <> '' GROUP BY 1;
SELECT x.value, count(*) FROM s, json_each('["' || replace(si, ',', '","') || '"]') x WHERE si <> '' GROUP BY 1;
SELECT count(*), count(e.sid) FROM s LEFT JOIN e ON e.sid = lower(s.sid);
SQL
}

# DuckDB, the second baseline, from the npm registry (optional: skipped with
# a note when npm or the registry is not there).  BENCH_DUCKDB=0 skips it.
duck=""
if [ "${BENCH_DUCKDB:-1}" != 0 ] && command -v node >/dev/null && command -v npm >/dev/null; then
    dd="$dir/duckdb"
    if [ ! -d "$dd/node_modules/@duckdb/node-api" ]; then
        mkdir -p "$dd"
        (cd "$dd" && npm install --no-audit --no-fund --silent @duckdb/node-api@1.5.6-r.1 \
            >npm.log 2>&1) || echo "bench: DuckDB baseline skipped: npm install failed (see $dd/npm.log)"
    fi
    if [ -d "$dd/node_modules/@duckdb/node-api" ]; then
        cp "$top/tests/bench/duckdb.mjs" "$dd/duckdb.mjs"
        duck="$dd/duckdb.mjs"
    fi
else
    [ "${BENCH_DUCKDB:-1}" = 0 ] || echo "bench: DuckDB baseline skipped: node/npm not installed"
fi

# "faster"/"slower" against a baseline time; "-" without one
ratio() { [ -n "$1" ] && echo "$1 $2" | awk '{r = $1 / $2; if (r >= 1) printf "%.2fx faster", r; else printf "%.2fx slower", 1 / r}' || echo "-"; }
row() { # n what wall rss_kb recs mb vs_sqlite vs_duckdb
    printf '%-8s %-8s %8.2f %11.0f %8.1f %8.0f %14s %14s\n' "$1" "$2" "$3" \
        "$(echo "$5 $3" | awk '{print $1/$2}')" "$(echo "$6 $3" | awk '{print $1/$2}')" \
        "$(echo "$4" | awk '{print $1/1024}')" "$7" "$8"
}

base_cs=""
if [ -n "${BENCH_BASE:-}" ]; then
    base_cs=$(cd "$(dirname "$BENCH_BASE")" && pwd)/$(basename "$BENCH_BASE")
    [ -x "$base_cs" ] || { echo "bench: BENCH_BASE $BENCH_BASE is not an executable"; exit 1; }
fi

# "1.23 s = 0.45x" (seconds and the ratio to typed DuckDB $dbase)
secs() { echo "$1 ${dbase:-}" | awk '{ if ($2 > 0) printf "%.2f s = %.2fx", $1, $1 / $2; else printf "%.2f s", $1 }'; }
trow() { printf '  %-34s %-18s %-18s %s\n' "$1" "$2" "$3" "$4"; }

# once OUT CMD...: one timed run of CMD, its "wall rss" appended to OUT and
# the stage times of its "timings:" note (a `report -v`), if any, to OUT.st
once() {
    out=$1
    shift
    /usr/bin/time -f "%e %M" -o "$dir/t1" "$@" >/dev/null 2>"$dir/stderr" || {
        echo "bench: failed: $*" >&2; cat "$dir/stderr" >&2; exit 1; }
    cat "$dir/t1" >> "$out"
    sed -n 's/.*timings: .*statistics \([0-9.]*\) s.*charts \([0-9.]*\) s.*/\1 \2/p' \
        "$dir/stderr" >> "$out.st"
}

# the median of column K of file F
colmed() { awk -v k="$2" '{print $k}' "$1" | sort -n | median | cut -d' ' -f1; }

# targets N MB: issue 22's table for this size, today (BENCH_BASE) and new.
# The two binaries' runs alternate (base, new; then new, base; ...), each
# figure the median of its own runs: this machine's speed drifts by a
# fifth over minutes, and three runs of one binary then three of the other
# measured the drift as much as the change.
targets() {
    tn=$1; tmb=$2
    tgt_json="<= 0.6x typed DuckDB"; tgt_rep="<= 1.5x typed DuckDB"; tgt_ing="-"; tgt_st="-"
    tgt_ch="<= 0.3 s"; tgt_rss="-"
    if [ "$tn" = 1000000 ]; then
        tgt_rep="<= 4 s, <= 1.2x typed DuckDB"; tgt_ing="<= 1.8 s (>= 400 MB/s)"
        tgt_st="<= 0.2 s"; tgt_rss="<= 256 MB"
    fi
    for which in base new; do
        for k in json rep ing; do : > "$dir/$which.$k"; : > "$dir/$which.$k.st"; done
    done
    order="base new"
    [ -n "$base_cs" ] || order="new"
    i=0
    while [ $i -lt "$reps" ]; do
        for k in json rep ing; do
            for which in $order; do
                if [ $which = base ]; then b=$base_cs; else b=$cs; fi
                case $k in
                json) once "$dir/$which.json" "$b" report -q --formats json -o out-t surveys.jsonl ;;
                rep) once "$dir/$which.rep" "$b" report -v --formats json,png,xlsx -o out-t surveys.jsonl \
                    --custom customEvents.jsonl ;;
                ing) once "$dir/$which.ing" sh -c "rm -f ingest-t.db && exec \"$b\" ingest -q --db ingest-t.db surveys.jsonl"
                    rm -f ingest-t.db ;;
                esac
            done
        done
        [ -z "$base_cs" ] || { [ "$order" = "base new" ] && order="new base" || order="base new"; }
        i=$((i + 1))
    done
    for which in base new; do
        if [ ! -s "$dir/$which.rep" ]; then
            eval "${which}_json=- ${which}_rep=- ${which}_ing=- ${which}_st=- ${which}_ch=- ${which}_rss=-"
            continue
        fi
        set -- $(median < "$dir/$which.json")
        eval "${which}_json=\"\$(secs $1)\""
        set -- $(median < "$dir/$which.rep")
        eval "${which}_rep=\"\$(secs $1)\" ${which}_wall=$1"
        eval "${which}_rss=\"\$(echo $2 | awk '{printf \"%.0f MB\", \$1 / 1024}')\""
        eval "${which}_st=\"$(colmed "$dir/$which.rep.st" 1) s\" ${which}_ch=\"$(colmed "$dir/$which.rep.st" 2) s\""
        set -- $(median < "$dir/$which.ing")
        eval "${which}_ing=\"\$(echo $1 $tmb | awk '{printf \"%.2f s (%.0f MB/s)\", \$1, \$2 / \$1}')\""
    done
    eval "today_wall_$tn=\${base_wall:-} new_wall_$tn=\${new_wall:-}"
    printf 'issue 22 targets at %s surveys (median of %s, the binaries alternating; typed DuckDB %s s):\n' "$tn" "$reps" "${dbase:--}"
    trow "" today new target
    trow "report --formats json" "$base_json" "$new_json" "$tgt_json"
    trow "report json,png,xlsx + custom" "$base_rep" "$new_rep" "$tgt_rep"
    trow "ingest --db" "$base_ing" "$new_ing" "$tgt_ing"
    trow "statistics stage" "$base_st" "$new_st" "$tgt_st"
    trow "charts stage (drawing time)" "$base_ch" "$new_ch" "$tgt_ch"
    trow "peak RSS (report)" "$base_rss" "$new_rss" "$tgt_rss"
}

printf 'bench: %s runs each, median wall time; peak RSS of the median run; %s\n' "$reps" \
    "$(nproc) cores, $(uname -m)"
printf '%-8s %-8s %8s %11s %8s %8s %14s %14s\n' surveys run wall_s records/s MB/s RSS_MB vs_sqlite3 vs_duckdb
for n in $sizes; do
    d="$dir/$n"
    if [ ! -f "$d/surveys.jsonl" ]; then
        "$cs" generate -q --surveys "$n" --seed 42 --single-file --custom-share 0.32 --events-format jsonl -o "$d"
    fi
    mb=$(du -m --apparent-size "$d/surveys.jsonl" | cut -f1)
    recs=$(wc -l < "$d/surveys.jsonl")
    cd "$d"
    base=""; dbase=""
    if [ "${BENCH_BASELINE:-1}" != 0 ]; then
        baseline_sql > baseline.sql
        set -- $(timeit sh -c "sqlite3 :memory: < baseline.sql")
        base=$1
        row "$n" sqlite3 "$1" "$2" "$recs" "$mb" "1.00" "-"
    fi
    if [ -n "$duck" ]; then
        set -- $(timeit node "$duck" "$d")
        dbase=$1
        row "$n" duckdb "$1" "$2" "$recs" "$mb" "$(ratio "$base" "$1")" "1.00"
    fi
    if [ -x "$tools/tokenize" ]; then
        set -- $(timeit "$tools/tokenize" surveys.jsonl)
        tok=$1
        row "$n" tokenize "$1" "$2" "$recs" "$mb" "-" "-"
    fi
    set -- $(timeit "$cs" ingest -q surveys.jsonl)
    row "$n" ingest "$1" "$2" "$recs" "$mb" "-" "-"
    [ -n "${tok:-}" ] && echo "$1 $tok" | awk '{printf "         ingest / bare jsmn tokenizing: %.2fx\n", $1 / $2}'
    set -- $(timeit "$cs" report -q --formats "$formats" -o out surveys.jsonl --custom customEvents.jsonl)
    row "$n" report "$1" "$2" "$recs" "$mb" "$(ratio "$base" "$1")" "$(ratio "$dbase" "$1")"
    eval "report_$n=$1"
    set -- $(timeit "$cs" report -q --formats "$formats" --data-sheet -o out surveys.jsonl --custom customEvents.jsonl)
    row "$n" +data "$1" "$2" "$recs" "$mb" "$(ratio "$base" "$1")" "$(ratio "$dbase" "$1")"
    "$cs" report -v --formats "$formats" -o out surveys.jsonl --custom customEvents.jsonl 2>&1 \
        | sed -n 's/^callsurvey: note: timings: /         stages: /p'
    targets "$n" "$mb"
    cd "$top"
done
# Custom keys (issue 15 item 17): one survey answered by N events with a key
# each (BENCH_CUSTOM_KEYS, default 200,000; 24 MB of JSON Lines).  Before
# the cap on answer columns this took 11.4 s and 2.3 GB at 20,000 events
# and did not finish at 200,000; custom.csv and report.xlsx are written.
nk=${BENCH_CUSTOM_KEYS:-200000}
ck="$dir/custom-keys-$nk"
[ "$nk" = 0 ] || {
if [ ! -f "$ck/e.jsonl" ]; then
    mkdir -p "$ck"
    echo '{"TimeGenerated":"2026-11-16T10:00:00Z","SurveyId":"s1","_ResourceId":"/S/ACS-A","OverallRatingScore":4}' \
        > "$ck/s.jsonl"
    awk -v n="$nk" 'BEGIN { for (i = 0; i < n; i++)
        printf "{\"TimeGenerated\":\"2026-11-16T%02d:%02d:%02d.%06dZ\",\"Name\":\"CallSurvey\",\"Properties\":{\"id\":\"s1\",\"k%06d\":\"v%d\"}}\n",
               int(i / 3600) % 24, int(i / 60) % 60, i % 60, i % 1000000, i, i }' > "$ck/e.jsonl"
fi
cd "$ck"
set -- $(timeit "$cs" report -q --formats json,csv,xlsx -o out s.jsonl --custom e.jsonl)
printf 'custom keys: one survey, %s events with a key each: report (json,csv,xlsx) %.2f s, peak RSS %.0f MB\n' \
    "$nk" "$1" "$(echo "$2" | awk '{print $1/1024}')"
cd "$top"
}
if [ -n "${report_100000:-}" ] && [ -n "${report_1000000:-}" ]; then
    echo "$report_1000000 $report_100000" |
        awk '{printf "growth: report at 1M takes %.1fx the time of 100k (linear would be 10x)\n", $1 / $2}'
fi
if [ -n "${new_wall_100000:-}" ] && [ -n "${new_wall_1000000:-}" ]; then
    g() { [ -n "$1" ] && echo "$1 $2" | awk '{printf "%.1fx", $1 / $2}' || echo "-"; }
    trow "" today new target
    trow "growth 100k -> 1M (json,png,xlsx)" "$(g "${today_wall_1000000:-}" "${today_wall_100000:-}")" \
        "$(g "$new_wall_1000000" "$new_wall_100000")" "<= 10x"
fi
