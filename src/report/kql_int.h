/*
 * report/kql_int.h: what report/kql.c and report/kql_dims.c share (the
 * --by dimensions of the `callsurvey kql` query).  Internal to the two.
 */
#ifndef CS_REPORT_KQL_INT_H
#define CS_REPORT_KQL_INT_H

#include <stdbool.h>

#include "core/buf.h"
#include "core/err.h"
#include "report/kql.h"

/* One --by dimension of the query. */
struct cs_kql_dim {
    const char *name;   /* as given to --by: "sdk-version" */
    const char *column; /* result column (model/dims.h cs_dim_column) */
    const char *leg;    /* ACSCallSummary column; NULL for the events' dims */
    const char *event;  /* customEvents column; NULL for the legs' dims */
    const char *app;    /* ... its AppEvents name */
    const char *group;  /* the KQL function giving the group */
    const char *what;   /* for the header comment */
};

/* The dimension of a --by value cs_kql_dims_check accepted (never NULL). */
const struct cs_kql_dim *cs_kql_dim_find(const char *name);
/* Each --by value known, given once. */
cs_status cs_kql_dims_check(const struct cs_kql_opts *o, struct cs_err *err);
/* Does some --by dimension read the custom events (app-version, browser,
 * client-os)? */
bool cs_kql_dims_need_events(const struct cs_kql_opts *o);
/* Step 3b: the group functions and `surveys_by`, the surveys with one
 * column per --by dimension. */
void cs_kql_dims_step(struct cs_buf *t, const struct cs_kql_opts *o, bool app_events);

/* From kql.c: a KQL string literal; the custom events' table; the window
 * filters of a time column. */
void cs_kql_put_lit(struct cs_buf *t, const char *v);
void cs_kql_put_events(struct cs_buf *t, const struct cs_kql_opts *o, bool app_events);
void cs_kql_put_window(struct cs_buf *t, const struct cs_kql_opts *o, const char *col, bool slack);

#endif
