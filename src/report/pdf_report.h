/*
 * report/pdf_report.h: DIR/report.pdf as a document (issue 18): page 1 is
 * the review (period, comparison period, filters, headline table with
 * verdicts, movers, each category's primary-scale poor-rate trend), then
 * the contents, one section per category (distribution and issues of the
 * primary scale on one page, its trends on the next), custom answers, data
 * quality, an appendix with every scale's table, and the charts of the
 * template's own queries.  Drawn by render/pdf_doc from the report model
 * and the chart specs report/charts.c builds; reads no store.
 *
 * Ownership: the report borrows the model (it must outlive the report)
 * and copies the info strings; close or abort frees everything.
 */
#ifndef CS_REPORT_PDF_REPORT_H
#define CS_REPORT_PDF_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "render/chart.h"
#include "render/pdf_doc.h"
#include "report/model.h"

/* What the model does not hold (all optional; strings borrowed and copied). */
struct cs_pdf_info {
    const char *tool_version; /* "callsurvey 0.1.0" */
    const char *filters_text; /* the filters as typed; NULL = none */
    const char *kind;         /* "weekly review" (default) or "comparison" */
    bool has_custom;          /* the custom-answer figures below are known */
    uint64_t custom_events, custom_matched_surveys, custom_surveys, custom_keys;
    uint64_t custom_orphans, custom_duplicates;
};

struct cs_pdf_report; /* opaque */

/* Open DIR's report.pdf at path for model m on paper (--paper).  Returns
 * owned *out. */
cs_status cs_pdf_report_open(const struct cs_report_model *m, const char *path,
                             enum pdf_paper paper, struct cs_pdf_report **out,
                             struct cs_err *err);
/* Replace the info (copied). */
void cs_pdf_report_info(struct cs_pdf_report *r, const struct cs_pdf_info *info);
/* Keep a chart for the document under its file stem.  extra: a chart of a
 * template query step (goes to the "Template charts" section). */
cs_status cs_pdf_report_chart(struct cs_pdf_report *r, const struct chart_spec *spec,
                              const char *name, bool extra, struct cs_err *err);
/* Lay out the document and write it (ok), or discard it (!ok).  Frees *r,
 * *r = NULL. */
cs_status cs_pdf_report_close(struct cs_pdf_report **r, bool ok, int *pages,
                              struct cs_err *err);

#endif
