/*
 * render/html_internal.h: what the files of report.html share (html.c,
 * html_sections.c, html_css.c).  Not for other modules.
 */
#ifndef CS_RENDER_HTML_INTERNAL_H
#define CS_RENDER_HTML_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "render/html.h"

/* The page's style sheet (static text). */
extern const char cs_html_css[];

/* Number texts into b (at least 48 bytes); return b.  NaN gives "–". */
char *hx_pct(double fraction, char *b);   /* "13.9%" */
char *hx_pt(double fraction, char *b);    /* "+2.4 pt", "−0.3 pt" */
char *hx_int(uint64_t v, char *b);        /* "1,204" */
char *hx_num(double v, int dec, char *b); /* "3.42" */

/* <span class="v v-worse"> with the verdict as words (never colour alone). */
void hx_verdict(struct cs_buf *b, enum cs_verdict v);

/* A table's opening: a focusable scroll box labelled by the caption, then
 * <table><caption>; cols header cells (scope="col"), in order.  "" ends. */
void hx_table_open(struct cs_buf *b, const char *id, const char *caption,
                   const char *const *cols, size_t n_cols);
void hx_table_close(struct cs_buf *b);

/* A figure: the chart's SVG and its text alternative as the caption. */
void hx_figure(struct cs_buf *b, const struct cs_html_chart *c);

/* The page's frame: doctype, head (CSP, viewport, style sheet, title),
 * <body>; and after </main>, the footer and the end. */
void hx_page_open(struct cs_buf *b, const char *title, const char *tool_version);
void hx_page_close(struct cs_buf *b, const char *tool_version);
/* "Filters: ... · template ... · callsurvey 0.1.0 · 2026-11-18" */
void hx_meta_line(struct cs_buf *b, const char *filters, const char *template_name,
                  const char *tool_version, int64_t run_time_s);
/* Write page (taken: freed here) to path atomically. */
cs_status hx_write_file(char *page, const char *path, struct cs_err *err);

/* The sections after the headline and movers. */
void hx_categories(struct cs_buf *b, const struct cs_html_input *in);
void hx_answers(struct cs_buf *b, const struct cs_html_input *in);
void hx_data_quality(struct cs_buf *b, const struct cs_html_input *in);
void hx_minor_scales(struct cs_buf *b, const struct cs_html_input *in);
void hx_definitions(struct cs_buf *b, uint64_t min_n);


#endif
