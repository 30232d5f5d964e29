"""Check report.pdf with pdfinfo/pdftotext/pdftoppm (poppler), independently
of the program: page size and count, page 1 against summary.json, the
footers, the outline (read from the raw PDF objects) and the metadata."""
import glob, json, os, re, subprocess, sys

out, letter = sys.argv[1], sys.argv[2]

def info(path):
    txt = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True).stdout
    return dict(l.split(":", 1) for l in txt.splitlines() if ":" in l)

def fail(msg):
    print("FAIL", msg)
    sys.exit(1)

pdf = os.path.join(out, "report.pdf")
i = info(pdf)
w, h = re.match(r"\s*([\d.]+) x ([\d.]+) pts", i["Page size"]).groups()
# A4 is 210 x 297 mm = 595.276 x 841.890 pt
if abs(float(w) - 210 / 25.4 * 72) > 0.5 or abs(float(h) - 297 / 25.4 * 72) > 0.5:
    fail("not A4: " + i["Page size"])
pages = int(i["Pages"])
if not 6 <= pages <= 15:
    fail("sample report has %d pages (limit 15)" % pages)
if i["Title"].strip() != "End of Call Survey \u2014 weekly review":
    fail("title " + i["Title"])
if not i["Creator"].strip().startswith("callsurvey "):
    fail("creator " + i["Creator"])
# SOURCE_DATE_EPOCH=1764000000 is 2025-11-24 16:00:00 UTC
if "Nov 24 16:00:00 2025" not in i.get("CreationDate", ""):
    fail("creation date " + i.get("CreationDate", "(none)"))

li = info(os.path.join(letter, "report.pdf"))
if not li["Page size"].strip().startswith("612 x 792"):
    fail("letter page size " + li["Page size"])

def page_text(n):
    return subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), pdf, "-"],
                          capture_output=True, text=True, check=True).stdout

for n in range(1, pages + 1):
    if "Page %d of %d" % (n, pages) not in page_text(n):
        fail("page %d has no 'Page %d of %d' footer" % (n, n, pages))

s = json.load(open(os.path.join(out, "summary.json")))
rv = s["review"]
p1 = page_text(1)
if "Period: %s" % rv["period"]["label"] not in p1:
    fail("page 1 lacks the period " + rv["period"]["label"])
if rv["previous"] and "Compared with: %s" % rv["previous"]["label"] not in p1:
    fail("page 1 lacks the comparison period")
titles = {"overall": "Overall", "audio": "Audio", "video": "Video", "screenshare": "Screen share"}
lines = p1.splitlines()
for row in rv["rows"]:
    t = titles[row["category"]]
    line = next((l for l in lines if l.strip().startswith(t + " ") and "poor" in l), None)
    if line is None:
        fail("no headline row for " + t)
    want = ["{:,}".format(row["responses"]), "%.1f%%" % (100 * row["poor_rate"])]
    if row["previous"]:
        want.append("%.1f%%" % (100 * row["previous"]["poor_rate"]))
        want.append(row["verdict"])
    for x in want:
        if x not in line:
            fail("headline row %r lacks %r" % (line, x))

raw = open(pdf, "rb").read()
def pdf_str(m):
    if m.group(1) is not None:
        return m.group(1).decode("latin-1")
    return bytes.fromhex(m.group(2).decode())[2:].decode("utf-16-be")
outline = [pdf_str(m) for m in re.finditer(rb"<< /Title (?:\(([^)]*)\)|<([0-9A-F]+)>)", raw)]
for want in ["Contents", "Overall (scale 1\u20135, poor \u2264 2)", "Overall: trends",
             "Custom answers", "Data quality", "Appendix: every scale"]:
    if want not in outline:
        fail("outline lacks %r (has %r)" % (want, outline))
if raw.count(b"/Subtype /Link") < 8:
    fail("the contents page has %d links" % raw.count(b"/Subtype /Link"))
if "Contents" not in page_text(2):
    fail("page 2 is not the contents")

charts = sorted(glob.glob(os.path.join(out, "charts", "*.pdf")))
if len(charts) < 10:
    fail("only %d charts/*.pdf" % len(charts))
for c in charts[:3]:
    subprocess.run(["pdftoppm", "-png", "-r", "20", "-singlefile", c, c[:-4]], check=True)
    if os.path.getsize(c[:-4] + ".png") < 200:
        fail("pdftoppm made nothing of " + c)
print("ok")
