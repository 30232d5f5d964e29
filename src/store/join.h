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
#include "store/query.h"

enum cs_merge {
    CS_MERGE_INNERUNIQUE = 0,
    CS_MERGE_INNER,
    CS_MERGE_LEFTOUTER,
    CS_MERGE_RIGHTOUTER,
    CS_MERGE_FULLOUTER,
    CS_MERGE_LEFTSEMI,
    CS_MERGE_RIGHTSEMI,
    CS_MERGE_LEFTANTI,
    CS_MERGE_RIGHTANTI,
    CS_MERGE__COUNT
};

/* "leftouter" -> CS_MERGE_LEFTOUTER; -1 if unknown. */
int cs_merge_parse(const char *name);
const char *cs_merge_name(enum cs_merge m);
/* Which sides' columns the kind outputs. */
bool cs_merge_has_left(enum cs_merge m);
bool cs_merge_has_right(enum cs_merge m);

struct cs_join_audit {
    uint64_t surveys;          /* surveys in the filter (left rows) */
    uint64_t events;           /* custom events in the window (right rows) */
    uint64_t matched_surveys;  /* surveys with at least one event */
    uint64_t unanswered;       /* surveys without any event */
    uint64_t matched_events;   /* events whose survey is in the filter */
    uint64_t orphan_events;    /* events with no survey in the filter */
    uint64_t duplicate_events; /* events beyond the latest one per survey id */
    double skew_median_s;      /* latest event time - survey time, seconds (NaN: none) */
    double skew_max_s;
    double skew_min_s; /* negative: an answer timed before its survey */
    uint64_t keys;     /* distinct custom keys (properties and
                                   measurements) of the events in the window */
};

cs_status cs_join_audit(struct cs_store *s, const struct cs_filter *f,
                        struct cs_join_audit *a, struct cs_err *err);

/* Distinct custom keys (properties and measurements) of the events in the
 * window, sorted.  Returns owned array of owned strings (free with
 * cs_join_keys_free). */
cs_status cs_join_keys(struct cs_store *s, const struct cs_filter *f,
                       char ***keys, size_t *n_keys, struct cs_err *err);
void cs_join_keys_free(char **keys, size_t n_keys);

/* ---- The answer columns of the custom pivot (custom.csv, Custom sheet) ----
 *
 * One column per custom key is linear in rows x keys: one event with 100,000
 * keys made every survey row 100,000 cells wide.  So at most `cap` keys get
 * a column (the most used ones: most events, then byte order; the columns
 * themselves in byte order), and the members of the other keys go, per
 * row, into one JSON object, the column `other`.  Keys are found through a
 * hash of their names, so a row costs its members plus its columns. */
#define CS_CUSTOM_COLUMNS 1000 /* default cap */

struct cs_custom_cols {
    char **keys;    /* owned: the keys given a column, byte order */
    size_t n_keys;  /* <= the cap */
    uint64_t n_all; /* distinct keys in the window */
    /* private: open addressing on a 64-bit hash of the name; slot holds
     * the key's index + 1, 0 = empty */
    uint32_t *slot;
    size_t mask;
};

/* The distinct keys of the events in filter f's window (as cs_join_keys),
 * at most cap of them (0 = CS_CUSTOM_COLUMNS) given a column.  *c is owned
 * (free with cs_custom_cols_free).  Errors: CS_E_DB. */
cs_status cs_custom_cols_load(struct cs_store *s, const struct cs_filter *f, size_t cap,
                              struct cs_custom_cols *c, struct cs_err *err);
/* The column of key, or -1 when it has none. */
long cs_custom_cols_find(const struct cs_custom_cols *c, const char *key);
void cs_custom_cols_free(struct cs_custom_cols *c);

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

/* One merged row; strings borrowed for the callback only. */
struct cs_join_row {
    bool has_left, has_right; /* which side is present */
    const char *survey_id;    /* left */
    int64_t time_us;
    const char *resource; /* short name */
    const char *call_id, *participant_id;
    bool has_score[4];
    double score[4];             /* overall, audio, video, screenshare */
    const char *event_survey_id; /* right */
    bool has_event_time;
    int64_t event_time_us;
    const char *props;        /* JSON object text */
    const char *measurements; /* JSON object text or NULL */
};

typedef cs_status (*cs_join_cb)(void *ctx, const struct cs_join_row *row,
                                struct cs_err *err);

/* Create the index the right-side merge kinds need (best effort: not on a
 * read-only database, and not inside a transaction; call it before
 * cs_store_read_begin).  cs_join_rows calls it too. */
void cs_join_prepare(struct cs_store *s, enum cs_merge kind);

/* Rows of the merge, ordered by survey time, survey id, event time, event
 * id (right-only rows by event time, id). */
cs_status cs_join_rows(struct cs_store *s, const struct cs_filter *f,
                       enum cs_merge kind, cs_join_cb cb, void *ctx,
                       struct cs_err *err);

#endif
