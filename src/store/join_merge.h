/*
 * store/join_merge.h: the rows of cs_join_rows (store/join.h), merged in C
 * (issue 22).  Internal to the store module.
 *
 * The events of the window are read once as keys (survey id, event id,
 * time: the custom_events_key index alone) into one group per survey id,
 * hashed by id; the surveys of the filter once as keys (rid, time, id), in
 * rowid order, each looked up in that hash.  The rows are then read in the
 * merge's order: surveys by rowid (one ordered scan when the surveys are in
 * time order, as a load in time order leaves them; otherwise their keys
 * sorted by SQLite and each survey read by rowid), a group's answers by
 * event rowid (one event) or through the survey_custom rule (several).
 * Nothing is sorted with its answers or survey columns, and no temporary
 * table is made.  The key passes are kept by the store for the next merge
 * or audit of the same window while the store is unchanged (the memo in
 * join_merge.c): a report's audit, Custom sheet and orphan list share one.
 */
#ifndef CS_STORE_JOIN_MERGE_H
#define CS_STORE_JOIN_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "model/filter.h"
#include "model/rows.h"
#include "store/store.h"

/* cs_join_rows for kind, with lw (surveys, alias d) and rw (events, alias
 * e) the filter's WHERE conditions (parameters bound from f).  Reads in
 * one snapshot (a transaction of its own when none is open).  Errors:
 * CS_E_DB, CS_E_USAGE (unknown kind), or the callback's err->code. */
cs_status cs_join_merge(struct cs_store *s, const struct cs_filter *f, enum cs_merge kind,
                        const char *lw, const char *rw, cs_join_cb cb, void *ctx,
                        struct cs_err *err);

/* The join audit's counts over the same two key passes: a's surveys,
 * events, matched_surveys, matched_events and duplicate_events (events
 * beyond one per distinct id), and in *skew (owned, free with xfree; NULL
 * when none) the latest event's time less the survey's, in seconds, of
 * each answered survey whose events have a time.  Errors: CS_E_DB ("join
 * audit: ..."), *skew still set. */
cs_status cs_join_merge_audit(struct cs_store *s, const struct cs_filter *f, const char *lw,
                              const char *rw, struct cs_join_audit *a, double **skew,
                              size_t *n_skew, struct cs_err *err);

/* The key of a window: filter f's values (NULL: none) and its WHERE
 * conditions lw and rw, which a memo of the window is kept under.
 * Returns an owned string (free with xfree). */
char *cs_join_window_key(const struct cs_filter *f, const char *lw, const char *rw);

#endif
