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
#include "model/rows.h"
#include "model/run.h"
#include "report/opts.h"
#include "store/store.h"

struct cs_report_result {
    char *terminal_text; /* owned: the compact table for the terminal */
    char **files;        /* owned: paths written */
    size_t n_files;
    char **notes; /* owned: warnings for the user (not built, no data) */
    size_t n_notes;
    double seconds_stats;                                           /* building the model (scan, statistics, join audit) */
    double seconds_review;                                          /* the review (its scans) and the charts' context trend */
    double seconds_json, seconds_csv, seconds_charts, seconds_xlsx; /* per output */
    uint64_t csv_cells_replaced;                                    /* CSV cells with invalid UTF-8 or controls replaced */
    uint64_t csv_cells_neutralized;                                 /* CSV cells given a leading apostrophe (= + - @ ...) */
    uint64_t json_strings_replaced;                                 /* summary.json strings with invalid UTF-8 */
    uint64_t text_dropped;                                          /* free-text answers left out (privacy mode) */
    size_t n_worse;                                                 /* headline rows of the review judged worse */
    char *worse_text;                                               /* owned: those rows, one line each ("" if none) */
    bool calls_joined;                                              /* opts.join_calls: the join was made ... */
    struct cs_call_join calls;                                      /* ... and its audit */
};

void cs_report_opts_default(struct cs_report_opts *o);

/* The survey filter the options ask for: --week, or --since/--until, and
 * --resource (strings borrowed from o). */
struct cs_filter cs_report_opts_filter(const struct cs_report_opts *o);

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
