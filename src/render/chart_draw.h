/*
 * render/chart_draw.h: what the drawing files of the chart module share
 * (chart_draw.c, chart_text.c, chart_axis.c, chart_column.c, chart_line.c,
 * chart_bar.c, chart_stacked.c, chart_pie.c, chart_multiples.c,
 * chart_layout.c, chart_probe.c): the style
 * (font sizes, colours, margins), the drawing context, the text, axis and
 * value-label helpers, the category-chart plan and one entry point per
 * chart kind.  Private to src/render/chart_*.c; nothing outside the chart
 * module includes it (the tests use chart_internal.h).
 *
 * Units: every coordinate, size and font size is in points (user space of
 * the cairo context; chart.c scales it for PNG).  All helpers borrow their
 * arguments; a function that returns a PangoLayout says so, and the caller
 * releases it with g_object_unref.
 */
#ifndef CS_RENDER_CHART_DRAW_H
#define CS_RENDER_CHART_DRAW_H

#include <cairo.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "render/chart.h"
#include "render/chart_internal.h"
#include "render/palette.h"

/* ==== Style ============================================================== */

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

static inline struct rgb
hex(unsigned v)
{
    struct rgb c = {((v >> 16) & 0xff) / 255.0, ((v >> 8) & 0xff) / 255.0,
                    (v & 0xff) / 255.0};
    return c;
}

/* Okabe-Ito (render/palette.h, shared with the workbook's native charts),
 * indexed by enum chart_color (AUTO slot unused). */
static const unsigned palette_hex[CHART_COLOR__COUNT] = {
    CS_PAL_BLACK,
    CS_PAL_BLUE,
    CS_PAL_ORANGE,
    CS_PAL_GREEN,
    CS_PAL_VERMILLION,
    CS_PAL_SKY,
    CS_PAL_PURPLE,
    CS_PAL_YELLOW,
    CS_PAL_GREY,
};
static const enum chart_color auto_order[] = {
    CHART_COLOR_BLUE,
    CHART_COLOR_ORANGE,
    CHART_COLOR_GREEN,
    CHART_COLOR_VERMILLION,
    CHART_COLOR_SKY,
    CHART_COLOR_PURPLE,
    CHART_COLOR_YELLOW,
    CHART_COLOR_GREY, /* the eighth: an eighth series is still distinct */
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

static inline struct rgb
color_of(enum chart_color c, size_t pos)
{
    if (c > CHART_COLOR_AUTO && c < CHART_COLOR__COUNT)
        return hex(palette_hex[c]);
    return hex(palette_hex[auto_order[pos % N_AUTO]]);
}

static inline struct rgb
series_color(const struct chart_spec *s, size_t i)
{
    return color_of(s->series[i].color, i);
}

/* Dark or white text, whichever reads better on c (Rec. 709 weights on the
 * sRGB values: a cheap luminance estimate, good enough for 8 colours). */
static inline struct rgb
text_on(struct rgb c)
{
    double l = 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b;
    return l > 0.5 ? hex(C_TEXT) : hex(0xffffff);
}

static inline void
set_rgb(cairo_t *cr, struct rgb c)
{
    cairo_set_source_rgb(cr, c.r, c.g, c.b);
}

static inline void
set_rgba(cairo_t *cr, struct rgb c, double a)
{
    cairo_set_source_rgba(cr, c.r, c.g, c.b, a);
}

static inline double
clampd(double v, double lo, double hi)
{
    if (!(v >= lo)) /* also catches NaN */
        return lo;
    return v > hi ? hi : v;
}

static inline bool
fin(const double *a, size_t i)
{
    return a != NULL && isfinite(a[i]);
}

struct box {
    double x, y, w, h; /* points */
};

static inline bool
boxes_overlap(struct box a, struct box b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h &&
           b.y < a.y + a.h;
}

static inline const char *
cat_label(const struct chart_spec *s, size_t i)
{
    if (s->categories == NULL || s->categories[i] == NULL)
        return "";
    return s->categories[i];
}

/* ==== Drawing context and text (chart_text.c) ============================ */

struct rc {
    cairo_t *cr;               /* borrowed */
    PangoContext *pc;          /* owned for one page */
    double w, h;               /* canvas, points */
    struct chart_probe *probe; /* borrowed: the tests' record, NULL = none */
};

/* Open rc on cr for a w x h canvas: a pango context with fixed font
 * options, so output is the same on every surface and run.  Release with
 * chart_rc_close. */
void chart_rc_open(struct rc *rc, cairo_t *cr, double w, double h);
void chart_rc_close(struct rc *rc);

/* CS_E_RENDER naming cairo's status when cr is in error, else CS_OK. */
cs_status chart_cairo_finish(cairo_t *cr, struct cs_err *err);

/* A layout of text in DejaVu Sans.  width > 0 wraps (word, then char) to at
 * most max_lines lines and ellipsizes the rest; width <= 0 is one natural
 * line.  Returns owned (g_object_unref). */
PangoLayout *
chart_text_layout(struct rc *rc, const char *text, double size, bool bold,
                  double width, int max_lines, PangoAlignment align);
/* Logical size of l; w or h may be NULL. */
void chart_text_size(PangoLayout *l, double *w, double *h);
/* Natural one-line width of text. */
double
chart_text_width(struct rc *rc, const char *text, double size, bool bold);
/* Height of one line of text at size. */
double chart_line_height(struct rc *rc, double size, bool bold);
/* Draw l with its top-left at (x, y); halo draws a white outline first so
 * the text stays readable over gridlines, lines and markers. */
void chart_text_show(struct rc *rc, PangoLayout *l, double x, double y,
                     struct rgb c, bool halo);
/* One-shot text: build, draw at (x, y), return its size (w, h may be NULL). */
void
chart_text_draw(struct rc *rc, const char *text, double size, bool bold,
                double width, int max_lines, PangoAlignment align, double x,
                double y, struct rgb c, bool halo, double *w, double *h);
/* Text rotated by angle (radians, negative = counter-clockwise) with the
 * middle of its end at (x, y). */
void chart_text_show_rotated(struct rc *rc, PangoLayout *l, double x, double y,
                             double angle, struct rgb c);

/* ==== Layout helpers (chart_layout.c) ==================================== */

/* The title as a layout at most width wide, at most max_lines lines, with
 * its lines balanced: the narrowest width that keeps the line count, so a
 * title one word too long for a line never leaves that word alone on the
 * second (nor a single character: pango breaks inside a word only when the
 * word alone is wider than a line).  Returns owned (g_object_unref). */
PangoLayout *chart_title_layout(struct rc *rc, const char *text, double size,
                                bool bold, double width, int max_lines);
/* The footnote text split into lines at most width wide, breaking at its
 * " · " separators where a part fits a line, within a part at spaces
 * otherwise; never ellipsized.  Returns owned layouts in *out (*n of them;
 * g_object_unref each, xfree the array). */
void chart_footer_layouts(struct rc *rc, const char *text, double width,
                          PangoLayout ***out, size_t *n);
/* Words on each line of l into words[0..max) (extra lines not counted);
 * returns the number of lines. */
int chart_layout_line_words(PangoLayout *l, int *words, int max);

/* A box filled white, hatched at 45° and outlined in c: the baseline
 * column of a comparison (and its legend swatch). */
void chart_hatch_box(cairo_t *cr, struct box b, struct rgb c);

/* The probe (chart_internal.h): record a box (kind 0 value label or tag,
 * 1 whisker, 2 marker) or a text ("\n"-joined into *dst).  No-ops when
 * rc has no probe. */
enum { PROBE_LABEL = 0,
       PROBE_WHISKER,
       PROBE_MARKER };
void chart_probe_box(struct rc *rc, int kind, struct box b);
void chart_probe_text(char **dst, const char *text);
/* Draw spec with a probe (chart_draw is this with probe NULL). */
cs_status chart_draw_probed(cairo_t *cr, const struct chart_spec *s, double w,
                            double h, struct chart_probe *probe,
                            struct cs_err *err);

/* ==== Value labels (chart_text.c) ======================================== */

/* Value labels are collected while a chart is drawn and drawn last, on top
 * of everything. */
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

/* Append l (ownership passes to vl) with its top-left at (x, y). */
void chart_vlabels_add(struct vlabels *vl, PangoLayout *l, double x, double y,
                       struct rgb c, bool halo);
/* Draw and release every label; vl is empty afterwards. */
void chart_vlabels_flush(struct rc *rc, struct vlabels *vl);
/* v formatted per axis a, in FS_VALUE ("<0.1%" for a positive value that
 * would print as zero).  Returns owned (g_object_unref). */
PangoLayout *chart_value_layout(struct rc *rc, double v,
                                const struct chart_axis *a, bool bold);

/* ==== Axes and category labels (chart_axis.c) ============================ */

/* Map v on ticks t to [p0 (at min), p1 (at max)], clamped. */
static inline double
amap(const struct chart_ticks *t, double v, double p0, double p1)
{
    double f = (clampd(v, t->min, t->max) - t->min) / (t->max - t->min);
    return p0 + f * (p1 - p0);
}

/* Ticks for axis a over the data range [lo, hi]: the axis's fixed range
 * when it has one, else nice ticks with about target intervals. */
void chart_axis_ticks(const struct chart_axis *a, double lo, double hi,
                      int target, struct chart_ticks *t);
/* Widest tick label of t in FS_LABEL. */
double chart_ticks_label_width(struct rc *rc, const struct chart_ticks *t,
                               enum chart_numfmt fmt);
/* Tick labels of a vertical axis beside plot p: on the left (right-aligned
 * against the plot) or on the right; grid also draws the gridlines, with
 * zero darker as the baseline. */
void chart_draw_vticks(struct rc *rc, const struct chart_ticks *t,
                       enum chart_numfmt fmt, struct box p, bool left_side,
                       bool grid, struct rgb label_c);
/* Tick labels below plot p of a horizontal axis (when labels) and vertical
 * gridlines (when grid). */
void
chart_draw_hticks(struct rc *rc, const struct chart_ticks *t,
                  enum chart_numfmt fmt, struct box p, bool labels, bool grid);
/* Widen [*lo, *hi] to every finite value, lo and hi of sr[0..n). */
void chart_series_range(const struct chart_series *sr, size_t n, double *lo,
                        double *hi);

#define SIN45 0.70710678118654752
/* A rotated label's end sits this many label lines below the band top. */
#define XL_R45_DROP 0.36

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

/* Plan the category labels under a plot plot_w wide, the label band at
 * most max_band high when rotated. */
void chart_xlabels_plan(struct rc *rc, const struct chart_spec *s,
                        double plot_w, double max_band, struct xplan *xp);
/* Draw them under plot p from y down; no rotated label reaches left of
 * left_limit. */
void chart_xlabels_draw(struct rc *rc, const struct chart_spec *s,
                        const struct xplan *xp, struct box p, double y,
                        double left_limit);

/* ==== Category charts: column, dual, clustered, line ===================== */

/* The layout of a category chart, computed before anything is drawn
 * (cat_plan in chart_column.c). */
struct cat_plan {
    size_t *left, *right;      /* owned: series on each axis, in order */
    size_t nl, nr;             /* how many on each */
    struct chart_ticks lt, rt; /* left and right (dual only) ticks */
    bool has_axis_title;       /* an axis title line above the plot */
    double headroom;           /* room above the plot for value labels */
    double cat_title_h;        /* category title below the labels, or 0 */
    double xgap;               /* plot bottom to the category labels */
    struct box p;              /* the plot area */
    struct xplan xp;           /* category labels */
    double slot;               /* width per category */
    double y0;                 /* the zero line on the left axis */
};

/* Lines through finite points v[0..n) on ticks t, category slots of width
 * slot in plot p; a point with no finite neighbour gets a dot even when
 * markers are off, so it does not vanish.  mr: marker radius.  hollow
 * (NULL or n flags): those points are drawn as rings, markers on or off. */
void chart_line_series_draw(struct rc *rc, const double *v, size_t n,
                            const struct chart_ticks *t, struct box p,
                            double slot, struct rgb c, bool markers, double mr,
                            const bool *hollow);

/* Colours of the LINE chart's period marks (chart_spec.marks). */
struct rgb chart_mark_color(int mark);
/* The line part of a category chart (CHART_LINE): interval bands, lines,
 * labels of the last points (added to vl).  Draws inside the current clip. */
void chart_line_draw(struct rc *rc, const struct chart_spec *s,
                     const struct cat_plan *cp, struct vlabels *vl);

/* ==== One entry point per kind; r is the plot region from the frame ===== */

void chart_category_draw(struct rc *rc, const struct chart_spec *s,
                         struct box r); /* chart_column.c */
void chart_bar_draw(struct rc *rc, const struct chart_spec *s,
                    struct box r); /* chart_bar.c */
void chart_stacked_draw(struct rc *rc, const struct chart_spec *s,
                        struct box r); /* chart_stacked.c */
void chart_pie_draw(struct rc *rc, const struct chart_spec *s,
                    struct box r); /* chart_pie.c */
/* More series than colours (CHART_MAX_COLORED_SERIES) of a clustered,
 * column, line or stacked chart: drawn as small multiples, one panel per
 * series (chart_multiples.c). */
bool chart_uses_multiples(const struct chart_spec *s);
void chart_multiples_draw(struct rc *rc, const struct chart_spec *s,
                          struct box r);

/* ==== Row charts: bar and stacked (chart_bar.c) ========================== */

struct rowplan {
    double lw;    /* label column width */
    double row_h; /* height per row */
    size_t step;  /* every step-th label is drawn */
    int lines;    /* max lines per label */
    double lh;    /* label line height */
};

/* Plan rows of the categories in order[0..n) for a region region_w wide
 * and a plot plot_h high. */
void
chart_rows_plan(struct rc *rc, const struct chart_spec *s, const size_t *order,
                double region_w, double plot_h, struct rowplan *rp);
/* A row label right-aligned in the label column starting at x; when rows
 * are thinned, a short tick at the plot edge px shows which row it names. */
void
chart_row_label_draw(struct rc *rc, const char *t, const struct rowplan *rp,
                     double x, double yc, double px);
/* The category order of the rows: by value, largest first, for a sorted
 * bar chart, else as given.  Returns owned (xfree), n_categories long. */
size_t *chart_rows_order(const struct chart_spec *s);

#endif
