/*
 * store/hist_load.h: a store backed by histograms tables (`report
 * --histograms`, issue 21) instead of surveys.
 *
 * The rows of every file (ingest/hist_read.h) go into the table hist_data
 * of the run's private store, merged by addition: rows with the same key
 * (every column but the counts) add their n; total rows add surveys,
 * distinct calls and participants, and keep the earliest first_time and
 * latest last_time.  Distinct counts are exact only per file: when two
 * files hold a total row of the same (period, resource, ...) — two halves
 * of one week, two workspaces with one resource — their sum is an upper
 * bound, and the load says how many such groups there are
 * (cs_hist_summary.overlaps).  The view `histograms` shows the merged
 * table with the query's column names (times as ISO 8601 text) for
 * template SQL steps.
 *
 * A histograms-backed store answers the statistics queries of
 * store/query.h from hist_data (store/query_hist.h); its survey tables
 * stay empty.
 */
#ifndef CS_STORE_HIST_LOAD_H
#define CS_STORE_HIST_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "ingest/hist_read.h"
#include "store/store.h"

/* Create hist_data, hist_files and the view `histograms` in a new private
 * store, and mark it histograms-backed.  Errors: CS_E_DB. */
cs_status cs_hist_prepare_store(struct cs_store *s, struct cs_err *err);

/* Is s histograms-backed (cs_hist_prepare_store was called)? */
bool cs_store_is_hist(const struct cs_store *s);

struct cs_hist_load; /* one file's transaction and statements */

/* Start loading file `path` (numbered in call order).  Returns owned
 * loader in *out (finish with cs_hist_load_end).  Errors: CS_E_DB. */
cs_status cs_hist_load_begin(struct cs_store *s, const char *path, struct cs_hist_load **out,
                             struct cs_err *err);
/* Add one row (borrowed).  Errors: CS_E_DB. */
cs_status cs_hist_load_row(struct cs_hist_load *l, const struct cs_hist_row_in *r,
                           struct cs_err *err);
/* Commit (with the file's form, dimension columns and row count) or roll
 * back, and free *l (NULL after).  Errors: CS_E_DB. */
cs_status cs_hist_load_end(struct cs_hist_load **l, bool commit,
                           const struct cs_hist_file_info *info, struct cs_err *err);

/* After the last file. */
struct cs_hist_summary {
    uint64_t files, rows; /* files loaded, rows read */
    uint64_t surveys;     /* total rows' n (custom_key "") */
    uint64_t overlaps;    /* (period, resource, ...) totals found in several files */
    bool day;             /* periods are days (else ISO weeks) */
    unsigned dims;        /* bit i: some file has cs_hist_dim_columns[i] */
};

/* Fill the per-group first/last times the time filter needs and check the
 * files agree: CS_E_USAGE naming two files when one counts per week and
 * the other per day. */
cs_status cs_hist_finish(struct cs_store *s, struct cs_hist_summary *sum, struct cs_err *err);

/* Does `sql` (a template step, prepared without running) read per-survey
 * data (the surveys, ratings, custom, ... views and their tables)?  On
 * true, `what` gets the first view or table named.  A statement that does
 * not prepare reads nothing here (the step itself reports its error). */
bool cs_hist_reads_surveys(struct cs_store *s, const char *sql, char *what, size_t cap);

#endif
