/*
 * report/report.c: `callsurvey report`: build the model from the store,
 * then write each requested output (summary.json, CSV tables; charts and
 * the workbook as their renderers land) and the terminal table.
 */
#include "report/report.h"
#include "report/review_build.h"

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
#include "report/charts.h"
#include "report/model.h"
#include "report/report_int.h"
#include "report/template.h"
#include "render/json_split.h"
#include "report/xlsx_rows.h"
#include "store/join.h"
#include "store/runner.h"

struct cs_filter
cs_report_opts_filter(const struct cs_report_opts *o)
{
    return (struct cs_filter){.has_since = o->has_since || o->has_week,
                              .has_until = o->has_until || o->has_week,
                              .since_us = o->has_week ? o->week_start_us : o->since_us,
                              .until_us = o->has_week ? o->week_end_us : o->until_us,
                              .resources = o->resources,
                              .n_resources = o->n_resources};
}

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

void
rep_push_file(struct cs_report_result *res, const char *path)
{
    res->files = xreallocarray(res->files, res->n_files + 1, sizeof *res->files);
    res->files[res->n_files++] = xstrdup(path);
}

void
rep_push_note(struct cs_report_result *res, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    res->notes = xreallocarray(res->notes, res->n_notes + 1, sizeof *res->notes);
    res->notes[res->n_notes++] = xstrdup(buf);
}

void
rep_on_file(void *ctx, const char *path)
{
    rep_push_file(ctx, path);
}

/* Tell the caller a stage starts (progress); n = template steps + 4. */
void
rep_stage(const struct cs_report_opts *o, const char *name, size_t k, size_t n)
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

void
rep_terminal_table(const struct cs_report_model *m, struct cs_buf *t)
{
    char a[40], b[40], c[40], d[40];
    if (m->totals.surveys == 0) {
        cs_buf_printf(t, "No surveys in the window.\n");
        return;
    }
    char f1[32], f2[32];
    cs_buf_printf(t, "\nSurveys %s (calls %s, participants %s), first %s, last %s\n",
                  cs_thousands(m->totals.surveys, a), cs_thousands(m->totals.calls, b),
                  cs_thousands(m->totals.participants, c),
                  cs_time_format(m->totals.first_us, f1), cs_time_format(m->totals.last_us, f2));
    (void)d;
    cs_buf_printf(t, "%-12s %-16s %9s %6s %6s %6s  %-24s %s\n", "category", "scale",
                  "responses", "mean", "median", "sd", "poor rate (95% CI)", "top issues");
    bool small = false;
    for (size_t i = 0; i < m->n_groups; i++) {
        const struct rep_group *g = &m->groups[i];
        char sc[96];
        cs_scale_label(&g->scale, sc, sizeof sc); /* "1–5, poor ≤ 2", as everywhere */
        char pr[64], p1[16], p2[16], p3[16];
        snprintf(pr, sizeof pr, "%s (%s-%s)", pct(g->sum.poor_rate, p1, 1),
                 pct(g->sum.poor_ci_lo, p2, 1), pct(g->sum.poor_ci_hi, p3, 1));
        char nn[40];
        cs_thousands(g->sum.n, nn);
        if (g->small_sample) {
            strcat(nn, "*");
            small = true;
        }
        cs_buf_printf(t, "%-12s ", cs_category_title((enum cs_category)g->cat));
        cs_buf_pad(t, sc, 16);
        cs_buf_printf(t, " %9s %6s %6s %6s  %-24s ", nn, num(g->sum.mean, a, 2),
                      num(g->sum.median, b, 1), num(g->sum.sd, c, 2), pr);
        /* top three tags by responses */
        size_t top[3];
        size_t shown = rep_top_issues(g, 3, top);
        for (size_t k = 0; k < shown; k++)
            cs_buf_printf(t, "%s%s %s", k ? ", " : "", g->issues[top[k]].name,
                          pct(g->issues[top[k]].share_of_responses, a, 1));
        cs_buf_printf(t, "%s\n", shown ? "" : "-");
    }
    for (size_t i = 0; i < m->n_pooled; i++) {
        const struct rep_pooled *p = &m->pooled[i];
        char p1[16];
        cs_buf_printf(t, "%-12s %-16s %9s normalized mean %s, poor rate %s (pooled over %zu scales)\n",
                      cs_category_title((enum cs_category)p->cat), "all scales",
                      cs_thousands(p->p.n, a), num(p->p.norm_mean, b, 3), pct(p->p.poor_rate, p1, 1),
                      p->n_scales);
    }
    if (small)
        cs_buf_printf(t, "* fewer than %llu responses: treat the rates with care.\n",
                      (unsigned long long)m->min_n);
}

double
rep_now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- template query steps --------------------------------------------- */

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

cs_status
rep_parse_formats(const char *list, unsigned *out, struct cs_err *err)
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

unsigned
rep_surf_of(unsigned fmts)
{
    return (fmts & F_PNG ? CS_CHART_PNG : 0) | (fmts & F_SVG ? CS_CHART_SVG : 0) |
           (fmts & F_PDF ? CS_CHART_PDF : 0);
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
