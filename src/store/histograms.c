/*
 * store/histograms.c: the `callsurvey kql` result table from the local
 * store (see histograms.h).  SQL groups the surveys; C sorts each tag list
 * into a set (the stored list keeps input order, so "Echo,AudioNoise" and
 * "AudioNoise,Echo" are one set), merges the groups that become equal, and
 * sorts the rows as the query's `order by` does.
 *
 * The survey filter is store/filter_sql.h's, as every query's: all of
 * them select the same surveys.
 */
#include "store/histograms.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "model/dims.h"
#include "model/survey.h"
#include "store/filter_sql.h"

struct row {
    struct cs_hist_row r;
    char *period, *resource, *tags, *reason; /* owned */
    char *dims[CS_HIST_MAX_BY];              /* owned */
    char *custom_value;                      /* owned; custom_key borrowed */
};

/* The SQL of the --by dimensions and of one custom key: the select list
 * (", cs_dim_group(...)", then the key's answer), the group-by columns from
 * first_col on, the joins. */
struct dims_sql {
    size_t n;
    char sel[2048], grp[256];
    const char *join;
    const char *key; /* custom key of this pass; NULL: the plain rows */
};

/* the survey's latest answer to the key bound as ?98 (a JSON path), ""
 * when none: the query's custom_value */
static const char custom_sql[] =
    ", coalesce((SELECT json_extract(e.props, ?98) FROM custom_events e"
    " WHERE e.survey_id = d.survey_id AND json_extract(e.props, ?98) IS NOT NULL"
    " ORDER BY e.time_us DESC, e.id DESC LIMIT 1), '')";

struct rows {
    struct row *v;
    size_t n, cap;
};

static struct row *
add_row(struct rows *rs)
{
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 256;
        rs->v = xreallocarray(rs->v, rs->cap, sizeof *rs->v);
    }
    struct row *w = &rs->v[rs->n++];
    memset(w, 0, sizeof *w);
    w->r.cat = -1;
    return w;
}

static void
rows_free(struct rows *rs)
{
    for (size_t i = 0; i < rs->n; i++) {
        xfree(rs->v[i].period);
        xfree(rs->v[i].resource);
        xfree(rs->v[i].tags);
        xfree(rs->v[i].reason);
        xfree(rs->v[i].custom_value);
        for (size_t k = 0; k < CS_HIST_MAX_BY; k++)
            xfree(rs->v[i].dims[k]);
    }
    xfree(rs->v);
}

static char *
text_col(sqlite3_stmt *q, int col)
{
    const char *t = (const char *)sqlite3_column_text(q, col);
    return xstrdup(t ? t : "");
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "Echo,AudioNoise" -> "AudioNoise,Echo" (owned). */
static char *
sorted_set(const char *list)
{
    char *copy = xstrdup(list ? list : "");
    size_t n = 0, cap = 8;
    char **v = xmalloc(cap * sizeof *v);
    for (char *p = copy, *e; *p; p = e) {
        e = strchr(p, ',');
        if (e)
            *e++ = '\0';
        else
            e = p + strlen(p);
        if (!*p)
            continue;
        if (n == cap)
            v = xreallocarray(v, cap *= 2, sizeof *v);
        v[n++] = p;
    }
    qsort(v, n, sizeof *v, cmp_str);
    char *out = xmalloc(strlen(list ? list : "") + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && strcmp(v[i], v[i - 1]) == 0)
            continue; /* the loader never stores a tag twice; be safe */
        size_t l = strlen(v[i]);
        if (o)
            out[o++] = ',';
        memcpy(out + o, v[i], l);
        o += l;
    }
    out[o] = '\0';
    xfree(v);
    xfree(copy);
    return out;
}

static int
cmp_num(double a, double b)
{
    return (a > b) - (a < b);
}

static const char *
cat_name(int cat)
{
    return cat >= 0 ? cs_category_name((enum cs_category)cat) : "";
}

/* The query's order: row_kind, period, resource_id, dimensions,
 * custom_key, custom_value, category, lower, upper, threshold,
 * default_scale, score, tags, reason. */
static int
cmp_row(const void *pa, const void *pb)
{
    const struct cs_hist_row *a = &((const struct row *)pa)->r;
    const struct cs_hist_row *b = &((const struct row *)pb)->r;
    int r;
    if ((r = strcmp(a->kind, b->kind)) || (r = strcmp(a->period, b->period)) ||
        (r = strcmp(a->resource_id, b->resource_id)))
        return r;
    for (size_t k = 0; k < CS_HIST_MAX_BY; k++)
        if ((r = strcmp(a->dims[k], b->dims[k])))
            return r;
    if ((r = strcmp(a->custom_key, b->custom_key)) || (r = strcmp(a->custom_value, b->custom_value)) ||
        (r = strcmp(cat_name(a->cat), cat_name(b->cat))) ||
        (r = cmp_num(a->lower, b->lower)) || (r = cmp_num(a->upper, b->upper)) ||
        (r = cmp_num(a->threshold, b->threshold)) ||
        (r = (int)a->default_scale - (int)b->default_scale) ||
        (r = cmp_num(a->score, b->score)) || (r = strcmp(a->tags, b->tags)))
        return r;
    return strcmp(a->reason, b->reason);
}


static cs_status
prepare(struct cs_store *s, const char *sql, const struct cs_filter *f, sqlite3_stmt **q,
        struct cs_err *err)
{
    if (sqlite3_prepare_v2(cs_store_db(s), sql, -1, q, NULL) != SQLITE_OK)
        return cs_fail(err, CS_E_DB, NULL, "histograms: %s", sqlite3_errmsg(cs_store_db(s)));
    cs_filter_bind(*q, f, cs_store_default_threshold(s));
    return CS_OK;
}

/* ... with the custom key's JSON path as ?98 (store/query.c's form) */
static cs_status
prepare_pass(struct cs_store *s, const char *sql, const struct cs_filter *f,
             const struct dims_sql *ds, sqlite3_stmt **q, struct cs_err *err)
{
    if (prepare(s, sql, f, q, err))
        return CS_E_DB;
    if (ds->key) {
        char *path = xasprintf("$.\"%s\"", ds->key);
        sqlite3_bind_text(*q, 98, path, -1, SQLITE_TRANSIENT);
        xfree(path);
    }
    return CS_OK;
}

/* A row's dimensions and custom answer from column col on. */
static void
row_split(struct row *w, sqlite3_stmt *q, int col, const struct dims_sql *ds)
{
    for (size_t k = 0; k < ds->n; k++)
        w->dims[k] = text_col(q, col + (int)k);
    w->r.custom_key = ds->key ? ds->key : "";
    if (ds->key)
        w->custom_value = text_col(q, col + (int)ds->n);
}

static cs_status
step_fail(struct cs_store *s, sqlite3_stmt *q, struct cs_err *err)
{
    cs_fail(err, CS_E_DB, NULL, "histograms: %s", sqlite3_errmsg(cs_store_db(s)));
    sqlite3_finalize(q);
    return CS_E_DB;
}

static const char *const cat_prefix[CS_CAT__COUNT] = {"o", "a", "v", "s"};

static cs_status
scan_ratings(struct cs_store *s, const struct cs_filter *f, const char *pcol, const char *where,
             const struct dims_sql *ds, struct rows *rs, struct cs_err *err)
{
    for (int c = 0; c < CS_CAT__COUNT; c++) {
        const char *p = cat_prefix[c];
        char sql[16384];
        snprintf(sql, sizeof sql,
                 "SELECT %s, r.resource_id, d.%s_lo IS NULL, coalesce(d.%s_lo, 1),"
                 " coalesce(d.%s_hi, 5), coalesce(d.%s_th, ?99), d.%s_s, d.%s_iss, count(*)%s"
                 " FROM survey_data d LEFT JOIN resource_data r ON r.id = d.resource%s"
                 " WHERE d.%s_s IS NOT NULL AND %s GROUP BY 1, 2, 3, 4, 5, 6, 7, 8%s",
                 pcol, p, p, p, p, p, p, ds->sel, ds->join, p, where, ds->grp);
        sqlite3_stmt *q;
        if (prepare_pass(s, sql, f, ds, &q, err))
            return CS_E_DB;
        int rc;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            struct row *w = add_row(rs);
            w->period = text_col(q, 0);
            w->resource = text_col(q, 1);
            w->r.cat = c;
            w->r.default_scale = sqlite3_column_int(q, 2) != 0;
            w->r.lower = sqlite3_column_double(q, 3);
            w->r.upper = sqlite3_column_double(q, 4);
            w->r.threshold = sqlite3_column_double(q, 5);
            w->r.score = sqlite3_column_double(q, 6);
            w->tags = sorted_set((const char *)sqlite3_column_text(q, 7));
            w->r.n = (uint64_t)sqlite3_column_int64(q, 8);
            w->r.kind = "rating";
            row_split(w, q, 9, ds);
        }
        if (rc != SQLITE_DONE)
            return step_fail(s, q, err);
        sqlite3_finalize(q);
    }
    return CS_OK;
}

/* ds from the --by names; CS_E_USAGE for a name model/dims.h does not know. */
static cs_status
dims_sql(struct cs_store *s, const char *const *by, size_t n_by, const char *key, int first_col,
         struct dims_sql *ds, struct cs_err *err)
{
    memset(ds, 0, sizeof *ds);
    ds->key = key;
    if (n_by > CS_HIST_MAX_BY)
        return cs_fail(err, CS_E_USAGE, "--by", "more than %d dimensions", CS_HIST_MAX_BY);
    bool legs = cs_store_has_column(s, "survey_leg", NULL);
    size_t o = 0, g = 0;
    for (size_t k = 0; k < n_by; k++) {
        enum cs_dim d = cs_dim_parse(by[k]);
        if (d == CS_DIM_NONE)
            return cs_fail(err, CS_E_USAGE, "--by", "'%s' is not a release dimension", by[k]);
        for (size_t j = 0; j < k; j++)
            if (strcmp(by[j], by[k]) == 0)
                return cs_fail(err, CS_E_USAGE, "--by", "%s given twice", by[k]);
        /* the name is one of model/dims.h's: safe as an SQL literal */
        o += (size_t)snprintf(ds->sel + o, sizeof ds->sel - o, ", cs_dim_group('%s', %s, NULL)",
                              cs_dim_name(d), legs ? cs_query_dim_raw(cs_dim_name(d)) : "NULL");
        g += (size_t)snprintf(ds->grp + g, sizeof ds->grp - g, ", %d", first_col + (int)k);
    }
    ds->n = n_by;
    if (key) {
        bool events = cs_store_has_column(s, "custom_events", NULL);
        o += (size_t)snprintf(ds->sel + o, sizeof ds->sel - o, "%s", events ? custom_sql : ", ''");
        snprintf(ds->grp + g, sizeof ds->grp - g, ", %d", first_col + (int)n_by);
    }
    ds->join = n_by && legs ? " LEFT JOIN survey_leg sl ON sl.rid = d.rid"
                              " LEFT JOIN call_data cl ON cl.id = sl.leg"
                            : "";
    return CS_OK;
}

/* The totals of one pass per (period, resource, dimensions, answer); call
 * and participant ids are stored trimmed, NULL when empty, as the query's
 * CallKey/PartKey. */
static cs_status
scan_totals(struct cs_store *s, const struct cs_filter *f, const char *pcol, const char *where,
            const struct dims_sql *ds, struct rows *rs, struct cs_err *err)
{
    char sql[16384];
    snprintf(sql, sizeof sql,
             "SELECT %s, r.resource_id, count(*), count(DISTINCT d.call_id),"
             " count(DISTINCT d.participant_id), min(d.time_us), max(d.time_us)%s"
             " FROM survey_data d LEFT JOIN resource_data r ON r.id = d.resource%s"
             " WHERE %s GROUP BY 1, 2%s",
             pcol, ds->sel, ds->join, where, ds->grp);
    sqlite3_stmt *q;
    if (prepare_pass(s, sql, f, ds, &q, err))
        return CS_E_DB;
    int st;
    while ((st = sqlite3_step(q)) == SQLITE_ROW) {
        struct row *w = add_row(rs);
        w->period = text_col(q, 0);
        w->resource = text_col(q, 1);
        w->r.kind = "total";
        w->r.n = (uint64_t)sqlite3_column_int64(q, 2);
        w->r.calls = (uint64_t)sqlite3_column_int64(q, 3);
        w->r.participants = (uint64_t)sqlite3_column_int64(q, 4);
        w->r.first_us = sqlite3_column_int64(q, 5);
        w->r.last_us = sqlite3_column_int64(q, 6);
        row_split(w, q, 7, ds);
    }
    if (st != SQLITE_DONE)
        return step_fail(s, q, err);
    sqlite3_finalize(q);
    return CS_OK;
}

cs_status
cs_histograms_scan(struct cs_store *s, const struct cs_filter *f, enum cs_bucket bucket,
                   cs_status (*cb)(void *ctx, const struct cs_hist_row *r, struct cs_err *err),
                   void *ctx, struct cs_err *err)
{
    return cs_histograms_scan_by(s, f, bucket, NULL, cb, ctx, err);
}

cs_status
cs_histograms_scan_by(struct cs_store *s, const struct cs_filter *f, enum cs_bucket bucket,
                      const struct cs_hist_split *sp,
                      cs_status (*cb)(void *ctx, const struct cs_hist_row *r, struct cs_err *err),
                      void *ctx, struct cs_err *err)
{
    static const struct cs_hist_split none = {0};
    if (!sp)
        sp = &none;
    char where[8192];
    cs_filter_where(f, where, sizeof where);
    const char *pcol = bucket == CS_BUCKET_DAY
                           ? "date(d.day * 86400, 'unixepoch')"
                           : "printf('%d-W%02d', d.week / 100, d.week % 100)";
    struct rows rs = {0};
    cs_status rc = CS_OK;
    sqlite3_stmt *q = NULL;
    int st;
    /* every survey once as itself, then once per custom key with its answer */
    for (size_t pass = 0; pass <= sp->n_custom_keys && rc == CS_OK; pass++) {
        const char *key = pass ? sp->custom_keys[pass - 1] : NULL;
        struct dims_sql rds, tds; /* ratings: dims from column 10; totals: from 8 */
        if ((rc = dims_sql(s, sp->by, sp->n_by, key, 10, &rds, err)) ||
            (rc = dims_sql(s, sp->by, sp->n_by, key, 8, &tds, err)))
            break;
        if ((rc = scan_ratings(s, f, pcol, where, &rds, &rs, err)) == CS_OK)
            rc = scan_totals(s, f, pcol, where, &tds, &rs, err);
    }
    if (rc)
        goto out;
    /* store-wide: merged records (per input) and rejects (no valid time) */
    if ((rc = prepare(s,
                      "SELECT coalesce(sum(duplicates), 0) + coalesce(sum(updated), 0)"
                      " FROM inputs WHERE status = 'done'",
                      NULL, &q, err)))
        goto out;
    if ((st = sqlite3_step(q)) != SQLITE_ROW) {
        rc = step_fail(s, q, err);
        goto out;
    }
    if (sqlite3_column_int64(q, 0) > 0) {
        struct row *w = add_row(&rs);
        w->r.kind = "merged";
        w->r.n = (uint64_t)sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    if ((rc = prepare(s, "SELECT reason, count(*) FROM reject_data GROUP BY reason", NULL, &q,
                      err)))
        goto out;
    while ((st = sqlite3_step(q)) == SQLITE_ROW) {
        struct row *w = add_row(&rs);
        w->r.kind = "reject";
        w->reason = text_col(q, 0);
        w->r.n = (uint64_t)sqlite3_column_int64(q, 1);
    }
    if (st != SQLITE_DONE) {
        rc = step_fail(s, q, err);
        goto out;
    }
    sqlite3_finalize(q);

    for (size_t i = 0; i < rs.n; i++) {
        struct row *w = &rs.v[i];
        w->r.period = w->period ? w->period : "";
        w->r.resource_id = w->resource ? w->resource : "";
        w->r.tags = w->tags ? w->tags : "";
        w->r.reason = w->reason ? w->reason : "";
        if (!w->r.custom_key)
            w->r.custom_key = "";
        w->r.custom_value = w->custom_value ? w->custom_value : "";
        for (size_t k = 0; k < CS_HIST_MAX_BY; k++)
            w->r.dims[k] = w->dims[k] ? w->dims[k] : "";
    }
    if (rs.n > 1)
        qsort(rs.v, rs.n, sizeof *rs.v, cmp_row);
    /* one row per key: groups whose tag lists were the same set in another
     * order become equal only after sorting */
    for (size_t i = 0; i < rs.n; i++) {
        struct cs_hist_row r = rs.v[i].r;
        while (i + 1 < rs.n && cmp_row(&rs.v[i], &rs.v[i + 1]) == 0)
            r.n += rs.v[++i].r.n;
        if ((rc = cb(ctx, &r, err)))
            goto out;
    }
out:
    rows_free(&rs);
    return rc;
}
