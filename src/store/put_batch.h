/*
 * store/put_batch.h: new surveys inserted a batch at a time (issue 22).
 *
 * cs_store_put collects the records it appends (each with the rowid,
 * resource and day it gives them) and inserts them with one statement,
 * PUT_BATCH_INSERT_SQL, which reads them through the virtual table
 * cs_put_batch: SQLite asks for each column's value where a prepared
 * INSERT had 41 parameters bound and a step and a reset per survey (at a
 * million surveys the binds were 0.5 s and the steps 1.15 s of the store
 * thread).  The values and their types are the ones the binds gave:
 * text and non-zero integers or NULL, scores as integers when whole
 * (load_cube.h, cs_num_binds_as_int), a category's own time NULL.
 *
 * The batch borrows the records and their cs_put_pre: they must outlive
 * the statement's step.
 * The caller owns the struct (zero-initialized = empty) and frees it with
 * put_batch_free after the connection that reads it is closed.
 */
#ifndef CS_STORE_PUT_BATCH_H
#define CS_STORE_PUT_BATCH_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "model/survey.h"
#include "store/put_pre.h"

struct put_row {
    const struct cs_record *r;    /* borrowed */
    const struct cs_put_pre *pre; /* borrowed: r's day, texts' lengths (SQLite is
                                     given them: no strlen on its side), ... */
    int64_t rid, res;             /* res 0: no resource */
    int64_t input;                /* inputs.id of the record's input */
};

struct put_batch {
    struct put_row *rows; /* owned: n used of cap */
    size_t n, cap;
};

/* A column's value as the store keeps it: SQLITE_NULL, SQLITE_INTEGER (i),
 * SQLITE_FLOAT (d) or SQLITE_TEXT (t, borrowed).  The one rule for the
 * batch's columns and for the parameters of a merge's UPDATE. */
struct put_value {
    int type;
    int64_t i;
    double d;
    const char *t;
};

/* Text, "" as NULL. */
struct put_value put_text(const char *t);
/* An integer, 0 as NULL. */
struct put_value put_nonzero(int64_t v);
/* A number: an integer when whole (cs_num_binds_as_int), else a real. */
struct put_value put_num(double v);
/* Column k (0-6: t s lo hi th iss m) of rating rt: all NULL when it is not
 * present; the category's own time NULL (it is the survey's, for a new
 * survey and for a merge's parameter, which the caller sets apart);
 * bounds and threshold NULL without a scale. */
struct put_value put_category(const struct cs_rating *rt, int k);

/* The statement that inserts the batch's rows into survey_data. */
#define PUT_BATCH_INSERT_SQL                                                           \
    "INSERT INTO survey_data(rid, survey_id, time_us, day, week, resource, call_id,"   \
    " participant_id, correlation_id, operation, input, line,"                         \
    " o_t, o_s, o_lo, o_hi, o_th, o_iss, o_m, a_t, a_s, a_lo, a_hi, a_th, a_iss, a_m," \
    " v_t, v_s, v_lo, v_hi, v_th, v_iss, v_m, s_t, s_s, s_lo, s_hi, s_th, s_iss, s_m," \
    " time_sub) SELECT * FROM cs_put_batch"

/* Make cs_put_batch on db read b's rows; SQLite's result code. */
int put_batch_register(sqlite3 *db, struct put_batch *b);

/* Add a row (the batch grows). */
void put_batch_add(struct put_batch *b, const struct put_row *row);

/* Ask the cache for the lines of record r that the store reads of the
 * categories rated (bit c of present: each category's fields before its
 * tags' text may straddle two lines) and, with texts, its ids, resource
 * and operation.  A record is about 6 KB, made on the parser's thread a
 * batch (6 MB) before: at 1M surveys the store thread's first touch of
 * each rating stalled on the cache, 0.1-0.2 s (issue 22). */
static inline void
put_prefetch_record(const struct cs_record *r, unsigned present, bool texts)
{
    for (int c = 0; c < CS_CAT__COUNT; c++)
        if (present & (1u << c)) {
            __builtin_prefetch(&r->rating[c]);
            __builtin_prefetch(&r->rating[c].issues[8]);
        }
    if (texts) {
        __builtin_prefetch(r);
        __builtin_prefetch(r->call_id);
        __builtin_prefetch(r->participant_id);
        __builtin_prefetch(r->correlation_id);
        __builtin_prefetch(r->resource_id);
        __builtin_prefetch(r->operation);
        __builtin_prefetch(&r->line);
    }
}

/* Free the rows; b is empty again. */
void put_batch_free(struct put_batch *b);

#endif
