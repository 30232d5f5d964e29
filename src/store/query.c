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
#include <string.h>

#include "core/mem.h"

static const char *const cat_prefix[4] = {"o", "a", "v", "s"};

/* The WHERE clause for filter f (on survey_data d); parameters start at
 * ?100 (since), ?101 (until), ?102.. (resources). */
static void
where_clause(const struct cs_filter *f, char *buf, size_t cap)
{
    size_t n = (size_t)snprintf(buf, cap, "1");
    if (f && f->has_since)
        n += (size_t)snprintf(buf + n, cap - n, " AND d.time_us >= ?100");
    if (f && f->has_until)
        n += (size_t)snprintf(buf + n, cap - n, " AND d.time_us < ?101");
    if (f && f->n_resources) {
        n += (size_t)snprintf(buf + n, cap - n,
                              " AND d.resource IN (SELECT id FROM resource_data"
                              " WHERE 0");
        for (size_t i = 0; i < f->n_resources && n < cap; i++)
            n += (size_t)snprintf(buf + n, cap - n,
                                  " OR upper(resource_id) = upper(?%zu)"
                                  " OR upper(name) = upper(?%zu)",
                                  102 + i, 102 + i);
        snprintf(buf + n, cap - n, ")");
    }
}

static void
bind_filter(sqlite3_stmt *q, const struct cs_filter *f, double def_thr)
{
    if (sqlite3_bind_parameter_index(q, "?99"))
        sqlite3_bind_double(q, 99, def_thr);
    if (!f)
        return;
    if (f->has_since)
        sqlite3_bind_int64(q, 100, f->since_us);
    if (f->has_until)
        sqlite3_bind_int64(q, 101, f->until_us);
    for (size_t i = 0; i < f->n_resources; i++)
        sqlite3_bind_text(q, (int)(102 + i), f->resources[i], -1, SQLITE_STATIC);
}

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

/* Columns lo, hi, th, default flag for category prefix p. */
#define SCALE_COLS(p)                                                          \
    "coalesce(d." p "_lo, 1), coalesce(d." p "_hi, 5), coalesce(d." p          \
    "_th, ?99), d." p "_lo IS NULL"

cs_status
cs_query_histograms(struct cs_store *s, const struct cs_filter *f,
                    enum cs_bucket bucket, cs_hist_cb cb, void *ctx,
                    struct cs_err *err)
{
    char where[8192], sql[10000];
    where_clause(f, where, sizeof where);
    const char *bcol = bucket == CS_BUCKET_WEEK  ? "d.week"
                       : bucket == CS_BUCKET_DAY ? "d.day"
                                                 : "0";
    for (int c = 0; c < 4; c++) {
        const char *p = cat_prefix[c];
        snprintf(sql, sizeof sql,
                 "SELECT coalesce(d.%s_lo, 1), coalesce(d.%s_hi, 5),"
                 " coalesce(d.%s_th, ?99), max(d.%s_lo IS NULL), %s, d.%s_s, count(*)"
                 " FROM survey_data d WHERE d.%s_s IS NOT NULL AND %s"
                 " GROUP BY 1, 2, 3, 5, 6 ORDER BY 1, 2, 3, 5, 6",
                 p, p, p, p, bcol, p, p, where);
        sqlite3_stmt *q;
        if (prepare(s, sql, &q, err))
            return CS_E_DB;
        bind_filter(q, f, cs_store_default_threshold(s));
        int rc;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            struct cs_hist_row r = {
                .cat = c,
                .lower = sqlite3_column_double(q, 0),
                .upper = sqlite3_column_double(q, 1),
                .threshold = sqlite3_column_double(q, 2),
                .default_scale = sqlite3_column_int(q, 3) != 0,
                .bucket = sqlite3_column_int64(q, 4),
                .score = sqlite3_column_double(q, 5),
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
cs_query_issue_masks(struct cs_store *s, const struct cs_filter *f,
                     cs_mask_cb cb, void *ctx, struct cs_err *err)
{
    char where[8192], sql[10000];
    where_clause(f, where, sizeof where);
    for (int c = 0; c < 4; c++) {
        const char *p = cat_prefix[c];
        snprintf(sql, sizeof sql,
                 "SELECT coalesce(d.%s_lo, 1), coalesce(d.%s_hi, 5),"
                 " coalesce(d.%s_th, ?99), max(d.%s_lo IS NULL), coalesce(d.%s_m, 0),"
                 " d.%s_s <= coalesce(d.%s_th, ?99), d.%s_iss IS NOT NULL, count(*)"
                 " FROM survey_data d WHERE d.%s_s IS NOT NULL AND %s"
                 " GROUP BY 1, 2, 3, 5, 6, 7 ORDER BY 1, 2, 3, 5, 6, 7",
                 p, p, p, p, p, p, p, p, p, where);
        sqlite3_stmt *q;
        if (prepare(s, sql, &q, err))
            return CS_E_DB;
        bind_filter(q, f, cs_store_default_threshold(s));
        int rc;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            struct cs_mask_row r = {
                .cat = c,
                .lower = sqlite3_column_double(q, 0),
                .upper = sqlite3_column_double(q, 1),
                .threshold = sqlite3_column_double(q, 2),
                .default_scale = sqlite3_column_int(q, 3) != 0,
                .mask = (uint32_t)sqlite3_column_int64(q, 4),
                .poor = sqlite3_column_int(q, 5) != 0,
                .any_tag = sqlite3_column_int(q, 6) != 0,
                .count = (uint64_t)sqlite3_column_int64(q, 7),
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
cs_query_unknown_tags(struct cs_store *s, const struct cs_filter *f,
                      cs_unknown_cb cb, void *ctx, struct cs_err *err)
{
    char where[8192], sql[10000];
    where_clause(f, where, sizeof where);
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
        bind_filter(q, f, cs_store_default_threshold(s));
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
cs_query_window_totals(struct cs_store *s, const struct cs_filter *f,
                       struct cs_window_totals *t, struct cs_err *err)
{
    memset(t, 0, sizeof *t);
    char where[8192], sql[10000];
    where_clause(f, where, sizeof where);
    snprintf(sql, sizeof sql,
             "SELECT count(*), count(DISTINCT d.call_id),"
             " count(DISTINCT d.participant_id), min(d.time_us), max(d.time_us),"
             " (SELECT count(*) FROM reject_data),"
             " (SELECT coalesce(sum(duplicates), 0) FROM inputs WHERE status = 'done'),"
             " (SELECT coalesce(sum(updated), 0) FROM inputs WHERE status = 'done'),"
             " (SELECT count(*) FROM unknown_tags)"
             " FROM survey_data d WHERE %s",
             where);
    sqlite3_stmt *q;
    if (prepare(s, sql, &q, err))
        return CS_E_DB;
    bind_filter(q, f, cs_store_default_threshold(s));
    if (sqlite3_step(q) != SQLITE_ROW)
        return step_fail(s, q, err);
    t->surveys = (uint64_t)sqlite3_column_int64(q, 0);
    t->calls = (uint64_t)sqlite3_column_int64(q, 1);
    t->participants = (uint64_t)sqlite3_column_int64(q, 2);
    t->first_us = sqlite3_column_int64(q, 3);
    t->last_us = sqlite3_column_int64(q, 4);
    t->rejected = (uint64_t)sqlite3_column_int64(q, 5);
    t->duplicates = (uint64_t)sqlite3_column_int64(q, 6);
    t->updated = (uint64_t)sqlite3_column_int64(q, 7);
    t->unknown_tags = (uint64_t)sqlite3_column_int64(q, 8);
    sqlite3_finalize(q);
    return CS_OK;
}

cs_status
cs_query_resources(struct cs_store *s, const struct cs_filter *f,
                   void (*cb)(void *ctx, const char *id, const char *name,
                              uint64_t surveys),
                   void *ctx, struct cs_err *err)
{
    char where[8192], sql[10000];
    where_clause(f, where, sizeof where);
    snprintf(sql, sizeof sql,
             "SELECT r.resource_id, r.name, count(*) FROM survey_data d"
             " JOIN resource_data r ON r.id = d.resource WHERE %s"
             " GROUP BY r.id ORDER BY r.name, r.resource_id",
             where);
    sqlite3_stmt *q;
    if (prepare(s, sql, &q, err))
        return CS_E_DB;
    bind_filter(q, f, cs_store_default_threshold(s));
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        cb(ctx, (const char *)sqlite3_column_text(q, 0),
           (const char *)sqlite3_column_text(q, 1),
           (uint64_t)sqlite3_column_int64(q, 2));
    if (rc != SQLITE_DONE)
        return step_fail(s, q, err);
    sqlite3_finalize(q);
    return CS_OK;
}
