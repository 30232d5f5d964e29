/*
 * store/calls.h: ACSCallSummary legs in the store, and the audited join of
 * surveys to their legs (issue 20; FORMATS.md section 8).
 *
 * Tables (created by schema.sql.h): call_data, one row per leg, identified
 * by (call id, participant id, endpoint id, participant start time);
 * survey_leg, one row per survey: the join's outcome (0 unmatched,
 * 1 matched, 2 ambiguous), the matched leg, the OS family, and the app
 * version, browser and client OS of the survey's latest custom event that
 * has them.  The `surveys` view reads both.
 */
#ifndef CS_STORE_CALLS_H
#define CS_STORE_CALLS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "ingest/calls.h"
#include "store/store.h"

struct sqlite3;

/* What one call-summary input did: read = stored + duplicates + updated +
 * rejected. */
struct cs_calls_counts {
    uint64_t read, stored, duplicates, updated, rejected, bytes;
    char first_reject[CS_REASON_MAX + 64]; /* "line N: reason" of the first rejected row */
};

/* The join audit: surveys = matched + unmatched + ambiguous. */
struct cs_call_join {
    uint64_t surveys, matched, unmatched, ambiguous, legs_without_survey;
    uint64_t legs; /* call_data rows (0: no call summaries loaded) */
};

/* Register the SQL functions cs_dim_group(dim, raw, keep) and
 * cs_dim_key(dim, raw, keep) on db: the group of a raw value under a
 * dimension name, or "other" when keep (a list of groups separated by
 * U+001F, NULL = all) does not hold it; the key sorts groups in their
 * natural order by byte comparison. */
void cs_calls_register(struct sqlite3 *db);

/* Load one call-summary input (a file or "-") into the store, in one
 * transaction.  `store` NULL: read and count only (validate; valid rows
 * count as stored).  Rejected rows are counted, the first one described. */
cs_status cs_calls_load(struct cs_store *store, const char *path,
                        enum cs_date_order order, struct cs_calls_counts *counts,
                        struct cs_err *err);

/* Recompute survey_leg from survey_data, call_data and custom_events (one
 * transaction).  Fills *audit. */
cs_status cs_calls_join(struct cs_store *store, struct cs_call_join *audit,
                        struct cs_err *err);

/* The audit of the stored join (zeros when the tables are missing). */
cs_status cs_calls_audit(struct cs_store *store, struct cs_call_join *audit,
                         struct cs_err *err);

/* One survey the join left without a leg (borrowed strings). */
struct cs_call_unmatched {
    const char *survey_id, *call_id, *participant_id; /* "" when none */
    int64_t time_us;
    bool ambiguous; /* several legs could be its own (else none) */
};

/* The first `max` unmatched and ambiguous surveys, by time, to fn. */
cs_status cs_calls_unmatched(struct cs_store *store, size_t max,
                             cs_status (*fn)(void *ctx, const struct cs_call_unmatched *u,
                                             struct cs_err *err),
                             void *ctx, struct cs_err *err);

#endif
