/*
 * report/template_run.c: parameter values for a template and its query
 * steps run through the read-only runner (store/runner.h).
 *
 * Values never touch SQL text: each becomes a struct cs_sql_param that the
 * runner binds with sqlite3_bind_*.  Times are bound in two forms, text in
 * the views' own strftime('%Y-%m-%dT%H:%M:%fZ') shape (milliseconds, 'Z';
 * comparable as text with the `time` columns) and integer µs for `time_us`.
 * After a step's SQL is prepared, the columns the step names (x, y, y2,
 * series, formats) are checked against the statement's result columns, so
 * a typo is reported at its line before any chart is drawn.
 */
#include "report/template.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctime.h"
#include "core/mem.h"
#include "store/privacy_views.h"

/* ---- Private helpers ------------------------------------------------- */

/* A cell as the chart labels it (report/charts.c: cell_text). */
static char *
label_text(const struct cs_cell *x)
{
    char b[40];
    switch (x->type) {
    case CS_SQL_INT: return xasprintf("%lld", (long long)x->i);
    case CS_SQL_REAL: snprintf(b, sizeof b, "%.17g", x->r); return xstrdup(b);
    case CS_SQL_TEXT: return xstrdup(x->t.s);
    default: return xstrdup("(none)");
    }
}

static int
cmp_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The first (in sort order) x value, or "x \x1f series" pair, that two
 * rows of r share; NULL when none.  Owned.  Sorting keeps this n log n. */
static char *
repeated_label(const struct cs_result *r, long cx, long cs)
{
    char **k = xcalloc(r->n_rows ? r->n_rows : 1, sizeof *k);
    for (size_t i = 0; i < r->n_rows; i++) {
        char *x = label_text(cs_result_cell(r, i, (size_t)cx));
        if (cs >= 0) {
            char *s = label_text(cs_result_cell(r, i, (size_t)cs));
            k[i] = xasprintf("%s\x1f%s", x, s); /* split again for the message */
            xfree(s);
            xfree(x);
        } else {
            k[i] = x;
        }
    }
    qsort(k, r->n_rows, sizeof *k, cmp_text);
    char *dup = NULL;
    for (size_t i = 1; i < r->n_rows && !dup; i++)
        if (strcmp(k[i - 1], k[i]) == 0)
            dup = xstrdup(k[i]);
    for (size_t i = 0; i < r->n_rows; i++)
        xfree(k[i]);
    xfree(k);
    return dup;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* "2026-11-16T08:00:00.000Z", as the views format `time` (ms, truncated). */
static void
view_time(int64_t us, char buf[40])
{
    int64_t ms = floor_div(us, 1000);
    int64_t day = floor_div(ms, INT64_C(86400000));
    int64_t rem = ms - day * INT64_C(86400000);
    int64_t y;
    unsigned m, d;
    cs_civil_from_days(day, &y, &m, &d);
    snprintf(buf, 40, "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", (long long)y, m,
             d, (int)(rem / 3600000), (int)(rem / 60000 % 60),
             (int)(rem / 1000 % 60), (int)(rem % 1000));
}

static const char *
keep(struct cs_template_params *p, char *s)
{
    p->strings = xreallocarray(p->strings, p->n_strings + 1, sizeof *p->strings);
    p->strings[p->n_strings++] = s;
    return s;
}

static struct cs_sql_param *
add(struct cs_template_params *p, const char *name)
{
    p->items = xreallocarray(p->items, p->n + 1, sizeof *p->items);
    struct cs_sql_param *q = &p->items[p->n++];
    *q = (struct cs_sql_param){.name = keep(p, xstrdup(name)), .type = CS_SQL_NULL};
    return q;
}

static void
add_text(struct cs_template_params *p, const char *name, const char *v)
{
    struct cs_sql_param *q = add(p, name);
    if (v) {
        q->type = CS_SQL_TEXT;
        q->s = keep(p, xstrdup(v));
    }
}

static void
add_int(struct cs_template_params *p, const char *name, int64_t v)
{
    struct cs_sql_param *q = add(p, name);
    q->type = CS_SQL_INT;
    q->i = v;
}

/* name (text) and name_us (integer) for a time; both NULL when !has. */
static void
add_time(struct cs_template_params *p, const char *name, bool has, int64_t us,
         const char *open_text, int64_t open_us)
{
    char buf[40], us_name[96];
    snprintf(us_name, sizeof us_name, "%s_us", name);
    if (has) {
        view_time(us, buf);
        add_text(p, name, buf);
        add_int(p, us_name, us);
    } else if (open_text) {
        add_text(p, name, open_text);
        add_int(p, us_name, open_us);
    } else {
        add(p, name);
        add(p, us_name);
    }
}

static char *
upper_dup(const char *s)
{
    char *u = xstrdup(s);
    for (char *c = u; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
    return u;
}

/* JSON array text of the upper-cased resources. */
static char *
resources_json(const struct cs_report_opts *o)
{
    size_t cap = 3;
    for (size_t i = 0; i < o->n_resources; i++)
        cap += strlen(o->resources[i]) * 6 + 3;
    char *j = xmalloc(cap), *w = j;
    *w++ = '[';
    for (size_t i = 0; i < o->n_resources; i++) {
        if (i)
            *w++ = ',';
        *w++ = '"';
        for (const unsigned char *c = (const unsigned char *)o->resources[i]; *c; c++) {
            unsigned char ch = (*c >= 'a' && *c <= 'z') ? (unsigned char)(*c - 32) : *c;
            if (ch == '"' || ch == '\\') {
                *w++ = '\\';
                *w++ = (char)ch;
            } else if (ch < 0x20) {
                w += sprintf(w, "\\u%04x", ch);
            } else {
                *w++ = (char)ch;
            }
        }
        *w++ = '"';
    }
    *w++ = ']';
    *w = '\0';
    return j;
}

/* Bind a declared parameter's value (text from the file or --param). */
static cs_status
add_declared(struct cs_template_params *p, const struct cs_template_param *d,
             const char *v, const char *where, struct cs_err *err)
{
    if (v == NULL) {
        if (d->type == CS_PARAM_TIME)
            add_time(p, d->name, false, 0, NULL, 0);
        else
            add(p, d->name);
        return CS_OK;
    }
    if (d->type == CS_PARAM_STRING) {
        add_text(p, d->name, v);
        return CS_OK;
    }
    if (d->type == CS_PARAM_TIME) {
        int64_t us;
        if (!cs_time_parse_iso(v, strlen(v), &us))
            return cs_fail(err, CS_E_USAGE, where,
                           "'%s' is not an ISO 8601 time (2026-11-16 or "
                           "2026-11-16T08:00:00Z)",
                           v);
        add_time(p, d->name, true, us, NULL, 0);
        return CS_OK;
    }
    char *end;
    errno = 0;
    long long i = strtoll(v, &end, 10);
    if (end != v && *end == '\0' && errno == 0) {
        add_int(p, d->name, i);
        return CS_OK;
    }
    errno = 0;
    double r = strtod(v, &end);
    if (end == v || *end != '\0' || errno == ERANGE || r != r)
        return cs_fail(err, CS_E_USAGE, where, "'%s' is not a number", v);
    struct cs_sql_param *q = add(p, d->name);
    q->type = CS_SQL_REAL;
    q->r = r;
    return CS_OK;
}

/* Check that every column the step names is in r's columns. */
static cs_status
check_columns(const struct cs_template *t, size_t i,
              const struct cs_result *r, struct cs_err *err)
{
    const struct cs_template_step *st = &t->steps[i];
    struct want {
        const char *key, *col; /* option name, column it names (NULL: none) */
        unsigned line;
    } want[4 + 64];
    size_t n = 0;
    want[n++] = (struct want){"x", st->x, st->lines.x};
    want[n++] = (struct want){"y", st->y, st->lines.y};
    want[n++] = (struct want){"y2", st->y2, st->lines.y2};
    want[n++] = (struct want){"series", st->series, st->lines.series};
    for (size_t k = 0; k < st->n_formats && n < sizeof want / sizeof *want; k++)
        want[n++] = (struct want){"format", st->formats[k].column,
                                  st->formats[k].line};
    for (size_t k = 0; k < n; k++) {
        if (want[k].col == NULL || cs_result_column(r, want[k].col) >= 0)
            continue;
        char cols[300] = "";
        size_t used = 0;
        for (size_t c = 0; c < r->n_cols && used < sizeof cols; c++)
            used += (size_t)snprintf(cols + used, sizeof cols - used, "%s%s",
                                     c ? ", " : "", r->cols[c].name);
        char where[300];
        snprintf(where, sizeof where, "%s:%u", t->path, want[k].line);
        return cs_fail(err, CS_E_TEMPLATE, where,
                       "step %zu '%.100s': %s column '%s' is not in the "
                       "query's result (columns: %s)",
                       i + 1, st->title,
                       want[k].key, want[k].col, cols);
    }
    return CS_OK;
}

static cs_status
step_query(struct cs_store *s, const struct cs_template *t, size_t i,
           const struct cs_template_params *p, uint32_t timeout_ms, bool rows,
           struct cs_result **out, struct cs_err *err)
{
    *out = NULL;
    const struct cs_template_step *st = &t->steps[i];
    if (st->section != CS_SECTION_QUERY || st->query == NULL)
        return cs_fail(err, CS_E_INTERNAL, t->path,
                       "step %zu '%s' is a section, not a query", i + 1, st->title);
    char where[300], label[160];
    snprintf(where, sizeof where, "%s:%u", t->path,
             st->lines.query ? st->lines.query : st->line);
    snprintf(label, sizeof label, "step %zu '%.100s'", i + 1, st->title);
    struct cs_query q = {
        .sql = st->query,
        .where = where,
        .label = label,
        .params = p ? p->items : NULL,
        .n_params = p ? p->n : 0,
        .timeout_ms = timeout_ms,
        .heap_limit = rows && p ? p->query_memory : 0,
    };
    struct cs_result *r = NULL;
    /* privacy mode: the pseudonymized stand-ins exist for this query only,
     * with a prefix of their own (store/privacy_views.h) */
    struct cs_store_privacy *pv = NULL;
    if (p && p->privacy) {
        cs_status ps = cs_store_privacy_begin(s, p->privacy, &pv, err);
        if (ps != CS_OK)
            return ps;
        q.private_prefix = cs_store_privacy_prefix(pv);
    }
    cs_status s2 = rows ? cs_runner_run(s, &q, &r, err)
                        : cs_runner_check(s, &q, &r, err);
    struct cs_err perr;
    cs_err_clear(&perr);
    cs_status ps = cs_store_privacy_end(s, &pv, &perr);
    if (ps != CS_OK) { /* over the query's own error: the run must end */
        cs_result_free(&r);
        s2 = ps;
        if (err)
            *err = perr;
    }
    if (s2 == CS_OK)
        s2 = check_columns(t, i, r, err);
    if (s2 != CS_OK) {
        cs_result_free(&r);
        return s2;
    }
    *out = r;
    return CS_OK;
}

/* ---- Public API ------------------------------------------------------ */

cs_status
cs_template_params_build(const struct cs_template *t,
                         const struct cs_report_opts *o,
                         const char *const *overrides, size_t n_overrides,
                         struct cs_template_params **out, struct cs_err *err)
{
    *out = NULL;
    /* overrides first: all of them must name declared parameters */
    for (size_t k = 0; k < n_overrides; k++) {
        const char *eq = strchr(overrides[k], '=');
        size_t len = eq ? (size_t)(eq - overrides[k]) : strlen(overrides[k]);
        bool found = false;
        for (size_t i = 0; i < t->n_params && !found; i++)
            found = strlen(t->params[i].name) == len &&
                    strncmp(t->params[i].name, overrides[k], len) == 0;
        if (!eq || !found)
            return cs_fail(err, CS_E_USAGE, "--param",
                           !eq ? "'%s' is not NAME=VALUE"
                               : "'%s' names no parameter of this template "
                                 "('callsurvey templates' lists them)",
                           overrides[k]);
    }
    struct cs_template_params *p = xcalloc(1, sizeof *p);
    bool week = o && o->has_week;
    bool has_since = o && (week || o->has_since);
    bool has_until = o && (week || o->has_until);
    int64_t since = !o ? 0 : week ? o->week_start_us
                                  : o->since_us;
    int64_t until = !o ? 0 : week ? o->week_end_us
                                  : o->until_us;
    add_time(p, "since", has_since, since, "0000-01-01T00:00:00.000Z", INT64_MIN);
    add_time(p, "until", has_until, until, "9999-12-31T23:59:59.999Z", INT64_MAX);
    add_time(p, "week_start", week, week ? o->week_start_us : 0, NULL, 0);
    add_time(p, "week_end", week, week ? o->week_end_us : 0, NULL, 0);
    if (week) {
        int y, w;
        char label[16];
        cs_iso_week(cs_time_day(o->week_start_us), &y, &w);
        snprintf(label, sizeof label, "%04d-W%02d", y, w);
        add_text(p, "week", label);
    } else {
        add(p, "week");
    }
    if (o && o->n_resources) {
        char *u = upper_dup(o->resources[0]), *j = resources_json(o);
        add_text(p, "resource", u);
        add_text(p, "resources", j);
        xfree(u);
        xfree(j);
    } else {
        add(p, "resource");
        add(p, "resources");
    }
    add_int(p, "min_n", o ? (int64_t)o->min_n : 30);
    p->privacy = o ? o->privacy : NULL;
    p->query_memory = o ? o->query_memory : 0;
    for (size_t i = 0; i < t->n_params; i++) {
        const struct cs_template_param *d = &t->params[i];
        const char *v = d->default_value;
        char where[128];
        snprintf(where, sizeof where, "%s:%u", t->path, d->default_line);
        for (size_t k = 0; k < n_overrides; k++) {
            size_t len = strlen(d->name);
            if (strncmp(overrides[k], d->name, len) == 0 && overrides[k][len] == '=') {
                v = overrides[k] + len + 1;
                snprintf(where, sizeof where, "--param %s", d->name);
            }
        }
        cs_status s = add_declared(p, d, v, where, err);
        if (s != CS_OK) {
            cs_template_params_free(&p);
            return s;
        }
    }
    *out = p;
    return CS_OK;
}

void
cs_template_params_free(struct cs_template_params **pp)
{
    if (pp == NULL || *pp == NULL)
        return;
    struct cs_template_params *p = *pp;
    for (size_t i = 0; i < p->n_strings; i++)
        xfree(p->strings[i]);
    xfree(p->strings);
    xfree(p->items);
    xfree(p);
    *pp = NULL;
}

cs_status
cs_template_check_queries(struct cs_store *s, const struct cs_template *t,
                          const struct cs_template_params *p,
                          struct cs_err *err)
{
    for (size_t i = 0; i < t->n_steps; i++) {
        if (t->steps[i].section != CS_SECTION_QUERY)
            continue;
        struct cs_result *r = NULL;
        cs_status st = step_query(s, t, i, p, 0, false, &r, err);
        cs_result_free(&r);
        if (st != CS_OK)
            return st;
    }
    return CS_OK;
}

const char *
cs_template_series_note(const struct cs_template_step *st, const struct cs_result *r,
                        long series, char *buf, size_t n)
{
    snprintf(buf, n, "step '%s': rows repeat values of %s: one %s per value of '%s' (series: %s)",
             st->title, r->cols[st->x ? cs_result_column(r, st->x) : 0].name,
             st->render == CS_RENDER_LINE ? "line" : "bar", r->cols[series].name,
             r->cols[series].name);
    return buf;
}

cs_status
cs_template_chart_series(const struct cs_template_step *st, const char *where,
                         const struct cs_result *r, long *series, bool *implied,
                         struct cs_err *err)
{
    *series = -1;
    *implied = false;
    if (!cs_render_is_chart(st->render) || r->n_rows < 2)
        return CS_OK;
    long cx = st->x ? cs_result_column(r, st->x) : 0;
    long cy = st->y ? cs_result_column(r, st->y) : (r->n_cols > 1 ? 1 : -1);
    long cy2 = st->y2 ? cs_result_column(r, st->y2) : -1;
    long cs = st->series ? cs_result_column(r, st->series) : -1;
    if (cx < 0 || cy < 0 || (st->series && cs < 0))
        return CS_OK; /* the chart reports the missing column */
    char *dup = repeated_label(r, cx, cs);
    if (!dup) {
        *series = cs;
        return CS_OK;
    }
    const char *xn = r->cols[cx].name;
    if (cs >= 0) {
        char *sv = strchr(dup, '\x1f');
        *sv++ = '\0';
        cs_status rc = cs_fail(err, CS_E_TEMPLATE, where,
                               "step '%s': several rows have %s '%s' and %s '%s': the chart "
                               "draws one value per %s and %s; aggregate them in the query",
                               st->title, xn, dup, r->cols[cs].name, sv, xn, r->cols[cs].name);
        xfree(dup);
        return rc;
    }
    bool takes = st->render == CS_RENDER_COLUMN || st->render == CS_RENDER_BAR ||
                 st->render == CS_RENDER_LINE;
    long cand = -1;
    size_t n_cand = 0;
    for (size_t c = 0; takes && c < r->n_cols; c++)
        if ((long)c != cx && (long)c != cy && (long)c != cy2 && r->cols[c].type == CS_SQL_TEXT) {
            cand = (long)c;
            n_cand++;
        }
    if (n_cand == 1) {
        char *d2 = repeated_label(r, cx, cand);
        if (!d2) {
            xfree(dup);
            *series = cand;
            *implied = true;
            return CS_OK;
        }
        xfree(d2);
    }
    cs_status rc =
        takes ? cs_fail(err, CS_E_TEMPLATE, where,
                        "step '%s': several rows have %s '%s' and a %s chart draws one value "
                        "per %s: name the column that tells them apart with series: "
                        "(one %s per value), or aggregate them in the query",
                        st->title, xn, dup, cs_render_name(st->render), xn,
                        st->render == CS_RENDER_LINE ? "line" : "bar")
              : cs_fail(err, CS_E_TEMPLATE, where,
                        "step '%s': several rows have %s '%s' and a %s chart draws one value "
                        "per %s (it takes no series:); aggregate them in the query",
                        st->title, xn, dup, cs_render_name(st->render), xn);
    xfree(dup);
    return rc;
}

cs_status
cs_template_run_step(struct cs_store *s, const struct cs_template *t,
                     size_t i_step, const struct cs_template_params *p,
                     uint32_t timeout_ms, struct cs_result **out,
                     struct cs_err *err)
{
    *out = NULL;
    if (i_step >= t->n_steps)
        return cs_fail(err, CS_E_INTERNAL, t->path, "no step %zu", i_step + 1);
    return step_query(s, t, i_step, p, timeout_ms, true, out, err);
}
