/*
 * ingest/json_read.c: JSON texts to records, with jsmn.
 *
 * jsmn tokenizes in place without allocating per value (DESIGN.md §3: the
 * ingest hot path), so a record costs one pass of the tokenizer plus one
 * walk of its tokens.  One JSON text may be a record (flat Log Analytics
 * columns, or the diagnostic-log envelope with a nested "properties"
 * object), an array of records, a {"records":[...]} wrapper (Event Hubs), or
 * a {"tables":[...]} REST response whose rows are mapped through its
 * "columns".  Keys match case-insensitively through cs_field_lookup.
 */
#define JSMN_STRICT
#define JSMN_STATIC
/* Parent links: without them jsmn finds the enclosing object of every ','
 * by scanning back over the tokens before it, quadratic in a wide object
 * (one custom event with 100,000 keys took 5.5 s to read; now linear). */
#define JSMN_PARENT_LINKS
#include <jsmn_cs.h> /* <jsmn.h> with mk/jsmn-skip.patch (Makefile) */

#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "ingest/ingest_int.h"

#define TOKS_MAX (4u << 20) /* tokens in one JSON text: 64 MiB of tokens */

/* index just past the subtree of token i */
static int
tok_skip(const jsmntok_t *t, int i)
{
    int remaining = 1;
    while (remaining > 0) {
        remaining += t[i].size;
        remaining--;
        i++;
    }
    return i;
}

/* Is string token t the key `lower` (n bytes) in any ASCII case?  The
 * length is the caller's constant: every line's keys are checked against
 * "records" and "tables", and a strlen per key was 1% of a 1M-survey
 * report (issue 22). */
static bool
tok_is_n(const char *js, const jsmntok_t *t, const char *lower, size_t n)
{
    if (t->type != JSMN_STRING || (size_t)(t->end - t->start) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((js[t->start + i] | 0x20) != lower[i])
            return false;
    return true;
}
#define tok_is(js, t, lit) tok_is_n((js), (t), "" lit, sizeof lit - 1)

static uint64_t
line_at(const char *js, int from, int to, uint64_t line)
{
    for (int i = from; i < to; i++)
        if (js[i] == '\n')
            line++;
    return line;
}

/* Hand value token v (for field f) to the record builder. */
static void
set_value(struct cs_ingest_run *run, struct cs_recbuild *b, int f,
          const char *js, const jsmntok_t *v)
{
    const char *s = js + v->start;
    size_t n = (size_t)(v->end - v->start);
    switch (v->type) {
    case JSMN_STRING:
        if (memchr(s, '\\', n)) {
            size_t m = cs_json_unescape(s, n, run->scratch, CS_RAW_MAX);
            if (m != (size_t)-1) {
                cs_recbuild_set(b, f, run->scratch, m, V_STRING);
                return;
            }
        }
        cs_recbuild_set(b, f, s, n, V_STRING);
        return;
    case JSMN_PRIMITIVE:
        cs_recbuild_set(b, f, s, n,
                        s[0] == 'n'                    ? V_NULL
                        : (s[0] == 't' || s[0] == 'f') ? V_BOOL
                                                       : V_NUMBER);
        return;
    default:
        cs_recbuild_set(b, f, s, n, V_COMPOUND);
        return;
    }
}

/* Walk the pairs of object token `o` into the builder; descends into a
 * nested "properties" object once.  Returns the index after the object. */
/* The fields of a record's keys in the order is_event looks them up (top
 * keys, and a "properties" object's keys at its place), which is the order
 * walk_object visits them in: so each key is looked up once, not twice.
 * Keys past KEYMEMO_MAX are looked up again. */
#define KEYMEMO_MAX 64
struct keymemo {
    int n, pos;
    int f[KEYMEMO_MAX];
};

static inline int
memo_lookup(struct keymemo *m, const char *js, const jsmntok_t *key)
{
    int f = cs_field_lookup(js + key->start, (size_t)(key->end - key->start));
    if (m->n < KEYMEMO_MAX)
        m->f[m->n] = f;
    m->n++;
    return f;
}

static inline int
memo_next(struct keymemo *m, const char *js, const jsmntok_t *key)
{
    int k = m->pos++;
    if (k < m->n && k < KEYMEMO_MAX)
        return m->f[k];
    return cs_field_lookup(js + key->start, (size_t)(key->end - key->start));
}

static int
walk_object(struct cs_ingest_run *run, struct cs_recbuild *b, const char *js,
            const jsmntok_t *t, int o, int depth, struct keymemo *m)
{
    int i = o + 1;
    for (int k = 0; k < t[o].size; k++) {
        const jsmntok_t *key = &t[i];
        const jsmntok_t *val = &t[i + 1];
        int f = memo_next(m, js, key);
        if (f == F_PROPERTIES && val->type == JSMN_OBJECT && depth == 0) {
            walk_object(run, b, js, t, i + 1, depth + 1, m);
        } else if (f != F_NONE && f != F_PROPERTIES) {
            set_value(run, b, f, js, val);
        }
        i = tok_skip(t, i + 1);
    }
    return i;
}

/* Is object o a custom event rather than a survey record?  Events carry
 * customDimensions, or name + Properties (AppEvents); survey records carry
 * SurveyId or rating columns, at the top or inside "properties". */
static bool
is_event(const char *js, const jsmntok_t *t, int o, int *name, int *tm,
         int *dims, int *meas, int ctx[3], struct keymemo *m)
{
    bool survey = false, has_dims = false, has_props_obj = false;
    *name = *tm = *dims = *meas = -1;
    ctx[0] = ctx[1] = ctx[2] = -1;
    int i = o + 1;
    for (int k = 0; k < t[o].size; k++) {
        int f = memo_lookup(m, js, &t[i]);
        const jsmntok_t *v = &t[i + 1];
        if (f == F_SURVEY || f >= F_CAT0)
            survey = true;
        else if (f == F_NAME)
            *name = i + 1;
        else if (f == F_TIME)
            *tm = i + 1;
        else if (f == F_CUSTOMDIM) {
            has_dims = true;
            *dims = i + 1;
        } else if (f == F_CUSTOMMEAS)
            *meas = i + 1;
        else if (f >= F_APPVER && f <= F_BROWSER)
            ctx[f - F_APPVER] = i + 1;
        else if (f == F_PROPERTIES) {
            if (v->type == JSMN_OBJECT) {
                int j = i + 2;
                for (int q = 0; q < v->size; q++) {
                    int g = memo_lookup(m, js, &t[j]);
                    if (g == F_SURVEY || g >= F_CAT0)
                        survey = true;
                    j = tok_skip(t, j + 1);
                }
                has_props_obj = true;
            }
            if (*dims < 0)
                *dims = i + 1;
        }
        i = tok_skip(t, i + 1);
    }
    return !survey && (has_dims || (*name >= 0 && (has_props_obj || *dims >= 0)));
}

static cs_status
emit_event(struct cs_ingest_run *run, const char *js, const jsmntok_t *t, int o,
           uint64_t line, uint32_t index, int name, int tm, int dims, int meas,
           const int ctx[3])
{
    struct cs_event_ctx cx = {0};
    for (int k = 0; ctx && k < 3; k++)
        if (ctx[k] >= 0 && t[ctx[k]].type == JSMN_STRING) {
            cx.s[k] = js + t[ctx[k]].start;
            cx.len[k] = (size_t)(t[ctx[k]].end - t[ctx[k]].start);
        }
    char *dbuf = NULL, *mbuf = NULL;
    const char *d = NULL, *m = NULL;
    size_t dl = 0, ml = 0;
    /* a bag is an object, or JSON text in a string (escaped) */
    if (dims >= 0) {
        d = js + t[dims].start;
        dl = (size_t)(t[dims].end - t[dims].start);
        if (t[dims].type == JSMN_STRING) {
            dbuf = xmalloc(dl + 1);
            size_t k = cs_json_unescape(d, dl, dbuf, dl + 1);
            d = k == (size_t)-1 ? NULL : dbuf;
            dl = k == (size_t)-1 ? 0 : k;
        }
    }
    if (meas >= 0) {
        m = js + t[meas].start;
        ml = (size_t)(t[meas].end - t[meas].start);
        if (t[meas].type == JSMN_STRING) {
            mbuf = xmalloc(ml + 1);
            size_t k = cs_json_unescape(m, ml, mbuf, ml + 1);
            m = k == (size_t)-1 ? NULL : mbuf;
            ml = k == (size_t)-1 ? 0 : k;
        }
    }
    cs_status s = cs_event_emit(
        run, name >= 0 ? js + t[name].start : NULL,
        name >= 0 ? (size_t)(t[name].end - t[name].start) : 0,
        tm >= 0 ? js + t[tm].start : NULL,
        tm >= 0 && t[tm].type == JSMN_STRING ? (size_t)(t[tm].end - t[tm].start) : 0,
        d, dl, m, ml, js + t[o].start, (size_t)(t[o].end - t[o].start), line, index, &cx);
    xfree(dbuf);
    xfree(mbuf);
    return s;
}

/* jsmn does not insist on commas: in {"a":1 "b":2} the second pair hangs
 * off the first key.  A well-formed object has string keys with exactly one
 * value each; check the object and any nested object we read keys from. */
static bool
object_well_formed(const jsmntok_t *t, int o, int depth)
{
    int i = o + 1;
    for (int k = 0; k < t[o].size; k++) {
        if (t[i].type != JSMN_STRING || t[i].size != 1)
            return false;
        /* only the levels whose keys are read: the record and "properties"
         * (a bounded recursion, whatever the nesting of the input) */
        if (depth < 1 && t[i + 1].type == JSMN_OBJECT &&
            !object_well_formed(t, i + 1, depth + 1))
            return false;
        i = tok_skip(t, i + 1);
    }
    return true;
}

static cs_status
emit_object(struct cs_ingest_run *run, const char *js, const jsmntok_t *t,
            int o, uint64_t line, uint32_t index)
{
    if (!object_well_formed(t, o, 0))
        return cs_run_reject_raw(run, line, index, js + t[o].start,
                                 (size_t)(t[o].end - t[o].start),
                                 "malformed JSON: a member without a value or a "
                                 "missing ',' between members.");
    int name, tm, dims, meas, ctx[3];
    struct keymemo m;
    m.n = m.pos = 0;
    if (is_event(js, t, o, &name, &tm, &dims, &meas, ctx, &m))
        return emit_event(run, js, t, o, line, index, name, tm, dims, meas, ctx);
    struct cs_recbuild b;
    struct cs_record *r = cs_run_slot(run);
    cs_recbuild_begin(&b, r, run->opts->date_order);
    walk_object(run, &b, js, t, o, 0, &m);
    r->line = line;
    r->index = index;
    bool ok = cs_recbuild_finish(&b);
    return cs_run_emit(run, ok, js + t[o].start,
                       (size_t)(t[o].end - t[o].start));
}

static cs_status emit_event(struct cs_ingest_run *run, const char *js,
                            const jsmntok_t *t, int o, uint64_t line,
                            uint32_t index, int name, int tm, int dims, int meas,
                            const int ctx[3]);

/* The value tokens of row array r at columns cols[0..7) (-1: none). */
static void
row_values(const jsmntok_t *t, int r, const int cols[7], int out[7])
{
    for (int k = 0; k < 7; k++)
        out[k] = -1;
    int v = r + 1;
    for (int p = 0; p < t[r].size; p++) {
        for (int k = 0; k < 7; k++)
            if (p == cols[k])
                out[k] = v;
        v = tok_skip(t, v);
    }
}

/* {"tables":[{"name":..,"columns":[{"name":..},..],"rows":[[..],..]}]} */
static cs_status
emit_tables(struct cs_ingest_run *run, const char *js, const jsmntok_t *t,
            int arr, uint64_t line)
{
    int i = arr + 1;
    for (int k = 0; k < t[arr].size; k++) {
        int tbl = i;
        int cols = -1, rows = -1;
        if (t[tbl].type == JSMN_OBJECT && object_well_formed(t, tbl, 1)) {
            int j = tbl + 1;
            for (int p = 0; p < t[tbl].size; p++) {
                if (tok_is(js, &t[j], "columns") && t[j + 1].type == JSMN_ARRAY)
                    cols = j + 1;
                if (tok_is(js, &t[j], "rows") && t[j + 1].type == JSMN_ARRAY)
                    rows = j + 1;
                j = tok_skip(t, j + 1);
            }
        }
        i = tok_skip(t, tbl);
        if (cols < 0 || rows < 0) {
            if (cs_run_reject_raw(run, line_at(js, 0, t[tbl].start, line), 0,
                                  js + t[tbl].start,
                                  (size_t)(t[tbl].end - t[tbl].start),
                                  "a table of the \"tables\" response has no "
                                  "\"columns\" or \"rows\" array."))
                return run->status;
            continue;
        }
        int ncol = t[cols].size;
        int *fmap = xmalloc(sizeof(int) * (size_t)(ncol ? ncol : 1));
        int c = cols + 1;
        for (int q = 0; q < ncol; q++) {
            fmap[q] = F_NONE;
            if (t[c].type == JSMN_OBJECT && object_well_formed(t, c, 1)) {
                int j = c + 1;
                for (int p = 0; p < t[c].size; p++) {
                    if (tok_is(js, &t[j], "name"))
                        fmap[q] = cs_field_lookup(js + t[j + 1].start,
                                                  (size_t)(t[j + 1].end -
                                                           t[j + 1].start));
                    j = tok_skip(t, j + 1);
                }
            }
            c = tok_skip(t, c);
        }
        /* a table of customEvents: no rating column, a bag column */
        bool events = false, rating = false;
        int c_name = -1, c_time = -1, c_dims = -1, c_meas = -1;
        int c_ctx[3] = {-1, -1, -1};
        for (int q = 0; q < ncol; q++) {
            if (fmap[q] >= F_CAT0)
                rating = true;
            if (fmap[q] == F_NAME)
                c_name = q;
            if (fmap[q] == F_TIME)
                c_time = q;
            if ((fmap[q] == F_CUSTOMDIM || fmap[q] == F_PROPERTIES) && c_dims < 0)
                c_dims = q;
            if (fmap[q] == F_CUSTOMMEAS)
                c_meas = q;
            if (fmap[q] >= F_APPVER && fmap[q] <= F_BROWSER)
                c_ctx[fmap[q] - F_APPVER] = q;
        }
        events = !rating && c_dims >= 0;
        int r = rows + 1;
        uint64_t ln = line_at(js, 0, t[rows].start, line);
        int last = t[rows].start;
        for (int q = 0; q < t[rows].size; q++) {
            ln = line_at(js, last, t[r].start, ln);
            last = t[r].start;
            if (events && t[r].type == JSMN_ARRAY) {
                /* name time dims meas, then app version, client OS, browser */
                const int want[7] = {c_name, c_time, c_dims, c_meas, c_ctx[0], c_ctx[1], c_ctx[2]};
                int vt[7];
                row_values(t, r, want, vt);
                const int *vc = vt + 4;
                if (emit_event(run, js, t, r, ln, (uint32_t)q, vt[0], vt[1], vt[2], vt[3], vc)) {
                    xfree(fmap);
                    return run->status;
                }
                r = tok_skip(t, r);
                continue;
            }
            struct cs_recbuild b;
            struct cs_record *rec = cs_run_slot(run);
            cs_recbuild_begin(&b, rec, run->opts->date_order);
            int nvals = t[r].type == JSMN_ARRAY ? t[r].size : 0;
            int v = r + 1;
            for (int p = 0; p < nvals; p++) {
                if (p < ncol && fmap[p] != F_NONE && fmap[p] != F_PROPERTIES)
                    set_value(run, &b, fmap[p], js, &t[v]);
                v = tok_skip(t, v);
            }
            rec->line = ln;
            rec->index = (uint32_t)q;
            bool ok = cs_recbuild_finish(&b);
            if (ok && nvals != ncol) {
                ok = false;
                snprintf(rec->reason, sizeof rec->reason,
                         "the row has %d values but the table has %d columns.",
                         nvals, ncol);
            }
            if (cs_run_emit(run, ok, js + t[r].start,
                            (size_t)(t[r].end - t[r].start))) {
                xfree(fmap);
                return run->status;
            }
            r = tok_skip(t, r);
        }
        xfree(fmap);
    }
    return CS_OK;
}

static const char *
jsmn_why(int rc)
{
    switch (rc) {
    case JSMN_ERROR_INVAL: return "invalid character";
    case JSMN_ERROR_PART: return "incomplete (truncated?)";
    case JSMN_ERROR_NOMEM: return "too many values";
    default: return "unexpected structure";
    }
}

cs_status
cs_json_handle(struct cs_ingest_run *run, const char *js, size_t len,
               uint64_t line)
{
    jsmntok_t *t = run->toks;
    int n;
    jsmn_parser jp;
    for (;;) {
        if (run->n_toks == 0) {
            run->n_toks = 4096;
            run->toks = t = xmalloc(sizeof(jsmntok_t) * run->n_toks);
        }
        jsmn_init(&jp);
        n = jsmn_parse(&jp, js, len, t, (unsigned)run->n_toks);
        if (n != JSMN_ERROR_NOMEM || run->n_toks >= TOKS_MAX)
            break;
        run->n_toks *= 4;
        xfree(run->toks);
        run->toks = t = xmalloc(sizeof(jsmntok_t) * run->n_toks);
    }
    if (n < 0)
        return cs_run_reject_raw(run, line, 0, js, len, "malformed JSON: %s.",
                                 jsmn_why(n));
    /* jsmn ends the text at a NUL byte: what follows it ({...}\0{...} on
     * one line) would be dropped unread; the whole text is rejected */
    if (jp.pos < len)
        return cs_run_reject_raw(run, line_at(js, 0, (int)jp.pos, line), 0, js, len,
                                 "malformed JSON: a NUL byte (character %u of the "
                                 "text).",
                                 jp.pos + 1);
    if (n == 0)
        return CS_OK;
    /* jsmn accepts several top-level values; walk them all */
    /* line numbers are counted on from the last value's start, not from
     * the text's: a {"records":[...]} line of 2,500 records rescanned its
     * whole prefix per record (quadratic) */
    int i = 0, last = 0;
    uint32_t index = 0;
    uint64_t ln = line;
    while (i < n) {
        ln = line_at(js, last, t[i].start, ln);
        last = t[i].start;
        if (t[i].type == JSMN_OBJECT) {
            /* wrapper objects: {"records":[...]} and {"tables":[...]} */
            bool wrapper = false;
            /* a key without a value ({"records"}) would make t[j + 1] a
             * token past the object, even past this text's tokens: such an
             * object is no wrapper, emit_object rejects it as malformed */
            if (t[i].size >= 1 && object_well_formed(t, i, 1)) {
                int j = i + 1;
                for (int p = 0; p < t[i].size; p++) {
                    if (tok_is(js, &t[j], "records") &&
                        t[j + 1].type == JSMN_ARRAY) {
                        int a = j + 1, e = a + 1;
                        for (int q = 0; q < t[a].size; q++) {
                            uint64_t el = ln = line_at(js, last, t[e].start, ln);
                            last = t[e].start;
                            if (t[e].type == JSMN_OBJECT) {
                                if (emit_object(run, js, t, e, el, index++))
                                    return run->status;
                            } else if (cs_run_reject_raw(
                                           run, el, index++, js + t[e].start,
                                           (size_t)(t[e].end - t[e].start),
                                           "expected a JSON object (a "
                                           "record) in \"records\".")) {
                                return run->status;
                            }
                            e = tok_skip(t, e);
                        }
                        wrapper = true;
                    } else if (tok_is(js, &t[j], "tables") &&
                               t[j + 1].type == JSMN_ARRAY) {
                        if (emit_tables(run, js, t, j + 1, line))
                            return run->status;
                        wrapper = true;
                    }
                    j = tok_skip(t, j + 1);
                }
            }
            if (!wrapper && emit_object(run, js, t, i, ln, index++))
                return run->status;
        } else if (t[i].type == JSMN_ARRAY) {
            int e = i + 1;
            for (int q = 0; q < t[i].size; q++) {
                uint64_t el = ln = line_at(js, last, t[e].start, ln);
                last = t[e].start;
                if (t[e].type == JSMN_OBJECT) {
                    if (emit_object(run, js, t, e, el, index++))
                        return run->status;
                } else if (cs_run_reject_raw(run, el, index++, js + t[e].start,
                                             (size_t)(t[e].end - t[e].start),
                                             "expected a JSON object (a "
                                             "record) in the array.")) {
                    return run->status;
                }
                e = tok_skip(t, e);
            }
        } else if (cs_run_reject_raw(run, ln, index++, js + t[i].start,
                                     (size_t)(t[i].end - t[i].start),
                                     "expected a JSON object (a record).")) {
            return run->status;
        }
        i = tok_skip(t, i);
    }
    return CS_OK;
}
