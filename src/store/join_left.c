/*
 * store/join_left.c: see join_left.h.
 *
 * The reader fills batches of rows (their strings copied into the batch)
 * in a ring of JL_BATCHES; the merge's thread takes them in order.  One
 * mutex and two condition variables; a batch is handed over whole.
 */
#include "store/join_left.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "store/filter_sql.h"

#define JL_BATCHES 4
#define JL_ROWS 512 /* rows per batch */
#define NO_TEXT SIZE_MAX

size_t cs_join_left_min = 4096;

/* A row as the batch keeps it: the strings as offsets into its text. */
struct brow {
    int64_t rid, time_us, resource;
    size_t sid, call, part; /* NO_TEXT: NULL */
    bool has_resource;
    bool has_score[4];
    double score[4];
};

struct batch {
    struct brow *rows; /* owned: JL_ROWS */
    size_t n;
    struct cs_buf text;
};

struct cs_join_left {
    struct cs_store *twin; /* owned */
    sqlite3 *db;
    sqlite3_stmt *seq_q, *in_q; /* owned */
    const struct cs_join_lkey *k;
    size_t n;
    bool seq;
    int64_t seq_rid; /* the scan's row (INT64_MIN: not started) */
    bool seq_done;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t filled; /* a batch was handed over, or the reader ended */
    pthread_cond_t freed;  /* the merge is done with a batch, or stops */
    struct batch b[JL_BATCHES];
    bool full[JL_BATCHES];
    bool ended;         /* the reader ended (all read, failed or stopped) */
    atomic_bool stop;   /* the merge stops early */
    cs_status rc;       /* the reader's failure */
    char why[256];      /* its message */
    size_t take, taken; /* the batch the merge reads, its next row */
    size_t given;       /* rows handed to the merge */
};

static size_t
put_col(struct batch *b, sqlite3_stmt *q, int i)
{
    const char *t = (const char *)sqlite3_column_text(q, i);
    if (!t)
        return NO_TEXT;
    size_t off = b->text.n;
    cs_buf_add(&b->text, t, (size_t)sqlite3_column_bytes(q, i) + 1);
    return off;
}

/* q's row (CS_JOIN_LSEL's columns) into batch b; false when SQLite ran
 * out of memory converting a text. */
static bool
put_row(struct batch *b, sqlite3_stmt *q)
{
    struct brow *r = &b->rows[b->n];
    r->rid = sqlite3_column_int64(q, 0);
    r->time_us = sqlite3_column_int64(q, 2);
    r->has_resource = sqlite3_column_type(q, 3) != SQLITE_NULL;
    r->resource = sqlite3_column_int64(q, 3);
    r->sid = put_col(b, q, 1);
    r->call = put_col(b, q, 4);
    r->part = put_col(b, q, 5);
    if ((r->sid == NO_TEXT && sqlite3_column_type(q, 1) != SQLITE_NULL) ||
        (r->call == NO_TEXT && sqlite3_column_type(q, 4) != SQLITE_NULL) ||
        (r->part == NO_TEXT && sqlite3_column_type(q, 5) != SQLITE_NULL))
        return false;
    for (int c = 0; c < 4; c++) {
        r->has_score[c] = sqlite3_column_type(q, 6 + c) != SQLITE_NULL;
        r->score[c] = sqlite3_column_double(q, 6 + c);
    }
    b->n++;
    return true;
}

static void
failed(struct cs_join_left *jl, const char *why)
{
    jl->rc = CS_E_DB;
    snprintf(jl->why, sizeof jl->why, "%s", why);
}

/* Listed surveys i.. into b by rowid: the ascending run from i (at most
 * CS_JOIN_IN, and the room left in b) by one "rid IN (...)", which gives
 * them in rowid order.  The rows read, 0 on failure (jl->rc). */
static size_t
by_rowid(struct cs_join_left *jl, struct batch *b, size_t i)
{
    size_t n = 1;
    while (n < CS_JOIN_IN && b->n + n < JL_ROWS && i + n < jl->n &&
           jl->k[i + n].rid > jl->k[i + n - 1].rid)
        n++;
    sqlite3_reset(jl->in_q);
    for (size_t j = 0; j < CS_JOIN_IN; j++) /* the unused places repeat the last rowid */
        sqlite3_bind_int64(jl->in_q, (int)j + 1, jl->k[i + (j < n ? j : n - 1)].rid);
    for (size_t j = 0; j < n; j++) {
        int st = sqlite3_step(jl->in_q);
        if (st == SQLITE_ROW && sqlite3_column_int64(jl->in_q, 0) != jl->k[i + j].rid)
            st = SQLITE_DONE;
        if (st == SQLITE_DONE) { /* cannot happen in one snapshot */
            char why[64];
            snprintf(why, sizeof why, "survey %lld is gone", (long long)jl->k[i + j].rid);
            failed(jl, why);
            return 0;
        }
        if (st != SQLITE_ROW || !put_row(b, jl->in_q)) {
            failed(jl, st == SQLITE_ROW ? "out of memory" : sqlite3_errmsg(jl->db));
            return 0;
        }
    }
    return n;
}

/* Listed survey i into b from the scan, which steps over the surveys not
 * listed; by rowid when the scan has passed it.  The rows read (1), 0 on
 * failure. */
static size_t
from_scan(struct cs_join_left *jl, struct batch *b, size_t i)
{
    int64_t rid = jl->k[i].rid;
    while (!jl->seq_done && jl->seq_rid < rid) {
        int st = sqlite3_step(jl->seq_q);
        if (st == SQLITE_DONE) {
            jl->seq_done = true;
            break;
        }
        if (st != SQLITE_ROW) {
            failed(jl, sqlite3_errmsg(jl->db));
            return 0;
        }
        jl->seq_rid = sqlite3_column_int64(jl->seq_q, 0);
    }
    if (jl->seq_done || jl->seq_rid != rid)
        return by_rowid(jl, b, i);
    if (!put_row(b, jl->seq_q)) {
        failed(jl, "out of memory");
        return 0;
    }
    return 1;
}

static void *
reader(void *arg)
{
    struct cs_join_left *jl = arg;
    size_t i = 0, w = 0;
    pthread_mutex_lock(&jl->mu);
    while (i < jl->n && !atomic_load(&jl->stop)) {
        while (jl->full[w] && !atomic_load(&jl->stop))
            pthread_cond_wait(&jl->freed, &jl->mu);
        if (atomic_load(&jl->stop))
            break;
        pthread_mutex_unlock(&jl->mu);
        struct batch *b = &jl->b[w];
        b->n = 0;
        b->text.n = 0;
        while (b->n < JL_ROWS && i < jl->n) {
            size_t got = jl->seq ? from_scan(jl, b, i) : by_rowid(jl, b, i);
            if (!got)
                break;
            i += got;
        }
        pthread_mutex_lock(&jl->mu);
        if (jl->rc != CS_OK)
            break;
        jl->full[w] = true;
        w = (w + 1) % JL_BATCHES;
        pthread_cond_signal(&jl->filled);
    }
    jl->ended = true;
    pthread_cond_signal(&jl->filled);
    pthread_mutex_unlock(&jl->mu);
    return NULL;
}

static bool
prepare(struct cs_join_left *jl, const struct cs_filter *f, const char *lw)
{
    char sql[9000];
    snprintf(sql, sizeof sql, CS_JOIN_LSEL "%s ORDER BY d.rid", lw);
    if (jl->seq && sqlite3_prepare_v2(jl->db, sql, -1, &jl->seq_q, NULL) != SQLITE_OK)
        return false;
    if (jl->seq_q)
        cs_filter_bind(jl->seq_q, f, 0);
    char *in = sql + snprintf(sql, sizeof sql, CS_JOIN_LSEL "d.rid IN (?1");
    for (int i = 2; i <= CS_JOIN_IN; i++)
        in += snprintf(in, 16, ",?%d", i);
    snprintf(in, 32, ") ORDER BY d.rid"); /* the order the rows are checked in */
    return sqlite3_prepare_v2(jl->db, sql, -1, &jl->in_q, NULL) == SQLITE_OK;
}

static void
jl_free(struct cs_join_left *jl)
{
    sqlite3_finalize(jl->seq_q);
    sqlite3_finalize(jl->in_q);
    cs_store_close(&jl->twin);
    for (int i = 0; i < JL_BATCHES; i++) {
        xfree(jl->b[i].rows);
        cs_buf_free(&jl->b[i].text);
    }
    xfree(jl);
}

struct cs_join_left *
cs_join_left_start(struct cs_store *s, const struct cs_filter *f, const char *lw,
                   const struct cs_join_lkey *k, size_t n, bool seq)
{
    struct cs_join_left *jl = xcalloc(1, sizeof *jl);
    struct cs_err err;
    if (cs_store_open_twin(s, &jl->twin, &err) != CS_OK) {
        xfree(jl);
        return NULL;
    }
    jl->db = cs_store_db(jl->twin);
    jl->k = k;
    jl->n = n;
    jl->seq = seq;
    jl->seq_rid = INT64_MIN;
    atomic_init(&jl->stop, false);
    for (int i = 0; i < JL_BATCHES; i++)
        jl->b[i].rows = xmalloc(JL_ROWS * sizeof *jl->b[i].rows);
    if (!prepare(jl, f, lw)) {
        jl_free(jl);
        return NULL;
    }
    pthread_mutex_init(&jl->mu, NULL);
    pthread_cond_init(&jl->filled, NULL);
    pthread_cond_init(&jl->freed, NULL);
    if (pthread_create(&jl->thread, NULL, reader, jl) != 0) {
        pthread_cond_destroy(&jl->freed);
        pthread_cond_destroy(&jl->filled);
        pthread_mutex_destroy(&jl->mu);
        jl_free(jl);
        return NULL;
    }
    return jl;
}

static const char *
text_at(const struct batch *b, size_t off)
{
    return off == NO_TEXT ? NULL : b->text.s + off;
}

cs_status
cs_join_left_next(struct cs_join_left *jl, struct cs_join_left_row *row, struct cs_err *err)
{
    if (jl->given == jl->n)
        return cs_fail(err, CS_E_INTERNAL, NULL, "join query failed: no more surveys to read");
    struct batch *b = &jl->b[jl->take];
    pthread_mutex_lock(&jl->mu);
    if (jl->full[jl->take] && jl->taken == b->n) { /* done with this one */
        jl->full[jl->take] = false;
        jl->taken = 0;
        pthread_cond_signal(&jl->freed);
        jl->take = (jl->take + 1) % JL_BATCHES;
        b = &jl->b[jl->take];
    }
    while (!jl->full[jl->take] && !jl->ended)
        pthread_cond_wait(&jl->filled, &jl->mu);
    bool have = jl->full[jl->take];
    pthread_mutex_unlock(&jl->mu);
    if (!have) /* ended without this batch: failed */
        return cs_fail(err, CS_E_DB, NULL, "join query failed: %s",
                       jl->rc != CS_OK ? jl->why : "the reader ended early");
    const struct brow *r = &b->rows[jl->taken++];
    jl->given++;
    *row = (struct cs_join_left_row){
        .rid = r->rid,
        .time_us = r->time_us,
        .survey_id = text_at(b, r->sid),
        .call_id = text_at(b, r->call),
        .participant_id = text_at(b, r->part),
        .has_resource = r->has_resource,
        .resource = r->resource,
    };
    memcpy(row->has_score, r->has_score, sizeof row->has_score);
    memcpy(row->score, r->score, sizeof row->score);
    return CS_OK;
}

void
cs_join_left_stop(struct cs_join_left *jl)
{
    if (!jl)
        return;
    pthread_mutex_lock(&jl->mu);
    atomic_store(&jl->stop, true);
    pthread_cond_signal(&jl->freed);
    pthread_mutex_unlock(&jl->mu);
    pthread_join(jl->thread, NULL);
    pthread_cond_destroy(&jl->freed);
    pthread_cond_destroy(&jl->filled);
    pthread_mutex_destroy(&jl->mu);
    jl_free(jl);
}
