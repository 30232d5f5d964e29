/*
 * store/join.c: the merge kinds of join.h in SQL, and the join audit.
 *
 * Each kind is one SELECT over two CTEs, L (filtered surveys) and R
 * (events in the window).  Lookups go from surveys to events through the
 * custom_events_key (survey_id, ...) index; kinds that must look surveys up from
 * events (right and full kinds) first create an index on
 * survey_data(survey_id), once per database (about a second per million
 * surveys; the left kinds never pay it).
 */
#include "store/join.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "store/filter_sql.h"


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

#define CTES                                                                                \
    "WITH L AS NOT MATERIALIZED (SELECT d.rid, d.survey_id, d.time_us, r.name AS resource," \
    " d.call_id, d.participant_id, d.o_s, d.a_s, d.v_s, d.s_s"                              \
    " FROM survey_data d LEFT JOIN resource_data r ON r.id = d.resource"                    \
    " WHERE %s),"                                                                           \
    " R AS NOT MATERIALIZED (SELECT e.id, e.survey_id, e.time_us, e.props, e.measurements"  \
    " FROM custom_events e WHERE %s) "

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
 * 64-bit FNV-1a hash; ids are compared in full, so the counts are exact. */
struct ev_group {
    uint64_t h;    /* 0: empty slot */
    char *id;      /* owned */
    uint64_t n;    /* events with this id */
    int64_t max_t; /* latest event time */
    bool has_t;
    bool in_l; /* orphan_ids: some survey of L has this id */
};

struct ev_map {
    struct ev_group *v;
    size_t cap, n;
};

static uint64_t
id_hash(const unsigned char *t, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++)
        h = (h ^ t[i]) * 1099511628211ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h ? h : 1;
}

static struct ev_group *
ev_find(struct ev_map *m, const unsigned char *t, size_t len, uint64_t h)
{
    if (!m->cap)
        return NULL;
    for (size_t j = h & (m->cap - 1);; j = (j + 1) & (m->cap - 1)) {
        struct ev_group *g = &m->v[j];
        if (!g->h)
            return NULL;
        if (g->h == h && strlen(g->id) == len && memcmp(g->id, t, len) == 0)
            return g;
    }
}

static struct ev_group *
ev_add(struct ev_map *m, const unsigned char *t, size_t len)
{
    uint64_t h = id_hash(t, len);
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
    *g = (struct ev_group){.h = h, .id = xstrndup((const char *)t, len)};
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
 * exact in-memory map, then the filtered surveys, each looked up in the map.
 * At 1M surveys and 335k events this takes about 0.5 s where three
 * correlated subqueries took 3 s.
 */
cs_status
cs_join_audit(struct cs_store *s, const struct cs_filter *f,
              struct cs_join_audit *a, struct cs_err *err)
{
    memset(a, 0, sizeof *a);
    a->skew_median_s = a->skew_max_s = a->skew_min_s = NAN;
    char lw[8192], rw[512], sql[12000];
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

    struct ev_map m = {0};
    int n = snprintf(sql, sizeof sql, CTES, lw, rw);
    snprintf(sql + n, sizeof sql - (size_t)n,
             "SELECT survey_id, count(*), max(time_us) FROM R GROUP BY survey_id");
    if (prep(s, sql, &q, err))
        return CS_E_DB;
    cs_filter_bind(q, f, 0); /* no ?99 in these queries */
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(q, 0);
        size_t len = (size_t)sqlite3_column_bytes(q, 0);
        uint64_t cnt = (uint64_t)sqlite3_column_int64(q, 1);
        a->events += cnt;
        if (!t)
            continue; /* no id: never matches, counted as events only */
        struct ev_group *g = ev_add(&m, t, len);
        g->n += cnt;
        if (sqlite3_column_type(q, 2) != SQLITE_NULL) {
            int64_t mt = sqlite3_column_int64(q, 2);
            if (!g->has_t || mt > g->max_t)
                g->max_t = mt;
            g->has_t = true;
        }
    }
    sqlite3_finalize(q);
    uint64_t distinct = m.n;
    if (rc != SQLITE_DONE) {
        ev_free(&m);
        return cs_fail(err, CS_E_DB, NULL, "join audit: %s", sqlite3_errmsg(cs_store_db(s)));
    }

    /* surveys: count, match, and the skew of the latest event of each
     * matched survey against the survey time */
    n = snprintf(sql, sizeof sql, CTES, lw, rw);
    snprintf(sql + n, sizeof sql - (size_t)n, "SELECT survey_id, time_us FROM L");
    if (prep(s, sql, &q, err)) {
        ev_free(&m);
        return CS_E_DB;
    }
    cs_filter_bind(q, f, 0); /* no ?99 in these queries */
    size_t cap = 1024, k = 0;
    double *v = xmalloc(cap * sizeof *v);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        a->surveys++;
        const unsigned char *t = sqlite3_column_text(q, 0);
        if (!t || !m.n)
            continue;
        size_t len = (size_t)sqlite3_column_bytes(q, 0);
        struct ev_group *g = ev_find(&m, t, len, id_hash(t, len));
        if (!g)
            continue;
        a->matched_surveys++;
        a->matched_events += g->n;
        if (g->has_t) {
            if (k == cap)
                v = xreallocarray(v, cap *= 2, sizeof *v);
            v[k++] = (double)(g->max_t - sqlite3_column_int64(q, 1)) / 1e6;
        }
    }
    sqlite3_finalize(q);
    ev_free(&m);
    if (rc != SQLITE_DONE) {
        xfree(v);
        return cs_fail(err, CS_E_DB, NULL, "join audit: %s", sqlite3_errmsg(cs_store_db(s)));
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
    a->duplicate_events = a->events - distinct;
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


cs_status
cs_custom_cols_load(struct cs_store *s, const struct cs_filter *f, size_t cap,
                    struct cs_custom_cols *c, struct cs_err *err)
{
    memset(c, 0, sizeof *c);
    if (!cap)
        cap = CS_CUSTOM_COLUMNS;
    char lw[8192], rw[512], sql[12000];
    filters(f, lw, sizeof lw, rw, sizeof rw);
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
    if (rc != SQLITE_DONE) {
        cs_custom_cols_free(c);
        return cs_fail(err, CS_E_DB, NULL, "custom keys: %s", sqlite3_errmsg(cs_store_db(s)));
    }
    if (c->n_keys > 1)
        qsort(c->keys, c->n_keys, sizeof *c->keys, cmp_str); /* byte order */
    cs_custom_cols_index(c);
    return CS_OK;
}


#define LCOLS                                                                 \
    "L.survey_id AS l_sid, L.time_us AS l_t, L.resource AS l_res, L.call_id," \
    " L.participant_id, L.o_s, L.a_s, L.v_s, L.s_s"
#define LNULL \
    "NULL AS l_sid, NULL AS l_t, NULL, NULL, NULL, NULL, NULL, NULL, NULL"
#define RCOLS \
    "R.survey_id AS r_sid, R.time_us AS r_t, R.props, R.measurements, R.id AS r_id"
#define RNULL "NULL AS r_sid, NULL AS r_t, NULL, NULL, NULL AS r_id"
#define ON "R.survey_id = L.survey_id"
/* Semi and anti joins as IN / NOT IN: SQLite builds one transient index of
 * the subquery's ids, where a correlated [NOT] EXISTS scans the other side
 * once per row when no index on survey_id exists (inside a report's read
 * snapshot, or on a read-only database, none can be made): 200,000 surveys
 * and 62,598 events took over five minutes, now well under a second.  Ids
 * are never NULL on either side (NOT NULL columns). */
#define IN_R "(L.survey_id IN (SELECT survey_id FROM R))"
#define IN_L "(R.survey_id IN (SELECT survey_id FROM L))"
#define NOT_IN_L "(R.survey_id NOT IN (SELECT survey_id FROM L))"
/* The merge's right side: one row per answered survey id (issue 15 item
 * 14), not one per event.  Its answers are, per key, the latest event's
 * (ties: the later stored), as the survey_custom view gives them (a
 * survey with one event, most of them, takes its text as it is); its time
 * is the latest event's and its id the first event's.  E is the events in
 * the window (the audit's R). */
#define LATEST(col)                                                                    \
    "(SELECT CASE WHEN count(*) > 0 THEN json_group_object(key, json(jtext)) END FROM" \
    " (SELECT p.key, CASE p.type WHEN 'text' THEN json_quote(p.value)"                 \
    " WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' WHEN 'null' THEN 'null'"       \
    " ELSE p.value END AS jtext, row_number() OVER (PARTITION BY p.key"                \
    " ORDER BY x.time_us DESC, x.id DESC) AS rn FROM E x, json_each(x." col ") p"      \
    " WHERE x.survey_id = g.survey_id AND x." col " IS NOT NULL ORDER BY p.key)"       \
    " WHERE rn = 1)"
#define R_ONE                                                                                \
    ", E AS NOT MATERIALIZED (SELECT e.id, e.survey_id, e.time_us, e.props,"                 \
    " e.measurements FROM custom_events e WHERE %s),"                                        \
    " R1 AS (SELECT min(g.id) AS id, g.survey_id, max(g.time_us) AS time_us,"                \
    " CASE WHEN count(*) = 1 THEN max(g.props)"                                              \
    " ELSE coalesce(" LATEST("props") ", '{}') END AS props,"                                \
                                      " CASE WHEN count(*) = 1 THEN max(g.measurements)"     \
                                      " ELSE " LATEST("measurements") " END AS measurements" \
                                                                      " FROM E g GROUP BY g.survey_id) "
#define ORDER_LR " ORDER BY l_t, l_sid, r_t, r_id"

void
cs_join_prepare(struct cs_store *s, enum cs_merge kind)
{
    /* inside a transaction (a report's read snapshot) the index would turn
     * it into a write that holds the lock: only outside one */
    if (!sqlite3_get_autocommit(cs_store_db(s)))
        return;
    if (kind == CS_MERGE_RIGHTOUTER || kind == CS_MERGE_FULLOUTER ||
        kind == CS_MERGE_RIGHTSEMI || kind == CS_MERGE_RIGHTANTI) {
        char *msg = NULL;
        if (sqlite3_exec(cs_store_db(s),
                         "CREATE INDEX IF NOT EXISTS survey_data_sid ON survey_data(survey_id)",
                         NULL, NULL, &msg) != SQLITE_OK) {
            /* a read-only database cannot take the index: go on without */
            sqlite3_free(msg);
        }
    }
}

/* rightanti's survey ids, found as the audit matches (a hash of R's ids,
 * one scan of L), into temp.cs_orph: the query then merges only those
 * ids' events into R1 and needs no NOT IN over every survey id (issue 22:
 * the list of a million ids made Data Quality's orphans take 3 s). */
static cs_status
orphan_ids(struct cs_store *s, const struct cs_filter *f, const char *lw, const char *rw,
           struct cs_err *err)
{
    sqlite3 *db = cs_store_db(s);
    char sql[12000];
    struct ev_map m = {0};
    sqlite3_stmt *q = NULL;
    int n = snprintf(sql, sizeof sql, CTES, lw, rw);
    snprintf(sql + n, sizeof sql - (size_t)n, "SELECT survey_id FROM R GROUP BY survey_id");
    int rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);
    if (rc == SQLITE_OK) {
        cs_filter_bind(q, f, 0);
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            const unsigned char *t = sqlite3_column_text(q, 0);
            if (t)
                ev_add(&m, t, (size_t)sqlite3_column_bytes(q, 0));
        }
    }
    sqlite3_finalize(q);
    q = NULL;
    n = snprintf(sql, sizeof sql, CTES, lw, rw);
    snprintf(sql + n, sizeof sql - (size_t)n, "SELECT survey_id FROM L");
    if (rc == SQLITE_DONE && (rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL)) == SQLITE_OK) {
        cs_filter_bind(q, f, 0);
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            const unsigned char *t = sqlite3_column_text(q, 0);
            size_t len = (size_t)sqlite3_column_bytes(q, 0);
            struct ev_group *g = t && m.n ? ev_find(&m, t, len, id_hash(t, len)) : NULL;
            if (g)
                g->in_l = true;
        }
    }
    sqlite3_finalize(q);
    q = NULL;
    if (rc == SQLITE_DONE)
        rc = sqlite3_exec(db,
                          "DROP TABLE IF EXISTS temp.cs_orph;"
                          " CREATE TEMP TABLE cs_orph(survey_id TEXT PRIMARY KEY) WITHOUT ROWID",
                          NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "INSERT INTO temp.cs_orph VALUES (?1)", -1, &q, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < m.cap; i++) {
        const struct ev_group *g = &m.v[i];
        if (!g->h || g->in_l)
            continue;
        sqlite3_reset(q);
        sqlite3_bind_text(q, 1, g->id, -1, SQLITE_STATIC);
        rc = sqlite3_step(q) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    sqlite3_finalize(q);
    ev_free(&m);
    if (rc != SQLITE_OK)
        return cs_fail(err, CS_E_DB, NULL, "orphan events: %s", sqlite3_errmsg(db));
    return CS_OK;
}

static cs_status join_query(struct cs_store *s, const struct cs_filter *f, enum cs_merge kind,
                            bool orph, cs_join_cb cb, void *ctx, struct cs_err *err);

cs_status
cs_join_rows(struct cs_store *s, const struct cs_filter *f, enum cs_merge kind,
             cs_join_cb cb, void *ctx, struct cs_err *err)
{
    if (kind != CS_MERGE_RIGHTANTI)
        return join_query(s, f, kind, false, cb, ctx, err);
    char lw[8192], rw[512];
    filters(f, lw, sizeof lw, rw, sizeof rw);
    cs_status rc = orphan_ids(s, f, lw, rw, err);
    if (rc == CS_OK)
        rc = join_query(s, f, kind, true, cb, ctx, err);
    sqlite3_exec(cs_store_db(s), "DROP TABLE IF EXISTS temp.cs_orph", NULL, NULL, NULL);
    return rc;
}

/* cs_join_rows; orph: rightanti over the ids of temp.cs_orph (orphan_ids) */
static cs_status
join_query(struct cs_store *s, const struct cs_filter *f, enum cs_merge kind, bool orph,
           cs_join_cb cb, void *ctx, struct cs_err *err)
{
    char lw[8192], rw[640], sql[16000];
    filters(f, lw, sizeof lw, rw, sizeof rw);
    if (orph) {
        size_t k = strlen(rw);
        snprintf(rw + k, sizeof rw - k, " AND e.survey_id IN temp.cs_orph");
    }
    cs_join_prepare(s, kind);
    /* L and R as the audit has them, with R over R1: one row per survey */
    char ctes[12000];
    snprintf(ctes, sizeof ctes,
             "WITH L AS NOT MATERIALIZED (SELECT d.rid, d.survey_id, d.time_us,"
             " r.name AS resource, d.call_id, d.participant_id, d.o_s, d.a_s, d.v_s, d.s_s"
             " FROM survey_data d LEFT JOIN resource_data r ON r.id = d.resource"
             " WHERE %s)" R_ONE ", R AS NOT MATERIALIZED (SELECT * FROM R1) ",
             lw, rw);
    int n = snprintf(sql, sizeof sql, "%s", ctes);
    const char *body = NULL;
    switch (kind) {
    case CS_MERGE_INNERUNIQUE:
    case CS_MERGE_INNER:
        body = "SELECT " LCOLS ", " RCOLS " FROM L JOIN R ON " ON ORDER_LR;
        break;
    case CS_MERGE_LEFTOUTER:
        body = "SELECT " LCOLS ", " RCOLS " FROM L LEFT JOIN R ON " ON ORDER_LR;
        break;
    case CS_MERGE_RIGHTOUTER:
        body = "SELECT " LCOLS ", " RCOLS " FROM R LEFT JOIN L ON " ON
               " ORDER BY l_t IS NULL, l_t, l_sid, r_t, r_id";
        break;
    case CS_MERGE_FULLOUTER:
        body = "SELECT * FROM (SELECT " LCOLS ", " RCOLS " FROM L LEFT JOIN R ON " ON
               " UNION ALL SELECT " LNULL ", " RCOLS " FROM R WHERE " NOT_IN_L
               ") ORDER BY l_t IS NULL, l_t, l_sid, r_t, r_id";
        break;
    case CS_MERGE_LEFTSEMI:
        body = "SELECT " LCOLS ", " RNULL " FROM L WHERE " IN_R " ORDER BY l_t, l_sid";
        break;
    case CS_MERGE_RIGHTSEMI:
        body = "SELECT " LNULL ", " RCOLS " FROM R WHERE " IN_L " ORDER BY r_t, r_id";
        break;
    case CS_MERGE_LEFTANTI:
        body = "SELECT " LCOLS ", " RNULL " FROM L WHERE NOT " IN_R " ORDER BY l_t, l_sid";
        break;
    case CS_MERGE_RIGHTANTI:
        body = orph ? "SELECT " LNULL ", " RCOLS " FROM R ORDER BY r_t, r_id"
                    : "SELECT " LNULL ", " RCOLS " FROM R WHERE " NOT_IN_L " ORDER BY r_t, r_id";
        break;
    default:
        return cs_fail(err, CS_E_USAGE, NULL, "unknown merge kind");
    }
    snprintf(sql + n, sizeof sql - (size_t)n, "%s", body);
    sqlite3_stmt *q;
    if (prep(s, sql, &q, err))
        return CS_E_DB;
    cs_filter_bind(q, f, 0); /* no ?99 in these queries */
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        struct cs_join_row r = {0};
        r.has_left = sqlite3_column_type(q, 0) != SQLITE_NULL;
        r.has_right = sqlite3_column_type(q, 9) != SQLITE_NULL;
        r.survey_id = (const char *)sqlite3_column_text(q, 0);
        r.time_us = sqlite3_column_int64(q, 1);
        r.resource = (const char *)sqlite3_column_text(q, 2);
        r.call_id = (const char *)sqlite3_column_text(q, 3);
        r.participant_id = (const char *)sqlite3_column_text(q, 4);
        for (int c = 0; c < 4; c++) {
            r.has_score[c] = sqlite3_column_type(q, 5 + c) != SQLITE_NULL;
            r.score[c] = sqlite3_column_double(q, 5 + c);
        }
        r.event_survey_id = (const char *)sqlite3_column_text(q, 9);
        r.has_event_time = sqlite3_column_type(q, 10) != SQLITE_NULL;
        r.event_time_us = sqlite3_column_int64(q, 10);
        r.props = (const char *)sqlite3_column_text(q, 11);
        r.measurements = (const char *)sqlite3_column_text(q, 12);
        if (cb(ctx, &r, err) != CS_OK) {
            sqlite3_finalize(q);
            return err ? err->code : CS_E_INTERNAL;
        }
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return cs_fail(err, CS_E_DB, NULL, "join query failed: %s",
                       sqlite3_errmsg(cs_store_db(s)));
    return CS_OK;
}
