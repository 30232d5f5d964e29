/*
 * render/html.c: report.html (issue 19): escaping, the inline SVG, the
 * page's frame, its header, the review headline and the movers.  The
 * other sections are in html_sections.c, the style sheet in html_css.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/afile.h"
#include "core/ctime.h"
#include "core/mem.h"
#include "core/utf8.h"
#include "model/survey.h"
#include "render/chart.h"
#include "render/html_internal.h"

/* ---- text ------------------------------------------------------------- */

void
cs_html_esc(struct cs_buf *b, const char *s)
{
    if (!s)
        return;
    size_t len = strlen(s);
    char *clean = cs_utf8_clean(s, len, CS_UTF8_CONTROLS, NULL);
    const char *p = clean ? clean : s;
    const char *run = p;
    for (; *p; p++) {
        const char *e = NULL;
        switch (*p) {
        case '&': e = "&amp;"; break;
        case '<': e = "&lt;"; break;
        case '>': e = "&gt;"; break;
        case '"': e = "&quot;"; break;
        case '\'': e = "&#39;"; break;
        default: continue;
        }
        cs_buf_add(b, run, (size_t)(p - run));
        cs_buf_puts(b, e);
        run = p + 1;
    }
    cs_buf_add(b, run, (size_t)(p - run));
    xfree(clean);
}

char *
hx_pct(double f, char *b)
{
    return chart_format_number(f, CHART_FMT_PERCENT, 1, b, 48);
}

char *
hx_pt(double f, char *b)
{
    if (isnan(f))
        return strcpy(b, "\xE2\x80\x93");
    char n[40];
    chart_format_number(100 * f, CHART_FMT_FIXED, 1, n, sizeof n);
    /* a positive difference gets its sign too; zero and negatives as formatted */
    snprintf(b, 48, "%s%s pt", n[0] >= '0' && n[0] <= '9' && strcmp(n, "0.0") ? "+" : "", n);
    return b;
}

char *
hx_int(uint64_t v, char *b)
{
    return chart_format_number((double)v, CHART_FMT_INT, 0, b, 48);
}

char *
hx_num(double v, int dec, char *b)
{
    return chart_format_number(v, CHART_FMT_FIXED, dec, b, 48);
}

void
hx_verdict(struct cs_buf *b, enum cs_verdict v)
{
    static const char *const cls[] = {"none", "better", "worse", "small"};
    static const char *const mark[] = {"\xE2\x97\x8F", "\xE2\x96\xBC", "\xE2\x96\xB2", "\xE2\x97\x8B"};
    unsigned i = (unsigned)v < 4 ? (unsigned)v : 0;
    cs_buf_printf(b, "<span class=\"v v-%s\"><span aria-hidden=\"true\">%s</span> %s</span>",
                  cls[i], mark[i], cs_verdict_name(v));
}

void
hx_table_open(struct cs_buf *b, const char *id, const char *caption,
              const char *const *cols, size_t n_cols)
{
    cs_buf_printf(b, "<div class=\"tw\" tabindex=\"0\" role=\"region\" aria-labelledby=\"%s-cap\">\n"
                     "<table id=\"%s\">\n<caption id=\"%s-cap\">",
                  id, id, id);
    cs_html_esc(b, caption);
    cs_buf_puts(b, "</caption>\n<thead><tr>");
    for (size_t i = 0; i < n_cols; i++) {
        cs_buf_puts(b, "<th scope=\"col\">");
        cs_html_esc(b, cols[i]);
        cs_buf_puts(b, "</th>");
    }
    cs_buf_puts(b, "</tr></thead>\n<tbody>\n");
}

void
hx_table_close(struct cs_buf *b)
{
    cs_buf_puts(b, "</tbody>\n</table>\n</div>\n");
}

/* ---- inline SVG ------------------------------------------------------- */

static bool
is_digit_or_dot(char c)
{
    return (c >= '0' && c <= '9') || c == '.';
}

/* Append s[0..n) with every decimal number of more than two decimals
 * rounded to two (trailing zeros dropped): cairo writes coordinates to
 * 1/1,000,000 pt, a hundredth of a point is far below a pixel, and the
 * page is a third smaller. */
static void
add_short(struct cs_buf *b, const char *s, size_t n)
{
    size_t i = 0, run = 0;
    while (i < n) {
        /* a number starts at a digit not preceded by a digit or a dot */
        if (!(s[i] >= '0' && s[i] <= '9') || (i > 0 && is_digit_or_dot(s[i - 1]))) {
            i++;
            continue;
        }
        size_t start = i, dot = i;
        if (i > 0 && s[i - 1] == '-' && (i < 2 || !is_digit_or_dot(s[i - 2])))
            start = i - 1; /* its minus sign */
        while (dot < n && s[dot] >= '0' && s[dot] <= '9')
            dot++;
        size_t end = dot;
        if (dot < n && s[dot] == '.')
            for (end = dot + 1; end < n && s[end] >= '0' && s[end] <= '9';)
                end++;
        if (end > dot && end - dot - 1 > 2 && end - start < 40) {
            char num[48], out[48];
            memcpy(num, s + start, end - start);
            num[end - start] = '\0';
            snprintf(out, sizeof out, "%.2f", strtod(num, NULL));
            char *z = out + strlen(out) - 1;
            while (*z == '0')
                *z-- = '\0';
            if (*z == '.')
                *z = '\0';
            cs_buf_add(b, s + run, start - run);
            cs_buf_puts(b, strcmp(out, "-0") == 0 ? "0" : out);
            run = end;
        }
        i = end;
    }
    cs_buf_add(b, s + run, n - run);
}

char *
cs_html_svg_inline(const char *svg, const char *prefix)
{
    struct cs_buf b = {0};
    const char *p = strstr(svg, "<svg");
    if (!p)
        return xstrdup("");
    const char *root_end = strchr(p, '>');
    if (!root_end)
        return xstrdup("");
    /* the root element: width/height dropped, role and label added */
    cs_buf_puts(&b, "<svg");
    for (const char *q = p + 4; q < root_end;) {
        while (q < root_end && *q == ' ')
            q++;
        const char *a = q;
        const char *eq = memchr(q, '=', (size_t)(root_end - q));
        if (!eq || eq[1] != '"')
            break;
        const char *close = memchr(eq + 2, '"', (size_t)(root_end - eq - 2));
        if (!close)
            break;
        q = close + 1;
        size_t an = (size_t)(eq - a);
        if ((an == 5 && !strncmp(a, "width", 5)) || (an == 6 && !strncmp(a, "height", 6)))
            continue;
        cs_buf_puts(&b, " ");
        cs_buf_add(&b, a, (size_t)(q - a));
    }
    cs_buf_printf(&b, " role=\"img\" aria-labelledby=\"%s-alt\" focusable=\"false\">", prefix);
    /* the rest: ids and their references get the prefix */
    static const char *const pats[] = {"id=\"", "href=\"#", "url(#"};
    for (p = root_end + 1; *p;) {
        size_t k = 0, best = SIZE_MAX;
        const char *hit = NULL;
        for (size_t i = 0; i < 3; i++) {
            const char *h = strstr(p, pats[i]);
            if (h && (!hit || h < hit)) {
                hit = h;
                best = i;
            }
        }
        if (!hit) {
            add_short(&b, p, strlen(p));
            break;
        }
        k = strlen(pats[best]);
        add_short(&b, p, (size_t)(hit - p) + k);
        cs_buf_printf(&b, "%s-", prefix);
        p = hit + k;
    }
    /* drop the trailing newline after </svg> */
    while (b.n > 0 && (b.s[b.n - 1] == '\n' || b.s[b.n - 1] == ' '))
        b.s[--b.n] = '\0';
    return cs_buf_take(&b);
}

void
hx_figure(struct cs_buf *b, const struct cs_html_chart *c)
{
    cs_buf_puts(b, "<figure class=\"chart\">\n");
    cs_buf_puts(b, c->svg);
    cs_buf_printf(b, "\n<figcaption id=\"%s-alt\">", c->id);
    cs_html_esc(b, c->alt);
    cs_buf_puts(b, "</figcaption>\n</figure>\n");
}

/* ---- the page --------------------------------------------------------- */

#include "model/review.h"

void
hx_page_open(struct cs_buf *b, const char *title, const char *tool_version)
{
    cs_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                   "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<meta name=\"color-scheme\" content=\"light dark\">\n");
    if (tool_version) {
        cs_buf_puts(b, "<meta name=\"generator\" content=\"");
        cs_html_esc(b, tool_version);
        cs_buf_puts(b, "\">\n");
    }
    cs_buf_puts(b, "<title>");
    cs_html_esc(b, title);
    cs_buf_printf(b, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", cs_html_css);
}

void
hx_page_close(struct cs_buf *b, const char *tool_version)
{
    cs_buf_puts(b, "</main>\n<footer><p>");
    cs_html_esc(b, tool_version);
    cs_buf_puts(b, " \xC2\xB7 one self-contained file: no script, no external reference.</p></footer>\n"
                   "</body>\n</html>\n");
}

void
hx_meta_line(struct cs_buf *b, const char *filters, const char *template_name,
             const char *tool_version, int64_t run_time_s)
{
    cs_buf_puts(b, "<p class=\"meta\">Filters: ");
    cs_html_esc(b, filters && filters[0] ? filters : "none");
    if (template_name) {
        cs_buf_puts(b, " \xC2\xB7 template ");
        cs_html_esc(b, template_name);
    }
    char tb[32];
    cs_buf_puts(b, " \xC2\xB7 ");
    cs_html_esc(b, tool_version);
    cs_buf_printf(b, " \xC2\xB7 <time datetime=\"%s\">%.10s</time></p>\n",
                  cs_time_format(run_time_s * 1000000, tb), tb);
}

static void
page_header(struct cs_buf *b, const struct cs_html_input *in)
{
    const struct cs_review *r = in->review;
    const struct cs_report_model *m = in->m;
    char x[48], y[48];
    cs_buf_puts(b, "<header>\n<h1>Call quality review");
    if (r && r->period.label[0]) {
        cs_buf_puts(b, " \xE2\x80\x94 <span class=\"nw\">"); /* "2026-W47" in one piece */
        cs_html_esc(b, r->period.label);
        cs_buf_puts(b, "</span>");
    }
    cs_buf_puts(b, "</h1>\n<p class=\"sub\">");
    if (r && r->has_previous) {
        cs_buf_puts(b, "vs ");
        cs_html_esc(b, r->previous.label);
        cs_buf_printf(b, " (%s surveys) \xC2\xB7 ", hx_int(r->surveys_before, x));
    } else if (r && r->vs == CS_VS_NONE) {
        cs_buf_puts(b, "no comparison (--vs none) \xC2\xB7 ");
    } else if (r && r->period.label[0]) {
        cs_buf_puts(b, "no surveys in ");
        cs_html_esc(b, r->previous.label);
        cs_buf_puts(b, " to compare with \xC2\xB7 ");
    }
    if (r)
        cs_buf_printf(b, "%s resource%s \xC2\xB7 %s surveys in the period \xC2\xB7 ",
                      hx_int(r->n_resources, x), r->n_resources == 1 ? "" : "s",
                      hx_int(r->surveys_now, y));
    cs_buf_printf(b, "%s surveys, %s calls in the report window</p>\n",
                  hx_int(m->totals.surveys, x), hx_int(m->totals.calls, y));
    hx_meta_line(b, in->filters_text, in->template_name, in->tool_version, in->run_time_s);
    if (in->run && (in->run->n_inputs || in->run->db)) {
        cs_buf_puts(b, "<p class=\"meta\">Inputs: ");
        for (size_t i = 0; i < in->run->n_inputs; i++) {
            cs_buf_puts(b, i ? ", " : "");
            cs_html_esc(b, in->run->inputs[i].path);
            cs_buf_printf(b, " (%s)", in->run->inputs[i].kind);
        }
        if (!in->run->n_inputs)
            cs_buf_puts(b, "none this run");
        cs_buf_puts(b, " \xC2\xB7 database: ");
        cs_html_esc(b, in->run->db ? in->run->db : "private (this run only)");
        cs_buf_puts(b, "</p>\n");
    }
    cs_buf_puts(b, "</header>\n");
}

static void
headline_cards(struct cs_buf *b, const struct cs_review *r)
{
    char x[48], y[48], z[48];
    cs_buf_puts(b, "<ul class=\"cards\">\n");
    for (size_t i = 0; i < r->n_rows; i++) {
        const struct cs_review_row *row = &r->rows[i];
        enum cs_verdict v = r->has_previous ? row->j.verdict : CS_VERDICT_NO_EVIDENCE;
        cs_buf_printf(b, "<li class=\"card c-%s\"><span class=\"cat\">%s</span> ",
                      v == CS_VERDICT_WORSE ? "worse" : v == CS_VERDICT_BETTER ? "better"
                                                                               : "none",
                      cs_category_title((enum cs_category)row->cat));
        if (r->has_previous)
            hx_verdict(b, row->j.verdict);
        cs_buf_printf(b, "<span class=\"big\">%s poor</span>", hx_pct(row->now.poor_rate, x));
        if (r->has_previous && row->j.verdict != CS_VERDICT_TOO_SMALL)
            cs_buf_printf(b, "<span>%s [%s, %s]</span>", hx_pt(row->j.cmp.diff, x),
                          hx_pt(row->j.cmp.diff_ci_lo, y), hx_pt(row->j.cmp.diff_ci_hi, z));
        cs_buf_printf(b, "<span>n = %s</span></li>\n", hx_int(row->now.responses, x));
    }
    cs_buf_puts(b, "</ul>\n");
}

static void
headline(struct cs_buf *b, const struct cs_html_input *in)
{
    const struct cs_review *r = in->review;
    char x[48], y[48];
    cs_buf_puts(b, "<section id=\"headline\" aria-labelledby=\"h-headline\">\n"
                   "<h2 id=\"h-headline\">Headline</h2>\n");
    if (!r || r->n_rows == 0) {
        cs_buf_puts(b, "<p>No surveys in the review period.</p>\n</section>\n");
        return;
    }
    headline_cards(b, r);
    static const char *const cols[] = {"Category", "Scale", "Poor rate", "Before", "Change",
                                       "95% interval", "Verdict", "Responses", "Before (n)"};
    struct cs_buf cap = {0};
    cs_buf_printf(&cap, "Poor rate by category, %s", r->period.label);
    if (r->has_previous)
        cs_buf_printf(&cap, " against %s", r->previous.label);
    hx_table_open(b, "t-headline", cap.s, cols, 9);
    cs_buf_free(&cap);
    for (size_t i = 0; i < r->n_rows; i++) {
        const struct cs_review_row *row = &r->rows[i];
        char sc[96];
        cs_buf_printf(b, "<tr data-category=\"%s\"><th scope=\"row\">%s</th><td>%s</td>"
                         "<td class=\"n\" data-f=\"poor_rate\">%s</td>",
                      cs_category_name((enum cs_category)row->cat),
                      cs_category_title((enum cs_category)row->cat),
                      cs_scale_label(&row->scale, sc, sizeof sc), hx_pct(row->now.poor_rate, x));
        if (r->has_previous) {
            cs_buf_printf(b, "<td class=\"n\" data-f=\"previous_poor_rate\">%s</td>"
                             "<td class=\"n\" data-f=\"diff\">%s</td>",
                          hx_pct(row->before.poor_rate, x), hx_pt(row->j.cmp.diff, y));
            cs_buf_printf(b, "<td class=\"n\">[%s, %s]</td><td data-f=\"verdict\">",
                          hx_pt(row->j.cmp.diff_ci_lo, x), hx_pt(row->j.cmp.diff_ci_hi, y));
            hx_verdict(b, row->j.verdict);
            cs_buf_puts(b, "</td>");
        } else {
            cs_buf_puts(b, "<td>\xE2\x80\x93</td><td>\xE2\x80\x93</td><td>\xE2\x80\x93</td>"
                           "<td>no comparison</td>");
        }
        cs_buf_printf(b, "<td class=\"n\" data-f=\"responses\">%s</td><td class=\"n\">%s</td></tr>\n",
                      hx_int(row->now.responses, x),
                      r->has_previous ? hx_int(row->before.responses, y) : "\xE2\x80\x93");
    }
    hx_table_close(b);
    cs_buf_printf(b, "<p class=\"note\">Poor = a score at or under the scale's threshold. "
                     "Verdicts after the Holm adjustment across these rows (\xCE\xB1 = %s); "
                     "rows under %s responses on either side are too small to judge.</p>\n",
                  hx_num(r->alpha, 2, x), hx_int(r->min_n, y));
    cs_buf_puts(b, "</section>\n");
}

static void
mover_row(struct cs_buf *b, const struct cs_review_mover *mv, bool prev)
{
    char x[48], y[48];
    cs_buf_printf(b, "<tr><th scope=\"row\">");
    cs_html_esc(b, mv->name);
    cs_buf_printf(b, "</th><td>%s</td><td>%s</td><td class=\"n\">%s</td>",
                  mv->kind == CS_MOVER_TAG ? "tag" : "resource",
                  cs_category_title((enum cs_category)mv->cat), hx_pct(mv->now.poor_rate, x));
    if (prev) {
        cs_buf_printf(b, "<td class=\"n\">%s</td><td class=\"n\">%s</td>",
                      hx_pct(mv->before.poor_rate, x), hx_pt(mv->j.cmp.diff, y));
        cs_buf_printf(b, "<td class=\"n\">[%s, %s]</td><td>", hx_pt(mv->j.cmp.diff_ci_lo, x),
                      hx_pt(mv->j.cmp.diff_ci_hi, y));
        hx_verdict(b, mv->j.verdict);
        cs_buf_puts(b, "</td>");
    }
    cs_buf_printf(b, "<td class=\"n\">%s</td></tr>\n", hx_int(mv->now.responses, x));
}

static void
movers(struct cs_buf *b, const struct cs_html_input *in)
{
    const struct cs_review *r = in->review;
    if (!r || r->n_tags + r->n_resource_movers == 0)
        return;
    cs_buf_puts(b, "<section id=\"movers\" aria-labelledby=\"h-movers\">\n"
                   "<h2 id=\"h-movers\">What moved</h2>\n"
                   "<p class=\"note\">For a tag: its share of the category's answers; for a "
                   "resource: its poor rate. Holm-adjusted within each category's tags (or "
                   "resources).</p>\n");
    static const char *const cols[] = {"Name", "Kind", "Category", "Now", "Before",
                                       "Change", "95% interval", "Verdict", "Responses"};
    static const char *const cols1[] = {"Name", "Kind", "Category", "Now", "Responses"};
    if (r->has_previous)
        hx_table_open(b, "t-movers", "Tags and resources that moved most", cols, 9);
    else
        hx_table_open(b, "t-movers", "Tags and resources of the period", cols1, 5);
    for (size_t i = 0; i < r->n_tags; i++)
        mover_row(b, &r->tags[i], r->has_previous);
    for (size_t i = 0; i < r->n_resource_movers; i++)
        mover_row(b, &r->resources[i], r->has_previous);
    hx_table_close(b);
    cs_buf_puts(b, "</section>\n");
}

char *
cs_html_page(const struct cs_html_input *in)
{
    struct cs_buf b = {0};
    struct cs_buf title = {0};
    cs_buf_puts(&title, "Call quality review");
    if (in->review && in->review->period.label[0])
        cs_buf_printf(&title, " \xE2\x80\x94 %s", in->review->period.label);
    hx_page_open(&b, title.s, in->tool_version);
    cs_buf_free(&title);
    page_header(&b, in);
    cs_buf_puts(&b, "<main>\n");
    headline(&b, in);
    movers(&b, in);
    hx_categories(&b, in);
    hx_answers(&b, in);
    hx_data_quality(&b, in);
    hx_minor_scales(&b, in);
    hx_definitions(&b, in->review ? in->review->min_n : in->m->min_n);
    hx_page_close(&b, in->tool_version);
    return cs_buf_take(&b);
}

cs_status
hx_write_file(char *page, const char *path, struct cs_err *err)
{
    struct cs_afile af;
    cs_status rc = cs_afile_open(&af, path, err);
    if (rc == CS_OK) {
        /* written in one call, so a full disk is reported as such */
        struct cs_err werr;
        cs_err_clear(&werr);
        cs_afile_write(&af, page, strlen(page), &werr);
        rc = cs_afile_commit(&af, err);
    }
    xfree(page);
    return rc;
}

cs_status
cs_html_write(const struct cs_html_input *in, const char *path, struct cs_err *err)
{
    return hx_write_file(cs_html_page(in), path, err);
}
