#!/usr/bin/env python3
"""Structure of report.html (issue 19), parsed by html.parser."""
import json, re, sys
from html.parser import HTMLParser

out = sys.argv[1]
text = open(out + "/report.html", encoding="utf-8").read()
d = json.load(open(out + "/summary.json"))


class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.ids, self.heads, self.tables = [], [], [], []
        self.svgs, self.caps, self.refs, self.csp = [], {}, [], None
        self.cur_cap = None
        self.rows, self.cur_row, self.cell = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if re.fullmatch(r"h[1-6]", tag):
            self.heads.append(int(tag[1]))
        for k, v in attrs:
            if k in ("src", "href", "xlink:href", "action", "srcset", "poster", "data") and v and not v.startswith("#"):
                self.refs.append((tag, k, v))
            if k.startswith("on"):
                self.refs.append((tag, k, v))
        if tag in ("script", "link", "iframe", "img", "object", "embed", "base"):
            self.refs.append((tag, "", ""))
        if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy":
            self.csp = a.get("content")
        if tag == "table":
            self.tables.append({"caption": False, "th": 0, "th_scoped": 0})
        if tag == "caption":
            self.tables[-1]["caption"] = True
        if tag == "th":
            self.tables[-1]["th"] += 1
            self.tables[-1]["th_scoped"] += a.get("scope") in ("col", "row")
        if tag == "svg":
            self.svgs.append(a)
        if tag == "figcaption":
            self.cur_cap = a.get("id")
            self.caps[self.cur_cap] = ""
        if tag == "tr" and a.get("data-category"):
            self.cur_row = {"category": a["data-category"]}
            self.rows.append(self.cur_row)
        if tag == "td" and self.cur_row is not None and a.get("data-f"):
            self.cell = a["data-f"]
            self.cur_row[self.cell] = ""

    def handle_endtag(self, tag):
        if tag == "figcaption":
            self.cur_cap = None
        if tag == "td":
            self.cell = None
        if tag == "tr":
            self.cur_row = None

    def handle_data(self, data):
        if self.cur_cap:
            self.caps[self.cur_cap] += data
        if self.cell:
            self.cur_row[self.cell] += data


p = P()
p.feed(text)
assert p.csp and "default-src 'none'" in p.csp and "script-src" not in p.csp, p.csp
assert not p.refs, p.refs[:5]
assert not re.search(r"url\((?!#)", text) and "@import" not in text, "external CSS reference"
print("no reference to another file or host; CSP:", p.csp.split(";")[0])
assert p.heads[0] == 1 and p.heads.count(1) == 1
assert all(b <= a + 1 for a, b in zip(p.heads, p.heads[1:])), p.heads
print(f"headings in order: {len(p.heads)} (h1 once, no level skipped)")
assert p.tables and all(t["caption"] and t["th"] == t["th_scoped"] for t in p.tables)
print(f"{len(p.tables)} tables, each with a caption and every <th> scoped")
assert len(p.ids) == len(set(p.ids)), [i for i in p.ids if p.ids.count(i) > 1][:5]
print(f"{len(p.ids)} ids, all unique (the charts' ids prefixed)")
for s in p.svgs:
    assert s.get("role") == "img" and "width" not in s and "height" not in s, s
    lab = s["aria-labelledby"]
    assert lab in p.caps and len(p.caps[lab]) > 20, lab
assert len(p.svgs) >= 4
n_figs = sum(1 for c in p.caps.values() if re.search(r"\d", c))
print(f"{len(p.svgs)} inline charts, each role=img labelled by a caption naming figures ({n_figs} with numbers)")
# the headline, formatted here from summary.json
pct = lambda x: f"{100 * x:.1f}%"
def pts(x):
    s = f"{100 * x:.1f}"
    return ("+" if x > 0 and s != "0.0" else "") + s.replace("-", "\u2212") + " pt"
rows = d["review"]["rows"]
assert len(p.rows) == len(rows)
for r, h in zip(rows, p.rows):
    assert h["category"] == r["category"]
    assert h["poor_rate"] == pct(r["poor"] / r["responses"]) == pct(r["poor_rate"]), (h, r)
    assert h["responses"] == f"{r['responses']:,}", (h, r)
    assert h["previous_poor_rate"] == pct(r["previous"]["poor"] / r["previous"]["responses"]), (h, r)
    assert h["diff"] == pts(r["poor"] / r["responses"] - r["previous"]["poor"] / r["previous"]["responses"]), (h, r)
    assert h["verdict"].split(" ", 1)[1] == r["verdict"], (h, r)
print(f"headline: {len(rows)} rows equal summary.json's review (poor/responses recomputed)")
print("minor scales collapsed:", "<details>" in text and "Minor scales" in text)
print("sections:", ", ".join(re.findall(r'<h2 id="h-([a-z]+)"', text)))
# each category's score table: counts from summary.json, shares recomputed
checked = 0
for cat in ("overall", "audio", "video", "screenshare"):
    m = re.search(r'<table id="t-%s-dist">(.*?)</table>' % cat, text, re.S)
    if not m:
        continue
    got = re.findall(r'<tr><th scope="row">([^<]*)</th><td class="n">([^<]*)</td><td class="n">([^<]*)</td>', m.group(1))
    n = sum(int(c.replace(",", "")) for _, c, _ in got)
    g = next(g for g in d["categories"] if g["category"] == cat and g["responses"] == n
             and [str(b["score"]) for b in g["distribution"]] == [s for s, _, _ in got])
    for (s, c, sh), b in zip(got, g["distribution"]):
        assert c == f"{b['responses']:,}" and sh == pct(b["responses"] / n), (cat, s, c, sh)
    sec = text[text.index('id="cat-%s"' % cat):]
    assert f"median {g['median']:.1f}" in sec[:2000] and f"{n:,} responses" in sec[:2000], cat
    checked += 1
print(f"score tables of {checked} categories: counts, shares (count / n) and medians as computed here")
# the header and Data quality name this run's inputs, as summary.json's run
# (a run from --db alone has none: the header says so, no table)
assert d["run"]["inputs"] == [] and 'Inputs: none this run' in text and 't-inputs' not in text
out = sys.argv[2]
text = open(out + "/report.html", encoding="utf-8").read()
d = json.load(open(out + "/summary.json"))
m = re.search(r'<table id="t-inputs">(.*?)</table>', text, re.S)
got = re.findall(r'<tr><th scope="row">([^<]*)</th><td>([^<]*)</td><td class="n">([^<]*)</td><td class="n">([^<]*)</td><td class="n">([^<]*)</td>', m.group(1))
want = [(i["path"], i["kind"], f"{i['bytes']:,}", f"{i['read']:,}", f"{i['stored']:,}") for i in d["run"]["inputs"]]
assert got == want, (got, want)
assert re.search(r'<p class="meta">Inputs: ' + re.escape(d["run"]["inputs"][0]["path"]), text)
print(f"inputs: {len(got)} rows equal summary.json's run.inputs")
