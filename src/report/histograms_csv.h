/*
 * report/histograms_csv.h: DIR/histograms.csv, the `callsurvey kql` result
 * table computed from the local store (`report --formats histograms`).
 * Header and column order are report/kql.h's cs_kql_columns, with a column
 * per release dimension of sp (NULL: none) after resource_id, and rows per
 * custom key of sp (as `callsurvey kql --by ... --custom-keys ...`); empty cells are the query's nulls (and empty strings).
 */
#ifndef CS_REPORT_HISTOGRAMS_CSV_H
#define CS_REPORT_HISTOGRAMS_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "store/query.h"
#include "store/histograms.h"
#include "store/store.h"

/* Write path atomically.  *replaced / *neutralized receive the CSV
 * writer's counts of cleaned cells (render/csvout.h). */
cs_status cs_histograms_write_csv(struct cs_store *s, const struct cs_filter *f,
                                  enum cs_bucket bucket, const struct cs_hist_split *sp,
                                  const char *path, bool bom,
                                  unsigned long *replaced, unsigned long *neutralized,
                                  struct cs_err *err);

#endif
