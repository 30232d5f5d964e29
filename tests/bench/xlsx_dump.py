#!/usr/bin/python3
# tests/bench/xlsx_dump.py BOOK.xlsx: every sheet's cells (coordinate, value,
# number format) one a line, for tests/bench/same_output.sh.  The workbook's
# run time (About sheet: a time cell, and "Written by ... at TIME.") is
# what a second run changes: it is printed as <time>.  Needs openpyxl (/usr/bin/python3 has it).
import datetime
import re
import sys

import openpyxl

wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
out = sys.stdout
for ws in wb.worksheets:
    out.write("== sheet %s\n" % ws.title)
    for row in ws.iter_rows():
        for c in row:
            if c.value is None or not hasattr(c, "coordinate"):
                continue
            v = c.value
            if isinstance(v, datetime.datetime) and ws.title == "About":
                v = "<time>"
            if ws.title == "About" and isinstance(v, str) and re.fullmatch(r"\d{4}-\d\d-\d\dT[\d:]+Z", v):
                v = "<time>"
            if isinstance(v, str) and v.startswith("Written by "):
                v = re.sub(r" at \d{4}-\d\d-\d\dT[\d:]+Z", " at <time>", v)
            out.write("%s\t%r\t%s\n" % (c.coordinate, v, c.number_format))
