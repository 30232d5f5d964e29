/*
 * report/cube_sum.h: cubes derived from other cubes without a scan.
 *
 * A scan of the filtered surveys costs about a second per million; a cube
 * derived from one already made costs microseconds.  Derived cubes are
 * exact: counts of responses add across groups, and the totals (surveys,
 * distinct calls and participants, first/last) come from the same scan,
 * which saw the same rows whatever it grouped by.
 */
#ifndef CS_REPORT_CUBE_SUM_H
#define CS_REPORT_CUBE_SUM_H

#include <stdbool.h>
#include <stdint.h>

#include "store/query.h"

/* *out = the cube `in` without its groups: every cell summed over the
 * groups, sorted as cs_query_cube sorts, no groups, in's totals.  `in` is
 * any cube of cs_query_cube_grouped (or cs_query_cube: a copy); *out is
 * the caller's, freed with cs_cube_free.  Equals cs_query_cube over the
 * same filter and bucket, cell for cell. */
void cs_cube_ungroup(const struct cs_cube *in, struct cs_cube *out);

/* *out = the cubes a and b of two disjoint time windows of the same filter
 * as one ungrouped cube (equal cells summed; a bucket both windows share
 * gets both counts): the cube of the union window, cell for cell.  Totals:
 * surveys add, first/last are the outer ones; distinct calls and
 * participants and the store-wide counters are left 0 (ids may recur
 * across the windows).  *out is the caller's (cs_cube_free). */
void cs_cube_union(const struct cs_cube *a, const struct cs_cube *b, struct cs_cube *out);

/* *out = the cube of in's surveys whose time lies in [since, until), cut
 * from `in` (a cube of cs_query_cube_grouped or cs_query_cube) by its
 * slices: what a scan of in's filter narrowed to that window would give,
 * cell for cell, with its groups (those with surveys in the window, in
 * in's order), their survey counts, slices, and the totals' surveys and
 * first/last; distinct calls and participants are left 0 (not counted per
 * slice), the store-wide counters are in's.  False, *out empty, when `in`
 * has no slices or a slice (group, bucket) has surveys on both sides of a
 * bound (e.g. a window not on the bucket's boundaries): then scan.  The
 * window must lie inside in's filter window.  *out is the caller's
 * (cs_cube_free). */
bool cs_cube_window(const struct cs_cube *in, int64_t since, int64_t until, struct cs_cube *out);

#endif
