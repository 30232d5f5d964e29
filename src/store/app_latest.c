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

/* The best event so far for one column of one survey id. */
struct pick {
    int64_t t, eid;
    size_t off; /* the value in vals */
    int len, type;
    bool set, has_t;
};

struct cs_app_latest {
    struct cs_keymap ids; /* the survey ids, numbered */
    struct pick (*v)[3];  /* owned: the picks by id number, alloc of them */
    size_t alloc;
    struct cs_buf vals; /* owned: the values' bytes */
};

/* The picks of the id of len bytes at sid (none set when new). */
static struct pick *
picks(struct cs_app_latest *m, const char *sid, size_t len)
{
    size_t n = m->ids.n, i = cs_keymap_add(&m->ids, sid, len);
    if (m->ids.n > n) {
        if (i == m->alloc) {
            m->alloc = m->alloc ? m->alloc * 2 : 1024;
            m->v = xreallocarray(m->v, m->alloc, sizeof *m->v);
        }
        memset(m->v[i], 0, sizeof m->v[i]);
    }
    return m->v[i];
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
        struct pick *pk = picks(m, sid, (size_t)sqlite3_column_bytes(q, 0));
        bool has_t = sqlite3_column_type(q, 1) != SQLITE_NULL;
        int64_t t = sqlite3_column_int64(q, 1), eid = sqlite3_column_int64(q, 2);
        for (int k = 0; k < 3; k++) {
            int type = sqlite3_column_type(q, 3 + k);
            if (type == SQLITE_NULL || !later(&pk[k], has_t, t, eid))
                continue;
            /* text as stored (TEXT affinity: numbers arrive as text);
             * a blob stays a blob */
            const char *p = type == SQLITE_BLOB ? sqlite3_column_blob(q, 3 + k)
                                                : (const char *)sqlite3_column_text(q, 3 + k);
            int len = sqlite3_column_bytes(q, 3 + k);
            if (!p && len > 0) {
                rc = SQLITE_NOMEM;
                break;
            }
            pk[k] = (struct pick){.t = t, .eid = eid, .has_t = has_t, .set = true, .type = type == SQLITE_BLOB ? SQLITE_BLOB : SQLITE_TEXT, .len = len, .off = m->vals.n};
            cs_buf_add(&m->vals, p ? p : "", (size_t)len);
        }
        if (rc == SQLITE_NOMEM)
            break;
    }
    sqlite3_finalize(q);
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

void
cs_app_latest_get(const struct cs_app_latest *m, const char *id, size_t len,
                  struct cs_app_value v[3])
{
    size_t i = m ? cs_keymap_find(&m->ids, id, len) : SIZE_MAX;
    for (int k = 0; k < 3; k++) {
        const struct pick *pk = i != SIZE_MAX ? &m->v[i][k] : NULL;
        v[k] = pk && pk->set ? (struct cs_app_value){m->vals.s + pk->off, pk->len, pk->type}
                             : (struct cs_app_value){NULL, 0, 0};
    }
}

void
cs_app_latest_free(struct cs_app_latest *m)
{
    if (!m)
        return;
    cs_keymap_free(&m->ids);
    xfree(m->v);
    cs_buf_free(&m->vals);
    xfree(m);
}
