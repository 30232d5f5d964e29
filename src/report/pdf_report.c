/*
 * report/pdf_report.c: the layout of report.pdf (see pdf_report.h).
 *
 * Sizes: charts are stashed at the width of the text column and 0.6 of it
 * high, so two fit on a page under a heading, unscaled (10 pt labels stay
 * 10 pt); poor-rate trends are also stashed small (360 x 230 pt) for page
 * 1, two per row at about 0.67 scale.  Minor scales get no section, only
 * their row in the appendix table, which keeps one week of 200k generated
 * surveys within 25 pages.
 */
#include "report/pdf_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctime.h"
#include "core/mem.h"
#include "model/review.h"
#include "model/survey.h"

#define THUMB "thumb:"
#define THUMB_W 360.0
#define THUMB_H 250.0
#define MAX_MOVERS 6

struct cs_pdf_report {
    const struct cs_report_model *m;
    struct pdf_doc *doc;
    char **extra; /* owned stems of template charts, in order */
    size_t n_extra;
    char *tool_version, *filters_text, *kind; /* owned or NULL */
    struct cs_pdf_info info;                  /* strings point at the copies */
};

/* "Nov 16, 2026"-free plain dates: "2026-11-16 to 2026-11-22" */
static void
dates_of(int64_t since_us, int64_t until_us, char *buf, size_t n)
{
    char a[16], b[16];
    snprintf(buf, n, "%s to %s", cs_day_format(cs_time_day(since_us), a),
             cs_day_format(cs_time_day(until_us - 1), b));
}

static void
period_text(const struct cs_report_model *m, char *buf, size_t n)
{
    const struct cs_review *rv = m->review;
    if (rv) {
        char d[64];
        dates_of(rv->period.since_us, rv->period.until_us, d, sizeof d);
        if (strstr(rv->period.label, " to "))
            snprintf(buf, n, "%s", rv->period.label);
        else
            snprintf(buf, n, "%s (%s)", rv->period.label, d);
    } else if (m->totals.surveys == 0) {
        snprintf(buf, n, "no data");
    } else {
        int64_t a = m->filter.has_since ? m->filter.since_us : m->totals.first_us;
        int64_t b = m->filter.has_until ? m->filter.until_us : m->totals.last_us + 1;
        dates_of(a, b, buf, n);
    }
}

cs_status
cs_pdf_report_open(const struct cs_report_model *m, const char *path, enum pdf_paper paper,
                   struct cs_pdf_report **out, struct cs_err *err)
{
    *out = NULL;
    char period[160], date[40] = "";
    period_text(m, period, sizeof period);
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        char *end;
        long long s = strtoll(sde, &end, 10);
        if (*end == '\0' && s >= 0) {
            char day[16];
            int64_t us = (int64_t)s * 1000000;
            snprintf(date, sizeof date, "%sT%02d:%02d:%02dZ", cs_day_format(cs_time_day(us), day),
                     (int)(s % 86400 / 3600), (int)(s % 3600 / 60), (int)(s % 60));
        }
    }
    struct pdf_doc_meta meta = {.title = "End of Call Survey \xE2\x80\x94 weekly review",
                                .period = period,
                                .subject = "Azure Communication Services End of Call Survey",
                                .date = date[0] ? date : NULL};
    struct cs_pdf_report *r = xcalloc(1, sizeof *r);
    r->m = m;
    cs_status rc = pdf_doc_open(path, paper, &meta, &r->doc, err);
    if (rc) {
        xfree(r);
        return rc;
    }
    *out = r;
    return CS_OK;
}

void
cs_pdf_report_info(struct cs_pdf_report *r, const struct cs_pdf_info *info)
{
    xfree(r->tool_version);
    xfree(r->filters_text);
    xfree(r->kind);
    r->info = *info;
    r->tool_version = info->tool_version ? xstrdup(info->tool_version) : NULL;
    r->filters_text = info->filters_text ? xstrdup(info->filters_text) : NULL;
    r->kind = info->kind ? xstrdup(info->kind) : NULL;
    r->info.tool_version = r->tool_version;
    r->info.filters_text = r->filters_text;
    r->info.kind = r->kind;
    if (info->tool_version)
        pdf_doc_set_creator(r->doc, info->tool_version);
}

cs_status
cs_pdf_report_chart(struct cs_pdf_report *r, const struct chart_spec *spec, const char *name,
                    bool extra, struct cs_err *err)
{
    double w = pdf_doc_column_width(r->doc);
    cs_status rc = pdf_doc_stash_chart(r->doc, name, spec, w, w * 0.6, err);
    if (rc == CS_OK && strncmp(name, "trend-poor-rate-", 16) == 0) {
        char thumb[300];
        snprintf(thumb, sizeof thumb, THUMB "%s", name);
        rc = pdf_doc_stash_chart(r->doc, thumb, spec, THUMB_W, THUMB_H, err);
    }
    if (rc == CS_OK && extra) {
        r->extra = xreallocarray(r->extra, r->n_extra + 1, sizeof *r->extra);
        r->extra[r->n_extra++] = xstrdup(name);
    }
    return rc;
}

/* ---- helpers ------------------------------------------------------------ */

/* the primary (largest) group of category cat, or NULL */
static const struct rep_group *
primary(const struct cs_report_model *m, int cat)
{
    const struct rep_group *best = NULL;
    for (size_t i = 0; i < m->n_groups; i++)
        if (m->groups[i].cat == cat && (!best || m->groups[i].sum.n > best->sum.n))
            best = &m->groups[i];
    return best;
}

static char *
scale_label(const struct stats_scale *sc)
{
    char b[96];
    return xstrdup(cs_scale_label(sc, b, sizeof b));
}

static char *
pct(double v)
{
    return isnan(v) ? xstrdup("\xE2\x80\x93") : xasprintf("%.1f%%", 100 * v);
}

static char *
count(uint64_t v)
{
    char b[48];
    chart_format_number((double)v, CHART_FMT_INT, 0, b, sizeof b);
    return xstrdup(b);
}

/* "+1.2 pts" / "−0.4 pts" */
static char *
points(double diff)
{
    if (isnan(diff))
        return xstrdup("\xE2\x80\x93");
    double p = 100 * diff;
    if (fabs(p) < 0.05)
        return xstrdup("0.0 pts");
    return xasprintf("%s%.1f pts", p < 0 ? "\xE2\x88\x92" : "+", fabs(p));
}

/* "−8.1 to +0.6 pts" */
static char *
ci_text(double lo, double hi)
{
    char *a = points(lo), *b = points(hi);
    char *sp = strstr(a, " pts");
    if (sp)
        *sp = '\0';
    char *r = xasprintf("%s to %s", a, b);
    xfree(a);
    xfree(b);
    return r;
}

static void
free_cells(char **cells, size_t n)
{
    for (size_t i = 0; i < n; i++)
        xfree(cells[i]);
    xfree(cells);
}

/* ---- page 1 --------------------------------------------------------------- */

static void
headline_table(struct pdf_doc *d, const struct cs_review *rv)
{
    static const char *const hdr[] = {"Category", "Scale", "Responses", "Poor rate",
                                      "Before", "Change", "95% CI", "Verdict"};
    static const double wd[] = {1.3, 1.3, 1.2, 1.0, 0.9, 1.0, 1.5, 1.5};
    size_t nc = 8, nr = rv->n_rows;
    char **cells = xcalloc((nr ? nr : 1) * nc, sizeof *cells);
    bool *bold = xcalloc(nr ? nr : 1, sizeof *bold);
    for (size_t i = 0; i < nr; i++) {
        const struct cs_review_row *x = &rv->rows[i];
        char **c = cells + i * nc;
        c[0] = xstrdup(cs_category_title((enum cs_category)x->cat));
        c[1] = scale_label(&x->scale);
        c[2] = count(x->now.responses);
        c[3] = pct(x->now.poor_rate);
        c[4] = rv->has_previous ? pct(x->before.poor_rate) : xstrdup("\xE2\x80\x93");
        c[5] = rv->has_previous ? points(x->j.cmp.diff) : xstrdup("\xE2\x80\x93");
        c[6] = rv->has_previous && !isnan(x->j.cmp.diff_ci_lo)
                   ? ci_text(x->j.cmp.diff_ci_lo, x->j.cmp.diff_ci_hi)
                   : xstrdup("\xE2\x80\x93");
        c[7] = xstrdup(rv->has_previous ? cs_verdict_name(x->j.verdict) : "no comparison");
        bold[i] = rv->has_previous && x->j.verdict == CS_VERDICT_WORSE;
    }
    struct pdf_table t = {.n_cols = nc, .header = hdr, .widths = wd, .n_rows = nr, .cells = (const char *const *)cells, .bold_rows = bold, .size = 8};
    pdf_doc_table(d, &t);
    free_cells(cells, nr * nc);
    xfree(bold);
}

static int
by_move(const void *a, const void *b)
{
    const struct cs_review_mover *x = *(const struct cs_review_mover *const *)a;
    const struct cs_review_mover *y = *(const struct cs_review_mover *const *)b;
    double dx = isnan(x->j.cmp.diff) ? -1 : fabs(x->j.cmp.diff);
    double dy = isnan(y->j.cmp.diff) ? -1 : fabs(y->j.cmp.diff);
    return dx < dy ? 1 : dx > dy ? -1
                                 : 0;
}

static void
movers_table(struct pdf_doc *d, const struct cs_review *rv)
{
    size_t n = rv->n_tags + rv->n_resource_movers;
    if (n == 0 || !rv->has_previous) {
        pdf_doc_text(d, rv->has_previous ? "No tag or resource moved." : "No comparison period, so no movers.",
                     9, false, true);
        return;
    }
    const struct cs_review_mover **mv = xcalloc(n, sizeof *mv);
    for (size_t i = 0; i < rv->n_tags; i++)
        mv[i] = &rv->tags[i];
    for (size_t i = 0; i < rv->n_resource_movers; i++)
        mv[rv->n_tags + i] = &rv->resources[i];
    qsort(mv, n, sizeof *mv, by_move);
    size_t nr = n < MAX_MOVERS ? n : MAX_MOVERS, nc = 6;
    static const char *const hdr[] = {"Category", "Tag or resource", "Now", "Before", "Change", "Verdict"};
    static const double wd[] = {1.2, 2.4, 0.8, 0.8, 0.9, 1.6};
    char **cells = xcalloc(nr * nc, sizeof *cells);
    for (size_t i = 0; i < nr; i++) {
        char **c = cells + i * nc;
        c[0] = xstrdup(cs_category_title((enum cs_category)mv[i]->cat));
        c[1] = xasprintf("%s %s", mv[i]->kind == CS_MOVER_TAG ? "tag" : "resource", mv[i]->name);
        c[2] = pct(mv[i]->now.poor_rate);
        c[3] = pct(mv[i]->before.poor_rate);
        c[4] = points(mv[i]->j.cmp.diff);
        c[5] = xstrdup(cs_verdict_name(mv[i]->j.verdict));
    }
    struct pdf_table t = {.n_cols = nc, .header = hdr, .widths = wd, .n_rows = nr, .cells = (const char *const *)cells};
    pdf_doc_table(d, &t);
    pdf_doc_text(d, "Tags: share of responses reporting the tag; resources: poor rate. "
                    "The largest moves first.",
                 7.5, false, true);
    free_cells(cells, nr * nc);
    xfree(mv);
}

static void
page_one(struct cs_pdf_report *r)
{
    struct pdf_doc *d = r->doc;
    const struct cs_report_model *m = r->m;
    const struct cs_review *rv = m->review;
    char buf[512], period[160];
    period_text(m, period, sizeof period);
    pdf_doc_text(d, r->kind && strcmp(r->kind, "comparison") == 0 ? "End of Call Survey \xE2\x80\x94 comparison" : "End of Call Survey \xE2\x80\x94 weekly review",
                 18, true, false);
    snprintf(buf, sizeof buf, "Period: %s", period);
    pdf_doc_text(d, buf, 10.5, true, false);
    if (rv && rv->has_previous) {
        char dd[64];
        dates_of(rv->previous.since_us, rv->previous.until_us, dd, sizeof dd);
        snprintf(buf, sizeof buf, "Compared with: %s (%s)", rv->previous.label, dd);
    } else {
        snprintf(buf, sizeof buf, "Compared with: no comparison period");
    }
    pdf_doc_text(d, buf, 10, false, false);
    char res[256] = "all resources";
    if (m->filter.n_resources > 0) {
        size_t k = 0;
        for (size_t i = 0; i < m->filter.n_resources && k < sizeof res - 40; i++)
            k += (size_t)snprintf(res + k, sizeof res - k, "%s%s", i ? ", " : "resources ",
                                  m->filter.resources[i]);
    }
    snprintf(buf, sizeof buf, "Filters: %s%s%s", res,
             r->filters_text && *r->filters_text ? "; " : "", r->filters_text ? r->filters_text : "");
    pdf_doc_text(d, buf, 10, false, false);
    char *ns = count(m->totals.surveys), *nc = count(m->totals.calls);
    snprintf(buf, sizeof buf, "%s surveys from %s calls in the report window.", ns, nc);
    xfree(ns);
    xfree(nc);
    pdf_doc_text(d, buf, 10, false, false);
    if (rv) {
        pdf_doc_heading(d, 2, "Headline: poor rate per category (primary scale)", 60);
        headline_table(d, rv);
        pdf_doc_heading(d, 2, "Movers", 40);
        movers_table(d, rv);
    }
    pdf_doc_heading(d, 2, "Poor-rate trend per category (primary scale)", 120);
    const char *names[CS_CAT__COUNT];
    char stems[CS_CAT__COUNT][300];
    size_t k = 0;
    for (int cat = 0; cat < CS_CAT__COUNT; cat++) {
        const struct rep_group *g = primary(m, cat);
        if (!g)
            continue;
        char base[200];
        cs_group_stem(m, g, base, sizeof base);
        snprintf(stems[k], sizeof stems[k], THUMB "trend-poor-rate-%s", base);
        names[k] = stems[k];
        k++;
    }
    if (pdf_doc_charts(d, names, k, 2) == 0)
        pdf_doc_text(d, "No trend charts in this report.", 9, false, true);
}

/* ---- sections ------------------------------------------------------------- */

static void
category_sections(struct cs_pdf_report *r)
{
    struct pdf_doc *d = r->doc;
    const struct cs_report_model *m = r->m;
    for (int cat = 0; cat < CS_CAT__COUNT; cat++) {
        const struct rep_group *g = primary(m, cat);
        if (!g)
            continue;
        char base[200], a[300], b[300], title[200];
        cs_group_stem(m, g, base, sizeof base);
        char *sc = scale_label(&g->scale);
        snprintf(title, sizeof title, "%s (scale %s)", cs_category_title((enum cs_category)cat), sc);
        xfree(sc);
        pdf_doc_new_page(d);
        pdf_doc_heading(d, 0, title, 0);
        snprintf(a, sizeof a, "%s-distribution", base);
        snprintf(b, sizeof b, "%s-issues", base);
        const char *dist[2] = {a, b};
        if (pdf_doc_charts(d, dist, 2, 1) == 0)
            pdf_doc_text(d, "No distribution or issue charts in this report.", 9, false, true);
        snprintf(a, sizeof a, "trend-poor-rate-%s", base);
        snprintf(b, sizeof b, "trend-mean-%s", base);
        const char *tr[2] = {a, b};
        if (pdf_doc_has_chart(d, a) || pdf_doc_has_chart(d, b)) {
            pdf_doc_new_page(d);
            snprintf(title, sizeof title, "%s: trends", cs_category_title((enum cs_category)cat));
            pdf_doc_heading(d, 1, title, 0);
            pdf_doc_charts(d, tr, 2, 1);
        }
    }
}

static void
custom_section(struct cs_pdf_report *r)
{
    struct pdf_doc *d = r->doc;
    pdf_doc_new_page(d);
    pdf_doc_heading(d, 0, "Custom answers", 40);
    const struct cs_pdf_info *in = &r->info;
    if (!in->has_custom || in->custom_events == 0) {
        pdf_doc_text(d, "No custom-event answers in the report window.", 10, false, false);
        return;
    }
    static const char *const hdr[] = {"Figure", "Value"};
    static const double wd[] = {3, 1};
    const char *labels[] = {"Custom events in the window", "Surveys with an answer",
                            "Surveys in the window", "Distinct answer keys",
                            "Events without a survey", "Duplicate events (older answers)"};
    uint64_t v[] = {in->custom_events, in->custom_matched_surveys, in->custom_surveys,
                    in->custom_keys, in->custom_orphans, in->custom_duplicates};
    char *cells[12];
    for (size_t i = 0; i < 6; i++) {
        cells[2 * i] = xstrdup(labels[i]);
        cells[2 * i + 1] = count(v[i]);
    }
    struct pdf_table t = {.n_cols = 2, .header = hdr, .widths = wd, .n_rows = 6, .cells = (const char *const *)cells};
    pdf_doc_table(d, &t);
    for (size_t i = 0; i < 12; i++)
        xfree(cells[i]);
    pdf_doc_text(d, "The answers themselves are in custom.csv and the Custom sheet of report.xlsx.",
                 9, false, true);
}

static void
quality_section(struct cs_pdf_report *r)
{
    struct pdf_doc *d = r->doc;
    const struct cs_report_model *m = r->m;
    pdf_doc_heading(d, 0, "Data quality", 120);
    static const char *const hdr[] = {"Inputs", "Files", "Read", "Stored", "Duplicates",
                                      "Updated", "Conflicts", "Rejected"};
    static const double wd[] = {2.2, 0.8, 1, 1, 1, 1, 1, 1};
    const struct cs_acct *a[4] = {&m->acct.run_surveys, &m->acct.run_events,
                                  &m->acct.db_surveys, &m->acct.db_events};
    const char *names[4] = {"Surveys, this run", "Custom events, this run",
                            "Surveys, whole database", "Custom events, whole database"};
    char *cells[32];
    for (size_t i = 0; i < 4; i++) {
        char **c = cells + 8 * i;
        c[0] = xstrdup(names[i]);
        c[1] = count(a[i]->inputs);
        c[2] = count(a[i]->read);
        c[3] = count(a[i]->stored);
        c[4] = count(a[i]->duplicates);
        c[5] = count(a[i]->updated);
        c[6] = count(a[i]->conflicts);
        c[7] = count(a[i]->rejected);
    }
    struct pdf_table t = {.n_cols = 8, .header = hdr, .widths = wd, .n_rows = 4, .cells = (const char *const *)cells};
    pdf_doc_table(d, &t);
    for (size_t i = 0; i < 32; i++)
        xfree(cells[i]);
    char buf[256];
    snprintf(buf, sizeof buf, "Read = stored + duplicates + updated + conflicts + rejected. "
                              "Unknown tags kept: %llu. Details: the Data Quality sheet of report.xlsx.",
             (unsigned long long)m->totals.unknown_tags);
    pdf_doc_text(d, buf, 9, false, true);
}

static void
appendix(struct cs_pdf_report *r)
{
    struct pdf_doc *d = r->doc;
    const struct cs_report_model *m = r->m;
    pdf_doc_new_page(d);
    pdf_doc_heading(d, 0, "Appendix: every scale", 60);
    static const char *const hdr[] = {"Category", "Scale", "Responses", "Mean", "Median",
                                      "Poor rate", "95% CI", "Charts"};
    static const double wd[] = {1.5, 1.4, 1, 0.7, 0.7, 0.9, 1.3, 1.1};
    size_t nc = 8, nr = m->n_groups;
    char **cells = xcalloc((nr ? nr : 1) * nc, sizeof *cells);
    for (size_t i = 0; i < nr; i++) {
        const struct rep_group *g = &m->groups[i];
        char **c = cells + i * nc;
        c[0] = xstrdup(cs_category_title((enum cs_category)g->cat));
        c[1] = scale_label(&g->scale);
        char *n = count(g->sum.n);
        c[2] = xasprintf("%s%s", n, g->small_sample ? "*" : "");
        xfree(n);
        c[3] = isnan(g->sum.mean) ? xstrdup("\xE2\x80\x93") : xasprintf("%.2f", g->sum.mean);
        c[4] = isnan(g->sum.median) ? xstrdup("\xE2\x80\x93") : xasprintf("%.1f", g->sum.median);
        c[5] = pct(g->sum.poor_rate);
        c[6] = isnan(g->sum.poor_ci_lo) ? xstrdup("\xE2\x80\x93")
                                        : xasprintf("%.1f\xE2\x80\x93%.1f%%", 100 * g->sum.poor_ci_lo,
                                                    100 * g->sum.poor_ci_hi);
        c[7] = xstrdup(primary(m, g->cat) == g ? "section above"
                       : g->small_sample       ? "none (small)"
                                               : "charts/ only");
    }
    struct pdf_table t = {.n_cols = nc, .header = hdr, .widths = wd, .n_rows = nr, .cells = (const char *const *)cells};
    pdf_doc_table(d, &t);
    free_cells(cells, nr * nc);
    char buf[200];
    snprintf(buf, sizeof buf, "* fewer than %llu responses (--min-n): no chart. Poor rate: share "
                              "of scores at or below the threshold; 95%% Wilson interval.",
             (unsigned long long)m->min_n);
    pdf_doc_text(d, buf, 8, false, true);
}

static void
template_charts(struct cs_pdf_report *r)
{
    if (r->n_extra == 0)
        return;
    pdf_doc_new_page(r->doc);
    pdf_doc_heading(r->doc, 0, "Template charts", 100);
    pdf_doc_charts(r->doc, (const char *const *)r->extra, r->n_extra, 1);
}

cs_status
cs_pdf_report_close(struct cs_pdf_report **pr, bool ok, int *pages, struct cs_err *err)
{
    struct cs_pdf_report *r = *pr;
    if (!r)
        return CS_OK;
    *pr = NULL;
    cs_status rc = CS_OK;
    if (ok) {
        page_one(r);
        pdf_doc_contents_page(r->doc);
        category_sections(r);
        custom_section(r);
        quality_section(r);
        appendix(r);
        template_charts(r);
        if (pages)
            *pages = pdf_doc_page_count(r->doc);
        rc = pdf_doc_close(&r->doc, err);
    } else {
        pdf_doc_abort(&r->doc);
    }
    for (size_t i = 0; i < r->n_extra; i++)
        xfree(r->extra[i]);
    xfree(r->extra);
    xfree(r->tool_version);
    xfree(r->filters_text);
    xfree(r->kind);
    xfree(r);
    return rc;
}
