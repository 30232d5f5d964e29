/*
 * report/charts_async.c: chart sections on worker threads (see
 * charts_async.h).  One mutex guards the queue, the jobs' files and
 * errors and the timing; one condition wakes the workers (work queued or
 * the end) and the waiter (a job done).  A job's files are kept with the
 * job and passed on in queue order, whichever worker drew it.
 */
#include "report/charts_async.h"

#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "core/mem.h"

/* Workers when sections may be drawn side by side (cs_charts_concurrent):
 * at 100,000 surveys the charts (0.9 s, three quarters PNG deflate) were
 * the end of the report, the main thread's workbook done after 0.4 s. */
#define WORKERS_MAX 2

struct job {
    enum cs_chart_section section;
    int category;
    bool done;
    char **files; /* written by this job, not yet passed on */
    size_t n_files;
    struct cs_err err; /* its error, code CS_OK when none */
};

struct cs_charts_async {
    cs_file_cb on_file; /* the caller's sink */
    void *ctx;
    struct cs_charts *charts; /* borrowed */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread[WORKERS_MAX];
    int n_workers, active; /* started; drawing now */
    bool stop, failed;     /* failed: a job failed, draw no more */
    struct job *jobs;      /* queue: jobs[head..n) wait, jobs[flushed..head) taken */
    size_t flushed, head, n, cap;
    char **inline_files; /* files of sections drawn in line (no worker) */
    size_t n_inline;
    struct cs_err inline_err;
    struct cs_err first;        /* the first error in queue order, once found */
    double seconds, busy_since; /* time with a section drawing, and since when */
};

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The job a thread is drawing (its files go there), NULL in line. */
static _Thread_local struct job *current;

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
    char ***files = current ? &current->files : &a->inline_files;
    size_t *n = current ? &current->n_files : &a->n_inline;
    *files = xreallocarray(*files, *n + 1, sizeof **files);
    (*files)[(*n)++] = p;
    pthread_mutex_unlock(&a->mu);
}

/* Draw job k (a worker, the lock not held: the jobs array only grows
 * under the lock while nobody draws, see cs_charts_async_section). */
static void
run_job(struct cs_charts_async *a, size_t k)
{
    struct cs_err e = {0};
    struct job *j = &a->jobs[k];
    current = j;
    cs_status rc = cs_charts_section(a->charts, j->section, j->category, &e);
    current = NULL;
    pthread_mutex_lock(&a->mu);
    if (rc != CS_OK) {
        a->jobs[k].err = e;
        a->failed = true;
    }
    a->jobs[k].done = true;
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
        size_t k = a->head++;
        if (a->failed) { /* the run fails: draw no more */
            a->jobs[k].done = true;
            continue;
        }
        if (a->active++ == 0)
            a->busy_since = now_s();
        pthread_mutex_unlock(&a->mu);
        run_job(a, k);
        pthread_mutex_lock(&a->mu);
        if (--a->active == 0)
            a->seconds += now_s() - a->busy_since;
        pthread_cond_broadcast(&a->cv);
    }
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

void
cs_charts_async_start(struct cs_charts_async *a, struct cs_charts *c)
{
    a->charts = c;
    int want = cs_charts_concurrent(c) ? WORKERS_MAX : 1;
    while (a->n_workers < want &&
           pthread_create(&a->thread[a->n_workers], NULL, worker, a) == 0)
        a->n_workers++;
}

/* Every job taken so far is done (under the lock). */
static bool
all_done(const struct cs_charts_async *a)
{
    if (a->head < a->n)
        return false;
    for (size_t k = a->flushed; k < a->head; k++)
        if (!a->jobs[k].done)
            return false;
    return true;
}

/* The first error in queue order (copied to err), else CS_OK; under the
 * lock, every job done. */
static cs_status
first_error(struct cs_charts_async *a, struct cs_err *err)
{
    if (a->first.code == CS_OK && a->inline_err.code != CS_OK)
        a->first = a->inline_err;
    for (size_t k = a->flushed; a->first.code == CS_OK && k < a->head; k++)
        if (a->jobs[k].err.code != CS_OK)
            a->first = a->jobs[k].err;
    if (a->first.code != CS_OK)
        *err = a->first;
    return a->first.code;
}

cs_status
cs_charts_async_section(struct cs_charts_async *a, enum cs_chart_section section,
                        int category, struct cs_err *err)
{
    if (!a->n_workers) { /* in line: files as they come */
        double t0 = now_s();
        struct cs_err e = {0};
        cs_status rc = a->inline_err.code ? a->inline_err.code
                                          : cs_charts_section(a->charts, section, category, &e);
        a->seconds += now_s() - t0;
        if (rc != CS_OK && a->inline_err.code == CS_OK)
            a->inline_err = e;
        if (a->inline_err.code)
            *err = a->inline_err;
        return a->inline_err.code;
    }
    pthread_mutex_lock(&a->mu);
    /* the array moves only while no worker holds a job of it */
    while (a->n == a->cap && a->head > a->flushed && !all_done(a))
        pthread_cond_wait(&a->cv, &a->mu);
    if (a->n == a->cap) {
        a->cap = a->cap ? 2 * a->cap : 16;
        a->jobs = xreallocarray(a->jobs, a->cap, sizeof *a->jobs);
    }
    a->jobs[a->n++] = (struct job){.section = section, .category = category};
    pthread_cond_broadcast(&a->cv);
    cs_status rc = a->first.code;
    if (rc != CS_OK)
        *err = a->first;
    for (size_t k = a->flushed; k < a->head && rc == CS_OK; k++)
        if (a->jobs[k].done && a->jobs[k].err.code != CS_OK)
            rc = (*err = a->jobs[k].err).code;
    pthread_mutex_unlock(&a->mu);
    return rc;
}

/* Pass a list of files on and empty it. */
static void
pass_on(struct cs_charts_async *a, char ***files, size_t *n)
{
    for (size_t i = 0; i < *n; i++) {
        if (a->on_file)
            a->on_file(a->ctx, (*files)[i]);
        xfree((*files)[i]);
    }
    xfree(*files);
    *files = NULL;
    *n = 0;
}

/* Pass the files of the drawn jobs on in queue order (caller's thread,
 * every job done, not under the lock: the workers are idle). */
static void
flush_files(struct cs_charts_async *a)
{
    pass_on(a, &a->inline_files, &a->n_inline);
    for (size_t k = a->flushed; k < a->head; k++)
        pass_on(a, &a->jobs[k].files, &a->jobs[k].n_files);
    a->flushed = a->head;
}

cs_status
cs_charts_async_wait(struct cs_charts_async *a, struct cs_err *err)
{
    pthread_mutex_lock(&a->mu);
    while (a->n_workers && !all_done(a))
        pthread_cond_wait(&a->cv, &a->mu);
    cs_status rc = first_error(a, err);
    pthread_mutex_unlock(&a->mu);
    flush_files(a);
    /* the next sections start a fresh queue */
    a->flushed = a->head = a->n = 0;
    return rc;
}

double
cs_charts_async_seconds(const struct cs_charts_async *a)
{
    return a->seconds; /* read after a wait: the workers are idle */
}

cs_status
cs_charts_async_end(struct cs_charts_async **ap, struct cs_err *err)
{
    struct cs_charts_async *a = *ap;
    if (!a)
        return CS_OK;
    cs_status rc = cs_charts_async_wait(a, err);
    pthread_mutex_lock(&a->mu);
    a->stop = true;
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
    for (int i = 0; i < a->n_workers; i++)
        pthread_join(a->thread[i], NULL);
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
    xfree(a->jobs);
    xfree(a);
    *ap = NULL;
    return rc;
}
