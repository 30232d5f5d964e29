/*
 * render/chart_stacked.c: the stacked 100% bar chart: one row per
 * category, segments as shares of the row total, optional totals column.
 * See chart_draw.h.
 */
#include <glib.h>
#include <math.h>
#include <pango/pangocairo.h>

#include "core/mem.h"
#include "render/chart.h"
#include "render/chart_draw.h"
#include "render/chart_internal.h"

void
chart_stacked_draw(struct rc *rc, const struct chart_spec *s, struct box r)
{
    cairo_t *cr = rc->cr;
    size_t n = s->n_categories;
    size_t *order = chart_rows_order(s);
    double *tot = xcalloc(n, sizeof *tot);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < s->n_series; j++)
            if (fin(s->series[j].values, i) && s->series[j].values[i] > 0)
                tot[i] += s->series[j].values[i];

    double top = r.y;
    double axis_lh = chart_line_height(rc, FS_AXIS, false);
    bool has_title = (s->axis.title && *s->axis.title) || s->show_totals;
    if (has_title)
        top += axis_lh + 6;
    double label_lh = chart_line_height(rc, FS_LABEL, false);
    double plot_h = r.y + r.h - top - (label_lh + 6);
    struct rowplan rp;
    chart_rows_plan(rc, s, order, r.w, plot_h, &rp);

    double tw = 0;
    char buf[64];
    if (s->show_totals) {
        for (size_t i = 0; i < n; i++) {
            chart_format_number(tot[i], CHART_FMT_INT, 0, buf, sizeof buf);
            double w = chart_text_width(rc, buf, FS_VALUE, false);
            tw = w > tw ? w : tw;
        }
        tw += 10;
    }
    struct box p = {r.x + rp.lw + 8, top, r.w - rp.lw - 8 - tw - 12, plot_h};
    if (p.w < 10)
        p.w = 10;
    struct chart_ticks t;
    chart_fixed_ticks(0.0, 1.0, 5, &t);
    chart_draw_hticks(rc, &t, CHART_FMT_PERCENT, p, true, true);
    if (s->axis.title && *s->axis.title)
        chart_text_draw(rc, s->axis.title, FS_AXIS, false, p.w, 1,
                        PANGO_ALIGN_LEFT, p.x, r.y, hex(C_SUB), false, NULL,
                        NULL);
    if (s->show_totals)
        chart_text_draw(rc, "n", FS_AXIS, false, tw, 1, PANGO_ALIGN_RIGHT,
                        r.x + r.w - tw, r.y, hex(C_SUB), false, NULL, NULL);

    double bt = fmin(rp.row_h * 0.72, 30.0);
    int dec = s->axis.fmt == CHART_FMT_PERCENT ? s->axis.decimals : 0;
    struct vlabels vl = {0};
    for (size_t k = 0; k < n; k++) {
        size_t i = order[k];
        double yc = p.y + rp.row_h * ((double)k + 0.5);
        if (k % rp.step == 0)
            chart_row_label_draw(rc, cat_label(s, i), &rp, r.x, yc, p.x);
        if (s->show_totals && k % rp.step == 0) {
            chart_format_number(tot[i], CHART_FMT_INT, 0, buf, sizeof buf);
            double h;
            PangoLayout *l = chart_text_layout(rc, buf, FS_VALUE, false, tw, 1,
                                               PANGO_ALIGN_RIGHT);
            chart_text_size(l, NULL, &h);
            chart_vlabels_add(&vl, l, r.x + r.w - tw, yc - h / 2, hex(C_SUB),
                              false);
        }
        if (!(tot[i] > 0)) {
            double h;
            PangoLayout *l = chart_text_layout(rc, "no responses", FS_VALUE,
                                               false, 0, 1, PANGO_ALIGN_LEFT);
            chart_text_size(l, NULL, &h);
            chart_vlabels_add(&vl, l, p.x + 4, yc - h / 2, hex(C_NODATA),
                              false);
            continue;
        }
        double x = p.x;
        for (size_t j = 0; j < s->n_series; j++) {
            const double *v = s->series[j].values;
            if (!fin(v, i) || !(v[i] > 0))
                continue;
            double f = v[i] / tot[i];
            double w = f * p.w;
            struct rgb c = series_color(s, j);
            cairo_rectangle(cr, x, yc - bt / 2, w, bt);
            set_rgb(cr, c);
            cairo_fill(cr);
            if (!s->no_value_labels) {
                chart_format_number(f, CHART_FMT_PERCENT, dec, buf, sizeof buf);
                PangoLayout *l = chart_text_layout(rc, buf, FS_VALUE, false, 0,
                                                   1, PANGO_ALIGN_LEFT);
                double lw, lh;
                chart_text_size(l, &lw, &lh);
                if (lw + 6 <= w && lh <= bt)
                    chart_vlabels_add(&vl, l, x + (w - lw) / 2, yc - lh / 2,
                                      text_on(c), false);
                else
                    g_object_unref(l);
            }
            x += w;
        }
        /* thin white separators between segments */
        x = p.x;
        for (size_t j = 0; j < s->n_series; j++) {
            const double *v = s->series[j].values;
            if (!fin(v, i) || !(v[i] > 0))
                continue;
            x += v[i] / tot[i] * p.w;
            if (x < p.x + p.w - 0.5) {
                cairo_move_to(cr, x, yc - bt / 2);
                cairo_line_to(cr, x, yc + bt / 2);
                cairo_set_source_rgb(cr, 1, 1, 1);
                cairo_set_line_width(cr, 0.75);
                cairo_stroke(cr);
            }
        }
    }
    chart_vlabels_flush(rc, &vl);
    xfree(tot);
    xfree(order);
}
