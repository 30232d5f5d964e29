/*
 * render/json.h: summary.json (DESIGN.md §6) from the report model.
 * Figures at full precision (shortest round-trip); NaN becomes null.
 */
#ifndef CS_RENDER_JSON_H
#define CS_RENDER_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "model/review.h"
#include "model/run.h"
#include "model/report_model.h"
#include "model/rows.h"

struct cJSON;

/* Build the summary document; returns owned cJSON (free with cJSON_Delete).
 * extra: borrowed object whose members are moved in (custom, steps), or NULL. */
struct cJSON *cs_json_summary(const struct cs_report_model *m);

/* The JSON object of one group (as in "categories"), owned by the caller. */
struct cJSON *cs_json_group(const struct cs_report_model *m,
                            const struct rep_group *g);

/* Write doc to path atomically (pretty-printed, trailing newline).  The
 * file is valid UTF-8 whatever the strings held: invalid sequences in
 * strings and keys are written as U+FFFD (control characters are escaped
 * by cJSON anyway). */
cs_status cs_json_write(const struct cJSON *doc, const char *path,
                        struct cs_err *err);

/* summary.json "review" (issue 17): period, previous (null with --vs none
 * or no earlier surveys), min_effect, rows (one per category with responses
 * in the period, on its primary scale) and movers {tags, resources}.
 * Returns owned cJSON. */
struct cJSON *cs_json_review(const struct cs_review *r);

/* Add to `run` (an object) what the run was: version, generated (ISO,
 * from ri->generated_s), db, inputs (one object per command-line input
 * with its accounting), filters and template.  ri: borrowed. */
void cs_json_run_info(struct cJSON *run, const struct cs_run_info *ri);

struct cs_privacy;
/* summary.json / compare.json "privacy": null when p is NULL (ids as
 * stored), else what was done: {"ids": "pseudonymized", "method":
 * "HMAC-SHA-256", "pseudonym_hex_digits": 32, "normalization": ...,
 * "key_file": NAME, "free_text": "dropped"|"kept", "free_text_dropped":
 * text_dropped, "rejected_raw_text": "dropped", "description": ...}.
 * Returns owned cJSON. */
struct cJSON *cs_json_privacy(const struct cs_privacy *p, uint64_t text_dropped);

/* How many strings (values and member names) of doc are not valid UTF-8,
 * i.e. will be changed by cs_json_write: for the document's own counts. */
size_t cs_json_invalid_strings(const struct cJSON *doc);

struct cs_compare;
/* compare.json at path (atomically, as cs_json_write): the comparison's
 * groups and rows, "template", "window" (since/until of ri, null when
 * open), "run" (cs_json_run_info) and "privacy" (cs_json_privacy).  All
 * arguments borrowed. */
cs_status cs_json_compare_write(const struct cs_compare *c, const char *template_name,
                                const struct cs_run_info *ri,
                                const struct cs_privacy *privacy, const char *path,
                                struct cs_err *err);

/* Make cJSON (the writer's and the readers') allocate with core/mem's
 * x-allocators: a NULL from its malloc would read as "not valid JSON" and
 * reject a good record.  Called once, at start. */
void cs_json_use_xalloc(void);

/* ---- summary.json as the report runs (json_summary.c) ---- */

/* What summary.json starts with; all borrowed for the call. */
struct cs_summary_head {
    const struct cs_report_model *m;
    const struct cs_run_info *run_info; /* "run"; NULL = as the model has it */
    const struct cs_review *review;     /* "review"; NULL = left out */
    const struct cs_join_audit *audit;  /* "custom" */
    enum cs_merge merge;                /* "custom": the merge kind */
    size_t max_cols;                    /* "custom": keys given a column */
    const char *template_name;          /* "template"; NULL = "" */
};

/* One cell of a template step's result. */
struct cs_json_cell {
    enum { CS_JSON_NULL = 0,
           CS_JSON_NUMBER,
           CS_JSON_TEXT } type;
    double num;       /* CS_JSON_NUMBER */
    const char *text; /* CS_JSON_TEXT (borrowed) */
};

/* A step's result table: n_cols column names, and cell(ctx, row, col)
 * filling one cell (its text borrowed until the next call). */
struct cs_json_table {
    const char *const *columns;
    size_t n_cols, n_rows;
    void (*cell)(void *ctx, size_t row, size_t col, struct cs_json_cell *out);
    void *ctx;
};

/* What the other outputs changed, for "meta.text_cleaning". */
struct cs_text_cleaning {
    uint64_t json_strings_replaced, csv_cells_replaced, csv_cells_neutralized;
    uint64_t xlsx_cells_replaced, xlsx_cells_truncated;
};

struct cs_summary_doc; /* opaque: summary.json being built */
/* The document with the model, run, review, custom and template members
 * and an empty "steps"; owned (cs_summary_doc_free). */
struct cs_summary_doc *cs_summary_doc_new(const struct cs_summary_head *h);
/* Append to "steps" a section step {title, section} or a query step's
 * result {title, render, columns, rows}. */
void cs_summary_doc_step(struct cs_summary_doc *d, const char *title, const char *section);
void cs_summary_doc_result(struct cs_summary_doc *d, const char *title, const char *render,
                           const struct cs_json_table *t);
/* Strings of the document so far that are not valid UTF-8. */
size_t cs_summary_doc_invalid_strings(const struct cs_summary_doc *d);
/* Add "meta" (privacy, text_cleaning) and write the file (cs_json_write). */
cs_status cs_summary_doc_write(struct cs_summary_doc *d, const struct cs_privacy *privacy,
                               uint64_t text_dropped, const struct cs_text_cleaning *tc,
                               const char *path, struct cs_err *err);
void cs_summary_doc_free(struct cs_summary_doc **d);
/* "call_join": the survey-to-call-leg join's audit (issue 20). */
void cs_summary_doc_call_join(struct cs_summary_doc *d, const struct cs_call_join *a);
/* "breakdowns" (an empty array, created by the first call with dim NULL or
 * not), then one entry for dim: a row per (value, category, scale) of the
 * n_groups groups: labels[g], surveys[g] and its cats[g] (n_cats[g] of
 * them).  dim NULL only creates the array. */
void cs_summary_doc_breakdown(struct cs_summary_doc *d, const char *dim, size_t n_groups,
                              const char *const *labels, const uint64_t *surveys,
                              struct rep_group *const *cats, const size_t *n_cats);

/* One rejected record as a line of --rejects (JSON Lines): source, line,
 * survey_id (when the record had one; null when without_raw, as it is an
 * id), reason, and record: the record's JSON value when raw is JSON, else
 * its text (null when without_raw).  Invalid UTF-8 of the input becomes
 * U+FFFD.  Returns owned text without the newline (xfree). */
struct cs_reject_line {
    const char *source;
    uint64_t line;
    const char *survey_id; /* NULL = none */
    bool without_raw;      /* privacy mode */
    const char *reason;
    const char *raw; /* may be NULL */
    size_t raw_len;
};
char *cs_json_reject_line(const struct cs_reject_line *r);

#endif
