/*
 * stats/compare.c: comparing a group with its baseline (DESIGN.md §8,
 * issue 8): difference of poor rates with Newcombe's hybrid score interval,
 * the pooled two-proportion z-test, Fisher's exact test for 2x2 tables,
 * Mann-Whitney U with tie correction, the chi-square test of homogeneity
 * with Cochran merging, Holm's adjustment and the minimum detectable
 * difference.
 *
 * The two-sample statistics work on histograms: a merge walk over the union
 * of the two sorted score lists yields one "level" (score, count in group 1,
 * count in group 2) at a time, so Mann-Whitney's tie blocks and the
 * chi-square table columns come straight from the bins in O(distinct
 * scores), with no expansion into rows and no allocation.  Counting
 * quantities (rank sums, t³-t, C·n1·n2) are held in long double, which is
 * exact for integers below 2^64.  GSL provides the normal, chi-square and
 * log-gamma functions; its default error handler aborts, so every call is
 * guarded to stay inside the functions' domains.
 */
#include "stats/stats.h"

#include <assert.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>

/* R's fisher.test tolerance: tables this close in probability count as equal. */
#define FISHER_REL_ERR (1.0 + 1e-7)

/* ------------------------------------------------------------------------ */
/* Private helpers                                                          */
/* ------------------------------------------------------------------------ */

/* Merge walk over the union of the scores of two histograms. */
struct level_walk {
    const struct stats_hist *h1; /* borrows: group 1 */
    const struct stats_hist *h2; /* borrows: group 2 */
    size_t i1;                   /* next bin of h1 */
    size_t i2;                   /* next bin of h2 */
};

/* Next level with a response in either group; false when none is left. */
static bool
walk_next(struct level_walk *w, uint64_t *c1, uint64_t *c2)
{
    for (;;) {
        bool has1 = w->i1 < w->h1->n_bins, has2 = w->i2 < w->h2->n_bins;
        if (!has1 && !has2)
            return false;
        *c1 = *c2 = 0;
        if (has1 && has2 &&
            w->h1->bins[w->i1].score == w->h2->bins[w->i2].score) {
            *c1 = w->h1->bins[w->i1++].count;
            *c2 = w->h2->bins[w->i2++].count;
        } else if (has1 && (!has2 || w->h1->bins[w->i1].score <
                                         w->h2->bins[w->i2].score)) {
            *c1 = w->h1->bins[w->i1++].count;
        } else {
            *c2 = w->h2->bins[w->i2++].count;
        }
        if (*c1 + *c2 > 0)
            return true;
    }
}

/* Two-sided normal p-value 2·Q(|z|), accurate far into the tail. */
static double
two_sided_p(double z)
{
    if (isnan(z))
        return NAN;
    return fmin(1.0, 2.0 * gsl_cdf_ugaussian_Q(fabs(z)));
}

/* log C(n, k) for k <= n, from GSL's log-gamma (arguments >= 1). */
static double
lchoose(uint64_t n, uint64_t k)
{
    return gsl_sf_lngamma((double)n + 1.0) - gsl_sf_lngamma((double)k + 1.0) -
           gsl_sf_lngamma((double)(n - k) + 1.0);
}

/* log P(top-left cell = x) of a 2x2 table with column-1 total c1, row-1
 * total r1 and grand total N, up to the constant -log C(N, r1). */
static double
fisher_logd(uint64_t x, uint64_t c1, uint64_t r1, uint64_t N)
{
    return lchoose(c1, x) + lchoose(N - c1, r1 - x);
}

/* ------------------------------------------------------------------------ */
/* Proportions                                                              */
/* ------------------------------------------------------------------------ */

void
stats_newcombe_diff(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2,
                    double z, double *diff, double *lo, double *hi)
{
    double l1, u1, l2, u2;
    stats_wilson(k1, n1, z, &l1, &u1);
    stats_wilson(k2, n2, z, &l2, &u2);
    if (isnan(l1) || isnan(l2)) {
        *diff = *lo = *hi = NAN;
        return;
    }
    double p1 = (double)k1 / (double)n1, p2 = (double)k2 / (double)n2;
    double d = p1 - p2;
    *diff = d;
    *lo = d - sqrt((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2));
    *hi = d + sqrt((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2));
}

double
stats_prop_ztest(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2,
                 double *z_out)
{
    if (z_out)
        *z_out = NAN;
    if (n1 == 0 || n2 == 0 || k1 > n1 || k2 > n2)
        return NAN;
    long double N = (long double)n1 + (long double)n2;
    long double K = (long double)k1 + (long double)k2;
    if (K == 0 || K == N)
        return NAN; /* pooled rate 0 or 1: zero variance */
    long double p = K / N;
    long double se = sqrtl(p * (1.0L - p) *
                           (1.0L / (long double)n1 + 1.0L / (long double)n2));
    long double d = (long double)k1 / (long double)n1 -
                    (long double)k2 / (long double)n2;
    double z = (double)(d / se);
    if (z_out)
        *z_out = z;
    return two_sided_p(z);
}

double
stats_fisher_2x2(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    /* Condition on row 1 total r1 = a+b, column 1 total c1 = a+c, grand
     * total N; x = the top-left cell ranges over [x_lo, x_hi]. */
    uint64_t r1 = a + b, c1 = a + c, N = a + b + c + d;
    uint64_t x_lo = r1 + c1 > N ? r1 + c1 - N : 0;
    uint64_t x_hi = r1 < c1 ? r1 : c1;
    if (x_lo == x_hi)
        return 1.0;

    /* Densities relative to the most likely table: the constant
     * -log C(N, r1) cancels in tail / total. */
    double ld_obs = fisher_logd(a, c1, r1, N);
    double ld_max = -INFINITY;
    for (uint64_t x = x_lo; x <= x_hi; x++) {
        double ld = fisher_logd(x, c1, r1, N);
        if (ld > ld_max)
            ld_max = ld;
    }
    double d_obs = exp(ld_obs - ld_max) * FISHER_REL_ERR;
    long double total = 0, tail = 0;
    for (uint64_t x = x_lo; x <= x_hi; x++) {
        double dx = exp(fisher_logd(x, c1, r1, N) - ld_max);
        total += dx;
        if (dx <= d_obs)
            tail += dx;
    }
    return fmin(1.0, (double)(tail / total));
}

bool
stats_poor_needs_exact(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2)
{
    if (n1 == 0 || n2 == 0 || k1 > n1 || k2 > n2)
        return true;
    /* The smallest expected count is min(row)·min(column)/N; compare
     * min(row)·min(column) < 5·N exactly. */
    long double N = (long double)n1 + (long double)n2;
    long double K = (long double)k1 + (long double)k2;
    long double r = n1 < n2 ? (long double)n1 : (long double)n2;
    long double c = K < N - K ? K : N - K;
    return r * c < STATS_MIN_EXPECTED * N;
}

struct stats_poor_cmp
stats_compare_poor(uint64_t k1, uint64_t n1, uint64_t k2, uint64_t n2)
{
    struct stats_poor_cmp r = {
        .diff = NAN,
        .diff_ci_lo = NAN,
        .diff_ci_hi = NAN,
        .exact = false,
        .z = NAN,
        .p = NAN,
    };
    if (n1 == 0 || n2 == 0 || k1 > n1 || k2 > n2)
        return r;
    stats_newcombe_diff(k1, n1, k2, n2, STATS_Z95, &r.diff, &r.diff_ci_lo,
                        &r.diff_ci_hi);
    double p_z = stats_prop_ztest(k1, n1, k2, n2, &r.z);
    r.exact = stats_poor_needs_exact(k1, n1, k2, n2);
    r.p = r.exact ? stats_fisher_2x2(k1, n1 - k1, k2, n2 - k2) : p_z;
    return r;
}

/* ------------------------------------------------------------------------ */
/* Distributions                                                            */
/* ------------------------------------------------------------------------ */

struct stats_mwu
stats_mann_whitney(const struct stats_hist *h1, const struct stats_hist *h2)
{
    assert(stats_hist_check(h1, NULL) == CS_OK);
    assert(stats_hist_check(h2, NULL) == CS_OK);
    struct stats_mwu m = {
        .n1 = stats_hist_n(h1),
        .n2 = stats_hist_n(h2),
        .u = NAN,
        .z = NAN,
        .p = NAN,
        .r = NAN,
    };
    if (m.n1 == 0 || m.n2 == 0)
        return m;

    /* U1 = Σ over levels c1·(group-2 responses below + c2/2): each pair
     * (x1, x2) scores 1 when x1 > x2 and 1/2 when tied.  Equal to
     * R1 - n1(n1+1)/2 with midranks, without the large rank sum. */
    struct level_walk w = {h1, h2, 0, 0};
    uint64_t c1, c2;
    long double u = 0, ties = 0, below2 = 0;
    size_t n_levels = 0;
    while (walk_next(&w, &c1, &c2)) {
        u += (long double)c1 * (below2 + (long double)c2 / 2.0L);
        below2 += (long double)c2;
        long double t = (long double)c1 + (long double)c2;
        ties += t * t * t - t;
        n_levels++;
    }
    long double n1 = (long double)m.n1, n2 = (long double)m.n2, N = n1 + n2;
    m.u = (double)u;
    m.r = (double)(2.0L * u / (n1 * n2) - 1.0L);
    if (n_levels < 2)
        return m; /* every score tied: no variance, z undefined */
    long double var = n1 * n2 / 12.0L * ((N + 1.0L) - ties / (N * (N - 1.0L)));
    if (!(var > 0))
        return m;
    m.z = (double)((u - n1 * n2 / 2.0L) / sqrtl(var));
    m.p = two_sided_p(m.z);
    return m;
}

struct stats_chi2
stats_chi2_homogeneity(const struct stats_hist *h1,
                       const struct stats_hist *h2)
{
    assert(stats_hist_check(h1, NULL) == CS_OK);
    assert(stats_hist_check(h2, NULL) == CS_OK);
    struct stats_chi2 r = {.chi2 = NAN, .df = 0, .p = NAN, .n_levels_raw = 0, .n_levels = 0};
    uint64_t n1u = stats_hist_n(h1), n2u = stats_hist_n(h2);
    struct level_walk w = {h1, h2, 0, 0};
    uint64_t c1, c2;
    while (walk_next(&w, &c1, &c2))
        r.n_levels_raw++;
    if (n1u == 0 || n2u == 0)
        return r;

    long double n1 = (long double)n1u, n2 = (long double)n2u, N = n1 + n2;
    long double m = n1 < n2 ? n1 : n2;
    long double need = STATS_MIN_EXPECTED * N; /* column total C needs C·m >= 5N */

    /* acc: level being accumulated; pend: last closed level, not yet added
     * to the statistic because a short tail may still have to join it. */
    long double acc1 = 0, acc2 = 0, pend1 = 0, pend2 = 0, chi2 = 0;
    bool have_pend = false;
    size_t n_levels = 0;
    w = (struct level_walk){h1, h2, 0, 0};
    while (walk_next(&w, &c1, &c2)) {
        acc1 += (long double)c1;
        acc2 += (long double)c2;
        if ((acc1 + acc2) * m >= need) {
            if (have_pend) {
                long double D = pend1 * n2 - pend2 * n1;
                chi2 += D * D / ((pend1 + pend2) * n1 * n2);
                n_levels++;
            }
            pend1 = acc1, pend2 = acc2, have_pend = true;
            acc1 = acc2 = 0;
        }
    }
    /* Tail that never reached the threshold joins the last closed level
     * (or is the only level when none closed). */
    pend1 += acc1, pend2 += acc2;
    long double D = pend1 * n2 - pend2 * n1;
    chi2 += D * D / ((pend1 + pend2) * n1 * n2);
    n_levels++;

    r.n_levels = n_levels;
    if (n_levels < 2)
        return r;
    r.df = (unsigned)(n_levels - 1);
    r.chi2 = (double)chi2;
    r.p = gsl_cdf_chisq_Q(r.chi2, (double)r.df);
    return r;
}

/* ------------------------------------------------------------------------ */
/* Multiple testing and power                                               */
/* ------------------------------------------------------------------------ */

void
stats_holm(const double *p, size_t n, double *adj)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        adj[i] = NAN;
        if (!isnan(p[i]))
            m++;
    }
    /* Visit the distinct p-values in ascending order (a selection walk, so
     * no scratch array): a tie block starting at 0-based rank `done` gets
     * (m - done)·p, the largest factor of the block; running keeps the
     * step-down maximum. */
    size_t done = 0;
    double cur = -INFINITY, running = 0;
    while (done < m) {
        double next = INFINITY;
        for (size_t i = 0; i < n; i++)
            if (p[i] > cur && p[i] < next)
                next = p[i];
        size_t t = 0;
        for (size_t i = 0; i < n; i++)
            if (p[i] == next)
                t++;
        if (t == 0)
            break; /* only +inf left: cannot happen for p-values */
        running = fmax(running, (double)(m - done) * next);
        for (size_t i = 0; i < n; i++)
            if (p[i] == next)
                adj[i] = fmin(1.0, running);
        done += t;
        cur = next;
    }
}

/* delta - z_a·se0 - z_b·se1 at p1 = p0 + delta (see stats_min_detectable_diff). */
static double
mdd_gap(double delta, double n1, double n2, double p0, double z_a, double z_b)
{
    double p1 = p0 + delta;
    double pb = (n1 * p1 + n2 * p0) / (n1 + n2);
    double se0 = sqrt(fmax(0.0, pb * (1.0 - pb)) * (1.0 / n1 + 1.0 / n2));
    double se1 = sqrt(fmax(0.0, p1 * (1.0 - p1)) / n1 +
                      fmax(0.0, p0 * (1.0 - p0)) / n2);
    return delta - z_a * se0 - z_b * se1;
}

double
stats_min_detectable_diff(uint64_t n1, uint64_t n2, double p0, double alpha,
                          double power)
{
    if (n1 == 0 || n2 == 0 || !(p0 >= 0 && p0 < 1) || !(alpha > 0 && alpha < 1) ||
        !(power > 0 && power < 1))
        return NAN;
    double z_a = gsl_cdf_ugaussian_Pinv(1.0 - alpha / 2.0);
    double z_b = gsl_cdf_ugaussian_Pinv(power);
    double a = (double)n1, b = (double)n2, span = 1.0 - p0;

    /* Scan for the first grid point where the test reaches the power, then
     * bisect between it and the previous point. */
    enum { GRID = 1000 };
    double lo = 0, hi = NAN;
    for (int k = 1; k <= GRID; k++) {
        double dk = span * k / GRID;
        if (mdd_gap(dk, a, b, p0, z_a, z_b) >= 0) {
            hi = dk;
            break;
        }
        lo = dk;
    }
    if (isnan(hi))
        return NAN;
    while (hi - lo > 1e-12 * fmax(1.0, hi)) {
        double mid = lo + (hi - lo) / 2;
        if (mdd_gap(mid, a, b, p0, z_a, z_b) >= 0)
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}
