/*
 * store/query_hist.h: the statistics queries of store/query.h answered from
 * a histograms-backed store (store/hist_load.h).  store/query.c hands
 * over to these when cs_store_is_hist(s); the results have the same shape
 * and order as the survey path's, so the report cannot tell them apart.
 *
 * Defined in store/hist_cube.c; this header has no .c of its own, so that
 * query.c may include it without a cycle (tests/tools/layers.sh).
 *
 * What histograms cannot give, and what is given instead:
 *   time filter  a period (week or day) lying wholly inside [since, until)
 *                counts, one wholly outside does not; one cut by a bound
 *                counts when all its surveys (its total row's first and
 *                last time) are on one side, else CS_E_USAGE naming it
 *   distinct calls and participants  sums over the (period, resource,
 *                dimension) total rows: exact when no call has surveys in
 *                two of them, else an upper bound
 *   duplicates   the merged rows (duplicates and updates together);
 *                updated and conflicts are 0
 *   --bucket day and --by day  need histograms counted per day
 *   --by custom:KEY  needs rows of that custom key (`kql --custom-keys`)
 *   release dimensions  need the file's column (`kql --by DIM`)
 */
#ifndef CS_STORE_QUERY_HIST_H
#define CS_STORE_QUERY_HIST_H

#include "core/err.h"
#include "model/filter.h"
#include "store/query.h"
#include "store/store.h"

/* cube_scan's counterpart: by, key (custom key or dimension) and keep as
 * cs_query_cube_grouped / cs_query_cube_dim take them. */
cs_status cs_hist_cube(struct cs_store *s, const struct cs_filter *f, enum cs_bucket bucket,
                       enum cs_group_by by, const char *key, const char *keep,
                       struct cs_cube *cube, struct cs_err *err);

cs_status cs_hist_unknown_tags(struct cs_store *s, const struct cs_filter *f, cs_unknown_cb cb,
                               void *ctx, struct cs_err *err);

/* The files as survey inputs: inputs = files, stored = surveys,
 * duplicates = merged records, rejected = rejected records, read = their
 * sum; this run's and the database's alike; no event inputs. */
cs_status cs_hist_accounting(struct cs_store *s, struct cs_accounting_totals *t,
                             struct cs_err *err);

/* Some row has custom_key `key`; else CS_E_NODATA listing the keys. */
cs_status cs_hist_check_custom_key(struct cs_store *s, const char *key, struct cs_err *err);

#endif
