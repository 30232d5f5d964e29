/*
 * report/review_build.c: the weekly review (report/review_build.h).
 *
 * The period and its comparison period are each scanned into a cube
 * (store/query.h), the cube into (category, scale) groups (report/model.h);
 * a category's primary scale is its scale with the most responses in the
 * period, and its headline row compares that scale's poor rate with the
 * same scale's in the comparison period.  Tags compare their share of
 * responses, resources their poor rate, each table Holm-adjusted on its
 * own.  All arithmetic is in stats/; this file chooses and lays out.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/ctime.h"
#include "core/mem.h"
#include "model/dims.h"
#include "model/survey.h"
#include "report/breakdown.h"
#include "report/cube_sum.h"
#include "report/model.h"
#include "report/review_build.h"

#define US_PER_WEEK (7 * CS_US_PER_DAY)

/* ---- judging ---------------------------------------------------------- */

void
cs_judge_table(const struct stats_poor_cmp *cmp, const uint64_t *n_now,
               const uint64_t *n_before, size_t n, uint64_t min_n,
               double min_effect_pts, double alpha, struct cs_judgement *j)
{
    double *p = xcalloc(n ? n : 1, sizeof *p);
    double *adj = xcalloc(n ? n : 1, sizeof *adj);
    for (size_t i = 0; i < n; i++) {
        bool small = n_now[i] < min_n || n_before[i] < min_n || n_now[i] == 0 ||
                     n_before[i] == 0;
        p[i] = small ? (double)NAN : cmp[i].p;
    }
    stats_holm(p, n, adj);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += !isnan(p[i]);
    for (size_t i = 0; i < n; i++) {
        struct cs_judgement *x = &j[i];
        memset(x, 0, sizeof *x);
        x->cmp = cmp[i];
        x->n_compared = m;
        x->p_holm = adj[i];
        if (isnan(p[i])) {
            x->verdict = CS_VERDICT_TOO_SMALL;
            x->p_holm = NAN;
            continue;
        }
        bool significant = !isnan(adj[i]) && adj[i] < alpha;
        bool big_enough = fabs(cmp[i].diff) * 100.0 >= min_effect_pts;
        if (significant && big_enough)
            x->verdict = cmp[i].diff > 0 ? CS_VERDICT_WORSE : CS_VERDICT_BETTER;
        else
            x->verdict = CS_VERDICT_NO_EVIDENCE;
        x->below_min_effect = significant && !big_enough;
        x->adjusted_away = !significant &&
                           (cmp[i].diff_ci_lo > 0 || cmp[i].diff_ci_hi < 0);
    }
    xfree(p);
    xfree(adj);
}

/* ---- windows ---------------------------------------------------------- */

static int64_t
floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static void
week_label(int64_t monday_us, char *b, size_t n)
{
    int y, w;
    cs_iso_week(floor_div(monday_us, CS_US_PER_DAY), &y, &w);
    snprintf(b, n, "%04d-W%02d", y, w);
}

void
cs_review_label(struct cs_review_window *w)
{
    int64_t len = w->until_us - w->since_us;
    int64_t day0 = floor_div(w->since_us, CS_US_PER_DAY);
    bool day_aligned = w->since_us % CS_US_PER_DAY == 0 && len % CS_US_PER_DAY == 0;
    /* 1970-01-05 was a Monday: days since then mod 7 == 0 */
    bool monday = day_aligned && floor_div(day0 - 4, 7) * 7 == day0 - 4;
    if (monday && len > 0 && len % US_PER_WEEK == 0) {
        char a[16], b[16];
        week_label(w->since_us, a, sizeof a);
        if (len == US_PER_WEEK) {
            snprintf(w->label, sizeof w->label, "%s", a);
        } else {
            week_label(w->until_us - US_PER_WEEK, b, sizeof b);
            snprintf(w->label, sizeof w->label, "%s to %s", a, b);
        }
        return;
    }
    char a[16], b[16];
    cs_day_format(day0, a);
    int64_t last = floor_div(w->until_us - 1, CS_US_PER_DAY);
    if (last <= day0) {
        snprintf(w->label, sizeof w->label, "%s", a);
    } else {
        cs_day_format(last, b);
        snprintf(w->label, sizeof w->label, "%s to %s", a, b);
    }
}

bool
cs_review_period(const struct cs_review_opts *o, struct cs_review_window *w)
{
    memset(w, 0, sizeof *w);
    const struct cs_filter *f = &o->filter;
    bool data = o->data_last_us >= o->data_first_us &&
                (o->data_first_us != 0 || o->data_last_us != 0);
    int64_t first_day = floor_div(o->data_first_us, CS_US_PER_DAY);
    int64_t last_day = floor_div(o->data_last_us, CS_US_PER_DAY);
    if (f->has_since || f->has_until) {
        if ((!f->has_since || !f->has_until) && !data)
            return false;
        w->since_us = f->has_since ? f->since_us : first_day * CS_US_PER_DAY;
        w->until_us = f->has_until ? f->until_us : (last_day + 1) * CS_US_PER_DAY;
        if (w->until_us <= w->since_us)
            return false;
        cs_review_label(w);
        return true;
    }
    if (!data)
        return false;
    /* the last ISO week lying wholly inside [first day, last day] */
    int64_t start = first_day * CS_US_PER_DAY, end = (last_day + 1) * CS_US_PER_DAY;
    int64_t monday = floor_div(last_day - 4, 7) * 7 + 4; /* the last day's Monday */
    for (int k = 0; k < 2; k++, monday -= 7) {
        int64_t a = monday * CS_US_PER_DAY, b = a + US_PER_WEEK;
        if (a >= start && b <= end) {
            w->since_us = a;
            w->until_us = b;
            cs_review_label(w);
            return true;
        }
    }
    w->since_us = start; /* less than one whole week of data */
    w->until_us = end;
    cs_review_label(w);
    return true;
}

/* ---- building --------------------------------------------------------- */

struct side_data {
    struct cs_cube cube;       /* ungrouped: summed from by_res (or scanned) */
    struct cs_cube by_res;     /* grouped by resource, for the resource movers */
    bool has_by_res;           /* false: more than CS_CUBE_MAX_GROUPS resources */
    const struct cs_cube *res; /* &by_res or a borrowed one (has_by_res) */
    struct rep_group *groups;
    size_t n_groups;
};

static void
side_free(struct side_data *d)
{
    cs_rep_groups_free(d->groups, d->n_groups);
    cs_cube_free(&d->cube);
    cs_cube_free(&d->by_res);
    memset(d, 0, sizeof *d);
}

/* The side [since, until) of o's filter: cut from o's scanned cube (else
 * the period's, period_by_resource) when the window lies inside its and its
 * slices allow, else scanned. */
static cs_status
side_scan(struct cs_store *s, const struct cs_review_opts *o, enum cs_bucket bucket,
          int64_t since, int64_t until, struct side_data *d, struct cs_err *err)
{
    memset(d, 0, sizeof *d);
    const struct cs_cube *whole = bucket != o->bucket ? NULL
                                  : o->scanned        ? o->scanned
                                                      : o->period_by_resource;
    const struct cs_filter *wf = o->scanned ? &o->scanned_filter : &o->filter;
    uint64_t min_n = o->min_n;
    struct cs_filter f = o->filter;
    f.has_since = f.has_until = true;
    f.since_us = since;
    f.until_us = until;
    /* one scan grouped by resource serves the side's own cube (summed over
     * the resources: exact, totals from the same scan) and its resource
     * movers; past CS_CUBE_MAX_GROUPS resources the plain scan, as before */
    bool inside = whole && (!wf->has_since || since >= wf->since_us) &&
                  (!wf->has_until || until <= wf->until_us);
    cs_status rc = inside && whole->n_groups > 0 && cs_cube_window(whole, since, until, &d->by_res)
                       ? CS_OK
                       : cs_query_cube_grouped(s, &f, bucket, CS_GROUP_RESOURCE, NULL, &d->by_res, err);
    if (rc == CS_OK) {
        d->has_by_res = true;
        d->res = &d->by_res;
        cs_cube_ungroup(&d->by_res, &d->cube);
    } else if (rc == CS_E_USAGE) {
        cs_err_clear(err);
        rc = cs_query_cube(s, &f, bucket, &d->cube, err);
    }
    if (rc == CS_OK)
        rc = cs_rep_groups_build(&d->cube, -1, d->cube.totals.surveys, min_n,
                                 &d->groups, &d->n_groups, err);
    if (rc)
        side_free(d);
    return rc;
}

static bool
same_scale(const struct stats_scale *a, const struct stats_scale *b)
{
    return a->lower == b->lower && a->upper == b->upper && a->threshold == b->threshold;
}

static const struct rep_group *
find_group(const struct rep_group *g, size_t n, int cat, const struct stats_scale *sc)
{
    for (size_t i = 0; i < n; i++)
        if (g[i].cat == cat && same_scale(&g[i].scale, sc))
            return &g[i];
    return NULL;
}

static struct cs_review_side
side_of(const struct rep_group *g)
{
    struct cs_review_side x = {0, 0, NAN, NAN};
    if (g) {
        x.responses = g->sum.n;
        x.poor = g->sum.n_poor;
        x.poor_rate = g->sum.poor_rate;
        x.mean = g->sum.mean;
    }
    return x;
}

static struct cs_review_side
tag_side(const struct rep_group *g, const char *tag)
{
    struct cs_review_side x = {0, 0, NAN, NAN};
    if (!g)
        return x;
    x.responses = g->sum.n;
    for (size_t i = 0; i < g->n_issues; i++)
        if (strcmp(g->issues[i].name, tag) == 0)
            x.poor = g->issues[i].surveys;
    x.poor_rate = x.responses ? (double)x.poor / (double)x.responses : (double)NAN;
    return x;
}

/* Rank: worse/better first, then the larger |diff|, then the name. */
static int
mover_cmp(const void *pa, const void *pb)
{
    const struct cs_review_mover *a = pa, *b = pb;
    int sa = a->j.verdict == CS_VERDICT_WORSE || a->j.verdict == CS_VERDICT_BETTER;
    int sb = b->j.verdict == CS_VERDICT_WORSE || b->j.verdict == CS_VERDICT_BETTER;
    if (sa != sb)
        return sb - sa;
    double da = isnan(a->j.cmp.diff) ? -1 : fabs(a->j.cmp.diff);
    double db = isnan(b->j.cmp.diff) ? -1 : fabs(b->j.cmp.diff);
    if (da != db)
        return da < db ? 1 : -1;
    return strcmp(a->name, b->name);
}

/* Judge the movers m[0..n) of one category as one table, sort them and
 * append the first CS_REVIEW_MOVERS to *out. */
static void
keep_movers(struct cs_review_mover *m, size_t n, const struct cs_review_opts *o,
            struct cs_review_mover **out, size_t *n_out)
{
    if (n == 0)
        return;
    struct stats_poor_cmp *cmp = xcalloc(n, sizeof *cmp);
    uint64_t *a = xcalloc(n, sizeof *a), *b = xcalloc(n, sizeof *b);
    struct cs_judgement *j = xcalloc(n, sizeof *j);
    for (size_t i = 0; i < n; i++) {
        cmp[i] = stats_compare_poor(m[i].now.poor, m[i].now.responses, m[i].before.poor,
                                    m[i].before.responses);
        a[i] = m[i].now.responses;
        b[i] = m[i].before.responses;
    }
    cs_judge_table(cmp, a, b, n, o->min_n, o->min_effect_pts, CS_REVIEW_ALPHA, j);
    for (size_t i = 0; i < n; i++)
        m[i].j = j[i];
    qsort(m, n, sizeof *m, mover_cmp);
    size_t k = n < CS_REVIEW_MOVERS ? n : CS_REVIEW_MOVERS;
    *out = xreallocarray(*out, *n_out + k, sizeof **out);
    memcpy(*out + *n_out, m, k * sizeof *m);
    *n_out += k;
    xfree(cmp);
    xfree(a);
    xfree(b);
    xfree(j);
}

static void
tag_movers(struct cs_review *r, const struct cs_review_row *row, const struct rep_group *gn,
           const struct rep_group *gb, const struct cs_review_opts *o)
{
    size_t cap = (gn ? gn->n_issues : 0) + (gb ? gb->n_issues : 0);
    struct cs_review_mover *m = xcalloc(cap ? cap : 1, sizeof *m);
    size_t n = 0;
    for (int side = 0; side < 2; side++) {
        const struct rep_group *g = side ? gb : gn;
        for (size_t i = 0; g && i < g->n_issues; i++) {
            const struct rep_issue *is = &g->issues[i];
            if (is->surveys == 0 || !is->known)
                continue;
            bool seen = false;
            for (size_t k = 0; k < n && !seen; k++)
                seen = strcmp(m[k].name, is->name) == 0;
            if (seen)
                continue;
            struct cs_review_mover *x = &m[n++];
            x->kind = CS_MOVER_TAG;
            x->cat = row->cat;
            x->scale = row->scale;
            snprintf(x->name, sizeof x->name, "%s", is->name);
            x->now = tag_side(gn, is->name);
            x->before = tag_side(gb, is->name);
        }
    }
    keep_movers(m, n, o, &r->tags, &r->n_tags);
    xfree(m);
}

/* The cube of one side for resource movers (dim NULL) or version movers. */
static cs_status
mover_cube(struct cs_store *s, const struct cs_filter *f, const char *dim,
           struct cs_cube *cube, struct cs_err *err)
{
    if (dim)
        return cs_breakdown_cube(s, f, CS_BUCKET_NONE, dim, 0, cube, err);
    return cs_query_cube_grouped(s, f, CS_BUCKET_NONE, CS_GROUP_RESOURCE, NULL, cube, err);
}

/* Resources (dim NULL) or versions of dim whose poor rate moved. */
static cs_status
resource_movers(struct cs_store *s, struct cs_review *r, const struct cs_review_opts *o,
                const char *dim, const struct side_data *sn, const struct side_data *sb,
                struct cs_err *err)
{
    /* resources: the sides' cubes when they have them, else a scan */
    struct cs_cube own_now = {0}, own_before = {0};
    const struct cs_cube *now = !dim && sn->has_by_res ? sn->res : &own_now;
    const struct cs_cube *before = !dim && sb->has_by_res ? sb->res : &own_before;
    struct cs_filter f = o->filter;
    f.has_since = f.has_until = true;
    f.since_us = r->period.since_us;
    f.until_us = r->period.until_us;
    cs_status rc = now == &own_now ? mover_cube(s, &f, dim, &own_now, err) : CS_OK;
    if (rc)
        return rc;
    if (!dim)
        r->n_resources = now->n_groups;
    if (!r->has_previous || now->n_groups < 2) {
        cs_cube_free(&own_now);
        return CS_OK;
    }
    f.since_us = r->previous.since_us;
    f.until_us = r->previous.until_us;
    if (before == &own_before && (rc = mover_cube(s, &f, dim, &own_before, err))) {
        cs_cube_free(&own_now);
        return rc;
    }
    {
        /* groups of every resource, now and before */
        struct rep_group **gn = xcalloc(now->n_groups, sizeof *gn);
        size_t *nn = xcalloc(now->n_groups, sizeof *nn);
        struct rep_group **gb = xcalloc(now->n_groups, sizeof *gb);
        size_t *nb = xcalloc(now->n_groups, sizeof *nb);
        for (size_t g = 0; rc == CS_OK && g < now->n_groups; g++) {
            rc = cs_rep_groups_build(now, (int)g, now->groups[g].surveys, o->min_n, &gn[g],
                                     &nn[g], err);
            for (size_t h = 0; rc == CS_OK && h < before->n_groups; h++)
                if (strcmp(before->groups[h].key, now->groups[g].key) == 0)
                    rc = cs_rep_groups_build(before, (int)h, before->groups[h].surveys,
                                             o->min_n, &gb[g], &nb[g], err);
        }
        struct cs_review_mover *m = xcalloc(now->n_groups, sizeof *m);
        for (size_t i = 0; rc == CS_OK && i < r->n_rows; i++) {
            const struct cs_review_row *row = &r->rows[i];
            size_t n = 0;
            for (size_t g = 0; g < now->n_groups; g++) {
                const struct rep_group *a = find_group(gn[g], nn[g], row->cat, &row->scale);
                if (!a || (dim && cs_breakdown_special(now->groups[g].label)))
                    continue; /* Redacted, other, unknown: no version */
                struct cs_review_mover *x = &m[n++];
                memset(x, 0, sizeof *x);
                x->kind = dim ? CS_MOVER_VERSION : CS_MOVER_RESOURCE;
                x->cat = row->cat;
                x->scale = row->scale;
                snprintf(x->name, sizeof x->name, "%s", now->groups[g].label);
                snprintf(x->id, sizeof x->id, "%s", dim ? dim : now->groups[g].key);
                x->now = side_of(a);
                x->before = side_of(find_group(gb[g], nb[g], row->cat, &row->scale));
            }
            if (dim)
                keep_movers(m, n, o, &r->versions, &r->n_version_movers);
            else
                keep_movers(m, n, o, &r->resources, &r->n_resource_movers);
        }
        xfree(m);
        for (size_t g = 0; g < now->n_groups; g++) {
            cs_rep_groups_free(gn[g], nn[g]);
            cs_rep_groups_free(gb[g], nb[g]);
        }
        xfree(gn);
        xfree(nn);
        xfree(gb);
        xfree(nb);
    }
    cs_cube_free(&own_now);
    cs_cube_free(&own_before);
    return rc;
}

cs_status
cs_review_build(struct cs_store *s, const struct cs_review_opts *o, struct cs_review **out,
                struct cs_err *err)
{
    *out = NULL;
    if (o->trend_out)
        memset(o->trend_out, 0, sizeof *o->trend_out);
    struct cs_review *r = xcalloc(1, sizeof *r);
    r->vs = o->vs;
    r->vs_periods = o->vs == CS_VS_POOLED ? (o->vs_periods ? o->vs_periods : 1) : 1;
    r->min_effect = o->min_effect_pts;
    r->min_n = o->min_n;
    r->alpha = CS_REVIEW_ALPHA;
    r->default_period = !o->filter.has_since && !o->filter.has_until;
    if (!cs_review_period(o, &r->period)) {
        *out = r; /* no data: a review without rows */
        return CS_OK;
    }
    struct side_data now = {0}, before = {0};
    /* buckets, when asked for, only split cells the groups sum again */
    enum cs_bucket bk = o->trend_out ? o->bucket : CS_BUCKET_NONE;
    cs_status rc;
    const struct cs_cube *given = o->period_by_resource;
    if (given && given->n_groups > 0 && bk == o->bucket && o->filter.has_since &&
        o->filter.has_until && r->period.since_us == o->filter.since_us &&
        r->period.until_us == o->filter.until_us) {
        /* the period is the filter's window: the caller's cube is its scan */
        now.has_by_res = true;
        now.res = given;
        cs_cube_ungroup(given, &now.cube);
        rc = cs_rep_groups_build(&now.cube, -1, now.cube.totals.surveys, o->min_n,
                                 &now.groups, &now.n_groups, err);
    } else {
        rc = side_scan(s, o, bk, r->period.since_us, r->period.until_us, &now, err);
    }
    if (rc)
        goto fail;
    r->surveys_now = now.cube.totals.surveys;
    if (o->vs != CS_VS_NONE) {
        int64_t len = r->period.until_us - r->period.since_us;
        r->previous.until_us = r->period.since_us;
        r->previous.since_us = r->period.since_us - (int64_t)r->vs_periods * len;
        cs_review_label(&r->previous);
        if ((rc = side_scan(s, o, bk, r->previous.since_us, r->previous.until_us, &before,
                            err)))
            goto fail;
        r->surveys_before = before.cube.totals.surveys;
        r->has_previous = before.cube.totals.surveys > 0;
    }
    /* headline rows: each category's primary scale */
    r->rows = xcalloc(CS_CAT__COUNT, sizeof *r->rows);
    for (int cat = 0; cat < CS_CAT__COUNT; cat++) {
        const struct rep_group *best = NULL;
        size_t n_scales = 0;
        uint64_t all = 0;
        for (size_t i = 0; i < now.n_groups; i++)
            if (now.groups[i].cat == cat && now.groups[i].sum.n > 0) {
                n_scales++;
                all += now.groups[i].sum.n;
                if (!best || now.groups[i].sum.n > best->sum.n)
                    best = &now.groups[i];
            }
        if (!best)
            continue;
        struct cs_review_row *row = &r->rows[r->n_rows++];
        row->cat = cat;
        row->scale = best->scale;
        row->now = side_of(best);
        row->before = side_of(r->has_previous ? find_group(before.groups, before.n_groups,
                                                           cat, &best->scale)
                                              : NULL);
        row->n_minor_scales = n_scales - 1;
        row->minor_responses = all - best->sum.n;
    }
    if (r->has_previous) {
        struct stats_poor_cmp cmp[CS_CAT__COUNT];
        uint64_t a[CS_CAT__COUNT], b[CS_CAT__COUNT];
        struct cs_judgement j[CS_CAT__COUNT];
        for (size_t i = 0; i < r->n_rows; i++) {
            cmp[i] = stats_compare_poor(r->rows[i].now.poor, r->rows[i].now.responses,
                                        r->rows[i].before.poor, r->rows[i].before.responses);
            a[i] = r->rows[i].now.responses;
            b[i] = r->rows[i].before.responses;
        }
        cs_judge_table(cmp, a, b, r->n_rows, o->min_n, o->min_effect_pts, CS_REVIEW_ALPHA, j);
        for (size_t i = 0; i < r->n_rows; i++)
            r->rows[i].j = j[i];
        for (size_t i = 0; i < r->n_rows; i++) {
            const struct cs_review_row *row = &r->rows[i];
            tag_movers(r, row, find_group(now.groups, now.n_groups, row->cat, &row->scale),
                       find_group(before.groups, before.n_groups, row->cat, &row->scale), o);
        }
    } else {
        for (size_t i = 0; i < r->n_rows; i++) {
            r->rows[i].j.verdict = CS_VERDICT_NO_EVIDENCE;
            r->rows[i].j.p_holm = NAN;
            r->rows[i].j.cmp = stats_compare_poor(0, 0, 0, 0); /* all NaN */
        }
    }
    if ((rc = resource_movers(s, r, o, NULL, &now, &before, err)))
        goto fail;
    for (size_t i = 0; i < o->n_dims; i++)
        if (cs_dim_is_version(cs_dim_parse(o->dims[i])) &&
            (rc = resource_movers(s, r, o, o->dims[i], &now, &before, err)))
            goto fail;
    if (o->trend_out && r->has_previous)
        cs_cube_union(&before.cube, &now.cube, o->trend_out);
    side_free(&now);
    side_free(&before);
    *out = r;
    return CS_OK;
fail:
    side_free(&now);
    side_free(&before);
    cs_review_free(&r);
    return rc;
}

void
cs_review_free(struct cs_review **rp)
{
    if (!rp || !*rp)
        return;
    xfree((*rp)->rows);
    xfree((*rp)->tags);
    xfree((*rp)->resources);
    xfree((*rp)->versions);
    xfree(*rp);
    *rp = NULL;
}

/* ---- terminal --------------------------------------------------------- */


static const char *
pct(double v, char *b)
{
    if (isnan(v))
        return "-";
    snprintf(b, 24, "%.1f%%", 100 * v);
    return b;
}

/* v (a fraction) as signed points with one decimal; never "-0.0" */
static const char *
pts(double v, char *b)
{
    double x = round(v * 1000.0) / 10.0;
    snprintf(b, 24, "%+.1f", x == 0 ? 0.0 : x);
    return b;
}

/* "+2.4 pt, 95% CI +0.8 to +4.0, worse" (or the reason there is none) */
static void
judgement_text(struct cs_buf *t, const struct cs_judgement *j)
{
    if (isnan(j->cmp.diff)) {
        cs_buf_printf(t, "%s", cs_verdict_name(j->verdict));
        return;
    }
    char a[24], b[24], c[24];
    cs_buf_printf(t, "%s pt, 95%% CI %s to %s, %s", pts(j->cmp.diff, a), pts(j->cmp.diff_ci_lo, b),
                  pts(j->cmp.diff_ci_hi, c), cs_verdict_name(j->verdict));
    if (j->adjusted_away)
        cs_buf_printf(t, ": not significant after adjusting for %zu comparisons",
                      j->n_compared);
    else if (j->below_min_effect)
        cs_buf_printf(t, ": smaller than --min-effect");
}

static void
mover_line(struct cs_buf *t, const struct cs_review_mover *m)
{
    char a[32], b[32];
    cs_buf_printf(t, "  %-8s %s%s%s %s %s (was %s; ", cs_category_title((enum cs_category)m->cat),
                  m->kind == CS_MOVER_VERSION ? m->id : "",
                  m->kind == CS_MOVER_VERSION ? " " : "", m->name, m->kind == CS_MOVER_TAG ? "share of responses" : "poor rate",
                  pct(m->now.poor_rate, a), pct(m->before.poor_rate, b));
    judgement_text(t, &m->j);
    cs_buf_puts(t, ")\n");
}

char *
cs_review_text(const struct cs_review *r)
{
    struct cs_buf t = {0};
    char a[32], b[32], c[32];
    if (r->period.label[0] == '\0') {
        cs_buf_puts(&t, "Review: no surveys in the data.\n");
        return cs_buf_take(&t);
    }
    cs_buf_printf(&t, "Review %s", r->period.label);
    if (r->vs == CS_VS_NONE)
        cs_buf_printf(&t, " (no comparison: --vs none)");
    else if (!r->has_previous)
        cs_buf_printf(&t, " (no surveys in %s to compare with)", r->previous.label);
    else
        cs_buf_printf(&t, " vs %s", r->previous.label);
    cs_buf_printf(&t, " \xC2\xB7 %s resource%s \xC2\xB7 %s surveys",
                  cs_thousands(r->n_resources, c), r->n_resources == 1 ? "" : "s",
                  cs_thousands(r->surveys_now, a));
    if (r->has_previous)
        cs_buf_printf(&t, " (%s in %s)", cs_thousands(r->surveys_before, b), r->previous.label);
    cs_buf_puts(&t, "\n");
    for (size_t i = 0; i < r->n_rows; i++) {
        const struct cs_review_row *row = &r->rows[i];
        char lo[32], hi[32], th[32];
        if (r->has_previous)
            cs_buf_printf(&t, "%s vs %s: ", r->period.label, r->previous.label);
        else
            cs_buf_printf(&t, "%s: ", r->period.label);
        cs_buf_printf(&t, "%s %s\xE2\x80\x93%s poor rate %s",
                      cs_category_title((enum cs_category)row->cat),
                      cs_js_number(row->scale.lower, lo), cs_js_number(row->scale.upper, hi),
                      pct(row->now.poor_rate, a));
        if (r->has_previous) {
            cs_buf_puts(&t, " (");
            judgement_text(&t, &row->j);
            cs_buf_printf(&t, ")  was %s, n %s / %s", pct(row->before.poor_rate, b),
                          cs_thousands(row->now.responses, a), cs_thousands(row->before.responses, c));
        } else {
            cs_buf_printf(&t, "  n %s", cs_thousands(row->now.responses, a));
        }
        cs_buf_printf(&t, ", poor \xE2\x89\xA4 %s\n", cs_js_number(row->scale.threshold, th));
    }
    /* movers: the ones with a verdict; else the largest change of each kind */
    bool any = false;
    for (int kind = 0; kind < 3; kind++) {
        const struct cs_review_mover *m = kind == 2 ? r->versions : kind ? r->resources
                                                                         : r->tags;
        size_t n = kind == 2 ? r->n_version_movers : kind ? r->n_resource_movers
                                                          : r->n_tags;
        const struct cs_review_mover *largest = NULL;
        size_t shown = 0;
        for (size_t i = 0; i < n; i++) {
            bool verdict = m[i].j.verdict == CS_VERDICT_WORSE ||
                           m[i].j.verdict == CS_VERDICT_BETTER;
            /* the largest change among the rows large enough to judge */
            if (m[i].j.verdict != CS_VERDICT_TOO_SMALL && !isnan(m[i].j.cmp.diff) &&
                (!largest || fabs(m[i].j.cmp.diff) > fabs(largest->j.cmp.diff)))
                largest = &m[i];
            if (!verdict)
                continue;
            if (!any)
                cs_buf_puts(&t, "Moved most:\n");
            any = true;
            mover_line(&t, &m[i]);
            shown++;
        }
        if (!shown && largest && !isnan(largest->j.cmp.diff)) {
            if (!any)
                cs_buf_puts(&t, "Moved most:\n");
            any = true;
            mover_line(&t, largest);
        }
    }
    size_t minor = 0;
    uint64_t minor_n = 0;
    for (size_t i = 0; i < r->n_rows; i++) {
        minor += r->rows[i].n_minor_scales;
        minor_n += r->rows[i].minor_responses;
    }
    if (minor)
        cs_buf_printf(&t, "Minor scales: %zu, %s answers in all (see --scales all)\n", minor,
                      cs_thousands(minor_n, a));
    return cs_buf_take(&t);
}
