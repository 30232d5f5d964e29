/*
 * store/load_cube.h: the statistics' aggregate kept while a private store
 * loads (issue 22, "aggregate while loading").
 *
 * The model's scan (store/query_cube.c) reads every survey back from
 * SQLite to count its ratings by (group, bucket, category, scale, score,
 * tags) and its distinct call and participant ids: at a million surveys a
 * core-second of SQLite row decoding, beside the join audit and the calls
 * join on two cores.  The store thread sees every survey as it stores it,
 * so a report's private store keeps here, as it loads:
 *   - per survey (by rid): its time, resource and the hashes of its call
 *     and participant ids (28 bytes; 29 MB at 1M surveys), from which a
 *     scan counts the window's surveys, distinct ids and first and last
 *     times exactly as the SQL scan does; and the hash of its survey id
 *     (8 bytes more), from which the join audit's pass over the window's
 *     surveys looks them up among the events (store/join_keys.c);
 *   - the ratings as counts per (resource, day, category, scale, score,
 *     tag mask, any tag): 74k cells at 1M generated surveys (8 MB), cut
 *     to a window of whole days and rolled up to weeks by the scan.
 * Values are kept as SQLite returns them (lc_num): the same doubles the
 * SQL scan reads, so the two scans give the same cube (test_load_cube
 * compares them cell by cell, merges, conflicts and windows included).
 *
 * A merge (store_put.c) subtracts the survey's cells as stored before it and
 * adds them as stored after it, both read back from the row: a merge may
 * move the survey to an earlier day, fill its call, participant or
 * resource, or replace categories (by time or by content), and reading the
 * row is what the SQL scan would see.  A rolled-back input drops the
 * aggregate (the rows it counted are gone): the store then scans SQLite.
 *
 * Owned by the store (cs_store_keep_cube); a twin may borrow it
 * (cs_store_lend_cube) while the store keeps it.
 */
#ifndef CS_STORE_LOAD_CUBE_H
#define CS_STORE_LOAD_CUBE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/survey.h"

/* One survey (index rid - 1); time_us INT64_MIN: no such rid.  Its
 * resource is kept apart (cs_load_cube_resources): 32 + 4 bytes a survey. */
struct lc_head {
    int64_t time_us;
    uint64_t call_h, part_h; /* cs_idset_hash of the stored ids; 0: none */
    uint64_t sid_h;          /* cs_keyhash of the survey id */
};

/* Ratings counted by their key (every field but count and used). */
struct lc_cell {
    double score;
    double lo, hi, th; /* 0 when def (the default scale) */
    int64_t count;
    int32_t resource; /* resource_data id; 0: none */
    int32_t day;      /* the survey's day (days since 1970-01-01) */
    uint32_t mask;    /* known tags' bits */
    uint8_t cat;
    bool def, any_tag;
    bool used; /* a slot of the map (count may be back to 0) */
};

struct cs_load_cube;

/* store_put.c binds a number as an integer when it is integral and below
 * 9e15 (so -0 reads back as 0), else as a double: the aggregate keeps it
 * as SQLite will give it back, by the same rule. */
static inline bool
cs_num_binds_as_int(double v)
{
    return v < 9e15 && v > -9e15 && v == (double)(int64_t)v; /* NaN: false */
}

/* A new, empty aggregate that gives up (cs_load_cube_exact false) at a
 * rid past max_surveys.  Free with cs_load_cube_free. */
struct cs_load_cube *cs_load_cube_new(size_t max_surveys);
void cs_load_cube_free(struct cs_load_cube **lc);

/* The hashes of a new survey's ids: cs_idset_hash of its call and
 * participant ids, cs_keyhash of its survey id. */
struct lc_ids {
    uint64_t call_h, part_h, sid_h;
};

/* Count new survey r at rid (resource id res, 0: none; day as stored; bit
 * c of present: r->rating[c].present, so that the ratings not given are
 * not read). */
void cs_load_cube_record(struct cs_load_cube *lc, int64_t rid, const struct cs_record *r,
                         int64_t res, int64_t day, const struct lc_ids *ids, unsigned present);

/* The SELECT that cs_load_cube_row steps (?1 = rid). */
#define CS_LOAD_CUBE_ROW_SQL                                  \
    "SELECT time_us, day, resource, call_id, participant_id," \
    " o_s, o_lo, o_hi, o_th, o_m, o_iss IS NOT NULL,"         \
    " a_s, a_lo, a_hi, a_th, a_m, a_iss IS NOT NULL,"         \
    " v_s, v_lo, v_hi, v_th, v_m, v_iss IS NOT NULL,"         \
    " s_s, s_lo, s_hi, s_th, s_m, s_iss IS NOT NULL, survey_id FROM survey_data WHERE rid = ?1"

/* Subtract (sign -1) or add (sign +1, and set the survey's head) survey
 * rid as row statement q (CS_LOAD_CUBE_ROW_SQL) reads it now.  SQLite's
 * result code (SQLITE_OK when done). */
int cs_load_cube_row(struct cs_load_cube *lc, sqlite3_stmt *q, int64_t rid, int sign);

/* Does it count every survey as stored?  Not once a resource_data id
 * past 2^31 was met (ids are kept in 32 bits), nor past its max_surveys:
 * the store then frees it and the scans read SQLite. */
bool cs_load_cube_exact(const struct cs_load_cube *lc);
/* The surveys: heads[i] is rid i + 1; *n of them. */
const struct lc_head *cs_load_cube_heads(const struct cs_load_cube *lc, size_t *n);
/* Their resource_data ids (0: none), as heads. */
const int32_t *cs_load_cube_resources(const struct cs_load_cube *lc);
/* The map's slots (*n of them): those with used and count > 0 are cells. */
const struct lc_cell *cs_load_cube_cells(const struct cs_load_cube *lc, size_t *n);

#endif
