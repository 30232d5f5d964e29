/*
 * report/breakdown.h: figures by release dimension (issue 20).  The cube of
 * a dimension with the N largest groups kept and the rest pooled as
 * "other" (Redacted and unknown always kept as groups of their own).
 */
#ifndef CS_REPORT_BREAKDOWN_H
#define CS_REPORT_BREAKDOWN_H

#include <stddef.h>

#include "core/err.h"
#include "store/query.h"
#include "store/store.h"

#define CS_BREAKDOWN_TOP 10 /* --top default */

/* The cube grouped by dim (model/dims.h name), groups in the dimension's
 * natural order; top 0 = CS_BREAKDOWN_TOP.  Errors: the store's. */
cs_status cs_breakdown_cube(struct cs_store *s, const struct cs_filter *f,
                            enum cs_bucket bucket, const char *dim, size_t top,
                            struct cs_cube *cube, struct cs_err *err);

/* Is label one of the groups that are no value (Redacted, other, unknown)? */
bool cs_breakdown_special(const char *label);

struct cs_summary_doc;

#define CS_BREAKDOWN_MAX 8 /* report --by dimensions */

/* What `report --by DIM` writes, per dimension: summary.json "breakdowns"
 * rows, tables/breakdown-DIM.csv, charts/breakdown-DIM-CATEGORY.png (poor
 * rate by group with Wilson intervals, groups in natural order) and, for
 * sdk-version and app-version, the release timeline:
 * charts/timeline-DIM-share.png (share of responses by version per week,
 * stacked) and charts/timeline-DIM-poor-rate.png (the poor rate of the
 * largest versions per week). */
struct cs_breakdown_out {
    const char *dir;         /* output (staging) directory; exists */
    const char *const *dims; /* dimension names (model/dims.h), n_dims */
    size_t n_dims;
    size_t top;                                   /* groups kept per dimension (0 = 10) */
    uint64_t min_n;                               /* small-sample flag */
    bool csv, png;                                /* which files */
    bool csv_bom;                                 /* --csv-excel */
    const struct cs_filter *filter;               /* borrowed */
    const struct cs_report_model *m;              /* borrowed: the window and filters
                                                     the chart footers name; NULL = none */
    void (*on_file)(void *ctx, const char *path); /* every file written */
    void *ctx;
};

/* Add "call_join" (when call summaries are loaded) and "breakdowns" to
 * doc, and write the files.  Errors: CS_E_USAGE for an unknown dimension,
 * the store's, I/O. */
cs_status cs_breakdowns_write(struct cs_store *s, const struct cs_breakdown_out *o,
                              struct cs_summary_doc *doc, struct cs_err *err);

struct cs_template;
/* The dimensions of a report: those given (--by) and those of the
 * template's `section: breakdown` steps (x: names one), each once, in that
 * order; at most cap.  Returns how many were written to out (borrowed
 * strings). */
size_t cs_breakdown_dims(const struct cs_template *t, const char *const *given,
                         size_t n_given, const char **out, size_t cap);

struct cs_xlsx;
/* A sheet per dimension ("By sdk-version") in the report workbook: the
 * rows of summary.json's breakdowns. */
cs_status cs_breakdowns_xlsx(struct cs_store *s, const struct cs_breakdown_out *o,
                             struct cs_xlsx *xl, struct cs_err *err);

#endif
