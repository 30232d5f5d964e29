/*
 * ingest/lines_par.c: JSON Lines parsed by several threads (issue 22,
 * "parse in parallel").
 *
 * The caller's thread reads the input into parts ("chunks") that end at a
 * line end, chunk_lines lines each, and counts their newlines, so every
 * chunk knows the number of its first line.  Parser threads take the
 * chunks in order and run the ordinary loader (cs_json_lines) over each
 * one, with a capture sink: records are built straight into buffers the
 * real sink lends (no copy), rejects and events are copied into the
 * chunk's log.  The caller hands the log of the oldest chunk to the real
 * sink as it grows, item by item, then the next chunk's: the sink sees
 * what a single parser would have shown it, in the same order, from the
 * caller's thread only; just the batches are cut at chunk ends.
 *
 * Lent buffers are few (the store's pipeline has 4), so a parser whose
 * chunk is not the oldest may hold only YOUNG_MAX of them, all such
 * parsers together: the oldest chunk's parser can then always get one once
 * the store frees what it was handed.  A failure of the sink, a read
 * error or an interrupt (reported by the sink) stops the parsers at their
 * next callback; the buffers in the logs go back to the sink unused.
 *
 * Memory: NCHUNK = 2 x parsers chunks of about 1024 lines each in flight
 * (a line up to CS_INGEST_SPAN_MAX grows its chunk while it is read), and
 * their logs.
 */
#include "ingest/ingest_int.h"

#include <pthread.h>
#include <string.h>

#include "core/mem.h"

#define CS_INGEST_PARSERS_MAX 8 /* parser threads at most */
#define CHUNK_LINES 1024        /* default lines per chunk */
#define READ_FIRST (1u << 20)   /* bytes of the first read of a chunk */
#define READ_MIN (64u << 10)    /* ... and its bounds once lines are seen */
#define READ_MAX (8u << 20)
#define YOUNG_MAX 2              /* lent buffers held by parsers of younger chunks */
#define ARENA_BLOCK (256u << 10) /* the logs' string blocks */

enum { I_SID,
       I_REASON,
       I_RAW,
       I_PROPS,
       I_MEAS,
       I_NAME,
       I_APP,
       I_OS,
       I_BROWSER,
       I__N };

enum item_kind { IT_RECS,
                 IT_REJECT,
                 IT_EVENT };

/* One call of the real sink, waiting in a chunk's log. */
struct item {
    enum item_kind kind;
    int worker;             /* IT_RECS: the parser that holds the buffer */
    struct cs_record *recs; /* IT_RECS: a lent (or pooled) buffer */
    size_t n;
    uint64_t line;
    uint32_t index;
    int64_t time_us;
    const char *s[I__N]; /* into the chunk's arena; NULL: none */
    size_t len[I__N];
};

/* String blocks that never move (the caller reads a log while it grows). */
struct blk {
    struct blk *next;
    size_t len, cap;
    char data[];
};

enum chunk_state { C_FREE,
                   C_READY,
                   C_PARSING,
                   C_DONE };

struct chunk {
    enum chunk_state state;
    uint64_t seq;
    char *text; /* owned: whole lines */
    size_t len, cap;
    uint64_t line;      /* number of its first line */
    bool overlong;      /* a line over CS_INGEST_SPAN_MAX, dropped: its reject */
    struct item *items; /* owned log */
    size_t n_items, cap_items;
    size_t next;       /* first item not yet handed to the sink */
    struct blk *arena; /* owned, newest first */
};

struct par;

struct worker {
    struct par *p;
    int id;
    pthread_t th;
    struct cs_ingest_run run; /* its own tokens, scratch, batch, stats */
    struct cs_ingest_stats stats;
    struct cs_err err;
    struct cs_ingest_sink cap; /* the capture sink (ctx = this) */
    struct chunk *cur;         /* the chunk it parses */
    int held;                  /* lent buffers taken, not yet handed on */
    bool exited;
};

struct par {
    pthread_mutex_t m;
    pthread_cond_t cv;                 /* any change below */
    const struct cs_ingest_sink *sink; /* the real one */
    struct chunk *chunks;              /* owned ring of NCHUNK */
    int n_chunks;
    uint64_t seq_read;   /* chunks read so far */
    uint64_t seq_parse;  /* chunks taken by parsers */
    uint64_t seq_replay; /* the oldest chunk not yet handed on */
    bool eof;            /* every chunk is read */
    bool abort;          /* stop: a failure */
    cs_status status;    /* the failure */
    struct worker w[CS_INGEST_PARSERS_MAX];
    int n_workers;
    struct cs_record **pool; /* own buffers, when the sink lends none */
    int n_pool, cap_pool;
    struct cs_record *scratch; /* owned: the reject record handed on */
};

/* ---- logs ------------------------------------------------------------ */

static const char *
arena_copy(struct chunk *c, const char *s, size_t len)
{
    if (!s)
        return NULL;
    struct blk *b = c->arena;
    if (!b || b->cap - b->len < len + 1) {
        size_t cap = len + 1 > ARENA_BLOCK ? len + 1 : ARENA_BLOCK;
        b = xmalloc(sizeof *b + cap);
        b->cap = cap;
        b->len = 0;
        b->next = c->arena;
        c->arena = b;
    }
    char *d = b->data + b->len;
    if (len)
        memcpy(d, s, len);
    d[len] = '\0';
    b->len += len + 1;
    return d;
}

/* Keep the newest block (emptied) for the chunk's next use. */
static void
arena_reset(struct chunk *c)
{
    if (!c->arena)
        return;
    struct blk *b = c->arena->next;
    while (b) {
        struct blk *n = b->next;
        xfree(b);
        b = n;
    }
    if (c->arena->cap > ARENA_BLOCK) {
        xfree(c->arena);
        c->arena = NULL;
        return;
    }
    c->arena->next = NULL;
    c->arena->len = 0;
}

/* Append an item to the worker's chunk log (strings already in the arena). */
static void
log_item(struct worker *w, const struct item *it)
{
    struct par *p = w->p;
    struct chunk *c = w->cur;
    pthread_mutex_lock(&p->m);
    if (c->n_items == c->cap_items) {
        c->cap_items = c->cap_items ? c->cap_items * 2 : 256;
        c->items = xreallocarray(c->items, c->cap_items, sizeof *c->items);
    }
    c->items[c->n_items++] = *it;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->m);
}

/* What a capture callback answers: the failure that stopped the run. */
static cs_status
cap_status(struct worker *w)
{
    pthread_mutex_lock(&w->p->m);
    cs_status s = w->p->abort ? (w->p->status != CS_OK ? w->p->status : CS_E_INTERRUPTED)
                              : CS_OK;
    pthread_mutex_unlock(&w->p->m);
    return s;
}

/* ---- the capture sink (a parser's thread) ---------------------------- */

static cs_status
cap_records(void *ctx, struct cs_record *recs, size_t n, struct cs_err *err)
{
    (void)err;
    struct worker *w = ctx;
    struct item it = {.kind = IT_RECS, .worker = w->id, .recs = recs, .n = n};
    log_item(w, &it);
    return cap_status(w);
}

static bool
is_oldest(const struct par *p, const struct worker *w)
{
    return w->cur && w->cur->seq == p->seq_replay;
}

static int
young_held(const struct par *p)
{
    int n = 0;
    for (int i = 0; i < p->n_workers; i++)
        if (!is_oldest(p, &p->w[i]))
            n += p->w[i].held;
    return n;
}

static struct cs_record *
cap_get_buffer(void *ctx)
{
    struct worker *w = ctx;
    struct par *p = w->p;
    pthread_mutex_lock(&p->m);
    while (!p->abort && !is_oldest(p, w) && young_held(p) >= YOUNG_MAX)
        pthread_cond_wait(&p->cv, &p->m);
    w->held++;
    struct cs_record *b = NULL;
    if (!p->sink->get_buffer && p->n_pool > 0)
        b = p->pool[--p->n_pool];
    pthread_mutex_unlock(&p->m);
    if (p->sink->get_buffer)
        return p->sink->get_buffer(p->sink->ctx);
    return b ? b : xmalloc(sizeof(struct cs_record) * CS_INGEST_BATCH);
}

/* The sink's `made`, on the worker's thread (its buffers are the sink's). */
static void
cap_made(void *ctx, struct cs_record *batch, size_t i)
{
    const struct cs_ingest_sink *k = ((struct worker *)ctx)->p->sink;
    k->made(k->ctx, batch, i);
}

static cs_status
cap_reject(void *ctx, const struct cs_record *rec, const char *raw,
           size_t raw_len, struct cs_err *err)
{
    (void)err;
    struct worker *w = ctx;
    struct item it = {.kind = IT_REJECT, .line = rec->line, .index = rec->index};
    const char *v[3] = {rec->survey_id, rec->reason, raw};
    size_t l[3] = {strlen(rec->survey_id), strlen(rec->reason), raw_len};
    for (int k = 0; k < 3; k++) {
        it.s[I_SID + k] = arena_copy(w->cur, v[k], l[k]);
        it.len[I_SID + k] = l[k];
    }
    log_item(w, &it);
    return cap_status(w);
}

static cs_status
cap_event(void *ctx, const struct cs_event *ev, const char *raw,
          size_t raw_len, struct cs_err *err)
{
    (void)err;
    struct worker *w = ctx;
    struct item it = {.kind = IT_EVENT, .line = ev->line, .time_us = ev->time_us};
    const char *v[I__N] = {[I_SID] = ev->survey_id,
                           [I_RAW] = raw,
                           [I_PROPS] = ev->props,
                           [I_MEAS] = ev->measurements,
                           [I_NAME] = ev->name,
                           [I_APP] = ev->app_version,
                           [I_OS] = ev->client_os,
                           [I_BROWSER] = ev->browser};
    for (int k = 0; k < I__N; k++) {
        size_t l = k == I_RAW     ? raw_len
                   : k == I_PROPS ? ev->props_len
                   : k == I_MEAS  ? ev->measurements_len
                   : v[k]         ? strlen(v[k])
                                  : 0;
        it.s[k] = arena_copy(w->cur, v[k], l);
        it.len[k] = l;
    }
    log_item(w, &it);
    return cap_status(w);
}

/* ---- parser threads --------------------------------------------------- */

/* Parse chunk c with worker w's run; its last, partial batch goes to the
 * log too (the next chunk starts a new one). */
static void
parse_chunk(struct worker *w, struct chunk *c)
{
    struct cs_ingest_run *run = &w->run;
    if (c->overlong) {
        cs_run_reject_overlong(run, c->line);
    } else {
        struct cs_reader rd = {.fd = -1, .buf = c->text, .cap = c->cap, .len = c->len, .eof = true, .line = c->line};
        cs_json_lines(run, &rd);
    }
    if (run->n_batch > 0) {
        struct item it = {.kind = IT_RECS, .worker = w->id, .recs = run->batch, .n = run->n_batch};
        log_item(w, &it);
        run->batch = NULL;
        run->n_batch = 0;
    }
}

static void *
parser_main(void *arg)
{
    struct worker *w = arg;
    struct par *p = w->p;
    pthread_mutex_lock(&p->m);
    for (;;) {
        while (!p->abort && p->seq_parse == p->seq_read && !p->eof)
            pthread_cond_wait(&p->cv, &p->m);
        if (p->abort || p->seq_parse == p->seq_read)
            break;
        struct chunk *c = &p->chunks[p->seq_parse % (uint64_t)p->n_chunks];
        p->seq_parse++;
        c->state = C_PARSING;
        w->cur = c;
        pthread_mutex_unlock(&p->m);
        parse_chunk(w, c);
        pthread_mutex_lock(&p->m);
        c->state = C_DONE;
        pthread_cond_broadcast(&p->cv);
        if (w->run.status != CS_OK) /* stopped by a failure */
            break;
    }
    w->cur = NULL;
    w->exited = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->m);
    return NULL;
}

/* ---- the caller's thread: reading ------------------------------------ */

struct feed {
    struct cs_reader *rd; /* fd, bytes, eof, read_errno */
    char *carry;          /* owned: the start of the next chunk's first line */
    size_t carry_len, carry_cap;
    uint64_t line;  /* number of the next chunk's first line */
    size_t want;    /* bytes to read for the next chunk */
    unsigned lines; /* lines per chunk */
};

/* Read into c->text[c->len..) until it holds `want` bytes or the input
 * ends; false on a read error. */
static bool
fill_to(struct feed *f, struct chunk *c, size_t want)
{
    if (want > c->cap) {
        c->text = xrealloc(c->text, want);
        c->cap = want;
    }
    while (!f->rd->eof && c->len < want) {
        ssize_t n = cs_reader_read(f->rd, c->text + c->len, want - c->len);
        if (n < 0)
            return false;
        c->len += (size_t)n;
    }
    return true;
}

static void
keep_carry(struct feed *f, const char *s, size_t n)
{
    if (n > f->carry_cap) {
        f->carry = xrealloc(f->carry, n);
        f->carry_cap = n;
    }
    if (n)
        memcpy(f->carry, s, n);
    f->carry_len = n;
}

/* A line longer than CS_INGEST_SPAN_MAX began at c->text[0]: drop it to
 * its end (as the single-thread loader does), leaving a chunk that only
 * rejects it; false on a read error. */
static bool
drop_overlong(struct feed *f, struct chunk *c)
{
    c->overlong = true;
    for (;;) {
        char *nl = memchr(c->text, '\n', c->len);
        if (nl) {
            keep_carry(f, nl + 1, c->len - (size_t)(nl + 1 - c->text));
            break;
        }
        if (f->rd->eof)
            break;
        c->len = 0;
        if (!fill_to(f, c, c->cap))
            return false;
    }
    c->len = 0;
    f->line = c->line + 1;
    return true;
}

/* Read the next chunk into c: whole lines, f->lines of them at most (the
 * input's last line may lack its newline); false on a read error. */
static bool
read_chunk(struct feed *f, struct chunk *c)
{
    c->len = 0;
    c->overlong = false;
    c->line = f->line;
    size_t want = f->want > f->carry_len ? f->want : f->carry_len + READ_MIN;
    if (want > c->cap) {
        c->text = xrealloc(c->text, want);
        c->cap = want;
    }
    if (f->carry_len)
        memcpy(c->text, f->carry, f->carry_len);
    c->len = f->carry_len;
    f->carry_len = 0;
    size_t scanned = 0, cut = 0;
    uint64_t nl = 0;
    for (;;) {
        if (!fill_to(f, c, want))
            return false;
        /* find the end of line number f->lines (or the last one) */
        const char *q = c->text + scanned, *end = c->text + c->len;
        while (nl < f->lines && q < end) {
            const char *e = memchr(q, '\n', (size_t)(end - q));
            if (!e)
                break;
            nl++;
            cut = (size_t)(e + 1 - c->text);
            q = e + 1;
        }
        scanned = (size_t)(q - c->text);
        if (nl == f->lines || f->rd->eof || (cut > 0 && c->len == want))
            break;
        if (cut == 0 && c->len > CS_INGEST_SPAN_MAX)
            return drop_overlong(f, c);
        want = c->cap * 2; /* a long line: read on, to one byte past the longest */
        if (want > CS_INGEST_SPAN_MAX + 1)
            want = CS_INGEST_SPAN_MAX + 1;
    }
    if (f->rd->eof && nl < f->lines) /* the rest, a last line without newline */
        cut = c->len;
    keep_carry(f, c->text + cut, c->len - cut);
    c->len = cut;
    f->line = c->line + nl;
    /* the next read: about this chunk's bytes, so that little is carried */
    size_t next = cut + cut / 16 + 4096;
    f->want = next < READ_MIN ? READ_MIN : next > READ_MAX ? READ_MAX
                                                           : next;
    return true;
}

/* ---- the caller's thread: handing the logs on ------------------------ */

/* Give buffer b (lent by the sink, or pooled) back unused. */
static void
give_back(struct par *p, struct cs_record *b)
{
    if (p->sink->get_buffer) {
        struct cs_err e;
        p->sink->records(p->sink->ctx, b, 0, &e);
        return;
    }
    pthread_mutex_lock(&p->m);
    if (p->n_pool == p->cap_pool) {
        p->cap_pool = p->cap_pool ? p->cap_pool * 2 : 8;
        p->pool = xreallocarray(p->pool, (size_t)p->cap_pool, sizeof *p->pool);
    }
    p->pool[p->n_pool++] = b;
    pthread_mutex_unlock(&p->m);
}

/* One logged call, made on the real sink. */
static cs_status
forward(struct par *p, const struct item *it, struct cs_err *err)
{
    const struct cs_ingest_sink *k = p->sink;
    cs_status s = CS_OK;
    switch (it->kind) {
    case IT_RECS:
        if (k->records)
            s = k->records(k->ctx, it->recs, it->n, err);
        if (!k->get_buffer)
            give_back(p, it->recs);
        return s;
    case IT_REJECT: {
        struct cs_record *r = p->scratch;
        cs_record_clear(r);
        r->line = it->line;
        r->index = it->index;
        memcpy(r->survey_id, it->s[I_SID], it->len[I_SID] + 1);
        memcpy(r->reason, it->s[I_REASON], it->len[I_REASON] + 1);
        return k->reject ? k->reject(k->ctx, r, it->s[I_RAW], it->len[I_RAW], err) : CS_OK;
    }
    case IT_EVENT: {
        struct cs_event ev = {.time_us = it->time_us,
                              .line = it->line,
                              .props = it->s[I_PROPS],
                              .props_len = it->len[I_PROPS],
                              .measurements = it->s[I_MEAS],
                              .measurements_len = it->len[I_MEAS],
                              .name = it->s[I_NAME],
                              .app_version = it->s[I_APP],
                              .client_os = it->s[I_OS],
                              .browser = it->s[I_BROWSER]};
        memcpy(ev.survey_id, it->s[I_SID], it->len[I_SID] + 1);
        return k->event(k->ctx, &ev, it->s[I_RAW], it->len[I_RAW], err);
    }
    }
    return CS_OK;
}

/* Empty chunk c for reuse (p->m held); a chunk grown past a long line
 * gives the memory back. */
static void
chunk_recycle(struct chunk *c)
{
    c->state = C_FREE;
    c->n_items = c->next = 0;
    arena_reset(c);
    if (c->cap > 4 * READ_MAX) {
        xfree(c->text);
        c->text = NULL;
        c->cap = 0;
    }
}

/* Hand on what the oldest chunk logged, read ahead while a chunk is free,
 * until the input is read and handed on or something fails (p->m held on
 * entry and return). */
static cs_status
run_caller(struct par *p, struct feed *f, struct cs_ingest_run *run)
{
    for (;;) {
        struct chunk *c = &p->chunks[p->seq_replay % (uint64_t)p->n_chunks];
        if (p->seq_replay < p->seq_read && c->next < c->n_items) {
            struct item it = c->items[c->next++];
            if (it.kind == IT_RECS)
                p->w[it.worker].held--;
            pthread_cond_broadcast(&p->cv);
            pthread_mutex_unlock(&p->m);
            cs_status s = forward(p, &it, run->err);
            pthread_mutex_lock(&p->m);
            if (s != CS_OK)
                return s;
            continue;
        }
        if (p->seq_replay < p->seq_read && c->state == C_DONE) {
            chunk_recycle(c);
            p->seq_replay++;
            pthread_cond_broadcast(&p->cv);
            continue;
        }
        if (!p->eof && p->seq_read - p->seq_replay < (uint64_t)p->n_chunks) {
            struct chunk *r = &p->chunks[p->seq_read % (uint64_t)p->n_chunks];
            pthread_mutex_unlock(&p->m);
            bool ok = read_chunk(f, r);
            pthread_mutex_lock(&p->m);
            if (!ok)
                return cs_fail(run->err, CS_E_IO, run->name, "read error: %s",
                               strerror(f->rd->read_errno));
            if (r->len > 0 || r->overlong) {
                r->seq = p->seq_read++;
                r->state = C_READY;
            }
            if (f->rd->eof && f->carry_len == 0)
                p->eof = true;
            pthread_cond_broadcast(&p->cv);
            continue;
        }
        if (p->eof && p->seq_replay == p->seq_read)
            return CS_OK;
        pthread_cond_wait(&p->cv, &p->m);
    }
}

/* Stop the parsers after a failure: the buffers in the logs go back to the
 * sink (a parser may be waiting for one) until every parser has left
 * (p->m held on entry and return). */
static void
stop_parsers(struct par *p, cs_status s)
{
    p->abort = true;
    p->status = s;
    pthread_cond_broadcast(&p->cv);
    for (;;) {
        struct cs_record *back[64];
        int n = 0;
        for (int i = 0; i < p->n_chunks && n < 64; i++) {
            struct chunk *c = &p->chunks[i];
            for (; c->next < c->n_items && n < 64; c->next++)
                if (c->items[c->next].kind == IT_RECS) {
                    back[n++] = c->items[c->next].recs;
                    p->w[c->items[c->next].worker].held--;
                }
        }
        bool all_out = true;
        for (int i = 0; i < p->n_workers; i++)
            all_out &= p->w[i].exited;
        if (n == 0 && all_out)
            return;
        if (n == 0) {
            pthread_cond_wait(&p->cv, &p->m);
            continue;
        }
        pthread_mutex_unlock(&p->m);
        for (int i = 0; i < n; i++)
            give_back(p, back[i]);
        pthread_mutex_lock(&p->m);
    }
}

static void
add_stats(struct cs_ingest_stats *t, const struct cs_ingest_stats *a)
{
    t->read += a->read;
    t->valid += a->valid;
    t->rejected += a->rejected;
    t->events_read += a->events_read;
    t->events_skipped += a->events_skipped;
    t->events_rejected += a->events_rejected;
    t->events_valid += a->events_valid;
    t->unknown_tags += a->unknown_tags;
    t->truncated |= a->truncated;
    if (a->content == CS_CONTENT_EVENTS)
        t->content = CS_CONTENT_EVENTS;
}

static int
start_parsers(struct par *p, struct cs_ingest_run *run, int want)
{
    for (int i = 0; i < want; i++) {
        struct worker *w = &p->w[i];
        memset(w, 0, sizeof *w);
        w->p = p;
        w->id = i;
        cs_err_clear(&w->err);
        w->cap = (struct cs_ingest_sink){.ctx = w,
                                         .records = cap_records,
                                         .get_buffer = cap_get_buffer,
                                         .made = run->sink->get_buffer && run->sink->made
                                                     ? cap_made
                                                     : NULL,
                                         .reject = cap_reject,
                                         .event = run->sink->event ? cap_event : NULL};
        w->run = (struct cs_ingest_run){.name = run->name,
                                        .opts = run->opts,
                                        .sink = &w->cap,
                                        .stats = &w->stats,
                                        .err = &w->err,
                                        .scratch = xmalloc(CS_RAW_MAX)};
        if (pthread_create(&w->th, NULL, parser_main, w) != 0) {
            xfree(w->run.scratch);
            break;
        }
        p->n_workers++;
    }
    return p->n_workers;
}

bool
cs_json_lines_par(struct cs_ingest_run *run, struct cs_reader *rd, cs_status *st)
{
    struct par p = {.sink = run->sink};
    pthread_mutex_init(&p.m, NULL);
    pthread_cond_init(&p.cv, NULL);
    int want = run->opts->parsers > CS_INGEST_PARSERS_MAX ? CS_INGEST_PARSERS_MAX : run->opts->parsers;
    p.n_chunks = 2 * want;
    p.chunks = xcalloc((size_t)p.n_chunks, sizeof *p.chunks);
    pthread_mutex_lock(&p.m); /* the parsers wait for the first chunk */
    if (start_parsers(&p, run, want) < 2) {
        stop_parsers(&p, CS_OK);
        pthread_mutex_unlock(&p.m);
        for (int i = 0; i < p.n_workers; i++) {
            pthread_join(p.w[i].th, NULL);
            xfree(p.w[i].run.scratch);
        }
        xfree(p.chunks);
        pthread_mutex_destroy(&p.m);
        pthread_cond_destroy(&p.cv);
        return false;
    }
    pthread_mutex_unlock(&p.m);
    if (run->batch && run->sink->get_buffer) { /* the caller fills none */
        struct cs_err e;
        run->sink->records(run->sink->ctx, run->batch, 0, &e);
        run->batch = NULL;
    }
    p.scratch = xmalloc(sizeof *p.scratch);
    struct feed f = {.rd = rd,
                     .line = rd->line,
                     .want = READ_FIRST,
                     .lines = run->opts->chunk_lines ? run->opts->chunk_lines : CHUNK_LINES};
    keep_carry(&f, rd->buf + rd->pos, rd->len - rd->pos);
    pthread_mutex_lock(&p.m);
    cs_status s = run_caller(&p, &f, run);
    if (s != CS_OK)
        stop_parsers(&p, s);
    else
        pthread_cond_broadcast(&p.cv); /* p.eof: the parsers leave */
    pthread_mutex_unlock(&p.m);
    for (int i = 0; i < p.n_workers; i++) {
        struct worker *w = &p.w[i];
        pthread_join(w->th, NULL);
        if (w->run.batch)
            give_back(&p, w->run.batch);
        add_stats(run->stats, &w->stats);
        xfree(w->run.toks);
        xfree(w->run.scratch);
    }
    for (int i = 0; i < p.n_chunks; i++) {
        struct chunk *c = &p.chunks[i];
        arena_reset(c);
        xfree(c->arena);
        xfree(c->text);
        xfree(c->items);
    }
    xfree(p.chunks);
    for (int i = 0; i < p.n_pool; i++)
        xfree(p.pool[i]);
    xfree(p.pool);
    xfree(p.scratch);
    xfree(f.carry);
    pthread_mutex_destroy(&p.m);
    pthread_cond_destroy(&p.cv);
    rd->pos = rd->len;
    *st = s;
    return true;
}
