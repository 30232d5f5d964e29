/*
 * render/xlsx_report.c: the report sections of the workbook that come from
 * the computed model (About, Summary, the category sheets, Issues, Trend),
 * the section table for templates, and cs_xlsx_write_report.
 *
 * Every section writes its main tables side by side from row 0 (or below
 * one title row) so that one frozen header serves them all; blocks that
 * repeat on a sheet (one per scale of a category) repeat the same column
 * layout, so the frozen header stays true for them.  Charts sit to the
 * right of the tables and reference the sheet's own cells, so a user who
 * edits a figure sees the chart follow.  About is written last (at close):
 * its table of contents lists every sheet the workbook ended up with.
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

/* ---- About (written at close) ------------------------------------------- */

cs_status
cs_xlsx_about(struct cs_xlsx *x, const struct cs_xlsx_input *in, struct cs_err *err)
{
    struct xl_sheet *sh = xl_sheet_add(
        x, "About", false, "What this workbook holds, its window, inputs and definitions");
    if (!sh)
        return xl_status(x, err);
    x->about_in = in;
    x->about_sheet = xl_sheet_index(x, sh);
    x->privacy = in->privacy;
    return CS_OK;
}

struct about_ctx {
    struct cs_xlsx *x;
    struct xl_sheet *sh;
    lxw_row_t row;
};

static cs_status
about_input(void *ctx, const struct cs_export_input *r, struct cs_err *err)
{
    (void)err;
    struct about_ctx *a = ctx;
    struct cs_xlsx *x = a->x;
    lxw_row_t row = ++a->row;
    xl_text(x, a->sh, row, 0, r->source, SIZE_MAX, XF_NONE);
    xl_text(x, a->sh, row, 1, r->format, SIZE_MAX, XF_NONE);
    xl_count(x, a->sh, row, 2, r->bytes);
    xl_count(x, a->sh, row, 3, r->read);
    xl_count(x, a->sh, row, 4, r->stored);
    xl_count(x, a->sh, row, 5, r->duplicates);
    xl_count(x, a->sh, row, 6, r->updated);
    xl_count(x, a->sh, row, 7, r->conflicts);
    xl_count(x, a->sh, row, 8, r->rejected);
    xl_count(x, a->sh, row, 9, r->unknown_tags);
    xl_text(x, a->sh, row, 10, r->status, SIZE_MAX, XF_NONE);
    return CS_OK;
}

static void
fact_text(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t *row, const char *k,
          const char *v)
{
    xl_text(x, sh, *row, 0, k, SIZE_MAX, XF_BOLD);
    xl_text(x, sh, *row, 1, v, SIZE_MAX, XF_NONE);
    (*row)++;
}

static void
fact_count(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t *row, const char *k,
           uint64_t v)
{
    xl_text(x, sh, *row, 0, k, SIZE_MAX, XF_BOLD);
    xl_count(x, sh, *row, 1, v);
    (*row)++;
}

/* "read 5, stored 2, duplicates 1, updated 0, conflicts 0, rejected 2 (2 inputs)" */
static void
fact_acct(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t *row, const char *k,
          const struct cs_acct *a)
{
    char b[320];
    if (a->inputs == 0)
        snprintf(b, sizeof b, "no inputs");
    else
        snprintf(b, sizeof b,
                 "read %llu, stored %llu, duplicates %llu, updated %llu, conflicts %llu, "
                 "rejected %llu (%llu input%s)",
                 (unsigned long long)a->read, (unsigned long long)a->stored,
                 (unsigned long long)a->duplicates, (unsigned long long)a->updated,
                 (unsigned long long)a->conflicts, (unsigned long long)a->rejected,
                 (unsigned long long)a->inputs, a->inputs == 1 ? "" : "s");
    fact_text(x, sh, row, k, b);
}

static const char *const definitions[][2] = {
    {"Survey", "One SurveyId. Records with the same SurveyId are merged category by "
               "category; the later TimeGenerated wins where both rate a category."},
    {"Responses", "Surveys with a score for the category."},
    {"Scale", "The lower and upper bound and the poor threshold of a rating. A rating "
              "without them is on the default scale 1-5 with the run's default "
              "threshold. Figures are never pooled across scales."},
    {"Poor", "A score at or below the threshold of its scale."},
    {"Poor rate", "Poor responses divided by responses, with a 95% Wilson interval "
                  "(low and high columns)."},
    {"Mean, median, standard deviation",
     "Of the scores of one category and scale. The median of an even number of "
     "scores is the mean of the two middle ones. The standard deviation divides by "
     "n-1 and is empty below two responses. The mean's 95% interval is Student's t, cut at the ends of the scale."},
    {"Normalized mean", "The mean of (score - lower) / (upper - lower): where the "
                        "scores sit on their scale, from 0 (lowest) to 1 (highest). "
                        "Only normalized figures and poor rates are pooled across "
                        "scales, in rows labelled pooled normalized."},
    {"Share of surveys", "Responses (or surveys reporting an issue) divided by all "
                         "surveys in the window."},
    {"Issue shares", "Surveys reporting an issue tag divided by all surveys, by the "
                     "responses of the category, and by its poor responses."},
    {"Distribution", "Every whole score from the lower to the upper bound, zeros "
                     "included, plus any other score present; share is of the "
                     "responses."},
    {"Small sample", "Fewer responses than the minimum for judging (min n): read the "
                     "rates with care."},
    {"Trend bucket", "An ISO week (Monday 00:00 UTC) or a day (UTC). Partial: the "
                     "window does not cover the whole bucket."},
    {"Unknown tag", "An issue tag that is not in the web SDK's list for its "
                    "category: kept as given and counted on Data Quality."},
    {"Duplicate, updated record", "A record that added nothing new to its survey; a "
                                  "record that added or replaced a category."},
    {"Conflict", "A record that rates a category at exactly the time (to 100 ns) of the "
                 "stored rating, with another score, scale or issues. The version with "
                 "the lower score (then scale, then issues) is kept whatever the input "
                 "order; both are listed on Data Quality."},
    {"This run, database", "This run: the inputs this run loaded. Database: every "
                           "input the database holds, from all runs. Survey records "
                           "and custom events are counted apart: read = stored + "
                           "duplicates + updated + conflicts + rejected."},
    {"Custom answers", "Custom-question events joined to surveys by survey id with "
                       "the Workbooks merge kind shown; orphan events match no survey "
                       "in the window."},
    {"Empty cell", "A figure that the data leave undefined (a mean of nothing, a "
                   "deviation of one value): never written as 0."},
};

/* The About sheet's facts of the report window and its surveys. */
static void
about_window_facts(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t *rowp,
                   const struct cs_report_model *m)
{
    char b[512], t1[32], t2[32];
    lxw_row_t row = *rowp;
    fact_text(x, sh, &row, "Window from (inclusive)",
              m->filter.has_since ? cs_time_format(m->filter.since_us, t1)
                                  : "the first survey");
    fact_text(x, sh, &row, "Window until (exclusive)",
              m->filter.has_until ? cs_time_format(m->filter.until_us, t1)
                                  : "after the last survey");
    if (m->has_week)
        fact_text(x, sh, &row, "Week", m->week_label);
    fact_text(x, sh, &row, "First survey",
              m->totals.surveys ? cs_time_format(m->totals.first_us, t1) : "none");
    fact_text(x, sh, &row, "Last survey",
              m->totals.surveys ? cs_time_format(m->totals.last_us, t2) : "none");
    size_t n = 0;
    b[0] = '\0';
    for (size_t i = 0; i < m->filter.n_resources; i++)
        n += (size_t)snprintf(b + n, n < sizeof b ? sizeof b - n : 0, "%s%s",
                              i ? ", " : "", m->filter.resources[i]);
    fact_text(x, sh, &row, "Resources", m->filter.n_resources ? b : "all");
    *rowp = row;
}

/* The About sheet's table of definitions, from row on. */
static void
about_definitions(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t row)
{
    xl_text(x, sh, row++, 0, "Definitions", SIZE_MAX, XF_BOLD);
    static const char *const dh[] = {"Term", "Definition"};
    lxw_row_t r0 = row;
    char **names = xl_header(x, sh, r0, 0, dh, 2);
    size_t nd = sizeof definitions / sizeof *definitions;
    for (size_t i = 0; i < nd; i++) {
        xl_text(x, sh, r0 + 1 + (lxw_row_t)i, 0, definitions[i][0], SIZE_MAX, XF_BOLD);
        xl_text(x, sh, r0 + 1 + (lxw_row_t)i, 1, definitions[i][1], SIZE_MAX, XF_WRAP);
    }
    xl_table(x, sh, r0, 0, r0 + (lxw_row_t)nd, names, 2);
    xl_names_free(names, 2);
}

cs_status
xl_about_write(struct cs_xlsx *x, struct cs_err *err)
{
    const struct cs_xlsx_input *in = x->about_in;
    const struct cs_report_model *m = in->m;
    struct xl_sheet *sh = x->sheets[x->about_sheet];
    char b[512], t1[32];
    lxw_row_t row = 0;
    const char *tool = in->tool_version ? in->tool_version : x->tool_version;
    int64_t run_s = in->run_time_s ? in->run_time_s : x->run_time_s;
    xl_text(x, sh, row++, 0, in->title ? in->title : "Call survey report", SIZE_MAX, XF_TITLE);
    snprintf(b, sizeof b, "Written by %s at %s.", tool,
             cs_time_format(run_s * CS_US_PER_S, t1));
    xl_text(x, sh, row++, 0, b, SIZE_MAX, XF_NONE);
    row++;

    /* contents */
    xl_text(x, sh, row++, 0, "Contents", SIZE_MAX, XF_BOLD);
    for (size_t i = 0; i < x->n_sheets; i++) {
        xl_link(x, sh, row, 0, x->sheets[i]);
        xl_text(x, sh, row, 1, x->sheets[i]->desc, SIZE_MAX, XF_NONE);
        row++;
    }
    row++;

    /* facts */
    xl_text(x, sh, row++, 0, "Report", SIZE_MAX, XF_BOLD);
    fact_text(x, sh, &row, "Tool", tool);
    fact_text(x, sh, &row, "Run time (UTC)", cs_time_format(run_s * CS_US_PER_S, t1));
    if (m)
        about_window_facts(x, sh, &row, m);
    fact_text(x, sh, &row, "Filters",
              in->filters_text && *in->filters_text ? in->filters_text : "none");
    fact_text(x, sh, &row, "Template",
              in->template_name && *in->template_name ? in->template_name : "none");
    if (m) {
        fact_text(x, sh, &row, "Trend buckets",
                  m->bucket == CS_BUCKET_DAY ? "days (UTC)" : "ISO weeks (Monday 00:00 UTC)");
        fact_count(x, sh, &row, "Minimum responses for judging (min n)", m->min_n);
        xl_text(x, sh, row, 0, "Default poor threshold", SIZE_MAX, XF_BOLD);
        xl_num(x, sh, row++, 1, m->default_threshold, XF_NONE);
        fact_count(x, sh, &row, "Surveys", m->totals.surveys);
        fact_count(x, sh, &row, "Calls", m->totals.calls);
        fact_count(x, sh, &row, "Participants", m->totals.participants);
        fact_acct(x, sh, &row, "This run: survey records", &m->acct.run_surveys);
        fact_acct(x, sh, &row, "This run: custom events", &m->acct.run_events);
        fact_acct(x, sh, &row, "Database (all runs): survey records", &m->acct.db_surveys);
        fact_acct(x, sh, &row, "Database (all runs): custom events", &m->acct.db_events);
        fact_count(x, sh, &row, "Unknown tags (survey records, all runs)",
                   m->acct.db_surveys.unknown_tags);
    }
    if (in->audit && in->audit->events) {
        snprintf(b, sizeof b,
                 "%s merge: %llu events, %llu surveys answered, %llu orphan events",
                 cs_merge_name((enum cs_merge)in->merge),
                 (unsigned long long)in->audit->events,
                 (unsigned long long)in->audit->matched_surveys,
                 (unsigned long long)in->audit->orphan_events);
        fact_text(x, sh, &row, "Custom answers", b);
    } else
        fact_text(x, sh, &row, "Custom answers", "none in the window");
    if (in->privacy) {
        char *d = cs_privacy_describe(in->privacy);
        fact_text(x, sh, &row, "Privacy", d);
        xfree(d);
        if (cs_privacy_drops_text(in->privacy)) {
            xl_text(x, sh, row, 0, "Free-text answers left out", SIZE_MAX, XF_BOLD);
            xl_late(x, sh, row++, 1, XL_LATE_TEXT_DROPPED);
        }
    } else {
        fact_text(x, sh, &row, "Privacy",
                  "ids and answers as stored (--pseudonymize KEYFILE replaces ids)");
    }
    xl_text(x, sh, row, 0, "Text cells cleaned (invalid UTF-8, control characters)",
            SIZE_MAX, XF_BOLD);
    xl_late(x, sh, row++, 1, XL_LATE_REPLACED);
    if (!x->data_written)
        fact_text(x, sh, &row, "Data", "not included in this workbook");
    else if (x->data_sheets <= 1)
        fact_text(x, sh, &row, "Data", "one row per survey on the Data sheet");
    else {
        snprintf(b, sizeof b,
                 "%llu surveys, more than one sheet holds (%u rows each): the Data sheet "
                 "continues on Data (2) to Data (%zu)",
                 (unsigned long long)x->data_rows, x->rows_per_sheet - 1, x->data_sheets);
        fact_text(x, sh, &row, "Data", b);
    }
    for (size_t i = 0; i < x->n_sheets; i++)
        if (x->sheets[i]->first_row > 1) {
            snprintf(b, sizeof b, "continues %s: rows %u to %u", x->sheets[i]->base,
                     x->sheets[i]->first_row, x->sheets[i]->last_row);
            fact_text(x, sh, &row, x->sheets[i]->name, b);
        }
    row++;

    /* inputs */
    xl_text(x, sh, row++, 0, "Inputs", SIZE_MAX, XF_BOLD);
    static const char *const ih[] = {"Source", "Format", "Bytes", "Read", "Stored",
                                     "Duplicates", "Updated", "Conflicts", "Rejected",
                                     "Unknown tags", "Status"};
    lxw_row_t r0 = row;
    char **names = xl_header(x, sh, r0, 0, ih, 11);
    struct about_ctx a = {x, sh, r0};
    cs_status rc = CS_OK;
    if (in->rows)
        rc = in->rows->inputs(in->rows->ctx, about_input, &a, err);
    xl_table(x, sh, r0, 0, a.row, names, 11);
    xl_names_free(names, 11);
    if (rc)
        return rc;
    row = (a.row > r0 ? a.row : r0 + 1) + 2;

    about_definitions(x, sh, row);
    worksheet_activate(sh->ws);
    return xl_status(x, err);
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
        xl_text(x, sh, r0 - 1, 0, "Pooled normalized figures (all scales of a category)",
                SIZE_MAX, XF_BOLD);
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

#define DIST_COL 0  /* Score, Responses, Share */
#define ISSUE_COL 4 /* Issue .. Description (8 columns) */
#define CHART_COL 13
#define CHART_ROWS 16 /* rows one chart covers at the scale used */

static void
category_block(struct cs_xlsx *x, struct xl_sheet *sh, const struct rep_group *g,
               lxw_row_t b, bool charts)
{
    char lbl[160], title[256];
    group_label(g, lbl, sizeof lbl);
    xl_text(x, sh, b, 0, lbl, SIZE_MAX, XF_BOLD);
    lxw_row_t h = b + 1;

    static const char *const dh[] = {"Score", "Responses", "Share"};
    char **dn = xl_header(x, sh, h, DIST_COL, dh, 3);
    for (size_t j = 0; j < g->n_dist; j++) {
        lxw_row_t r = h + 1 + (lxw_row_t)j;
        xl_num(x, sh, r, DIST_COL, g->dist[j].score, XF_NONE);
        xl_count(x, sh, r, DIST_COL + 1, g->dist[j].count);
        xl_num(x, sh, r, DIST_COL + 2, frac(g->dist[j].count, g->sum.n), XF_RATE);
    }
    xl_table(x, sh, h, DIST_COL, h + (lxw_row_t)g->n_dist, dn, 3);
    xl_names_free(dn, 3);

    static const char *const ih[] = {"Issue", "Known", "Responses", "Poor",
                                     "Share of surveys", "Share of responses",
                                     "Share of poor", "Description"};
    char **in = xl_header(x, sh, h, ISSUE_COL, ih, 8);
    for (size_t j = 0; j < g->n_issues; j++) {
        const struct rep_issue *is = &g->issues[j];
        lxw_row_t r = h + 1 + (lxw_row_t)j;
        xl_text(x, sh, r, ISSUE_COL, is->name, SIZE_MAX, XF_NONE);
        xl_bool(x, sh, r, ISSUE_COL + 1, is->known);
        xl_count(x, sh, r, ISSUE_COL + 2, is->surveys);
        xl_count(x, sh, r, ISSUE_COL + 3, is->poor);
        xl_num(x, sh, r, ISSUE_COL + 4, is->share_of_surveys, XF_SHARE);
        xl_num(x, sh, r, ISSUE_COL + 5, is->share_of_responses, XF_SHARE);
        xl_num(x, sh, r, ISSUE_COL + 6, is->share_of_poor, XF_SHARE);
        xl_text(x, sh, r, ISSUE_COL + 7,
                is->description ? is->description
                                : "Not a tag of the web SDK's list: kept as given.",
                SIZE_MAX, XF_NONE);
    }
    xl_table(x, sh, h, ISSUE_COL, h + (lxw_row_t)g->n_issues, in, 8);
    xl_names_free(in, 8);

    if (x->lerr || !charts)
        return;
    /* distribution: % of respondents per score, labelled with the number
     * of responses (custom labels referencing the Responses cells) */
    if (g->n_dist > 0) {
        lxw_chart *ch = workbook_add_chart(x->wb, LXW_CHART_COLUMN);
        if (!ch) {
            xl_check(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "workbook_add_chart", sh, h, CHART_COL);
            return;
        }
        lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
        lxw_row_t r1 = h + (lxw_row_t)g->n_dist;
        chart_series_set_categories(se, sh->name, h + 1, DIST_COL, r1, DIST_COL);
        chart_series_set_values(se, sh->name, h + 1, DIST_COL + 2, r1, DIST_COL + 2);
        chart_series_set_name_range(se, sh->name, h, DIST_COL + 2);
        lxw_chart_data_label *labels = xcalloc(g->n_dist, sizeof *labels);
        lxw_chart_data_label **lp = xcalloc(g->n_dist + 1, sizeof *lp);
        char **vals = xcalloc(g->n_dist, sizeof *vals);
        for (size_t j = 0; j < g->n_dist; j++) {
            char cell[32];
            lxw_rowcol_to_cell_abs(cell, h + 1 + (lxw_row_t)j, DIST_COL + 1, 1, 1);
            vals[j] = xasprintf("='%s'!%s", sh->name, cell);
            labels[j].value = vals[j];
            lp[j] = &labels[j];
        }
        xl_check(x, chart_series_set_labels_custom(se, lp), "chart_series_set_labels_custom",
                 sh, h, CHART_COL);
        for (size_t j = 0; j < g->n_dist; j++)
            xfree(vals[j]);
        xfree(vals);
        xfree(lp);
        xfree(labels);
        chart_series_set_labels_position(se, LXW_CHART_LABEL_POSITION_OUTSIDE_END);
        snprintf(title, sizeof title, "%s: %% of respondents per score (labels: responses)",
                 lbl);
        char *t = xl_chart_text(x, title);
        chart_title_set_name(ch, t);
        xfree(t);
        chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
        chart_axis_set_num_format(ch->y_axis, "0%");
        chart_axis_set_min(ch->y_axis, 0);
        chart_axis_set_name(ch->x_axis, "Score");
        chart_axis_set_name(ch->y_axis, "Share of responses");
        lxw_chart_options co = {.x_scale = 1.5, .y_scale = 1.1};
        xl_check(x, worksheet_insert_chart_opt(sh->ws, h, CHART_COL, ch, &co),
                 "worksheet_insert_chart", sh, h, CHART_COL);
    }
    if (g->n_issues > 0) {
        lxw_col_t vc = ISSUE_COL + 5; /* share of responses */
        snprintf(title, sizeof title, "%s: issues, share of responses", lbl);
        xl_chart(x, sh, CS_XLSX_CHART_BAR, h, h + (lxw_row_t)g->n_issues, ISSUE_COL, &vc, 1,
                 title, "0%", h + CHART_ROWS + 1, CHART_COL);
    }
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
        category_block(x, sh, g, b,
                       !in->tables_only && (!g->small_sample || main_scale || m->scales_all));
        size_t rows = g->n_dist > g->n_issues ? g->n_dist : g->n_issues;
        if (rows < 2 * CHART_ROWS + 2)
            rows = 2 * CHART_ROWS + 2;
        b += (lxw_row_t)rows + 4;
    }
    /* title and header of the first block; later blocks share the layout */
    worksheet_freeze_panes(sh->ws, 2, 0);
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

cs_status
cs_xlsx_issues(struct cs_xlsx *x, const struct cs_xlsx_input *in, struct cs_err *err)
{
    const struct cs_report_model *m = in->m;
    char desc[640];
    struct xl_sheet *sh = xl_sheet_add(
        x, xl_sec_name(in, "Issues"), false,
        xl_sec_desc(in, "Every issue tag of every category and scale; tags reported together.",
                    desc, sizeof desc));
    if (!sh)
        return xl_status(x, err);
    static const char *const h[] = {"Category", "Scale", "Issue", "Known", "Responses",
                                    "Poor", "Share of surveys", "Share of responses",
                                    "Share of poor", "Description"};
    char **names = xl_header(x, sh, 0, 0, h, 10);
    char lbl[160];
    lxw_row_t r = 0;
    for (size_t i = 0; i < m->n_groups; i++) {
        const struct rep_group *g = &m->groups[i];
        group_label(g, lbl, sizeof lbl);
        for (size_t j = 0; j < g->n_issues; j++) {
            const struct rep_issue *is = &g->issues[j];
            r++;
            xl_text(x, sh, r, 0, cs_category_title((enum cs_category)g->cat), SIZE_MAX, XF_NONE);
            xl_text(x, sh, r, 1, lbl, SIZE_MAX, XF_NONE);
            xl_text(x, sh, r, 2, is->name, SIZE_MAX, XF_NONE);
            xl_bool(x, sh, r, 3, is->known);
            xl_count(x, sh, r, 4, is->surveys);
            xl_count(x, sh, r, 5, is->poor);
            xl_num(x, sh, r, 6, is->share_of_surveys, XF_SHARE);
            xl_num(x, sh, r, 7, is->share_of_responses, XF_SHARE);
            xl_num(x, sh, r, 8, is->share_of_poor, XF_SHARE);
            xl_text(x, sh, r, 9,
                    is->description ? is->description
                                    : "Not a tag of the web SDK's list: kept as given.",
                    SIZE_MAX, XF_NONE);
        }
    }
    xl_table(x, sh, 0, 0, r, names, 10);
    xl_names_free(names, 10);

    static const char *const ph[] = {"Category", "Scale", "Issue A", "Issue B",
                                     "Responses reporting both"};
    const lxw_col_t pc = 11;
    names = xl_header(x, sh, 0, pc, ph, 5);
    lxw_row_t pr = 0;
    for (size_t i = 0; i < m->n_groups; i++) {
        const struct rep_group *g = &m->groups[i];
        group_label(g, lbl, sizeof lbl);
        for (size_t j = 0; j < g->n_pairs; j++) {
            const struct rep_pair *p = &g->pairs[j];
            pr++;
            xl_text(x, sh, pr, pc, cs_category_title((enum cs_category)g->cat), SIZE_MAX, XF_NONE);
            xl_text(x, sh, pr, pc + 1, lbl, SIZE_MAX, XF_NONE);
            xl_text(x, sh, pr, pc + 2, g->issues[p->a].name, SIZE_MAX, XF_NONE);
            xl_text(x, sh, pr, pc + 3, g->issues[p->b].name, SIZE_MAX, XF_NONE);
            xl_count(x, sh, pr, pc + 4, p->count);
        }
    }
    xl_table(x, sh, 0, pc, pr, names, 5);
    xl_names_free(names, 5);
    worksheet_freeze_panes(sh->ws, 1, 0);
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

cs_status
cs_xlsx_trend(struct cs_xlsx *x, const struct cs_xlsx_input *in, struct cs_err *err)
{
    const struct cs_report_model *m = in->m;
    const char *unit = m->bucket == CS_BUCKET_DAY ? "day" : "week";
    char d0[160], desc[640];
    snprintf(d0, sizeof d0, "Responses, mean and poor rate per %s%s.", unit,
             in->tables_only ? "" : ", with a line chart");
    struct xl_sheet *sh =
        xl_sheet_add(x, xl_sec_name(in, "Trend"), false, xl_sec_desc(in, d0, desc, sizeof desc));
    if (!sh)
        return xl_status(x, err);
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

    /* pivot: one row per bucket, one poor-rate column per (category, scale)
     * with trend rows, for the line chart */
    int64_t *buckets = xcalloc(m->n_trend ? m->n_trend : 1, sizeof *buckets);
    for (size_t i = 0; i < m->n_trend; i++)
        buckets[i] = m->trend[i].bucket;
    qsort(buckets, m->n_trend, sizeof *buckets, cmp_i64);
    size_t nb = 0;
    for (size_t i = 0; i < m->n_trend; i++)
        if (nb == 0 || buckets[nb - 1] != buckets[i])
            buckets[nb++] = buckets[i];
    size_t *gi = xcalloc(m->n_groups ? m->n_groups : 1, sizeof *gi);
    size_t ng = 0;
    for (size_t g = 0; g < m->n_groups; g++)
        for (size_t i = 0; i < m->n_trend; i++)
            if (same_group(&m->trend[i], &m->groups[g])) {
                gi[ng++] = g;
                break;
            }
    const lxw_col_t pc = (lxw_col_t)nh + 1;
    const char **ph = xcalloc(ng + 1, sizeof *ph);
    char **labels = xcalloc(ng + 1, sizeof *labels);
    ph[0] = m->bucket == CS_BUCKET_DAY ? "Day" : "Week";
    for (size_t k = 0; k < ng; k++) {
        const struct rep_group *g = &m->groups[gi[k]];
        labels[k] = xasprintf("%s poor rate", group_label(g, lbl, sizeof lbl));
        ph[k + 1] = labels[k];
    }
    names = xl_header(x, sh, 0, pc, ph, ng + 1);
    for (size_t b = 0; b < nb; b++) {
        lxw_row_t r = (lxw_row_t)(b + 1);
        for (size_t i = 0; i < m->n_trend; i++) {
            const struct rep_trend *t = &m->trend[i];
            if (t->bucket != buckets[b])
                continue;
            xl_text(x, sh, r, pc, t->label, SIZE_MAX, XF_NONE);
            for (size_t k = 0; k < ng; k++)
                if (same_group(t, &m->groups[gi[k]]))
                    xl_num(x, sh, r, pc + 1 + (lxw_col_t)k, t->sum.poor_rate, XF_RATE);
        }
    }
    xl_table(x, sh, 0, pc, (lxw_row_t)nb, names, ng + 1);
    xl_names_free(names, ng + 1);
    if (nb > 0 && ng > 0 && !in->tables_only) {
        lxw_col_t *vc = xcalloc(ng, sizeof *vc);
        for (size_t k = 0; k < ng; k++)
            vc[k] = pc + 1 + (lxw_col_t)k;
        char title[64];
        snprintf(title, sizeof title, "Poor rate per %s", unit);
        xl_chart(x, sh, CS_XLSX_CHART_LINE, 0, (lxw_row_t)nb, pc, vc, ng, title, "0%", 1,
                 pc + (lxw_col_t)ng + 2);
        xfree(vc);
    }
    for (size_t k = 0; k < ng; k++)
        xfree(labels[k]);
    xfree(labels);
    xfree(ph);
    xfree(gi);
    xfree(buckets);
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
