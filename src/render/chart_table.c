/*
 * render/chart_table.c: table pages of the PDF report: title, column
 * widths from all rows (numeric columns right-aligned), as many rows as
 * fit.  See chart_draw.h.
 */
#include <glib.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "render/chart.h"
#include "render/chart_draw.h"
#include "render/chart_internal.h"

/* ---- Table pages ---- */

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Digits with separators, signs, decimal point, percent and range dashes
 * ("12.0%–16.5%"); or a lone dash for a missing value. */
static bool
looks_numeric(const char *c)
{
    bool digit = false;
    if (strcmp(c, "\xE2\x80\x93") == 0 || strcmp(c, "-") == 0)
        return true;
    for (const char *p = c; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            digit = true;
        } else if (strncmp(p, "\xE2\x88\x92", 3) == 0 ||
                   strncmp(p, "\xE2\x80\x93", 3) == 0) {
            p += 2;
        } else if (!strchr("+-.,% ", *p)) {
            return false;
        }
    }
    return digit;
}

static const char *
cell(const struct chart_table *t, size_t row, size_t col)
{
    const char *c = t->cells ? t->cells[row * t->n_cols + col] : NULL;
    return c ? c : "";
}

#define TABLE_PAD 12.0 /* cell padding, both sides together */

/* Column widths of t from all rows, so every page lines up the same: each
 * its widest cell plus TABLE_PAD, narrowed to fit cw in all.  Fills
 * cwid[0..n_cols) and num (true for a column of numbers, right-aligned);
 * returns the sum of the widths. */
static double
table_columns(struct rc *rc, const struct chart_table *t, double cw,
              double *cwid, bool *num)
{
    size_t nc = t->n_cols;
    double pad = TABLE_PAD, sum = 0;
    for (size_t c = 0; c < nc; c++) {
        num[c] = t->n_rows > 0;
        if (t->header && t->header[c])
            cwid[c] = chart_text_width(rc, t->header[c], FS_TABLE, true);
        for (size_t r = 0; r < t->n_rows; r++) {
            const char *x = cell(t, r, c);
            if (*x && !looks_numeric(x))
                num[c] = false;
            cwid[c] = fmax(cwid[c], chart_text_width(rc, x, FS_TABLE, false));
        }
        cwid[c] += pad;
        sum += cwid[c];
    }
    if (sum > cw) {
        /* water-filling: narrow columns keep their width, the widest share
         * what is left equally (their cells get an ellipsis) */
        double *sorted = xcalloc(nc, sizeof *sorted);
        memcpy(sorted, cwid, nc * sizeof *sorted);
        qsort(sorted, nc, sizeof *sorted, cmp_double);
        double left = cw, cap = cw;
        for (size_t i = 0; i < nc; i++) {
            double share = left / (double)(nc - i);
            if (sorted[i] > share) {
                cap = share;
                break;
            }
            left -= sorted[i];
        }
        sum = 0;
        for (size_t c = 0; c < nc; c++) {
            cwid[c] = fmin(cwid[c], cap);
            sum += cwid[c];
        }
        xfree(sorted);
    }
    return sum;
}

cs_status
chart_draw_table_page(cairo_t *cr, const struct chart_table *t, size_t *row,
                      double w, double h, struct cs_err *err)
{
    if (t->n_cols == 0)
        return cs_fail(err, CS_E_USAGE, NULL, "table has no columns");
    struct rc rc;
    chart_rc_open(&rc, cr, w, h);
    cairo_save(cr);
    cairo_rectangle(cr, 0, 0, w, h);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_fill(cr);

    double cw = w - 2 * MARGIN, y = MARGIN, th;
    char *title = xasprintf("%s%s", t->title ? t->title : "",
                            *row > 0 ? " (continued)" : "");
    if (*title) {
        chart_text_draw(&rc, title, FS_TITLE, true, cw, 2, PANGO_ALIGN_LEFT,
                        MARGIN, y, hex(C_TEXT), false, NULL, &th);
        y += th + 2;
    }
    xfree(title);
    if (t->subtitle && *t->subtitle) {
        chart_text_draw(&rc, t->subtitle, FS_SUB, false, cw, 2,
                        PANGO_ALIGN_LEFT, MARGIN, y, hex(C_SUB), false, NULL,
                        &th);
        y += th;
    }
    y += 10;
    double bottom = h - MARGIN;
    if (t->footnote && *t->footnote) {
        PangoLayout *l = chart_text_layout(&rc, t->footnote, FS_FOOT, false, cw,
                                           2, PANGO_ALIGN_LEFT);
        chart_text_size(l, NULL, &th);
        chart_text_show(&rc, l, MARGIN, bottom - th, hex(C_FOOT), false);
        g_object_unref(l);
        bottom -= th + 8;
    }

    /* column widths from all rows, so every page lines up the same */
    size_t nc = t->n_cols;
    double *cwid = xcalloc(nc, sizeof *cwid);
    bool *num = xcalloc(nc, sizeof *num);
    double pad = TABLE_PAD, sum = table_columns(&rc, t, cw, cwid, num);

    double lh = chart_line_height(&rc, FS_TABLE, false), rh = lh + 6;
    double x;
    if (t->header) {
        x = MARGIN;
        for (size_t c = 0; c < nc; c++) {
            chart_text_draw(&rc, t->header[c] ? t->header[c] : "", FS_TABLE,
                            true, cwid[c] - pad, 1,
                            num[c] ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT,
                            x + (c > 0 ? pad / 2 : 0), y + 3, hex(C_TEXT),
                            false, NULL, NULL);
            x += cwid[c];
        }
        y += rh;
        cairo_move_to(cr, MARGIN, y);
        cairo_line_to(cr, MARGIN + fmin(sum, cw), y);
        set_rgb(cr, hex(C_BASE));
        cairo_set_line_width(cr, 0.9);
        cairo_stroke(cr);
    }
    if (t->n_rows == 0) {
        chart_text_draw(&rc, "No rows", FS_TABLE, false, 0, 1, PANGO_ALIGN_LEFT,
                        MARGIN, y + 4, hex(C_NODATA), false, NULL, NULL);
    }
    size_t drawn = 0;
    while (*row < t->n_rows && (drawn == 0 || y + rh <= bottom)) {
        x = MARGIN;
        for (size_t c = 0; c < nc; c++) {
            chart_text_draw(&rc, cell(t, *row, c), FS_TABLE, false,
                            cwid[c] - pad, 1,
                            num[c] ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT,
                            x + (c > 0 ? pad / 2 : 0), y + 3, hex(C_TEXT),
                            false, NULL, NULL);
            x += cwid[c];
        }
        y += rh;
        cairo_move_to(cr, MARGIN, y);
        cairo_line_to(cr, MARGIN + fmin(sum, cw), y);
        set_rgb(cr, hex(C_GRID));
        cairo_set_line_width(cr, 0.5);
        cairo_stroke(cr);
        (*row)++;
        drawn++;
    }
    xfree(cwid);
    xfree(num);
    cairo_restore(cr);
    chart_rc_close(&rc);
    return chart_cairo_finish(cr, err);
}
