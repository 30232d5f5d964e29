/*
 * render/chart_probe.c: the layout probe of the unit tests
 * (chart_internal.h): a chart drawn on a recording surface, with what it
 * placed where written into a struct chart_probe.
 */
#include <cairo.h>
#include <string.h>

#include "core/mem.h"
#include "render/chart.h"
#include "render/chart_draw.h"
#include "render/chart_internal.h"

void
chart_probe_box(struct rc *rc, int kind, struct box b)
{
    struct chart_probe *p = rc->probe;
    if (p == NULL)
        return;
    struct chart_probe_box *v = kind == PROBE_WHISKER  ? p->whiskers
                                : kind == PROBE_MARKER ? p->markers
                                                       : p->labels;
    size_t *n = kind == PROBE_WHISKER  ? &p->n_whiskers
                : kind == PROBE_MARKER ? &p->n_markers
                                       : &p->n_labels;
    if (*n < CHART_PROBE_MAX)
        v[(*n)++] = (struct chart_probe_box){b.x, b.y, b.w, b.h};
}

void
chart_probe_text(char **dst, const char *text)
{
    char *t = *dst ? xasprintf("%s\n%s", *dst, text) : xstrdup(text);
    xfree(*dst);
    *dst = t;
}

cs_status
chart_probe_draw(const struct chart_spec *spec, struct chart_probe *p, struct cs_err *err)
{
    memset(p, 0, sizeof *p);
    int wpx, hpx, dpi;
    double w, h;
    cs_status rc = chart_spec_geometry(spec, &wpx, &hpx, &dpi, &w, &h, err);
    if (rc != CS_OK)
        return rc;
    cairo_rectangle_t ext = {0, 0, w, h};
    cairo_surface_t *surf = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &ext);
    cairo_t *cr = cairo_create(surf);
    rc = chart_draw_probed(cr, spec, w, h, p, err);
    cairo_destroy(cr);
    cairo_surface_destroy(surf);
    return rc;
}

void
chart_probe_free(struct chart_probe *p)
{
    xfree(p->footer);
    xfree(p->legend);
    xfree(p->panel_titles);
    p->footer = p->legend = p->panel_titles = NULL;
}
