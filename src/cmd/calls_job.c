/*
 * cmd/calls_job.c: the call-summary inputs of a run (see cmd/calls_job.h).
 */
#include "cmd/calls_job.h"

#include <string.h>

#include "ingest/calls.h"
#include "ingest/ingest.h"

bool
cs_app_calls_forced(const struct cs_calls_job *job, const char *path)
{
    for (size_t i = 0; i < job->n_forced; i++)
        if (strcmp(job->forced[i], path) == 0)
            return true;
    return false;
}

static void
add(struct cs_calls_counts *t, const struct cs_calls_counts *a)
{
    t->read += a->read;
    t->stored += a->stored;
    t->duplicates += a->duplicates;
    t->updated += a->updated;
    t->rejected += a->rejected;
    t->bytes += a->bytes;
    if (!t->first_reject[0])
        memcpy(t->first_reject, a->first_reject, sizeof t->first_reject);
}

static cs_status
load_list(const struct cs_calls_job *job, struct cs_store *store, char *const *args,
          size_t n_args, bool forced, struct cs_calls_counts *total, size_t *n_files,
          struct cs_err *err)
{
    cs_status first = CS_OK;
    for (size_t a = 0; a < n_args; a++) {
        if (!forced && cs_app_calls_forced(job, args[a]))
            continue; /* loaded as --calls */
        char **list;
        size_t n;
        struct cs_err e;
        cs_err_clear(&e);
        if (cs_inputs_expand(&args[a], 1, &list, &n, &e) != CS_OK) {
            if (forced && first == CS_OK) {
                first = e.code;
                *err = e;
            }
            continue; /* an ordinary input's error is the survey loader's */
        }
        for (size_t i = 0; i < n; i++) {
            if (!forced && cs_app_calls_forced(job, list[i]))
                continue; /* a --calls file met again in a directory */
            bool is_calls = strcmp(list[i], "-") != 0 && cs_calls_sniff(list[i]);
            if (!is_calls && !(forced && strcmp(list[i], args[a]) == 0))
                continue;
            struct cs_calls_counts c;
            cs_err_clear(&e);
            cs_status s = cs_calls_load(store, list[i], job->order, &c, &e);
            (*n_files)++;
            add(total, &c);
            if (job->on_file)
                job->on_file(job->ctx, list[i], &c, s, &e);
            if (s != CS_OK && first == CS_OK) {
                first = s;
                *err = e;
            }
        }
        cs_inputs_free(list, n);
    }
    return first;
}

cs_status
cs_app_calls(const struct cs_calls_job *job, struct cs_store *store,
             struct cs_calls_counts *total, size_t *n_files, struct cs_err *err)
{
    memset(total, 0, sizeof *total);
    *n_files = 0;
    cs_status a = load_list(job, store, job->forced, job->n_forced, true, total, n_files, err);
    struct cs_err e2;
    cs_err_clear(&e2);
    cs_status b = load_list(job, store, job->inputs, job->n_inputs, false, total, n_files, &e2);
    if (a == CS_OK && b != CS_OK) {
        *err = e2;
        return b;
    }
    return a;
}
