/*
 * cmd/calls_job.h: load the call-summary inputs of a run (issue 20): files named
 * with --calls, and files among the ordinary inputs (directories searched)
 * whose content is ACSCallSummary rows (ingest/calls.h cs_calls_sniff; the
 * survey loader skips those).  Then the surveys are joined to their legs.
 */
#ifndef CS_CMD_CALLS_JOB_H
#define CS_CMD_CALLS_JOB_H

#include <stddef.h>

#include "core/ctime.h"
#include "core/err.h"
#include "store/call_legs.h"
#include "store/store.h"

struct cs_calls_job {
    char *const *inputs; /* borrowed: the run's inputs (surveys, events, calls) */
    size_t n_inputs;
    char *const *forced; /* borrowed: --calls paths (also among inputs or not) */
    size_t n_forced;
    enum cs_date_order order;
    /* after each call-summary file (borrowed arguments) */
    void (*on_file)(void *ctx, const char *path, const struct cs_calls_counts *n,
                    cs_status s, const struct cs_err *err);
    void *ctx;
};

/* Load every call-summary file into store (NULL: read and count only).
 * *total sums them, *n_files counts them.  Returns the first error (the
 * other files are still read), CS_E_IO for a missing --calls path. */
cs_status cs_app_calls(const struct cs_calls_job *job, struct cs_store *store,
                       struct cs_calls_counts *total, size_t *n_files, struct cs_err *err);

/* Is path one of the --calls paths? */
bool cs_app_calls_forced(const struct cs_calls_job *job, const char *path);

#endif
