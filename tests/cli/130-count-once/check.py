"""Independent checks of the counts (tests/cli/130-count-once/cmd)."""
import csv, json, re, sys
from datetime import datetime

def line_counts(text, label):
    m = re.search(r"^%s: read (\d+), stored (\d+), duplicates (\d+), updated (\d+), "
                  r"conflicts (\d+), rejected (\d+)" % re.escape(label), text, re.M)
    assert m, (label, text)
    return dict(zip(["read", "stored", "duplicates", "updated", "conflicts", "rejected"],
                    map(int, m.groups())))

if sys.argv[1] == "--db":
    second = open(sys.argv[2]).read()
    s = json.load(open(sys.argv[3] + "/summary.json"))
    ts, te = line_counts(second, "total"), line_counts(second, "total custom events")
    run, db = s["run"], s["database"]
    assert run["surveys"]["inputs"] == 0 and run["surveys"]["read"] == 0, run
    assert run["events"]["read"] == 0, run
    # two ingests of the same files: the second stored nothing
    assert ts["stored"] == 0 and te["stored"] == 0, (ts, te)
    for k in ("read", "rejected"):
        assert db["surveys"][k] == 2 * ts[k], (k, db["surveys"][k], ts[k])
        assert db["events"][k] == 2 * te[k], (k, db["events"][k], te[k])
    assert db["surveys"]["stored"] == s["totals"]["surveys"]
    assert db["events"]["stored"] == te["read"] - te["rejected"]
    assert db["surveys"]["duplicates"] >= ts["duplicates"] > db["surveys"]["duplicates"] / 2
    assert db["events"]["duplicates"] == te["duplicates"] == te["read"] - te["rejected"]
    for part in (db["surveys"], db["events"]):
        assert part["read"] == part["stored"] + part["duplicates"] + part["updated"] \
            + part["conflicts"] + part["rejected"], part
    assert "duplicates" not in s["totals"]
    print("report --db: run empty; database: surveys and events apart, both ingests")
    sys.exit(0)

gen, rep, out, events_csv = sys.argv[1:5]
m = re.search(r"and (\d+) custom events", open(gen).read())
n_events = int(m.group(1))
text = open(rep).read()
ev = line_counts(text, "total custom events")
assert ev["read"] == 2 * n_events, (ev, n_events)
assert ev["stored"] == n_events and ev["duplicates"] == n_events, (ev, n_events)
print("events in two forms:", "read 2 x N, stored N, duplicates N")
s = json.load(open(out + "/summary.json"))
sv = line_counts(text, "total")
for k, v in sv.items():
    assert s["run"]["surveys"][k] == v == s["database"]["surveys"][k], (k, v, s["run"])
for k, v in ev.items():
    assert s["run"]["events"][k] == v == s["database"]["events"][k], (k, v)
assert s["custom"]["events"] == n_events, s["custom"]
print("summary.json: run and database accounting, surveys and events apart")

# the latest answer per key of each survey, from the portal CSV
latest = {}
with open(events_csv, encoding="utf-8-sig", newline="") as f:
    for i, row in enumerate(csv.DictReader(f)):
        if row["name"] != "CallSurvey":
            continue
        t = datetime.strptime(row["timestamp [UTC]"], "%m/%d/%Y, %I:%M:%S.%f %p")
        dims = json.loads(row["customDimensions"])
        sid = dims.pop("id").strip().lower()
        for k, v in dims.items():
            cur = latest.setdefault(sid, {}).get(k)
            if cur is None or (t, i) >= cur[0]:
                latest[sid][k] = ((t, i), v)
rows = list(csv.DictReader(open(out + "/tables/custom.csv", encoding="utf-8", newline="")))
answered = [r for r in rows if r["event_survey_id"] and r["survey_id"]]
ids = [r["survey_id"] for r in answered]
assert len(ids) == len(set(ids)), "a survey listed twice"
assert len(rows) == s["totals"]["surveys"], (len(rows), s["totals"]["surveys"])
multi = 0
for r in answered:
    want = latest[r["survey_id"]]
    multi += len(want) > 1
    for k, (_, v) in want.items():
        got = r[k].lstrip("'")
        assert got == v, (r["survey_id"], k, got, v)
assert len(answered) == s["custom"]["matched_surveys"]
print("custom.csv: %d answered surveys, each once, with the latest answer per key"
      % len(answered))
