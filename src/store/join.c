/*
 * store/join.c: the join audit, the custom keys, and cs_join_rows, whose
 * merge kinds run in C over key passes (store/join_merge.c, issue 22: each
 * kind was one SELECT that sorted every joined row with its answers).  No
 * kind needs an index beyond custom_events_key (survey_id, ...).
 */
#include "store/join.h"

#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_plain.h"
#include "core/mem.h"
#include "store/filter_sql.h"
#include "store/keymap.h"
#include "store/join_merge.h"
#include "store/store_int.h"


/* WHERE for surveys (d: the store's one survey filter) and for events (e). */
static void
filters(const struct cs_filter *f, char *ls, size_t ln, char *rs, size_t rn)
{
    cs_filter_where(f, ls, ln);
    size_t m = (size_t)snprintf(rs, rn, "1");
    /* an event without a time (the tutorial's two-column CSV) can only be
     * placed through its survey: it belongs to every window */
    if (f && f->has_since)
        m += (size_t)snprintf(rs + m, rn - m, " AND (e.time_us IS NULL OR e.time_us >= ?100)");
    if (f && f->has_until)
        snprintf(rs + m, rn - m, " AND (e.time_us IS NULL OR e.time_us < ?101)");
}

static cs_status
prep(struct cs_store *s, const char *sql, sqlite3_stmt **q, struct cs_err *err)
{
    if (sqlite3_prepare_v2(cs_store_db(s), sql, -1, q, NULL) != SQLITE_OK)
        return cs_fail(err, CS_E_DB, NULL, "join query failed: %s",
                       sqlite3_errmsg(cs_store_db(s)));
    return CS_OK;
}

static cs_status distinct_keys(struct cs_store *s, const struct cs_filter *f, const char *rw,
                               uint64_t *keys, struct cs_err *err);

/*
 * Two sequential scans instead of a probe per survey: the events grouped by
 * survey id (in the order of the custom_events_key (survey_id, ...) index) into an
 * exact in-memory map, then the filtered surveys, each looked up in the map
 * (the merge's key passes, join_merge.c).  At 1M surveys and 335k events
 * this takes about 0.5 s where three correlated subqueries took 3 s.
 */
static cs_status
audit(struct cs_store *s, const struct cs_filter *f, bool keys, struct cs_join_audit *a,
      struct cs_err *err)
{
    memset(a, 0, sizeof *a);
    a->skew_median_s = a->skew_max_s = a->skew_min_s = NAN;
    char lw[8192], rw[512];
    sqlite3_stmt *q;
    /* without any event there is nothing to audit but the survey count,
     * which the caller has: skip the scans */
    if (prep(s, "SELECT EXISTS (SELECT 1 FROM custom_events)", &q, err))
        return CS_E_DB;
    bool any = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    if (!any)
        return CS_OK;
    filters(f, lw, sizeof lw, rw, sizeof rw);

    double *v = NULL;
    size_t k = 0;
    if (cs_join_merge_audit(s, f, lw, rw, a, &v, &k, err) != CS_OK) {
        xfree(v);
        return CS_E_DB;
    }
    /* distinct keys, for the cap on answer columns (cs_custom_cols) */
    if (keys && distinct_keys(s, f, rw, &a->keys, err)) {
        xfree(v);
        return CS_E_DB;
    }
    a->unanswered = a->surveys - a->matched_surveys;
    a->orphan_events = a->events - a->matched_events;
    if (k > 0) {
        /* the middle values by selection (GSL's quickselect), not a sort
         * of every skew (316k at 1M surveys: 0.04 s sorted) */
        double hi = gsl_stats_select(v, 1, k, k / 2);
        double lo = k % 2 ? hi : gsl_stats_select(v, 1, k, k / 2 - 1);
        a->skew_median_s = k % 2 ? hi : (lo + hi) / 2;
        a->skew_max_s = a->skew_min_s = v[0];
        for (size_t i = 1; i < k; i++) {
            if (v[i] > a->skew_max_s)
                a->skew_max_s = v[i];
            if (v[i] < a->skew_min_s)
                a->skew_min_s = v[i];
        }
    }
    xfree(v);
    return CS_OK;
}

cs_status
cs_join_audit(struct cs_store *s, const struct cs_filter *f, struct cs_join_audit *a,
              struct cs_err *err)
{
    return audit(s, f, true, a, err);
}

cs_status
cs_join_audit_events(struct cs_store *s, const struct cs_filter *f, struct cs_join_audit *a,
                     struct cs_err *err)
{
    return audit(s, f, false, a, err);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

cs_status
cs_join_keys(struct cs_store *s, const struct cs_filter *f, char ***keys,
             size_t *n_keys, struct cs_err *err)
{
    *keys = NULL;
    *n_keys = 0;
    char lw[8192], rw[512], sql[12000];
    filters(f, lw, sizeof lw, rw, sizeof rw);
    snprintf(sql, sizeof sql,
             "SELECT DISTINCT p.key FROM custom_events e, json_each(e.props) p"
             " WHERE %s UNION SELECT DISTINCT p.key FROM custom_events e,"
             " json_each(e.measurements) p WHERE e.measurements IS NOT NULL AND %s",
             rw, rw);
    sqlite3_stmt *q;
    if (prep(s, sql, &q, err))
        return CS_E_DB;
    cs_filter_bind(q, f, 0); /* no ?99 in these queries */
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n_keys == cap) {
            cap = cap ? cap * 2 : 16;
            *keys = xreallocarray(*keys, cap, sizeof **keys);
        }
        (*keys)[(*n_keys)++] = xstrdup((const char *)sqlite3_column_text(q, 0));
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        cs_join_keys_free(*keys, *n_keys);
        *keys = NULL;
        *n_keys = 0;
        return cs_fail(err, CS_E_DB, NULL, "custom keys: %s",
                       sqlite3_errmsg(cs_store_db(s)));
    }
    if (*n_keys > 1)
        qsort(*keys, *n_keys, sizeof **keys, cmp_str); /* byte order, stable */
    return CS_OK;
}

void
cs_join_keys_free(char **keys, size_t n_keys)
{
    for (size_t i = 0; i < n_keys; i++)
        xfree(keys[i]);
    xfree(keys);
}

/* ---- custom columns ------------------------------------------------------- */


/* (count desc, key): "ORDER BY n DESC, key" (BINARY collation), over the
 * key numbers of a keymap */
struct key_count {
    const char *key;
    size_t len;
    uint64_t n;
};

static int
cmp_key_n(const void *a, const void *b)
{
    const struct key_count *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    int c = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Count member key i of the window's answers into (*n)[i] (*ncap: its
 * room). */
static void
count_key(uint64_t **n, size_t *ncap, size_t i)
{
    if (i == *ncap) {
        *ncap = *ncap ? *ncap * 2 : 256;
        *n = xreallocarray(*n, *ncap, sizeof **n);
        memset(*n + i, 0, (*ncap - i) * sizeof **n);
    }
    (*n)[i]++;
}

/* The key numbers of the last plain answer counted, by position: an app
 * sends its keys in one order, so most members are the key at the same
 * place in the answer before, compared in full without a hash (1M surveys,
 * 987k members: a third of the count's time was the keymap's hashing). */
#define KEYS_AT_HAND 64
struct key_order {
    size_t idx[KEYS_AT_HAND];
    size_t n;
};

/* A plain answer's members (core/json_plain.h) counted: up to
 * KEYS_AT_HAND members walked once, their numbers in ko->idx, new keys
 * added only once the text is known plain to its end; more members walked
 * to the end, then again counting.  1 when counted, 0 when the text is not
 * plain (nothing counted or added). */
static int
count_plain(const char *t, size_t len, struct cs_keymap *m, uint64_t **n, size_t *ncap,
            struct key_order *ko)
{
    struct cs_plain_iter it;
    struct cs_plain_member mb;
    const char *key[KEYS_AT_HAND];
    size_t klen[KEYS_AT_HAND], idx[KEYS_AT_HAND], nk = 0;
    int r;
    cs_plain_begin(&it, t, len, true);
    while ((r = cs_plain_next(&it, &mb)) > 0) {
        if (nk == KEYS_AT_HAND)
            break;
        size_t pl;
        const char *pk = nk < ko->n ? cs_keymap_key(m, ko->idx[nk], &pl) : NULL;
        bool same = pk && pl == mb.key_len && memcmp(pk, mb.key, pl) == 0;
        idx[nk] = same ? ko->idx[nk] : SIZE_MAX;
        key[nk] = mb.key;
        klen[nk++] = mb.key_len;
    }
    if (r > 0) { /* more members than at hand: plain to the end? */
        while ((r = cs_plain_next(&it, &mb)) > 0)
            ;
        if (r != 0)
            return 0;
        cs_plain_begin(&it, t, len, true);
        while (cs_plain_next(&it, &mb) > 0)
            count_key(n, ncap, cs_keymap_add(m, mb.key, mb.key_len));
        ko->n = 0;
        return 1;
    }
    if (r != 0)
        return 0;
    for (size_t j = 0; j < nk; j++) {
        if (idx[j] == SIZE_MAX)
            idx[j] = cs_keymap_add(m, key[j], klen[j]);
        count_key(n, ncap, idx[j]);
        ko->idx[j] = idx[j];
    }
    ko->n = nk;
    return 1;
}

/* The member keys of the answers object t (len bytes) counted into m and
 * *n as json_each(t) gives them: a plain object (core/json_plain.h, what
 * ingest stores for nearly every app) walked in C (count_plain), any
 * other text through json_each itself
 * (each, a prepared "SELECT key FROM json_each(?1)"), so that escaped keys
 * are unescaped and malformed text fails as it did.  SQLite's result code
 * (SQLITE_OK); *text false when a key is not text (the caller then groups
 * in SQL). */
static int
count_members(sqlite3_stmt *each, const char *t, size_t len, struct cs_keymap *m, uint64_t **n,
              size_t *ncap, struct key_order *ko, bool *text)
{
    if (count_plain(t, len, m, n, ncap, ko))
        return SQLITE_OK;
    int r;
    sqlite3_reset(each);
    sqlite3_bind_text(each, 1, t, (int)len, SQLITE_STATIC);
    while ((r = sqlite3_step(each)) == SQLITE_ROW) {
        if (sqlite3_column_type(each, 0) != SQLITE_TEXT) {
            *text = false;
            break;
        }
        const unsigned char *k = sqlite3_column_text(each, 0);
        if (!k) /* a TEXT value read as NULL: SQLite ran out of memory */
            return SQLITE_NOMEM;
        count_key(n, ncap, cs_keymap_add(m, k, (size_t)sqlite3_column_bytes(each, 0)));
    }
    int rc = *text && r != SQLITE_DONE ? r : SQLITE_OK;
    sqlite3_reset(each);
    return rc;
}

/* The member keys of the window's answers numbered in *m, (*n)[i] the
 * members with key i (owned by the caller, free with xfree), by one scan
 * of the answers, plain ones walked in C (count_members; json_each's rows
 * over every answer in SQL took 0.24 s at 1M surveys, 335k events, a third
 * of the join audit); *plain false when a key is not text: then the caller
 * asks SQL for all of them. */
static cs_status
key_counts_c(struct cs_store *s, const struct cs_filter *f, const char *rw, struct cs_keymap *m,
             uint64_t **n, bool *plain, struct cs_err *err)
{
    char sql[1000];
    snprintf(sql, sizeof sql, "SELECT e.props, e.measurements FROM custom_events e WHERE %s", rw);
    sqlite3_stmt *q, *each = NULL;
    if (prep(s, sql, &q, err))
        return CS_E_DB;
    cs_filter_bind(q, f, 0); /* no ?99 in these queries */
    *plain = true;
    size_t ncap = 0;                               /* of *n */
    struct key_order ko[2] = {{.n = 0}, {.n = 0}}; /* props', measurements' */
    int rc = sqlite3_prepare_v2(cs_store_db(s), "SELECT key FROM json_each(?1)", -1, &each, NULL);
    while (rc == SQLITE_OK && *plain && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        rc = SQLITE_OK;
        for (int c = 0; c < 2 && *plain && rc == SQLITE_OK; c++) {
            if (sqlite3_column_type(q, c) == SQLITE_NULL && c == 1)
                continue; /* no measurements (as json_each(NULL): no rows) */
            const char *t = (const char *)sqlite3_column_text(q, c);
            if (!t) /* NOT NULL props read as NULL: SQLite ran out of memory */
                rc = SQLITE_NOMEM;
            else
                rc = count_members(each, t, (size_t)sqlite3_column_bytes(q, c), m, n, &ncap,
                                   &ko[c], plain);
        }
    }
    if (rc == SQLITE_ROW || (rc == SQLITE_OK && !*plain))
        rc = SQLITE_DONE;
    cs_status st = CS_OK;
    if (rc != SQLITE_DONE) /* the message before finalize resets it */
        st = cs_fail(err, CS_E_DB, NULL, "custom keys: %s",
                     rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(cs_store_db(s)));
    sqlite3_finalize(each);
    sqlite3_finalize(q);
    return st;
}

/* The member keys of the window's answers numbered in *m, (*n)[i] the
 * members with key i (owned by the caller, free with xfree).  *text is false when a key is not text (json_each
 * over something other than an object: never for what ingest stores); the
 * caller then groups in SQL. */
static cs_status
key_counts(struct cs_store *s, const struct cs_filter *f, const char *rw, struct cs_keymap *m,
           uint64_t **n, bool *text, struct cs_err *err)
{
    bool plain;
    if (key_counts_c(s, f, rw, m, n, &plain, err))
        return CS_E_DB;
    if (plain) {
        *text = true;
        return CS_OK;
    }
    cs_keymap_free(m); /* counted in SQL instead */
    memset(m, 0, sizeof *m);
    xfree(*n);
    *n = NULL;
    char sql[2000];
    snprintf(sql, sizeof sql,
             "SELECT p.key FROM custom_events e, json_each(e.props) p WHERE %s UNION ALL"
             " SELECT p.key FROM custom_events e, json_each(e.measurements) p"
             " WHERE e.measurements IS NOT NULL AND %s",
             rw, rw);
    sqlite3_stmt *q;
    if (prep(s, sql, &q, err))
        return CS_E_DB;
    cs_filter_bind(q, f, 0); /* no ?99 in these queries */
    *text = true;
    size_t ncap = 0; /* of *n */
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (sqlite3_column_type(q, 0) != SQLITE_TEXT) {
            *text = false;
            rc = SQLITE_DONE;
            break;
        }
        const unsigned char *t = sqlite3_column_text(q, 0);
        if (!t) { /* a TEXT value read as NULL: SQLite ran out of memory */
            rc = SQLITE_NOMEM;
            break;
        }
        count_key(n, &ncap, cs_keymap_add(m, t, (size_t)sqlite3_column_bytes(q, 0)));
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return cs_fail(err, CS_E_DB, NULL, "custom keys: %s",
                       rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(cs_store_db(s)));
    return CS_OK;
}

/* ---- the window's member keys, kept for the next read ------------------- */

/* What key_counts found for a window (STORE_MEMO_KEYS): the report's join
 * audit counts the distinct keys and its custom columns take the most used
 * (each pass over the answers' members took 0.3 s at 1M surveys). */
struct keys_memo {
    struct store_stamp st; /* the window (its events' conditions) and when kept */
    struct cs_keymap m;
    uint64_t *n; /* owned: members per key number */
    bool text;   /* as key_counts says */
};

static void
keys_memo_free(void *p)
{
    struct keys_memo *mo = p;
    if (!mo)
        return;
    xfree(mo->st.key);
    cs_keymap_free(&mo->m);
    xfree(mo->n);
    xfree(mo);
}

/* The window's member keys and counts in *out (borrowed: the store's memo,
 * until the store changes or keeps another). */
static cs_status
window_keys(struct cs_store *s, const struct cs_filter *f, const char *rw,
            const struct keys_memo **out, struct cs_err *err)
{
    char *key = cs_join_window_key(f, "", rw);
    struct keys_memo *mo = cs_store_memo(s, STORE_MEMO_KEYS);
    if (mo && store_stamp_same(s, &mo->st, key)) {
        xfree(key);
        *out = mo;
        return CS_OK;
    }
    mo = xcalloc(1, sizeof *mo);
    cs_status rc = key_counts(s, f, rw, &mo->m, &mo->n, &mo->text, err);
    if (rc) {
        xfree(key);
        keys_memo_free(mo);
        return rc;
    }
    store_stamp_set(s, &mo->st, key);
    cs_store_set_memo(s, STORE_MEMO_KEYS, mo, keys_memo_free);
    *out = mo;
    return CS_OK;
}

/* The number of distinct member keys of the window's answers. */
static cs_status
distinct_keys(struct cs_store *s, const struct cs_filter *f, const char *rw, uint64_t *keys,
              struct cs_err *err)
{
    const struct keys_memo *km;
    if (window_keys(s, f, rw, &km, err))
        return CS_E_DB;
    if (km->text) {
        *keys = km->m.n;
        return CS_OK;
    }
    char sql[2000];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM (SELECT p.key FROM custom_events e, json_each(e.props) p"
             " WHERE %s UNION SELECT p.key FROM custom_events e, json_each(e.measurements) p"
             " WHERE e.measurements IS NOT NULL AND %s)",
             rw, rw);
    sqlite3_stmt *q;
    if (prep(s, sql, &q, err))
        return CS_E_DB;
    cs_filter_bind(q, f, 0); /* no ?99 in these queries */
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *keys = (uint64_t)sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW)
        return cs_fail(err, CS_E_DB, NULL, "join audit: %s", sqlite3_errmsg(cs_store_db(s)));
    return CS_OK;
}

/* ---- the member keys counted in two halves -------------------------------- */

struct cs_join_key_half {
    struct cs_keymap m;
    uint64_t *n; /* owned: members per key number of m */
    bool plain;  /* every answer of the half walked in C (key_counts_c) */
};

void
cs_join_key_half_free(struct cs_join_key_half *h)
{
    if (!h)
        return;
    cs_keymap_free(&h->m);
    xfree(h->n);
    xfree(h);
}

cs_status
cs_join_key_half(struct cs_store *s, const struct cs_filter *f, int half,
                 struct cs_join_key_half **out, struct cs_err *err)
{
    *out = NULL;
    sqlite3_stmt *q;
    if (prep(s, "SELECT max(id) FROM custom_events", &q, err))
        return CS_E_DB;
    int rc = sqlite3_step(q);
    int64_t mid = sqlite3_column_int64(q, 0) / 2; /* no event: 0 */
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW)
        return cs_fail(err, CS_E_DB, NULL, "custom keys: %s", sqlite3_errmsg(cs_store_db(s)));
    char lw[8192], rw[512], rw2[600];
    filters(f, lw, sizeof lw, rw, sizeof rw);
    snprintf(rw2, sizeof rw2, "%s AND e.id %s %lld", rw, half ? ">" : "<=", (long long)mid);
    struct cs_join_key_half *h = xcalloc(1, sizeof *h);
    if (key_counts_c(s, f, rw2, &h->m, &h->n, &h->plain, err)) {
        cs_join_key_half_free(h);
        return CS_E_DB;
    }
    *out = h;
    return CS_OK;
}

cs_status
cs_join_key_halves_keep(struct cs_store *s, const struct cs_filter *f,
                        struct cs_join_key_half *h[2], uint64_t *keys, struct cs_err *err)
{
    char lw[8192], rw[512];
    filters(f, lw, sizeof lw, rw, sizeof rw);
    *keys = 0;
    if (!h[0]->plain || !h[1]->plain) /* an answer for json_each: the whole window in SQL */
        return distinct_keys(s, f, rw, keys, err);
    struct cs_keymap *m = &h[0]->m;
    size_t n0 = m->n, n1 = h[1]->m.n;
    uint64_t *n = xreallocarray(h[0]->n, n0 + n1 + 1, sizeof *n);
    h[0]->n = NULL;
    memset(n + n0, 0, (n1 + 1) * sizeof *n);
    for (size_t i = 0; i < n1; i++) {
        size_t len;
        const char *k = cs_keymap_key(&h[1]->m, i, &len);
        n[cs_keymap_add(m, k, len)] += h[1]->n[i];
    }
    struct keys_memo *mo = xcalloc(1, sizeof *mo);
    mo->m = *m;
    memset(m, 0, sizeof *m);
    mo->n = n;
    mo->text = true;
    store_stamp_set(s, &mo->st, cs_join_window_key(f, "", rw));
    cs_store_set_memo(s, STORE_MEMO_KEYS, mo, keys_memo_free);
    *keys = mo->m.n;
    return CS_OK;
}

/* cs_custom_cols_load's keys with SQLite's GROUP BY (keys not all text). */
static cs_status
cols_sql(struct cs_store *s, const struct cs_filter *f, const char *rw, size_t cap,
         struct cs_custom_cols *c, struct cs_err *err)
{
    char sql[2000];
    /* one GROUP BY over the members: the most used keys first */
    snprintf(sql, sizeof sql,
             "SELECT key, count(*) AS n FROM (SELECT p.key FROM custom_events e,"
             " json_each(e.props) p WHERE %s UNION ALL SELECT p.key FROM custom_events e,"
             " json_each(e.measurements) p WHERE e.measurements IS NOT NULL AND %s)"
             " GROUP BY key ORDER BY n DESC, key",
             rw, rw);
    sqlite3_stmt *q;
    if (prep(s, sql, &q, err))
        return CS_E_DB;
    cs_filter_bind(q, f, 0); /* no ?99 in these queries */
    size_t alloc = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        c->n_all++;
        if (c->n_keys == cap)
            continue;
        if (c->n_keys == alloc) {
            alloc = alloc ? alloc * 2 : 16;
            c->keys = xreallocarray(c->keys, alloc, sizeof *c->keys);
        }
        c->keys[c->n_keys++] = xstrdup((const char *)sqlite3_column_text(q, 0));
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return cs_fail(err, CS_E_DB, NULL, "custom keys: %s", sqlite3_errmsg(cs_store_db(s)));
    return CS_OK;
}

/* The members counted by key in C (key_counts), not by SQLite's GROUP BY,
 * which sorted every member (1M surveys, 987k members: 0.62 -> 0.30 s
 * user). */
cs_status
cs_custom_cols_load(struct cs_store *s, const struct cs_filter *f, size_t cap,
                    struct cs_custom_cols *c, struct cs_err *err)
{
    memset(c, 0, sizeof *c);
    if (!cap)
        cap = CS_CUSTOM_COLUMNS;
    char lw[8192], rw[512];
    filters(f, lw, sizeof lw, rw, sizeof rw);
    const struct keys_memo *km;
    cs_status rc = window_keys(s, f, rw, &km, err);
    if (rc == CS_OK && !km->text)
        rc = cols_sql(s, f, rw, cap, c, err);
    else if (rc == CS_OK && km->m.n) {
        size_t nk = km->m.n;
        struct key_count *v = xreallocarray(NULL, nk, sizeof *v);
        for (size_t i = 0; i < nk; i++) {
            v[i].key = cs_keymap_key(&km->m, i, &v[i].len);
            v[i].n = km->n[i];
        }
        qsort(v, nk, sizeof *v, cmp_key_n);
        c->n_all = nk;
        c->n_keys = nk < cap ? nk : cap;
        c->keys = xmalloc(c->n_keys * sizeof *c->keys);
        for (size_t i = 0; i < c->n_keys; i++)
            c->keys[i] = xstrdup(v[i].key);
        xfree(v);
    }
    if (rc != CS_OK) {
        cs_custom_cols_free(c);
        return rc;
    }
    if (c->n_keys > 1)
        qsort(c->keys, c->n_keys, sizeof *c->keys, cmp_str); /* byte order */
    cs_custom_cols_index(c);
    return CS_OK;
}


cs_status
cs_join_rows(struct cs_store *s, const struct cs_filter *f, enum cs_merge kind,
             cs_join_cb cb, void *ctx, struct cs_err *err)
{
    char lw[8192], rw[512];
    filters(f, lw, sizeof lw, rw, sizeof rw);
    return cs_join_merge(s, f, kind, lw, rw, cb, ctx, err);
}
