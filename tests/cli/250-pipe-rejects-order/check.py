"""Checks of tests/cli/250-pipe-rejects-order against gen.py's expect.json."""
import json, re, sqlite3, sys

exp = json.load(open("expect.json"))
rej = [json.loads(l) for l in open("rejects.jsonl")]
want = [("surveys.jsonl", n) for n in exp["surveys"]["reject_lines"]] + \
       [("events.jsonl", n) for n in exp["events"]["reject_lines"]]
got = [(r["source"], r["line"]) for r in rej]
assert got == want, "rejects file: not in input order or other lines"
db = sqlite3.connect("s.db")
rows = db.execute("SELECT source, line, reason, raw FROM rejects ORDER BY rowid").fetchall()
assert [(s, l) for s, l, _, _ in rows] == want, "rejects table: not in input order"
long_raw = 0
for (s, l, reason, raw), r in zip(rows, rej):
    assert reason == r["reason"], (s, l, reason, r["reason"])
    if len(raw) == 64 << 10:
        long_raw += 1
assert long_raw == 10, long_raw
n_ev = db.execute("SELECT count(*) FROM custom_events").fetchone()[0]
assert n_ev == exp["events"]["stored"], n_ev
lines = [l for (l,) in db.execute("SELECT line FROM custom_events ORDER BY rowid")]
assert lines == sorted(lines) and len(set(lines)) == len(lines), "events not in input order"
print("%d rejects in input order (file and table), %d raw texts cut to 64 KiB, "
      "%d events stored in input order" % (len(rows), long_raw, n_ev))
# the accounting lines against the counts gen.py worked out
text = open(sys.argv[1]).read()
for k, label in (("surveys", "surveys.jsonl"), ("events", "events.jsonl (custom events)")):
    m = re.search(r"^  %s: read (\d+), stored (\d+), duplicates (\d+), updated (\d+), "
                  r"conflicts (\d+), rejected (\d+)" % re.escape(label), text, re.M)
    assert m, (label, text)
    names = ["read", "stored", "duplicates", "updated", "conflicts", "rejected"]
    got = dict(zip(names, map(int, m.groups())))
    assert got == {n: exp[k][n] for n in names}, (k, got, exp[k])
    print("%s: the accounting gen.py expects" % label)
