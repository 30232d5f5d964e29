/*
 * report/report_int.h: what the files of `callsurvey report` share
 * (report.c: results, progress, the terminal table, formats; tables_csv.c:
 * the CSV tables; report_run.c: the run).  Not for other modules.
 */
#ifndef CS_REPORT_REPORT_INT_H
#define CS_REPORT_REPORT_INT_H

#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "model/filter.h"
#include "model/report_model.h"
#include "model/rows.h"
#include "report/report.h"

enum fmt { F_JSON = 1,
           F_CSV = 2,
           F_PNG = 4,
           F_SVG = 8,
           F_PDF = 16,
           F_XLSX = 32,
           F_HISTOGRAMS = 64,
           F_HTML = 128 };

struct cs_privacy;
struct cs_result;
struct cs_store;
struct cs_template;

/* The result's lists: a file written (path copied), a note for the user. */
void rep_push_file(struct cs_report_result *res, const char *path);
void rep_push_note(struct cs_report_result *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* rep_push_file as a cs_file_cb (ctx: the result). */
void rep_on_file(void *ctx, const char *path);
/* Tell the caller a stage starts (progress); n = template steps + 4. */
void rep_stage(const struct cs_report_opts *o, const char *name, size_t k, size_t n);
/* Monotonic seconds, for the timings. */
double rep_now_s(void);
/* The per-scale table of the terminal, appended to t. */
void rep_terminal_table(const struct cs_report_model *m, struct cs_buf *t);
/* --formats as F_* bits (CS_E_USAGE naming the bad one); the chart
 * surfaces (report/charts.h CS_CHART_*) they ask for. */
cs_status rep_parse_formats(const char *list, unsigned *out, struct cs_err *err);
unsigned rep_surf_of(unsigned fmts);

/* DIR/tables/summary.csv, distribution.csv, issues.csv, trend.csv (bom:
 * --csv-excel, as for every CSV below). */
cs_status rep_write_csv_tables(const struct cs_report_model *m, const char *dir, bool bom,
                               struct cs_report_result *res, struct cs_err *err);
/* DIR/tables/custom.csv: the merge of kind, at most max_cols key columns:
 * open (the header written), a row per rep_custom_csv_row (a cs_join_cb;
 * ctx the opened one), close (committed and listed in res, or with !commit
 * removed; *x freed and NULL).  rep_write_custom_csv does all three with
 * its own pass over the join. */
struct rep_custom_csv;
struct cs_join_row;
cs_status rep_custom_csv_open(struct cs_store *store, const struct cs_filter *f,
                              enum cs_merge kind, const struct cs_privacy *privacy,
                              size_t max_cols, bool bom, const char *dir,
                              struct rep_custom_csv **x, struct cs_err *err);
cs_status rep_custom_csv_row(void *ctx, const struct cs_join_row *r, struct cs_err *err);
cs_status rep_custom_csv_close(struct rep_custom_csv **x, bool commit,
                               struct cs_report_result *res, struct cs_err *err);
cs_status rep_write_custom_csv(struct cs_store *store, const struct cs_filter *f,
                               enum cs_merge kind, const struct cs_privacy *privacy,
                               size_t max_cols, bool bom, const char *dir,
                               struct cs_report_result *res, struct cs_err *err);
/* The file stem of query step i's CSV table (unique among the steps). */
void rep_step_csv_stem(const struct cs_template *t, size_t i, char *out, size_t n);
/* A query step's result as CSV at path. */
cs_status rep_result_csv(const struct cs_result *r, const char *path, bool bom,
                         struct cs_report_result *res, struct cs_err *err);

#endif
