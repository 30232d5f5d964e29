#!/usr/bin/env python3
"""An independent computation of summary.json's review rows and tag movers
(issue 17), from the store's `ratings` and `rating_issues` views, with its
own Wilson/Newcombe intervals, z-test, Fisher exact test and Holm
adjustment (Python's math module only; nothing shared with the C code).

usage: review_oracle.py DB SUMMARY_JSON [MIN_N] [MIN_EFFECT_PTS]
Exits 1 naming the first figure that differs (counts exact, rates and
intervals to 1e-9, p-values to 1e-6)."""
import json
import math
import sqlite3
import sys

Z = 1.9599639845400536


def wilson(k, n):
    p = k / n
    d = 2 * (n + Z * Z)
    r = Z * math.sqrt(Z * Z + 4 * k * (n - k) / n)
    lo = 0.0 if k == 0 else max(0.0, (2 * k + Z * Z - r) / d)
    hi = 1.0 if k == n else min(1.0, (2 * k + Z * Z + r) / d)
    return lo, hi


def newcombe(k1, n1, k2, n2):
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson(k1, n1)
    l2, u2 = wilson(k2, n2)
    d = p1 - p2
    return d, d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def needs_exact(k1, n1, k2, n2):
    N = n1 + n2
    col = (k1 + k2, N - k1 - k2)
    return any(r * c < 5 * N for r in (n1, n2) for c in col)


def lchoose(n, k):
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def fisher(a, b, c, d):
    r1, c1, N = a + b, a + c, a + b + c + d
    lo, hi = max(0, c1 - (N - r1)), min(r1, c1)
    lp = [lchoose(c1, x) + lchoose(N - c1, r1 - x) - lchoose(N, r1) for x in range(lo, hi + 1)]
    obs = lp[a - lo]
    return min(1.0, sum(math.exp(v) for v in lp if v <= obs + math.log1p(1e-7)))


def ztest(k1, n1, k2, n2):
    p = (k1 + k2) / (n1 + n2)
    z = (k1 / n1 - k2 / n2) / math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    return math.erfc(abs(z) / math.sqrt(2))


def holm(ps):
    idx = sorted((i for i, p in enumerate(ps) if p is not None), key=lambda i: ps[i])
    m, out, run = len(idx), [None] * len(ps), 0.0
    for j, i in enumerate(idx):
        run = max(run, min(1.0, (m - j) * ps[i]))
        out[i] = run
    return out


def judge(rows, min_n, min_effect):
    """rows: list of (k1, n1, k2, n2) -> list of dicts"""
    res, ps = [], []
    for k1, n1, k2, n2 in rows:
        small = n1 < min_n or n2 < min_n or n1 == 0 or n2 == 0
        r = {"small": small}
        if n1 and n2:
            r["diff"], r["lo"], r["hi"] = newcombe(k1, n1, k2, n2)
            r["test"] = "fisher" if needs_exact(k1, n1, k2, n2) else "z"
            r["p"] = fisher(k1, n1 - k1, k2, n2 - k2) if r["test"] == "fisher" else ztest(k1, n1, k2, n2)
        ps.append(None if small else r["p"])
        res.append(r)
    for r, a in zip(res, holm(ps)):
        r["p_holm"] = a
        if r["small"]:
            r["verdict"] = "too small to judge"
        elif a < 0.05 and abs(r["diff"]) * 100 >= min_effect:
            r["verdict"] = "worse" if r["diff"] > 0 else "better"
        else:
            r["verdict"] = "no evidence"
    return res


def close(what, got, want, tol):
    if want is None or got is None:
        if want is not got:
            sys.exit(f"review_oracle: {what}: summary.json {got}, oracle {want}")
        return
    if abs(got - want) > tol:
        sys.exit(f"review_oracle: {what}: summary.json {got!r}, oracle {want!r}")


def main():
    db, summary = sys.argv[1], sys.argv[2]
    min_n = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    min_effect = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    rv = json.load(open(summary))["review"]
    con = sqlite3.connect(db)

    def us(iso):
        return con.execute("SELECT CAST(round((julianday(?) - 2440587.5) * 86400.0) AS INTEGER) * 1000000",
                           (iso.rstrip("Z"),)).fetchone()[0]

    since, until = us(rv["period"]["since"]), us(rv["period"]["until"])
    prev = rv["previous"]
    psince, puntil = (us(prev["since"]), us(prev["until"])) if prev else (None, None)

    def scales(a, b):
        q = ("SELECT category, lower, upper, threshold, count(*), sum(is_poor) FROM ratings "
             "WHERE time_us >= ? AND time_us < ? GROUP BY 1, 2, 3, 4")
        return {(c, lo, hi, th): (n, k) for c, lo, hi, th, n, k in con.execute(q, (a, b))}

    now = scales(since, until)
    before = scales(psince, puntil) if prev else {}
    cats = ["overall", "audio", "video", "screenshare"]
    primary = []
    for c in cats:
        cand = sorted(((-v[0], s[1], s[2], s[3]) for s, v in now.items() if s[0] == c))
        if cand:
            primary.append((c, cand[0][1], cand[0][2], cand[0][3]))
    rows = rv["rows"]
    if len(rows) != len(primary):
        sys.exit(f"review_oracle: {len(rows)} rows, oracle {len(primary)} categories")
    table = []
    for key, r in zip(primary, rows):
        n, k = now[key]
        n2, k2 = before.get(key, (0, 0))
        if r["category"] != key[0] or [r["scale"][x] for x in ("lower", "upper", "threshold")] != list(key[1:]):
            sys.exit(f"review_oracle: row {r['category']} {r['scale']}, oracle {key}")
        if (r["responses"], r["poor"]) != (n, k):
            sys.exit(f"review_oracle: {key}: responses/poor {r['responses']}/{r['poor']}, oracle {n}/{k}")
        close(f"{key} poor_rate", r["poor_rate"], k / n, 1e-12)
        if prev:
            if (r["previous"]["responses"], r["previous"]["poor"]) != (n2, k2):
                sys.exit(f"review_oracle: {key}: previous {r['previous']}, oracle {n2}/{k2}")
        table.append((k, n, k2, n2))
    if prev:
        for key, r, j in zip(primary, rows, judge(table, min_n, min_effect)):
            if "diff" in j:
                close(f"{key} diff", r["poor_rate_diff"], j["diff"], 1e-9)
                close(f"{key} ci lo", r["poor_rate_diff_ci95"][0], j["lo"], 1e-9)
                close(f"{key} ci hi", r["poor_rate_diff_ci95"][1], j["hi"], 1e-9)
                close(f"{key} p", r["p_poor"], j["p"], 1e-6)
                if r["poor_test"] != j["test"]:
                    sys.exit(f"review_oracle: {key}: test {r['poor_test']}, oracle {j['test']}")
            close(f"{key} p_holm", r["p_poor_holm"], j["p_holm"], 1e-6)
            if r["verdict"] != j["verdict"]:
                sys.exit(f"review_oracle: {key}: verdict {r['verdict']}, oracle {j['verdict']}")
        # tag movers: each listed tag's counts and judgement within its category's table
        for key in primary:
            c = key[0]
            q = ("SELECT issue, count(*) FROM rating_issues i JOIN ratings r USING (survey_id, category) "
                 "WHERE i.known = 1 AND r.category = ? AND r.lower = ? AND r.upper = ? AND r.threshold = ? "
                 "AND r.time_us >= ? AND r.time_us < ? GROUP BY issue")
            tn = dict(con.execute(q, (c, key[1], key[2], key[3], since, until)))
            tb = dict(con.execute(q, (c, key[1], key[2], key[3], psince, puntil)))
            tags = sorted(set(tn) | set(tb))
            n, n2 = now[key][0], before.get(key, (0, 0))[0]
            js = dict(zip(tags, judge([(tn.get(t, 0), n, tb.get(t, 0), n2) for t in tags], min_n, min_effect)))
            listed = [m for m in rv["movers"]["tags"] if m["category"] == c]
            if len(listed) != min(5, len(tags)):
                sys.exit(f"review_oracle: {c}: {len(listed)} tag movers, oracle {min(5, len(tags))}")
            for m in listed:
                j = js[m["tag"]]
                close(f"{c} {m['tag']} share", m["share"], tn.get(m["tag"], 0) / n, 1e-12)
                if n2:
                    close(f"{c} {m['tag']} diff", m["diff"], j["diff"], 1e-9)
                close(f"{c} {m['tag']} p_holm", m["p_holm"], j["p_holm"], 1e-6)
                if m["verdict"] != j["verdict"]:
                    sys.exit(f"review_oracle: {c} {m['tag']}: verdict {m['verdict']}, oracle {j['verdict']}")
    print(f"review_oracle: {len(rows)} rows and {len(rv['movers']['tags'])} tag movers agree")


main()
