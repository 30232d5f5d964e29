/*
 * report/review_build.h: the weekly review (issue 17): what changed between the
 * review period and its comparison period, on each category's primary
 * scale, with the tags and resources that moved most.  Fills the plain
 * data of model/review.h from the store's cubes; the verdicts come from
 * cs_judge_table, which `compare` uses too (one code path for both).
 */
#ifndef CS_REPORT_REVIEW_BUILD_H
#define CS_REPORT_REVIEW_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "model/review.h"
#include "store/query.h"

#define CS_REVIEW_ALPHA 0.05
#define CS_REVIEW_MOVERS 5 /* tags (and resources) listed per category */

struct cs_review_opts {
    struct cs_filter filter; /* the report's filter (borrowed strings): its
                                   since/until, where given, are the period */
    int64_t data_first_us;   /* first and last survey time under the
                                   filter's resources (the report's totals): */
    int64_t data_last_us;    /*   the default period is taken from them */
    enum cs_review_vs vs;    /* --vs previous|none|N */
    unsigned vs_periods;     /* N of --vs N (1 for previous) */
    uint64_t min_n;          /* --min-n (30) */
    double min_effect_pts;   /* --min-effect, points (0) */
    const char *const *dims; /* report --by dimensions (borrowed); the version
                                   ones (sdk-version, app-version) give movers */
    size_t n_dims;
    enum cs_bucket bucket;                    /* the sides' cells per bucket (only for trend_out) */
    const struct cs_cube *period_by_resource; /* optional, borrowed: the cube of
                                   `filter` grouped by resource per `bucket`
                                   (cs_model_opts.by_resource_out); used as the
                                   period's when the period is the filter's
                                   since/until, and either side is cut from it
                                   (cs_cube_window) when its slices allow,
                                   sparing their scans */
    const struct cs_cube *scanned;            /* optional, borrowed: a cube grouped by resource
                                   per `bucket` of scanned_filter (filter's
                                   resources, a window containing filter's, e.g.
                                   cs_model_opts.wide_out): the sides are cut from
                                   it rather than from period_by_resource */
    struct cs_filter scanned_filter;
    struct cs_cube *trend_out; /* optional, the caller's: when the review has a
                                   previous side, the cube over [previous.since,
                                   period.until) per `bucket` (cs_cube_union of
                                   the two sides: no distinct calls), else
                                   zeroed; free with cs_cube_free */
};

/* Judge n differences as one table: cmp[i] (filled by the caller with
 * stats_compare_poor(now, before)) with responses n_now[i] / n_before[i].
 * Rows with n_now or n_before under min_n are "too small to judge" and
 * left out of the Holm adjustment; the others get Holm-adjusted p-values
 * and "worse"/"better" when p_holm < alpha and |diff| >= min_effect_pts
 * points, else "no evidence" (flagged adjusted_away when the unadjusted
 * interval excludes 0, below_min_effect when only the effect size kept it
 * from a verdict).  Writes j[i] (cmp copied in).  Pure. */
void cs_judge_table(const struct stats_poor_cmp *cmp, const uint64_t *n_now,
                    const uint64_t *n_before, size_t n, uint64_t min_n,
                    double min_effect_pts, double alpha, struct cs_judgement *j);

/* The review window of o (see struct cs_review_window): the filter's
 * since/until when given (an open end is closed by the data's first or
 * last day), else the last complete ISO week of the data (the whole data
 * when no week is complete).  Returns false when there is no data. */
bool cs_review_period(const struct cs_review_opts *o, struct cs_review_window *w);
/* "2026-W47", "2026-W44 to 2026-W46", "2026-11-16 to 2026-11-18" or
 * "2026-11-16" for [since, until) into w->label. */
void cs_review_label(struct cs_review_window *w);

/* Build the review.  Returns owned *out (cs_review_free); a store without
 * surveys in the period gives a review with no rows.  Errors: the store's. */
cs_status cs_review_build(struct cs_store *s, const struct cs_review_opts *o,
                          struct cs_review **out, struct cs_err *err);
void cs_review_free(struct cs_review **r);

/* The headline for the terminal: a title line, one line per row, the
 * movers and the minor scales.  Returns owned text (xfree). */
char *cs_review_text(const struct cs_review *r);


#endif
