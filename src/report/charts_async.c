/*
 * report/charts_async.c: chart sections on a second thread (see
 * charts_async.h).  One mutex guards the queue, the buffered file paths,
 * the first error and the timing; one condition wakes the worker (work
 * queued or the end) and the waiter (the queue drained).
 */
#include "report/charts_async.h"

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "core/mem.h"

struct job {
    enum cs_chart_section section;
    int category;
};

struct cs_charts_async {
    cs_file_cb on_file; /* the caller's sink */
    void *ctx;
    struct cs_charts *charts; /* borrowed */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool started, busy, stop;
    struct job *jobs; /* queue: jobs[head..n) wait */
    size_t head, n, cap;
    char **files; /* written, not yet passed on */
    size_t n_files;
    struct cs_err err; /* the first error of a section */
    double seconds;
};

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct cs_charts_async *
cs_charts_async_new(cs_file_cb on_file, void *ctx)
{
    struct cs_charts_async *a = xcalloc(1, sizeof *a);
    a->on_file = on_file;
    a->ctx = ctx;
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cv, NULL);
    return a;
}

void
cs_charts_async_on_file(void *ctx, const char *path)
{
    struct cs_charts_async *a = ctx;
    char *p = xstrdup(path);
    pthread_mutex_lock(&a->mu);
    a->files = xreallocarray(a->files, a->n_files + 1, sizeof *a->files);
    a->files[a->n_files++] = p;
    pthread_mutex_unlock(&a->mu);
}

/* Draw one section (either thread); the first error is kept. */
static void
run_job(struct cs_charts_async *a, const struct job *j)
{
    struct cs_err e = {0};
    double t0 = now_s();
    cs_status rc = cs_charts_section(a->charts, j->section, j->category, &e);
    pthread_mutex_lock(&a->mu);
    a->seconds += now_s() - t0;
    if (rc != CS_OK && a->err.code == CS_OK)
        a->err = e;
    pthread_mutex_unlock(&a->mu);
}

static void *
worker(void *arg)
{
    struct cs_charts_async *a = arg;
    pthread_mutex_lock(&a->mu);
    for (;;) {
        while (a->head == a->n && !a->stop)
            pthread_cond_wait(&a->cv, &a->mu);
        if (a->head == a->n)
            break; /* stopped and drained */
        struct job j = a->jobs[a->head++];
        bool skip = a->err.code != CS_OK; /* the run fails: draw no more */
        a->busy = true;
        pthread_mutex_unlock(&a->mu);
        if (!skip)
            run_job(a, &j);
        pthread_mutex_lock(&a->mu);
        a->busy = false;
        pthread_cond_broadcast(&a->cv);
    }
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

void
cs_charts_async_start(struct cs_charts_async *a, struct cs_charts *c)
{
    a->charts = c;
    a->started = pthread_create(&a->thread, NULL, worker, a) == 0;
}

/* The first error (copied to err), else CS_OK; under the lock. */
static cs_status
first_error(struct cs_charts_async *a, struct cs_err *err)
{
    if (a->err.code == CS_OK)
        return CS_OK;
    *err = a->err;
    return err->code;
}

cs_status
cs_charts_async_section(struct cs_charts_async *a, enum cs_chart_section section,
                        int category, struct cs_err *err)
{
    struct job j = {section, category};
    if (!a->started) {
        run_job(a, &j);
        return first_error(a, err);
    }
    pthread_mutex_lock(&a->mu);
    if (a->n == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 16;
        a->jobs = xreallocarray(a->jobs, a->cap, sizeof *a->jobs);
    }
    a->jobs[a->n++] = j;
    pthread_cond_broadcast(&a->cv);
    cs_status rc = first_error(a, err);
    pthread_mutex_unlock(&a->mu);
    return rc;
}

/* Pass the buffered files on (caller's thread, not under the lock: the
 * worker is idle or only appends). */
static void
flush_files(struct cs_charts_async *a)
{
    pthread_mutex_lock(&a->mu);
    char **files = a->files;
    size_t n = a->n_files;
    a->files = NULL;
    a->n_files = 0;
    pthread_mutex_unlock(&a->mu);
    for (size_t i = 0; i < n; i++) {
        if (a->on_file)
            a->on_file(a->ctx, files[i]);
        xfree(files[i]);
    }
    xfree(files);
}

cs_status
cs_charts_async_wait(struct cs_charts_async *a, struct cs_err *err)
{
    pthread_mutex_lock(&a->mu);
    while (a->started && (a->head < a->n || a->busy))
        pthread_cond_wait(&a->cv, &a->mu);
    a->head = a->n = 0;
    cs_status rc = first_error(a, err);
    pthread_mutex_unlock(&a->mu);
    flush_files(a);
    return rc;
}

double
cs_charts_async_seconds(const struct cs_charts_async *a)
{
    return a->seconds; /* read after a wait: the worker is idle */
}

cs_status
cs_charts_async_end(struct cs_charts_async **ap, struct cs_err *err)
{
    struct cs_charts_async *a = *ap;
    if (!a)
        return CS_OK;
    cs_status rc = cs_charts_async_wait(a, err);
    if (a->started) {
        pthread_mutex_lock(&a->mu);
        a->stop = true;
        pthread_cond_broadcast(&a->cv);
        pthread_mutex_unlock(&a->mu);
        pthread_join(a->thread, NULL);
    }
    flush_files(a);
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
    xfree(a->jobs);
    xfree(a);
    *ap = NULL;
    return rc;
}
