/*
 * store/histograms.h: the rows of the `callsurvey kql` result table
 * (report/kql.h, cs_kql_columns), computed from the local store: what
 * `report --formats histograms` writes as DIR/histograms.csv.
 *
 * Row kinds, as the query returns them:
 *   rating  one per (period, resource, category, scale, score, tag set):
 *           n responses
 *   total   one per (period, resource): n surveys, distinct calls and
 *           participants, first and last survey time
 *   merged  records merged into a stored survey (duplicates + updates); the
 *           store keeps these per input, so locally there is one row with
 *           empty period and resource
 *   reject  per reason; the store keeps no valid time or resource for a
 *           rejected record, so period and resource are empty
 * The custom_key/custom_value columns are empty but with custom keys
 * (cs_histograms_scan_by, the query's --custom-keys): then the rating and
 * total rows come once as they are and once per key, with each survey's
 * latest answer to it ("" when none).  With release dimensions (the
 * query's --by), rating and total rows are per group of each dimension as
 * model/dims.h's cs_dim_group names it (every group kept, none pooled as
 * "other"; "unknown" for a survey without a leg or event); merged and
 * reject rows have none ("").  Rows come sorted as the query's final
 * `order by`.
 */
#ifndef CS_STORE_HISTOGRAMS_H
#define CS_STORE_HISTOGRAMS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "store/query.h"
#include "store/store.h"

#define CS_HIST_MAX_BY 10 /* release dimensions of one scan */

struct cs_hist_row {
    const char *kind;                      /* "rating", "total", "merged", "reject" */
    const char *period;                    /* "2026-W47" / "2026-11-16" / "" */
    const char *resource_id;               /* "" when none */
    const char *dims[CS_HIST_MAX_BY];      /* the groups, in the scan's by order */
    const char *custom_key, *custom_value; /* "" on the plain rows */
    int cat;                               /* rating: enum cs_category; else -1 */
    double lower, upper, threshold, score; /* rating */
    bool default_scale;                    /* rating */
    const char *tags;                      /* rating: sorted, comma-joined; else "" */
    const char *reason;                    /* reject; else "" */
    uint64_t n;
    uint64_t calls, participants; /* total */
    int64_t first_us, last_us;    /* total */
};

/* Calls cb once per row, in the query's order; strings are borrowed for the
 * call.  bucket is CS_BUCKET_WEEK or CS_BUCKET_DAY. */
cs_status cs_histograms_scan(struct cs_store *s, const struct cs_filter *f,
                             enum cs_bucket bucket,
                             cs_status (*cb)(void *ctx, const struct cs_hist_row *r,
                                             struct cs_err *err),
                             void *ctx, struct cs_err *err);

/* What a scan splits the rows by: the query's --by (release dimensions,
 * model/dims.h names, each once, at most CS_HIST_MAX_BY) and --custom-keys
 * (borrowed; non-empty keys). */
struct cs_hist_split {
    const char *const *by;
    size_t n_by;
    const char *const *custom_keys;
    size_t n_custom_keys;
};

/* The same split by sp (NULL: none); a dimension name it does not know is
 * CS_E_USAGE. */
cs_status cs_histograms_scan_by(struct cs_store *s, const struct cs_filter *f,
                                enum cs_bucket bucket, const struct cs_hist_split *sp,
                                cs_status (*cb)(void *ctx, const struct cs_hist_row *r,
                                                struct cs_err *err),
                                void *ctx, struct cs_err *err);

#endif
