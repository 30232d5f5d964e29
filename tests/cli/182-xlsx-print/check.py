import json, re, sys
import openpyxl

out = sys.argv[1]
wb = openpyxl.load_workbook(out + "/report.xlsx")
s = json.load(open(out + "/summary.json"))

def fail(msg):
    print("FAIL", msg)
    sys.exit(1)

def cell_ref(ref):
    m = re.match(r"([A-Z]+)(\d+)", ref)
    return int(m.group(2))

STACKED = {"About", "Overall", "Audio", "Video", "Screen share", "Data Quality"}
for ws in wb:
    ps = ws.page_setup
    if ps.orientation != "landscape":
        fail("%s: orientation %s" % (ws.title, ps.orientation))
    if ps.paperSize not in (9, "9"):
        fail("%s: paper %r" % (ws.title, ps.paperSize))
    if not (ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage):
        fail("%s: not fit to page" % ws.title)
    if int(ps.fitToWidth or 1) != 1 or int(ps.fitToHeight) != 0:
        fail("%s: fit %r x %r" % (ws.title, ps.fitToWidth, ps.fitToHeight))
    if ws.oddFooter.center.text != "Page &P of &N":
        fail("%s: footer %r" % (ws.title, ws.oddFooter.center.text))
    if "End of Call Survey" not in (ws.oddHeader.left.text or ""):
        fail("%s: header %r" % (ws.title, ws.oddHeader.left.text))
    if not ws.print_area:
        fail("%s: no print area" % ws.title)
    heads = sorted(cell_ref(t.ref.split(":")[0]) for t in ws.tables.values())
    rows = ws.print_title_rows
    if ws.title in STACKED:
        # tables of different columns one below the other: repeating the
        # first one's header over the others would mislabel them
        if rows:
            fail("%s: repeated rows %r over tables of other columns" % (ws.title, rows))
    elif heads:
        m = re.match(r"\$(\d+):\$(\d+)", rows or "")
        if not m or int(m.group(1)) != heads[0]:
            fail("%s: repeated rows %r, first table header at %r" % (ws.title, rows, heads[0]))

def formats(ws):
    hdr = {c.value: c.column for c in ws[1] if c.value}
    return lambda name: ws.cell(2, hdr[name]).number_format

f = formats(wb["Summary"])
for name, want in [("Responses", "#,##0"), ("Poor", "#,##0"), ("Share of surveys", "0.0%"),
                   ("Poor rate", "0.0%"), ("Poor rate 95% CI low", "0.0%"),
                   ("Poor rate 95% CI high", "0.0%"), ("Any issue rate", "0.0%"),
                   ("Mean", "0.00"), ("Median", "0.00"), ("Mean 95% CI low", "0.00")]:
    if f(name) != want:
        fail("Summary %s: %r, want %r" % (name, f(name), want))
f = formats(wb["Issues"])
for name, want in [("Responses", "#,##0"), ("Share of responses", "0.0%"),
                   ("Share of surveys", "0.0%"), ("Share of poor", "0.0%")]:
    if f(name) != want:
        fail("Issues %s: %r, want %r" % (name, f(name), want))

# native charts: a category sheet has two (distribution, issues) per scale
# that is not small or is the category's largest
min_n = s["min_n"]
titles = {"overall": "Overall", "audio": "Audio", "video": "Video", "screenshare": "Screen share"}
for cat, sheet in titles.items():
    groups = [g for g in s["categories"] if g["category"] == cat]
    if not groups:
        continue
    largest = max(g["responses"] for g in groups)
    want = sum(2 for g in groups if g["responses"] >= min_n or g["responses"] == largest)
    got = len(wb[sheet]._charts)
    if got != want:
        fail("%s: %d native charts, want %d" % (sheet, got, want))
    for ch in wb[sheet]._charts:
        t = "".join(r.t for p in ch.title.tx.rich.p for r in (p.r or []))
        for g in groups:
            if g["responses"] < min_n and g["responses"] != largest and t.startswith(g["label"] + ":"):
                fail("%s: chart %r for a scale of %d responses" % (sheet, t, g["responses"]))
print("ok")
