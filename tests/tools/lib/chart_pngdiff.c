/*
 * tests/tools/lib/chart_pngdiff.c: compare two PNGs by decoded pixels (see
 * chart_pngdiff.h).  PNG bytes are never compared: zlib and libpng versions
 * compress the same pixels differently, so only pixels are the contract.
 * Both images are decoded by cairo to 32-bit pixels and compared per
 * channel; the diff image amplifies differences the way cairo's own test
 * suite does, so a one-level change in an antialiased edge is visible.
 */
#include "chart_pngdiff.h"

#include <cairo.h>
#include <stdint.h>
#include <stdlib.h>

static cs_status
load(const char *path, cairo_surface_t **out, struct cs_err *err)
{
    *out = cairo_image_surface_create_from_png(path);
    cairo_status_t st = cairo_surface_status(*out);
    if (st != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(*out);
        *out = NULL;
        return cs_fail(err, CS_E_IO, path, "cannot read PNG: %s",
                       cairo_status_to_string(st));
    }
    cairo_surface_flush(*out);
    return CS_OK;
}

static uint32_t
px(cairo_surface_t *s, int x, int y)
{
    const unsigned char *row =
        cairo_image_surface_get_data(s) +
        (size_t)y * (size_t)cairo_image_surface_get_stride(s);
    uint32_t v = ((const uint32_t *)(const void *)row)[x];
    if (cairo_image_surface_get_format(s) == CAIRO_FORMAT_RGB24)
        v |= 0xff000000u; /* the top byte of RGB24 is undefined */
    return v;
}

static int
chan_diff(uint32_t a, uint32_t b)
{
    int m = 0;
    for (int sh = 0; sh < 32; sh += 8) {
        int d = abs((int)((a >> sh) & 0xff) - (int)((b >> sh) & 0xff));
        m = d > m ? d : m;
    }
    return m;
}

bool
chart_pngdiff_fails(const struct chart_pngdiff *d, int tol)
{
    return d->size_mismatch || (d->changed > 0 && d->max_diff > tol);
}

cs_status
chart_png_compare(const char *a, const char *b, int tol, const char *diff_path,
                  struct chart_pngdiff *out, struct cs_err *err)
{
    cairo_surface_t *sa = NULL, *sb = NULL, *sd = NULL;
    cs_status rc;
    *out = (struct chart_pngdiff){0};
    if ((rc = load(a, &sa, err)) != CS_OK)
        return rc;
    if ((rc = load(b, &sb, err)) != CS_OK) {
        cairo_surface_destroy(sa);
        return rc;
    }
    int w = cairo_image_surface_get_width(sa);
    int h = cairo_image_surface_get_height(sa);
    out->width = w;
    out->height = h;
    if (w != cairo_image_surface_get_width(sb) ||
        h != cairo_image_surface_get_height(sb)) {
        out->size_mismatch = true;
        goto done;
    }
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            int d = chan_diff(px(sa, x, y), px(sb, x, y));
            if (d > 0) {
                out->changed++;
                out->max_diff = d > out->max_diff ? d : out->max_diff;
            }
        }
    }
    if (diff_path == NULL || !chart_pngdiff_fails(out, tol))
        goto done;
    sd = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, w, h);
    if (cairo_surface_status(sd) != CAIRO_STATUS_SUCCESS) {
        rc = cs_fail(err, CS_E_IO, diff_path, "cannot make diff image: %s",
                     cairo_status_to_string(cairo_surface_status(sd)));
        goto done;
    }
    cairo_surface_flush(sd);
    unsigned char *dd = cairo_image_surface_get_data(sd);
    int stride = cairo_image_surface_get_stride(sd);
    for (int y = 0; y < h; y++) {
        uint32_t *row = (uint32_t *)(void *)(dd + (size_t)y * (size_t)stride);
        for (int x = 0; x < w; x++) {
            uint32_t pa = px(sa, x, y);
            int d = chan_diff(pa, px(sb, x, y));
            if (d == 0) {
                int l = (int)(((pa >> 16) & 0xff) * 3 + ((pa >> 8) & 0xff) * 6 +
                              (pa & 0xff)) /
                        10;
                int g = 200 + l * 55 / 255; /* faint copy of a */
                row[x] = 0xff000000u | (uint32_t)(g << 16 | g << 8 | g);
            } else {
                int amp = d * 4 > 255 ? 255 : d * 4; /* cairo-style gain */
                int gb = d > tol ? 0 : 140;
                row[x] = 0xff000000u |
                         (uint32_t)((128 + amp / 2) << 16 | gb << 8 | 0);
            }
        }
    }
    cairo_surface_mark_dirty(sd);
    cairo_status_t st = cairo_surface_write_to_png(sd, diff_path);
    if (st != CAIRO_STATUS_SUCCESS)
        rc = cs_fail(err, CS_E_IO, diff_path, "cannot write diff image: %s",
                     cairo_status_to_string(st));
done:
    if (sd)
        cairo_surface_destroy(sd);
    cairo_surface_destroy(sa);
    cairo_surface_destroy(sb);
    return rc;
}
