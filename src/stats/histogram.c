/*
 * stats/histogram.c: checking score histograms and expanding them into the
 * full distribution of a scale.
 *
 * A histogram is a borrowed array of (score, count) bins sorted strictly
 * ascending by score, as the store's GROUP BY ... ORDER BY score produces
 * it.  The distribution of DESIGN.md §8 lists every integer score of the
 * scale, zeros included, plus any other score present; it is produced by a
 * merge walk of the integer grid ceil(lower)..floor(upper) with the bins,
 * written into a caller-sized array (snprintf-style return of the needed
 * size), so nothing here allocates.  The grid is built from int64_t values
 * and only for bounds within +-STATS_GRID_LIMIT, so it is exact and finite.
 */
#include "stats/stats.h"

#include <math.h>
#include <stdint.h>

/* Bounds beyond this have no integer grid (scores are normally 0..100). */
#define STATS_GRID_LIMIT 1e9

/* ------------------------------------------------------------------------ */
/* Private helpers                                                          */
/* ------------------------------------------------------------------------ */

/* The integer grid [*g_lo, *g_hi] of a scale; false when there is none. */
static bool
grid_bounds(double lower, double upper, int64_t *g_lo, int64_t *g_hi)
{
    if (!(isfinite(lower) && isfinite(upper)) || !(lower <= upper) ||
        fabs(lower) > STATS_GRID_LIMIT || fabs(upper) > STATS_GRID_LIMIT)
        return false;
    *g_lo = (int64_t)ceil(lower);
    *g_hi = (int64_t)floor(upper);
    return *g_lo <= *g_hi;
}

/* Whether score is one of the grid's integers. */
static bool
on_grid(double score, bool has_grid, int64_t g_lo, int64_t g_hi)
{
    return has_grid && score == floor(score) && score >= (double)g_lo &&
           score <= (double)g_hi;
}

/* ------------------------------------------------------------------------ */
/* Public API                                                               */
/* ------------------------------------------------------------------------ */

cs_status
stats_hist_check(const struct stats_hist *hist, struct cs_err *err)
{
    if (hist == NULL)
        return cs_fail(err, CS_E_INTERNAL, NULL, "histogram is NULL");
    if (hist->n_bins > 0 && hist->bins == NULL)
        return cs_fail(err, CS_E_INTERNAL, NULL,
                       "histogram has %zu bins but no array", hist->n_bins);
    uint64_t total = 0;
    for (size_t i = 0; i < hist->n_bins; i++) {
        const struct stats_bin *b = &hist->bins[i];
        if (!isfinite(b->score))
            return cs_fail(err, CS_E_INTERNAL, NULL,
                           "histogram bin %zu: score is not finite", i);
        if (i > 0 && !(hist->bins[i - 1].score < b->score))
            return cs_fail(err, CS_E_INTERNAL, NULL,
                           "histogram bin %zu: score %.17g not above %.17g", i,
                           b->score, hist->bins[i - 1].score);
        if (b->count > UINT64_MAX - total)
            return cs_fail(err, CS_E_INTERNAL, NULL,
                           "histogram bin %zu: total count overflows", i);
        total += b->count;
    }
    return CS_OK;
}

uint64_t
stats_hist_n(const struct stats_hist *hist)
{
    uint64_t n = 0;
    for (size_t i = 0; i < hist->n_bins; i++)
        n += hist->bins[i].count;
    return n;
}

size_t
stats_distribution_cap(const struct stats_hist *hist, double lower,
                       double upper)
{
    int64_t g_lo, g_hi;
    size_t n = hist->n_bins;
    if (!grid_bounds(lower, upper, &g_lo, &g_hi))
        return n;
    uint64_t grid = (uint64_t)(g_hi - g_lo) + 1;
    if (grid > SIZE_MAX - n)
        return SIZE_MAX;
    return n + (size_t)grid;
}

size_t
stats_distribution(const struct stats_hist *hist, double lower, double upper,
                   struct stats_bin *out, size_t cap)
{
    int64_t g_lo = 0, g_hi = -1;
    bool has_grid = grid_bounds(lower, upper, &g_lo, &g_hi);

    /* Rows needed: the grid plus every present score not on it. */
    size_t needed = has_grid ? (size_t)(g_hi - g_lo) + 1 : 0;
    for (size_t i = 0; i < hist->n_bins; i++)
        if (hist->bins[i].count > 0 &&
            !on_grid(hist->bins[i].score, has_grid, g_lo, g_hi))
            needed++;

    /* Merge walk: g is the next grid integer, i the next bin. */
    size_t n_out = 0, i = 0;
    int64_t g = g_lo;
    while (n_out < cap) {
        while (i < hist->n_bins && hist->bins[i].count == 0 &&
               !on_grid(hist->bins[i].score, has_grid, g_lo, g_hi))
            i++; /* absent non-grid score: not part of the distribution */
        bool grid_left = has_grid && g <= g_hi;
        bool bins_left = i < hist->n_bins;
        if (!grid_left && !bins_left)
            break;
        struct stats_bin row;
        if (grid_left && bins_left && hist->bins[i].score == (double)g) {
            row = hist->bins[i++];
            g++;
        } else if (grid_left &&
                   (!bins_left || (double)g < hist->bins[i].score)) {
            row.score = (double)g++;
            row.count = 0;
        } else {
            row = hist->bins[i++];
        }
        out[n_out++] = row;
    }
    return needed;
}
