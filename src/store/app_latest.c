/*
 * store/app_latest.c: see app_latest.h.
 */
#include "store/app_latest.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/mem.h"
#include "store/join_merge.h"

/* The best event so far for one column of one survey id. */
struct pick {
    int64_t t, eid;
    uint64_t off; /* the value in the arena */
    int len, type;
    bool set, has_t;
};

struct entry {
    uint64_t h;   /* cs_join_id_hash of the id */
    uint64_t off; /* the id in the arena */
    size_t len;
    struct pick v[3];
};

struct cs_app_latest {
    struct entry *e; /* owned, n used of alloc */
    size_t n, alloc;
    uint64_t *slot; /* owned: the hash's high half | entry index + 1, 0 =
                       empty (a miss seldom reads an entry); cap a power of two */
    size_t cap;
    char *ar; /* owned arena of ids and values */
    uint64_t nar, car;
};

#define HIGH 0xffffffff00000000ull /* a slot's hash bits; the low half is the index + 1 */

static uint64_t
arena_put(struct cs_app_latest *m, const void *p, size_t len)
{
    if (m->nar + len + 1 > m->car) {
        while (m->nar + len + 1 > m->car)
            m->car = m->car ? m->car * 2 : 1 << 16;
        m->ar = xrealloc(m->ar, m->car);
    }
    uint64_t off = m->nar;
    if (len)
        memcpy(m->ar + off, p, len);
    m->ar[off + len] = 0;
    m->nar += len + 1;
    return off;
}

static void
grow(struct cs_app_latest *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1024;
    uint64_t *slot = xcalloc(cap, sizeof *slot);
    for (size_t i = 0; i < m->n; i++) {
        size_t j = m->e[i].h & (cap - 1);
        while (slot[j])
            j = (j + 1) & (cap - 1);
        slot[j] = (m->e[i].h & HIGH) | (uint64_t)(i + 1);
    }
    xfree(m->slot);
    m->slot = slot;
    m->cap = cap;
}

/* The index of the id's entry, or SIZE_MAX; *jp: its slot, or the empty
 * slot where it would go. */
static size_t
lookup(const struct cs_app_latest *m, const char *id, size_t len, uint64_t h, size_t *jp)
{
    size_t j = h & (m->cap - 1);
    for (; m->slot[j]; j = (j + 1) & (m->cap - 1)) {
        if ((m->slot[j] & HIGH) != (h & HIGH))
            continue;
        const struct entry *e = &m->e[(m->slot[j] & ~HIGH) - 1];
        if (e->h == h && e->len == len && memcmp(m->ar + e->off, id, len) == 0)
            break;
    }
    *jp = j;
    return m->slot[j] ? (size_t)(m->slot[j] & ~HIGH) - 1 : SIZE_MAX;
}

/* The entry of the id, added when new. */
static struct entry *
find_add(struct cs_app_latest *m, const char *id, size_t len)
{
    if ((m->n + 1) * 10 > m->cap * 7)
        grow(m);
    uint64_t h = cs_join_id_hash((const unsigned char *)id, len);
    size_t j, i = lookup(m, id, len, h, &j);
    if (i != SIZE_MAX)
        return &m->e[i];
    if (m->n == m->alloc) {
        m->alloc = m->alloc ? m->alloc * 2 : 1024;
        m->e = xreallocarray(m->e, m->alloc, sizeof *m->e);
    }
    struct entry *e = &m->e[m->n];
    *e = (struct entry){.h = h, .len = len};
    e->off = arena_put(m, id, len);
    m->slot[j] = (h & HIGH) | (uint64_t)++m->n;
    return e;
}

/* Is (has_t, t, eid) later than the pick's event? */
static bool
later(const struct pick *p, bool has_t, int64_t t, int64_t eid)
{
    if (!p->set || has_t != p->has_t)
        return !p->set || has_t;
    if (has_t && t != p->t)
        return t > p->t;
    return eid > p->eid;
}

int
cs_app_latest_load(sqlite3 *db, struct cs_app_latest **out)
{
    *out = NULL;
    sqlite3_stmt *q = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT survey_id, time_us, id, app_version, browser, client_os"
                                " FROM custom_events WHERE app_version IS NOT NULL"
                                " OR browser IS NOT NULL OR client_os IS NOT NULL",
                                -1, &q, NULL);
    if (rc != SQLITE_OK)
        return rc;
    struct cs_app_latest *m = xcalloc(1, sizeof *m);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *sid = (const char *)sqlite3_column_text(q, 0);
        if (!sid) { /* NOT NULL in the schema: SQLite ran out of memory */
            rc = SQLITE_NOMEM;
            break;
        }
        struct entry *e = find_add(m, sid, (size_t)sqlite3_column_bytes(q, 0));
        bool has_t = sqlite3_column_type(q, 1) != SQLITE_NULL;
        int64_t t = sqlite3_column_int64(q, 1), eid = sqlite3_column_int64(q, 2);
        for (int k = 0; k < 3; k++) {
            int type = sqlite3_column_type(q, 3 + k);
            if (type == SQLITE_NULL || !later(&e->v[k], has_t, t, eid))
                continue;
            /* text as stored (TEXT affinity: numbers arrive as text);
             * a blob stays a blob */
            const void *p = type == SQLITE_BLOB ? sqlite3_column_blob(q, 3 + k)
                                                : (const void *)sqlite3_column_text(q, 3 + k);
            int len = sqlite3_column_bytes(q, 3 + k);
            if (!p && len > 0) {
                rc = SQLITE_NOMEM;
                break;
            }
            e->v[k] = (struct pick){.t = t, .eid = eid, .has_t = has_t, .set = true, .type = type == SQLITE_BLOB ? SQLITE_BLOB : SQLITE_TEXT, .len = len, .off = arena_put(m, p, (size_t)len)};
        }
        if (rc == SQLITE_NOMEM)
            break;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        cs_app_latest_free(m);
        return rc;
    }
    if (m->n == 0)
        cs_app_latest_free(m);
    else
        *out = m;
    return SQLITE_OK;
}

void
cs_app_latest_get(const struct cs_app_latest *m, const char *id, size_t len,
                  struct cs_app_value v[3])
{
    const struct entry *e = NULL;
    if (m) {
        size_t j, i = lookup(m, id, len, cs_join_id_hash((const unsigned char *)id, len), &j);
        e = i != SIZE_MAX ? &m->e[i] : NULL;
    }
    for (int k = 0; k < 3; k++)
        v[k] = e && e->v[k].set ? (struct cs_app_value){m->ar + e->v[k].off, e->v[k].len,
                                                        e->v[k].type}
                                : (struct cs_app_value){NULL, 0, 0};
}

void
cs_app_latest_free(struct cs_app_latest *m)
{
    if (!m)
        return;
    xfree(m->e);
    xfree(m->slot);
    xfree(m->ar);
    xfree(m);
}
