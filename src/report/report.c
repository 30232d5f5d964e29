/*
 * report/report.c: `callsurvey report`: build the model from the store,
 * then write each requested output (summary.json, CSV tables; charts and
 * the workbook as their renderers land) and the terminal table.
 */
#include "report/report.h"
#include "report/review.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/afile.h"
#include "core/buf.h"
#include "core/ctime.h"
#include "core/mem.h"
#include "core/outdir.h"
#include "model/privacy.h"
#include "model/survey.h"
#include "render/csvout.h"
#include "report/histograms_csv.h"
#include "render/json.h"
#include "render/xlsx.h"
#include "report/breakdown.h"
#include "report/html_report.h"
#include "report/charts.h"
#include "report/pdf_report.h"
#include "report/model.h"
#include "report/template.h"
#include "store/join.h"
#include "store/runner.h"

void
cs_report_opts_default(struct cs_report_opts *o)
{
    memset(o, 0, sizeof *o);
    o->out_dir = "out";
    o->formats = "json,csv,png,xlsx,html";
    o->merge = "leftouter";
    o->min_n = 30;
    o->default_threshold = 2;
    o->query_memory = CS_QUERY_MEMORY_DEFAULT;
}

/* ---- a growable text buffer for the terminal table -------------------- */

struct text {
    char *s;
    size_t n, cap;
};

static void
tprintf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
tprintf(struct text *t, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(t->s + t->n, t->cap - t->n, fmt, ap);
        va_end(ap);
        if (k >= 0 && (size_t)k < t->cap - t->n) {
            t->n += (size_t)k;
            return;
        }
        t->cap = t->cap * 2 + (size_t)(k > 0 ? k : 0) + 256;
        t->s = xrealloc(t->s, t->cap);
    }
}

static void
push_file(struct cs_report_result *res, const char *path)
{
    res->files = xreallocarray(res->files, res->n_files + 1, sizeof *res->files);
    res->files[res->n_files++] = xstrdup(path);
}

static void
push_note(struct cs_report_result *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
push_note(struct cs_report_result *res, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    res->notes = xreallocarray(res->notes, res->n_notes + 1, sizeof *res->notes);
    res->notes[res->n_notes++] = xstrdup(buf);
}

static void
on_file(void *ctx, const char *path)
{
    push_file(ctx, path);
}

/* Tell the caller a stage starts (progress); n = template steps + 4. */
static void
stage(const struct cs_report_opts *o, const char *name, size_t k, size_t n)
{
    if (o->on_stage)
        o->on_stage(o->stage_ctx, name, k, n);
}

static char *
pct(double v, char *b, int decimals)
{
    if (isnan(v))
        snprintf(b, 16, "-");
    else
        snprintf(b, 16, "%.*f%%", decimals, 100 * v);
    return b;
}

static char *
num(double v, char *b, int decimals)
{
    if (isnan(v))
        snprintf(b, 24, "-");
    else
        snprintf(b, 24, "%.*f", decimals, v);
    return b;
}

/* 1234567 -> "1,234,567" */
static char *
thousands(uint64_t v, char *b)
{
    char t[32];
    int n = snprintf(t, sizeof t, "%llu", (unsigned long long)v);
    int o = 0;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            b[o++] = ',';
        b[o++] = t[i];
    }
    b[o] = '\0';
    return b;
}

static void
terminal_table(const struct cs_report_model *m, struct text *t)
{
    char a[40], b[40], c[40], d[40];
    if (m->totals.surveys == 0) {
        tprintf(t, "No surveys in the window.\n");
        return;
    }
    char f1[32], f2[32];
    tprintf(t, "\nSurveys %s (calls %s, participants %s), first %s, last %s\n",
            thousands(m->totals.surveys, a), thousands(m->totals.calls, b),
            thousands(m->totals.participants, c),
            cs_time_format(m->totals.first_us, f1), cs_time_format(m->totals.last_us, f2));
    (void)d;
    tprintf(t, "%-12s %-14s %9s %6s %6s %6s  %-24s %s\n", "category", "scale",
            "responses", "mean", "median", "sd", "poor rate (95% CI)", "top issues");
    bool small = false;
    for (size_t i = 0; i < m->n_groups; i++) {
        const struct rep_group *g = &m->groups[i];
        char sc[40], lo[24], hi[24], th[24];
        snprintf(sc, sizeof sc, "%s-%s thr %s", cs_js_number(g->scale.lower, lo),
                 cs_js_number(g->scale.upper, hi), cs_js_number(g->scale.threshold, th));
        char pr[64], p1[16], p2[16], p3[16];
        snprintf(pr, sizeof pr, "%s (%s-%s)", pct(g->sum.poor_rate, p1, 1),
                 pct(g->sum.poor_ci_lo, p2, 1), pct(g->sum.poor_ci_hi, p3, 1));
        char nn[40];
        thousands(g->sum.n, nn);
        if (g->small_sample) {
            strcat(nn, "*");
            small = true;
        }
        tprintf(t, "%-12s %-14s %9s %6s %6s %6s  %-24s ",
                cs_category_title((enum cs_category)g->cat), sc, nn,
                num(g->sum.mean, a, 2), num(g->sum.median, b, 1), num(g->sum.sd, c, 2), pr);
        /* top three tags by responses */
        size_t top[3];
        size_t shown = rep_top_issues(g, 3, top);
        for (size_t k = 0; k < shown; k++)
            tprintf(t, "%s%s %s", k ? ", " : "", g->issues[top[k]].name,
                    pct(g->issues[top[k]].share_of_responses, a, 1));
        tprintf(t, "%s\n", shown ? "" : "-");
    }
    for (size_t i = 0; i < m->n_pooled; i++) {
        const struct rep_pooled *p = &m->pooled[i];
        char p1[16];
        tprintf(t, "%-12s %-14s %9s normalized mean %s, poor rate %s (pooled over %zu scales)\n",
                cs_category_title((enum cs_category)p->cat), "all scales",
                thousands(p->p.n, a), num(p->p.norm_mean, b, 3), pct(p->p.poor_rate, p1, 1),
                p->n_scales);
    }
    if (small)
        tprintf(t, "* fewer than %llu responses: treat the rates with care.\n",
                (unsigned long long)m->min_n);
}

/* ---- CSV tables ------------------------------------------------------- */

/* Close a CSV table, adding its counts of cleaned cells to the result. */
static cs_status
csv_done(struct cs_report_result *res, struct cs_csv *c, struct cs_err *err)
{
    res->csv_cells_replaced += c->replaced;
    res->csv_cells_neutralized += c->neutralized;
    return cs_csv_close(c, err);
}

static cs_status
write_csv_tables(const struct cs_report_model *m, const char *dir,
                 struct cs_report_result *res, struct cs_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tables", dir);
    if (cs_mkdirs(path, err))
        return CS_E_IO;
    struct cs_csv c;
    char lbl[128];

    snprintf(path, sizeof path, "%s/tables/summary.csv", dir);
    if (cs_csv_open(&c, path, err))
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
        { /* the scale as every chart and report.pdf names it (issue 18) */
            char a[32], b[32], t[32], sl[128];
            snprintf(sl, sizeof sl, "%s\xE2\x80\x93%s, poor \xE2\x89\xA4 %s",
                     cs_js_number(g->scale.lower, a), cs_js_number(g->scale.upper, b),
                     cs_js_number(g->scale.threshold, t));
            cs_csv_text(&c, sl);
        }
        cs_csv_endrow(&c);
    }
    if (csv_done(res, &c, err))
        return CS_E_IO;
    push_file(res, path);

    snprintf(path, sizeof path, "%s/tables/distribution.csv", dir);
    if (cs_csv_open(&c, path, err))
        return CS_E_IO;
    const char *h2[] = {"category", "scale", "score", "responses", "share"};
    for (size_t i = 0; i < 5; i++)
        cs_csv_text(&c, h2[i]);
    cs_csv_endrow(&c);
    for (size_t i = 0; i < m->n_groups; i++) {
        const struct rep_group *g = &m->groups[i];
        cs_group_label(g->cat, &g->scale, lbl, sizeof lbl);
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
    push_file(res, path);

    snprintf(path, sizeof path, "%s/tables/issues.csv", dir);
    if (cs_csv_open(&c, path, err))
        return CS_E_IO;
    const char *h3[] = {"category", "scale", "issue", "known", "surveys", "poor",
                        "share_of_surveys", "share_of_responses", "share_of_poor",
                        "description"};
    for (size_t i = 0; i < 10; i++)
        cs_csv_text(&c, h3[i]);
    cs_csv_endrow(&c);
    for (size_t i = 0; i < m->n_groups; i++) {
        const struct rep_group *g = &m->groups[i];
        cs_group_label(g->cat, &g->scale, lbl, sizeof lbl);
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
    push_file(res, path);

    snprintf(path, sizeof path, "%s/tables/trend.csv", dir);
    if (cs_csv_open(&c, path, err))
        return CS_E_IO;
    const char *h4[] = {"bucket", "partial", "category", "lower", "upper", "threshold",
                        "responses", "mean", "poor", "poor_rate", "poor_rate_ci95_low",
                        "poor_rate_ci95_high", "small_sample"};
    for (size_t i = 0; i < 13; i++)
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
        cs_csv_endrow(&c);
    }
    if (csv_done(res, &c, err))
        return CS_E_IO;
    push_file(res, path);
    return CS_OK;
}

/* ---- custom answers ----------------------------------------------------- */

struct custom_ctx {
    struct cs_csv *c;
    enum cs_merge kind;
    struct cs_custom_cols cols;       /* the answer columns (capped) */
    struct cs_custom_split sp;        /* the current row's answers */
    const struct cs_privacy *privacy; /* ids as pseudonyms, text left out; NULL = off */
    uint64_t dropped;                 /* free-text answers left out */
};

static void
csv_json_value(struct cs_csv *c, const cJSON *it)
{
    if (!it || cJSON_IsNull(it))
        cs_csv_text(c, NULL);
    else if (cJSON_IsString(it))
        cs_csv_text(c, it->valuestring);
    else if (cJSON_IsNumber(it))
        cs_csv_num(c, it->valuedouble);
    else {
        char *t = cJSON_PrintUnformatted(it);
        cs_csv_text(c, t);
        cJSON_free(t);
    }
}

static cs_status
custom_row(void *ctx, const struct cs_join_row *r, struct cs_err *err)
{
    (void)err;
    struct custom_ctx *x = ctx;
    struct cs_csv *c = x->c;
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
            if (!x->sp.vals[k] || cJSON_IsNull(x->sp.vals[k])) {
                empty++;
                continue;
            }
            cs_csv_empty(c, empty);
            empty = 0;
            csv_json_value(c, x->sp.vals[k]);
        }
        cs_csv_empty(c, empty);
        if (x->cols.n_keys < x->cols.n_all)
            cs_csv_text(c, x->sp.other);
    }
    cs_csv_endrow(c);
    return CS_OK;
}

static cs_status
write_custom_csv(struct cs_store *store, const struct cs_filter *f,
                 enum cs_merge kind, const struct cs_privacy *privacy, size_t max_cols,
                 const char *dir, struct cs_report_result *res, struct cs_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tables", dir);
    if (cs_mkdirs(path, err))
        return CS_E_IO;
    snprintf(path, sizeof path, "%s/tables/custom.csv", dir);
    struct custom_ctx x = {.kind = kind, .privacy = privacy};
    if (cs_custom_cols_load(store, f, max_cols, &x.cols, err))
        return CS_E_DB;
    struct cs_csv c;
    if (cs_csv_open(&c, path, err)) {
        cs_custom_cols_free(&x.cols);
        return CS_E_IO;
    }
    x.c = &c;
    if (cs_merge_has_left(kind)) {
        const char *h[] = {"survey_id", "time", "resource", "call_id", "participant_id",
                           "overall_score", "audio_score", "video_score", "screenshare_score"};
        for (size_t i = 0; i < 9; i++)
            cs_csv_text(&c, h[i]);
    }
    if (cs_merge_has_right(kind)) {
        cs_csv_text(&c, "event_survey_id");
        cs_csv_text(&c, "event_time");
        for (size_t k = 0; k < x.cols.n_keys; k++)
            cs_csv_text(&c, x.cols.keys[k]);
        if (x.cols.n_keys < x.cols.n_all)
            cs_csv_text(&c, "other"); /* the keys past the cap, as JSON */
    }
    cs_csv_endrow(&c);
    cs_status rc = cs_join_rows(store, f, kind, custom_row, &x, err);
    cs_custom_split_free(&x.sp);
    cs_custom_cols_free(&x.cols);
    if (rc) {
        cs_afile_abort(&c.af);
        return rc;
    }
    if (csv_done(res, &c, err))
        return CS_E_IO;
    res->text_dropped = x.dropped;
    push_file(res, path);
    return CS_OK;
}

static cJSON *
custom_json(const struct cs_join_audit *a, enum cs_merge kind, size_t max_cols)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "merge", cs_merge_name(kind));
    cJSON_AddNumberToObject(o, "surveys", (double)a->surveys);
    cJSON_AddNumberToObject(o, "events", (double)a->events);
    cJSON_AddNumberToObject(o, "matched_surveys", (double)a->matched_surveys);
    cJSON_AddNumberToObject(o, "surveys_without_answers", (double)a->unanswered);
    cJSON_AddNumberToObject(o, "matched_events", (double)a->matched_events);
    cJSON_AddNumberToObject(o, "orphan_events", (double)a->orphan_events);
    cJSON_AddNumberToObject(o, "duplicate_events", (double)a->duplicate_events);
    cJSON_AddNumberToObject(o, "keys", (double)a->keys);
    cJSON_AddNumberToObject(o, "keys_in_other",
                            (double)(a->keys > max_cols ? a->keys - max_cols : 0));
    cJSON *sk = cJSON_AddObjectToObject(o, "skew_seconds");
    cJSON_AddNumberToObject(sk, "median", a->skew_median_s);
    cJSON_AddNumberToObject(sk, "max", a->skew_max_s);
    cJSON_AddNumberToObject(sk, "min", a->skew_min_s);
    return o;
}

static double
now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- template query steps --------------------------------------------- */

static cJSON *
result_json(const struct cs_template_step *st, const struct cs_result *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "title", st->title);
    cJSON_AddStringToObject(o, "render", cs_render_name(st->render));
    cJSON *cols = cJSON_AddArrayToObject(o, "columns");
    for (size_t c = 0; c < r->n_cols; c++)
        cJSON_AddItemToArray(cols, cJSON_CreateString(r->cols[c].name));
    cJSON *rows = cJSON_AddArrayToObject(o, "rows");
    for (size_t i = 0; i < r->n_rows; i++) {
        cJSON *row = cJSON_CreateArray();
        for (size_t c = 0; c < r->n_cols; c++) {
            const struct cs_cell *x = cs_result_cell(r, i, c);
            switch (x->type) {
            case CS_SQL_INT: cJSON_AddItemToArray(row, cJSON_CreateNumber((double)x->i)); break;
            case CS_SQL_REAL: cJSON_AddItemToArray(row, cJSON_CreateNumber(x->r)); break;
            case CS_SQL_TEXT: cJSON_AddItemToArray(row, cJSON_CreateString(x->t.s)); break;
            default: cJSON_AddItemToArray(row, cJSON_CreateNull()); break;
            }
        }
        cJSON_AddItemToArray(rows, row);
    }
    return o;
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

static void
step_csv_stem(const struct cs_template *t, size_t i, char *out, size_t n)
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

static cs_status
result_csv(const struct cs_result *r, const char *path, struct cs_report_result *res,
           struct cs_err *err)
{
    struct cs_csv c;
    if (cs_csv_open(&c, path, err))
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
cs_status
cs_report_step_xlsx(struct cs_xlsx *x, const struct cs_template_step *st,
                    const struct cs_result *r, struct cs_err *err)
{
    size_t nc = r->n_cols ? r->n_cols : 1;
    const char **cols = xcalloc(nc, sizeof *cols);
    const char **fmts = xcalloc(nc, sizeof *fmts);
    struct cs_xlsx_cell *cells = xcalloc((r->n_rows ? r->n_rows : 1) * nc, sizeof *cells);
    for (size_t c = 0; c < r->n_cols; c++) {
        cols[c] = r->cols[c].name;
        for (size_t f = 0; f < st->n_formats; f++)
            if (strcmp(st->formats[f].column, r->cols[c].name) == 0)
                fmts[c] = st->formats[f].format;
    }
    for (size_t i = 0; i < r->n_rows; i++)
        for (size_t c = 0; c < r->n_cols; c++) {
            const struct cs_cell *v = cs_result_cell(r, i, c);
            struct cs_xlsx_cell *o = &cells[i * nc + c];
            if (v->type == CS_SQL_INT)
                *o = (struct cs_xlsx_cell){.type = CS_XLSX_NUMBER, .num = (double)v->i};
            else if (v->type == CS_SQL_REAL)
                *o = (struct cs_xlsx_cell){.type = CS_XLSX_NUMBER, .num = v->r};
            else if (v->type == CS_SQL_TEXT)
                *o = (struct cs_xlsx_cell){.type = CS_XLSX_TEXT, .text = v->t.s};
        }
    char sheet[64];
    cs_template_sheet_name(st, -1, sheet, sizeof sheet);
    struct cs_xlsx_table_spec t = {.title = sheet, .columns = cols, .n_cols = r->n_cols, .num_formats = fmts, .cells = cells, .n_rows = r->n_rows};
    /* 1.1.4 has no secondary axis: column2y and stacked draw as columns */
    static const enum cs_xlsx_chart_kind kinds[CS_RENDER__COUNT] = {
        [CS_RENDER_COLUMN] = CS_XLSX_CHART_COLUMN, [CS_RENDER_COLUMN2Y] = CS_XLSX_CHART_COLUMN, [CS_RENDER_BAR] = CS_XLSX_CHART_BAR, [CS_RENDER_PIE] = CS_XLSX_CHART_PIE, [CS_RENDER_LINE] = CS_XLSX_CHART_LINE, [CS_RENDER_STACKED] = CS_XLSX_CHART_COLUMN};
    struct cs_xlsx_chart_spec ch;
    size_t vcol = 0;
    long cx = st->x ? cs_result_column(r, st->x) : 0;
    long cy = st->y ? cs_result_column(r, st->y) : (r->n_cols > 1 ? 1 : -1);
    /* a chart with series (given, or implied by rows that repeat x) is drawn
     * in the PNG/SVG/PDF only: the native chart takes one column per line */
    long sc = -1;
    bool implied = false;
    struct cs_err e2;
    bool one_series = cs_template_chart_series(st, NULL, r, &sc, &implied, &e2) == CS_OK &&
                      sc < 0;
    if (cs_render_is_chart(st->render) && st->series == NULL && one_series && cx >= 0 &&
        cy >= 0 && r->n_rows > 0) {
        vcol = (size_t)cy;
        ch = (struct cs_xlsx_chart_spec){.kind = kinds[st->render], .category_col = (size_t)cx, .value_cols = &vcol, .n_value_cols = 1, .title = st->title, .value_format = fmts[cy]};
        t.chart = &ch;
    }
    cs_status rc = cs_xlsx_table(x, &t, err);
    xfree(cols);
    xfree(fmts);
    xfree(cells);
    return rc;
}

/* ---- chart names ------------------------------------------------------ */

struct names {
    char **v;
    size_t n;
};

static void
names_add(void *ctx, const char *name)
{
    struct names *x = ctx;
    x->v = xreallocarray(x->v, x->n + 1, sizeof *x->v);
    x->v[x->n++] = xstrdup(name);
}

cs_status
cs_report_check_chart_names(const struct cs_template *t, const struct cs_report_model *m,
                            const struct cs_compare *cmp, struct cs_err *err)
{
    struct names built = {0};
    cs_status rc = CS_OK;
    /* the charts the run draws itself, as its section steps ask */
    for (size_t i = 0; rc == CS_OK && i < t->n_steps; i++) {
        const struct cs_template_step *st = &t->steps[i];
        if (!cs_render_is_chart(st->render))
            continue;
        if (cmp && (st->section == CS_SECTION_COMPARE || st->section == CS_SECTION_DISTRIBUTION))
            rc = cs_charts_names(NULL, cmp, CS_CHARTS_DISTRIBUTION,
                                 st->section == CS_SECTION_COMPARE ? CS_COMPARE_POOR
                                                                   : CS_COMPARE_DIST,
                                 -1, names_add, &built, err);
        else if (!cmp && m && (st->section == CS_SECTION_DISTRIBUTION || st->section == CS_SECTION_ISSUES || st->section == CS_SECTION_TREND))
            rc = cs_charts_names(m, NULL,
                                 st->section == CS_SECTION_DISTRIBUTION ? CS_CHARTS_DISTRIBUTION
                                 : st->section == CS_SECTION_ISSUES     ? CS_CHARTS_ISSUES
                                                                        : CS_CHARTS_TREND,
                                 0, st->category, names_add, &built, err);
    }
    /* a query step's chart may not take one of those names: it would
     * replace the built-in chart (file names compare without case, as on
     * the file systems that ignore it) */
    for (size_t i = 0; rc == CS_OK && i < t->n_steps; i++) {
        const struct cs_template_step *st = &t->steps[i];
        if (st->section != CS_SECTION_QUERY)
            continue;
        char name[256];
        cs_template_chart_name(st, -1, name, sizeof name);
        for (size_t k = 0; name[0] && k < built.n && rc == CS_OK; k++)
            if (strcasecmp(name, built.v[k]) == 0) {
                char where[300];
                snprintf(where, sizeof where, "%s:%u", t->path,
                         st->chart && st->lines.chart ? st->lines.chart : st->line);
                rc = cs_fail(err, CS_E_TEMPLATE, where,
                             "step %zu '%.100s': chart '%s' is the name of a chart this run "
                             "draws itself (charts/%s.*); set a different chart:",
                             i + 1, st->title, name, built.v[k]);
            }
    }
    for (size_t k = 0; k < built.n; k++)
        xfree(built.v[k]);
    xfree(built.v);
    return rc;
}

/* ---- formats ---------------------------------------------------------- */

enum fmt { F_JSON = 1,
           F_CSV = 2,
           F_PNG = 4,
           F_SVG = 8,
           F_PDF = 16,
           F_XLSX = 32,
           F_HISTOGRAMS = 64,
           F_HTML = 128 };

static cs_status
parse_formats(const char *list, unsigned *out, struct cs_err *err)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {
        {"json", F_JSON}, {"csv", F_CSV}, {"png", F_PNG}, {"svg", F_SVG}, {"pdf", F_PDF}, {"xlsx", F_XLSX}, {"histograms", F_HISTOGRAMS}, {"html", F_HTML}};
    *out = 0;
    const char *p = list;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        bool found = false;
        for (size_t i = 0; i < sizeof names / sizeof *names; i++)
            if (strlen(names[i].name) == n && strncmp(p, names[i].name, n) == 0) {
                *out |= names[i].bit;
                found = true;
            }
        if (!found && n > 0)
            return cs_fail(err, CS_E_USAGE, "--formats",
                           "unknown format '%.*s' (choose from json,csv,png,svg,pdf,xlsx,histograms,html)",
                           (int)n, p);
        p += n + (e ? 1 : 0);
    }
    if (!*out)
        return cs_fail(err, CS_E_USAGE, "--formats", "no format given");
    return CS_OK;
}

/* DIR/report.html (issue 19) */
static cs_status
write_html(struct cs_store *store, const struct cs_filter *f, const struct cs_report_model *m,
           const struct cs_review *review, const struct cs_join_audit *audit,
           const struct cs_report_opts *o, const char *dir, struct cs_report_result *res,
           struct cs_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/report.html", dir);
    struct cs_html_report_in in = {.store = store, .filter = f, .m = m, .review = review, .privacy = o->privacy, .with_answers = audit->events > 0, .tool_version = o->tool_version, .run_time_s = o->run_time_s, .filters_text = o->filters_text, .template_name = o->template_name, .run = o->run_info};
    double ts = now_s();
    cs_status rc = cs_html_report(&in, path, err);
    res->seconds_charts += now_s() - ts;
    if (rc == CS_OK)
        push_file(res, path);
    return rc;
}

static unsigned
surf_of(unsigned fmts)
{
    return (fmts & F_PNG ? CS_CHART_PNG : 0) | (fmts & F_SVG ? CS_CHART_SVG : 0) |
           (fmts & F_PDF ? CS_CHART_PDF : 0);
}

cs_status
cs_report_run(struct cs_store *store, const struct cs_report_opts *o,
              const struct cs_template *tmpl, const struct cs_template_params *params,
              struct cs_report_result *res, struct cs_err *err)
{
    memset(res, 0, sizeof *res);
    unsigned fmts;
    if (parse_formats(o->formats, &fmts, err))
        return CS_E_USAGE;
    struct cs_model_opts mo = {
        .filter = {.has_since = o->has_since || o->has_week,
                   .has_until = o->has_until || o->has_week,
                   .since_us = o->has_week ? o->week_start_us : o->since_us,
                   .until_us = o->has_week ? o->week_end_us : o->until_us,
                   .resources = o->resources,
                   .n_resources = o->n_resources},
        .has_week = o->has_week,
        .week_start_us = o->week_start_us,
        .bucket = o->bucket_day ? CS_BUCKET_DAY : CS_BUCKET_WEEK,
        .min_n = o->min_n,
    };
    int kind = cs_merge_parse(o->merge ? o->merge : "leftouter");
    if (kind < 0)
        return cs_fail(err, CS_E_USAGE, "--merge",
                       "unknown merge kind '%s' (innerunique, inner, leftouter, "
                       "rightouter, fullouter, leftsemi, rightsemi, leftanti, rightanti)",
                       o->merge);
    struct cs_report_model *m = NULL;
    struct cs_review *review = NULL;
    const size_t n_stages = (tmpl ? tmpl->n_steps : 0) + 4;
    stage(o, "statistics", 0, n_stages);
    double t0 = now_s();
    /* one snapshot for every read of the report: statistics, template
     * steps and sheets agree although another run commits meanwhile */
    cs_join_prepare(store, (enum cs_merge)kind);
    cs_status rc = o->data_sheet ? cs_store_spill_sorts(store, err) : CS_OK;
    if (rc)
        return rc;
    rc = cs_store_read_begin(store, err);
    if (rc)
        return rc;
    rc = cs_query_check_resources(store, &mo.filter, err); /* a typo is an error */
    if (rc == CS_OK)
        rc = cs_report_model_build(store, &mo, &m, err);
    if (rc)
        goto out;
    struct cs_join_audit audit;
    if ((rc = cs_join_audit(store, &mo.filter, &audit, err)))
        goto out;
    if (audit.events == 0) { /* the audit skipped its scans */
        audit.surveys = m->totals.surveys;
        audit.unanswered = m->totals.surveys;
    }
    res->seconds_stats = now_s() - t0;
    if (m->totals.surveys == 0)
        push_note(res, "no surveys match the filters (%s%s%s)",
                  o->has_week ? "--week" : "", o->has_since || o->has_until ? " --since/--until" : "",
                  o->n_resources ? " --resource" : "");
    if (surf_of(fmts) && tmpl && (rc = cs_report_check_chart_names(tmpl, m, NULL, err)))
        goto out;
    /* every file goes to a staging directory inside out_dir, moved into
     * place only when all are written (core/outdir.h) */
    struct cs_outdir *od = NULL;
    if ((rc = cs_outdir_open(o->out_dir, &od, err)))
        goto out;
    const char *dir = cs_outdir_stage(od);
    char path[4096];
    const char *dims[CS_BREAKDOWN_MAX]; /* report --by and breakdown steps */
    size_t n_dims = cs_breakdown_dims(tmpl, o->by_dims, o->n_by_dims, dims, CS_BREAKDOWN_MAX);
    struct cs_review_opts rvo = {.dims = dims,
                                 .n_dims = n_dims,
                                 .filter = mo.filter,
                                 .data_first_us = m->totals.first_us,
                                 .data_last_us = m->totals.last_us,
                                 .vs = (enum cs_review_vs)o->vs,
                                 .vs_periods = o->vs_periods,
                                 .min_n = o->min_n,
                                 .min_effect_pts = o->min_effect};
    stage(o, "review", 1, n_stages);
    if (m->totals.surveys > 0 && (rc = cs_review_build(store, &rvo, &review, err)))
        goto out;
    m->review = review;
    m->scales_all = o->scales_all;
    cJSON *doc = cs_json_summary(m);
    size_t max_cols = o->custom_columns ? o->custom_columns : CS_CUSTOM_COLUMNS;
    if (audit.keys > max_cols)
        push_note(res, "%llu custom keys: the %zu most used have a column in custom.csv "
                       "and the Custom sheet, the other %llu are in the column 'other' "
                       "(--custom-columns N)",
                  (unsigned long long)audit.keys, max_cols,
                  (unsigned long long)(audit.keys - max_cols));
    if (o->run_info && cJSON_GetObjectItem(doc, "run"))
        cs_json_run_info(cJSON_GetObjectItem(doc, "run"), o->run_info);
    if (review)
        cJSON_AddItemToObject(doc, "review", cs_json_review(review));
    cJSON_AddItemToObject(doc, "custom", custom_json(&audit, (enum cs_merge)kind, max_cols));
    cJSON_AddStringToObject(doc, "template", tmpl ? tmpl->name : "");
    cJSON *steps = cJSON_AddArrayToObject(doc, "steps");
    struct cs_charts *charts = NULL;
    struct cs_xlsx *xl = NULL; /* before the first goto done, which frees it */
    /* report --by DIM: release breakdowns (report/breakdown.h) */
    struct cs_breakdown_out bo = {.dir = dir, .dims = dims, .n_dims = n_dims, .top = o->top, .min_n = o->min_n, .csv = (fmts & F_CSV) != 0, .png = (surf_of(fmts) & CS_CHART_PNG) != 0, .filter = &mo.filter, .on_file = on_file, .ctx = res};
    if ((rc = cs_breakdowns_write(store, &bo, doc, err)))
        goto done;
    unsigned surf = surf_of(fmts);
    if (surf && (rc = cs_charts_open(m, dir, surf, on_file, res, &charts, err)))
        goto done;
    if (charts) { /* what report.pdf shows beyond the model */
        struct cs_pdf_info pi = {.tool_version = o->tool_version, .filters_text = o->filters_text, .has_custom = true, .custom_events = audit.events, .custom_matched_surveys = audit.matched_surveys, .custom_surveys = audit.surveys, .custom_keys = audit.keys, .custom_orphans = audit.orphan_events, .custom_duplicates = audit.duplicate_events};
        cs_charts_pdf_info(charts, &pi);
    }
    if ((fmts & F_CSV) && (rc = write_csv_tables(m, dir, res, err)))
        goto done;
    if (fmts & F_HISTOGRAMS) { /* the `callsurvey kql` table, from the store */
        unsigned long repl = 0, neut = 0;
        snprintf(path, sizeof path, "%s/histograms.csv", o->out_dir);
        rc = cs_histograms_write_csv(store, &mo.filter, mo.bucket, path, &repl, &neut, err);
        res->csv_cells_replaced += repl;
        res->csv_cells_neutralized += neut;
        if (rc)
            goto done;
        push_file(res, path);
    }
    struct cs_xlsx_input xin = {
        .m = m, .store = store, .filter = &mo.filter, .merge = kind, .audit = audit.events > 0 ? &audit : NULL, .include_data = o->data_sheet, .tool_version = o->tool_version, .run_time_s = o->run_time_s, .template_name = tmpl ? tmpl->name : NULL, .filters_text = o->filters_text, .privacy = o->privacy, .custom_columns = max_cols};
    bool data_written = false;
    if (fmts & F_XLSX) {
        double ts = now_s();
        struct cs_xlsx_opts xo = {.tool_version = o->tool_version, .run_time_s = o->run_time_s};
        snprintf(path, sizeof path, "%s/report.xlsx", dir);
        rc = cs_xlsx_open(path, &xo, &xl, err);
        if (rc == CS_OK && review)
            rc = cs_xlsx_review(xl, review, err);
        if (rc == CS_OK)
            rc = cs_xlsx_about(xl, &xin, err);
        res->seconds_xlsx += now_s() - ts;
        if (rc)
            goto done;
    }
    bool custom_written = false;
    for (size_t i = 0; tmpl && i < tmpl->n_steps; i++) {
        const struct cs_template_step *st = &tmpl->steps[i];
        stage(o, st->title && st->title[0] ? st->title : "template step", 2 + i, n_stages);
        double ts = now_s();
        if (xl && st->section != CS_SECTION_QUERY) {
            /* the template names and describes the section's sheet */
            xin.sheet_name = st->sheet;
            xin.step_title = st->title;
            xin.step_note = st->note;
            xin.tables_only = !cs_render_is_chart(st->render);
            switch (st->section) {
            case CS_SECTION_SUMMARY: rc = cs_xlsx_summary(xl, &xin, err); break;
            case CS_SECTION_DISTRIBUTION:
                rc = st->category >= 0 ? cs_xlsx_category(xl, &xin, st->category, err)
                                       : cs_xlsx_categories(xl, &xin, err);
                break;
            case CS_SECTION_ISSUES: rc = cs_xlsx_issues(xl, &xin, err); break;
            case CS_SECTION_TREND: rc = cs_xlsx_trend(xl, &xin, err); break;
            case CS_SECTION_CUSTOM:
                if (xin.audit)
                    rc = cs_xlsx_custom(xl, &xin, err);
                break;
            case CS_SECTION_DATA_QUALITY: rc = cs_xlsx_data_quality(xl, &xin, err); break;
            case CS_SECTION_DATA:
                rc = cs_xlsx_data(xl, &xin, err);
                data_written = true;
                break;
            default: break;
            }
            xin.sheet_name = xin.step_title = xin.step_note = NULL;
            xin.tables_only = false;
            res->seconds_xlsx += now_s() - ts;
            ts = now_s();
            if (rc)
                goto done;
        }
        switch (st->section) {
        case CS_SECTION_DISTRIBUTION:
        case CS_SECTION_ISSUES:
        case CS_SECTION_TREND:
            if (charts && cs_render_is_chart(st->render)) /* render: table draws none */
                rc = cs_charts_section(charts,
                                       st->section == CS_SECTION_DISTRIBUTION ? CS_CHARTS_DISTRIBUTION
                                       : st->section == CS_SECTION_ISSUES     ? CS_CHARTS_ISSUES
                                                                              : CS_CHARTS_TREND,
                                       st->category, err);
            res->seconds_charts += now_s() - ts;
            break;
        case CS_SECTION_CUSTOM:
            if ((fmts & F_CSV) && audit.events > 0 && !custom_written) {
                rc = write_custom_csv(store, &mo.filter, (enum cs_merge)kind, o->privacy,
                                      max_cols, dir, res, err);
                custom_written = true;
            }
            res->seconds_csv += now_s() - ts;
            break;
        case CS_SECTION_COMPARE:
            push_note(res, "step '%s': the compare section is written by `callsurvey compare`",
                      st->title);
            break;
        case CS_SECTION_QUERY: {
            struct cs_result *r = NULL;
            rc = cs_template_run_step(store, tmpl, i, params, 60000, &r, err);
            if (rc)
                break;
            cJSON_AddItemToArray(steps, result_json(st, r));
            char name[256];
            cs_template_chart_name(st, -1, name, sizeof name);
            if (fmts & F_CSV) {
                char stem[300];
                step_csv_stem(tmpl, i, stem, sizeof stem);
                snprintf(path, sizeof path, "%s/tables/%s.csv", dir, stem);
                if ((rc = result_csv(r, path, res, err)) == CS_OK)
                    push_file(res, path);
            }
            long sc = -1;
            bool implied = false;
            if (rc == CS_OK && ((charts && name[0]) || xl)) {
                char where[300];
                snprintf(where, sizeof where, "%s:%u", tmpl->path, st->line);
                rc = cs_template_chart_series(st, where, r, &sc, &implied, err);
            }
            if (rc == CS_OK && implied)
                push_note(res, "step '%s': rows repeat values of %s: one %s per value of '%s' "
                               "(series: %s)",
                          st->title, r->cols[st->x ? cs_result_column(r, st->x) : 0].name,
                          st->render == CS_RENDER_LINE ? "line" : "bar", r->cols[sc].name,
                          r->cols[sc].name);
            if (rc == CS_OK && charts && name[0])
                rc = cs_charts_result(charts, st, r, name, err);
            if (rc == CS_OK && xl) {
                double tx = now_s();
                rc = cs_report_step_xlsx(xl, st, r, err);
                res->seconds_xlsx += now_s() - tx;
            }
            cs_result_free(&r);
            break;
        }
        default:
            break;
        }
        if (st->section != CS_SECTION_QUERY) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "title", st->title);
            cJSON_AddStringToObject(e, "section", cs_section_name(st->section));
            cJSON_AddItemToArray(steps, e);
        }
        if (rc)
            goto done;
    }
    if (xl && (rc = cs_breakdowns_xlsx(store, &bo, xl, err)))
        goto done;
    if (charts) {
        double ts = now_s();
        int n_charts = 0;
        rc = cs_charts_close(&charts, true, &n_charts, err);
        res->seconds_charts += now_s() - ts;
        if (rc)
            goto done;
    }
    if ((fmts & F_HTML) && (rc = write_html(store, &mo.filter, m, review, &audit, o, dir, res, err)))
        goto done;
    struct cs_xlsx_stats xs = {0};
    if (xl) {
        stage(o, o->data_sheet && !data_written ? "Data sheet and workbook" : "workbook",
              n_stages - 2, n_stages);
        double ts = now_s();
        if (o->data_sheet && !data_written)
            rc = cs_xlsx_data(xl, &xin, err);
        cs_xlsx_get_stats(xl, &xs);
        if (rc == CS_OK)
            rc = cs_xlsx_close(&xl, err);
        res->seconds_xlsx += now_s() - ts;
        if (rc)
            goto done;
        snprintf(path, sizeof path, "%s/report.xlsx", dir);
        push_file(res, path);
        if (xs.cells_replaced)
            push_note(res, "report.xlsx: %llu text cells had invalid UTF-8 or control "
                           "characters, replaced (see Data Quality)",
                      (unsigned long long)xs.cells_replaced);
        if (xs.cells_truncated)
            push_note(res, "report.xlsx: %llu text cells were longer than Excel's 32,767 "
                           "characters and were cut (see Data Quality)",
                      (unsigned long long)xs.cells_truncated);
    }
    if (res->csv_cells_replaced)
        push_note(res, "tables/*.csv: %llu text cells had invalid UTF-8 or control "
                       "characters, replaced with U+FFFD",
                  (unsigned long long)res->csv_cells_replaced);
    /* summary.json last, so it can count what the other files changed */
    if (fmts & F_JSON) {
        stage(o, "summary.json", n_stages - 1, n_stages);
        double ts = now_s();
        res->json_strings_replaced = cs_json_invalid_strings(doc);
        if (xs.text_dropped > res->text_dropped)
            res->text_dropped = xs.text_dropped; /* the same answers, when both */
        cJSON *meta = cJSON_AddObjectToObject(doc, "meta");
        cJSON_AddItemToObject(meta, "privacy", cs_json_privacy(o->privacy, res->text_dropped));
        cJSON *tc = cJSON_AddObjectToObject(meta, "text_cleaning");
        cJSON_AddNumberToObject(tc, "json_strings_replaced", (double)res->json_strings_replaced);
        cJSON_AddNumberToObject(tc, "csv_cells_replaced", (double)res->csv_cells_replaced);
        cJSON_AddNumberToObject(tc, "csv_cells_neutralized", (double)res->csv_cells_neutralized);
        cJSON_AddNumberToObject(tc, "xlsx_cells_replaced", (double)xs.cells_replaced);
        cJSON_AddNumberToObject(tc, "xlsx_cells_truncated", (double)xs.cells_truncated);
        snprintf(path, sizeof path, "%s/summary.json", dir);
        if ((rc = cs_json_write(doc, path, err)))
            goto done;
        push_file(res, path);
        res->seconds_json = now_s() - ts;
        if (res->json_strings_replaced)
            push_note(res, "summary.json: %llu strings had invalid UTF-8, replaced with U+FFFD",
                      (unsigned long long)res->json_strings_replaced);
    }
done:
    if (xl)
        cs_xlsx_abort(&xl);
    if (charts) {
        struct cs_err e2;
        cs_charts_close(&charts, false, NULL, &e2);
    }
    cJSON_Delete(doc);
    if (rc == CS_OK) {
        /* the paths written, as they are once in place */
        for (size_t i = 0; i < res->n_files; i++) {
            cs_outdir_final(od, res->files[i], path, sizeof path);
            xfree(res->files[i]);
            res->files[i] = xstrdup(path);
        }
        rc = cs_outdir_commit(&od, err);
    } else {
        cs_outdir_fix_err(od, err);
    }
    cs_outdir_abort(&od);
    if (rc)
        goto out;
    struct text t = {0};
    if (review) {
        char *rt = cs_review_text(review);
        tprintf(&t, "%s", rt);
        xfree(rt);
        struct cs_buf w = {0};
        for (size_t i = 0; i < review->n_rows; i++) {
            const struct cs_review_row *row = &review->rows[i];
            if (row->j.verdict != CS_VERDICT_WORSE)
                continue;
            char sc[96];
            cs_buf_printf(&w, "%s %s: poor rate %.1f%% against %.1f%% (%+.1f pt, Holm p %.4g)\n",
                          cs_category_title((enum cs_category)row->cat),
                          cs_scale_label(&row->scale, sc, sizeof sc), 100 * row->now.poor_rate,
                          100 * row->before.poor_rate, 100 * row->j.cmp.diff, row->j.p_holm);
            res->n_worse++;
        }
        res->worse_text = cs_buf_take(&w);
    }
    if (!review || o->full_table || o->scales_all)
        terminal_table(m, &t);
    if (audit.events > 0)
        tprintf(&t,
                "Custom answers (%s): %llu events, %llu surveys answered, %llu without "
                "answers, %llu orphan events, %llu duplicate events\n",
                cs_merge_name((enum cs_merge)kind), (unsigned long long)audit.events,
                (unsigned long long)audit.matched_surveys,
                (unsigned long long)audit.unanswered,
                (unsigned long long)audit.orphan_events,
                (unsigned long long)audit.duplicate_events);
    res->terminal_text = t.s ? t.s : xstrdup("");
out:
    cs_store_read_end(store);
    cs_review_free(&review);
    cs_report_model_free(&m);
    if (rc)
        cs_report_result_free(res); /* nothing for the caller to free */
    return rc;
}

void
cs_report_result_free(struct cs_report_result *res)
{
    xfree(res->terminal_text);
    xfree(res->worse_text);
    for (size_t i = 0; i < res->n_files; i++)
        xfree(res->files[i]);
    xfree(res->files);
    for (size_t i = 0; i < res->n_notes; i++)
        xfree(res->notes[i]);
    xfree(res->notes);
    memset(res, 0, sizeof *res);
}
