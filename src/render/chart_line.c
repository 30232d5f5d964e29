/*
 * render/chart_line.c: lines of the category charts: a series as a line
 * with markers (also the right-axis markers of a dual chart), interval
 * bands, and the line chart's labels on the last points.  See chart_draw.h.
 */
#include <math.h>
#include <pango/pangocairo.h>

#include "render/chart.h"
#include "render/chart_draw.h"
#include "render/chart_internal.h"

#define LINE_RING_EXTRA 0.8 /* a hollow point's ring is this much wider */
#define LINE_RING_WIDTH 1.6 /* and drawn this thick */
#define MARK_ALPHA 0.16     /* opacity of a marked period's shading */

struct rgb
chart_mark_color(int mark)
{
    /* the review period in Okabe-Ito orange, its comparison in grey */
    return mark == CHART_MARK_PERIOD ? hex(palette_hex[CHART_COLOR_ORANGE])
                                     : hex(0x8C8C8C);
}

/* Shade the slots of marked categories (behind everything else). */
static void
draw_marks(struct rc *rc, const struct chart_spec *s, struct box p, double slot)
{
    if (!s->marks)
        return;
    for (size_t i = 0; i < s->n_categories; i++) {
        if (s->marks[i] != CHART_MARK_PERIOD && s->marks[i] != CHART_MARK_BASE)
            continue;
        cairo_rectangle(rc->cr, p.x + slot * (double)i, p.y, slot, p.h);
        set_rgba(rc->cr, chart_mark_color(s->marks[i]), MARK_ALPHA);
        cairo_fill(rc->cr);
    }
}

/* Lines through finite points; a point with no finite neighbour gets a dot
 * even when markers are off, so it does not vanish. */
void
chart_line_series_draw(struct rc *rc, const double *v, size_t n,
                       const struct chart_ticks *t, struct box p, double slot,
                       struct rgb c, bool markers, double mr, const bool *hollow)
{
    cairo_t *cr = rc->cr;
    if (v == NULL)
        return;
    bool open = false;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i])) {
            open = false;
            continue;
        }
        double x = p.x + slot * ((double)i + 0.5);
        double y = amap(t, v[i], p.y + p.h, p.y);
        if (open)
            cairo_line_to(cr, x, y);
        else
            cairo_move_to(cr, x, y);
        open = true;
    }
    set_rgb(cr, c);
    cairo_set_line_width(cr, 2.0);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    cairo_stroke(cr);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(v[i]))
            continue;
        bool lonely = (i == 0 || !isfinite(v[i - 1])) &&
                      (i + 1 == n || !isfinite(v[i + 1]));
        bool ring = hollow && hollow[i];
        if (!markers && !lonely && !ring)
            continue;
        double x = p.x + slot * ((double)i + 0.5);
        double y = amap(t, v[i], p.y + p.h, p.y);
        if (ring) { /* a white disc in a ring of the series colour */
            cairo_arc(cr, x, y, mr + LINE_RING_EXTRA, 0, 2 * PI);
            cairo_set_source_rgb(cr, 1, 1, 1);
            cairo_fill_preserve(cr);
            set_rgb(cr, c);
            cairo_set_line_width(cr, LINE_RING_WIDTH);
            cairo_stroke(cr);
            continue;
        }
        cairo_arc(cr, x, y, mr, 0, 2 * PI);
        set_rgb(cr, c);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_set_line_width(cr, 1.0);
        cairo_stroke(cr);
    }
}

/* Shaded band between lo and hi over runs where both are finite; a run of
 * one point becomes a pale vertical bar. */
static void
draw_band(struct rc *rc, const double *lo, const double *hi, size_t n,
          const struct chart_ticks *t, struct box p, double slot, struct rgb c)
{
    cairo_t *cr = rc->cr;
    if (lo == NULL || hi == NULL)
        return;
    size_t i = 0;
    while (i < n) {
        if (!isfinite(lo[i]) || !isfinite(hi[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (j + 1 < n && isfinite(lo[j + 1]) && isfinite(hi[j + 1]))
            j++;
        if (j == i) {
            double x = p.x + slot * ((double)i + 0.5);
            double y0 = amap(t, lo[i], p.y + p.h, p.y);
            double y1 = amap(t, hi[i], p.y + p.h, p.y);
            cairo_rectangle(cr, x - 3, y1, 6, y0 - y1);
        } else {
            for (size_t k = i; k <= j; k++) {
                double x = p.x + slot * ((double)k + 0.5);
                double y = amap(t, hi[k], p.y + p.h, p.y);
                if (k == i)
                    cairo_move_to(cr, x, y);
                else
                    cairo_line_to(cr, x, y);
            }
            for (size_t k = j + 1; k-- > i;) {
                double x = p.x + slot * ((double)k + 0.5);
                cairo_line_to(cr, x, amap(t, lo[k], p.y + p.h, p.y));
            }
            cairo_close_path(cr);
        }
        set_rgba(cr, c, 0.2);
        cairo_fill(cr);
        i = j + 1;
    }
}

#define LINE_MARKERS_MAX 40 /* markers on every point up to this many */
#define LINE_MARKER_RADIUS 2.8
#define LINE_LABELLED_MAX 3 /* series whose last point gets a label */
#define LINE_LABEL_GAP 6.0  /* label above (or below) its point */

void
chart_line_draw(struct rc *rc, const struct chart_spec *s,
                const struct cat_plan *cp, struct vlabels *vl)
{
    size_t n = s->n_categories;
    const struct box p = cp->p;
    bool markers_on = n <= LINE_MARKERS_MAX;
    draw_marks(rc, s, p, cp->slot);
    for (size_t k = 0; k < cp->nl; k++) {
        const struct chart_series *sr = &s->series[cp->left[k]];
        draw_band(rc, sr->lo, sr->hi, n, &cp->lt, p, cp->slot,
                  series_color(s, cp->left[k]));
    }
    for (size_t k = 0; k < cp->nl; k++) {
        const struct chart_series *sr = &s->series[cp->left[k]];
        chart_line_series_draw(rc, sr->values, n, &cp->lt, p, cp->slot,
                               series_color(s, cp->left[k]), markers_on,
                               LINE_MARKER_RADIUS, s->hollow);
    }
    /* label each series' last point (up to three series) */
    struct box placed[LINE_LABELLED_MAX];
    size_t np = 0;
    for (size_t k = 0;
         k < cp->nl && k < LINE_LABELLED_MAX && !s->no_value_labels; k++) {
        const struct chart_series *sr = &s->series[cp->left[k]];
        size_t i = n;
        while (i > 0 && !fin(sr->values, i - 1))
            i--;
        if (i == 0)
            continue;
        i--;
        double x = p.x + cp->slot * ((double)i + 0.5);
        double y = amap(&cp->lt, sr->values[i], p.y + p.h, p.y);
        PangoLayout *l = chart_value_layout(rc, sr->values[i], &s->axis, true);
        double w, h;
        chart_text_size(l, &w, &h);
        struct box b = {clampd(x - w / 2, p.x, p.x + p.w - w),
                        y - LINE_LABEL_GAP - h, w, h};
        bool clash = b.y < p.y - cp->headroom;
        for (size_t q = 0; q < np && !clash; q++)
            clash = boxes_overlap(b, placed[q]);
        if (clash)
            b.y = y + LINE_LABEL_GAP;
        placed[np++] = b;
        chart_vlabels_add(vl, l, b.x, b.y, series_color(s, cp->left[k]), true);
    }
}
