"""calls.py HIST.csv RAW.json FROM_HIST.json: the calls and participants of
a report from histograms are the sums of the total rows' columns, and at
least the exact distinct counts of the raw report.
calls.py --at-least A.json B.json: B's calls are at least A's."""
import csv
import json
import sys

if sys.argv[1] == "--at-least":
    a, b = (json.load(open(p))["totals"] for p in sys.argv[2:4])
    assert b["calls"] >= a["calls"] and b["surveys"] == a["surveys"], (a, b)
    sys.exit(0)
rows = [r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig"))
        if r["row_kind"] == "total" and r["custom_key"] == ""]
raw = json.load(open(sys.argv[2]))["totals"]
hist = json.load(open(sys.argv[3]))["totals"]
assert hist["calls"] == sum(int(r["calls"]) for r in rows), hist
assert hist["participants"] == sum(int(r["participants"]) for r in rows), hist
assert hist["surveys"] == sum(int(r["n"]) for r in rows) == raw["surveys"], (hist, raw)
assert raw["calls"] <= hist["calls"], (raw, hist)
