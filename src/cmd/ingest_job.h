/*
 * cmd/ingest_job.h: the pipeline stages as the commands use them (ingest -> store ->
 * statistics -> render).  No printing: progress and per-input accounting
 * reach the caller through callbacks, errors through struct cs_err.
 */
#ifndef CS_CMD_INGEST_JOB_H
#define CS_CMD_INGEST_JOB_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "ingest/ingest.h"
#include "store/store.h"

/* The accounting of one input (or of all: the total). */
struct cs_accounting {
    const char *name;   /* input name (borrowed), "total" for the sum */
    const char *format; /* "jsonl", "json", "csv", "-" */
    uint64_t bytes;
    uint64_t read; /* = stored + duplicates + updated + conflicts + rejected */
    uint64_t stored, duplicates, updated, conflicts, rejected;
    uint64_t unknown_tags;          /* tags in no SDK list (kept) */
    uint64_t unknown_tag_records;   /* records carrying such tags */
    uint64_t unknown_tags_distinct; /* distinct tag names among them (not a sum:
                                       set per input, argument and total) */
    uint64_t events;                /* custom-event rows read */
    uint64_t skipped;               /* event rows of other names (not survey answers) */
    bool truncated;                 /* the input ended inside a record */
    double seconds;                 /* in a total: wall time of the whole ingest */
    cs_status status;               /* CS_OK, or why this input was not loaded */
    struct cs_err err;              /* detail when status != CS_OK */
    struct cs_accounting *ev;       /* in a total: the custom-event inputs' sum */
};

struct cs_ingest_job {
    char *const *inputs; /* borrowed: files, directories, "-" */
    size_t n_inputs;
    const char *rejects_path;   /* JSON Lines of rejected records, or NULL */
    bool rejects_without_raw;   /* privacy mode: "raw" is written as null (the
                                   record's text holds ids); the store keeps it */
    struct cs_ingest_opts opts; /* loader options */
    /* opts.parsers as given; else one less beside the store's thread */
    bool parsers_exact;
    /* called after each file read (borrowed argument) */
    void (*on_input)(void *ctx, const struct cs_accounting *acc);
    /* called after each command-line input (a directory sums its files) */
    void (*on_arg)(void *ctx, const struct cs_accounting *acc);
    /* called about every 0.25 s during long work: records and bytes so far */
    void (*on_progress)(void *ctx, uint64_t records, uint64_t bytes,
                        double seconds);
    void *ctx;
};

/* Load every input into the store (one transaction per input).  With
 * store == NULL only validates.  Inputs that cannot be read are reported
 * through on_input with their status and skipped; the return value is then
 * CS_E_IO (or the first input error) after all inputs were tried, with err
 * describing the first failure.  *total receives the sum. */
cs_status cs_app_ingest(const struct cs_ingest_job *job, struct cs_store *store,
                        struct cs_accounting *total, struct cs_err *err);
/* total covers survey inputs; custom-event inputs are summed separately
 * into total->ev (same fields), so the two identities stay apart. */

/* Total size in bytes of the inputs (directories summed), for choosing an
 * in-memory or on-disk private store; UINT64_MAX when one is stdin, a pipe
 * or anything else whose size is unknown. */
uint64_t cs_app_inputs_size(char *const *inputs, size_t n_inputs);

#endif
