/*
 * report/summary.c: the summary of DESIGN.md §8 from the store's
 * histograms: one group per (category, scale) present, never pooling raw
 * scores across scales; issue-tag shares from tag bit masks; trends per ISO
 * week or day.  All arithmetic is in stats/ (pure functions); this file
 * only gathers histograms and lays out the model.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/ctime.h"
#include "core/mem.h"
#include "model/survey.h"
#include "report/model.h"

/* ---- growable arrays -------------------------------------------------- */

#define PUSH(arr, n, cap, val)                                                 \
    do {                                                                       \
        if ((n) == (cap)) {                                                    \
            (cap) = (cap) ? (cap) * 2 : 8;                                     \
            (arr) = xreallocarray((arr), (cap), sizeof *(arr));                \
        }                                                                      \
        (arr)[(n)++] = (val);                                                  \
    } while (0)

static bool
same_scale(const struct stats_scale *a, double lo, double hi, double th)
{
    return a->lower == lo && a->upper == hi && a->threshold == th;
}

char *
cs_group_label(int cat, const struct stats_scale *sc, char *buf, size_t n)
{
    char lo[32], hi[32], th[32];
    snprintf(buf, n, "%s rating, %s\xE2\x80\x93%s scale, threshold %s",
             cs_category_title((enum cs_category)cat), cs_js_number(sc->lower, lo),
             cs_js_number(sc->upper, hi), cs_js_number(sc->threshold, th));
    return buf;
}

/* ---- histograms into groups ------------------------------------------ */

struct hist_acc {
    struct cs_report_model *m;
    size_t cap_groups;
    size_t cap_bins;          /* of the current group */
};

static cs_status
on_hist(void *ctx, const struct cs_hist_row *r, struct cs_err *err)
{
    (void)err;
    struct hist_acc *a = ctx;
    struct cs_report_model *m = a->m;
    struct rep_group *g = m->n_groups ? &m->groups[m->n_groups - 1] : NULL;
    if (!g || g->cat != r->cat || !same_scale(&g->scale, r->lower, r->upper, r->threshold)) {
        struct rep_group ng = {.cat = r->cat,
                               .scale = {r->lower, r->upper, r->threshold}};
        PUSH(m->groups, m->n_groups, a->cap_groups, ng);
        g = &m->groups[m->n_groups - 1];
        a->cap_bins = 0;
    }
    g->default_scale |= r->default_scale;
    struct stats_bin b = {r->score, r->count};
    PUSH(g->bins, g->n_bins, a->cap_bins, b);
    return CS_OK;
}

static struct rep_group *
find_group(struct cs_report_model *m, int cat, double lo, double hi, double th)
{
    for (size_t i = 0; i < m->n_groups; i++)
        if (m->groups[i].cat == cat && same_scale(&m->groups[i].scale, lo, hi, th))
            return &m->groups[i];
    return NULL;
}

/* ---- issue masks ------------------------------------------------------ */

struct pair_acc {
    uint64_t *counts;  /* per group: n_tags x n_tags upper triangle */
};

struct mask_acc {
    struct cs_report_model *m;
    uint64_t (*pairs)[16][16]; /* per group */
};

static cs_status
on_mask(void *ctx, const struct cs_mask_row *r, struct cs_err *err)
{
    struct mask_acc *a = ctx;
    struct rep_group *g = find_group(a->m, r->cat, r->lower, r->upper, r->threshold);
    if (!g)
        return cs_fail(err, CS_E_INTERNAL, NULL,
                       "issue masks name a scale the histograms do not have");
    size_t gi = (size_t)(g - a->m->groups);
    if (r->any_tag)
        g->any_issue += r->count;
    size_t nt = cs_tags_count((enum cs_category)r->cat);
    for (size_t i = 0; i < nt; i++) {
        if (!(r->mask & (1u << i)))
            continue;
        g->issues[i].surveys += r->count;
        if (r->poor)
            g->issues[i].poor += r->count;
        for (size_t j = i + 1; j < nt; j++)
            if (r->mask & (1u << j))
                a->pairs[gi][i][j] += r->count;
    }
    return CS_OK;
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

struct trend_acc {
    struct cs_report_model *m;
    size_t cap;
    struct stats_bin *bins;  /* bins of the current (cat, scale, bucket) */
    size_t n_bins, cap_bins;
    struct rep_trend cur;
    bool have;
};

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

static void
trend_close(struct trend_acc *a)
{
    if (!a->have)
        return;
    struct cs_report_model *m = a->m;
    struct stats_hist h = {a->bins, a->n_bins};
    a->cur.sum = stats_summarize(&h, a->cur.scale.lower, a->cur.scale.upper,
                                 a->cur.scale.threshold);
    a->cur.small_sample = a->cur.sum.n < m->min_n;
    int64_t s, e;
    bucket_range(m->bucket, a->cur.bucket, &s, &e);
    a->cur.partial = s < m->window_start_us || e > m->window_end_us;
    if (m->bucket == CS_BUCKET_DAY)
        cs_day_format(a->cur.bucket, a->cur.label);
    else
        snprintf(a->cur.label, sizeof a->cur.label, "%04d-W%02d",
                 (int)(a->cur.bucket / 100), (int)(a->cur.bucket % 100));
    PUSH(m->trend, m->n_trend, a->cap, a->cur);
    a->n_bins = 0;
    a->have = false;
}

static cs_status
on_trend(void *ctx, const struct cs_hist_row *r, struct cs_err *err)
{
    (void)err;
    struct trend_acc *a = ctx;
    if (a->have && (a->cur.cat != r->cat || a->cur.bucket != r->bucket ||
                    !same_scale(&a->cur.scale, r->lower, r->upper, r->threshold)))
        trend_close(a);
    if (!a->have) {
        memset(&a->cur, 0, sizeof a->cur);
        a->cur.cat = r->cat;
        a->cur.bucket = r->bucket;
        a->cur.scale = (struct stats_scale){r->lower, r->upper, r->threshold};
        a->have = true;
    }
    struct stats_bin b = {r->score, r->count};
    PUSH(a->bins, a->n_bins, a->cap_bins, b);
    return CS_OK;
}

/* ---- build ------------------------------------------------------------ */

static double
ratio(uint64_t a, uint64_t b)
{
    return b ? (double)a / (double)b : NAN;
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
    cs_status rc = cs_query_window_totals(s, &m->filter, &m->totals, err);
    if (rc)
        goto fail;
    /* the effective window: the filter where given, else whole days of data */
    m->window_start_us = m->filter.has_since
                             ? m->filter.since_us
                             : cs_time_day(m->totals.first_us) * CS_US_PER_DAY;
    m->window_end_us = m->filter.has_until
                           ? m->filter.until_us
                           : (cs_time_day(m->totals.last_us) + 1) * CS_US_PER_DAY;

    struct hist_acc ha = {.m = m};
    rc = cs_query_histograms(s, &m->filter, CS_BUCKET_NONE, on_hist, &ha, err);
    if (rc)
        goto fail;

    /* summaries, distributions, the known-tag skeleton */
    size_t *caps = xcalloc(m->n_groups ? m->n_groups : 1, sizeof *caps);
    for (size_t i = 0; i < m->n_groups; i++) {
        struct rep_group *g = &m->groups[i];
        struct stats_hist h = {g->bins, g->n_bins};
        if ((rc = stats_hist_check(&h, err)) != CS_OK) {
            xfree(caps);
            goto fail;
        }
        g->sum = stats_summarize(&h, g->scale.lower, g->scale.upper, g->scale.threshold);
        g->share_of_surveys = ratio(g->sum.n, m->totals.surveys);
        g->small_sample = g->sum.n < m->min_n;
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
    struct mask_acc ma = {.m = m,
                          .pairs = xcalloc(m->n_groups ? m->n_groups : 1, sizeof *ma.pairs)};
    rc = cs_query_issue_masks(s, &m->filter, on_mask, &ma, err);
    struct unk_acc ua = {.m = m, .caps = caps};
    if (rc == CS_OK)
        rc = cs_query_unknown_tags(s, &m->filter, on_unknown, &ua, err);
    for (size_t i = 0; rc == CS_OK && i < m->n_groups; i++) {
        struct rep_group *g = &m->groups[i];
        g->any_issue_rate = ratio(g->any_issue, g->sum.n);
        for (size_t t = 0; t < g->n_issues; t++) {
            struct rep_issue *is = &g->issues[t];
            is->share_of_surveys = ratio(is->surveys, m->totals.surveys);
            is->share_of_responses = ratio(is->surveys, g->sum.n);
            is->share_of_poor = ratio(is->poor, g->sum.n_poor);
        }
        size_t pc = 0;
        for (size_t a = 0; a < 16; a++)
            for (size_t b = a + 1; b < 16; b++)
                if (ma.pairs[i][a][b]) {
                    struct rep_pair p = {a, b, ma.pairs[i][a][b]};
                    PUSH(g->pairs, g->n_pairs, pc, p);
                }
    }
    xfree(ma.pairs);
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

    struct trend_acc ta = {.m = m};
    rc = cs_query_histograms(s, &m->filter, m->bucket, on_trend, &ta, err);
    if (rc == CS_OK)
        trend_close(&ta);
    xfree(ta.bins);
    if (rc)
        goto fail;
    *out = m;
    return CS_OK;
fail:
    cs_report_model_free(&m);
    return rc;
}

void
cs_report_model_free(struct cs_report_model **mp)
{
    if (!mp || !*mp)
        return;
    struct cs_report_model *m = *mp;
    for (size_t i = 0; i < m->n_groups; i++) {
        xfree(m->groups[i].bins);
        xfree(m->groups[i].dist);
        xfree(m->groups[i].issues);
        xfree(m->groups[i].pairs);
    }
    xfree(m->groups);
    xfree(m->pooled);
    xfree(m->trend);
    xfree(m);
    *mp = NULL;
}
