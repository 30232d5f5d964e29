#!/usr/bin/env python3
"""Safe outputs (issue 10.6) on hostile text: every JSON file and JSON Lines
file is valid UTF-8 and parses; every CSV is valid UTF-8 without control
characters (tab and line breaks aside) and no text cell starts with
= + - @ tab or CR unless neutralized; every XML member of each workbook is
valid UTF-8, parses, and holds no formula; sheet names are valid; the
terminal got no control characters; the replacements are counted in
summary.json and warned about.
usage: check.py OUTDIR FILE..."""
import csv, glob, io, json, os, re, sys, zipfile
import xml.etree.ElementTree as ET

out, extra = sys.argv[1], sys.argv[2:]
files = [p for p in glob.glob(out + "/**/*", recursive=True) if os.path.isfile(p)] + extra
CTL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
NUM = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
n = {"json": 0, "csv": 0, "xml": 0, "text": 0, "png": 0}
for p in files:
    b = open(p, "rb").read()
    if p.endswith(".png") or p.endswith(".pdf"):
        n["png"] += 1
        continue
    if p.endswith(".xlsx"):
        z = zipfile.ZipFile(p)
        for m in z.namelist():
            if not m.endswith((".xml", ".rels")):
                continue
            x = z.read(m)
            x.decode("utf-8")  # strict
            ET.fromstring(x)  # well-formed: no character XML forbids
            if m.startswith("xl/worksheets/"):
                assert b"<f>" not in x and b"<f " not in x, (p, m, "formula")
            n["xml"] += 1
        wbx = z.read("xl/workbook.xml").decode()
        for name in re.findall(r'<sheet name="([^"]*)"', wbx):
            name = name.replace("&amp;", "&").replace("&quot;", '"').replace("&apos;", "'")
            assert 0 < len(name) <= 31 and not set(name) & set("[]:*?/\\"), name
        continue
    t = b.decode("utf-8")  # strict: raises on invalid UTF-8
    if p.endswith(".json"):
        json.loads(t)
        n["json"] += 1
    elif p.endswith(".jsonl"):
        for line in t.splitlines():
            json.loads(line)
        n["json"] += 1
    elif p.endswith(".csv"):
        assert not CTL.search(t), (p, CTL.search(t))
        for row in csv.reader(io.StringIO(t, newline="")):
            for cell in row:
                if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    assert NUM.match(cell), (p, "formula-like cell", cell)
        n["csv"] += 1
    else:  # svg, terminal output
        assert not CTL.search(t.replace("\n", "").replace("\t", "")), (p, CTL.search(t))
        n["text"] += 1
print(f"checked {sum(n.values())} files: {n}", file=sys.stderr)
print("JSON valid UTF-8 and parses; CSV clean and neutralized; XLSX XML well-formed, no formulas; terminal clean")
d = json.load(open(out + "/summary.json"))
tc = d["meta"]["text_cleaning"]
assert tc["json_strings_replaced"] > 0 and tc["csv_cells_replaced"] > 0, tc
assert tc["csv_cells_neutralized"] > 0 and tc["xlsx_cells_replaced"] > 0, tc
print("summary.json counts every kind of cleaning:", ", ".join(k for k, v in tc.items() if v > 0))
# the formula-like answers are text in the workbook and apostrophe-led in CSV
import openpyxl
ws = openpyxl.load_workbook(out + "/report.xlsx")["Custom"]
vals = {c.value: c.data_type for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
for a in ('=HYPERLINK("http://example.com","click")', "+1+2", "-3+4", "@SUM(A1:A2)"):
    assert vals.get(a) == "s", (a, vals.get(a))
rows = list(csv.reader(open(out + "/tables/custom.csv", newline="", encoding="utf-8")))
cells = {c for r in rows for c in r}
assert "'=HYPERLINK(\"http://example.com\",\"click\")" in cells and "'@SUM(A1:A2)" in cells
print("formula-like answers: string cells in report.xlsx, apostrophe first in custom.csv")
# report.html (issue 19): the markup answers are text, escaped, and the page
# holds no element of theirs (the browser check, make html-check, loads it)
import html as htmllib
h = open(out + "/report.html", encoding="utf-8").read()
for a in ("<script>alert(1)</script>", '"><img src=x onerror=window.__pwned=1>'):
    assert a not in h and htmllib.escape(a, quote=True).replace("&#x27;", "&#39;") in h, a
assert "<script" not in h.lower() and "<img" not in h.lower(), "markup in report.html"
for w in ("=HYPERLINK(&quot;http://example.com&quot;,&quot;click&quot;)", "ACS-\ufffd[31MRED"):
    assert w in h, w
print("report.html: markup answers escaped as text; no script or img element; controls replaced")
