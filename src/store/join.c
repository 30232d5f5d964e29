/*
 * store/join.c: the join audit, the custom keys, and cs_join_rows, whose
 * merge kinds run in C over key passes (store/join_merge.c, issue 22: each
 * kind was one SELECT that sorted every joined row with its answers).  No
 * kind needs an index beyond custom_events_key (survey_id, ...).
 */
#include "store/join.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "store/filter_sql.h"
#include "store/join_merge.h"


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

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The audit's map: one entry per distinct survey id among the events, with
 * the number of events and the latest event time.  Open addressing on a
 * 64-bit hash (cs_join_id_hash); ids are compared in full, so the counts
 * are exact. */
struct ev_group {
    uint64_t h;    /* 0: empty slot */
    char *id;      /* owned */
    size_t len;    /* of id */
    uint64_t n;    /* events with this id */
    int64_t max_t; /* latest event time */
    bool has_t;
};

struct ev_map {
    struct ev_group *v;
    size_t cap, n;
};

static struct ev_group *
ev_find(struct ev_map *m, const unsigned char *t, size_t len, uint64_t h)
{
    if (!m->cap)
        return NULL;
    for (size_t j = h & (m->cap - 1);; j = (j + 1) & (m->cap - 1)) {
        struct ev_group *g = &m->v[j];
        if (!g->h)
            return NULL;
        if (g->h == h && g->len == len && memcmp(g->id, t, len) == 0)
            return g;
    }
}

static struct ev_group *
ev_add(struct ev_map *m, const unsigned char *t, size_t len)
{
    uint64_t h = cs_join_id_hash(t, len);
    struct ev_group *g = ev_find(m, t, len, h);
    if (g)
        return g;
    if ((m->n + 1) * 10 > m->cap * 7) {
        struct ev_map nm = {.cap = m->cap ? m->cap * 2 : 4096, .n = m->n};
        nm.v = xcalloc(nm.cap, sizeof *nm.v);
        for (size_t i = 0; i < m->cap; i++)
            if (m->v[i].h) {
                size_t j = m->v[i].h & (nm.cap - 1);
                while (nm.v[j].h)
                    j = (j + 1) & (nm.cap - 1);
                nm.v[j] = m->v[i];
            }
        xfree(m->v);
        *m = nm;
    }
    size_t j = h & (m->cap - 1);
    while (m->v[j].h)
        j = (j + 1) & (m->cap - 1);
    g = &m->v[j];
    /* the bytes as they are (a JSON key may hold a NUL) */
    *g = (struct ev_group){.h = h, .id = xmalloc(len + 1), .len = len};
    memcpy(g->id, t, len);
    g->id[len] = 0;
    m->n++;
    return g;
}

static void
ev_free(struct ev_map *m)
{
    for (size_t i = 0; i < m->cap; i++)
        xfree(m->v[i].id);
    xfree(m->v);
}

/*
 * Two sequential scans instead of a probe per survey: the events grouped by
 * survey id (in the order of the custom_events_key (survey_id, ...) index) into an
 * exact in-memory map, then the filtered surveys, each looked up in the map
 * (the merge's key passes, join_merge.c).  At 1M surveys and 335k events
 * this takes about 0.5 s where three correlated subqueries took 3 s.
 */
cs_status
cs_join_audit(struct cs_store *s, const struct cs_filter *f,
              struct cs_join_audit *a, struct cs_err *err)
{
    memset(a, 0, sizeof *a);
    a->skew_median_s = a->skew_max_s = a->skew_min_s = NAN;
    char lw[8192], rw[512], sql[2000];
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
    int rc;
    if (cs_join_merge_audit(s, f, lw, rw, a, &v, &k, err) != CS_OK) {
        xfree(v);
        return CS_E_DB;
    }
    /* distinct keys, for the cap on answer columns (cs_custom_cols) */
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM (SELECT p.key FROM custom_events e, json_each(e.props) p"
             " WHERE %s UNION SELECT p.key FROM custom_events e, json_each(e.measurements) p"
             " WHERE e.measurements IS NOT NULL AND %s)",
             rw, rw);
    if (prep(s, sql, &q, err)) {
        xfree(v);
        return CS_E_DB;
    }
    cs_filter_bind(q, f, 0); /* no ?99 in these queries */
    if ((rc = sqlite3_step(q)) == SQLITE_ROW)
        a->keys = (uint64_t)sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW) {
        xfree(v);
        return cs_fail(err, CS_E_DB, NULL, "join audit: %s", sqlite3_errmsg(cs_store_db(s)));
    }
    a->unanswered = a->surveys - a->matched_surveys;
    a->orphan_events = a->events - a->matched_events;
    if (k > 0) {
        qsort(v, k, sizeof *v, cmp_double);
        a->skew_median_s = k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2;
        a->skew_max_s = v[k - 1];
        a->skew_min_s = v[0];
    }
    xfree(v);
    return CS_OK;
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


/* (count desc, key): "ORDER BY n DESC, key" (BINARY collation) */
static int
cmp_key_n(const void *a, const void *b)
{
    const struct ev_group *x = *(const struct ev_group *const *)a;
    const struct ev_group *y = *(const struct ev_group *const *)b;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    int c = memcmp(x->id, y->id, x->len < y->len ? x->len : y->len);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* The member keys of the window's answers counted in *m (ev_group.n: the
 * members with that key).  *text is false when a key is not text (json_each
 * over something other than an object: never for what ingest stores); the
 * caller then groups in SQL. */
static cs_status
key_counts(struct cs_store *s, const struct cs_filter *f, const char *rw, struct ev_map *m,
           bool *text, struct cs_err *err)
{
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
        ev_add(m, t, (size_t)sqlite3_column_bytes(q, 0))->n++;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return cs_fail(err, CS_E_DB, NULL, "custom keys: %s",
                       rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(cs_store_db(s)));
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
    struct ev_map m = {0};
    bool text;
    cs_status rc = key_counts(s, f, rw, &m, &text, err);
    if (rc == CS_OK && !text)
        rc = cols_sql(s, f, rw, cap, c, err);
    else if (rc == CS_OK && m.n) {
        struct ev_group **v = xmalloc(m.n * sizeof *v);
        size_t k = 0;
        for (size_t i = 0; i < m.cap; i++)
            if (m.v[i].h)
                v[k++] = &m.v[i];
        qsort(v, k, sizeof *v, cmp_key_n);
        c->n_all = k;
        c->n_keys = k < cap ? k : cap;
        c->keys = xmalloc(c->n_keys * sizeof *c->keys);
        for (size_t i = 0; i < c->n_keys; i++)
            c->keys[i] = xstrdup(v[i]->id);
        xfree(v);
    }
    ev_free(&m);
    if (rc != CS_OK) {
        cs_custom_cols_free(c);
        return rc;
    }
    if (c->n_keys > 1)
        qsort(c->keys, c->n_keys, sizeof *c->keys, cmp_str); /* byte order */
    cs_custom_cols_index(c);
    return CS_OK;
}


void
cs_join_prepare(struct cs_store *s, enum cs_merge kind)
{
    /* the merge in C (join_merge.c) looks ids up in its own hash: no kind
     * needs an index any more (the right kinds made one on
     * survey_data(survey_id), about a second per million surveys) */
    (void)s;
    (void)kind;
}

cs_status
cs_join_rows(struct cs_store *s, const struct cs_filter *f, enum cs_merge kind,
             cs_join_cb cb, void *ctx, struct cs_err *err)
{
    char lw[8192], rw[512];
    filters(f, lw, sizeof lw, rw, sizeof rw);
    return cs_join_merge(s, f, kind, lw, rw, cb, ctx, err);
}
