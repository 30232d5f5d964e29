/*
 * report/compare_run.h: `callsurvey compare`: groups (resources, weeks, days,
 * or answers of a custom question) side by side, each (category, scale)
 * against the baseline group with intervals, tests, Holm-adjusted p-values
 * and a verdict (DESIGN.md §6 compare.json, §8 comparisons).
 */
#ifndef CS_REPORT_COMPARE_RUN_H
#define CS_REPORT_COMPARE_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "model/comparison.h"
#include "model/review.h"
#include "model/run.h"
#include "report/model.h"
#include "stats/stats.h"
#include "store/query.h"

struct cs_privacy;

struct cs_compare_opts {
    struct cs_filter filter; /* borrowed strings */
    const char *by;          /* as given on the command line */
    const char *baseline;    /* key or label, case-insensitive, or "previous"
                                   (--by week|day); NULL = the earliest week or
                                   day, or the resource or answer with the most
                                   surveys */
    uint64_t min_n;          /* 30 */
    double min_effect;       /* --min-effect, points (0) */
    size_t top;              /* --by a release dimension: groups kept (0 = 10),
                                the rest pooled as "other" */
};

/* Build the comparison.  Errors: CS_E_USAGE for a bad --by or an unknown
 * --baseline (naming the groups present), CS_E_NODATA for fewer than two
 * groups.  Returns owned *out (free with cs_compare_free). */
cs_status cs_compare_build(struct cs_store *s, const struct cs_compare_opts *o,
                           struct cs_compare **out, struct cs_err *err);
void cs_compare_free(struct cs_compare **c);

/* Privacy mode (model/privacy.h) for a built comparison: with --by
 * custom:KEY the groups are answers, so when p drops free text every
 * group whose answer is text (not a number or true/false) is renamed
 * "answer " + the answer's pseudonym, in key and label, before anything is
 * written.  Other groupings (resources, weeks, days) hold no ids and stay.
 * NULL p: nothing changes.  Returns the number of groups renamed. */
size_t cs_compare_apply_privacy(struct cs_compare *c, const struct cs_privacy *p);

struct cs_template;
struct cs_template_params;
struct cs_store;
struct cs_report_model;
/* Where and how cs_compare_render writes. */
struct cs_compare_out {
    const char *dir;                              /* output directory (exists) */
    int64_t run_time_s;                           /* About */
    const char *tool_version;                     /* About */
    unsigned surfaces;                            /* CS_CHART_PNG | CS_CHART_SVG (report/charts.h) */
    struct cs_chart_size chart_size;              /* --size, --dpi (0 = defaults) */
    const struct cs_report_model *m;              /* the whole window: About, Data Quality,
                                          query-step charts; NULL = left out */
    const struct cs_filter *filter;               /* borrowed; NULL = all */
    const char *filters_text;                     /* About */
    const struct cs_privacy *privacy;             /* --pseudonymize: About and Data Quality
                                          as in report.xlsx; NULL = off */
    void (*on_file)(void *ctx, const char *path); /* every file written */
    void (*on_note)(void *ctx, const char *msg);  /* steps compare skips */
    bool html;                                    /* also DIR/compare.html (issue 19) */
    void *ctx;
};
/* CS_OK when the template has a `section: compare` step; else CS_E_TEMPLATE
 * naming the template (checked before any data is read). */
cs_status cs_compare_template_check(const struct cs_template *t, struct cs_err *err);
/* DIR/compare.xlsx and DIR/charts/compare-* following the template's steps,
 * in order: compare (the Comparison and Groups sheets, poor rate by group
 * charts), distribution (shares by group per category, clustered column
 * charts), data_quality (the report's Data Quality sheet), and query steps
 * (a sheet with its native chart, and the PNG/SVG chart).  render: table
 * draws no chart.  Other sections belong to `report` and are skipped with a
 * note.  On failure nothing is left under compare.xlsx. */
cs_status cs_compare_render(const struct cs_compare *c, struct cs_store *s,
                            const struct cs_template *t,
                            const struct cs_template_params *p,
                            const struct cs_compare_out *o, struct cs_err *err);

/* The terminal table; returns owned text (xfree). */
char *cs_compare_text(const struct cs_compare *c, bool only_worse);

#endif
