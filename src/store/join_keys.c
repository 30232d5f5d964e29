/*
 * store/join_keys.c: the key passes of the merge (store/join_merge_int.h):
 * the events of the window grouped and hashed by survey id, and the
 * surveys of the filter each looked up in that hash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/keyhash.h"
#include "core/mem.h"
#include "store/filter_sql.h"
#include "store/join_merge_int.h"
#include "store/load_cube.h"

cs_status
jm_fail(struct jm *m, struct cs_err *err)
{
    return cs_fail(err, CS_E_DB, NULL, "%s: %s", m->what,
                   m->nomem ? "out of memory" : sqlite3_errmsg(m->db));
}

cs_status
jm_prep(struct jm *m, const char *sql, sqlite3_stmt **q, struct cs_err *err)
{
    if (sqlite3_prepare_v2(m->db, sql, -1, q, NULL) != SQLITE_OK)
        return jm_fail(m, err);
    cs_filter_bind(*q, m->f, 0); /* no ?99 in these queries */
    return CS_OK;
}

/* ---- the right side: groups of events by survey id ---------------------- */

static uint32_t
g_new(struct jm *m, const char *t, size_t len)
{
    if (m->ng == m->cg) {
        m->cg = m->cg ? m->cg * 2 : 1024;
        m->g = xreallocarray(m->g, m->cg, sizeof *m->g);
    }
    if (m->nar + len + 1 > m->car) {
        while (m->nar + len + 1 > m->car)
            m->car = m->car ? m->car * 2 : 65536;
        m->ar = xrealloc(m->ar, m->car);
    }
    memcpy(m->ar + m->nar, t, len);
    m->ar[m->nar + len] = 0;
    m->g[m->ng] = (struct grp){.h = cs_keyhash((const unsigned char *)t, len),
                               .off = m->nar,
                               .len = (uint32_t)len};
    m->nar += len + 1;
    return (uint32_t)m->ng++;
}

static void
g_index(struct jm *m)
{
    m->ctab = 16;
    while (m->ctab < m->ng * 2)
        m->ctab *= 2;
    m->tab = xcalloc_hot(m->ctab, sizeof *m->tab);
    for (size_t i = 0; i < m->ng; i++) {
        size_t j = m->g[i].h & (m->ctab - 1);
        while (m->tab[j])
            j = (j + 1) & (m->ctab - 1);
        m->tab[j] = (m->g[i].h & TAG) | (i + 1);
    }
}

/* The group of the len bytes at t, whose hash is h (NONE: none); t NULL:
 * the group whose id hashes to h, ids not compared (the load's aggregate
 * keeps no ids: two are taken as one when their 64-bit hashes are equal,
 * as the distinct counts of store/idset.h do: 1 in 2^64 a pair, and under
 * the run's secret key, core/keyhash.h, no pair can be made to collide). */
static uint32_t
g_find(const struct jm *m, const char *t, size_t len, uint64_t h)
{
    if (!m->ng)
        return NONE;
    for (size_t j = h & (m->ctab - 1);; j = (j + 1) & (m->ctab - 1)) {
        uint64_t v = m->tab[j];
        if (!v)
            return NONE;
        if ((v & TAG) != (h & TAG))
            continue; /* another id: its group is not read */
        uint32_t i = (uint32_t)(v & ~TAG) - 1;
        const struct grp *g = &m->g[i];
        if (g->h == h && (!t || (g->len == len && memcmp(m->ar + g->off, t, len) == 0)))
            return i;
    }
}

/* The events of the window in survey id order (the index alone), grouped:
 * equal ids are neighbours. */
cs_status
jm_r_load(struct jm *m, struct cs_err *err)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "SELECT e.survey_id, e.id, e.time_us FROM custom_events e WHERE %s"
             " ORDER BY e.survey_id",
             m->rw);
    sqlite3_stmt *q;
    if (jm_prep(m, sql, &q, err))
        return CS_E_DB;
    int rc;
    uint32_t cur = NONE;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(q, 0);
        size_t len = (size_t)sqlite3_column_bytes(q, 0);
        m->n_ev++;
        if (!t) { /* a NOT NULL column: SQLite ran out of memory converting it */
            rc = SQLITE_NOMEM;
            m->nomem = true;
            break;
        }
        if (cur == NONE || m->g[cur].len != len || memcmp(m->ar + m->g[cur].off, t, len) != 0)
            cur = g_new(m, t, len);
        struct grp *g = &m->g[cur];
        int64_t id = sqlite3_column_int64(q, 1);
        if (!g->n || id < g->id)
            g->id = id;
        g->n++;
        if (sqlite3_column_type(q, 2) != SQLITE_NULL) {
            int64_t et = sqlite3_column_int64(q, 2);
            if (!g->has_t || et > g->t)
                g->t = et;
            g->has_t = true;
        }
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return jm_fail(m, err);
    g_index(m);
    return CS_OK;
}

/* ---- the left side: keys of the surveys ---------------------------------- */


static void
k_push(struct jm *m, int64_t rid, uint32_t g)
{
    if (m->nk == m->ck) {
        m->ck = m->ck ? m->ck * 2 : 4096;
        m->k = xreallocarray(m->k, m->ck, sizeof *m->k);
    }
    m->k[m->nk++] = (struct cs_join_lkey){rid, g};
}

/* (t, id) before (pt, pid) in the ORDER BY's terms (BINARY collation) */
static bool
key_before(int64_t t, const char *id, size_t len, int64_t pt, const char *pid, size_t plen)
{
    if (t != pt)
        return t < pt;
    int c = memcmp(id, pid, len < plen ? len : plen);
    return c ? c < 0 : len < plen;
}

/* A survey read but not yet looked up: the lookup waits LAG rows, so that
 * what it reads has been asked into the cache in three steps (1M surveys:
 * the lookups, cache misses, took 0.3 s of the 0.45 s pass; with the hash
 * slot alone prefetched, the group and its id in the arena still missed,
 * 0.15 s): the slot when the row is read, the group its tag points at a
 * third of the way, the group's id two thirds of the way.  The hints only
 * prefetch: g_find decides. */
#define LAG 12
struct pend {
    int64_t rid, t;
    uint64_t h;
    uint32_t len;
    uint32_t gi; /* the group the slot's tag points at (a hint), NONE */
    char id[60];
};

/* Step k (1 or 2) of the prefetches of p (see struct pend). */
static void
ahead(const struct jm *m, struct pend *p, int k)
{
    if (k == 1) {
        p->gi = NONE;
        for (size_t j = p->h & (m->ctab - 1);; j = (j + 1) & (m->ctab - 1)) {
            uint64_t v = m->tab[j];
            if (!v)
                return;
            if ((v & TAG) == (p->h & TAG)) {
                p->gi = (uint32_t)(v & ~TAG) - 1;
                __builtin_prefetch(&m->g[p->gi]);
                return;
            }
        }
    }
    if (p->gi != NONE)
        __builtin_prefetch(m->ar + m->g[p->gi].off);
}

/* Survey p of L, whose id is group g's (NONE: no event's): marked,
 * memoed, counted or kept as w asks. */
static void
l_found(struct jm *m, bool by_time, enum want w, const struct pend *p, uint32_t g)
{
    if (!by_time && g != NONE) {
        m->g[g].in_l = true;
        if (m->mk) {
            if (m->nmk == m->cmk) {
                m->cmk *= 2;
                m->mk = xreallocarray(m->mk, m->cmk, sizeof *m->mk);
            }
            m->mk[m->nmk++] = (struct cs_join_lkey){p->rid, g};
        }
    }
    if (w == W_AUDIT) {
        m->au->surveys++;
        if (g == NONE)
            return;
        m->au->matched_surveys++;
        m->au->matched_events += m->g[g].n;
        if (!m->g[g].has_t)
            return;
        if (m->n_skew == m->c_skew) {
            m->c_skew = m->c_skew ? m->c_skew * 2 : 1024;
            m->skew = xreallocarray(m->skew, m->c_skew, sizeof *m->skew);
        }
        m->skew[m->n_skew++] = (double)(m->g[g].t - p->t) / 1e6;
        return;
    }
    if (w == W_ALL || (w != W_NONE && (w == W_MATCHED) == (g != NONE)))
        k_push(m, p->rid, g);
}

static void
l_match(struct jm *m, bool by_time, enum want w, const struct pend *p, const char *id)
{
    l_found(m, by_time, w, p, id ? g_find(m, id, p->len, p->h) : NONE);
}

/* The surveys of L: by rowid (first pass: marks the groups L answers and
 * notes whether rowid order is (time, id) order) or by (time, id) (the
 * second pass, when it is not).  Keeps the keys of the surveys w asks for,
 * in the pass's order. */
cs_status
jm_l_keys(struct jm *m, bool by_time, enum want w, struct cs_err *err)
{
    char sql[9000];
    snprintf(sql, sizeof sql,
             "SELECT d.rid, d.time_us, d.survey_id FROM survey_data d WHERE %s ORDER BY %s",
             m->lw, by_time ? "d.time_us, d.survey_id" : "d.rid");
    sqlite3_stmt *q;
    if (jm_prep(m, sql, &q, err))
        return CS_E_DB;
    char *prev = NULL;
    size_t plen = 0, pcap = 0, head = 0, n = 0;
    int64_t pt = 0;
    struct pend ring[LAG];
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t t = sqlite3_column_int64(q, 1);
        const char *id = (const char *)sqlite3_column_text(q, 2);
        size_t len = (size_t)sqlite3_column_bytes(q, 2);
        if (!id) { /* a NOT NULL column: SQLite ran out of memory converting it */
            rc = SQLITE_NOMEM;
            m->nomem = true;
            break;
        }
        if (!by_time && (m->nl++, !m->unsorted)) {
            if (m->nl > 1 && key_before(t, id ? id : "", len, pt, prev, plen))
                m->unsorted = true;
            if (len + 1 > pcap)
                prev = xrealloc(prev, pcap = len + 64);
            memcpy(prev, id ? id : "", len);
            plen = len;
            pt = t;
        }
        struct pend p = {.rid = sqlite3_column_int64(q, 0), .t = t, .len = (uint32_t)len};
        if (!id || !m->ng || len > sizeof p.id) { /* at once, after those waiting */
            for (; n; n--, head = (head + 1) % LAG)
                l_match(m, by_time, w, &ring[head], ring[head].id);
            p.h = id && m->ng ? cs_keyhash((const unsigned char *)id, len) : 0;
            l_match(m, by_time, w, &p, id);
            continue;
        }
        if (n == LAG) {
            l_match(m, by_time, w, &ring[head], ring[head].id);
            head = (head + 1) % LAG;
            n--;
        }
        p.h = cs_keyhash((const unsigned char *)id, len);
        p.gi = NONE;
        __builtin_prefetch(&m->tab[p.h & (m->ctab - 1)]);
        memcpy(p.id, id, len);
        ring[(head + n++) % LAG] = p;
        /* the rows a third and two thirds of the way to their lookup */
        if (n > LAG / 3)
            ahead(m, &ring[(head + n - 1 - LAG / 3) % LAG], 1);
        if (n > 2 * LAG / 3)
            ahead(m, &ring[(head + n - 1 - 2 * LAG / 3) % LAG], 2);
    }
    for (; n; n--, head = (head + 1) % LAG)
        l_match(m, by_time, w, &ring[head], ring[head].id);
    xfree(prev);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? CS_OK : jm_fail(m, err);
}

/* ---- the left side from the load's aggregate ----------------------------- */

/* p's group: none when its prefetch found no slot of its tag (gi NONE),
 * else looked up (gi, a hint, may be another id's). */
#define MAYBE (NONE - 1) /* no prefetch has looked yet */
static uint32_t
g_of(const struct jm *m, const struct pend *p)
{
    return p->gi == NONE ? NONE : g_find(m, NULL, 0, p->h);
}

cs_status
jm_l_keys_mem(struct jm *m, const struct cs_load_cube *lc, enum want w, struct cs_err *err)
{
    int64_t *ids = NULL;
    size_t n_ids = 0;
    if (cs_filter_resource_id_list(m->db, m->f, &ids, &n_ids) != SQLITE_OK)
        return jm_fail(m, err);
    const struct cs_filter *f = m->f;
    bool has_res = f && f->n_resources;
    int64_t since = f && f->has_since ? f->since_us : INT64_MIN;
    int64_t until = f && f->has_until ? f->until_us : INT64_MAX;
    size_t n_heads;
    const struct lc_head *h = cs_load_cube_heads(lc, &n_heads);
    const int32_t *res = cs_load_cube_resources(lc);
    struct pend ring[LAG];
    size_t head = 0, n = 0;
    int64_t pt = 0;
    for (size_t i = 0; i < n_heads; i++) {
        int64_t t = h[i].time_us;
        if (t == INT64_MIN || t < since || t >= until || (has_res && !cs_ids_has(ids, n_ids, res[i])))
            continue;
        /* rowid order is (time, id) order while times rise; a tie would
         * need the ids, which are not here: taken as out of order (the
         * merge then reads the keys by (time, id) from SQLite) */
        if (m->nl++ > 0 && t <= pt)
            m->unsorted = true;
        pt = t;
        if (n == LAG) {
            l_found(m, false, w, &ring[head], g_of(m, &ring[head]));
            head = (head + 1) % LAG;
            n--;
        }
        /* the hash slot asked into the cache now, the group its tag points
         * at half way to the lookup (struct pend) */
        struct pend p = {.rid = (int64_t)i + 1, .t = t, .h = h[i].sid_h, .gi = MAYBE};
        if (m->ng)
            __builtin_prefetch(&m->tab[p.h & (m->ctab - 1)]);
        ring[(head + n++) % LAG] = p;
        if (n > LAG / 2)
            ahead(m, &ring[(head + n - 1 - LAG / 2) % LAG], 1);
    }
    for (; n; n--, head = (head + 1) % LAG)
        l_found(m, false, w, &ring[head], g_of(m, &ring[head]));
    xfree(ids);
    return CS_OK;
}
