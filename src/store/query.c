/*
 * store/query.c: aggregate queries for the report (see query.h).
 *
 * Every query reads survey_data directly rather than the contract views:
 * the views join names and format times per row, which the aggregates do
 * not need, and a GROUP BY over the plain columns is several times faster
 * on a million rows.  Filters are bound as parameters; the resource filter
 * gets one placeholder per value (generated, never pasted from input).
 */
#include "store/query.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "store/filter_sql.h"
#include "store/query_hist.h"
#include "store/hist_load.h"

static const char *const cat_prefix[4] = {"o", "a", "v", "s"};


static cs_status
prepare(struct cs_store *s, const char *sql, sqlite3_stmt **q, struct cs_err *err)
{
    if (sqlite3_prepare_v2(cs_store_db(s), sql, -1, q, NULL) != SQLITE_OK)
        return cs_fail(err, CS_E_DB, NULL, "query failed: %s",
                       sqlite3_errmsg(cs_store_db(s)));
    return CS_OK;
}

static cs_status
step_fail(struct cs_store *s, sqlite3_stmt *q, struct cs_err *err)
{
    cs_fail(err, CS_E_DB, NULL, "query failed: %s", sqlite3_errmsg(cs_store_db(s)));
    sqlite3_finalize(q);
    return CS_E_DB;
}

cs_status
cs_query_unknown_tags(struct cs_store *s, const struct cs_filter *f,
                      cs_unknown_cb cb, void *ctx, struct cs_err *err)
{
    if (cs_store_is_hist(s)) /* report --histograms */
        return cs_hist_unknown_tags(s, f, cb, ctx, err);
    char where[8192], sql[10000];
    cs_filter_where(f, where, sizeof where);
    for (int c = 0; c < 4; c++) {
        const char *p = cat_prefix[c];
        snprintf(sql, sizeof sql,
                 "SELECT coalesce(d.%s_lo, 1), coalesce(d.%s_hi, 5),"
                 " coalesce(d.%s_th, ?99), max(d.%s_lo IS NULL), u.issue,"
                 " d.%s_s <= coalesce(d.%s_th, ?99), count(DISTINCT d.rid)"
                 " FROM unknown_tags u JOIN survey_data d ON d.rid = u.rid"
                 " WHERE u.cat = %d AND d.%s_s IS NOT NULL AND %s"
                 " GROUP BY 1, 2, 3, 5, 6 ORDER BY 1, 2, 3, 5, 6",
                 p, p, p, p, p, p, c, p, where);
        sqlite3_stmt *q;
        if (prepare(s, sql, &q, err))
            return CS_E_DB;
        cs_filter_bind(q, f, cs_store_default_threshold(s));
        int rc;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            struct cs_unknown_row r = {
                .cat = c,
                .lower = sqlite3_column_double(q, 0),
                .upper = sqlite3_column_double(q, 1),
                .threshold = sqlite3_column_double(q, 2),
                .default_scale = sqlite3_column_int(q, 3) != 0,
                .issue = (const char *)sqlite3_column_text(q, 4),
                .poor = sqlite3_column_int(q, 5) != 0,
                .count = (uint64_t)sqlite3_column_int64(q, 6),
            };
            if (cb(ctx, &r, err) != CS_OK) {
                sqlite3_finalize(q);
                return err ? err->code : CS_E_INTERNAL;
            }
        }
        if (rc != SQLITE_DONE)
            return step_fail(s, q, err);
        sqlite3_finalize(q);
    }
    return CS_OK;
}

cs_status
cs_query_accounting(struct cs_store *s, struct cs_accounting_totals *t,
                    struct cs_err *err)
{
    if (cs_store_is_hist(s))
        return cs_hist_accounting(s, t, err);
    memset(t, 0, sizeof *t);
    sqlite3_stmt *q;
    char sql[600];
    /* an older database opened read-only has no conflicts column: none */
    snprintf(sql, sizeof sql,
             "SELECT format IS 'events', count(*),"
             " coalesce(sum(read), 0), coalesce(sum(stored), 0),"
             " coalesce(sum(duplicates), 0), coalesce(sum(updated), 0),"
             " coalesce(sum(%s), 0), coalesce(sum(rejected), 0),"
             " coalesce(sum(unknown_tags), 0)"
             " FROM inputs WHERE status = 'done' GROUP BY 1",
             cs_store_has_column(s, "inputs", "conflicts") ? "conflicts" : "0");
    if (prepare(s, sql, &q, err))
        return CS_E_DB;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        struct cs_acct *a = sqlite3_column_int(q, 0) ? &t->db_events : &t->db_surveys;
        a->inputs = (uint64_t)sqlite3_column_int64(q, 1);
        a->read = (uint64_t)sqlite3_column_int64(q, 2);
        a->stored = (uint64_t)sqlite3_column_int64(q, 3);
        a->duplicates = (uint64_t)sqlite3_column_int64(q, 4);
        a->updated = (uint64_t)sqlite3_column_int64(q, 5);
        a->conflicts = (uint64_t)sqlite3_column_int64(q, 6);
        a->rejected = (uint64_t)sqlite3_column_int64(q, 7);
        a->unknown_tags = (uint64_t)sqlite3_column_int64(q, 8);
    }
    if (rc != SQLITE_DONE)
        return step_fail(s, q, err);
    sqlite3_finalize(q);
    /* this run's: what this store committed (not another process's) */
    for (int k = 0; k < 2; k++) {
        struct cs_input_summary r;
        struct cs_acct *a = k ? &t->run_events : &t->run_surveys;
        cs_store_run_totals(s, k, &r, &a->inputs);
        a->read = r.read;
        a->stored = r.stored;
        a->duplicates = r.duplicates;
        a->updated = r.updated;
        a->conflicts = r.conflicts;
        a->rejected = r.rejected;
        a->unknown_tags = r.unknown_tags;
    }
    return CS_OK;
}

cs_status
cs_query_window_totals(struct cs_store *s, const struct cs_filter *f,
                       struct cs_window_totals *t, struct cs_err *err)
{
    struct cs_cube cube;
    cs_status rc = cs_query_cube(s, f, CS_BUCKET_NONE, &cube, err);
    if (rc == CS_OK)
        *t = cube.totals;
    else
        memset(t, 0, sizeof *t);
    cs_cube_free(&cube);
    return rc;
}


/* Up to `max` distinct texts of a one-column query, comma-joined into buf,
 * with ", ... (N in all)" when there are more.  Returns the count. */
static size_t
list_values(struct cs_store *s, const char *sql, size_t max, char *buf, size_t cap,
            struct cs_err *err, cs_status *st)
{
    sqlite3_stmt *q;
    *st = CS_OK;
    buf[0] = '\0';
    if (prepare(s, sql, &q, err)) {
        *st = CS_E_DB;
        return 0;
    }
    size_t n = 0, len = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(q, 0);
        if (n < max && len < cap)
            len += (size_t)snprintf(buf + len, cap - len, "%s%s", n ? ", " : "", t ? t : "");
        n++;
    }
    if (rc != SQLITE_DONE) {
        *st = step_fail(s, q, err);
        return 0;
    }
    sqlite3_finalize(q);
    if (n > max && len < cap)
        snprintf(buf + len, cap - len, ", ... (%zu in all)", n);
    return n;
}

cs_status
cs_query_check_resources(struct cs_store *s, const struct cs_filter *f, struct cs_err *err)
{
    if (!f || !f->n_resources)
        return CS_OK;
    sqlite3_stmt *q;
    if (prepare(s,
                "SELECT EXISTS (SELECT 1 FROM resource_data WHERE"
                " upper(resource_id) = upper(?1) OR upper(name) = upper(?1))",
                &q, err))
        return CS_E_DB;
    for (size_t i = 0; i < f->n_resources; i++) {
        sqlite3_reset(q);
        sqlite3_bind_text(q, 1, f->resources[i], -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_ROW)
            return step_fail(s, q, err);
        if (sqlite3_column_int(q, 0))
            continue;
        sqlite3_finalize(q);
        char list[1024];
        cs_status st;
        size_t n = list_values(s, "SELECT DISTINCT name FROM resource_data ORDER BY name", 30,
                               list, sizeof list, err, &st);
        if (st)
            return st;
        return cs_fail(err, CS_E_NODATA, "--resource",
                       n ? "'%s' names no resource in the data; the data has: %s"
                         : "'%s' names no resource in the data; the data has none%s",
                       f->resources[i], list);
    }
    sqlite3_finalize(q);
    return CS_OK;
}

cs_status
cs_query_check_custom_key(struct cs_store *s, const char *key, struct cs_err *err)
{
    if (cs_store_is_hist(s))
        return cs_hist_check_custom_key(s, key, err);
    sqlite3_stmt *q;
    if (prepare(s,
                "SELECT EXISTS (SELECT 1 FROM custom_events"
                " WHERE json_extract(props, ?1) IS NOT NULL)",
                &q, err))
        return CS_E_DB;
    char *path = xasprintf("$.\"%s\"", key);
    sqlite3_bind_text(q, 1, path, -1, SQLITE_TRANSIENT);
    xfree(path);
    if (sqlite3_step(q) != SQLITE_ROW)
        return step_fail(s, q, err);
    bool any = sqlite3_column_int(q, 0) != 0;
    sqlite3_finalize(q);
    if (any)
        return CS_OK;
    char list[1024];
    cs_status st;
    size_t n = list_values(s,
                           "SELECT DISTINCT p.key FROM custom_events e, json_each(e.props) p"
                           " WHERE p.type <> 'null' ORDER BY 1",
                           30, list, sizeof list, err, &st);
    if (st)
        return st;
    return cs_fail(err, CS_E_NODATA, "--by",
                   n ? "no custom event has the key '%s'; the events have: %s"
                     : "no custom event has the key '%s'; there are no custom answers%s",
                   key, list);
}
