/*
 * report/charts.h: the report's and the comparison's charts, as chart
 * specs built from the models and drawn by render/chart (issue 5).
 */
#ifndef CS_REPORT_CHARTS_H
#define CS_REPORT_CHARTS_H

#include <stdbool.h>

#include "core/err.h"
#include "model/comparison.h"
#include "model/run.h"
#include "report/model.h"

/* Which surfaces to write (bits). */
enum { CS_CHART_PNG = 1,
       CS_CHART_SVG = 2,
       CS_CHART_PDF = 4 };

/* Called for every file written (path borrowed). */
typedef void (*cs_file_cb)(void *ctx, const char *path);
/* Called with the file stem of every chart (name borrowed). */
typedef void (*cs_name_cb)(void *ctx, const char *name);

/* The charts of one report run: files under DIR/charts and, with
 * CS_CHART_PDF, DIR/charts/NAME.pdf and DIR/report.pdf, a document laid
 * out at close (report/pdf_report.h) from the charts the sections drew. */
struct cs_charts;

enum cs_chart_section {
    CS_CHARTS_DISTRIBUTION, /* per (category, scale): distribution */
    CS_CHARTS_ISSUES,       /* per (category, scale): issue bars and pie */
    CS_CHARTS_TREND,        /* per (category, scale): poor-rate and mean trends */
};


/* Open the output (creates DIR/charts; with CS_CHART_PDF opens report.pdf).  Returns owned *out (close with
 * cs_charts_close). */
cs_status cs_charts_open(const struct cs_report_model *m, const char *dir,
                         unsigned surfaces, const struct cs_chart_size *size,
                         cs_file_cb on_file, void *ctx,
                         struct cs_charts **out, struct cs_err *err);
/* What report.pdf needs beyond the model (report/pdf_report.h; copied);
 * a no-op without CS_CHART_PDF. */
/* The template whose query steps draw the next charts (cs_charts_result):
 * their footers name it with its parameters' values (copied; t NULL =
 * none). */
struct cs_template;
struct cs_template_params;
void cs_charts_set_template(struct cs_charts *c, const struct cs_template *t,
                            const struct cs_template_params *p);
struct cs_pdf_info;
void cs_charts_pdf_info(struct cs_charts *c, const struct cs_pdf_info *info);
/* May sections be drawn on several threads at once (each with its files
 * and its error)?  Not when report.pdf collects the charts in order. */
bool cs_charts_concurrent(const struct cs_charts *c);
/* One section's charts for every (category, scale) with at least min_n
 * responses (and the largest scale of each category); category -1 = all. */
cs_status cs_charts_section(struct cs_charts *c, enum cs_chart_section section,
                            int category, struct cs_err *err);
struct cs_template_step;
struct cs_result;
/* The chart of a template query step (render column, column2y, bar, pie,
 * line, stacked) from its result: x gives the categories, y (and y2) the
 * values; with `series`, one series per distinct value of that column.
 * name is the chart file stem.  A render of "table" draws nothing. */
cs_status cs_charts_result(struct cs_charts *c, const struct cs_template_step *st,
                           const struct cs_result *r, const char *name,
                           struct cs_err *err);
/* Close (ok: finish report.pdf; else remove it).  *n_charts: charts drawn. */
cs_status cs_charts_close(struct cs_charts **c, bool ok, int *n_charts,
                          struct cs_err *err);

/* The stems of the charts a section would draw, without drawing: with
 * cmp == NULL, section over m for category (-1 = all) as cs_charts_section;
 * else the compare charts of compare_parts as cs_compare_charts.  For
 * checking a template's own chart names against them (issue 15 item 15). */
cs_status cs_charts_names(const struct cs_report_model *m, const struct cs_compare *cmp,
                          enum cs_chart_section section, unsigned compare_parts,
                          int category, cs_name_cb on_name, void *ctx,
                          struct cs_err *err);

struct chart_spec;
/* Called with every chart's spec (borrowed for the call) and file stem. */
typedef cs_status (*cs_spec_cb)(void *ctx, const char *name, const struct chart_spec *spec,
                                struct cs_err *err);
/* The specs of the charts a section would draw, handed to on_spec instead
 * of drawn (same arguments as cs_charts_names): for pages that draw the
 * charts themselves (report.html inlines them as SVG).  An error of
 * on_spec stops the walk and is returned. */
cs_status cs_charts_specs(const struct cs_report_model *m, const struct cs_compare *cmp,
                          enum cs_chart_section section, unsigned compare_parts,
                          int category, cs_spec_cb on_spec, void *ctx, struct cs_err *err);

/* Which compare charts to draw (bits). */
enum { CS_COMPARE_POOR = 1,
       CS_COMPARE_DIST = 2 };
/* DIR/charts/compare-*: poor rate by group with Wilson whiskers
 * (CS_COMPARE_POOR) and clustered distributions by group
 * (CS_COMPARE_DIST), for the largest scale of each category.  m (borrowed,
 * may be NULL) is the comparison's window and filter: its footers name
 * them. */
cs_status cs_compare_charts(const struct cs_compare *c, const struct cs_report_model *m,
                            const char *dir, unsigned surfaces,
                            const struct cs_chart_size *size, unsigned parts,
                            cs_file_cb on_file, void *ctx, struct cs_err *err);

#endif
