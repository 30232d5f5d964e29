/*
 * model/rows.h: the rows the store exports one at a time (surveys,
 * rejected records, conflicts, inputs, merged custom answers) and the
 * merge kinds and join audit, as plain data, so that renderers can take
 * them through callbacks without seeing the store.
 *
 * Strings in a row are borrowed for the duration of the callback only;
 * copy what you keep.  A callback that returns anything but CS_OK stops
 * the export, which then returns that status (err as the callback filled
 * it).  Text may hold any bytes the input held: renderers clean it.
 */
#ifndef CS_MODEL_ROWS_H
#define CS_MODEL_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "model/survey.h"

/* The hash of a custom key's name for open-addressing tables (FNV-1a with
 * a final mix; never 0).  key: borrowed, NUL-terminated. */
uint64_t cs_name_hash(const char *key);

/* One rated category of an exported survey. */
struct cs_export_rating {
    bool present;        /* the survey has a score for the category */
    double score;        /* the score as stored (valid when present) */
    double lower, upper; /* effective scale: 1..5 when the record had none */
    double threshold;    /* effective poor threshold (store default when none) */
    bool default_scale;  /* the record carried no scale */
    bool poor;           /* score <= threshold */
    const char *issues;  /* normalized tags, comma-joined; NULL when none */
};

/* One survey (one row of the contract view `surveys`, with its ratings). */
struct cs_export_survey {
    const char *survey_id;                         /* never NULL */
    int64_t time_us;                               /* TimeGenerated of the latest record, µs */
    int64_t day;                                   /* days since 1970-01-01 (UTC) */
    int32_t week;                                  /* ISO week, packed iso_year*100+week (202647) */
    const char *resource;                          /* short resource name; NULL when none */
    const char *resource_id;                       /* full ARM id; NULL when none */
    const char *call_id;                           /* NULL when none */
    const char *participant_id;                    /* NULL when none */
    const char *correlation_id;                    /* correlation id, else participant id; NULL when neither */
    const char *operation;                         /* OperationName; NULL when none */
    const char *source;                            /* input the survey came from; NULL when unknown */
    bool has_line;                                 /* line is known */
    int64_t line;                                  /* 1-based line of the record in its input */
    struct cs_export_rating rating[CS_CAT__COUNT]; /* by enum cs_category */
};

typedef cs_status (*cs_export_survey_cb)(void *ctx,
                                         const struct cs_export_survey *row,
                                         struct cs_err *err);

/* One rejected record (the contract view `rejects`). */
struct cs_export_reject {
    const char *source; /* input name as messages give it */
    bool has_line;      /* line is known */
    int64_t line;       /* 1-based line of the record start */
    int64_t record;     /* record index within that line (0-based) */
    const char *reason; /* why it was rejected (SDK wording) */
    const char *raw;    /* the record as read; may hold any bytes; "" when none */
    size_t raw_len;     /* bytes in raw */
};

typedef cs_status (*cs_export_reject_cb)(void *ctx,
                                         const struct cs_export_reject *row,
                                         struct cs_err *err);

/* One conflict: two records of a survey rating a category at the same
 * time (to 100 ns) with different content, and the version kept. */
struct cs_export_conflict {
    const char *survey_id;
    int cat;            /* enum cs_category */
    const char *time;   /* "2026-11-16T08:00:00.1234567Z" */
    const char *kept;   /* "score 2, issues HadToRejoin" */
    const char *other;  /* the version not kept */
    const char *source; /* input of the record that met the stored one */
    int64_t line;       /* its line */
};

typedef cs_status (*cs_export_conflict_cb)(void *ctx,
                                           const struct cs_export_conflict *row,
                                           struct cs_err *err);

/* One input of the store (the inputs table: one row per ingested file). */
struct cs_export_input {
    const char *source; /* file name, "-" for standard input */
    const char *format; /* "jsonl", "csv", ...; NULL while unknown */
    const char *status; /* "done"; "open" for an input never finished */
    uint64_t bytes;     /* size read */
    uint64_t read;      /* records read: stored + duplicates + updated + conflicts + rejected */
    uint64_t stored, duplicates, updated, rejected, unknown_tags, conflicts;
};

typedef cs_status (*cs_export_input_cb)(void *ctx,
                                        const struct cs_export_input *row,
                                        struct cs_err *err);

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
/* The merge whose rows the workbook's Custom sheet lists for kind m: the
 * answers only (leftouter's answered rows are inner's, fullouter's
 * rightouter's, in the same order); m itself for the other kinds. */
enum cs_merge cs_merge_listed(enum cs_merge m);
/* Can the rows of merge `want` be picked out of a pass of merge `pass`, in
 * the same order (the pass's rows come with a survey in survey order, then
 * the answers without one)?  want == pass: all of them; inner's out of
 * leftouter, rightouter or fullouter: those with both sides; rightouter's
 * and leftouter's out of fullouter: those with an answer, with a survey.
 * has_left/has_right: the row's sides, when it is asked which rows. */
bool cs_merge_within(enum cs_merge pass, enum cs_merge want);
bool cs_merge_row_in(enum cs_merge pass, enum cs_merge want, bool has_left, bool has_right);

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

/* The column of key, or -1 when it has none. */
long cs_custom_cols_find(const struct cs_custom_cols *c, const char *key);
void cs_custom_cols_free(struct cs_custom_cols *c);

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

/* The join audit: surveys = matched + unmatched + ambiguous. */
struct cs_call_join {
    uint64_t surveys, matched, unmatched, ambiguous, legs_without_survey;
    uint64_t legs; /* call_data rows (0: no call summaries loaded) */
};

/* One survey the join left without a leg (borrowed strings). */
struct cs_call_unmatched {
    const char *survey_id, *call_id, *participant_id; /* "" when none */
    int64_t time_us;
    bool ambiguous; /* several legs could be its own (else none) */
};

/* Index c->keys (n_keys of them, byte order) for cs_custom_cols_find. */
void cs_custom_cols_index(struct cs_custom_cols *c);

#endif
