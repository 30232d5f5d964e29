#!/bin/sh
# Regenerates sample-data/ from `callsurvey generate` (deterministic: the
# same binary version gives the same bytes).  The hand-written bad/ is kept.
#   sh tests/tools/make-sample.sh [path/to/callsurvey]
set -eu
cs=${1:-build/callsurvey}
here=$(cd "$(dirname "$0")/../../sample-data" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# 1,300 surveys as a storage-account tree (JSON Lines, hourly PT1H.json blobs)
# with custom-question answers for about 30% of them
# and their call summaries (ACSCallSummary legs: SDK versions, OS, end reasons)
"$cs" generate -q --surveys 1300 --seed 1 --format jsonl --calls-format jsonl -o "$tmp/tree"
# 500 surveys as Event Hubs {"records":[...]} bodies, 500 as a portal CSV export
# (their call summaries: JSON Lines and a portal CSV)
"$cs" generate -q --surveys 500 --seed 2 --format records --custom-share 0 --calls-format jsonl -o "$tmp/eh"
"$cs" generate -q --surveys 500 --seed 3 --format csv --custom-share 0 --calls-format csv -o "$tmp/csv"
rm -rf "$here/insights-logs-callsurvey" "$here/eventhub-records.json" \
       "$here/logs-export.csv" "$here/customEvents.csv" \
       "$here/ACSCallSummary.jsonl" "$here/ACSCallSummary.csv"
cat "$tmp/tree/ACSCallSummary.jsonl" "$tmp/eh/ACSCallSummary.jsonl" > "$here/ACSCallSummary.jsonl"
mv "$tmp/csv/ACSCallSummary.csv" "$here/ACSCallSummary.csv"
mv "$tmp/tree/insights-logs-callsurvey" "$here/"
mv "$tmp/tree/customEvents.csv" "$here/customEvents.csv"
mv "$tmp/eh/eventhub-records.json" "$here/eventhub-records.json"
mv "$tmp/csv/surveys.csv" "$here/logs-export.csv"
echo "sample-data regenerated"
