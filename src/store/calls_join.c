/*
 * store/calls_join.c: the audited join of surveys to call-summary legs
 * (rules in calls.c's header comment and store/call_legs.h).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/mem.h"
#include "model/dims.h"
#include "store/app_latest.h"
#include "store/call_legs.h"
#include "store/store_int.h"

enum { J_UNMATCHED = 0,
       J_MATCHED = 1,
       J_AMBIGUOUS = 2 };

static cs_status
fail(sqlite3 *db, struct cs_err *err)
{
    return cs_fail(err, CS_E_DB, NULL, "joining surveys to call summaries: %s",
                   sqlite3_errmsg(db));
}

/* The message of db's last error into why (once: the first failure is the
 * one to report; a later finalize or cleanup would read "not an error"). */
static void
keep_error(sqlite3 *db, int rc, char *why, size_t cap)
{
    if (!*why)
        snprintf(why, cap, "%s", rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(db));
}

static const char *
col(sqlite3_stmt *q, int i)
{
    const char *s = (const char *)sqlite3_column_text(q, i);
    return s ? s : "";
}

/* The leg of one survey: *status, *leg (0 = none), os family into os.
 * Returns -1 when reading the legs failed (out of memory, I/O): the
 * caller reports it; a failed step must not read as "no leg". */
static int
pick(sqlite3_stmt *legs, const char *part, int64_t t_us, int64_t *leg, char *os, size_t cap)
{
    int64_t best = 0, best_ps = 0, fb = 0;
    bool best_before = false, any_id = false;
    int n_fallback = 0;
    char best_os[CS_CALL_LONG_MAX] = "", fb_os[CS_CALL_LONG_MAX] = "";
    int step;
    while ((step = sqlite3_step(legs)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(legs, 0);
        const char *pk = col(legs, 1);
        int64_t ps = sqlite3_column_int64(legs, 4);
        any_id |= pk[0] != '\0';
        if (part[0] && strcmp(pk, part) == 0) {
            bool before = ps <= t_us;
            /* the latest leg started by the survey's time, else the latest */
            if (!best || (before && !best_before) || (before == best_before && ps > best_ps)) {
                best = id;
                best_ps = ps;
                best_before = before;
                snprintf(best_os, sizeof best_os, "%s", col(legs, 5));
            }
        } else if (!pk[0] && strcasecmp(col(legs, 2), "VoIP") == 0 &&
                   strcasecmp(col(legs, 3), "ACS") == 0) {
            n_fallback++;
            fb = id;
            snprintf(fb_os, sizeof fb_os, "%s", col(legs, 5));
        }
    }
    sqlite3_reset(legs);
    *leg = 0;
    os[0] = '\0';
    if (step != SQLITE_DONE)
        return -1;
    const char *raw = NULL;
    int status = J_UNMATCHED;
    if (best) {
        *leg = best;
        raw = best_os;
        status = J_MATCHED;
    } else if (any_id) {
        status = J_UNMATCHED; /* the call's legs name their participants: not this one */
    } else if (n_fallback == 1) {
        *leg = fb;
        raw = fb_os;
        status = J_MATCHED;
    } else if (n_fallback > 1) {
        status = J_AMBIGUOUS;
    }
    if (raw && !cs_dim_missing(raw))
        cs_os_family(raw, os, cap);
    return status;
}

#define LEGS_AHEAD 64

/* Survey rid's leg row with its app values v, unless it has none.
 * SQLite's result code (SQLITE_OK when done). */
static int
insert_app_leg(sqlite3_stmt *ins, int64_t rid, const struct cs_app_value v[3])
{
    if (!v[0].p && !v[1].p && !v[2].p)
        return SQLITE_OK; /* no row: unmatched, no values (at 1M, two thirds) */
    sqlite3_reset(ins);
    sqlite3_bind_int64(ins, 1, rid);
    for (int k = 0; k < 3; k++)
        if (!v[k].p)
            sqlite3_bind_null(ins, 2 + k);
        else if (v[k].type == SQLITE_BLOB)
            sqlite3_bind_blob(ins, 2 + k, v[k].p, v[k].len, SQLITE_STATIC);
        else
            sqlite3_bind_text(ins, 2 + k, v[k].p, v[k].len, SQLITE_STATIC);
    int r = sqlite3_step(ins);
    return r == SQLITE_DONE ? SQLITE_OK : r;
}

/* The events' app values read beforehand (given: m, owned, NULL when no
 * event has any), or to be read by the join. */
struct app_in {
    bool given;
    struct cs_app_latest *m;
};

/* No call summaries stored, app values wanted: a leg row, unmatched, for
 * each survey with app values, its latest ones (store/app_latest.h), in
 * rowid order; a survey without any has no row (store/call_legs.h).  A hash of the events' values instead of a temporary table joined
 * in SQL: the table's sort and a million lookups were about 4 s of the
 * load of a million surveys (issue 22).  SQLite's result code; an error's
 * message in why. */
static int
insert_app_legs(sqlite3 *db, struct app_in *in, char *why, size_t cap)
{
    struct cs_app_latest *m = in->m;
    sqlite3_stmt *sv = NULL, *ins = NULL;
    in->m = NULL; /* taken */
    int rc = in->given ? SQLITE_OK : cs_app_latest_load(db, &m);
    if (rc == SQLITE_OK && !m)
        return SQLITE_OK; /* no event has app values: no row (a scan of every survey spared) */
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "SELECT rid, survey_id FROM survey_data ORDER BY rid", -1, &sv,
                                NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db,
                                "INSERT INTO survey_leg(rid, status, leg, os, app_version, browser,"
                                " client_os) VALUES (?1, 0, NULL, NULL, ?2, ?3, ?4)",
                                -1, &ins, NULL);
    /* the surveys LEGS_AHEAD at a time: their ids' lookups overlap (a
     * million lookups one by one were about 0.25 s of cache misses) */
    struct cs_buf ids = {0}; /* the group's survey ids, end to end */
    int64_t rid[LEGS_AHEAD];
    size_t off[LEGS_AHEAD], len[LEGS_AHEAD];
    const char *key[LEGS_AHEAD];
    struct cs_app_value v[LEGS_AHEAD][3];
    int st = SQLITE_ROW;
    while (rc == SQLITE_OK && st == SQLITE_ROW) {
        size_t n = 0;
        ids.n = 0;
        while (n < LEGS_AHEAD && (st = sqlite3_step(sv)) == SQLITE_ROW) {
            const char *sid = (const char *)sqlite3_column_text(sv, 1);
            if (!sid) { /* NOT NULL in the schema: out of memory */
                rc = SQLITE_NOMEM;
                break;
            }
            rid[n] = sqlite3_column_int64(sv, 0);
            len[n] = (size_t)sqlite3_column_bytes(sv, 1);
            off[n] = ids.n;
            cs_buf_add(&ids, sid, len[n]);
            n++;
        }
        for (size_t i = 0; i < n; i++)
            key[i] = ids.s ? ids.s + off[i] : "";
        if (rc == SQLITE_OK)
            cs_app_latest_get_many(m, n, key, len, v);
        for (size_t i = 0; rc == SQLITE_OK && i < n; i++)
            rc = insert_app_leg(ins, rid[i], v[i]);
    }
    cs_buf_free(&ids);
    if (rc == SQLITE_OK && st != SQLITE_DONE)
        rc = st;
    if (rc != SQLITE_OK)
        keep_error(db, rc, why, cap); /* before finalize resets the message */
    sqlite3_finalize(sv);
    sqlite3_finalize(ins);
    cs_app_latest_free(m);
    return rc;
}

/* *any: does call_data hold a row (the table exists)? */
static cs_status
legs_stored(sqlite3 *db, bool *any, struct cs_err *err)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, "SELECT EXISTS (SELECT 1 FROM call_data)", -1, &q, NULL) !=
        SQLITE_OK)
        return fail(db, err);
    int st = sqlite3_step(q);
    *any = st == SQLITE_ROW && sqlite3_column_int(q, 0);
    cs_status rc = st == SQLITE_ROW ? CS_OK : fail(db, err); /* before finalize */
    sqlite3_finalize(q);
    return rc;
}

/* Every survey's leg row; *app_done when the app values are set too.
 * With no call summaries stored (legs_stored) every survey is unmatched,
 * without a leg or an OS, as the per-survey loop below would find, and
 * (app) has the app values app_sql would set, by insert_app_legs: one
 * pass over the surveys (issue 22: the loop and app_sql's four lookups per
 * survey were a third of the load of a million surveys).  Rows only for
 * surveys with app values: a survey without a row is unmatched with no
 * values (1M rows inserted for nothing were 1.2 s of the load). */
static cs_status
join_rows(sqlite3 *db, bool app, struct app_in *in, bool *app_done, struct cs_err *err)
{
    sqlite3_stmt *sv = NULL, *legs = NULL, *ins = NULL;
    bool any = false;
    cs_status rc = legs_stored(db, &any, err);
    *app_done = rc == CS_OK && !any && app;
    if (rc != CS_OK || (!any && !app))
        return rc;
    if (!any) {
        char why[256] = "";
        return insert_app_legs(db, in, why, sizeof why) == SQLITE_OK
                   ? CS_OK
                   : cs_fail(err, CS_E_DB, NULL, "joining surveys to call summaries: %s", why);
    }
    if (sqlite3_prepare_v2(db,
                           "SELECT rid, lower(trim(coalesce(call_id, ''))),"
                           " lower(trim(coalesce(participant_id, ''))), time_us FROM survey_data",
                           -1, &sv, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "SELECT id, part_key, endpoint_type, participant_type, part_start,"
                           " os_version FROM call_data WHERE call_key = ?1",
                           -1, &legs, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO survey_leg(rid, status, leg, os) VALUES (?1, ?2, ?3, ?4)",
                           -1, &ins, NULL) != SQLITE_OK)
        rc = fail(db, err);
    int st;
    while (rc == CS_OK && (st = sqlite3_step(sv)) == SQLITE_ROW) {
        const char *call = col(sv, 1);
        int64_t leg = 0;
        char os[CS_DIM_GROUP_MAX] = "";
        int status = J_UNMATCHED;
        if (call[0]) {
            sqlite3_bind_text(legs, 1, call, -1, SQLITE_TRANSIENT);
            status = pick(legs, col(sv, 2), sqlite3_column_int64(sv, 3), &leg, os, sizeof os);
            if (status < 0) {
                rc = fail(db, err);
                break;
            }
        }
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, sqlite3_column_int64(sv, 0));
        sqlite3_bind_int(ins, 2, status);
        if (leg)
            sqlite3_bind_int64(ins, 3, leg);
        else
            sqlite3_bind_null(ins, 3);
        if (os[0])
            sqlite3_bind_text(ins, 4, os, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(ins, 4);
        if (sqlite3_step(ins) != SQLITE_DONE)
            rc = fail(db, err);
    }
    if (rc == CS_OK && st != SQLITE_DONE)
        rc = fail(db, err);
    /* the message before finalize, which may reset it */
    sqlite3_finalize(sv);
    sqlite3_finalize(legs);
    sqlite3_finalize(ins);
    return rc;
}

/* app version, browser, client OS: the survey's latest event that has each */
static const char app_sql[] =
    "UPDATE survey_leg SET"
    " app_version = (SELECT e.app_version FROM custom_events e, survey_data d"
    "  WHERE d.rid = survey_leg.rid AND e.survey_id = d.survey_id AND e.app_version IS NOT NULL"
    "  ORDER BY e.time_us DESC, e.id DESC LIMIT 1),"
    " browser = (SELECT e.browser FROM custom_events e, survey_data d"
    "  WHERE d.rid = survey_leg.rid AND e.survey_id = d.survey_id AND e.browser IS NOT NULL"
    "  ORDER BY e.time_us DESC, e.id DESC LIMIT 1),"
    " client_os = (SELECT e.client_os FROM custom_events e, survey_data d"
    "  WHERE d.rid = survey_leg.rid AND e.survey_id = d.survey_id AND e.client_os IS NOT NULL"
    "  ORDER BY e.time_us DESC, e.id DESC LIMIT 1)"
    " WHERE EXISTS (SELECT 1 FROM custom_events e, survey_data d WHERE d.rid = survey_leg.rid"
    "  AND e.survey_id = d.survey_id)";

/* BEGIN IMMEDIATE and survey_leg recomputed, not committed: rolled back
 * on error. */
static cs_status
join_begin(struct cs_store *store, struct app_in *in, struct cs_err *err)
{
    sqlite3 *db = cs_store_db(store);
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return fail(db, err);
    cs_status rc = CS_OK;
    if (sqlite3_exec(db, "DELETE FROM survey_leg", NULL, NULL, NULL) != SQLITE_OK)
        rc = fail(db, err);
    bool app = false, app_done = false;
    if (rc == CS_OK) /* a failed check may have rolled the transaction back: it ends the join */
        rc = cs_store_column_check(store, "custom_events", "app_version", &app, err);
    if (rc == CS_OK)
        rc = join_rows(db, app, in, &app_done, err);
    if (rc == CS_OK && app && !app_done && sqlite3_exec(db, app_sql, NULL, NULL, NULL) != SQLITE_OK)
        rc = fail(db, err);
    if (rc != CS_OK)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* COMMIT (or ROLLBACK when !commit or on error) the join's transaction. */
static cs_status
join_end(struct cs_store *store, bool commit, struct cs_err *err)
{
    sqlite3 *db = cs_store_db(store);
    cs_status rc = CS_OK;
    if (commit && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = fail(db, err);
    if (!commit || rc != CS_OK)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

cs_status
cs_calls_join(struct cs_store *store, struct cs_call_join *audit, struct cs_err *err)
{
    memset(audit, 0, sizeof *audit);
    struct app_in in = {0};
    cs_status rc = join_begin(store, &in, err);
    if (rc == CS_OK)
        rc = join_end(store, true, err);
    if (rc != CS_OK)
        return rc;
    return cs_calls_audit(store, audit, err);
}

cs_status
cs_calls_any(struct cs_store *store, bool *any, struct cs_err *err)
{
    *any = false;
    return cs_store_has_column(store, "call_data", NULL) ? legs_stored(cs_store_db(store), any, err)
                                                         : CS_OK;
}

/* While held, the pager may not write dirty pages to the file before
 * COMMIT (SQLite's cache_spill; the cache grows instead: survey_leg of a
 * million surveys with app values is about 20 MB).  Without call
 * summaries the cache also keeps few clean pages: that join is one scan
 * of the surveys, which gains nothing from them, and the 64 MB of a
 * private store's cache beside the twins' statistics raised a report's
 * peak RSS by 16 MB at 1M surveys (with call summaries the join's lookups
 * of legs need the cache: 120k surveys took 0.6 s longer with 4 MB).  The
 * cache's size is restored on release. */
static bool
hold_pages(struct cs_store *store, bool on)
{
    sqlite3 *db = cs_store_db(store);
    if (on) {
        sqlite3_stmt *q = NULL;
        store->held_cache_size = 0;
        bool legs = true;
        if (sqlite3_prepare_v2(db, "SELECT (SELECT cache_size FROM pragma_cache_size),"
                                   " EXISTS (SELECT 1 FROM call_data)",
                               -1, &q, NULL) == SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW) {
            store->held_cache_size = sqlite3_column_int64(q, 0);
            legs = sqlite3_column_int(q, 1) != 0;
        }
        sqlite3_finalize(q);
        if (legs)
            store->held_cache_size = 0; /* kept as it is */
        return sqlite3_exec(db, legs ? "PRAGMA cache_spill=OFF" : "PRAGMA cache_spill=OFF; PRAGMA cache_size=-4096",
                            NULL, NULL, NULL) == SQLITE_OK;
    }
    sqlite3_exec(db, "PRAGMA cache_spill=ON", NULL, NULL, NULL);
    if (store->held_cache_size) {
        char sql[64];
        snprintf(sql, sizeof sql, "PRAGMA cache_size=%lld", (long long)store->held_cache_size);
        sqlite3_exec(db, sql, NULL, NULL, NULL);
    }
    return true;
}

static cs_status
join_held(struct cs_store *store, struct app_in *in, struct cs_err *err)
{
    cs_status rc = CS_OK;
    if (!hold_pages(store, true)) {
        rc = fail(cs_store_db(store), err);
        hold_pages(store, false);
    }
    if (rc == CS_OK && (rc = join_begin(store, in, err)) != CS_OK)
        hold_pages(store, false);
    cs_app_latest_free(in->m); /* not taken: call summaries, or an error */
    return rc;
}

cs_status
cs_calls_join_held(struct cs_store *store, struct cs_err *err)
{
    struct app_in in = {0};
    return join_held(store, &in, err);
}

cs_status
cs_calls_join_held_given(struct cs_store *store, struct cs_app_latest *app, struct cs_err *err)
{
    struct app_in in = {.given = true, .m = app};
    return join_held(store, &in, err);
}

cs_status
cs_calls_app_read(struct cs_store *s, struct cs_app_latest **out, struct cs_err *err)
{
    *out = NULL;
    if (!cs_store_has_column(s, "custom_events", "app_version"))
        return CS_OK; /* join_begin sets no app values */
    int rc = cs_app_latest_load(cs_store_db(s), out);
    return rc == SQLITE_OK ? CS_OK
                           : cs_fail(err, CS_E_DB, NULL, "joining surveys to call summaries: %s",
                                     rc == SQLITE_NOMEM ? "out of memory"
                                                        : sqlite3_errmsg(cs_store_db(s)));
}

void
cs_calls_app_free(struct cs_app_latest *m)
{
    cs_app_latest_free(m);
}

cs_status
cs_calls_join_end(struct cs_store *store, bool commit, struct cs_call_join *audit,
                  struct cs_err *err)
{
    memset(audit, 0, sizeof *audit);
    cs_status rc = join_end(store, commit, err);
    hold_pages(store, false);
    if (rc != CS_OK || !commit)
        return rc;
    return cs_calls_audit(store, audit, err);
}

/* The audit as last counted (STORE_MEMO_CALLS): summary.json, the Data
 * Quality sheet and the join itself ask for it, and its count of the
 * surveys was 0.08 s a time at 1M surveys. */
struct calls_memo {
    struct store_stamp st;
    struct cs_call_join a;
};

static void
calls_memo_free(void *p)
{
    struct calls_memo *mo = p;
    if (mo)
        xfree(mo->st.key);
    xfree(mo);
}

static cs_status count_audit(struct cs_store *store, struct cs_call_join *a, struct cs_err *err);

cs_status
cs_calls_audit(struct cs_store *store, struct cs_call_join *a, struct cs_err *err)
{
    struct calls_memo *mo = cs_store_memo(store, STORE_MEMO_CALLS);
    if (mo && store_stamp_same(store, &mo->st, "calls")) {
        *a = mo->a;
        return CS_OK;
    }
    cs_status rc = count_audit(store, a, err);
    if (rc == CS_OK) {
        mo = xcalloc(1, sizeof *mo);
        mo->a = *a;
        store_stamp_set(store, &mo->st, xstrdup("calls"));
        cs_store_set_memo(store, STORE_MEMO_CALLS, mo, calls_memo_free);
    }
    return rc;
}

static cs_status
count_audit(struct cs_store *store, struct cs_call_join *a, struct cs_err *err)
{
    memset(a, 0, sizeof *a);
    if (!cs_store_has_column(store, "survey_leg", NULL) ||
        !cs_store_has_column(store, "call_data", NULL))
        return CS_OK;
    /* without call summaries there is no join to audit, and nothing shows
     * one (summary.json, the Data Quality sheet and the loading commands'
     * line need legs): the count of the surveys, all unmatched, read every
     * page of survey_data (at 1M surveys 195 MB in 11,900 reads, 0.03 s of
     * `ingest --db` and of a report, issue 22) */
    bool legs;
    cs_status rc = cs_calls_any(store, &legs, err);
    if (rc != CS_OK || !legs)
        return rc;
    sqlite3 *db = cs_store_db(store);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db,
                           "SELECT (SELECT count(*) FROM survey_data),"
                           " (SELECT count(*) FROM survey_leg WHERE status = 1),"
                           " (SELECT count(*) FROM survey_leg WHERE status = 2),"
                           " (SELECT count(*) FROM call_data c WHERE NOT EXISTS"
                           "   (SELECT 1 FROM survey_leg j WHERE j.leg = c.id)),"
                           " (SELECT count(*) FROM call_data)",
                           -1, &q, NULL) != SQLITE_OK)
        return fail(db, err);
    int st = sqlite3_step(q);
    if (st == SQLITE_ROW) {
        a->surveys = (uint64_t)sqlite3_column_int64(q, 0);
        a->matched = (uint64_t)sqlite3_column_int64(q, 1);
        a->ambiguous = (uint64_t)sqlite3_column_int64(q, 2);
        /* surveys without a row are unmatched too (store/call_legs.h) */
        a->unmatched = a->surveys - a->matched - a->ambiguous;
        a->legs_without_survey = (uint64_t)sqlite3_column_int64(q, 3);
        a->legs = (uint64_t)sqlite3_column_int64(q, 4);
    }
    rc = st == SQLITE_ROW ? CS_OK : fail(db, err); /* before finalize */
    sqlite3_finalize(q);
    if (rc != CS_OK)
        memset(a, 0, sizeof *a);
    return rc;
}

cs_status
cs_calls_unmatched(struct cs_store *store, size_t max,
                   cs_status (*fn)(void *ctx, const struct cs_call_unmatched *u,
                                   struct cs_err *err),
                   void *ctx, struct cs_err *err)
{
    if (!cs_store_has_column(store, "survey_leg", NULL))
        return CS_OK;
    sqlite3 *db = cs_store_db(store);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db,
                           "SELECT d.survey_id, d.call_id, d.participant_id, d.time_us,"
                           " coalesce(j.status, 0) FROM survey_data d LEFT JOIN survey_leg j"
                           " ON j.rid = d.rid WHERE coalesce(j.status, 0) != 1"
                           " ORDER BY d.time_us, d.survey_id LIMIT ?1",
                           -1, &q, NULL) != SQLITE_OK)
        return fail(db, err);
    sqlite3_bind_int64(q, 1, (sqlite3_int64)max);
    cs_status rc = CS_OK;
    int st;
    while (rc == CS_OK && (st = sqlite3_step(q)) == SQLITE_ROW) {
        struct cs_call_unmatched u = {.survey_id = col(q, 0), .call_id = col(q, 1), .participant_id = col(q, 2), .time_us = sqlite3_column_int64(q, 3), .ambiguous = sqlite3_column_int(q, 4) == J_AMBIGUOUS};
        rc = fn(ctx, &u, err);
    }
    if (rc == CS_OK && st != SQLITE_DONE)
        rc = fail(db, err);
    /* the message before finalize, which may reset it */
    sqlite3_finalize(q);
    return rc;
}
