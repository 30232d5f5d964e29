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
#include "model/survey.h"
#include "store/query.h"
#include "store/store.h"

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

/* Every survey in filter f (NULL = all), ordered by time then survey id.
 * The sort may spill to SQLite's temporary files rather than memory (about
 * 300 MB per million surveys otherwise).  s, f: borrowed.  Errors:
 * CS_E_DB, or the callback's status. */
cs_status cs_export_surveys(struct cs_store *s, const struct cs_filter *f,
                            cs_export_survey_cb cb, void *ctx,
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

/* The first `limit` rejected records of the whole store (rejects are not
 * filtered by time: a rejected record may have no valid time), in the order
 * they were stored.  limit 0 = all.  Errors: CS_E_DB or the callback's. */
cs_status cs_export_rejects(struct cs_store *s, uint64_t limit,
                            cs_export_reject_cb cb, void *ctx,
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

/* The first `limit` conflicts (0 = all), in the order they were met. */
cs_status cs_export_conflicts(struct cs_store *s, uint64_t limit,
                              cs_export_conflict_cb cb, void *ctx,
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

/* Every input, in ingest order.  Errors: CS_E_DB or the callback's. */
cs_status cs_export_inputs(struct cs_store *s, cs_export_input_cb cb,
                           void *ctx, struct cs_err *err);

#endif
