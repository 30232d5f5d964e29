/*
 * render/xlsx_report.c: the report sections of the workbook that come from
 * the computed model (Summary, the category sheets, Issues, Trend), the
 * section table for templates, and cs_xlsx_write_report.  About and the
 * Inputs sheet are in xlsx_about.c, the native charts in xlsx_charts.c.
 *
 * Tables are stacked, never side by side (issue 18): a printed page is one
 * table wide and reads top to bottom.  Charts sit beside the narrow
 * distribution tables (category sheets) or below the tables (Trend) and
 * reference the sheet's own cells, so a user who edits a figure sees the
 * chart follow.  Headings are titles (xl_title): they never widen a column.
 */
#include "render/xlsx_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctime.h"
#include "core/mem.h"
#include "model/privacy.h"
#include "model/survey.h"

/* ---- Private helpers ---------------------------------------------------- */

static double
frac(uint64_t a, uint64_t b)
{
    return b ? (double)a / (double)b : (double)NAN;
}

static const char *
group_label(const struct rep_group *g, char *buf, size_t n)
{
    return cs_group_label(g->cat, &g->scale, buf, n);
}

/* One issue's cells from column c: Issue, Known, Responses, Poor, the three
 * shares and the description (category sheets from column 0, Issues after
 * its Category and Scale columns). */
static void
issue_cells(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r, lxw_col_t c,
            const struct rep_issue *is)
{
    xl_text(x, sh, r, c, is->name, SIZE_MAX, XF_NONE);
    xl_bool(x, sh, r, c + 1, is->known);
    xl_count(x, sh, r, c + 2, is->surveys);
    xl_count(x, sh, r, c + 3, is->poor);
    xl_num(x, sh, r, c + 4, is->share_of_surveys, XF_SHARE);
    xl_num(x, sh, r, c + 5, is->share_of_responses, XF_SHARE);
    xl_num(x, sh, r, c + 6, is->share_of_poor, XF_SHARE);
    xl_text(x, sh, r, c + 7,
            is->description ? is->description : "Not a tag of the web SDK's list: kept as given.",
            SIZE_MAX, XF_NONE);
}

/* ---- Summary -------------------------------------------------------------- */

cs_status
cs_xlsx_summary(struct cs_xlsx *x, const struct cs_xlsx_input *in, struct cs_err *err)
{
    const struct cs_report_model *m = in->m;
    char desc[640];
    struct xl_sheet *sh = xl_sheet_add(
        x, xl_sec_name(in, "Summary"), false,
        xl_sec_desc(in, "One row per category and scale: every figure.", desc, sizeof desc));
    if (!sh)
        return xl_status(x, err);
    static const char *const h[] = {
        "Category", "Scale", "Lower", "Upper", "Threshold", "Default scale",
        "Responses", "Share of surveys", "Small sample", "Mean", "Mean 95% CI low",
        "Mean 95% CI high", "Median", "Std dev", "Min", "Max", "Normalized mean",
        "Poor", "Poor rate", "Poor rate 95% CI low", "Poor rate 95% CI high",
        "Any issue", "Any issue rate"};
    const size_t nh = sizeof h / sizeof *h;
    char **names = xl_header(x, sh, 0, 0, h, nh);
    char lbl[160];
    for (size_t i = 0; i < m->n_groups; i++) {
        const struct rep_group *g = &m->groups[i];
        const struct stats_summary *s = &g->sum;
        lxw_row_t r = (lxw_row_t)(i + 1);
        lxw_col_t c = 0;
        xl_text(x, sh, r, c++, cs_category_title((enum cs_category)g->cat), SIZE_MAX, XF_NONE);
        xl_text(x, sh, r, c++, group_label(g, lbl, sizeof lbl), SIZE_MAX, XF_NONE);
        xl_num(x, sh, r, c++, g->scale.lower, XF_NONE);
        xl_num(x, sh, r, c++, g->scale.upper, XF_NONE);
        xl_num(x, sh, r, c++, g->scale.threshold, XF_NONE);
        xl_bool(x, sh, r, c++, g->default_scale);
        xl_count(x, sh, r, c++, s->n);
        xl_num(x, sh, r, c++, g->share_of_surveys, XF_RATE);
        xl_bool(x, sh, r, c++, g->small_sample);
        xl_num(x, sh, r, c++, s->mean, XF_MEAN);
        xl_num(x, sh, r, c++, s->mean_ci_lo, XF_MEAN);
        xl_num(x, sh, r, c++, s->mean_ci_hi, XF_MEAN);
        xl_num(x, sh, r, c++, s->median, XF_MEAN); /* means and medians alike (issue 18) */
        xl_num(x, sh, r, c++, s->sd, XF_MEAN);
        xl_num(x, sh, r, c++, s->min, XF_NONE);
        xl_num(x, sh, r, c++, s->max, XF_NONE);
        xl_num(x, sh, r, c++, s->norm_mean, XF_NORM);
        xl_count(x, sh, r, c++, s->n_poor);
        xl_num(x, sh, r, c++, s->poor_rate, XF_RATE);
        xl_num(x, sh, r, c++, s->poor_ci_lo, XF_RATE);
        xl_num(x, sh, r, c++, s->poor_ci_hi, XF_RATE);
        xl_count(x, sh, r, c++, g->any_issue);
        xl_num(x, sh, r, c++, g->any_issue_rate, XF_RATE);
    }
    xl_table(x, sh, 0, 0, (lxw_row_t)m->n_groups, names, nh);
    xl_names_free(names, nh);
    worksheet_freeze_panes(sh->ws, 1, 0);

    if (m->n_pooled) {
        lxw_row_t r0 = (lxw_row_t)(m->n_groups ? m->n_groups : 1) + 3;
        xl_title(x, sh, r0 - 1, 0, "Pooled normalized figures (all scales of a category)",
                 XF_BOLD);
        static const char *const ph[] = {"Category", "Label", "Scales", "Responses",
                                         "Normalized mean", "Poor", "Poor rate",
                                         "Poor rate 95% CI low", "Poor rate 95% CI high"};
        names = xl_header(x, sh, r0, 0, ph, 9);
        for (size_t i = 0; i < m->n_pooled; i++) {
            const struct rep_pooled *p = &m->pooled[i];
            lxw_row_t r = r0 + 1 + (lxw_row_t)i;
            xl_text(x, sh, r, 0, cs_category_title((enum cs_category)p->cat), SIZE_MAX, XF_NONE);
            xl_text(x, sh, r, 1, "pooled normalized (all scales)", SIZE_MAX, XF_NONE);
            xl_count(x, sh, r, 2, p->n_scales);
            xl_count(x, sh, r, 3, p->p.n);
            xl_num(x, sh, r, 4, p->p.norm_mean, XF_NORM);
            xl_count(x, sh, r, 5, p->p.n_poor);
            xl_num(x, sh, r, 6, p->p.poor_rate, XF_RATE);
            xl_num(x, sh, r, 7, p->p.poor_ci_lo, XF_RATE);
            xl_num(x, sh, r, 8, p->p.poor_ci_hi, XF_RATE);
        }
        xl_table(x, sh, r0, 0, r0 + (lxw_row_t)m->n_pooled, names, 9);
        xl_names_free(names, 9);
    }
    return xl_status(x, err);
}

/* ---- Category sheets ------------------------------------------------------ */

/* One block per scale, tables stacked (issue 18): the scale's heading, the
 * distribution (Score, Responses, Share) with its charts beside it, then
 * the issues below in the same columns. */
#define CHART_COL 4 /* the charts start right of the distribution (A-C) */

/* The block of group g from row b; returns the rows it takes. */
static lxw_row_t
category_block(struct cs_xlsx *x, struct xl_sheet *sh, const struct rep_group *g,
               lxw_row_t b, bool charts)
{
    char lbl[160], title[256];
    group_label(g, lbl, sizeof lbl);
    /* a scale of many levels (0-100) lists the scores given only: 101 rows
     * of mostly zeros would take pages (summary.json keeps every level) */
    bool given_only = g->n_dist > XL_MAX_DIST_COLUMNS;
    if (given_only) {
        size_t n = strlen(lbl);
        snprintf(lbl + n, sizeof lbl - n, ": the scores given (of %zu levels)", g->n_dist);
    }
    xl_title(x, sh, b, 0, lbl, XF_BOLD);
    lxw_row_t h = b + 1;

    static const char *const dh[] = {"Score", "Responses", "Share"};
    char **dn = xl_header(x, sh, h, 0, dh, 3);
    lxw_row_t r = h;
    for (size_t j = 0; j < g->n_dist; j++) {
        if (given_only && g->dist[j].count == 0)
            continue;
        r++;
        xl_num(x, sh, r, 0, g->dist[j].score, XF_NONE);
        xl_count(x, sh, r, 1, g->dist[j].count);
        xl_num(x, sh, r, 2, frac(g->dist[j].count, g->sum.n), XF_RATE);
    }
    xl_table(x, sh, h, 0, r, dn, 3);
    xl_names_free(dn, 3);
    lxw_row_t top = (r > h ? r - h : 1) + 1;
    bool dist_chart = charts && g->n_dist > 0 && g->n_dist <= XL_MAX_DIST_COLUMNS;
    bool issue_chart = charts && g->n_issues > 0;
    if ((dist_chart || issue_chart) && top < XL_CHART_ROWS)
        top = XL_CHART_ROWS;

    lxw_row_t ih0 = h + top + 1;
    static const char *const ihn[] = {"Issue", "Known", "Responses", "Poor",
                                      "Share of surveys", "Share of responses",
                                      "Share of poor", "Description"};
    char **in = xl_header(x, sh, ih0, 0, ihn, 8);
    for (size_t j = 0; j < g->n_issues; j++) {
        const struct rep_issue *is = &g->issues[j];
        r = ih0 + 1 + (lxw_row_t)j;
        issue_cells(x, sh, r, 0, is);
    }
    xl_table(x, sh, ih0, 0, ih0 + (lxw_row_t)g->n_issues, in, 8);
    xl_names_free(in, 8);
    lxw_row_t used = 1 + top + 1 + (lxw_row_t)(g->n_issues ? g->n_issues : 1) + 1;
    if (x->lerr || !charts)
        return used;
    /* the charts beside the distribution: share per score, then issues */
    struct xl_anchor at = {.row = h, .col = CHART_COL};
    if (dist_chart) {
        xl_dist_chart(x, sh, g, h, 0, &at);
        at.x_px += XL_CHART_STEP_PX;
    }
    if (issue_chart) {
        char sl[128];
        xl_scale_short(g, sl, sizeof sl);
        snprintf(title, sizeof title, "%s: issues, share of responses", sl);
        lxw_col_t vc = 5; /* share of responses */
        xl_chart_value_labels(xl_chart(x, sh, CS_XLSX_CHART_BAR, ih0,
                                       ih0 + (lxw_row_t)g->n_issues, 0, &vc, 1, title, "0%",
                                       &at),
                              "0.0%");
    }
    return used;
}

cs_status
cs_xlsx_category(struct cs_xlsx *x, const struct cs_xlsx_input *in, int cat,
                 struct cs_err *err)
{
    const struct cs_report_model *m = in->m;
    size_t n = 0;
    for (size_t i = 0; i < m->n_groups; i++)
        n += m->groups[i].cat == cat;
    if (n == 0)
        return CS_OK;
    char d0[160], desc[640];
    snprintf(d0, sizeof d0, "%s rating: distribution and issues%s.",
             cs_category_title((enum cs_category)cat), in->tables_only ? "" : ", with charts");
    struct xl_sheet *sh = xl_sheet_add(x, xl_sec_name(in, cs_category_title((enum cs_category)cat)),
                                       false, xl_sec_desc(in, d0, desc, sizeof desc));
    if (!sh)
        return xl_status(x, err);
    lxw_row_t b = 0;
    for (size_t i = 0; i < m->n_groups; i++) {
        const struct rep_group *g = &m->groups[i];
        if (g->cat != cat)
            continue;
        /* native charts where the PNGs have one (issue 18): not for a
         * scale under --min-n unless it is the category's largest */
        bool main_scale = true;
        for (size_t k = 0; k < m->n_groups; k++)
            if (m->groups[k].cat == g->cat && m->groups[k].sum.n > g->sum.n)
                main_scale = false;
        b += category_block(x, sh, g, b,
                            !in->tables_only && (!g->small_sample || main_scale || m->scales_all));
        b += 2;
    }
    /* tables of different columns follow one another: no frozen header, no
     * header repeated on printed pages */
    sh->no_repeat = true;
    return xl_status(x, err);
}

cs_status
cs_xlsx_categories(struct cs_xlsx *x, const struct cs_xlsx_input *in, struct cs_err *err)
{
    for (int c = 0; c < CS_CAT__COUNT; c++) {
        cs_status rc = cs_xlsx_category(x, in, c, err);
        if (rc)
            return rc;
    }
    return CS_OK;
}

/* ---- Issues --------------------------------------------------------------- */

/* A row of the Issues sheet: issue j of group g. */
struct issue_ref {
    const struct rep_group *g;
    size_t gi, j;
};

/* Rows reported by someone first, then those of no response; within each,
 * the groups in model order (category, then scale) and the tags by share of
 * responses, highest first, then by name. */
static int
cmp_issue_ref(const void *pa, const void *pb)
{
    const struct issue_ref *a = pa, *b = pb;
    const struct rep_issue *x = &a->g->issues[a->j], *y = &b->g->issues[b->j];
    bool zx = x->surveys == 0, zy = y->surveys == 0;
    if (zx != zy)
        return zx ? 1 : -1;
    if (a->gi != b->gi)
        return a->gi < b->gi ? -1 : 1;
    double sx = isnan(x->share_of_responses) ? -1 : x->share_of_responses;
    double sy = isnan(y->share_of_responses) ? -1 : y->share_of_responses;
    if (sx != sy)
        return sx > sy ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* The pairs of tags reported together, on a sheet of their own after
 * Issues (named after it: "Issues pairs" when a template renamed Issues):
 * below the issues they printed under the issues' repeated header row. */
static void
issue_pairs(struct cs_xlsx *x, const struct cs_xlsx_input *in, const struct cs_report_model *m)
{
    char lbl[160], name[64], desc[640];
    snprintf(name, sizeof name, "%s", in && in->sheet_name && *in->sheet_name ? in->sheet_name : "Issue");
    strncat(name, " pairs", sizeof name - strlen(name) - 1);
    struct xl_sheet *sh = xl_sheet_add(
        x, name, false,
        xl_sec_desc(in, "Issue tags reported together in one rating, per category and scale.",
                    desc, sizeof desc));
    if (!sh)
        return;
    const lxw_row_t p0 = 0;
    static const char *const ph[] = {"Category", "Scale", "Issue A", "Issue B",
                                     "Responses reporting both"};
    char **names = xl_header(x, sh, p0, 0, ph, 5);
    lxw_row_t pr = p0;
    for (size_t i = 0; i < m->n_groups; i++) {
        const struct rep_group *g = &m->groups[i];
        group_label(g, lbl, sizeof lbl);
        for (size_t j = 0; j < g->n_pairs; j++) {
            const struct rep_pair *p = &g->pairs[j];
            pr++;
            xl_text(x, sh, pr, 0, cs_category_title((enum cs_category)g->cat), SIZE_MAX, XF_NONE);
            xl_text(x, sh, pr, 1, lbl, SIZE_MAX, XF_NONE);
            xl_text(x, sh, pr, 2, g->issues[p->a].name, SIZE_MAX, XF_NONE);
            xl_text(x, sh, pr, 3, g->issues[p->b].name, SIZE_MAX, XF_NONE);
            xl_count(x, sh, pr, 4, p->count);
        }
    }
    xl_table(x, sh, p0, 0, pr, names, 5);
    xl_names_free(names, 5);
    worksheet_freeze_panes(sh->ws, 1, 0);
}

cs_status
cs_xlsx_issues(struct cs_xlsx *x, const struct cs_xlsx_input *in, struct cs_err *err)
{
    const struct cs_report_model *m = in->m;
    char desc[640];
    struct xl_sheet *sh = xl_sheet_add(
        x, xl_sec_name(in, "Issues"), false,
        xl_sec_desc(in, "Every issue tag of every category and scale, by share of responses "
                        "(tags nobody reported last); the pairs reported together are on the next sheet.",
                    desc, sizeof desc));
    if (!sh)
        return xl_status(x, err);
    static const char *const h[] = {"Category", "Scale", "Issue", "Known", "Responses",
                                    "Poor", "Share of surveys", "Share of responses",
                                    "Share of poor", "Description"};
    char **names = xl_header(x, sh, 0, 0, h, 10);
    size_t n = 0;
    for (size_t i = 0; i < m->n_groups; i++)
        n += m->groups[i].n_issues;
    struct issue_ref *ref = xcalloc(n ? n : 1, sizeof *ref);
    n = 0;
    for (size_t i = 0; i < m->n_groups; i++)
        for (size_t j = 0; j < m->groups[i].n_issues; j++)
            ref[n++] = (struct issue_ref){&m->groups[i], i, j};
    qsort(ref, n, sizeof *ref, cmp_issue_ref);
    char lbl[160];
    lxw_row_t r = 0;
    for (size_t k = 0; k < n; k++) {
        const struct rep_group *g = ref[k].g;
        const struct rep_issue *is = &g->issues[ref[k].j];
        r++;
        xl_text(x, sh, r, 0, cs_category_title((enum cs_category)g->cat), SIZE_MAX, XF_NONE);
        xl_text(x, sh, r, 1, group_label(g, lbl, sizeof lbl), SIZE_MAX, XF_NONE);
        issue_cells(x, sh, r, 2, is);
    }
    xfree(ref);
    xl_table(x, sh, 0, 0, r, names, 10);
    xl_names_free(names, 10);
    worksheet_freeze_panes(sh->ws, 1, 0);
    issue_pairs(x, in, m);
    return xl_status(x, err);
}

/* ---- Trend ---------------------------------------------------------------- */

static int
cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static bool
same_group(const struct rep_trend *t, const struct rep_group *g)
{
    return t->cat == g->cat && t->scale.lower == g->scale.lower &&
           t->scale.upper == g->scale.upper && t->scale.threshold == g->scale.threshold;
}

/* Below the trend table, from row p0 (its heading above): one row per
 * bucket, one poor-rate column per category on its primary scale (the
 * scale with the most responses, as the review and the drawn charts), and
 * with charts one line chart per column below (issue 18: not one chart of
 * every scale). */
static void
trend_pivot(struct cs_xlsx *x, struct xl_sheet *sh, const struct cs_report_model *m,
            lxw_row_t p0, bool charts)
{
    int64_t *buckets = xcalloc(m->n_trend ? m->n_trend : 1, sizeof *buckets);
    for (size_t i = 0; i < m->n_trend; i++)
        buckets[i] = m->trend[i].bucket;
    qsort(buckets, m->n_trend, sizeof *buckets, cmp_i64);
    size_t nb = 0;
    for (size_t i = 0; i < m->n_trend; i++)
        if (nb == 0 || buckets[nb - 1] != buckets[i])
            buckets[nb++] = buckets[i];
    const struct rep_group *prim[CS_CAT__COUNT];
    size_t ng = 0, points[CS_CAT__COUNT] = {0};
    for (int cat = 0; cat < CS_CAT__COUNT; cat++) {
        const struct rep_group *best = NULL;
        for (size_t g = 0; g < m->n_groups; g++)
            if (m->groups[g].cat == cat && m->groups[g].sum.n > 0 &&
                (!best || m->groups[g].sum.n > best->sum.n))
                best = &m->groups[g];
        for (size_t i = 0; best && i < m->n_trend; i++)
            points[ng] += same_group(&m->trend[i], best);
        if (points[ng])
            prim[ng++] = best;
    }
    const char *unit = m->bucket == CS_BUCKET_DAY ? "day" : "week";
    char b[256], lbl[160];
    snprintf(b, sizeof b, "Poor rate per %s of each category on its primary scale", unit);
    xl_title(x, sh, p0 - 1, 0, b, XF_BOLD);
    const char *ph[1 + CS_CAT__COUNT];
    char labels[CS_CAT__COUNT][160];
    ph[0] = m->bucket == CS_BUCKET_DAY ? "Day" : "Week";
    for (size_t k = 0; k < ng; k++) {
        snprintf(labels[k], sizeof labels[k], "%s poor rate",
                 xl_scale_short(prim[k], lbl, sizeof lbl));
        ph[k + 1] = labels[k];
    }
    char **names = xl_header(x, sh, p0, 0, ph, ng + 1);
    for (size_t k = 0; k < nb; k++) {
        lxw_row_t r = p0 + 1 + (lxw_row_t)k;
        for (size_t i = 0; i < m->n_trend; i++) {
            const struct rep_trend *t = &m->trend[i];
            if (t->bucket != buckets[k])
                continue;
            xl_text(x, sh, r, 0, t->label, SIZE_MAX, XF_NONE);
            for (size_t j = 0; j < ng; j++)
                if (same_group(t, prim[j]))
                    xl_num(x, sh, r, 1 + (lxw_col_t)j, t->sum.poor_rate, XF_RATE);
        }
    }
    xl_table(x, sh, p0, 0, p0 + (lxw_row_t)nb, names, ng + 1);
    xl_names_free(names, ng + 1);
    if (charts)
        xl_trend_charts(x, sh, prim, points, ng, p0, nb, unit, p0 + (lxw_row_t)(nb ? nb : 1) + 2);
    xfree(buckets);
}

/* Every scale per bucket, on the sheet after Trend ("Trend data", or the
 * renamed Trend's name + " data"): below the pivot and its charts it
 * printed under the pivot's repeated header row, and the charts between
 * them split across pages (issue 18). */
static void
trend_data(struct cs_xlsx *x, const struct cs_xlsx_input *in, const struct cs_report_model *m,
           const char *unit)
{
    char name[64], d0[160], desc[640];
    snprintf(name, sizeof name, "%s data", xl_sec_name(in, "Trend"));
    snprintf(d0, sizeof d0, "Responses, mean and poor rate per %s of every category and scale.", unit);
    struct xl_sheet *sh = xl_sheet_add(x, name, false, xl_sec_desc(in, d0, desc, sizeof desc));
    if (!sh)
        return;
    static const char *const h[] = {"Bucket", "Partial", "Category", "Scale", "Lower",
                                    "Upper", "Threshold", "Responses", "Mean", "Poor",
                                    "Poor rate", "Poor rate 95% CI low",
                                    "Poor rate 95% CI high", "Small sample"};
    const size_t nh = sizeof h / sizeof *h;
    char **names = xl_header(x, sh, 0, 0, h, nh);
    char lbl[160];
    for (size_t i = 0; i < m->n_trend; i++) {
        const struct rep_trend *t = &m->trend[i];
        lxw_row_t r = (lxw_row_t)(i + 1);
        xl_text(x, sh, r, 0, t->label, SIZE_MAX, XF_NONE);
        xl_bool(x, sh, r, 1, t->partial);
        xl_text(x, sh, r, 2, cs_category_title((enum cs_category)t->cat), SIZE_MAX, XF_NONE);
        xl_text(x, sh, r, 3, cs_group_label(t->cat, &t->scale, lbl, sizeof lbl), SIZE_MAX,
                XF_NONE);
        xl_num(x, sh, r, 4, t->scale.lower, XF_NONE);
        xl_num(x, sh, r, 5, t->scale.upper, XF_NONE);
        xl_num(x, sh, r, 6, t->scale.threshold, XF_NONE);
        xl_count(x, sh, r, 7, t->sum.n);
        xl_num(x, sh, r, 8, t->sum.mean, XF_MEAN);
        xl_count(x, sh, r, 9, t->sum.n_poor);
        xl_num(x, sh, r, 10, t->sum.poor_rate, XF_RATE);
        xl_num(x, sh, r, 11, t->sum.poor_ci_lo, XF_RATE);
        xl_num(x, sh, r, 12, t->sum.poor_ci_hi, XF_RATE);
        xl_bool(x, sh, r, 13, t->small_sample);
    }
    xl_table(x, sh, 0, 0, (lxw_row_t)m->n_trend, names, nh);
    xl_names_free(names, nh);
    worksheet_freeze_panes(sh->ws, 1, 0);
}

/* Trend: the poor rate per bucket of each category on its primary scale
 * and one line chart each; then every scale on "Trend data". */
cs_status
cs_xlsx_trend(struct cs_xlsx *x, const struct cs_xlsx_input *in, struct cs_err *err)
{
    const struct cs_report_model *m = in->m;
    const char *unit = m->bucket == CS_BUCKET_DAY ? "day" : "week";
    char d0[200], desc[640];
    snprintf(d0, sizeof d0, "Poor rate per %s of each category on its primary scale%s; every "
                            "scale on the next sheet.",
             unit,
             in->tables_only ? "" : ", with a line chart each");
    struct xl_sheet *sh =
        xl_sheet_add(x, xl_sec_name(in, "Trend"), false, xl_sec_desc(in, d0, desc, sizeof desc));
    if (!sh)
        return xl_status(x, err);
    trend_pivot(x, sh, m, 1, !in->tables_only);
    worksheet_freeze_panes(sh->ws, 2, 0);
    trend_data(x, in, m, unit);
    return xl_status(x, err);
}

/* ---- Sections and the whole report ------------------------------------ */

static cs_status
section_categories(struct cs_xlsx *x, const struct cs_xlsx_input *in, struct cs_err *err)
{
    return cs_xlsx_categories(x, in, err);
}

cs_xlsx_section_fn
cs_xlsx_section_find(const char *name)
{
    static const struct {
        const char *name;
        cs_xlsx_section_fn fn;
    } sections[] = {
        {"about", cs_xlsx_about},
        {"summary", cs_xlsx_summary},
        {"categories", section_categories},
        {"issues", cs_xlsx_issues},
        {"trend", cs_xlsx_trend},
        {"custom", cs_xlsx_custom},
        {"data_quality", cs_xlsx_data_quality},
        {"data", cs_xlsx_data},
    };
    for (size_t i = 0; name && i < sizeof sections / sizeof *sections; i++)
        if (strcmp(sections[i].name, name) == 0)
            return sections[i].fn;
    return NULL;
}

cs_status
cs_xlsx_write_report(const struct cs_xlsx_input *in, const char *path,
                     struct cs_err *err)
{
    struct cs_xlsx_opts o = {
        .tool_version = in->tool_version,
        .run_time_s = in->run_time_s,
        /* more than one Data sheet can pass 4 GB of XML */
        .use_zip64 = in->include_data && in->m->totals.surveys >= CS_XLSX_MAX_ROWS - 1,
    };
    struct cs_xlsx *x;
    cs_status rc = cs_xlsx_open(path, &o, &x, err);
    if (rc)
        return rc;
    if ((rc = cs_xlsx_about(x, in, err)) || (rc = cs_xlsx_summary(x, in, err)) ||
        (rc = cs_xlsx_categories(x, in, err)) || (rc = cs_xlsx_issues(x, in, err)) ||
        (rc = cs_xlsx_trend(x, in, err)) ||
        (in->audit && in->audit->events && (rc = cs_xlsx_custom(x, in, err))) ||
        (rc = cs_xlsx_data_quality(x, in, err)) ||
        (in->include_data && (rc = cs_xlsx_data(x, in, err)))) {
        cs_xlsx_abort(&x);
        return rc;
    }
    return cs_xlsx_close(&x, err);
}
