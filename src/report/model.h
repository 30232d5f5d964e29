/*
 * report/model.h: building the report model (model/report_model.h) from
 * the store.  Built by
 * cs_report_model_build (report/model.c) and freed by
 * cs_report_model_free: the model owns every array in it.
 */
#ifndef CS_REPORT_MODEL_H
#define CS_REPORT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "model/report_model.h"
#include "model/review.h"
#include "stats/stats.h"
#include "store/query.h"

struct cs_model_opts {
    struct cs_filter filter; /* borrowed */
    bool has_week;
    int64_t week_start_us;
    enum cs_bucket bucket;           /* CS_BUCKET_WEEK or CS_BUCKET_DAY */
    struct cs_cube *by_resource_out; /* optional, the caller's (cs_cube_free): the
                                        model's scan grouped by resource (its cube
                                        summed over them), for a review of the same
                                        window; zeroed past CS_CUBE_MAX_GROUPS */
    struct cs_cube *wide_out;        /* optional, with by_resource_out, the caller's
                                        (cs_cube_free): when the filter has since and
                                        until and wide_since_us is before since, the
                                        one scan reaches back to wide_since_us (the
                                        review's comparison periods) into *wide_out
                                        (cs_query_cube_ids_in) and the model's cubes
                                        are cut from it; zeroed when it could not be */
    int64_t wide_since_us;
    uint64_t min_n;
};

/* Compute the model from the store.  Returns owned model in *out (free
 * with cs_report_model_free). */
cs_status cs_report_model_build(struct cs_store *s, const struct cs_model_opts *o,
                                struct cs_report_model **out, struct cs_err *err);

/* cs_report_model_build with side(ctx, err) run meanwhile: the model is
 * built on a second thread over a twin of s (cs_store_open_twin) while
 * side runs on the calling thread with s; where no twin can be opened
 * (a store in memory, histograms) or no thread started, one after the
 * other.  side must not write to s.  The model's error comes first, then
 * side's.  Returns owned model in *out as cs_report_model_build does. */
cs_status cs_report_model_build_beside(struct cs_store *s, const struct cs_model_opts *o,
                                       struct cs_report_model **out,
                                       cs_status (*side)(void *ctx, struct cs_err *err),
                                       void *ctx, struct cs_err *err);
void cs_report_model_free(struct cs_report_model **m);

/* The trend the charts draw over [since, until) (the report's resources and
 * bucket), into m->chart_trend (owned by m): for a review whose comparison
 * periods lie before the report's window.  Errors: the store's. */
cs_status cs_report_context_trend(struct cs_store *s, struct cs_report_model *m, int64_t since,
                                  int64_t until, struct cs_err *err);
/* The same from a cube the caller already has: ungrouped, per m->bucket,
 * over [since, until) of m's filter (the review's two sides, cs_cube_union).
 * Borrows cube. */
void cs_report_context_trend_cube(struct cs_report_model *m, const struct cs_cube *cube,
                                  int64_t since, int64_t until);

/* The (category, scale) groups of cube group cg (-1: every cell), with
 * summaries, distributions and tag shares (against `surveys`).  Returns
 * owned array in *groups (free with cs_rep_groups_free).  Unknown tags are
 * not included (they live in another table; the report model adds them). */

cs_status cs_rep_groups_build(const struct cs_cube *cube, int cg, uint64_t surveys,
                              uint64_t min_n, struct rep_group **groups, size_t *n,
                              struct cs_err *err);
void cs_rep_groups_free(struct rep_group *groups, size_t n);


#endif
