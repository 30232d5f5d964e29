#!/usr/bin/env python3
"""Independent check of the release breakdowns (issue 20) on sample-data.

Plain Python, no callsurvey code: the survey records are read, validated and
merged as in 030-sample-summary/check.py (copied below); the call summaries
(ACSCallSummary.jsonl, storage form, and ACSCallSummary.csv, portal export)
are read here, ids trimmed and lower-cased, "null" as missing; each survey
is joined to its leg by the rules of issue 20; groups are formed by the
issue's rules (SDK suffix after '_' cut, OS family and major version,
Redacted and unknown groups) and the figures computed by their definitions:
responses, poor (score <= threshold), poor rate, Wilson 95% interval, mean.

usage: check.py SAMPLE compare.json compare-top2.json summary.json rc-summary.json
                review-summary.json
(rc-summary.json: report --template release-compare, whose query step
"Poor rate by SDK version" pools every scale of the overall rating)
"""
import csv, glob, json, math, os, statistics, sys
from datetime import datetime, timezone

sample = sys.argv[1]
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
ids = {}  # id -> (call id, participant id, time) of its first valid record
order = []
for r in records:
    if not valid(r):
        continue
    sid = str(r["surveyid"]).strip().lower()
    t = parse_time(r.get("timegenerated", r.get("time")))
    s = surveys.setdefault(sid, {})
    ids.setdefault(sid, (str(r.get("callid") or "").strip().lower(),
                         str(r.get("participantid") or "").strip().lower(), t))
    for cat in CATS:
        x = rating(r, cat)
        if x is None:
            continue
        if cat not in s or t > s[cat][0]:
            s[cat] = (t, x)

import re

cmp_prev = json.load(open(sys.argv[2]))
cmp_top = json.load(open(sys.argv[3]))
summary = json.load(open(sys.argv[4]))
rc_summary = json.load(open(sys.argv[5]))
rv_summary = json.load(open(sys.argv[6]))

# ---- call summaries -------------------------------------------------------
def nul(v):
    return "" if v is None or str(v).strip().lower() in ("", "null") else str(v).strip()

legs = {}  # identity -> leg
def add_leg(r):
    call = nul(r.get("correlationid")).lower()
    if not call:
        return
    start = r.get("participantstarttime")
    start = parse_time(start) if nul(start) else -1
    key = (call, nul(r.get("participantid")).lower(), nul(r.get("endpointid")).lower(), start)
    legs[key] = {"call": call, "part": key[1], "start": start,
                 "etype": nul(r.get("endpointtype")), "ptype": nul(r.get("participanttype")),
                 "sdk": nul(r.get("sdkversion")), "os": nul(r.get("osversion"))}
for line in open(os.path.join(sample, "ACSCallSummary.jsonl"), encoding="utf-8"):
    add_leg(flat(json.loads(line)))
with open(os.path.join(sample, "ACSCallSummary.csv"), encoding="utf-8-sig", newline="") as f:
    for row in csv.DictReader(f):
        add_leg(flat(row))
by_call = {}
for l in legs.values():
    by_call.setdefault(l["call"], []).append(l)

# ---- the join: same call and participant; else, in a call whose legs name
# no participant, the one ACS VoIP leg; several: ambiguous --------------------
join = {}  # survey id -> leg or "unmatched"/"ambiguous"
for sid, (call, part, t) in ids.items():
    cands = by_call.get(call, [])
    mine = [l for l in cands if part and l["part"] == part]
    if mine:
        before = [l for l in mine if l["start"] <= t]
        join[sid] = max(before or mine, key=lambda l: l["start"])
    elif any(l["part"] for l in cands):
        join[sid] = "unmatched"
    else:
        acs = [l for l in cands if l["etype"].lower() == "voip" and l["ptype"].lower() == "acs"]
        join[sid] = acs[0] if len(acs) == 1 else ("ambiguous" if acs else "unmatched")

# ---- dimensions ------------------------------------------------------------
def sdk_group(l):
    if not isinstance(l, dict) or not l["sdk"]:
        return "unknown"
    if l["sdk"].lower() == "redacted":
        return "Redacted"
    return l["sdk"].split("_")[0]

def os_group(l):
    if not isinstance(l, dict) or not l["os"]:
        return "unknown"
    s = l["os"]
    if s.lower() == "redacted":
        return "Redacted"
    if s.startswith("Windows"):
        m = re.search(r"10\.0\.(\d+)", s)
        return "Windows 11" if m and int(m.group(1)) >= 22000 else "Windows 10"
    if s.startswith("Android"):
        return "Android " + re.search(r"(\d+)", s).group(1)
    m = re.search(r"Darwin Kernel Version (\d+)", s)
    if m:
        d = int(m.group(1))
        if "X86_64" in s:
            return "macOS %d" % (d - 9 if d >= 20 else 10)
        if "iPhone" in s or "iPad" in s:
            return "iOS %d" % (d - 6)
        return "Apple (Darwin %d)" % d
    if "Linux" in s:
        return "Linux"
    return s

SPECIAL = {"Redacted": 1, "other": 2, "unknown": 3}
def natural(g):
    return (SPECIAL.get(g, 0), [(0, int(x), "") if x.isdigit() else (1, 0, x.lower())
                                for x in re.findall(r"\d+|\D+", g)])

# ---- figures ---------------------------------------------------------------
Z = 1.959963984540054
def wilson(k, n):
    p = k / n
    c = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    h = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return max(0.0, c - h), min(1.0, c + h)

def figures(groupfn):
    """{group: {(category, lo, hi, th): [scores]}}, {group: surveys}"""
    out, count = {}, {}
    for sid, s in surveys.items():
        g = groupfn(sid)
        count[g] = count.get(g, 0) + 1
        for cat in CATS:
            if cat not in s:
                continue
            score, lo, hi, th, tags = s[cat][1]
            scale = (num(lo) if lo is not None else 1.0, num(hi) if hi is not None else 5.0,
                     num(th) if th is not None else 2.0)
            out.setdefault(g, {}).setdefault((cat.lower(),) + scale, []).append(num(score))
    return out, count

fails = 0
def close(a, b, tol):
    return a == b or (a is not None and b is not None and abs(a - b) <= tol * max(1.0, abs(b)))
def check(name, got, want, tol=1e-12):
    global fails
    ok = close(got, want, tol) if isinstance(want, float) else got == want
    if not ok:
        print("FAIL %s: callsurvey %r, independent %r" % (name, got, want))
    fails += not ok
    return ok

def check_group(where, got_cats, scores_by_scale):
    n_checked = 0
    for key, xs in scores_by_scale.items():
        cat, lo, hi, th = key
        e = [c for c in got_cats if c["category"] == cat and
             (c["scale"]["lower"], c["scale"]["upper"], c["scale"]["threshold"]) == (lo, hi, th)]
        if not check(where + " %s %g-%g/%g present" % key, len(e), 1):
            continue
        e = e[0]
        poor = sum(1 for x in xs if x <= th)
        check(where + " responses", e["responses"], len(xs))
        check(where + " poor", e["poor"], poor)
        check(where + " poor_rate", e["poor_rate"], poor / len(xs))
        lo95, hi95 = wilson(poor, len(xs))
        check(where + " poor_rate_ci95 low", e["poor_rate_ci95"][0], lo95, 1e-9)
        check(where + " poor_rate_ci95 high", e["poor_rate_ci95"][1], hi95, 1e-9)
        check(where + " mean", e["mean"], math.fsum(xs) / len(xs))
        n_checked += 1
    return n_checked

# 1. compare --by sdk-version --baseline previous: groups, order, figures, rows
sdk_of = {sid: sdk_group(join[sid]) for sid in surveys}
fig, count = figures(lambda sid: sdk_of[sid])
want_order = sorted(fig, key=natural)
got_order = [g["group"] for g in cmp_prev["groups"]]
check("compare groups in version order", got_order, want_order)
cells = 0
for g in cmp_prev["groups"]:
    check("compare %s surveys" % g["group"], g["surveys"], count.get(g["group"]))
    cells += check_group("compare " + g["group"], g["categories"], fig.get(g["group"], {}))
versions = [g for g in want_order if g not in SPECIAL]
prev = {versions[i]: versions[i - 1] for i in range(1, len(versions))}
rows = [(r["group"], r["baseline"]) for r in cmp_prev["rows"]]
check("compare rows: each version against the one before",
      sorted(set(rows)), sorted(prev.items()))
for r in cmp_prev["rows"]:
    xs = fig[r["group"]].get((r["category"], r["scale"]["lower"], r["scale"]["upper"],
                              r["scale"]["threshold"]), [])
    check("row %s n" % r["group"], r["n"], len(xs))

# 2. compare --by sdk-version --top 2: the two largest versions, the rest "other"
big = sorted(versions, key=lambda v: (-count[v], natural(v)))[:2]
pool = lambda sid: sdk_of[sid] if sdk_of[sid] in big or sdk_of[sid] in SPECIAL else "other"
fig2, count2 = figures(pool)
check("top 2 groups", [g["group"] for g in cmp_top["groups"]], sorted(fig2, key=natural))
for g in cmp_top["groups"]:
    check("top 2 %s surveys" % g["group"], g["surveys"], count2.get(g["group"]))
    cells += check_group("top 2 " + g["group"], g["categories"], fig2.get(g["group"], {}))

# 3. report --by os: summary.json breakdowns and the join audit
fig3, count3 = figures(lambda sid: os_group(join[sid]))
b = [x for x in summary["breakdowns"] if x["by"] == "os"][0]
seen = []
for row in b["rows"]:
    if row["value"] not in seen:
        seen.append(row["value"])
check("report os groups in natural order", seen, sorted(fig3, key=natural))
for v in seen:
    cats = [r for r in b["rows"] if r["value"] == v]
    check("report os %s surveys" % v, cats[0]["surveys"], count3[v])
    cells += check_group("report os " + v, cats, fig3[v])
cj = summary["call_join"]
m = sum(1 for x in join.values() if isinstance(x, dict))
u = sum(1 for x in join.values() if x == "unmatched")
a = sum(1 for x in join.values() if x == "ambiguous")
check("call_join surveys", cj["surveys"], len(surveys))
check("call_join matched", cj["matched"], m)
check("call_join unmatched", cj["unmatched"], u)
check("call_join ambiguous", cj["ambiguous"], a)
check("call_join N = M + U + A", cj["surveys"], cj["matched"] + cj["unmatched"] + cj["ambiguous"])
used = set(id(x) for x in join.values() if isinstance(x, dict))
check("call_join legs", cj["legs"], len(legs))
check("call_join legs without a survey", cj["legs_without_survey"], len(legs) - len(used))
# 4. release-compare's step: overall ratings of every scale pooled per version
step = [x for x in rc_summary["steps"] if x["title"] == "Poor rate by SDK version"][0]
want_rows = []
for g in sorted(fig, key=natural):
    xs = [(x, k[3]) for k, v in fig[g].items() if k[0] == "overall" for x in v]
    if xs:
        poor = sum(1 for x, th in xs if x <= th)
        want_rows.append([g, len(xs), poor, poor / len(xs)])
check("release-compare step rows", [r[:3] for r in step["rows"]], [r[:3] for r in want_rows])
for r, w in zip(step["rows"], want_rows):
    check("release-compare %s poor_rate" % r[0], r[3], w[3])
# 5. the review's version movers (report --by sdk-version --week 2026-W47):
# each listed version's overall 1-5/2 poor rate in W47 and in W46
W47 = datetime(2026, 11, 16, tzinfo=timezone.utc).timestamp()
W46, W48 = W47 - 7 * 86400, W47 + 7 * 86400
def side(version, lo, hi):
    xs = []
    for sid, s in surveys.items():
        if sdk_of[sid] != version or "Overall" not in s or not (lo <= ids[sid][2] < hi):
            continue
        score, slo, shi, sth, tags = s["Overall"][1]
        if (slo is None or num(slo) == 1) and (shi is None or num(shi) == 5) and \
           (sth is None or num(sth) == 2):
            xs.append(num(score))
    return len(xs), sum(1 for x in xs if x <= 2)
movers = [x for x in rv_summary["review"]["movers"].get("versions", []) if x["category"] == "overall"]
check("review lists version movers", len(movers) > 0, True)
for mv in movers:
    n, poor = side(mv["version"], W47, W48)
    pn, ppoor = side(mv["version"], W46, W47)
    check("mover %s responses" % mv["version"], mv["responses"], n)
    check("mover %s poor" % mv["version"], mv["poor"], poor)
    check("mover %s previous responses" % mv["version"], mv["previous_responses"], pn)
    check("mover %s previous poor" % mv["version"], mv["previous_poor"], ppoor)
    check("mover %s diff" % mv["version"], mv["diff"], poor / n - ppoor / pn)
print("surveys %d: matched %d, unmatched %d, ambiguous %d; %d (group, category, scale) "
      "figures checked" % (len(surveys), m, u, a, cells))
sys.exit(1 if fails else 0)
