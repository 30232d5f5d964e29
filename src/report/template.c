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

/* ---- Line index (pass 1: libyaml events) ------------------------------ */

struct lentry {
    char *path;    /* owned: "steps.1.sheet"; "" is the document */
    unsigned line; /* 1-based */
};

struct lindex {
    struct lentry *e; /* owned */
    size_t n, cap;
};

static const struct lentry *
lindex_find(const struct lindex *ix, const char *path)
{
    for (size_t i = 0; i < ix->n; i++)
        if (strcmp(ix->e[i].path, path) == 0)
            return &ix->e[i];
    return NULL;
}

static void
lindex_add(struct lindex *ix, char *path_owned, unsigned line)
{
    if (ix->n == ix->cap) {
        ix->cap = ix->cap ? ix->cap * 2 : 64;
        ix->e = xreallocarray(ix->e, ix->cap, sizeof *ix->e);
    }
    ix->e[ix->n++] = (struct lentry){path_owned, line};
}

static void
lindex_free(struct lindex *ix)
{
    for (size_t i = 0; i < ix->n; i++)
        xfree(ix->e[i].path);
    xfree(ix->e);
    *ix = (struct lindex){0};
}

/* Line of a formatted path, 0 when absent. */
static unsigned
line_of(const struct lindex *ix, const char *fmt, ...) CS_PRINTF(2, 3);

static unsigned
line_of(const struct lindex *ix, const char *fmt, ...)
{
    char path[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    const struct lentry *e = lindex_find(ix, path);
    return e ? e->line : 0;
}

/* Fail with where = "path:line". */
static cs_status
fail_at(struct cs_err *err, const char *file, unsigned line, const char *fmt,
        ...) CS_PRINTF(4, 5);

static cs_status
fail_at(struct cs_err *err, const char *file, unsigned line, const char *fmt, ...)
{
    char where[256], msg[512];
    if (line)
        snprintf(where, sizeof where, "%s:%u", file, line);
    else
        snprintf(where, sizeof where, "%s", file);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cs_fail(err, CS_E_TEMPLATE, where, "%s", msg);
}

#define SCAN_MAX_DEPTH 32

struct frame {
    bool map;        /* mapping (else sequence) */
    bool want_value; /* mapping: a key was read, its value comes next */
    char *path;      /* owned */
    char *key_path;  /* owned: path of the current key's value */
    size_t idx;      /* sequence: next entry's index */
};

static const char *
anchor_of(const yaml_event_t *ev)
{
    const yaml_char_t *a = NULL;
    if (ev->type == YAML_SCALAR_EVENT)
        a = ev->data.scalar.anchor;
    else if (ev->type == YAML_MAPPING_START_EVENT)
        a = ev->data.mapping_start.anchor;
    else if (ev->type == YAML_SEQUENCE_START_EVENT)
        a = ev->data.sequence_start.anchor;
    return (const char *)a;
}

static char *
join_path(const char *base, const char *part)
{
    return base[0] ? xasprintf("%s.%s", base, part) : xstrdup(part);
}

/* Handle one node event; *node_path gets the owned path of a value node
 * (NULL when the event was a mapping key). */
static cs_status
scan_node(struct frame *st, int depth, const yaml_event_t *ev,
          struct lindex *ix, const char *file, char **node_path,
          struct cs_err *err)
{
    unsigned line = (unsigned)ev->start_mark.line + 1;
    *node_path = NULL;
    if (ev->type == YAML_ALIAS_EVENT)
        return fail_at(err, file, line,
                       "aliases (*%s) are not supported in templates",
                       (const char *)ev->data.alias.anchor);
    const char *anchor = anchor_of(ev);
    if (anchor)
        return fail_at(err, file, line,
                       "anchors (&%s) are not supported in templates", anchor);
    if (depth == 0) {
        *node_path = xstrdup("");
        lindex_add(ix, xstrdup(""), line);
        return CS_OK;
    }
    struct frame *f = &st[depth - 1];
    if (f->map && !f->want_value) {
        if (ev->type != YAML_SCALAR_EVENT)
            return fail_at(err, file, line, "mapping keys must be plain text");
        const char *key = (const char *)ev->data.scalar.value;
        char *p = join_path(f->path, key);
        const struct lentry *dup = lindex_find(ix, p);
        if (dup) {
            cs_status s = fail_at(err, file, line,
                                  "duplicate key '%s' (first at line %u)", key,
                                  dup->line);
            xfree(p);
            return s;
        }
        lindex_add(ix, xstrdup(p), line);
        xfree(f->key_path);
        f->key_path = p;
        f->want_value = true;
        return CS_OK;
    }
    if (f->map) {
        *node_path = xstrdup(f->key_path);
        f->want_value = false;
        return CS_OK;
    }
    char idx[32];
    snprintf(idx, sizeof idx, "%zu", f->idx++);
    *node_path = join_path(f->path, idx);
    lindex_add(ix, xstrdup(*node_path), line);
    return CS_OK;
}

static cs_status
scan(const char *file, const char *yaml, size_t len, struct lindex *ix,
     struct cs_err *err)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return cs_fail(err, CS_E_NOMEM, file, "cannot start the YAML parser");
    yaml_parser_set_input_string(&p, (const unsigned char *)yaml, len);
    struct frame st[SCAN_MAX_DEPTH];
    int depth = 0, docs = 0;
    cs_status s = CS_OK;
    for (bool done = false; !done && s == CS_OK;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            unsigned line = (unsigned)p.problem_mark.line + 1;
            if (p.context && p.context_mark.line != p.problem_mark.line)
                s = fail_at(err, file, line,
                            "YAML syntax error: %s %s (which starts at line %u)",
                            p.problem ? p.problem : "invalid YAML", p.context,
                            (unsigned)p.context_mark.line + 1);
            else
                s = fail_at(err, file, line, "YAML syntax error: %s%s%s",
                            p.problem ? p.problem : "invalid YAML",
                            p.context ? " " : "", p.context ? p.context : "");
            break;
        }
        char *np = NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1)
                s = fail_at(err, file, (unsigned)ev.start_mark.line + 1,
                            "a template file holds one YAML document; "
                            "a second one starts here");
            break;
        case YAML_SCALAR_EVENT:
        case YAML_ALIAS_EVENT:
            s = scan_node(st, depth, &ev, ix, file, &np, err);
            xfree(np);
            break;
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT:
            s = scan_node(st, depth, &ev, ix, file, &np, err);
            if (s != CS_OK)
                break;
            if (np == NULL) { /* unreachable: keys are scalars */
                s = fail_at(err, file, (unsigned)ev.start_mark.line + 1,
                            "mapping keys must be plain text");
                break;
            }
            if (depth == SCAN_MAX_DEPTH) {
                xfree(np);
                s = fail_at(err, file, (unsigned)ev.start_mark.line + 1,
                            "nested too deeply");
                break;
            }
            st[depth++] = (struct frame){.map = ev.type == YAML_MAPPING_START_EVENT,
                                         .path = np};
            break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            if (depth > 0) {
                depth--;
                xfree(st[depth].path);
                xfree(st[depth].key_path);
            }
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    while (depth > 0) {
        depth--;
        xfree(st[depth].path);
        xfree(st[depth].key_path);
    }
    yaml_parser_delete(&p);
    return s;
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

static const char keys_template[] = "title, description, parameters, steps";
static const char keys_param[] = "name, type, default, description";
static const char keys_step[] = "title, section, query, category, render, x, y, "
                                "y2, series, formats, sheet, chart, note";
static const char keys_format[] = "column, format";

/* libcyaml allocates through our x-allocators: out of memory aborts. */
static void *
cy_mem(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    if (size == 0) {
        xfree(ptr);
        return NULL;
    }
    return xrealloc(ptr, size);
}

struct cylog {
    char text[4096]; /* everything logged, truncated */
    size_t n;
};

static void
cy_log(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
    CS_PRINTF(3, 0);

static void
cy_log(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
{
    (void)level;
    struct cylog *l = ctx;
    if (l->n + 1 >= sizeof l->text)
        return;
    int k = vsnprintf(l->text + l->n, sizeof l->text - l->n, fmt, args);
    if (k > 0)
        l->n = l->n + (size_t)k < sizeof l->text ? l->n + (size_t)k
                                                 : sizeof l->text - 1;
}

/* ---- Turning libcyaml's log into our message -------------------------- */

#define MAX_COMPS 16

/* A path parsed from libcyaml's backtrace, outermost first. */
struct cypath {
    char comp[MAX_COMPS][64]; /* field names, or 0-based entry indexes */
    bool is_index[MAX_COMPS];
    size_t n;
    unsigned line; /* libcyaml's own line of the innermost entry */
};

static void
cypath_str(const struct cypath *p, size_t n, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < cap; i++)
        used += (size_t)snprintf(buf + used, cap - used, "%s%s", i ? "." : "",
                                 p->comp[i]);
}

static void
parse_backtrace(const char *log, char *msg, size_t msg_n, struct cypath *p)
{
    char tmp[MAX_COMPS][64];
    bool idx[MAX_COMPS];
    size_t n = 0;
    msg[0] = '\0';
    *p = (struct cypath){0};
    for (const char *s = log; *s;) {
        const char *e = strchr(s, '\n');
        size_t len = e ? (size_t)(e - s) : strlen(s);
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)len, s);
        s += len + (e != NULL);
        char name[64];
        unsigned u, ln;
        if (sscanf(line, "  in mapping field '%63[^']' (line: %u", name, &ln) == 2) {
            if (n < MAX_COMPS) {
                snprintf(tmp[n], sizeof tmp[n], "%s", name);
                idx[n++] = false;
            }
            if (p->line == 0)
                p->line = ln;
        } else if (sscanf(line, "  in sequence entry '%u' (line: %u", &u, &ln) == 2) {
            if (n < MAX_COMPS) {
                snprintf(tmp[n], sizeof tmp[n], "%u", u ? u - 1 : 0);
                idx[n++] = true;
            }
            if (p->line == 0)
                p->line = ln;
        } else if (sscanf(line, "  in mapping (line: %u", &ln) == 1) {
            if (p->line == 0)
                p->line = ln;
        } else if (strncmp(line, "Load: ", 6) == 0 && msg[0] == '\0' &&
                   strcmp(line + 6, "Backtrace:") != 0) {
            snprintf(msg, msg_n, "%.*s", (int)(msg_n - 1), line + 6);
        }
    }
    /* the backtrace lists the innermost first */
    for (size_t i = 0; i < n; i++) {
        memcpy(p->comp[i], tmp[n - 1 - i], sizeof p->comp[i]);
        p->is_index[i] = idx[n - 1 - i];
    }
    p->n = n;
}

/* "step 2", "parameter 1", "step 3, format 2" or "" for a path prefix of
 * n components; *keys gets the keys that mapping takes. */
static void
describe(const struct cypath *p, size_t n, char *buf, size_t cap,
         const char **keys)
{
    buf[0] = '\0';
    *keys = keys_template;
    if (n >= 2 && p->is_index[1]) {
        unsigned i = (unsigned)strtoul(p->comp[1], NULL, 10) + 1;
        if (strcmp(p->comp[0], "steps") == 0) {
            *keys = keys_step;
            if (n >= 4 && p->is_index[3] && strcmp(p->comp[2], "formats") == 0) {
                snprintf(buf, cap, "step %u, format %lu", i,
                         strtoul(p->comp[3], NULL, 10) + 1);
                *keys = keys_format;
            } else {
                snprintf(buf, cap, "step %u", i);
            }
        } else if (strcmp(p->comp[0], "parameters") == 0) {
            snprintf(buf, cap, "parameter %u", i);
            *keys = keys_param;
        }
    }
}

static const char *
kind_text(const char *cy)
{
    if (strncmp(cy, "STRING", 6) == 0 || strncmp(cy, "SCALAR", 6) == 0)
        return "text";
    if (strncmp(cy, "SEQUENCE", 8) == 0)
        return "a list";
    if (strncmp(cy, "MAPPING", 7) == 0)
        return "a mapping";
    return cy;
}

/* Report a libcyaml load failure with our words and the index's line. */
static cs_status
cyaml_failure(const char *file, const struct cylog *log, cyaml_err_t e,
              const struct lindex *ix, struct cs_err *err)
{
    char msg[256], ctx[64], path[512], pfx[80];
    const char *keys;
    struct cypath p;
    parse_backtrace(log->text, msg, sizeof msg, &p);
    /* the innermost mapping: the path up to its last entry index (or root) */
    size_t nmap = 0;
    for (size_t i = 0; i < p.n; i++)
        if (p.is_index[i])
            nmap = i + 1;
    describe(&p, nmap, ctx, sizeof ctx, &keys);
    snprintf(pfx, sizeof pfx, "%s%s", ctx, ctx[0] ? ": " : "");
    char arg[128] = "";
    const struct lentry *le;

    if (sscanf(msg, "Unexpected key: %127[^\n]", arg) == 1) {
        cypath_str(&p, nmap, path, sizeof path);
        char kp[700];
        snprintf(kp, sizeof kp, "%s%s%s", path, path[0] ? "." : "", arg);
        le = lindex_find(ix, kp);
        return fail_at(err, file, le ? le->line : p.line,
                       "%sunknown key '%s' (known keys: %s)", pfx, arg, keys);
    }
    if (sscanf(msg, "Missing required mapping field: %127[^\n]", arg) == 1) {
        cypath_str(&p, nmap, path, sizeof path);
        le = lindex_find(ix, path);
        return fail_at(err, file, le ? le->line : p.line,
                       "%smissing required key '%s'", pfx, arg);
    }
    char want[32], got[32];
    if (sscanf(msg, "Expecting %31s got event: %31s", want, got) == 2) {
        want[strcspn(want, ",")] = '\0';
        cypath_str(&p, p.n, path, sizeof path);
        le = lindex_find(ix, path);
        unsigned line = le ? le->line : p.line;
        if (p.n == 0)
            return fail_at(err, file, line,
                           "a template must be a mapping of keys (%s), not %s",
                           keys_template, kind_text(got));
        if (p.is_index[p.n - 1]) /* a sequence entry of the wrong kind */
            return fail_at(err, file, line, "%s must be %s of keys (%s), not %s",
                           ctx, kind_text(want),
                           strcmp(p.comp[0], "steps") ? keys_param : keys,
                           kind_text(got));
        return fail_at(err, file, line, "%s'%s' must be %s, not %s", pfx,
                       p.comp[p.n - 1], kind_text(want), kind_text(got));
    }
    unsigned have, min;
    if (sscanf(msg, "Insufficient entries (%u of %u min)", &have, &min) == 2) {
        size_t n = p.n;
        while (n && p.is_index[n - 1])
            n--;
        cypath_str(&p, n, path, sizeof path);
        le = lindex_find(ix, path);
        /* the context is the mapping that holds the list */
        nmap = 0;
        for (size_t i = 0; i + 1 < n; i++)
            if (p.is_index[i])
                nmap = i + 1;
        describe(&p, nmap, ctx, sizeof ctx, &keys);
        snprintf(pfx, sizeof pfx, "%s%s", ctx, ctx[0] ? ": " : "");
        return fail_at(err, file, le ? le->line : p.line,
                       "%s'%s' needs at least %u entr%s", pfx,
                       n ? p.comp[n - 1] : "?", min, min == 1 ? "y" : "ies");
    }
    return fail_at(err, file, p.line, "%s%s", pfx,
                   msg[0] ? msg : cyaml_strerror(e));
}

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
        p->line = line_of(ix, "parameters.%zu", i);
        p->default_line = line_of(ix, "parameters.%zu.default", i);
        unsigned name_line = line_of(ix, "parameters.%zu.name", i);
        if (!is_identifier(p->name) || strlen(p->name) > 64)
            return fail_at(err, file, name_line,
                           "parameter %zu: name '%s' must be an identifier "
                           "(letters, digits, '_'; at most 64)",
                           i + 1, p->name);
        if (is_builtin_param(p->name))
            return fail_at(err, file, name_line,
                           "parameter '%s' is built in (always bound); "
                           "choose another name",
                           p->name);
        if (rp->type) {
            int k = -1;
            for (int j = 0; j <= CS_PARAM_TIME; j++)
                if (strcmp(rp->type, param_type_names[j]) == 0)
                    k = j;
            if (k < 0)
                return fail_at(err, file, line_of(ix, "parameters.%zu.type", i),
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
                return fail_at(err, file, name_line,
                               "parameter '%s' is already declared (line %u)",
                               p->name, t->params[j].line);
            snprintf(us, sizeof us, "%s_us", p->name);
            if (p->type == CS_PARAM_TIME && strcmp(us, t->params[j].name) == 0)
                return fail_at(err, file, name_line,
                               "parameter '%s' is a time, which also binds "
                               ":%s, already declared (line %u)",
                               p->name, us,
                               t->params[j].line);
        }
        if (p->type == CS_PARAM_TIME) {
            char us[80];
            snprintf(us, sizeof us, "%s_us", p->name);
            if (is_builtin_param(us))
                return fail_at(err, file, name_line,
                               "parameter '%s' is a time, which also binds "
                               ":%s, a built-in name",
                               p->name, us);
        }
        const char *d = p->default_value;
        int64_t us;
        if (d && p->type == CS_PARAM_NUMBER && !number_ok(d))
            return fail_at(err, file, p->default_line,
                           "parameter '%s': default '%s' is not a number",
                           p->name, d);
        if (d && p->type == CS_PARAM_TIME && !cs_time_parse_iso(d, strlen(d), &us))
            return fail_at(err, file, p->default_line,
                           "parameter '%s': default '%s' is not an ISO 8601 time "
                           "(2026-11-16 or 2026-11-16T08:00:00Z)",
                           p->name, d);
    }
    return CS_OK;
}

/* Copy one raw step into st (lines included), with enums parsed. */
static cs_status
convert_step(const char *file, size_t i, const struct raw_step *rs,
             struct cs_template_step *st, const struct lindex *ix,
             struct cs_err *err)
{
    struct cs_template_step_lines *L = &st->lines;
    st->line = line_of(ix, "steps.%zu", i);
#define KL(k) L->k = line_of(ix, "steps.%zu." #k, i)
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
        st->formats[k].line = line_of(ix, "steps.%zu.formats.%zu", i, k);
    }

    char pfx[160];
    if (blank(st->title))
        return fail_at(err, file, L->title ? L->title : st->line,
                       "step %zu: the title is empty", i + 1);
    snprintf(pfx, sizeof pfx, "step %zu '%.100s'", i + 1, st->title);

    if (rs->section && rs->query)
        return fail_at(err, file, L->query > L->section ? L->query : L->section,
                       "%s: has both section and query; a step is one or the "
                       "other",
                       pfx);
    if (!rs->section && !rs->query)
        return fail_at(err, file, st->line,
                       "%s: needs either section: (a built-in part of the "
                       "report) or query: (SQL over the views)",
                       pfx);
    if (rs->section) {
        int k = -1;
        for (int j = 1; j < CS_SECTION__COUNT; j++)
            if (strcmp(rs->section, sections[j].name) == 0)
                k = j;
        if (k < 0)
            return fail_at(err, file, L->section,
                           "%s: unknown section '%s' (expected summary, "
                           "distribution, issues, trend, custom, data_quality, "
                           "data or compare)",
                           pfx, rs->section);
        st->section = (enum cs_section)k;
    } else {
        st->section = CS_SECTION_QUERY;
        if (blank(st->query))
            return fail_at(err, file, L->query, "%s: the query is empty", pfx);
    }
    const struct section_def *sd = &sections[st->section];

    if (rs->category) {
        if (!sd->takes_category)
            return fail_at(err, file, L->category,
                           "%s: category applies only to the distribution, "
                           "issues and trend sections",
                           pfx);
        st->category = cs_category_parse(rs->category);
        if (st->category < 0)
            return fail_at(err, file, L->category,
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
            return fail_at(err, file, L->render,
                           "%s: unknown render '%s' (expected table, column, "
                           "column2y, bar, pie, line or stacked)",
                           pfx, rs->render);
        st->render = (enum cs_render)k;
        st->render_given = true;
        if (!(sd->renders & R(k))) {
            char list[128];
            render_list(sd->renders, list, sizeof list);
            return fail_at(err, file, L->render,
                           "%s: section %s cannot be rendered as %s (it draws: %s)",
                           pfx, sd->name, rs->render, list);
        }
    }

    /* chart columns: query steps only, and only what the render uses */
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
                return fail_at(err, file, cols[k].line,
                               "%s: x: '%s' is not a release dimension (sdk-version, os, "
                               "os-version, endpoint-type, participant-type, call-type, "
                               "end-reason, app-version, browser, client-os)",
                               pfx, st->x);
            continue;
        }
        if (st->section != CS_SECTION_QUERY)
            return fail_at(err, file, cols[k].line,
                           "%s: %s applies only to query steps (a section "
                           "chooses its own columns)",
                           pfx, cols[k].key);
        if (blank(cols[k].val))
            return fail_at(err, file, cols[k].line, "%s: %s is empty", pfx,
                           cols[k].key);
    }
    if (st->section == CS_SECTION_BREAKDOWN && !st->x)
        return fail_at(err, file, st->line,
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
            return fail_at(err, file, rl,
                           "%s: render %s needs x: and y: (the columns to draw)%s",
                           pfx, render_names[r],
                           need_y2 ? ", and y2:" : need_series ? ", and series:"
                                                               : "");
        if (need_y2 && !st->y2)
            return fail_at(err, file, rl,
                           "%s: render column2y needs y2: (the column on the "
                           "second axis)",
                           pfx);
        if (need_series && !st->series)
            return fail_at(err, file, rl,
                           "%s: render stacked needs series: (the column whose "
                           "values are the stacked parts)",
                           pfx);
        if (!need_xy && (st->x || st->y))
            return fail_at(err, file, st->x ? L->x : L->y,
                           "%s: %s applies only to charts, not render table",
                           pfx, st->x ? "x" : "y");
        if (st->y2 && !need_y2)
            return fail_at(err, file, L->y2,
                           "%s: y2 applies only to render column2y", pfx);
        if (st->series && !may_series)
            return fail_at(err, file, L->series,
                           "%s: series applies only to render column, bar, "
                           "line and stacked",
                           pfx);
    }

    for (size_t k = 0; k < st->n_formats; k++) {
        const struct cs_template_format *f = &st->formats[k];
        if (blank(f->column))
            return fail_at(err, file, f->line, "%s: format %zu has an empty "
                                               "column",
                           pfx, k + 1);
        if (blank(f->format) || strlen(f->format) > 255)
            return fail_at(err, file, f->line, "%s: format %zu for '%s' must "
                                               "be 1 to 255 characters (\"0.00%%\", \"#,##0\")",
                           pfx, k + 1, f->column);
        for (const char *p = f->format; *p; p++)
            if ((unsigned char)*p < 0x20)
                return fail_at(err, file, f->line, "%s: format for '%s' "
                                                   "contains a control character",
                               pfx, f->column);
        for (size_t j = 0; j < k; j++)
            if (strcasecmp(st->formats[j].column, f->column) == 0)
                return fail_at(err, file, f->line, "%s: column '%s' already "
                                                   "has a format (line %u)",
                               pfx, f->column,
                               st->formats[j].line);
    }

    const char *why;
    if (st->sheet && (why = sheet_problem(st->sheet)))
        return fail_at(err, file, L->sheet, "%s: sheet name '%s' %s", pfx,
                       st->sheet, why);
    if (st->sheet && st->section == CS_SECTION_DISTRIBUTION && st->category < 0)
        return fail_at(err, file, L->sheet,
                       "%s: a distribution over every category writes one sheet per "
                       "category; sheet: needs category: too",
                       pfx);
    if (st->chart) {
        if (!cs_render_is_chart(st->render))
            return fail_at(err, file, L->chart,
                           "%s: chart: is given but render %s draws no chart",
                           pfx, render_names[st->render]);
        if ((why = chart_problem(st->chart)))
            return fail_at(err, file, L->chart, "%s: chart name '%s' %s", pfx,
                           st->chart, why);
    }
    return CS_OK;
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
                s = fail_at(err, t->path, sl,
                            "step %zu '%.100s': the sheet name '%s' taken from "
                            "the title %s; set sheet:",
                            i + 1, st->title,
                            sheet, why);
                break;
            }
            if (chart[0] && st->chart && (why = chart_problem(chart))) {
                s = fail_at(err, t->path, cl, "step %zu '%.100s': chart name "
                                              "'%s' %s",
                            i + 1, st->title, chart, why);
                break;
            }
            for (size_t k = 0; k < n_sheets && s == CS_OK; k++)
                if (sheets[k].step != i && strcasecmp(sheets[k].name, sheet) == 0)
                    s = fail_at(err, t->path, sl,
                                "step %zu '%.100s': sheet '%s' is already "
                                "written by step %zu (line %u); set a different "
                                "sheet:",
                                i + 1, st->title, sheet,
                                sheets[k].step + 1, t->steps[sheets[k].step].line);
            for (size_t k = 0; k < n_charts && s == CS_OK && chart[0]; k++)
                if (charts[k].step != i && strcasecmp(charts[k].name, chart) == 0)
                    s = fail_at(err, t->path, cl,
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
    cs_status s = scan(path, yaml, len, &ix, err);
    if (s != CS_OK) {
        lindex_free(&ix);
        return s;
    }
    struct cylog log = {.n = 0};
    cyaml_config_t cfg = {
        .log_fn = cy_log,
        .log_ctx = &log,
        .mem_fn = cy_mem,
        .log_level = CYAML_LOG_WARNING,
        .flags = CYAML_CFG_NO_ALIAS,
    };
    cyaml_data_t *data = NULL;
    cyaml_err_t ce = cyaml_load_data((const uint8_t *)yaml, len, &cfg,
                                     &template_schema, &data, NULL);
    struct raw_template *raw = data;
    if (ce != CYAML_OK) {
        s = cyaml_failure(path, &log, ce, &ix, err);
        lindex_free(&ix);
        return s;
    }
    if (raw == NULL) {
        lindex_free(&ix);
        return fail_at(err, path, 1, "the template is empty (it needs title: "
                                     "and steps:)");
    }
    struct cs_template *t = xcalloc(1, sizeof *t);
    t->path = xstrdup(path);
    t->name = stem_of(path);
    t->title = xstrdup(raw->title);
    t->description = xstrdup(raw->description ? raw->description : "");
    if (blank(t->title))
        s = fail_at(err, path, line_of(&ix, "title"), "the title is empty");
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
    cyaml_free(&cfg, &template_schema, raw, 0);
    lindex_free(&ix);
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
