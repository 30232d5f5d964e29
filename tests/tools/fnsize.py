#!/usr/bin/env python3
"""tests/tools/fnsize.py: size limits of the C sources (make check-size).

    fnsize.py [--max-fn N] [--max-file N] [--list N] PATH...
    fnsize.py --dups PATH...

Each PATH is a .c/.h file or a directory searched for them.  A function is
counted from its first line (the return type, on its own line in this
project's style) to its closing brace: a definition is a line that is just
"{" in column 0 and ends at the next line that is just "}" (the style puts
both braces of a function there and indents every inner one).  Files count
all their lines.

Prints "file:line: function NAME is L lines (max N)" and "file: L lines
(max N)" for every one over its limit, then a summary line, and exits 1 when
anything is over, 0 when nothing is, 2 on a usage error.  --list N also
prints the N longest functions (for reports; does not change the status).

--dups instead lists functions defined more than once with the same body
(comments, whitespace and braces ignored; bodies of at least 200 such
characters, so one-line helpers do not count), e.g. a copy of core/utf8's
decoder in another module, and exits 1 when there is one.
"""
import os
import re
import sys

NAME = re.compile(r'^(?:[A-Za-z_][\w \t\*]*?[\s\*])?([A-Za-z_]\w*)\s*\(')
TYPE_ONLY = re.compile(r'^[A-Za-z_][\w \t\*]*$')


def sources(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for f in sorted(files):
                    if f.endswith(('.c', '.h')):
                        yield os.path.join(root, f)
        else:
            yield p


def functions(path, bodies=None):
    """(name, first line, length in lines) of each function in path; with
    bodies (a dict), also files each normalized body under its text."""
    with open(path, encoding='utf-8', errors='replace') as fh:
        lines = fh.read().split('\n')
    out = []
    i = 0
    while i < len(lines):
        if lines[i].rstrip() != '{':
            i += 1
            continue
        # the declaration: walk back to the line that names the function
        j = i - 1
        while j >= 0 and not NAME.match(lines[j]):
            j -= 1
        if j < 0:
            i += 1
            continue
        name = NAME.match(lines[j]).group(1)
        start = j
        if j > 0 and TYPE_ONLY.match(lines[j - 1].rstrip()) and \
                not lines[j - 1].startswith(('#', 'return')):
            start = j - 1
        k = i + 1
        while k < len(lines) and lines[k].rstrip() != '}':
            k += 1
        out.append((name, start + 1, k - start + 1))
        if bodies is not None:
            body = '\n'.join(lines[i + 1:k])
            body = re.sub(r'/\*.*?\*/|//[^\n]*', '', body, flags=re.S)
            body = re.sub(r'[\s{}]', '', body)
            if len(body) >= 200:
                bodies.setdefault(body, []).append(f'{path}:{start + 1}: {name}')
        i = k + 1
    return out, len(lines) - (1 if lines and lines[-1] == '' else 0)


def main(argv):
    max_fn, max_file, listn, paths, dups = 120, 1000, 0, [], False
    it = iter(argv)
    for a in it:
        try:
            if a == '--max-fn':
                max_fn = int(next(it))
            elif a == '--max-file':
                max_file = int(next(it))
            elif a == '--dups':
                dups = True
            elif a == '--list':
                listn = int(next(it))
            elif a.startswith('-'):
                raise ValueError(a)
            else:
                paths.append(a)
        except (StopIteration, ValueError):
            print(__doc__.split('\n\n')[1], file=sys.stderr)
            return 2
    if not paths:
        print(__doc__.split('\n\n')[1], file=sys.stderr)
        return 2
    if dups:
        bodies = {}
        for path in sources(paths):
            functions(path, bodies)
        same = [sorted(v) for v in bodies.values() if len(v) > 1]
        for group in sorted(same):
            print('same body: ' + ', '.join(group))
        print(f'check-dups: {len(same)} function bodies defined more than once')
        return 1 if same else 0
    over = 0
    allfn = []
    nfiles = 0
    for path in sources(paths):
        nfiles += 1
        fns, nlines = functions(path)
        if nlines > max_file:
            print(f'{path}: {nlines} lines (max {max_file})')
            over += 1
        for name, line, n in fns:
            allfn.append((n, path, line, name))
            if n > max_fn:
                print(f'{path}:{line}: function {name} is {n} lines '
                      f'(max {max_fn})')
                over += 1
    for n, path, line, name in sorted(allfn, reverse=True)[:listn]:
        print(f'  {n:5d}  {name}  {path}:{line}')
    print(f'check-size: {nfiles} files, {len(allfn)} functions, '
          f'{over} over the limits (function {max_fn}, file {max_file} lines)')
    return 1 if over else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
