#!/usr/bin/python3
"""xlsx_check.py WORKBOOK EXPECTED.json: check a callsurvey workbook with a
real reader (openpyxl) and by unzipping it.

Checks that hold for every workbook:
  - no cell anywhere is a formula (text is always text);
  - every Excel table's header cells are strings equal to its column names,
    unique case-insensitively, and every table column has a width <= 60;
  - every chart range (categories, values, series names, custom data
    labels) points into an Excel table of an existing sheet;
  - each chart part exists as xl/charts/chartN.xml;
  - (issue 18) no column is wider than its longest cell plus a small margin,
    titles aside (a text cell outside every table, alone in its row, may
    overflow to the right and does not count), nor narrower than it (up to
    the cap of 60); charts take their colours from the Okabe-Ito palette
    (render/palette.h) and have no data labels that reference cells
    (c15:datalabelsRange, which LibreOffice shows as percentages).
Checks listed in EXPECTED.json (all optional):
  sheets    exact list of sheet names, in order
  frozen    {sheet: "A2"}: freeze panes
  toc       sheet holding hyperlinks to every other sheet
  rows      [{sheet, table, nth, key: {col: v}, values: {col: v}, formats: {col: fmt}}]
            the row of the nth table (top to bottom, 0-based) of `sheet` (or
            of its continuation sheets "sheet (2)", ...) whose header holds
            column `table`, matching key; values: number (relative 1e-12),
            string, bool, null (empty cell), {"datetime": iso}, {"len": n}
  count     [{sheet, table, rows}]: data rows over the sheet and its continuations
  texts     [{sheet, equals|substring}]: some string cell matches
  charts    [{sheet, table, nth, kind, categories, values, labels}]: a chart
            of that kind (c:barChart...) whose series take categories and
            values from those columns of that table (labels: custom data
            labels referencing that column, one per row)
  n_charts  number of chart parts
Prints one line per failure and exits 1 if any; prints "ok: N checks" otherwise.
"""
import datetime
import json
import math
import re
import sys
import zipfile

import openpyxl
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries

failures = []
checks = 0


def fail(msg):
    failures.append(msg)


def check(cond, msg):
    global checks
    checks += 1
    if not cond:
        fail(msg)


def family(wb, name):
    """The sheet and its continuation sheets, in order."""
    out = [ws for ws in wb.worksheets if ws.title == name]
    k = 2
    while f"{name} ({k})" in wb.sheetnames:
        out.append(wb[f"{name} ({k})"])
        k += 1
    return out


def tables_with(ws, header):
    """Tables of ws whose header holds `header`, top to bottom then left to right."""
    found = []
    for t in ws.tables.values():
        names = [c.name for c in t.tableColumns]
        if header in names:
            c0, r0, c1, r1 = range_boundaries(t.ref)
            found.append((r0, c0, r1, c1, names))
    return sorted(found)


def same(got, want):
    if want is None:
        return got is None or got == ""
    if isinstance(want, bool):
        return isinstance(got, bool) and got == want
    if isinstance(want, (int, float)):
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            return False
        if math.isnan(want):
            return False
        return abs(got - want) <= 1e-12 * max(1.0, abs(want))
    if isinstance(want, dict) and "datetime" in want:
        return isinstance(got, datetime.datetime) and got.isoformat() == want["datetime"]
    if isinstance(want, dict) and "len" in want:
        return isinstance(got, str) and len(got) == want["len"]
    return got == want


def check_rows(wb, spec):
    for r in spec:
        found = False
        for ws in family(wb, r["sheet"]):
            tabs = tables_with(ws, r["table"])
            nth = r.get("nth")
            if nth is not None:
                tabs = tabs[nth:nth + 1]
            for r0, c0, r1, c1, names in tabs:
                col = {n: c0 + i for i, n in enumerate(names)}
                for row in range(r0 + 1, r1 + 1):
                    if all(same(ws.cell(row, col[k]).value, v) for k, v in r["key"].items()
                           if k in col) and all(k in col for k in r["key"]):
                        found = True
                        for k, v in r.get("values", {}).items():
                            if k not in col:
                                check(False, f"{ws.title}: no column {k!r} in table with {r['table']!r}")
                                continue
                            c = ws.cell(row, col[k])
                            check(same(c.value, v),
                                  f"{ws.title}!{c.coordinate} {k} for {r['key']}: got {c.value!r}, want {v!r}")
                        for k, f in r.get("formats", {}).items():
                            c = ws.cell(row, col[k])
                            check(c.number_format == f,
                                  f"{ws.title}!{c.coordinate} {k}: format {c.number_format!r}, want {f!r}")
                        break
                if found:
                    break
            if found:
                break
        check(found, f"{r['sheet']}: no row {r['key']} in a table with column {r['table']!r}")


def check_tables(wb):
    for ws in wb.worksheets:
        for t in ws.tables.values():
            c0, r0, c1, r1 = range_boundaries(t.ref)
            names = [c.name for c in t.tableColumns]
            check(len(names) == c1 - c0 + 1, f"{ws.title} {t.name}: {len(names)} columns for {t.ref}")
            check(len({n.lower() for n in names}) == len(names),
                  f"{ws.title} {t.name}: column names not unique: {names}")
            check(r1 > r0, f"{ws.title} {t.name}: no data row")
            for i, n in enumerate(names):
                cell = ws.cell(r0, c0 + i)
                check(cell.data_type == "s" and cell.value == n,
                      f"{ws.title}!{cell.coordinate}: header {cell.value!r} != table column {n!r}")
                w = ws.column_dimensions[get_column_letter(c0 + i)].width
                check(w is not None and 0 < w <= 60,
                      f"{ws.title} column {get_column_letter(c0 + i)}: width {w}")


def check_no_formulas(wb):
    global checks
    checks += 1
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    fail(f"{ws.title}!{c.coordinate}: a formula: {c.value!r}")


REF = re.compile(r"^(?:'((?:[^']|'')+)'|([^!']+))!\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?$")


def parse_ref(f):
    m = REF.match(f.lstrip("="))
    if not m:
        return None
    sheet = (m.group(1) or m.group(2)).replace("''", "'")
    c0, r0 = column_index_from_string(m.group(3)), int(m.group(4))
    c1 = column_index_from_string(m.group(5)) if m.group(5) else c0
    r1 = int(m.group(6)) if m.group(6) else r0
    return sheet, c0, r0, c1, r1


def in_table(wb, ref):
    sheet, c0, r0, c1, r1 = ref
    if sheet not in wb.sheetnames:
        return False
    for t in wb[sheet].tables.values():
        tc0, tr0, tc1, tr1 = range_boundaries(t.ref)
        if tc0 <= c0 and c1 <= tc1 and tr0 <= r0 and r1 <= tr1:
            return True
    return False


NS = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}


def chart_parts(path):
    import xml.etree.ElementTree as ET
    out = []
    with zipfile.ZipFile(path) as z:
        for n in sorted(z.namelist()):
            if re.match(r"xl/charts/chart\d+\.xml$", n):
                out.append((n, ET.fromstring(z.read(n))))
    return out


def check_charts(wb, path, spec, n_charts):
    parts = chart_parts(path)
    if n_charts is not None:
        check(len(parts) == n_charts, f"{len(parts)} chart parts, want {n_charts}")
    described = []
    for name, root in parts:
        for f in root.iter(f"{{{NS['c']}}}f"):
            ref = parse_ref(f.text or "")
            check(ref is not None and in_table(wb, ref),
                  f"{name}: reference {f.text!r} is not inside an Excel table")
        plot = root.find("c:chart/c:plotArea", NS)
        kinds = [el.tag.split("}")[1] for el in plot if el.tag.endswith("Chart")]
        for kind_el in [el for el in plot if el.tag.endswith("Chart")]:
            for ser in kind_el.findall("c:ser", NS):
                cat = ser.find("c:cat//c:f", NS)
                val = ser.find("c:val//c:f", NS)
                labels = [e.text for e in ser.findall("c:dLbls/c:dLbl/c:tx//c:f", NS)]
                described.append((name, kind_el.tag.split("}")[1],
                                  cat.text if cat is not None else None,
                                  val.text if val is not None else None, labels))
        check(len(kinds) >= 1, f"{name}: no plot")
    for c in spec:
        ws = wb[c["sheet"]]
        tabs = tables_with(ws, c["table"])[c.get("nth", 0):][:1]
        if not tabs:
            check(False, f"{c['sheet']}: no table with {c['table']!r} for a chart")
            continue
        r0, c0, r1, c1, names = tabs[0]

        def rng(col):
            k = c0 + names.index(col)
            return (ws.title, k, r0 + 1, k, r1)

        want_cat, want_val = rng(c["categories"]), rng(c["values"])
        match = [d for d in described if d[1] == c["kind"] and d[2] and d[3]
                 and parse_ref(d[2]) == want_cat and parse_ref(d[3]) == want_val]
        check(bool(match), f"no {c['kind']} with categories {want_cat} and values {want_val}; charts: {described}")
        if match and "labels" in c:
            k = c0 + names.index(c["labels"])
            want = [(ws.title, k, r, k, r) for r in range(r0 + 1, r1 + 1)]
            got = [parse_ref(t) for t in match[0][4]]
            check(got == want, f"labels {match[0][4]} != {want}")


# render/palette.h, and white (pie slice edges)
PALETTE = {"000000", "0072B2", "E69F00", "009E73", "D55E00", "56B4E9", "CC79A7", "F0E442",
           "999999", "FFFFFF"}


def shown(c):
    """Characters cell c shows (as callsurvey estimates them), or None."""
    v = c.value
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return 5
    if isinstance(v, (datetime.datetime, datetime.date)):
        return 10 if c.number_format == "yyyy-mm-dd" else 19
    if isinstance(v, (int, float)):
        f = c.number_format
        if f == "#,##0":
            return len(f"{v:,.0f}")
        if f == "0.0%":
            return len(f"{100 * v:.1f}%")
        if f == "0.00":
            return len(f"{v:.2f}")
        if f == "0.000":
            return len(f"{v:.3f}")
        if f in ("yyyy-mm-dd hh:mm:ss",):
            return 19
        if f == "yyyy-mm-dd":
            return 10
        if f == "General":
            return len(f"{v:.10g}")
        return len(f"{v:.2f}") + 2  # a template's own format
    # Excel shows an escape _xHHHH_ as its one character (openpyxl keeps it)
    v = re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), str(v))
    return max(len(line) for line in v.split("\n"))


def check_widths(wb):
    """Widths fit the content, titles aside (issue 18)."""
    for ws in wb.worksheets:
        boxes = [range_boundaries(t.ref) for t in ws.tables.values()]
        heads = {(r0, c) for c0, r0, c1, r1 in boxes for c in range(c0, c1 + 1)}
        longest = {}
        for row in ws.iter_rows():
            cells = [c for c in row if c.value not in (None, "")]
            for c in cells:
                inside = any(c0 <= c.column <= c1 and r0 <= c.row <= r1 for c0, r0, c1, r1 in boxes)
                if not inside and len(cells) == 1 and isinstance(c.value, str):
                    continue  # a title: it overflows, it does not widen
                n = shown(c)
                if (c.row, c.column) in heads:
                    n += 3  # the filter button
                longest[c.column] = max(longest.get(c.column, 0), n)
        for letter, dim in ws.column_dimensions.items():
            if not dim.width or dim.customWidth is False:
                continue
            col = column_index_from_string(letter)
            want = min(longest.get(col, 0), 60)
            check(dim.width <= want + 4,
                  f"{ws.title} column {letter}: width {dim.width:.1f} for content of {want}")
            check(dim.width + 2 >= min(want, 58),
                  f"{ws.title} column {letter}: width {dim.width:.1f} narrower than {want}")


def check_chart_style(path):
    """Palette colours, no cell-reference data labels (issue 18)."""
    with zipfile.ZipFile(path) as z:
        for n in sorted(z.namelist()):
            if not re.match(r"xl/charts/chart\d+\.xml$", n):
                continue
            x = z.read(n).decode("utf-8")
            check("datalabelsRange" not in x and "c15:" not in x and
                  not re.search(r"<c:dLbl>.*?<c:f>", x, re.S),
                  f"{n}: data labels that reference cells")
            for ser in re.findall(r"<c:ser>.*?</c:ser>", x, re.S):
                cols = re.findall(r'<a:srgbClr val="([0-9A-Fa-f]{6})"', ser)
                check(bool(cols), f"{n}: a series without its palette colour")
                for v in cols:
                    check(v.upper() in PALETTE, f"{n}: series colour {v} not in the palette")


def main():
    path, exp_path = sys.argv[1], sys.argv[2]
    with open(exp_path, encoding="utf-8") as f:
        exp = json.load(f)
    wb = openpyxl.load_workbook(path)
    if "sheets" in exp:
        check(wb.sheetnames == exp["sheets"], f"sheets {wb.sheetnames} != {exp['sheets']}")
    for name in wb.sheetnames:
        check(len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name), f"bad sheet name {name!r}")
    for s, cell in exp.get("frozen", {}).items():
        check(wb[s].freeze_panes == cell, f"{s}: frozen at {wb[s].freeze_panes}, want {cell}")
    if "toc" in exp:
        ws = wb[exp["toc"]]
        targets = set()
        for row in ws.iter_rows():
            for c in row:
                if c.hyperlink is not None and c.hyperlink.location:
                    targets.add(c.hyperlink.location.split("!")[0].strip("'"))
        for s in wb.sheetnames:
            check(s in targets, f"{exp['toc']}: no link to {s!r} (links: {sorted(targets)})")
    check_no_formulas(wb)
    check_tables(wb)
    check_rows(wb, exp.get("rows", []))
    for c in exp.get("count", []):
        n = 0
        for ws in family(wb, c["sheet"]):
            for r0, c0, r1, c1, names in tables_with(ws, c["table"]):
                n += sum(1 for r in range(r0 + 1, r1 + 1)
                         if any(ws.cell(r, k).value not in (None, "") for k in range(c0, c1 + 1)))
        check(n == c["rows"], f"{c['sheet']}: {n} data rows, want {c['rows']}")
    for t in exp.get("texts", []):
        ok = False
        for ws in family(wb, t["sheet"]):
            for row in ws.iter_rows():
                for c in row:
                    if c.data_type != "s" or not isinstance(c.value, str):
                        continue
                    if ("equals" in t and c.value == t["equals"]) or \
                       ("substring" in t and t["substring"] in c.value):
                        ok = True
        check(ok, f"{t['sheet']}: no text cell {t}")
    check_charts(wb, path, exp.get("charts", []), exp.get("n_charts"))
    check_widths(wb)
    check_chart_style(path)
    for f in failures:
        print("xlsx_check: " + f)
    if failures:
        print(f"xlsx_check: {len(failures)} of {checks} checks failed")
        return 1
    print(f"ok: {checks} checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
