#!/usr/bin/env python3
"""Structure and figures of compare.html (issue 19)."""
import json, re, sys
from html.parser import HTMLParser

out = sys.argv[1]
text = open(out + "/compare.html", encoding="utf-8").read()
d = json.load(open(out + "/compare.json"))


class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.heads, self.refs, self.csp = [], [], [], None
        self.tables, self.svgs, self.caps, self.cap = [], [], {}, None
        self.rows, self.row, self.cell = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if re.fullmatch(r"h[1-6]", tag):
            self.heads.append(int(tag[1]))
        for k, v in attrs:
            if (k in ("src", "href", "xlink:href", "action") and v and not v.startswith("#")) or k.startswith("on"):
                self.refs.append((tag, k, v))
        if tag in ("script", "link", "iframe", "img", "object", "embed", "base"):
            self.refs.append((tag,))
        if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy":
            self.csp = a["content"]
        if tag == "table":
            self.tables.append([0, 0, False])
        if tag == "caption":
            self.tables[-1][2] = True
        if tag == "th":
            self.tables[-1][0] += 1
            self.tables[-1][1] += a.get("scope") in ("row", "col")
        if tag == "svg":
            self.svgs.append(a)
        if tag == "figcaption":
            self.cap = a["id"]
            self.caps[self.cap] = ""
        if tag == "tr" and "data-category" in a:
            self.row = {"category": a["data-category"], "group": ""}
            self.rows.append(self.row)
            self.cell = None
        if self.row is not None and tag == "th":
            self.cell = "group"
        if self.row is not None and tag == "td":
            self.cell = a.get("data-f")
            if self.cell:
                self.row[self.cell] = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.cell = None
        if tag == "tr":
            self.row = None
        if tag == "figcaption":
            self.cap = None

    def handle_data(self, data):
        if self.cap:
            self.caps[self.cap] += data
        if self.row is not None and self.cell:
            self.row[self.cell] += data


p = P()
p.feed(text)
assert p.csp and "default-src 'none'" in p.csp and not p.refs, (p.csp, p.refs[:3])
assert p.heads[0] == 1 and all(b <= a + 1 for a, b in zip(p.heads, p.heads[1:])), p.heads
assert all(t[2] and t[0] == t[1] for t in p.tables) and len(p.ids) == len(set(p.ids))
for s in p.svgs:
    assert s["role"] == "img" and re.search(r"\d", p.caps[s["aria-labelledby"]])
print(f"self-contained, CSP, {len(p.heads)} headings in order, {len(p.tables)} tables captioned, "
      f"{len(p.svgs)} labelled charts, ids unique")
pct = lambda x: f"{100 * x:.1f}%"
def pts(x):
    s = f"{100 * x:.1f}"
    return ("+" if x > 0 and s != "0.0" else "") + s.replace("-", "\u2212").replace("\u22120.0", "0.0") + " pt"
assert len(p.rows) == len(d["rows"])
for h, r in zip(p.rows, d["rows"]):
    assert h["category"] == r["category"] and h["group"] == r["group"], (h, r)
    assert h["poor_rate"] == pct(r["poor_rate"]) and h["responses"] == f"{r['n']:,}", (h, r)
    assert h["diff"] == pts(r["poor_rate"] - r["poor_rate_baseline"]), (h, r)
    assert h["verdict"].split(" ", 1)[1] == r["verdict"], (h, r)
worse = sum(r["verdict"] == "worse" for r in d["rows"])
print(f"{len(p.rows)} rows equal compare.json's (rates, differences recomputed, n, verdicts); {worse} worse")
