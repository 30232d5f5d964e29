/*
 * report/model.c: the summary of DESIGN.md §8 from the store's
 * histograms: one group per (category, scale) present, never pooling raw
 * scores across scales; issue-tag shares from tag bit masks; trends per ISO
 * week or day.  All arithmetic is in stats/ (pure functions); this file
 * only gathers histograms and lays out the model.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/ctime.h"
#include "core/mem.h"
#include "model/survey.h"
#include "report/cube_sum.h"
#include "report/model.h"

/* ---- growable arrays -------------------------------------------------- */

#define PUSH(arr, n, cap, val)                                  \
    do {                                                        \
        if ((n) == (cap)) {                                     \
            (cap) = (cap) ? (cap)*2 : 8;                        \
            (arr) = xreallocarray((arr), (cap), sizeof *(arr)); \
        }                                                       \
        (arr)[(n)++] = (val);                                   \
    } while (0)

static bool
same_scale(const struct stats_scale *a, double lo, double hi, double th)
{
    return a->lower == lo && a->upper == hi && a->threshold == th;
}


static double
ratio(uint64_t a, uint64_t b)
{
    return b ? (double)a / (double)b : (double)NAN;
}

/* ---- unknown tags ----------------------------------------------------- */

static struct rep_group *
find_group(struct cs_report_model *m, int cat, double lo, double hi, double th)
{
    for (size_t i = 0; i < m->n_groups; i++)
        if (m->groups[i].cat == cat && same_scale(&m->groups[i].scale, lo, hi, th))
            return &m->groups[i];
    return NULL;
}

struct unk_acc {
    struct cs_report_model *m;
    size_t *caps; /* per group issue capacity */
};

static cs_status
on_unknown(void *ctx, const struct cs_unknown_row *r, struct cs_err *err)
{
    struct unk_acc *a = ctx;
    struct rep_group *g = find_group(a->m, r->cat, r->lower, r->upper, r->threshold);
    if (!g)
        return cs_fail(err, CS_E_INTERNAL, NULL,
                       "unknown tags name a scale the histograms do not have");
    size_t gi = (size_t)(g - a->m->groups);
    struct rep_issue *is = NULL;
    for (size_t i = 0; i < g->n_issues; i++)
        if (!g->issues[i].known && strcmp(g->issues[i].name, r->issue) == 0)
            is = &g->issues[i];
    if (!is) {
        struct rep_issue ni = {.known = false};
        snprintf(ni.name, sizeof ni.name, "%s", r->issue);
        PUSH(g->issues, g->n_issues, a->caps[gi], ni);
        is = &g->issues[g->n_issues - 1];
    }
    is->surveys += r->count;
    if (r->poor)
        is->poor += r->count;
    return CS_OK;
}

/* ---- trend ------------------------------------------------------------ */

static void
bucket_range(enum cs_bucket b, int64_t bucket, int64_t *start, int64_t *end)
{
    if (b == CS_BUCKET_DAY) {
        *start = bucket * CS_US_PER_DAY;
        *end = *start + CS_US_PER_DAY;
    } else {
        int64_t mon = cs_iso_week_monday((int)(bucket / 100), (int)(bucket % 100));
        *start = mon * CS_US_PER_DAY;
        *end = *start + 7 * CS_US_PER_DAY;
    }
}

/* Add (score, count) to a histogram kept sorted by score. */
static void
hist_add(struct stats_bin **bins, size_t *n, size_t *cap, double score,
         uint64_t count)
{
    size_t lo = 0, hi = *n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if ((*bins)[mid].score < score)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < *n && (*bins)[lo].score == score) {
        (*bins)[lo].count += count;
        return;
    }
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        *bins = xreallocarray(*bins, *cap, sizeof **bins);
    }
    memmove(*bins + lo + 1, *bins + lo, (*n - lo) * sizeof **bins);
    (*bins)[lo] = (struct stats_bin){score, count};
    (*n)++;
}

/* Build the (category, scale) groups of the cells of cube group `cg`
 * (-1: all cells) into *groups.  *caps receives per-group issue capacity
 * (owned; the caller frees it).  Returns CS_OK or a histogram error. */
static cs_status
build_groups(const struct cs_cube *cube, int cg, uint64_t surveys, uint64_t min_n,
             struct rep_group **groups_out, size_t *n_out, size_t **caps_out,
             struct cs_err *err)
{
    struct rep_group *groups = NULL;
    size_t n_groups = 0, cap_groups = 0;
    size_t *bin_caps = NULL;
    for (size_t i = 0; i < cube->n_cells; i++) {
        const struct cs_cube_cell *c = &cube->cells[i];
        if (cg >= 0 && c->group != cg)
            continue;
        struct rep_group *g = n_groups ? &groups[n_groups - 1] : NULL;
        if (!g || g->cat != c->cat ||
            !same_scale(&g->scale, c->lower, c->upper, c->threshold)) {
            struct rep_group ng = {.cat = c->cat,
                                   .scale = {c->lower, c->upper, c->threshold}};
            size_t before = cap_groups;
            PUSH(groups, n_groups, cap_groups, ng);
            if (cap_groups != before) {
                bin_caps = xreallocarray(bin_caps, cap_groups, sizeof *bin_caps);
                memset(bin_caps + before, 0, (cap_groups - before) * sizeof *bin_caps);
            }
            g = &groups[n_groups - 1];
        }
        g->default_scale |= c->default_scale;
        hist_add(&g->bins, &g->n_bins, &bin_caps[n_groups - 1], c->score, c->count);
    }
    xfree(bin_caps);
    size_t *caps = xcalloc(n_groups ? n_groups : 1, sizeof *caps);
    *groups_out = groups;
    *n_out = n_groups;
    *caps_out = caps;
    for (size_t i = 0; i < n_groups; i++) {
        struct rep_group *g = &groups[i];
        struct stats_hist h = {g->bins, g->n_bins};
        if (stats_hist_check(&h, err) != CS_OK)
            return CS_E_INTERNAL;
        g->sum = stats_summarize(&h, g->scale.lower, g->scale.upper, g->scale.threshold);
        g->share_of_surveys = ratio(g->sum.n, surveys);
        g->small_sample = g->sum.n < min_n;
        size_t cap = stats_distribution_cap(&h, g->scale.lower, g->scale.upper);
        if (cap > 4096) /* a scale of at most 0..100 has 101 integer rows */
            cap = 4096;
        g->dist = xcalloc(cap ? cap : 1, sizeof *g->dist);
        g->n_dist = stats_distribution(&h, g->scale.lower, g->scale.upper, g->dist, cap);
        if (g->n_dist > cap)
            g->n_dist = cap;
        size_t nt = cs_tags_count((enum cs_category)g->cat);
        caps[i] = nt + 8;
        g->issues = xcalloc(caps[i], sizeof *g->issues);
        g->n_issues = nt;
        for (size_t t = 0; t < nt; t++) {
            snprintf(g->issues[t].name, sizeof g->issues[t].name, "%s",
                     cs_tag_name((enum cs_category)g->cat, t));
            g->issues[t].description = cs_tag_description((enum cs_category)g->cat, t);
            g->issues[t].known = true;
        }
    }
    /* tags and pairs from the cells' masks */
    uint64_t(*pairs)[16][16] = xcalloc(n_groups ? n_groups : 1, sizeof *pairs);
    for (size_t i = 0, gi = 0; i < cube->n_cells && n_groups; i++) {
        const struct cs_cube_cell *c = &cube->cells[i];
        if (cg >= 0 && c->group != cg)
            continue;
        while (gi < n_groups && !(groups[gi].cat == c->cat &&
                                  same_scale(&groups[gi].scale, c->lower,
                                             c->upper, c->threshold)))
            gi++;
        struct rep_group *g = &groups[gi];
        if (c->any_tag)
            g->any_issue += c->count;
        size_t nt = cs_tags_count((enum cs_category)c->cat);
        for (size_t a = 0; a < nt; a++) {
            if (!(c->mask & (1u << a)))
                continue;
            g->issues[a].surveys += c->count;
            if (c->poor)
                g->issues[a].poor += c->count;
            for (size_t b = a + 1; b < nt; b++)
                if (c->mask & (1u << b))
                    pairs[gi][a][b] += c->count;
        }
    }
    for (size_t i = 0; i < n_groups; i++) {
        struct rep_group *g = &groups[i];
        size_t pc = 0;
        for (size_t a = 0; a < 16; a++)
            for (size_t b = a + 1; b < 16; b++)
                if (pairs[i][a][b]) {
                    struct rep_pair pr = {a, b, pairs[i][a][b]};
                    PUSH(g->pairs, g->n_pairs, pc, pr);
                }
    }
    xfree(pairs);
    return CS_OK;
}

/* Shares and rates of a group's tags, once all counts are in. */
static void
finish_issue_shares(struct rep_group *groups, size_t n_groups, uint64_t surveys)
{
    for (size_t i = 0; i < n_groups; i++) {
        struct rep_group *g = &groups[i];
        g->any_issue_rate = ratio(g->any_issue, g->sum.n);
        for (size_t t = 0; t < g->n_issues; t++) {
            struct rep_issue *is = &g->issues[t];
            is->share_of_surveys = ratio(is->surveys, surveys);
            is->share_of_responses = ratio(is->surveys, g->sum.n);
            is->share_of_poor = ratio(is->poor, g->sum.n_poor);
        }
    }
}

void
cs_rep_groups_free(struct rep_group *groups, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        xfree(groups[i].bins);
        xfree(groups[i].dist);
        xfree(groups[i].issues);
        xfree(groups[i].pairs);
    }
    xfree(groups);
}


cs_status
cs_rep_groups_build(const struct cs_cube *cube, int cg, uint64_t surveys,
                    uint64_t min_n, struct rep_group **groups, size_t *n,
                    struct cs_err *err)
{
    size_t *caps = NULL;
    cs_status rc = build_groups(cube, cg, surveys, min_n, groups, n, &caps, err);
    xfree(caps);
    if (rc) {
        cs_rep_groups_free(*groups, *n);
        *groups = NULL;
        *n = 0;
        return rc;
    }
    finish_issue_shares(*groups, *n, surveys);
    return CS_OK;
}

/* ---- build ------------------------------------------------------------ */


/* The trend of the cube's cells (sorted by category, scale, bucket,
 * score): one row per (category, scale, bucket); a bucket the window
 * [ws, we) does not cover is partial.  Appends to *out (owned). */
static void
build_trend(const struct cs_cube *cube, const struct cs_report_model *m, int64_t ws, int64_t we,
            struct rep_trend **out, size_t *n_out)
{
    size_t cap_trend = *n_out;
    struct stats_bin *tb = NULL;
    size_t n_tb = 0, cap_tb = 0;
    for (size_t i = 0; i < cube->n_cells; i++) {
        const struct cs_cube_cell *c = &cube->cells[i];
        hist_add(&tb, &n_tb, &cap_tb, c->score, c->count);
        const struct cs_cube_cell *nx = i + 1 < cube->n_cells ? &cube->cells[i + 1] : NULL;
        if (nx && nx->cat == c->cat && nx->bucket == c->bucket && nx->lower == c->lower &&
            nx->upper == c->upper && nx->threshold == c->threshold)
            continue;
        struct rep_trend r = {.cat = c->cat,
                              .bucket = c->bucket,
                              .scale = {c->lower, c->upper, c->threshold}};
        struct stats_hist h = {tb, n_tb};
        r.sum = stats_summarize(&h, r.scale.lower, r.scale.upper, r.scale.threshold);
        r.small_sample = r.sum.n < m->min_n;
        int64_t bs, be;
        bucket_range(m->bucket, r.bucket, &bs, &be);
        r.partial = bs < ws || be > we;
        if (m->bucket == CS_BUCKET_DAY)
            cs_day_format(r.bucket, r.label);
        else
            snprintf(r.label, sizeof r.label, "%04d-W%02d", (int)(r.bucket / 100),
                     (int)(r.bucket % 100));
        PUSH(*out, *n_out, cap_trend, r);
        n_tb = 0;
    }
    xfree(tb);
}

cs_status
cs_report_context_trend(struct cs_store *s, struct cs_report_model *m, int64_t since,
                        int64_t until, struct cs_err *err)
{
    struct cs_filter f = m->filter;
    f.has_since = f.has_until = true;
    f.since_us = since;
    f.until_us = until;
    struct cs_cube cube;
    cs_status rc = cs_query_cube(s, &f, m->bucket, &cube, err);
    if (rc)
        return rc;
    cs_report_context_trend_cube(m, &cube, since, until);
    cs_cube_free(&cube);
    return CS_OK;
}

void
cs_report_context_trend_cube(struct cs_report_model *m, const struct cs_cube *cube,
                             int64_t since, int64_t until)
{
    xfree(m->chart_trend);
    m->chart_trend = NULL;
    m->n_chart_trend = 0;
    build_trend(cube, m, since, until, &m->chart_trend, &m->n_chart_trend);
}

/* The model's cube: a plain scan, or one grouped by resource summed over
 * the resources (exact: the totals come from the same scan) when the
 * caller wants the grouped cube too. */
/* The model's cubes cut from one scan reaching back to o->wide_since_us
 * (cs_model_opts.wide_out); *done false when they could not be (the
 * caller scans the filter's window). */
static cs_status
model_scan_wide(struct cs_store *s, const struct cs_model_opts *o,
                const struct cs_report_model *m, struct cs_cube *cube, bool *done,
                struct cs_err *err)
{
    *done = false;
    const struct cs_filter *f = &m->filter;
    struct cs_cube *w = o->wide_out, *g = o->by_resource_out;
    if (!w || !g || !f->has_since || !f->has_until || o->wide_since_us >= f->since_us)
        return CS_OK;
    struct cs_filter wf = *f;
    wf.since_us = o->wide_since_us;
    cs_status rc = cs_query_cube_ids_in(s, &wf, m->bucket, f->since_us, f->until_us, w, err);
    if (rc == CS_E_USAGE) { /* too many resources: the plain scans */
        cs_err_clear(err);
        return CS_OK;
    }
    if (rc)
        return rc;
    if (!cs_cube_window(w, f->since_us, f->until_us, g)) { /* a bucket cut by the window */
        cs_cube_free(w);
        return CS_OK;
    }
    g->totals.calls = w->totals.calls;
    g->totals.participants = w->totals.participants;
    cs_cube_ungroup(g, cube);
    *done = true;
    return CS_OK;
}

static cs_status
model_scan(struct cs_store *s, const struct cs_model_opts *o, const struct cs_report_model *m,
           struct cs_cube *cube, struct cs_err *err)
{
    if (!o->by_resource_out)
        return cs_query_cube(s, &m->filter, m->bucket, cube, err);
    bool done;
    cs_status rc0 = model_scan_wide(s, o, m, cube, &done, err);
    if (rc0 || done)
        return rc0;
    struct cs_cube *g = o->by_resource_out;
    cs_status rc = cs_query_cube_grouped(s, &m->filter, m->bucket, CS_GROUP_RESOURCE, NULL, g, err);
    if (rc == CS_OK) {
        cs_cube_ungroup(g, cube);
        return CS_OK;
    }
    memset(g, 0, sizeof *g);
    if (rc != CS_E_USAGE)
        return rc;
    cs_err_clear(err); /* too many resources: the plain scan */
    return cs_query_cube(s, &m->filter, m->bucket, cube, err);
}

cs_status
cs_report_model_build(struct cs_store *s, const struct cs_model_opts *o,
                      struct cs_report_model **out, struct cs_err *err)
{
    *out = NULL;
    struct cs_report_model *m = xcalloc(1, sizeof *m);
    m->filter = o->filter;
    m->min_n = o->min_n;
    m->bucket = o->bucket == CS_BUCKET_DAY ? CS_BUCKET_DAY : CS_BUCKET_WEEK;
    m->default_threshold = cs_store_default_threshold(s);
    m->has_week = o->has_week;
    if (o->has_week) {
        int y, w;
        cs_iso_week(cs_time_day(o->week_start_us), &y, &w);
        snprintf(m->week_label, sizeof m->week_label, "%04d-W%02d", y, w);
    }
    struct cs_cube cube = {0};
    cs_status rc = model_scan(s, o, m, &cube, err);
    if (rc)
        goto fail;
    m->totals = cube.totals;
    if ((rc = cs_query_accounting(s, &m->acct, err)))
        goto fail;
    /* the effective window: the filter where given, else whole days of data */
    m->window_start_us = m->filter.has_since
                             ? m->filter.since_us
                             : cs_time_day(m->totals.first_us) * CS_US_PER_DAY;
    m->window_end_us = m->filter.has_until
                           ? m->filter.until_us
                           : (cs_time_day(m->totals.last_us) + 1) * CS_US_PER_DAY;

    size_t *caps = NULL;
    if ((rc = build_groups(&cube, -1, m->totals.surveys, m->min_n, &m->groups,
                           &m->n_groups, &caps, err))) {
        xfree(caps);
        goto fail;
    }
    struct unk_acc ua = {.m = m, .caps = caps};
    rc = cs_query_unknown_tags(s, &m->filter, on_unknown, &ua, err);
    finish_issue_shares(m->groups, m->n_groups, m->totals.surveys);
    xfree(caps);
    if (rc)
        goto fail;

    /* pooled normalized lines for categories with several scales */
    for (int c = 0; c < CS_CAT__COUNT; c++) {
        size_t k = 0, first = 0;
        for (size_t i = 0; i < m->n_groups; i++)
            if (m->groups[i].cat == c) {
                if (k == 0)
                    first = i;
                k++;
            }
        if (k < 2)
            continue;
        struct stats_hist *hs = xcalloc(k, sizeof *hs);
        struct stats_scale *sc = xcalloc(k, sizeof *sc);
        for (size_t j = 0; j < k; j++) {
            hs[j] = (struct stats_hist){m->groups[first + j].bins, m->groups[first + j].n_bins};
            sc[j] = m->groups[first + j].scale;
        }
        struct rep_pooled p = {.cat = c, .n_scales = k, .p = stats_pool_normalized(hs, sc, k)};
        size_t cap = m->n_pooled;
        PUSH(m->pooled, m->n_pooled, cap, p);
        xfree(hs);
        xfree(sc);
    }

    build_trend(&cube, m, m->window_start_us, m->window_end_us, &m->trend, &m->n_trend);
    cs_cube_free(&cube);
    *out = m;
    return CS_OK;
fail:
    cs_cube_free(&cube);
    cs_report_model_free(&m);
    return rc;
}

void
cs_report_model_free(struct cs_report_model **mp)
{
    if (!mp || !*mp)
        return;
    struct cs_report_model *m = *mp;
    cs_rep_groups_free(m->groups, m->n_groups);
    m->groups = NULL;
    xfree(m->pooled);
    xfree(m->trend);
    xfree(m->chart_trend);
    xfree(m);
    *mp = NULL;
}

/* The model built on a second thread. */
struct beside {
    struct cs_store *twin; /* owned */
    const struct cs_model_opts *o;
    struct cs_report_model *m;
    struct cs_err err;
    cs_status rc;
};

static void *
beside_thread(void *arg)
{
    struct beside *b = arg;
    b->rc = cs_report_model_build(b->twin, b->o, &b->m, &b->err);
    return NULL;
}

cs_status
cs_report_model_build_beside(struct cs_store *s, const struct cs_model_opts *o,
                             struct cs_report_model **out,
                             cs_status (*side)(void *ctx, struct cs_err *err), void *ctx,
                             struct cs_err *err)
{
    *out = NULL;
    struct beside b = {.o = o};
    pthread_t th;
    /* no twin (or a failure to open one, which only costs the overlap):
     * one after the other */
    if (cs_store_open_twin(s, &b.twin, &b.err) != CS_OK ||
        pthread_create(&th, NULL, beside_thread, &b) != 0) {
        cs_store_close(&b.twin);
        cs_status rc = cs_report_model_build(s, o, out, err);
        return rc ? rc : side(ctx, err);
    }
    cs_status src = side(ctx, err);
    pthread_join(th, NULL);
    cs_store_close(&b.twin);
    if (b.rc) {
        *err = b.err;
        return b.rc;
    }
    *out = b.m;
    return src;
}
