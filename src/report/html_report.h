/*
 * report/html_report.h: DIR/report.html (issue 19) from a report run:
 * draws the charts of each category's primary scale (and the minor
 * scales' distributions) as inline SVG, lists the custom answers, and
 * hands everything to render/html as plain data.
 */
#ifndef CS_REPORT_HTML_REPORT_H
#define CS_REPORT_HTML_REPORT_H

#include <stdint.h>

#include "core/err.h"
#include "model/review.h"
#include "model/run.h"
#include "model/comparison.h"
#include "report/model.h"
#include "store/store.h"

struct cs_privacy;
struct cs_compare_out;

#define CS_HTML_MAX_ANSWERS 500 /* answers listed in the page (all in custom.csv) */

struct cs_html_report_in {
    struct cs_store *store;           /* custom answers (read inside the report's snapshot) */
    const struct cs_filter *filter;   /* borrowed */
    const struct cs_report_model *m;  /* borrowed */
    const struct cs_review *review;   /* borrowed; NULL = none */
    const struct cs_privacy *privacy; /* ids as pseudonyms, free text left out; NULL = off */
    bool with_answers;                /* custom events exist: list their answers */
    const char *tool_version;
    int64_t run_time_s;
    const char *filters_text;
    const char *template_name;
    const struct cs_run_info *run; /* inputs (model/run.h); NULL = not shown */
    /* the answers already read (with the workbook's pass over the join,
     * report/xlsx_rows.h), or NULL: read here (with_answers) */
    const struct cs_html_answers *answers_read;
};

/* The page's answers, collected from the inner merge's rows: new (privacy
 * borrowed), cs_html_answers_row as a cs_join_cb with it as ctx, free. */
struct cs_html_answers;
struct cs_join_row;
struct cs_html_answers *cs_html_answers_new(const struct cs_privacy *privacy);
cs_status cs_html_answers_row(void *ctx, const struct cs_join_row *r, struct cs_err *err);
void cs_html_answers_free(struct cs_html_answers **a);

/* Write path (DIR/report.html).  Errors: the store's, cairo's
 * (CS_E_RENDER), CS_E_IO naming path. */
cs_status cs_html_report(const struct cs_html_report_in *in, const char *path,
                         struct cs_err *err);

/* DIR/compare.html for `compare` (o->dir; o->on_file told): the comparison,
 * the compare charts inline, the groups.  Errors as cs_html_report's. */
cs_status cs_html_compare(const struct cs_compare *c, const struct cs_compare_out *o,
                          const char *template_name, struct cs_err *err);

/* Does the --formats list (comma-separated) name `name`? */
bool cs_formats_has(const char *list, const char *name);

#endif
