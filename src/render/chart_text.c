/*
 * render/chart_text.c: the drawing context and text of the charts: pango
 * layouts in DejaVu Sans with fixed font options, measuring, drawing
 * (optionally with a white halo, or rotated), and the value labels that
 * every kind collects and draws last.  See chart_draw.h.
 */
#include <glib.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "render/chart.h"
#include "render/chart_draw.h"
#include "render/chart_internal.h"


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
PangoLayout *
chart_text_layout(struct rc *rc, const char *text, double size, bool bold,
                  double width, int max_lines, PangoAlignment align)
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

void
chart_text_size(PangoLayout *l, double *w, double *h)
{
    PangoRectangle r;
    pango_layout_get_extents(l, NULL, &r);
    if (w)
        *w = r.width / (double)PANGO_SCALE;
    if (h)
        *h = r.height / (double)PANGO_SCALE;
}

double
chart_text_width(struct rc *rc, const char *text, double size, bool bold)
{
    PangoLayout *l =
        chart_text_layout(rc, text, size, bold, 0, 1, PANGO_ALIGN_LEFT);
    double w;
    chart_text_size(l, &w, NULL);
    g_object_unref(l);
    return w;
}

double
chart_line_height(struct rc *rc, double size, bool bold)
{
    PangoLayout *l =
        chart_text_layout(rc, "Ag", size, bold, 0, 1, PANGO_ALIGN_LEFT);
    double h;
    chart_text_size(l, NULL, &h);
    g_object_unref(l);
    return h;
}

/* Draw l with its top-left at (x, y); halo draws a white outline first so
 * the text stays readable over gridlines, lines and markers. */
void
chart_text_show(struct rc *rc, PangoLayout *l, double x, double y, struct rgb c,
                bool halo)
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
void
chart_text_draw(struct rc *rc, const char *text, double size, bool bold,
                double width, int max_lines, PangoAlignment align, double x,
                double y, struct rgb c, bool halo, double *w, double *h)
{
    PangoLayout *l =
        chart_text_layout(rc, text, size, bold, width, max_lines, align);
    chart_text_show(rc, l, x, y, c, halo);
    chart_text_size(l, w, h);
    g_object_unref(l);
}

/* Text rotated by angle (radians, negative = counter-clockwise) with the
 * middle of its end at (x, y). */
void
chart_text_show_rotated(struct rc *rc, PangoLayout *l, double x, double y,
                        double angle, struct rgb c)
{
    double w, h;
    chart_text_size(l, &w, &h);
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

void
chart_vlabels_add(struct vlabels *vl, PangoLayout *l, double x, double y,
                  struct rgb c, bool halo)
{
    if (vl->n == vl->cap) {
        vl->cap = vl->cap ? 2 * vl->cap : 16;
        vl->v = xreallocarray(vl->v, vl->cap, sizeof *vl->v);
    }
    struct vlabel *e = &vl->v[vl->n++];
    e->l = l;
    e->x = x;
    e->y = y;
    chart_text_size(l, &e->w, &e->h);
    e->c = c;
    e->halo = halo;
}

void
chart_vlabels_flush(struct rc *rc, struct vlabels *vl)
{
    for (size_t i = 0; i < vl->n; i++) {
        chart_probe_box(rc, PROBE_LABEL,
                        (struct box){vl->v[i].x, vl->v[i].y, vl->v[i].w, vl->v[i].h});
        chart_text_show(rc, vl->v[i].l, vl->v[i].x, vl->v[i].y, vl->v[i].c,
                        vl->v[i].halo);
        g_object_unref(vl->v[i].l);
    }
    xfree(vl->v);
    memset(vl, 0, sizeof *vl);
}

PangoLayout *
chart_value_layout(struct rc *rc, double v, const struct chart_axis *a,
                   bool bold)
{
    char buf[64];
    /* a positive value that would print as zero (one mention among 2,000
     * responses: "0.0%") says "<0.1%" instead, as pie legends do */
    int d = a->decimals < 0 ? 0 : a->decimals > 6 ? 6
                                                  : a->decimals;
    double unit = pow(10.0, -d) * (a->fmt == CHART_FMT_PERCENT ? 0.01 : 1.0);
    if (a->fmt != CHART_FMT_INT && v > 0 && v < unit / 2) {
        char u[48];
        chart_format_number(unit, a->fmt, d, u, sizeof u);
        snprintf(buf, sizeof buf, "<%s", u);
    } else {
        chart_format_number(v, a->fmt, a->decimals, buf, sizeof buf);
    }
    return chart_text_layout(rc, buf, FS_VALUE, bold, 0, 1, PANGO_ALIGN_LEFT);
}

cs_status
chart_cairo_finish(cairo_t *cr, struct cs_err *err)
{
    cairo_status_t st = cairo_status(cr);
    if (st != CAIRO_STATUS_SUCCESS)
        return cs_fail(err, CS_E_RENDER, NULL, "cairo: %s",
                       cairo_status_to_string(st));
    return CS_OK;
}

void
chart_rc_open(struct rc *rc, cairo_t *cr, double w, double h)
{
    rc->cr = cr;
    rc->probe = NULL;
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

void
chart_rc_close(struct rc *rc)
{
    if (rc->pc)
        g_object_unref(rc->pc);
    rc->pc = NULL;
}
