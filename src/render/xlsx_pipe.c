/*
 * render/xlsx_pipe.c: see xlsx_pipe.h.
 *
 * Two batches: the join fills one while the writer thread writes the
 * other; each is handed over whole (a mutex and two condition variables),
 * and the writer takes them in the order they were filled.
 */
#include "render/xlsx_pipe.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/mem.h"

/* A batch is handed over at this many rows or bytes of text. */
#define PIPE_ROWS 512
#define PIPE_TEXT (1u << 20)

enum { S_SURVEY,
       S_RESOURCE,
       S_CALL,
       S_PARTICIPANT,
       S_EVENT,
       S_PROPS,
       S_MEAS,
       S__COUNT };

/* A row of the join with its strings as offsets into the batch's text
 * (SIZE_MAX: NULL). */
struct prow {
    struct cs_join_row r; /* its string pointers unset until written */
    size_t off[S__COUNT];
};

struct batch {
    struct prow *rows;
    size_t n, cap;
    char *text;
    size_t len, text_cap;
};

struct xl_pipe {
    cs_join_cb cb;
    void *ctx;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t ready; /* a batch was handed over, or done */
    pthread_cond_t free;  /* the writer is done with a batch */
    struct batch b[2];
    bool full[2];       /* handed to the writer, not written yet */
    int filling;        /* the batch the join fills */
    bool done;          /* no more batches */
    atomic_bool failed; /* the writer's callback failed: rc and err */
    cs_status rc;
    struct cs_err err;
};

static size_t
put_text(struct batch *b, const char *s)
{
    if (!s)
        return SIZE_MAX;
    size_t n = strlen(s) + 1;
    if (b->len + n > b->text_cap) {
        size_t cap = b->text_cap ? b->text_cap : 64 * 1024;
        while (cap < b->len + n)
            cap *= 2;
        b->text = xrealloc(b->text, cap);
        b->text_cap = cap;
    }
    memcpy(b->text + b->len, s, n);
    size_t off = b->len;
    b->len += n;
    return off;
}

static const char *
get_text(const struct batch *b, size_t off)
{
    return off == SIZE_MAX ? NULL : b->text + off;
}

/* Write batch b (the writer thread); after a failure the rows are only
 * dropped. */
static void
write_batch(struct xl_pipe *p, struct batch *b)
{
    for (size_t i = 0; i < b->n && !atomic_load(&p->failed); i++) {
        struct prow *pr = &b->rows[i];
        struct cs_join_row r = pr->r;
        r.survey_id = get_text(b, pr->off[S_SURVEY]);
        r.resource = get_text(b, pr->off[S_RESOURCE]);
        r.call_id = get_text(b, pr->off[S_CALL]);
        r.participant_id = get_text(b, pr->off[S_PARTICIPANT]);
        r.event_survey_id = get_text(b, pr->off[S_EVENT]);
        r.props = get_text(b, pr->off[S_PROPS]);
        r.measurements = get_text(b, pr->off[S_MEAS]);
        struct cs_err err = {0};
        cs_status rc = p->cb(p->ctx, &r, &err);
        if (rc != CS_OK) {
            pthread_mutex_lock(&p->mu);
            p->rc = rc;
            p->err = err;
            atomic_store(&p->failed, true);
            pthread_mutex_unlock(&p->mu);
        }
    }
}

static void *
writer(void *arg)
{
    struct xl_pipe *p = arg;
    int cur = 0;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->full[cur] && !p->done)
            pthread_cond_wait(&p->ready, &p->mu);
        if (!p->full[cur])
            break; /* done, and every batch written */
        pthread_mutex_unlock(&p->mu);
        write_batch(p, &p->b[cur]);
        pthread_mutex_lock(&p->mu);
        p->full[cur] = false;
        pthread_cond_signal(&p->free);
        cur ^= 1;
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

struct xl_pipe *
xl_pipe_start(cs_join_cb cb, void *ctx)
{
    struct xl_pipe *p = xcalloc(1, sizeof *p);
    p->cb = cb;
    p->ctx = ctx;
    atomic_init(&p->failed, false);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->ready, NULL);
    pthread_cond_init(&p->free, NULL);
    if (pthread_create(&p->thread, NULL, writer, p) != 0) {
        pthread_cond_destroy(&p->free);
        pthread_cond_destroy(&p->ready);
        pthread_mutex_destroy(&p->mu);
        xfree(p);
        return NULL;
    }
    return p;
}

/* Hand the batch being filled to the writer and wait until the other one
 * is free to fill. */
static void
hand_over(struct xl_pipe *p)
{
    pthread_mutex_lock(&p->mu);
    p->full[p->filling] = true;
    pthread_cond_signal(&p->ready);
    p->filling ^= 1;
    while (p->full[p->filling])
        pthread_cond_wait(&p->free, &p->mu);
    pthread_mutex_unlock(&p->mu);
    p->b[p->filling].n = 0;
    p->b[p->filling].len = 0;
}

static cs_status
writer_failure(struct xl_pipe *p, struct cs_err *err)
{
    pthread_mutex_lock(&p->mu);
    cs_status rc = p->rc;
    if (err)
        *err = p->err;
    pthread_mutex_unlock(&p->mu);
    return rc;
}

cs_status
xl_pipe_push(void *pipe, const struct cs_join_row *r, struct cs_err *err)
{
    struct xl_pipe *p = pipe;
    if (atomic_load(&p->failed))
        return writer_failure(p, err);
    struct batch *b = &p->b[p->filling];
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : PIPE_ROWS;
        b->rows = xreallocarray(b->rows, b->cap, sizeof *b->rows);
    }
    struct prow *pr = &b->rows[b->n++];
    pr->r = *r;
    pr->off[S_SURVEY] = put_text(b, r->survey_id);
    pr->off[S_RESOURCE] = put_text(b, r->resource);
    pr->off[S_CALL] = put_text(b, r->call_id);
    pr->off[S_PARTICIPANT] = put_text(b, r->participant_id);
    pr->off[S_EVENT] = put_text(b, r->event_survey_id);
    pr->off[S_PROPS] = put_text(b, r->props);
    pr->off[S_MEAS] = put_text(b, r->measurements);
    if (b->n >= PIPE_ROWS || b->len >= PIPE_TEXT)
        hand_over(p);
    return CS_OK;
}

cs_status
xl_pipe_finish(struct xl_pipe *p, struct cs_err *err)
{
    if (!p)
        return CS_OK;
    if (p->b[p->filling].n)
        hand_over(p);
    pthread_mutex_lock(&p->mu);
    p->done = true;
    pthread_cond_signal(&p->ready);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    cs_status rc = atomic_load(&p->failed) ? writer_failure(p, err) : CS_OK;
    for (int i = 0; i < 2; i++) {
        xfree(p->b[i].rows);
        xfree(p->b[i].text);
    }
    pthread_cond_destroy(&p->free);
    pthread_cond_destroy(&p->ready);
    pthread_mutex_destroy(&p->mu);
    xfree(p);
    return rc;
}
