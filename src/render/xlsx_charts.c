/*
 * render/xlsx_charts.c: the workbook's native charts (issue 18).
 *
 * Native charts exist where the drawn PNG has one (the callers decide) and
 * look like it: series take the Okabe-Ito colours of render/palette.h in
 * the drawn charts' order, poor scores are vermillion, titles are short and
 * set in 11 pt so that Excel and LibreOffice do not clip them, and data
 * labels are plain values with a number format.  Custom labels that point
 * at cells (c15:datalabelsRange) are not used: LibreOffice shows them as
 * percentages of the series.
 */
#include "render/xlsx_internal.h"

#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "model/survey.h"
#include "render/palette.h"

static uint8_t
chart_type(enum cs_xlsx_chart_kind k)
{
    switch (k) {
    case CS_XLSX_CHART_BAR: return LXW_CHART_BAR;
    case CS_XLSX_CHART_PIE: return LXW_CHART_PIE;
    case CS_XLSX_CHART_LINE: return LXW_CHART_LINE;
    default: return LXW_CHART_COLUMN;
    }
}

/* Series i of a chart of kind in the palette's i-th colour. */
static void
series_colour(lxw_chart_series *se, enum cs_xlsx_chart_kind kind, size_t i)
{
    lxw_color_t c = cs_palette_series(i);
    if (kind == CS_XLSX_CHART_LINE) {
        lxw_chart_line line = {.color = c, .width = 2.25};
        chart_series_set_line(se, &line);
        chart_series_set_marker_type(se, LXW_CHART_MARKER_CIRCLE);
        chart_series_set_marker_size(se, 5);
        lxw_chart_fill mf = {.color = c};
        lxw_chart_line ml = {.color = c};
        chart_series_set_marker_fill(se, &mf);
        chart_series_set_marker_line(se, &ml);
    } else {
        lxw_chart_fill fill = {.color = c};
        lxw_chart_line line = {.color = c};
        chart_series_set_fill(se, &fill);
        chart_series_set_line(se, &line);
    }
}

/* Slices (or columns) 0..n-1 of se in the palette's order, or in the
 * colours given. */
static void
point_colours(struct cs_xlsx *x, lxw_chart_series *se, size_t n, const lxw_color_t *given)
{
    lxw_chart_fill *fill = xcalloc(n ? n : 1, sizeof *fill);
    lxw_chart_line *line = xcalloc(n ? n : 1, sizeof *line);
    lxw_chart_point *pt = xcalloc(n ? n : 1, sizeof *pt);
    lxw_chart_point **pp = xcalloc(n + 1, sizeof *pp);
    for (size_t i = 0; i < n; i++) {
        fill[i].color = given ? given[i] : cs_palette_series(i);
        line[i].color = given ? given[i] : 0xFFFFFF; /* slices: white edges */
        pt[i] = (lxw_chart_point){.line = &line[i], .fill = &fill[i]};
        pp[i] = &pt[i];
    }
    xl_check(x, chart_series_set_points(se, pp), "chart_series_set_points", NULL, 0, 0);
    xfree(pp);
    xfree(pt);
    xfree(line);
    xfree(fill);
}

static void
chart_title(struct cs_xlsx *x, lxw_chart *ch, const char *title)
{
    char *t = xl_chart_text(x, title);
    chart_title_set_name(ch, t);
    lxw_chart_font f = {.size = 11, .bold = LXW_TRUE};
    chart_title_set_name_font(ch, &f);
    xfree(t);
}

static void
insert(struct cs_xlsx *x, struct xl_sheet *sh, lxw_chart *ch, const struct xl_anchor *at)
{
    lxw_chart_options co = {.x_offset = (int32_t)at->x_px,
                            .x_scale = at->x_scale > 0 ? at->x_scale : 1,
                            .y_scale = at->y_scale > 0 ? at->y_scale : 1};
    xl_check(x, worksheet_insert_chart_opt(sh->ws, at->row, at->col, ch, &co),
             "worksheet_insert_chart", sh, at->row, at->col);
}

lxw_chart *
xl_chart(struct cs_xlsx *x, struct xl_sheet *sh, enum cs_xlsx_chart_kind kind, lxw_row_t r0,
         lxw_row_t r1, lxw_col_t cat_col, const lxw_col_t *val_cols, size_t n_vals,
         const char *title, const char *value_format, const struct xl_anchor *at)
{
    if (x->lerr || r1 <= r0 || n_vals == 0)
        return NULL;
    lxw_chart *ch = workbook_add_chart(x->wb, chart_type(kind));
    if (!ch) {
        xl_check(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "workbook_add_chart", sh, at->row, at->col);
        return NULL;
    }
    if (kind == CS_XLSX_CHART_PIE)
        n_vals = 1;
    for (size_t i = 0; i < n_vals; i++) {
        lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
        if (!se) {
            xl_check(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "chart_add_series", sh, at->row, at->col);
            return NULL;
        }
        chart_series_set_categories(se, sh->name, r0 + 1, cat_col, r1, cat_col);
        chart_series_set_values(se, sh->name, r0 + 1, val_cols[i], r1, val_cols[i]);
        /* the series name is the header cell: a reference, not text */
        chart_series_set_name_range(se, sh->name, r0, val_cols[i]);
        if (kind == CS_XLSX_CHART_PIE)
            point_colours(x, se, (size_t)(r1 - r0), NULL);
        else
            series_colour(se, kind, i);
    }
    chart_title(x, ch, title);
    if (kind != CS_XLSX_CHART_PIE) {
        if (n_vals == 1)
            chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
        /* in a bar chart the axes swap: x is the (horizontal) value axis */
        lxw_chart_axis *val = kind == CS_XLSX_CHART_BAR ? ch->x_axis : ch->y_axis;
        if (value_format)
            chart_axis_set_num_format(val, value_format);
        if (kind == CS_XLSX_CHART_BAR) {
            /* first row at the top, as in the table; values stay below */
            chart_axis_set_reverse(ch->y_axis);
            chart_axis_set_crossing_max(ch->y_axis);
        }
    }
    insert(x, sh, ch, at);
    return ch;
}

void
xl_chart_value_labels(lxw_chart *ch, const char *num_format)
{
    if (!ch)
        return;
    lxw_chart_series *se;
    STAILQ_FOREACH(se, ch->series_list, list_pointers)
    {
        chart_series_set_labels(se);
        if (num_format)
            chart_series_set_labels_num_format(se, num_format);
        lxw_chart_font f = {.size = 8};
        chart_series_set_labels_font(se, &f);
        if (ch->type != LXW_CHART_LINE)
            chart_series_set_labels_position(se, LXW_CHART_LABEL_POSITION_OUTSIDE_END);
    }
}

const char *
xl_scale_short(const struct rep_group *g, char *b, size_t n)
{
    char lo[32], hi[32];
    snprintf(b, n, "%s %s\xE2\x80\x93%s", cs_category_title((enum cs_category)g->cat),
             cs_js_number(g->scale.lower, lo), cs_js_number(g->scale.upper, hi));
    return b;
}

void
xl_dist_chart(struct cs_xlsx *x, struct xl_sheet *sh, const struct rep_group *g, lxw_row_t h,
              lxw_col_t c0, const struct xl_anchor *at)
{
    if (g->n_dist == 0 || g->n_dist > XL_MAX_DIST_COLUMNS)
        return;
    char lbl[128], title[256], th[32];
    snprintf(title, sizeof title, "%s: share of responses per score",
             xl_scale_short(g, lbl, sizeof lbl));
    lxw_col_t vc = c0 + 2;
    lxw_chart *ch = xl_chart(x, sh, CS_XLSX_CHART_COLUMN, h, h + (lxw_row_t)g->n_dist, c0, &vc, 1,
                             title, "0%", at);
    if (!ch)
        return;
    /* poor scores vermillion, the others blue, as the drawn chart */
    lxw_color_t *col = xcalloc(g->n_dist, sizeof *col);
    for (size_t j = 0; j < g->n_dist; j++)
        col[j] = g->dist[j].score <= g->scale.threshold ? CS_PAL_VERMILLION : CS_PAL_BLUE;
    point_colours(x, STAILQ_FIRST(ch->series_list), g->n_dist, col);
    xfree(col);
    xl_chart_value_labels(ch, "0.0%");
    chart_axis_set_min(ch->y_axis, 0);
    snprintf(title, sizeof title, "Score (vermillion: poor, \xE2\x89\xA4 %s)",
             cs_js_number(g->scale.threshold, th));
    chart_axis_set_name(ch->x_axis, title);
    lxw_chart_font f = {.size = 9, .bold = LXW_FALSE};
    chart_axis_set_name_font(ch->x_axis, &f);
}

lxw_row_t
xl_trend_charts(struct cs_xlsx *x, struct xl_sheet *sh, const struct rep_group *const *prim,
                const size_t *n_points, size_t n, lxw_row_t h, size_t n_buckets, const char *unit,
                lxw_row_t ar)
{
    char lbl[128], title[256];
    size_t drawn = 0;
    for (size_t k = 0; k < n && n_buckets > 0; k++) {
        if (n_points[k] < 2) /* one period is a value, not a trend (as the PNGs) */
            continue;
        snprintf(title, sizeof title, "%s: poor rate per %s", xl_scale_short(prim[k], lbl, sizeof lbl),
                 unit);
        lxw_col_t vc = (lxw_col_t)(k + 1);
        struct xl_anchor at = {.row = ar + (lxw_row_t)(drawn / 2) * XL_CHART_ROWS,
                               .x_px = (uint32_t)(drawn % 2) * XL_CHART_STEP_PX};
        lxw_chart *ch = xl_chart(x, sh, CS_XLSX_CHART_LINE, h, h + (lxw_row_t)n_buckets, 0, &vc,
                                 1, title, "0%", &at);
        if (ch)
            chart_axis_set_min(ch->y_axis, 0);
        drawn++;
    }
    return (lxw_row_t)((drawn + 1) / 2) * XL_CHART_ROWS;
}
