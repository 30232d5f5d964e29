/*
 * render/chart_draw.c: the one drawing path for every chart kind, on any
 * cairo surface.  User space is in points; chart.c scales it for PNG.
 *
 * A chart is laid out top-down: title and subtitle (wrapped to two lines
 * each), a legend that flows onto more lines when needed, the plot region,
 * then the footnote and notes anchored to the bottom.  Inside the plot
 * region each family of kinds reserves its own gutters: category charts
 * (column, dual, clustered, line) measure their y tick labels and then plan
 * the x labels for the slot width they get (single line, wrapped to two
 * lines, rotated 45°, or thinned to every k-th label with k from
 * 1-2-5-10-20-25-50, so ~101 categories never overlap); bar and stacked
 * charts size a label column; pies put a legend table beside the ring.
 * Value labels are all-or-nothing per chart: drawn only when every one of
 * them fits, and drawn last with a white halo.
 *
 * Every value passes an isfinite() test and is clamped to its axis before
 * it becomes a coordinate, so NaN never reaches cairo.  Text goes through
 * pango with fixed font options so output is the same on every run.
 */
#include <glib.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "render/chart.h"
#include "render/chart_internal.h"

/* ==== Private helpers: style ============================================= */

#define PI 3.14159265358979323846

/* Font sizes in points (pixels = pt * dpi / 72). */
#define FS_TITLE 15.0
#define FS_SUB 10.5
#define FS_LABEL 10.0 /* tick and category labels */
#define FS_VALUE 9.5  /* value labels */
#define FS_LEGEND 10.0
#define FS_AXIS 9.0 /* axis titles */
#define FS_FOOT 8.5
#define FS_NODATA 16.0
#define FS_TABLE 9.5

#define MARGIN 14.0 /* canvas margin */
#define MAX_VALUE_LABELS 60

struct rgb {
    double r, g, b; /* 0..1 */
};

static struct rgb
hex(unsigned v)
{
    struct rgb c = {((v >> 16) & 0xff) / 255.0, ((v >> 8) & 0xff) / 255.0,
                    (v & 0xff) / 255.0};
    return c;
}

/* Okabe-Ito, indexed by enum chart_color (AUTO slot unused). */
static const unsigned palette_hex[CHART_COLOR__COUNT] = {
    0x000000, 0x0072B2, 0xE69F00, 0x009E73, 0xD55E00,
    0x56B4E9, 0xCC79A7, 0xF0E442, 0x999999,
};
static const enum chart_color auto_order[] = {
    CHART_COLOR_BLUE,       CHART_COLOR_ORANGE, CHART_COLOR_GREEN,
    CHART_COLOR_VERMILLION, CHART_COLOR_SKY,    CHART_COLOR_PURPLE,
    CHART_COLOR_YELLOW,
};
#define N_AUTO (sizeof auto_order / sizeof auto_order[0])

#define C_TEXT 0x1a1a1a
#define C_SUB 0x555555
#define C_FOOT 0x6b6b6b
#define C_TICK 0x5c5c5c
#define C_GRID 0xe2e2e2
#define C_BASE 0x8c8c8c
#define C_WHISKER 0x333333
#define C_PANEL 0xf3f3f3
#define C_NODATA 0x767676

static struct rgb
color_of(enum chart_color c, size_t pos)
{
    if (c > CHART_COLOR_AUTO && c < CHART_COLOR__COUNT)
        return hex(palette_hex[c]);
    return hex(palette_hex[auto_order[pos % N_AUTO]]);
}

static struct rgb
series_color(const struct chart_spec *s, size_t i)
{
    return color_of(s->series[i].color, i);
}

/* Dark or white text, whichever reads better on c (Rec. 709 weights on the
 * sRGB values: a cheap luminance estimate, good enough for 8 colours). */
static struct rgb
text_on(struct rgb c)
{
    double l = 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b;
    return l > 0.5 ? hex(C_TEXT) : hex(0xffffff);
}

static void
set_rgb(cairo_t *cr, struct rgb c)
{
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

static void
set_rgba(cairo_t *cr, struct rgb c, double a)
{
    cairo_set_source_rgba(cr, c.r, c.g, c.b, a);
}

static double
clampd(double v, double lo, double hi)
{
    if (!(v >= lo)) /* also catches NaN */
        return lo;
    return v > hi ? hi : v;
}

static bool
fin(const double *a, size_t i)
{
    return a != NULL && isfinite(a[i]);
}

struct box {
    double x, y, w, h; /* points */
};

static bool
boxes_overlap(struct box a, struct box b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h &&
           b.y < a.y + a.h;
}

/* ==== Private helpers: text ============================================== */

struct rc {
    cairo_t *cr;      /* borrowed */
    PangoContext *pc; /* owned for one page */
    double w, h;      /* canvas, points */
};

/* Valid UTF-8 with control characters turned into spaces, so pango never
 * warns (library code must not print) and a stray newline cannot break a
 * one-line label.  Returns owned (free with xfree). */
static char *
clean_text(const char *s)
{
    if (s == NULL)
        return xstrdup("");
    char *t;
    if (g_utf8_validate(s, -1, NULL)) {
        t = xstrdup(s);
    } else {
        gchar *v = g_utf8_make_valid(s, -1);
        t = xstrdup(v);
        g_free(v);
    }
    for (unsigned char *p = (unsigned char *)t; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            *p = ' ';
    /* trim, so a stray control character does not indent a title */
    size_t a = strspn(t, " "), n = strlen(t);
    while (n > a && t[n - 1] == ' ')
        n--;
    memmove(t, t + a, n - a);
    t[n - a] = '\0';
    return t;
}

static int
pu(double v)
{
    return (int)(clampd(v, 0.0, 1e6) * PANGO_SCALE);
}

/* A layout of text in DejaVu Sans.  width > 0 wraps (word, then char) to at
 * most max_lines lines and ellipsizes the rest; width <= 0 is one natural
 * line.  Returns owned (g_object_unref). */
static PangoLayout *
mk_text(struct rc *rc, const char *text, double size, bool bold, double width,
        int max_lines, PangoAlignment align)
{
    PangoLayout *l = pango_layout_new(rc->pc);
    PangoFontDescription *fd = pango_font_description_new();
    pango_font_description_set_family_static(fd, CHART_FONT_FAMILY);
    pango_font_description_set_weight(fd, bold ? PANGO_WEIGHT_BOLD
                                               : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    char *t = clean_text(text);
    pango_layout_set_text(l, t, -1);
    xfree(t);
    if (width > 0.0) {
        pango_layout_set_width(l, pu(width < 1.0 ? 1.0 : width));
        pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
        pango_layout_set_ellipsize(l, PANGO_ELLIPSIZE_END);
        pango_layout_set_height(l, -(max_lines < 1 ? 1 : max_lines));
        pango_layout_set_alignment(l, align);
    }
    return l;
}

static void
text_size(PangoLayout *l, double *w, double *h)
{
    PangoRectangle r;
    pango_layout_get_extents(l, NULL, &r);
    if (w)
        *w = r.width / (double)PANGO_SCALE;
    if (h)
        *h = r.height / (double)PANGO_SCALE;
}

static double
text_width(struct rc *rc, const char *text, double size, bool bold)
{
    PangoLayout *l = mk_text(rc, text, size, bold, 0, 1, PANGO_ALIGN_LEFT);
    double w;
    text_size(l, &w, NULL);
    g_object_unref(l);
    return w;
}

static double
line_h(struct rc *rc, double size, bool bold)
{
    PangoLayout *l = mk_text(rc, "Ag", size, bold, 0, 1, PANGO_ALIGN_LEFT);
    double h;
    text_size(l, NULL, &h);
    g_object_unref(l);
    return h;
}

/* Draw l with its top-left at (x, y); halo draws a white outline first so
 * the text stays readable over gridlines, lines and markers. */
static void
show(struct rc *rc, PangoLayout *l, double x, double y, struct rgb c, bool halo)
{
    cairo_t *cr = rc->cr;
    if (halo) {
        cairo_save(cr);
        cairo_move_to(cr, x, y);
        pango_cairo_layout_path(cr, l);
        cairo_set_source_rgb(cr, 1, 1, 1);
        cairo_set_line_width(cr, 3.0);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_stroke(cr);
        cairo_restore(cr);
    }
    cairo_move_to(cr, x, y);
    set_rgb(cr, c);
    pango_cairo_show_layout(cr, l);
    cairo_new_path(cr);
}

/* One-shot text: build, draw at (x, y), return its size. */
static void
draw_text(struct rc *rc, const char *text, double size, bool bold, double width,
          int max_lines, PangoAlignment align, double x, double y, struct rgb c,
          bool halo, double *w, double *h)
{
    PangoLayout *l = mk_text(rc, text, size, bold, width, max_lines, align);
    show(rc, l, x, y, c, halo);
    text_size(l, w, h);
    g_object_unref(l);
}

/* Text rotated by angle (radians, negative = counter-clockwise) with the
 * middle of its end at (x, y). */
static void
show_rotated(struct rc *rc, PangoLayout *l, double x, double y, double angle,
             struct rgb c)
{
    double w, h;
    text_size(l, &w, &h);
    cairo_save(rc->cr);
    cairo_translate(rc->cr, x, y);
    cairo_rotate(rc->cr, angle);
    pango_cairo_update_layout(rc->cr, l);
    cairo_move_to(rc->cr, -w, -h / 2);
    set_rgb(rc->cr, c);
    pango_cairo_show_layout(rc->cr, l);
    cairo_new_path(rc->cr);
    cairo_restore(rc->cr);
}

/* ==== Private helpers: legend ============================================ */

enum swatch {
    SW_BOX,    /* filled square: columns, bars, segments */
    SW_LINE,   /* line with a dot: line series */
    SW_BAND,   /* pale square: interval band */
    SW_WHISKER /* I-beam: interval whiskers */
};

struct legend_item {
    enum swatch kind; /* how the swatch looks */
    struct rgb color; /* swatch colour */
    const char *text; /* borrowed label */
};

#define MAX_LEGEND 24

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
    case SW_BAND:
        cairo_rectangle(cr, x, cy - sz / 2, sz + 4, sz);
        set_rgba(cr, c, 0.22);
        cairo_fill(cr);
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

/* Flow the items from (x, y) within width; draw when draw is true.
 * Returns the height used. */
static double
legend_flow(struct rc *rc, const struct legend_item *it, size_t n, double x,
            double y, double width, bool draw)
{
    if (n == 0)
        return 0.0;
    double lh = line_h(rc, FS_LEGEND, false);
    double sw = 14.0 + 5.0, gap = 16.0;
    double cx = x, cy = y;
    for (size_t i = 0; i < n; i++) {
        double room = width - sw;
        PangoLayout *l = mk_text(rc, it[i].text, FS_LEGEND, false, room, 1,
                                 PANGO_ALIGN_LEFT);
        double tw;
        text_size(l, &tw, NULL);
        double iw = sw + tw;
        if (cx > x && cx + iw > x + width) {
            cx = x;
            cy += lh + 4;
        }
        if (draw) {
            draw_swatch(rc, it[i].kind, it[i].color, cx, cy, lh);
            show(rc, l, cx + sw, cy, hex(C_TEXT), false);
        }
        g_object_unref(l);
        cx += iw + gap;
    }
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
        draw_text(rc, s->title, FS_TITLE, true, cw, 2, PANGO_ALIGN_LEFT, MARGIN,
                  y, hex(C_TEXT), false, NULL, &h);
        y += h + 2;
    }
    if (s->subtitle && *s->subtitle) {
        draw_text(rc, s->subtitle, FS_SUB, false, cw, 2, PANGO_ALIGN_LEFT,
                  MARGIN, y, hex(C_SUB), false, NULL, &h);
        y += h;
    }
    y += 10;
    if (n_legend > 0) {
        h = legend_flow(rc, legend, n_legend, MARGIN, y, cw, true);
        y += h + 10;
    }

    /* footer: measured, then drawn bottom-up */
    char *foot = chart_footnote_text(&s->footnote);
    size_t nl = (foot[0] ? 1 : 0) + s->n_notes;
    PangoLayout **ls = xcalloc(nl ? nl : 1, sizeof *ls);
    size_t k = 0;
    if (foot[0])
        ls[k++] = mk_text(rc, foot, FS_FOOT, false, cw, 2, PANGO_ALIGN_LEFT);
    for (size_t i = 0; i < s->n_notes && s->notes; i++)
        ls[k++] = mk_text(rc, s->notes[i] ? s->notes[i] : "", FS_FOOT, false,
                          cw, 3, PANGO_ALIGN_LEFT);
    double fh = 0;
    for (size_t i = 0; i < k; i++) {
        text_size(ls[i], NULL, &h);
        fh += h + (i ? 1 : 0);
    }
    double fy = rc->h - MARGIN - fh;
    for (size_t i = 0; i < k; i++) {
        show(rc, ls[i], MARGIN, fy, hex(C_FOOT), false);
        text_size(ls[i], NULL, &h);
        fy += h + 1;
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

    PangoLayout *a = mk_text(rc, "No data", FS_NODATA, true, r.w - 20, 1,
                             PANGO_ALIGN_CENTER);
    PangoLayout *b = NULL;
    double ah, bh = 0;
    text_size(a, NULL, &ah);
    if (s->no_data_text && *s->no_data_text) {
        b = mk_text(rc, s->no_data_text, FS_SUB, false, r.w - 20, 2,
                    PANGO_ALIGN_CENTER);
        text_size(b, NULL, &bh);
        bh += 4;
    }
    double y = r.y + (r.h - ah - bh) / 2;
    show(rc, a, r.x + 10, y, hex(C_NODATA), false);
    if (b) {
        show(rc, b, r.x + 10, y + ah + 4, hex(C_NODATA), false);
        g_object_unref(b);
    }
    g_object_unref(a);
}

/* ==== Private helpers: axes ==================================================
 */

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

static void
make_ticks(const struct chart_axis *a, double lo, double hi, int target,
           struct chart_ticks *t)
{
    if (a->fixed && isfinite(a->min) && isfinite(a->max) && a->min < a->max)
        chart_fixed_ticks(a->min, a->max, target, t);
    else
        chart_nice_ticks(lo, hi, target, a->fmt == CHART_FMT_INT ? 1.0 : 0.0,
                         t);
}

/* Map v on ticks t to [p0 (at min), p1 (at max)], clamped. */
static double
amap(const struct chart_ticks *t, double v, double p0, double p1)
{
    double f = (clampd(v, t->min, t->max) - t->min) / (t->max - t->min);
    return p0 + f * (p1 - p0);
}

static double
max_tick_label_w(struct rc *rc, const struct chart_ticks *t,
                 enum chart_numfmt fmt)
{
    char buf[64];
    double m = 0;
    int d = tick_decimals(t, fmt), n = tick_count(t);
    for (int i = 0; i < n; i++) {
        chart_format_number(tick_at(t, i), fmt, d, buf, sizeof buf);
        double w = text_width(rc, buf, FS_LABEL, false);
        m = w > m ? w : m;
    }
    return m;
}

/* Tick labels of a vertical axis beside plot p: on the left (right-aligned
 * against the plot) or on the right; grid also draws the gridlines, with
 * zero darker as the baseline. */
static void
draw_vticks(struct rc *rc, const struct chart_ticks *t, enum chart_numfmt fmt,
            struct box p, bool left_side, bool grid, struct rgb label_c)
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
            mk_text(rc, buf, FS_LABEL, false, 0, 1, PANGO_ALIGN_LEFT);
        double w, h;
        text_size(l, &w, &h);
        double x = left_side ? p.x - 6 - w : p.x + p.w + 6;
        show(rc, l, x, y - h / 2, label_c, false);
        g_object_unref(l);
    }
}

/* ==== Private helpers: category (x) labels
 * ==================================== */

enum xmode {
    XL_H1, /* one line, horizontal */
    XL_H2, /* wrapped to two lines */
    XL_R45 /* rotated 45°, ellipsized */
};

struct xplan {
    enum xmode mode; /* how labels are set */
    size_t step;     /* every step-th label is drawn */
    double slot;     /* width per category */
    double len;      /* R45: max text length; H2: wrap width */
    double band;     /* height of the label band */
    double lh;       /* one label line */
};

static const char *
cat_label(const struct chart_spec *s, size_t i)
{
    if (s->categories == NULL || s->categories[i] == NULL)
        return "";
    return s->categories[i];
}

#define SIN45 0.70710678118654752

static void
plan_xlabels(struct rc *rc, const struct chart_spec *s, double plot_w,
             double max_band, struct xplan *xp)
{
    size_t n = s->n_categories;
    double gap = 6.0, maxw = 0.0;
    xp->lh = line_h(rc, FS_LABEL, false);
    xp->slot = plot_w / (double)n;
    xp->step = 1;
    for (size_t i = 0; i < n; i++) {
        double w = text_width(rc, cat_label(s, i), FS_LABEL, false);
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
            PangoLayout *l = mk_text(rc, cat_label(s, i), FS_LABEL, false,
                                     xp->len, 2, PANGO_ALIGN_CENTER);
            double h;
            text_size(l, NULL, &h);
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

static void
draw_xlabels(struct rc *rc, const struct chart_spec *s, const struct xplan *xp,
             struct box p, double y, double left_limit)
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
            PangoLayout *l =
                mk_text(rc, t, FS_LABEL, false, len, 1, PANGO_ALIGN_LEFT);
            show_rotated(rc, l, cx, y + 0.36 * xp->lh, -PI / 4, hex(C_TICK));
            g_object_unref(l);
        } else {
            double width = xp->mode == XL_H2 ? xp->len : 0;
            PangoLayout *l =
                mk_text(rc, t, FS_LABEL, false, width, 2, PANGO_ALIGN_CENTER);
            double w;
            text_size(l, &w, NULL);
            double x = width > 0 ? cx - width / 2 : cx - w / 2;
            show(rc, l, x, y, hex(C_TICK), false);
            g_object_unref(l);
        }
    }
}

/* ==== Private helpers: value labels
 * =========================================== */

struct vlabel {
    PangoLayout *l; /* owned */
    double x, y;    /* top-left */
    double w, h;    /* size */
    struct rgb c;   /* colour */
    bool halo;      /* white outline */
};

struct vlabels {
    struct vlabel *v; /* owned array */
    size_t n, cap;    /* used, allocated */
};

static void
vl_add(struct vlabels *vl, PangoLayout *l, double x, double y, struct rgb c,
       bool halo)
{
    if (vl->n == vl->cap) {
        vl->cap = vl->cap ? 2 * vl->cap : 16;
        vl->v = xreallocarray(vl->v, vl->cap, sizeof *vl->v);
    }
    struct vlabel *e = &vl->v[vl->n++];
    e->l = l;
    e->x = x;
    e->y = y;
    text_size(l, &e->w, &e->h);
    e->c = c;
    e->halo = halo;
}

static void
vl_flush(struct rc *rc, struct vlabels *vl)
{
    for (size_t i = 0; i < vl->n; i++) {
        show(rc, vl->v[i].l, vl->v[i].x, vl->v[i].y, vl->v[i].c, vl->v[i].halo);
        g_object_unref(vl->v[i].l);
    }
    xfree(vl->v);
    memset(vl, 0, sizeof *vl);
}

static PangoLayout *
value_layout(struct rc *rc, double v, const struct chart_axis *a, bool bold)
{
    char buf[64];
    /* a positive value that would print as zero (one mention among 2,000
     * responses: "0.0%") says "<0.1%" instead, as pie legends do */
    int d = a->decimals < 0 ? 0 : a->decimals > 6 ? 6 : a->decimals;
    double unit = pow(10.0, -d) * (a->fmt == CHART_FMT_PERCENT ? 0.01 : 1.0);
    if (a->fmt != CHART_FMT_INT && v > 0 && v < unit / 2) {
        char u[48];
        chart_format_number(unit, a->fmt, d, u, sizeof u);
        snprintf(buf, sizeof buf, "<%s", u);
    } else {
        chart_format_number(v, a->fmt, a->decimals, buf, sizeof buf);
    }
    return mk_text(rc, buf, FS_VALUE, bold, 0, 1, PANGO_ALIGN_LEFT);
}

/* ==== Category charts: column, dual, clustered, line
 * ============================ */

static void
whisker_v(cairo_t *cr, double x, double y0, double y1, double cap)
{
    set_rgb(cr, hex(C_WHISKER));
    cairo_set_line_width(cr, 1.0);
    cairo_move_to(cr, x, y0);
    cairo_line_to(cr, x, y1);
    cairo_move_to(cr, x - cap / 2, y0);
    cairo_line_to(cr, x + cap / 2, y0);
    cairo_move_to(cr, x - cap / 2, y1);
    cairo_line_to(cr, x + cap / 2, y1);
    cairo_stroke(cr);
}

/* Lines through finite points; a point with no finite neighbour gets a dot
 * even when markers are off, so it does not vanish. */
static void
draw_line_series(struct rc *rc, const double *v, size_t n,
                 const struct chart_ticks *t, struct box p, double slot,
                 struct rgb c, bool markers, double mr)
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
        if (!markers && !lonely)
            continue;
        double x = p.x + slot * ((double)i + 0.5);
        double y = amap(t, v[i], p.y + p.h, p.y);
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

static void
series_range(const struct chart_series *sr, size_t n, double *lo, double *hi)
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

static void
draw_category_chart(struct rc *rc, const struct chart_spec *s, struct box r)
{
    cairo_t *cr = rc->cr;
    size_t n = s->n_categories;
    bool is_line = s->kind == CHART_LINE;
    bool dual = s->kind == CHART_COLUMN_DUAL;

    /* which series go where */
    size_t *left = xcalloc(s->n_series, sizeof *left);
    size_t *right = xcalloc(s->n_series, sizeof *right);
    size_t nl = 0, nr = 0;
    for (size_t i = 0; i < s->n_series; i++) {
        if (dual && s->series[i].axis == CHART_RIGHT)
            right[nr++] = i;
        else
            left[nl++] = i;
    }

    /* value ranges */
    double llo = HUGE_VAL, lhi = -HUGE_VAL, rlo = HUGE_VAL, rhi = -HUGE_VAL;
    for (size_t k = 0; k < nl; k++)
        series_range(&s->series[left[k]], n, &llo, &lhi);
    for (size_t k = 0; k < nr; k++)
        series_range(&s->series[right[k]], n, &rlo, &rhi);
    if (!(llo <= lhi)) {
        llo = 0;
        lhi = 1;
    }
    if (!(rlo <= rhi)) {
        rlo = 0;
        rhi = 1;
    }
    bool zero = !is_line || s->axis.fmt != CHART_FMT_FIXED;
    if (zero) {
        llo = llo > 0 ? 0 : llo;
        lhi = lhi < 0 ? 0 : lhi;
    }
    rlo = rlo > 0 ? 0 : rlo;
    rhi = rhi < 0 ? 0 : rhi;

    int target = (int)(r.h / 50.0);
    target = target < 2 ? 2 : (target > 8 ? 8 : target);
    struct chart_ticks lt, rt;
    make_ticks(&s->axis, llo, lhi, target, &lt);
    if (dual) {
        if (!s->axis2.fixed && !s->axis.fixed && lt.min == 0.0 && rlo >= 0) {
            /* right ticks on the left gridlines: the same number of
             * intervals, with the smallest 1-2-5 step that covers rhi */
            struct chart_ticks tmp;
            int k = lt.count;
            chart_nice_ticks(0, rhi, k,
                             s->axis2.fmt == CHART_FMT_INT ? 1.0 : 0.0, &tmp);
            rt = tmp;
            rt.min = 0;
            rt.max = tmp.step * k;
            rt.count = k;
        } else {
            make_ticks(&s->axis2, rlo, rhi, target, &rt);
        }
    }

    /* vertical budget */
    double top = r.y;
    double axis_lh = line_h(rc, FS_AXIS, false);
    bool has_axis_title = (s->axis.title && *s->axis.title) ||
                          (dual && s->axis2.title && *s->axis2.title);
    if (has_axis_title)
        top += axis_lh + 6;
    double label_lh = line_h(rc, FS_LABEL, false);
    double vlh = line_h(rc, FS_VALUE, true);
    double headroom = s->no_value_labels ? label_lh / 2 + 2 : vlh + 6;
    top += headroom;
    double cat_title_h = 0;
    if (s->category_title && *s->category_title)
        cat_title_h = line_h(rc, FS_AXIS, false) + 4;

    /* gutters */
    double lg = max_tick_label_w(rc, &lt, s->axis.fmt) + 8;
    double rg = dual ? max_tick_label_w(rc, &rt, s->axis2.fmt) + 8 : 6;
    struct box p = {r.x + lg, top, r.w - lg - rg, 0};
    if (p.w < 10)
        p.w = 10;
    struct xplan xp;
    double xgap = label_lh / 2 + 3;
    plan_xlabels(rc, s, p.w, r.h * 0.3, &xp);
    /* the first rotated label reaches down-left past the plot: widen the
     * gutter rather than cut the label short.  A narrower plot has narrower
     * slots, which moves the first label left again: repeat until it fits
     * (a few rounds; draw_xlabels shortens whatever still does not). */
    for (int round = 0; round < 4 && xp.mode == XL_R45; round++) {
        double reach = SIN45 * xp.len + 0.36 * xp.lh - xp.slot / 2 + 0.5;
        if (p.x - reach >= r.x)
            break;
        double grow = r.x - (p.x - reach);
        p.x += grow;
        p.w -= grow;
        if (p.w < 10)
            p.w = 10;
        plan_xlabels(rc, s, p.w, r.h * 0.3, &xp);
    }
    p.h = r.y + r.h - top - xgap - xp.band - cat_title_h;
    if (p.h < 10)
        p.h = 10;

    /* grid and axes */
    struct rgb lc = hex(C_TICK);
    draw_vticks(rc, &lt, s->axis.fmt, p, true, true, lc);
    if (dual)
        /* right gridlines only ever coincide with the left ones */
        draw_vticks(rc, &rt, s->axis2.fmt, p, false, false,
                    nr ? series_color(s, right[0]) : lc);
    if (has_axis_title) {
        if (s->axis.title && *s->axis.title)
            draw_text(rc, s->axis.title, FS_AXIS, false, r.w / 2 - 4, 1,
                      PANGO_ALIGN_LEFT, r.x, r.y, hex(C_SUB), false, NULL,
                      NULL);
        if (dual && s->axis2.title && *s->axis2.title)
            draw_text(rc, s->axis2.title, FS_AXIS, false, r.w / 2 - 4, 1,
                      PANGO_ALIGN_RIGHT, r.x + r.w / 2 + 4, r.y,
                      nr ? series_color(s, right[0]) : hex(C_SUB), false, NULL,
                      NULL);
    }

    double slot = p.w / (double)n;
    double y0 = amap(&lt, 0.0, p.y + p.h, p.y);
    struct vlabels vl = {0};
    struct box *markers = NULL; /* dual: marker boxes, one per category */

    cairo_save(cr);
    cairo_rectangle(cr, p.x - 6, p.y - headroom, p.w + 12, p.h + headroom);
    cairo_clip(cr);

    if (!is_line && nl > 0) {
        double group = slot * 0.74;
        double maxgroup = 64.0 * (nl > 1 ? 0.75 * (double)nl : 1.0);
        group = group > maxgroup ? maxgroup : group;
        double bw = group / (double)nl;
        double inner = nl > 1 ? (bw * 0.08 < 0.5 ? 0.5 : bw * 0.08) : 0;

        /* columns */
        for (size_t k = 0; k < nl; k++) {
            const struct chart_series *sr = &s->series[left[k]];
            for (size_t i = 0; i < n; i++) {
                if (!fin(sr->values, i))
                    continue;
                double x = p.x + slot * ((double)i + 0.5) - group / 2 +
                           bw * (double)k + inner / 2;
                double y = amap(&lt, sr->values[i], p.y + p.h, p.y);
                struct rgb c = series_color(s, left[k]);
                if (nl == 1 && s->highlight && s->highlight[i])
                    c = hex(palette_hex[CHART_COLOR_VERMILLION]);
                double yb = clampd(y0, p.y, p.y + p.h);
                cairo_rectangle(cr, x, fmin(y, yb), bw - inner, fabs(yb - y));
                set_rgb(cr, c);
                cairo_fill(cr);
            }
        }
        /* whiskers */
        for (size_t k = 0; k < nl; k++) {
            const struct chart_series *sr = &s->series[left[k]];
            for (size_t i = 0; i < n && sr->lo && sr->hi; i++) {
                if (!fin(sr->lo, i) || !fin(sr->hi, i))
                    continue;
                double x = p.x + slot * ((double)i + 0.5) - group / 2 +
                           bw * ((double)k + 0.5);
                double cap = bw * 0.4 > 8 ? 8 : bw * 0.4;
                whisker_v(cr, x, amap(&lt, sr->lo[i], p.y + p.h, p.y),
                          amap(&lt, sr->hi[i], p.y + p.h, p.y), cap);
            }
        }
        cairo_restore(cr);
        cairo_save(cr);
        cairo_rectangle(cr, p.x - 6, p.y - headroom, p.w + 12, p.h + headroom);
        cairo_clip(cr);

        /* right-axis markers, remembered for label placement */
        if (dual && nr > 0) {
            markers = xcalloc(n, sizeof *markers);
            for (size_t k = 0; k < nr; k++) {
                const struct chart_series *sr = &s->series[right[k]];
                draw_line_series(rc, sr->values, n, &rt, p, slot,
                                 series_color(s, right[k]), true, 4.0);
                for (size_t i = 0; i < n && k == 0; i++) {
                    if (!fin(sr->values, i))
                        continue;
                    double x = p.x + slot * ((double)i + 0.5);
                    double y = amap(&rt, sr->values[i], p.y + p.h, p.y);
                    markers[i] = (struct box){x - 6, y - 6, 12, 12};
                }
            }
        }

        /* value labels: all or nothing */
        size_t nbars = 0;
        bool fits = !s->no_value_labels;
        for (size_t k = 0; k < nl && fits; k++) {
            const struct chart_series *sr = &s->series[left[k]];
            for (size_t i = 0; i < n && fits; i++) {
                if (!fin(sr->values, i))
                    continue;
                if (++nbars > MAX_VALUE_LABELS) {
                    fits = false;
                    break;
                }
                PangoLayout *l =
                    value_layout(rc, sr->values[i], &s->axis, false);
                double w;
                text_size(l, &w, NULL);
                g_object_unref(l);
                if (w > (nl == 1 ? slot - 4 : bw + 1))
                    fits = false;
            }
        }
        for (size_t k = 0; k < nl && fits; k++) {
            const struct chart_series *sr = &s->series[left[k]];
            for (size_t i = 0; i < n; i++) {
                if (!fin(sr->values, i))
                    continue;
                double v = sr->values[i];
                double cx = p.x + slot * ((double)i + 0.5) - group / 2 +
                            bw * ((double)k + 0.5);
                double yv = amap(&lt, v, p.y + p.h, p.y);
                double ytop = yv;
                if (fin(sr->hi, i) && fin(sr->lo, i))
                    ytop = fmin(ytop, amap(&lt, sr->hi[i], p.y + p.h, p.y));
                PangoLayout *l = value_layout(rc, v, &s->axis, false);
                double w, h;
                text_size(l, &w, &h);
                struct rgb c = hex(C_TEXT);
                struct box b = {cx - w / 2, ytop - 3 - h, w, h};
                if (v < 0) {
                    double ybot = yv;
                    if (fin(sr->lo, i) && fin(sr->hi, i))
                        ybot = fmax(ybot, amap(&lt, sr->lo[i], p.y + p.h, p.y));
                    b.y = ybot + 3;
                }
                if (markers && markers[i].w > 0 &&
                    boxes_overlap(b, markers[i])) {
                    /* the right-axis marker sits on the label: try inside
                     * the column top, above the marker, below the marker */
                    struct rgb colc = series_color(s, left[k]);
                    if (nl == 1 && s->highlight && s->highlight[i])
                        colc = hex(palette_hex[CHART_COLOR_VERMILLION]);
                    double colh = fabs(y0 - yv);
                    struct box cand[3] = {
                        {b.x, yv + 4, w, h},
                        {b.x, markers[i].y - 2 - h, w, h},
                        {b.x, markers[i].y + markers[i].h + 2, w, h},
                    };
                    bool ok[3] = {v > 0 && colh >= h + 8,
                                  cand[1].y >= p.y - headroom,
                                  cand[2].y + h <= p.y + p.h};
                    for (size_t q = 0; q < 3; q++) {
                        if (!ok[q] || boxes_overlap(cand[q], markers[i]))
                            continue;
                        b = cand[q];
                        /* inside the column: contrast with its colour */
                        if (v > 0 && b.y >= yv + 1 && b.y + h <= y0)
                            c = text_on(colc);
                        break;
                    }
                }
                vl_add(&vl, l, b.x, b.y, c, c.r < 0.5);
            }
        }
    }

    if (is_line) {
        bool markers_on = n <= 40;
        for (size_t k = 0; k < nl; k++) {
            const struct chart_series *sr = &s->series[left[k]];
            draw_band(rc, sr->lo, sr->hi, n, &lt, p, slot,
                      series_color(s, left[k]));
        }
        for (size_t k = 0; k < nl; k++) {
            const struct chart_series *sr = &s->series[left[k]];
            draw_line_series(rc, sr->values, n, &lt, p, slot,
                             series_color(s, left[k]), markers_on, 2.8);
        }
        /* label each series' last point (up to three series) */
        struct box placed[3];
        size_t np = 0;
        for (size_t k = 0; k < nl && k < 3 && !s->no_value_labels; k++) {
            const struct chart_series *sr = &s->series[left[k]];
            size_t i = n;
            while (i > 0 && !fin(sr->values, i - 1))
                i--;
            if (i == 0)
                continue;
            i--;
            double x = p.x + slot * ((double)i + 0.5);
            double y = amap(&lt, sr->values[i], p.y + p.h, p.y);
            PangoLayout *l = value_layout(rc, sr->values[i], &s->axis, true);
            double w, h;
            text_size(l, &w, &h);
            struct box b = {clampd(x - w / 2, p.x, p.x + p.w - w), y - 6 - h, w,
                            h};
            bool clash = b.y < p.y - headroom;
            for (size_t q = 0; q < np && !clash; q++)
                clash = boxes_overlap(b, placed[q]);
            if (clash)
                b.y = y + 6;
            placed[np++] = b;
            vl_add(&vl, l, b.x, b.y, series_color(s, left[k]), true);
        }
    }
    cairo_restore(cr);

    /* baseline again on top of the columns (the plot bottom when zero is
     * not on the axis) */
    if (!(lt.min <= 0 && lt.max >= 0))
        y0 = p.y + p.h;
    cairo_move_to(cr, p.x, y0);
    cairo_line_to(cr, p.x + p.w, y0);
    set_rgb(cr, hex(C_BASE));
    cairo_set_line_width(cr, 0.9);
    cairo_stroke(cr);
    vl_flush(rc, &vl);

    draw_xlabels(rc, s, &xp, p, p.y + p.h + xgap, MARGIN);
    if (cat_title_h > 0)
        draw_text(rc, s->category_title, FS_AXIS, false, p.w, 1,
                  PANGO_ALIGN_CENTER, p.x, p.y + p.h + xgap + xp.band + 4,
                  hex(C_SUB), false, NULL, NULL);
    xfree(markers);
    xfree(left);
    xfree(right);
}

/* ==== Row charts: horizontal bar and stacked 100% bar
 * =============================== */

struct rowplan {
    double lw;    /* label column width */
    double row_h; /* height per row */
    size_t step;  /* every step-th label is drawn */
    int lines;    /* max lines per label */
    double lh;    /* label line height */
};

static void
plan_rows(struct rc *rc, const struct chart_spec *s, const size_t *order,
          double region_w, double plot_h, struct rowplan *rp)
{
    size_t n = s->n_categories;
    double maxw = 0;
    for (size_t i = 0; i < n; i++) {
        double w = text_width(rc, cat_label(s, order[i]), FS_LABEL, false);
        maxw = w > maxw ? w : maxw;
    }
    rp->lh = line_h(rc, FS_LABEL, false);
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
static void
draw_row_label(struct rc *rc, const char *t, const struct rowplan *rp, double x,
               double yc, double px)
{
    PangoLayout *l =
        mk_text(rc, t, FS_LABEL, false, rp->lw, rp->lines, PANGO_ALIGN_RIGHT);
    double h;
    text_size(l, NULL, &h);
    show(rc, l, x, yc - h / 2, hex(C_TEXT), false);
    g_object_unref(l);
    if (rp->step > 1) {
        cairo_move_to(rc->cr, px - 4, yc);
        cairo_line_to(rc->cr, px, yc);
        set_rgb(rc->cr, hex(C_BASE));
        cairo_set_line_width(rc->cr, 0.8);
        cairo_stroke(rc->cr);
    }
}

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

static size_t *
row_order(const struct chart_spec *s)
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

static void
draw_hticks(struct rc *rc, const struct chart_ticks *t, enum chart_numfmt fmt,
            struct box p, bool labels, bool grid)
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
            PangoLayout *l =
                mk_text(rc, buf, FS_LABEL, false, 0, 1, PANGO_ALIGN_LEFT);
            double w;
            text_size(l, &w, NULL);
            show(rc, l, clampd(x - w / 2, p.x - 10, p.x + p.w + 10 - w),
                 p.y + p.h + 4, hex(C_TICK), false);
            g_object_unref(l);
        }
    }
}

static void
draw_bar_chart(struct rc *rc, const struct chart_spec *s, struct box r)
{
    cairo_t *cr = rc->cr;
    const struct chart_series *sr = &s->series[0];
    size_t n = s->n_categories;
    size_t *order = row_order(s);

    double lo = 0, hi = 0;
    series_range(sr, n, &lo, &hi);
    struct chart_ticks t;
    make_ticks(&s->axis, lo, hi, (int)fmax(2, fmin(8, r.w / 90)), &t);

    double top = r.y;
    double axis_lh = line_h(rc, FS_AXIS, false);
    bool has_title = s->axis.title && *s->axis.title;
    if (has_title)
        top += axis_lh + 6;
    double label_lh = line_h(rc, FS_LABEL, false);

    /* first plan with tick labels reserved, then see if value labels fit */
    struct rowplan rp;
    double plot_h = r.y + r.h - top;
    plan_rows(rc, s, order, r.w, plot_h, &rp);
    bool values = !s->no_value_labels && rp.step == 1 &&
                  rp.row_h >= line_h(rc, FS_VALUE, false) * 0.95;
    double vw = 0;
    if (values) {
        for (size_t i = 0; i < n; i++) {
            if (!fin(sr->values, i))
                continue;
            PangoLayout *l = value_layout(rc, sr->values[i], &s->axis, false);
            double w;
            text_size(l, &w, NULL);
            g_object_unref(l);
            vw = w > vw ? w : vw;
        }
    } else {
        plot_h -= label_lh + 6;
        plan_rows(rc, s, order, r.w, plot_h, &rp);
    }
    struct box p = {r.x + rp.lw + 8, top, r.w - rp.lw - 8 - (vw + 8), plot_h};
    if (!values)
        p.w = r.w - rp.lw - 8 - 14;
    if (p.w < 10)
        p.w = 10;

    draw_hticks(rc, &t, s->axis.fmt, p, !values, !values);
    if (has_title)
        draw_text(rc, s->axis.title, FS_AXIS, false, r.w - rp.lw - 8, 1,
                  PANGO_ALIGN_LEFT, p.x, r.y, hex(C_SUB), false, NULL, NULL);

    double bt = fmin(rp.row_h * 0.7, 26.0);
    double x0 = amap(&t, 0.0, p.x, p.x + p.w);
    struct rgb c = series_color(s, 0);
    struct vlabels vl = {0};
    for (size_t k = 0; k < n; k++) {
        size_t i = order[k];
        double yc = p.y + rp.row_h * ((double)k + 0.5);
        if (k % rp.step == 0)
            draw_row_label(rc, cat_label(s, i), &rp, r.x, yc, p.x);
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
            PangoLayout *l = value_layout(rc, sr->values[i], &s->axis, false);
            double h;
            text_size(l, NULL, &h);
            vl_add(&vl, l, xend + 4, yc - h / 2, hex(C_TEXT), false);
        }
    }
    /* baseline */
    cairo_move_to(cr, x0, p.y);
    cairo_line_to(cr, x0, p.y + p.h);
    set_rgb(cr, hex(C_BASE));
    cairo_set_line_width(cr, 0.9);
    cairo_stroke(cr);
    vl_flush(rc, &vl);
    xfree(order);
}

static void
draw_stacked_chart(struct rc *rc, const struct chart_spec *s, struct box r)
{
    cairo_t *cr = rc->cr;
    size_t n = s->n_categories;
    size_t *order = row_order(s);
    double *tot = xcalloc(n, sizeof *tot);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < s->n_series; j++)
            if (fin(s->series[j].values, i) && s->series[j].values[i] > 0)
                tot[i] += s->series[j].values[i];

    double top = r.y;
    double axis_lh = line_h(rc, FS_AXIS, false);
    bool has_title = (s->axis.title && *s->axis.title) || s->show_totals;
    if (has_title)
        top += axis_lh + 6;
    double label_lh = line_h(rc, FS_LABEL, false);
    double plot_h = r.y + r.h - top - (label_lh + 6);
    struct rowplan rp;
    plan_rows(rc, s, order, r.w, plot_h, &rp);

    double tw = 0;
    char buf[64];
    if (s->show_totals) {
        for (size_t i = 0; i < n; i++) {
            chart_format_number(tot[i], CHART_FMT_INT, 0, buf, sizeof buf);
            double w = text_width(rc, buf, FS_VALUE, false);
            tw = w > tw ? w : tw;
        }
        tw += 10;
    }
    struct box p = {r.x + rp.lw + 8, top, r.w - rp.lw - 8 - tw - 12, plot_h};
    if (p.w < 10)
        p.w = 10;
    struct chart_ticks t;
    chart_fixed_ticks(0.0, 1.0, 5, &t);
    draw_hticks(rc, &t, CHART_FMT_PERCENT, p, true, true);
    if (s->axis.title && *s->axis.title)
        draw_text(rc, s->axis.title, FS_AXIS, false, p.w, 1, PANGO_ALIGN_LEFT,
                  p.x, r.y, hex(C_SUB), false, NULL, NULL);
    if (s->show_totals)
        draw_text(rc, "n", FS_AXIS, false, tw, 1, PANGO_ALIGN_RIGHT,
                  r.x + r.w - tw, r.y, hex(C_SUB), false, NULL, NULL);

    double bt = fmin(rp.row_h * 0.72, 30.0);
    int dec = s->axis.fmt == CHART_FMT_PERCENT ? s->axis.decimals : 0;
    struct vlabels vl = {0};
    for (size_t k = 0; k < n; k++) {
        size_t i = order[k];
        double yc = p.y + rp.row_h * ((double)k + 0.5);
        if (k % rp.step == 0)
            draw_row_label(rc, cat_label(s, i), &rp, r.x, yc, p.x);
        if (s->show_totals && k % rp.step == 0) {
            chart_format_number(tot[i], CHART_FMT_INT, 0, buf, sizeof buf);
            double h;
            PangoLayout *l =
                mk_text(rc, buf, FS_VALUE, false, tw, 1, PANGO_ALIGN_RIGHT);
            text_size(l, NULL, &h);
            vl_add(&vl, l, r.x + r.w - tw, yc - h / 2, hex(C_SUB), false);
        }
        if (!(tot[i] > 0)) {
            double h;
            PangoLayout *l = mk_text(rc, "no responses", FS_VALUE, false, 0, 1,
                                     PANGO_ALIGN_LEFT);
            text_size(l, NULL, &h);
            vl_add(&vl, l, p.x + 4, yc - h / 2, hex(C_NODATA), false);
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
                PangoLayout *l =
                    mk_text(rc, buf, FS_VALUE, false, 0, 1, PANGO_ALIGN_LEFT);
                double lw, lh;
                text_size(l, &lw, &lh);
                if (lw + 6 <= w && lh <= bt)
                    vl_add(&vl, l, x + (w - lw) / 2, yc - lh / 2, text_on(c),
                           false);
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
    vl_flush(rc, &vl);
    xfree(tot);
    xfree(order);
}

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

static void
draw_pie_chart(struct rc *rc, const struct chart_spec *s, struct box r)
{
    cairo_t *cr = rc->cr;
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
        lab[k] = "Other";
        col[k] = hex(palette_hex[CHART_COLOR_GREY]);
        total += other;
    }

    double d = fmin(r.h - 8, r.w * 0.46);
    if (d < 10) {
        xfree(idx);
        xfree(val);
        xfree(lab);
        xfree(col);
        return;
    }
    double rad = d / 2, ri = s->donut ? rad * 0.56 : 0;
    double cx = r.x + rad + 4, cy = r.y + r.h / 2;
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
            PangoLayout *l =
                mk_text(rc, buf, FS_VALUE, true, 0, 1, PANGO_ALIGN_LEFT);
            double w, h;
            text_size(l, &w, &h);
            double mid = a + sweep / 2;
            double rr = ri > 0 ? (rad + ri) / 2 : rad * 0.64;
            bool room = ri > 0 ? (rad - ri) >= h + 2 : true;
            if (room)
                vl_add(&vl, l, cx + rr * cos(mid) - w / 2,
                       cy + rr * sin(mid) - h / 2, text_on(col[i]), false);
            else
                g_object_unref(l);
        }
        a = b;
    }
    vl_flush(rc, &vl);

    /* the total inside a donut (not for shares, where it means nothing) */
    if (ri > 0 && s->axis.fmt != CHART_FMT_PERCENT) {
        chart_format_number(total, s->axis.fmt, s->axis.decimals, buf,
                            sizeof buf);
        PangoLayout *l =
            mk_text(rc, buf, 17.0, true, 2 * ri * 0.9, 1, PANGO_ALIGN_CENTER);
        const char *cap =
            s->axis.title && *s->axis.title ? s->axis.title : "total";
        PangoLayout *c = mk_text(rc, cap, FS_AXIS, false, 2 * ri * 0.85, 2,
                                 PANGO_ALIGN_CENTER);
        double h1, h2;
        text_size(l, NULL, &h1);
        text_size(c, NULL, &h2);
        double y = cy - (h1 + h2) / 2;
        show(rc, l, cx - ri * 0.9, y, hex(C_TEXT), false);
        show(rc, c, cx - ri * 0.85, y + h1, hex(C_SUB), false);
        g_object_unref(l);
        g_object_unref(c);
    }

    /* legend table: swatch, label, percent, value */
    double x0 = cx + rad + 28, lw = r.x + r.w - x0;
    double lh = line_h(rc, FS_LEGEND, false);
    double rh = fmin(lh * 1.9, r.h / (double)ns);
    double pw = 0, vw = 0;
    for (size_t i = 0; i < ns; i++) {
        legend_pct(val[i] / total, buf, sizeof buf);
        pw = fmax(pw, text_width(rc, buf, FS_LEGEND, true));
        chart_format_number(val[i], s->axis.fmt, s->axis.decimals, buf,
                            sizeof buf);
        vw = fmax(vw, text_width(rc, buf, FS_LEGEND, false));
    }
    double natw = 0;
    for (size_t i = 0; i < ns; i++)
        natw = fmax(natw, text_width(rc, lab[i], FS_LEGEND, false));
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
        PangoLayout *l =
            mk_text(rc, lab[i], FS_LEGEND, false, labw, 1, PANGO_ALIGN_LEFT);
        double h;
        text_size(l, NULL, &h);
        show(rc, l, x0 + 17, yc - h / 2, hex(C_TEXT), false);
        g_object_unref(l);
        legend_pct(val[i] / total, buf, sizeof buf);
        draw_text(rc, buf, FS_LEGEND, true, pw, 1, PANGO_ALIGN_RIGHT,
                  x0 + 17 + labw + 12, yc - h / 2, hex(C_TEXT), false, NULL,
                  NULL);
        if (vw > 0) {
            chart_format_number(val[i], s->axis.fmt, s->axis.decimals, buf,
                                sizeof buf);
            draw_text(rc, buf, FS_LEGEND, false, vw, 1, PANGO_ALIGN_RIGHT,
                      x0 + 17 + labw + 12 + pw + 10, yc - h / 2, hex(C_SUB),
                      false, NULL, NULL);
        }
    }
    xfree(idx);
    xfree(val);
    xfree(lab);
    xfree(col);
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

    bool want = false;
    switch (s->kind) {
    case CHART_COLUMN:
        want = s->n_series > 1 || (highlighted && s->highlight_label) || ivl;
        break;
    case CHART_COLUMN_DUAL:
    case CHART_CLUSTERED:
    case CHART_STACKED:
        want = true;
        break;
    case CHART_LINE:
        want = s->n_series > 1 || ivl;
        break;
    default:
        want = false;
    }
    if (!want)
        return 0;
    for (size_t j = 0; j < s->n_series && n < MAX_LEGEND - 2; j++) {
        const struct chart_series *sr = &s->series[j];
        if (!named || sr->name == NULL || !*sr->name)
            continue;
        bool line = s->kind == CHART_LINE ||
                    (s->kind == CHART_COLUMN_DUAL && sr->axis == CHART_RIGHT);
        it[n++] = (struct legend_item){line ? SW_LINE : SW_BOX,
                                       series_color(s, j), sr->name};
    }
    if (s->kind == CHART_COLUMN && s->n_series == 1 && highlighted &&
        s->highlight_label && *s->highlight_label)
        it[n++] = (struct legend_item){SW_BOX,
                                       hex(palette_hex[CHART_COLOR_VERMILLION]),
                                       s->highlight_label};
    if (ivl)
        it[n++] = (struct legend_item){
            s->kind == CHART_LINE ? SW_BAND : SW_WHISKER,
            s->kind == CHART_LINE ? series_color(s, 0) : hex(C_WHISKER),
            s->interval_label};
    return n;
}

static cs_status
finish(cairo_t *cr, struct cs_err *err)
{
    cairo_status_t st = cairo_status(cr);
    if (st != CAIRO_STATUS_SUCCESS)
        return cs_fail(err, CS_E_RENDER, NULL, "cairo: %s",
                       cairo_status_to_string(st));
    return CS_OK;
}

static void
rc_open(struct rc *rc, cairo_t *cr, double w, double h)
{
    rc->cr = cr;
    rc->w = w;
    rc->h = h;
    rc->pc = pango_cairo_create_context(cr);
    /* fixed options: the same glyph shapes on every surface and every run */
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
    cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_subpixel_order(fo, CAIRO_SUBPIXEL_ORDER_DEFAULT);
    pango_cairo_context_set_font_options(rc->pc, fo);
    cairo_font_options_destroy(fo);
    pango_cairo_context_set_resolution(rc->pc, 72.0);
    pango_context_set_round_glyph_positions(rc->pc, FALSE);
}

static void
rc_close(struct rc *rc)
{
    if (rc->pc)
        g_object_unref(rc->pc);
    rc->pc = NULL;
}

/* ==== Public API (internal to the module)
 * =============================================== */

cs_status
chart_draw(cairo_t *cr, const struct chart_spec *s, double w, double h,
           struct cs_err *err)
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
    rc_open(&rc, cr, w, h);
    cairo_save(cr);
    cairo_rectangle(cr, 0, 0, w, h);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_fill(cr);

    bool data = spec_has_data(s);
    struct legend_item items[MAX_LEGEND];
    size_t ni = data ? build_legend(s, items) : 0;
    struct box r = draw_frame(&rc, s, items, ni);
    if (!data || r.h < 30 || r.w < 40) {
        draw_no_data(&rc, s, r);
    } else {
        switch (s->kind) {
        case CHART_BAR:
            draw_bar_chart(&rc, s, r);
            break;
        case CHART_STACKED:
            draw_stacked_chart(&rc, s, r);
            break;
        case CHART_PIE:
            draw_pie_chart(&rc, s, r);
            break;
        case CHART_COLUMN:
        case CHART_COLUMN_DUAL:
        case CHART_LINE:
        case CHART_CLUSTERED:
        default:
            draw_category_chart(&rc, s, r);
            break;
        }
    }
    cairo_restore(cr);
    rc_close(&rc);
    return finish(cr, err);
}

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

cs_status
chart_draw_table_page(cairo_t *cr, const struct chart_table *t, size_t *row,
                      double w, double h, struct cs_err *err)
{
    if (t->n_cols == 0)
        return cs_fail(err, CS_E_USAGE, NULL, "table has no columns");
    struct rc rc;
    rc_open(&rc, cr, w, h);
    cairo_save(cr);
    cairo_rectangle(cr, 0, 0, w, h);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_fill(cr);

    double cw = w - 2 * MARGIN, y = MARGIN, th;
    char *title = xasprintf("%s%s", t->title ? t->title : "",
                            *row > 0 ? " (continued)" : "");
    if (*title) {
        draw_text(&rc, title, FS_TITLE, true, cw, 2, PANGO_ALIGN_LEFT, MARGIN,
                  y, hex(C_TEXT), false, NULL, &th);
        y += th + 2;
    }
    xfree(title);
    if (t->subtitle && *t->subtitle) {
        draw_text(&rc, t->subtitle, FS_SUB, false, cw, 2, PANGO_ALIGN_LEFT,
                  MARGIN, y, hex(C_SUB), false, NULL, &th);
        y += th;
    }
    y += 10;
    double bottom = h - MARGIN;
    if (t->footnote && *t->footnote) {
        PangoLayout *l =
            mk_text(&rc, t->footnote, FS_FOOT, false, cw, 2, PANGO_ALIGN_LEFT);
        text_size(l, NULL, &th);
        show(&rc, l, MARGIN, bottom - th, hex(C_FOOT), false);
        g_object_unref(l);
        bottom -= th + 8;
    }

    /* column widths from all rows, so every page lines up the same */
    size_t nc = t->n_cols;
    double *cwid = xcalloc(nc, sizeof *cwid);
    bool *num = xcalloc(nc, sizeof *num);
    double pad = 12, sum = 0;
    for (size_t c = 0; c < nc; c++) {
        num[c] = t->n_rows > 0;
        if (t->header && t->header[c])
            cwid[c] = text_width(&rc, t->header[c], FS_TABLE, true);
        for (size_t r = 0; r < t->n_rows; r++) {
            const char *x = cell(t, r, c);
            if (*x && !looks_numeric(x))
                num[c] = false;
            cwid[c] = fmax(cwid[c], text_width(&rc, x, FS_TABLE, false));
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

    double lh = line_h(&rc, FS_TABLE, false), rh = lh + 6;
    double x;
    if (t->header) {
        x = MARGIN;
        for (size_t c = 0; c < nc; c++) {
            draw_text(&rc, t->header[c] ? t->header[c] : "", FS_TABLE, true,
                      cwid[c] - pad, 1,
                      num[c] ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT,
                      x + (c > 0 ? pad / 2 : 0), y + 3, hex(C_TEXT), false,
                      NULL, NULL);
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
        draw_text(&rc, "No rows", FS_TABLE, false, 0, 1, PANGO_ALIGN_LEFT,
                  MARGIN, y + 4, hex(C_NODATA), false, NULL, NULL);
    }
    size_t drawn = 0;
    while (*row < t->n_rows && (drawn == 0 || y + rh <= bottom)) {
        x = MARGIN;
        for (size_t c = 0; c < nc; c++) {
            draw_text(&rc, cell(t, *row, c), FS_TABLE, false, cwid[c] - pad, 1,
                      num[c] ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT,
                      x + (c > 0 ? pad / 2 : 0), y + 3, hex(C_TEXT), false,
                      NULL, NULL);
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
    rc_close(&rc);
    return finish(cr, err);
}
