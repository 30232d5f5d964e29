/*
 * report/chart_context.h: what every chart footer says besides n and the
 * scale (issue 18): the window, what the run was filtered to (--resource,
 * --week, --since/--until) and, for a template query step's chart, the
 * template with the values of its own parameters.  A chart that travels
 * alone (pasted into a slide, forwarded) then still says what it shows.
 *
 * Every function returns text the caller owns (free with xfree); "" when
 * there is nothing to say.  Long resource lists are cut after
 * CS_CHART_CONTEXT_MAX_RESOURCES names with "+N more", said, never silent.
 */
#ifndef CS_REPORT_CHART_CONTEXT_H
#define CS_REPORT_CHART_CONTEXT_H

#include "model/filter.h"
#include "report/model.h"

#define CS_CHART_CONTEXT_MAX_RESOURCES 6

struct cs_template;
struct cs_template_params;

/* "filtered: resource ACS-PROD-WEU, ACS-PROD-EUS; week 2026-W46" (or
 * "since 2026-11-01; before 2026-11-15"); has_week/week_label name the
 * week when the window is one (the since/until of the filter are then not
 * repeated).  "" when nothing was filtered.  f may be NULL. */
char *cs_chart_filters_text(const struct cs_filter *f, bool has_week, const char *week_label);

/* The window of m: "2026-11-09 to 2026-11-15" (the filter's bounds where
 * given, else the days of the data; "no data" when m has none). */
char *cs_chart_window_text(const struct cs_report_model *m);

/* "template release-review: question=improvement_suggestion, top=5": the
 * template's name and each of its declared parameters with the value the
 * run bound (from p; "null" when unset).  "" when t is NULL.  p may be
 * NULL (the declared defaults are shown). */
char *cs_chart_template_text(const struct cs_template *t, const struct cs_template_params *p);

/* The texts cs_chart_context_apply put into a spec (owned). */
struct cs_chart_context_hold {
    char *window, *source;
};

struct chart_spec;
/* Complete spec's footnote from m (borrowed; NULL = nothing to add): the
 * window when the spec has none, and as its source the filters, then
 * template_text (NULL = none), then the spec's own source, joined by " · ".
 * The new texts are owned by *hold (zeroed by the caller): release with
 * cs_chart_context_release after the spec was drawn. */
void cs_chart_context_apply(const struct cs_report_model *m, const char *template_text,
                            struct chart_spec *spec, struct cs_chart_context_hold *hold);
void cs_chart_context_release(struct cs_chart_context_hold *hold);

#endif
