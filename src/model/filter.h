/*
 * model/filter.h: which surveys a run looks at (the filter, the trend
 * bucket) and the store's totals as plain data, shared by the store that
 * fills them and the report and renderers that show them.
 */
#ifndef CS_MODEL_FILTER_H
#define CS_MODEL_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Which surveys count.  Times in µs; [since, until). */
struct cs_filter {
    bool has_since, has_until;
    int64_t since_us, until_us;
    const char *const *resources; /* borrowed: full ARM ids or last segments */
    size_t n_resources;
};

enum cs_bucket {
    CS_BUCKET_NONE = 0,
    CS_BUCKET_WEEK, /* bucket = iso_year*100 + week */
    CS_BUCKET_DAY,  /* bucket = days since 1970-01-01 */
};

struct cs_window_totals {
    uint64_t surveys;          /* surveys in the filter */
    uint64_t calls;            /* distinct CallId among them */
    uint64_t participants;     /* distinct ParticipantId among them */
    int64_t first_us, last_us; /* first and last TimeGenerated (0 when none) */
    uint64_t rejected;         /* rejected records in the store (all inputs) */
    uint64_t duplicates;       /* duplicate survey records seen (all survey inputs) */
    uint64_t updated;          /* records that updated a survey (all survey inputs) */
    uint64_t unknown_tags;     /* unknown tags kept (all inputs) */
    uint64_t conflicts;        /* conflict_data rows: ties decided by content (all inputs) */
};

/* The accounting of a set of inputs (read = stored + duplicates + updated +
 * conflicts + rejected), from the inputs table. */
struct cs_acct {
    uint64_t inputs, read, stored, duplicates, updated, conflicts, rejected, unknown_tags;
};

/* This run's inputs and every input the database holds, survey inputs and
 * custom-event inputs apart (never summed into one figure). */
struct cs_accounting_totals {
    struct cs_acct run_surveys, run_events; /* inputs this run loaded */
    struct cs_acct db_surveys, db_events;   /* every input loaded, all runs */
};

#endif
