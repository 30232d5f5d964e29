/*
 * render/xlsx_zip.c: see xlsx_zip.h.
 *
 * The parallel deflate (pigz's method): a stream started inside the fast
 * window is cut into blocks of PZ_BLOCK input bytes, each deflated on its
 * own thread with the previous 32 KB of input as its dictionary and ended
 * with a sync flush (an empty stored block, so the next block's bits start
 * on a byte boundary); the last block ends the stream.  The blocks' output,
 * concatenated in order, is one raw deflate stream that any inflater reads
 * as usual.  The caller's z_stream sees zlib's contract: deflate() consumes
 * input and produces output through next_in/avail_in/next_out/avail_out,
 * counts total_in/total_out, returns Z_OK until Z_FINISH has delivered the
 * last byte, then Z_STREAM_END.  Its zlib state, initialised by zlib, is
 * left unused and freed by deflateEnd.  minizip (zip.c of zlib 1.2.13)
 * uses only these calls and fields, and computes the CRC itself.
 */
#include "render/xlsx_zip.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "core/mem.h"

static _Thread_local bool fast;
static atomic_ulong n_fast;

void
cs_xlsx_zip_fast_begin(void)
{
    fast = true;
}

void
cs_xlsx_zip_fast_end(void)
{
    fast = false;
}

unsigned long
cs_xlsx_zip_fast_count(void)
{
    return atomic_load(&n_fast);
}

/* zlib's own definition of name (the next one after this executable's),
 * looked up once into *slot. */
static void *
real_sym(_Atomic(void *) *slot, const char *name)
{
    void *sym = atomic_load(slot);
    if (sym)
        return sym;
    sym = dlsym(RTLD_NEXT, name);
    if (!sym) { /* cannot happen with libz loaded; never fail silently */
        fprintf(stderr, "callsurvey: zlib's %s not found: %s\n", name, dlerror());
        abort();
    }
    atomic_store(slot, sym);
    return sym;
}

typedef int (*deflate_init2_fn)(z_streamp, int, int, int, int, int, const char *, int);
typedef int (*deflate_fn)(z_streamp, int);
typedef int (*deflate_end_fn)(z_streamp);

/* ---- the parallel streams ----------------------------------------------- */

#define PZ_BLOCK (1u << 20)
#define PZ_DICT 32768u
#define PZ_MAX_JOBS 9

struct pz_job {
    unsigned char *in; /* owned: the block */
    size_t n_in;
    unsigned char dict[PZ_DICT]; /* the input before it */
    size_t n_dict;
    bool final;
    unsigned char *out; /* owned: its deflate output */
    size_t n_out, drained;
    bool ok;
    pthread_t th;
    bool threaded; /* th to join */
};

struct pz {
    z_stream *strm; /* the caller's */
    struct pz *next;
    struct pz_job *job[PZ_MAX_JOBS]; /* in stream order from head */
    size_t head, n, max_jobs;
    unsigned char *cur; /* owned: the block being filled */
    size_t n_cur;
    unsigned char tail[PZ_DICT]; /* the last input bytes so far */
    size_t n_tail;
    bool finished; /* the final block is submitted */
    bool failed;
};

static _Thread_local struct pz *pz_list; /* the fast streams of this thread */

static void *
pz_compress(void *arg)
{
    struct pz_job *j = arg;
    z_stream s;
    memset(&s, 0, sizeof s);
    j->ok = false;
    /* a plain zlib stream, also when the stream's own thread deflates */
    bool was_fast = fast;
    fast = false;
    int rc = deflateInit2(&s, Z_BEST_SPEED, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    fast = was_fast;
    if (rc != Z_OK)
        return NULL;
    if (j->n_dict && deflateSetDictionary(&s, j->dict, (uInt)j->n_dict) != Z_OK) {
        deflateEnd(&s);
        return NULL;
    }
    size_t cap = deflateBound(&s, (uLong)j->n_in) + 64; /* + the sync flush's block */
    j->out = malloc(cap);                               /* freed by the stream's thread (pz_pop) */
    if (j->out) {
        s.next_in = j->in;
        s.avail_in = (uInt)j->n_in;
        s.next_out = j->out;
        s.avail_out = (uInt)cap;
        rc = deflate(&s, j->final ? Z_FINISH : Z_SYNC_FLUSH);
        j->ok = j->final ? rc == Z_STREAM_END : rc == Z_OK && s.avail_in == 0 && s.avail_out > 0;
        j->n_out = cap - s.avail_out;
    }
    deflateEnd(&s);
    return NULL;
}

/* Wait for the oldest block (it may already be done). */
static void
pz_wait_head(struct pz *p)
{
    struct pz_job *j = p->job[p->head];
    if (j->threaded) {
        pthread_join(j->th, NULL);
        j->threaded = false;
    }
}

static void
pz_job_free(struct pz_job *j)
{
    if (j->threaded)
        pthread_join(j->th, NULL);
    free(j->out);
    xfree(j->in);
    xfree(j);
}

/* Hand the block being filled to a thread (the stream's only block is
 * deflated here: no thread to wait for). */
static void
pz_submit(struct pz *p, bool final)
{
    struct pz_job *j = xcalloc(1, sizeof *j);
    j->in = p->cur;
    j->n_in = p->n_cur;
    memcpy(j->dict, p->tail, p->n_tail);
    j->n_dict = p->n_tail;
    j->final = final;
    /* the dictionary of the next block: the last PZ_DICT bytes so far */
    if (p->n_cur >= PZ_DICT) {
        memcpy(p->tail, p->cur + p->n_cur - PZ_DICT, PZ_DICT);
        p->n_tail = PZ_DICT;
    } else {
        size_t keep = p->n_tail + p->n_cur > PZ_DICT ? PZ_DICT - p->n_cur : p->n_tail;
        memmove(p->tail, p->tail + p->n_tail - keep, keep);
        memcpy(p->tail + keep, p->cur, p->n_cur);
        p->n_tail = keep + p->n_cur;
    }
    p->cur = final ? NULL : xmalloc(PZ_BLOCK);
    p->n_cur = 0;
    p->finished = final;
    p->job[(p->head + p->n) % PZ_MAX_JOBS] = j;
    p->n++;
    if (final && p->n == 1)
        pz_compress(j);
    else if (pthread_create(&j->th, NULL, pz_compress, j) == 0)
        j->threaded = true;
    else
        pz_compress(j);
}

/* Copy finished blocks' output, in order, into the caller's buffer.
 * false: the buffer is full, or a block failed (p->failed). */
static bool
pz_drain(struct pz *p)
{
    z_stream *s = p->strm;
    while (p->n) {
        struct pz_job *j = p->job[p->head];
        if (j->threaded)
            return true; /* still deflating, or not joined: later */
        if (!j->ok) {
            p->failed = true;
            return false;
        }
        size_t k = j->n_out - j->drained;
        if (k > s->avail_out)
            k = s->avail_out;
        memcpy(s->next_out, j->out + j->drained, k);
        s->next_out += k;
        s->avail_out -= (uInt)k;
        s->total_out += (uLong)k;
        j->drained += k;
        if (j->drained < j->n_out)
            return false;
        pz_job_free(j);
        p->head = (p->head + 1) % PZ_MAX_JOBS;
        p->n--;
    }
    return true;
}

static int
pz_deflate(struct pz *p, int flush)
{
    z_stream *s = p->strm;
    for (;;) {
        if (p->failed || (!pz_drain(p) && p->failed))
            return Z_STREAM_ERROR;
        if (s->avail_out == 0)
            return Z_OK; /* the caller writes its buffer out and calls again */
        bool last = flush == Z_FINISH && s->avail_in == 0 && !p->finished;
        if (!p->finished && (p->n_cur == PZ_BLOCK || last)) {
            if (p->n == p->max_jobs)
                pz_wait_head(p);
            else
                pz_submit(p, last);
            continue;
        }
        if (s->avail_in && !p->finished) {
            size_t k = PZ_BLOCK - p->n_cur;
            if (k > s->avail_in)
                k = s->avail_in;
            memcpy(p->cur + p->n_cur, s->next_in, k);
            p->n_cur += k;
            s->next_in += k;
            s->avail_in -= (uInt)k;
            s->total_in += (uLong)k;
            continue;
        }
        if (flush != Z_FINISH)
            return Z_OK;
        if (p->n == 0)
            return Z_STREAM_END;
        pz_wait_head(p);
    }
}

static struct pz *
pz_find(z_streamp strm, struct pz ***link)
{
    for (struct pz **l = &pz_list; *l; l = &(*l)->next)
        if ((*l)->strm == strm) {
            if (link)
                *link = l;
            return *l;
        }
    return NULL;
}

static void
pz_start(z_streamp strm)
{
    struct pz *p = xcalloc(1, sizeof *p);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    p->max_jobs = cpus < 2 ? 2 : cpus > PZ_MAX_JOBS - 1 ? PZ_MAX_JOBS
                                                        : (size_t)cpus + 1;
    p->strm = strm;
    p->cur = xmalloc(PZ_BLOCK);
    p->next = pz_list;
    pz_list = p;
}

/* ---- zlib's entry points -------------------------------------------------- */

/* zlib's deflateInit/deflateInit2 macros call deflateInit2_; minizip and
 * libpng reach it, deflate and deflateEnd through the dynamic linker, which
 * finds these first (the link exports them). */
int
deflateInit2_(z_streamp strm, int level, int method, int window_bits, int mem_level,
              int strategy, const char *version, int stream_size)
{
    static _Atomic(void *) slot;
    void *sym = real_sym(&slot, "deflateInit2_");
    deflate_init2_fn f; /* POSIX's way from void * to a function (a cast is not ISO C) */
    memcpy(&f, &sym, sizeof f);
    bool par = false;
    if (fast && level != 0) { /* level 0 (stored) stays stored */
        level = Z_BEST_SPEED;
        atomic_fetch_add(&n_fast, 1);
        /* raw deflate (minizip's) only: a zlib or gzip wrapper would need
         * its checksum computed here */
        par = window_bits < 0;
    }
    int rc = f(strm, level, method, window_bits, mem_level, strategy, version, stream_size);
    if (rc == Z_OK && par)
        pz_start(strm);
    return rc;
}

int
deflate(z_streamp strm, int flush)
{
    struct pz *p = pz_list ? pz_find(strm, NULL) : NULL;
    if (p && (flush == Z_NO_FLUSH || flush == Z_FINISH))
        return pz_deflate(p, flush);
    if (p)
        return Z_STREAM_ERROR; /* other flushes are not used on these streams */
    static _Atomic(void *) slot;
    void *sym = real_sym(&slot, "deflate");
    deflate_fn f;
    memcpy(&f, &sym, sizeof f);
    return f(strm, flush);
}

int
deflateEnd(z_streamp strm)
{
    struct pz **link = NULL;
    struct pz *p = pz_list ? pz_find(strm, &link) : NULL;
    if (p) {
        *link = p->next;
        while (p->n) {
            pz_job_free(p->job[p->head]);
            p->head = (p->head + 1) % PZ_MAX_JOBS;
            p->n--;
        }
        xfree(p->cur);
        xfree(p);
    }
    static _Atomic(void *) slot;
    void *sym = real_sym(&slot, "deflateEnd");
    deflate_end_fn f;
    memcpy(&f, &sym, sizeof f);
    return f(strm);
}
