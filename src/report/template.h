/*
 * report/template.h: report templates (YAML), loaded, validated, found and
 * run.
 *
 * A template orders and titles the steps of a report.  Each step is either
 * a built-in section computed in C (summary, distribution, ...) or an SQL
 * query over the contract views (DESIGN.md §7), plus how to show it: a
 * table or a chart kind, columns for the chart, number formats, a sheet
 * name and a chart file name.  Example (templates/examples/custom-breakdown.yaml):
 *
 *     title: Custom question breakdown
 *     description: Poor rate of the overall rating by the answer to a custom question
 *     parameters:
 *       - name: question
 *         type: string
 *         default: rating_reason
 *         description: the custom property to break down by
 *     steps:
 *       - title: Poor rate by answer
 *         query: |
 *           SELECT c.value AS answer, count(*) AS responses,
 *                  avg(r.is_poor) AS poor_rate
 *           FROM ratings r JOIN custom c ON c.survey_id = r.survey_id
 *           WHERE c.key = :question AND r.category = 'overall'
 *             AND r.time >= :since AND r.time < :until
 *           GROUP BY c.value ORDER BY poor_rate DESC
 *         render: column2y
 *         x: answer
 *         y: poor_rate
 *         y2: responses
 *         formats: [{column: poor_rate, format: "0.0%"}, {column: responses, format: "#,##0"}]
 *         sheet: By answer
 *         chart: poor-rate-by-answer
 *
 * Keys.  Top level: title (required), description, parameters, steps
 * (required, at least one).  A parameter: name (required), type (string |
 * number | time; default string), default, description.  A step: title
 * (required), exactly one of section or query, category (sections
 * distribution, issues and trend only), render, x, y, y2, series, formats
 * (a list of {column, format}), sheet, chart, note.
 *
 * Validation happens in cs_template_load, before any data is read: YAML
 * syntax, unknown keys, wrong kinds (a list where text belongs), missing
 * required keys, unknown section/render/category/parameter type, a step
 * with both or neither of section and query, render kinds a section does
 * not draw, chart kinds without the columns they need (column, bar, line:
 * x and y; column2y: x, y and y2; pie: x and y; stacked: x, y and series),
 * invalid or duplicate sheet names (Excel: 1..31 characters, none of
 * []:*?/\, no leading or trailing apostrophe, not "History", not "About"
 * which the workbook writes itself; duplicates compared case-insensitively
 * as Excel does), unsafe or duplicate chart names (letters, digits, '-',
 * '_', '.', at most 64 bytes, not starting with '.'), parameters (names,
 * duplicates, defaults of the declared type).  Every error names the file
 * and line: err->where = "weekly.yaml:12", err->code = CS_E_TEMPLATE.
 * Column names are checked against a query's columns by
 * cs_template_check_queries (needs the store, but no data) and
 * cs_template_run_step.
 *
 * The C side of sections (what "distribution" computes and draws) lives in
 * the report code; this module only knows each section's name, allowed and
 * default render kinds, and the sheet and chart names it writes by default
 * (cs_template_sheet_name, cs_template_chart_name), so that duplicates are
 * caught here with a line number.
 */
#ifndef CS_REPORT_TEMPLATE_H
#define CS_REPORT_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "report/opts.h"
#include "store/runner.h"
#include "store/store.h"

#define CS_SHEET_NAME_MAX 31                /* Excel's limit, in characters */
#define CS_CHART_NAME_MAX 64                /* chart file name stem, in bytes */
#define CS_TEMPLATE_MAX_BYTES (1024 * 1024) /* larger template files are refused */

/* How a step is shown.  Strings in YAML: the names in the comments. */
enum cs_render {
    CS_RENDER_TABLE = 0, /* "table": rows only, no chart */
    CS_RENDER_COLUMN,    /* "column": vertical bars, x categories, y values */
    CS_RENDER_COLUMN2Y,  /* "column2y": columns of y plus a line of y2 on a second axis */
    CS_RENDER_BAR,       /* "bar": horizontal bars */
    CS_RENDER_PIE,       /* "pie": x labels, y values */
    CS_RENDER_LINE,      /* "line": x along the axis (time), y values */
    CS_RENDER_STACKED,   /* "stacked": stacked columns, one stack part per series value */
    CS_RENDER__COUNT
};

/* What a step computes: a built-in section or a query. */
enum cs_section {
    CS_SECTION_QUERY = 0,    /* the step's own SQL (`query:`) */
    CS_SECTION_SUMMARY,      /* "summary": one row per (category, scale) */
    CS_SECTION_DISTRIBUTION, /* "distribution": scores, one block per category */
    CS_SECTION_ISSUES,       /* "issues": issue tags, one block per category */
    CS_SECTION_TREND,        /* "trend": per ISO week (or day) */
    CS_SECTION_CUSTOM,       /* "custom": joined custom-question answers */
    CS_SECTION_DATA_QUALITY, /* "data_quality": rejects, duplicates, unknown tags, orphans */
    CS_SECTION_DATA,         /* "data": the survey rows themselves */
    CS_SECTION_COMPARE,      /* "compare": the comparison rows of `callsurvey compare` */
    CS_SECTION_BREAKDOWN,    /* "breakdown": figures by the release dimension named by x:
                                (as report --by DIM; report/breakdown.h) */
    CS_SECTION__COUNT
};

enum cs_param_type {
    CS_PARAM_STRING = 0, /* "string": bound as text */
    CS_PARAM_NUMBER,     /* "number": bound as an integer when integral, else a real */
    CS_PARAM_TIME,       /* "time": ISO 8601, bound as text in the views' form
                            ("2026-11-16T00:00:00.000Z") and as NAME_us (µs) */
};

/* 1-based lines of a step's keys in the file; 0 = key absent. */
struct cs_template_step_lines {
    unsigned title, section, category, query, render;
    unsigned x, y, y2, series, formats, sheet, chart, note;
};

/* A number format for one result column. */
struct cs_template_format {
    char *column;  /* owned: column name (case-insensitive match) */
    char *format;  /* owned: Excel number format, "0.00%", "#,##0" */
    unsigned line; /* line of this entry */
};

struct cs_template_param {
    char *name; /* owned: identifier, bound as :name */
    enum cs_param_type type;
    char *default_value;   /* owned, NULL = none (bound as NULL unless given) */
    char *description;     /* owned, "" when absent */
    unsigned line;         /* line of the entry */
    unsigned default_line; /* line of `default:`, 0 if absent */
};

struct cs_template_step {
    char *title;                        /* owned, non-empty */
    enum cs_section section;            /* CS_SECTION_QUERY for a query step */
    int category;                       /* enum cs_category, or -1: every category present */
    char *query;                        /* owned SQL for query steps, NULL for sections */
    enum cs_render render;              /* as given, else the section's default (table for queries) */
    bool render_given;                  /* `render:` was in the file */
    char *x, *y, *y2, *series;          /* owned column names, NULL when absent */
    struct cs_template_format *formats; /* owned */
    size_t n_formats;
    char *sheet;   /* owned: `sheet:` as given, NULL = default name */
    char *chart;   /* owned: `chart:` as given, NULL = default name */
    char *note;    /* owned: text shown under the step's block, NULL = none */
    unsigned line; /* line where the step starts */
    struct cs_template_step_lines lines;
};

struct cs_template {
    char *path;                       /* owned: the file as given to load, used in messages */
    char *name;                       /* owned: file name without directory and .yaml/.yml */
    char *title;                      /* owned */
    char *description;                /* owned, "" when absent */
    struct cs_template_param *params; /* owned, in file order */
    size_t n_params;
    struct cs_template_step *steps; /* owned, in file order (at least one) */
    size_t n_steps;
};

/* ---- Loading ---------------------------------------------------------- */

/* Load and validate the template file at path.  Returns owned template in
 * *out (free with cs_template_free); *out is NULL on error.  Errors:
 * CS_E_IO (unreadable, where = path), CS_E_TEMPLATE (where = "path:line"). */
cs_status cs_template_load(const char *path, struct cs_template **out,
                           struct cs_err *err);

/* As cs_template_load, from len bytes of YAML (borrowed); `path` is the name
 * used in messages and in t->path / t->name. */
cs_status cs_template_load_data(const char *path, const char *yaml, size_t len,
                                struct cs_template **out, struct cs_err *err);

/* Free a template and set *t to NULL.  NULL and a NULL *t are no-ops. */
void cs_template_free(struct cs_template **t);

/* ---- Names ------------------------------------------------------------ */

/* YAML names of the enums ("column2y", "data_quality", "time"). */
const char *cs_render_name(enum cs_render r);
const char *cs_section_name(enum cs_section s);
const char *cs_param_type_name(enum cs_param_type t);

/* Whether a render kind draws a chart (everything but table). */
bool cs_render_is_chart(enum cs_render r);

/* The sheet a step writes for `category` (enum cs_category; -1 when the
 * step is not per category), into buf (at least 128 bytes: up to 31 UTF-8
 * characters).  `sheet:` when given (issues and trend over every category
 * write them all on that one sheet; a distribution over every category,
 * one sheet per category, cannot take sheet:); else the section's default:
 * Summary, the category's title for distribution ("Audio"), Issues or
 * "Audio issues", Trend or "Audio trend", Custom, Data Quality, Data,
 * Compare; for a query step its title with []:*?/\ replaced by '-' and cut
 * at 31 characters.  Returns buf. */
char *cs_template_sheet_name(const struct cs_template_step *st, int category,
                             char *buf, size_t n);

/* The chart file name stem (no directory, no extension) a step writes for
 * `category` (as above), into buf (at least CS_CHART_NAME_MAX + 1 bytes);
 * "" when the step draws no chart (render table).  `chart:` when given,
 * with "-<category>" appended when a section over every category draws one
 * chart per category; else the default: "<category>-distribution",
 * "<category>-issues", "trend-poor-rate" (or "<category>-trend-poor-rate"),
 * "compare-poor-rate", "<section>" for the others, and for a query step
 * its title in lower case with other characters as '-'.  Returns buf. */
char *cs_template_chart_name(const struct cs_template_step *st, int category,
                             char *buf, size_t n);

/* ---- Finding ---------------------------------------------------------- */

/* The default template search path, in order: each directory of env_dirs
 * (the value of $CALLSURVEY_TEMPLATES, ':'-separated; NULL or "" = none),
 * <exe dir>/../share/callsurvey/templates, <exe dir>/../templates (a build
 * tree), ./templates.  exe_path is the running binary (NULL: read
 * /proc/self/exe).  Returns an owned array of owned strings in *dirs (free
 * with cs_template_dirs_free); directories need not exist. */
void cs_template_dirs(const char *env_dirs, const char *exe_path, char ***dirs,
                      size_t *n_dirs);
void cs_template_dirs_free(char ***dirs, size_t n_dirs);

/* Resolve NAME or FILE.  A value containing '/' or ending in .yaml/.yml is
 * a file path (it must exist); otherwise it is a name: the first
 * dirs[i]/NAME.yaml that exists.  Returns the owned path in *path (free
 * with xfree).  Errors: CS_E_USAGE for a name that is not [A-Za-z0-9_-]+,
 * CS_E_IO when nothing is found (the message lists the directories
 * searched). */
cs_status cs_template_find(const char *name_or_path, char *const *dirs,
                           size_t n_dirs, char **path, struct cs_err *err);

/* One built-in template, for `callsurvey templates`. */
struct cs_template_info {
    char *name;        /* owned: "weekly-review" */
    char *path;        /* owned: where it was found */
    char *title;       /* owned, NULL when the file is invalid */
    char *description; /* owned, NULL when the file is invalid */
    char *error;       /* owned: "path:line: message" when invalid, else NULL */
};

/* List the *.yaml files of dirs (not recursive), the first directory
 * winning for a name found twice, sorted by name.  Each is loaded and
 * validated; an invalid one is listed with its error rather than failing
 * the listing.  Returns an owned array in *out (free with
 * cs_template_infos_free).  Missing directories are skipped.  Never fails
 * today; returns CS_OK. */
cs_status cs_template_list(char *const *dirs, size_t n_dirs,
                           struct cs_template_info **out, size_t *n_out,
                           struct cs_err *err);
void cs_template_infos_free(struct cs_template_info **infos, size_t n);

/* ---- Running ---------------------------------------------------------- */

/* The values for a template's parameters: the built-ins and the declared
 * ones.  Built-ins (always bound; names are reserved):
 *   :since, :until       the report window [since, until) (--week, or
 *                        --since/--until) as text in the views' form
 *                        "2026-11-16T00:00:00.000Z"; an open end is
 *                        "0000-01-01T00:00:00.000Z" / "9999-12-31T23:59:59.999Z";
 *   :since_us, :until_us the same in µs (INT64_MIN / INT64_MAX when open),
 *                        to compare with the views' time_us;
 *   :week                "2026-W47" with --week, else NULL;
 *   :week_start, :week_end, :week_start_us, :week_end_us: the --week bounds,
 *                        else NULL;
 *   :resource            the first --resource upper-cased (as the store keeps
 *                        resource ids and names), NULL when none;
 *   :resources           every --resource upper-cased as a JSON array text
 *                        ('["ACS-A","ACS-B"]', for json_each), NULL when none;
 *   :min_n               --min-n (integer).
 * Declared parameters take their default, or a value from overrides
 * ("name=value" strings, borrowed), checked against the declared type; a
 * time parameter also binds NAME_us. */
struct cs_template_params {
    struct cs_sql_param *items; /* owned: the values, built-ins first */
    size_t n;
    char **strings; /* owned, private: the texts items point to */
    size_t n_strings;
    const struct cs_privacy *privacy; /* borrowed from the report options: in
                                   privacy mode query steps read pseudonymized
                                   views (store/privacy_views.h); NULL = off */
    uint64_t query_memory;            /* SQLite heap bytes one query step may use
                                   (cs_query.heap_limit); 0 = no cap */
};

/* Build the parameter values for t from the report options o (borrowed).
 * Returns owned values in *out (free with cs_template_params_free).
 * Errors (CS_E_USAGE, where = "--param NAME"): an override for a name the
 * template does not declare, or a value not of the declared type. */
cs_status cs_template_params_build(const struct cs_template *t,
                                   const struct cs_report_opts *o,
                                   const char *const *overrides,
                                   size_t n_overrides,
                                   struct cs_template_params **out,
                                   struct cs_err *err);
void cs_template_params_free(struct cs_template_params **p);

/* Prepare every query step of t on the store (which may still be empty:
 * the views exist from cs_store_open) without reading rows: refused
 * statements, SQL errors, unknown parameters, and x/y/y2/series/format
 * columns missing from the query's result, each with "path:line".  The
 * first error is returned. */
cs_status cs_template_check_queries(struct cs_store *s,
                                    const struct cs_template *t,
                                    const struct cs_template_params *p,
                                    struct cs_err *err);

/* The series column of query step st's chart over result r, in *series
 * (-1: none, one value per x): st->series when given.  Without it, when
 * rows repeat an x value and the render takes series (column, bar, line),
 * the one text column besides x, y and y2 tells the rows apart: one line
 * (bar) per value of it, and *implied is set so the caller can say so.
 * Errors (CS_E_TEMPLATE, where = `where` (NULL: none), message naming the
 * step): rows that repeat x (and the series value) and no single text
 * column to tell them apart ("name it with series:"), or a render that
 * takes no series (pie, column2y); a chart draws one value per x and
 * series, so repeated rows would be lost. */
cs_status cs_template_chart_series(const struct cs_template_step *st, const char *where,
                                   const struct cs_result *r, long *series, bool *implied,
                                   struct cs_err *err);

/* The note a report prints when cs_template_chart_series set *implied:
 * "step 'T': rows repeat values of X: one line per value of 'S' (series:
 * S)", into buf (n bytes); returns buf. */
const char *cs_template_series_note(const struct cs_template_step *st, const struct cs_result *r,
                                    long series, char *buf, size_t n);

/* Run query step i_step of t (it must be a query step) and return its rows
 * in *out (owned; free with cs_result_free).  Column options are checked
 * against the result as in cs_template_check_queries.  Errors name
 * "path:line" of the step and its title, with SQLite's message when SQLite
 * failed.  timeout_ms: 0 = none. */
cs_status cs_template_run_step(struct cs_store *s, const struct cs_template *t,
                               size_t i_step, const struct cs_template_params *p,
                               uint32_t timeout_ms, struct cs_result **out,
                               struct cs_err *err);

#endif
