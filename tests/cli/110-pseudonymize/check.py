#!/usr/bin/env python3
"""Privacy mode end to end (issue 10.5): no raw id or free-text answer of the
inputs appears anywhere in the outputs of a --pseudonymize run (every file
under the output directories, the members of each .xlsx unzipped, the
--rejects file, stdout and stderr), and the pseudonyms equal an independent
computation: HMAC-SHA-256 keyed with the key file's bytes over the trimmed,
lower-cased id, first 32 hex digits.

usage: check.py KEYFILE RAWDIR PRIVATE_OUTPUT...  (RAWDIR: the same report
without --pseudonymize, for the ids as stored and the row order)"""
import csv, glob, hashlib, hmac, io, json, os, re, sys, zipfile

import openpyxl

key = open(sys.argv[1], "rb").read()
raw_dir, outs = sys.argv[2], sys.argv[3:]
sample = os.environ["SAMPLE"]


def pseudo(s):
    if s is None or s.strip() == "":
        return s
    return hmac.new(key, s.strip().lower().encode(), hashlib.sha256).hexdigest()[:32]


GUID = re.compile(rb"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

# ---- what must not appear ---------------------------------------------------
# every GUID of the inputs but the subscription ids inside resource ids (a
# resource id is not a person's id), and GUIDs of the ids as stored
inputs = [p for p in glob.glob(sample + "/**/*", recursive=True) if os.path.isfile(p)]
inputs += [p for p in glob.glob("in/*") if os.path.isfile(p)]
raw_ids, resource_guids = set(), set()
for p in inputs:
    b = open(p, "rb").read()
    for m in re.finditer(rb"/subscriptions/(" + GUID.pattern + rb")", b, re.I):
        resource_guids.add(m.group(1).lower().decode())
    raw_ids.update(g.lower().decode() for g in GUID.findall(b))
# the customEvents bags hold other GUIDs (appId, iKey, itemId, operation ids):
# not survey data, never stored; only ids the store keeps matter, below
raw_ids -= resource_guids

wb = openpyxl.load_workbook(raw_dir + "/report.xlsx", read_only=True)
stored = {"survey": [], "call": [], "participant": [], "correlation": []}
data_rows = []
for name in wb.sheetnames:
    if name == "Data" or name.startswith("Data ("):
        rows = wb[name].iter_rows(values_only=True)
        hdr = next(rows)
        ci = {h: i for i, h in enumerate(hdr)}
        for r in rows:
            data_rows.append(tuple(r[ci[h]] for h in ("Survey id", "Call id", "Participant id",
                                                      "Correlation id")))
ids = set()
for row in data_rows:
    for v in row:
        if v:
            ids.add(v.lower().strip())
custom_raw = list(csv.DictReader(open(raw_dir + "/tables/custom.csv", newline="", encoding="utf-8")))
for r in custom_raw:
    for k in ("survey_id", "event_survey_id", "call_id", "participant_id"):
        if r.get(k):
            ids.add(r[k].lower().strip())
# the ids of this case's own inputs, whatever their shape (orphan events
# and rejected records are in no table of the raw run)
for p in glob.glob("in/*.jsonl"):
    for line in open(p, encoding="utf-8"):
        o = json.loads(line)
        o.update(o.get("customDimensions") or {})
        for k in ("SurveyId", "CallId", "ParticipantId", "CorrelationId", "id"):
            if o.get(k):
                ids.add(o[k].strip().lower())
# free text: the answers the raw run shows that are text, not numbers
NUM = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")
texts = set()
keys = [k for k in custom_raw[0] if k not in ("survey_id", "time", "resource", "call_id",
                                              "participant_id", "overall_score", "audio_score",
                                              "video_score", "screenshare_score",
                                              "event_survey_id", "event_time")]
for r in custom_raw:
    for k in keys:
        v = (r[k] or "").lstrip("'")
        if v and not NUM.match(v) and v.lower() not in ("true", "false") and len(v) >= 6:
            texts.add(v)
# the app's version (application_Version, issue 20's app-version dimension)
# is release metadata the report shows by design, also when the app sends it
# as an answer too (sample-data's appVersion): not free text
for p in glob.glob(sample + "/**/customEvents.csv", recursive=True):
    for r in csv.DictReader(open(p, newline="", encoding="utf-8-sig")):
        texts.discard(r.get("application_Version") or "")
if os.path.exists("texts.txt"):  # more free text the case's inputs hold
    texts.update(l.rstrip("\n") for l in open("texts.txt", encoding="utf-8") if l.strip())
needles_ids = {i for i in ids | raw_ids if len(i) >= 6}
print(f"looking for {len(needles_ids)} raw ids and {len(texts)} free-text answers", file=sys.stderr)

# ---- every output, xlsx unzipped ----------------------------------------------
blobs = []
for o in outs:
    paths = [o] if os.path.isfile(o) else [p for p in glob.glob(o + "/**/*", recursive=True)
                                           if os.path.isfile(p)]
    for p in paths:
        b = open(p, "rb").read()
        if p.endswith(".xlsx"):
            z = zipfile.ZipFile(io.BytesIO(b))
            for n in z.namelist():
                blobs.append((p + "!" + n, z.read(n)))
        else:
            blobs.append((p, b))
leaks = []
id_tokens = [i.encode() for i in needles_ids]
for name, b in blobs:
    low = b.lower()
    for g in GUID.findall(b):
        if g.lower().decode() in needles_ids:
            leaks.append((name, g.decode()))
    # ids of any shape (hostile inputs): a plain search
    for i in id_tokens:
        if not GUID.fullmatch(i) and i in low:
            leaks.append((name, i.decode("utf-8", "replace")))
    for t in texts:
        if t.encode() in b or t.replace('"', "&quot;").encode() in b:
            leaks.append((name, t))
if leaks:
    for n, what in leaks[:20]:
        print("LEAK", n, repr(what))
    sys.exit(f"{len(leaks)} leaks")
print(f"checked {len(blobs)} outputs (files and xlsx members)", file=sys.stderr)
print("no raw id or free text in any output (files, xlsx members, rejects, terminal)")

# ---- the pseudonyms equal an independent computation ---------------------------
priv = [o for o in outs if os.path.isdir(o) and os.path.exists(o + "/report.xlsx")][0]
wb = openpyxl.load_workbook(priv + "/report.xlsx", read_only=True)
prow = []
for name in wb.sheetnames:
    if name == "Data" or name.startswith("Data ("):
        rows = wb[name].iter_rows(values_only=True)
        hdr = next(rows)
        ci = {h: i for i, h in enumerate(hdr)}
        for r in rows:
            prow.append(tuple(r[ci[h]] for h in ("Survey id", "Call id", "Participant id",
                                                 "Correlation id")))
assert len(prow) == len(data_rows) > 0, (len(prow), len(data_rows))
for a, b in zip(data_rows, prow):
    assert tuple(pseudo(v) for v in a) == b, (a, b)
print(f"Data sheet: {len(prow)} rows", file=sys.stderr)
print("Data sheet: every id = its HMAC-SHA-256 pseudonym, rows in the same order")
cp = list(csv.DictReader(open(priv + "/tables/custom.csv", newline="", encoding="utf-8")))
assert len(cp) == len(custom_raw)
n = 0
for a, b in zip(custom_raw, cp):
    for k in ("survey_id", "event_survey_id", "call_id", "participant_id"):
        assert pseudo(a[k]) == b[k], (k, a[k], b[k])
        n += bool(b[k])
    for k in keys:
        v = (a[k] or "").lstrip("'")
        if v and not NUM.match(v) and v.lower() not in ("true", "false"):
            assert b[k] == "", (k, b[k])
        else:
            assert b[k] == a[k], (k, a[k], b[k])
print(f"custom.csv: {n} ids", file=sys.stderr)
print("custom.csv: ids = pseudonyms, text answers empty, numbers kept")
# the same survey joins to the same pseudonym on both sides
assert any(r["survey_id"] and r["survey_id"] == r["event_survey_id"] for r in cp)
# summary.json: what was done, and the template step's ids
d = json.load(open(priv + "/summary.json"))
pv = d["meta"]["privacy"]
assert pv["method"] == "HMAC-SHA-256" and pv["key_file"] == os.path.basename(sys.argv[1])
assert pv["free_text"] == "dropped" and pv["free_text_dropped"] > 0, pv
assert key.decode("latin-1") not in json.dumps(d)
steps = [s for s in d["steps"] if "rows" in s and "survey_id" in s.get("columns", [])]
want = {pseudo(i) for i in ids | raw_ids}
for s in steps:
    col = s["columns"].index("survey_id")
    got = {r[col] for r in s["rows"]}
    assert got and got <= want, sorted(got - want)[:3]
print(f"summary.json: meta.privacy says what was done; {len(steps)} template SQL steps show pseudonyms")
ab = openpyxl.load_workbook(priv + "/report.xlsx", read_only=True)["About"]
facts = {r[0]: r[1] for r in ab.iter_rows(values_only=True) if r and r[0]}
assert "HMAC-SHA-256" in facts["Privacy"] and "k.key" in facts["Privacy"], facts["Privacy"]
assert facts["Free-text answers left out"] == pv["free_text_dropped"], facts
print("About: Privacy:", facts["Privacy"][:60] + "...")
