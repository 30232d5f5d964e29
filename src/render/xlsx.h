/*
 * render/xlsx.h: the XLSX workbook (DESIGN.md §6), the only user of
 * libxlsxwriter.
 *
 * A workbook is built by opening a context, adding sections in the order
 * the sheets should appear, and closing it:
 *
 *     struct cs_xlsx *x;
 *     if (cs_xlsx_open(path, &opts, &x, err)) return err->code;
 *     if (cs_xlsx_about(x, in, err) || cs_xlsx_summary(x, in, err) || ...) {
 *         cs_xlsx_abort(&x);        // nothing is left under path
 *         return err->code;
 *     }
 *     return cs_xlsx_close(&x, err); // written atomically, or not at all
 *
 * cs_xlsx_write_report() does this for the default section list.  Report
 * templates choose and order sections themselves (cs_xlsx_section_find),
 * and add their own SQL steps with cs_xlsx_table().
 *
 * Guarantees, whatever the data:
 *   - every table is an Excel table (filter buttons, banded rows); tables
 *     are stacked one below the other, never side by side (issue 18); a
 *     sheet's first header row is frozen unless tables of other columns
 *     follow it; column widths fit the longest cell of each column (capped
 *     at 60 characters), titles alone in their row aside;
 *   - numbers are real numbers with real formats (rates and shares 0.0%,
 *     counts #,##0, means and medians 0.00, times yyyy-mm-dd hh:mm:ss); NaN
 *     and missing values are empty cells, never 0 or #NUM!;
 *   - native charts take the Okabe-Ito colours of render/palette.h and
 *     plain value labels (never labels that reference cells);
 *   - text is written as text, never as a formula ("=HYPERLINK(...)" shows
 *     as typed); it is made valid XML-safe UTF-8 (invalid sequences and
 *     control characters become U+FFFD, counted); cells are cut at Excel's
 *     32,767 characters (counted); the counts appear on Data Quality;
 *   - sheet names are valid (at most 31 characters, none of []:*?/\, not
 *     "History") and unique; the data sheets continue on "Data (2)", ...
 *     past Excel's 1,048,576 rows, and About says so;
 *   - the same input and run time give a byte-identical file.
 *
 * Memory.  The workbook runs in libxlsxwriter's constant-memory mode.  In
 * 1.1.4 that mode is chosen per workbook and it refuses Excel tables and
 * out-of-order rows, so the context clears it again on every sheet except
 * the streamed ones (Data, Custom): those are written strictly row by row
 * with a flat memory footprint, and receive their Excel table once their
 * last row is known.  Charts only ever reference in-memory sheets, so their
 * cached values are filled in.  libxlsxwriter's temporary files go next to
 * the output file (opts.tmpdir overrides).
 *
 * Ownership: the context owns the workbook and everything in it; every
 * pointer argument is borrowed for the call only, except where a function
 * says "borrowed until cs_xlsx_close".  Errors are CS_E_RENDER (a
 * libxlsxwriter failure, named), CS_E_IO (the file), CS_E_DB (reading the
 * store), CS_E_USAGE (a bad table spec).  After a failed section the
 * context can only be aborted.
 */
#ifndef CS_RENDER_XLSX_H
#define CS_RENDER_XLSX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "model/review.h"
#include "model/filter.h"
#include "model/report_model.h"
#include "model/rows.h"

/* Excel's sheet limit: 1,048,576 rows (one is the header). */
#define CS_XLSX_MAX_ROWS 1048576u
/* Excel's cell limit: 32,767 characters. */
#define CS_XLSX_MAX_CELL_CHARS 32767u
/* Longest column width set, in characters. */
#define CS_XLSX_MAX_WIDTH 60
/* Longest list of rejected records and orphan events on Data Quality. */
#define CS_XLSX_MAX_LISTED 50000u

struct cs_xlsx; /* opaque: one workbook being written */
struct cs_privacy;

/* Where the row-by-row sheets read from (Data, Custom, Data Quality's
 * lists, About's inputs): callbacks the caller fills (report/xlsx_rows.h
 * does from the store, for the report's filter), so the workbook never
 * sees the database.  Each calls cb once per row in the documented order
 * of model/rows.h and returns CS_OK or the first error (the callback's
 * status included).  A NULL struct means nothing to list. */
struct cs_xlsx_rows {
    void *ctx;
    /* every survey in the filter, by time then survey id */
    cs_status (*surveys)(void *ctx, cs_export_survey_cb cb, void *cb_ctx, struct cs_err *err);
    /* the first `limit` rejected records and conflicts of the store */
    cs_status (*rejects)(void *ctx, uint64_t limit, cs_export_reject_cb cb, void *cb_ctx,
                         struct cs_err *err);
    cs_status (*conflicts)(void *ctx, uint64_t limit, cs_export_conflict_cb cb, void *cb_ctx,
                           struct cs_err *err);
    /* every input of the store, in ingest order */
    cs_status (*inputs)(void *ctx, cs_export_input_cb cb, void *cb_ctx, struct cs_err *err);
    /* the custom keys given a column (at most cap; owned *c) */
    cs_status (*custom_cols)(void *ctx, size_t cap, struct cs_custom_cols *c, struct cs_err *err);
    /* the merged rows of kind, in the filter */
    cs_status (*join)(void *ctx, enum cs_merge kind, cs_join_cb cb, void *cb_ctx,
                      struct cs_err *err);
    /* the survey-to-call-leg join's audit (legs 0: no call summaries) */
    cs_status (*calls_audit)(void *ctx, struct cs_call_join *a, struct cs_err *err);
    /* the first `max` surveys the join left without a leg, by time */
    cs_status (*calls_unmatched)(void *ctx, size_t max,
                                 cs_status (*fn)(void *fn_ctx, const struct cs_call_unmatched *u,
                                                 struct cs_err *err),
                                 void *fn_ctx, struct cs_err *err);
};

struct cs_xlsx_opts {
    const char *tool_version; /* "callsurvey 0.3.0" for About (borrowed) */
    int64_t run_time_s;       /* the report's "now", seconds since the epoch: the
                                  caller reads SOURCE_DATE_EPOCH, else time();
                                  becomes the workbook's created time (0 and
                                  below are written as 1970-01-01T00:00:01Z:
                                  libxlsxwriter 1.1.4 reads 0 as "now") */
    const char *tmpdir;       /* libxlsxwriter temp files; NULL = output's dir */
    uint32_t rows_per_sheet;  /* rows per streamed sheet including the header;
                                  0 = CS_XLSX_MAX_ROWS (tests set it small) */
    bool use_zip64;           /* ZIP64 container, for workbooks that may pass
                                  4 GB (several full Data sheets) */
    bool lib_cells;           /* streamed sheets' cells through libxlsxwriter's
                                  own calls, not render/xlsx_cells.h (slower;
                                  the tests compare the two) */
};

/* Everything the report sections read.  All borrowed; when given to
 * cs_xlsx_about, borrowed until cs_xlsx_close (About is written last, so
 * its contents list every sheet). */
struct cs_xlsx_input {
    const struct cs_report_model *m;   /* the computed report */
    const struct cs_xlsx_rows *rows;   /* for Data, Custom, rejects, inputs; NULL = none */
    const struct cs_filter *filter;    /* the report's filter (NULL = all) */
    int merge;                         /* enum cs_merge of the Custom sheet */
    const struct cs_join_audit *audit; /* NULL: no custom answers */
    bool include_data;                 /* cs_xlsx_write_report adds Data */
    const char *title;                 /* About's title; NULL = "Call survey report"
                                          (compare: "Call survey comparison by ...") */
    const char *tool_version;          /* About; NULL = opts.tool_version */
    int64_t run_time_s;                /* About; see cs_xlsx_opts */
    const char *template_name;         /* About; NULL = none */
    const char *filters_text;          /* About: the filters as typed; NULL = none */
    /* The template step being written (section sheets): sheet_name replaces
     * the section's default sheet name, step_title and step_note lead its
     * line in About's contents.  NULL = the defaults. */
    const char *sheet_name;
    const char *step_title;
    const char *step_note;
    bool tables_only;                 /* the step's render: table: no native chart */
    const struct cs_privacy *privacy; /* --pseudonymize (model/privacy.h): ids on
                                          Data, Custom and Data Quality become
                                          pseudonyms, free-text answers and raw
                                          rejected records are left out, and About
                                          says so; NULL = as stored */
    size_t custom_columns;            /* custom keys given a column on Custom
                                          (0 = CS_CUSTOM_COLUMNS, and never past
                                          Excel's column limit); the others go
                                          to the column 'other' */
};

/* Start a workbook that will be written to path (atomically, at close).
 * opts: borrowed (may be NULL: defaults).  Returns owned context in *out
 * (finish with cs_xlsx_close or cs_xlsx_abort).  Errors: CS_E_IO when no
 * temporary file can be created beside path, CS_E_RENDER. */
cs_status cs_xlsx_open(const char *path, const struct cs_xlsx_opts *opts,
                       struct cs_xlsx **out, struct cs_err *err);

/* Write the workbook and rename it into place; frees the context (*x
 * becomes NULL) whatever happens.  On failure nothing is left under path
 * or beside it.  Errors: CS_E_RENDER, CS_E_IO (a full disk, say). */
cs_status cs_xlsx_close(struct cs_xlsx **x, struct cs_err *err);

/* Discard the workbook; frees the context; *x becomes NULL.  NULL and a
 * NULL *x are no-ops. */
void cs_xlsx_abort(struct cs_xlsx **x);

/* What the workbook wrote so far (for the caller's notes). */
struct cs_xlsx_stats {
    size_t sheets;            /* sheets added */
    uint64_t cells_replaced;  /* text cells with invalid UTF-8 or control chars */
    uint64_t cells_truncated; /* text cells cut at 32,767 characters */
    uint64_t text_dropped;    /* free-text answers left out (privacy mode) */
    uint64_t data_rows;       /* rows written on the Data sheets */
    size_t data_sheets;       /* Data, Data (2), ... */
};
void cs_xlsx_get_stats(const struct cs_xlsx *x, struct cs_xlsx_stats *st);

/* ---- Sections -------------------------------------------------------- */
/* Each adds one sheet (Data and Custom: one or more) after the previous
 * ones.  in: borrowed for the call (cs_xlsx_about: until close). */

/* About: tool, run time, window, filters, the inputs summarised per
 * directory or file pattern with their record counts, template, totals,
 * definitions in plain words, and a hyperlinked table of contents of every
 * sheet; and the Inputs sheet, last, with every input file (both written
 * at close). */
cs_status cs_xlsx_about(struct cs_xlsx *x, const struct cs_xlsx_input *in,
                        struct cs_err *err);
/* Review (issue 17): the review period against its comparison period, one
 * headline row per category (primary scale) with its verdict coloured by
 * conditional formatting, then the tags and resources that moved most.
 * rv: borrowed for the call. */
cs_status cs_xlsx_review(struct cs_xlsx *x, const struct cs_review *rv, struct cs_err *err);
/* Summary: one row per (category, scale) with every figure of
 * summary.json; pooled normalized figures below when a category has
 * several scales. */
cs_status cs_xlsx_summary(struct cs_xlsx *x, const struct cs_xlsx_input *in,
                          struct cs_err *err);
/* One sheet per category present (Overall, Audio, Video, Screen share):
 * per scale, the distribution (every score, zeros included; on a scale of
 * more than 21 levels the scores given) with a column chart of the share
 * of responses beside it and a bar chart of the issues' share of
 * responses, then the issue table below (charts only where the PNGs have
 * one: not for a scale under --min-n but its category's largest, no
 * distribution chart of more than 21 levels). */
cs_status cs_xlsx_categories(struct cs_xlsx *x, const struct cs_xlsx_input *in,
                             struct cs_err *err);
/* The sheet of one category (enum cs_category); nothing when the category
 * has no responses. */
cs_status cs_xlsx_category(struct cs_xlsx *x, const struct cs_xlsx_input *in,
                           int cat, struct cs_err *err);
/* Issues: every tag of every (category, scale) with its shares, by share
 * of responses within each (category, scale), tags nobody reported last;
 * the pairs of tags reported together below. */
cs_status cs_xlsx_issues(struct cs_xlsx *x, const struct cs_xlsx_input *in,
                         struct cs_err *err);
/* Trend: one row per (category, scale, week or day); below, a pivot of the
 * poor rate by bucket of each category's primary scale (most responses)
 * and one line chart per category with two buckets or more. */
cs_status cs_xlsx_trend(struct cs_xlsx *x, const struct cs_xlsx_input *in,
                        struct cs_err *err);
/* Custom: the joined answers (in->merge), one column per custom key,
 * streamed. */
cs_status cs_xlsx_custom(struct cs_xlsx *x, const struct cs_xlsx_input *in,
                         struct cs_err *err);
/* Data Quality: checks with counts (rejects, duplicates, updated, unknown
 * tags, join orphans, cells replaced or truncated in this workbook), the
 * rejected records (source, line, reason, raw), unknown tags and orphan
 * custom events (each list capped at CS_XLSX_MAX_LISTED rows, said so). */
cs_status cs_xlsx_data_quality(struct cs_xlsx *x, const struct cs_xlsx_input *in,
                               struct cs_err *err);
/* Data: one row per survey in the filter with every column, for pivoting;
 * streamed; continues on "Data (2)", ... */
cs_status cs_xlsx_data(struct cs_xlsx *x, const struct cs_xlsx_input *in,
                       struct cs_err *err);

typedef cs_status (*cs_xlsx_section_fn)(struct cs_xlsx *x,
                                        const struct cs_xlsx_input *in,
                                        struct cs_err *err);
/* Section by template name: "about", "summary", "categories", "issues",
 * "trend", "custom", "data_quality", "data"; NULL if unknown. */
cs_xlsx_section_fn cs_xlsx_section_find(const char *name);

/* ---- Generic table section (template SQL steps) ---------------------- */

enum cs_xlsx_cell_type {
    CS_XLSX_NULL = 0, /* empty cell */
    CS_XLSX_NUMBER,   /* num; NaN/Inf become an empty cell */
    CS_XLSX_TEXT,     /* text, never a formula; NULL text = empty */
};

struct cs_xlsx_cell {
    enum cs_xlsx_cell_type type;
    double num;       /* CS_XLSX_NUMBER */
    const char *text; /* CS_XLSX_TEXT: UTF-8 (cleaned), borrowed */
};

enum cs_xlsx_chart_kind {
    CS_XLSX_CHART_NONE = 0,
    CS_XLSX_CHART_COLUMN,
    CS_XLSX_CHART_BAR,
    CS_XLSX_CHART_PIE, /* first value column only */
    CS_XLSX_CHART_LINE,
};

struct cs_xlsx_chart_spec {
    enum cs_xlsx_chart_kind kind;
    size_t category_col;      /* column of the category labels */
    const size_t *value_cols; /* columns plotted, one series each (borrowed) */
    size_t n_value_cols;      /* >= 1 */
    const char *title;        /* NULL = the table's title */
    const char *value_format; /* value axis number format ("0%"); NULL = general */
};

struct cs_xlsx_table_spec {
    const char *title;                      /* sheet name (made valid and unique) */
    const char *const *columns;             /* n_cols header names (made unique) */
    size_t n_cols;                          /* 1 .. 16,384 */
    const char *const *num_formats;         /* n_cols Excel formats ("0.00%"), NULL
                                         entries or array = General */
    const struct cs_xlsx_cell *cells;       /* n_rows * n_cols, row-major */
    size_t n_rows;                          /* < CS_XLSX_MAX_ROWS */
    const struct cs_xlsx_chart_spec *chart; /* NULL = no chart */
    bool has_verdict_col;                   /* verdict_col holds verdicts ("worse",
                                               "better", "too small to judge", ...):
                                               coloured by conditional formatting */
    size_t verdict_col;
};

/* A sheet holding one Excel table (frozen header) and optionally a native
 * chart over it, placed to the right of the table.  t: borrowed.
 * Errors: CS_E_USAGE for a bad spec (no columns, a column index out of
 * range, too many rows), CS_E_RENDER. */
cs_status cs_xlsx_table(struct cs_xlsx *x, const struct cs_xlsx_table_spec *t,
                        struct cs_err *err);

/* ---- The whole report ------------------------------------------------ */

/* Write DIR/report.xlsx style workbook to path with the default sections:
 * About, Summary, one sheet per category, Issues, Trend, Custom (when
 * in->audit reports events), Data Quality, and Data (when
 * in->include_data).  in: borrowed.  On failure nothing is left under path. */
cs_status cs_xlsx_write_report(const struct cs_xlsx_input *in, const char *path,
                               struct cs_err *err);

/* Make name a valid, Excel sheet name in out (at least 128 bytes):
 * forbidden characters become '_', an apostrophe becomes U+2019, control
 * characters and invalid UTF-8 are dropped, at most 31 characters, never
 * empty or "History".  Exposed for templates to check titles early. */
char *cs_xlsx_sheet_name(const char *name, char *out, size_t n);

#endif
