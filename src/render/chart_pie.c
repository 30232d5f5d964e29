/*
 * render/chart_pie.c: pie and donut charts: slices folded into "Other"
 * beyond max_slices, percent labels on the slices that have room, the
 * total inside a donut, and a legend table beside the ring.  See
 * chart_draw.h.
 */
#include <glib.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>

#include "core/mem.h"
#include "render/chart.h"
#include "render/chart_draw.h"
#include "render/chart_internal.h"

/* ==== Pie and donut
 * ================================================================== */

/* Slice share with one decimal; a positive share that would print as 0.0%
 * says "<0.1%" instead, so no slice claims to be nothing. */
static void
legend_pct(double f, char *buf, size_t n)
{
    if (f > 0 && f < 0.0005)
        snprintf(buf, n, "<0.1%%");
    else
        chart_format_number(f, CHART_FMT_PERCENT, 1, buf, n);
}

/* The slices of a pie: value, label, colour; where the ring is. */
struct pie {
    size_t ns;        /* slices, "Other" included */
    double *val;      /* owned: slice values */
    const char **lab; /* owned array of borrowed labels */
    struct rgb *col;  /* owned: slice colours */
    double total;     /* sum of val */
    double cx, cy;    /* centre */
    double rad, ri;   /* outer and inner (0: pie) radius */
};

/* Fold the values of s into at most max_slices slices. */
static void
pie_fold(const struct chart_spec *s, struct pie *pie)
{
    const double *v = s->series[0].values;
    size_t n = s->n_categories;
    size_t maxs = s->max_slices ? s->max_slices : CHART_DEFAULT_MAX_SLICES;
    size_t *idx = xcalloc(n, sizeof *idx);
    double other;
    size_t k = chart_pie_fold(v, n, maxs, idx, &other);
    size_t ns = k + (other > 0 ? 1 : 0);
    double *val = xcalloc(ns, sizeof *val);
    const char **lab = xcalloc(ns, sizeof *lab);
    struct rgb *col = xcalloc(ns, sizeof *col);
    double total = 0;
    for (size_t i = 0; i < k; i++) {
        val[i] = v[idx[i]];
        lab[i] = cat_label(s, idx[i]);
        col[i] = color_of(CHART_COLOR_AUTO, i);
        total += val[i];
    }
    if (other > 0) {
        val[k] = other;
        lab[k] = s->other_label && *s->other_label ? s->other_label : "Other";
        col[k] = hex(palette_hex[CHART_COLOR_GREY]);
        total += other;
    }
    xfree(idx);
    pie->ns = ns;
    pie->val = val;
    pie->lab = lab;
    pie->col = col;
    pie->total = total;
}

/* The slices with white separators and, where they have room, their
 * percentages. */
static void
pie_draw_slices(struct rc *rc, const struct chart_spec *s,
                const struct pie *pie)
{
    cairo_t *cr = rc->cr;
    size_t ns = pie->ns;
    const double *val = pie->val;
    const struct rgb *col = pie->col;
    double total = pie->total, rad = pie->rad, ri = pie->ri;
    double cx = pie->cx, cy = pie->cy;
    double a = -PI / 2;
    char buf[64];
    struct vlabels vl = {0};
    for (size_t i = 0; i < ns; i++) {
        double sweep = val[i] / total * 2 * PI;
        double b = a + sweep;
        if (sweep < 1e-3) { /* invisible: keep it out of the separators */
            a = b;
            continue;
        }
        if (ns == 1) {
            cairo_arc(cr, cx, cy, rad, 0, 2 * PI);
            if (ri > 0) {
                cairo_new_sub_path(cr);
                cairo_arc_negative(cr, cx, cy, ri, 2 * PI, 0);
            }
        } else if (ri > 0) {
            cairo_arc(cr, cx, cy, rad, a, b);
            cairo_arc_negative(cr, cx, cy, ri, b, a);
            cairo_close_path(cr);
        } else {
            cairo_move_to(cr, cx, cy);
            cairo_arc(cr, cx, cy, rad, a, b);
            cairo_close_path(cr);
        }
        set_rgb(cr, col[i]);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_set_line_width(cr, ns == 1 ? 0 : 1.2);
        if (ns > 1)
            cairo_stroke(cr);
        else
            cairo_new_path(cr);
        /* percent on the slice when it has room */
        double f = val[i] / total;
        if (f >= 0.06 && !s->no_value_labels) {
            chart_format_number(f, CHART_FMT_PERCENT, 0, buf, sizeof buf);
            PangoLayout *l = chart_text_layout(rc, buf, FS_VALUE, true, 0, 1,
                                               PANGO_ALIGN_LEFT);
            double w, h;
            chart_text_size(l, &w, &h);
            double mid = a + sweep / 2;
            double rr = ri > 0 ? (rad + ri) / 2 : rad * 0.64;
            bool room = ri > 0 ? (rad - ri) >= h + 2 : true;
            if (room)
                chart_vlabels_add(&vl, l, cx + rr * cos(mid) - w / 2,
                                  cy + rr * sin(mid) - h / 2, text_on(col[i]),
                                  false);
            else
                g_object_unref(l);
        }
        a = b;
    }
    chart_vlabels_flush(rc, &vl);
}

/* The total inside a donut (not for shares, where it means nothing). */
static void
pie_draw_total(struct rc *rc, const struct chart_spec *s, const struct pie *pie)
{
    char buf[64];
    double total = pie->total, ri = pie->ri, cx = pie->cx, cy = pie->cy;
    if (ri > 0 && s->axis.fmt != CHART_FMT_PERCENT) {
        chart_format_number(total, s->axis.fmt, s->axis.decimals, buf,
                            sizeof buf);
        PangoLayout *l = chart_text_layout(rc, buf, 17.0, true, 2 * ri * 0.9, 1,
                                           PANGO_ALIGN_CENTER);
        const char *cap =
            s->axis.title && *s->axis.title ? s->axis.title : "total";
        PangoLayout *c = chart_text_layout(
            rc, cap, FS_AXIS, false, 2 * ri * 0.85, 2, PANGO_ALIGN_CENTER);
        double h1, h2;
        chart_text_size(l, NULL, &h1);
        chart_text_size(c, NULL, &h2);
        double y = cy - (h1 + h2) / 2;
        chart_text_show(rc, l, cx - ri * 0.9, y, hex(C_TEXT), false);
        chart_text_show(rc, c, cx - ri * 0.85, y + h1, hex(C_SUB), false);
        g_object_unref(l);
        g_object_unref(c);
    }
}

/* The legend table beside the ring: swatch, label, percent, value. */
static void
pie_draw_legend(struct rc *rc, const struct chart_spec *s, struct box r,
                const struct pie *pie)
{
    cairo_t *cr = rc->cr;
    size_t ns = pie->ns;
    const double *val = pie->val;
    const char *const *lab = pie->lab;
    const struct rgb *col = pie->col;
    double total = pie->total, cx = pie->cx, cy = pie->cy, rad = pie->rad;
    char buf[64];
    double x0 = cx + rad + 28, lw = r.x + r.w - x0;
    double lh = chart_line_height(rc, FS_LEGEND, false);
    double rh = fmin(lh * 1.9, r.h / (double)ns);
    double pw = 0, vw = 0;
    for (size_t i = 0; i < ns; i++) {
        legend_pct(val[i] / total, buf, sizeof buf);
        pw = fmax(pw, chart_text_width(rc, buf, FS_LEGEND, true));
        chart_format_number(val[i], s->axis.fmt, s->axis.decimals, buf,
                            sizeof buf);
        vw = fmax(vw, chart_text_width(rc, buf, FS_LEGEND, false));
    }
    double natw = 0;
    for (size_t i = 0; i < ns; i++)
        natw = fmax(natw, chart_text_width(rc, lab[i], FS_LEGEND, false));
    double labw = fmin(natw, lw - 17 - 12 - pw - 10 - vw);
    if (labw < 30) {
        vw = 0; /* drop the value column before the labels */
        labw = lw - 17 - 12 - pw;
    }
    double y = cy - rh * (double)ns / 2;
    for (size_t i = 0; i < ns && labw >= 20; i++) {
        double yc = y + rh * ((double)i + 0.5);
        cairo_rectangle(cr, x0, yc - 5.5, 11, 11);
        set_rgb(cr, col[i]);
        cairo_fill(cr);
        PangoLayout *l = chart_text_layout(rc, lab[i], FS_LEGEND, false, labw,
                                           1, PANGO_ALIGN_LEFT);
        double h;
        chart_text_size(l, NULL, &h);
        chart_text_show(rc, l, x0 + 17, yc - h / 2, hex(C_TEXT), false);
        g_object_unref(l);
        legend_pct(val[i] / total, buf, sizeof buf);
        chart_text_draw(rc, buf, FS_LEGEND, true, pw, 1, PANGO_ALIGN_RIGHT,
                        x0 + 17 + labw + 12, yc - h / 2, hex(C_TEXT), false,
                        NULL, NULL);
        if (vw > 0) {
            chart_format_number(val[i], s->axis.fmt, s->axis.decimals, buf,
                                sizeof buf);
            chart_text_draw(rc, buf, FS_LEGEND, false, vw, 1, PANGO_ALIGN_RIGHT,
                            x0 + 17 + labw + 12 + pw + 10, yc - h / 2,
                            hex(C_SUB), false, NULL, NULL);
        }
    }
}

void
chart_pie_draw(struct rc *rc, const struct chart_spec *s, struct box r)
{
    struct pie pie;
    pie_fold(s, &pie);
    double d = fmin(r.h - 8, r.w * 0.46);
    if (d >= 10) {
        pie.rad = d / 2;
        pie.ri = s->donut ? pie.rad * 0.56 : 0;
        pie.cx = r.x + pie.rad + 4;
        pie.cy = r.y + r.h / 2;
        pie_draw_slices(rc, s, &pie);
        pie_draw_total(rc, s, &pie);
        pie_draw_legend(rc, s, r, &pie);
    }
    xfree(pie.val);
    xfree(pie.lab);
    xfree(pie.col);
}
