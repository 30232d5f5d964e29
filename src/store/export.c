/*
 * store/export.c: row-by-row exports of the store (see export.h).
 *
 * Each export is one SELECT stepped to the end with a callback per row, so
 * memory stays flat however many rows there are: the caller streams them on
 * (libxlsxwriter's constant-memory sheets).  The survey export reads
 * survey_data directly rather than the contract view `surveys` so that
 * times, days and weeks come as integers, not formatted text; the filter
 * follows the same rules as store/query.c (parameters ?100.., one per
 * --resource value, never pasted from input).
 */
#include "store/export.h"
#include "store/filter_sql.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

/* ---- Private helpers ---------------------------------------------------- */


static cs_status
prepare(struct cs_store *s, const char *sql, sqlite3_stmt **q,
        struct cs_err *err)
{
    if (sqlite3_prepare_v2(cs_store_db(s), sql, -1, q, NULL) != SQLITE_OK)
        return cs_fail(err, CS_E_DB, NULL, "export query failed: %s",
                       sqlite3_errmsg(cs_store_db(s)));
    return CS_OK;
}

/* Step q to the end; cb_row decodes and calls back.  Finalizes q. */
static cs_status
run(struct cs_store *s, sqlite3_stmt *q,
    cs_status (*cb_row)(sqlite3_stmt *q, void *cb, void *ctx, struct cs_err *err),
    void *cb, void *ctx, struct cs_err *err)
{
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        cs_status st = cb_row(q, cb, ctx, err);
        if (st != CS_OK) {
            sqlite3_finalize(q);
            return st;
        }
    }
    if (rc != SQLITE_DONE) {
        cs_fail(err, CS_E_DB, NULL, "export query failed: %s",
                sqlite3_errmsg(cs_store_db(s)));
        sqlite3_finalize(q);
        return CS_E_DB;
    }
    sqlite3_finalize(q);
    return CS_OK;
}

static const char *
text_or_null(sqlite3_stmt *q, int i)
{
    return sqlite3_column_type(q, i) == SQLITE_NULL
               ? NULL
               : (const char *)sqlite3_column_text(q, i);
}

/* ---- Surveys ------------------------------------------------------------ */

#define HEAD_COLS 12 /* columns before the ratings */
#define RATING_COLS 6

#define RATING_SQL(p)                                                \
    ", d." p "_s, coalesce(d." p "_lo, 1), coalesce(d." p "_hi, 5)," \
    " coalesce(d." p "_th, ?99), d." p "_lo IS NULL, d." p "_iss"

struct survey_cb {
    cs_export_survey_cb fn;
};

static cs_status
survey_row(sqlite3_stmt *q, void *cb, void *ctx, struct cs_err *err)
{
    struct cs_export_survey r;
    memset(&r, 0, sizeof r);
    r.survey_id = (const char *)sqlite3_column_text(q, 0);
    if (!r.survey_id)
        r.survey_id = "";
    r.time_us = sqlite3_column_int64(q, 1);
    r.day = sqlite3_column_int64(q, 2);
    r.week = (int32_t)sqlite3_column_int64(q, 3);
    r.resource = text_or_null(q, 4);
    r.resource_id = text_or_null(q, 5);
    r.call_id = text_or_null(q, 6);
    r.participant_id = text_or_null(q, 7);
    r.correlation_id = text_or_null(q, 8);
    r.operation = text_or_null(q, 9);
    r.source = text_or_null(q, 10);
    r.has_line = sqlite3_column_type(q, 11) != SQLITE_NULL;
    r.line = sqlite3_column_int64(q, 11);
    for (int c = 0; c < CS_CAT__COUNT; c++) {
        int i = HEAD_COLS + c * RATING_COLS;
        struct cs_export_rating *rt = &r.rating[c];
        rt->present = sqlite3_column_type(q, i) != SQLITE_NULL;
        if (!rt->present)
            continue;
        rt->score = sqlite3_column_double(q, i);
        rt->lower = sqlite3_column_double(q, i + 1);
        rt->upper = sqlite3_column_double(q, i + 2);
        rt->threshold = sqlite3_column_double(q, i + 3);
        rt->default_scale = sqlite3_column_int(q, i + 4) != 0;
        rt->poor = rt->score <= rt->threshold;
        rt->issues = text_or_null(q, i + 5);
        if (rt->issues && !*rt->issues)
            rt->issues = NULL;
    }
    return ((struct survey_cb *)cb)->fn(ctx, &r, err);
}

/* PRAGMA temp_store of the connection (0 default, 1 file, 2 memory). */
static int
temp_store(struct cs_store *s)
{
    sqlite3_stmt *q;
    int v = -1;
    if (sqlite3_prepare_v2(cs_store_db(s), "PRAGMA temp_store", -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW)
            v = sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
    }
    return v;
}

static void
set_temp_store(struct cs_store *s, int v)
{
    static const char *const sql[] = {"PRAGMA temp_store=DEFAULT",
                                      "PRAGMA temp_store=FILE",
                                      "PRAGMA temp_store=MEMORY"};
    if (v >= 0 && v <= 2)
        sqlite3_exec(cs_store_db(s), sql[v], NULL, NULL, NULL); /* best effort */
}

/* Time order costs a sort of every exported row.  The store keeps its
 * temporary data in memory (temp_store=MEMORY), where SQLite's sorter would
 * hold the whole export (about 300 MB per million surveys); for this query
 * the sorter may spill to temporary files instead, so memory stays near
 * the cache size (measured: 3.5 s instead of 2.9 s for a million rows,
 * 137 MB instead of 325 MB).  A report reads inside one transaction, where
 * SQLite refuses the switch: it calls cs_store_spill_sorts before (which
 * makes the store's temp tables again), and the switch here is a no-op. */
cs_status
cs_export_surveys(struct cs_store *s, const struct cs_filter *f,
                  cs_export_survey_cb cb, void *ctx, struct cs_err *err)
{
    char where[8192], sql[12000];
    cs_filter_where(f, where, sizeof where);
    snprintf(sql, sizeof sql,
             "SELECT d.survey_id, d.time_us, d.day, d.week, r.name, r.resource_id,"
             " d.call_id, d.participant_id, coalesce(d.correlation_id, d.participant_id),"
             " d.operation, i.source, d.line" RATING_SQL("o") RATING_SQL("a") RATING_SQL("v") RATING_SQL("s") " FROM survey_data d LEFT JOIN resource_data r ON r.id = d.resource"
                                                                                                              " LEFT JOIN inputs i ON i.id = d.input"
                                                                                                              " WHERE %s ORDER BY d.time_us, d.survey_id",
             where);
    int saved = temp_store(s);
    if (saved == 2)
        set_temp_store(s, 1);
    /* the sorter keeps up to cache_size of rows in memory before it spills;
     * a smaller cache for this one query keeps the export's peak down */
    sqlite3_exec(cs_store_db(s), "PRAGMA cache_size=-16384", NULL, NULL, NULL);
    sqlite3_stmt *q;
    cs_status rc = prepare(s, sql, &q, err);
    if (rc == CS_OK) {
        cs_filter_bind(q, f, cs_store_default_threshold(s));
        struct survey_cb c = {cb};
        rc = run(s, q, survey_row, &c, ctx, err);
    }
    if (saved == 2)
        set_temp_store(s, 2);
    sqlite3_exec(cs_store_db(s), "PRAGMA cache_size=-65536", NULL, NULL, NULL);
    return rc;
}

/* ---- Rejects ------------------------------------------------------------ */

struct reject_cb {
    cs_export_reject_cb fn;
};

static cs_status
reject_row(sqlite3_stmt *q, void *cb, void *ctx, struct cs_err *err)
{
    struct cs_export_reject r;
    memset(&r, 0, sizeof r);
    r.source = (const char *)sqlite3_column_text(q, 0);
    if (!r.source)
        r.source = "";
    r.has_line = sqlite3_column_type(q, 1) != SQLITE_NULL;
    r.line = sqlite3_column_int64(q, 1);
    r.record = sqlite3_column_int64(q, 2);
    r.reason = (const char *)sqlite3_column_text(q, 3);
    if (!r.reason)
        r.reason = "";
    /* blob, not text: raw text may hold NUL bytes and invalid UTF-8 */
    r.raw = (const char *)sqlite3_column_blob(q, 4);
    r.raw_len = (size_t)sqlite3_column_bytes(q, 4);
    if (!r.raw) {
        r.raw = "";
        r.raw_len = 0;
    }
    return ((struct reject_cb *)cb)->fn(ctx, &r, err);
}

cs_status
cs_export_rejects(struct cs_store *s, uint64_t limit, cs_export_reject_cb cb,
                  void *ctx, struct cs_err *err)
{
    sqlite3_stmt *q;
    if (prepare(s,
                "SELECT source, line, idx, reason, raw FROM reject_data"
                " ORDER BY id LIMIT ?1",
                &q, err))
        return CS_E_DB;
    sqlite3_bind_int64(q, 1, limit == 0 || limit > INT64_MAX ? -1 : (int64_t)limit);
    struct reject_cb c = {cb};
    return run(s, q, reject_row, &c, ctx, err);
}

/* ---- Conflicts ---------------------------------------------------------- */

struct conflict_cb {
    cs_export_conflict_cb fn;
};

static cs_status
conflict_row(sqlite3_stmt *q, void *cb, void *ctx, struct cs_err *err)
{
    struct cs_export_conflict r = {
        .survey_id = (const char *)sqlite3_column_text(q, 0),
        .cat = sqlite3_column_int(q, 1),
        .time = (const char *)sqlite3_column_text(q, 2),
        .kept = (const char *)sqlite3_column_text(q, 3),
        .other = (const char *)sqlite3_column_text(q, 4),
        .source = text_or_null(q, 5),
        .line = sqlite3_column_int64(q, 6)};
    return ((struct conflict_cb *)cb)->fn(ctx, &r, err);
}

cs_status
cs_export_conflicts(struct cs_store *s, uint64_t limit, cs_export_conflict_cb cb,
                    void *ctx, struct cs_err *err)
{
    if (!cs_store_has_column(s, "conflict_data", NULL))
        return CS_OK; /* an older database opened read-only: none */
    sqlite3_stmt *q;
    if (prepare(s,
                "SELECT c.survey_id, c.cat, c.time, c.kept, c.other, i.source, c.line"
                " FROM conflict_data c LEFT JOIN inputs i ON i.id = c.input"
                " ORDER BY c.id LIMIT ?1",
                &q, err))
        return CS_E_DB;
    sqlite3_bind_int64(q, 1, limit == 0 || limit > INT64_MAX ? -1 : (int64_t)limit);
    struct conflict_cb c = {cb};
    return run(s, q, conflict_row, &c, ctx, err);
}

/* ---- Inputs ------------------------------------------------------------- */

struct input_cb {
    cs_export_input_cb fn;
};

static cs_status
input_row(sqlite3_stmt *q, void *cb, void *ctx, struct cs_err *err)
{
    struct cs_export_input r;
    memset(&r, 0, sizeof r);
    r.source = (const char *)sqlite3_column_text(q, 0);
    if (!r.source)
        r.source = "";
    r.format = text_or_null(q, 1);
    r.status = (const char *)sqlite3_column_text(q, 2);
    if (!r.status)
        r.status = "";
    r.bytes = (uint64_t)sqlite3_column_int64(q, 3);
    r.read = (uint64_t)sqlite3_column_int64(q, 4);
    r.stored = (uint64_t)sqlite3_column_int64(q, 5);
    r.duplicates = (uint64_t)sqlite3_column_int64(q, 6);
    r.updated = (uint64_t)sqlite3_column_int64(q, 7);
    r.rejected = (uint64_t)sqlite3_column_int64(q, 8);
    r.unknown_tags = (uint64_t)sqlite3_column_int64(q, 9);
    r.conflicts = (uint64_t)sqlite3_column_int64(q, 10);
    return ((struct input_cb *)cb)->fn(ctx, &r, err);
}

cs_status
cs_export_inputs(struct cs_store *s, cs_export_input_cb cb, void *ctx,
                 struct cs_err *err)
{
    sqlite3_stmt *q;
    if (prepare(s,
                cs_store_has_column(s, "inputs", "conflicts")
                    ? "SELECT source, format, status, bytes, read, stored, duplicates,"
                      " updated, rejected, unknown_tags, conflicts FROM inputs ORDER BY id"
                    : "SELECT source, format, status, bytes, read, stored, duplicates,"
                      " updated, rejected, unknown_tags, 0 FROM inputs ORDER BY id",
                &q, err))
        return CS_E_DB;
    struct input_cb c = {cb};
    return run(s, q, input_row, &c, ctx, err);
}
