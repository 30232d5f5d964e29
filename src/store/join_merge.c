/*
 * store/join_merge.c: the merge kinds of store/join.h in C (see
 * join_merge.h).
 *
 * The order is the SQL one the kinds had (ORDER BY l_t, l_sid, r_t, r_id;
 * right-only rows by r_t, NULL first, then r_id): rows with a survey in
 * survey (time, id) order, then the right-only rows.  Survey ids are
 * unique on the left, so (time, id) orders the surveys fully; a repeated
 * id would keep its rows in rowid order.  At 1M surveys and 335k events
 * the SQL form sorted every joined row with its answers (leftouter 5.0 s,
 * 413 MB; fullouter 10.2 s).
 */
#include "store/join_merge.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "store/filter_sql.h"
#include "store/join_answers.h"
#include "store/join_left.h"
#include "store/join_merge_int.h"
#include "store/load_cube.h"
#include "store/store_int.h"

/* ---- the rows ------------------------------------------------------------- */


/* resource_data's ids (ascending) and names into m->res_id, m->res_name;
 * false on error */
static bool
res_load(struct jm *m)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(m->db, "SELECT id, name FROM resource_data ORDER BY id", -1, &q,
                           NULL) != SQLITE_OK)
        return false;
    int rc;
    size_t cap = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (m->n_res == cap) {
            cap = cap ? 2 * cap : 8;
            m->res_id = xreallocarray(m->res_id, cap, sizeof *m->res_id);
            m->res_name = xreallocarray(m->res_name, cap, sizeof *m->res_name);
        }
        const char *name = (const char *)sqlite3_column_text(q, 1);
        m->res_id[m->n_res] = sqlite3_column_int64(q, 0);
        m->res_name[m->n_res++] = name ? xstrdup(name) : NULL;
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE;
}

/* The name of resource id (NULL when unknown, as the LEFT JOIN gave it) */
static const char *
res_name(const struct jm *m, int64_t id)
{
    size_t k = cs_ids_find(m->res_id, m->n_res, id);
    return k < m->n_res ? m->res_name[k] : NULL;
}

/* The name of the resource in column i of q (NULL when NULL or unknown) */
static const char *
res_of(const struct jm *m, sqlite3_stmt *q, int i)
{
    if (sqlite3_column_type(q, i) == SQLITE_NULL)
        return NULL;
    return res_name(m, sqlite3_column_int64(q, i));
}

/* Survey rid's row into *q: from the ordered scan when the keys follow
 * rowid order (the scan steps over the surveys not listed), else read by
 * rowid. */
static cs_status
l_fetch(struct jm *m, bool seq, int64_t rid, sqlite3_stmt **q, struct cs_err *err)
{
    if (seq && !m->seq_done) {
        while (m->seq_rid < rid) {
            int rc = sqlite3_step(m->lseq);
            if (rc == SQLITE_DONE) {
                m->seq_done = true;
                break;
            }
            if (rc != SQLITE_ROW)
                return jm_fail(m, err);
            m->seq_rid = sqlite3_column_int64(m->lseq, 0);
        }
        if (m->seq_rid == rid) {
            *q = m->lseq;
            return CS_OK;
        }
    }
    sqlite3_reset(m->lrow);
    sqlite3_bind_int64(m->lrow, 1, rid);
    int rc = sqlite3_step(m->lrow);
    if (rc == SQLITE_DONE) /* cannot happen in one snapshot */
        return cs_fail(err, CS_E_DB, NULL, "join query failed: survey %lld is gone",
                       (long long)rid);
    if (rc != SQLITE_ROW)
        return jm_fail(m, err);
    *q = m->lrow;
    return CS_OK;
}

/* A survey's columns as the reader read them (store/join_left.h) */
static void
l_fill_read(const struct jm *m, struct cs_join_row *r, const struct cs_join_left_row *x)
{
    r->has_left = x->survey_id != NULL;
    r->survey_id = x->survey_id;
    r->time_us = x->time_us;
    r->resource = x->has_resource ? res_name(m, x->resource) : NULL;
    r->call_id = x->call_id;
    r->participant_id = x->participant_id;
    memcpy(r->has_score, x->has_score, sizeof r->has_score);
    memcpy(r->score, x->score, sizeof r->score);
}

static void
l_fill(const struct jm *m, struct cs_join_row *r, sqlite3_stmt *q)
{
    r->has_left = sqlite3_column_type(q, 1) != SQLITE_NULL;
    r->survey_id = (const char *)sqlite3_column_text(q, 1);
    r->time_us = sqlite3_column_int64(q, 2);
    r->resource = res_of(m, q, 3);
    r->call_id = (const char *)sqlite3_column_text(q, 4);
    r->participant_id = (const char *)sqlite3_column_text(q, 5);
    for (int c = 0; c < 4; c++) {
        r->has_score[c] = sqlite3_column_type(q, 6 + c) != SQLITE_NULL;
        r->score[c] = sqlite3_column_double(q, 6 + c);
    }
}

/* The scan's next row into the ring: 1, 0 at its end, -1 on error. */
static int
ev_step(struct jm *m)
{
    struct ev_ring *e = &m->ev;
    int rc = sqlite3_step(e->q);
    if (rc == SQLITE_DONE) {
        e->end = true;
        return 0;
    }
    if (rc != SQLITE_ROW)
        return -1;
    struct ev_slot *sl = &e->slot[e->head];
    e->head = (e->head + 1) % EV_RING;
    if (e->n < EV_RING)
        e->n++;
    sl->id = e->last = sqlite3_column_int64(e->q, 0);
    const char *p = (const char *)sqlite3_column_text(e->q, 1);
    size_t lp = (size_t)sqlite3_column_bytes(e->q, 1);
    const char *ms = (const char *)sqlite3_column_text(e->q, 2);
    size_t lm = (size_t)sqlite3_column_bytes(e->q, 2);
    sl->has_p = p != NULL;
    sl->has_m = ms != NULL;
    if (!p && sqlite3_errcode(m->db) == SQLITE_NOMEM)
        return -1;
    sl->t.n = 0;
    cs_buf_add(&sl->t, p ? p : "", lp);
    cs_buf_add(&sl->t, "", 1);
    sl->meas = sl->t.n;
    cs_buf_add(&sl->t, ms ? ms : "", lm);
    return 1;
}

/* The scan from event id on (the ring emptied); false when reading failed. */
static bool
ev_seek(struct jm *m, int64_t id)
{
    struct ev_ring *e = &m->ev;
    sqlite3_reset(e->q);
    sqlite3_bind_int64(e->q, 1, id);
    e->n = 0;
    e->started = true;
    e->end = false;
    e->misses = 0;
    return ev_step(m) >= 0;
}

/* Event id's slot in the ring, reading on when it is a few rows ahead;
 * NULL when it is not there (read it by id).  An event far ahead or
 * behind is an outlier (a late answer) until EV_MISSES in a row are:
 * then the scan seeks to it.  *failed set when reading failed. */
static const struct ev_slot *
ev_find(struct jm *m, int64_t id, bool *failed)
{
    struct ev_ring *e = &m->ev;
    *failed = false;
    if (!e->slot)
        e->slot = xcalloc(EV_RING, sizeof *e->slot);
    if (!e->started && !ev_seek(m, id))
        goto fail;
    for (int pass = 0; pass < 2; pass++) {
        while (!e->end && e->last < id && id - e->last <= EV_SKIP)
            if (ev_step(m) < 0)
                goto fail;
        /* newest first: ids ascend in the ring */
        for (size_t i = 0; i < e->n; i++) {
            const struct ev_slot *sl = &e->slot[(e->head + EV_RING - 1 - i) % EV_RING];
            if (sl->id == id) {
                e->misses = 0;
                return sl;
            }
            if (sl->id < id)
                break;
        }
        if (pass || ++e->misses < EV_MISSES)
            return NULL;
        if (!ev_seek(m, id))
            goto fail;
    }
    return NULL;
fail:
    *failed = true;
    return NULL;
}

/* Group g's answers props and measurements meas into r. */
static cs_status
r_set(const struct jm *m, const struct grp *g, struct cs_join_row *r, const char *props,
      const char *meas)
{
    r->has_right = true;
    r->event_survey_id = m->ar + g->off;
    r->has_event_time = g->has_t;
    r->event_time_us = g->has_t ? g->t : 0;
    r->props = props;
    r->measurements = meas;
    return CS_OK;
}

/* Group gi's answers into r: one event's as stored (from the ring, or by
 * id), several merged in C (store/join_answers.h) or, when not plain, by
 * R1_SQL (that group alone). */
static cs_status
r_fill(struct jm *m, uint32_t gi, struct cs_join_row *r, struct cs_err *err)
{
    const struct grp *g = &m->g[gi];
    if (g->n == 1 && m->ev.q && !m->by_id) {
        bool failed;
        const struct ev_slot *sl = ev_find(m, g->id, &failed);
        if (failed)
            return jm_fail(m, err);
        if (sl)
            return r_set(m, g, r, sl->has_p ? sl->t.s : NULL, sl->has_m ? sl->t.s + sl->meas : NULL);
    }
    if (g->n > 1) { /* several answers: merged in C when plain */
        const char *p, *ms;
        int mr = cs_join_answers_merge(&m->ja, m->group, m->ar + g->off, g->len, &p, &ms);
        if (mr)
            return mr < 0 ? jm_fail(m, err) : r_set(m, g, r, p, ms);
    }
    sqlite3_stmt *q = g->n == 1 ? m->one : m->multi;
    sqlite3_reset(q);
    if (g->n == 1)
        sqlite3_bind_int64(q, 1, g->id);
    else
        sqlite3_bind_text(q, 1, m->ar + g->off, (int)g->len, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_ROW)
        return jm_fail(m, err);
    return r_set(m, g, r, (const char *)sqlite3_column_text(q, 0),
                 (const char *)sqlite3_column_text(q, 1));
}

static cs_status
emit(struct jm *m, const struct cs_join_row *r, struct cs_err *err)
{
    if (m->cb(m->ctx, r, err) != CS_OK)
        return err ? err->code : CS_E_INTERNAL;
    return CS_OK;
}

/* Listed survey i (its columns in r) with its group's answers when
 * with_r, emitted. */
static cs_status
emit_one(struct jm *m, size_t i, struct cs_join_row *r, bool with_r, struct cs_err *err)
{
    /* the group a few rows on, whose first touch is a cache miss (16 MB
     * of groups at 1M surveys, met in survey order, not id order) */
    if (i + G_AHEAD < m->nk && m->k[i + G_AHEAD].g != NONE) {
        const struct grp *ga = &m->g[m->k[i + G_AHEAD].g];
        __builtin_prefetch(ga);
        if (i + 2 * G_AHEAD < m->nk && m->k[i + 2 * G_AHEAD].g != NONE)
            __builtin_prefetch(&m->g[m->k[i + 2 * G_AHEAD].g]);
        __builtin_prefetch(m->ar + ga->off);
    }
    uint32_t g = m->k[i].g;
    /* a survey found by its id's hash alone (the load's aggregate,
     * jm_l_keys_mem) is given its group's answers only with the same id */
    if (g != NONE && r->survey_id &&
        (strlen(r->survey_id) != m->g[g].len || memcmp(r->survey_id, m->ar + m->g[g].off, m->g[g].len) != 0))
        return cs_fail(err, CS_E_DB, NULL,
                       "%s: survey '%s' and the events of '%s' share their id's 64-bit hash;"
                       " run again with --db FILE, whose join compares the ids themselves",
                       m->what, r->survey_id, m->ar + m->g[g].off);
    cs_status rc = CS_OK;
    if (with_r && g != NONE)
        rc = r_fill(m, g, r, err);
    if (rc == CS_OK)
        rc = emit(m, r, err);
    return rc;
}

/* The listed surveys, each with its group's answers when with_r. */
static cs_status
emit_l(struct cs_store *s, struct jm *m, bool with_r, struct cs_err *err)
{
    /* one ordered scan when at least half of L is listed in rowid order;
     * below that reading by rowid costs less than stepping over the rest
     * (1M surveys, inner's 316k listed: 0.5 s by rowid, 0.9 s scanned) */
    bool seq = !m->unsorted && m->nk * 2 >= m->nl;
    /* many surveys: read by a thread of their own, on a second
     * connection, while this one reads the answers and emits */
    struct cs_join_left *jl =
        m->nk >= cs_join_left_min ? cs_join_left_start(s, m->f, m->lw, m->k, m->nk, seq) : NULL;
    cs_status rc = CS_OK;
    for (size_t i = 0; rc == CS_OK && i < m->nk; i++) {
        struct cs_join_row r = {0};
        if (jl) {
            struct cs_join_left_row x;
            rc = cs_join_left_next(jl, &x, err);
            if (rc == CS_OK)
                l_fill_read(m, &r, &x);
        } else {
            sqlite3_stmt *q = NULL;
            rc = l_fetch(m, seq, m->k[i].rid, &q, err);
            if (rc == CS_OK)
                l_fill(m, &r, q);
        }
        if (rc == CS_OK)
            rc = emit_one(m, i, &r, with_r, err);
    }
    cs_join_left_stop(jl);
    return rc;
}

/* A right-only row's sort key: r_t (NULL first), r_id, then its group. */
struct rkey {
    int64_t t, id;
    uint32_t g;
    bool has_t;
};

static int
cmp_rkey(const void *a, const void *b)
{
    const struct rkey *x = a, *y = b;
    if (x->has_t != y->has_t)
        return x->has_t ? 1 : -1;
    if (x->has_t && x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* The groups some survey of L answers (in_l) or none does, as right-only
 * rows in (time, id) order. */
static cs_status
emit_r(struct jm *m, bool in_l, struct cs_err *err)
{
    size_t n = 0;
    struct rkey *v = xmalloc((m->ng ? m->ng : 1) * sizeof *v);
    for (size_t i = 0; i < m->ng; i++)
        if (m->g[i].in_l == in_l)
            v[n++] = (struct rkey){m->g[i].t, m->g[i].id, (uint32_t)i, m->g[i].has_t};
    qsort(v, n, sizeof *v, cmp_rkey);
    /* a few of the events (the orphans of Data Quality: 9.6k of 335k at
     * 1M surveys, a few dozen apart): read by id, where the ring would
     * step over all the events between them */
    m->by_id = n * RING_DENSE < m->n_ev;
    cs_status rc = CS_OK;
    for (size_t i = 0; rc == CS_OK && i < n; i++) {
        struct cs_join_row r = {0};
        rc = r_fill(m, v[i].g, &r, err);
        if (rc == CS_OK)
            rc = emit(m, &r, err);
    }
    xfree(v);
    return rc;
}

/* ---- the memo: one merge's key passes kept for the next ------------------ */

/* What the key passes found for a window: its events' groups (with in_l),
 * the answered surveys of L in rowid order, the size and order of L.  The
 * report's merges (the join audit, the Custom sheet's inner join, Data
 * Quality's orphan events) read the same window in one snapshot: at 1M
 * surveys each pass over survey_data and custom_events took 0.5-0.8 s. */
struct cs_join_memo {
    struct store_stamp st; /* the window (cs_join_window_key) and when kept */
    struct grp *g;         /* owned, as in struct jm */
    size_t ng;
    char *ar;
    uint64_t *tab;
    size_t ctab;
    uint64_t n_ev;
    struct cs_join_lkey *k; /* owned */
    size_t nk;
    uint64_t nl;
    bool unsorted;
};

static void
memo_free(void *p)
{
    struct cs_join_memo *mo = p;
    if (!mo)
        return;
    xfree(mo->st.key);
    xfree(mo->g);
    xfree(mo->ar);
    xfree(mo->tab);
    xfree(mo->k);
    xfree(mo);
}

char *
cs_join_window_key(const struct cs_filter *f, const char *lw, const char *rw)
{
    struct cs_filter none = {0};
    if (!f)
        f = &none;
    size_t n = strlen(lw) + strlen(rw) + 96;
    for (size_t i = 0; i < f->n_resources; i++)
        n += strlen(f->resources[i]) + 1;
    char *k = xmalloc(n);
    size_t o = (size_t)snprintf(k, n, "%d %lld %d %lld|", f->has_since, (long long)f->since_us,
                                f->has_until, (long long)f->until_us);
    for (size_t i = 0; i < f->n_resources; i++)
        o += (size_t)snprintf(k + o, n - o, "%s\x1f", f->resources[i]);
    snprintf(k + o, n - o, "|%s|%s", lw, rw);
    return k;
}

/* The store's memo when it is this window's and nothing changed since. */
static struct cs_join_memo *
memo_get(struct cs_store *s, const struct jm *m)
{
    struct cs_join_memo *mo = cs_store_memo(s, STORE_MEMO_JOIN);
    if (!mo)
        return NULL;
    char *key = cs_join_window_key(m->f, m->lw, m->rw);
    bool same = store_stamp_same(s, &mo->st, key);
    xfree(key);
    return same ? mo : NULL;
}

/* m's groups from the memo (borrowed until the merge ends). */
static void
memo_use(struct jm *m, const struct cs_join_memo *mo)
{
    m->g = mo->g;
    m->ng = mo->ng;
    m->ar = mo->ar;
    m->tab = mo->tab;
    m->ctab = mo->ctab;
    m->n_ev = mo->n_ev;
    m->nl = mo->nl;
    m->unsorted = mo->unsorted;
    m->borrowed = true;
}

/* After a complete rowid pass that recorded m->mk: the passes become the
 * store's memo, m borrowing its groups until it ends (a merge's callback
 * runs no other merge on the store, which could replace the memo). */
static void
memo_keep(struct cs_store *s, struct jm *m)
{
    struct cs_join_memo *mo = xcalloc(1, sizeof *mo);
    store_stamp_set(s, &mo->st, cs_join_window_key(m->f, m->lw, m->rw));
    mo->g = m->g;
    mo->ng = m->ng;
    mo->ar = m->ar;
    mo->tab = m->tab;
    mo->ctab = m->ctab;
    mo->n_ev = m->n_ev;
    mo->k = m->mk;
    mo->nk = m->nmk;
    mo->nl = m->nl;
    mo->unsorted = m->unsorted;
    cs_store_set_memo(s, STORE_MEMO_JOIN, mo, memo_free);
    m->mk = NULL;
    m->borrowed = true;
}

static void
jm_free(struct jm *m)
{
    if (!m->borrowed) {
        xfree(m->g);
        xfree(m->ar);
        xfree(m->tab);
    }
    xfree(m->mk);
    xfree(m->k);
    sqlite3_finalize(m->ev.q);
    for (size_t i = 0; m->ev.slot && i < EV_RING; i++)
        cs_buf_free(&m->ev.slot[i].t);
    xfree(m->ev.slot);
    for (size_t i = 0; i < m->n_res; i++)
        xfree(m->res_name[i]);
    xfree(m->res_id);
    xfree(m->res_name);
}

/* The rowid pass of the surveys: from the load's aggregate when the store
 * keeps or borrows one (store/load_cube.h), else from survey_data. */
static cs_status
l_rowid_pass(const struct cs_store *s, struct jm *m, enum want w, struct cs_err *err)
{
    if (s->lc && cs_load_cube_exact(s->lc))
        return jm_l_keys_mem(m, s->lc, w, err);
    return jm_l_keys(m, false, w, err);
}

/* ---- the kinds ------------------------------------------------------------ */

/* A survey answered in several events: per key the latest event's answer
 * (ties: the later stored), as the survey_custom view gives them; this
 * group's alone (?1), the window's events only.  The text is the SQL form's
 * R1, byte for byte. */
#define LATEST(col)                                                                    \
    "(SELECT CASE WHEN count(*) > 0 THEN json_group_object(key, json(jtext)) END FROM" \
    " (SELECT p.key, CASE p.type WHEN 'text' THEN json_quote(p.value)"                 \
    " WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' WHEN 'null' THEN 'null'"       \
    " ELSE p.value END AS jtext, row_number() OVER (PARTITION BY p.key"                \
    " ORDER BY x.time_us DESC, x.id DESC) AS rn FROM E x, json_each(x." col ") p"      \
    " WHERE x.survey_id = g.survey_id AND x." col " IS NOT NULL ORDER BY p.key)"       \
    " WHERE rn = 1)"
#define R1_SQL                                                                  \
    "WITH E AS NOT MATERIALIZED (SELECT e.id, e.survey_id, e.time_us, e.props," \
    " e.measurements FROM custom_events e WHERE %s AND e.survey_id = ?1)"       \
    " SELECT coalesce(" LATEST("props") ", '{}'), " LATEST("measurements") " FROM (SELECT ?1 AS survey_id) g"

static cs_status
prepare_rows(struct jm *m, enum want w, bool answers, struct cs_err *err)
{
    char sql[12000];
    if (w != W_NONE) {
        /* the surveys' columns; the resource's name from m->res (a lookup
         * of resource_data per row was a fifth of the reads by rowid) */
        snprintf(sql, sizeof sql, CS_JOIN_LSEL "%s ORDER BY d.rid", m->lw);
        if (jm_prep(m, sql, &m->lseq, err) || jm_prep(m, CS_JOIN_LSEL "d.rid = ?1", &m->lrow, err))
            return CS_E_DB;
        if (!res_load(m))
            return jm_fail(m, err);
        m->seq_rid = INT64_MIN;
    }
    if (!answers)
        return CS_OK;
    snprintf(sql, sizeof sql, R1_SQL, m->rw);
    if (jm_prep(m, "SELECT props, measurements FROM custom_events WHERE id = ?1", &m->one, err) ||
        jm_prep(m, "SELECT id, props, measurements FROM custom_events WHERE id >= ?1 ORDER BY id",
                &m->ev.q, err) ||
        jm_prep(m, sql, &m->multi, err))
        return CS_E_DB;
    snprintf(sql, sizeof sql,
             "SELECT e.id, e.time_us, e.props, e.measurements FROM custom_events e"
             " WHERE %s AND e.survey_id = ?1",
             m->rw);
    if (jm_prep(m, sql, &m->group, err))
        return CS_E_DB;
    return CS_OK;
}

static cs_status
run(struct cs_store *s, struct jm *m, enum cs_merge kind, struct cs_err *err)
{
    enum want w = W_MATCHED;
    bool with_r = true; /* the listed surveys carry their answers */
    int right = -1;     /* right-only rows after: 0 unanswered ids, 1 answered */
    switch (kind) {
    case CS_MERGE_INNERUNIQUE:
    case CS_MERGE_INNER: break;
    case CS_MERGE_LEFTOUTER: w = W_ALL; break;
    case CS_MERGE_RIGHTOUTER: right = 0; break;
    case CS_MERGE_FULLOUTER: w = W_ALL, right = 0; break;
    case CS_MERGE_LEFTSEMI: with_r = false; break;
    case CS_MERGE_LEFTANTI: w = W_UNMATCHED, with_r = false; break;
    case CS_MERGE_RIGHTSEMI: w = W_NONE, right = 1; break;
    case CS_MERGE_RIGHTANTI: w = W_NONE, right = 0; break;
    default: return cs_fail(err, CS_E_USAGE, NULL, "unknown merge kind");
    }
    /* the key passes: the memo's when the store has this window's */
    const struct cs_join_memo *mo = memo_get(s, m);
    cs_status rc = CS_OK;
    if (mo) {
        memo_use(m, mo);
        if (w == W_MATCHED) {
            m->k = xreallocarray(NULL, mo->nk ? mo->nk : 1, sizeof *m->k);
            memcpy(m->k, mo->k, mo->nk * sizeof *m->k);
            m->nk = m->ck = mo->nk;
        } else if (w != W_NONE) /* the unanswered surveys too: a pass */
            rc = l_rowid_pass(s, m, w, err);
    } else {
        m->cmk = 4096;
        m->mk = xmalloc(m->cmk * sizeof *m->mk);
        rc = jm_r_load(m, err);
        if (rc == CS_OK)
            rc = l_rowid_pass(s, m, w, err);
        if (rc == CS_OK)
            memo_keep(s, m);
    }
    if (rc == CS_OK && m->unsorted && w != W_NONE) {
        m->nk = 0;
        rc = jm_l_keys(m, true, w, err);
    }
    if (rc == CS_OK)
        rc = prepare_rows(m, w, (with_r && w != W_UNMATCHED) || right >= 0, err);
    if (rc == CS_OK && w != W_NONE)
        rc = emit_l(s, m, with_r, err);
    if (rc == CS_OK && right >= 0)
        rc = emit_r(m, right == 1, err);
    return rc;
}

cs_status
cs_join_merge(struct cs_store *s, const struct cs_filter *f, enum cs_merge kind,
              const char *lw, const char *rw, cs_join_cb cb, void *ctx, struct cs_err *err)
{
    struct jm m = {.db = cs_store_db(s), .f = f, .lw = lw, .rw = rw, .cb = cb, .ctx = ctx, .what = "join query failed"};
    /* the passes read one snapshot: a transaction of their own when the
     * caller (a report's read snapshot) has none */
    bool own = sqlite3_get_autocommit(m.db);
    if (own && sqlite3_exec(m.db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return jm_fail(&m, err);
    cs_status rc = run(s, &m, kind, err);
    sqlite3_finalize(m.lseq);
    sqlite3_finalize(m.lrow);
    sqlite3_finalize(m.one);
    sqlite3_finalize(m.multi);
    sqlite3_finalize(m.group);
    cs_join_answers_free(&m.ja);
    sqlite3_finalize(m.ev.q);
    m.ev.q = NULL;
    if (own && sqlite3_exec(m.db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        if (rc == CS_OK)
            rc = jm_fail(&m, err);
        sqlite3_exec(m.db, "ROLLBACK", NULL, NULL, NULL);
    }
    jm_free(&m);
    return rc;
}

cs_status
cs_join_merge_audit(struct cs_store *s, const struct cs_filter *f, const char *lw,
                    const char *rw, struct cs_join_audit *a, double **skew, size_t *n_skew,
                    struct cs_err *err)
{
    struct jm m = {.db = cs_store_db(s), .f = f, .lw = lw, .rw = rw, .what = "join audit", .au = a};
    /* the passes are kept for the report's merges of the same window */
    m.cmk = 4096;
    m.mk = xmalloc(m.cmk * sizeof *m.mk);
    cs_status rc = jm_r_load(&m, err);
    if (rc == CS_OK)
        rc = l_rowid_pass(s, &m, W_AUDIT, err);
    a->events = m.n_ev;
    a->duplicate_events = m.n_ev - m.ng;
    if (rc == CS_OK)
        memo_keep(s, &m);
    jm_free(&m);
    *skew = m.skew;
    *n_skew = m.n_skew;
    return rc;
}
