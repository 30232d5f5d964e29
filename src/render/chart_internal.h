/*
 * render/chart_internal.h: what chart.c, chart_draw.c and the unit tests
 * share: the pure layout helpers (tick steps, pie folding, label thinning)
 * and the drawing entry points that work on any cairo surface.
 */
#ifndef CS_RENDER_CHART_INTERNAL_H
#define CS_RENDER_CHART_INTERNAL_H

#include <cairo.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "core/err.h"
#include "render/chart.h"

#define CHART_DEFAULT_WIDTH_PX 1200
#define CHART_DEFAULT_HEIGHT_PX 700
#define CHART_DEFAULT_DPI 144
#define CHART_DEFAULT_MAX_SLICES 6
#define CHART_FONT_FAMILY "DejaVu Sans"
/* Okabe-Ito has eight colours: a clustered, column, line or stacked chart
 * of more series is drawn as small multiples (chart_multiples.c), never
 * with a recycled colour. */
#define CHART_MAX_COLORED_SERIES 8

/* Axis ticks: min, min + step, ..., max (count intervals, count + 1 ticks). */
struct chart_ticks {
    double min;   /* first tick (a multiple of step, or the fixed min) */
    double max;   /* last tick, > min */
    double step;  /* 1, 2 or 5 times a power of ten */
    int count;    /* intervals: (max - min) / step, >= 1 */
    int decimals; /* decimals the step needs (0 for steps >= 1) */
};

/* Nice 1-2-5 ticks covering [lo, hi] with at most about max_intervals
 * intervals (>= 1): the smallest 1-2-5 step >= (hi - lo) / max_intervals,
 * min/max rounded outwards to multiples of it.  lo > hi are swapped;
 * non-finite input gives 0..1; lo == hi widens to a range around it
 * (0 -> 0..1).  min_step > 0 forces the step up to at least min_step
 * (integer axes use 1).  Pure. */
void chart_nice_ticks(double lo, double hi, int max_intervals, double min_step,
                      struct chart_ticks *t);

/* Ticks for a fixed range [lo, hi] (lo < hi, finite): min/max are exactly
 * lo and hi; the ticks are the 1-2-5 multiples inside, so count is the
 * number of whole steps and the last tick may fall short of hi.  Pure. */
void chart_fixed_ticks(double lo, double hi, int max_intervals,
                       struct chart_ticks *t);

/* Pie folding.  Considers the finite, positive values v[0..n) in order of
 * value, largest first, ties by index.  If at most max_slices remain, all
 * are kept and *other = 0; else the max_slices - 1 largest are kept and the
 * rest summed into *other.  Writes the kept indices to idx (room for n) and
 * returns how many were kept.  max_slices < 2 is treated as 2.  Pure. */
size_t chart_pie_fold(const double *v, size_t n, size_t max_slices, size_t *idx,
                      double *other);

/* Label thinning: the smallest k in 1, 2, 5, 10, 20, 25, 50, 100, 200, 250,
 * 500, ... with k >= need (need <= 1 gives 1).  Pure. */
size_t chart_label_step(double need);

/* Draw spec on cr, a canvas of w x h points (user space in points).  Borrows
 * everything; draws the "No data" panel when there is nothing to draw.
 * Checks cairo_status(cr) at the end. */
cs_status chart_draw(cairo_t *cr, const struct chart_spec *spec, double w,
                     double h, struct cs_err *err);


/* ==== Layout probe (chart_probe.c; for the unit tests) ================== */

/* What a drawing placed where, in points, recorded while the chart is drawn
 * on a recording surface: the layout rules are then tested on the real
 * drawing path (a value label never meets a whisker, a title never leaves
 * one word alone, a footer is never cut short, a legend names every
 * series or says "+N more"). */
#define CHART_PROBE_MAX 256
struct chart_probe_box {
    double x, y, w, h;
};
struct chart_probe {
    int title_lines;                                /* lines of the title */
    int title_words[4];                             /* words on each of them */
    int footer_lines;                               /* footnote and notes */
    bool footer_cut;                                /* a footer line was ellipsized */
    char *footer;                                   /* owned: footer lines, "\n" between */
    size_t legend_items;                            /* legend entries drawn */
    char *legend;                                   /* owned: their texts, "\n" between */
    size_t panels;                                  /* small multiples drawn */
    char *panel_titles;                             /* owned: "\n" between */
    struct chart_probe_box labels[CHART_PROBE_MAX]; /* value labels and tags */
    size_t n_labels;
    struct chart_probe_box whiskers[CHART_PROBE_MAX]; /* interval bars */
    size_t n_whiskers;
    struct chart_probe_box markers[CHART_PROBE_MAX]; /* dual-axis markers */
    size_t n_markers;
};

/* Draw spec on a recording surface of its canvas and fill *p (zeroed
 * first; release with chart_probe_free).  Errors as chart_render's. */
cs_status chart_probe_draw(const struct chart_spec *spec, struct chart_probe *p,
                           struct cs_err *err);
void chart_probe_free(struct chart_probe *p);

/* Validate a spec's size fields and return the canvas in points and pixels.
 * CS_E_USAGE names the offending field. */
cs_status chart_spec_geometry(const struct chart_spec *spec, int *width_px,
                              int *height_px, int *dpi, double *w_pt,
                              double *h_pt, struct cs_err *err);

/* A row of w opaque ARGB32 pixels (cairo's, native endian) as RGB bytes
 * into row, which has 16 bytes of room past w * 3 (the vector stores
 * write 4 bytes past their 12).  chart.c: the PNGs' rows. */
void chart_argb_to_rgb(const uint32_t *px, unsigned char *row, int w);

#endif
