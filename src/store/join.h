/*
 * store/join.h: surveys merged with custom-question events by survey id,
 * with the Azure Workbooks merge kinds (Kusto join semantics, FORMATS.md
 * §5), and the join audit.
 *
 * Surveys are the left side, events the right (as in the ACS tutorial).
 * Survey ids are unique on the left, so innerunique (left deduplicated on
 * the key) gives the same rows as inner here; both are offered because
 * Workbooks offers both.  Keys compare as GUIDs: both sides were trimmed
 * and lower-cased on ingest.  The filter's time window applies to each
 * side's own time; --resource applies to surveys only (events carry none).
 */
#ifndef CS_STORE_JOIN_H
#define CS_STORE_JOIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "model/rows.h"
#include "store/query.h"


/* The join audit of the window f (struct cs_join_audit, model/rows.h):
 * events, surveys, matches, orphans, duplicates, the skews, and the
 * distinct answer keys (a->keys).  _events leaves a->keys 0: the report
 * counts them in two halves (cs_join_key_half) on two connections of the
 * store meanwhile (issue 22: a third of the audit at 1M surveys). */
cs_status cs_join_audit(struct cs_store *s, const struct cs_filter *f,
                        struct cs_join_audit *a, struct cs_err *err);
cs_status cs_join_audit_events(struct cs_store *s, const struct cs_filter *f,
                               struct cs_join_audit *a, struct cs_err *err);
/* The member keys of the window's answers counted in two halves, each on a
 * connection of its own (a store and its twin): half 0 the events up to
 * the middle id (max(id) / 2), half 1 those after.  *out is owned (free
 * with cs_join_key_half_free, NULL is a no-op).  cs_join_key_halves_keep
 * puts the two together as s's count of the window (what cs_join_audit's
 * a->keys and cs_custom_cols_load read; an answer json_each must read
 * makes it count the window again, whole) and sets *keys to the distinct
 * keys; the halves stay the caller's. */
struct cs_join_key_half;
cs_status cs_join_key_half(struct cs_store *s, const struct cs_filter *f, int half,
                           struct cs_join_key_half **out, struct cs_err *err);
cs_status cs_join_key_halves_keep(struct cs_store *s, const struct cs_filter *f,
                                  struct cs_join_key_half *h[2], uint64_t *keys,
                                  struct cs_err *err);
void cs_join_key_half_free(struct cs_join_key_half *h);

/* Distinct custom keys (properties and measurements) of the events in the
 * window, sorted.  Returns owned array of owned strings (free with
 * cs_join_keys_free). */
cs_status cs_join_keys(struct cs_store *s, const struct cs_filter *f,
                       char ***keys, size_t *n_keys, struct cs_err *err);
void cs_join_keys_free(char **keys, size_t n_keys);


/* The distinct keys of the events in filter f's window (as cs_join_keys),
 * at most cap of them (0 = CS_CUSTOM_COLUMNS) given a column.  *c is owned
 * (free with cs_custom_cols_free).  Errors: CS_E_DB. */
cs_status cs_custom_cols_load(struct cs_store *s, const struct cs_filter *f, size_t cap,
                              struct cs_custom_cols *c, struct cs_err *err);


/* Rows of the merge, ordered by survey time, survey id, event time, event
 * id (right-only rows by event time, id). */
cs_status cs_join_rows(struct cs_store *s, const struct cs_filter *f,
                       enum cs_merge kind, cs_join_cb cb, void *ctx,
                       struct cs_err *err);

#endif
