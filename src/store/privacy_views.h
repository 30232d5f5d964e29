/*
 * store/privacy_views.h: the store as template SQL sees it in privacy mode
 * (--pseudonymize, model/privacy.h).
 *
 * cs_store_privacy_begin puts pseudonymized stand-ins in front of the
 * store's data on its connection, as TEMP views: temp objects shadow main
 * ones for unqualified names, so a template query written for the contract
 * views (DESIGN.md §7: surveys, ratings, rating_issues, custom,
 * survey_custom, rejects, ...) runs unchanged and sees
 *   - every id column (survey_id, call_id, participant_id, correlation_id,
 *     and any other *_id column but resource_id) as its pseudonym, through
 *     the SQL function cs_pseudo(x);
 *   - custom answers without their free text (unless --keep-text), through
 *     cs_answers(json): in the view `custom` a text answer has no row, in
 *     `survey_custom.answers` no member;
 *   - rejects.raw as NULL.
 * The raw tables get a stand-in of the same name (survey_data,
 * custom_events, reject_data, and call_data, whose call, participant and
 * endpoint keys and identifier become pseudonyms), and every view of the main schema is
 * re-created in temp from its own SQL, so the stand-ins are what the views
 * read.  The stand-ins read the raw tables through views whose names start
 * with a random prefix made for this call; the runner's privacy fence
 * (cs_query.private_prefix, store/runner.h) refuses reading a raw table in
 * any other context (main.survey_data, a CTE, a main view) and reading the
 * temp schema's catalogue, so the prefix cannot be learnt and reused.
 *
 * The stand-ins exist between begin and end only: the store's own queries
 * (loading, the report's statistics, the workbook's Data and Custom sheets,
 * which pseudonymize in C) never run while they are there.
 */
#ifndef CS_STORE_PRIVACY_VIEWS_H
#define CS_STORE_PRIVACY_VIEWS_H

#include <stdbool.h>

#include "core/err.h"
#include "model/privacy.h"
#include "store/store.h"

struct cs_store_privacy; /* opaque: the temp views of one begin */

/* Create the stand-ins on s's connection for privacy settings p (borrowed
 * until end).  Returns owned handle in *out (pass to cs_store_privacy_end).
 * Errors: CS_E_DB (SQLite's message), CS_E_INTERNAL (a main view whose SQL
 * is not "CREATE VIEW ..."); nothing is left behind on error. */
cs_status cs_store_privacy_begin(struct cs_store *s, const struct cs_privacy *p,
                                 struct cs_store_privacy **out, struct cs_err *err);

/* The prefix of the views allowed to read the raw tables (for the runner's
 * cs_query.private_prefix); borrowed from h. */
const char *cs_store_privacy_prefix(const struct cs_store_privacy *h);

/* Drop the stand-ins and the SQL functions; frees h, *h becomes NULL.
 * NULL and a NULL *h are no-ops.  CS_E_DB when a stand-in could not be
 * dropped (out of memory): it would shadow its main table, so the run must
 * end. */
cs_status cs_store_privacy_end(struct cs_store *s, struct cs_store_privacy **h,
                               struct cs_err *err);

/* True for the tables that hold raw ids or text: survey_data,
 * custom_events, reject_data (the runner's fence). */
bool cs_store_privacy_raw_table(const char *name);

#endif
