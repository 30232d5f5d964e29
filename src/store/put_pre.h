/*
 * store/put_pre.h: struct cs_put_pre (store.h's cs_store_put_prepare), on
 * its own so that put_batch.h's rows can point at it without including
 * store.h.
 */
#ifndef CS_STORE_PUT_PRE_H
#define CS_STORE_PUT_PRE_H

#include <stdbool.h>
#include <stdint.h>

#include "model/survey.h"

/* What cs_store_put works out of a record before it reads or writes the
 * store: its survey id's hash, its day, the lengths of its texts, the
 * hashes of its call and participant ids (the load's aggregate), whether
 * its correlation id repeats its participant id and its resource the
 * record's before it in the batch.  A pipeline works it out on the parser's
 * thread as each record is made (cs_store_put_prepare) and hands it with
 * the records to cs_store_put_prepared on the store's: at a million surveys
 * the store's thread was the load's bottleneck, the parser's had time to
 * spare (issue 22). */
struct cs_put_pre {
    uint64_t id_h; /* the survey id's hash (the store's index of ids) */
    /* for the load's aggregate only (0 when cs_store_put_prepare's cube is
     * false): cs_idset_hash of call_id and participant_id (0: none), and
     * cs_keyhash of survey_id (the join audit) */
    uint64_t call_h, part_h, sid_h;
    int64_t day;                                         /* cs_time_day of time_us */
    uint16_t n_sid, n_call, n_part, n_corr, n_res, n_op; /* strlen of each text */
    uint16_t n_iss[CS_CAT__COUNT];                       /* strlen of each category's issues */
    uint8_t present;                                     /* bit c: category c rated */
    uint8_t unknown;                                     /* bit c: category c has tags of no catalogue */
    bool corr_is_part;                                   /* correlation_id == participant_id */
    bool res_as_prev;                                    /* resource_id == that of batch[i - 1] */
};

#endif
