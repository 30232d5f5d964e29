/*
 * render/html_compare.c: compare.html (see render/html_compare.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "model/survey.h"
#include "render/html_compare.h"
#include "render/html_internal.h"
#include "report/review.h"

static void
compare_row(struct cs_buf *b, const struct cs_compare *c, const struct cmp_row *r)
{
    char sc[96], x[48], y[48], z[48];
    cs_buf_printf(b, "<tr data-category=\"%s\"><th scope=\"row\">",
                  cs_category_name((enum cs_category)r->cat));
    cs_html_esc(b, c->groups[r->group].label);
    cs_buf_printf(b, "</th><td>%s</td><td>%s</td><td>",
                  cs_category_title((enum cs_category)r->cat),
                  cs_scale_label(&r->scale, sc, sizeof sc));
    cs_html_esc(b, c->groups[r->baseline].label);
    cs_buf_printf(b, "</td><td class=\"n\" data-f=\"poor_rate\">%s</td><td class=\"n\">%s</td>"
                     "<td class=\"n\" data-f=\"diff\">%s</td>",
                  hx_pct(r->poor_rate, x), hx_pct(r->poor_rate_base, y), hx_pt(r->poor_cmp.diff, z));
    cs_buf_printf(b, "<td class=\"n\">[%s, %s]</td>", hx_pt(r->poor_cmp.diff_ci_lo, x),
                  hx_pt(r->poor_cmp.diff_ci_hi, y));
    if (isnan(r->p_poor_holm))
        cs_buf_puts(b, "<td class=\"n\">\xE2\x80\x93</td>");
    else
        cs_buf_printf(b, "<td class=\"n\">%.3g</td>", r->p_poor_holm);
    cs_buf_puts(b, "<td data-f=\"verdict\">");
    hx_verdict(b, r->verdict);
    cs_buf_printf(b, "</td><td class=\"n\" data-f=\"responses\">%s</td><td class=\"n\">%s</td></tr>\n",
                  hx_int(r->n, x), hx_int(r->n_base, y));
}

static void
groups_table(struct cs_buf *b, const struct cs_compare *c)
{
    static const char *const cols[] = {"Group", "Key", "Surveys", "Role"};
    char x[48];
    hx_table_open(b, "t-groups", "Groups compared", cols, 4);
    for (size_t i = 0; i < c->n_groups; i++) {
        const struct cmp_group *g = &c->groups[i];
        cs_buf_puts(b, "<tr><th scope=\"row\">");
        cs_html_esc(b, g->label);
        cs_buf_puts(b, "</th><td>");
        cs_html_esc(b, g->key);
        cs_buf_printf(b, "</td><td class=\"n\">%s</td><td>%s</td></tr>\n", hx_int(g->surveys, x),
                      c->baseline_previous ? (i == 0 ? "first period" : "against the one before")
                      : i == c->baseline   ? "baseline"
                                           : "");
    }
    hx_table_close(b);
}

char *
cs_html_compare_page(const struct cs_html_compare_input *in)
{
    const struct cs_compare *c = in->c;
    struct cs_buf b = {0}, t = {0};
    char x[48], y[48];
    cs_buf_printf(&t, "Comparison by %s", c->by);
    hx_page_open(&b, t.s, in->tool_version);
    cs_buf_puts(&b, "<header>\n<h1>");
    cs_html_esc(&b, t.s);
    cs_buf_free(&t);
    cs_buf_printf(&b, "</h1>\n<p class=\"sub\">%zu groups \xC2\xB7 ", c->n_groups);
    if (c->baseline_previous) {
        cs_buf_puts(&b, "each against the one before");
    } else {
        cs_buf_puts(&b, "baseline ");
        cs_html_esc(&b, c->groups[c->baseline].label);
    }
    cs_buf_printf(&b, " \xC2\xB7 %zu worse, %zu better</p>\n", c->n_worse, c->n_better);
    hx_meta_line(&b, in->filters_text, in->template_name, in->tool_version, in->run_time_s);
    cs_buf_puts(&b, "</header>\n<main>\n<section id=\"comparison\" aria-labelledby=\"h-comparison\">\n"
                    "<h2 id=\"h-comparison\">Poor rate by group</h2>\n");
    static const char *const cols[] = {"Group", "Category", "Scale", "Baseline", "Poor rate",
                                       "Baseline rate", "Change", "95% interval", "Holm p",
                                       "Verdict", "Responses", "Baseline (n)"};
    hx_table_open(&b, "t-comparison", "Each group's poor rate against its baseline", cols, 12);
    for (size_t i = 0; i < c->n_rows; i++)
        compare_row(&b, c, &c->rows[i]);
    hx_table_close(&b);
    cs_buf_printf(&b, "<p class=\"note\">Verdicts after the Holm adjustment across the table; "
                      "groups under %s responses are too small to judge; changes under %s pt "
                      "get no verdict.</p>\n</section>\n",
                  hx_int(c->min_n, x), hx_num(c->min_effect, 1, y));
    if (in->n_charts) {
        cs_buf_puts(&b, "<section id=\"charts\" aria-labelledby=\"h-charts\">\n"
                        "<h2 id=\"h-charts\">Charts</h2>\n<div class=\"pair\">\n");
        for (size_t i = 0; i < in->n_charts; i++)
            hx_figure(&b, &in->charts[i]);
        cs_buf_puts(&b, "</div>\n</section>\n");
    }
    cs_buf_puts(&b, "<section id=\"groups\" aria-labelledby=\"h-groups\">\n"
                    "<h2 id=\"h-groups\">Groups</h2>\n");
    groups_table(&b, c);
    cs_buf_puts(&b, "</section>\n");
    hx_definitions(&b, c->min_n);
    hx_page_close(&b, in->tool_version);
    return cs_buf_take(&b);
}

cs_status
cs_html_compare_write(const struct cs_html_compare_input *in, const char *path,
                      struct cs_err *err)
{
    return hx_write_file(cs_html_compare_page(in), path, err);
}
