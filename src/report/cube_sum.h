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

#endif
