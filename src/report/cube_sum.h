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

#endif
