/*
 * render/json_split.h: one custom event's answers (JSON object texts as
 * stored) split over the columns of the custom pivot (model/rows.h
 * cs_custom_cols), for custom.csv and the Custom sheet.
 */
#ifndef CS_RENDER_JSON_SPLIT_H
#define CS_RENDER_JSON_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "model/rows.h"

struct cJSON;
struct cs_privacy;

/* One event's answers split over the columns; reused from row to row. */
struct cs_custom_split {
    const struct cJSON **vals; /* n_keys entries: the member of each column's
                                  key, NULL when the event has none; borrowed
                                  from the split until its next row */
    char *other;               /* the members without a column as one JSON
                                  object text, NULL when none; owned by the split */
    /* private */
    struct cJSON *docs[2];
    const char **seen; /* other's keys of the row: set, for repeats */
    size_t seen_cap;
};

/* Split the answers of one event (props, then measurements: a properties
 * member wins over a measurement of the same name, and the first of
 * repeated members wins).  With privacy p dropping text, members that are
 * text are left out, each counted in *dropped.  props and meas may be NULL
 * or text that is not JSON (no answers). */
void cs_custom_split_row(const struct cs_custom_cols *c, const char *props,
                         const char *meas, const struct cs_privacy *p,
                         uint64_t *dropped, struct cs_custom_split *sp);
void cs_custom_split_free(struct cs_custom_split *sp);

#endif
