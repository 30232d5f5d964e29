#!/bin/sh
# tests/tools/db-concurrent.sh ROUNDS: three ingests and two reports at once
# on one --db, ROUNDS times, in the current directory (see
# tests/cli/112-db-concurrent/cmd; mk/faults.mk runs a longer variant).
# Needs $CS (the binary), snap.yaml beside it, sqlite3 and python3.
set -e
rounds=${1:-20}
$CS generate -q --surveys 600 --custom-share 0 --invalid-share 0 --single-file -o g
# three overlapping inputs (overlaps are exact repeats) and a seed that
# creates the database before the concurrent runs
sed -n '1,250p' g/surveys.jsonl >a.jsonl
sed -n '200,450p' g/surveys.jsonl >b.jsonl
sed -n '400,$p' g/surveys.jsonl >c.jsonl
sed -n '1,50p' g/surveys.jsonl >seed.jsonl
want=$(cat a.jsonl b.jsonl c.jsonl | grep -o '"SurveyId": *"[^"]*"' | sort -u | wc -l)
dump="SELECT survey_id, time, resource_id, call_id, participant_id, overall_score, audio_score,
        video_score, screenshare_score, overall_issues, audio_issues, video_issues,
        screenshare_issues FROM surveys ORDER BY survey_id;
      SELECT survey_id, category, score, threshold, is_poor FROM ratings ORDER BY 1, 2;
      SELECT survey_id, category, issue, known FROM rating_issues ORDER BY 1, 2, 3;"
$CS ingest -q --db seq.db seed.jsonl
for f in a b c; do $CS ingest -q --db seq.db $f.jsonl; done
sqlite3 seq.db "$dump" >seq.txt
bad=0
for round in $(seq 1 "$rounds"); do
    rm -f r.db r.db-wal r.db-shm
    $CS ingest -q --db r.db seed.jsonl
    $CS ingest -q --db r.db a.jsonl 2>err.a & pa=$!
    $CS report -q --db r.db --template snap.yaml -o o1-$round --formats json 2>err.r1 & pr1=$!
    $CS ingest -q --db r.db b.jsonl 2>err.b & pb=$!
    $CS report -q --db r.db --template snap.yaml -o o2-$round --formats json 2>err.r2 & pr2=$!
    $CS ingest -q --db r.db c.jsonl 2>err.c & pc=$!
    for p in $pa $pr1 $pb $pr2 $pc; do
        if ! wait $p; then bad=$((bad + 1)); echo "round $round: a run failed:"; cat err.*; fi
    done
    ok=$(sqlite3 r.db "PRAGMA integrity_check")
    n=$(sqlite3 r.db "SELECT count(*) || ' ' || count(DISTINCT survey_id) FROM survey_data")
    [ "$ok" = ok ] || { bad=$((bad + 1)); echo "round $round: integrity $ok"; }
    [ "$n" = "$want $want" ] || { bad=$((bad + 1)); echo "round $round: $n surveys, want $want"; }
    sqlite3 r.db "$dump" >r.txt
    cmp -s seq.txt r.txt || { bad=$((bad + 1)); echo "round $round: contents differ from the sequential run"; }
done
echo "$rounds rounds, $want surveys, $bad failures"
python3 -c '
import glob, json
seen = set()
for p in sorted(glob.glob("o*/summary.json")):
    d = json.load(open(p))
    step = [s for s in d["steps"] if s["title"] == "Surveys"][0]
    seen.add(d["totals"]["surveys"])
    if step["rows"][0][0] != d["totals"]["surveys"]:
        print(p, "summary", d["totals"]["surveys"], "step", step["rows"][0][0])
print(len(glob.glob("o*/summary.json")), "reports, each one snapshot")
'

