/*
 * stats/stats.h: the statistics of callsurvey, as pure functions over score
 * histograms (DESIGN.md §8).
 *
 * Data model.  Statistics never see raw rows: the store aggregates them with
 * SQL GROUP BY into a histogram, one bin per distinct score, sorted ascending.
 * Scores are doubles (normally within 0..100) and may be non-integers (2.5);
 * they are used exactly as given, never rounded.  Counts are uint64_t.
 *
 * Conventions shared by every function below:
 *   - Pure: no I/O, no globals, no printing, no allocation.  Every pointer
 *     argument is borrowed for the duration of the call only.
 *   - Rates and differences of rates are fractions (0.25, not 25 points);
 *     converting to percentage points is presentation.
 *   - A value that is undefined for the data at hand (a mean of nothing, a
 *     standard deviation of one value, a test with an empty group) is NaN,
 *     never 0.  Callers write NaN as JSON null / an empty cell.
 *   - Histograms must satisfy stats_hist_check(): finite scores, strictly
 *     ascending, counts summing to at most UINT64_MAX.  Bins with count 0 are
 *     allowed and ignored.  Passing an invalid histogram is a programmer
 *     error (checked by assert), not a data error.
 *   - 95% intervals use z = STATS_Z95 = Φ⁻¹(0.975).
 *   - GSL's default error handler aborts the process, so every argument is
 *     range-checked before it reaches GSL; no function here can trigger it.
 */
#ifndef CS_STATS_H
#define CS_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Φ⁻¹(0.975), the two-sided 95% normal quantile (= gsl_cdf_ugaussian_Pinv(0.975)). */
#define STATS_Z95 1.9599639845400536

/* Cochran's rule threshold: minimum expected count per cell (see stats_chi2_homogeneity). */
#define STATS_MIN_EXPECTED 5.0

/* ------------------------------------------------------------------------ */
/* Histograms                                                               */
/* ------------------------------------------------------------------------ */

/* One distinct score and how many responses gave it. */
struct stats_bin {
    double score;   /* the score, exactly as stored (scale units, e.g. 1..5, 0..100, 0..1) */
    uint64_t count; /* number of responses with this score; 0 allowed (ignored) */
};

/* A borrowed view of a histogram: bins sorted strictly ascending by score. */
struct stats_hist {
    const struct stats_bin *bins; /* borrows; may be NULL when n_bins == 0 */
    size_t n_bins;                /* number of bins */
};

/* A rating scale: bounds and the poor threshold (poor means score <= threshold). */
struct stats_scale {
    double lower;     /* lowest possible score, e.g. 1 */
    double upper;     /* highest possible score, e.g. 5 */
    double threshold; /* scores <= threshold are poor, e.g. 2 */
};

/*
 * Check that hist is usable by the functions below: bins non-NULL when
 * n_bins > 0, every score finite, scores strictly ascending, total count
 * not overflowing uint64_t.
 *
 * hist: borrows.  err: may be NULL.
 * Returns CS_OK, or CS_E_INTERNAL with err->msg naming the first bad bin
 * (histograms come from our own SQL, so a bad one is a bug upstream).
 */
cs_status stats_hist_check(const struct stats_hist *hist, struct cs_err *err);

/*
 * Total count of hist (sum of bin counts).  0 for an empty histogram.
 */
uint64_t stats_hist_n(const struct stats_hist *hist);

/*
 * The full distribution for a scale (DESIGN.md §8): every integer score
 * from ceil(lower) to floor(upper) inclusive, zero counts included, merged
 * with every score present in hist (non-integer scores, and any score
 * outside [lower, upper], which is kept so that counts always sum to n),
 * ascending.  Share of a row = count / stats_hist_n(hist).
 *
 * hist: borrows.  out: caller's array of capacity cap (may be NULL if
 * cap == 0).  Writes min(needed, cap) rows and returns `needed`, the number
 * of rows of the full distribution (snprintf-style: call with cap == 0 to
 * size the array).  needed <= stats_distribution_cap(hist, lower, upper).
 * NaN or infinite bounds, or lower > upper: no integer grid, only the
 * scores present.
 *
 * Example: hist {2:3, 2.5:1, 5:2}, lower 1, upper 5 gives
 *          1:0, 2:3, 2.5:1, 3:0, 4:0, 5:2 (returns 6).
 */
size_t stats_distribution(const struct stats_hist *hist, double lower,
                          double upper, struct stats_bin *out, size_t cap);

/*
 * An upper bound for the rows of stats_distribution():
 * (floor(upper) - ceil(lower) + 1) + hist->n_bins, or just n_bins when the
 * integer grid is empty.  Saturates at SIZE_MAX for absurd bounds.
 */
size_t stats_distribution_cap(const struct stats_hist *hist, double lower,
                              double upper);

/* ------------------------------------------------------------------------ */
/* Summary of one (category, scale)                                         */
/* ------------------------------------------------------------------------ */

/* The figures of DESIGN.md §8 for one histogram on one scale. */
struct stats_summary {
    uint64_t n;        /* responses (total count) */
    double mean;       /* arithmetic mean of scores; NaN when n == 0 */
    double median;     /* middle score; mean of the two middle scores when n is even; NaN when n == 0 */
    double sd;         /* sample standard deviation (divisor n-1); NaN when n < 2 */
    double min;        /* smallest score present; NaN when n == 0 */
    double max;        /* largest score present; NaN when n == 0 */
    double mean_ci_lo; /* 95% Student-t interval for the mean: max(mean - t(0.975, n-1)*sd/sqrt(n), lower); NaN when n < 2 */
    double mean_ci_hi; /* min(mean + t*sd/sqrt(n), upper), the same interval; NaN when n < 2 */
    uint64_t n_poor;   /* responses with score <= threshold (0 when threshold is NaN) */
    double poor_rate;  /* n_poor / n; NaN when n == 0 or threshold is NaN */
    double poor_ci_lo; /* Wilson 95% interval for poor_rate (stats_wilson); NaN when poor_rate is */
    double poor_ci_hi; /* upper end of the Wilson interval */
    double norm_mean;  /* mean of (score-lower)/(upper-lower), a fraction of the scale;
                          NaN when n == 0 or unless upper > lower (both finite) */
};

/*
 * Summarize hist on the scale [lower, upper] with poor threshold threshold.
 *
 * hist: borrows; must pass stats_hist_check().  lower/upper/threshold in
 * scale units.  Never fails.
 *
 * Numerics (the figures must be right to the last digit):
 *   - sum of count*score accumulated in long double with compensation; the
 *     mean is sum/n rounded once whenever the sum is exactly representable
 *     as a double (always the case for integer and half-integer scores with
 *     realistic n), so it is then the correctly rounded mean;
 *   - variance by two passes over the bins: the mean first, then
 *     sum count*(score-mean)^2, in long double (stable, no cancellation);
 *   - the median reads the bins at ranks floor((n-1)/2) and floor(n/2)
 *     (0-based) and averages them, exact for equal middle values;
 *   - norm_mean = (mean - lower)/(upper - lower), equal to the mean of the
 *     normalized scores, computed from the long double mean.
 * Edge cases: n == 0 gives every double NaN (n and n_poor 0); n == 1 gives
 * mean = median = min = max = the score, sd and the mean interval NaN.
 */
struct stats_summary stats_summarize(const struct stats_hist *hist,
                                     double lower, double upper,
                                     double threshold);

/*
 * Wilson score interval for a proportion k/n with normal quantile z
 * (use STATS_Z95 for 95%):
 *   (2k + z² ∓ z·sqrt(z² + 4k(n-k)/n)) / (2(n + z²)),
 * clamped to [0, 1], with lo exactly 0 when k == 0 and hi exactly 1 when
 * k == n.
 *
 * lo, hi: out-parameters, must be non-NULL.  n == 0, k > n, or z not > 0
 * (including NaN): both NaN.
 */
void stats_wilson(uint64_t k, uint64_t n, double z, double *lo, double *hi);

/* Pooled normalized figures across several scales of one category. */
struct stats_pooled {
    uint64_t n;        /* responses over all parts */
    double norm_mean;  /* mean of (score-lower)/(upper-lower) over all responses of all parts;
                          NaN when n == 0 or any non-empty part has !(upper > lower) */
    uint64_t n_poor;   /* poor responses over all parts, each against its own threshold */
    double poor_rate;  /* n_poor / n; NaN when n == 0 or any non-empty part has a NaN threshold */
    double poor_ci_lo; /* Wilson 95% interval of poor_rate */
    double poor_ci_hi; /* upper end */
};

/*
 * Pool normalized figures across scales (DESIGN.md §8: across scales only
 * normalized figures are pooled, and labelled so; a pooled mean or median
 * of raw scores is never produced).  Used for the "pooled normalized" line
 * of a category that has several scales, e.g. per trend bucket.
 *
 * hists[i] is read on scales[i]; both arrays borrow n_parts elements (may
 * be NULL when n_parts == 0).  Parts with no responses are ignored.  With
 * one part the result equals that part's stats_summarize() norm_mean and
 * poor figures.
 */
struct stats_pooled stats_pool_normalized(const struct stats_hist *hists,
                                          const struct stats_scale *scales,
                                          size_t n_parts);

/* ------------------------------------------------------------------------ */
/* Comparisons: a group (1) against its baseline (2)                        */
/* ------------------------------------------------------------------------ */

/*
 * Difference of two proportions d = k1/n1 - k2/n2 with Newcombe's hybrid
 * score interval (Newcombe 1998, method 10), built from the Wilson
 * intervals (l1,u1), (l2,u2) of each proportion at quantile z:
 *   lo = d - sqrt((p1-l1)² + (u2-p2)²),  hi = d + sqrt((u1-p1)² + (p2-l2)²).
 *
 * diff, lo, hi: out-parameters, non-NULL.  n1 == 0 or n2 == 0 (or k > n, or
 * z not > 0): all three NaN.
 */
void stats_newcombe_diff(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2,
                         double z, double *diff, double *lo, double *hi);

/*
 * Two-proportion z-test with pooled variance:
 *   p = (k1+k2)/(n1+n2),  z = (k1/n1 - k2/n2) / sqrt(p(1-p)(1/n1 + 1/n2)),
 * no continuity correction (z² equals the uncorrected Pearson chi-square of
 * the 2x2 table).  Returns the two-sided p-value 2·Q(|z|).
 *
 * z_out: may be NULL; receives z (positive when group 1 has the higher rate).
 * n1 == 0, n2 == 0, k > n, or pooled p of 0 or 1 (zero variance): returns
 * NaN and z NaN.  Valid only with large expected counts: see
 * stats_poor_needs_exact().
 */
double stats_prop_ztest(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2,
                        double *z_out);

/*
 * Fisher's exact test, two-sided, for the 2x2 table
 *     | a  b |
 *     | c  d |
 * conditional on the margins.  The p-value is the sum of the hypergeometric
 * probabilities of every table with the same margins whose probability is
 * <= that of the observed table times (1 + 1e-7) (R's fisher.test rule: the
 * tolerance keeps tables of equal probability that differ only by rounding).
 * Probabilities are computed from log-gamma relative to the most likely
 * table, so large tables neither underflow nor overflow.  Time is linear in
 * min(a+b, a+c) (the support of the distribution).
 *
 * Returns 1 when only one table has these margins (a zero row or column
 * total).  Never NaN for valid input.
 */
double stats_fisher_2x2(uint64_t a, uint64_t b, uint64_t c, uint64_t d);

/*
 * Whether the 2x2 table of poor / not poor by group (k1, n1-k1 / k2, n2-k2)
 * has any expected count below STATS_MIN_EXPECTED (5), so that Fisher's
 * exact test should be used instead of the z-test.  Expected count of a
 * cell = row total * column total / grand total, compared exactly (in
 * integers held as long double).  Also true when n1 or n2 is 0.
 */
bool stats_poor_needs_exact(uint64_t k1, uint64_t n1, uint64_t k2,
                            uint64_t n2);

/* Poor-rate comparison of a group against its baseline. */
struct stats_poor_cmp {
    double diff;       /* poor rate of group minus poor rate of baseline (fraction) */
    double diff_ci_lo; /* Newcombe hybrid score 95% interval of diff */
    double diff_ci_hi; /* upper end */
    bool exact;        /* true: p is Fisher's exact test; false: the pooled z-test */
    double z;          /* pooled z statistic (computed even when exact; NaN when undefined) */
    double p;          /* two-sided p-value of the chosen test */
};

/*
 * The whole poor-rate comparison of DESIGN.md §8: difference with a
 * Newcombe interval, then Fisher's exact test when
 * stats_poor_needs_exact(), else the pooled z-test.
 * (k1, n1): group; (k2, n2): baseline.  n1 == 0 or n2 == 0: every double
 * NaN and exact false.
 */
struct stats_poor_cmp stats_compare_poor(uint64_t k1, uint64_t n1, uint64_t k2,
                                         uint64_t n2);

/* Mann-Whitney U test of two score distributions. */
struct stats_mwu {
    uint64_t n1; /* responses in group 1 */
    uint64_t n2; /* responses in group 2 (baseline) */
    double u;    /* U of group 1: #(x1 > x2) + 0.5·#(x1 == x2) over all pairs,
                     = R1 - n1(n1+1)/2 with midranks; NaN when n1 or n2 is 0 */
    double z;    /* (u - n1n2/2) / sigma, tie-corrected, no continuity correction;
                     NaN when sigma is 0 (every score tied) or a group is empty */
    double p;    /* two-sided normal p-value 2·Q(|z|); NaN when z is */
    double r;    /* rank-biserial correlation 2u/(n1n2) - 1 in [-1, 1]: positive when
                     group 1 tends to score HIGHER than group 2; NaN when u is */
};

/*
 * Mann-Whitney U test of h1 (group) against h2 (baseline), from the
 * histograms: each distinct score is one tie block, ranked with midranks.
 * Normal approximation with tie correction:
 *   sigma² = n1n2/12 · ((N+1) - Σ(t³-t)/(N(N-1))),  N = n1+n2,
 * t = responses at a score in both groups together.  No continuity
 * correction (R's wilcox.test(correct = FALSE, exact = FALSE)).
 * Rank sums in long double (exact for realistic sizes).
 * h1, h2: borrow; must pass stats_hist_check().
 */
struct stats_mwu stats_mann_whitney(const struct stats_hist *h1,
                                    const struct stats_hist *h2);

/* Chi-square test of homogeneity of two distributions (2 x k table). */
struct stats_chi2 {
    double chi2;         /* Pearson statistic over the merged levels; NaN when df == 0 */
    unsigned df;         /* n_levels - 1; 0 when no test is possible */
    double p;            /* upper tail Q(chi2; df) (GSL); NaN when df == 0 */
    size_t n_levels_raw; /* distinct scores with a response in either group */
    size_t n_levels;     /* levels after merging sparse ones (0 when a group is empty) */
};

/*
 * Chi-square test of homogeneity of h1 and h2 (score levels = union of the
 * scores present), with sparse levels merged per Cochran's rule in its
 * strict form: EVERY expected count of the merged table is >= 5 (the
 * "80% >= 5 and none < 1" variant is not used).
 *
 * Merging: walk the levels in ascending score order, accumulating adjacent
 * levels until the accumulated column's smaller expected count,
 * min(n1,n2)·C/N, reaches 5 (compared exactly as C·min(n1,n2) >= 5N); that
 * closes one merged level.  A leftover tail that never reaches 5 joins the
 * last closed level.  Adjacent merging keeps the ordinal meaning of scores.
 * Statistic per merged level: (o1·n2 - o2·n1)² / (C·n1·n2), which equals
 * Σ (O-E)²/E over its two cells; no continuity correction.
 *
 * When fewer than 2 merged levels remain (one score only, or a group too
 * small for any split: min(n1,n2) < 5), or a group is empty: chi2 and p
 * NaN, df 0.
 * h1, h2: borrow; must pass stats_hist_check().
 */
struct stats_chi2 stats_chi2_homogeneity(const struct stats_hist *h1,
                                         const struct stats_hist *h2);

/*
 * Holm's step-down adjustment of n p-values (the rows of one table):
 * sort ascending (ties keep index order), adj_(i) = max over j <= i of
 * min(1, (m - j)·p_(j)) for 0-based rank j, so adjusted values are
 * monotone in the raw ones and capped at 1.  NaN inputs are left out (m
 * counts only non-NaN values) and give NaN outputs, like R's p.adjust.
 *
 * p: borrows n values.  adj: caller's array of n values, must not alias p.
 * O(n²) time without allocation; n is the number of rows of one comparison
 * table (hundreds at most).
 */
void stats_holm(const double *p, size_t n, double *adj);

/*
 * Minimum detectable increase in poor rate: the smallest delta > 0 such
 * that a two-sided pooled two-proportion z-test at level alpha has the
 * given power to detect a group rate of p0 + delta against a baseline rate
 * of p0, with n1 group and n2 baseline responses.  Normal approximation
 * (Fleiss), solved for delta by a grid scan then bisection to 1e-12:
 *   delta = z(1-alpha/2)·sqrt(pb(1-pb)(1/n1+1/n2))
 *         + z(power)·sqrt(p1(1-p1)/n1 + p0(1-p0)/n2),
 *   p1 = p0 + delta,  pb = (n1·p1 + n2·p0)/(n1+n2).
 * The increase is what a regression gate needs (poor = worse).
 * Typical use: alpha 0.05, power 0.8.
 *
 * Returns delta as a fraction in (0, 1-p0], or NaN when n1 or n2 is 0, p0
 * is not in [0, 1), alpha or power not in (0, 1), or no increase up to a
 * rate of 1 is detectable with these sizes.
 */
double stats_min_detectable_diff(uint64_t n1, uint64_t n2, double p0,
                                 double alpha, double power);

#endif
