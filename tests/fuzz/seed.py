#!/usr/bin/env python3
"""tests/fuzz/seed.py: starting inputs for the fuzz harnesses.

    python3 tests/fuzz/seed.py OUTDIR      writes OUTDIR/<harness>/seed-*

Cuts sample-data/ into small pieces (a few records each: libFuzzer mutates
small inputs far faster) and adds hand-written inputs for the shapes
sample-data/ does not hold (a pretty-printed array, a {"tables":[...]}
response, JSON events, the tutorial CSV, locale times, bad templates).
`make fuzz-seed` runs it into tests/fuzz/corpus/; `make fuzz` then keeps
only what adds coverage (-merge=1), so re-seeding is cheap and idempotent.
Deterministic: same sample-data, same seeds.
"""
import glob
import json
import os
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
MAXLEN = 2048  # the -max_len of the ingest and template harnesses (mk/fuzz.mk)


def sample(*parts):
    return os.path.join(ROOT, "sample-data", *parts)


class Out:
    def __init__(self, base, name):
        self.dir = os.path.join(base, name)
        os.makedirs(self.dir, exist_ok=True)
        self.n = 0

    def add(self, data, tag="x"):
        if isinstance(data, str):
            data = data.encode()
        data = data[:MAXLEN]
        self.n += 1
        with open(os.path.join(self.dir, "seed-%s-%03d" % (tag, self.n)), "wb") as f:
            f.write(data)


def chunks(lines, k, limit):
    for i in range(0, min(len(lines), k * limit), k):
        yield lines[i:i + k]


def seed_json(out):
    # storage-account JSON Lines blobs: the first lines of a few of them
    blobs = sorted(glob.glob(sample("insights-logs-callsurvey", "**", "*.json"),
                             recursive=True))
    for path in blobs[:40:8]:
        with open(path, "rb") as f:
            out.add(b"".join(f.readlines()[:2]), "blob")
    # the hand-written bad records, three lines at a time
    with open(sample("bad", "bad-records.jsonl"), "rb") as f:
        for part in chunks(f.readlines(), 3, 6):
            out.add(b"".join(part), "bad")
    # Event Hubs {"records":[...]}: three records per body, one line and pretty
    with open(sample("eventhub-records.json")) as f:
        body = json.loads(f.readline())
    recs = body["records"]
    out.add(json.dumps({"records": recs[:3]}, separators=(",", ":")), "eh")
    out.add(json.dumps({"records": recs[3:5]}, indent=2), "eh")
    flat = recs[1]
    # a pretty-printed top-level array (streamed), and a truncated one
    arr = json.dumps(recs[:2], indent=1)
    out.add(arr, "array")
    out.add(arr[: len(arr) * 2 // 3], "array-cut")
    out.add("[" + json.dumps(flat) + ",\n 42, \"x\", null]\n", "array-mixed")
    # a Log Analytics REST response: columns + rows
    cols = list(flat.keys())
    out.add(json.dumps({"tables": [{"name": "PrimaryResult",
                                    "columns": [{"name": c, "type": "string"} for c in cols],
                                    "rows": [[flat[c] for c in cols],
                                             [recs[2].get(c) for c in cols],
                                             [flat[c] for c in cols[:3]]]}]},
                       indent=1), "tables")
    # several values on one line, a BOM, a records wrapper with other keys
    out.add("\ufeff" + json.dumps(flat) + " " + json.dumps(flat) + "\n", "two")
    out.add('{\n "records" : [\n' + json.dumps(flat) + '\n ],\n "other": {"a":[1,2]}\n}\n', "wrapper")
    # screen-share aliases, a JSON array of issues, escapes, numbers as text
    out.add(json.dumps({"TimeGenerated": "2026-11-16 08:00:00+01:00", "SurveyId": "S\u00e9-1",
                        "ScreenshareRatingScore": "7", "ScreenshareLowerBound": 0,
                        "ScreenshareUpperBound": 10, "ScreenshareRatingThreshold": 5,
                        "ScreenshareIssues": '["CannotPresent","Freezes"]',
                        "OverallRatingScore": 2.5e0, "OverallCallIssues": "CannotJoin,\\u0041"}) + "\n",
            "alias")


def seed_csv(out):
    with open(sample("logs-export.csv"), "rb") as f:
        lines = f.readlines()
    head = lines[0]
    for part in chunks(lines[1:], 3, 5):
        out.add(head + b"".join(part), "portal")
    # the same rows with the header in another order and without [UTC]
    cells = head.decode("utf-8-sig").rstrip("\r\n").split(",")
    short = [c.replace('"', "").replace(" [UTC]", "") for c in cells]
    out.add(",".join(short[1:9]) + "\n" + "\n".join(
        ",".join(l.decode().split(",")[1:9]) for l in lines[1:4]) + "\n", "narrow")
    # day-first and dotted locale dates, CRLF, a quoted newline, a short row
    out.add("TimeGenerated,SurveyId,OverallRatingScore,OverallCallIssues\r\n"
            "16/11/2026 08:00:00,a1,4,\r\n"
            "16.11.2026 08:00:00,a2,2,\"HadToRejoin,\nCannotJoin\"\r\n"
            "2026-11-16T08:00:00Z,a3\r\n", "locale")
    out.add("\"TimeGenerated [UTC]\",SurveyId,AudioRatingScore,AudioRatingScoreLowerBound,"
            "AudioRatingScoreUpperBound,AudioRatingScoreThreshold,AudioIssues\n"
            "\"11/16/2026, 12:00:00.000 PM\",b1,12,0,10,5,\"Echo,Freezes,Foo\"\n"
            "\"11/16/2026, 12:00:00 AM\",b2,abc,,,,\n", "scale")


def seed_events(out):
    with open(sample("customEvents.csv"), "rb") as f:
        lines = f.readlines()
    for part in chunks(lines[1:], 2, 4):
        out.add(lines[0] + b"".join(part), "portal")
    dims = {"id": "75B1E4CB-253C-494F-B3EC-766C383B2970", "rating_reason": "echo"}
    meas = {"timeToSubmitMs": 27486}
    # JSON: a bag as an object and as a string, another event name, no id
    ev = {"timestamp": "2026-10-26T01:45:47.394Z", "name": "CallSurvey",
          "customDimensions": dims, "customMeasurements": meas}
    out.add(json.dumps(ev) + "\n" +
            json.dumps(dict(ev, customDimensions=json.dumps(dims))) + "\n" +
            json.dumps(dict(ev, name="PageView")) + "\n" +
            json.dumps(dict(ev, customDimensions={"x": 1})) + "\n", "jsonl")
    # AppEvents (Log Analytics): Name + Properties
    out.add(json.dumps([{"TimeGenerated": "2026-10-26T01:45:47Z", "Name": "CallSurvey",
                         "Properties": dims, "Measurements": meas}], indent=1), "appevents")
    # a REST response of customEvents
    out.add(json.dumps({"tables": [{"name": "PrimaryResult",
                                    "columns": [{"name": "timestamp"}, {"name": "name"},
                                                {"name": "customDimensions"},
                                                {"name": "customMeasurements"}],
                                    "rows": [["10/26/2026, 1:45:47.394 AM", "CallSurvey",
                                              json.dumps(dims), json.dumps(meas)],
                                             ["2026-10-26", "CallSurvey", "{}", None]]}]}),
            "tables")
    # the tutorial's query: SurveyId plus one column per answer
    out.add("SurveyId,ImprovementSuggestion,rating_reason\n"
            "75b1e4cb-253c-494f-b3ec-766c383b2970,\"Clear audio, video \"\"ok\"\"\",echo\n"
            ",missing id,\n", "tutorial")
    out.add("timestamp,name,customDimensions\n"
            "2026-10-26T01:45:47Z,CallSurvey,\"{\"\"surveyId\"\":\"\" a1 \"\"}\"\n"
            "2026-10-26T01:45:47Z,CallSurvey,not json\n", "short")


def seed_time(out):
    for t in ["2026-11-16", "2026-11-16T08:00", "2026-11-16T08:00:00Z",
              "2026-11-16T08:00:00.1234567Z", "2026-11-16 08:00:00+01:00",
              "2026-11-16t08:00:00-0930", "2024-02-29T23:59:59.999999z",
              "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
              "10/26/2026, 1:15:54.092 AM", "26/10/2026 13:15", "26.10.2026 13:15:54",
              "1/2/2026, 12:00:00 PM", "  2026-11-16  ", "2026-W47", "2020-W53",
              "2021-W53", "2026-02-30", "2026-13-01T25:00Z"]:
        out.add(t, "t")


def seed_template(out):
    for path in sorted(glob.glob(os.path.join(ROOT, "templates", "**", "*.yaml"),
                                 recursive=True) +
                       glob.glob(os.path.join(ROOT, "tests", "templates", "*.yaml"))):
        with open(path, "rb") as f:
            out.add(f.read(), "tpl")
    out.add("title: a\nsteps:\n  - &s {title: x, section: summary}\n  - *s\n", "alias")
    out.add("title: t\nparameters:\n  - {name: n, type: number, default: \"5 \"}\n"
            "  - {name: at, type: time, default: 2026-11-16}\n"
            "steps:\n  - title: q\n    query: SELECT :n AS a, :at AS b, :at_us AS c\n"
            "    render: column\n    x: a\n    y: b\n", "params")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: seed.py OUTDIR")
    base = sys.argv[1]
    for name, fn in [("json", seed_json), ("csv", seed_csv), ("events", seed_events),
                     ("time", seed_time), ("template", seed_template)]:
        out = Out(base, name)
        fn(out)
        print("seed: %s: %d inputs in %s" % (name, out.n, out.dir))


if __name__ == "__main__":
    main()
