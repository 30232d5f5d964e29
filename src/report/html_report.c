/*
 * report/html_report.c: the charts and answers of report.html, gathered
 * for render/html (see report/html_report.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/ctime.h"
#include "core/mem.h"
#include "ingest/answers.h"
#include "model/privacy.h"
#include "model/survey.h"
#include "render/chart.h"
#include "render/html.h"
#include "render/html_compare.h"
#include "report/charts.h"
#include "report/compare_run.h"
#include "report/html_report.h"
#include "store/join.h"

struct gather {
    struct cs_html_chart *v;
    size_t n, cap;
    enum cs_html_chart_kind kind;
    size_t group;
    bool skip_pies;
};

/* The chart's title and, per series (two at most), its figures by category
 * (the first 16): the chart's text alternative. */
static char *
alt_text(const struct chart_spec *s)
{
    struct cs_buf b = {0};
    cs_buf_puts(&b, s->title ? s->title : "Chart");
    if (s->subtitle && s->subtitle[0])
        cs_buf_printf(&b, " (%s)", s->subtitle);
    cs_buf_puts(&b, ".");
    for (size_t k = 0; k < s->n_series && k < 2; k++) {
        const struct chart_series *se = &s->series[k];
        if (!se->values)
            continue;
        const struct chart_axis *ax = se->axis == CHART_RIGHT ? &s->axis2 : &s->axis;
        cs_buf_printf(&b, " %s:", se->name && se->name[0] ? se->name : "Values");
        size_t shown = 0;
        for (size_t i = 0; i < s->n_categories && shown < 16; i++) {
            if (!isfinite(se->values[i]))
                continue;
            char v[48];
            chart_format_number(se->values[i], ax->fmt, ax->decimals, v, sizeof v);
            cs_buf_printf(&b, "%s %s %s", shown ? "," : "",
                          s->categories && s->categories[i] ? s->categories[i] : "", v);
            shown++;
        }
        if (shown < s->n_categories)
            cs_buf_puts(&b, shown ? ", \xE2\x80\xA6" : " no data");
        cs_buf_puts(&b, ".");
    }
    if (s->footnote.n >= 0)
        cs_buf_printf(&b, " n = %lld.", s->footnote.n);
    return cs_buf_take(&b);
}

static cs_status
on_spec(void *ctx, const char *name, const struct chart_spec *spec, struct cs_err *err)
{
    struct gather *g = ctx;
    size_t nl = strlen(name);
    if (g->skip_pies && nl > 4 && strcmp(name + nl - 4, "-pie") == 0)
        return CS_OK; /* the bar chart and the table say the same */
    char *svg;
    if (chart_render_svg_mem(spec, &svg, err))
        return err->code;
    if (g->n == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 16;
        g->v = xrealloc(g->v, g->cap * sizeof *g->v);
    }
    char id[32];
    snprintf(id, sizeof id, "c%zu", g->n + 1);
    g->v[g->n++] = (struct cs_html_chart){.kind = g->kind, .group = g->group, .id = xstrdup(id), .svg = cs_html_svg_inline(svg, id), .alt = alt_text(spec)};
    xfree(svg);
    return CS_OK;
}

/* Charts of group gi alone: a model whose only group is gi (shallow). */
static cs_status
group_charts(struct gather *g, const struct cs_report_model *m, size_t gi, bool primary,
             struct cs_err *err)
{
    struct cs_report_model one = *m;
    one.groups = &m->groups[gi];
    one.n_groups = 1;
    static const struct {
        enum cs_chart_section s;
        enum cs_html_chart_kind k;
    } parts[] = {{CS_CHARTS_DISTRIBUTION, CS_HTML_DISTRIBUTION},
                 {CS_CHARTS_ISSUES, CS_HTML_ISSUES},
                 {CS_CHARTS_TREND, CS_HTML_TREND}};
    g->group = gi;
    g->skip_pies = true;
    for (size_t i = 0; i < (primary ? 3u : 1u); i++) {
        g->kind = parts[i].k;
        cs_status rc = cs_charts_specs(&one, NULL, parts[i].s, 0, m->groups[gi].cat, on_spec, g,
                                       err);
        if (rc)
            return rc;
    }
    return CS_OK;
}

/* ---- custom answers ---- */

struct cs_html_answers {
    struct cs_html_answer *v; /* owned: CS_HTML_MAX_ANSWERS, n used */
    size_t n;
    uint64_t total;
    size_t dropped;
    const struct cs_privacy *privacy;
};

/* One answer of the row being read. */
struct answer_ctx {
    struct cs_html_answers *a;
    const struct cs_join_row *r;
};

static void
on_answer(void *ctx, const char *key, const char *value)
{
    struct answer_ctx *x = ctx;
    struct cs_html_answers *a = x->a;
    const struct cs_join_row *r = x->r;
    char id[CS_PRIVACY_HEX + 1], tb[32];
    a->total++;
    if (a->n >= CS_HTML_MAX_ANSWERS)
        return;
    a->v[a->n++] = (struct cs_html_answer){
        .survey_id = xstrdup(cs_privacy_show_id(a->privacy, r->survey_id, id)),
        .time = xstrdup(r->has_left ? cs_time_format(r->time_us, tb) : ""),
        .resource = xstrdup(r->resource ? r->resource : ""),
        .key = xstrdup(key),
        .value = xstrdup(value)};
}

cs_status
cs_html_answers_row(void *ctx, const struct cs_join_row *r, struct cs_err *err)
{
    (void)err;
    struct cs_html_answers *a = ctx;
    char *kept = cs_privacy_answers(a->privacy, r->props, &a->dropped);
    struct answer_ctx x = {.a = a, .r = r};
    cs_answers_each(kept ? kept : r->props ? r->props
                                           : "{}",
                    on_answer, &x);
    xfree(kept);
    return CS_OK;
}

static void
answers_free(struct cs_html_answers *a)
{
    for (size_t i = 0; i < a->n; i++) {
        const struct cs_html_answer *x = &a->v[i];
        char *p[] = {x->survey_id, x->time, x->resource, x->key, x->value};
        for (size_t k = 0; k < 5; k++)
            xfree(p[k]);
    }
    xfree(a->v);
}

struct cs_html_answers *
cs_html_answers_new(const struct cs_privacy *privacy)
{
    struct cs_html_answers *a = xcalloc(1, sizeof *a);
    a->privacy = privacy;
    a->v = xcalloc(CS_HTML_MAX_ANSWERS, sizeof *a->v);
    return a;
}

void
cs_html_answers_free(struct cs_html_answers **a)
{
    if (!a || !*a)
        return;
    answers_free(*a);
    xfree(*a);
    *a = NULL;
}

static void
charts_free(struct gather *g)
{
    for (size_t i = 0; i < g->n; i++) {
        xfree(g->v[i].id);
        xfree(g->v[i].svg);
        xfree(g->v[i].alt);
    }
    xfree(g->v);
}

cs_status
cs_html_report(const struct cs_html_report_in *in, const char *path, struct cs_err *err)
{
    const struct cs_report_model *m = in->m;
    struct gather g = {0};
    struct cs_html_answers a = {.privacy = in->privacy};
    cs_status rc = CS_OK;
    struct cs_html_input hi = {.m = m, .review = in->review, .tool_version = in->tool_version, .run_time_s = in->run_time_s, .filters_text = in->filters_text, .template_name = in->template_name, .run = in->run};
    /* primary scales first (in category order), then the minor ones */
    for (int pass = 0; rc == CS_OK && pass < 2; pass++)
        for (size_t i = 0; rc == CS_OK && i < m->n_groups; i++) {
            bool primary = cs_html_primary_group(&hi, m->groups[i].cat) == (long)i;
            if (primary == (pass == 0))
                rc = group_charts(&g, m, i, primary, err);
        }
    const struct cs_html_answers *got = in->with_answers ? in->answers_read : NULL;
    if (rc == CS_OK && in->with_answers && !got) {
        a.v = xcalloc(CS_HTML_MAX_ANSWERS, sizeof *a.v);
        rc = cs_join_rows(in->store, in->filter, CS_MERGE_INNER, cs_html_answers_row, &a, err);
        got = &a;
    }
    if (rc == CS_OK) {
        hi.charts = g.v;
        hi.n_charts = g.n;
        if (got) {
            hi.answers = got->v;
            hi.n_answers = got->n;
            hi.answers_total = got->total;
            hi.answers_dropped = got->dropped;
        }
        rc = cs_html_write(&hi, path, err);
    }
    answers_free(&a);
    charts_free(&g);
    return rc;
}

cs_status
cs_html_compare(const struct cs_compare *c, const struct cs_compare_out *o,
                const char *template_name, struct cs_err *err)
{
    struct gather g = {.kind = CS_HTML_COMPARE};
    cs_status rc = cs_charts_specs(o->m, c, CS_CHARTS_DISTRIBUTION, CS_COMPARE_POOR | CS_COMPARE_DIST,
                                   -1, on_spec, &g, err);
    if (rc == CS_OK) {
        char path[4096];
        snprintf(path, sizeof path, "%s/compare.html", o->dir);
        struct cs_html_compare_input in = {.c = c, .charts = g.v, .n_charts = g.n, .tool_version = o->tool_version, .run_time_s = o->run_time_s, .filters_text = o->filters_text, .template_name = template_name};
        rc = cs_html_compare_write(&in, path, err);
        if (rc == CS_OK && o->on_file)
            o->on_file(o->ctx, path);
    }
    charts_free(&g);
    return rc;
}

bool
cs_formats_has(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        const char *e = strchr(p, ',');
        size_t k = e ? (size_t)(e - p) : strlen(p);
        if (k == n && strncmp(p, name, n) == 0)
            return true;
        p += k + (e ? 1 : 0);
    }
    return false;
}
