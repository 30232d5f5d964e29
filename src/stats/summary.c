/*
 * stats/summary.c: the per-(category, scale) summary of a score histogram
 * (count, mean, median, sample sd, min, max, poor count and rate with a
 * Wilson interval, normalized mean, t-interval of the mean), the Wilson
 * interval itself, and the pooled normalized figures across scales.
 *
 * The figures must be right to the last digit, so sums run in long double
 * with Neumaier compensation and the variance is a two-pass sum of squared
 * deviations from the (long double) mean, never the cancellation-prone
 * sum-of-squares formula.  Working from bins rather than rows makes both
 * passes cost O(distinct scores).  Everything is a pure function of its
 * arguments; nothing allocates.  GSL supplies the Student-t quantile, called
 * only with degrees of freedom >= 1 so its aborting error handler never runs.
 */
#include "stats/stats.h"

#include <assert.h>
#include <gsl/gsl_cdf.h>
#include <math.h>

/* ------------------------------------------------------------------------ */
/* Private helpers                                                          */
/* ------------------------------------------------------------------------ */

/* Neumaier-compensated long double accumulator. */
struct ksum {
    long double s; /* running sum */
    long double c; /* accumulated rounding error of s */
};

static void
ksum_add(struct ksum *k, long double x)
{
    long double t = k->s + x;
    if (fabsl(k->s) >= fabsl(x))
        k->c += (k->s - t) + x;
    else
        k->c += (x - t) + k->s;
    k->s = t;
}

static long double
ksum_value(const struct ksum *k)
{
    return k->s + k->c;
}

/* The score at 0-based rank r (r < total count) of a histogram. */
static double
score_at_rank(const struct stats_hist *h, uint64_t r)
{
    uint64_t cum = 0;
    for (size_t i = 0; i < h->n_bins; i++) {
        cum += h->bins[i].count;
        if (r < cum)
            return h->bins[i].score;
    }
    assert(!"rank beyond histogram total");
    return NAN;
}

/* sum/n rounded once to double when sum is an exact double (see stats.h). */
static double
mean_of(long double sum, uint64_t n)
{
    double sum_d = (double)sum;
    if ((long double)sum_d == sum && n <= (UINT64_C(1) << 53))
        return sum_d / (double)n; /* one IEEE division: correctly rounded */
    return (double)(sum / (long double)n);
}

/* ------------------------------------------------------------------------ */
/* Public API                                                               */
/* ------------------------------------------------------------------------ */

void
stats_wilson(uint64_t k, uint64_t n, double z, double *lo, double *hi)
{
    if (n == 0 || k > n || !(z > 0) || !isfinite(z)) {
        *lo = *hi = NAN;
        return;
    }
    /* (2k + z² ∓ z·sqrt(z² + 4k(n-k)/n)) / (2(n + z²)), in long double so
     * that k(n-k) is exact for any realistic n. */
    long double kl = (long double)k, nl = (long double)n, zl = z;
    long double z2 = zl * zl;
    long double root = sqrtl(z2 + 4.0L * kl * (nl - kl) / nl);
    long double den = 2.0L * (nl + z2);
    double l = (double)((2.0L * kl + z2 - zl * root) / den);
    double h = (double)((2.0L * kl + z2 + zl * root) / den);
    /* At k == 0 (k == n) the bound is 0 (1) exactly; rounding would leave
     * a residue of order 1e-20. */
    *lo = k == 0 ? 0.0 : fmax(0.0, l);
    *hi = k == n ? 1.0 : fmin(1.0, h);
}

struct stats_summary
stats_summarize(const struct stats_hist *hist, double lower, double upper,
                double threshold)
{
    assert(stats_hist_check(hist, NULL) == CS_OK);
    struct stats_summary s = {
        .n = 0,
        .mean = NAN,
        .median = NAN,
        .sd = NAN,
        .min = NAN,
        .max = NAN,
        .mean_ci_lo = NAN,
        .mean_ci_hi = NAN,
        .n_poor = 0,
        .poor_rate = NAN,
        .poor_ci_lo = NAN,
        .poor_ci_hi = NAN,
        .norm_mean = NAN,
    };

    /* Pass 1: n, sum, min, max, poor. */
    struct ksum sum = {0, 0};
    for (size_t i = 0; i < hist->n_bins; i++) {
        const struct stats_bin *b = &hist->bins[i];
        if (b->count == 0)
            continue;
        if (s.n == 0)
            s.min = b->score;
        s.max = b->score;
        s.n += b->count;
        ksum_add(&sum, (long double)b->score * (long double)b->count);
        if (b->score <= threshold)
            s.n_poor += b->count;
    }
    if (s.n == 0)
        return s;

    long double sum_ld = ksum_value(&sum);
    long double mean_ld = sum_ld / (long double)s.n;
    s.mean = mean_of(sum_ld, s.n);

    double a = score_at_rank(hist, (s.n - 1) / 2);
    double b = score_at_rank(hist, s.n / 2);
    s.median = a == b ? a : (a + b) / 2.0; /* one rounding; no overflow in 0..100 */

    if (!isnan(threshold)) {
        s.poor_rate = (double)s.n_poor / (double)s.n;
        stats_wilson(s.n_poor, s.n, STATS_Z95, &s.poor_ci_lo, &s.poor_ci_hi);
    }

    if (isfinite(lower) && isfinite(upper) && upper > lower)
        s.norm_mean = (double)((mean_ld - (long double)lower) /
                               ((long double)upper - (long double)lower));

    if (s.n >= 2) {
        /* Pass 2: squared deviations from the long double mean. */
        struct ksum ss = {0, 0};
        for (size_t i = 0; i < hist->n_bins; i++) {
            long double d = (long double)hist->bins[i].score - mean_ld;
            ksum_add(&ss, (long double)hist->bins[i].count * d * d);
        }
        long double var = ksum_value(&ss) / (long double)(s.n - 1);
        s.sd = (double)sqrtl(var);
        double t = gsl_cdf_tdist_Pinv(0.975, (double)(s.n - 1));
        double half = t * s.sd / sqrt((double)s.n);
        /* the mean cannot leave the scale: cut the interval at its ends
         * (a 0-1 scale with eleven 1s and one 0 would otherwise say 1.10) */
        s.mean_ci_lo = fmax(s.mean - half, lower);
        s.mean_ci_hi = fmin(s.mean + half, upper);
    }
    return s;
}

struct stats_pooled
stats_pool_normalized(const struct stats_hist *hists,
                      const struct stats_scale *scales, size_t n_parts)
{
    struct stats_pooled p = {
        .n = 0,
        .norm_mean = NAN,
        .n_poor = 0,
        .poor_rate = NAN,
        .poor_ci_lo = NAN,
        .poor_ci_hi = NAN,
    };
    struct ksum norm = {0, 0};
    bool norm_ok = true, poor_ok = true;
    for (size_t j = 0; j < n_parts; j++) {
        const struct stats_hist *h = &hists[j];
        const struct stats_scale *sc = &scales[j];
        assert(stats_hist_check(h, NULL) == CS_OK);
        uint64_t n = 0;
        struct ksum sum = {0, 0};
        for (size_t i = 0; i < h->n_bins; i++) {
            const struct stats_bin *b = &h->bins[i];
            if (b->count == 0)
                continue;
            n += b->count;
            ksum_add(&sum, (long double)b->score * (long double)b->count);
            if (b->score <= sc->threshold)
                p.n_poor += b->count;
        }
        if (n == 0)
            continue;
        p.n += n;
        if (isnan(sc->threshold))
            poor_ok = false;
        if (!(isfinite(sc->lower) && isfinite(sc->upper) &&
              sc->upper > sc->lower)) {
            norm_ok = false;
            continue;
        }
        /* Σ count·(score-lower)/(upper-lower) = (Σ count·score - n·lower)/(upper-lower) */
        long double range = (long double)sc->upper - (long double)sc->lower;
        ksum_add(&norm, (ksum_value(&sum) - (long double)n * sc->lower) / range);
    }
    if (p.n == 0)
        return p;
    if (norm_ok)
        p.norm_mean = (double)(ksum_value(&norm) / (long double)p.n);
    if (poor_ok) {
        p.poor_rate = (double)p.n_poor / (double)p.n;
        stats_wilson(p.n_poor, p.n, STATS_Z95, &p.poor_ci_lo, &p.poor_ci_hi);
    }
    return p;
}
