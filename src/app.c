/*
 * app.c: pipeline orchestration for the commands.
 *
 * Ingest wires the loaders (ingest/) to the store (store/) through a sink:
 * valid records go to cs_store_put in batches, rejected ones to the
 * rejects table and, when asked, to a JSON Lines file.  Each input is one
 * transaction, so an input that fails half-way leaves the database as it
 * was before it.  The accounting identity read = stored + duplicates +
 * updated + rejected is checked for every input; a mismatch is a bug and is
 * reported as CS_E_INTERNAL rather than printed as if fine.
 */
#include "app.h"

#include <cjson/cJSON.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/afile.h"
#include "core/mem.h"

struct sink_ctx {
    struct cs_store *store;          /* NULL when only validating */
    struct cs_store_counts counts;   /* this input */
    FILE *rejects_fp;                /* borrowed, or NULL */
    const char *name;                /* input name */
    const struct cs_ingest_job *job;
    uint64_t records_before;         /* records of earlier inputs */
    uint64_t bytes_before;
    uint64_t records_now;            /* this input so far */
    struct timespec t0, last;
};

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

static cs_status
sink_records(void *ctx, struct cs_record *recs, size_t n, struct cs_err *err)
{
    struct sink_ctx *c = ctx;
    progress(c, n);
    if (c->store == NULL)
        return CS_OK;
    return cs_store_put(c->store, recs, n, &c->counts, err);
}

static cs_status
sink_reject(void *ctx, const struct cs_record *rec, const char *raw,
            size_t raw_len, struct cs_err *err)
{
    struct sink_ctx *c = ctx;
    if (c->rejects_fp) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "source", c->name);
        cJSON_AddNumberToObject(o, "line", (double)rec->line);
        cJSON_AddNumberToObject(o, "record", rec->index);
        cJSON_AddStringToObject(o, "reason", rec->reason);
        char *rawz = xstrndup(raw ? raw : "", raw_len);
        cJSON_AddStringToObject(o, "raw", rawz);
        xfree(rawz);
        char *txt = cJSON_PrintUnformatted(o);
        fputs(txt, c->rejects_fp);
        fputc('\n', c->rejects_fp);
        cJSON_free(txt);
        cJSON_Delete(o);
    }
    if (c->store == NULL)
        return CS_OK;
    return cs_store_reject(c->store, rec, raw, raw_len, err);
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
        if (strcmp(list[i], "-") != 0 && stat(list[i], &st) == 0)
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
    t->rejected += a->rejected;
    t->unknown_tags += a->unknown_tags;
    t->events += a->events;
    t->truncated |= a->truncated;
}

cs_status
cs_app_ingest(const struct cs_ingest_job *job, struct cs_store *store,
              struct cs_accounting *total, struct cs_err *err)
{
    memset(total, 0, sizeof *total);
    total->name = "total";
    char **list = NULL;
    size_t n = 0;
    cs_status rc = cs_inputs_expand(job->inputs, job->n_inputs, &list, &n, err);
    if (rc != CS_OK)
        return rc;
    struct cs_afile rej = {0};
    if (job->rejects_path && cs_afile_open(&rej, job->rejects_path, err)) {
        cs_inputs_free(list, n);
        return CS_E_IO;
    }
    cs_status first = CS_OK;
    struct sink_ctx c = {.store = store, .rejects_fp = rej.fp, .job = job};
    clock_gettime(CLOCK_MONOTONIC, &c.t0);
    c.last = c.t0;
    for (size_t i = 0; i < n; i++) {
        struct cs_accounting acc = {.name = list[i]};
        cs_err_clear(&acc.err);
        c.name = list[i];
        memset(&c.counts, 0, sizeof c.counts);
        c.records_now = 0;
        struct cs_ingest_sink sink = {
            .ctx = &c, .records = sink_records, .reject = sink_reject};
        struct cs_ingest_stats st;
        cs_status s = CS_OK;
        if (store)
            s = cs_store_input_begin(store, list[i], &acc.err);
        if (s == CS_OK)
            s = cs_ingest_path(list[i], list[i], &job->opts, &sink, &st, &acc.err);
        else
            memset(&st, 0, sizeof st);
        acc.bytes = st.bytes;
        acc.read = st.read;
        acc.rejected = st.rejected;
        acc.unknown_tags = st.unknown_tags;
        acc.events = st.events_read;
        acc.truncated = st.truncated;
        acc.stored = c.counts.stored;
        acc.duplicates = c.counts.duplicates;
        acc.updated = c.counts.updated;
        acc.format = st.content == CS_CONTENT_EVENTS ? "events" : "surveys";
        if (s == CS_OK && acc.read != acc.stored + acc.duplicates + acc.updated +
                                          acc.rejected && store)
            s = cs_fail(&acc.err, CS_E_INTERNAL, list[i],
                        "accounting mismatch: read %llu != stored %llu + "
                        "duplicates %llu + updated %llu + rejected %llu",
                        (unsigned long long)acc.read,
                        (unsigned long long)acc.stored,
                        (unsigned long long)acc.duplicates,
                        (unsigned long long)acc.updated,
                        (unsigned long long)acc.rejected);
        if (store) {
            struct cs_input_summary sum = {
                .format = acc.format, .bytes = acc.bytes, .read = acc.read,
                .stored = acc.stored, .duplicates = acc.duplicates,
                .updated = acc.updated, .rejected = acc.rejected,
                .unknown_tags = acc.unknown_tags};
            struct cs_err e2;
            cs_err_clear(&e2);
            cs_status s2 = cs_store_input_end(store, s == CS_OK, &sum, &e2);
            if (s == CS_OK && s2 != CS_OK) {
                s = s2;
                acc.err = e2;
            }
        }
        if (s != CS_OK) {
            /* nothing of this input was kept: the transaction rolled back */
            acc.stored = acc.duplicates = acc.updated = 0;
            if (s != CS_E_NODATA) {
                acc.rejected = acc.read;
            }
            acc.status = s;
            if (first == CS_OK && s != CS_E_NODATA) {
                first = s;
                *err = acc.err;
            }
        }
        c.records_before += c.records_now;
        c.bytes_before += st.bytes;
        if (job->on_input)
            job->on_input(job->ctx, &acc);
        add(total, &acc);
    }
    if (rej.fp) {
        struct cs_err e2;
        if (cs_afile_commit(&rej, &e2) != CS_OK && first == CS_OK) {
            first = e2.code;
            *err = e2;
        }
    }
    cs_inputs_free(list, n);
    return first;
}
