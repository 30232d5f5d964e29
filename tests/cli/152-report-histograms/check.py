# Recompute summary.json's figures from histograms.csv by addition alone and
# compare (counts exactly, real numbers to 1e-9): the rows must carry every
# figure of DESIGN.md 8.  Usage: python3 check.py DIR
import csv, json, math, statistics, sys
from collections import defaultdict

d = sys.argv[1]
rows = list(csv.DictReader(open(f"{d}/histograms.csv", newline="")))
s = json.load(open(f"{d}/summary.json"))
header = open(f"{d}/histograms.csv").readline().strip().split(",")
want = [l.split("\t")[0] for l in open(sys.argv[2]).read().split("\n") if l]
assert header == want, (header, want)

def close(a, b):
    return (a is None and b is None) or abs(a - b) <= 1e-9 * max(1, abs(b))

tot = [r for r in rows if r["row_kind"] == "total"]
assert sum(int(r["n"]) for r in tot) == s["totals"]["surveys"]
assert sum(int(r["n"]) for r in rows if r["row_kind"] == "reject") == s["database"]["rejected_records_kept"]
assert sum(int(r["n"]) for r in rows if r["row_kind"] == "merged") == \
    s["database"]["surveys"]["duplicates"] + s["database"]["surveys"]["updated"]
assert sum(int(r["calls"]) for r in tot) >= s["totals"]["calls"]
if len(tot) == 1:  # one period, one resource: distinct calls are exact
    assert int(tot[0]["calls"]) == s["totals"]["calls"], (tot[0]["calls"], s["totals"]["calls"])
    assert int(tot[0]["participants"]) == s["totals"]["participants"]

# one row per key, tag sets sorted (so a set listed in another order in the
# export is the same row), rows in the query's order
keys = [tuple(r[h] for h in header[:13]) for r in rows]
assert len(set(keys)) == len(keys), "a key repeats"
for r in rows:
    t = r["tags"].split(",")
    assert t == sorted(set(t)), r["tags"]
kinds = [r["row_kind"] for r in rows]
assert kinds == sorted(kinds), "rows not ordered by row_kind"

groups = defaultdict(list)  # (cat, lo, hi, th) -> [(score, tags, n)]
for r in rows:
    if r["row_kind"] == "rating":
        k = (r["category"], float(r["lower"]), float(r["upper"]), float(r["threshold"]))
        groups[k].append((float(r["score"]), r["tags"], int(r["n"])))
checked = 0
for c in s["categories"]:
    k = (c["category"], c["scale"]["lower"], c["scale"]["upper"], c["scale"]["threshold"])
    g = groups.pop(k)
    scores = [sc for sc, _, n in g for _ in range(n)]
    assert len(scores) == c["responses"], k
    assert close(statistics.fmean(scores), c["mean"]), k
    assert close(statistics.median(scores), c["median"]), k
    if len(scores) > 1:
        assert close(statistics.stdev(scores), c["stddev"]), k
    poor = sum(n for sc, _, n in g if sc <= k[3])
    assert poor == c["poor"], k
    assert sum(n for _, t, n in g if t) == c["any_issue"], k
    for dist in c["distribution"]:
        assert sum(n for sc, _, n in g if sc == dist["score"]) == dist["responses"], (k, dist)
    for i in c["issues"]:
        has = [(sc, n) for sc, t, n in g if i["issue"] in t.split(",")]
        assert sum(n for _, n in has) == i["surveys"], (k, i["issue"])
        assert sum(n for sc, n in has if sc <= k[3]) == i["poor"], (k, i["issue"])
    checked += 1
assert not groups, groups
for t in s["trend"]:
    k = (t["category"], t["scale"]["lower"], t["scale"]["upper"], t["scale"]["threshold"])
    n = sum(int(r["n"]) for r in rows if r["row_kind"] == "rating" and r["period"] == t["bucket"]
            and (r["category"], float(r["lower"]), float(r["upper"]), float(r["threshold"])) == k)
    assert n == t["responses"], (t["bucket"], k)
print(f"{len(rows)} rows; {checked} groups, {len(s['trend'])} trend points and the totals agree")
