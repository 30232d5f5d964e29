/*
 * render/html_compare.h: compare.html (issue 19): `callsurvey compare` as
 * one self-contained web page, like report.html (render/html.h): the
 * comparison table with verdicts in words, the compare charts inline as
 * SVG with their text alternatives, the groups and the definitions.
 * Borrows everything in its input.
 */
#ifndef CS_RENDER_HTML_COMPARE_H
#define CS_RENDER_HTML_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "render/html.h"
#include "report/compare.h"

struct cs_html_compare_input {
    const struct cs_compare *c;
    const struct cs_html_chart *charts; /* kind CS_HTML_COMPARE */
    size_t n_charts;
    const char *tool_version;
    int64_t run_time_s;
    const char *filters_text;
    const char *template_name;
};

/* The page (owned by the caller, xfree). */
char *cs_html_compare_page(const struct cs_html_compare_input *in);
/* Write it to path (atomically).  Errors: CS_E_IO naming path. */
cs_status cs_html_compare_write(const struct cs_html_compare_input *in, const char *path,
                                struct cs_err *err);

#endif
