/*
 * report/chart_bins.c: distribution columns (see chart_bins.h).
 */
#include "report/chart_bins.h"

#include <math.h>
#include <string.h>

#include "core/mem.h"
#include "model/survey.h"

#define MAX_WHOLE_COLUMNS 21
#define EPS 1e-9

static void
alloc_bins(struct cs_dist_bins *b, size_t n)
{
    b->n = n;
    b->labels = xcalloc(n ? n : 1, sizeof *b->labels);
    b->count = xcalloc(n ? n : 1, sizeof *b->count);
    b->poor = xcalloc(n ? n : 1, sizeof *b->poor);
}

static bool
whole(double v)
{
    return fabs(v - round(v)) < EPS;
}

/* tenths of the scale with an edge at the threshold */
static void
build_binned(const struct rep_group *g, struct cs_dist_bins *b)
{
    double lo = g->scale.lower, hi = g->scale.upper, t = g->scale.threshold;
    double w = (hi - lo) / 10;
    double tp = t < lo ? lo : t > hi ? hi
                                     : t;
    size_t np = t < lo ? 0 : (size_t)ceil((tp - lo) / w - EPS);
    if (t >= lo && np == 0)
        np = 1; /* a threshold at the lower bound: one bin of that score */
    size_t ng = t >= hi ? 0 : (size_t)ceil((hi - tp) / w - EPS);
    alloc_bins(b, np + ng);
    b->binned = true;
    char x[32], y[32];
    for (size_t k = 0; k < np; k++) {
        double a = lo + w * (double)k, z = a + w;
        if (k + 1 == np)
            b->labels[k] = xasprintf("%s\xE2\x80\x93%s", cs_js_number(a, x), cs_js_number(tp, y));
        else
            b->labels[k] = xasprintf("%s\xE2\x80\x93<%s", cs_js_number(a, x), cs_js_number(z, y));
        b->poor[k] = true;
    }
    for (size_t k = 0; k < ng; k++) {
        double a = tp + w * (double)k, z = k + 1 == ng ? hi : a + w;
        b->labels[np + k] = xasprintf(">%s\xE2\x80\x93%s", cs_js_number(a, x), cs_js_number(z, y));
    }
    for (size_t i = 0; i < g->n_dist; i++) {
        double s = g->dist[i].score;
        size_t k;
        if (np > 0 && s <= t) {
            double f = floor((s - lo) / w + EPS);
            k = f < 0 ? 0 : f >= (double)np ? np - 1
                                            : (size_t)f;
        } else {
            double f = ceil((s - tp) / w - EPS) - 1;
            k = np + (f < 0 ? 0 : f >= (double)ng ? ng - 1
                                                  : (size_t)f);
        }
        b->count[k] += (double)g->dist[i].count;
    }
}

void
cs_dist_bins_build(const struct rep_group *g, struct cs_dist_bins *b)
{
    memset(b, 0, sizeof *b);
    double lo = g->scale.lower, hi = g->scale.upper;
    char x[32];
    if (whole(lo) && whole(hi) && hi >= lo && hi - lo + 1 <= MAX_WHOLE_COLUMNS) {
        size_t n = (size_t)llround(hi - lo) + 1;
        alloc_bins(b, n);
        for (size_t k = 0; k < n; k++) {
            b->labels[k] = xstrdup(cs_js_number(lo + (double)k, x));
            b->poor[k] = lo + (double)k <= g->scale.threshold;
        }
        for (size_t i = 0; i < g->n_dist; i++) {
            double s = g->dist[i].score, f = ceil(s - lo - EPS);
            b->folded |= !whole(s) && g->dist[i].count > 0;
            size_t k = f < 0 ? 0 : f >= (double)n ? n - 1
                                                  : (size_t)f;
            b->count[k] += (double)g->dist[i].count;
        }
    } else if (g->n_dist > MAX_WHOLE_COLUMNS) {
        build_binned(g, b);
    } else {
        alloc_bins(b, g->n_dist);
        for (size_t i = 0; i < g->n_dist; i++) {
            b->labels[i] = xstrdup(cs_js_number(g->dist[i].score, x));
            b->count[i] = (double)g->dist[i].count;
            b->poor[i] = g->dist[i].score <= g->scale.threshold;
        }
    }
}

void
cs_dist_bins_free(struct cs_dist_bins *b)
{
    for (size_t i = 0; i < b->n; i++)
        xfree(b->labels[i]);
    xfree(b->labels);
    xfree(b->count);
    xfree(b->poor);
    memset(b, 0, sizeof *b);
}
