/*
 * report/template.c: load a YAML report template and validate it.
 *
 * Loading takes two passes over the same bytes.  The first walks libyaml's
 * event stream and builds a line index: the 1-based line of every mapping
 * key and sequence entry under a dotted path ("steps.1.sheet", 0-based
 * entries).  That pass also rejects what the schema cannot see: YAML
 * syntax errors, duplicate keys, anchors and aliases (no "billion laughs",
 * and every value has one place), more than one document.  The second pass
 * is libcyaml with a schema of plain strings (struct raw_*); its log is
 * captured instead of printed, and its message and backtrace are turned
 * into our own text, the line taken from the index (libcyaml's own marks
 * point at the end of the previous event, often the line before).  The raw
 * strings are then copied into the public struct cs_template with enums and
 * key lines, and checked (sections, renders, names) before any data is read.
 */
#include "report/template.h"

#include <cyaml/cyaml.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "core/ctime.h"
#include "core/mem.h"
#include "model/dims.h"
#include "model/survey.h"
#include "report/template_int.h"

/* ---- Names and section rules ------------------------------------------ */

static const char *const render_names[CS_RENDER__COUNT] = {
    "table",
    "column",
    "column2y",
    "bar",
    "pie",
    "line",
    "stacked",
};

static const char *const param_type_names[] = {"string", "number", "time"};

#define R(k) (1u << (k))

/* What each section may be drawn as, and its default names. */
struct section_def {
    const char *name;      /* YAML name */
    unsigned renders;      /* bit set of allowed enum cs_render */
    enum cs_render render; /* default render */
    bool takes_category;   /* `category:` allowed; without it, every category */
    const char *sheet;     /* default sheet ("" = per category: its title) */
    const char *chart;     /* default chart stem ("%s" = the category name) */
};

static const struct section_def sections[CS_SECTION__COUNT] = {
    [CS_SECTION_QUERY] = {"query", ~0u, CS_RENDER_TABLE, false, NULL, NULL},
    [CS_SECTION_SUMMARY] = {"summary", R(CS_RENDER_TABLE), CS_RENDER_TABLE,
                            false, "Summary", "summary"},
    /* a section draws its own chart kind, or none with render: table */
    [CS_SECTION_DISTRIBUTION] = {"distribution", R(CS_RENDER_COLUMN) | R(CS_RENDER_TABLE),
                                 CS_RENDER_COLUMN, true, "", "%s-distribution"},
    [CS_SECTION_ISSUES] = {"issues", R(CS_RENDER_BAR) | R(CS_RENDER_TABLE),
                           CS_RENDER_BAR, true, "Issues", "%s-issues"},
    [CS_SECTION_TREND] = {"trend", R(CS_RENDER_LINE) | R(CS_RENDER_TABLE),
                          CS_RENDER_LINE, true, "Trend", "trend-poor-rate"},
    [CS_SECTION_CUSTOM] = {"custom", R(CS_RENDER_TABLE), CS_RENDER_TABLE, false,
                           "Custom", "custom"},
    [CS_SECTION_DATA_QUALITY] = {"data_quality", R(CS_RENDER_TABLE),
                                 CS_RENDER_TABLE, false, "Data Quality",
                                 "data-quality"},
    [CS_SECTION_DATA] = {"data", R(CS_RENDER_TABLE), CS_RENDER_TABLE, false,
                         "Data", "data"},
    [CS_SECTION_COMPARE] = {"compare", R(CS_RENDER_COLUMN) | R(CS_RENDER_TABLE),
                            CS_RENDER_COLUMN, false, "Compare", "compare-poor-rate"},
    [CS_SECTION_BREAKDOWN] = {"breakdown", R(CS_RENDER_COLUMN) | R(CS_RENDER_TABLE),
                              CS_RENDER_COLUMN, false, "By", "breakdown"},
};

const char *
cs_render_name(enum cs_render r)
{
    return (unsigned)r < CS_RENDER__COUNT ? render_names[r] : "?";
}

const char *
cs_section_name(enum cs_section s)
{
    return (unsigned)s < CS_SECTION__COUNT ? sections[s].name : "?";
}

const char *
cs_param_type_name(enum cs_param_type t)
{
    return (unsigned)t <= CS_PARAM_TIME ? param_type_names[t] : "?";
}

bool
cs_render_is_chart(enum cs_render r)
{
    return r != CS_RENDER_TABLE;
}

/* "a, b, c" of the render kinds in mask. */
static void
render_list(unsigned mask, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int r = 0; r < CS_RENDER__COUNT && used < n; r++)
        if (mask & R(r))
            used += (size_t)snprintf(buf + used, n - used, "%s%s",
                                     used ? ", " : "", render_names[r]);
}

/* Excel counts characters; a name is UTF-8. */
static size_t
utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Copy s into buf (n bytes) keeping at most max_chars UTF-8 characters. */
static void
copy_chars(char *buf, size_t n, const char *s, size_t max_chars)
{
    size_t out = 0, chars = 0;
    for (; *s && out + 1 < n; s++) {
        bool lead = ((unsigned char)*s & 0xC0) != 0x80;
        if (lead && chars++ == max_chars)
            break;
        buf[out++] = *s;
    }
    /* drop a character cut by the buffer size */
    while (out && ((unsigned char)buf[out - 1] & 0x80)) {
        size_t k = out - 1;
        while (k && ((unsigned char)buf[k] & 0xC0) == 0x80)
            k--;
        unsigned char c = (unsigned char)buf[k];
        size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3
                                  : c >= 0xC0   ? 2
                                                : 1;
        if (out - k == need)
            break;
        out = k;
    }
    buf[out] = '\0';
}

char *
cs_template_sheet_name(const struct cs_template_step *st, int category,
                       char *buf, size_t n)
{
    char tmp[256];
    if (st->sheet) {
        snprintf(buf, n, "%s", st->sheet);
        return buf;
    }
    int c = st->category >= 0 ? st->category : category;
    switch (st->section) {
    case CS_SECTION_BREAKDOWN: /* as report/breakdown_out.c names it */
        snprintf(buf, n, "By %s", st->x ? st->x : "");
        return buf;
    case CS_SECTION_QUERY: {
        size_t k = 0;
        for (const char *p = st->title; *p && k + 1 < sizeof tmp; p++)
            tmp[k++] = strchr("[]:*?/\\", *p) ? '-' : *p;
        tmp[k] = '\0';
        copy_chars(buf, n, tmp, CS_SHEET_NAME_MAX);
        return buf;
    }
    case CS_SECTION_DISTRIBUTION:
        snprintf(buf, n, "%s", c >= 0 ? cs_category_title(c) : "Distribution");
        return buf;
    case CS_SECTION_ISSUES:
    case CS_SECTION_TREND:
        if (st->category >= 0) {
            snprintf(tmp, sizeof tmp, "%s %s", cs_category_title(st->category),
                     st->section == CS_SECTION_ISSUES ? "issues" : "trend");
            copy_chars(buf, n, tmp, CS_SHEET_NAME_MAX);
            return buf;
        }
        break;
    default:
        break;
    }
    snprintf(buf, n, "%s", sections[st->section].sheet);
    return buf;
}

char *
cs_template_chart_name(const struct cs_template_step *st, int category,
                       char *buf, size_t n)
{
    if (n == 0)
        return buf;
    buf[0] = '\0';
    if (!cs_render_is_chart(st->render))
        return buf;
    bool per_cat = st->category < 0 && (st->section == CS_SECTION_DISTRIBUTION ||
                                        st->section == CS_SECTION_ISSUES);
    int c = st->category >= 0 ? st->category : category;
    if (st->chart) {
        if (per_cat && c >= 0)
            snprintf(buf, n, "%s-%s", st->chart, cs_category_name(c));
        else
            snprintf(buf, n, "%s", st->chart);
        return buf;
    }
    if (st->section == CS_SECTION_BREAKDOWN) { /* breakdown-DIM-CATEGORY.png */
        snprintf(buf, n, "breakdown-%s", st->x ? st->x : "");
        return buf;
    }
    if (st->section == CS_SECTION_QUERY) {
        size_t k = 0;
        bool dash = false;
        for (const char *p = st->title; *p && k + 1 < n && k < CS_CHART_NAME_MAX; p++) {
            unsigned char ch = (unsigned char)*p;
            if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
                buf[k++] = (char)ch;
                dash = false;
            } else if (ch >= 'A' && ch <= 'Z') {
                buf[k++] = (char)(ch - 'A' + 'a');
                dash = false;
            } else if (!dash && k) {
                buf[k++] = '-';
                dash = true;
            }
        }
        while (k && buf[k - 1] == '-')
            k--;
        buf[k] = '\0';
        if (k == 0)
            snprintf(buf, n, "query");
        return buf;
    }
    const char *def = sections[st->section].chart;
    if (st->section == CS_SECTION_TREND && st->category >= 0)
        snprintf(buf, n, "%s-%s", cs_category_name(st->category), def);
    else if (strstr(def, "%s"))
        snprintf(buf, n, "%s%s", c >= 0 ? cs_category_name(c) : "all",
                 strchr(def, '-'));
    else
        snprintf(buf, n, "%s", def);
    return buf;
}

/* ---- libcyaml schema (pass 2) ----------------------------------------- */

struct raw_format {
    char *column;
    char *format;
};

struct raw_param {
    char *name;
    char *type;
    char *def;
    char *description;
};

struct raw_step {
    char *title, *section, *category, *query, *render;
    char *x, *y, *y2, *series;
    struct raw_format *formats;
    unsigned formats_count;
    char *sheet, *chart, *note;
};

struct raw_template {
    char *title;
    char *description;
    struct raw_param *parameters;
    unsigned parameters_count;
    struct raw_step *steps;
    unsigned steps_count;
};

#define OPT (CYAML_FLAG_POINTER | CYAML_FLAG_OPTIONAL)
#define REQ CYAML_FLAG_POINTER
#define STR(key, flags, type, member) \
    CYAML_FIELD_STRING_PTR(key, flags, type, member, 0, CYAML_UNLIMITED)

static const cyaml_schema_field_t format_fields[] = {
    STR("column", REQ, struct raw_format, column),
    STR("format", REQ, struct raw_format, format),
    CYAML_FIELD_END,
};
static const cyaml_schema_value_t format_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct raw_format, format_fields),
};

static const cyaml_schema_field_t param_fields[] = {
    STR("name", REQ, struct raw_param, name),
    STR("type", OPT, struct raw_param, type),
    STR("default", OPT, struct raw_param, def),
    STR("description", OPT, struct raw_param, description),
    CYAML_FIELD_END,
};
static const cyaml_schema_value_t param_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct raw_param, param_fields),
};

static const cyaml_schema_field_t step_fields[] = {
    STR("title", REQ, struct raw_step, title),
    STR("section", OPT, struct raw_step, section),
    STR("category", OPT, struct raw_step, category),
    STR("query", OPT, struct raw_step, query),
    STR("render", OPT, struct raw_step, render),
    STR("x", OPT, struct raw_step, x),
    STR("y", OPT, struct raw_step, y),
    STR("y2", OPT, struct raw_step, y2),
    STR("series", OPT, struct raw_step, series),
    CYAML_FIELD_SEQUENCE("formats", OPT, struct raw_step, formats,
                         &format_schema, 0, CYAML_UNLIMITED),
    STR("sheet", OPT, struct raw_step, sheet),
    STR("chart", OPT, struct raw_step, chart),
    STR("note", OPT, struct raw_step, note),
    CYAML_FIELD_END,
};
static const cyaml_schema_value_t step_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct raw_step, step_fields),
};

static const cyaml_schema_field_t template_fields[] = {
    STR("title", REQ, struct raw_template, title),
    STR("description", OPT, struct raw_template, description),
    CYAML_FIELD_SEQUENCE("parameters", OPT, struct raw_template, parameters,
                         &param_schema, 0, CYAML_UNLIMITED),
    CYAML_FIELD_SEQUENCE("steps", REQ, struct raw_template, steps,
                         &step_schema, 1, CYAML_UNLIMITED),
    CYAML_FIELD_END,
};
static const cyaml_schema_value_t template_schema = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct raw_template, template_fields),
};

/* ---- Conversion and checks -------------------------------------------- */

static char *
dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static bool
blank(const char *s)
{
    for (; s && *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

static bool
is_identifier(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

/* Names bound by cs_template_params_build for every template. */
static const char *const builtin_params[] = {
    "since",
    "until",
    "since_us",
    "until_us",
    "week",
    "week_start",
    "week_end",
    "week_start_us",
    "week_end_us",
    "resource",
    "resources",
    "min_n",
};

static bool
is_builtin_param(const char *name)
{
    for (size_t i = 0; i < sizeof builtin_params / sizeof *builtin_params; i++)
        if (strcmp(name, builtin_params[i]) == 0)
            return true;
    return false;
}

/* Why s is not a valid Excel sheet name, or NULL. */
static const char *
sheet_problem(const char *s)
{
    size_t len = strlen(s);
    if (len == 0)
        return "is empty";
    if (utf8_chars(s) > CS_SHEET_NAME_MAX)
        return "is longer than 31 characters (Excel's limit)";
    if (strpbrk(s, "[]:*?/\\"))
        return "contains one of []:*?/\\ (Excel does not allow them)";
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20)
            return "contains a control character";
    if (s[0] == '\'' || s[len - 1] == '\'')
        return "starts or ends with an apostrophe (Excel does not allow it)";
    if (strcasecmp(s, "History") == 0)
        return "is reserved by Excel";
    if (strcasecmp(s, "About") == 0)
        return "is the workbook's own About sheet";
    return NULL;
}

/* Why s is not a safe chart file name stem, or NULL. */
static const char *
chart_problem(const char *s)
{
    if (s[0] == '\0')
        return "is empty";
    if (strlen(s) > CS_CHART_NAME_MAX)
        return "is longer than 64 bytes";
    bool ok = s[0] != '.' && strstr(s, "..") == NULL;
    for (const char *p = s; *p && ok; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
             (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.';
    return ok ? NULL
              : "must be a plain file name: letters, digits, '-', '_' and '.', "
                "not starting with '.', without '/' or '..'";
}

static bool
number_ok(const char *s)
{
    if (blank(s))
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    /* nothing after the number: cs_template_params_build takes the same
     * text with strtoll/strtod and refuses "5 " (found by fuzz_template) */
    return *end == '\0' && errno != ERANGE && isfinite(v);
}

static cs_status
convert_params(struct cs_template *t, const struct raw_template *raw,
               const struct lindex *ix, struct cs_err *err)
{
    const char *file = t->path;
    t->n_params = raw->parameters_count;
    t->params = xcalloc(t->n_params ? t->n_params : 1, sizeof *t->params);
    for (size_t i = 0; i < t->n_params; i++) {
        const struct raw_param *rp = &raw->parameters[i];
        struct cs_template_param *p = &t->params[i];
        p->name = xstrdup(rp->name);
        p->default_value = dup_or_null(rp->def);
        p->description = xstrdup(rp->description ? rp->description : "");
        p->line = tpl_line_of(ix, "parameters.%zu", i);
        p->default_line = tpl_line_of(ix, "parameters.%zu.default", i);
        unsigned name_line = tpl_line_of(ix, "parameters.%zu.name", i);
        if (!is_identifier(p->name) || strlen(p->name) > 64)
            return tpl_fail_at(err, file, name_line,
                               "parameter %zu: name '%s' must be an identifier "
                               "(letters, digits, '_'; at most 64)",
                               i + 1, p->name);
        if (is_builtin_param(p->name))
            return tpl_fail_at(err, file, name_line,
                               "parameter '%s' is built in (always bound); "
                               "choose another name",
                               p->name);
        if (rp->type) {
            int k = -1;
            for (int j = 0; j <= CS_PARAM_TIME; j++)
                if (strcmp(rp->type, param_type_names[j]) == 0)
                    k = j;
            if (k < 0)
                return tpl_fail_at(err, file, tpl_line_of(ix, "parameters.%zu.type", i),
                                   "parameter '%s': unknown type '%s' (expected "
                                   "string, number or time)",
                                   p->name, rp->type);
            p->type = (enum cs_param_type)k;
        }
        for (size_t j = 0; j < i; j++) {
            char us[80];
            snprintf(us, sizeof us, "%s_us", t->params[j].name);
            if (strcmp(t->params[j].name, p->name) == 0 ||
                (t->params[j].type == CS_PARAM_TIME && strcmp(us, p->name) == 0))
                return tpl_fail_at(err, file, name_line,
                                   "parameter '%s' is already declared (line %u)",
                                   p->name, t->params[j].line);
            snprintf(us, sizeof us, "%s_us", p->name);
            if (p->type == CS_PARAM_TIME && strcmp(us, t->params[j].name) == 0)
                return tpl_fail_at(err, file, name_line,
                                   "parameter '%s' is a time, which also binds "
                                   ":%s, already declared (line %u)",
                                   p->name, us,
                                   t->params[j].line);
        }
        if (p->type == CS_PARAM_TIME) {
            char us[80];
            snprintf(us, sizeof us, "%s_us", p->name);
            if (is_builtin_param(us))
                return tpl_fail_at(err, file, name_line,
                                   "parameter '%s' is a time, which also binds "
                                   ":%s, a built-in name",
                                   p->name, us);
        }
        const char *d = p->default_value;
        int64_t us;
        if (d && p->type == CS_PARAM_NUMBER && !number_ok(d))
            return tpl_fail_at(err, file, p->default_line,
                               "parameter '%s': default '%s' is not a number",
                               p->name, d);
        if (d && p->type == CS_PARAM_TIME && !cs_time_parse_iso(d, strlen(d), &us))
            return tpl_fail_at(err, file, p->default_line,
                               "parameter '%s': default '%s' is not an ISO 8601 time "
                               "(2026-11-16 or 2026-11-16T08:00:00Z)",
                               p->name, d);
    }
    return CS_OK;
}

/* Copy one raw step into st (lines included), with enums parsed. */
/* Copy the raw step and the lines of its keys. */
static void
copy_step(size_t i, const struct raw_step *rs, struct cs_template_step *st,
          const struct lindex *ix)
{
    struct cs_template_step_lines *L = &st->lines;
    st->line = tpl_line_of(ix, "steps.%zu", i);
#define KL(k) L->k = tpl_line_of(ix, "steps.%zu." #k, i)
    KL(title);
    KL(section);
    KL(category);
    KL(query);
    KL(render);
    KL(x);
    KL(y);
    KL(y2);
    KL(series);
    KL(formats);
    KL(sheet);
    KL(chart);
    KL(note);
#undef KL
    st->title = xstrdup(rs->title);
    st->query = dup_or_null(rs->query);
    st->x = dup_or_null(rs->x);
    st->y = dup_or_null(rs->y);
    st->y2 = dup_or_null(rs->y2);
    st->series = dup_or_null(rs->series);
    st->sheet = dup_or_null(rs->sheet);
    st->chart = dup_or_null(rs->chart);
    st->note = dup_or_null(rs->note);
    st->category = -1;
    st->n_formats = rs->formats_count;
    st->formats = xcalloc(st->n_formats ? st->n_formats : 1, sizeof *st->formats);
    for (size_t k = 0; k < st->n_formats; k++) {
        st->formats[k].column = xstrdup(rs->formats[k].column);
        st->formats[k].format = xstrdup(rs->formats[k].format);
        st->formats[k].line = tpl_line_of(ix, "steps.%zu.formats.%zu", i, k);
    }
}

/* The chart columns: query steps only, and only what the render uses. */
static cs_status
check_columns(const char *file, const struct cs_template_step *st, const char *pfx,
              struct cs_err *err)
{
    const struct cs_template_step_lines *L = &st->lines;
    struct {
        const char *key;
        const char *val;
        unsigned line;
    } cols[] = {{"x", st->x, L->x}, {"y", st->y, L->y}, {"y2", st->y2, L->y2}, {"series", st->series, L->series}};
    for (size_t k = 0; k < 4; k++) {
        if (!cols[k].val)
            continue;
        if (st->section == CS_SECTION_BREAKDOWN && k == 0) {
            if (cs_dim_parse(st->x) == CS_DIM_NONE)
                return tpl_fail_at(err, file, cols[k].line,
                                   "%s: x: '%s' is not a release dimension (sdk-version, os, "
                                   "os-version, endpoint-type, participant-type, call-type, "
                                   "end-reason, app-version, browser, client-os)",
                                   pfx, st->x);
            continue;
        }
        if (st->section != CS_SECTION_QUERY)
            return tpl_fail_at(err, file, cols[k].line,
                               "%s: %s applies only to query steps (a section "
                               "chooses its own columns)",
                               pfx, cols[k].key);
        if (blank(cols[k].val))
            return tpl_fail_at(err, file, cols[k].line, "%s: %s is empty", pfx,
                               cols[k].key);
    }
    if (st->section == CS_SECTION_BREAKDOWN && !st->x)
        return tpl_fail_at(err, file, st->line,
                           "%s: section breakdown needs x: (the release dimension, e.g. "
                           "sdk-version)",
                           pfx);
    if (st->section == CS_SECTION_QUERY) {
        enum cs_render r = st->render;
        bool need_xy = r != CS_RENDER_TABLE;
        bool need_y2 = r == CS_RENDER_COLUMN2Y;
        bool need_series = r == CS_RENDER_STACKED;
        bool may_series = r == CS_RENDER_COLUMN || r == CS_RENDER_BAR ||
                          r == CS_RENDER_LINE || r == CS_RENDER_STACKED;
        unsigned rl = L->render ? L->render : st->line;
        if (need_xy && (!st->x || !st->y))
            return tpl_fail_at(err, file, rl,
                               "%s: render %s needs x: and y: (the columns to draw)%s",
                               pfx, render_names[r],
                               need_y2 ? ", and y2:" : need_series ? ", and series:"
                                                                   : "");
        if (need_y2 && !st->y2)
            return tpl_fail_at(err, file, rl,
                               "%s: render column2y needs y2: (the column on the "
                               "second axis)",
                               pfx);
        if (need_series && !st->series)
            return tpl_fail_at(err, file, rl,
                               "%s: render stacked needs series: (the column whose "
                               "values are the stacked parts)",
                               pfx);
        if (!need_xy && (st->x || st->y))
            return tpl_fail_at(err, file, st->x ? L->x : L->y,
                               "%s: %s applies only to charts, not render table",
                               pfx, st->x ? "x" : "y");
        if (st->y2 && !need_y2)
            return tpl_fail_at(err, file, L->y2,
                               "%s: y2 applies only to render column2y", pfx);
        if (st->series && !may_series)
            return tpl_fail_at(err, file, L->series,
                               "%s: series applies only to render column, bar, "
                               "line and stacked",
                               pfx);
    }

    return CS_OK;
}

/* The number formats of a step's columns. */
static cs_status
check_formats(const char *file, const struct cs_template_step *st, const char *pfx,
              struct cs_err *err)
{
    for (size_t k = 0; k < st->n_formats; k++) {
        const struct cs_template_format *f = &st->formats[k];
        if (blank(f->column))
            return tpl_fail_at(err, file, f->line, "%s: format %zu has an empty "
                                                   "column",
                               pfx, k + 1);
        if (blank(f->format) || strlen(f->format) > 255)
            return tpl_fail_at(err, file, f->line, "%s: format %zu for '%s' must "
                                                   "be 1 to 255 characters (\"0.00%%\", \"#,##0\")",
                               pfx, k + 1, f->column);
        for (const char *p = f->format; *p; p++)
            if ((unsigned char)*p < 0x20)
                return tpl_fail_at(err, file, f->line, "%s: format for '%s' "
                                                       "contains a control character",
                                   pfx, f->column);
        for (size_t j = 0; j < k; j++)
            if (strcasecmp(st->formats[j].column, f->column) == 0)
                return tpl_fail_at(err, file, f->line, "%s: column '%s' already "
                                                       "has a format (line %u)",
                                   pfx, f->column,
                                   st->formats[j].line);
    }

    return CS_OK;
}

/* The step's own sheet and chart names. */
static cs_status
check_names_of(const char *file, const struct cs_template_step *st, const char *pfx,
               struct cs_err *err)
{
    const struct cs_template_step_lines *L = &st->lines;
    const char *why;
    if (st->sheet && (why = sheet_problem(st->sheet)))
        return tpl_fail_at(err, file, L->sheet, "%s: sheet name '%s' %s", pfx,
                           st->sheet, why);
    if (st->sheet && st->section == CS_SECTION_DISTRIBUTION && st->category < 0)
        return tpl_fail_at(err, file, L->sheet,
                           "%s: a distribution over every category writes one sheet per "
                           "category; sheet: needs category: too",
                           pfx);
    if (st->chart) {
        if (!cs_render_is_chart(st->render))
            return tpl_fail_at(err, file, L->chart,
                               "%s: chart: is given but render %s draws no chart",
                               pfx, render_names[st->render]);
        if ((why = chart_problem(st->chart)))
            return tpl_fail_at(err, file, L->chart, "%s: chart name '%s' %s", pfx,
                               st->chart, why);
    }
    return CS_OK;
}

static cs_status
convert_step(const char *file, size_t i, const struct raw_step *rs,
             struct cs_template_step *st, const struct lindex *ix,
             struct cs_err *err)
{
    copy_step(i, rs, st, ix);
    const struct cs_template_step_lines *L = &st->lines;
    char pfx[160];
    if (blank(st->title))
        return tpl_fail_at(err, file, L->title ? L->title : st->line,
                           "step %zu: the title is empty", i + 1);
    snprintf(pfx, sizeof pfx, "step %zu '%.100s'", i + 1, st->title);

    if (rs->section && rs->query)
        return tpl_fail_at(err, file, L->query > L->section ? L->query : L->section,
                           "%s: has both section and query; a step is one or the "
                           "other",
                           pfx);
    if (!rs->section && !rs->query)
        return tpl_fail_at(err, file, st->line,
                           "%s: needs either section: (a built-in part of the "
                           "report) or query: (SQL over the views)",
                           pfx);
    if (rs->section) {
        int k = -1;
        for (int j = 1; j < CS_SECTION__COUNT; j++)
            if (strcmp(rs->section, sections[j].name) == 0)
                k = j;
        if (k < 0)
            return tpl_fail_at(err, file, L->section,
                               "%s: unknown section '%s' (expected summary, "
                               "distribution, issues, trend, custom, data_quality, "
                               "data or compare)",
                               pfx, rs->section);
        st->section = (enum cs_section)k;
    } else {
        st->section = CS_SECTION_QUERY;
        if (blank(st->query))
            return tpl_fail_at(err, file, L->query, "%s: the query is empty", pfx);
    }
    const struct section_def *sd = &sections[st->section];

    if (rs->category) {
        if (!sd->takes_category)
            return tpl_fail_at(err, file, L->category,
                               "%s: category applies only to the distribution, "
                               "issues and trend sections",
                               pfx);
        st->category = cs_category_parse(rs->category);
        if (st->category < 0)
            return tpl_fail_at(err, file, L->category,
                               "%s: unknown category '%s' (expected overall, audio, "
                               "video or screenshare)",
                               pfx, rs->category);
    }

    st->render = sd->render;
    if (rs->render) {
        int k = -1;
        for (int j = 0; j < CS_RENDER__COUNT; j++)
            if (strcmp(rs->render, render_names[j]) == 0)
                k = j;
        if (k < 0)
            return tpl_fail_at(err, file, L->render,
                               "%s: unknown render '%s' (expected table, column, "
                               "column2y, bar, pie, line or stacked)",
                               pfx, rs->render);
        st->render = (enum cs_render)k;
        st->render_given = true;
        if (!(sd->renders & R(k))) {
            char list[128];
            render_list(sd->renders, list, sizeof list);
            return tpl_fail_at(err, file, L->render,
                               "%s: section %s cannot be rendered as %s (it draws: %s)",
                               pfx, sd->name, rs->render, list);
        }
    }

    cs_status rc = check_columns(file, st, pfx, err);
    if (rc == CS_OK)
        rc = check_formats(file, st, pfx, err);
    if (rc == CS_OK)
        rc = check_names_of(file, st, pfx, err);
    return rc;
}

/* A name some step writes: for the duplicate checks. */
struct used_name {
    char name[128];
    size_t step;
};

/* Check the effective sheet and chart names of every step, in step order:
 * defaults must be valid too, and no two steps may write the same one. */
static cs_status
check_names(const struct cs_template *t, struct cs_err *err)
{
    size_t cap = t->n_steps * CS_CAT__COUNT;
    struct used_name *sheets = xcalloc(cap, sizeof *sheets);
    struct used_name *charts = xcalloc(cap, sizeof *charts);
    size_t n_sheets = 0, n_charts = 0;
    cs_status s = CS_OK;
    for (size_t i = 0; i < t->n_steps && s == CS_OK; i++) {
        const struct cs_template_step *st = &t->steps[i];
        bool per_cat = st->category < 0 && sections[st->section].takes_category;
        int n_cat = per_cat ? CS_CAT__COUNT : 1;
        for (int c = 0; c < n_cat && s == CS_OK; c++) {
            int cat = per_cat ? c : st->category;
            char sheet[128], chart[CS_CHART_NAME_MAX + 32];
            cs_template_sheet_name(st, cat, sheet, sizeof sheet);
            cs_template_chart_name(st, cat, chart, sizeof chart);
            unsigned sl = st->sheet ? st->lines.sheet : st->lines.title;
            unsigned cl = st->chart ? st->lines.chart : st->lines.title;
            const char *why;
            if (!st->sheet && (why = sheet_problem(sheet))) {
                s = tpl_fail_at(err, t->path, sl,
                                "step %zu '%.100s': the sheet name '%s' taken from "
                                "the title %s; set sheet:",
                                i + 1, st->title,
                                sheet, why);
                break;
            }
            if (chart[0] && st->chart && (why = chart_problem(chart))) {
                s = tpl_fail_at(err, t->path, cl, "step %zu '%.100s': chart name "
                                                  "'%s' %s",
                                i + 1, st->title, chart, why);
                break;
            }
            for (size_t k = 0; k < n_sheets && s == CS_OK; k++)
                if (sheets[k].step != i && strcasecmp(sheets[k].name, sheet) == 0)
                    s = tpl_fail_at(err, t->path, sl,
                                    "step %zu '%.100s': sheet '%s' is already "
                                    "written by step %zu (line %u); set a different "
                                    "sheet:",
                                    i + 1, st->title, sheet,
                                    sheets[k].step + 1, t->steps[sheets[k].step].line);
            for (size_t k = 0; k < n_charts && s == CS_OK && chart[0]; k++)
                if (charts[k].step != i && strcasecmp(charts[k].name, chart) == 0)
                    s = tpl_fail_at(err, t->path, cl,
                                    "step %zu '%.100s': chart '%s' is already "
                                    "written by step %zu (line %u); set a different "
                                    "chart:",
                                    i + 1, st->title, chart,
                                    charts[k].step + 1, t->steps[charts[k].step].line);
            if (s != CS_OK)
                break;
            snprintf(sheets[n_sheets].name, sizeof sheets[n_sheets].name, "%s", sheet);
            sheets[n_sheets++].step = i;
            if (chart[0]) {
                snprintf(charts[n_charts].name, sizeof charts[n_charts].name, "%s", chart);
                charts[n_charts++].step = i;
            }
        }
    }
    xfree(sheets);
    xfree(charts);
    return s;
}

static char *
stem_of(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strlen(b);
    if (n > 5 && strcmp(b + n - 5, ".yaml") == 0)
        n -= 5;
    else if (n > 4 && strcmp(b + n - 4, ".yml") == 0)
        n -= 4;
    return xstrndup(b, n);
}

/* ---- Public API ------------------------------------------------------- */

cs_status
cs_template_load_data(const char *path, const char *yaml, size_t len,
                      struct cs_template **out, struct cs_err *err)
{
    *out = NULL;
    if (len > CS_TEMPLATE_MAX_BYTES)
        return cs_fail(err, CS_E_TEMPLATE, path,
                       "template is larger than %d KiB", CS_TEMPLATE_MAX_BYTES / 1024);
    struct lindex ix = {0};
    cs_status s = tpl_scan(path, yaml, len, &ix, err);
    if (s != CS_OK) {
        tpl_lindex_free(&ix);
        return s;
    }
    void *data = NULL;
    s = tpl_cyaml_load(path, yaml, len, &template_schema, &ix, &data, err);
    struct raw_template *raw = data;
    if (s != CS_OK) {
        tpl_lindex_free(&ix);
        return s;
    }
    if (raw == NULL) {
        tpl_lindex_free(&ix);
        return tpl_fail_at(err, path, 1, "the template is empty (it needs title: "
                                         "and steps:)");
    }
    struct cs_template *t = xcalloc(1, sizeof *t);
    t->path = xstrdup(path);
    t->name = stem_of(path);
    t->title = xstrdup(raw->title);
    t->description = xstrdup(raw->description ? raw->description : "");
    if (blank(t->title))
        s = tpl_fail_at(err, path, tpl_line_of(&ix, "title"), "the title is empty");
    if (s == CS_OK)
        s = convert_params(t, raw, &ix, err);
    if (s == CS_OK) {
        t->n_steps = raw->steps_count;
        t->steps = xcalloc(t->n_steps, sizeof *t->steps);
        for (size_t i = 0; i < t->n_steps && s == CS_OK; i++)
            s = convert_step(path, i, &raw->steps[i], &t->steps[i], &ix, err);
    }
    if (s == CS_OK)
        s = check_names(t, err);
    tpl_cyaml_free(&template_schema, raw);
    tpl_lindex_free(&ix);
    if (s != CS_OK) {
        cs_template_free(&t);
        return s;
    }
    *out = t;
    return CS_OK;
}

cs_status
cs_template_load(const char *path, struct cs_template **out,
                 struct cs_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return cs_fail(err, CS_E_IO, path, "cannot open template: %s",
                       strerror(errno));
    char *buf = xmalloc(CS_TEMPLATE_MAX_BYTES + 1);
    size_t n = fread(buf, 1, CS_TEMPLATE_MAX_BYTES + 1, f);
    bool bad = ferror(f);
    fclose(f);
    cs_status s;
    if (bad)
        s = cs_fail(err, CS_E_IO, path, "cannot read template");
    else
        s = cs_template_load_data(path, buf, n, out, err);
    xfree(buf);
    return s;
}

void
cs_template_free(struct cs_template **tp)
{
    if (tp == NULL || *tp == NULL)
        return;
    struct cs_template *t = *tp;
    for (size_t i = 0; i < t->n_params; i++) {
        xfree(t->params[i].name);
        xfree(t->params[i].default_value);
        xfree(t->params[i].description);
    }
    xfree(t->params);
    for (size_t i = 0; i < t->n_steps; i++) {
        struct cs_template_step *st = &t->steps[i];
        xfree(st->title);
        xfree(st->query);
        xfree(st->x);
        xfree(st->y);
        xfree(st->y2);
        xfree(st->series);
        for (size_t k = 0; k < st->n_formats; k++) {
            xfree(st->formats[k].column);
            xfree(st->formats[k].format);
        }
        xfree(st->formats);
        xfree(st->sheet);
        xfree(st->chart);
        xfree(st->note);
    }
    xfree(t->steps);
    xfree(t->path);
    xfree(t->name);
    xfree(t->title);
    xfree(t->description);
    xfree(t);
    *tp = NULL;
}
