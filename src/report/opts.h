/*
 * report/opts.h: the options of a report or comparison run as main.c
 * parsed them (header only: the template's parameters read them too).
 */
#ifndef CS_REPORT_OPTS_H
#define CS_REPORT_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/run.h"

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
    size_t custom_columns;           /* custom keys given a column (--custom-columns;
                                    0 = CS_CUSTOM_COLUMNS), the rest in 'other' */
    struct cs_chart_size chart_size; /* --size, --dpi (0 = the chart defaults) */
    uint64_t query_memory;           /* bytes of SQLite heap one template query may
                                    use (--query-memory; CS_QUERY_MEMORY_DEFAULT) */
    /* report --by DIM (issue 20): release breakdowns (report/breakdown.h) */
    const char *by_dims[8]; /* borrowed names; CS_BREAKDOWN_MAX */
    size_t n_by_dims;
    size_t top;     /* --top: groups kept per dimension (0 = 10) */
    bool csv_excel; /* --csv-excel: every CSV starts with a UTF-8 byte order mark */
    /* the store's calls join (store/call_legs.h) is left to the report:
     * made in the statistics stage beside the model's scans (issue 22);
     * for a private store the load left unjoined */
    bool join_calls;
    /* --custom-keys with --formats histograms: rows per key's answers (borrowed) */
    const char *const *hist_custom_keys;
    size_t n_hist_custom_keys;
};

#endif
