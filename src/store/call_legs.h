/*
 * store/call_legs.h: ACSCallSummary legs in the store, and the audited join of
 * surveys to their legs (issue 20; FORMATS.md section 8).
 *
 * Tables (created by schema.sql.h): call_data, one row per leg, identified
 * by (call id, participant id, endpoint id, participant start time);
 * survey_leg: the join's outcome (0 unmatched, 1 matched, 2 ambiguous),
 * the matched leg, the OS family, and the app version, browser and client
 * OS of the survey's latest custom event that has them; one row per
 * survey when legs are stored, else only for the surveys with app values
 * (a survey without a row is unmatched, with none of these).  Readers
 * LEFT JOIN it; the `surveys` view reads both.
 */
#ifndef CS_STORE_CALL_LEGS_H
#define CS_STORE_CALL_LEGS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "ingest/calls.h"
#include "model/rows.h"
#include "store/store.h"

struct sqlite3;

/* What one call-summary input did: read = stored + duplicates + updated +
 * rejected. */
struct cs_calls_counts {
    uint64_t read, stored, duplicates, updated, rejected, bytes;
    char first_reject[CS_REASON_MAX + 64]; /* "line N: reason" of the first rejected row */
};


/* Load one call-summary input (a file or "-") into the store, in one
 * transaction.  `store` NULL: read and count only (validate; valid rows
 * count as stored).  Rejected rows are counted, the first one described. */
cs_status cs_calls_load(struct cs_store *store, const char *path,
                        enum cs_date_order order, struct cs_calls_counts *counts,
                        struct cs_err *err);

/* Recompute survey_leg from survey_data, call_data and custom_events (one
 * transaction).  Fills *audit (cs_calls_audit). */
cs_status cs_calls_join(struct cs_store *store, struct cs_call_join *audit,
                        struct cs_err *err);

/* cs_calls_join in two halves, for a private store read on another
 * thread meanwhile (cs_store_open_twin; issue 22: the join beside the
 * statistics' scans).  _held recomputes survey_leg in a transaction it
 * leaves open, with the connection's pages held in memory (SQLite's
 * cache_spill off): the database file is not written until _end, so a
 * twin opened before or during the hold reads the file as it was, without
 * the new survey_leg.  The same connection sees the new rows.  Nothing
 * else may use the connection's transaction meanwhile (no input, no
 * cs_store_read_begin).  On error nothing is held.
 * _end commits (commit true) and fills *audit, or rolls back (*audit
 * zeros); the pages are released either way.  Call it once after each
 * _held that succeeded, after any twin has been closed. */
cs_status cs_calls_join_held(struct cs_store *store, struct cs_err *err);

/* The app values the join gives the surveys (each survey id's latest app
 * version, browser and client OS of its custom events, store/
 * app_latest.h) read beforehand from s, a twin of the store to join, on
 * the caller's thread (issue 22: 0.17 s of the join at 1M surveys, read
 * beside the statistics' model).  *out owned (NULL: no event has any, or
 * the events have no such columns), for cs_calls_join_held_given or
 * cs_calls_app_free.  CS_E_DB on failure, *out NULL. */
struct cs_app_latest;
cs_status cs_calls_app_read(struct cs_store *s, struct cs_app_latest **out,
                            struct cs_err *err);
void cs_calls_app_free(struct cs_app_latest *m);

/* cs_calls_join_held with app, from cs_calls_app_read of a twin opened
 * before the hold (the same events), taken: freed whatever happens. */
cs_status cs_calls_join_held_given(struct cs_store *store, struct cs_app_latest *app,
                                   struct cs_err *err);
cs_status cs_calls_join_end(struct cs_store *store, bool commit, struct cs_call_join *audit,
                            struct cs_err *err);

/* *any: is any call-summary row stored?  CS_E_DB when it cannot be
 * read. */
cs_status cs_calls_any(struct cs_store *store, bool *any, struct cs_err *err);

/* The audit of the stored join: zeros when the tables are missing or no
 * call summary is stored (no join to audit: every survey is unmatched,
 * and the surveys are not counted). */
cs_status cs_calls_audit(struct cs_store *store, struct cs_call_join *audit,
                         struct cs_err *err);


/* The first `max` unmatched and ambiguous surveys, by time, to fn. */
cs_status cs_calls_unmatched(struct cs_store *store, size_t max,
                             cs_status (*fn)(void *ctx, const struct cs_call_unmatched *u,
                                             struct cs_err *err),
                             void *ctx, struct cs_err *err);

#endif
