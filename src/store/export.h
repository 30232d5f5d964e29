/*
 * store/export.h: row-by-row exports of the store for renderers that must
 * not see SQLite (the XLSX workbook's Data, Data Quality and About sheets).
 *
 * Each export runs one prepared query and calls back once per row, in a
 * documented, deterministic order.  Strings in a row are borrowed for the
 * duration of the callback only (they point into SQLite's row buffer); copy
 * what you keep.  A callback that returns anything but CS_OK stops the
 * export, which then returns that status (err as the callback filled it).
 * Text columns may hold any bytes the input held (invalid UTF-8, NUL bytes
 * in rejected raw text): lengths are given where that matters, and
 * renderers clean text themselves.
 */
#ifndef CS_STORE_EXPORT_H
#define CS_STORE_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "model/rows.h"
#include "model/survey.h"
#include "store/query.h"
#include "store/store.h"


/* Every survey in filter f (NULL = all), ordered by time then survey id.
 * The sort may spill to SQLite's temporary files rather than memory (about
 * 300 MB per million surveys otherwise).  s, f: borrowed.  Errors:
 * CS_E_DB, or the callback's status. */
cs_status cs_export_surveys(struct cs_store *s, const struct cs_filter *f,
                            cs_export_survey_cb cb, void *ctx,
                            struct cs_err *err);


/* The first `limit` rejected records of the whole store (rejects are not
 * filtered by time: a rejected record may have no valid time), in the order
 * they were stored.  limit 0 = all.  Errors: CS_E_DB or the callback's. */
cs_status cs_export_rejects(struct cs_store *s, uint64_t limit,
                            cs_export_reject_cb cb, void *ctx,
                            struct cs_err *err);


/* The first `limit` conflicts (0 = all), in the order they were met. */
cs_status cs_export_conflicts(struct cs_store *s, uint64_t limit,
                              cs_export_conflict_cb cb, void *ctx,
                              struct cs_err *err);


/* Every input, in ingest order.  Errors: CS_E_DB or the callback's. */
cs_status cs_export_inputs(struct cs_store *s, cs_export_input_cb cb,
                           void *ctx, struct cs_err *err);

#endif
