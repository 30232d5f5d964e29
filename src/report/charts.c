/*
 * report/charts.c: chart specs from the report and comparison models.
 *
 * Which charts, and why: per (category, scale) the distribution (share of
 * respondents per score with the number of responses on a second axis, as
 * the ACS summary query shows it), the issue tags (bars sorted by share of
 * responses; a pie of the mentions, at most six slices), the distribution
 * per week (100% stacked) and the poor-rate and mean trends with their 95%
 * intervals.  Groups under --min-n get no chart of their own (a chart of 7
 * answers misleads at a glance) except the largest scale of each category.
 * A 0-100 scale has 101 scores: its distribution is binned into deciles
 * whose exact bounds are named.
 */
#include "report/charts.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/afile.h"
#include "core/ctime.h"
#include "core/mem.h"
#include "model/review.h"
#include "model/survey.h"
#include "render/chart.h"
#include "report/chart_bins.h"
#include "report/chart_context.h"
#include "report/pdf_report.h"
#include "report/template.h"
#include "store/runner.h"

#define MAX_DIST_COLUMNS 21 /* more score levels than this are binned */

struct out {
    const struct cs_report_model *m;
    char *pdf_path; /* owned path of report.pdf, or NULL */
    const char *dir;
    unsigned surfaces;
    cs_file_cb on_file;
    void *ctx;
    struct cs_pdf_report *doc; /* report.pdf as a document, or NULL */
    bool extra;                /* charts now come from template query steps */
    _Atomic int n;             /* charts drawn (sections may be drawn on two threads) */
    cs_name_cb on_name;        /* every chart stem, drawn or not (cs_charts_names) */
    struct cs_chart_size size; /* --size and --dpi (0 = the chart defaults) */
    void *name_ctx;
    cs_spec_cb on_spec; /* every chart's spec (cs_charts_specs, report.html) */
    void *spec_ctx;
    char *template_text; /* owned: "template NAME: k=v" for query-step charts, or NULL */
};


static cs_status emit_files(struct out *o, const struct chart_spec *spec,
                            const struct chart_spec *unsized, const char *name,
                            struct cs_err *err);

static cs_status
emit(struct out *o, const struct chart_spec *spec0, const char *name,
     struct cs_err *err)
{
    if (o->on_name)
        o->on_name(o->name_ctx, name);
    /* every footer names its window and what was filtered, and a template
     * step's chart the template's parameters (issue 18) */
    struct chart_spec cx = *spec0; /* shallow: the arrays stay borrowed */
    struct cs_chart_context_hold hold = {0};
    cs_chart_context_apply(o->m, o->extra ? o->template_text : NULL, &cx, &hold);
    struct chart_spec sized = cx;
    if (o->size.width_px > 0 && o->size.height_px > 0) {
        sized.width_px = o->size.width_px;
        sized.height_px = o->size.height_px;
    }
    if (o->size.dpi > 0)
        sized.dpi = o->size.dpi;
    const struct chart_spec *spec = &sized;
    cs_status rc = emit_files(o, spec, &cx, name, err);
    cs_chart_context_release(&hold);
    return rc;
}

static cs_status
emit_files(struct out *o, const struct chart_spec *spec, const struct chart_spec *unsized,
           const char *name, struct cs_err *err)
{
    if (o->on_spec && o->on_spec(o->spec_ctx, name, spec, err))
        return err->code;
    static const struct {
        unsigned bit;
        enum chart_format f;
    } fm[] = {
        {CS_CHART_PNG, CHART_PNG}, {CS_CHART_SVG, CHART_SVG}, {CS_CHART_PDF, CHART_PDF}};
    for (size_t i = 0; i < 3; i++) {
        if (!(o->surfaces & fm[i].bit))
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/charts/%s.%s", o->dir, name,
                 chart_format_ext(fm[i].f));
        if (chart_render(spec, fm[i].f, path, err))
            return err->code;
        if (o->on_file)
            o->on_file(o->ctx, path);
    }
    if (o->doc && cs_pdf_report_chart(o->doc, unsized, name, o->extra, err))
        return err->code;
    o->n++;
    return CS_OK;
}

static void
title_of(const struct rep_group *g, const char *what, char *buf, size_t n)
{
    char scale[96];
    snprintf(buf, n, "%s%s \xE2\x80\x94 %s", cs_category_title((enum cs_category)g->cat), what,
             cs_scale_label(&g->scale, scale, sizeof scale));
}

static void
scale_note(const struct stats_scale *sc, char *buf, size_t n)
{
    char b[96];
    snprintf(buf, n, "scale %s", cs_scale_label(sc, b, sizeof b));
}

static void
window_text(const struct cs_report_model *m, char *buf, size_t n)
{
    char *t = cs_chart_window_text(m);
    snprintf(buf, n, "%s", t);
    xfree(t);
}

/* is g the largest scale of its category? */
static bool
is_main(const struct cs_report_model *m, const struct rep_group *g)
{
    for (size_t i = 0; i < m->n_groups; i++)
        if (m->groups[i].cat == g->cat && m->groups[i].sum.n > g->sum.n)
            return false;
    return true;
}

static cs_status
distribution_chart(struct out *o, const struct cs_report_model *m,
                   const struct rep_group *g, const char *base, struct cs_err *err)
{
    /* columns: whole scores, or tenths with an edge at the threshold
     * (report/chart_bins.h) */
    struct cs_dist_bins bins;
    cs_dist_bins_build(g, &bins);
    bool binned = bins.binned;
    size_t nc = bins.n;
    char **labels = bins.labels;
    double *count = bins.count;
    double *share = xcalloc(nc ? nc : 1, sizeof *share);
    for (size_t i = 0; i < nc; i++)
        share[i] = g->sum.n ? count[i] / (double)g->sum.n : (double)NAN;
    char title[256], sc[96], win[64];
    title_of(g, " rating", title, sizeof title);
    scale_note(&g->scale, sc, sizeof sc);
    window_text(m, win, sizeof win);
    struct chart_series s[2] = {
        {.name = "% of respondents", .values = share},
        {.name = "Number of responses", .values = count, .axis = CHART_RIGHT},
    };
    struct chart_spec spec;
    chart_spec_init(&spec, CHART_COLUMN_DUAL);
    spec.title = title;
    spec.subtitle = "Percentage of respondents per score, and number of responses";
    spec.footnote = (struct chart_footnote){.n = (long long)g->sum.n, .scale = sc, .window = win};
    char th[32], poor_label[64];
    const char *notes[2];
    size_t nn = 0;
    if (binned)
        notes[nn++] = "Scores binned in tenths of the scale with an edge at the threshold: "
                      "a\xE2\x80\x93<b excludes b, >a\xE2\x80\x93"
                      "b excludes a, the last poor bin "
                      "includes the threshold.";
    if (bins.folded)
        notes[nn++] = "Fractional scores are counted in the column of the next whole score "
                      "(column k holds the scores above k\xE2\x88\x92"
                      "1 up to k).";
    spec.notes = nn ? notes : NULL;
    spec.n_notes = nn;
    snprintf(poor_label, sizeof poor_label, "Poor (\xE2\x89\xA4 %s)",
             cs_js_number(g->scale.threshold, th));
    spec.highlight = bins.poor;
    spec.highlight_label = poor_label;
    spec.categories = (const char *const *)labels;
    spec.n_categories = nc;
    spec.category_title = binned ? "Score (binned)" : "Score";
    spec.series = s;
    spec.n_series = 2;
    spec.axis = (struct chart_axis){.title = "% of respondents", .fmt = CHART_FMT_PERCENT, .decimals = 1};
    spec.axis2 = (struct chart_axis){.title = "Responses", .fmt = CHART_FMT_INT};
    char name[256];
    snprintf(name, sizeof name, "%s-distribution", base);
    cs_status rc = emit(o, &spec, name, err);
    cs_dist_bins_free(&bins);
    xfree(share);
    return rc;
}

static cs_status
issue_charts(struct out *o, const struct cs_report_model *m, const struct rep_group *g,
             const char *base, struct cs_err *err)
{
    size_t n = g->n_issues;
    const char **labels = xcalloc(n ? n : 1, sizeof *labels);
    double *share = xcalloc(n ? n : 1, sizeof *share);
    double *mentions = xcalloc(n ? n : 1, sizeof *mentions);
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        labels[i] = g->issues[i].name;
        share[i] = g->issues[i].share_of_responses;
        mentions[i] = (double)g->issues[i].surveys;
        total += g->issues[i].surveys;
    }
    char title[256], sc[96], win[64];
    title_of(g, " issues", title, sizeof title);
    scale_note(&g->scale, sc, sizeof sc);
    window_text(m, win, sizeof win);
    char unknown[400] = "";
    size_t un = 0;
    for (size_t i = 0; i < n && un < sizeof unknown - 80; i++)
        if (!g->issues[i].known)
            un += (size_t)snprintf(unknown + un, sizeof unknown - un, "%s%s", un ? ", " : "",
                                   g->issues[i].name);
    if (un)
        snprintf(unknown + un, sizeof unknown - un, ": not in the web SDK's list, kept as given.");
    const char *notes[1] = {unknown};
    struct chart_series s = {.name = NULL, .values = share};
    struct chart_spec spec;
    chart_spec_init(&spec, CHART_BAR);
    spec.notes = un ? notes : NULL;
    spec.n_notes = un ? 1 : 0;
    spec.title = title;
    spec.subtitle = "Share of responses reporting each issue (a response may report several)";
    spec.footnote = (struct chart_footnote){.n = (long long)g->sum.n, .scale = sc, .window = win};
    spec.categories = labels;
    spec.n_categories = n;
    spec.series = &s;
    spec.n_series = 1;
    spec.sort_desc = true;
    spec.axis = (struct chart_axis){.title = "Share of responses", .fmt = CHART_FMT_PERCENT, .decimals = 1};
    char name[256];
    snprintf(name, sizeof name, "%s-issues", base);
    cs_status rc = emit(o, &spec, name, err);
    if (rc == CS_OK && total > 0) {
        struct chart_series ps = {.name = NULL, .values = mentions};
        chart_spec_init(&spec, CHART_PIE);
        spec.title = title;
        spec.subtitle = "Issue mentions (a response may mention several)";
        spec.footnote = (struct chart_footnote){.n = (long long)total, .n_label = "mentions", .scale = sc, .window = win};
        spec.categories = labels;
        spec.n_categories = n;
        spec.series = &ps;
        spec.n_series = 1;
        spec.donut = true;
        spec.other_label = "All other issues";
        char small[96];
        const char *pnote[1] = {small};
        if (total < m->min_n) {
            snprintf(small, sizeof small, "Small sample: fewer than %llu mentions.",
                     (unsigned long long)m->min_n);
            spec.notes = pnote;
            spec.n_notes = 1;
        }
        spec.axis = (struct chart_axis){.fmt = CHART_FMT_INT};
        snprintf(name, sizeof name, "%s-issues-pie", base);
        rc = emit(o, &spec, name, err);
    }
    xfree(labels);
    xfree(share);
    xfree(mentions);
    return rc;
}

/* trend rows of group g (same category and scale), in bucket order */
static size_t
trend_rows(const struct cs_report_model *m, const struct rep_group *g,
           const struct rep_trend **rows)
{
    size_t k = 0;
    /* the review's context when it reaches before the window (--week W) */
    const struct rep_trend *tr = m->chart_trend ? m->chart_trend : m->trend;
    size_t n = m->chart_trend ? m->n_chart_trend : m->n_trend;
    for (size_t i = 0; i < n; i++) {
        const struct rep_trend *t = &tr[i];
        if (t->cat == g->cat && t->scale.lower == g->scale.lower &&
            t->scale.upper == g->scale.upper && t->scale.threshold == g->scale.threshold)
            rows[k++] = t;
    }
    return k;
}

/* [a, b) in µs of a trend bucket (an ISO week code or a day number) */
static void
bucket_span(const struct cs_report_model *m, int64_t bucket, int64_t *a, int64_t *b)
{
    if (m->bucket == CS_BUCKET_DAY) {
        *a = bucket * CS_US_PER_DAY;
        *b = *a + CS_US_PER_DAY;
    } else {
        *a = cs_iso_week_monday((int)(bucket / 100), (int)(bucket % 100)) * CS_US_PER_DAY;
        *b = *a + 7 * CS_US_PER_DAY;
    }
}

/* "Nov 3" of a day number (days since 1970-01-01), "*" when partial */
static void
short_day(int64_t day, bool partial, char *buf, size_t n)
{
    static const char *const mon[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char iso[16];
    cs_day_format(day, iso); /* YYYY-MM-DD */
    int mm = (iso[5] - '0') * 10 + (iso[6] - '0'), dd = (iso[8] - '0') * 10 + (iso[9] - '0');
    snprintf(buf, n, "%s %d%s", mon[(mm >= 1 && mm <= 12) ? mm - 1 : 0], dd, partial ? "*" : "");
}

/* The k periods' axis labels (a partial one starred) into labels and lp,
 * and the note naming the partial ones into partial (n bytes); returns
 * the note's length, 0 when none is partial. */
static size_t
trend_labels(const struct cs_report_model *m, const struct rep_trend **rows, size_t k,
             char (*labels)[24], const char **lp, char *partial, size_t n)
{
    size_t pn = 0;
    for (size_t i = 0; i < k; i++) {
        if (m->bucket == CS_BUCKET_DAY) /* "Nov 3": short, so more fit unthinned */
            short_day(rows[i]->bucket, rows[i]->partial, labels[i], sizeof labels[i]);
        else
            snprintf(labels[i], sizeof labels[i], "%s%s", rows[i]->label,
                     rows[i]->partial ? "*" : "");
        lp[i] = labels[i];
        if (rows[i]->partial && pn < n - 40)
            pn += (size_t)snprintf(partial + pn, n - pn, "%s%s",
                                   pn ? ", " : "* partial (the window does not cover it): ",
                                   rows[i]->label);
    }
    return pn;
}

static cs_status
trend_charts(struct out *o, const struct cs_report_model *m, const struct rep_group *g,
             const char *base, struct cs_err *err)
{
    size_t n_rows = m->n_trend > m->n_chart_trend ? m->n_trend : m->n_chart_trend;
    const struct rep_trend **rows = xcalloc(n_rows ? n_rows : 1, sizeof *rows);
    size_t k = trend_rows(m, g, rows);
    if (k < 2) { /* one period is a single value, not a trend: the tables have it */
        xfree(rows);
        return CS_OK;
    }
    char(*labels)[24] = xcalloc(k ? k : 1, sizeof *labels);
    const char **lp = xcalloc(k ? k : 1, sizeof *lp);
    double *v = xcalloc(k ? k : 1, sizeof *v), *lo = xcalloc(k ? k : 1, sizeof *lo),
           *hi = xcalloc(k ? k : 1, sizeof *hi);
    char partial[512] = "";
    size_t pn = trend_labels(m, rows, k, labels, lp, partial, sizeof partial);
    /* the review's periods shaded, small buckets hollow */
    unsigned char *marks = xcalloc(k, 1);
    bool *hollow = xcalloc(k, sizeof *hollow);
    bool any_mark = false, any_hollow = false;
    const struct cs_review *rv = m->review;
    for (size_t i = 0; i < k; i++) {
        int64_t a, b;
        bucket_span(m, rows[i]->bucket, &a, &b);
        if (rv && rv->period.label[0] && a >= rv->period.since_us && b <= rv->period.until_us)
            marks[i] = CHART_MARK_PERIOD;
        else if (rv && rv->has_previous && a >= rv->previous.since_us &&
                 b <= rv->previous.until_us)
            marks[i] = CHART_MARK_BASE;
        any_mark |= marks[i] != 0;
        hollow[i] = rows[i]->small_sample;
        any_hollow |= hollow[i];
    }
    char mark_now[80] = "", mark_base[80] = "", hollow_text[80];
    if (rv) {
        snprintf(mark_now, sizeof mark_now, "Review period (%s)", rv->period.label);
        snprintf(mark_base, sizeof mark_base, "Compared with (%s)", rv->previous.label);
    }
    snprintf(hollow_text, sizeof hollow_text, "Fewer than %llu responses",
             (unsigned long long)m->min_n);
    const char *notes[1] = {partial};
    char title[256], sc[96], win[64], name[256];
    scale_note(&g->scale, sc, sizeof sc);
    window_text(m, win, sizeof win);
    const char *bucket = m->bucket == CS_BUCKET_DAY ? "day" : "ISO week";
    /* poor rate with the Wilson interval */
    for (size_t i = 0; i < k; i++) {
        v[i] = rows[i]->sum.poor_rate;
        lo[i] = rows[i]->sum.poor_ci_lo;
        hi[i] = rows[i]->sum.poor_ci_hi;
    }
    char th_s[32], sub[160], scale[96];
    snprintf(title, sizeof title, "Poor-rate trend \xE2\x80\x94 %s rating, %s",
             cs_category_title((enum cs_category)g->cat),
             cs_scale_label(&g->scale, scale, sizeof scale));
    cs_js_number(g->scale.threshold, th_s);
    snprintf(sub, sizeof sub, "Share of responses scoring \xE2\x89\xA4 %s per %s", th_s, bucket);
    struct chart_series s = {.name = "Poor rate", .values = v, .lo = lo, .hi = hi};
    struct chart_spec spec;
    chart_spec_init(&spec, CHART_LINE);
    spec.title = title;
    spec.subtitle = sub;
    spec.footnote = (struct chart_footnote){.n = (long long)g->sum.n, .scale = sc, .window = win};
    spec.notes = pn ? notes : NULL;
    spec.n_notes = pn ? 1 : 0;
    spec.categories = lp;
    spec.n_categories = k;
    spec.category_title = m->bucket == CS_BUCKET_DAY ? "Day" : "ISO week";
    spec.series = &s;
    spec.n_series = 1;
    spec.interval_label = "95% interval (Wilson)";
    if (any_mark) {
        spec.marks = marks;
        spec.mark_labels[CHART_MARK_PERIOD] = mark_now;
        spec.mark_labels[CHART_MARK_BASE] = mark_base;
    }
    if (any_hollow) {
        spec.hollow = hollow;
        spec.hollow_label = hollow_text;
    }
    spec.axis = (struct chart_axis){.title = "Poor rate", .fmt = CHART_FMT_PERCENT, .decimals = 1};
    snprintf(name, sizeof name, "trend-poor-rate-%s", base);
    cs_status rc = emit(o, &spec, name, err);
    if (rc == CS_OK) {
        for (size_t i = 0; i < k; i++) {
            v[i] = rows[i]->sum.mean;
            lo[i] = rows[i]->sum.mean_ci_lo;
            hi[i] = rows[i]->sum.mean_ci_hi;
        }
        snprintf(title, sizeof title, "Mean-score trend \xE2\x80\x94 %s rating, %s",
                 cs_category_title((enum cs_category)g->cat), scale);
        snprintf(sub, sizeof sub, "Mean score per %s", bucket);
        s = (struct chart_series){.name = "Mean score", .values = v, .lo = lo, .hi = hi};
        spec.title = title;
        spec.subtitle = sub;
        spec.interval_label = "95% interval (t)";
        spec.axis = (struct chart_axis){.title = "Mean score", .fmt = CHART_FMT_FIXED, .decimals = 2, .fixed = true, .min = g->scale.lower, .max = g->scale.upper};
        if (!(g->scale.upper > g->scale.lower))
            spec.axis.fixed = false;
        snprintf(name, sizeof name, "trend-mean-%s", base);
        rc = emit(o, &spec, name, err);
    }
    xfree(rows);
    xfree(marks);
    xfree(hollow);
    xfree(labels);
    xfree(lp);
    xfree(v);
    xfree(lo);
    xfree(hi);
    return rc;
}

struct cs_charts {
    struct out o;
};

cs_status
cs_charts_open(const struct cs_report_model *m, const char *dir, unsigned surfaces,
               const struct cs_chart_size *size, cs_file_cb on_file, void *ctx, struct cs_charts **out, struct cs_err *err)
{
    *out = NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/charts", dir);
    if (cs_mkdirs(path, err))
        return CS_E_IO;
    struct cs_charts *c = xcalloc(1, sizeof *c);
    c->o = (struct out){.m = m, .dir = dir, .surfaces = surfaces, .on_file = on_file, .ctx = ctx};
    if (size)
        c->o.size = *size;
    if (surfaces & CS_CHART_PDF) {
        snprintf(path, sizeof path, "%s/report.pdf", dir);
        c->o.pdf_path = xstrdup(path);
        cs_status rc = cs_pdf_report_open(m, path, (enum pdf_paper)c->o.size.paper, &c->o.doc, err);
        if (rc) {
            xfree(c->o.pdf_path);
            xfree(c);
            return rc;
        }
    }
    *out = c;
    return CS_OK;
}

void
cs_charts_set_template(struct cs_charts *c, const struct cs_template *t,
                       const struct cs_template_params *p)
{
    if (c == NULL)
        return;
    xfree(c->o.template_text);
    c->o.template_text = t ? cs_chart_template_text(t, p) : NULL;
}

void
cs_charts_pdf_info(struct cs_charts *c, const struct cs_pdf_info *info)
{
    if (c && c->o.doc)
        cs_pdf_report_info(c->o.doc, info);
}

bool
cs_charts_concurrent(const struct cs_charts *c)
{
    /* report.pdf takes the charts in order, and the names and specs
     * callbacks are the caller's */
    return c->o.doc == NULL && c->o.on_name == NULL && c->o.on_spec == NULL;
}

cs_status
cs_charts_section(struct cs_charts *c, enum cs_chart_section section, int category,
                  struct cs_err *err)
{
    const struct cs_report_model *m = c->o.m;
    cs_status rc = CS_OK;
    for (size_t i = 0; rc == CS_OK && i < m->n_groups; i++) {
        const struct rep_group *g = &m->groups[i];
        if (category >= 0 && g->cat != category)
            continue;
        if (g->small_sample && !is_main(m, g) && !m->scales_all)
            continue;
        char base[128];
        cs_group_stem(m, g, base, sizeof base);
        if (section == CS_CHARTS_DISTRIBUTION)
            rc = distribution_chart(&c->o, m, g, base, err);
        else if (section == CS_CHARTS_ISSUES)
            rc = issue_charts(&c->o, m, g, base, err);
        else /* every scale with enough responses, as the others */
            rc = trend_charts(&c->o, m, g, base, err);
    }
    return rc;
}

/* ---- charts of template query steps ---------------------------------- */

static double
cell_num(const struct cs_cell *x)
{
    switch (x->type) {
    case CS_SQL_INT: return (double)x->i;
    case CS_SQL_REAL: return x->r;
    case CS_SQL_TEXT: {
        char *end;
        double v = strtod(x->t.s, &end);
        return end != x->t.s && *end == '\0' ? v : (double)NAN;
    }
    default: return NAN;
    }
}

static char *
cell_text(const struct cs_cell *x)
{
    char b[32];
    switch (x->type) {
    case CS_SQL_INT: return xasprintf("%lld", (long long)x->i);
    case CS_SQL_REAL: return xstrdup(cs_js_number(x->r, b));
    case CS_SQL_TEXT: return xstrdup(x->t.s);
    default: return xstrdup("(none)");
    }
}

static enum chart_numfmt
fmt_of(const struct cs_template_step *st, const char *col, int *decimals)
{
    *decimals = 1;
    for (size_t i = 0; col && i < st->n_formats; i++)
        if (strcmp(st->formats[i].column, col) == 0) {
            const char *f = st->formats[i].format;
            const char *dot = strchr(f, '.');
            int d = 0;
            if (dot)
                for (const char *p = dot + 1; *p == '0'; p++)
                    d++;
            *decimals = d;
            if (strchr(f, '%'))
                return CHART_FMT_PERCENT;
            if (dot)
                return CHART_FMT_FIXED;
            return CHART_FMT_INT;
        }
    return CHART_FMT_FIXED;
}

/* index of a category label, appending it when new */
static size_t
label_index(char ***labels, size_t *n, char *text)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*labels)[i], text) == 0) {
            xfree(text);
            return i;
        }
    *labels = xreallocarray(*labels, *n + 1, sizeof **labels);
    (*labels)[*n] = text;
    return (*n)++;
}

cs_status
cs_charts_result(struct cs_charts *c, const struct cs_template_step *st,
                 const struct cs_result *r, const char *name, struct cs_err *err)
{
    if (!cs_render_is_chart(st->render))
        return CS_OK;
    long cx = st->x ? cs_result_column(r, st->x) : 0;
    long cy = st->y ? cs_result_column(r, st->y) : (r->n_cols > 1 ? 1 : -1);
    long cy2 = st->y2 ? cs_result_column(r, st->y2) : -1;
    long cs = -1;
    bool implied; /* one line per value of the one other text column */
    if (cs_template_chart_series(st, NULL, r, &cs, &implied, err))
        return err->code;
    if (cx < 0 || cy < 0)
        return cs_fail(err, CS_E_TEMPLATE, st->title,
                       "the query has no column '%s' for the chart",
                       cx < 0 ? (st->x ? st->x : "x") : (st->y ? st->y : "y"));
    /* categories (x) and series (distinct values of `series`, or y [, y2]) */
    char **cats = NULL, **snames = NULL;
    size_t n_cats = 0, n_ser = 0;
    for (size_t i = 0; i < r->n_rows; i++) {
        label_index(&cats, &n_cats, cell_text(cs_result_cell(r, i, (size_t)cx)));
        if (cs >= 0)
            label_index(&snames, &n_ser, cell_text(cs_result_cell(r, i, (size_t)cs)));
    }
    if (cs < 0) {
        n_ser = cy2 >= 0 ? 2 : 1;
        snames = xcalloc(n_ser, sizeof *snames);
        snames[0] = xstrdup(r->cols[cy].name);
        if (cy2 >= 0)
            snames[1] = xstrdup(r->cols[cy2].name);
    }
    double *vals = xcalloc((n_cats ? n_cats : 1) * n_ser, sizeof *vals);
    for (size_t i = 0; i < (n_cats ? n_cats : 1) * n_ser; i++)
        vals[i] = NAN;
    for (size_t i = 0; i < r->n_rows; i++) {
        char *ct = cell_text(cs_result_cell(r, i, (size_t)cx));
        size_t ci = label_index(&cats, &n_cats, ct);
        if (cs >= 0) {
            char *stx = cell_text(cs_result_cell(r, i, (size_t)cs));
            size_t si = label_index(&snames, &n_ser, stx);
            vals[si * n_cats + ci] = cell_num(cs_result_cell(r, i, (size_t)cy));
        } else {
            vals[ci] = cell_num(cs_result_cell(r, i, (size_t)cy));
            if (cy2 >= 0)
                vals[n_cats + ci] = cell_num(cs_result_cell(r, i, (size_t)cy2));
        }
    }
    struct chart_series *ser = xcalloc(n_ser, sizeof *ser);
    for (size_t k = 0; k < n_ser; k++)
        ser[k] = (struct chart_series){.name = snames[k], .values = vals + k * n_cats};
    static const enum chart_kind kinds[CS_RENDER__COUNT] = {
        [CS_RENDER_COLUMN] = CHART_COLUMN, [CS_RENDER_COLUMN2Y] = CHART_COLUMN_DUAL, [CS_RENDER_BAR] = CHART_BAR, [CS_RENDER_PIE] = CHART_PIE, [CS_RENDER_LINE] = CHART_LINE, [CS_RENDER_STACKED] = CHART_STACKED};
    enum chart_kind kind = kinds[st->render];
    if (kind == CHART_COLUMN && n_ser > 1)
        kind = CHART_CLUSTERED;
    if (kind == CHART_COLUMN_DUAL && n_ser == 2)
        ser[1].axis = CHART_RIGHT;
    struct chart_spec spec;
    chart_spec_init(&spec, kind);
    spec.title = st->title;
    spec.subtitle = st->note;
    spec.footnote = (struct chart_footnote){.n = (long long)r->n_rows, .n_label = "rows"};
    spec.categories = (const char *const *)cats;
    spec.n_categories = n_cats;
    spec.category_title = r->cols[cx].name;
    spec.series = ser;
    spec.n_series = n_ser;
    spec.axis.title = r->cols[cy].name;
    spec.axis.fmt = fmt_of(st, r->cols[cy].name, &spec.axis.decimals);
    if (cy2 >= 0) {
        spec.axis2.title = r->cols[cy2].name;
        spec.axis2.fmt = fmt_of(st, r->cols[cy2].name, &spec.axis2.decimals);
    }
    c->o.extra = true;
    cs_status rc = emit(&c->o, &spec, name, err);
    c->o.extra = false;
    for (size_t i = 0; i < n_cats; i++)
        xfree(cats[i]);
    for (size_t k = 0; k < n_ser; k++)
        xfree(snames[k]);
    xfree(cats);
    xfree(snames);
    xfree(vals);
    xfree(ser);
    return rc;
}

cs_status
cs_charts_close(struct cs_charts **cp, bool ok, int *n_charts, struct cs_err *err)
{
    struct cs_charts *c = *cp;
    cs_status rc = CS_OK;
    if (!c)
        return CS_OK;
    if (c->o.doc) {
        rc = cs_pdf_report_close(&c->o.doc, ok, NULL, err);
        if (ok && rc == CS_OK && c->o.on_file)
            c->o.on_file(c->o.ctx, c->o.pdf_path);
    }
    if (n_charts)
        *n_charts = c->o.n;
    xfree(c->o.pdf_path);
    xfree(c->o.template_text);
    xfree(c);
    *cp = NULL;
    return rc;
}

static cs_status compare_charts(const struct cs_compare *c, struct out o, unsigned parts,
                                struct cs_err *err);

cs_status
cs_compare_charts(const struct cs_compare *c, const struct cs_report_model *m, const char *dir,
                  unsigned surfaces, const struct cs_chart_size *size, unsigned parts,
                  cs_file_cb on_file, void *ctx, struct cs_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/charts", dir);
    if (cs_mkdirs(path, err))
        return CS_E_IO;
    struct out o = {.m = m, .dir = dir, .surfaces = surfaces, .on_file = on_file, .ctx = ctx};
    if (size)
        o.size = *size;
    return compare_charts(c, o, parts, err);
}

cs_status
cs_charts_names(const struct cs_report_model *m, const struct cs_compare *cmp,
                enum cs_chart_section section, unsigned compare_parts, int category,
                cs_name_cb on_name, void *ctx, struct cs_err *err)
{
    /* no surface and no PDF: emit() only names the chart */
    struct out o = {.m = m, .dir = "", .on_name = on_name, .name_ctx = ctx};
    if (cmp)
        return compare_charts(cmp, o, compare_parts, err);
    struct cs_charts c = {.o = o};
    return cs_charts_section(&c, section, category, err);
}

cs_status
cs_charts_specs(const struct cs_report_model *m, const struct cs_compare *cmp,
                enum cs_chart_section section, unsigned compare_parts, int category,
                cs_spec_cb on_spec, void *ctx, struct cs_err *err)
{
    /* no surface and no PDF: emit() only hands the spec over */
    struct out o = {.m = m, .dir = "", .on_spec = on_spec, .spec_ctx = ctx};
    if (cmp)
        return compare_charts(cmp, o, compare_parts, err);
    struct cs_charts c = {.o = o};
    return cs_charts_section(&c, section, category, err);
}

/* The verdict of group g's row for category cat on scale sc (the
 * baseline and a group without a row: none, -1). */
static int
compare_verdict(const struct cs_compare *c, size_t g, int cat, const struct stats_scale *sc)
{
    for (size_t r = 0; r < c->n_rows; r++) {
        const struct cmp_row *row = &c->rows[r];
        if (row->group == g && row->cat == cat && row->scale.lower == sc->lower &&
            row->scale.upper == sc->upper && row->scale.threshold == sc->threshold)
            return (int)row->verdict;
    }
    return -1;
}

/* Poor rate by group with Wilson whiskers: the baseline column hatched and
 * tagged "baseline", worse and better groups tagged "▲ worse" / "▼ better"
 * (words and shapes, not colour alone). */
static cs_status
compare_poor(struct out *o, const struct cs_compare *c, int cat, const struct rep_group *best,
             const struct rep_group *const *per, const char **glabels, long long n,
             struct cs_err *err)
{
    const struct stats_scale *sc = &best->scale;
    size_t ng = c->n_groups;
    double *v = xcalloc(ng, sizeof *v), *lo = xcalloc(ng, sizeof *lo), *hi = xcalloc(ng, sizeof *hi);
    unsigned char *marks = xcalloc(ng, sizeof *marks);
    const char **tags = xcalloc(ng, sizeof *tags);
    for (size_t g = 0; g < ng; g++) {
        v[g] = per[g] ? per[g]->sum.poor_rate : (double)NAN;
        lo[g] = per[g] ? per[g]->sum.poor_ci_lo : (double)NAN;
        hi[g] = per[g] ? per[g]->sum.poor_ci_hi : (double)NAN;
        int vd = compare_verdict(c, g, cat, sc);
        if (!c->baseline_previous && g == c->baseline) {
            marks[g] = CHART_CAT_BASELINE;
            tags[g] = "baseline";
        } else if (vd == CS_VERDICT_WORSE) {
            tags[g] = "\xE2\x96\xB2 worse"; /* ▲ */
        } else if (vd == CS_VERDICT_BETTER) {
            tags[g] = "\xE2\x96\xBC better"; /* ▼ */
        }
    }
    char title[256], sub[200], scs[160], name[256], sl[128];
    char scale[96];
    snprintf(title, sizeof title, "Poor rate by %s \xE2\x80\x94 %s rating, %s", c->by,
             cs_category_title((enum cs_category)cat), cs_scale_label(sc, scale, sizeof scale));
    if (c->baseline_previous)
        snprintf(sub, sizeof sub, "Each group against the one before it; whiskers: 95%% Wilson "
                                  "intervals; \xE2\x96\xB2 worse, \xE2\x96\xBC better (Holm, "
                                  "\xCE\xB1 = 0.05)");
    else
        snprintf(sub, sizeof sub, "Baseline %s (hatched); whiskers: 95%% Wilson intervals; "
                                  "\xE2\x96\xB2 worse, \xE2\x96\xBC better than it (Holm, "
                                  "\xCE\xB1 = 0.05)",
                 c->groups[c->baseline].label);
    snprintf(scs, sizeof scs, "scale %s", cs_scale_label(sc, sl, sizeof sl));
    struct chart_series s = {.name = "Poor rate", .values = v, .lo = lo, .hi = hi};
    struct chart_spec spec;
    chart_spec_init(&spec, CHART_COLUMN);
    spec.title = title;
    spec.subtitle = sub;
    spec.footnote = (struct chart_footnote){.n = n, .scale = scs};
    spec.categories = glabels;
    spec.n_categories = ng;
    spec.series = &s;
    spec.n_series = 1;
    spec.interval_label = "95% interval (Wilson)";
    spec.cat_marks = marks;
    spec.baseline_label = c->baseline_previous ? NULL : "Baseline";
    spec.cat_tags = tags;
    spec.axis = (struct chart_axis){.title = "Poor rate", .fmt = CHART_FMT_PERCENT, .decimals = 1};
    snprintf(name, sizeof name, "compare-poor-rate-%s", cs_category_name((enum cs_category)cat));
    cs_status rc = emit(o, &spec, name, err);
    xfree(v);
    xfree(lo);
    xfree(hi);
    xfree(marks);
    xfree(tags);
    return rc;
}

/* Clustered distributions: one series per group, shares per column of the
 * distribution chart's bins (report/chart_bins.h: a fractional score is
 * counted in its whole column); more than eight groups become small
 * multiples (render/chart_multiples.c).  The baseline's name says so. */
static cs_status
compare_dist(struct out *o, const struct cs_compare *c, int cat, const struct rep_group *best,
             const struct rep_group *const *per, long long n, struct cs_err *err)
{
    size_t ng = c->n_groups;
    struct cs_dist_bins bb;
    cs_dist_bins_build(best, &bb);
    size_t nd = bb.n;
    double *vals = xcalloc(ng * (nd ? nd : 1), sizeof *vals);
    struct chart_series *ser = xcalloc(ng, sizeof *ser);
    char **names = xcalloc(ng, sizeof *names);
    bool folded = false;
    for (size_t g = 0; g < ng; g++) {
        struct cs_dist_bins gb = {0};
        if (per[g])
            cs_dist_bins_build(per[g], &gb);
        folded |= gb.folded;
        for (size_t i = 0; i < nd; i++) {
            vals[g * nd + i] = NAN;
            for (size_t j = 0; per[g] && j < gb.n; j++)
                if (strcmp(gb.labels[j], bb.labels[i]) == 0)
                    vals[g * nd + i] = per[g]->sum.n ? gb.count[j] / (double)per[g]->sum.n
                                                     : (double)NAN;
        }
        cs_dist_bins_free(&gb);
        bool base = !c->baseline_previous && g == c->baseline;
        names[g] = xasprintf("%s%s", c->groups[g].label, base ? " (baseline)" : "");
        ser[g] = (struct chart_series){.name = names[g], .values = vals + g * nd};
    }
    const struct stats_scale *sc = &best->scale;
    char title[256], scs[160], name[256], sl[128], poor[64], th[32];
    snprintf(title, sizeof title, "Score distribution by %s \xE2\x80\x94 %s rating, %s", c->by,
             cs_category_title((enum cs_category)cat), cs_scale_label(sc, sl, sizeof sl));
    snprintf(scs, sizeof scs, "scale %s", cs_scale_label(sc, sl, sizeof sl));
    snprintf(poor, sizeof poor, "Poor (\xE2\x89\xA4 %s)", cs_js_number(sc->threshold, th));
    struct chart_spec spec;
    chart_spec_init(&spec, CHART_CLUSTERED);
    spec.title = title;
    spec.subtitle = "Share of each group's respondents per score";
    spec.footnote = (struct chart_footnote){.n = n, .scale = scs};
    spec.categories = (const char *const *)bb.labels;
    spec.n_categories = nd;
    spec.category_title = "Score";
    spec.series = ser;
    spec.n_series = ng;
    spec.highlight = bb.poor; /* small multiples colour the poor columns */
    spec.highlight_label = poor;
    spec.no_value_labels = ng > 3;
    const char *note = "Fractional scores are counted in the column of the next whole score "
                       "(column k holds the scores above k\xE2\x88\x92"
                       "1 up to k).";
    spec.notes = folded ? &note : NULL;
    spec.n_notes = folded ? 1 : 0;
    spec.axis = (struct chart_axis){.title = "% of respondents", .fmt = CHART_FMT_PERCENT, .decimals = 1};
    snprintf(name, sizeof name, "compare-distribution-%s", cs_category_name((enum cs_category)cat));
    cs_status rc = emit(o, &spec, name, err);
    for (size_t g = 0; g < ng; g++)
        xfree(names[g]);
    xfree(names);
    xfree(vals);
    xfree(ser);
    cs_dist_bins_free(&bb);
    return rc;
}

static cs_status
compare_charts(const struct cs_compare *c, struct out o, unsigned parts, struct cs_err *err)
{
    cs_status rc = CS_OK;
    const char **glabels = xcalloc(c->n_groups, sizeof *glabels);
    for (size_t g = 0; g < c->n_groups; g++)
        glabels[g] = c->groups[g].label;
    for (int cat = 0; rc == CS_OK && cat < CS_CAT__COUNT; cat++) {
        /* the largest scale of the category in the baseline group */
        const struct rep_group *best = NULL;
        const struct cmp_group *bg = &c->groups[c->baseline];
        for (size_t k = 0; k < bg->n_cats; k++)
            if (bg->cats[k].cat == cat && (!best || bg->cats[k].sum.n > best->sum.n))
                best = &bg->cats[k];
        if (!best)
            continue;
        const struct stats_scale *sc = &best->scale;
        long long n = 0;
        const struct rep_group **per = xcalloc(c->n_groups, sizeof *per);
        for (size_t g = 0; g < c->n_groups; g++)
            for (size_t k = 0; k < c->groups[g].n_cats; k++) {
                const struct rep_group *x = &c->groups[g].cats[k];
                if (x->cat == cat && x->scale.lower == sc->lower && x->scale.upper == sc->upper &&
                    x->scale.threshold == sc->threshold) {
                    per[g] = x;
                    n += (long long)x->sum.n;
                }
            }
        if (parts & CS_COMPARE_POOR)
            rc = compare_poor(&o, c, cat, best, per, glabels, n, err);
        if (rc == CS_OK && (parts & CS_COMPARE_DIST) && best->n_dist <= MAX_DIST_COLUMNS)
            rc = compare_dist(&o, c, cat, best, per, n, err);
        xfree(per);
    }
    xfree(glabels);
    return rc;
}
