/*
 * render/chart_svgmem.c: a chart as SVG text in memory (issue 19), for
 * pages that inline their charts (report.html).  The same drawing as
 * chart_render's SVG file (which is written from it), through cairo's SVG
 * surface on a stream that appends to a cs_buf, with cairo's surface ids
 * made the same from run to run.
 */
#include <cairo-svg.h>
#include <cairo.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "render/chart_internal.h"

/* cairo names an SVG surface's group "surfaceN" after the process-wide
 * number of the surface, which depends on how many surfaces other threads
 * made first (the charts' threads draw PNGs meanwhile: CLI case 121 once
 * found two complete runs whose report.html differed there and nowhere
 * else).  Each such id, and each reference to it (after `id="`, `#` or
 * `url(#`), becomes "surfaceK", K its surface's rank in this SVG.  Returns
 * owned text; more than 64 surfaces in one SVG keep cairo's numbers past
 * the 64th (a chart has one). */
static char *
stable_ids(const char *svg)
{
    unsigned long seen[64];
    size_t n = 0;
    struct cs_buf b = {0};
    const char *p = svg, *run = svg;
    while ((p = strstr(p, "surface")) != NULL) {
        bool ref = (p - svg >= 4 && strncmp(p - 4, "id=\"", 4) == 0) ||
                   (p - svg >= 1 && p[-1] == '#');
        if (!ref || p[7] < '0' || p[7] > '9') {
            p += 7;
            continue;
        }
        char *end;
        unsigned long v = strtoul(p + 7, &end, 10);
        size_t k = 0;
        while (k < n && seen[k] != v)
            k++;
        if (k == n && n < sizeof seen / sizeof seen[0])
            seen[n++] = v;
        cs_buf_add(&b, run, (size_t)(p - run));
        if (k < n)
            cs_buf_printf(&b, "surface%zu", k + 1);
        else
            cs_buf_add(&b, p, (size_t)(end - p));
        p = run = end;
    }
    cs_buf_puts(&b, run);
    return cs_buf_take(&b);
}

static cairo_status_t
buf_write(void *closure, const unsigned char *data, unsigned int len)
{
    cs_buf_add(closure, (const char *)data, len);
    return CAIRO_STATUS_SUCCESS;
}

cs_status
chart_render_svg_mem(const struct chart_spec *spec, char **out, struct cs_err *err)
{
    *out = NULL;
    int wpx, hpx, dpi;
    double w, h;
    if (spec == NULL)
        return cs_fail(err, CS_E_USAGE, NULL, "no chart spec");
    cs_status rc = chart_spec_geometry(spec, &wpx, &hpx, &dpi, &w, &h, err);
    if (rc != CS_OK)
        return rc;
    struct cs_buf b = {0};
    cairo_surface_t *surf = cairo_svg_surface_create_for_stream(buf_write, &b, w, h);
    cairo_status_t st = cairo_surface_status(surf);
    if (st == CAIRO_STATUS_SUCCESS) {
        cairo_t *cr = cairo_create(surf);
        rc = chart_draw(cr, spec, w, h, err);
        if (rc == CS_OK)
            cairo_show_page(cr);
        st = cairo_status(cr);
        cairo_destroy(cr);
        if (rc == CS_OK && st == CAIRO_STATUS_SUCCESS) {
            cairo_surface_finish(surf);
            st = cairo_surface_status(surf);
        }
    }
    cairo_surface_destroy(surf);
    if (rc == CS_OK && st != CAIRO_STATUS_SUCCESS)
        rc = cs_fail(err, CS_E_RENDER, spec->title, "cairo: %s", cairo_status_to_string(st));
    if (rc != CS_OK) {
        cs_buf_free(&b);
        return rc;
    }
    *out = stable_ids(b.s ? b.s : "");
    cs_buf_free(&b);
    return CS_OK;
}
