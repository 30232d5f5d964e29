#!/usr/bin/env python3
"""Independent check of summary.json against sample-data, in plain Python.

It reads the raw exports itself (json, csv; no callsurvey code), applies the
web SDK's validation rules of FORMATS.md section 4 as written there, merges
records with the same SurveyId category by category (the later
TimeGenerated wins, ties keep the first), and computes a few figures by the
definitions of DESIGN.md section 8.  They must equal summary.json's to 1e-12.
"""
import csv, glob, json, math, os, statistics, sys
from datetime import datetime, timezone

sample, summary = sys.argv[1], json.load(open(sys.argv[2]))
CATS = ["Overall", "Audio", "Video", "Screenshare"]
TAGS = {
    "Overall": "CallCannotJoin CallCannotInvite HadToRejoin CallEndedUnexpectedly OtherIssues".split(),
    "Audio": "NoLocalAudio NoRemoteAudio Echo AudioNoise LowVolume AudioStoppedUnexpectedly DistortedSpeech AudioInterruption OtherIssues".split(),
    "Video": "NoVideoReceived NoVideoSent LowQuality Freezes StoppedUnexpectedly DarkVideoReceived AudioVideoOutOfSync OtherIssues".split(),
    "Screenshare": "NoContentLocal NoContentRemote CannotPresent LowQuality Freezes StoppedUnexpectedly LargeDelay OtherIssues".split(),
}
ALIAS = {"CannotJoin": "CallCannotJoin", "CannotInvite": "CallCannotInvite"}
ALL_TAGS = set(t for v in TAGS.values() for t in v) | set(ALIAS)

def flat(rec):
    out = {}
    for k, v in rec.items():
        if k.lower() == "properties" and isinstance(v, dict):
            for k2, v2 in v.items():
                out[k2.lower()] = v2
        else:
            out[k.lower().replace(" [utc]", "")] = v
    return out

def missing(v):
    return v is None or (isinstance(v, str) and v.strip() in ("", "null"))

def num(v):
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(v)
    except (TypeError, ValueError):
        return None

def parse_time(s):
    s = s.strip()
    for f in ("%m/%d/%Y, %I:%M:%S.%f %p", "%m/%d/%Y, %I:%M:%S %p"):
        try:
            return datetime.strptime(s, f).replace(tzinfo=timezone.utc).timestamp()
        except ValueError:
            pass
    if s.endswith("Z"):
        s = s[:-1]
    if "." in s:  # up to 7 fractional digits
        a, b = s.split(".")
        s = a + "." + b[:6]
    return datetime.fromisoformat(s).replace(tzinfo=timezone.utc).timestamp()

def rating(r, cat):
    """(score, lo, hi, th, tags) or None when the category is not rated."""
    keys = {"score": cat.lower() + "ratingscore", "lo": cat.lower() + "ratingscorelowerbound",
            "hi": cat.lower() + "ratingscoreupperbound", "th": cat.lower() + "ratingscorethreshold",
            "tags": "overallcallissues" if cat == "Overall" else cat.lower() + "issues"}
    if cat == "Screenshare":
        for a, b in (("lo", "screensharelowerbound"), ("hi", "screenshareupperbound"),
                     ("th", "screensharetreshold")):
            if keys[a] not in r and b in r:
                keys[a] = b
    g = {k: (None if missing(r.get(v)) else r.get(v)) for k, v in keys.items()}
    tags = []
    if g["tags"]:
        for t in str(g["tags"]).split(","):
            t = ALIAS.get(t.strip(), t.strip())
            if t and t not in tags:
                tags.append(t)
    if g["score"] is None:
        return None if not tags else ("missing", None, None, None, tags)
    return (g["score"], g["lo"], g["hi"], g["th"], tags)

def valid(r):
    if missing(r.get("surveyid")):
        return False
    t = r.get("timegenerated", r.get("time"))
    try:
        parse_time(t)
    except (TypeError, ValueError, AttributeError):
        return False
    any_rating, range_ok, msgs = False, True, 0
    for cat in CATS:
        x = rating(r, cat)
        if x is None:
            continue
        any_rating = True
        s, lo, hi, th, tags = x
        sc = num(s) if s != "missing" else float("nan")
        if s != "missing" and sc is None:
            msgs += 1  # type step
            continue
        if lo is None and hi is None and th is None:
            if not (1 <= sc <= 5):
                range_ok = False
            continue
        lo, hi, th = (num(v) if v is not None else float("nan") for v in (lo, hi, th))
        if not (lo <= sc <= hi) or not (lo <= th <= hi) or not (lo >= 0 and hi <= 100):
            range_ok = False
        if any(t in ALL_TAGS and t not in TAGS[cat] for t in tags):
            msgs += 1
    for cat in CATS:  # wrong-category tags on default scales too
        x = rating(r, cat)
        if x and x[1] is None and x[2] is None and any(t in ALL_TAGS and t not in TAGS[cat] for t in x[4]):
            msgs += 1
    return any_rating and range_ok and msgs == 0

records = []
for p in sorted(glob.glob(os.path.join(sample, "insights-logs-callsurvey", "**", "*.json"), recursive=True)) + \
         [os.path.join(sample, "bad", "bad-records.jsonl")]:
    for line in open(p, encoding="utf-8"):
        try:
            records.append(flat(json.loads(line)))
        except json.JSONDecodeError:
            pass  # malformed lines are rejected
for line in open(os.path.join(sample, "eventhub-records.json"), encoding="utf-8"):
    for rec in json.loads(line)["records"]:
        records.append(flat(rec))
with open(os.path.join(sample, "logs-export.csv"), encoding="utf-8-sig", newline="") as f:
    for row in csv.DictReader(f):
        records.append(flat(row))

surveys = {}  # id -> {cat: (time, rating)}
order = []
for r in records:
    if not valid(r):
        continue
    sid = str(r["surveyid"]).strip().lower()
    t = parse_time(r.get("timegenerated", r.get("time")))
    s = surveys.setdefault(sid, {})
    for cat in CATS:
        x = rating(r, cat)
        if x is None:
            continue
        if cat not in s or t > s[cat][0]:
            s[cat] = (t, x)

def group(cat, default=True):
    out = []
    for s in surveys.values():
        if cat in s:
            score, lo, hi, th, tags = s[cat][1]
            if (lo is None) == default:
                out.append((num(score), tags))
    return out

def entry(cat, lo, hi, th):
    for c in summary["categories"]:
        if c["category"] == cat.lower() and c["scale"] == {"lower": lo, "upper": hi, "threshold": th}:
            return c
    sys.exit("no entry for %s %s-%s/%s" % (cat, lo, hi, th))

def close(a, b):
    return a == b or abs(a - b) <= 1e-12 * max(1.0, abs(b))

fails = 0
def check(name, got, want):
    global fails
    ok = close(got, want) if isinstance(want, float) else got == want
    print(("ok   " if ok else "FAIL ") + "%s: summary.json %r, independent %r" % (name, got, want))
    fails += not ok

# Default-scale ratings (no bounds in the record) all sit on 1-5/2; records
# that carry explicit 1/5/2 bounds are the same scale, so add them.
for cat in ("Overall", "Audio"):
    xs = [v for v in group(cat, True)]
    xs += [(num(s[cat][1][0]), s[cat][1][4]) for s in surveys.values()
           if cat in s and s[cat][1][1] is not None and num(s[cat][1][1]) == 1
           and num(s[cat][1][2]) == 5 and num(s[cat][1][3]) == 2]
    e = entry(cat, 1, 5, 2)
    scores = [x for x, _ in xs]
    check(cat + " 1-5 responses", e["responses"], len(scores))
    check(cat + " 1-5 mean", e["mean"], math.fsum(scores) / len(scores))
    check(cat + " 1-5 median", e["median"], float(statistics.median(scores)))
    check(cat + " 1-5 stddev", e["stddev"], statistics.stdev(scores))
    check(cat + " 1-5 poor", e["poor"], sum(1 for x in scores if x <= 2))
    tag = "HadToRejoin" if cat == "Overall" else "Echo"
    want = sum(1 for _, tags in xs if tag in tags)
    got = [i for i in e["issues"] if i["issue"] == tag][0]["surveys"]
    check(cat + " 1-5 " + tag + " surveys", got, want)
check("total surveys", summary["totals"]["surveys"], len(surveys))

# The custom-answer join audit, from customEvents.csv: CallSurvey rows only
# (other names are skipped), ids trimmed and lower-cased, a row whose
# customDimensions is not JSON or has no id does not count.
events = []
with open(os.path.join(sample, "customEvents.csv"), encoding="utf-8-sig", newline="") as f:
    for row in csv.DictReader(f):
        if row["name"] != "CallSurvey":
            continue
        try:
            dims = json.loads(row["customDimensions"])
        except json.JSONDecodeError:
            continue
        sid = str(dims.get("id", "")).strip().lower()
        if sid:
            events.append(sid)
cust = summary["custom"]
check("custom events", cust["events"], len(events))
check("custom matched surveys", cust["matched_surveys"], len(set(events) & set(surveys)))
check("custom surveys without answers", cust["surveys_without_answers"],
      len(set(surveys) - set(events)))
check("custom orphan events", cust["orphan_events"], sum(1 for e in events if e not in surveys))
check("custom duplicate events", cust["duplicate_events"], len(events) - len(set(events)))
sys.exit(1 if fails else 0)
