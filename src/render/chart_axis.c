/*
 * render/chart_axis.c: axes of the charts: ticks from the axis settings,
 * tick labels and gridlines of vertical and horizontal axes, data ranges,
 * and the plan and drawing of category (x) labels (one line, two lines,
 * rotated 45°, or thinned).  See chart_draw.h.
 */
#include <glib.h>
#include <math.h>
#include <pango/pangocairo.h>

#include "render/chart.h"
#include "render/chart_draw.h"
#include "render/chart_internal.h"

/* Tick-label decimals: what the step needs, in the unit shown. */
static int
tick_decimals(const struct chart_ticks *t, enum chart_numfmt fmt)
{
    if (fmt == CHART_FMT_INT)
        return 0;
    double step = fmt == CHART_FMT_PERCENT ? t->step * 100 : t->step;
    int d = (int)-floor(log10(step) + 1e-9);
    return d < 0 ? 0 : (d > 6 ? 6 : d);
}

static double
tick_at(const struct chart_ticks *t, int i)
{
    double v;
    if (t->min == floor(t->min / t->step + 0.5) * t->step)
        v = t->min + i * t->step;
    else /* fixed axis not on the grid: ticks at multiples of step */
        v = ceil(t->min / t->step - 1e-9) * t->step + i * t->step;
    return fabs(v) < t->step * 1e-9 ? 0.0 : v;
}

static int
tick_count(const struct chart_ticks *t)
{
    int n = 0;
    while (n <= 1000 && tick_at(t, n) <= t->max + t->step * 1e-9)
        n++;
    return n;
}

void
chart_axis_ticks(const struct chart_axis *a, double lo, double hi, int target,
                 struct chart_ticks *t)
{
    if (a->fixed && isfinite(a->min) && isfinite(a->max) && a->min < a->max)
        chart_fixed_ticks(a->min, a->max, target, t);
    else
        chart_nice_ticks(lo, hi, target, a->fmt == CHART_FMT_INT ? 1.0 : 0.0,
                         t);
}

double
chart_ticks_label_width(struct rc *rc, const struct chart_ticks *t,
                        enum chart_numfmt fmt)
{
    char buf[64];
    double m = 0;
    int d = tick_decimals(t, fmt), n = tick_count(t);
    for (int i = 0; i < n; i++) {
        chart_format_number(tick_at(t, i), fmt, d, buf, sizeof buf);
        double w = chart_text_width(rc, buf, FS_LABEL, false);
        m = w > m ? w : m;
    }
    return m;
}

/* Tick labels of a vertical axis beside plot p: on the left (right-aligned
 * against the plot) or on the right; grid also draws the gridlines, with
 * zero darker as the baseline. */
void
chart_draw_vticks(struct rc *rc, const struct chart_ticks *t,
                  enum chart_numfmt fmt, struct box p, bool left_side,
                  bool grid, struct rgb label_c)
{
    cairo_t *cr = rc->cr;
    char buf[64];
    int d = tick_decimals(t, fmt), n = tick_count(t);
    for (int i = 0; i < n; i++) {
        double v = tick_at(t, i);
        double y = amap(t, v, p.y + p.h, p.y);
        if (grid) {
            cairo_move_to(cr, p.x, y);
            cairo_line_to(cr, p.x + p.w, y);
            set_rgb(cr, v == 0.0 ? hex(C_BASE) : hex(C_GRID));
            cairo_set_line_width(cr, v == 0.0 ? 0.9 : 0.6);
            cairo_stroke(cr);
        }
        chart_format_number(v, fmt, d, buf, sizeof buf);
        PangoLayout *l =
            chart_text_layout(rc, buf, FS_LABEL, false, 0, 1, PANGO_ALIGN_LEFT);
        double w, h;
        chart_text_size(l, &w, &h);
        double x = left_side ? p.x - 6 - w : p.x + p.w + 6;
        chart_text_show(rc, l, x, y - h / 2, label_c, false);
        g_object_unref(l);
    }
}

void
chart_draw_hticks(struct rc *rc, const struct chart_ticks *t,
                  enum chart_numfmt fmt, struct box p, bool labels, bool grid)
{
    cairo_t *cr = rc->cr;
    char buf[64];
    int d = tick_decimals(t, fmt), n = tick_count(t);
    for (int i = 0; i < n; i++) {
        double v = tick_at(t, i);
        double x = amap(t, v, p.x, p.x + p.w);
        if (grid) {
            cairo_move_to(cr, x, p.y);
            cairo_line_to(cr, x, p.y + p.h);
            set_rgb(cr, hex(C_GRID));
            cairo_set_line_width(cr, 0.6);
            cairo_stroke(cr);
        }
        if (labels) {
            chart_format_number(v, fmt, d, buf, sizeof buf);
            PangoLayout *l = chart_text_layout(rc, buf, FS_LABEL, false, 0, 1,
                                               PANGO_ALIGN_LEFT);
            double w;
            chart_text_size(l, &w, NULL);
            chart_text_show(rc, l,
                            clampd(x - w / 2, p.x - 10, p.x + p.w + 10 - w),
                            p.y + p.h + 4, hex(C_TICK), false);
            g_object_unref(l);
        }
    }
}

void
chart_series_range(const struct chart_series *sr, size_t n, double *lo,
                   double *hi)
{
    for (size_t i = 0; i < n; i++) {
        const double *arr[3] = {sr->values, sr->lo, sr->hi};
        for (size_t k = 0; k < 3; k++) {
            if (!fin(arr[k], i))
                continue;
            *lo = arr[k][i] < *lo ? arr[k][i] : *lo;
            *hi = arr[k][i] > *hi ? arr[k][i] : *hi;
        }
    }
}

void
chart_xlabels_plan(struct rc *rc, const struct chart_spec *s, double plot_w,
                   double max_band, struct xplan *xp)
{
    size_t n = s->n_categories;
    double gap = 6.0, maxw = 0.0;
    xp->lh = chart_line_height(rc, FS_LABEL, false);
    xp->slot = plot_w / (double)n;
    xp->step = 1;
    for (size_t i = 0; i < n; i++) {
        double w = chart_text_width(rc, cat_label(s, i), FS_LABEL, false);
        maxw = w > maxw ? w : maxw;
    }
    double cap = max_band / SIN45 - xp->lh;
    if (cap < 30)
        cap = 30;
    if (maxw <= xp->slot - gap) {
        xp->mode = XL_H1;
        xp->band = xp->lh;
        xp->len = xp->slot - gap;
        return;
    }
    if (xp->slot - gap >= 44.0) {
        xp->mode = XL_H2;
        xp->len = xp->slot - gap;
        xp->band = 0;
        for (size_t i = 0; i < n; i++) {
            PangoLayout *l =
                chart_text_layout(rc, cat_label(s, i), FS_LABEL, false, xp->len,
                                  2, PANGO_ALIGN_CENTER);
            double h;
            chart_text_size(l, NULL, &h);
            g_object_unref(l);
            xp->band = h > xp->band ? h : xp->band;
        }
        return;
    }
    if (maxw <= 40.0 && xp->slot < 1.5 * xp->lh) {
        /* short labels (scores, weeks numbers): keep them horizontal and
         * thin them out */
        xp->mode = XL_H1;
        xp->step = chart_label_step((maxw + gap) / xp->slot);
        xp->band = xp->lh;
        xp->len = maxw;
        return;
    }
    xp->mode = XL_R45;
    xp->step = chart_label_step(1.5 * xp->lh / xp->slot);
    xp->len = maxw < cap ? maxw : cap;
    xp->band = SIN45 * (xp->len + xp->lh) + 2;
}

void
chart_xlabels_draw(struct rc *rc, const struct chart_spec *s,
                   const struct xplan *xp, struct box p, double y,
                   double left_limit)
{
    cairo_t *cr = rc->cr;
    for (size_t i = 0; i < s->n_categories; i += xp->step) {
        double cx = p.x + xp->slot * ((double)i + 0.5);
        if (xp->step > 1) {
            cairo_move_to(cr, cx, p.y + p.h);
            cairo_line_to(cr, cx, p.y + p.h + 3.5);
            set_rgb(cr, hex(C_BASE));
            cairo_set_line_width(cr, 0.8);
            cairo_stroke(cr);
        }
        const char *t = cat_label(s, i);
        if (xp->mode == XL_R45) {
            /* keep the label's lower-left end inside the canvas */
            double room = (cx - left_limit) / SIN45 - xp->lh * 0.5;
            double len = xp->len < room ? xp->len : room;
            if (len < 8)
                continue;
            PangoLayout *l = chart_text_layout(rc, t, FS_LABEL, false, len, 1,
                                               PANGO_ALIGN_LEFT);
            chart_text_show_rotated(rc, l, cx, y + 0.36 * xp->lh, -PI / 4,
                                    hex(C_TICK));
            g_object_unref(l);
        } else {
            double width = xp->mode == XL_H2 ? xp->len : 0;
            PangoLayout *l = chart_text_layout(rc, t, FS_LABEL, false, width, 2,
                                               PANGO_ALIGN_CENTER);
            double w;
            chart_text_size(l, &w, NULL);
            double x = width > 0 ? cx - width / 2 : cx - w / 2;
            chart_text_show(rc, l, x, y, hex(C_TICK), false);
            g_object_unref(l);
        }
    }
}
