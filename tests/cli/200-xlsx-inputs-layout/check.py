import collections, json, os, re, sys, zipfile
import openpyxl

out, cmp, acct_path, sample, tools = sys.argv[1:6]
sys.path.insert(0, tools)
import xlsx_check  # the generic checks: widths, chart colours and labels

errors = []


def fail(msg):
    errors.append(msg)


wb = openpyxl.load_workbook(out + "/report.xlsx")
s = json.load(open(out + "/summary.json"))

# ---- inputs, found here by walking the sample ------------------------------
files = []
for d, _, names in os.walk(sample):
    for n in names:
        p = os.path.join(d, n)
        if n.startswith("ACSCallSummary") or not re.search(r"\.(json|jsonl|csv)$", n):
            continue  # call summaries load with --calls; README.md is no input
        files.append(os.path.abspath(p))


def pattern(path):
    parts = path.split("/")
    out = []
    for i, c in enumerate(parts):
        if i < len(parts) - 1:
            c = re.sub(r"^([^=]+)=\d+$", r"\1=*", c)
            c = re.sub(r"^\d+$", "*", c)
        else:
            c = re.sub(r"\d{2,}", "*", c)
        out.append(c)
    return "/".join(out)


def records(path):
    """Records in a file: CallSurvey rows of a CSV of custom events, rows of
    a CSV export, records of each Event Hubs document, lines of JSON lines."""
    import csv, io
    raw = open(path, encoding="utf-8-sig").read()
    if path.endswith(".csv"):
        rows = list(csv.DictReader(io.StringIO(raw)))
        if rows and "name" in rows[0]:
            return sum(1 for r in rows if r["name"] == "CallSurvey")
        return len(rows)
    n = 0
    for line in raw.splitlines():
        if not line.strip():
            continue
        try:
            d = json.loads(line)
        except ValueError:
            n += 1  # a bad line is a (rejected) record
            continue
        n += len(d["records"]) if isinstance(d, dict) and "records" in d else 1
    return n


ins = wb["Inputs"]
rows = [r for r in ins.iter_rows(min_row=2, values_only=True) if r[0] is not None]
if sorted(r[0] for r in rows) != sorted(files):
    fail("Inputs: %d rows, %d input files" % (len(rows), len(files)))
head = [c.value for c in ins[1]]
if head[:4] != ["Source", "Format", "Bytes", "Read"]:
    fail("Inputs header %r" % head)
for r in rows:
    if r[2] != os.path.getsize(r[0]):
        fail("Inputs %s: %r bytes, the file has %d" % (r[0], r[2], os.path.getsize(r[0])))

# About: one row per (pattern, format), files and figures summed
about = wb["About"]
t = [t for t in about.tables.values() if about[t.ref.split(":")[0]].value == "Directory or file pattern"]
if len(t) != 1:
    fail("About: no table of input patterns")
    t = [None]
want = collections.defaultdict(lambda: [0, 0])  # pattern -> files, records
for f in files:
    k = pattern(f)
    want[k][0] += 1
    want[k][1] += records(f)
got = {}
if t[0]:
    a, b = t[0].ref.split(":")
    for r in about[a:b][1:]:
        v = [c.value for c in r]
        got[v[0]] = v
if set(got) != set(want):
    fail("About patterns %r, want %r" % (sorted(got), sorted(want)))
if len(got) >= 10:
    fail("About: %d input rows for the sample (one per pattern: 7)" % len(got))
for k, (n, recs) in want.items():
    if k in got and (got[k][2] != n or got[k][4] != recs):
        fail("About %s: files %r read %r, want %d and %d" % (k, got[k][2], got[k][4], n, recs))
# the figures sum to the run's accounting lines (stderr)
acct = open(acct_path).read()
for fmt, line in [("surveys", r"^total: (.*)$"), ("events", r"^total custom events: (.*)$")]:
    m = re.search(line, acct, re.M)
    fig = dict((k, int(v)) for k, v in re.findall(r"(read|stored|duplicates|updated|conflicts|rejected) (\d+)", m.group(1)))
    cols = {"read": 4, "stored": 5, "duplicates": 6, "updated": 7, "conflicts": 8, "rejected": 9}
    for k, c in cols.items():
        tot = sum(v[c] for v in got.values() if v[1] == fmt)
        if tot != fig[k]:
            fail("About %s %s: %d, the run said %d" % (fmt, k, tot, fig[k]))
# a long pattern wraps, in a row tall enough for its lines (LibreOffice
# does not fit row heights itself)
if t[0]:
    for r in about[a:b][1:]:
        n = len(r[0].value)
        h = about.row_dimensions[r[0].row].height
        if n > 60 and (not h or h < 15 * 2):
            fail("About row %d: %d characters in a row %r pt tall" % (r[0].row, n, h))
if "Inputs" not in [c.value for row in about.iter_rows() for c in row if c.hyperlink]:
    fail("About: no link to the Inputs sheet")

# ---- Issues: by share of responses within each group, zero rows last --------
iss = wb["Issues"]
hdr = [c.value for c in iss[1]]
col = {h: i for i, h in enumerate(hdr) if h}
t = [t for t in iss.tables.values() if t.ref.startswith("A1:")][0]
last = int(re.search(r"(\d+)$", t.ref).group(1))
data = [r for r in iss.iter_rows(min_row=2, max_row=last, values_only=True)]
resp = {(g["category"], g["label"]): g["responses"] for g in s["categories"]}
n_tags = sum(len(g["issues"]) for g in s["categories"])
if len(data) != n_tags:
    fail("Issues: %d rows, summary.json has %d tags" % (len(data), n_tags))
zero_seen = False
prev = None
for r in data:
    n = r[col["Responses"]]
    if n == 0:
        zero_seen = True
        continue
    if zero_seen:
        fail("Issues: a reported tag %r below a tag nobody reported" % (r[col["Issue"]],))
    key = (r[col["Category"]], r[col["Scale"]])
    share = r[col["Share of responses"]]
    if prev and prev[0] == key and share > prev[1] + 1e-12:
        fail("Issues: %r %r share %r above the previous %r" % (key, r[col["Issue"]], share, prev[1]))
    prev = (key, share)
# the shares are the tag's responses over the group's (summary.json)
lab = {(g["category"], g["label"]): g for g in s["categories"]}
titles = {"overall": "Overall", "audio": "Audio", "video": "Video", "screenshare": "Screen share"}
for g in s["categories"]:
    for i in g["issues"]:
        m = [r for r in data if r[col["Category"]] == titles[g["category"]] and r[col["Scale"]] == g["label"]
             and r[col["Issue"]] == i["issue"]]
        if len(m) != 1 or abs(m[0][col["Share of responses"]] - i["surveys"] / g["responses"]) > 1e-12:
            fail("Issues %s %s: %r" % (g["label"], i["issue"], m))

# ---- Issue pairs: a sheet of their own (below Issues they printed under the
# issues' repeated header row), every pair of summary.json once -------------
if "Issue pairs" not in wb.sheetnames or wb.sheetnames.index("Issue pairs") != wb.sheetnames.index("Issues") + 1:
    fail("no Issue pairs sheet after Issues: %r" % wb.sheetnames)
else:
    pw = wb["Issue pairs"]
    if pw.print_title_rows != "$1:$1":
        fail("Issue pairs: print titles %r" % pw.print_title_rows)
    got = sorted(tuple(r) for r in pw.iter_rows(min_row=2, values_only=True) if r[0] is not None)
    want = sorted((titles[g["category"]], g["label"], p["a"], p["b"], p["surveys"])
                  for g in s["categories"] for p in g["issue_pairs"])
    if got != want or not want:
        fail("Issue pairs: %d rows, summary.json has %d pairs" % (len(got), len(want)))
    if [c.value for c in iss[last + 1]] and any(c.value for row in iss.iter_rows(min_row=last + 1) for c in row):
        fail("Issues: something below the issues table")

# ---- tables stacked: no two tables of a sheet share a row -------------------
from openpyxl.utils import range_boundaries
for book in (wb, openpyxl.load_workbook(cmp + "/compare.xlsx")):
    for ws in book:
        spans = sorted((range_boundaries(t.ref)[1], range_boundaries(t.ref)[3]) for t in ws.tables.values())
        for (a0, a1), (b0, b1) in zip(spans, spans[1:]):
            if b0 <= a1:
                fail("%s: tables side by side (rows %d-%d and %d-%d)" % (ws.title, a0, a1, b0, b1))

# ---- widths: fitted, titles aside; Summary's column A narrow ----------------
for path in (out + "/report.xlsx", cmp + "/compare.xlsx"):
    xlsx_check.check_widths(openpyxl.load_workbook(path))
    xlsx_check.check_chart_style(path)
errors += xlsx_check.failures
a = wb["Summary"].column_dimensions["A"].width
if not a or a >= 30:
    fail("Summary column A: width %r" % a)

# ---- native charts: per category as the PNGs; one Trend chart per category --
z = zipfile.ZipFile(out + "/report.xlsx")
names = z.namelist()


def charts_of(sheet):
    """The chart XML parts drawn on a sheet."""
    idx = wb.sheetnames.index(sheet) + 1
    rels = "xl/worksheets/_rels/sheet%d.xml.rels" % idx
    if rels not in names:
        return []
    out = []
    for d in re.findall(r'Target="../drawings/(drawing\d+\.xml)"', z.read(rels).decode()):
        drels = z.read("xl/drawings/_rels/%s.rels" % d).decode()
        out += [z.read("xl/charts/" + c).decode() for c in re.findall(r'Target="../charts/(chart\d+\.xml)"', drels)]
    return out


min_n = s["min_n"]
for cat, sheet in titles.items():
    groups = [g for g in s["categories"] if g["category"] == cat]
    if not groups:
        continue
    largest = max(g["responses"] for g in groups)
    want = 0
    for g in groups:
        if g["responses"] >= min_n or g["responses"] == largest:
            levels = g["scale"]["upper"] - g["scale"]["lower"] + 1
            want += (levels <= 21) + (len(g["issues"]) > 0)
    got = charts_of(sheet)
    if len(got) != want:
        fail("%s: %d native charts, want %d" % (sheet, len(got), want))
    for x in got:
        if "<c:barChart>" in x and '<c:barDir val="col"/>' in x:
            # the distribution: poor scores vermillion, others blue, labels 0.0%
            if not ("D55E00" in x and "0072B2" in x and 'formatCode="0.0%"' in x):
                fail("%s: distribution chart colours or labels" % sheet)
        if "<c:dLbls>" not in x:
            fail("%s: a chart without value labels" % sheet)
        m = re.search(r"<c:title>.*?<a:defRPr sz=\"(\d+)\"", x, re.S)
        if not m or int(m.group(1)) > 1100:
            fail("%s: chart title size %r" % (sheet, m and m.group(1)))
trend = charts_of("Trend")
cats = [c for c in titles if any(g["category"] == c for g in s["categories"])]
if len(trend) != len(cats):
    fail("Trend: %d charts, want one per category (%d)" % (len(trend), len(cats)))
for x in trend:
    if x.count("<c:ser>") != 1 or 'val="0072B2"' not in x:
        fail("Trend: a chart of %d series, or not in the palette's blue" % x.count("<c:ser>"))

for e in errors:
    print("FAIL", e)
print("ok" if not errors else "%d failures" % len(errors))
