#!/bin/sh
# tests/bench/bench.sh BINARY: `make bench`.  Never part of `make test`.
#
# Generates 100,000 and 1,000,000 surveys once (cached in build/bench/),
# then times, median of 3 runs each, in the same run:
#   ingest   callsurvey ingest of the JSON Lines file alone
#   report   callsurvey report end to end: JSON Lines + custom events ->
#            summary.json, charts, report.xlsx without the Data sheet
#   +data    the same report with the per-survey Data sheet
#   sqlite3  the baseline: the sqlite3 shell importing the same files and
#            running the equivalent aggregate SQL (per-category counts, means
#            and poor counts per scale, tag counts, the left join)
# and prints wall time, records/s, MB/s, peak RSS, the stage times of one
# report run, and each ratio to the sqlite3 baseline.
# Environment: BENCH_SIZES (default "100000 1000000"), BENCH_REPS (3),
# BENCH_FORMATS (report formats, default json,png,xlsx), BENCH_BASELINE=0 to
# skip the (slow) sqlite3 baseline.
set -eu
cs=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
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

printf '%-8s %-8s %9s %12s %9s %10s %12s\n' surveys run wall_s records/s MB/s peak_RSS_MB vs_sqlite3
for n in $sizes; do
    d="$dir/$n"
    if [ ! -f "$d/surveys.jsonl" ]; then
        "$cs" generate -q --surveys "$n" --seed 42 --single-file --custom-share 0.32 -o "$d"
    fi
    mb=$(du -m --apparent-size "$d/surveys.jsonl" | cut -f1)
    recs=$(wc -l < "$d/surveys.jsonl")
    cd "$d"
    base=""
    if [ "${BENCH_BASELINE:-1}" != 0 ]; then
        baseline_sql > baseline.sql
        set -- $(timeit sh -c "sqlite3 :memory: < baseline.sql")
        base=$1
        printf '%-8s %-8s %9.2f %12.0f %9.1f %10.0f %12s\n' "$n" sqlite3 "$1" \
            "$(echo "$recs / $1" | awk '{print $1/$3}')" "$(echo "$mb $1" | awk '{print $1/$2}')" \
            "$(echo "$2" | awk '{print $1/1024}')" "1.00"
    fi
    ratio() { [ -n "$base" ] && echo "$base $1" | awk '{printf "%.1fx faster", $1/$2}' || echo "-"; }
    set -- $(timeit "$cs" ingest -q surveys.jsonl)
    printf '%-8s %-8s %9.2f %12.0f %9.1f %10.0f %12s\n' "$n" ingest "$1" \
        "$(echo "$recs $1" | awk '{print $1/$2}')" "$(echo "$mb $1" | awk '{print $1/$2}')" \
        "$(echo "$2" | awk '{print $1/1024}')" "-"
    set -- $(timeit "$cs" report -q --formats "$formats" -o out surveys.jsonl --custom customEvents.jsonl)
    printf '%-8s %-8s %9.2f %12.0f %9.1f %10.0f %12s\n' "$n" report "$1" \
        "$(echo "$recs $1" | awk '{print $1/$2}')" "$(echo "$mb $1" | awk '{print $1/$2}')" \
        "$(echo "$2" | awk '{print $1/1024}')" "$(ratio "$1")"
    if "$cs" report --help | grep -q -- "--data-sheet"; then
        set -- $(timeit "$cs" report -q --formats "$formats" --data-sheet -o out surveys.jsonl --custom customEvents.jsonl)
        printf '%-8s %-8s %9.2f %12.0f %9.1f %10.0f %12s\n' "$n" +data "$1" \
            "$(echo "$recs $1" | awk '{print $1/$2}')" "$(echo "$mb $1" | awk '{print $1/$2}')" \
            "$(echo "$2" | awk '{print $1/1024}')" "$(ratio "$1")"
    fi
    "$cs" report -v --formats "$formats" -o out surveys.jsonl --custom customEvents.jsonl 2>&1 \
        | sed -n 's/^callsurvey: note: timings: /         stages: /p'
    cd "$top"
done
