/*
 * report/chart_bins.h: the columns of a distribution chart (issue 18).
 *
 * A scale of whole numbers with at most 21 levels (1-5, 0-10) gets one
 * column per whole score; a fractional score (3.5) is counted in the column
 * of the next whole score, so column k holds the scores above k-1 up to k
 * and a column is poor exactly when its scores are (poor = at or below the
 * threshold).  A larger scale (0-100) is binned in tenths of the scale with
 * a bin edge at the threshold: poor bins [a, a+w) up to a last one that ends
 * at the threshold itself, good bins (a, a+w] above it.  Other scales keep
 * one column per observed level.  summary.json keeps the exact levels.
 */
#ifndef CS_REPORT_CHART_BINS_H
#define CS_REPORT_CHART_BINS_H

#include <stdbool.h>
#include <stddef.h>

#include "report/model.h"

struct cs_dist_bins {
    size_t n;      /* columns */
    char **labels; /* owned, n owned strings: "3", "40–50", ">50–60" */
    double *count; /* owned, n: responses per column */
    bool *poor;    /* owned, n: every score of the column is poor */
    bool binned;   /* tenths of the scale */
    bool folded;   /* fractional scores were counted in whole columns */
};

/* Fill *b from g's distribution (zeroed first).  Free with
 * cs_dist_bins_free. */
void cs_dist_bins_build(const struct rep_group *g, struct cs_dist_bins *b);
void cs_dist_bins_free(struct cs_dist_bins *b);

#endif
