/*
 * render/chart_bar.c: row charts: the row layout shared with the stacked
 * chart (label column, row height, thinning, order) and the horizontal bar
 * chart.  See chart_draw.h.
 */
#include <glib.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdlib.h>

#include "core/mem.h"
#include "render/chart.h"
#include "render/chart_draw.h"
#include "render/chart_internal.h"

struct order_key {
    double v; /* sort value (-inf for missing) */
    size_t i; /* original index, the tie-breaker */
};

static int
cmp_desc(const void *a, const void *b)
{
    const struct order_key *x = a, *y = b;
    if (x->v > y->v)
        return -1;
    if (x->v < y->v)
        return 1;
    return x->i < y->i ? -1 : (x->i > y->i);
}

size_t *
chart_rows_order(const struct chart_spec *s)
{
    size_t n = s->n_categories;
    size_t *order = xcalloc(n, sizeof *order);
    const double *v = s->series[0].values;
    if (s->kind == CHART_BAR && s->sort_desc && v != NULL) {
        struct order_key *k = xcalloc(n, sizeof *k);
        for (size_t i = 0; i < n; i++) {
            k[i].v = isfinite(v[i]) ? v[i] : -HUGE_VAL;
            k[i].i = i;
        }
        qsort(k, n, sizeof *k, cmp_desc);
        for (size_t i = 0; i < n; i++)
            order[i] = k[i].i;
        xfree(k);
    } else {
        for (size_t i = 0; i < n; i++)
            order[i] = i;
    }
    return order;
}


void
chart_rows_plan(struct rc *rc, const struct chart_spec *s, const size_t *order,
                double region_w, double plot_h, struct rowplan *rp)
{
    size_t n = s->n_categories;
    double maxw = 0;
    for (size_t i = 0; i < n; i++) {
        double w =
            chart_text_width(rc, cat_label(s, order[i]), FS_LABEL, false);
        maxw = w > maxw ? w : maxw;
    }
    rp->lh = chart_line_height(rc, FS_LABEL, false);
    rp->lw = fmin(maxw, region_w * 0.38);
    rp->row_h = plot_h / (double)n;
    rp->step = 1;
    if (rp->row_h >= 2 * rp->lh + 2) {
        rp->lines = 2;
    } else {
        rp->lines = 1;
        if (rp->row_h < rp->lh)
            rp->step = chart_label_step(rp->lh * 1.05 / rp->row_h);
    }
}

/* A row label right-aligned in the label column starting at x; when rows
 * are thinned, a short tick at the plot edge px shows which row it names. */
void
chart_row_label_draw(struct rc *rc, const char *t, const struct rowplan *rp,
                     double x, double yc, double px)
{
    PangoLayout *l = chart_text_layout(rc, t, FS_LABEL, false, rp->lw,
                                       rp->lines, PANGO_ALIGN_RIGHT);
    double h;
    chart_text_size(l, NULL, &h);
    chart_text_show(rc, l, x, yc - h / 2, hex(C_TEXT), false);
    g_object_unref(l);
    if (rp->step > 1) {
        cairo_move_to(rc->cr, px - 4, yc);
        cairo_line_to(rc->cr, px, yc);
        set_rgb(rc->cr, hex(C_BASE));
        cairo_set_line_width(rc->cr, 0.8);
        cairo_stroke(rc->cr);
    }
}

void
chart_bar_draw(struct rc *rc, const struct chart_spec *s, struct box r)
{
    cairo_t *cr = rc->cr;
    const struct chart_series *sr = &s->series[0];
    size_t n = s->n_categories;
    size_t *order = chart_rows_order(s);

    double lo = 0, hi = 0;
    chart_series_range(sr, n, &lo, &hi);
    struct chart_ticks t;
    chart_axis_ticks(&s->axis, lo, hi, (int)fmax(2, fmin(8, r.w / 90)), &t);

    double top = r.y;
    double axis_lh = chart_line_height(rc, FS_AXIS, false);
    bool has_title = s->axis.title && *s->axis.title;
    if (has_title)
        top += axis_lh + 6;
    double label_lh = chart_line_height(rc, FS_LABEL, false);

    /* first plan with tick labels reserved, then see if value labels fit */
    struct rowplan rp;
    double plot_h = r.y + r.h - top;
    chart_rows_plan(rc, s, order, r.w, plot_h, &rp);
    bool values = !s->no_value_labels && rp.step == 1 &&
                  rp.row_h >= chart_line_height(rc, FS_VALUE, false) * 0.95;
    double vw = 0;
    if (values) {
        for (size_t i = 0; i < n; i++) {
            if (!fin(sr->values, i))
                continue;
            PangoLayout *l =
                chart_value_layout(rc, sr->values[i], &s->axis, false);
            double w;
            chart_text_size(l, &w, NULL);
            g_object_unref(l);
            vw = w > vw ? w : vw;
        }
    } else {
        plot_h -= label_lh + 6;
        chart_rows_plan(rc, s, order, r.w, plot_h, &rp);
    }
    struct box p = {r.x + rp.lw + 8, top, r.w - rp.lw - 8 - (vw + 8), plot_h};
    if (!values)
        p.w = r.w - rp.lw - 8 - 14;
    if (p.w < 10)
        p.w = 10;

    chart_draw_hticks(rc, &t, s->axis.fmt, p, !values, !values);
    if (has_title)
        chart_text_draw(rc, s->axis.title, FS_AXIS, false, r.w - rp.lw - 8, 1,
                        PANGO_ALIGN_LEFT, p.x, r.y, hex(C_SUB), false, NULL,
                        NULL);

    double bt = fmin(rp.row_h * 0.7, 26.0);
    double x0 = amap(&t, 0.0, p.x, p.x + p.w);
    struct rgb c = series_color(s, 0);
    struct vlabels vl = {0};
    for (size_t k = 0; k < n; k++) {
        size_t i = order[k];
        double yc = p.y + rp.row_h * ((double)k + 0.5);
        if (k % rp.step == 0)
            chart_row_label_draw(rc, cat_label(s, i), &rp, r.x, yc, p.x);
        if (!fin(sr->values, i))
            continue;
        double x1 = amap(&t, sr->values[i], p.x, p.x + p.w);
        cairo_rectangle(cr, fmin(x0, x1), yc - bt / 2, fabs(x1 - x0), bt);
        set_rgb(cr, c);
        cairo_fill(cr);
        double xend = fmax(x0, x1);
        if (fin(sr->lo, i) && fin(sr->hi, i)) {
            double a = amap(&t, sr->lo[i], p.x, p.x + p.w);
            double b = amap(&t, sr->hi[i], p.x, p.x + p.w);
            double cap = fmin(bt * 0.5, 8);
            chart_probe_box(rc, PROBE_WHISKER,
                            (struct box){fmin(a, b), yc - cap / 2, fabs(b - a), cap});
            set_rgb(cr, hex(C_WHISKER));
            cairo_set_line_width(cr, 1.0);
            cairo_move_to(cr, a, yc);
            cairo_line_to(cr, b, yc);
            cairo_move_to(cr, a, yc - cap / 2);
            cairo_line_to(cr, a, yc + cap / 2);
            cairo_move_to(cr, b, yc - cap / 2);
            cairo_line_to(cr, b, yc + cap / 2);
            cairo_stroke(cr);
            xend = fmax(xend, b);
        }
        if (values) {
            PangoLayout *l =
                chart_value_layout(rc, sr->values[i], &s->axis, false);
            double h;
            chart_text_size(l, NULL, &h);
            chart_vlabels_add(&vl, l, xend + 4, yc - h / 2, hex(C_TEXT), false);
        }
    }
    /* baseline */
    cairo_move_to(cr, x0, p.y);
    cairo_line_to(cr, x0, p.y + p.h);
    set_rgb(cr, hex(C_BASE));
    cairo_set_line_width(cr, 0.9);
    cairo_stroke(cr);
    chart_vlabels_flush(rc, &vl);
    xfree(order);
}
