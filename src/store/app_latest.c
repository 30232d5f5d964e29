/*
 * store/app_latest.c: see app_latest.h.
 */
#include "store/app_latest.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "store/keymap.h"

/* The best events so far of one survey id, per column k: value number
 * val[k] - 1 in vals (0: none yet), and that event's time (has_t bit k).
 * The events are read in id order, so of two events at the same time (or
 * both without one) the one read later has the higher id and wins: no id
 * kept.  40 bytes per survey id where a time, an id, an offset and a
 * length per column (120 bytes) and a copy of every winning value made
 * the map about 70 MB at a million surveys (issue 22: it is held beside
 * the statistics' scans). */
struct picks {
    int64_t t[3];
    uint32_t val[3];
    uint8_t has_t;
};

struct cs_app_latest {
    struct cs_keymap ids; /* the survey ids, numbered */
    struct picks *v;      /* owned: by id number, alloc of them */
    size_t alloc;
    struct cs_keymap vals; /* the distinct values: a type byte (SQLITE_TEXT or
                              SQLITE_BLOB), then the value's bytes */
};

/* The picks of the id of len bytes at sid (none set when new). */
static struct picks *
picks(struct cs_app_latest *m, const char *sid, size_t len)
{
    size_t n = m->ids.n, i = cs_keymap_add(&m->ids, sid, len);
    if (m->ids.n > n) {
        if (i == m->alloc) {
            m->alloc = m->alloc ? m->alloc * 2 : 1024;
            m->v = xreallocarray(m->v, m->alloc, sizeof *m->v);
        }
        memset(&m->v[i], 0, sizeof m->v[i]);
    }
    return &m->v[i];
}

/* Does an event read now, with time t (has_t), replace pick k? */
static bool
later(const struct picks *p, int k, bool has_t, int64_t t)
{
    bool p_has_t = (p->has_t >> k) & 1;
    if (!p->val[k] || has_t != p_has_t)
        return !p->val[k] || has_t;
    return !has_t || t >= p->t[k];
}

/* Number + 1 of value k of row q in m->vals (0: out of memory). */
static uint32_t
intern(struct cs_app_latest *m, sqlite3_stmt *q, int k, int type, struct cs_buf *tmp)
{
    /* text as stored (TEXT affinity: numbers arrive as text); a blob stays a blob */
    const char *p = type == SQLITE_BLOB ? sqlite3_column_blob(q, 3 + k)
                                        : (const char *)sqlite3_column_text(q, 3 + k);
    int len = sqlite3_column_bytes(q, 3 + k);
    if (!p && len > 0)
        return 0;
    tmp->n = 0;
    char tag = (char)(type == SQLITE_BLOB ? SQLITE_BLOB : SQLITE_TEXT);
    cs_buf_add(tmp, &tag, 1);
    cs_buf_add(tmp, p ? p : "", (size_t)len);
    return (uint32_t)cs_keymap_add(&m->vals, tmp->s, tmp->n) + 1;
}

int
cs_app_latest_load(sqlite3 *db, struct cs_app_latest **out)
{
    *out = NULL;
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT survey_id, time_us, id, app_version, browser, client_os"
                                " FROM custom_events WHERE app_version IS NOT NULL"
                                " OR browser IS NOT NULL OR client_os IS NOT NULL ORDER BY id",
                                -1, &q, NULL);
    if (rc != SQLITE_OK)
        return rc;
    struct cs_app_latest *m = xcalloc(1, sizeof *m);
    struct cs_buf tmp = {0};
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *sid = (const char *)sqlite3_column_text(q, 0);
        if (!sid) { /* NOT NULL in the schema: SQLite ran out of memory */
            rc = SQLITE_NOMEM;
            break;
        }
        struct picks *pk = picks(m, sid, (size_t)sqlite3_column_bytes(q, 0));
        bool has_t = sqlite3_column_type(q, 1) != SQLITE_NULL;
        int64_t t = sqlite3_column_int64(q, 1);
        for (int k = 0; k < 3; k++) {
            int type = sqlite3_column_type(q, 3 + k);
            if (type == SQLITE_NULL || !later(pk, k, has_t, t))
                continue;
            uint32_t v = intern(m, q, k, type, &tmp);
            if (!v) {
                rc = SQLITE_NOMEM;
                break;
            }
            pk->val[k] = v;
            pk->t[k] = t;
            pk->has_t = (uint8_t)(has_t ? pk->has_t | (1u << k) : pk->has_t & ~(1u << k));
        }
        if (rc == SQLITE_NOMEM)
            break;
    }
    sqlite3_finalize(q);
    cs_buf_free(&tmp);
    if (rc != SQLITE_DONE) {
        cs_app_latest_free(m);
        return rc;
    }
    if (m->ids.n == 0)
        cs_app_latest_free(m);
    else
        *out = m;
    return SQLITE_OK;
}

/* The values of id number i (SIZE_MAX: none) into v. */
static void
values_of(const struct cs_app_latest *m, size_t i, struct cs_app_value v[3])
{
    for (int k = 0; k < 3; k++) {
        uint32_t n = i != SIZE_MAX ? m->v[i].val[k] : 0;
        size_t klen = 0;
        const char *key = n ? cs_keymap_key(&m->vals, n - 1, &klen) : NULL;
        v[k] = key ? (struct cs_app_value){key + 1, (int)klen - 1, key[0]}
                   : (struct cs_app_value){NULL, 0, 0};
    }
}

#define MANY 64

void
cs_app_latest_get_many(const struct cs_app_latest *m, size_t n, const char *const *id,
                       const size_t *len, struct cs_app_value (*v)[3])
{
    size_t at[MANY];
    for (size_t base = 0; base < n; base += MANY) {
        size_t c = n - base < MANY ? n - base : MANY;
        for (size_t i = 0; i < c; i++)
            at[i] = SIZE_MAX;
        if (m) {
            cs_keymap_find_many(&m->ids, c, id + base, len + base, at);
            for (size_t i = 0; i < c; i++) /* the picks of the ids found */
                if (at[i] != SIZE_MAX)
                    __builtin_prefetch(&m->v[at[i]]);
        }
        for (size_t i = 0; i < c; i++)
            values_of(m, at[i], v[base + i]);
    }
}

void
cs_app_latest_free(struct cs_app_latest *m)
{
    if (!m)
        return;
    cs_keymap_free(&m->ids);
    xfree(m->v);
    cs_keymap_free(&m->vals);
    xfree(m);
}
