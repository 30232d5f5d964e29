"""dims.py histograms.csv summary.json: for every breakdown of summary.json,
sum the table's rating rows of its dimension column per (group, category,
scale) and compare responses and poor (score <= threshold) with the rows."""
import collections
import csv
import json
import sys

rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")))
doc = json.load(open(sys.argv[2]))
for b in doc["breakdowns"]:
    col = b["by"].replace("-", "_")
    resp, poor = collections.Counter(), collections.Counter()
    for r in rows:
        if r["row_kind"] != "rating":
            continue
        k = (r[col], r["category"], float(r["lower"]), float(r["upper"]), float(r["threshold"]))
        resp[k] += int(r["n"])
        poor[k] += int(r["n"]) if float(r["score"]) <= float(r["threshold"]) else 0
    seen = set()
    for g in b["rows"]:
        s = g["scale"]
        k = (g["value"], g["category"], float(s["lower"]), float(s["upper"]), float(s["threshold"]))
        assert (g["responses"], g["poor"]) == (resp[k], poor[k]), (k, g["responses"], g["poor"], resp[k], poor[k])
        seen.add(k)
    assert seen == set(resp), set(resp) ^ seen
    groups = sorted({k[0] for k in resp})
    print(f"{b['by']}: {len(b['rows'])} rows checked, groups {', '.join(groups)}")
