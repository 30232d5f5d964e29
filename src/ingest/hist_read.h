/*
 * ingest/hist_read.h: read one histograms table, the result of the
 * `callsurvey kql` query (report/kql.h) or `report --formats histograms`,
 * in any of the three forms it comes in:
 *   csv     the Log Analytics portal's CSV export (and histograms.csv):
 *           a header row of the column names, then one row per result row
 *   tables  the REST API's JSON {"tables":[{"name","columns":[{"name",
 *           "type"}],"rows":[[...]]}]} (the first table is read)
 *   array   `az monitor log-analytics query -o json`: an array of objects,
 *           one per row, keyed by column name (values may be strings; a
 *           "TableName" key is ignored; [] is a table without rows)
 * The form is told from the content (a leading '[' or '{', else CSV).
 *
 * The columns must be those of the contract the caller passes, in any
 * order (read by name; " [UTC]" after a name, as the portal writes it, is
 * dropped), plus any of the --by dimension columns (cs_hist_dim_columns);
 * in the tables form also of the contract's Kusto types.  A difference is
 * CS_E_SCHEMA naming the file and the columns: missing, extra, renamed (one
 * missing and one extra), twice, or of the wrong type.  A bad value is
 * CS_E_PARSE naming the file, the line (CSV) or the row index (JSON, from
 * 0) and the column.  Empty text, JSON null and a missing key are null
 * values.
 */
#ifndef CS_INGEST_HIST_READ_H
#define CS_INGEST_HIST_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctime.h"
#include "core/err.h"

#define CS_HIST_DIMS 10 /* sdk_version, endpoint_type, participant_type, call_type, end_reason,
                           os, os_version, app_version, browser, client_os */

/* The dimension columns a file may carry, in this index order (`kql --by`
 * writes them in the order given: any order is read). */
extern const char *const cs_hist_dim_columns[CS_HIST_DIMS];

enum cs_hist_kind { CS_HK_RATING,
                    CS_HK_TOTAL,
                    CS_HK_MERGED,
                    CS_HK_REJECT };

/* One row, checked: what each kind needs is present and well-formed. */
struct cs_hist_row_in {
    enum cs_hist_kind kind;
    const char *period;             /* "2026-W47", "2026-11-16" or "" (merged, reject only) */
    bool period_day;                /* a day, not an ISO week (when period is not "") */
    int64_t p_start, p_end;         /* the period as [start, end), µs (0 when "") */
    int64_t bucket_week;            /* iso_year * 100 + week of the period's start */
    int64_t bucket_day;             /* days since 1970 of the period's start */
    const char *resource_id;        /* "" when none */
    const char *dims[CS_HIST_DIMS]; /* NULL: the file has no such column */
    const char *custom_key, *custom_value;
    int cat;                               /* rating: enum cs_category; else -1 */
    double lower, upper, threshold, score; /* rating */
    bool default_scale;                    /* rating */
    const char *tags;                      /* rating: comma-joined ("" none) */
    const char *reason;                    /* reject */
    uint64_t n;                            /* every kind */
    uint64_t calls, participants;          /* total */
    int64_t first_us, last_us;             /* total */
    uint64_t line;                         /* CSV: 1-based line; JSON: row index from 0 */
};

struct cs_hist_colspec {
    const char *name;
    const char *type; /* Kusto: string, real, bool, long, datetime */
};

struct cs_hist_read_opts {
    const struct cs_hist_colspec *cols; /* the contract, in order (borrowed) */
    size_t n_cols;
    enum cs_date_order date_order; /* locale dates of portal CSV exports */
};

/* What the file was, for messages and the loader. */
struct cs_hist_file_info {
    const char *form; /* "csv", "tables", "array" (static) */
    unsigned dims;    /* bit i: the file has cs_hist_dim_columns[i] */
    uint64_t rows;    /* rows read */
};

typedef cs_status (*cs_hist_row_cb)(void *ctx, const struct cs_hist_row_in *row,
                                    struct cs_err *err);

/* Read `path`, calling cb once per row (strings borrowed for the call).
 * Errors: CS_E_IO (cannot read), CS_E_PARSE (columns, a bad row, not CSV
 * or JSON of these shapes), CS_E_NODATA (no header), or cb's error. */
cs_status cs_hist_read(const char *path, const struct cs_hist_read_opts *o, cs_hist_row_cb cb,
                       void *ctx, struct cs_hist_file_info *info, struct cs_err *err);

#endif
