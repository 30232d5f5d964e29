/*
 * render/html.h: report.html (issue 19): the weekly review as one
 * self-contained web page.  Inline CSS, charts as inline SVG (drawn by
 * render/chart, handed in as text), no script, no external reference of
 * any kind, and a Content-Security-Policy that forbids all network access.
 * Every text from the data is HTML-escaped (and invalid UTF-8 or control
 * characters replaced by U+FFFD).  The page is a function of its input:
 * the same input gives the same bytes (the date shown is run_time_s,
 * SOURCE_DATE_EPOCH when set).
 *
 * This module reads plain data only (the report model, the review, the
 * charts' SVG and the answers listed below); it never queries the store.
 * It borrows everything in its input and allocates nothing it keeps.
 */
#ifndef CS_RENDER_HTML_H
#define CS_RENDER_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "model/review.h"
#include "model/run.h"
#include "model/report_model.h"

/* Which of a (category, scale) group's charts an SVG is. */
enum cs_html_chart_kind {
    CS_HTML_DISTRIBUTION = 0,
    CS_HTML_ISSUES,
    CS_HTML_TREND,
    CS_HTML_COMPARE,
};

/* One chart, ready to inline: SVG text with the XML prolog stripped and
 * every id prefixed so that several charts can share one page (see
 * cs_html_svg_inline), and its text alternative. */
struct cs_html_chart {
    enum cs_html_chart_kind kind;
    size_t group; /* index into the model's groups (not for COMPARE) */
    char *id;     /* the prefix given to cs_html_svg_inline ("c3") */
    char *svg;    /* <svg ...>...</svg> */
    char *alt;    /* the chart's title and key figures, plain text */
};

/* One custom answer (a key of a custom event joined to its survey). */
struct cs_html_answer {
    char *survey_id; /* as shown (a pseudonym in privacy mode) */
    char *time;      /* survey time, "2026-11-16T10:00:00Z" */
    char *resource;  /* short name */
    char *key;
    char *value; /* the answer, as text */
};

struct cs_html_input {
    const struct cs_report_model *m;
    const struct cs_review *review; /* NULL: no review (no surveys) */
    const struct cs_html_chart *charts;
    size_t n_charts;
    const struct cs_html_answer *answers; /* the first n_answers of answers_total */
    size_t n_answers;
    uint64_t answers_total;
    uint64_t answers_dropped;      /* free-text answers left out (privacy mode) */
    const char *tool_version;      /* "callsurvey 0.1.0" */
    int64_t run_time_s;            /* the date shown */
    const char *filters_text;      /* NULL or "" = none */
    const char *template_name;     /* NULL = none */
    const struct cs_run_info *run; /* inputs and database (model/run.h); NULL = not shown */
};

/* Write the page to path (atomically).  Errors: CS_E_IO naming path. */
cs_status cs_html_write(const struct cs_html_input *in, const char *path, struct cs_err *err);

/* The page as text (owned by the caller, xfree): what cs_html_write writes. */
char *cs_html_page(const struct cs_html_input *in);

/* SVG text of chart_render_svg_mem made fit to inline: the XML prolog
 * dropped, every id="X" and its references (href="#X", url(#X)) renamed
 * prefix-X, the root's fixed width and height removed (the page sizes it)
 * and role="img" with aria-labelledby="prefix-alt" added (the id of the
 * figure's caption, which holds the text alternative).  Returns owned
 * text (xfree). */
char *cs_html_svg_inline(const char *svg, const char *prefix);

/* The primary group of category cat (an index into in->m->groups): the
 * review row's scale when there is one, else the group with the most
 * responses; -1 when the category has none.  The other groups of the
 * category are its minor scales. */
long cs_html_primary_group(const struct cs_html_input *in, int cat);

/* Append s HTML-escaped (& < > " ' as entities; invalid UTF-8 and control
 * characters but tab and newline as U+FFFD) to b.  NULL appends nothing. */
void cs_html_esc(struct cs_buf *b, const char *s);

#endif
