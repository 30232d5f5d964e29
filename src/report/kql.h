/*
 * report/kql.h: `callsurvey kql` — the KQL query that counts, inside Log
 * Analytics / Azure Data Explorer, what `callsurvey report` counts locally
 * (issue 21).  Plain text generation: no SQLite, no cJSON.
 *
 * The query returns ONE table whose columns are the contract below
 * (cs_kql_columns: names, order, Kusto types).  Every figure of DESIGN.md §8
 * is a sum over its rows: a "rating" row counts the responses of one
 * (period, resource, custom answer, category, scale, score, tag set); a
 * "total" row the surveys, distinct calls and participants of one (period,
 * resource, custom answer); a "merged" row the records merged into a survey
 * (repeats and updates of one SurveyId); a "reject" row the records the web
 * SDK's rules reject, per reason.  The same rows from local data are
 * the planned `report --formats histograms` (DIR/histograms.csv).
 */
#ifndef CS_REPORT_KQL_H
#define CS_REPORT_KQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* One column of the result table. */
struct cs_kql_column {
    const char *name; /* as in the query's final project and histograms.csv */
    const char *type; /* Kusto type: string, real, bool, long, datetime */
    const char *what; /* one line: what it holds, on which kinds of rows */
};

/* The contract without --by, in result order (static; never freed). */
extern const struct cs_kql_column cs_kql_columns[];
extern const size_t cs_kql_n_columns;

#define CS_KQL_MAX_LIST 64 /* --resource values, --custom-keys keys */
#define CS_KQL_MAX_BY 10   /* --by dimensions (each at most once) */

struct cs_kql_opts {
    bool has_since, has_until; /* survey window [since, until), µs */
    int64_t since_us, until_us;
    bool bucket_day;                        /* period = day (default ISO week) */
    const char *resources[CS_KQL_MAX_LIST]; /* borrowed: ARM ids or last segments */
    size_t n_resources;
    const char *custom_keys[CS_KQL_MAX_LIST]; /* borrowed */
    size_t n_custom_keys;
    const char *by[CS_KQL_MAX_BY]; /* borrowed: --by sdk-version, os, os-version,
                                      endpoint-type, participant-type, call-type,
                                      end-reason, app-version, browser, client-os */
    size_t n_by;
    const char *events_table; /* "customEvents" (default) or "AppEvents" */
    const char *app;          /* app('NAME').customEvents; NULL: none */
    const char *event_name;   /* custom events read (default CallSurvey) */
    const char *id_key;       /* customDimensions key of the survey id (default id) */
    double default_threshold; /* for ratings without a scale (default 2) */
    const char *version;      /* "callsurvey 0.1.0", for the header */
    const char *command_line; /* as typed, for the header (one line) */
};

/* Defaults: no window, week buckets, customEvents, CallSurvey, id, 2. */
void cs_kql_opts_default(struct cs_kql_opts *o);

/* Check the options (a value KQL text cannot carry, a custom key without an
 * events source, ...) and build the query.  On success *out is the query
 * text (owned by the caller: xfree).  On failure returns CS_E_USAGE with
 * err naming the option. */
cs_status cs_kql_build(const struct cs_kql_opts *o, char **out, struct cs_err *err);

/* The contract as text, one "name<TAB>type" line per column (owned by the
 * caller: xfree): cs_kql_columns with, after resource_id, one string column
 * per --by dimension of o (o may be NULL: none).  This is what `callsurvey
 * kql --print-columns` prints and tests/kql/check.js compares the analysed
 * result schema with.  NULL (nothing allocated) when o's --by is invalid. */
char *cs_kql_columns_text(const struct cs_kql_opts *o);

#endif
