/*
 * Unit tests for stats/: every statistic against values worked out by hand
 * for small cases (the working is in the comment next to each expected
 * value), published values where they exist (Newcombe 1998), and
 * differential tests against naive references over expanded raw values.
 *
 * Tests are data: each table row below becomes one cmocka test named after
 * the row, so a failure names its case.
 *
 * Where a reference value was not worked by hand, it was computed with
 * Python 3 using only the standard library (no scipy), by this code
 * (reproduce with `python3 ref.py` after pasting it into ref.py):
 *
 *   from fractions import Fraction as F
 *   from math import comb, erfc, sqrt, exp, gamma
 *   from statistics import NormalDist
 *   N01 = NormalDist(); Z = N01.inv_cdf(0.975)
 *   def wilson(k, n, z=Z):            # textbook centre +- half-width form
 *       p = k/n; c = (p + z*z/(2*n))/(1 + z*z/n)
 *       h = z/(1 + z*z/n)*sqrt(p*(1-p)/n + z*z/(4*n*n)); return c-h, c+h
 *   def newcombe(k1, n1, k2, n2):      # method 10 (bounds clamped to [0,1])
 *       p1, p2 = k1/n1, k2/n2; l1, u1 = wilson(k1, n1); l2, u2 = wilson(k2, n2)
 *       l1, l2 = max(l1, 0), max(l2, 0); u1, u2 = min(u1, 1), min(u2, 1)
 *       d = p1 - p2
 *       return d, d - sqrt((p1-l1)**2 + (u2-p2)**2), d + sqrt((u1-p1)**2 + (p2-l2)**2)
 *   def ztest(k1, n1, k2, n2):
 *       p = (k1+k2)/(n1+n2); z = (k1/n1 - k2/n2)/sqrt(p*(1-p)*(1/n1 + 1/n2))
 *       return z, erfc(abs(z)/sqrt(2))
 *   def fisher(a, b, c, d):            # exact enumeration in rationals
 *       r1, c1, n = a+b, a+c, a+b+c+d; lo, hi = max(0, r1+c1-n), min(r1, c1)
 *       P = {x: F(comb(c1, x)*comb(n-c1, r1-x), comb(n, r1)) for x in range(lo, hi+1)}
 *       return float(sum(p for p in P.values() if p <= P[a]*F(1 + 1e-7)))
 *   def mwu(x1, x2):                   # raw values; U by counting all pairs
 *       u = sum(1.0 if a > b else 0.5 if a == b else 0.0 for a in x1 for b in x2)
 *       n1, n2 = len(x1), len(x2); N = n1 + n2; t = {}
 *       for v in x1 + x2: t[v] = t.get(v, 0) + 1
 *       var = n1*n2/12*((N+1) - sum(c**3 - c for c in t.values())/(N*(N-1)))
 *       z = (u - n1*n2/2)/sqrt(var); return u, z, erfc(abs(z)/sqrt(2)), 2*u/(n1*n2) - 1
 *   def chisq_q(x, df):                # closed forms of the chi-square tail
 *       if df % 2 == 0:
 *           s, term = 0.0, 1.0
 *           for i in range(df//2):
 *               if i: term *= (x/2)/i
 *               s += term
 *           return exp(-x/2)*s
 *       return erfc(sqrt(x/2)) + sum(exp(-x/2)*(x/2)**(j-0.5)/gamma(j+0.5)
 *                                    for j in range(1, (df-1)//2 + 1))
 *   def chi2_merged(h1, h2):           # dicts score->count; expected counts as floats
 *       n1, n2 = sum(h1.values()), sum(h2.values()); N = n1 + n2; g, acc = [], [0, 0]
 *       for s in sorted(set(h1) | set(h2)):
 *           acc = [acc[0] + h1.get(s, 0), acc[1] + h2.get(s, 0)]; C = sum(acc)
 *           if min(n1*C/N, n2*C/N) >= 5: g.append(acc); acc = [0, 0]
 *       if acc != [0, 0]:
 *           if g: g[-1] = [g[-1][0] + acc[0], g[-1][1] + acc[1]]
 *           else: g.append(acc)
 *       chi2 = sum((o - n*(a+b)/N)**2/(n*(a+b)/N) for a, b in g for o, n in ((a, n1), (b, n2)))
 *       return chi2, len(g) - 1, chisq_q(chi2, len(g) - 1)
 *   def mdd(n1, n2, p0, alpha=0.05, power=0.8):   # bisection on the power
 *       za, zb = N01.inv_cdf(1 - alpha/2), N01.inv_cdf(power)
 *       def pw(d):
 *           p1 = p0 + d; pb = (n1*p1 + n2*p0)/(n1 + n2)
 *           se0 = sqrt(pb*(1-pb)*(1/n1 + 1/n2)); se1 = sqrt(p1*(1-p1)/n1 + p0*(1-p0)/n2)
 *           return N01.cdf((d - za*se0)/se1)
 *       lo, hi = 1e-9, 1 - p0
 *       for _ in range(200):
 *           mid = (lo + hi)/2
 *           if pw(mid) >= power: hi = mid
 *           else: lo = mid
 *       return hi
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/stats.h"

#define Z STATS_Z95
#define MAXB 8 /* bins per hand-made histogram */

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

/* |got - want| <= rel·|want| (rel absolute when want is 0); NaN must match NaN. */
#define CLOSE(cname, got, want, rel) \
    check_close((cname), #got, (got), (want), (rel), __LINE__)

static void
check_close(const char *cname, const char *what, double got, double want,
            double rel, int line)
{
    if (isnan(want)) {
        if (!isnan(got))
            fail_msg("%s (line %d): %s = %.17g, want NaN", cname, line, what,
                     got);
        return;
    }
    if (got == want)
        return;
    double tol = rel * (want == 0 ? 1.0 : fabs(want));
    if (!(fabs(got - want) <= tol))
        fail_msg("%s (line %d): %s = %.17g, want %.17g (rel tol %g)", cname,
                 line, what, got, want, rel);
}

#define EQ_U64(cname, got, want)                                    \
    do {                                                            \
        if ((uint64_t)(got) != (uint64_t)(want))                    \
            fail_msg("%s (line %d): %s = %llu, want %llu", (cname), \
                     __LINE__, #got, (unsigned long long)(got),     \
                     (unsigned long long)(want));                   \
    } while (0)

static struct stats_hist
H(const struct stats_bin *bins, size_t n_bins) {
    return (struct stats_hist){bins, n_bins};
}

/* Wilson interval by the textbook centre +- half-width form (a different
 * algebra from the implementation's), for hand-worked expectations. */
static void
wilson_hand(uint64_t k, uint64_t n, double *lo, double *hi)
{
    double p = (double)k / (double)n, nn = (double)n;
    double c = (p + Z * Z / (2 * nn)) / (1 + Z * Z / nn);
    double h = Z / (1 + Z * Z / nn) * sqrt(p * (1 - p) / nn + Z * Z / (4 * nn * nn));
    *lo = c - h;
    *hi = c + h;
}

/* xorshift64*: the tests' own deterministic PRNG. */
static uint64_t
rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

static uint64_t
rng_below(uint64_t *s, uint64_t n)
{
    return rng_next(s) % n;
}

static double
rng_unit(uint64_t *s)
{
    return (double)(rng_next(s) >> 11) / 9007199254740992.0; /* [0, 1) */
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A random histogram: 1..max_bins distinct scores within 0..100 (integers,
 * quarter steps and arbitrary doubles mixed), counts 0..max_count (some
 * zero), at least two distinct scores with responses when want_two. */
static size_t
random_hist(uint64_t *s, struct stats_bin *bins, size_t max_bins,
            uint64_t max_count, bool want_two)
{
    double scores[64];
    size_t n = 1 + (size_t)rng_below(s, max_bins);
    for (size_t i = 0; i < n; i++) {
        switch (rng_below(s, 3)) {
        case 0: scores[i] = (double)rng_below(s, 101); break;
        case 1: scores[i] = (double)rng_below(s, 401) / 4.0; break;
        default: scores[i] = 100.0 * rng_unit(s); break;
        }
    }
    qsort(scores, n, sizeof *scores, cmp_double);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || scores[i] != bins[m - 1].score)
            bins[m++] = (struct stats_bin){scores[i], 0};
    size_t nonzero = 0;
    for (size_t i = 0; i < m; i++) {
        bins[i].count = rng_below(s, 5) == 0 ? 0 : 1 + rng_below(s, max_count);
        nonzero += bins[i].count > 0;
    }
    if (want_two && nonzero < 2) {
        if (m < 2) {
            bins[m] = (struct stats_bin){bins[m - 1].score + 0.5, 0};
            m++;
        }
        bins[0].count += 1;
        bins[m - 1].count += 2;
    }
    return m;
}

/* Expand a histogram into raw values; returns n. */
static size_t
expand(const struct stats_bin *bins, size_t n_bins, double *raw)
{
    size_t n = 0;
    for (size_t i = 0; i < n_bins; i++)
        for (uint64_t c = 0; c < bins[i].count; c++)
            raw[n++] = bins[i].score;
    return n;
}

/* ------------------------------------------------------------------------ */
/* Summary: hand-worked cases                                               */
/* ------------------------------------------------------------------------ */

struct sum_case {
    const char *name;
    struct stats_bin bins[MAXB];
    size_t n_bins;
    double lower, upper, thr; /* the scale */
    uint64_t n;
    double mean;    /* exact mean rounded once (checked with ==) */
    double median;  /* checked with == */
    double var_num; /* sd = sqrt(var_num / var_den); var_num NaN when n < 2 */
    double var_den;
    double min, max; /* checked with == */
    double t975;     /* t(0.975, n-1) for the mean interval; NaN when n < 2 */
    uint64_t n_poor;
    double poor_rate; /* checked with == */
    double norm_mean;
};

static const struct sum_case SUM_CASES[] = {
    {"summary n=0", {{0, 0}}, 0, 1, 5, 2, 0, NAN, NAN, NAN, 1, NAN, NAN, NAN, 0, NAN, NAN},
    /* bins present but all counts 0: still n = 0 */
    {"summary n=0 zero-count bins", {{2, 0}, {3, 0}}, 2, 1, 5, 2, 0, NAN, NAN, NAN, 1, NAN, NAN, NAN, 0, NAN, NAN},
    /* {3}: mean = median = min = max = 3; sd undefined; not poor (3 > 2);
     * norm (3-1)/(5-1) = 0.5 */
    {"summary n=1", {{3, 1}}, 1, 1, 5, 2, 1, 3, 3, NAN, 1, 3, 3, NAN, 0, 0, 0.5},
    /* {1, 4}: mean 5/2 = 2.5; median (1+4)/2 = 2.5; deviations ±1.5,
     * ss = 4.5, var = 4.5/1; t(0.975, 1) = tan(0.475π) (Cauchy quantile)
     * = 12.706204736174696; poor {1} = 1 of 2; norm (2.5-1)/4 = 0.375 */
    {"summary n=2", {{1, 1}, {4, 1}}, 2, 1, 5, 2, 2, 2.5, 2.5, 4.5, 1, 1, 4, 12.706204736174696, 1, 0.5, 0.375},
    /* {1, 2, 6} on 1..10, poor <= 3: mean 9/3 = 3; median 2; deviations
     * -2, -1, 3: ss = 4+1+9 = 14, var 14/2 = 7; t(0.975, 2): the t2 cdf is
     * 1/2 + t/(2·sqrt(2+t²)), so t/sqrt(2+t²) = 0.95, t² = 1.805/0.0975,
     * t = 4.302652729749464; poor {1, 2} = 2/3; norm (3-1)/9 = 2/9 */
    {"summary n=3 odd", {{1, 1}, {2, 1}, {6, 1}}, 3, 1, 10, 3, 3, 3, 2, 14, 2, 1, 6, 4.302652729749464, 2, 2.0 / 3, 2.0 / 9},
    /* {1, 2, 2, 5, 5}: mean 15/5 = 3; median (3rd) 2; deviations -2,-1,-1,
     * 2,2: ss 4+1+1+4+4 = 14, var 14/4; t(0.975, 4) = 2.7764451051977987
     * (t table: 2.776); poor {1,2,2} = 3/5; norm (3-1)/4 = 0.5 */
    {"summary n=5 odd with ties", {{1, 1}, {2, 2}, {5, 2}}, 3, 1, 5, 2, 5, 3, 2, 14, 4, 1, 5, 2.7764451051977987, 3, 0.6, 0.5},
    /* {1, 1, 3, 5}: mean 10/4 = 2.5; middle pair 1 and 3 in different
     * bins: median 2; deviations -1.5,-1.5,0.5,2.5: ss 2.25+2.25+0.25+6.25
     * = 11, var 11/3; t(0.975, 3) = 3.1824463052842638 (t table: 3.182);
     * poor {1,1} = 2/4; norm 1.5/4 = 0.375 */
    {"summary n=4 even, middle pair split", {{1, 2}, {3, 1}, {5, 1}}, 3, 1, 5, 2, 4, 2.5, 2, 11, 3, 1, 5, 3.1824463052842638, 2, 0.5, 0.375},
    /* {2, 3, 3, 4}: mean 12/4 = 3; median (3+3)/2 = 3; ss 1+0+0+1 = 2,
     * var 2/3; poor {2} = 1/4; norm 2/4 = 0.5 */
    {"summary n=4 even, middle pair tied", {{2, 1}, {3, 2}, {4, 1}}, 3, 1, 5, 2, 4, 3, 3, 2, 3, 2, 4, 3.1824463052842638, 1, 0.25, 0.5},
    /* {1, 1, 1, 2}: mean 5/4 = 1.25; median (1+1)/2 = 1; deviations
     * -0.25 (x3), 0.75: ss 3·0.0625 + 0.5625 = 0.75, var 0.75/3 = 0.25;
     * all 4 poor; norm 0.25/4 = 0.0625 */
    {"summary all poor", {{1, 3}, {2, 1}}, 2, 1, 5, 2, 4, 1.25, 1, 0.75, 3, 1, 2, 3.1824463052842638, 4, 1, 0.0625},
    /* {4, 4, 5, 5, 5}: mean 23/5 = 4.6; median 5; deviations -0.6 (x2),
     * 0.4 (x3): ss 0.72 + 0.48 = 1.2, var 1.2/4 = 0.3; none poor;
     * norm 3.6/4 = 0.9 */
    {"summary none poor", {{4, 2}, {5, 3}}, 2, 1, 5, 2, 5, 23.0 / 5, 5, 1.2, 4, 4, 5, 2.7764451051977987, 0, 0, 0.9},
    /* 0..100 scale, poor <= 50: {0, 50, 50, 100}: mean 200/4 = 50; median
     * 50; ss 2500+0+0+2500 = 5000, var 5000/3; poor 3/4; norm 50/100 */
    {"summary 0-100 scale", {{0, 1}, {50, 2}, {100, 1}}, 3, 0, 100, 50, 4, 50, 50, 5000, 3, 0, 100, 3.1824463052842638, 3, 0.75, 0.5},
    /* 0..1 scale, poor <= 0: {0, 0, 0, 1}: mean 1/4; median 0; deviations
     * -0.25 (x3), 0.75: ss 0.75, var 0.25; poor 3/4; norm 0.25 */
    {"summary 0-1 scale", {{0, 3}, {1, 1}}, 2, 0, 1, 0, 4, 0.25, 0, 0.75, 3, 0, 1, 3.1824463052842638, 3, 0.75, 0.25},
    /* non-integer scores, poor <= 2.5: {2.5, 2.5, 3.5, 4}: mean 12.5/4 =
     * 3.125; median (2.5+3.5)/2 = 3; deviations -0.625 (x2), 0.375, 0.875:
     * ss 2·0.390625 + 0.140625 + 0.765625 = 1.6875, var 1.6875/3 = 0.5625
     * (sd 0.75); poor {2.5, 2.5} = 2/4; norm 2.125/4 = 0.53125 */
    {"summary non-integer scores", {{2.5, 2}, {3.5, 1}, {4, 1}}, 3, 1, 5, 2.5, 4, 3.125, 3, 1.6875, 3, 2.5, 4, 3.1824463052842638, 2, 0.5, 0.53125},
    /* zero-count bins (one outside the scale) are ignored: {3, 3, 5}:
     * mean 11/3; median 3; min 3, max 5; deviations -2/3 (x2), 4/3:
     * ss 4/9+4/9+16/9 = 24/9, var (24/9)/2 = 4/3; none poor;
     * norm (11/3-1)/4 = 2/3 */
    {"summary zero-count bins ignored", {{1, 0}, {3, 2}, {4, 0}, {5, 1}, {6, 0}}, 5, 1, 5, 2, 3, 11.0 / 3, 3, 4, 3, 3, 5, 4.302652729749464, 0, 0, 2.0 / 3},
    /* NaN threshold: poor figures undefined, the rest as usual: {1, 5}:
     * mean 3, median 3, ss 8, var 8; norm 2/4 */
    {"summary NaN threshold", {{1, 1}, {5, 1}}, 2, 1, 5, NAN, 2, 3, 3, 8, 1, 1, 5, 12.706204736174696, 0, NAN, 0.5},
    /* degenerate scale 3..3: norm undefined; {3, 3}: sd 0, the interval
     * collapses to [3, 3]; both poor (3 <= 3) */
    {"summary degenerate scale", {{3, 2}}, 1, 3, 3, 3, 2, 3, 3, 0, 1, 3, 3, 12.706204736174696, 2, 1, NAN},
    /* large counts: 10^6 ones and 3·10^6 fives: mean 16e6/4e6 = 4; median
     * 5; ss 10^6·9 + 3·10^6·1 = 12e6, var 12e6/3999999; poor 1/4;
     * norm 3/4; t(0.975, 3999999) by the Cornish-Fisher expansion
     * z + (z³+z)/(4ν) + (5z⁵+16z³+3z)/(96ν²) = 1.9599645776081858 */
    {"summary large counts", {{1, 1000000}, {5, 3000000}}, 2, 1, 5, 2, 4000000, 4, 5, 12e6, 3999999, 1, 5, 1.9599645776081858, 1000000, 0.25, 0.75},
};

static void
test_summary_case(void **state)
{
    const struct sum_case *c = *state;
    struct stats_hist h = H(c->bins, c->n_bins);
    assert_int_equal(stats_hist_check(&h, NULL), CS_OK);
    struct stats_summary s = stats_summarize(&h, c->lower, c->upper, c->thr);
    const char *nm = c->name;

    EQ_U64(nm, s.n, c->n);
    CLOSE(nm, s.mean, c->mean, 0);     /* exact: correctly rounded */
    CLOSE(nm, s.median, c->median, 0); /* exact */
    CLOSE(nm, s.min, c->min, 0);
    CLOSE(nm, s.max, c->max, 0);
    double sd = c->n < 2 ? (double)NAN : sqrt(c->var_num / c->var_den);
    CLOSE(nm, s.sd, sd, 1e-15); /* within a few ulps of the exact root */
    double half = c->n < 2 ? (double)NAN : c->t975 * sd / sqrt((double)c->n);
    /* t quantiles above are given to ~10 significant digits or better */
    /* ... and cut at the ends of the scale */
    CLOSE(nm, s.mean_ci_lo, isnan(half) ? (double)NAN : fmax(c->mean - half, c->lower), 1e-9);
    CLOSE(nm, s.mean_ci_hi, isnan(half) ? (double)NAN : fmin(c->mean + half, c->upper), 1e-9);
    EQ_U64(nm, s.n_poor, c->n_poor);
    CLOSE(nm, s.poor_rate, c->poor_rate, 0);
    double lo = NAN, hi = NAN;
    if (!isnan(c->poor_rate))
        wilson_hand(c->n_poor, c->n, &lo, &hi);
    if (c->n_poor == 0 && !isnan(lo))
        lo = 0; /* k = 0: lower bound exactly 0 */
    if (c->n_poor == c->n && !isnan(hi))
        hi = 1; /* k = n: upper bound exactly 1 */
    CLOSE(nm, s.poor_ci_lo, lo, 1e-14);
    CLOSE(nm, s.poor_ci_hi, hi, 1e-14);
    CLOSE(nm, s.norm_mean, c->norm_mean, 1e-15);
}

/* The mean is the exact mean rounded once, even where naive double
 * summation is off: 0.1 is not a binary fraction, and ten copies summed in
 * double give 0.9999999999999999, so the naive mean of ten 0.1s is
 * 0.09999999999999999; the exact mean is the double 0.1 itself. */
static void
test_summary_mean_exact(void **state)
{
    (void)state;
    const struct stats_bin b[] = {{0.1, 10}};
    struct stats_hist h = H(b, 1);
    struct stats_summary s = stats_summarize(&h, 0, 1, 0);
    assert_true(s.mean == 0.1);
    assert_true(s.sd == 0.0);
    /* {0.1 x3, 0.7 x1}: the stored doubles are 0.1000000000000000055511
     * and 0.6999999999999999555911; the exact sum 3·0.1 + 0.7 is
     * 0.99999999999999997224, not a double, so it is divided in long double:
     * 0.24999999999999999306, whose nearest double is 0.25 (the doubles
     * next below are 2^-55 = 2.8e-17 apart) */
    const struct stats_bin b2[] = {{0.1, 3}, {0.7, 1}};
    h = H(b2, 2);
    s = stats_summarize(&h, 0, 1, 0);
    CLOSE("mean exact", s.mean, 0.25, 0);
}

/* ------------------------------------------------------------------------ */
/* Wilson                                                                   */
/* ------------------------------------------------------------------------ */

struct wilson_case {
    const char *name;
    uint64_t k, n;
    double lo, hi; /* NaN: use wilson_hand (with the k = 0 / k = n exact ends) */
    double rel;
};

static const struct wilson_case WILSON_CASES[] = {
    {"wilson n=0", 0, 0, NAN, NAN, 0},
    {"wilson k>n", 3, 2, NAN, NAN, 0},
    /* 0/1: lo 0 exactly; hi = (z² + z·z)/(2(1+z²)) = z²/(1+z²) */
    {"wilson 0/1", 0, 1, 0, Z *Z / (1 + Z * Z), 1e-15},
    /* 1/1: hi 1 exactly; lo = (2 + z² - z·z)/(2(1+z²)) = 1/(1+z²) */
    {"wilson 1/1", 1, 1, 1 / (1 + Z * Z), 1, 1e-15},
    /* 1/2: (2 + z² ∓ z·sqrt(z² + 4·1·1/2)) / (2(2 + z²)), symmetric
     * about 0.5 */
    {"wilson 1/2", 1, 2, NAN, NAN, 1e-14},
    /* 20/20: lo = 40/(2(20+z²)) = 20/(20+z²), hi 1 */
    {"wilson 20/20", 20, 20, 20 / (20 + Z * Z), 1, 1e-15},
    /* Newcombe (1998), Statistics in Medicine 17:857, Table I: 81/263
     * gives 0.2553 to 0.3662 (4 decimals) */
    {"wilson 81/263 published", 81, 263, 0.2553, 0.3662, 2e-4},
    /* same paper: 15/148 gives 0.0624 to 0.1605 */
    {"wilson 15/148 published", 15, 148, 0.0624, 0.1605, 1e-3},
    /* Python wilson(81, 263) to full precision */
    {"wilson 81/263 python", 81, 263, 0.2552885198782743, 0.3662095769828001, 1e-13},
};

static void
test_wilson_case(void **state)
{
    const struct wilson_case *c = *state;
    double lo, hi, wlo = c->lo, whi = c->hi;
    stats_wilson(c->k, c->n, Z, &lo, &hi);
    if (isnan(wlo) && c->n > 0 && c->k <= c->n)
        wilson_hand(c->k, c->n, &wlo, &whi);
    CLOSE(c->name, lo, wlo, c->rel);
    CLOSE(c->name, hi, whi, c->rel);
}

static void
test_wilson_bad_z(void **state)
{
    (void)state;
    double lo, hi;
    stats_wilson(1, 2, 0, &lo, &hi);
    assert_true(isnan(lo) && isnan(hi));
    stats_wilson(1, 2, NAN, &lo, &hi);
    assert_true(isnan(lo) && isnan(hi));
    stats_wilson(1, 2, -1.96, &lo, &hi);
    assert_true(isnan(lo) && isnan(hi));
}

/* ------------------------------------------------------------------------ */
/* Histogram checks and distribution                                        */
/* ------------------------------------------------------------------------ */

static void
test_hist_check(void **state)
{
    (void)state;
    struct cs_err err;
    const struct stats_bin ok[] = {{1, 1}, {2.5, 0}, {5, 3}};
    const struct stats_bin unsorted[] = {{2, 1}, {1, 1}};
    const struct stats_bin dup[] = {{2, 1}, {2, 1}};
    const struct stats_bin nan[] = {{1, 1}, {NAN, 1}};
    const struct stats_bin inf[] = {{INFINITY, 1}};
    const struct stats_bin big[] = {{1, UINT64_MAX}, {2, 1}};
    struct stats_hist h = H(ok, 3);
    assert_int_equal(stats_hist_check(&h, &err), CS_OK);
    h = H(NULL, 0);
    assert_int_equal(stats_hist_check(&h, &err), CS_OK);
    assert_int_equal(stats_hist_n(&h), 0);
    h = H(NULL, 2);
    assert_int_equal(stats_hist_check(&h, &err), CS_E_INTERNAL);
    h = H(unsorted, 2);
    cs_err_clear(&err);
    assert_int_equal(stats_hist_check(&h, &err), CS_E_INTERNAL);
    assert_non_null(strstr(err.msg, "bin 1"));
    h = H(dup, 2);
    assert_int_equal(stats_hist_check(&h, &err), CS_E_INTERNAL);
    h = H(nan, 2);
    assert_int_equal(stats_hist_check(&h, &err), CS_E_INTERNAL);
    h = H(inf, 1);
    assert_int_equal(stats_hist_check(&h, &err), CS_E_INTERNAL);
    h = H(big, 2);
    assert_int_equal(stats_hist_check(&h, &err), CS_E_INTERNAL);
    h = H(ok, 3);
    assert_int_equal(stats_hist_n(&h), 4);
}

struct dist_case {
    const char *name;
    struct stats_bin bins[MAXB];
    size_t n_bins;
    double lower, upper;
    size_t want_n;             /* rows of the full distribution */
    struct stats_bin want[12]; /* the first min(want_n, 12) rows */
};

static const struct dist_case DIST_CASES[] = {
    /* the example of stats.h: grid 1..5, 2.5 slotted in between 2 and 3 */
    {"distribution 1-5 with 2.5", {{2, 3}, {2.5, 1}, {5, 2}}, 3, 1, 5, 6, {{1, 0}, {2, 3}, {2.5, 1}, {3, 0}, {4, 0}, {5, 2}}},
    /* empty histogram: the grid with zeros */
    {"distribution empty", {{0, 0}}, 0, 1, 5, 5, {{1, 0}, {2, 0}, {3, 0}, {4, 0}, {5, 0}}},
    /* 0..1 scale: grid {0, 1}, plus 0.5 present */
    {"distribution 0-1 scale", {{0.5, 2}}, 1, 0, 1, 3, {{0, 0}, {0.5, 2}, {1, 0}}},
    /* 0..100: 101 grid scores plus 12.5 = 102 rows; first 12 checked */
    {"distribution 0-100 scale", {{0, 1}, {12.5, 2}, {100, 1}}, 3, 0, 100, 102, {{0, 1}, {1, 0}, {2, 0}, {3, 0}, {4, 0}, {5, 0}, {6, 0}, {7, 0}, {8, 0}, {9, 0}, {10, 0}, {11, 0}}},
    /* a score outside the scale is kept so counts sum to n (7 after 5) */
    {"distribution score outside scale", {{1, 1}, {7, 2}}, 2, 1, 5, 6, {{1, 1}, {2, 0}, {3, 0}, {4, 0}, {5, 0}, {7, 2}}},
    /* a zero-count non-integer bin is not "present"; a zero-count grid bin
     * is just the grid's zero */
    {"distribution zero-count bins", {{1.5, 0}, {3, 0}, {4, 1}}, 3, 1, 5, 5, {{1, 0}, {2, 0}, {3, 0}, {4, 1}, {5, 0}}},
    /* fractional bounds 0.5..3.5: grid ceil(0.5)=1 .. floor(3.5)=3 */
    {"distribution fractional bounds", {{0.5, 1}, {3.5, 1}}, 2, 0.5, 3.5, 5, {{0.5, 1}, {1, 0}, {2, 0}, {3, 0}, {3.5, 1}}},
    /* NaN bounds or lower > upper: only the scores present */
    {"distribution NaN bounds", {{2, 1}, {4, 1}}, 2, NAN, 5, 2, {{2, 1}, {4, 1}}},
    {"distribution inverted bounds", {{2, 1}, {4, 1}}, 2, 5, 1, 2, {{2, 1}, {4, 1}}},
};

static void
test_distribution_case(void **state)
{
    const struct dist_case *c = *state;
    struct stats_hist h = H(c->bins, c->n_bins);
    struct stats_bin out[128];
    size_t cap = stats_distribution_cap(&h, c->lower, c->upper);
    assert_true(cap <= 128);
    size_t n = stats_distribution(&h, c->lower, c->upper, out, cap);
    EQ_U64(c->name, n, c->want_n);
    assert_true(n <= cap);
    /* sizing call */
    EQ_U64(c->name, stats_distribution(&h, c->lower, c->upper, NULL, 0), c->want_n);
    size_t k = n < 12 ? n : 12;
    for (size_t i = 0; i < k; i++) {
        if (out[i].score != c->want[i].score || out[i].count != c->want[i].count)
            fail_msg("%s: row %zu = %g:%llu, want %g:%llu", c->name, i,
                     out[i].score, (unsigned long long)out[i].count,
                     c->want[i].score, (unsigned long long)c->want[i].count);
    }
    /* rows ascending and counts summing to n */
    uint64_t tot = 0;
    for (size_t i = 0; i < n; i++) {
        tot += out[i].count;
        if (i > 0)
            assert_true(out[i - 1].score < out[i].score);
    }
    EQ_U64(c->name, tot, stats_hist_n(&h));
}

static void
test_distribution_truncated(void **state)
{
    (void)state;
    const struct stats_bin b[] = {{2, 3}, {2.5, 1}, {5, 2}};
    struct stats_hist h = H(b, 3);
    struct stats_bin out[3] = {{-1, 9}, {-1, 9}, {-1, 9}};
    /* capacity 2 of 6: writes 1:0, 2:3 only, still says 6 */
    assert_int_equal(stats_distribution(&h, 1, 5, out, 2), 6);
    assert_true(out[0].score == 1 && out[0].count == 0);
    assert_true(out[1].score == 2 && out[1].count == 3);
    assert_true(out[2].score == -1 && out[2].count == 9); /* untouched */
    /* cap: (5 - 1 + 1) + 3 bins = 8 >= 6 */
    assert_int_equal(stats_distribution_cap(&h, 1, 5), 8);
    assert_int_equal(stats_distribution_cap(&h, NAN, 5), 3);
    /* bounds beyond the grid limit: no grid, no runaway loop */
    assert_int_equal(stats_distribution(&h, -1e300, 1e300, out, 3), 3);
}

/* ------------------------------------------------------------------------ */
/* Pooled normalized figures                                                */
/* ------------------------------------------------------------------------ */

/* Mixed scales are never pooled into a raw mean or median: the pooled
 * result only has normalized figures.  Scale 1..5 {1, 5} normalizes to
 * {0, 1}; scale 0..10 {10, 10} to {1, 1}: pooled norm (0+1+1+1)/4 = 0.75,
 * whereas a (wrong) pooled raw mean would be (1+5+10+10)/4 = 6.5.  Poor:
 * 1 <= 2 on the first scale, 10 > 4 on the second: 1 of 4. */
static void
test_pool_mixed_scales(void **state)
{
    (void)state;
    const struct stats_bin a[] = {{1, 1}, {5, 1}};
    const struct stats_bin b[] = {{10, 2}};
    const struct stats_hist hs[] = {H(a, 2), H(b, 1)};
    const struct stats_scale sc[] = {{1, 5, 2}, {0, 10, 4}};
    struct stats_pooled p = stats_pool_normalized(hs, sc, 2);
    EQ_U64("pool mixed", p.n, 4);
    CLOSE("pool mixed", p.norm_mean, 0.75, 0);
    EQ_U64("pool mixed", p.n_poor, 1);
    CLOSE("pool mixed", p.poor_rate, 0.25, 0);
    double lo, hi;
    wilson_hand(1, 4, &lo, &hi);
    CLOSE("pool mixed", p.poor_ci_lo, lo, 1e-14);
    CLOSE("pool mixed", p.poor_ci_hi, hi, 1e-14);
}

/* One part: the same as stats_summarize; empty parts are ignored; a part
 * with a degenerate scale makes norm NaN; n_parts 0 gives all NaN. */
static void
test_pool_edge_cases(void **state)
{
    (void)state;
    const struct stats_bin a[] = {{2.5, 2}, {3.5, 1}, {4, 1}};
    const struct stats_hist one[] = {H(a, 3), H(NULL, 0)};
    const struct stats_scale sc[] = {{1, 5, 2.5}, {0, 0, NAN}};
    struct stats_summary s = stats_summarize(&one[0], 1, 5, 2.5);
    struct stats_pooled p = stats_pool_normalized(one, sc, 2);
    EQ_U64("pool one", p.n, s.n);
    CLOSE("pool one", p.norm_mean, s.norm_mean, 1e-15); /* 0.53125 */
    EQ_U64("pool one", p.n_poor, s.n_poor);
    CLOSE("pool one", p.poor_ci_lo, s.poor_ci_lo, 0);

    const struct stats_bin b[] = {{3, 2}};
    const struct stats_hist two[] = {H(a, 3), H(b, 1)};
    const struct stats_scale bad[] = {{1, 5, 2.5}, {3, 3, 3}};
    p = stats_pool_normalized(two, bad, 2);
    EQ_U64("pool degenerate", p.n, 6);
    assert_true(isnan(p.norm_mean));
    EQ_U64("pool degenerate", p.n_poor, 4); /* 2 of a, both 3s of b */

    p = stats_pool_normalized(NULL, NULL, 0);
    EQ_U64("pool none", p.n, 0);
    assert_true(isnan(p.norm_mean) && isnan(p.poor_rate) && isnan(p.poor_ci_lo));
}

/* ------------------------------------------------------------------------ */
/* Differential: summary against a naive two-pass over raw values           */
/* ------------------------------------------------------------------------ */

static void
test_summary_differential(void **state)
{
    (void)state;
    uint64_t seed = UINT64_C(0x9E3779B97F4A7C15);
    static double raw[2000]; /* up to 21 bins of up to 62 */
    for (int iter = 0; iter < 2000; iter++) {
        struct stats_bin bins[24];
        size_t nb = random_hist(&seed, bins, 20, 60, true);
        struct stats_hist h = H(bins, nb);
        assert_int_equal(stats_hist_check(&h, NULL), CS_OK);
        double lower = 0, upper = iter % 2 ? 100 : 1000, thr = 100 * rng_unit(&seed);
        struct stats_summary s = stats_summarize(&h, lower, upper, thr);

        /* naive reference over the expanded values */
        size_t n = expand(bins, nb, raw);
        double sum = 0, ss = 0, nsum = 0, mn = INFINITY, mx = -INFINITY;
        uint64_t poor = 0;
        for (size_t i = 0; i < n; i++) {
            sum += raw[i];
            nsum += (raw[i] - lower) / (upper - lower);
            mn = fmin(mn, raw[i]);
            mx = fmax(mx, raw[i]);
            poor += raw[i] <= thr;
        }
        double mean = sum / (double)n;
        for (size_t i = 0; i < n; i++)
            ss += (raw[i] - mean) * (raw[i] - mean);
        double sd = sqrt(ss / (double)(n - 1));
        qsort(raw, n, sizeof *raw, cmp_double); /* already sorted; cheap */
        double med = (raw[(n - 1) / 2] + raw[n / 2]) / 2;

        char nm[64];
        snprintf(nm, sizeof nm, "differential iter %d", iter);
        EQ_U64(nm, s.n, n);
        CLOSE(nm, s.mean, mean, 1e-12);
        CLOSE(nm, s.sd, sd, 1e-12);
        CLOSE(nm, s.median, med, 1e-12);
        CLOSE(nm, s.min, mn, 0);
        CLOSE(nm, s.max, mx, 0);
        EQ_U64(nm, s.n_poor, poor);
        CLOSE(nm, s.poor_rate, (double)poor / (double)n, 1e-12);
        CLOSE(nm, s.norm_mean, nsum / (double)n, 1e-12);

        /* the distribution holds every score present and sums to n */
        struct stats_bin out[2000];
        size_t nd = stats_distribution(&h, 0, 100, out, 2000);
        uint64_t tot = 0;
        for (size_t i = 0; i < nd; i++)
            tot += out[i].count;
        EQ_U64(nm, tot, n);
    }
}

/* ------------------------------------------------------------------------ */
/* Poor-rate comparisons                                                    */
/* ------------------------------------------------------------------------ */

struct newcombe_case {
    const char *name;
    uint64_t k1, n1, k2, n2;
    double diff, lo, hi;
    double rel;
};

/* Published: Newcombe (1998) Statistics in Medicine 17:873, Table II,
 * method 10, to 4 decimals; full precision from the Python newcombe(). */
static const struct newcombe_case NEWCOMBE_CASES[] = {
    {"newcombe 56/70-48/80 published", 56, 70, 48, 80, 0.2, 0.0524, 0.3339, 1e-3},
    {"newcombe 9/10-3/10 published", 9, 10, 3, 10, 0.6, 0.1705, 0.8090, 1e-3},
    {"newcombe 5/56-0/29 published", 5, 56, 0, 29, 5.0 / 56, -0.0381, 0.1926, 2e-3},
    {"newcombe 0/10-0/20 published", 0, 10, 0, 20, 0, -0.1611, 0.2775, 1e-3},
    {"newcombe 10/10-0/20 published", 10, 10, 0, 20, 1, 0.6791, 1.0, 1e-4},
    {"newcombe 56/70-48/80 python", 56, 70, 48, 80, 0.2, 0.05243147240236498, 0.3338726540369059, 1e-12},
    {"newcombe 6/7-2/7 python", 6, 7, 2, 7, 4.0 / 7, 0.058227927482312425, 0.8062496375242277, 1e-12},
    {"newcombe 0/10-0/10 python", 0, 10, 0, 10, 0, -0.27753279986288915, 0.27753279986288915, 1e-12},
    {"newcombe 10/10-0/10 python", 10, 10, 0, 10, 1, 0.6075093504305243, 1.0, 1e-12},
    /* group of size 1 */
    {"newcombe 1/1-3/10 python", 1, 1, 3, 10, 0.7, -0.14941596545645808, 0.8922087325936989, 1e-12},
    {"newcombe empty group", 0, 0, 3, 10, NAN, NAN, NAN, 0},
};

static void
test_newcombe_case(void **state)
{
    const struct newcombe_case *c = *state;
    double d, lo, hi;
    stats_newcombe_diff(c->k1, c->n1, c->k2, c->n2, Z, &d, &lo, &hi);
    CLOSE(c->name, d, c->diff, 1e-15);
    CLOSE(c->name, lo, c->lo, c->rel);
    CLOSE(c->name, hi, c->hi, c->rel);
}

struct ztest_case {
    const char *name;
    uint64_t k1, n1, k2, n2;
    double z, p;
};

static const struct ztest_case ZTEST_CASES[] = {
    /* by hand: p1 = 0.5, p2 = 0.25, pooled 15/40 = 0.375,
     * se = sqrt(0.375·0.625·(1/20+1/20)) = sqrt(0.0234375),
     * z = 0.25/se = sqrt(8/3) = 1.6329931618554523;
     * p = erfc(z/sqrt 2) = 0.10247043485974938 (Python math.erfc) */
    {"ztest 10/20 vs 5/20", 10, 20, 5, 20, 1.6329931618554523, 0.10247043485974938},
    /* Python ztest() */
    {"ztest 30/100 vs 45/120", 30, 100, 45, 120, -1.1685534824642432, 0.24258357934832098},
    /* group of size 1 (z is computed; it is not the test chosen, see below) */
    {"ztest 1/1 vs 20/50", 1, 1, 20, 50, 1.2071217242444348, 0.22738526970373266},
    /* zero cell */
    {"ztest 0/40 vs 12/40", 0, 40, 12, 40, -3.7573457465108966, 0.0001717251561136311},
    /* pooled rate 0: zero variance, undefined */
    {"ztest all zero", 0, 10, 0, 20, NAN, NAN},
    {"ztest all one", 10, 10, 20, 20, NAN, NAN},
    {"ztest empty group", 0, 0, 1, 2, NAN, NAN},
};

static void
test_ztest_case(void **state)
{
    const struct ztest_case *c = *state;
    double z;
    double p = stats_prop_ztest(c->k1, c->n1, c->k2, c->n2, &z);
    CLOSE(c->name, z, c->z, 1e-12);
    CLOSE(c->name, p, c->p, 1e-10);
    assert_true(isnan(p) == isnan(stats_prop_ztest(c->k1, c->n1, c->k2, c->n2, NULL)));
}

struct fisher_case {
    const char *name;
    uint64_t a, b, c, d;
    double p;
};

static const struct fisher_case FISHER_CASES[] = {
    /* margins 1,1 of 2: tables x=0 and x=1 each 1/2, both <= 1/2: p = 1 */
    {"fisher [1 0;0 1]", 1, 0, 0, 1, 1.0},
    /* margins 3,3 of 6: P(x) = C(3,x)C(3,3-x)/C(6,3) = 1,9,9,1 /20;
     * observed x=3 has 1/20; tables as or less likely: x=0,3: p = 2/20 */
    {"fisher [3 0;0 3]", 3, 0, 0, 3, 0.1},
    /* Fisher's tea: margins 4,4 of 8: P = 1,16,36,16,1 /70; observed x=3
     * has 16/70 (x=1 ties it exactly, the 1e-7 tolerance keeps it):
     * p = (1+16+16+1)/70 = 34/70 */
    {"fisher tea [3 1;1 3]", 3, 1, 1, 3, 34.0 / 70},
    /* zero cells: margins 5,5 of 10: P(0) = 1/C(10,5) = 1/252 = P(5):
     * p = 2/252 */
    {"fisher zero cells [0 5;5 0]", 0, 5, 5, 0, 2.0 / 252},
    /* a zero column (nobody poor): one possible table, p = 1 */
    {"fisher zero column", 0, 7, 0, 9, 1.0},
    /* an empty row (group of size 0): one possible table, p = 1 */
    {"fisher empty row", 0, 0, 4, 9, 1.0},
    /* Python fisher() (exact rational enumeration) */
    {"fisher [2 7;8 3] python", 2, 7, 8, 3, 0.06977851869492736},
    /* group of size 1 */
    {"fisher [1 0;12 38] python", 1, 0, 12, 38, 0.2549019607843137},
    {"fisher [1 0;20 30] python", 1, 0, 20, 30, 0.4117647058823529},
    {"fisher [0 40;7 33] python", 0, 40, 7, 33, 0.011737629459148446},
    {"fisher [5 95;15 85] python", 5, 95, 15, 85, 0.03172003908631054},
    /* symmetric table: every tail ties, p = 1 */
    {"fisher [10 10;10 10] python", 10, 10, 10, 10, 1.0},
};

static void
test_fisher_case(void **state)
{
    const struct fisher_case *c = *state;
    CLOSE(c->name, stats_fisher_2x2(c->a, c->b, c->c, c->d), c->p, 1e-9);
    /* transposing the table or swapping rows leaves the p-value unchanged */
    CLOSE(c->name, stats_fisher_2x2(c->a, c->c, c->b, c->d), c->p, 1e-9);
    CLOSE(c->name, stats_fisher_2x2(c->c, c->d, c->a, c->b), c->p, 1e-9);
}

/* Large tables: the most extreme tables have probabilities far below
 * DBL_MIN relative to 1 (here about 1e-300 for x = 0), which must neither
 * underflow the sum nor cost precision.  [500 500; 500 500] is perfectly
 * balanced: p = 1.  [400 600; 600 400]: Python fisher() gives
 * 4.299952425047867e-19 (the z-test, for comparison: 3.744e-19). */
static void
test_fisher_large(void **state)
{
    (void)state;
    CLOSE("fisher large balanced", stats_fisher_2x2(500, 500, 500, 500), 1.0, 1e-9);
    CLOSE("fisher large extreme", stats_fisher_2x2(400, 600, 600, 400),
          4.299952425047867e-19, 1e-6);
}

struct exact_case {
    const char *name;
    uint64_t k1, n1, k2, n2;
    bool want;
};

static const struct exact_case EXACT_CASES[] = {
    /* rows 20, 20; columns 10, 30 of 40: smallest expected 20·10/40 = 5,
     * not below 5: z-test */
    {"needs exact 2/20 vs 8/20 (min E = 5)", 2, 20, 8, 20, false},
    /* columns 9, 31: 20·9/40 = 4.5 < 5: Fisher */
    {"needs exact 2/20 vs 7/20 (min E = 4.5)", 2, 20, 7, 20, true},
    /* group of size 1: expected 1·21/51 < 5 */
    {"needs exact group of 1", 1, 1, 20, 50, true},
    /* nobody poor: a zero column */
    {"needs exact zero column", 0, 100, 0, 100, true},
    /* big balanced table */
    {"needs exact 30/100 vs 45/120", 30, 100, 45, 120, false},
    {"needs exact empty group", 0, 0, 5, 10, true},
};

static void
test_exact_case(void **state)
{
    const struct exact_case *c = *state;
    if (stats_poor_needs_exact(c->k1, c->n1, c->k2, c->n2) != c->want)
        fail_msg("%s: got %d", c->name, !c->want);
}

static void
test_compare_poor(void **state)
{
    (void)state;
    /* z chosen: the hand case above */
    struct stats_poor_cmp r = stats_compare_poor(10, 20, 5, 20);
    assert_false(r.exact);
    CLOSE("cmp z", r.p, 0.10247043485974938, 1e-10);
    CLOSE("cmp z", r.z, 1.6329931618554523, 1e-12);
    CLOSE("cmp z", r.diff, 0.25, 0);
    double d, lo, hi;
    stats_newcombe_diff(10, 20, 5, 20, Z, &d, &lo, &hi);
    CLOSE("cmp z", r.diff_ci_lo, lo, 0);
    CLOSE("cmp z", r.diff_ci_hi, hi, 0);
    /* group of size 1: Fisher chosen, Python fisher(1, 0, 20, 30) */
    r = stats_compare_poor(1, 1, 20, 50);
    assert_true(r.exact);
    CLOSE("cmp fisher", r.p, 0.4117647058823529, 1e-9);
    CLOSE("cmp fisher", r.diff, 0.6, 1e-15);
    /* nobody poor anywhere: Fisher, p = 1; z undefined */
    r = stats_compare_poor(0, 50, 0, 60);
    assert_true(r.exact);
    CLOSE("cmp none poor", r.p, 1.0, 0);
    assert_true(isnan(r.z));
    /* empty group */
    r = stats_compare_poor(0, 0, 3, 10);
    assert_true(isnan(r.diff) && isnan(r.p) && isnan(r.diff_ci_lo) && !r.exact);
}

/* ------------------------------------------------------------------------ */
/* Mann-Whitney U                                                           */
/* ------------------------------------------------------------------------ */

struct mwu_case {
    const char *name;
    struct stats_bin h1[MAXB];
    size_t n1b;
    struct stats_bin h2[MAXB];
    size_t n2b;
    double u, z, p, r;
};

static const struct mwu_case MWU_CASES[] = {
    /* {1, 3} vs {2, 4}: pairs (1,2) 0, (1,4) 0, (3,2) 1, (3,4) 0: U = 1;
     * no ties: sigma² = 2·2/12·(4+1) = 5/3; z = (1-2)/sqrt(5/3)
     * = -0.7745966692414834; p = erfc(|z|/sqrt 2); r = 2·1/4 - 1 = -0.5 */
    {"mwu no ties", {{1, 1}, {3, 1}}, 2, {{2, 1}, {4, 1}}, 2, 1, -0.7745966692414834, 0.4385780260809999, -0.5},
    /* ties: {1,1,2} vs {2,2,3}: each 1 beats nothing, 2 ties two 2s:
     * U = 0.5+0.5 = 1; tie blocks t = 2 (1s), 3 (2s), 1 (3): Σ(t³-t) =
     * 6+24+0 = 30; sigma² = 9/12·(7 - 30/30) = 4.5; z = (1-4.5)/sqrt(4.5)
     * = -1.649915822768611; r = 2/9 - 1 = -7/9 */
    {"mwu ties", {{1, 2}, {2, 1}}, 2, {{2, 2}, {3, 1}}, 2, 1, -1.649915822768611, 0.0989601540194058, -7.0 / 9},
    /* group of size 1: {5} vs {1,2,3,5}: U = 3 + 0.5 = 3.5; tie block of
     * two 5s: Σ = 6; sigma² = 4/12·(6 - 6/20) = 1.9; z = 1.5/sqrt(1.9)
     * = 1.0882143751650175; r = 7/4 - 1 = 0.75 */
    {"mwu group of size 1", {{5, 1}}, 1, {{1, 1}, {2, 1}, {3, 1}, {5, 1}}, 4, 3.5, 1.0882143751650175, 0.27650048008343264, 0.75},
    /* Python mwu() on the expanded values */
    {"mwu 1-5 scale python", {{1, 3}, {2, 5}, {3, 9}, {4, 12}, {5, 6}}, 5, {{1, 8}, {2, 7}, {3, 10}, {4, 6}, {5, 2}}, 5, 777.5, 2.5199360039238314, 0.011737617244805125, 0.34632034632034636},
    /* non-integer scores, levels present in only one group (4.5, 5) */
    {"mwu non-integer python", {{2.5, 3}, {3, 1}, {4.5, 2}}, 3, {{2.5, 1}, {3, 4}, {5, 2}}, 3, 14.5, -0.9722925691020955, 0.33090501956577717, -0.30952380952380953},
    /* every score tied: U = n1n2/2 = 4, r = 0, z and p undefined */
    {"mwu all tied", {{3, 2}}, 1, {{3, 4}}, 1, 4, NAN, NAN, 0},
    /* zero-count bins are skipped and do not break ties */
    {"mwu zero-count bins", {{1, 1}, {2, 0}, {3, 1}}, 3, {{2, 1}, {3, 0}, {4, 1}}, 3, 1, -0.7745966692414834, 0.4385780260809999, -0.5},
    {"mwu empty group", {{0, 0}}, 0, {{3, 4}}, 1, NAN, NAN, NAN, NAN},
};

static void
test_mwu_case(void **state)
{
    const struct mwu_case *c = *state;
    struct stats_hist h1 = H(c->h1, c->n1b), h2 = H(c->h2, c->n2b);
    struct stats_mwu m = stats_mann_whitney(&h1, &h2);
    CLOSE(c->name, m.u, c->u, 0); /* halves: exact */
    CLOSE(c->name, m.z, c->z, 1e-12);
    CLOSE(c->name, m.p, c->p, 1e-10);
    CLOSE(c->name, m.r, c->r, 1e-15);
    EQ_U64(c->name, m.n1, stats_hist_n(&h1));
    EQ_U64(c->name, m.n2, stats_hist_n(&h2));
    /* swapping the groups mirrors U, z and r; p is unchanged */
    struct stats_mwu s = stats_mann_whitney(&h2, &h1);
    if (!isnan(c->u))
        CLOSE(c->name, s.u, (double)(m.n1 * m.n2) - c->u, 0);
    CLOSE(c->name, s.z, -c->z, 1e-12);
    CLOSE(c->name, s.p, c->p, 1e-10);
    CLOSE(c->name, s.r, -c->r, 1e-15);
}

/* Differential: U by counting all pairs of the expanded values, and the
 * tie-corrected z from tie blocks found by sorting the pooled values. */
static void
test_mwu_differential(void **state)
{
    (void)state;
    uint64_t seed = UINT64_C(0xD1B54A32D192ED03);
    static double x1[12 * 30], x2[12 * 30], pool[24 * 30];
    for (int iter = 0; iter < 500; iter++) {
        struct stats_bin b1[16], b2[16];
        size_t m1 = random_hist(&seed, b1, 12, 30, false);
        size_t m2 = random_hist(&seed, b2, 12, 30, false);
        if (iter % 3 == 0) { /* same scores, so ties across groups occur */
            m2 = m1;
            for (size_t i = 0; i < m1; i++)
                b2[i] = (struct stats_bin){b1[i].score, rng_below(&seed, 30)};
        }
        struct stats_hist h1 = H(b1, m1), h2 = H(b2, m2);
        size_t n1 = expand(b1, m1, x1), n2 = expand(b2, m2, x2);
        struct stats_mwu m = stats_mann_whitney(&h1, &h2);
        char nm[64];
        snprintf(nm, sizeof nm, "mwu differential iter %d", iter);
        if (n1 == 0 || n2 == 0) {
            assert_true(isnan(m.u));
            continue;
        }
        double u = 0;
        for (size_t i = 0; i < n1; i++)
            for (size_t j = 0; j < n2; j++)
                u += x1[i] > x2[j] ? 1.0 : x1[i] == x2[j] ? 0.5
                                                          : 0.0;
        memcpy(pool, x1, n1 * sizeof *pool);
        memcpy(pool + n1, x2, n2 * sizeof *pool);
        size_t N = n1 + n2;
        qsort(pool, N, sizeof *pool, cmp_double);
        double ties = 0;
        for (size_t i = 0; i < N;) {
            size_t j = i;
            while (j < N && pool[j] == pool[i])
                j++;
            double t = (double)(j - i);
            ties += t * t * t - t;
            i = j;
        }
        double nn1 = (double)n1, nn2 = (double)n2, NN = (double)N;
        double var = nn1 * nn2 / 12 * ((NN + 1) - ties / (NN * (NN - 1)));
        double z = var > 0 ? (u - nn1 * nn2 / 2) / sqrt(var) : (double)NAN;
        CLOSE(nm, m.u, u, 0);
        CLOSE(nm, m.z, z, 1e-12);
        CLOSE(nm, m.r, 2 * u / (nn1 * nn2) - 1, 1e-12);
        CLOSE(nm, m.p, isnan(z) ? (double)NAN : erfc(fabs(z) / sqrt(2.0)), 1e-9);
    }
}

/* ------------------------------------------------------------------------ */
/* Chi-square test of homogeneity                                           */
/* ------------------------------------------------------------------------ */

struct chi2_case {
    const char *name;
    struct stats_bin h1[MAXB];
    size_t n1b;
    struct stats_bin h2[MAXB];
    size_t n2b;
    double chi2;
    unsigned df;
    double p;
    size_t n_levels_raw, n_levels;
};

static const struct chi2_case CHI2_CASES[] = {
    /* {1:10, 5:10} vs {1:5, 5:15}: N = 40, rows 20/20, columns 15, 25: all
     * expected >= 7.5, no merging.  E = 7.5, 7.5 | 12.5, 12.5:
     * (10-7.5)²/7.5·2 + (10-12.5)²/12.5·2 = 1.6667 + 1 = 8/3; df 1;
     * p = P(chi2_1 > 8/3) = erfc(sqrt(4/3)) = 0.10247043485974938 (equals
     * the z-test's p of the same table, z² = 8/3) */
    {"chi2 2x2 no merging", {{1, 10}, {5, 10}}, 2, {{1, 5}, {5, 15}}, 2, 8.0 / 3, 1, 0.10247043485974938, 2, 2},
    /* rows 21/21 (N = 42): a column needs C·21 >= 5·42, C >= 10.
     * Levels 1 (C=18) and 2 (C=21) close; level 3 (C=3) is a short tail
     * and joins level 2: merged {12 | 6}, {9 | 15}.  E = 9,9 | 12,12:
     * 9/9·2 + 9/12·2 = 2 + 1.5 = 3.5; df 1; p = erfc(sqrt(1.75))
     * = 0.061368829139402156 (Python) */
    {"chi2 tail merged into previous", {{1, 12}, {2, 8}, {3, 1}}, 3, {{1, 6}, {2, 13}, {3, 2}}, 3, 3.5, 1, 0.061368829139402156, 3, 2},
    /* 1..5 scale, rows 35/33 (N 68): C >= 10.3; levels 1 (11), 2 (12),
     * 3 (19) close, 4 (18) closes, 5 (8) joins 4: 4 levels, df 3.
     * Python chi2_merged() */
    {"chi2 1-5 scale python", {{1, 3}, {2, 5}, {3, 9}, {4, 12}, {5, 6}}, 5, {{1, 8}, {2, 7}, {3, 10}, {4, 6}, {5, 2}}, 5, 6.4516034736130425, 3, 0.09159080851227347, 5, 4},
    /* 0..100 scale with a sparse non-integer level 12.5 (only in group 2)
     * merged with 25: rows 80/73, C >= 10.48: levels 0 (13); 12.5+25 (27);
     * 50 (42); 75 (48); 100 (23): df 4.  Python chi2_merged() */
    {"chi2 0-100 sparse level python", {{0, 4}, {25, 10}, {50, 20}, {75, 30}, {100, 16}}, 5, {{0, 9}, {12.5, 3}, {25, 14}, {50, 22}, {75, 18}, {100, 7}}, 6, 10.05565614589401, 4, 0.03950052508001713, 6, 5},
    /* identical distributions: chi2 0, p 1 */
    {"chi2 identical", {{1, 10}, {2, 10}}, 2, {{1, 10}, {2, 10}}, 2, 0, 1, 1, 2, 2},
    /* group of size 1: min row 1, C·1 >= 5·11 never: one level, no test */
    {"chi2 group of size 1", {{3, 1}}, 1, {{1, 5}, {5, 5}}, 2, NAN, 0, NAN, 3, 1},
    /* one score in both groups: one level */
    {"chi2 single level", {{4, 20}}, 1, {{4, 30}}, 1, NAN, 0, NAN, 1, 1},
    /* zero cells: level 5 empty in group 1, level 1 empty in group 2:
     * rows 20/20, columns 10, 20, 10 (C >= 10 each): E = 5,5 | 10,10 |
     * 5,5: (10-5)²/5 + (0-5)²/5 + 0 + 0 + (0-5)²/5 + (10-5)²/5 = 20;
     * df 2; p = exp(-10) = 4.5399929762484854e-05 */
    {"chi2 zero cells", {{1, 10}, {3, 10}}, 2, {{3, 10}, {5, 10}}, 2, 20, 2, 4.5399929762484854e-05, 3, 3},
    {"chi2 empty group", {{0, 0}}, 0, {{3, 4}}, 1, NAN, 0, NAN, 1, 0},
};

static void
test_chi2_case(void **state)
{
    const struct chi2_case *c = *state;
    struct stats_hist h1 = H(c->h1, c->n1b), h2 = H(c->h2, c->n2b);
    struct stats_chi2 r = stats_chi2_homogeneity(&h1, &h2);
    CLOSE(c->name, r.chi2, c->chi2, 1e-12);
    EQ_U64(c->name, r.df, c->df);
    CLOSE(c->name, r.p, c->p, 1e-9);
    EQ_U64(c->name, r.n_levels_raw, c->n_levels_raw);
    EQ_U64(c->name, r.n_levels, c->n_levels);
    /* the statistic is symmetric in the groups */
    struct stats_chi2 s = stats_chi2_homogeneity(&h2, &h1);
    CLOSE(c->name, s.chi2, r.chi2, 1e-12);
    EQ_U64(c->name, s.df, r.df);
}

/* ------------------------------------------------------------------------ */
/* Holm                                                                     */
/* ------------------------------------------------------------------------ */

struct holm_case {
    const char *name;
    double p[6];
    size_t n;
    double adj[6];
};

static const struct holm_case HOLM_CASES[] = {
    /* sorted 0.005 (i3), 0.01 (i0), 0.03 (i2), 0.04 (i1); m = 4:
     * 4·0.005 = 0.02, 3·0.01 = 0.03, 2·0.03 = 0.06, 1·0.04 = 0.04 ->
     * running max 0.02, 0.03, 0.06, 0.06 */
    {"holm basic", {0.01, 0.04, 0.03, 0.005}, 4, {0.03, 0.06, 0.06, 0.02}},
    /* ties: 3·0.01 = 0.03 and 2·0.01 = 0.02 -> both 0.03; 1·0.5 = 0.5 */
    {"holm ties", {0.01, 0.01, 0.5}, 3, {0.03, 0.03, 0.5}},
    /* monotone: 2·0.3 = 0.6, then 1·0.4 = 0.4 lifted to 0.6 */
    {"holm monotone", {0.3, 0.4}, 2, {0.6, 0.6}},
    /* cap: 2·0.6 = 1.2 -> 1; 0.7 lifted to 1.2 -> 1 */
    {"holm capped at 1", {0.6, 0.7}, 2, {1, 1}},
    /* NaN left out: m = 2: 2·0.02 = 0.04, 1·0.04 = 0.04 */
    {"holm NaN", {0.02, NAN, 0.04}, 3, {0.04, NAN, 0.04}},
    {"holm one", {0.3}, 1, {0.3}},
    {"holm none", {0}, 0, {0}},
    /* sorted 0, 0, 0.2: 3·0 = 0, 2·0 = 0, then 0.2 at rank 2 gets 1·0.2 */
    {"holm zeros", {0, 0.2, 0}, 3, {0, 0.2, 0}},
};

static void
test_holm_case(void **state)
{
    const struct holm_case *c = *state;
    double adj[6] = {-1, -1, -1, -1, -1, -1};
    stats_holm(c->p, c->n, adj);
    for (size_t i = 0; i < c->n; i++)
        CLOSE(c->name, adj[i], c->adj[i], 1e-15);
    for (size_t i = c->n; i < 6; i++)
        assert_true(adj[i] == -1); /* nothing written beyond n */
}

struct pidx {
    double p;
    size_t i;
};

static int
cmp_pidx(const void *a, const void *b)
{
    const struct pidx *x = a, *y = b;
    if (x->p != y->p)
        return (x->p > y->p) - (x->p < y->p);
    return (x->i > y->i) - (x->i < y->i);
}

/* Differential: Holm by sorting (R's p.adjust: pmin(1, cummax((m-i+1)p))). */
static void
test_holm_differential(void **state)
{
    (void)state;
    uint64_t seed = UINT64_C(0x243F6A8885A308D3);
    for (int iter = 0; iter < 300; iter++) {
        double p[40], adj[40], want[40];
        struct pidx s[40];
        size_t n = (size_t)rng_below(&seed, 40), m = 0;
        for (size_t i = 0; i < n; i++) {
            /* coarse values so that ties are common */
            p[i] = rng_below(&seed, 8) == 0 ? (double)NAN : (double)rng_below(&seed, 30) / 100;
            want[i] = NAN;
            if (!isnan(p[i]))
                s[m++] = (struct pidx){p[i], i};
        }
        qsort(s, m, sizeof *s, cmp_pidx);
        double run = 0;
        for (size_t j = 0; j < m; j++) {
            run = fmax(run, (double)(m - j) * s[j].p);
            want[s[j].i] = fmin(1, run);
        }
        stats_holm(p, n, adj);
        char nm[64];
        snprintf(nm, sizeof nm, "holm differential iter %d", iter);
        for (size_t i = 0; i < n; i++)
            CLOSE(nm, adj[i], want[i], 0);
    }
}

/* ------------------------------------------------------------------------ */
/* Minimum detectable difference                                            */
/* ------------------------------------------------------------------------ */

struct mdd_case {
    const char *name;
    uint64_t n1, n2;
    double p0, want;
};

/* Python mdd() (bisection on the power function with statistics.NormalDist). */
static const struct mdd_case MDD_CASES[] = {
    {"mdd 100 vs 100 at 0.2", 100, 100, 0.2, 0.1785964674396079},
    {"mdd 30 vs 500 at 0.1", 30, 500, 0.1, 0.18585031305298388},
    {"mdd 1000 vs 1000 at 0.05", 1000, 1000, 0.05, 0.030976863623491748},
    {"mdd 10 vs 10 at 0", 10, 10, 0.0, 0.5166683011332384},
    {"mdd 50 vs 2000 at 0.3", 50, 2000, 0.3, 0.18927548411021747},
    /* one response against one: even 0 -> 1 is not detectable */
    {"mdd 1 vs 1 undetectable", 1, 1, 0.0, NAN},
    {"mdd empty group", 0, 10, 0.2, NAN},
    {"mdd baseline rate 1", 10, 10, 1.0, NAN},
};

static void
test_mdd_case(void **state)
{
    const struct mdd_case *c = *state;
    double d = stats_min_detectable_diff(c->n1, c->n2, c->p0, 0.05, 0.8);
    CLOSE(c->name, d, c->want, 1e-7);
    if (!isnan(d)) {
        /* round trip: the power at p0 + d is 0.8 (formula in stats.h) */
        double n1 = (double)c->n1, n2 = (double)c->n2, p1 = c->p0 + d;
        double pb = (n1 * p1 + n2 * c->p0) / (n1 + n2);
        double se0 = sqrt(pb * (1 - pb) * (1 / n1 + 1 / n2));
        double se1 = sqrt(p1 * (1 - p1) / n1 + c->p0 * (1 - c->p0) / n2);
        double zb = (d - 1.9599639845400536 * se0) / se1;
        CLOSE(c->name, 0.5 * erfc(-zb / sqrt(2.0)), 0.8, 1e-9);
    }
}

static void
test_mdd_bad_args(void **state)
{
    (void)state;
    assert_true(isnan(stats_min_detectable_diff(10, 10, NAN, 0.05, 0.8)));
    assert_true(isnan(stats_min_detectable_diff(10, 10, 0.2, 0, 0.8)));
    assert_true(isnan(stats_min_detectable_diff(10, 10, 0.2, 0.05, 1)));
    assert_true(isnan(stats_min_detectable_diff(10, 10, -0.1, 0.05, 0.8)));
    /* larger samples detect smaller differences */
    assert_true(stats_min_detectable_diff(1000, 1000, 0.2, 0.05, 0.8) <
                stats_min_detectable_diff(100, 100, 0.2, 0.05, 0.8));
}

/* ------------------------------------------------------------------------ */
/* Runner: one cmocka test per table row, named after the row               */
/* ------------------------------------------------------------------------ */

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_TESTS 256

struct test_list {
    struct CMUnitTest t[MAX_TESTS];
    size_t n;
};

static void
add(struct test_list *l, const char *name, CMUnitTestFunction f,
    const void *state)
{
    if (l->n == MAX_TESTS)
        abort();
    /* cmocka's state is void *; the tables are read-only in the tests */
    union {
        const void *c;
        void *v;
    } u = {state};
    l->t[l->n++] = (struct CMUnitTest){name, f, NULL, NULL, u.v};
}

#define ADD_TABLE(l, table, fn)                  \
    for (size_t i_ = 0; i_ < COUNT(table); i_++) \
    add((l), (table)[i_].name, (fn), &(table)[i_])
#define ADD(l, fn) add((l), #fn, (fn), NULL)

int
main(void)
{
    static struct test_list l;
    ADD_TABLE(&l, SUM_CASES, test_summary_case);
    ADD(&l, test_summary_mean_exact);
    ADD_TABLE(&l, WILSON_CASES, test_wilson_case);
    ADD(&l, test_wilson_bad_z);
    ADD(&l, test_hist_check);
    ADD_TABLE(&l, DIST_CASES, test_distribution_case);
    ADD(&l, test_distribution_truncated);
    ADD(&l, test_pool_mixed_scales);
    ADD(&l, test_pool_edge_cases);
    ADD(&l, test_summary_differential);
    ADD_TABLE(&l, NEWCOMBE_CASES, test_newcombe_case);
    ADD_TABLE(&l, ZTEST_CASES, test_ztest_case);
    ADD_TABLE(&l, FISHER_CASES, test_fisher_case);
    ADD(&l, test_fisher_large);
    ADD_TABLE(&l, EXACT_CASES, test_exact_case);
    ADD(&l, test_compare_poor);
    ADD_TABLE(&l, MWU_CASES, test_mwu_case);
    ADD(&l, test_mwu_differential);
    ADD_TABLE(&l, CHI2_CASES, test_chi2_case);
    ADD_TABLE(&l, HOLM_CASES, test_holm_case);
    ADD(&l, test_holm_differential);
    ADD_TABLE(&l, MDD_CASES, test_mdd_case);
    ADD(&l, test_mdd_bad_args);
    return _cmocka_run_group_tests("stats", l.t, l.n, NULL, NULL);
}
