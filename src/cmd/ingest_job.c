/*
 * cmd/ingest_job.c: loading inputs into the store for the commands.
 *
 * Ingest wires the loaders (ingest/) to the store (store/) through a sink:
 * valid records go to cs_store_put in batches, rejected ones to the
 * rejects table and, when asked, to a JSON Lines file.  Each input is one
 * transaction, so an input that fails half-way leaves the database as it
 * was before it.  The accounting identity read = stored + duplicates +
 * updated + conflicts + rejected is checked for every input; a mismatch is
 * a bug and is reported as CS_E_INTERNAL rather than printed as if fine.
 *
 * With a store, parsing and storing run on two threads (issue 9: both
 * cores): the loader fills batch buffers lent by the pipeline and hands
 * each full one to the store thread, which makes every store call while an
 * input is read: rejected records and custom events are copied into side
 * buffers that follow the batches through one FIFO queue (input order), so
 * the parser never waits for a store call, only for a free buffer.  NBUF
 * batch buffers and NSIDE side buffers (about SIDE_BYTES each) bound the
 * memory in flight.  A store failure is kept by the pipeline and returned
 * to the loader at its next batch, reject or event (the input stops there),
 * or found after the input is drained.
 *
 * SIGINT and friends are deferred during the ingest (core/intr.h): the
 * sinks poll for a pending signal at every batch, event and reject, the
 * current input then fails with CS_E_INTERRUPTED and rolls back like any
 * failed input, later inputs are not read, and a --rejects file is not
 * put in place (it would miss the rest).
 */
#include "cmd/ingest_job.h"

#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/afile.h"
#include "core/intr.h"
#include "core/mem.h"
#include "render/json.h"
#include "core/utf8.h"
#include "ingest/calls.h"

#define NBUF 4

/* ---- distinct unknown tags: a set of tag names ---------------------- */

struct tagset {
    char **v;   /* owned slots (NULL = empty), owned strings */
    size_t cap; /* power of two, or 0 */
    size_t n;
};

static uint64_t
tag_hash(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ull;
    return h;
}

/* Add the n bytes at p (a tag name) unless present. */
static void
tagset_add(struct tagset *t, const char *p, size_t n)
{
    if ((t->n + 1) * 2 > t->cap) {
        struct tagset nt = {.cap = t->cap ? t->cap * 2 : 16};
        nt.v = xcalloc(nt.cap, sizeof *nt.v);
        for (size_t i = 0; i < t->cap; i++)
            if (t->v[i]) {
                size_t j = tag_hash(t->v[i], strlen(t->v[i])) & (nt.cap - 1);
                while (nt.v[j])
                    j = (j + 1) & (nt.cap - 1);
                nt.v[j] = t->v[i];
            }
        nt.n = t->n;
        xfree(t->v);
        *t = nt;
    }
    size_t j = tag_hash(p, n) & (t->cap - 1);
    for (; t->v[j]; j = (j + 1) & (t->cap - 1))
        if (strncmp(t->v[j], p, n) == 0 && t->v[j][n] == '\0')
            return;
    t->v[j] = xstrndup(p, n);
    t->n++;
}

static void
tagset_clear(struct tagset *t)
{
    for (size_t i = 0; i < t->cap; i++)
        xfree(t->v[i]);
    xfree(t->v);
    memset(t, 0, sizeof *t);
}

/* ---- the parse -> store pipeline ------------------------------------ */

/* Rejected records and custom events travel to the store thread in side
 * buffers: the parser copies each one (its text into the buffer's bytes)
 * and never touches the store itself, so it waits for the store thread
 * only when every buffer is in flight.  A side buffer is handed on with
 * the next batch of records, or alone once it holds SIDE_ITEMS items or
 * SIDE_BYTES bytes; the queue is FIFO, so the store sees rejects and
 * events in input order. */
#define NSIDE 4
#define SIDE_ITEMS 1024
#define SIDE_BYTES (1u << 20)
#define SIDE_NULL SIZE_MAX /* side_str.off of a NULL string */

enum { S_SID,
       S_REASON,
       S_RAW,
       S_PROPS,
       S_MEAS,
       S_NAME,
       S_APP,
       S_OS,
       S_BROWSER,
       S__N };

struct side_str {
    size_t off, len; /* into side.bytes; off SIDE_NULL: NULL */
};

struct side_item {
    bool event; /* a custom event; else a rejected record */
    uint64_t line;
    uint32_t index;
    int64_t time_us;
    struct side_str s[S__N]; /* a reject: S_SID, S_REASON, S_RAW; an event: the rest */
};

struct side {
    struct side_item *items; /* owned */
    size_t n, cap;
    char *bytes; /* owned: the items' strings */
    size_t len, bytes_cap;
};

struct pipe_job {
    struct cs_record *recs; /* a batch buffer, or NULL */
    size_t n;               /* records in it */
    struct side *side;      /* rejects and events, or NULL */
};

#define NJOB (NBUF + NSIDE)

struct pipeline {
    pthread_t thread;              /* the store thread */
    bool started;                  /* thread is running */
    pthread_mutex_t m;             /* guards the queues and flags below */
    pthread_cond_t cv;             /* any change of the queues or flags */
    struct cs_record *bufs[NBUF];  /* owned buffers */
    struct cs_record *free_[NBUF]; /* buffers free to lend */
    int n_free;
    struct side sides[NSIDE];      /* owned side buffers */
    struct side *free_side[NSIDE]; /* side buffers free to fill */
    int n_free_side;
    struct side *cur;           /* the one the parser fills (parser's own) */
    struct pipe_job full[NJOB]; /* queued work, FIFO */
    int full_head, full_count;
    bool busy;                      /* the store thread holds a job */
    bool stop;                      /* ask the thread to exit */
    struct cs_record *scratch;      /* owned: the store thread's reject record */
    struct cs_store *store;         /* borrowed; only the store thread uses it
                                       while an input is read */
    struct cs_store_counts *counts; /* borrowed: this input's counts */
    cs_status status;               /* sticky: first store failure */
    struct cs_err err;              /* its detail */
};

static const char *
side_get(const struct side *sd, struct side_str ss)
{
    return ss.off == SIDE_NULL ? NULL : sd->bytes + ss.off;
}

/* Store one side buffer's items in order; stops at the first failure. */
static cs_status
store_side(struct pipeline *p, const struct side *sd, struct cs_err *e)
{
    cs_status s = CS_OK;
    for (size_t i = 0; i < sd->n && s == CS_OK; i++) {
        const struct side_item *it = &sd->items[i];
        if (!it->event) {
            struct cs_record *r = p->scratch;
            r->line = it->line;
            r->index = it->index;
            memcpy(r->survey_id, side_get(sd, it->s[S_SID]), it->s[S_SID].len + 1);
            memcpy(r->reason, side_get(sd, it->s[S_REASON]), it->s[S_REASON].len + 1);
            s = cs_store_reject(p->store, r, side_get(sd, it->s[S_RAW]),
                                it->s[S_RAW].len, e);
            continue;
        }
        struct cs_event ev = {.time_us = it->time_us, .line = it->line};
        memcpy(ev.survey_id, side_get(sd, it->s[S_SID]), it->s[S_SID].len + 1);
        ev.props = side_get(sd, it->s[S_PROPS]);
        ev.props_len = it->s[S_PROPS].len;
        ev.measurements = side_get(sd, it->s[S_MEAS]);
        ev.measurements_len = it->s[S_MEAS].len;
        ev.name = side_get(sd, it->s[S_NAME]);
        ev.app_version = side_get(sd, it->s[S_APP]);
        ev.client_os = side_get(sd, it->s[S_OS]);
        ev.browser = side_get(sd, it->s[S_BROWSER]);
        s = cs_store_event(p->store, &ev, p->counts, e);
    }
    return s;
}

/* Empty a side buffer for reuse; one grown past a long record gives the
 * memory back. */
static void
side_reset(struct side *sd)
{
    sd->n = sd->len = 0;
    if (sd->bytes_cap > 4 * SIDE_BYTES) {
        xfree(sd->bytes);
        sd->bytes = NULL;
        sd->bytes_cap = 0;
    }
}

/* A batch buffer: CS_INGEST_BATCH records, then what the parser's thread
 * works out of them for the store's (cs_store_put_prepare). */
#define BUF_BYTES (CS_INGEST_BATCH * (sizeof(struct cs_record) + sizeof(struct cs_put_pre)))
static struct cs_put_pre *
buf_pre(struct cs_record *buf)
{
    return (struct cs_put_pre *)(void *)(buf + CS_INGEST_BATCH);
}

static void *
store_thread(void *arg)
{
    struct pipeline *p = arg;
    pthread_mutex_lock(&p->m);
    for (;;) {
        while (p->full_count == 0 && !p->stop)
            pthread_cond_wait(&p->cv, &p->m);
        if (p->full_count == 0 && p->stop)
            break;
        struct pipe_job job = p->full[p->full_head];
        p->full_head = (p->full_head + 1) % NJOB;
        p->full_count--;
        p->busy = true;
        bool ok = p->status == CS_OK;
        pthread_mutex_unlock(&p->m);
        cs_status s = CS_OK;
        struct cs_err e;
        cs_err_clear(&e);
        if (ok && job.recs && job.n > 0)
            s = cs_store_put_prepared(p->store, job.recs, buf_pre(job.recs), job.n, p->counts,
                                      &e);
        if (ok && s == CS_OK && job.side)
            s = store_side(p, job.side, &e);
        if (job.side)
            side_reset(job.side);
        pthread_mutex_lock(&p->m);
        if (s != CS_OK && p->status == CS_OK) {
            p->status = s;
            p->err = e;
        }
        if (job.recs)
            p->free_[p->n_free++] = job.recs;
        if (job.side)
            p->free_side[p->n_free_side++] = job.side;
        p->busy = false;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->m);
    return NULL;
}

static void
pipeline_start(struct pipeline *p, struct cs_store *store)
{
    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->m, NULL);
    pthread_cond_init(&p->cv, NULL);
    for (int i = 0; i < NBUF; i++) {
        p->bufs[i] = xmalloc(BUF_BYTES);
        p->free_[p->n_free++] = p->bufs[i];
    }
    for (int i = 0; i < NSIDE; i++)
        p->free_side[p->n_free_side++] = &p->sides[i];
    p->scratch = xmalloc(sizeof *p->scratch);
    cs_record_clear(p->scratch);
    p->store = store;
    if (pthread_create(&p->thread, NULL, store_thread, p) == 0)
        p->started = true;
}

/* Queue a job (p->m held); with a failure pending it is dropped. */
static void
pipeline_queue(struct pipeline *p, struct cs_record *recs, size_t n, struct side *sd)
{
    if (p->status != CS_OK || (n == 0 && sd == NULL)) {
        if (recs)
            p->free_[p->n_free++] = recs;
        if (sd) {
            side_reset(sd);
            p->free_side[p->n_free_side++] = sd;
        }
        return;
    }
    if (n == 0 && recs) { /* an unused buffer given back: only the side goes */
        p->free_[p->n_free++] = recs;
        recs = NULL;
    }
    int tail = (p->full_head + p->full_count) % NJOB;
    p->full[tail] = (struct pipe_job){.recs = recs, .n = n, .side = sd};
    p->full_count++;
}

/* Hand on the side buffer being filled, if any (the parser's thread). */
static void
pipeline_flush_side(struct pipeline *p)
{
    if (!p->cur)
        return;
    pthread_mutex_lock(&p->m);
    pipeline_queue(p, NULL, 0, p->cur);
    p->cur = NULL;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->m);
}

/* Wait until every queued batch is stored. */
static void
pipeline_drain(struct pipeline *p)
{
    pipeline_flush_side(p);
    pthread_mutex_lock(&p->m);
    while (p->full_count > 0 || p->busy)
        pthread_cond_wait(&p->cv, &p->m);
    pthread_mutex_unlock(&p->m);
}

static void
pipeline_stop(struct pipeline *p)
{
    if (p->started) {
        pthread_mutex_lock(&p->m);
        p->stop = true;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->m);
        pthread_join(p->thread, NULL);
    }
    for (int i = 0; i < NBUF; i++)
        xfree(p->bufs[i]);
    for (int i = 0; i < NSIDE; i++) {
        xfree(p->sides[i].items);
        xfree(p->sides[i].bytes);
    }
    xfree(p->scratch);
    pthread_mutex_destroy(&p->m);
    pthread_cond_destroy(&p->cv);
}

static struct cs_record *
pipeline_get(struct pipeline *p)
{
    pthread_mutex_lock(&p->m);
    while (p->n_free == 0)
        pthread_cond_wait(&p->cv, &p->m);
    struct cs_record *b = p->free_[--p->n_free];
    pthread_mutex_unlock(&p->m);
    return b;
}

/* The pending failure, copied to err (p->m held). */
static cs_status
pipeline_status(struct pipeline *p, struct cs_err *err)
{
    cs_status s = p->status;
    if (s != CS_OK && err)
        *err = p->err;
    return s;
}

/* Queue a filled buffer (or give back an empty one) with the side buffer
 * being filled. */
static cs_status
pipeline_put(struct pipeline *p, struct cs_record *buf, size_t n,
             struct cs_err *err)
{
    pthread_mutex_lock(&p->m);
    pipeline_queue(p, buf, n, p->cur);
    p->cur = NULL;
    cs_status s = pipeline_status(p, err);
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->m);
    return s;
}

/* A new item of the side buffer being filled (waiting for a free buffer
 * when none is), with room for `bytes` bytes of its strings, each string's
 * NUL included. */
static struct side_item *
side_add(struct pipeline *p, size_t bytes)
{
    if (!p->cur) {
        pthread_mutex_lock(&p->m);
        while (p->n_free_side == 0)
            pthread_cond_wait(&p->cv, &p->m);
        p->cur = p->free_side[--p->n_free_side];
        pthread_mutex_unlock(&p->m);
    }
    struct side *sd = p->cur;
    if (sd->n == sd->cap) {
        sd->cap = sd->cap ? sd->cap * 2 : 64;
        sd->items = xreallocarray(sd->items, sd->cap, sizeof *sd->items);
    }
    if (sd->len + bytes > sd->bytes_cap) {
        size_t want = sd->bytes_cap ? sd->bytes_cap : SIDE_BYTES / 4;
        while (want < sd->len + bytes)
            want *= 2;
        sd->bytes = xrealloc(sd->bytes, want);
        sd->bytes_cap = want;
    }
    struct side_item *it = &sd->items[sd->n++];
    memset(it, 0, sizeof *it);
    for (int k = 0; k < S__N; k++)
        it->s[k].off = SIDE_NULL;
    return it;
}

/* Copy len bytes at v (NULL: a NULL string) into the current side buffer,
 * room for which side_add made. */
static struct side_str
side_copy(struct pipeline *p, const char *v, size_t len)
{
    struct side_str ss = {SIDE_NULL, 0};
    if (!v)
        return ss;
    struct side *sd = p->cur;
    ss.off = sd->len;
    ss.len = len;
    if (len)
        memcpy(sd->bytes + sd->len, v, len);
    sd->bytes[sd->len + len] = '\0';
    sd->len += len + 1;
    return ss;
}

/* The item just added is complete: hand the buffer on when it is full;
 * returns a store failure pending (the parser stops there). */
static cs_status
side_done(struct pipeline *p, struct cs_err *err)
{
    struct side *sd = p->cur;
    bool full = sd->n >= SIDE_ITEMS || sd->len >= SIDE_BYTES;
    pthread_mutex_lock(&p->m);
    if (full) {
        pipeline_queue(p, NULL, 0, sd);
        p->cur = NULL;
        pthread_cond_broadcast(&p->cv);
    }
    cs_status s = pipeline_status(p, err);
    pthread_mutex_unlock(&p->m);
    return s;
}

struct sink_ctx {
    struct pipeline *pipe;         /* NULL when only validating */
    struct cs_store *store;        /* NULL when only validating */
    bool cube;                     /* the store keeps the load's aggregate (set before the load) */
    struct cs_store_counts counts; /* this input */
    FILE *rejects_fp;              /* borrowed, or NULL */
    const char *name;              /* input name */
    const struct cs_ingest_job *job;
    uint64_t records_before; /* records of earlier inputs */
    uint64_t bytes_before;
    uint64_t records_now; /* this input so far */
    struct timespec t0, last;
    uint64_t unk_records;                     /* this input: records with unknown tags */
    struct tagset unk_file, unk_arg, unk_all; /* distinct unknown tags: this
                                        input, this argument, the run */
};

/* Count the records of a batch that carry unknown tags, and their
 * distinct tag names (per input, per argument, per run). */
static void
note_unknown(struct sink_ctx *c, const struct cs_record *recs, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        bool any = false;
        for (int cat = 0; cat < CS_CAT__COUNT; cat++) {
            const struct cs_rating *rt = &recs[k].rating[cat];
            if (rt->n_unknown == 0)
                continue;
            any = true;
            for (const char *p = rt->issues; *p;) {
                const char *e = strchr(p, ',');
                size_t len = e ? (size_t)(e - p) : strlen(p);
                if (cs_tag_find((enum cs_category)cat, p, len) < 0) {
                    tagset_add(&c->unk_file, p, len);
                    tagset_add(&c->unk_arg, p, len);
                    tagset_add(&c->unk_all, p, len);
                }
                p += len + (e ? 1 : 0);
            }
        }
        c->unk_records += any;
    }
}

static double
secs_since(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void
progress(struct sink_ctx *c, size_t n)
{
    c->records_now += n;
    if (!c->job->on_progress)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (secs_since(&c->last, &now) < 0.25)
        return;
    c->last = now;
    c->job->on_progress(c->job->ctx, c->records_before + c->records_now,
                        c->bytes_before, secs_since(&c->t0, &now));
}

/* A signal is pending: stop the input `name`. */
static cs_status
interrupted(const char *name, struct cs_err *err)
{
    return cs_fail(err, CS_E_INTERRUPTED, name, "interrupted by %s",
                   cs_intr_name(cs_intr_pending()));
}

static cs_status
sink_records(void *ctx, struct cs_record *recs, size_t n, struct cs_err *err)
{
    struct sink_ctx *c = ctx;
    progress(c, n);
    note_unknown(c, recs, n);
    if (cs_intr_pending())
        n = 0; /* store nothing more; the pipeline takes its buffer back */
    cs_status s = CS_OK;
    if (c->pipe && c->pipe->started) /* each record prepared by sink_made */
        s = pipeline_put(c->pipe, recs, n, err);
    else if (c->store && n > 0) /* no second thread could be had: store inline */
        s = cs_store_put(c->store, recs, n, &c->counts, err);
    if (s == CS_OK && cs_intr_pending())
        s = interrupted(c->name, err);
    return s;
}

/* What the store will need of a record, worked out as it is made, on the
 * parser's thread (the record still in its cache: done for a whole batch
 * at once it was 0.2 s of cache misses at a million surveys). */
static void
sink_made(void *ctx, struct cs_record *batch, size_t i)
{
    const struct sink_ctx *c = ctx;
    cs_store_put_prepare(batch, buf_pre(batch), i, c->cube);
}

static struct cs_record *
sink_get_buffer(void *ctx)
{
    struct sink_ctx *c = ctx;
    return pipeline_get(c->pipe);
}

static cs_status
sink_reject(void *ctx, const struct cs_record *rec, const char *raw,
            size_t raw_len, struct cs_err *err)
{
    struct sink_ctx *c = ctx;
    if (cs_intr_pending())
        return interrupted(c->name, err);
    if (c->rejects_fp) {
        /* source, line, the survey id when the record had one, the reason,
         * and the record itself: its JSON value when it is JSON, else its
         * text (a CSV row, a malformed or cut line) */
        struct cs_reject_line rl = {.source = c->name,
                                    .line = rec->line,
                                    .survey_id = rec->survey_id[0] ? rec->survey_id : NULL,
                                    .without_raw = c->job->rejects_without_raw,
                                    .reason = rec->reason,
                                    .raw = raw,
                                    .raw_len = raw_len};
        char *txt = cs_json_reject_line(&rl);
        fputs(txt, c->rejects_fp);
        fputc('\n', c->rejects_fp);
        xfree(txt);
    }
    if (c->store == NULL)
        return CS_OK;
    if (!c->pipe->started) /* no second thread could be had: store inline */
        return cs_store_reject(c->store, rec, raw, raw_len, err);
    /* to the store thread, after the records before it */
    size_t sid = strlen(rec->survey_id), why = strlen(rec->reason);
    struct side_item *it = side_add(c->pipe, sid + why + (raw ? raw_len : 0) + 3);
    it->line = rec->line;
    it->index = rec->index;
    it->s[S_SID] = side_copy(c->pipe, rec->survey_id, sid);
    it->s[S_REASON] = side_copy(c->pipe, rec->reason, why);
    it->s[S_RAW] = side_copy(c->pipe, raw, raw_len);
    return side_done(c->pipe, err);
}

static size_t
opt_len(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

static cs_status
sink_event(void *ctx, const struct cs_event *ev, const char *raw,
           size_t raw_len, struct cs_err *err)
{
    (void)raw;
    (void)raw_len;
    struct sink_ctx *c = ctx;
    progress(c, 1);
    if (cs_intr_pending())
        return interrupted(c->name, err);
    if (c->store == NULL)
        return CS_OK;
    if (!c->pipe->started)
        return cs_store_event(c->store, ev, &c->counts, err);
    /* copied for the store thread */
    size_t sid = strlen(ev->survey_id);
    size_t props = ev->props ? ev->props_len + 1 : 0;
    size_t meas = ev->measurements ? ev->measurements_len + 1 : 0;
    struct side_item *it =
        side_add(c->pipe, sid + 1 + props + meas + opt_len(ev->name) + opt_len(ev->app_version) +
                              opt_len(ev->client_os) + opt_len(ev->browser));
    it->event = true;
    it->line = ev->line;
    it->time_us = ev->time_us;
    it->s[S_SID] = side_copy(c->pipe, ev->survey_id, sid);
    it->s[S_PROPS] = side_copy(c->pipe, ev->props, ev->props_len);
    it->s[S_MEAS] = side_copy(c->pipe, ev->measurements, ev->measurements_len);
    const char *const *str[4] = {&ev->name, &ev->app_version, &ev->client_os, &ev->browser};
    for (int k = 0; k < 4; k++)
        it->s[S_NAME + k] = side_copy(c->pipe, *str[k], *str[k] ? strlen(*str[k]) : 0);
    return side_done(c->pipe, err);
}

uint64_t
cs_app_inputs_size(char *const *inputs, size_t n_inputs)
{
    char **list;
    size_t n;
    struct cs_err e;
    uint64_t total = 0;
    if (cs_inputs_expand(inputs, n_inputs, &list, &n, &e) != CS_OK)
        return 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        /* stdin, a pipe or a device: its size is unknown, so it may be
         * large (the private database then goes to disk, not memory) */
        if (strcmp(list[i], "-") == 0 || stat(list[i], &st) != 0 || !S_ISREG(st.st_mode)) {
            total = UINT64_MAX;
            break;
        }
        total += (uint64_t)st.st_size;
    }
    cs_inputs_free(list, n);
    return total;
}

static void
add(struct cs_accounting *t, const struct cs_accounting *a)
{
    t->bytes += a->bytes;
    t->read += a->read;
    t->stored += a->stored;
    t->duplicates += a->duplicates;
    t->updated += a->updated;
    t->conflicts += a->conflicts;
    t->rejected += a->rejected;
    t->unknown_tags += a->unknown_tags;
    t->unknown_tag_records += a->unknown_tag_records;
    t->events += a->events;
    t->skipped += a->skipped;
    t->truncated |= a->truncated;
}

/* Ingest one file as one transaction; fills acc. */
static cs_status
ingest_one(const struct cs_ingest_job *job, struct cs_store *store,
           struct pipeline *pipe, struct sink_ctx *c, const char *path,
           struct cs_accounting *acc, enum cs_content *content)
{
    memset(acc, 0, sizeof *acc);
    acc->name = path;
    cs_err_clear(&acc->err);
    c->name = path;
    memset(&c->counts, 0, sizeof c->counts);
    c->records_now = 0;
    c->unk_records = 0;
    tagset_clear(&c->unk_file);
    struct cs_ingest_sink sink = {
        .ctx = c, .records = sink_records, .reject = sink_reject, .event = sink_event, .get_buffer = store && pipe->started ? sink_get_buffer : NULL, .made = store && pipe->started ? sink_made : NULL};
    struct cs_ingest_stats st;
    cs_status s = CS_OK;
    if (strcmp(path, "-") != 0 && cs_calls_sniff(path)) {
        /* call summaries: loaded by the calls loader (store/call_legs.h) */
        *content = CS_CONTENT_CALLS;
        acc->format = "calls";
        return CS_OK;
    }
    if (store)
        s = cs_store_input_begin(store, path, &acc->err);
    /* JSON Lines parsed on every core, but one: a store thread's (on 2
     * cores, a second parser beside the store thread made the load slower,
     * 2.09 -> 2.30 s for 1M surveys, 1.10 -> 1.43 s for their events:
     * the store is as busy as the parser and lost its core) */
    struct cs_ingest_opts opts = job->opts;
    if (store && pipe->started && opts.parsers > 1 && !job->parsers_exact)
        opts.parsers--;
    if (s == CS_OK)
        s = cs_ingest_path(path, path, &opts, &sink, &st, &acc->err);
    else
        memset(&st, 0, sizeof st);
    if (store) {
        pipeline_drain(pipe);
        if (s == CS_OK && pipe->status != CS_OK) {
            s = pipe->status;
            acc->err = pipe->err;
        }
        pipe->status = CS_OK; /* the next input starts clean */
    }
    if (s == CS_OK && cs_intr_pending()) /* read to the end, but not committed */
        s = interrupted(path, &acc->err);
    *content = st.content;
    acc->bytes = st.bytes;
    acc->read = st.read;
    acc->rejected = st.rejected;
    acc->unknown_tags = st.unknown_tags;
    acc->events = st.events_read;
    acc->skipped = st.events_skipped;
    acc->truncated = st.truncated;
    acc->stored = c->counts.stored;
    acc->duplicates = c->counts.duplicates;
    acc->updated = c->counts.updated;
    acc->conflicts = c->counts.conflicts;
    acc->unknown_tag_records = c->unk_records;
    acc->unknown_tags_distinct = c->unk_file.n;
    acc->format = st.content == CS_CONTENT_EVENTS ? "events" : "surveys";
    if (s == CS_OK && store &&
        acc->read != acc->stored + acc->duplicates + acc->updated + acc->conflicts +
                         acc->rejected)
        s = cs_fail(&acc->err, CS_E_INTERNAL, path,
                    "accounting mismatch: read %llu != stored %llu + "
                    "duplicates %llu + updated %llu + conflicts %llu + rejected %llu",
                    (unsigned long long)acc->read, (unsigned long long)acc->stored,
                    (unsigned long long)acc->duplicates,
                    (unsigned long long)acc->updated,
                    (unsigned long long)acc->conflicts,
                    (unsigned long long)acc->rejected);
    if (store) {
        struct cs_input_summary sum = {
            .format = acc->format, .bytes = acc->bytes, .read = acc->read, .stored = acc->stored, .duplicates = acc->duplicates, .updated = acc->updated, .rejected = acc->rejected, .unknown_tags = acc->unknown_tags, .conflicts = acc->conflicts};
        struct cs_err e2;
        cs_err_clear(&e2);
        cs_status s2 = cs_store_input_end(store, s == CS_OK, &sum, &e2);
        if (s == CS_OK && s2 != CS_OK) {
            s = s2;
            acc->err = e2;
        }
    }
    if (s != CS_OK && !acc->err.where[0]) /* a store error names no input */
        snprintf(acc->err.where, sizeof acc->err.where, "%s", path);
    if (s != CS_OK) {
        /* nothing of this input was kept: the transaction rolled back, so
         * every record read counts as rejected with the input's error */
        acc->stored = acc->duplicates = acc->updated = acc->conflicts = 0;
        if (s != CS_E_NODATA)
            acc->rejected = acc->read;
        acc->status = s;
    }
    c->records_before += c->records_now;
    c->bytes_before += st.bytes;
    return s;
}

/* Each argument's files (a directory's, searched recursively); on error
 * nothing is left allocated. */
static cs_status
expand_args(const struct cs_ingest_job *job, char ****listsp, size_t **countsp,
            struct cs_err *err)
{
    char ***lists = xcalloc(job->n_inputs ? job->n_inputs : 1, sizeof *lists);
    size_t *counts = xcalloc(job->n_inputs ? job->n_inputs : 1, sizeof *counts);
    cs_status rc = CS_OK;
    for (size_t a = 0; a < job->n_inputs && rc == CS_OK; a++)
        rc = cs_inputs_expand(&job->inputs[a], 1, &lists[a], &counts[a], err);
    if (rc != CS_OK) {
        for (size_t a = 0; a < job->n_inputs; a++)
            if (lists[a])
                cs_inputs_free(lists[a], counts[a]);
        xfree(lists);
        xfree(counts);
        return rc;
    }
    *listsp = lists;
    *countsp = counts;
    return CS_OK;
}

cs_status
cs_app_ingest(const struct cs_ingest_job *job, struct cs_store *store,
              struct cs_accounting *total, struct cs_err *err)
{
    struct cs_accounting *evt = total->ev;
    memset(total, 0, sizeof *total);
    total->name = "total";
    total->ev = evt;
    if (evt) {
        memset(evt, 0, sizeof *evt);
        evt->name = "total custom events";
    }
    /* expand every argument first: a missing path fails before any work */
    char ***lists;
    size_t *counts;
    cs_status rc = expand_args(job, &lists, &counts, err);
    if (rc != CS_OK)
        return rc;
    struct cs_afile rej = {0};
    if (job->rejects_path && cs_afile_open(&rej, job->rejects_path, err)) {
        for (size_t a = 0; a < job->n_inputs; a++)
            cs_inputs_free(lists[a], counts[a]);
        xfree(lists);
        xfree(counts);
        return CS_E_IO;
    }
    cs_status first = CS_OK;
    cs_intr_defer(true);
    struct pipeline pipe;
    struct sink_ctx c = {.store = store, .cube = store && cs_store_has_cube(store), .rejects_fp = rej.fp, .job = job};
    if (store) {
        pipeline_start(&pipe, store);
        pipe.counts = &c.counts;
        c.pipe = &pipe;
    }
    clock_gettime(CLOCK_MONOTONIC, &c.t0);
    c.last = c.t0;
    for (size_t a = 0; a < job->n_inputs; a++) {
        struct cs_accounting arg = {.name = job->inputs[a], .format = "surveys"};
        struct cs_accounting arg_ev = {.name = job->inputs[a], .format = "events"};
        cs_err_clear(&arg.err);
        cs_err_clear(&arg_ev.err);
        tagset_clear(&c.unk_arg);
        size_t n_calls = 0;
        for (size_t i = 0; i < counts[a]; i++) {
            struct cs_accounting acc;
            enum cs_content content;
            cs_status s = ingest_one(job, store, &pipe, &c, lists[a][i], &acc, &content);
            if (s == CS_OK && content == CS_CONTENT_CALLS) {
                n_calls++;
                continue;
            }
            /* a file met while walking a directory that is no export at all
             * (a script, a picture) is skipped with a warning; a file named
             * on the command line is an error */
            if (s == CS_E_PARSE && acc.read == 0 &&
                strcmp(lists[a][i], job->inputs[a]) != 0) {
                char m[sizeof acc.err.msg];
                snprintf(m, sizeof m, "skipped, %.480s", acc.err.msg);
                cs_fail(&acc.err, CS_E_NODATA, lists[a][i], "%s", m);
                s = acc.status = CS_E_NODATA;
            }
            if (s != CS_OK && first == CS_OK && s != CS_E_NODATA) {
                first = s;
                *err = acc.err;
            }
            if (job->on_input)
                job->on_input(job->ctx, &acc);
            bool is_ev = content == CS_CONTENT_EVENTS;
            add(is_ev && evt ? evt : total, &acc);
            struct cs_accounting *to = is_ev ? &arg_ev : &arg;
            add(to, &acc);
            if (s != CS_OK && to->status == CS_OK) {
                to->status = s;
                to->err = acc.err;
            }
            if (cs_intr_pending())
                break;
        }
        arg.unknown_tags_distinct = c.unk_arg.n;
        if (job->on_arg && !(n_calls && n_calls == counts[a])) {
            if (arg.read || !arg_ev.read)
                job->on_arg(job->ctx, &arg);
            if (arg_ev.read)
                job->on_arg(job->ctx, &arg_ev);
        }
        if (cs_intr_pending())
            break;
    }
    for (size_t a = 0; a < job->n_inputs; a++)
        cs_inputs_free(lists[a], counts[a]);
    xfree(lists);
    xfree(counts);
    if (store)
        pipeline_stop(&pipe);
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    total->seconds = secs_since(&c.t0, &t1);
    total->unknown_tags_distinct = c.unk_all.n;
    tagset_clear(&c.unk_file);
    tagset_clear(&c.unk_arg);
    tagset_clear(&c.unk_all);
    if (cs_intr_pending() && first == CS_OK) /* after the last input's commit */
        first = interrupted(job->n_inputs ? job->inputs[job->n_inputs - 1] : "ingest",
                            err);
    if (rej.fp && cs_intr_pending()) {
        cs_afile_abort(&rej);
    } else if (rej.fp) {
        struct cs_err e2;
        if (cs_afile_commit(&rej, &e2) != CS_OK && first == CS_OK) {
            first = e2.code;
            *err = e2;
        }
    }
    cs_intr_defer(false);
    return first;
}
