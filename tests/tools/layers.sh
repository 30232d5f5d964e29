#!/bin/sh
# tests/tools/layers.sh [SRC]: the include graph of src/ is a straight
# pipeline.  Layers, lowest first (a file may include its own layer and
# any lower one, never a higher one):
#
#   0 core     allocation, errors, time, UTF-8, files, growable buffer
#   1 stats    statistics over plain numbers
#   2 model    data-only types: surveys, events, filters, rows, the report
#              model, review, comparison, run info, privacy
#   3 ingest   readers of the exports         3 gen   synthetic exports
#   4 store    SQLite: load, query, export rows
#   5 render   JSON, CSV, charts, XLSX from plain data and row callbacks
#   6 report   statistics, review and template steps over the store, handed
#              to the renderers
#   7 cmd      one run function per command (the orchestration)
#   8 main.c   the command line
#
# Two modules of one layer (ingest, gen) may not include each other.
# Besides the layer order, no two files may depend on each other, directly
# or through others (no cycle), where a file is x.c with its x.h, and a
# header without a .c of its own (xlsx_internal.h, schema.sql.h) stands
# for what it includes.  Prints every violation and exits 1, else one line
# and 0.
SRC=${1:-src}
cd "$SRC" || exit 2
{ find . -name '*.c' | sed 's|^\./||; s|^|unit |'
find . -name '*.[ch]' | sed 's|^\./||' | sort | while read -r f; do
    grep -o '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*"' "$f" |
        sed 's/.*"\(.*\)"/\1/' | while read -r h; do printf '%s %s\n' "$f" "$h"; done
done; } | awk '
function module(p) { return p ~ /\// ? substr(p, 1, index(p, "/") - 1) : "main" }
function stem(p) { sub(/\.[ch]$/, "", p); return p }
BEGIN {
    rank["core"] = 0; rank["stats"] = 1; rank["model"] = 2; rank["ingest"] = 3
    rank["gen"] = 3; rank["store"] = 4; rank["render"] = 5; rank["report"] = 6
    rank["cmd"] = 7; rank["main"] = 8
    bad = 0
}
$1 == "unit" { unit[stem($2)] = 1; next }
{
    from = $1; to = $2
    if (to !~ /\//) { print "layers: " from " includes \"" to "\" without its module"; bad = 1; next }
    fm = module(from); tm = module(to)
    if (!(fm in rank) || !(tm in rank)) { print "layers: unknown module in " from " -> " to; bad = 1; next }
    if (fm != tm && rank[tm] >= rank[fm]) {
        print "layers: " from " (" fm ", layer " rank[fm] ") includes " to " (" tm ", layer " rank[tm] ")"
        bad = 1
    }
    a = stem(from); b = stem(to)
    if (a != b && !((a, b) in seen)) { seen[a, b] = 1; raw[a] = raw[a] " " b; nodes[a] = 1; nodes[b] = 1 }
}
# the units a file depends on: through headers without a .c
function reach(n, from,    i, k, parts, m) {
    k = split(raw[n], parts, " ")
    for (i = 1; i <= k; i++) {
        m = parts[i]
        if ((from, m) in got) continue
        got[from, m] = 1
        if (m in unit) { if (m != from) adj[from] = adj[from] " " m }
        else reach(m, from)
    }
}
function visit(n,    i, j, k, c, low, parts, m, path) {
    state[n] = 1; stack[++depth] = n
    k = split(adj[n], parts, " ")
    for (i = 1; i <= k; i++) {
        m = parts[i]
        if (state[m] == 1) { # the cycle, printed from its first name
            c = 0
            for (j = depth; j >= 1 && stack[j] != m; j--) cyc[++c] = stack[j]
            cyc[++c] = m
            low = 1
            for (j = 2; j <= c; j++) if (cyc[j] < cyc[low]) low = j
            path = cyc[low]
            for (j = 1; j <= c; j++) path = path " -> " cyc[(low - j + c - 1) % c + 1]
            print "layers: include cycle: " path
            bad = 1
        } else if (!state[m]) visit(m)
    }
    depth--; state[n] = 2
}
END {
    for (n in nodes) if (n in unit) reach(n, n)
    for (n in unit) if (!state[n]) visit(n)
    if (bad) exit 1
    printf "layers: %d headers and units (x.c with x.h): includes in layer order, no cycle\n", length(nodes)
}'
