/*
 * render/json_split.h: one custom event's answers (JSON object texts as
 * stored) split over the columns of the custom pivot (model/rows.h
 * cs_custom_cols), for custom.csv and the Custom sheet.
 */
#ifndef CS_RENDER_JSON_SPLIT_H
#define CS_RENDER_JSON_SPLIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/rows.h"

struct cJSON;
struct cs_privacy;

/* One answer (a member of the event's JSON objects). */
enum cs_answer_type {
    CS_ANSWER_NONE = 0, /* the event has no such member */
    CS_ANSWER_NULL,     /* JSON null */
    CS_ANSWER_STRING,   /* text: the string's value */
    CS_ANSWER_NUMBER,   /* num */
    CS_ANSWER_BOOL,     /* b; text "true" or "false" */
    CS_ANSWER_JSON,     /* an array or object: text is its compact JSON */
};

struct cs_answer {
    enum cs_answer_type type;
    const char *text; /* STRING, BOOL, JSON; borrowed from the split until its next row */
    double num;       /* NUMBER */
    bool b;           /* BOOL */
};

/* One event's answers split over the columns; reused from row to row. */
struct cs_custom_split {
    struct cs_answer *vals; /* n_keys entries: the member of each column's key
                               (type CS_ANSWER_NONE when the event has none) */
    char *other;            /* the members without a column as one JSON
                                  object text, NULL when none; owned by the split */
    /* private */
    struct cJSON *docs[2];
    const char **seen; /* other's keys of the row: set, for repeats */
    size_t seen_cap;
    char **texts; /* the row's JSON texts of CS_ANSWER_JSON values */
    size_t n_texts;
    char *plain; /* the row's texts split without cJSON (the answers' text) */
    size_t plain_cap;
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

/* Split the objects as ingest stores them (string members without
 * escapes, whole numbers) without building a cJSON tree, with the same
 * answers (true; tests compare the two paths by turning it off). */
extern bool cs_custom_split_fast;

#endif
