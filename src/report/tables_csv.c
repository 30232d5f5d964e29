/*
 * report/tables_csv.c: the report's CSV tables (summary, distribution,
 * issues, trend), custom.csv and the query steps' tables.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/afile.h"
#include "core/ctime.h"
#include "core/mem.h"
#include "model/privacy.h"
#include "model/review.h"
#include "model/survey.h"
#include "render/csvout.h"
#include "render/json_split.h"
#include "report/report_int.h"
#include "report/template.h"
#include "store/join.h"
#include "store/runner.h"

/* ---- CSV tables ------------------------------------------------------- */

/* Close a CSV table, adding its counts of cleaned cells to the result. */
static cs_status
csv_done(struct cs_report_result *res, struct cs_csv *c, struct cs_err *err)
{
    res->csv_cells_replaced += c->replaced;
    res->csv_cells_neutralized += c->neutralized;
    return cs_csv_close(c, err);
}

/* DIR/tables/trend.csv: one row per (category, scale, bucket). */
static cs_status
write_trend_csv(const struct cs_report_model *m, const char *dir, bool bom,
                struct cs_report_result *res, struct cs_err *err)
{
    char path[4096];
    struct cs_csv c;
    snprintf(path, sizeof path, "%s/tables/trend.csv", dir);
    if (cs_csv_open(&c, path, bom, err))
        return CS_E_IO;
    const char *h4[] = {"bucket", "partial", "category", "lower", "upper", "threshold",
                        "responses", "mean", "poor", "poor_rate", "poor_rate_ci95_low",
                        "poor_rate_ci95_high", "small_sample", "scale"};
    for (size_t i = 0; i < sizeof h4 / sizeof *h4; i++)
        cs_csv_text(&c, h4[i]);
    cs_csv_endrow(&c);
    for (size_t i = 0; i < m->n_trend; i++) {
        const struct rep_trend *r = &m->trend[i];
        cs_csv_text(&c, r->label);
        cs_csv_int(&c, r->partial);
        cs_csv_text(&c, cs_category_name((enum cs_category)r->cat));
        cs_csv_num(&c, r->scale.lower);
        cs_csv_num(&c, r->scale.upper);
        cs_csv_num(&c, r->scale.threshold);
        cs_csv_int(&c, (long long)r->sum.n);
        cs_csv_num(&c, r->sum.mean);
        cs_csv_int(&c, (long long)r->sum.n_poor);
        cs_csv_num(&c, r->sum.poor_rate);
        cs_csv_num(&c, r->sum.poor_ci_lo);
        cs_csv_num(&c, r->sum.poor_ci_hi);
        cs_csv_int(&c, r->small_sample);
        char sl[128];
        cs_csv_text(&c, cs_scale_label(&r->scale, sl, sizeof sl));
        cs_csv_endrow(&c);
    }
    if (csv_done(res, &c, err))
        return CS_E_IO;
    rep_push_file(res, path);
    return CS_OK;
}

cs_status
rep_write_csv_tables(const struct cs_report_model *m, const char *dir, bool bom,
                     struct cs_report_result *res, struct cs_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tables", dir);
    if (cs_mkdirs(path, err))
        return CS_E_IO;
    struct cs_csv c;
    char lbl[128];

    snprintf(path, sizeof path, "%s/tables/summary.csv", dir);
    if (cs_csv_open(&c, path, bom, err))
        return CS_E_IO;
    const char *h1[] = {"category", "lower", "upper", "threshold", "default_scale",
                        "responses", "share_of_surveys", "mean", "mean_ci95_low",
                        "mean_ci95_high", "median", "stddev", "min", "max",
                        "normalized_mean", "poor", "poor_rate", "poor_rate_ci95_low",
                        "poor_rate_ci95_high", "any_issue_rate", "small_sample", "scale"};
    for (size_t i = 0; i < sizeof h1 / sizeof *h1; i++)
        cs_csv_text(&c, h1[i]);
    cs_csv_endrow(&c);
    for (size_t i = 0; i < m->n_groups; i++) {
        const struct rep_group *g = &m->groups[i];
        const struct stats_summary *s = &g->sum;
        cs_csv_text(&c, cs_category_name((enum cs_category)g->cat));
        cs_csv_num(&c, g->scale.lower);
        cs_csv_num(&c, g->scale.upper);
        cs_csv_num(&c, g->scale.threshold);
        cs_csv_int(&c, g->default_scale);
        cs_csv_int(&c, (long long)s->n);
        cs_csv_num(&c, g->share_of_surveys);
        cs_csv_num(&c, s->mean);
        cs_csv_num(&c, s->mean_ci_lo);
        cs_csv_num(&c, s->mean_ci_hi);
        cs_csv_num(&c, s->median);
        cs_csv_num(&c, s->sd);
        cs_csv_num(&c, s->min);
        cs_csv_num(&c, s->max);
        cs_csv_num(&c, s->norm_mean);
        cs_csv_int(&c, (long long)s->n_poor);
        cs_csv_num(&c, s->poor_rate);
        cs_csv_num(&c, s->poor_ci_lo);
        cs_csv_num(&c, s->poor_ci_hi);
        cs_csv_num(&c, g->any_issue_rate);
        cs_csv_int(&c, g->small_sample);
        /* the scale as every chart and report.pdf names it (issue 18) */
        char sl[128];
        cs_csv_text(&c, cs_scale_label(&g->scale, sl, sizeof sl));
        cs_csv_endrow(&c);
    }
    if (csv_done(res, &c, err))
        return CS_E_IO;
    rep_push_file(res, path);

    snprintf(path, sizeof path, "%s/tables/distribution.csv", dir);
    if (cs_csv_open(&c, path, bom, err))
        return CS_E_IO;
    const char *h2[] = {"category", "scale", "score", "responses", "share"};
    for (size_t i = 0; i < 5; i++)
        cs_csv_text(&c, h2[i]);
    cs_csv_endrow(&c);
    for (size_t i = 0; i < m->n_groups; i++) {
        const struct rep_group *g = &m->groups[i];
        cs_scale_label(&g->scale, lbl, sizeof lbl); /* "1–5, poor ≤ 2", as everywhere */
        for (size_t j = 0; j < g->n_dist; j++) {
            cs_csv_text(&c, cs_category_name((enum cs_category)g->cat));
            cs_csv_text(&c, lbl);
            cs_csv_num(&c, g->dist[j].score);
            cs_csv_int(&c, (long long)g->dist[j].count);
            cs_csv_num(&c, g->sum.n ? (double)g->dist[j].count / (double)g->sum.n : (double)NAN);
            cs_csv_endrow(&c);
        }
    }
    if (csv_done(res, &c, err))
        return CS_E_IO;
    rep_push_file(res, path);

    snprintf(path, sizeof path, "%s/tables/issues.csv", dir);
    if (cs_csv_open(&c, path, bom, err))
        return CS_E_IO;
    const char *h3[] = {"category", "scale", "issue", "known", "surveys", "poor",
                        "share_of_surveys", "share_of_responses", "share_of_poor",
                        "description"};
    for (size_t i = 0; i < 10; i++)
        cs_csv_text(&c, h3[i]);
    cs_csv_endrow(&c);
    for (size_t i = 0; i < m->n_groups; i++) {
        const struct rep_group *g = &m->groups[i];
        cs_scale_label(&g->scale, lbl, sizeof lbl); /* "1–5, poor ≤ 2", as everywhere */
        for (size_t j = 0; j < g->n_issues; j++) {
            const struct rep_issue *is = &g->issues[j];
            cs_csv_text(&c, cs_category_name((enum cs_category)g->cat));
            cs_csv_text(&c, lbl);
            cs_csv_text(&c, is->name);
            cs_csv_int(&c, is->known);
            cs_csv_int(&c, (long long)is->surveys);
            cs_csv_int(&c, (long long)is->poor);
            cs_csv_num(&c, is->share_of_surveys);
            cs_csv_num(&c, is->share_of_responses);
            cs_csv_num(&c, is->share_of_poor);
            cs_csv_text(&c, is->description ? is->description : "");
            cs_csv_endrow(&c);
        }
    }
    if (csv_done(res, &c, err))
        return CS_E_IO;
    rep_push_file(res, path);

    return write_trend_csv(m, dir, bom, res, err);
}

/* ---- custom answers ----------------------------------------------------- */

struct rep_custom_csv {
    struct cs_csv c;
    enum cs_merge kind;
    struct cs_custom_cols cols;       /* the answer columns (capped) */
    struct cs_custom_split sp;        /* the current row's answers */
    const struct cs_privacy *privacy; /* ids as pseudonyms, text left out; NULL = off */
    uint64_t dropped;                 /* free-text answers left out */
    char path[4096];
};

static void
csv_answer(struct cs_csv *c, const struct cs_answer *a)
{
    if (a->type == CS_ANSWER_NUMBER)
        cs_csv_num(c, a->num);
    else
        cs_csv_text(c, a->text); /* a string, true/false or compact JSON */
}

cs_status
rep_custom_csv_row(void *ctx, const struct cs_join_row *r, struct cs_err *err)
{
    (void)err;
    struct rep_custom_csv *x = ctx;
    struct cs_csv *c = &x->c;
    char tb[32], id[CS_PRIVACY_HEX + 1];
    if (cs_merge_has_left(x->kind)) {
        cs_csv_text(c, r->has_left ? cs_privacy_show_id(x->privacy, r->survey_id, id) : NULL);
        cs_csv_text(c, r->has_left ? cs_time_format(r->time_us, tb) : NULL);
        cs_csv_text(c, r->resource);
        cs_csv_text(c, cs_privacy_show_id(x->privacy, r->call_id, id));
        cs_csv_text(c, cs_privacy_show_id(x->privacy, r->participant_id, id));
        for (int k = 0; k < 4; k++)
            cs_csv_num(c, r->has_score[k] ? r->score[k] : (double)NAN);
    }
    if (cs_merge_has_right(x->kind)) {
        cs_csv_text(c, r->has_right ? cs_privacy_show_id(x->privacy, r->event_survey_id, id)
                                    : NULL);
        cs_csv_text(c, r->has_event_time ? cs_time_format(r->event_time_us, tb) : NULL);
        /* free text left out in privacy mode (counted) */
        cs_custom_split_row(&x->cols, r->props, r->measurements, x->privacy, &x->dropped,
                            &x->sp);
        size_t empty = 0; /* most cells of a wide row are empty: written as a run */
        for (size_t k = 0; k < x->cols.n_keys; k++) {
            if (x->sp.vals[k].type <= CS_ANSWER_NULL) {
                empty++;
                continue;
            }
            cs_csv_empty(c, empty);
            empty = 0;
            csv_answer(c, &x->sp.vals[k]);
        }
        cs_csv_empty(c, empty);
        if (x->cols.n_keys < x->cols.n_all)
            cs_csv_text(c, x->sp.other);
    }
    cs_csv_endrow(c);
    return CS_OK;
}

cs_status
rep_custom_csv_open(struct cs_store *store, const struct cs_filter *f, enum cs_merge kind,
                    const struct cs_privacy *privacy, size_t max_cols, bool bom,
                    const char *dir, struct rep_custom_csv **out, struct cs_err *err)
{
    *out = NULL;
    struct rep_custom_csv *x = xcalloc(1, sizeof *x);
    x->kind = kind;
    x->privacy = privacy;
    snprintf(x->path, sizeof x->path, "%s/tables", dir);
    if (cs_mkdirs(x->path, err)) {
        xfree(x);
        return CS_E_IO;
    }
    snprintf(x->path, sizeof x->path, "%s/tables/custom.csv", dir);
    if (cs_custom_cols_load(store, f, max_cols, &x->cols, err)) {
        xfree(x);
        return CS_E_DB;
    }
    struct cs_csv *c = &x->c;
    if (cs_csv_open(c, x->path, bom, err)) {
        cs_custom_cols_free(&x->cols);
        xfree(x);
        return CS_E_IO;
    }
    if (cs_merge_has_left(kind)) {
        const char *h[] = {"survey_id", "time", "resource", "call_id", "participant_id",
                           "overall_score", "audio_score", "video_score", "screenshare_score"};
        for (size_t i = 0; i < 9; i++)
            cs_csv_text(c, h[i]);
    }
    if (cs_merge_has_right(kind)) {
        cs_csv_text(c, "event_survey_id");
        cs_csv_text(c, "event_time");
        for (size_t k = 0; k < x->cols.n_keys; k++)
            cs_csv_text(c, x->cols.keys[k]);
        if (x->cols.n_keys < x->cols.n_all)
            cs_csv_text(c, "other"); /* the keys past the cap, as JSON */
    }
    cs_csv_endrow(c);
    *out = x;
    return CS_OK;
}

cs_status
rep_custom_csv_close(struct rep_custom_csv **xp, bool commit, struct cs_report_result *res,
                     struct cs_err *err)
{
    struct rep_custom_csv *x = *xp;
    if (!x)
        return CS_OK;
    *xp = NULL;
    cs_custom_split_free(&x->sp);
    cs_custom_cols_free(&x->cols);
    cs_status rc = CS_OK;
    if (!commit)
        cs_afile_abort(&x->c.af);
    else if (csv_done(res, &x->c, err))
        rc = CS_E_IO;
    if (commit && rc == CS_OK) {
        res->text_dropped = x->dropped;
        rep_push_file(res, x->path);
    }
    xfree(x);
    return rc;
}

cs_status
rep_write_custom_csv(struct cs_store *store, const struct cs_filter *f,
                     enum cs_merge kind, const struct cs_privacy *privacy, size_t max_cols,
                     bool bom, const char *dir, struct cs_report_result *res,
                     struct cs_err *err)
{
    struct rep_custom_csv *x;
    cs_status rc = rep_custom_csv_open(store, f, kind, privacy, max_cols, bom, dir, &x, err);
    if (rc)
        return rc;
    rc = cs_join_rows(store, f, kind, rep_custom_csv_row, x, err);
    cs_status rc2 = rep_custom_csv_close(&x, rc == CS_OK, res, err);
    return rc ? rc : rc2;
}

/* The stem of query step i's CSV table: its chart name, or for a table
 * step the same slug of its title ("query" when nothing is left); a stem
 * an earlier query step has or a built-in table's name gets "-step-N"
 * (N = the step's number), so no step overwrites another table.  (Until
 * 2026-11 every table step wrote tables/step.csv.) */
static void
step_base(const struct cs_template_step *st, char *out, size_t n)
{
    struct cs_template_step s = *st;
    if (!cs_render_is_chart(s.render)) {
        s.render = CS_RENDER_COLUMN; /* only to reuse the chart-name slug */
        s.chart = NULL;
    }
    cs_template_chart_name(&s, -1, out, n);
}

void
rep_step_csv_stem(const struct cs_template *t, size_t i, char *out, size_t n)
{
    static const char *const builtin[] = {"summary", "distribution", "issues", "trend",
                                          "custom"};
    char base[256], other[256];
    step_base(&t->steps[i], base, sizeof base);
    bool taken = false;
    for (size_t k = 0; k < sizeof builtin / sizeof *builtin; k++)
        taken |= strcasecmp(base, builtin[k]) == 0;
    for (size_t j = 0; j < i && !taken; j++) {
        if (t->steps[j].section != CS_SECTION_QUERY)
            continue;
        step_base(&t->steps[j], other, sizeof other);
        taken = strcasecmp(base, other) == 0;
    }
    if (taken)
        snprintf(out, n, "%s-step-%zu", base, i + 1);
    else
        snprintf(out, n, "%s", base);
}

cs_status
rep_result_csv(const struct cs_result *r, const char *path, bool bom,
               struct cs_report_result *res,
               struct cs_err *err)
{
    struct cs_csv c;
    if (cs_csv_open(&c, path, bom, err))
        return CS_E_IO;
    for (size_t k = 0; k < r->n_cols; k++)
        cs_csv_text(&c, r->cols[k].name);
    cs_csv_endrow(&c);
    for (size_t i = 0; i < r->n_rows; i++) {
        for (size_t k = 0; k < r->n_cols; k++) {
            const struct cs_cell *x = cs_result_cell(r, i, k);
            if (x->type == CS_SQL_INT)
                cs_csv_int(&c, (long long)x->i);
            else if (x->type == CS_SQL_REAL)
                cs_csv_num(&c, x->r);
            else if (x->type == CS_SQL_TEXT)
                cs_csv_text(&c, x->t.s);
            else
                cs_csv_text(&c, NULL);
        }
        cs_csv_endrow(&c);
    }
    return csv_done(res, &c, err);
}

/* A query step as an XLSX table section with its native chart (also used
 * by compare). */
