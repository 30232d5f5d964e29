/*
 * report/charts.h: the report's and the comparison's charts, as chart
 * specs built from the models and drawn by render/chart (issue 5).
 */
#ifndef CS_REPORT_CHARTS_H
#define CS_REPORT_CHARTS_H

#include <stdbool.h>

#include "core/err.h"
#include "report/compare.h"
#include "report/model.h"

/* Which surfaces to write (bits). */
enum { CS_CHART_PNG = 1, CS_CHART_SVG = 2, CS_CHART_PDF = 4 };

/* Called for every file written (path borrowed). */
typedef void (*cs_file_cb)(void *ctx, const char *path);

/* DIR/charts/NAME.{png,svg,pdf} for every (category, scale) with at least
 * min_n responses (and the largest scale of each category): distribution,
 * issues (bar and pie), weekly distribution (stacked), poor-rate and mean
 * trends; with CS_CHART_PDF also DIR/report.pdf (summary table page, then
 * every chart).  Returns the number of charts drawn in *n_charts. */
cs_status cs_report_charts(const struct cs_report_model *m, const char *dir,
                           unsigned surfaces, cs_file_cb on_file, void *ctx,
                           int *n_charts, struct cs_err *err);

/* DIR/charts/compare-*: clustered distributions by group and poor rate by
 * group with Wilson whiskers, for the largest scale of each category. */
cs_status cs_compare_charts(const struct cs_compare *c, const char *dir,
                            unsigned surfaces, cs_file_cb on_file, void *ctx,
                            struct cs_err *err);

#endif
