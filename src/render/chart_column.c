/*
 * render/chart_column.c: category charts (column, dual, clustered, line):
 * a layout step (cat_plan: series per axis, ticks, gutters,
 * label band, plot box) and a draw step (grid, columns and whiskers,
 * right-axis markers, value labels, baseline, category labels); the line
 * kind's series are drawn by chart_line.c.  See chart_draw.h.
 */
#include <glib.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "core/mem.h"
#include "render/chart.h"
#include "render/chart_draw.h"
#include "render/chart_internal.h"

/* ==== Layout constants (points unless said otherwise) ==================== */

#define CAT_TICK_SPACING 50.0   /* about one y interval per this much height */
#define CAT_TICKS_MIN 2         /* y intervals, at least */
#define CAT_TICKS_MAX 8         /* y intervals, at most */
#define CAT_AXIS_TITLE_GAP 6.0  /* axis title line to the plot headroom */
#define CAT_HEADROOM_BARE 2.0   /* over half a label line, no value labels */
#define CAT_HEADROOM_VALUES 6.0 /* over one value-label line */
#define CAT_TITLE_GAP 4.0       /* category labels to the category title */
#define CAT_AXIS_TITLE_SEP 4.0  /* between the left and right axis titles */
#define CAT_TICK_GUTTER 8.0     /* widest tick label to the plot edge */
#define CAT_RIGHT_GUTTER 6.0    /* right of the plot when no right axis */
#define CAT_PLOT_MIN 10.0       /* the plot is never narrower or lower */
#define CAT_XLABEL_GAP 3.0      /* over half a label line, plot to labels */
#define CAT_XBAND_SHARE 0.3     /* rotated label band: share of the region */
#define CAT_GUTTER_ROUNDS 4     /* widen the gutter for a rotated label */
#define CAT_REACH_SLACK 0.5     /* keep the rotated label this far inside */
#define CAT_CLIP_PAD 6.0        /* clip this far left and right of the plot */

#define COL_GROUP_SHARE 0.74    /* columns of a category: share of the slot */
#define COL_MAX_WIDTH 64.0      /* one column's group, at most */
#define COL_CLUSTER_GROWTH 0.75 /* clustered: max group per series */
#define COL_INNER_SHARE 0.08    /* gap between clustered columns: share */
#define COL_INNER_MIN 0.5       /* ... and at least */
#define WHISKER_CAP_SHARE 0.4   /* whisker cap: share of the column */
#define WHISKER_CAP_MAX 8.0     /* ... and at most */
#define MARKER_RADIUS 4.0       /* right-axis markers of a dual chart */
#define MARKER_HALF 6.0         /* half the box a marker keeps free */

#define VLABEL_SLOT_PAD 4.0   /* one series: a value label fits slot - this */
#define VLABEL_OVERHANG 1.0   /* clustered: column width + this */
#define VLABEL_GAP 3.0        /* value label to the column (or whisker) end */
#define VLABEL_INSIDE 4.0     /* label inside the column top, from the top */
#define VLABEL_MARKER_GAP 2.0 /* label above or below a marker */
#define VLABEL_INSIDE_TOL 1.0 /* a label this far below the top is inside */
#define VLABEL_DARK 0.5       /* text darker than this (red) gets a halo */

#define BASELINE_WIDTH 0.9 /* zero line */

#define TAG_MAX_LINES 2     /* a category tag wraps to at most this */
#define TAG_GAP 1.0         /* tag to the value label under it */
#define TAG_SLOT_SHARE 0.85 /* plot share of the region, for the estimate */

/* ==== Layout ============================================================= */

/* Series per axis, value ranges and ticks. */
static void
cat_plan_axes(const struct chart_spec *s, struct box r, struct cat_plan *cp)
{
    size_t n = s->n_categories;
    bool is_line = s->kind == CHART_LINE;
    bool dual = s->kind == CHART_COLUMN_DUAL;

    /* which series go where */
    cp->left = xcalloc(s->n_series, sizeof *cp->left);
    cp->right = xcalloc(s->n_series, sizeof *cp->right);
    for (size_t i = 0; i < s->n_series; i++) {
        if (dual && s->series[i].axis == CHART_RIGHT)
            cp->right[cp->nr++] = i;
        else
            cp->left[cp->nl++] = i;
    }

    /* value ranges */
    double llo = HUGE_VAL, lhi = -HUGE_VAL, rlo = HUGE_VAL, rhi = -HUGE_VAL;
    for (size_t k = 0; k < cp->nl; k++)
        chart_series_range(&s->series[cp->left[k]], n, &llo, &lhi);
    for (size_t k = 0; k < cp->nr; k++)
        chart_series_range(&s->series[cp->right[k]], n, &rlo, &rhi);
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

    int target = (int)(r.h / CAT_TICK_SPACING);
    target = target < CAT_TICKS_MIN
                 ? CAT_TICKS_MIN
                 : (target > CAT_TICKS_MAX ? CAT_TICKS_MAX : target);
    chart_axis_ticks(&s->axis, llo, lhi, target, &cp->lt);
    if (!dual)
        return;
    if (!s->axis2.fixed && !s->axis.fixed && cp->lt.min == 0.0 && rlo >= 0) {
        /* right ticks on the left gridlines: the same number of
         * intervals, with the smallest 1-2-5 step that covers rhi */
        struct chart_ticks tmp;
        int k = cp->lt.count;
        chart_nice_ticks(0, rhi, k, s->axis2.fmt == CHART_FMT_INT ? 1.0 : 0.0,
                         &tmp);
        cp->rt = tmp;
        cp->rt.min = 0;
        cp->rt.max = tmp.step * k;
        cp->rt.count = k;
    } else {
        chart_axis_ticks(&s->axis2, rlo, rhi, target, &cp->rt);
    }
}

/* Does category i have a tag (chart_spec.cat_tags)? */
static bool
has_tag(const struct chart_spec *s, size_t i)
{
    return s->cat_tags && s->cat_tags[i] && s->cat_tags[i][0];
}

/* A tag's layout, wrapped to width (two lines at most), centred. */
static PangoLayout *
tag_layout(struct rc *rc, const char *text, double width)
{
    return chart_text_layout(rc, text, FS_VALUE, true, width, TAG_MAX_LINES,
                             PANGO_ALIGN_CENTER);
}

/* Headroom the tags need over the value labels in a region w wide: as
 * many lines as the widest tag takes in a slot (estimated before the
 * tick gutters are known, so a little narrower than it will be). */
static double
col_tags_height(struct rc *rc, const struct chart_spec *s, double w)
{
    if (s->cat_tags == NULL || s->n_categories == 0)
        return 0;
    double slot = w * TAG_SLOT_SHARE / (double)s->n_categories - VLABEL_SLOT_PAD;
    double hmax = 0;
    for (size_t i = 0; i < s->n_categories; i++) {
        if (!has_tag(s, i))
            continue;
        PangoLayout *l = tag_layout(rc, s->cat_tags[i], slot);
        double h;
        chart_text_size(l, NULL, &h);
        g_object_unref(l);
        hmax = fmax(hmax, h);
    }
    return hmax > 0 ? hmax + TAG_GAP : 0;
}

/* The plot box inside region r: headroom and axis titles above, tick
 * gutters left and right, category labels (and title) below. */
static void
cat_plan_box(struct rc *rc, const struct chart_spec *s, struct box r,
             struct cat_plan *cp)
{
    bool dual = s->kind == CHART_COLUMN_DUAL;

    /* vertical budget */
    double top = r.y;
    double axis_lh = chart_line_height(rc, FS_AXIS, false);
    cp->has_axis_title = (s->axis.title && *s->axis.title) ||
                         (dual && s->axis2.title && *s->axis2.title);
    if (cp->has_axis_title)
        top += axis_lh + CAT_AXIS_TITLE_GAP;
    double label_lh = chart_line_height(rc, FS_LABEL, false);
    double vlh = chart_line_height(rc, FS_VALUE, true);
    cp->headroom = s->no_value_labels ? label_lh / 2 + CAT_HEADROOM_BARE
                                      : vlh + CAT_HEADROOM_VALUES;
    cp->headroom += col_tags_height(rc, s, r.w);
    top += cp->headroom;
    cp->cat_title_h = 0;
    if (s->category_title && *s->category_title)
        cp->cat_title_h = chart_line_height(rc, FS_AXIS, false) + CAT_TITLE_GAP;

    /* gutters */
    double lg =
        chart_ticks_label_width(rc, &cp->lt, s->axis.fmt) + CAT_TICK_GUTTER;
    double rg = dual ? chart_ticks_label_width(rc, &cp->rt, s->axis2.fmt) +
                           CAT_TICK_GUTTER
                     : CAT_RIGHT_GUTTER;
    struct box p = {r.x + lg, top, r.w - lg - rg, 0};
    if (p.w < CAT_PLOT_MIN)
        p.w = CAT_PLOT_MIN;
    struct xplan *xp = &cp->xp;
    cp->xgap = label_lh / 2 + CAT_XLABEL_GAP;
    chart_xlabels_plan(rc, s, p.w, r.h * CAT_XBAND_SHARE, xp);
    /* the first rotated label reaches down-left past the plot: widen the
     * gutter rather than cut the label short.  A narrower plot has narrower
     * slots, which moves the first label left again: repeat until it fits
     * (a few rounds; draw_xlabels shortens whatever still does not). */
    for (int round = 0; round < CAT_GUTTER_ROUNDS && xp->mode == XL_R45;
         round++) {
        double reach = SIN45 * xp->len + XL_R45_DROP * xp->lh - xp->slot / 2 +
                       CAT_REACH_SLACK;
        if (p.x - reach >= r.x)
            break;
        double grow = r.x - (p.x - reach);
        p.x += grow;
        p.w -= grow;
        if (p.w < CAT_PLOT_MIN)
            p.w = CAT_PLOT_MIN;
        chart_xlabels_plan(rc, s, p.w, r.h * CAT_XBAND_SHARE, xp);
    }
    p.h = r.y + r.h - top - cp->xgap - xp->band - cp->cat_title_h;
    if (p.h < CAT_PLOT_MIN)
        p.h = CAT_PLOT_MIN;
    cp->p = p;
}

/* The layout of a category chart in region r; release with cat_plan_free. */
static void
cat_plan(struct rc *rc, const struct chart_spec *s, struct box r,
         struct cat_plan *cp)
{
    memset(cp, 0, sizeof *cp);
    cat_plan_axes(s, r, cp);
    cat_plan_box(rc, s, r, cp);
    cp->slot = cp->p.w / (double)s->n_categories;
    cp->y0 = amap(&cp->lt, 0.0, cp->p.y + cp->p.h, cp->p.y);
}

static void
cat_plan_free(struct cat_plan *cp)
{
    xfree(cp->left);
    xfree(cp->right);
    cp->left = cp->right = NULL;
}

/* Columns of one category: the group's width, each column's, the gap
 * between clustered columns. */
struct colgeom {
    double group, bw, inner;
};

static struct colgeom
col_geometry(const struct cat_plan *cp)
{
    struct colgeom g;
    size_t nl = cp->nl;
    g.group = cp->slot * COL_GROUP_SHARE;
    double maxgroup =
        COL_MAX_WIDTH * (nl > 1 ? COL_CLUSTER_GROWTH * (double)nl : 1.0);
    g.group = g.group > maxgroup ? maxgroup : g.group;
    g.bw = g.group / (double)nl;
    g.inner = nl > 1 ? (g.bw * COL_INNER_SHARE < COL_INNER_MIN
                            ? COL_INNER_MIN
                            : g.bw * COL_INNER_SHARE)
                     : 0;
    return g;
}

/* ==== Drawing ============================================================ */

/* Gridlines, tick labels and axis titles. */
static void
cat_draw_axes(struct rc *rc, const struct chart_spec *s, struct box r,
              const struct cat_plan *cp)
{
    bool dual = s->kind == CHART_COLUMN_DUAL;
    struct rgb lc = hex(C_TICK);
    struct rgb right_c = cp->nr ? series_color(s, cp->right[0]) : lc;
    chart_draw_vticks(rc, &cp->lt, s->axis.fmt, cp->p, true, true, lc);
    if (dual)
        /* right gridlines only ever coincide with the left ones */
        chart_draw_vticks(rc, &cp->rt, s->axis2.fmt, cp->p, false, false,
                          right_c);
    if (!cp->has_axis_title)
        return;
    if (s->axis.title && *s->axis.title)
        chart_text_draw(rc, s->axis.title, FS_AXIS, false,
                        r.w / 2 - CAT_AXIS_TITLE_SEP, 1, PANGO_ALIGN_LEFT, r.x,
                        r.y, hex(C_SUB), false, NULL, NULL);
    if (dual && s->axis2.title && *s->axis2.title)
        chart_text_draw(rc, s->axis2.title, FS_AXIS, false,
                        r.w / 2 - CAT_AXIS_TITLE_SEP, 1, PANGO_ALIGN_RIGHT,
                        r.x + r.w / 2 + CAT_AXIS_TITLE_SEP, r.y,
                        cp->nr ? series_color(s, cp->right[0]) : hex(C_SUB),
                        false, NULL, NULL);
}

/* Clip to the plot plus the headroom above it. */
static void
cat_clip(cairo_t *cr, const struct cat_plan *cp)
{
    const struct box *p = &cp->p;
    cairo_rectangle(cr, p->x - CAT_CLIP_PAD, p->y - cp->headroom,
                    p->w + 2 * CAT_CLIP_PAD, p->h + cp->headroom);
    cairo_clip(cr);
}

static void
whisker_v(struct rc *rc, double x, double y0, double y1, double cap)
{
    cairo_t *cr = rc->cr;
    chart_probe_box(rc, PROBE_WHISKER,
                    (struct box){x - cap / 2, fmin(y0, y1), cap, fabs(y1 - y0)});
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

/* The colour of column k (of the left series) at category i. */
static struct rgb
col_color(const struct chart_spec *s, const struct cat_plan *cp, size_t k,
          size_t i)
{
    struct rgb c = series_color(s, cp->left[k]);
    if (cp->nl == 1 && s->highlight && s->highlight[i])
        c = hex(palette_hex[CHART_COLOR_VERMILLION]);
    return c;
}

/* The columns of the left series, then their whiskers. */
static void
cat_draw_columns(struct rc *rc, const struct chart_spec *s,
                 const struct cat_plan *cp, const struct colgeom *g)
{
    cairo_t *cr = rc->cr;
    size_t n = s->n_categories;
    const struct box p = cp->p;
    for (size_t k = 0; k < cp->nl; k++) {
        const struct chart_series *sr = &s->series[cp->left[k]];
        for (size_t i = 0; i < n; i++) {
            if (!fin(sr->values, i))
                continue;
            double x = p.x + cp->slot * ((double)i + 0.5) - g->group / 2 +
                       g->bw * (double)k + g->inner / 2;
            double y = amap(&cp->lt, sr->values[i], p.y + p.h, p.y);
            struct rgb c = col_color(s, cp, k, i);
            double yb = clampd(cp->y0, p.y, p.y + p.h);
            struct box col = {x, fmin(y, yb), g->bw - g->inner, fabs(yb - y)};
            if (cp->nl == 1 && s->cat_marks && s->cat_marks[i] == CHART_CAT_BASELINE) {
                chart_hatch_box(cr, col, c); /* the baseline, told apart */
                continue;
            }
            cairo_rectangle(cr, col.x, col.y, col.w, col.h);
            set_rgb(cr, c);
            cairo_fill(cr);
        }
    }
    for (size_t k = 0; k < cp->nl; k++) {
        const struct chart_series *sr = &s->series[cp->left[k]];
        for (size_t i = 0; i < n && sr->lo && sr->hi; i++) {
            if (!fin(sr->lo, i) || !fin(sr->hi, i))
                continue;
            double x = p.x + cp->slot * ((double)i + 0.5) - g->group / 2 +
                       g->bw * ((double)k + 0.5);
            double cap = g->bw * WHISKER_CAP_SHARE > WHISKER_CAP_MAX
                             ? WHISKER_CAP_MAX
                             : g->bw * WHISKER_CAP_SHARE;
            whisker_v(rc, x, amap(&cp->lt, sr->lo[i], p.y + p.h, p.y),
                      amap(&cp->lt, sr->hi[i], p.y + p.h, p.y), cap);
        }
    }
}

/* Dual: the right-axis series as lines with markers.  Returns the first
 * series' marker boxes, one per category (owned, xfree), for the value
 * labels to avoid; NULL when there is no right series. */
static struct box *
cat_draw_markers(struct rc *rc, const struct chart_spec *s,
                 const struct cat_plan *cp)
{
    size_t n = s->n_categories;
    const struct box p = cp->p;
    if (s->kind != CHART_COLUMN_DUAL || cp->nr == 0)
        return NULL;
    struct box *markers = xcalloc(n, sizeof *markers);
    for (size_t k = 0; k < cp->nr; k++) {
        const struct chart_series *sr = &s->series[cp->right[k]];
        chart_line_series_draw(rc, sr->values, n, &cp->rt, p, cp->slot,
                               series_color(s, cp->right[k]), true,
                               MARKER_RADIUS, NULL);
        for (size_t i = 0; i < n && k == 0; i++) {
            if (!fin(sr->values, i))
                continue;
            double x = p.x + cp->slot * ((double)i + 0.5);
            double y = amap(&cp->rt, sr->values[i], p.y + p.h, p.y);
            markers[i] = (struct box){x - MARKER_HALF, y - MARKER_HALF,
                                      2 * MARKER_HALF, 2 * MARKER_HALF};
            chart_probe_box(rc, PROBE_MARKER, markers[i]);
        }
    }
    return markers;
}

/* Value labels are all or nothing: true when there are at most
 * MAX_VALUE_LABELS and each fits its column (one series: its slot). */
static bool
col_labels_fit(struct rc *rc, const struct chart_spec *s,
               const struct cat_plan *cp, const struct colgeom *g)
{
    size_t nbars = 0;
    if (s->no_value_labels)
        return false;
    for (size_t k = 0; k < cp->nl; k++) {
        const struct chart_series *sr = &s->series[cp->left[k]];
        for (size_t i = 0; i < s->n_categories; i++) {
            if (!fin(sr->values, i))
                continue;
            if (++nbars > MAX_VALUE_LABELS)
                return false;
            PangoLayout *l =
                chart_value_layout(rc, sr->values[i], &s->axis, false);
            double w;
            chart_text_size(l, &w, NULL);
            g_object_unref(l);
            if (w > (cp->nl == 1 ? cp->slot - VLABEL_SLOT_PAD
                                 : g->bw + VLABEL_OVERHANG))
                return false;
        }
    }
    return true;
}

/* The label box b of column k at category i sits on the right-axis marker
 * m: try inside the column top, above the marker, below the marker, and
 * take the first that is free (with a contrasting colour inside the
 * column); when none is, above the marker past the plot's headroom. */
static void
col_label_dodge(const struct chart_spec *s, const struct cat_plan *cp, size_t k,
                size_t i, struct box m, struct box *b, struct rgb *c)
{
    const struct chart_series *sr = &s->series[cp->left[k]];
    const struct box p = cp->p;
    double v = sr->values[i];
    double yv = amap(&cp->lt, v, p.y + p.h, p.y);
    double w = b->w, h = b->h;
    struct rgb colc = col_color(s, cp, k, i);
    double colh = fabs(cp->y0 - yv);
    struct box cand[3] = {
        {b->x, yv + VLABEL_INSIDE, w, h},
        {b->x, m.y - VLABEL_MARKER_GAP - h, w, h},
        {b->x, m.y + m.h + VLABEL_MARKER_GAP, w, h},
    };
    bool ok[3] = {v > 0 && colh >= h + 2 * VLABEL_INSIDE,
                  cand[1].y >= p.y - cp->headroom, cand[2].y + h <= p.y + p.h};
    for (size_t q = 0; q < 3; q++) {
        if (!ok[q] || boxes_overlap(cand[q], m))
            continue;
        *b = cand[q];
        /* inside the column: contrast with its colour */
        if (v > 0 && b->y >= yv + VLABEL_INSIDE_TOL && b->y + h <= cp->y0)
            *c = text_on(colc);
        return;
    }
    /* none is free within the plot: above the marker all the same (value
     * labels are drawn unclipped), so a marker never hides a label */
    *b = cand[1];
}

/* One value label per column, above it (below for a negative value, past
 * the whisker when there is one), added to vl. */
static void
col_add_labels(struct rc *rc, const struct chart_spec *s,
               const struct cat_plan *cp, const struct colgeom *g,
               const struct box *markers, struct vlabels *vl, double *tops)
{
    const struct box p = cp->p;
    for (size_t k = 0; k < cp->nl; k++) {
        const struct chart_series *sr = &s->series[cp->left[k]];
        for (size_t i = 0; i < s->n_categories; i++) {
            if (!fin(sr->values, i))
                continue;
            double v = sr->values[i];
            double cx = p.x + cp->slot * ((double)i + 0.5) - g->group / 2 +
                        g->bw * ((double)k + 0.5);
            double yv = amap(&cp->lt, v, p.y + p.h, p.y);
            double ytop = yv;
            if (fin(sr->hi, i) && fin(sr->lo, i))
                ytop = fmin(ytop, amap(&cp->lt, sr->hi[i], p.y + p.h, p.y));
            PangoLayout *l = chart_value_layout(rc, v, &s->axis, false);
            double w, h;
            chart_text_size(l, &w, &h);
            struct rgb c = hex(C_TEXT);
            struct box b = {cx - w / 2, ytop - VLABEL_GAP - h, w, h};
            if (v < 0) {
                double ybot = yv;
                if (fin(sr->lo, i) && fin(sr->hi, i))
                    ybot = fmax(ybot, amap(&cp->lt, sr->lo[i], p.y + p.h, p.y));
                b.y = ybot + VLABEL_GAP;
            }
            if (markers && markers[i].w > 0 && boxes_overlap(b, markers[i]))
                col_label_dodge(s, cp, k, i, markers[i], &b, &c);
            chart_vlabels_add(vl, l, b.x, b.y, c, c.r < VLABEL_DARK);
            if (k == 0 && tops)
                tops[i] = b.y;
        }
    }
}

/* The category tags (chart_spec.cat_tags) of a one-series column chart,
 * centred over their column: above its value label (tops[i], NaN when it
 * has none), else past the whisker's end or the column's top, whichever
 * is higher; so a tag never meets a whisker or a label.  Added to vl. */
static void
col_add_tags(struct rc *rc, const struct chart_spec *s, const struct cat_plan *cp,
             const double *tops, struct vlabels *vl)
{
    const struct box p = cp->p;
    const struct chart_series *sr = &s->series[cp->left[0]];
    for (size_t i = 0; i < s->n_categories; i++) {
        if (!has_tag(s, i))
            continue;
        double top = cp->y0;
        if (fin(sr->values, i))
            top = fmin(top, amap(&cp->lt, sr->values[i], p.y + p.h, p.y));
        if (fin(sr->hi, i) && fin(sr->lo, i))
            top = fmin(top, amap(&cp->lt, sr->hi[i], p.y + p.h, p.y));
        top -= VLABEL_GAP;
        if (tops && isfinite(tops[i]))
            top = fmin(top, tops[i]);
        double w = cp->slot - VLABEL_SLOT_PAD, h;
        PangoLayout *l = tag_layout(rc, s->cat_tags[i], w);
        chart_text_size(l, NULL, &h);
        chart_vlabels_add(vl, l, p.x + cp->slot * ((double)i + 0.5) - w / 2,
                          top - TAG_GAP - h, hex(C_TEXT), true);
    }
}

/* The column part (columns, whiskers, dual markers, value labels into vl),
 * inside the plot clip that the caller set. */
static void
col_draw(struct rc *rc, const struct chart_spec *s, const struct cat_plan *cp,
         struct vlabels *vl)
{
    struct colgeom g = col_geometry(cp);
    cat_draw_columns(rc, s, cp, &g);
    cairo_restore(rc->cr);
    cairo_save(rc->cr);
    cat_clip(rc->cr, cp);
    struct box *markers = cat_draw_markers(rc, s, cp);
    bool tags = s->cat_tags && cp->nl == 1;
    double *tops = NULL;
    if (tags) {
        tops = xcalloc(s->n_categories, sizeof *tops);
        for (size_t i = 0; i < s->n_categories; i++)
            tops[i] = (double)NAN;
    }
    if (col_labels_fit(rc, s, cp, &g))
        col_add_labels(rc, s, cp, &g, markers, vl, tops);
    if (tags)
        col_add_tags(rc, s, cp, tops, vl);
    xfree(tops);
    xfree(markers);
}

void
chart_category_draw(struct rc *rc, const struct chart_spec *s, struct box r)
{
    cairo_t *cr = rc->cr;
    struct cat_plan cp;
    cat_plan(rc, s, r, &cp);
    const struct box p = cp.p;

    cat_draw_axes(rc, s, r, &cp);
    struct vlabels vl = {0};
    cairo_save(cr);
    cat_clip(cr, &cp);
    if (s->kind != CHART_LINE && cp.nl > 0)
        col_draw(rc, s, &cp, &vl);
    if (s->kind == CHART_LINE)
        chart_line_draw(rc, s, &cp, &vl);
    cairo_restore(cr);

    /* baseline again on top of the columns (the plot bottom when zero is
     * not on the axis) */
    double y0 = cp.y0;
    if (!(cp.lt.min <= 0 && cp.lt.max >= 0))
        y0 = p.y + p.h;
    cairo_move_to(cr, p.x, y0);
    cairo_line_to(cr, p.x + p.w, y0);
    set_rgb(cr, hex(C_BASE));
    cairo_set_line_width(cr, BASELINE_WIDTH);
    cairo_stroke(cr);
    chart_vlabels_flush(rc, &vl);

    chart_xlabels_draw(rc, s, &cp.xp, p, p.y + p.h + cp.xgap, MARGIN);
    if (cp.cat_title_h > 0)
        chart_text_draw(rc, s->category_title, FS_AXIS, false, p.w, 1,
                        PANGO_ALIGN_CENTER, p.x,
                        p.y + p.h + cp.xgap + cp.xp.band + CAT_TITLE_GAP,
                        hex(C_SUB), false, NULL, NULL);
    cat_plan_free(&cp);
}
