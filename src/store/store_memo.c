/*
 * store/store_memo.c: what a read keeps for the next read of the same
 * window (store_int.h: cs_store_memo, the stamps), and handing a twin's
 * memos to its store (store.h: cs_store_take_memos); and whether the
 * store keeps the load's aggregate (store.h: cs_store_keep_cube,
 * store/load_cube.h).
 */
#include <sqlite3.h>
#include <string.h>

#include "store/store.h"
#include "store/load_cube.h"
#include "store/store_int.h"

void *
cs_store_memo(struct cs_store *s, enum store_memo k)
{
    return s->memo[k];
}

void
cs_store_set_memo(struct cs_store *s, enum store_memo k, void *mo, void (*free_fn)(void *))
{
    if (s->memo[k] && s->memo_free[k])
        s->memo_free[k](s->memo[k]);
    s->memo[k] = mo;
    s->memo_free[k] = free_fn;
}

/* PRAGMA data_version (changes when another connection commits), -1 when
 * it cannot be read. */
static int64_t
data_version_now(struct cs_store *s)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, "PRAGMA data_version", -1, &q, NULL) != SQLITE_OK)
        return -1;
    int64_t v = sqlite3_step(q) == SQLITE_ROW ? sqlite3_column_int64(q, 0) : -1;
    sqlite3_finalize(q);
    return v;
}

void
cs_store_take_memos(struct cs_store *s, struct cs_store *twin)
{
    /* only the survey and event tables' memos: survey_leg may differ */
    static const enum store_memo taken[] = {STORE_MEMO_JOIN, STORE_MEMO_KEYS};
    for (size_t i = 0; i < sizeof taken / sizeof taken[0]; i++) {
        enum store_memo k = taken[i];
        if (!twin->memo[k])
            continue;
        struct store_stamp *st = twin->memo[k]; /* every memo begins with its stamp */
        st->changes = sqlite3_total_changes64(s->db);
        st->data_version = data_version_now(s);
        cs_store_set_memo(s, k, twin->memo[k], twin->memo_free[k]);
        twin->memo[k] = NULL;
    }
}

void
store_stamp_set(struct cs_store *s, struct store_stamp *st, char *key)
{
    st->key = key;
    st->changes = sqlite3_total_changes64(s->db);
    st->data_version = data_version_now(s);
}

bool
store_stamp_same(struct cs_store *s, const struct store_stamp *st, const char *key)
{
    return st->changes == sqlite3_total_changes64(s->db) && strcmp(st->key, key) == 0 &&
           st->data_version >= 0 && st->data_version == data_version_now(s);
}

/* ---- the load's aggregate (store.h, store/load_cube.h) ------------------ */

void
cs_store_keep_cube(struct cs_store *s, size_t max_surveys)
{
    if (!s->priv || s->hist || s->lc || s->in_tx)
        return;
    /* only from the first survey on: every one then passes cs_store_put */
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, "SELECT EXISTS (SELECT 1 FROM survey_data)", -1, &q, NULL) !=
        SQLITE_OK)
        return;
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) == 0)
        s->lc = cs_load_cube_new(max_surveys);
    sqlite3_finalize(q);
}

void
cs_store_drop_cube(struct cs_store *s)
{
    if (s->lc_lent)
        s->lc = NULL;
    else
        cs_load_cube_free(&s->lc);
    s->lc_lent = false;
}

void
cs_store_lend_cube(struct cs_store *s, struct cs_store *twin)
{
    if (!s->lc || twin->lc || !cs_load_cube_exact(s->lc))
        return;
    twin->lc = s->lc;
    twin->lc_lent = true;
}

bool
cs_store_has_cube(const struct cs_store *s)
{
    return s->lc != NULL;
}
