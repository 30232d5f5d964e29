/*
 * render/chart.h: charts described by plain data, drawn by one code path
 * (cairo + pango) to PNG, SVG or PDF, plus a multi-page PDF document of
 * chart pages and table pages (DIR/report.pdf).  This module is the only
 * user of cairo and pango in callsurvey.
 *
 * A struct chart_spec borrows everything it points to; the renderer never
 * keeps a pointer after a call returns, and never changes the spec (sorting
 * and pie folding work on private copies).
 *
 * Units and resolution.  width_px x height_px is the size of the PNG.  Text
 * sizes and line widths are fixed in points (1/72 inch) and dpi is pixels
 * per inch, so one point is dpi / 72 pixels: the drawing happens on a
 * canvas of (width_px * 72 / dpi) x (height_px * 72 / dpi) points, scaled
 * by dpi / 72 for PNG.  So the default 1200 x 700 px at 144 dpi is a
 * 600 x 350 pt canvas drawn at 2 px per point (10 pt labels are 20 px
 * tall); raising dpi with the same pixel size makes text and lines larger,
 * raising the pixel size with the same dpi gives more room at the same text
 * size.  SVG and PDF get the same canvas in points, so all three formats lay
 * out the same.  The PNG carries no dpi field.
 *
 * Determinism: the same spec gives the same pixels.  Nothing time-dependent
 * is drawn or stored (the PDF has no creation date, so the same spec gives
 * the same PDF bytes), text is "DejaVu Sans" with fixed font options (grey
 * antialiasing, no hinting, no hint metrics), and values are only ever
 * formatted by chart_format_number.  SVG files of the same spec differ only
 * in cairo's group ids ("surface12"), which count surfaces per process.
 * Which file provides "DejaVu Sans" is fontconfig's choice: the tests pin it
 * with FONTCONFIG_FILE (see tests/fonts/fonts.conf).
 *
 * Errors: CS_E_USAGE for a spec that cannot be drawn (size out of range, a
 * one-series kind given several series), CS_E_IO when the file cannot be
 * created or written, CS_E_RENDER when cairo reports a failure (its
 * cairo_status_to_string text is in the message).  Output files are written
 * atomically: "PATH.tmp.XXXXXX" in the same directory, renamed over PATH
 * when complete, removed on failure.  Nothing is printed.
 */
#ifndef CS_RENDER_CHART_H
#define CS_RENDER_CHART_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/* Chart kinds.  "Categories" are the labels along the category axis (x for
 * columns and lines, rows for bars), in the order given. */
enum chart_kind {
    CHART_COLUMN = 0,  /* vertical columns; several series are clustered */
    CHART_COLUMN_DUAL, /* LEFT series as columns on the left axis, RIGHT
                          series as markers joined by a line on a right axis
                          with its own ticks (aligned to the left gridlines) */
    CHART_BAR,         /* horizontal bars, exactly one series, optionally
                          sorted by value (issue tags by share) */
    CHART_PIE,         /* pie or donut of one series; at most max_slices
                          slices, the smallest folded into "Other"; shares
                          are of the sum of the values (for issue tags, of
                          tag mentions, since a survey can name several),
                          listed with the values in a legend table */
    CHART_STACKED,     /* 100% stacked horizontal bars: one bar per category,
                          one segment per series; values are normalised per
                          category, so counts or shares both work */
    CHART_LINE,        /* lines over the categories; a series with lo/hi
                          gets a shaded band (a Wilson interval); NaN breaks
                          the line; the last point of up to three series is
                          labelled */
    CHART_CLUSTERED,   /* columns grouped per category, one per series,
                          optional lo/hi whiskers; always has a legend.
                          CLUSTERED, COLUMN, LINE and STACKED charts of
                          more than eight series (Okabe-Ito's colours)
                          are drawn as small multiples: one panel per
                          series, titled with its name, on one axis */
    CHART_KIND__COUNT  /* keep last */
};

enum chart_format {
    CHART_PNG = 0,
    CHART_SVG,
    CHART_PDF,
    CHART_FORMAT__COUNT /* keep last */
};

/* Number formats for axis ticks and value labels (see chart_format_number). */
enum chart_numfmt {
    CHART_FMT_INT = 0, /* rounded integer with thousands separator: 12,345 */
    CHART_FMT_PERCENT, /* a fraction shown as percent: 0.1234 -> "12.3%"
                          with decimals = 1 */
    CHART_FMT_FIXED    /* fixed decimals with thousands separator: 1,234.50 */
};

/* The Okabe-Ito colour-blind-safe palette.  AUTO picks by series position:
 * blue, orange, bluish green, vermillion, sky blue, reddish purple, yellow,
 * grey.  A suggested mapping for score distributions, worst to best:
 * VERMILLION, ORANGE, GREY, SKY, BLUE. */
enum chart_color {
    CHART_COLOR_AUTO = 0,
    CHART_COLOR_BLUE,       /* #0072B2 */
    CHART_COLOR_ORANGE,     /* #E69F00 */
    CHART_COLOR_GREEN,      /* #009E73 bluish green */
    CHART_COLOR_VERMILLION, /* #D55E00 */
    CHART_COLOR_SKY,        /* #56B4E9 sky blue */
    CHART_COLOR_PURPLE,     /* #CC79A7 reddish purple */
    CHART_COLOR_YELLOW,     /* #F0E442 */
    CHART_COLOR_GREY,       /* #999999 (also the "Other" pie slice) */
    CHART_COLOR__COUNT      /* keep last */
};

enum chart_side {
    CHART_LEFT = 0, /* the primary value axis */
    CHART_RIGHT     /* the second axis of CHART_COLUMN_DUAL only */
};

/* Footnote "n = 1,234 responses · scale 1–5, poor ≤ 2 · 2026-11-09 to
 * 2026-11-15 · SOURCE", drawn under every chart (parts left out when
 * absent). */
#define CHART_N_NONE (-1LL)
struct chart_footnote {
    long long n;         /* count behind the chart; CHART_N_NONE = not shown;
                            0 also makes the chart a "No data" panel */
    const char *n_label; /* word after n; NULL = "responses" */
    const char *scale;   /* e.g. "scale 1–5, poor ≤ 2"; NULL = not shown */
    const char *window;  /* e.g. "2026-11-09 to 2026-11-15"; NULL = none */
    const char *source;  /* anything else for the same line; NULL = none */
};

struct chart_series {
    const char *name;       /* legend text; NULL or "" = no legend entry */
    const double *values;   /* n_categories values; NaN or ±Inf = missing;
                               NULL = all missing */
    const double *lo;       /* optional interval low ends, n_categories: the
                               band of a LINE, whiskers of COLUMN, CLUSTERED
                               and BAR; NULL = none, NaN = none at a point */
    const double *hi;       /* interval high ends, same rules as lo */
    enum chart_side axis;   /* CHART_RIGHT only in CHART_COLUMN_DUAL */
    enum chart_color color; /* CHART_COLOR_AUTO = by series position */
};

/* A value axis.  Ticks are 1-2-5 steps covering the data, intervals
 * included, and zero (except on a fixed axis, and on a LINE chart with a
 * FIXED format such as a mean, where the data alone decide).  Tick labels
 * use as many decimals as their step needs; value labels use `decimals`.
 * An INT axis never steps by less than 1. */
struct chart_axis {
    const char *title;     /* short text drawn above the axis, e.g.
                              "Share of respondents"; NULL = none */
    enum chart_numfmt fmt; /* format of ticks and value labels */
    int decimals;          /* value-label decimals for PERCENT and FIXED
                              (clamped to 0..6) */
    bool fixed;            /* true: the axis spans [min, max] exactly and
                              values outside are clipped */
    double min, max;       /* the fixed range (ignored unless fixed; must be
                              finite with min < max, else the data decide) */
};

struct chart_spec {
    enum chart_kind kind;              /* what to draw */
    const char *title;                 /* bold headline, wraps to 2 lines,
                                          e.g. "Overall rating — 1–5 scale,
                                          threshold 2"; NULL = none */
    const char *subtitle;              /* one or two lines under the title */
    struct chart_footnote footnote;    /* the line under every chart */
    const char *const *notes;          /* extra footnote lines (bins used,
                                          partial weeks, ...), n_notes */
    size_t n_notes;                    /* number of notes */
    const char *const *categories;     /* n_categories labels; NULL array or
                                          NULL entries draw as empty */
    size_t n_categories;               /* 0 draws the "No data" panel */
    const char *category_title;        /* caption under the category axis of
                                          COLUMN/DUAL/LINE/CLUSTERED ("Score",
                                          "ISO week"); NULL = none */
    const struct chart_series *series; /* n_series series */
    size_t n_series;                   /* 0 draws the "No data" panel */
    struct chart_axis axis;            /* primary value axis: y of columns and
                                          lines, x of BAR; formats PIE values;
                                          STACKED always shows percent */
    struct chart_axis axis2;           /* right axis of CHART_COLUMN_DUAL */
    const bool *highlight;             /* optional per-category flags: COLUMN
                                          draws flagged columns in vermillion
                                          (e.g. poor scores); n_categories */
    const char *highlight_label;       /* legend text for highlighted columns
                                          ("Poor (≤ 2)"); NULL = no entry;
                                          COLUMN_DUAL highlights its one left
                                          series too */
    const char *interval_label;        /* legend text for bands and whiskers
                                          ("95% interval (Wilson)") */
    const char *no_data_text;          /* second line of the "No data" panel
                                          ("No responses in this window") */
    const unsigned char *marks;        /* LINE: optional per-category marks
                                          (n_categories): CHART_MARK_PERIOD or
                                          CHART_MARK_BASE shade the category's
                                          slot, 0 leaves it plain */
    const char *mark_labels[3];        /* legend text of marks 1 and 2
                                          ([0] unused); NULL = no entry */
    const bool *hollow;                /* LINE: optional per-category flags:
                                          the point is drawn hollow (e.g.
                                          fewer than --min-n responses) */
    const char *hollow_label;          /* legend text for hollow points */
    const unsigned char *cat_marks;    /* COLUMN of one series: optional
                                          per-category marks (n_categories):
                                          CHART_CAT_BASELINE draws that
                                          column hatched and outlined; 0 =
                                          plain */
    const char *baseline_label;        /* legend text of the hatched column
                                          ("Baseline"); NULL = no entry */
    const char *const *cat_tags;       /* COLUMN of one series: optional
                                          per-category short text in bold
                                          above the value label (and past
                                          the whisker): "baseline",
                                          "▲ worse"; NULL entries =
                                          none; wraps to two lines in a
                                          narrow slot */
    bool sort_desc;                    /* BAR: largest value first, missing
                                          values last (stable) */
    bool donut;                        /* PIE: a ring with the total inside */
    bool show_totals;                  /* STACKED: each category's total
                                          (as an integer) right of its bar */
    bool no_value_labels;              /* never draw value labels; by default
                                          they are drawn wherever they fit */
    size_t max_slices;                 /* PIE: 0 = 6 (including "Other") */
    const char *other_label;           /* PIE: name of the folded slice;
                                          NULL = "Other" ("All other issues"
                                          for issue tags, so it cannot be
                                          read as the OtherIssues tag) */
    int width_px, height_px;           /* PNG size; 0 = 1200 x 700; each must
                                          be 100..10000 */
    int dpi;                           /* pixels per inch; 0 = 144; 36..1200 */
};

/* Marks of a COLUMN chart's categories (chart_spec.cat_marks). */
enum { CHART_CAT_PLAIN = 0,
       CHART_CAT_BASELINE = 1 };

/* Marks of a LINE chart's categories (chart_spec.marks). */
enum { CHART_MARK_NONE = 0,
       CHART_MARK_PERIOD = 1,
       CHART_MARK_BASE = 2 };

/* Zero *spec, set kind, footnote.n = CHART_N_NONE and the default size.
 * Specs built by other means work too: zero fields mean the defaults. */
void chart_spec_init(struct chart_spec *spec, enum chart_kind kind);

/* Draw spec into path as format.  Ownership: borrows spec and path.
 * A spec without drawable data ("No data": no categories, no series, no
 * finite value, no positive pie or stacked value, or footnote.n == 0) gives
 * a chart with its title, a "No data" panel and its footnote, not an error.
 * Errors: see the top of this file; on error no file exists at path (an
 * older file there is left as it was). */
cs_status chart_render(const struct chart_spec *spec, enum chart_format format,
                       const char *path, struct cs_err *err);

/* Draw spec as SVG text into *out (owned, xfree; NUL-terminated), the same
 * bytes as chart_render's SVG file, for pages that inline their charts:
 * the same from run to run (cairo's "surfaceN" ids, N counted across the
 * process, are written as their rank in this SVG).  Errors as
 * chart_render's, but no file is involved (no CS_E_IO). */
cs_status chart_render_svg_mem(const struct chart_spec *spec, char **out,
                               struct cs_err *err);

/* File extension without the dot ("png", "svg", "pdf"); NULL when unknown. */
const char *chart_format_ext(enum chart_format format);

/* ---- Number and footnote text (pure) ---------------------------------- */

/* Format v into buf (size >= 2; truncated to fit, always terminated):
 * INT rounds to an integer; PERCENT multiplies by 100 and appends "%";
 * FIXED keeps `decimals` (clamped to 0..6; INT ignores it) decimals.  The
 * integer part gets "," thousands separators, negatives a "−" (U+2212), a
 * value that rounds to zero never shows a sign, NaN/Inf give "–" (U+2013).
 * Rounding is half away from zero on the binary value (12.5 -> "13",
 * but 1.005 is 1.00499... and gives "1.00" with two decimals).
 * Magnitudes >= 1e15 fall back to "%.3g".  Returns buf. */
char *chart_format_number(double v, enum chart_numfmt fmt, int decimals,
                          char *buf, size_t size);

/* The footnote line of f, parts joined by " · "; "" when all absent.
 * Returns owned (free with xfree). */
char *chart_footnote_text(const struct chart_footnote *f);

/* Release pango's process-wide font map.  Optional: for leak-checked
 * builds only, called at most once at the end of the program after the
 * last chart.  Charts must not be drawn afterwards.  Fontconfig's caches
 * are not released (its teardown can assert at exit). */
void chart_cleanup(void);

#endif
