/*
 * gen/gen.c: gen_run, the driver of `callsurvey generate`.
 *
 * The period is cut into hours.  Each hour gets its exact share of the
 * n_surveys slots by cumulative rounding of a weight (weekday, and each
 * resource's busy hours), its times are drawn uniformly and sorted, and the
 * slots are synthesized in time order (gen_model.c) and formatted
 * (gen_fmt.c) straight into a large per-file buffer that is written in
 * blocks, so nothing is allocated per record and memory does not grow with
 * n_surveys.
 *
 * Two things arrive out of order and are held briefly: duplicates (an exact
 * repeat or the second half of a split survey) wait 1-40 records in a small
 * fixed queue, as Event Hubs retries do; custom events happen seconds to
 * minutes after their survey and wait in a min-heap until the survey clock
 * passes them, so customEvents files come out time-ordered.  In the
 * storage-account tree every resource has one open hour file; a late record
 * is appended to the open file, as Azure appends blobs as records arrive.
 *
 * Format-only choices (batch sizes of the Event Hubs form) come from a
 * second PRNG stream, so one seed gives the same surveys in every format.
 */
#include "gen/gen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/afile.h"
#include "core/ctime.h"
#include "core/mem.h"
#include "gen/gen_int.h"

#define FLUSH_MAIN (1u << 20)   /* bytes buffered before a write, single files */
#define FLUSH_TREE (192u << 10) /* the same for each hourly file of the tree */
#define N_PEND 64               /* duplicates waiting at most */
#define DUP_DELAY 40            /* a duplicate follows within this many records */

struct out {
    struct cs_afile af; /* the temp file being written */
    struct cs_buf b;    /* bytes not yet written */
    bool open;          /* af is open */
    int64_t hour;       /* tree: hour index (t / GEN_TICKS_PER_HOUR) of the file */
    size_t flush_at;    /* write b out when it holds this much */
};

struct pend {
    struct gen_rec r; /* the record to deliver */
    uint64_t due;     /* deliver once this many primary records are out */
};

struct gen_state {
    const struct gen_opts *o;     /* borrowed */
    struct gen_result *res;       /* borrowed, counters */
    struct cs_err *err;           /* borrowed */
    cs_status st;                 /* sticky: first failure */
    struct gen_model m;           /* survey synthesis and its PRNG */
    struct gen_rng fmt_rng;       /* format-only choices */
    struct gen_resource *resv;    /* owned, n_resources */
    struct out *tree;             /* owned, one per resource (tree form) */
    struct out main;              /* surveys.jsonl / surveys.csv / eventhub-records.json */
    struct out ev_csv, ev_jsonl;  /* customEvents files */
    struct out calls;             /* ACSCallSummary.jsonl / .csv (--calls-format) */
    bool custom;                  /* custom events wanted */
    struct cs_buf scratch;        /* JSON text of dynamic CSV cells */
    uint64_t batch_n, batch_size; /* Event Hubs form: records in the open object, its size */
    struct pend pend[N_PEND];     /* waiting duplicates, in scheduling order */
    int n_pend;                   /* entries in pend */
    uint64_t n_primary;           /* primary (non-duplicate) records out */
    struct gen_event *heap;       /* owned min-heap of waiting custom events */
    size_t n_heap, cap_heap;      /* entries, capacity */
    uint64_t ev_seq;              /* next event sequence number */
};

/* ---- Private helpers: output files ------------------------------------ */

static void
out_init(struct out *o, size_t flush_at)
{
    memset(o, 0, sizeof *o);
    o->flush_at = flush_at;
    o->hour = -1;
}

static bool
out_open(struct gen_state *s, struct out *o, const char *path)
{
    if (s->st != CS_OK)
        return false;
    s->st = cs_afile_open(&o->af, path, s->err);
    if (s->st != CS_OK)
        return false;
    if (o->b.s == NULL)
        gen_buf_init(&o->b, o->flush_at + (64u << 10));
    cs_buf_clear(&o->b);
    o->open = true;
    return true;
}

static void
out_write(struct gen_state *s, struct out *o)
{
    if (o->b.n == 0 || s->st != CS_OK)
        return;
    if (fwrite(o->b.s, 1, o->b.n, o->af.fp) != o->b.n)
        s->st = cs_fail(s->err, CS_E_IO, o->af.path, "write failed: %s",
                        strerror(errno));
    s->res->bytes += o->b.n;
    cs_buf_clear(&o->b);
}

static inline void
out_maybe_write(struct gen_state *s, struct out *o)
{
    if (o->b.n >= o->flush_at)
        out_write(s, o);
}

static void
out_commit(struct gen_state *s, struct out *o)
{
    if (!o->open)
        return;
    out_write(s, o);
    if (s->st != CS_OK)
        return;
    o->open = false;
    s->st = cs_afile_commit(&o->af, s->err);
    if (s->st == CS_OK)
        s->res->files++;
}

static void
out_free(struct out *o)
{
    if (o->open)
        cs_afile_abort(&o->af);
    o->open = false;
    gen_buf_free(&o->b);
}

/* ---- Private helpers: the survey stream ------------------------------- */

/* Open the tree file of resource r for hour h. */
static void
tree_open(struct gen_state *s, int r, int64_t h)
{
    if (s->st != CS_OK) /* keep the first error: the commit before may have failed */
        return;
    struct out *o = &s->tree[r];
    int64_t day = h / 24;
    int64_t y;
    unsigned mo, d;
    cs_civil_from_days(day, &y, &mo, &d);
    char *dir = xasprintf("%s/insights-logs-callsurvey/resourceId=%s/y=%04lld/"
                          "m=%02u/d=%02u/h=%02u/m=00",
                          s->o->out_dir, s->resv[r].id_upper, (long long)y, mo,
                          d, (unsigned)(h % 24));
    char *path = xasprintf("%s/PT1H.json", dir);
    s->st = cs_mkdirs(dir, s->err);
    if (s->st == CS_OK && out_open(s, o, path))
        o->hour = h;
    xfree(dir);
    xfree(path);
}

/* Write one record in the chosen form. */
static void
emit(struct gen_state *s, const struct gen_rec *r)
{
    if (s->st != CS_OK)
        return;
    const struct gen_resource *res = &s->resv[r->res];
    switch (s->o->format) {
    case GEN_JSONL:
        if (s->o->single_file) {
            gen_fmt_jsonl(&s->main.b, r, res);
            out_maybe_write(s, &s->main);
        } else {
            struct out *o = &s->tree[r->res];
            int64_t h = r->t / GEN_TICKS_PER_HOUR;
            if (!o->open || h > o->hour) {
                out_commit(s, o);
                tree_open(s, r->res, h);
                if (s->st != CS_OK)
                    return;
            }
            gen_fmt_jsonl(&o->b, r, res);
            out_maybe_write(s, o);
        }
        break;
    case GEN_CSV:
        gen_fmt_csv(&s->main.b, r, res);
        out_maybe_write(s, &s->main);
        break;
    case GEN_RECORDS:
        if (s->batch_n == 0)
            gen_buf_puts(&s->main.b, "{\"records\":[");
        else
            gen_buf_puts(&s->main.b, ",");
        gen_fmt_ehrec(&s->main.b, r, res);
        if (++s->batch_n == s->batch_size) {
            gen_buf_puts(&s->main.b, "]}\n");
            s->batch_n = 0;
            s->batch_size = 50 + gen_rng_below(&s->fmt_rng, 151);
            out_maybe_write(s, &s->main);
        }
        break;
    }
    s->res->records++;
}

/* Deliver the waiting duplicates that are due (all of them when all). */
static void
deliver_due(struct gen_state *s, bool all)
{
    int k = 0;
    for (int i = 0; i < s->n_pend; i++) {
        if (all || s->pend[i].due <= s->n_primary)
            emit(s, &s->pend[i].r);
        else
            s->pend[k++] = s->pend[i];
    }
    s->n_pend = k;
}

static void
schedule_dup(struct gen_state *s, const struct gen_rec *r)
{
    if (s->n_pend == N_PEND) { /* full: the oldest goes now */
        emit(s, &s->pend[0].r);
        memmove(s->pend, s->pend + 1, (N_PEND - 1) * sizeof *s->pend);
        s->n_pend--;
    }
    struct pend *p = &s->pend[s->n_pend++];
    p->r = *r;
    p->due = s->n_primary + 1 + gen_rng_below(&s->m.rng, DUP_DELAY);
}

/* ---- Private helpers: custom events ----------------------------------- */

static bool
ev_less(const struct gen_event *a, const struct gen_event *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void
heap_push(struct gen_state *s, const struct gen_event *e)
{
    if (s->n_heap == s->cap_heap) {
        s->cap_heap = s->cap_heap ? 2 * s->cap_heap : 1024;
        s->heap = xreallocarray(s->heap, s->cap_heap, sizeof *s->heap);
    }
    size_t i = s->n_heap++;
    while (i > 0) {
        size_t up = (i - 1) / 2;
        if (!ev_less(e, &s->heap[up]))
            break;
        s->heap[i] = s->heap[up];
        i = up;
    }
    s->heap[i] = *e;
}

static void
heap_pop(struct gen_state *s, struct gen_event *out)
{
    *out = s->heap[0];
    struct gen_event last = s->heap[--s->n_heap];
    size_t i = 0, n = s->n_heap;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && ev_less(&s->heap[c + 1], &s->heap[c]))
            c++;
        if (!ev_less(&s->heap[c], &last))
            break;
        s->heap[i] = s->heap[c];
        i = c;
    }
    if (n)
        s->heap[i] = last;
}

/* Write the waiting events earlier than t (all when t is INT64_MAX). */
static void
events_until(struct gen_state *s, int64_t t)
{
    while (s->n_heap && s->heap[0].t < t && s->st == CS_OK) {
        struct gen_event e;
        heap_pop(s, &e);
        if (s->ev_csv.open) {
            gen_fmt_event_csv(&s->ev_csv.b, &s->scratch, &e);
            out_maybe_write(s, &s->ev_csv);
        }
        if (s->ev_jsonl.open) {
            gen_fmt_event_jsonl(&s->ev_jsonl.b, &s->scratch, &e);
            out_maybe_write(s, &s->ev_jsonl);
        }
    }
}

/* Seconds to minutes: 3-30 s (half), 30-120 s, 2-15 min. */
static int64_t
event_delay(struct gen_rng *rng)
{
    double u = gen_rng_unit(rng);
    int64_t lo = 3, hi = 30;
    if (u >= 0.85)
        lo = 120, hi = 900;
    else if (u >= 0.5)
        lo = 30, hi = 120;
    return lo * GEN_TICKS_PER_S +
           (int64_t)gen_rng_below(rng, (uint64_t)((hi - lo) * GEN_TICKS_PER_S));
}

static void
new_event(struct gen_state *s, struct gen_event *e, int64_t t, int kind,
          bool poor)
{
    memset(e, 0, sizeof *e);
    e->t = t;
    e->seq = s->ev_seq++;
    e->salt = gen_rng_next(&s->m.rng);
    e->kind = (uint8_t)kind;
    e->poor = poor;
}

/* The custom events of one valid survey (drawn whether or not written, in
 * a fixed order). */
static void
survey_events(struct gen_state *s, const struct gen_rec *r)
{
    struct gen_rng *rng = &s->m.rng;
    double share = s->o->custom_share;
    struct gen_event e;
    if (gen_rng_chance(rng, share)) {
        new_event(s, &e, r->t + event_delay(rng), GE_ANSWER, r->poor);
        memcpy(e.id, r->survey, 16);
        heap_push(s, &e);
        s->res->custom_matched++;
        s->res->custom_events++;
        if (gen_rng_chance(rng, 0.03)) { /* the app retried the send */
            struct gen_event d = e;
            d.t = e.t + GEN_TICKS_PER_S +
                  (int64_t)gen_rng_below(rng, 29 * GEN_TICKS_PER_S);
            d.seq = s->ev_seq++;
            d.kind = GE_RETRY;
            if (gen_rng_chance(rng, 1.0 / 3)) /* the user edited the text */
                d.salt = gen_rng_next(rng);
            heap_push(s, &d);
            s->res->custom_retries++;
            s->res->custom_events++;
        }
    }
    if (gen_rng_chance(rng, share * 0.03)) { /* an id of no survey */
        new_event(s, &e, r->t + event_delay(rng), GE_ORPHAN,
                  gen_rng_chance(rng, 0.3));
        gen_rng_guid(rng, e.id);
        heap_push(s, &e);
        s->res->custom_orphans++;
        s->res->custom_events++;
    }
    if (gen_rng_chance(rng, share * 0.05)) { /* PageView & co: ignored */
        new_event(s, &e, r->t + event_delay(rng), GE_OTHER, false);
        memcpy(e.id, r->call, 16);
        heap_push(s, &e);
        s->res->custom_other++;
    }
}

/* ---- Private helpers: the clock --------------------------------------- */

/* Weights: weekday factor, resource base share, busy-hour shape by the
 * distance in hours to the resource's peak (UTC).  All integers, so the
 * sums below are exact in double on every machine. */
static const unsigned day_w[7] = {100, 100, 100, 100, 90, 35, 30};
static const unsigned shape_w[13] = {100, 95, 82, 64, 46, 30, 18,
                                     12, 9, 8, 8, 8, 8};

static unsigned
res_base(int r)
{
    static const unsigned base[3] = {40, 35, 25};
    return r < 3 ? base[r] : 20;
}

static int
res_peak(int r)
{
    static const int peak[3] = {17, 12, 20};
    return r < 3 ? peak[r] : (14 + 3 * r) % 24;
}

static unsigned
hour_res_w(int r, int hod)
{
    int d = hod - res_peak(r);
    if (d < 0)
        d = -d;
    if (d > 12)
        d = 24 - d;
    return res_base(r) * shape_w[d];
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* ---- Private helpers: run --------------------------------------------- */

static cs_status
check_opts(const struct gen_opts *o, struct cs_err *err)
{
    if (o->out_dir == NULL || !o->out_dir[0])
        return cs_fail(err, CS_E_USAGE, NULL, "generate: no output directory");
    if (o->n_surveys == 0)
        return cs_fail(err, CS_E_USAGE, NULL,
                       "generate: the number of surveys must be at least 1");
    const struct {
        const char *name;
        double v;
    } shares[] = {{"custom share", o->custom_share},
                  {"invalid share", o->invalid_share},
                  {"duplicate share", o->duplicate_share}};
    for (size_t i = 0; i < sizeof shares / sizeof *shares; i++)
        if (!(shares[i].v >= 0 && shares[i].v <= 1))
            return cs_fail(err, CS_E_USAGE, NULL,
                           "generate: the %s must be from 0 to 1",
                           shares[i].name);
    if (o->n_resources < 1 || o->n_resources > 100)
        return cs_fail(err, CS_E_USAGE, NULL,
                       "generate: resources must be from 1 to 100, not %d",
                       o->n_resources);
    if (o->n_weeks < 1 || o->n_weeks > 520)
        return cs_fail(err, CS_E_USAGE, NULL,
                       "generate: weeks must be from 1 to 520, not %d",
                       o->n_weeks);
    if (o->start_s < 0 || o->start_s % 86400 != 0 ||
        (o->start_s / 86400 + 3) % 7 != 0)
        return cs_fail(err, CS_E_USAGE, NULL,
                       "generate: the start must be a Monday 00:00 UTC");
    if ((unsigned)o->format > GEN_RECORDS)
        return cs_fail(err, CS_E_USAGE, NULL, "generate: unknown format %d",
                       (int)o->format);
    if ((unsigned)o->events_format > GEN_EV_JSONL)
        return cs_fail(err, CS_E_USAGE, NULL, "generate: unknown events format %d",
                       (int)o->events_format);
    return CS_OK;
}

static void
open_outputs(struct gen_state *s)
{
    const struct gen_opts *o = s->o;
    s->st = cs_mkdirs(o->out_dir, s->err);
    if (s->st != CS_OK)
        return;
    char *path = NULL;
    static const char bom[] = "\xef\xbb\xbf";
    switch (o->format) {
    case GEN_JSONL:
        if (o->single_file) {
            path = xasprintf("%s/surveys.jsonl", o->out_dir);
            out_open(s, &s->main, path);
        }
        break;
    case GEN_CSV:
        path = xasprintf("%s/surveys.csv", o->out_dir);
        if (out_open(s, &s->main, path)) {
            gen_buf_puts(&s->main.b, bom);
            gen_fmt_csv_header(&s->main.b);
        }
        break;
    case GEN_RECORDS:
        path = xasprintf("%s/eventhub-records.json", o->out_dir);
        out_open(s, &s->main, path);
        break;
    }
    xfree(path);
    if (o->calls_format != GEN_CALLS_NONE) {
        path = xasprintf("%s/ACSCallSummary.%s", o->out_dir,
                         o->calls_format == GEN_CALLS_CSV ? "csv" : "jsonl");
        if (out_open(s, &s->calls, path) && o->calls_format == GEN_CALLS_CSV)
            gen_calls_csv_header(&s->calls.b);
        xfree(path);
    }
    if (!s->custom)
        return;
    if (o->events_format == GEN_EV_CSV) {
        path = xasprintf("%s/customEvents.csv", o->out_dir);
        if (out_open(s, &s->ev_csv, path)) {
            gen_buf_puts(&s->ev_csv.b, bom);
            gen_fmt_event_csv_header(&s->ev_csv.b);
        }
        xfree(path);
    } else {
        path = xasprintf("%s/customEvents.jsonl", o->out_dir);
        out_open(s, &s->ev_jsonl, path);
        xfree(path);
    }
}

/* One slot of the n_surveys: a valid or an invalid survey at time t. */
static void
slot(struct gen_state *s, int64_t t, int r)
{
    struct gen_rng *rng = &s->m.rng;
    struct gen_rec rec;
    gen_model_survey(&s->m, t, r, &rec);
    if (gen_rng_chance(rng, s->o->invalid_share)) {
        enum gen_invalid k = (enum gen_invalid)gen_rng_below(rng, GEN_INV__COUNT);
        gen_model_invalidate(&s->m, &rec, k);
        emit(s, &rec);
        s->res->invalid++;
        s->res->invalid_by_kind[k]++;
    } else {
        s->res->surveys++;
        bool dup = gen_rng_chance(rng, s->o->duplicate_share);
        bool split = dup && gen_rng_chance(rng, 1.0 / 3) &&
                     gen_rec_n_rated(&rec) >= 2;
        struct gen_rec second;
        if (split)
            gen_model_split(&s->m, &rec, &second);
        emit(s, &rec);
        if (dup) {
            schedule_dup(s, split ? &second : &rec);
            s->res->duplicates++;
            if (split)
                s->res->dup_split++;
            else
                s->res->dup_exact++;
        }
        if (s->custom)
            survey_events(s, &rec);
        if (s->calls.open) {
            gen_calls_survey(&s->calls.b, s->o->calls_format, &rec, &s->resv[rec.res],
                             s->o->start_s, s->o->n_weeks, s->res);
            out_maybe_write(s, &s->calls);
        }
    }
    s->n_primary++;
    deliver_due(s, false);
    if (s->custom)
        events_until(s, t);
}

static void
run_hours(struct gen_state *s)
{
    const struct gen_opts *o = s->o;
    int n_res = o->n_resources;
    int64_t n_hours = (int64_t)o->n_weeks * 168;
    /* per hour of day: cumulative resource weights, and their total */
    unsigned *cw = xcalloc((size_t)24 * (size_t)n_res, sizeof *cw);
    double hod_total[24];
    for (int hod = 0; hod < 24; hod++) {
        unsigned acc = 0;
        for (int r = 0; r < n_res; r++) {
            acc += hour_res_w(r, hod);
            cw[hod * n_res + r] = acc;
        }
        hod_total[hod] = acc;
    }
    double total = 0;
    for (int64_t h = 0; h < n_hours; h++)
        total += day_w[(h / 24) % 7] * hod_total[h % 24];

    uint64_t *offs = NULL;
    size_t cap_offs = 0;
    double cum = 0, n = (double)o->n_surveys;
    uint64_t done = 0;
    int64_t t0 = o->start_s * GEN_TICKS_PER_S;
    for (int64_t h = 0; h < n_hours && s->st == CS_OK; h++) {
        int hod = (int)(h % 24);
        cum += day_w[(h / 24) % 7] * hod_total[hod];
        uint64_t upto = h == n_hours - 1 ? o->n_surveys
                                         : (uint64_t)(n * cum / total + 0.5);
        if (upto > o->n_surveys)
            upto = o->n_surveys;
        size_t k = (size_t)(upto - done);
        done = upto;
        if (k > cap_offs) {
            cap_offs = k;
            offs = xreallocarray(offs, cap_offs, sizeof *offs);
        }
        for (size_t i = 0; i < k; i++)
            offs[i] = gen_rng_below(&s->m.rng, (uint64_t)GEN_TICKS_PER_HOUR);
        if (k > 1) /* offs is still NULL while no hour had a survey */
            qsort(offs, k, sizeof *offs, cmp_u64);
        const unsigned *c = &cw[hod * n_res];
        for (size_t i = 0; i < k && s->st == CS_OK; i++) {
            uint64_t x = gen_rng_below(&s->m.rng, c[n_res - 1]);
            int r = 0;
            while (x >= c[r])
                r++;
            slot(s, t0 + h * GEN_TICKS_PER_HOUR + (int64_t)offs[i], r);
        }
    }
    xfree(offs);
    xfree(cw);
}

/* ---- Public API ------------------------------------------------------- */

void
gen_opts_default(struct gen_opts *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->n_surveys = 0;
    opts->seed = 1;
    opts->custom_share = 0.3;
    opts->invalid_share = 0.01;
    opts->duplicate_share = 0.01;
    opts->format = GEN_JSONL;
    opts->n_resources = 3;
    opts->n_weeks = 4;
    opts->start_s = cs_days_from_civil(2026, 10, 26) * 86400; /* 2026-W44 */
    opts->out_dir = NULL;
    opts->single_file = 0;
}

cs_status
gen_run(const struct gen_opts *opts, struct gen_result *res,
        struct cs_err *err)
{
    memset(res, 0, sizeof *res);
    cs_status st = check_opts(opts, err);
    if (st != CS_OK)
        return st;

    struct gen_state *s = xcalloc(1, sizeof *s);
    s->o = opts;
    s->res = res;
    s->err = err;
    s->custom = opts->custom_share > 0;
    gen_model_init(&s->m, opts);
    gen_rng_seed(&s->fmt_rng, opts->seed ^ UINT64_C(0x666f726d61747321));
    s->batch_size = 50 + gen_rng_below(&s->fmt_rng, 151);
    s->resv = xcalloc((size_t)opts->n_resources, sizeof *s->resv);
    s->tree = xcalloc((size_t)opts->n_resources, sizeof *s->tree);
    for (int r = 0; r < opts->n_resources; r++) {
        gen_resource_make(r, &s->resv[r]);
        out_init(&s->tree[r], FLUSH_TREE);
    }
    out_init(&s->main, FLUSH_MAIN);
    out_init(&s->ev_csv, FLUSH_MAIN);
    out_init(&s->ev_jsonl, FLUSH_MAIN);
    out_init(&s->calls, FLUSH_MAIN);
    gen_buf_init(&s->scratch, 1024);

    open_outputs(s);
    if (s->st == CS_OK)
        run_hours(s);
    deliver_due(s, true);
    if (s->o->format == GEN_RECORDS && s->batch_n > 0 && s->st == CS_OK)
        gen_buf_puts(&s->main.b, "]}\n");
    if (s->custom)
        events_until(s, INT64_MAX);

    /* commit: custom events first, the surveys last */
    out_commit(s, &s->ev_jsonl);
    out_commit(s, &s->ev_csv);
    out_commit(s, &s->calls);
    for (int r = 0; r < opts->n_resources; r++)
        out_commit(s, &s->tree[r]);
    out_commit(s, &s->main);

    st = s->st;
    for (int r = 0; r < opts->n_resources; r++)
        out_free(&s->tree[r]);
    out_free(&s->main);
    out_free(&s->ev_csv);
    out_free(&s->ev_jsonl);
    out_free(&s->calls);
    gen_buf_free(&s->scratch);
    gen_model_free(&s->m);
    xfree(s->heap);
    xfree(s->resv);
    xfree(s->tree);
    xfree(s);
    return st;
}
