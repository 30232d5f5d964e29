/*
 * report/compare_run.c: groups against a baseline.
 *
 * One grouped scan of the store gives a histogram cube with a group
 * dimension; each group's (category, scale) figures are built exactly as
 * the summary's.  For every (category, scale) of every non-baseline group:
 * the difference of poor rates with Newcombe's interval, the two-proportion
 * z-test or Fisher's exact test (any expected count under 5), Mann-Whitney
 * U on the score distributions, and chi-square homogeneity; Holm adjusts
 * the poor-rate p-values across the rows of the table.  The verdict reads
 * the adjusted poor-rate test at alpha 0.05; a side under --min-n is "too
 * small to judge", with the minimum detectable rise for the sizes at hand.
 * Scales are never pooled: a row compares one scale with the same scale.
 */
#include "report/compare_run.h"
#include "report/review_build.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/mem.h"
#include "model/dims.h"
#include "model/privacy.h"
#include "model/survey.h"
#include "render/json.h"
#include "render/xlsx.h"
#include "report/breakdown.h"
#include "report/charts.h"
#include "report/report.h"
#include "report/template.h"
#include "report/xlsx_rows.h"
#include "store/hist_load.h"
#include "store/runner.h"

#define ALPHA CS_COMPARE_ALPHA
#define POWER 0.80

static const struct rep_group *
find_cat(const struct cmp_group *g, int cat, const struct stats_scale *sc)
{
    for (size_t i = 0; i < g->n_cats; i++)
        if (g->cats[i].cat == cat && g->cats[i].scale.lower == sc->lower &&
            g->cats[i].scale.upper == sc->upper &&
            g->cats[i].scale.threshold == sc->threshold)
            return &g->cats[i];
    return NULL;
}


/* The last segment of a resource id ("ACS-PROD" of ".../communicationServices/
 * ACS-PROD"); the key itself for other groupings. */
static const char *
short_name(const char *key)
{
    const char *sl = strrchr(key, '/');
    return sl ? sl + 1 : key;
}

/* Resources of the same name in different resource groups or subscriptions
 * would show as one label: give them "NAME (RESOURCEGROUP)", or the full id
 * when that is not enough. */
static void
disambiguate_labels(struct cs_compare *c)
{
    bool *dup = xcalloc(c->n_groups ? c->n_groups : 1, sizeof *dup);
    for (size_t g = 0; g < c->n_groups; g++)
        for (size_t h = 0; h < c->n_groups; h++)
            if (g != h && strcasecmp(c->groups[g].label, c->groups[h].label) == 0)
                dup[g] = true;
    for (size_t g = 0; g < c->n_groups; g++) {
        if (!dup[g])
            continue;
        const char *k = c->groups[g].key;
        const char *rg = strcasestr(k, "/resourcegroups/");
        char *lbl = NULL;
        if (rg) {
            rg += strlen("/resourcegroups/");
            const char *end = strchr(rg, '/');
            lbl = xasprintf("%s (%.*s)", c->groups[g].label,
                            (int)(end ? (size_t)(end - rg) : strlen(rg)), rg);
        }
        xfree(c->groups[g].label);
        c->groups[g].label = lbl ? lbl : xstrdup(k);
    }
    for (size_t g = 0; g < c->n_groups; g++) /* still the same: the full id */
        for (size_t h = g + 1; h < c->n_groups; h++)
            if (strcasecmp(c->groups[g].label, c->groups[h].label) == 0) {
                xfree(c->groups[g].label);
                c->groups[g].label = xstrdup(c->groups[g].key);
                xfree(c->groups[h].label);
                c->groups[h].label = xstrdup(c->groups[h].key);
            }
    xfree(dup);
}

/* The baseline group (--baseline, else the default rule). */
static cs_status
choose_baseline(struct cs_compare *c, const struct cs_compare_opts *o, enum cs_group_by by,
                struct cs_err *err)
{
    /* the default baseline: the earliest week or day; for resources and
     * custom answers the group with the most surveys (a small canary is no
     * yardstick), ties to the first */
    c->baseline = 0;
    if (!o->baseline && (by == CS_GROUP_RESOURCE || by == CS_GROUP_CUSTOM || by == CS_GROUP_DIM))
        for (size_t g = 1; g < c->n_groups; g++)
            if (c->groups[g].surveys > c->groups[c->baseline].surveys &&
                /* a release dimension: the largest version, not unknown */
                !(by == CS_GROUP_DIM && cs_breakdown_special(c->groups[g].label)))
                c->baseline = g;
    c->baseline_previous = o->baseline && strcasecmp(o->baseline, "previous") == 0;
    if (c->baseline_previous && by != CS_GROUP_WEEK && by != CS_GROUP_DAY &&
        by != CS_GROUP_DIM)
        return cs_fail(err, CS_E_USAGE, "--baseline",
                       "'previous' compares each week, day or version with the one before it: "
                       "it needs --by week, day or a release dimension, not --by %s",
                       o->by);
    if (o->baseline && !c->baseline_previous) {
        size_t b = SIZE_MAX, n_label = 0;
        for (size_t g = 0; g < c->n_groups && b == SIZE_MAX; g++)
            if (strcasecmp(c->groups[g].key, o->baseline) == 0)
                b = g; /* the full id: exact */
        for (size_t g = 0; g < c->n_groups && b == SIZE_MAX; g++)
            n_label += strcasecmp(c->groups[g].label, o->baseline) == 0 ||
                       strcasecmp(short_name(c->groups[g].key), o->baseline) == 0;
        if (b == SIZE_MAX && n_label > 1) {
            cs_status rc = cs_fail(err, CS_E_USAGE, "--baseline",
                                   "'%s' names %zu groups (resources with the same name in other "
                                   "resource groups or subscriptions); give the full resource id",
                                   o->baseline, n_label);
            return rc;
        }
        for (size_t g = 0; g < c->n_groups && b == SIZE_MAX; g++)
            if (strcasecmp(c->groups[g].label, o->baseline) == 0 ||
                strcasecmp(short_name(c->groups[g].key), o->baseline) == 0)
                b = g;
        if (b == SIZE_MAX) {
            char list[400] = "";
            size_t n = 0;
            for (size_t g = 0; g < c->n_groups && n < sizeof list - 40; g++)
                n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", g ? ", " : "",
                                      c->groups[g].label);
            cs_status rc = cs_fail(err, CS_E_NODATA, "--baseline",
                                   "'%s' is not one of the groups; the data has: %s", o->baseline, list);
            return rc;
        }
        c->baseline = b;
    }
    return CS_OK;
}

/* One row per (category, scale) of each group against its baseline. */
static void
build_rows(struct cs_compare *c, enum cs_group_by by)
{
    size_t cap = 0;
    for (size_t g = 0; g < c->n_groups; g++) {
        if (g == c->baseline)
            continue; /* with previous: the first period has nothing before it */
        size_t bi = c->baseline_previous ? g - 1 : c->baseline;
        if (c->baseline_previous && by == CS_GROUP_DIM) {
            /* a version against the version before it; Redacted, other and
             * unknown are no versions: no row, and never a baseline */
            if (cs_breakdown_special(c->groups[g].label))
                continue;
            while (bi > 0 && cs_breakdown_special(c->groups[bi].label))
                bi--;
            if (cs_breakdown_special(c->groups[bi].label))
                continue;
        }
        const struct cmp_group *base = &c->groups[bi];
        for (size_t k = 0; k < c->groups[g].n_cats; k++) {
            const struct rep_group *rg = &c->groups[g].cats[k];
            const struct rep_group *rb = find_cat(base, rg->cat, &rg->scale);
            struct cmp_row r = {.cat = rg->cat, .scale = rg->scale, .group = g, .baseline = bi};
            r.n = rg->sum.n;
            r.poor = rg->sum.n_poor;
            r.poor_rate = rg->sum.poor_rate;
            r.mean = rg->sum.mean;
            r.n_base = rb ? rb->sum.n : 0;
            r.poor_base = rb ? rb->sum.n_poor : 0;
            r.poor_rate_base = rb ? rb->sum.poor_rate : (double)NAN;
            r.mean_base = rb ? rb->sum.mean : (double)NAN;
            r.poor_cmp = stats_compare_poor(r.poor, r.n, r.poor_base, r.n_base);
            struct stats_hist h1 = {rg->bins, rg->n_bins};
            struct stats_hist h2 = {rb ? rb->bins : NULL, rb ? rb->n_bins : 0};
            r.mwu = stats_mann_whitney(&h1, &h2);
            r.chi2 = stats_chi2_homogeneity(&h1, &h2);
            r.min_detectable_diff = stats_min_detectable_diff(
                r.n, r.n_base, isnan(r.poor_rate_base) ? 0 : r.poor_rate_base, ALPHA, POWER);
            if (c->n_rows == cap) {
                cap = cap ? cap * 2 : 16;
                c->rows = xreallocarray(c->rows, cap, sizeof *c->rows);
            }
            c->rows[c->n_rows++] = r;
        }
    }
}

/* The verdicts: one code path with the review (report/review_build.c). */
static void
judge_rows(struct cs_compare *c, const struct cs_compare_opts *o)
{
    size_t n = c->n_rows ? c->n_rows : 1;
    struct stats_poor_cmp *cmp = xcalloc(n, sizeof *cmp);
    uint64_t *a = xcalloc(n, sizeof *a), *b = xcalloc(n, sizeof *b);
    struct cs_judgement *j = xcalloc(n, sizeof *j);
    for (size_t i = 0; i < c->n_rows; i++) {
        cmp[i] = c->rows[i].poor_cmp;
        a[i] = c->rows[i].n;
        b[i] = c->rows[i].n_base;
    }
    cs_judge_table(cmp, a, b, c->n_rows, o->min_n, o->min_effect, ALPHA, j);
    for (size_t i = 0; i < c->n_rows; i++) {
        struct cmp_row *r = &c->rows[i];
        r->j = j[i];
        r->p_poor_holm = j[i].p_holm;
        r->verdict = j[i].verdict;
        if (r->verdict == CS_VERDICT_WORSE)
            c->n_worse++;
        if (r->verdict == CS_VERDICT_BETTER)
            c->n_better++;
    }
    xfree(cmp);
    xfree(a);
    xfree(b);
    xfree(j);
}

cs_status
cs_compare_build(struct cs_store *s, const struct cs_compare_opts *o,
                 struct cs_compare **out, struct cs_err *err)
{
    *out = NULL;
    enum cs_group_by by;
    const char *key = NULL;
    if (!o->by)
        return cs_fail(err, CS_E_USAGE, "--by",
                       "compare needs --by resource|week|day|custom:KEY or a release "
                       "dimension (sdk-version, os, app-version, ...)");
    if (strcmp(o->by, "resource") == 0)
        by = CS_GROUP_RESOURCE;
    else if (strcmp(o->by, "week") == 0)
        by = CS_GROUP_WEEK;
    else if (strcmp(o->by, "day") == 0)
        by = CS_GROUP_DAY;
    else if (strncmp(o->by, "custom:", 7) == 0 && o->by[7]) {
        by = CS_GROUP_CUSTOM;
        key = o->by + 7;
    } else if (cs_dim_parse(o->by) != CS_DIM_NONE) {
        by = CS_GROUP_DIM;
    } else
        return cs_fail(err, CS_E_USAGE, "--by",
                       "'%s' is not resource, week, day, custom:KEY, sdk-version, os, "
                       "os-version, endpoint-type, participant-type, call-type, end-reason, "
                       "app-version, browser or client-os",
                       o->by);
    /* a filter or key that names nothing in the data is a mistake, not an
     * empty comparison: say what the data has */
    cs_status rc = cs_query_check_resources(s, &o->filter, err);
    if (rc == CS_OK && by == CS_GROUP_CUSTOM)
        rc = cs_query_check_custom_key(s, key, err);
    if (rc)
        return rc;
    struct cs_cube cube;
    if (by == CS_GROUP_DIM)
        rc = cs_breakdown_cube(s, &o->filter, CS_BUCKET_NONE, o->by, o->top, &cube, err);
    else
        rc = cs_query_cube_grouped(s, &o->filter, CS_BUCKET_NONE, by, key, &cube, err);
    if (rc)
        return rc;
    if (cube.n_groups < 2) {
        cs_cube_free(&cube);
        return cs_fail(err, CS_E_NODATA, "--by",
                       "compare by %s needs at least two groups; the data has %zu",
                       o->by, cube.n_groups);
    }
    struct cs_compare *c = xcalloc(1, sizeof *c);
    c->by = o->by;
    c->min_n = o->min_n;
    c->min_effect = o->min_effect;
    c->baseline_given = o->baseline != NULL;
    c->n_groups = cube.n_groups;
    c->groups = xcalloc(cube.n_groups, sizeof *c->groups);
    for (size_t g = 0; g < cube.n_groups; g++) {
        c->groups[g].key = xstrdup(cube.groups[g].key);
        c->groups[g].label = xstrdup(cube.groups[g].label);
        c->groups[g].surveys = cube.groups[g].surveys;
        rc = cs_rep_groups_build(&cube, (int)g, cube.groups[g].surveys, o->min_n,
                                 &c->groups[g].cats, &c->groups[g].n_cats, err);
        if (rc)
            goto fail;
    }
    if (by == CS_GROUP_DIM) /* the key was a sort key: a group is its value */
        for (size_t g = 0; g < c->n_groups; g++) {
            xfree(c->groups[g].key);
            c->groups[g].key = xstrdup(c->groups[g].label);
        }
    disambiguate_labels(c);
    rc = choose_baseline(c, o, by, err);
    if (rc)
        goto fail;
    build_rows(c, by);
    judge_rows(c, o);
    cs_cube_free(&cube);
    *out = c;
    return CS_OK;
fail:
    cs_cube_free(&cube);
    cs_compare_free(&c);
    return rc;
}

void
cs_compare_free(struct cs_compare **cp)
{
    if (!cp || !*cp)
        return;
    struct cs_compare *c = *cp;
    for (size_t g = 0; g < c->n_groups; g++) {
        xfree(c->groups[g].key);
        xfree(c->groups[g].label);
        cs_rep_groups_free(c->groups[g].cats, c->groups[g].n_cats);
    }
    xfree(c->groups);
    xfree(c->rows);
    xfree(c);
    *cp = NULL;
}

size_t
cs_compare_apply_privacy(struct cs_compare *c, const struct cs_privacy *p)
{
    if (!c || !cs_privacy_drops_text(p) || !c->by || strncmp(c->by, "custom:", 7) != 0)
        return 0;
    size_t n = 0;
    for (size_t g = 0; g < c->n_groups; g++) {
        struct cmp_group *gr = &c->groups[g];
        if (!gr->key || !cs_privacy_is_text(gr->key, strlen(gr->key)))
            continue;
        char id[CS_PRIVACY_HEX + 1];
        char *name = xasprintf("answer %s", cs_privacy_id(p, gr->key, SIZE_MAX, id));
        xfree(gr->key);
        xfree(gr->label);
        gr->key = name;
        gr->label = xstrdup(name);
        n++;
    }
    return n;
}


static const char *
pc(double v, char *b)
{
    if (isnan(v))
        return "-";
    snprintf(b, 24, "%.1f%%", 100 * v);
    return b;
}

char *
cs_compare_text(const struct cs_compare *c, bool only_worse)
{
    struct cs_buf t = {0};
    cs_buf_printf(&t, "%-12s %-16s %-18s %8s %9s %9s %-22s %9s  %s\n", "category", "scale", "group",
                  "n", "poor", "baseline", "difference (95% CI)", "p (Holm)", "verdict");
    for (size_t i = 0; i < c->n_rows; i++) {
        const struct cmp_row *r = &c->rows[i];
        if (only_worse && r->verdict != CS_VERDICT_WORSE)
            continue;
        char sc[96], a[24], b[24], d[64], p[24];
        cs_scale_label(&r->scale, sc, sizeof sc); /* "1–5, poor ≤ 2", as everywhere */
        if (isnan(r->poor_cmp.diff))
            snprintf(d, sizeof d, "-");
        else
            snprintf(d, sizeof d, "%+.1f pt (%+.1f, %+.1f)", 100 * r->poor_cmp.diff,
                     100 * r->poor_cmp.diff_ci_lo, 100 * r->poor_cmp.diff_ci_hi);
        if (isnan(r->p_poor_holm))
            snprintf(p, sizeof p, "-");
        else if (r->p_poor_holm < 0.0001)
            snprintf(p, sizeof p, "<0.0001");
        else
            snprintf(p, sizeof p, "%.4f", r->p_poor_holm);
        char verdict[80];
        if (r->verdict == CS_VERDICT_TOO_SMALL && !isnan(r->min_detectable_diff))
            snprintf(verdict, sizeof verdict, "too small to judge (detects +%.0f pt)",
                     100 * r->min_detectable_diff);
        else if (r->j.adjusted_away)
            snprintf(verdict, sizeof verdict,
                     "no evidence: not significant after adjusting for %zu comparisons",
                     r->j.n_compared);
        else if (r->j.below_min_effect)
            snprintf(verdict, sizeof verdict, "no evidence: smaller than --min-effect");
        else
            snprintf(verdict, sizeof verdict, "%s", cs_verdict_name(r->verdict));
        char nn[32];
        cs_buf_printf(&t, "%-12s ", cs_category_title((enum cs_category)r->cat));
        cs_buf_pad(&t, sc, 16);
        cs_buf_printf(&t, " %-18.18s %8s %9s %9s %-22s %9s  %s\n", c->groups[r->group].label,
                      cs_thousands(r->n, nn), pc(r->poor_rate, a), pc(r->poor_rate_base, b), d, p,
                      verdict);
    }
    if (c->baseline_previous)
        cs_buf_printf(&t, "baseline: each %s against the one before it; %zu worse, %zu better, %zu rows\n",
                      c->by, c->n_worse, c->n_better, c->n_rows);
    else
        cs_buf_printf(&t, "baseline: %s (%s); %zu worse, %zu better, %zu rows\n",
                      c->groups[c->baseline].label,
                      c->baseline_given ? "--baseline"
                      : (strcmp(c->by, "week") == 0 || strcmp(c->by, "day") == 0)
                          ? "the earliest"
                          : "the most surveys",
                      c->n_worse, c->n_better, c->n_rows);
    return cs_buf_take(&t);
}

/* ---- compare.xlsx ------------------------------------------------------ */

/* The category's largest scale in the baseline group (NULL: none there):
 * the scale a per-category sheet of the comparison shows. */
static const struct rep_group *
baseline_scale(const struct cs_compare *c, int cat)
{
    const struct cmp_group *bg = &c->groups[c->baseline];
    const struct rep_group *best = NULL;
    for (size_t k = 0; k < bg->n_cats; k++)
        if (bg->cats[k].cat == cat && (!best || bg->cats[k].sum.n > best->sum.n))
            best = &bg->cats[k];
    return best;
}


#define NUM(v) ((struct cs_xlsx_cell){.type = isnan(v) ? CS_XLSX_NULL : CS_XLSX_NUMBER, .num = (v)})
#define TXT(s) ((struct cs_xlsx_cell){.type = CS_XLSX_TEXT, .text = (s)})

/* The Comparison sheet: every row with its tests (intervals in two columns). */
#define COL_GROUP 2 /* its columns as filled below (Verdict moves next to Group) */
#define COL_VERDICT 22
#define PTS "+0.00\" pt\";-0.00\" pt\";0.00\" pt\""

/* "Echo 5.1%, Freezes 3.0%, ..." : the three tags most responses report. */
static void
top_issues(const struct rep_group *g, char *buf, size_t n)
{
    buf[0] = '\0';
    size_t top[3], len = 0;
    size_t k = rep_top_issues(g, 3, top);
    for (size_t i = 0; i < k && len < n; i++)
        len += (size_t)snprintf(buf + len, n - len, "%s%s %.1f%%", i ? ", " : "",
                                g->issues[top[i]].name, 100 * g->issues[top[i]].share_of_responses);
}

static cs_status
xlsx_comparison(struct cs_xlsx *x, const struct cs_compare *c, const char *sheet,
                struct cs_err *err)
{
    static const char *const cols[] = {
        "Category", "Scale", "Group", "Baseline", "Responses", "Responses (baseline)",
        "Mean", "Mean (baseline)", "Poor rate", "Poor rate (baseline)", "Difference (points)",
        "Difference 95% CI low (points)", "Difference 95% CI high (points)", "Poor-rate test", "p (poor)",
        "p (poor, Holm)", "Mann-Whitney U", "p (Mann-Whitney)", "Rank-biserial r", "Chi-square",
        "Chi-square df", "p (chi-square)", "Verdict", "Minimum detectable rise",
        "Mean 95% CI low", "Mean 95% CI high", "Poor rate 95% CI low", "Poor rate 95% CI high",
        "Poor rate (baseline) 95% CI low", "Poor rate (baseline) 95% CI high", "Top issues"};
    static const char *const fmts[] = {
        NULL, NULL, NULL, NULL, "#,##0", "#,##0", "0.00", "0.00", "0.00%", "0.00%", PTS, PTS, PTS,
        NULL, "0.0000", "0.0000", "#,##0.0", "0.0000", "0.000", "0.00",
        "0", "0.0000", NULL, "0.00%", "0.00", "0.00", "0.00%", "0.00%", "0.00%", "0.00%", NULL};
    size_t nc = sizeof cols / sizeof *cols;
    struct cs_xlsx_cell *cells = xcalloc((c->n_rows ? c->n_rows : 1) * nc, sizeof *cells);
    char(*scale)[48] = xcalloc(c->n_rows ? c->n_rows : 1, sizeof *scale);
    char(*top)[160] = xcalloc(c->n_rows ? c->n_rows : 1, sizeof *top);
    for (size_t i = 0; i < c->n_rows; i++) {
        const struct cmp_row *r = &c->rows[i];
        char sl[96];
        snprintf(scale[i], sizeof scale[i], "%s", cs_scale_label(&r->scale, sl, sizeof sl));
        struct cs_xlsx_cell *o = cells + i * nc;
        o[0] = TXT(cs_category_title((enum cs_category)r->cat));
        o[1] = TXT(scale[i]);
        o[2] = TXT(c->groups[r->group].label);
        o[3] = TXT(c->groups[r->baseline].label);
        o[4] = NUM((double)r->n);
        o[5] = NUM((double)r->n_base);
        o[6] = NUM(r->mean);
        o[7] = NUM(r->mean_base);
        o[8] = NUM(r->poor_rate);
        o[9] = NUM(r->poor_rate_base);
        /* percentage points (0.068 = 6.8 points), as the terminal says */
        o[10] = NUM(100 * r->poor_cmp.diff);
        o[11] = NUM(100 * r->poor_cmp.diff_ci_lo);
        o[12] = NUM(100 * r->poor_cmp.diff_ci_hi);
        o[13] = TXT(r->poor_cmp.exact ? "Fisher exact" : "z (two proportions)");
        o[14] = NUM(r->poor_cmp.p);
        o[15] = NUM(r->p_poor_holm);
        o[16] = NUM(r->mwu.u);
        o[17] = NUM(r->mwu.p);
        o[18] = NUM(r->mwu.r);
        o[19] = NUM(r->chi2.chi2);
        o[20] = NUM((double)r->chi2.df);
        o[21] = NUM(r->chi2.p);
        o[22] = TXT(cs_verdict_name(r->verdict));
        o[23] = NUM(r->min_detectable_diff);
        /* the group's and the baseline's own intervals, and the group's
         * three most reported tags (share of its responses) */
        const struct rep_group *gg = find_cat(&c->groups[r->group], r->cat, &r->scale);
        const struct rep_group *gb = find_cat(&c->groups[r->baseline], r->cat, &r->scale);
        if (gg) {
            o[24] = NUM(gg->sum.mean_ci_lo);
            o[25] = NUM(gg->sum.mean_ci_hi);
            o[26] = NUM(gg->sum.poor_ci_lo);
            o[27] = NUM(gg->sum.poor_ci_hi);
            top_issues(gg, top[i], sizeof top[i]);
            o[30] = TXT(top[i]);
        }
        if (gb) {
            o[28] = NUM(gb->sum.poor_ci_lo);
            o[29] = NUM(gb->sum.poor_ci_hi);
        }
    }
    /* the verdict next to the group it judges, coloured (issue 17) */
    size_t order[sizeof cols / sizeof *cols], k = 0;
    for (size_t j = 0; j < nc; j++) {
        if (j == COL_VERDICT)
            continue;
        order[k++] = j;
        if (j == COL_GROUP)
            order[k++] = COL_VERDICT;
    }
    const char *pcols[sizeof cols / sizeof *cols], *pfmts[sizeof cols / sizeof *cols];
    struct cs_xlsx_cell *pcells = xcalloc((c->n_rows ? c->n_rows : 1) * nc, sizeof *pcells);
    for (size_t j = 0; j < nc; j++) {
        pcols[j] = cols[order[j]];
        pfmts[j] = fmts[order[j]];
        for (size_t i = 0; i < c->n_rows; i++)
            pcells[i * nc + j] = cells[i * nc + order[j]];
    }
    struct cs_xlsx_table_spec t = {.title = sheet, .columns = pcols, .n_cols = nc, .num_formats = pfmts, .cells = pcells, .n_rows = c->n_rows, .has_verdict_col = true, .verdict_col = COL_GROUP + 1};
    cs_status rc = cs_xlsx_table(x, &t, err);
    xfree(cells);
    xfree(pcells);
    xfree(scale);
    xfree(top);
    return rc;
}

/* Per category, on the baseline's largest scale: each group's poor rate
 * with its Wilson interval and verdict, and a native bar chart of it. */
static cs_status
xlsx_poor_rates(struct cs_xlsx *x, const struct cs_compare *c, struct cs_err *err)
{
    static const char *const pc[] = {"Group", "Poor rate", "95% CI low", "95% CI high",
                                     "Responses", "Verdict"};
    static const char *const pf[] = {NULL, "0.0%", "0.0%", "0.0%", "#,##0", NULL};
    cs_status rc = CS_OK;
    for (int cat = 0; rc == CS_OK && cat < CS_CAT__COUNT; cat++) {
        const struct rep_group *best = baseline_scale(c, cat);
        if (!best)
            continue;
        struct cs_xlsx_cell *cells = xcalloc(c->n_groups * 6, sizeof *cells);
        size_t n = 0;
        for (size_t g = 0; g < c->n_groups; g++) {
            const struct rep_group *rg = find_cat(&c->groups[g], cat, &best->scale);
            if (!rg)
                continue;
            const char *v = g == c->baseline && !c->baseline_previous ? "baseline" : "";
            for (size_t i = 0; i < c->n_rows; i++)
                if (c->rows[i].group == g && c->rows[i].cat == cat &&
                    c->rows[i].scale.lower == best->scale.lower &&
                    c->rows[i].scale.upper == best->scale.upper &&
                    c->rows[i].scale.threshold == best->scale.threshold)
                    v = cs_verdict_name(c->rows[i].verdict);
            struct cs_xlsx_cell *o = cells + n * 6;
            o[0] = TXT(c->groups[g].label);
            o[1] = NUM(rg->sum.poor_rate);
            o[2] = NUM(rg->sum.poor_ci_lo);
            o[3] = NUM(rg->sum.poor_ci_hi);
            o[4] = NUM((double)rg->sum.n);
            o[5] = TXT(v);
            n++;
        }
        char title[96], scale[96];
        cs_scale_label(&best->scale, scale, sizeof scale);
        snprintf(title, sizeof title, "Poor rate %s", cs_category_title((enum cs_category)cat));
        char ctitle[160];
        snprintf(ctitle, sizeof ctitle, "%s poor rate by %s (%s)",
                 cs_category_title((enum cs_category)cat), c->by, scale);
        static const size_t vcol[] = {1};
        struct cs_xlsx_chart_spec ch = {.kind = CS_XLSX_CHART_BAR, .category_col = 0, .value_cols = vcol, .n_value_cols = 1, .title = ctitle, .value_format = "0%"};
        struct cs_xlsx_table_spec t = {.title = title, .columns = pc, .n_cols = 6, .num_formats = pf, .cells = cells, .n_rows = n, .chart = &ch, .has_verdict_col = true, .verdict_col = 5};
        rc = cs_xlsx_table(x, &t, err);
        xfree(cells);
    }
    return rc;
}

/* The Groups sheet: short names, full ids, surveys, the baseline. */
static cs_status
xlsx_groups(struct cs_xlsx *x, const struct cs_compare *c, struct cs_err *err)
{
    static const char *const gcols[] = {"Group", "Id", "Surveys", "Baseline"};
    static const char *const gfmt[] = {NULL, NULL, "#,##0", NULL};
    struct cs_xlsx_cell *gc = xcalloc(c->n_groups * 4, sizeof *gc);
    for (size_t g = 0; g < c->n_groups; g++) {
        gc[g * 4] = TXT(c->groups[g].label);
        gc[g * 4 + 1] = TXT(c->groups[g].key);
        gc[g * 4 + 2] = NUM((double)c->groups[g].surveys);
        gc[g * 4 + 3] = TXT(g == c->baseline ? "yes" : "");
    }
    struct cs_xlsx_table_spec gt = {.title = "Groups", .columns = gcols, .n_cols = 4, .num_formats = gfmt, .cells = gc, .n_rows = c->n_groups};
    cs_status rc = cs_xlsx_table(x, &gt, err);
    xfree(gc);
    return rc;
}

/* Per category: shares per score by group, with a clustered column chart. */
static cs_status
xlsx_distributions(struct cs_xlsx *x, const struct cs_compare *c, struct cs_err *err)
{
    cs_status rc = CS_OK;
    /* per category: shares per score by group, clustered columns */
    for (int cat = 0; rc == CS_OK && cat < CS_CAT__COUNT; cat++) {
        const struct rep_group *best = baseline_scale(c, cat);
        if (!best || best->n_dist == 0 || best->n_dist > 101)
            continue;
        size_t ncols = 1 + c->n_groups, nd = best->n_dist;
        const char **hdr = xcalloc(ncols, sizeof *hdr);
        const char **fm = xcalloc(ncols, sizeof *fm);
        size_t *vcols = xcalloc(c->n_groups, sizeof *vcols);
        hdr[0] = "Score";
        for (size_t g = 0; g < c->n_groups; g++) {
            hdr[1 + g] = c->groups[g].label;
            fm[1 + g] = "0.0%";
            vcols[g] = 1 + g;
        }
        struct cs_xlsx_cell *dc = xcalloc(nd * ncols, sizeof *dc);
        for (size_t i = 0; i < nd; i++) {
            dc[i * ncols] = NUM(best->dist[i].score);
            for (size_t g = 0; g < c->n_groups; g++) {
                const struct rep_group *pg = find_cat(&c->groups[g], cat, &best->scale);
                double v = NAN;
                for (size_t j = 0; pg && j < pg->n_dist; j++)
                    if (pg->dist[j].score == best->dist[i].score && pg->sum.n)
                        v = (double)pg->dist[j].count / (double)pg->sum.n;
                dc[i * ncols + 1 + g] = NUM(v);
            }
        }
        char title[64], chart_title[200], sl[96];
        snprintf(title, sizeof title, "%s by %s", cs_category_title((enum cs_category)cat),
                 strncmp(c->by, "custom:", 7) == 0 ? "answer" : c->by);
        snprintf(chart_title, sizeof chart_title,
                 "%s rating, %s: share of respondents per score",
                 cs_category_title((enum cs_category)cat),
                 cs_scale_label(&best->scale, sl, sizeof sl));
        struct cs_xlsx_chart_spec ch = {.kind = CS_XLSX_CHART_COLUMN, .category_col = 0, .value_cols = vcols, .n_value_cols = c->n_groups, .title = chart_title, .value_format = "0%"};
        struct cs_xlsx_table_spec dt = {.title = title, .columns = hdr, .n_cols = ncols, .num_formats = fm, .cells = dc, .n_rows = nd, .chart = &ch};
        rc = cs_xlsx_table(x, &dt, err);
        xfree(hdr);
        xfree(fm);
        xfree(vcols);
        xfree(dc);
    }
    return rc;
}


/* ---- the release-compare template -------------------------------------- */

cs_status
cs_compare_template_check(const struct cs_template *t, struct cs_err *err)
{
    for (size_t i = 0; i < t->n_steps; i++)
        if (t->steps[i].section == CS_SECTION_COMPARE)
            return CS_OK;
    return cs_fail(err, CS_E_TEMPLATE, t->path,
                   "template '%s' has no step with `section: compare`, which "
                   "`callsurvey compare` needs (see templates/release-compare.yaml)",
                   t->name);
}

static void
note(const struct cs_compare_out *o, const char *fmt, ...)
{
    char b[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b, sizeof b, fmt, ap);
    va_end(ap);
    if (o->on_note)
        o->on_note(o->ctx, b);
}

cs_status
cs_compare_render(const struct cs_compare *c, struct cs_store *s,
                  const struct cs_template *t, const struct cs_template_params *p,
                  const struct cs_compare_out *o, struct cs_err *err)
{
    cs_status rc = cs_compare_template_check(t, err);
    if (rc)
        return rc;
    char path[4096];
    snprintf(path, sizeof path, "%s/compare.xlsx", o->dir);
    struct cs_xlsx *x = NULL;
    struct cs_xlsx_opts xo = {.tool_version = o->tool_version, .run_time_s = o->run_time_s};
    struct cs_xlsx_store_rows xsrc = {.store = s, .filter = o->filter};
    struct cs_xlsx_rows xrows;
    cs_xlsx_rows_from_store(&xrows, &xsrc);
    char title[160];
    snprintf(title, sizeof title, "Call survey comparison by %s (baseline: %s)", c->by,
             c->baseline_previous ? "each group against the one before it"
                                  : c->groups[c->baseline].label);
    struct cs_xlsx_input xin = {.m = o->m, .rows = &xrows, .filter = o->filter, .title = title, .tool_version = o->tool_version, .run_time_s = o->run_time_s, .template_name = t->name, .filters_text = o->filters_text, .privacy = o->privacy};
    struct cs_charts *charts = NULL;
    unsigned surf = o->surfaces & (CS_CHART_PNG | CS_CHART_SVG);
    if ((rc = cs_xlsx_open(path, &xo, &x, err)))
        return rc;
    if (o->m)
        rc = cs_xlsx_about(x, &xin, err);
    if (rc == CS_OK && surf && o->m)
        rc = cs_charts_open(o->m, o->dir, surf, &o->chart_size, o->on_file, o->ctx, &charts, err);
    cs_charts_set_template(charts, t, p);
    for (size_t i = 0; rc == CS_OK && i < t->n_steps; i++) {
        const struct cs_template_step *st = &t->steps[i];
        bool draw = surf && st->render != CS_RENDER_TABLE;
        switch (st->section) {
        case CS_SECTION_COMPARE:
            rc = xlsx_comparison(x, c, st->sheet ? st->sheet : "Comparison", err);
            if (rc == CS_OK)
                rc = xlsx_groups(x, c, err);
            if (rc == CS_OK && st->render != CS_RENDER_TABLE)
                rc = xlsx_poor_rates(x, c, err);
            if (rc == CS_OK && draw)
                rc = cs_compare_charts(c, o->m, o->dir, surf, &o->chart_size, CS_COMPARE_POOR, o->on_file, o->ctx,
                                       err);
            break;
        case CS_SECTION_DISTRIBUTION:
            rc = xlsx_distributions(x, c, err);
            if (rc == CS_OK && draw)
                rc = cs_compare_charts(c, o->m, o->dir, surf, &o->chart_size, CS_COMPARE_DIST, o->on_file, o->ctx,
                                       err);
            break;
        case CS_SECTION_DATA_QUALITY:
            if (o->m)
                rc = cs_xlsx_data_quality(x, &xin, err);
            break;
        case CS_SECTION_QUERY: {
            struct cs_result *r = NULL;
            char what[128];
            if (cs_store_is_hist(s) && cs_hist_reads_surveys(s, st->query, what, sizeof what)) {
                note(o, "step '%s' reads '%s': not available from histograms (it needs "
                        "per-survey rows); template steps may read the view 'histograms'",
                     st->title, what);
                break;
            }
            if ((rc = cs_template_run_step(s, t, i, p, 60000, &r, err)))
                break;
            /* rows that repeat x: one line per value of the other text
             * column (said so), or refused (report/template.h) */
            char where[300];
            long sc;
            bool implied;
            snprintf(where, sizeof where, "%s:%u", t->path, st->line);
            rc = cs_template_chart_series(st, where, r, &sc, &implied, err);
            char msg[2048];
            if (rc == CS_OK && implied)
                note(o, "%s", cs_template_series_note(st, r, sc, msg, sizeof msg));
            if (rc == CS_OK)
                rc = cs_report_step_xlsx(x, st, r, err);
            char name[256];
            cs_template_chart_name(st, -1, name, sizeof name);
            if (rc == CS_OK && charts && name[0])
                rc = cs_charts_result(charts, st, r, name, err);
            cs_result_free(&r);
            break;
        }
        default:
            note(o, "step '%s': the %s section belongs to `callsurvey report`; "
                    "compare skips it",
                 st->title, cs_section_name(st->section));
            break;
        }
    }
    if (charts) {
        int n_charts = 0;
        struct cs_err e2;
        cs_err_clear(&e2);
        cs_status rc2 = cs_charts_close(&charts, rc == CS_OK, &n_charts, rc ? &e2 : err);
        if (rc == CS_OK)
            rc = rc2;
    }
    if (rc) {
        cs_xlsx_abort(&x);
        return rc;
    }
    if ((rc = cs_xlsx_close(&x, err)) == CS_OK && o->on_file)
        o->on_file(o->ctx, path);
    return rc;
}
