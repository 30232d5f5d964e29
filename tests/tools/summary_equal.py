#!/usr/bin/env python3
"""tests/tools/summary_equal.py A.json B.json [--skip KEY.PATH ...]

Compares the statistics of two summary.json (or compare.json) documents:
every number, string, boolean and list, exact except real numbers, which
may differ by 1e-9 (relative to their size, at least 1e-9 absolute).
Integers must be equal.  The sections that describe the run rather than
the data (run, database, custom, call_join, meta, template, steps,
generated: the inputs and their joins, not the surveys' figures) are
left out unless --all; --skip drops more (a dotted path: totals.calls).
Prints every difference (up to 40) and exits 1 when there is one.
"""
import json
import sys

RUN_KEYS = {"run", "database", "custom", "call_join", "meta", "template", "steps", "generated"}


def walk(a, b, path, out, skip):
    if path in skip:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            p = f"{path}.{k}" if path else k
            if p in skip:
                continue
            if k not in a or k not in b:
                out.append(f"{p}: only in {'A' if k in a else 'B'}")
                continue
            walk(a[k], b[k], p, out, skip)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} items against {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)):
            walk(x, y, f"{path}[{i}]", out, skip)
    elif isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        if a is not b and a != b:
            out.append(f"{path}: {a!r} against {b!r}")
    elif isinstance(a, int) and isinstance(b, int):
        if a != b:
            out.append(f"{path}: {a} against {b}")
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if abs(a - b) > 1e-9 * max(1.0, abs(a), abs(b)):
            out.append(f"{path}: {a!r} against {b!r}")
    elif a != b:
        out.append(f"{path}: {a!r} against {b!r}")


def main(argv):
    args = argv[1:]
    every = "--all" in args
    args = [x for x in args if x != "--all"]
    skip = set()
    while "--skip" in args:
        i = args.index("--skip")
        skip.add(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    a, b = (json.load(open(p, encoding="utf-8")) for p in args)
    if not every:
        skip |= RUN_KEYS
    out = []
    walk(a, b, "", out, skip)
    for line in out[:40]:
        print(f"{args[0]} vs {args[1]}: {line}")
    if len(out) > 40:
        print(f"... {len(out) - 40} more differences")
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
