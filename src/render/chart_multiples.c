/*
 * render/chart_multiples.c: small multiples (issue 18).  Okabe-Ito has
 * eight colours; a chart of more series than that would have to recycle
 * one, and two groups of one colour cannot be told apart.  So a
 * clustered, multi-series column, line or stacked chart of more than
 * CHART_MAX_COLORED_SERIES series is drawn as a grid of small panels
 * instead, one per series, each titled with the series' name, all on one
 * value axis (a stacked chart's panels show each series' share of the
 * category total).  Nothing is told by colour, so every panel is drawn in
 * the first palette colour.  See chart_draw.h.
 */
#include <glib.h>
#include <math.h>
#include <pango/pangocairo.h>

#include "core/mem.h"
#include "render/chart.h"
#include "render/chart_draw.h"
#include "render/chart_internal.h"

#define MP_GAP_X 14.0        /* between panels, horizontally */
#define MP_GAP_Y 8.0         /* between panels, vertically */
#define MP_ASPECT 1.6        /* preferred panel width / height */
#define MP_TICKS 3           /* value intervals per panel, about */
#define MP_TITLE_GAP 2.0     /* panel title to its plot */
#define MP_XLABEL_GAP 2.0    /* plot to the category labels */
#define MP_COL_SHARE 0.7     /* a column's share of its slot */
#define MP_LINE_WIDTH 1.6    /* a line panel's line */
#define MP_MARKER_RADIUS 2.2 /* and its points */

bool
chart_uses_multiples(const struct chart_spec *s)
{
    if (s->n_series <= CHART_MAX_COLORED_SERIES)
        return false;
    switch (s->kind) {
    case CHART_CLUSTERED:
    case CHART_COLUMN:
    case CHART_LINE:
    case CHART_STACKED:
        return true;
    default:
        return false;
    }
}

/* Panel j's value at category i: a stacked chart's share of the category
 * total, else the value itself; NaN when missing. */
static double
mp_value(const struct chart_spec *s, size_t j, size_t i)
{
    if (!fin(s->series[j].values, i))
        return (double)NAN;
    double v = s->series[j].values[i];
    if (s->kind != CHART_STACKED)
        return v;
    double tot = 0;
    for (size_t k = 0; k < s->n_series; k++)
        if (fin(s->series[k].values, i) && s->series[k].values[i] > 0)
            tot += s->series[k].values[i];
    return tot > 0 && v > 0 ? v / tot : (double)NAN;
}

/* Columns and rows of the grid for n panels in r: the layout whose panels
 * come closest to MP_ASPECT while as large as possible. */
static void
mp_grid(size_t n, struct box r, size_t *cols, size_t *rows)
{
    double best = -1;
    *cols = 1;
    *rows = n;
    for (size_t c = 1; c <= n; c++) {
        size_t rr = (n + c - 1) / c;
        double pw = (r.w - MP_GAP_X * (double)(c - 1)) / (double)c;
        double ph = (r.h - MP_GAP_Y * (double)(rr - 1)) / (double)rr;
        double score = fmin(pw, ph * MP_ASPECT);
        if (score > best) {
            best = score;
            *cols = c;
            *rows = rr;
        }
    }
}

/* Category labels under panel plot p, every step-th one. */
static void
mp_xlabels(struct rc *rc, const struct chart_spec *s, struct box p, double y)
{
    size_t n = s->n_categories;
    double slot = p.w / (double)n, widest = 0;
    for (size_t i = 0; i < n; i++)
        widest = fmax(widest, chart_text_width(rc, cat_label(s, i), FS_AXIS, false));
    size_t step = chart_label_step((widest + 4) / slot);
    for (size_t i = 0; i < n; i += step) {
        double w = slot * (double)step;
        PangoLayout *l = chart_text_layout(rc, cat_label(s, i), FS_AXIS, false, w, 1,
                                           PANGO_ALIGN_CENTER);
        chart_text_show(rc, l, p.x + slot * ((double)i + 0.5) - w / 2, y, hex(C_TICK), false);
        g_object_unref(l);
    }
}

/* The data of panel j in plot p on ticks t. */
static void
mp_data(struct rc *rc, const struct chart_spec *s, size_t j, struct box p,
        const struct chart_ticks *t)
{
    cairo_t *cr = rc->cr;
    size_t n = s->n_categories;
    double slot = p.w / (double)n;
    struct rgb c = hex(palette_hex[CHART_COLOR_BLUE]);
    double y0 = amap(t, 0.0, p.y + p.h, p.y);
    if (s->kind == CHART_LINE) {
        double *v = xcalloc(n, sizeof *v);
        for (size_t i = 0; i < n; i++)
            v[i] = mp_value(s, j, i);
        cairo_set_line_width(cr, MP_LINE_WIDTH);
        chart_line_series_draw(rc, v, n, t, p, slot, c, n <= 24, MP_MARKER_RADIUS, NULL);
        xfree(v);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        double v = mp_value(s, j, i);
        if (!isfinite(v))
            continue;
        double y = amap(t, v, p.y + p.h, p.y);
        double bw = slot * MP_COL_SHARE;
        cairo_rectangle(cr, p.x + slot * ((double)i + 0.5) - bw / 2, fmin(y, y0), bw,
                        fabs(y0 - y));
        bool hl = s->highlight && s->highlight[i];
        set_rgb(cr, hl ? hex(palette_hex[CHART_COLOR_VERMILLION]) : c);
        cairo_fill(cr);
    }
}

void
chart_multiples_draw(struct rc *rc, const struct chart_spec *s, struct box r)
{
    size_t ns = s->n_series, cols, rows;
    mp_grid(ns, r, &cols, &rows);
    /* one value axis for every panel */
    double lo = HUGE_VAL, hi = -HUGE_VAL;
    for (size_t j = 0; j < ns; j++)
        for (size_t i = 0; i < s->n_categories; i++) {
            double v = mp_value(s, j, i);
            if (isfinite(v)) {
                lo = fmin(lo, v);
                hi = fmax(hi, v);
            }
        }
    if (!(lo <= hi))
        lo = 0, hi = 1;
    if (s->kind != CHART_LINE || s->axis.fmt != CHART_FMT_FIXED)
        lo = fmin(lo, 0), hi = fmax(hi, 0);
    struct chart_axis ax = s->axis;
    if (s->kind == CHART_STACKED)
        ax = (struct chart_axis){.fmt = CHART_FMT_PERCENT, .decimals = 0};
    struct chart_ticks t;
    chart_axis_ticks(&ax, lo, hi, MP_TICKS, &t);
    double tw = chart_ticks_label_width(rc, &t, ax.fmt) + 6;
    double pw = (r.w - MP_GAP_X * (double)(cols - 1)) / (double)cols;
    double ph = (r.h - MP_GAP_Y * (double)(rows - 1)) / (double)rows;
    double title_h = chart_line_height(rc, FS_LABEL, true);
    double xl_h = chart_line_height(rc, FS_AXIS, false);
    for (size_t j = 0; j < ns; j++) {
        size_t col = j % cols, row = j / cols;
        struct box cell = {r.x + (pw + MP_GAP_X) * (double)col, r.y + (ph + MP_GAP_Y) * (double)row,
                           pw, ph};
        const char *name = s->series[j].name ? s->series[j].name : "";
        PangoLayout *tl = chart_text_layout(rc, name, FS_LABEL, true, cell.w - tw, 1,
                                            PANGO_ALIGN_LEFT);
        chart_text_show(rc, tl, cell.x + tw, cell.y, hex(C_TEXT), false);
        g_object_unref(tl);
        if (rc->probe) {
            rc->probe->panels++;
            chart_probe_text(&rc->probe->panel_titles, name);
        }
        struct box p = {cell.x + tw, cell.y + title_h + MP_TITLE_GAP, cell.w - tw,
                        cell.h - title_h - MP_TITLE_GAP - xl_h - MP_XLABEL_GAP};
        if (p.h < 4 || p.w < 4)
            continue;
        /* every panel has its ticks: the grid is read panel by panel */
        chart_draw_vticks(rc, &t, ax.fmt, p, true, true, hex(C_TICK));
        mp_data(rc, s, j, p, &t);
        mp_xlabels(rc, s, p, p.y + p.h + MP_XLABEL_GAP);
    }
}
