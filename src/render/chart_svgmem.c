/*
 * render/chart_svgmem.c: a chart as SVG text in memory (issue 19), for
 * pages that inline their charts (report.html).  The same drawing as
 * chart_render's SVG file, through cairo's SVG surface on a stream that
 * appends to a cs_buf.
 */
#include <cairo-svg.h>
#include <cairo.h>

#include "core/buf.h"
#include "core/mem.h"
#include "render/chart_internal.h"

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
    *out = cs_buf_take(&b);
    return CS_OK;
}
