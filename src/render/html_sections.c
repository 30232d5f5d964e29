/*
 * render/html_sections.c: the sections of report.html after the headline:
 * per category the primary scale's charts with their tables, custom
 * answers, data quality, the minor scales (collapsed) and the definitions.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "model/survey.h"
#include "render/html_internal.h"
#include "report/review.h"

static bool
same_scale(const struct stats_scale *a, const struct stats_scale *b)
{
    return a->lower == b->lower && a->upper == b->upper && a->threshold == b->threshold;
}

long
cs_html_primary_group(const struct cs_html_input *in, int cat)
{
    const struct cs_report_model *m = in->m;
    const struct cs_review *r = in->review;
    for (size_t i = 0; r && i < r->n_rows; i++)
        if (r->rows[i].cat == cat)
            for (size_t k = 0; k < m->n_groups; k++)
                if (m->groups[k].cat == cat && same_scale(&m->groups[k].scale, &r->rows[i].scale))
                    return (long)k;
    long best = -1;
    for (size_t k = 0; k < m->n_groups; k++)
        if (m->groups[k].cat == cat && (best < 0 || m->groups[k].sum.n > m->groups[best].sum.n))
            best = (long)k;
    return best;
}

static void
figures_of(struct cs_buf *b, const struct cs_html_input *in, size_t g, enum cs_html_chart_kind k)
{
    for (size_t i = 0; i < in->n_charts; i++)
        if (in->charts[i].kind == k && in->charts[i].group == g)
            hx_figure(b, &in->charts[i]);
}

static void
group_summary(struct cs_buf *b, const struct rep_group *g)
{
    char a[48], c[48], d[48], e[48], f[48], h[48];
    cs_buf_printf(b, "<p>In the report window: %s responses \xC2\xB7 poor rate %s (95%% Wilson "
                     "%s to %s) \xC2\xB7 mean %s \xC2\xB7 median %s%s</p>\n",
                  hx_int(g->sum.n, a), hx_pct(g->sum.poor_rate, c), hx_pct(g->sum.poor_ci_lo, d),
                  hx_pct(g->sum.poor_ci_hi, e), hx_num(g->sum.mean, 2, f),
                  hx_num(g->sum.median, 1, h),
                  g->small_sample ? " \xC2\xB7 <strong>small sample</strong>" : "");
}

static void
dist_table(struct cs_buf *b, const struct rep_group *g, const char *id, const char *label)
{
    static const char *const cols[] = {"Score", "Responses", "Share", "Poor"};
    char cap[200], x[48], y[48], z[48];
    snprintf(cap, sizeof cap, "Score distribution, %s", label);
    hx_table_open(b, id, cap, cols, 4);
    for (size_t i = 0; i < g->n_dist; i++) {
        const struct stats_bin *bin = &g->dist[i];
        cs_buf_printf(b, "<tr><th scope=\"row\">%s</th><td class=\"n\">%s</td><td class=\"n\">%s</td>"
                         "<td>%s</td></tr>\n",
                      cs_js_number(bin->score, x), hx_int(bin->count, y),
                      hx_pct(g->sum.n ? (double)bin->count / (double)g->sum.n : (double)NAN, z),
                      bin->score <= g->scale.threshold ? "poor" : "");
    }
    hx_table_close(b);
}

static void
issue_table(struct cs_buf *b, const struct rep_group *g, const char *id, const char *label)
{
    static const char *const cols[] = {"Tag", "Responses", "Share of responses",
                                       "Share of poor", "Known"};
    char cap[200], x[48], y[48], z[48];
    snprintf(cap, sizeof cap, "Issues reported, %s", label);
    hx_table_open(b, id, cap, cols, 5);
    for (size_t i = 0; i < g->n_issues; i++) {
        const struct rep_issue *is = &g->issues[i];
        if (is->surveys == 0)
            continue;
        cs_buf_puts(b, "<tr><th scope=\"row\">");
        cs_html_esc(b, is->name);
        cs_buf_printf(b, "</th><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
                         "<td>%s</td></tr>\n",
                      hx_int(is->surveys, x), hx_pct(is->share_of_responses, y),
                      hx_pct(is->share_of_poor, z), is->known ? "yes" : "unknown tag");
    }
    hx_table_close(b);
}

static void
trend_table(struct cs_buf *b, const struct cs_report_model *m, const struct rep_group *g,
            const char *id, const char *label)
{
    static const char *const cols[] = {"Period", "Responses", "Poor rate", "95% interval",
                                       "Mean"};
    char cap[200], x[48], y[48], z[48];
    snprintf(cap, sizeof cap, "Trend, %s", label);
    hx_table_open(b, id, cap, cols, 5);
    for (size_t i = 0; i < m->n_trend; i++) {
        const struct rep_trend *t = &m->trend[i];
        if (t->cat != g->cat || !same_scale(&t->scale, &g->scale))
            continue;
        cs_buf_puts(b, "<tr><th scope=\"row\">");
        cs_html_esc(b, t->label);
        cs_buf_printf(b, "%s%s</th><td class=\"n\">%s</td><td class=\"n\">%s</td>",
                      t->partial ? " (partial)" : "", t->small_sample ? " *" : "",
                      hx_int(t->sum.n, x), hx_pct(t->sum.poor_rate, y));
        cs_buf_printf(b, "<td class=\"n\">%s to %s</td>", hx_pct(t->sum.poor_ci_lo, x),
                      hx_pct(t->sum.poor_ci_hi, y));
        cs_buf_printf(b, "<td class=\"n\">%s</td></tr>\n", hx_num(t->sum.mean, 2, z));
    }
    hx_table_close(b);
}

static void
category_section(struct cs_buf *b, const struct cs_html_input *in, size_t gi)
{
    const struct rep_group *g = &in->m->groups[gi];
    const char *cn = cs_category_name((enum cs_category)g->cat);
    char label[128], sc[96], id[64];
    snprintf(label, sizeof label, "%s, %s", cs_category_title((enum cs_category)g->cat),
             cs_scale_label(&g->scale, sc, sizeof sc));
    cs_buf_printf(b, "<section class=\"cat\" id=\"cat-%s\" aria-labelledby=\"h-%s\">\n"
                     "<h2 id=\"h-%s\">",
                  cn, cn, cn);
    cs_html_esc(b, label);
    cs_buf_puts(b, "</h2>\n");
    group_summary(b, g);
    cs_buf_puts(b, "<h3>Distribution</h3>\n<div class=\"pair\">\n");
    figures_of(b, in, gi, CS_HTML_DISTRIBUTION);
    snprintf(id, sizeof id, "t-%s-dist", cn);
    dist_table(b, g, id, label);
    cs_buf_puts(b, "</div>\n<h3>Issues</h3>\n<div class=\"pair\">\n");
    figures_of(b, in, gi, CS_HTML_ISSUES);
    snprintf(id, sizeof id, "t-%s-issues", cn);
    issue_table(b, g, id, label);
    cs_buf_puts(b, "</div>\n<h3>Trend</h3>\n<div class=\"pair\">\n");
    figures_of(b, in, gi, CS_HTML_TREND);
    snprintf(id, sizeof id, "t-%s-trend", cn);
    trend_table(b, in->m, g, id, label);
    cs_buf_puts(b, "</div>\n</section>\n");
}

void
hx_categories(struct cs_buf *b, const struct cs_html_input *in)
{
    for (int cat = 0; cat < CS_CAT__COUNT; cat++) {
        long gi = cs_html_primary_group(in, cat);
        if (gi >= 0)
            category_section(b, in, (size_t)gi);
    }
}

void
hx_answers(struct cs_buf *b, const struct cs_html_input *in)
{
    if (in->answers_total == 0 && in->answers_dropped == 0)
        return;
    char x[48], y[48];
    cs_buf_puts(b, "<section id=\"answers\" aria-labelledby=\"h-answers\">\n"
                   "<h2 id=\"h-answers\">Custom answers</h2>\n");
    cs_buf_printf(b, "<p>%s answers", hx_int(in->answers_total, x));
    if (in->n_answers < in->answers_total)
        cs_buf_printf(b, "; the first %s are listed (all are in tables/custom.csv)",
                      hx_int(in->n_answers, y));
    if (in->answers_dropped)
        cs_buf_printf(b, "; %s free-text answers left out (privacy mode)",
                      hx_int(in->answers_dropped, y));
    cs_buf_puts(b, ".</p>\n");
    static const char *const cols[] = {"Survey", "Time (UTC)", "Resource", "Question", "Answer"};
    hx_table_open(b, "t-answers", "Custom answers joined to their surveys", cols, 5);
    for (size_t i = 0; i < in->n_answers; i++) {
        const struct cs_html_answer *a = &in->answers[i];
        const char *f[] = {a->survey_id, a->time, a->resource, a->key, a->value};
        cs_buf_puts(b, "<tr>");
        for (size_t k = 0; k < 5; k++) {
            cs_buf_puts(b, k == 0 ? "<th scope=\"row\">" : k >= 3 ? "<td class=\"t\">"
                                                                  : "<td>");
            cs_html_esc(b, f[k]);
            cs_buf_puts(b, k == 0 ? "</th>" : "</td>");
        }
        cs_buf_puts(b, "</tr>\n");
    }
    hx_table_close(b);
    cs_buf_puts(b, "</section>\n");
}

static void
acct_row(struct cs_buf *b, const char *what, const struct cs_acct *a)
{
    char v[8][48];
    cs_buf_printf(b, "<tr><th scope=\"row\">%s</th><td class=\"n\">%s</td><td class=\"n\">%s</td>"
                     "<td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
                     "<td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n",
                  what, hx_int(a->inputs, v[0]), hx_int(a->read, v[1]), hx_int(a->stored, v[2]),
                  hx_int(a->duplicates, v[3]), hx_int(a->updated, v[4]),
                  hx_int(a->conflicts, v[5]), hx_int(a->rejected, v[6]),
                  hx_int(a->unknown_tags, v[7]));
}

void
hx_data_quality(struct cs_buf *b, const struct cs_html_input *in)
{
    const struct cs_report_model *m = in->m;
    char x[48], y[48], z[48], w[48];
    cs_buf_puts(b, "<section id=\"quality\" aria-labelledby=\"h-quality\">\n"
                   "<h2 id=\"h-quality\">Data quality</h2>\n");
    static const char *const cols[] = {"Inputs", "Files", "Records read", "Stored", "Duplicates",
                                       "Updated", "Conflicts", "Rejected", "Unknown tags"};
    hx_table_open(b, "t-quality", "Accounting of the inputs (read = stored + duplicates + "
                                  "updated + conflicts + rejected)",
                  cols, 9);
    acct_row(b, "Surveys, this run", &m->acct.run_surveys);
    acct_row(b, "Custom events, this run", &m->acct.run_events);
    acct_row(b, "Surveys, whole database", &m->acct.db_surveys);
    acct_row(b, "Custom events, whole database", &m->acct.db_events);
    hx_table_close(b);
    if (in->run && in->run->n_inputs) {
        static const char *const ic[] = {"Input", "Kind", "Bytes", "Read",
                                         "Stored", "Duplicates", "Rejected"};
        hx_table_open(b, "t-inputs", "This run's inputs", ic, 7);
        for (size_t i = 0; i < in->run->n_inputs; i++) {
            const struct cs_run_input *r = &in->run->inputs[i];
            char v[5][48];
            cs_buf_puts(b, "<tr><th scope=\"row\">");
            cs_html_esc(b, r->path);
            cs_buf_printf(b, "</th><td>%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td>"
                             "<td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%s</td></tr>\n",
                          r->kind, hx_int(r->bytes, v[0]), hx_int(r->read, v[1]), hx_int(r->stored, v[2]),
                          hx_int(r->duplicates, v[3]), hx_int(r->rejected, v[4]));
        }
        hx_table_close(b);
    }
    cs_buf_printf(b, "<p>In the report window: %s surveys, %s distinct calls, %s participants. "
                     "The database holds %s rejected records",
                  hx_int(m->totals.surveys, x), hx_int(m->totals.calls, y),
                  hx_int(m->totals.participants, z), hx_int(m->totals.rejected, w));
    cs_buf_printf(b, " and %s unknown tags (kept, listed in the issue tables as "
                     "\xE2\x80\x9Cunknown tag\xE2\x80\x9D).</p>\n</section>\n",
                  hx_int(m->totals.unknown_tags, y));
}

void
hx_minor_scales(struct cs_buf *b, const struct cs_html_input *in)
{
    const struct cs_report_model *m = in->m;
    size_t n = 0;
    for (size_t i = 0; i < m->n_groups; i++)
        n += cs_html_primary_group(in, m->groups[i].cat) != (long)i;
    if (n == 0)
        return;
    cs_buf_printf(b, "<section id=\"minor\" aria-labelledby=\"h-minor\">\n"
                     "<h2 id=\"h-minor\">Minor scales</h2>\n<details>\n<summary>%zu minor "
                     "scale%s (other scales of a category, in the period)</summary>\n",
                  n, n == 1 ? "" : "s");
    for (size_t i = 0; i < m->n_groups; i++) {
        const struct rep_group *g = &m->groups[i];
        if (cs_html_primary_group(in, g->cat) == (long)i)
            continue;
        char label[128], sc[96], id[64];
        snprintf(label, sizeof label, "%s, %s", cs_category_title((enum cs_category)g->cat),
                 cs_scale_label(&g->scale, sc, sizeof sc));
        cs_buf_puts(b, "<h3>");
        cs_html_esc(b, label);
        cs_buf_puts(b, "</h3>\n");
        group_summary(b, g);
        cs_buf_puts(b, "<div class=\"pair\">\n");
        figures_of(b, in, i, CS_HTML_DISTRIBUTION);
        snprintf(id, sizeof id, "t-minor-%zu", i);
        dist_table(b, g, id, label);
        cs_buf_puts(b, "</div>\n");
    }
    cs_buf_puts(b, "</details>\n</section>\n");
}

void
hx_definitions(struct cs_buf *b, uint64_t min_n)
{
    char x[48];
    cs_buf_puts(b, "<section id=\"definitions\" aria-labelledby=\"h-definitions\">\n"
                   "<h2 id=\"h-definitions\">Definitions</h2>\n<dl>\n"
                   "<dt>Poor rate</dt><dd>The share of responses scored at or under the "
                   "scale's threshold (1\xE2\x80\x93"
                   "5: 1 or 2); 13.9% poor means about one "
                   "call in seven was rated poor.</dd>\n"
                   "<dt>Wilson interval</dt><dd>A 95% interval for one poor rate: the range of "
                   "rates that agree with the responses seen, wider when there are few.</dd>\n"
                   "<dt>Newcombe interval</dt><dd>A 95% interval for the difference of two poor "
                   "rates, in percentage points (pt); when it excludes 0 the change is unlikely "
                   "to be chance alone.</dd>\n"
                   "<dt>Holm adjustment</dt><dd>Several rows tested at once would find "
                   "\xE2\x80\x9C"
                   "changes\xE2\x80\x9D by chance; Holm raises each p-value so the "
                   "whole table keeps a 5% error rate, and a verdict needs the adjusted "
                   "p-value under 0.05.</dd>\n");
    cs_buf_printf(b, "<dt>Verdict</dt><dd><em>worse</em> or <em>better</em> when the adjusted "
                     "test says so; <em>no evidence</em> otherwise; <em>too small to "
                     "judge</em> under %s responses on either side.</dd>\n"
                     "<dt>Mean and median</dt><dd>Of the scores on the scale shown; the mean's "
                     "interval is a Student-t 95%% interval.</dd>\n</dl>\n</section>\n",
                  hx_int(min_n, x));
}
