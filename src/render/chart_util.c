/*
 * render/chart_util.c: the pure helpers behind the charts — 1-2-5 tick
 * steps, pie folding into "Other", label thinning steps, number formatting
 * and the footnote line.  Nothing here touches cairo or pango, so the unit
 * tests check these exactly while the pictures are checked by pixels.
 *
 * Numbers are formatted by hand around snprintf("%.*f") so the output does
 * not depend on the C locale (a de_DE decimal comma would otherwise leak
 * into labels) and so thousands separators and the typographic minus are
 * the same everywhere.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "render/chart.h"
#include "render/chart_internal.h"

/* ---- Ticks -------------------------------------------------------------- */

/* Smallest 1-2-5 multiple of a power of ten that is >= raw (raw > 0). */
static double
nice_step_at_least(double raw)
{
    double mag = pow(10.0, floor(log10(raw)));
    double f = raw / mag;
    double step;
    /* the small slack keeps 0.3/3 = 0.0999... from becoming 0.2 */
    if (f <= 1.0 + 1e-9)
        step = 1.0;
    else if (f <= 2.0 + 1e-9)
        step = 2.0;
    else if (f <= 5.0 + 1e-9)
        step = 5.0;
    else
        step = 10.0;
    return step * mag;
}

static int
step_decimals(double step)
{
    int d = (int)-floor(log10(step) + 1e-9);
    return d < 0 ? 0 : (d > 12 ? 12 : d);
}

void
chart_nice_ticks(double lo, double hi, int max_intervals, double min_step,
                 struct chart_ticks *t)
{
    if (!isfinite(lo) || !isfinite(hi)) {
        lo = 0.0;
        hi = 1.0;
    }
    if (lo > hi) {
        double x = lo;
        lo = hi;
        hi = x;
    }
    if (hi - lo <= fabs(hi) * 1e-12) {
        if (hi == 0.0) {
            hi = 1.0;
        } else {
            double pad = fabs(hi) * 0.5;
            if (lo >= 0.0 && lo - pad < 0.0)
                lo = 0.0;
            else
                lo -= pad;
            hi += pad;
        }
    }
    /* spans beyond what doubles can step through are clamped */
    if (hi - lo > 1e300 || !isfinite(hi - lo)) {
        lo = lo < -1e300 ? -1e300 : lo;
        hi = hi > 1e300 ? 1e300 : hi;
    }
    if (max_intervals < 1)
        max_intervals = 1;
    double step = nice_step_at_least((hi - lo) / max_intervals);
    if (min_step > 0.0 && step < min_step)
        step = min_step;
    double mn = floor(lo / step + 1e-9) * step;
    double mx = ceil(hi / step - 1e-9) * step;
    long cnt = lround((mx - mn) / step);
    if (cnt < 1) {
        cnt = 1;
        mx = mn + step;
    }
    /* -0.0 looks odd in tests and labels */
    t->min = mn == 0.0 ? 0.0 : mn;
    t->max = mx == 0.0 ? 0.0 : mx;
    t->step = step;
    t->count = (int)cnt;
    t->decimals = step_decimals(step);
}

void
chart_fixed_ticks(double lo, double hi, int max_intervals,
                  struct chart_ticks *t)
{
    if (!isfinite(lo) || !isfinite(hi) || !(lo < hi)) {
        chart_nice_ticks(lo, hi, max_intervals, 0.0, t);
        return;
    }
    if (max_intervals < 1)
        max_intervals = 1;
    double step = nice_step_at_least((hi - lo) / max_intervals);
    t->min = lo;
    t->max = hi;
    t->step = step;
    /* whole steps from lo that stay inside [lo, hi] */
    long cnt = (long)floor((hi - lo) / step + 1e-9);
    t->count = cnt < 1 ? 1 : (int)cnt;
    t->decimals = step_decimals(step);
}

/* ---- Pie folding and label thinning ---------------------------------------
 */

/* Insertion sort of indices by value, descending, ties by index: stable and
 * tiny n (pie slices), so no qsort comparator context is needed. */
size_t
chart_pie_fold(const double *v, size_t n, size_t max_slices, size_t *idx,
               double *other)
{
    size_t m = 0;
    *other = 0.0;
    if (v == NULL)
        return 0;
    if (max_slices < 2)
        max_slices = 2;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i]) || !(v[i] > 0.0))
            continue;
        size_t j = m;
        while (j > 0 && v[idx[j - 1]] < v[i]) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = i;
        m++;
    }
    if (m <= max_slices)
        return m;
    for (size_t k = max_slices - 1; k < m; k++)
        *other += v[idx[k]];
    return max_slices - 1;
}

size_t
chart_label_step(double need)
{
    static const size_t base[] = {1, 2, 5, 10, 20, 25, 50};
    if (!(need > 1.0))
        return 1;
    if (need > 1e15)
        need = 1e15;
    for (size_t mult = 1;; mult *= 10) {
        for (size_t i = 0; i < sizeof base / sizeof base[0]; i++) {
            /* 1, 2, 5 only in the first decade; 10, 20, 25, 50 repeat */
            if (mult > 1 && base[i] < 10)
                continue;
            size_t k = base[i] * mult;
            if ((double)k >= need)
                return k;
        }
    }
}

/* ---- Number formatting ------------------------------------------------------
 */

char *
chart_format_number(double v, enum chart_numfmt fmt, int decimals, char *buf,
                    size_t size)
{
    char num[64];
    char out[96];
    const char *suffix = "";

    if (buf == NULL || size == 0)
        return buf;
    if (!isfinite(v)) {
        snprintf(buf, size, "%s", "\xE2\x80\x93"); /* en dash */
        return buf;
    }
    if (decimals < 0)
        decimals = 0;
    if (decimals > 6)
        decimals = 6;
    switch (fmt) {
    case CHART_FMT_PERCENT:
        v *= 100.0;
        suffix = "%";
        break;
    case CHART_FMT_FIXED:
        break;
    case CHART_FMT_INT:
    default:
        decimals = 0;
        break;
    }
    bool neg = v < 0.0;
    double a = fabs(v);
    if (a >= 1e15) {
        snprintf(num, sizeof num, "%.3g", a);
        snprintf(buf, size, "%s%s%s", neg ? "\xE2\x88\x92" : "", num, suffix);
        return buf;
    }
    /* half away from zero, as people round (printf alone would give
     * 12.5 -> "12" by rounding ties to even) */
    double scale = pow(10.0, decimals);
    a = round(a * scale) / scale;
    snprintf(num, sizeof num, "%.*f", decimals, a);
    /* a value that rounds to zero shows no sign */
    if (neg && strspn(num, "0.") == strlen(num))
        neg = false;
    /* group the integer digits by three */
    size_t intlen = strcspn(num, ".");
    size_t o = 0;
    if (neg) {
        memcpy(out, "\xE2\x88\x92", 3); /* U+2212 minus sign */
        o = 3;
    }
    for (size_t i = 0; i < intlen; i++) {
        if (i > 0 && (intlen - i) % 3 == 0)
            out[o++] = ',';
        out[o++] = num[i];
    }
    snprintf(out + o, sizeof out - o, "%s%s", num + intlen, suffix);
    snprintf(buf, size, "%s", out);
    return buf;
}

/* ---- Footnote
 * ------------------------------------------------------------------ */

char *
chart_footnote_text(const struct chart_footnote *f)
{
    const char *sep = " \xC2\xB7 "; /* middle dot */
    char *s = xstrdup("");
    if (f == NULL)
        return s;
    const char *parts[4] = {NULL, f->scale, f->window, f->source};
    char *ntext = NULL;
    if (f->n >= 0) {
        char nb[64];
        chart_format_number((double)f->n, CHART_FMT_INT, 0, nb, sizeof nb);
        ntext = xasprintf("n = %s %s", nb,
                          f->n_label && *f->n_label ? f->n_label : "responses");
        parts[0] = ntext;
    }
    for (size_t i = 0; i < 4; i++) {
        if (parts[i] == NULL || parts[i][0] == '\0')
            continue;
        char *t = xasprintf("%s%s%s", s, *s ? sep : "", parts[i]);
        xfree(s);
        s = t;
    }
    xfree(ntext);
    return s;
}
