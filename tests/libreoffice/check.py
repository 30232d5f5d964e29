#!/usr/bin/env python3
"""Inputs and checks of tests/libreoffice/run.sh.
  check.py make    write s.jsonl, events.jsonl and the two control files
  check.py check   read conv/*.ods (LibreOffice's own reading) and check"""
import json, re, sys, zipfile
from xml.sax.saxutils import escape

ANSWERS = ['=HYPERLINK("http://example.com","click")', "+1+2", "-3+4", "@SUM(A1:A2)"]

if sys.argv[1] == "make":
    with open("s.jsonl", "w") as f, open("events.jsonl", "w") as e:
        for i, a in enumerate(ANSWERS):
            f.write(json.dumps({"TimeGenerated": "2026-11-16T10:0%d:00Z" % i,
                                "SurveyId": "s-%d" % i, "OverallRatingScore": 2 + i}) + "\n")
            e.write(json.dumps({"timestamp": "2026-11-16T10:1%d:00Z" % i, "name": "CallSurvey",
                                "customDimensions": {"id": "s-%d" % i,
                                                     "improvementSuggestion": a}}) + "\n")
    # controls: the same texts as real formulas, which LibreOffice must see
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Custom"
    ws["A1"] = ANSWERS[0]  # openpyxl writes a leading '=' as a formula
    ws["A2"] = "=1+2"
    wb.save("control-xlsx.xlsx")
    with open("control-csv.csv", "w") as f:
        f.write('a,b\r\n"=1+2","=HYPERLINK(""http://example.com"",""click"")"\r\n')
    sys.exit(0)


def cells(path, sheet):
    """(display text, value type, formula or None) of every cell of sheet."""
    x = zipfile.ZipFile(path).read("content.xml").decode("utf-8")
    m = re.search(r'<table:table table:name="%s"[^>]*>(.*?)</table:table>' % re.escape(sheet), x, re.S)
    assert m, (path, sheet, re.findall(r'<table:table table:name="([^"]*)"', x))
    out = []
    for c in re.finditer(r"<table:table-cell([^>]*?)(/>|>(.*?)</table:table-cell>)", m.group(1), re.S):
        attrs, body = c.group(1), c.group(3) or ""
        text = "\n".join(re.sub(r"<[^>]+>", "", p) for p in re.findall(r"<text:p>(.*?)</text:p>", body, re.S))
        text = (text.replace("&quot;", '"').replace("&apos;", "'").replace("&lt;", "<")
                .replace("&gt;", ">").replace("&amp;", "&"))
        vt = re.search(r'office:value-type="([^"]*)"', attrs)
        fm = re.search(r'table:formula="([^"]*)"', attrs)
        out.append((text, vt.group(1) if vt else None, fm.group(1) if fm else None))
    return out


# the controls: real formulas are seen as formulas (the check is not blind)
ctl = cells("conv/control-xlsx.ods", "Custom")
assert any(f and "HYPERLINK" in f for _, _, f in ctl), ctl
assert any(t == "click" for t, _, _ in ctl), ctl  # shown as the link's text
ctl = cells("conv/control-csv.ods", "control-csv")
assert sum(1 for _, _, f in ctl if f) == 2, ctl
# report.xlsx: each answer a string cell showing the literal text, no formula
got = {t: (vt, f) for t, vt, f in cells("conv/report.ods", "Custom")}
for a in ANSWERS:
    assert a in got, (a, sorted(got)[:20])
    assert got[a] == ("string", None), (a, got[a])
assert "click" not in got
print("report.xlsx in LibreOffice: %d formula-like answers are string cells showing the "
      "literal text" % len(ANSWERS))
# custom.csv, formulas evaluated on import: still text (the leading apostrophe)
got = {t: (vt, f) for t, vt, f in cells("conv/custom.ods", "custom")}
for a in ANSWERS:
    shown = [t for t in got if t.endswith(a)]
    assert shown and all(got[t] == ("string", None) for t in shown), (a, shown, got)
print("custom.csv in LibreOffice (evaluating formulas): the same answers are text")
