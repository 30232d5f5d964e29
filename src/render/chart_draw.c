/*
 * render/chart_draw.c: the one drawing path for every chart kind, on any
 * cairo surface.  User space is in points; chart.c scales it for PNG.
 *
 * A chart is laid out top-down: title and subtitle (wrapped to two lines
 * each), a legend that flows onto more lines when needed, the plot region,
 * then the footnote and notes anchored to the bottom.  Inside the plot
 * region each family of kinds reserves its own gutters: category charts
 * (column, dual, clustered, line; chart_column.c and chart_line.c) measure
 * their y tick labels and then plan the x labels for the slot width they
 * get (single line, wrapped to two lines, rotated 45°, or thinned to every
 * k-th label with k from 1-2-5-10-20-25-50, so ~101 categories never
 * overlap); bar and stacked charts (chart_bar.c, chart_stacked.c) size a
 * label column; pies (chart_pie.c) put a legend table beside the ring.
 * Value labels are all-or-nothing per chart: drawn only when every one of
 * them fits, and drawn last with a white halo.
 *
 * Every value passes an isfinite() test and is clamped to its axis before
 * it becomes a coordinate, so NaN never reaches cairo.  Text goes through
 * pango with fixed font options so output is the same on every run
 * (chart_text.c).  This file holds the frame (titles, legend, footer), the
 * "No data" panel and the dispatch to the kinds; the shared pieces are
 * declared in chart_draw.h.
 */
#include <glib.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>

#include "core/mem.h"
#include "render/chart.h"
#include "render/chart_draw.h"
#include "render/chart_internal.h"

enum swatch {
    SW_BOX,     /* filled square: columns, bars, segments */
    SW_LINE,    /* line with a dot: line series */
    SW_BAND,    /* pale square: interval band */
    SW_WHISKER, /* I-beam: interval whiskers */
    SW_MARK,    /* pale square: a marked period */
    SW_RING,    /* hollow dot: a point drawn hollow */
    SW_HATCH    /* hatched square: the baseline column */
};

struct legend_item {
    enum swatch kind; /* how the swatch looks */
    struct rgb color; /* swatch colour */
    const char *text; /* borrowed label */
};

/* legend entries besides one per series: highlight, interval, two marks,
 * hollow points, and the extras compare charts add */
#define LEGEND_EXTRA 8
#define LEGEND_MAX_ROWS 3 /* legend rows; the rest is "+N more" */
#define FOOT_MAX_LINES 8  /* footnote and each note, at most */

static void
draw_swatch(struct rc *rc, enum swatch k, struct rgb c, double x, double y,
            double lh)
{
    cairo_t *cr = rc->cr;
    double sz = 10.0, cy = y + lh / 2;
    switch (k) {
    case SW_BOX:
        cairo_rectangle(cr, x, cy - sz / 2, sz, sz);
        set_rgb(cr, c);
        cairo_fill(cr);
        break;
    case SW_HATCH:
        chart_hatch_box(cr, (struct box){x, cy - sz / 2, sz, sz}, c);
        break;
    case SW_BAND:
        cairo_rectangle(cr, x, cy - sz / 2, sz + 4, sz);
        set_rgba(cr, c, 0.22);
        cairo_fill(cr);
        break;
    case SW_MARK:
        cairo_rectangle(cr, x, cy - sz / 2, sz + 4, sz);
        set_rgba(cr, c, 0.35);
        cairo_fill(cr);
        break;
    case SW_RING:
        cairo_arc(cr, x + (sz + 4) / 2, cy, 3.6, 0, 2 * PI);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_fill_preserve(cr);
        set_rgb(cr, c);
        cairo_set_line_width(cr, 1.6);
        cairo_stroke(cr);
        break;
    case SW_LINE:
        cairo_move_to(cr, x, cy);
        cairo_line_to(cr, x + sz + 4, cy);
        set_rgb(cr, c);
        cairo_set_line_width(cr, 2.0);
        cairo_stroke(cr);
        cairo_arc(cr, x + (sz + 4) / 2, cy, 3.2, 0, 2 * PI);
        cairo_fill(cr);
        break;
    case SW_WHISKER:
        set_rgb(cr, c);
        cairo_set_line_width(cr, 1.0);
        cairo_move_to(cr, x + 7, cy - 5);
        cairo_line_to(cr, x + 7, cy + 5);
        cairo_move_to(cr, x + 4, cy - 5);
        cairo_line_to(cr, x + 10, cy - 5);
        cairo_move_to(cr, x + 4, cy + 5);
        cairo_line_to(cr, x + 10, cy + 5);
        cairo_stroke(cr);
        break;
    }
}

/* Rows the first k items (and, when more is set, a "+N more" entry of width
 * more_w) take when flowed within width; iw holds each item's width. */
static int
legend_rows(const double *iw, size_t k, double more_w, double width)
{
    double gap = 16.0, cx = 0;
    int rows = 1;
    for (size_t i = 0; i <= k; i++) {
        double w = i < k ? iw[i] : more_w;
        if (i == k && more_w <= 0)
            break;
        if (cx > 0 && cx + w > width) {
            cx = 0;
            rows++;
        }
        cx += w + gap;
    }
    return rows;
}

/* Flow the items from (x, y) within width, at most LEGEND_MAX_ROWS rows:
 * the items that do not fit are named by a last entry "+N more" (a legend
 * never drops a series silently).  Draw when draw is true; returns the
 * height used. */
static double
legend_flow(struct rc *rc, const struct legend_item *it, size_t n, double x,
            double y, double width, bool draw)
{
    if (n == 0)
        return 0.0;
    double lh = chart_line_height(rc, FS_LEGEND, false);
    double sw = 14.0 + 5.0, gap = 16.0;
    double *iw = xcalloc(n, sizeof *iw);
    for (size_t i = 0; i < n; i++)
        iw[i] = sw + fmin(chart_text_width(rc, it[i].text, FS_LEGEND, false), width - sw);
    size_t k = n;
    char more[48] = "";
    double more_w = 0;
    while (k > 0 && legend_rows(iw, k, more_w, width) > LEGEND_MAX_ROWS) {
        k--;
        snprintf(more, sizeof more, "+%zu more", n - k);
        more_w = chart_text_width(rc, more, FS_LEGEND, false);
    }
    double cx = x, cy = y;
    for (size_t i = 0; i <= k; i++) {
        if (i == k && !more[0])
            break;
        const char *text = i < k ? it[i].text : more;
        double w = i < k ? iw[i] : more_w;
        PangoLayout *l = chart_text_layout(rc, text, FS_LEGEND, false, width - sw,
                                           1, PANGO_ALIGN_LEFT);
        if (cx > x && cx + w > x + width) {
            cx = x;
            cy += lh + 4;
        }
        if (draw) {
            if (i < k)
                draw_swatch(rc, it[i].kind, it[i].color, cx, cy, lh);
            chart_text_show(rc, l, i < k ? cx + sw : cx, cy, hex(C_TEXT), false);
            if (rc->probe) {
                rc->probe->legend_items++;
                chart_probe_text(&rc->probe->legend, text);
            }
        }
        g_object_unref(l);
        cx += w + gap;
    }
    xfree(iw);
    return cy + lh - y;
}

/* ==== Private helpers: frame and "No data" ===================================
 */

/* Title, subtitle, legend, footnote and notes; returns the plot region. */
static struct box
draw_frame(struct rc *rc, const struct chart_spec *s,
           const struct legend_item *legend, size_t n_legend)
{
    double cw = rc->w - 2 * MARGIN;
    double y = MARGIN, h;
    if (cw < 10)
        cw = 10;
    if (s->title && *s->title) {
        /* balanced lines: no word left alone on the second (chart_layout.c) */
        PangoLayout *tl = chart_title_layout(rc, s->title, FS_TITLE, true, cw, 2);
        chart_text_show(rc, tl, MARGIN, y, hex(C_TEXT), false);
        chart_text_size(tl, NULL, &h);
        if (rc->probe)
            rc->probe->title_lines = chart_layout_line_words(tl, rc->probe->title_words, 4);
        g_object_unref(tl);
        y += h + 2;
    }
    if (s->subtitle && *s->subtitle) {
        PangoLayout *sl = chart_title_layout(rc, s->subtitle, FS_SUB, false, cw, 2);
        chart_text_show(rc, sl, MARGIN, y, hex(C_SUB), false);
        chart_text_size(sl, NULL, &h);
        g_object_unref(sl);
        y += h;
    }
    y += 10;
    if (n_legend > 0) {
        h = legend_flow(rc, legend, n_legend, MARGIN, y, cw, true);
        y += h + 10;
    }

    /* footer: measured, then drawn bottom-up; it wraps at its " · "
     * separators and is never cut short: what a chart was filtered to must
     * travel with it (FOOT_MAX_LINES only guards the plot against a
     * runaway note) */
    char *foot = chart_footnote_text(&s->footnote);
    PangoLayout **ls = NULL;
    size_t k = 0;
    chart_footer_layouts(rc, foot, cw, &ls, &k);
    for (size_t i = 0; i < s->n_notes && s->notes; i++) {
        ls = xreallocarray(ls, k + 1, sizeof *ls);
        ls[k++] = chart_text_layout(rc, s->notes[i] ? s->notes[i] : "", FS_FOOT,
                                    false, cw, FOOT_MAX_LINES, PANGO_ALIGN_LEFT);
    }
    double fh = 0;
    for (size_t i = 0; i < k; i++) {
        chart_text_size(ls[i], NULL, &h);
        fh += h + (i ? 1 : 0);
    }
    double fy = rc->h - MARGIN - fh;
    for (size_t i = 0; i < k; i++) {
        chart_text_show(rc, ls[i], MARGIN, fy, hex(C_FOOT), false);
        chart_text_size(ls[i], NULL, &h);
        fy += h + 1;
        if (rc->probe) {
            rc->probe->footer_lines += pango_layout_get_line_count(ls[i]);
            rc->probe->footer_cut |= pango_layout_is_ellipsized(ls[i]) != 0;
            chart_probe_text(&rc->probe->footer, pango_layout_get_text(ls[i]));
        }
        g_object_unref(ls[i]);
    }
    xfree(ls);
    xfree(foot);

    struct box r = {MARGIN, y, cw, rc->h - MARGIN - fh - 10 - y};
    if (r.h < 0)
        r.h = 0;
    return r;
}

static void
draw_no_data(struct rc *rc, const struct chart_spec *s, struct box r)
{
    cairo_t *cr = rc->cr;
    if (r.h < 20 || r.w < 20)
        return;
    double rad = 6;
    cairo_new_sub_path(cr);
    cairo_arc(cr, r.x + r.w - rad, r.y + rad, rad, -PI / 2, 0);
    cairo_arc(cr, r.x + r.w - rad, r.y + r.h - rad, rad, 0, PI / 2);
    cairo_arc(cr, r.x + rad, r.y + r.h - rad, rad, PI / 2, PI);
    cairo_arc(cr, r.x + rad, r.y + rad, rad, PI, 1.5 * PI);
    cairo_close_path(cr);
    set_rgb(cr, hex(C_PANEL));
    cairo_fill(cr);

    PangoLayout *a = chart_text_layout(rc, "No data", FS_NODATA, true, r.w - 20,
                                       1, PANGO_ALIGN_CENTER);
    PangoLayout *b = NULL;
    double ah, bh = 0;
    chart_text_size(a, NULL, &ah);
    if (s->no_data_text && *s->no_data_text) {
        b = chart_text_layout(rc, s->no_data_text, FS_SUB, false, r.w - 20, 2,
                              PANGO_ALIGN_CENTER);
        chart_text_size(b, NULL, &bh);
        bh += 4;
    }
    double y = r.y + (r.h - ah - bh) / 2;
    chart_text_show(rc, a, r.x + 10, y, hex(C_NODATA), false);
    if (b) {
        chart_text_show(rc, b, r.x + 10, y + ah + 4, hex(C_NODATA), false);
        g_object_unref(b);
    }
    g_object_unref(a);
}

/* ==== Data checks and legends
 * ========================================================= */

static bool
spec_has_data(const struct chart_spec *s)
{
    size_t n = s->n_categories;
    if (n == 0 || s->n_series == 0 || s->series == NULL)
        return false;
    if (s->footnote.n == 0)
        return false;
    if (s->kind == CHART_PIE) {
        size_t *idx = xcalloc(n, sizeof *idx);
        double other;
        size_t k = chart_pie_fold(s->series[0].values, n, 6, idx, &other);
        xfree(idx);
        return k > 0;
    }
    for (size_t j = 0; j < s->n_series; j++)
        for (size_t i = 0; i < n; i++)
            if (fin(s->series[j].values, i) &&
                (s->kind != CHART_STACKED || s->series[j].values[i] > 0))
                return true;
    return false;
}

static bool
any_interval(const struct chart_spec *s)
{
    for (size_t j = 0; j < s->n_series; j++)
        for (size_t i = 0; i < s->n_categories; i++)
            if (fin(s->series[j].lo, i) && fin(s->series[j].hi, i))
                return true;
    return false;
}

static size_t
build_legend(const struct chart_spec *s, struct legend_item *it)
{
    size_t n = 0;
    bool named = false;
    for (size_t j = 0; j < s->n_series; j++)
        named |= s->series[j].name && *s->series[j].name;
    bool highlighted = false;
    for (size_t i = 0; s->highlight && i < s->n_categories; i++)
        highlighted |= s->highlight[i];
    bool ivl = s->interval_label && *s->interval_label && any_interval(s);

    if (chart_uses_multiples(s)) { /* the panels are titled with the names */
        if (highlighted && s->highlight_label && *s->highlight_label)
            it[n++] = (struct legend_item){SW_BOX, hex(palette_hex[CHART_COLOR_VERMILLION]),
                                           s->highlight_label};
        return n;
    }
    bool base = false; /* a hatched baseline column */
    for (size_t i = 0; s->cat_marks && i < s->n_categories; i++)
        base |= s->cat_marks[i] == CHART_CAT_BASELINE;
    base = base && s->kind == CHART_COLUMN && s->n_series == 1 && s->baseline_label &&
           *s->baseline_label;
    bool want = false;
    switch (s->kind) {
    case CHART_COLUMN:
        want = s->n_series > 1 || (highlighted && s->highlight_label) || ivl || base;
        break;
    case CHART_COLUMN_DUAL:
    case CHART_CLUSTERED:
    case CHART_STACKED:
        want = true;
        break;
    case CHART_LINE:
        want = s->n_series > 1 || ivl || s->marks || s->hollow;
        break;
    default:
        want = false;
    }
    if (!want)
        return 0;
    for (size_t j = 0; j < s->n_series; j++) {
        const struct chart_series *sr = &s->series[j];
        if (!named || sr->name == NULL || !*sr->name)
            continue;
        bool line = s->kind == CHART_LINE ||
                    (s->kind == CHART_COLUMN_DUAL && sr->axis == CHART_RIGHT);
        it[n++] = (struct legend_item){line ? SW_LINE : SW_BOX,
                                       series_color(s, j), sr->name};
    }
    size_t n_left = 0; /* highlight colours the columns of a lone left series */
    for (size_t j = 0; j < s->n_series; j++)
        n_left += s->series[j].axis != CHART_RIGHT;
    if ((s->kind == CHART_COLUMN || s->kind == CHART_COLUMN_DUAL) && n_left == 1 && highlighted &&
        s->highlight_label && *s->highlight_label)
        it[n++] = (struct legend_item){SW_BOX,
                                       hex(palette_hex[CHART_COLOR_VERMILLION]),
                                       s->highlight_label};
    if (base)
        it[n++] = (struct legend_item){SW_HATCH, series_color(s, 0), s->baseline_label};
    if (ivl)
        it[n++] = (struct legend_item){
            s->kind == CHART_LINE ? SW_BAND : SW_WHISKER,
            s->kind == CHART_LINE ? series_color(s, 0) : hex(C_WHISKER),
            s->interval_label};
    if (s->kind == CHART_LINE) {
        /* the marks and hollow points present, each once */
        for (int mk = CHART_MARK_PERIOD; mk <= CHART_MARK_BASE && s->marks; mk++) {
            bool present = false;
            for (size_t i = 0; i < s->n_categories && !present; i++)
                present = s->marks[i] == mk;
            if (present && s->mark_labels[mk])
                it[n++] = (struct legend_item){SW_MARK, chart_mark_color(mk),
                                               s->mark_labels[mk]};
        }
        bool rings = false;
        for (size_t i = 0; s->hollow && i < s->n_categories && !rings; i++)
            rings = s->hollow[i];
        if (rings && s->hollow_label)
            it[n++] = (struct legend_item){SW_RING, series_color(s, 0), s->hollow_label};
    }
    return n;
}

/* ==== Public API (internal to the module)
 * =============================================== */

cs_status
chart_draw(cairo_t *cr, const struct chart_spec *s, double w, double h,
           struct cs_err *err)
{
    return chart_draw_probed(cr, s, w, h, NULL, err);
}

cs_status
chart_draw_probed(cairo_t *cr, const struct chart_spec *s, double w, double h,
                  struct chart_probe *probe, struct cs_err *err)
{
    if ((int)s->kind < 0 || s->kind >= CHART_KIND__COUNT)
        return cs_fail(err, CS_E_USAGE, NULL, "unknown chart kind %d",
                       (int)s->kind);
    if ((s->kind == CHART_PIE || s->kind == CHART_BAR) && s->n_series > 1)
        return cs_fail(err, CS_E_USAGE, NULL,
                       "%s chart takes one series, got %zu",
                       s->kind == CHART_PIE ? "pie" : "bar", s->n_series);
    if (s->n_series > 0 && s->series == NULL)
        return cs_fail(err, CS_E_USAGE, NULL,
                       "n_series is %zu but series "
                       "is NULL",
                       s->n_series);

    struct rc rc;
    chart_rc_open(&rc, cr, w, h);
    rc.probe = probe;
    cairo_save(cr);
    cairo_rectangle(cr, 0, 0, w, h);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_fill(cr);

    bool data = spec_has_data(s);
    struct legend_item *items = xcalloc(s->n_series + LEGEND_EXTRA, sizeof *items);
    size_t ni = data ? build_legend(s, items) : 0;
    struct box r = draw_frame(&rc, s, items, ni);
    xfree(items);
    if (!data || r.h < 30 || r.w < 40) {
        draw_no_data(&rc, s, r);
    } else if (chart_uses_multiples(s)) {
        chart_multiples_draw(&rc, s, r);
    } else {
        switch (s->kind) {
        case CHART_BAR:
            chart_bar_draw(&rc, s, r);
            break;
        case CHART_STACKED:
            chart_stacked_draw(&rc, s, r);
            break;
        case CHART_PIE:
            chart_pie_draw(&rc, s, r);
            break;
        case CHART_COLUMN:
        case CHART_COLUMN_DUAL:
        case CHART_LINE:
        case CHART_CLUSTERED:
        default:
            chart_category_draw(&rc, s, r);
            break;
        }
    }
    cairo_restore(cr);
    chart_rc_close(&rc);
    return chart_cairo_finish(cr, err);
}
