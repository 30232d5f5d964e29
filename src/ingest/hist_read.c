/*
 * ingest/hist_read.c: one histograms table in CSV, {"tables"} or
 * array-of-objects form (see hist_read.h).  The files are aggregates (tens
 * of thousands of rows for a million surveys), so a file is read whole;
 * CSV goes through libcsv line by line (for line numbers), JSON through
 * cJSON.  Every cell becomes a struct cell first, then a typed value per
 * the contract's column type, then a checked row.
 */
#include "ingest/hist_read.h"

#include <cjson/cJSON.h>
#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "ingest/ingest_int.h"
#include "model/survey.h"

const char *const cs_hist_dim_columns[CS_HIST_DIMS] = {
    "sdk_version", "endpoint_type", "participant_type", "call_type", "end_reason",
    "os", "os_version", "app_version", "browser", "client_os"};

#define HIST_FILE_MAX (1024ull << 20) /* 1 GiB: far above any aggregate */
#define MAX_COLS 64
#define DIM_BASE 1000 /* column map value of dimension i: DIM_BASE + i */

/* The contract's columns the reader gives meaning to. */
enum fld {
    FD_KIND,
    FD_PERIOD,
    FD_RESOURCE,
    FD_CKEY,
    FD_CVALUE,
    FD_CATEGORY,
    FD_LOWER,
    FD_UPPER,
    FD_THRESHOLD,
    FD_DEFAULT,
    FD_SCORE,
    FD_TAGS,
    FD_REASON,
    FD_N,
    FD_CALLS,
    FD_PARTS,
    FD_FIRST,
    FD_LAST,
    FD__COUNT
};
static const char *const fld_name[FD__COUNT] = {
    "row_kind", "period", "resource_id", "custom_key", "custom_value", "category",
    "lower", "upper", "threshold", "default_scale", "score", "tags", "reason", "n",
    "calls", "participants", "first_time", "last_time"};

enum ckind { C_NULL,
             C_TEXT,
             C_NUM,
             C_BOOL };

struct cell {
    enum ckind k;
    const char *s; /* C_TEXT (NUL-terminated) and C_NUM (its text, may be NULL) */
    double num;
    bool b;
};

/* A typed value of one contract column. */
struct val {
    bool null;
    const char *s;
    double r;
    bool b;
    int64_t t;
};

struct reader {
    const char *path;
    const struct cs_hist_read_opts *o;
    cs_hist_row_cb cb;
    void *ctx;
    struct cs_err *err;
    struct cs_hist_file_info *info;
    int map[MAX_COLS];    /* file column -> contract index, DIM_BASE + i, or -1 */
    int fld_of[MAX_COLS]; /* contract index -> enum fld */
    size_t n_file_cols;
    const char *what; /* "line" or "row" */
    char numbuf[MAX_COLS][40];
};

/* ---- columns ---------------------------------------------------------- */

static int
dim_index(const char *name)
{
    for (int i = 0; i < CS_HIST_DIMS; i++)
        if (strcmp(name, cs_hist_dim_columns[i]) == 0)
            return i;
    return -1;
}

static int
contract_index(const struct cs_hist_read_opts *o, const char *name)
{
    for (size_t i = 0; i < o->n_cols; i++)
        if (strcmp(o->cols[i].name, name) == 0)
            return (int)i;
    return -1;
}

static cs_status map_names(struct reader *rd, const char *const *names,
                           const char *const *types, size_t n);

/* Map the file's column names (types: NULL when the form has none) onto
 * the contract, or fail naming the difference. */
static cs_status
map_columns(struct reader *rd, const char *const *names, const char *const *types, size_t n)
{
    const struct cs_hist_read_opts *o = rd->o;
    if (n > MAX_COLS)
        return cs_fail(rd->err, CS_E_SCHEMA, rd->path, "%zu columns: more than the %zu of the contract",
                       n, o->n_cols + CS_HIST_DIMS);
    rd->n_file_cols = n;
    /* the portal's CSV export names a datetime column "first_time [UTC]" */
    char *plain[MAX_COLS];
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(names[i]);
        plain[i] = xstrdup(names[i]);
        if (l > 6 && strcmp(names[i] + l - 6, " [UTC]") == 0)
            plain[i][l - 6] = '\0';
    }
    cs_status st = map_names(rd, (const char *const *)plain, types, n);
    for (size_t i = 0; i < n; i++)
        xfree(plain[i]);
    return st;
}

static cs_status
map_names(struct reader *rd, const char *const *names, const char *const *types, size_t n)
{
    const struct cs_hist_read_opts *o = rd->o;
    bool seen[MAX_COLS] = {false};
    char extra[512] = "", missing[512] = "";
    size_t n_extra = 0, n_missing = 0, le = 0, lm = 0;
    const char *one_extra = NULL, *one_missing = NULL;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i; j++)
            if (strcmp(names[i], names[j]) == 0)
                return cs_fail(rd->err, CS_E_SCHEMA, rd->path, "column '%s' appears twice", names[i]);
        int d = dim_index(names[i]), c = contract_index(o, names[i]);
        rd->map[i] = c >= 0 ? c : d >= 0 ? DIM_BASE + d
                                         : -1;
        if (c >= 0)
            seen[c] = true;
        if (rd->map[i] < 0) {
            n_extra++;
            one_extra = names[i];
            if (le < sizeof extra)
                le += (size_t)snprintf(extra + le, sizeof extra - le, "%s'%s'", le ? ", " : "", names[i]);
        }
        const char *want = c >= 0 ? o->cols[c].type : "string";
        if (rd->map[i] >= 0 && types && strcmp(types[i], want) != 0)
            return cs_fail(rd->err, CS_E_SCHEMA, rd->path,
                           "column '%s' has type %s; the histograms table has %s there", names[i],
                           types[i], want);
    }
    for (size_t c = 0; c < o->n_cols; c++)
        if (!seen[c]) {
            n_missing++;
            one_missing = o->cols[c].name;
            if (lm < sizeof missing)
                lm += (size_t)snprintf(missing + lm, sizeof missing - lm, "%s'%s'", lm ? ", " : "",
                                       o->cols[c].name);
        }
    if (n_extra == 1 && n_missing == 1)
        return cs_fail(rd->err, CS_E_SCHEMA, rd->path,
                       "column '%s' is missing and '%.60s' is not a histograms column (renamed?); "
                       "the columns are those of `callsurvey kql --print-columns`",
                       one_missing, one_extra);
    if (n_missing || n_extra)
        return cs_fail(rd->err, CS_E_SCHEMA, rd->path,
                       "%s%s%s%s%s%s; the columns are those of `callsurvey kql --print-columns`",
                       n_missing ? (n_missing > 1 ? "missing columns " : "missing column ") : "",
                       missing, n_missing && n_extra ? "; " : "",
                       n_extra ? (n_extra > 1 ? "extra columns " : "extra column ") : "", extra,
                       n_extra ? " (not histograms columns)" : "");
    for (size_t i = 0; i < n; i++)
        if (rd->map[i] >= DIM_BASE)
            rd->info->dims |= 1u << (rd->map[i] - DIM_BASE);
    return CS_OK;
}

/* ---- values ----------------------------------------------------------- */

static cs_status bad(struct reader *rd, uint64_t at, const char *col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A bad value: "FILE: line 12: column 'score': ..." (values cut at 60 bytes). */
static cs_status
bad(struct reader *rd, uint64_t at, const char *col, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cs_fail(rd->err, CS_E_PARSE, rd->path, "%s %llu: column '%s': %s", rd->what,
                   (unsigned long long)at, col, msg);
}

static bool
parse_bool(const char *s, bool *out)
{
    static const char *const t[] = {"true", "True", "TRUE", "1"}, *const f[] = {"false", "False", "FALSE", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(s, t[i]) == 0)
            return *out = true;
        if (strcmp(s, f[i]) == 0)
            return !(*out = false);
    }
    return false;
}

/* Cell -> typed value per the Kusto type. */
static cs_status
typed(struct reader *rd, uint64_t at, const char *col, const char *type, const struct cell *c,
      struct val *v)
{
    memset(v, 0, sizeof *v);
    if (c->k == C_NULL || (c->k == C_TEXT && c->s[0] == '\0' && strcmp(type, "string") != 0)) {
        v->null = true;
        v->s = "";
        return CS_OK;
    }
    const char *text = c->s ? c->s : "";
    if (strcmp(type, "string") == 0) {
        v->s = c->k == C_BOOL ? (c->b ? "true" : "false") : text;
        return CS_OK;
    }
    if (strcmp(type, "bool") == 0) {
        if (c->k == C_BOOL)
            v->b = c->b;
        else if (c->k != C_TEXT || !parse_bool(text, &v->b))
            return bad(rd, at, col, "'%.60s' is not true or false", text);
        return CS_OK;
    }
    if (strcmp(type, "datetime") == 0) {
        if (c->k != C_TEXT || !cs_time_parse_any(text, strlen(text), rd->o->date_order, &v->t))
            return bad(rd, at, col, "'%.60s' is not a time", text);
        return CS_OK;
    }
    if (c->k == C_NUM)
        v->r = c->num;
    else if (c->k != C_TEXT || !cs_parse_number(text, strlen(text), &v->r))
        return bad(rd, at, col, "'%.60s' is not a number", text);
    if (v->r != v->r || v->r - v->r != 0)
        return bad(rd, at, col, "'%.60s' is not a finite number", text);
    if (strcmp(type, "long") == 0 && (v->r != (double)(int64_t)v->r || v->r < 0 || v->r > 9e15))
        return bad(rd, at, col, "'%.60s' is not a count (a whole number from 0)", text);
    return CS_OK;
}

/* "2026-W47" or "2026-11-16" into the row's period fields. */
static bool
parse_period(const char *p, struct cs_hist_row_in *r)
{
    int y, w, m, d;
    char tail;
    if (strlen(p) == 8 && sscanf(p, "%4d-W%2d%c", &y, &w, &tail) == 2 && w >= 1 && w <= 53) {
        int64_t mon = cs_iso_week_monday(y, w);
        int yy, ww;
        cs_iso_week(mon, &yy, &ww);
        if (yy != y || ww != w)
            return false;
        r->period_day = false;
        r->bucket_day = mon;
        r->p_start = mon * CS_US_PER_DAY;
        r->p_end = r->p_start + 7 * CS_US_PER_DAY;
    } else if (strlen(p) == 10 && sscanf(p, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && m >= 1 &&
               m <= 12 && d >= 1 && d <= 31) {
        int64_t day = cs_days_from_civil(y, (unsigned)m, (unsigned)d), cy;
        unsigned cm, cd;
        cs_civil_from_days(day, &cy, &cm, &cd);
        if (cy != y || (int)cm != m || (int)cd != d)
            return false;
        r->period_day = true;
        r->bucket_day = day;
        r->p_start = day * CS_US_PER_DAY;
        r->p_end = r->p_start + CS_US_PER_DAY;
    } else {
        return false;
    }
    int iy, iw;
    cs_iso_week(r->bucket_day, &iy, &iw);
    r->bucket_week = (int64_t)iy * 100 + iw;
    return true;
}

static cs_status
need(struct reader *rd, uint64_t at, const struct val *v, enum fld f, const char *kind)
{
    if (!v[f].null)
        return CS_OK;
    return bad(rd, at, fld_name[f], "empty, but a %s row needs a value", kind);
}

/* The typed values of one row (by enum fld) into a checked row. */
static cs_status
check_row(struct reader *rd, uint64_t at, const struct val *v, const char *const *dims,
          struct cs_hist_row_in *r)
{
    static const char *const kinds[] = {"rating", "total", "merged", "reject"};
    memset(r, 0, sizeof *r);
    r->line = at;
    r->cat = -1;
    int k = -1;
    for (int i = 0; i < 4; i++)
        if (strcmp(v[FD_KIND].s, kinds[i]) == 0)
            k = i;
    if (k < 0)
        return bad(rd, at, "row_kind", "'%.60s' is not rating, total, merged or reject", v[FD_KIND].s);
    r->kind = (enum cs_hist_kind)k;
    cs_status st;
    if ((st = need(rd, at, v, FD_N, kinds[k])))
        return st;
    r->n = (uint64_t)v[FD_N].r;
    r->period = v[FD_PERIOD].s;
    if (r->period[0] ? !parse_period(r->period, r) : k <= CS_HK_TOTAL)
        return bad(rd, at, "period",
                   "'%.60s' is not an ISO week (2026-W47) or a day (2026-11-16)", r->period);
    r->resource_id = v[FD_RESOURCE].s;
    r->custom_key = v[FD_CKEY].s;
    r->custom_value = v[FD_CVALUE].s;
    r->tags = v[FD_TAGS].s;
    r->reason = v[FD_REASON].s;
    for (int i = 0; i < CS_HIST_DIMS; i++)
        r->dims[i] = dims[i];
    if (k == CS_HK_RATING) {
        static const enum fld req[] = {FD_CATEGORY, FD_LOWER, FD_UPPER, FD_THRESHOLD, FD_DEFAULT,
                                       FD_SCORE};
        for (size_t i = 0; i < sizeof req / sizeof *req; i++)
            if ((st = need(rd, at, v, req[i], "rating")))
                return st;
        if ((r->cat = cs_category_parse(v[FD_CATEGORY].s)) < 0)
            return bad(rd, at, "category", "'%.60s' is not overall, audio, video or screenshare",
                       v[FD_CATEGORY].s);
        r->lower = v[FD_LOWER].r;
        r->upper = v[FD_UPPER].r;
        r->threshold = v[FD_THRESHOLD].r;
        r->score = v[FD_SCORE].r;
        r->default_scale = v[FD_DEFAULT].b;
    } else if (k == CS_HK_TOTAL) {
        static const enum fld req[] = {FD_CALLS, FD_PARTS, FD_FIRST, FD_LAST};
        for (size_t i = 0; i < sizeof req / sizeof *req; i++)
            if ((st = need(rd, at, v, req[i], "total")))
                return st;
        r->calls = (uint64_t)v[FD_CALLS].r;
        r->participants = (uint64_t)v[FD_PARTS].r;
        r->first_us = v[FD_FIRST].t;
        r->last_us = v[FD_LAST].t;
        if (r->last_us < r->first_us)
            return bad(rd, at, "last_time", "%s is before first_time", "it");
    }
    return CS_OK;
}

/* One row of cells in file column order. */
static cs_status
emit(struct reader *rd, uint64_t at, const struct cell *cells, size_t n)
{
    if (n != rd->n_file_cols && !(n == 1 && cells[0].k == C_TEXT && !cells[0].s[0]))
        return cs_fail(rd->err, CS_E_PARSE, rd->path, "%s %llu: %zu values for %zu columns",
                       rd->what, (unsigned long long)at, n, rd->n_file_cols);
    if (n != rd->n_file_cols)
        return CS_OK; /* a blank line */
    struct val v[FD__COUNT];
    const char *dims[CS_HIST_DIMS] = {NULL};
    for (size_t i = 0; i < FD__COUNT; i++)
        v[i] = (struct val){.null = true, .s = ""};
    for (size_t i = 0; i < n; i++) {
        int m = rd->map[i];
        if (m >= DIM_BASE) {
            dims[m - DIM_BASE] = cells[i].k == C_TEXT ? cells[i].s : "";
            continue;
        }
        cs_status st = typed(rd, at, rd->o->cols[m].name, rd->o->cols[m].type, &cells[i],
                             &v[rd->fld_of[m]]);
        if (st)
            return st;
    }
    struct cs_hist_row_in r;
    cs_status st = check_row(rd, at, v, dims, &r);
    if (st == CS_OK)
        st = rd->cb(rd->ctx, &r, rd->err);
    rd->info->rows++;
    return st;
}

/* ---- CSV -------------------------------------------------------------- */

struct csvrow {
    struct reader *rd;
    char *f[MAX_COLS + 1];
    size_t n;
    bool header_done, too_wide;
    uint64_t line;
    cs_status st;
};

static void
on_field(void *data, size_t len, void *ctx)
{
    struct csvrow *cr = ctx;
    if (cr->n > MAX_COLS) {
        cr->too_wide = true;
        return;
    }
    char *s = xmalloc(len + 1);
    memcpy(s, data, len);
    s[len] = '\0';
    cr->f[cr->n++] = s;
}

static void
on_row(int term, void *ctx)
{
    (void)term;
    struct csvrow *cr = ctx;
    struct reader *rd = cr->rd;
    if (cr->st == CS_OK && cr->too_wide)
        cr->st = cs_fail(rd->err, CS_E_PARSE, rd->path, "line %llu: more than %d values",
                         (unsigned long long)cr->line, MAX_COLS);
    if (cr->st == CS_OK && !cr->header_done) {
        char *name0 = cr->f[0];
        if (cr->n && (unsigned char)name0[0] == 0xEF && (unsigned char)name0[1] == 0xBB &&
            (unsigned char)name0[2] == 0xBF)
            memmove(name0, name0 + 3, strlen(name0 + 3) + 1); /* Excel's BOM */
        cr->st = map_columns(rd, (const char *const *)cr->f, NULL, cr->n);
        cr->header_done = true;
    } else if (cr->st == CS_OK) {
        struct cell c[MAX_COLS];
        for (size_t i = 0; i < cr->n; i++)
            c[i] = (struct cell){.k = C_TEXT, .s = cr->f[i]};
        cr->st = emit(rd, cr->line, c, cr->n);
    }
    for (size_t i = 0; i < cr->n; i++)
        xfree(cr->f[i]);
    cr->n = 0;
    cr->too_wide = false;
}

static cs_status
read_csv(struct reader *rd, const char *buf, size_t len)
{
    struct csv_parser p;
    if (csv_init(&p, CSV_APPEND_NULL) != 0)
        return cs_fail(rd->err, CS_E_NOMEM, rd->path, "csv_init failed");
    rd->what = "line";
    struct csvrow cr = {.rd = rd};
    uint64_t line = 1;
    for (size_t pos = 0; pos < len && cr.st == CS_OK;) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - buf) + 1 : len;
        if (p.pstate == 0)
            cr.line = line;
        if (csv_parse(&p, buf + pos, end - pos, on_field, on_row, &cr) != end - pos && cr.st == CS_OK)
            cr.st = cs_fail(rd->err, CS_E_PARSE, rd->path, "line %llu: %s",
                            (unsigned long long)line, csv_strerror(csv_error(&p)));
        pos = end;
        line++;
    }
    if (cr.st == CS_OK)
        csv_fini(&p, on_field, on_row, &cr);
    for (size_t i = 0; i < cr.n; i++)
        xfree(cr.f[i]);
    csv_free(&p);
    if (cr.st == CS_OK && !cr.header_done)
        cr.st = cs_fail(rd->err, CS_E_NODATA, rd->path, "the file is empty");
    return cr.st;
}

/* ---- JSON ------------------------------------------------------------- */

static struct cell
json_cell(struct reader *rd, size_t col, const cJSON *x)
{
    if (!x || cJSON_IsNull(x))
        return (struct cell){.k = C_NULL};
    if (cJSON_IsString(x))
        return (struct cell){.k = C_TEXT, .s = x->valuestring};
    if (cJSON_IsBool(x))
        return (struct cell){.k = C_BOOL, .b = cJSON_IsTrue(x)};
    if (cJSON_IsNumber(x)) {
        snprintf(rd->numbuf[col], sizeof rd->numbuf[col], "%.17g", x->valuedouble);
        return (struct cell){.k = C_NUM, .num = x->valuedouble, .s = rd->numbuf[col]};
    }
    return (struct cell){.k = C_TEXT, .s = "(an object or array)"};
}

static cs_status
read_tables(struct reader *rd, const cJSON *doc)
{
    const cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "tables"), 0);
    const cJSON *cols = cJSON_GetObjectItemCaseSensitive(t, "columns");
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(t, "rows");
    if (!cJSON_IsArray(cols) || !cJSON_IsArray(rows))
        return cs_fail(rd->err, CS_E_PARSE, rd->path,
                       "a JSON object but not {\"tables\":[{\"columns\":[...],\"rows\":[...]}]}");
    const char *names[MAX_COLS], *types[MAX_COLS];
    size_t n = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cols)
    {
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(c, "name");
        const cJSON *ty = cJSON_GetObjectItemCaseSensitive(c, "type");
        if (!cJSON_IsString(nm) || !cJSON_IsString(ty))
            return cs_fail(rd->err, CS_E_PARSE, rd->path, "column %zu has no name or type", n);
        if (n == MAX_COLS)
            return cs_fail(rd->err, CS_E_SCHEMA, rd->path, "more than %d columns", MAX_COLS);
        names[n] = nm->valuestring;
        types[n++] = ty->valuestring;
    }
    cs_status st = map_columns(rd, names, types, n);
    rd->what = "row";
    uint64_t at = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, rows)
    {
        if (st)
            break;
        struct cell cells[MAX_COLS];
        size_t k = 0;
        if (!cJSON_IsArray(row))
            return cs_fail(rd->err, CS_E_PARSE, rd->path, "row %llu is not an array",
                           (unsigned long long)at);
        const cJSON *x;
        cJSON_ArrayForEach(x, row)
        {
            if (k == MAX_COLS)
                break;
            cells[k] = json_cell(rd, k, x);
            k++;
        }
        st = emit(rd, at++, cells, k);
    }
    return st;
}

static cs_status
read_array(struct reader *rd, const cJSON *doc)
{
    const cJSON *first = cJSON_GetArrayItem(doc, 0);
    if (!first)
        return CS_OK; /* az prints [] for a result without rows: nothing to add */
    if (!cJSON_IsObject(first))
        return cs_fail(rd->err, CS_E_PARSE, rd->path, "a JSON array but not of row objects");
    const char *names[MAX_COLS];
    size_t n = 0;
    const cJSON *x;
    cJSON_ArrayForEach(x, first)
    {
        if (strcmp(x->string, "TableName") == 0)
            continue; /* az adds the table's name to every row */
        if (n == MAX_COLS)
            return cs_fail(rd->err, CS_E_SCHEMA, rd->path, "more than %d columns", MAX_COLS);
        names[n++] = x->string;
    }
    cs_status st = map_columns(rd, names, NULL, n);
    rd->what = "row";
    uint64_t at = 0;
    const cJSON *row;
    cJSON_ArrayForEach(row, doc)
    {
        if (st)
            break;
        if (!cJSON_IsObject(row))
            return cs_fail(rd->err, CS_E_PARSE, rd->path, "row %llu is not an object",
                           (unsigned long long)at);
        cJSON_ArrayForEach(x, row)
        {
            size_t i = 0;
            while (i < n && strcmp(names[i], x->string) != 0)
                i++;
            if (i == n && strcmp(x->string, "TableName") != 0)
                return cs_fail(rd->err, CS_E_SCHEMA, rd->path,
                               "row %llu: extra column '%s' (not in row 0)",
                               (unsigned long long)at, x->string);
        }
        struct cell cells[MAX_COLS];
        for (size_t i = 0; i < n; i++)
            cells[i] = json_cell(rd, i, cJSON_GetObjectItemCaseSensitive(row, names[i]));
        st = emit(rd, at++, cells, n);
    }
    return st;
}

/* ---- the file --------------------------------------------------------- */

static cs_status
slurp(const char *path, char **out, size_t *len, struct cs_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return cs_fail(err, CS_E_IO, path, "cannot open: %s", strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *b = xmalloc(cap + 1);
    size_t got;
    while ((got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            if (cap >= HIST_FILE_MAX) {
                fclose(f);
                xfree(b);
                return cs_fail(err, CS_E_PARSE, path, "larger than 1 GiB: not a histograms table");
            }
            b = xrealloc(b, (cap *= 2) + 1);
        }
    }
    bool bad_read = ferror(f);
    fclose(f);
    if (bad_read) {
        xfree(b);
        return cs_fail(err, CS_E_IO, path, "read error");
    }
    b[n] = '\0';
    *out = b;
    *len = n;
    return CS_OK;
}

cs_status
cs_hist_read(const char *path, const struct cs_hist_read_opts *o, cs_hist_row_cb cb, void *ctx,
             struct cs_hist_file_info *info, struct cs_err *err)
{
    memset(info, 0, sizeof *info);
    struct reader rd = {.path = path, .o = o, .cb = cb, .ctx = ctx, .err = err, .info = info};
    for (size_t i = 0; i < o->n_cols && i < MAX_COLS; i++) {
        rd.fld_of[i] = -1;
        for (int f = 0; f < FD__COUNT; f++)
            if (strcmp(o->cols[i].name, fld_name[f]) == 0)
                rd.fld_of[i] = f;
        if (rd.fld_of[i] < 0)
            return cs_fail(err, CS_E_INTERNAL, NULL, "histograms column '%s' unknown to the reader",
                           o->cols[i].name);
    }
    char *buf = NULL;
    size_t len = 0;
    cs_status st = slurp(path, &buf, &len, err);
    if (st)
        return st;
    size_t i = 0;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
        i++;
    if (i < len && (buf[i] == '[' || buf[i] == '{')) {
        cJSON *doc = cJSON_ParseWithLength(buf + i, len - i);
        if (!doc)
            st = cs_fail(err, CS_E_PARSE, path, "not valid JSON (near byte %zu)",
                         (size_t)(cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() - buf : 0));
        else if (buf[i] == '[') {
            info->form = "array";
            st = read_array(&rd, doc);
        } else {
            info->form = "tables";
            st = read_tables(&rd, doc);
        }
        cJSON_Delete(doc);
    } else {
        info->form = "csv";
        st = read_csv(&rd, buf, len);
    }
    xfree(buf);
    return st;
}
