#!/usr/bin/env python3
"""tests/tools/hist_forms.py HISTOGRAMS.csv TABLES.json ARRAY.json

Writes one histograms table (the `callsurvey kql` result, e.g. the
histograms.csv of `report --formats histograms`) in the two JSON forms Log
Analytics gives it in, independently of callsurvey's writers:
  TABLES.json  the REST API's {"tables":[{"name","columns":[{"name","type"}],
               "rows":[[...]]}]}, values typed (long and real as numbers,
               bool as true/false, empty as null)
  ARRAY.json   `az monitor log-analytics query -o json`: an array of objects
               with every value a string (empty for null) and "TableName"
The column types come from `callsurvey kql --print-columns` (columns.tsv
beside the CSV when given as a 4th argument, else the names' known types).
"""
import csv
import json
import sys

TYPES = {"lower": "real", "upper": "real", "threshold": "real", "score": "real",
         "default_scale": "bool", "n": "long", "calls": "long", "participants": "long",
         "first_time": "datetime", "last_time": "datetime"}


def typed(value, kind):
    if kind == "string":
        return value
    if value == "":
        return None
    if kind == "long":
        return int(value)
    if kind == "real":
        return float(value)
    if kind == "bool":
        return {"true": True, "false": False}[value]
    return value  # datetime: ISO 8601 text, as the API sends it


def main(argv):
    src, tables_path, array_path = argv[1:4]
    types = dict(TYPES)
    if len(argv) > 4:
        for line in open(argv[4], encoding="utf-8"):
            name, kind = line.rstrip("\n").split("\t")
            types[name] = kind
    with open(src, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    kinds = [types.get(h, "string") for h in header]
    doc = {"tables": [{"name": "PrimaryResult",
                       "columns": [{"name": h, "type": k} for h, k in zip(header, kinds)],
                       "rows": [[typed(v, k) for v, k in zip(r, kinds)] for r in body]}]}
    with open(tables_path, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1)
    arr = []
    for r in body:
        o = {h: v for h, v in zip(header, r)}
        o["TableName"] = "PrimaryResult"
        arr.append(o)
    with open(array_path, "w", encoding="utf-8") as f:
        json.dump(arr, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
