/*
 * report/report.h: `callsurvey report`: filters, the summary statistics of
 * DESIGN.md §8 computed from the store, and the output files of §6.
 */
#ifndef CS_REPORT_H
#define CS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "model/run.h"
#include "store/store.h"

#define CS_REPORT_MAX_RESOURCES 64

struct cs_privacy;

#define CS_QUERY_MEMORY_DEFAULT (UINT64_C(1) << 30) /* 1 GiB */

struct cs_report_opts {
    const char *out_dir;       /* borrowed; default "out" */
    const char *formats;       /* "json,csv,png,xlsx" ... (borrowed) */
    const char *template_name; /* borrowed; NULL = weekly-review */
    const char *merge;         /* custom-answer join kind (borrowed) */
    bool has_since, has_until, has_week;
    int64_t since_us, until_us; /* [since, until) */
    int64_t week_start_us, week_end_us;
    const char *resources[CS_REPORT_MAX_RESOURCES]; /* borrowed */
    size_t n_resources;
    bool bucket_day;                  /* trend per day instead of ISO week */
    uint64_t min_n;                   /* small-sample flag below this (30) */
    double default_threshold;         /* for the About text (2) */
    bool data_sheet;                  /* add the per-survey Data sheet to report.xlsx */
    int64_t run_time_s;               /* the report's "now" (SOURCE_DATE_EPOCH, else time()) */
    const char *tool_version;         /* "callsurvey 0.1.0" (borrowed) */
    const char *filters_text;         /* the filters as typed, for About (borrowed) */
    const struct cs_privacy *privacy; /* --pseudonymize (model/privacy.h), borrowed;
                                    NULL = ids and text as stored */
    /* the review (issue 17) */
    int vs;                             /* enum cs_review_vs: --vs previous (default), none, N */
    unsigned vs_periods;                /* N of --vs N */
    double min_effect;                  /* --min-effect, points: smaller moves get no verdict (0) */
    bool scales_all;                    /* --scales all: every scale's table and charts */
    bool full_table;                    /* --verbose: the per-scale table on the terminal too */
    const struct cs_run_info *run_info; /* summary.json "run": version, inputs,
                                    filters (model/run.h); borrowed, NULL = none */
    /* progress: called as each stage starts ("statistics", "review", then
     * per template step its title, "workbook", "summary.json"), step of
     * n_steps; NULL = none.  Never prints by itself. */
    void (*on_stage)(void *ctx, const char *stage, size_t step, size_t n_steps);
    void *stage_ctx;
    /* compare */
    const char *compare_by; /* borrowed */
    const char *baseline;   /* borrowed */
    bool fail_on_regression;
    size_t custom_columns; /* custom keys given a column (--custom-columns;
                                    0 = CS_CUSTOM_COLUMNS), the rest in 'other' */
    uint64_t query_memory; /* bytes of SQLite heap one template query may
                                    use (--query-memory; CS_QUERY_MEMORY_DEFAULT) */
    /* report --by DIM (issue 20): release breakdowns (report/breakdown.h) */
    const char *by_dims[8]; /* borrowed names; CS_BREAKDOWN_MAX */
    size_t n_by_dims;
    size_t top; /* --top: groups kept per dimension (0 = 10) */
};

struct cs_report_result {
    char *terminal_text; /* owned: the compact table for the terminal */
    char **files;        /* owned: paths written */
    size_t n_files;
    char **notes; /* owned: warnings for the user (not built, no data) */
    size_t n_notes;
    double seconds_stats;                                           /* building the model (scan, statistics, join audit) */
    double seconds_json, seconds_csv, seconds_charts, seconds_xlsx; /* per output */
    uint64_t csv_cells_replaced;                                    /* CSV cells with invalid UTF-8 or controls replaced */
    uint64_t csv_cells_neutralized;                                 /* CSV cells given a leading apostrophe (= + - @ ...) */
    uint64_t json_strings_replaced;                                 /* summary.json strings with invalid UTF-8 */
    uint64_t text_dropped;                                          /* free-text answers left out (privacy mode) */
    size_t n_worse;                                                 /* headline rows of the review judged worse */
    char *worse_text;                                               /* owned: those rows, one line each ("" if none) */
};

void cs_report_opts_default(struct cs_report_opts *o);

struct cs_template;
struct cs_template_params;

/* Compute the report over the store and write the requested files, in the
 * order and with the titles of template t's steps (borrowed; p: its bound
 * parameters).  summary.json and the CSV summary tables are always
 * complete; charts, sheets and query steps follow the steps.  On success
 * *res is owned by the caller (cs_report_result_free); on error it is
 * empty. */
cs_status cs_report_run(struct cs_store *store, const struct cs_report_opts *o,
                        const struct cs_template *t,
                        const struct cs_template_params *p,
                        struct cs_report_result *res, struct cs_err *err);

void cs_report_result_free(struct cs_report_result *res);

struct cs_report_model;
struct cs_compare;
/* A template query step's chart may not have the name of a chart the run
 * draws itself (the sections' charts over m; with cmp, compare's charts):
 * CS_E_TEMPLATE naming the step, where = "template:line".  Checked before
 * anything is written. */
cs_status cs_report_check_chart_names(const struct cs_template *t,
                                      const struct cs_report_model *m,
                                      const struct cs_compare *cmp, struct cs_err *err);

struct cs_xlsx;
struct cs_template_step;
struct cs_result;
/* A template query step's result as an XLSX sheet: an Excel table with the
 * step's number formats and, for chart renders, its native chart. */
cs_status cs_report_step_xlsx(struct cs_xlsx *x, const struct cs_template_step *st,
                              const struct cs_result *r, struct cs_err *err);

#endif
