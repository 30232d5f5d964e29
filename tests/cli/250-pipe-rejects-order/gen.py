"""Inputs for tests/cli/250-pipe-rejects-order, and what the ingest must
make of them, written down from the rules below (not from callsurvey).

surveys.jsonl, 5000 lines, line i (1-based), the first rule that applies:
  i % 5 == 0    rejected: AudioRatingScore 7; every 500th also carries a
                100 kB field (a raw text cut to 64 KiB, side buffers by bytes)
  i % 11 == 0   rejected: a malformed (cut) line
  i % 13 == 0   a duplicate: the same record as line 1
  i % 17 == 0   an update of line 2's survey: a later time, another score
  otherwise     a new survey s<i>
events.jsonl, 3000 lines, line i:
  i % 4 == 0    rejected: no "id" in the properties
  i % 9 == 0    rejected: a malformed line
  i % 10 == 0   skipped: another event name (not read)
  otherwise     a valid event for survey s<i>
"""
import json, sys

T0 = 1795000000  # 2026-11-18T...Z


def ts(i):
    import datetime
    t = datetime.datetime.fromtimestamp(T0 + i, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.0000000Z")


def survey(i, sid, score=3, **extra):
    r = {"TimeGenerated": ts(i), "SurveyId": sid, "OverallRatingScore": score,
         "AudioRatingScore": 4, "AudioIssues": "Echo"}
    r.update(extra)
    return json.dumps(r, separators=(",", ":"))


exp = {"surveys": {"read": 0, "stored": 0, "duplicates": 0, "updated": 0,
                   "conflicts": 0, "rejected": 0, "reject_lines": []},
       "events": {"read": 0, "stored": 0, "duplicates": 0, "updated": 0,
                  "conflicts": 0, "rejected": 0, "skipped": 0, "reject_lines": []}}
s = exp["surveys"]
last2 = 3
with open("surveys.jsonl", "w") as f:
    for i in range(1, 5001):
        s["read"] += 1
        if i % 5 == 0:
            extra = {"Pad": "x" * 100000} if i % 500 == 0 else {}
            line = survey(i, "s%d" % i, AudioRatingScore=7, **extra)
            s["rejected"] += 1
            s["reject_lines"].append(i)
        elif i % 11 == 0:
            line = survey(i, "s%d" % i)[:40]
            s["rejected"] += 1
            s["reject_lines"].append(i)
        elif i % 13 == 0:
            line = survey(1, "s1")
            s["duplicates"] += 1
        elif i % 17 == 0:
            last2 = 1 if last2 != 1 else 5
            line = survey(i, "s2", score=last2)
            s["updated"] += 1
        else:
            line = survey(i, "s%d" % i)
            s["stored"] += 1
        f.write(line + "\n")
e = exp["events"]
with open("events.jsonl", "w") as f:
    for i in range(1, 3001):
        props = {"id": "s%d" % i, "answer": "a%d" % i}
        name = "CallSurvey"
        if i % 4 == 0:
            del props["id"]
        elif i % 10 == 0:
            name = "PageView"
        ev = {"TimeGenerated": ts(i), "Name": name, "Properties": props,
              "Measurements": {"n": i}}
        line = json.dumps(ev, separators=(",", ":"))
        if i % 4 == 0:
            e["read"] += 1
            e["rejected"] += 1
            e["reject_lines"].append(i)
        elif i % 9 == 0:
            line = line[:30]
            e["read"] += 1
            e["rejected"] += 1
            e["reject_lines"].append(i)
        elif i % 10 == 0:
            e["skipped"] += 1
        else:
            e["read"] += 1
            e["stored"] += 1
        f.write(line + "\n")
json.dump(exp, open("expect.json", "w"))
for k in ("surveys", "events"):
    x = exp[k]
    assert x["read"] == x["stored"] + x["duplicates"] + x["updated"] + x["conflicts"] + x["rejected"]
    print("%s: read %d, stored %d, duplicates %d, updated %d, rejected %d%s"
          % (k, x["read"], x["stored"], x["duplicates"], x["updated"], x["rejected"],
             ", skipped %d" % x["skipped"] if "skipped" in x else ""))
