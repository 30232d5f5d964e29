/*
 * store/join_left.h: the listed surveys' columns of a merge (store/
 * join_merge.h) read ahead by a thread of their own, on a second
 * connection (a twin of a private store, store.h), while the merge's
 * thread reads the answers and hands the rows on.  Issue 22: at 1M
 * surveys the Custom sheet's 316k surveys read by rowid were a third of
 * the workbook stage, on the one thread that also read the answers.
 * Internal to the store module.
 */
#ifndef CS_STORE_JOIN_LEFT_H
#define CS_STORE_JOIN_LEFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "model/filter.h"
#include "store/store.h"

/* The surveys' columns a merge's rows carry, by position:
 * 0 rid, 1 survey_id, 2 time_us, 3 resource, 4 call_id, 5 participant_id,
 * 6-9 the four scores; a WHERE condition follows. */
#define CS_JOIN_LSEL                                                                 \
    "SELECT d.rid, d.survey_id, d.time_us, d.resource, d.call_id, d.participant_id," \
    " d.o_s, d.a_s, d.v_s, d.s_s FROM survey_data d WHERE "

/* Surveys read by rowid per statement ("rid IN (...)" of this many). */
#define CS_JOIN_IN 64

/* A survey of L to list: its rowid and its group (UINT32_MAX: unanswered). */
struct cs_join_lkey {
    int64_t rid;
    uint32_t g;
};

/* One survey's columns.  The strings are the reader's: valid until the
 * next cs_join_left_next or cs_join_left_stop. */
struct cs_join_left_row {
    int64_t rid, time_us;
    const char *survey_id; /* NULL: the column was NULL */
    const char *call_id, *participant_id;
    bool has_resource;
    int64_t resource; /* resource_data's id, when has_resource */
    bool has_score[4];
    double score[4];
};

struct cs_join_left;

/* Listed surveys from which a merge reads them ahead (4096; below, a
 * thread and a connection cost more than they save).  Tests lower it. */
extern size_t cs_join_left_min;

/* Start reading the columns of the surveys k[0..n) in that order from a
 * twin of s: with one scan of the surveys of the filter (lw, its
 * parameters from f) stepping over those not listed when seq (k in rowid
 * order), else by rowid, ascending runs CS_JOIN_IN at a time.  k, f and lw
 * are borrowed until cs_join_left_stop.  NULL when s allows no twin (not a
 * private store's file, or writing) or a twin or thread could not be had:
 * the caller reads the surveys itself. */
struct cs_join_left *cs_join_left_start(struct cs_store *s, const struct cs_filter *f,
                                        const char *lw, const struct cs_join_lkey *k,
                                        size_t n, bool seq);

/* The next listed survey's columns into *row.  CS_E_DB with the twin's
 * message ("join query failed: ...") when reading failed; CS_E_INTERNAL
 * when asked past the n rows. */
cs_status cs_join_left_next(struct cs_join_left *jl, struct cs_join_left_row *row,
                            struct cs_err *err);

/* Stop the reader wherever it is, close its twin and free jl (NULL:
 * nothing). */
void cs_join_left_stop(struct cs_join_left *jl);

#endif
