/*
 * render/chart.c: the public face of the chart module — spec defaults and
 * validation, the three surfaces (PNG, SVG, PDF) around the one drawing
 * path in chart_draw.c, multi-page PDF documents, and atomic output.
 *
 * Every surface writes through a cairo stream callback into a core/afile
 * temporary file, so cairo never opens the final path itself: a failure
 * anywhere (drawing, encoding, a full disk) leaves no file at the final
 * name, and the temporary is removed.  The stream callback remembers errno
 * so a write error is reported as an I/O error with its system text rather
 * than cairo's generic "error while writing to output stream".
 *
 * The PDF surface gets a fixed (empty) creation date, because cairo would
 * otherwise stamp the current time into every file.
 */
#include "render/chart.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <errno.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <string.h>

#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "core/afile.h"
#include "core/mem.h"
#include "render/chart_internal.h"
#include "render/deflate.h"

/* ==== Private helpers ==================================================== */

struct sink {
    FILE *fp;   /* borrowed: the afile's stream */
    int errno_; /* first write errno, 0 when none */
};

static cairo_status_t
sink_write(void *closure, const unsigned char *data, unsigned int len)
{
    struct sink *s = closure;
    if (s->errno_ != 0)
        return CAIRO_STATUS_WRITE_ERROR;
    if (len > 0 && fwrite(data, 1, len, s->fp) != len) {
        s->errno_ = errno ? errno : EIO;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    return CAIRO_STATUS_SUCCESS;
}

/* Turn a cairo status into our error; a write error with a saved errno is
 * an I/O error naming the system reason. */
static cs_status
cairo_fail(cairo_status_t st, const struct sink *sk, const char *path,
           struct cs_err *err)
{
    if (st == CAIRO_STATUS_WRITE_ERROR && sk && sk->errno_)
        return cs_fail(err, CS_E_IO, path, "write failed: %s",
                       strerror(sk->errno_));
    return cs_fail(err, CS_E_RENDER, path, "cairo: %s",
                   cairo_status_to_string(st));
}

static void
pdf_fix_metadata(cairo_surface_t *surf, const char *title)
{
    /* cairo 1.16 stamps /CreationDate from the clock unless it is set; an
     * empty value leaves it out (checked with cairo 1.16.0, Debian 12) */
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATE_DATE, "");
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_MOD_DATE, "");
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR,
                                   "callsurvey");
    if (title && *title)
        cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, title);
}

static cs_status
check_size(int *v, int def, int lo, int hi, const char *what,
           struct cs_err *err)
{
    if (*v == 0)
        *v = def;
    if (*v < lo || *v > hi)
        return cs_fail(err, CS_E_USAGE, NULL,
                       "chart %s %d out of range (%d..%d)", what, *v, lo, hi);
    return CS_OK;
}

/* ==== Public API ========================================================= */

void
chart_spec_init(struct chart_spec *spec, enum chart_kind kind)
{
    memset(spec, 0, sizeof *spec);
    spec->kind = kind;
    spec->footnote.n = CHART_N_NONE;
    spec->width_px = CHART_DEFAULT_WIDTH_PX;
    spec->height_px = CHART_DEFAULT_HEIGHT_PX;
    spec->dpi = CHART_DEFAULT_DPI;
}

const char *
chart_format_ext(enum chart_format format)
{
    switch (format) {
    case CHART_PNG:
        return "png";
    case CHART_SVG:
        return "svg";
    case CHART_PDF:
        return "pdf";
    default:
        return NULL;
    }
}

cs_status
chart_spec_geometry(const struct chart_spec *spec, int *width_px,
                    int *height_px, int *dpi, double *w_pt, double *h_pt,
                    struct cs_err *err)
{
    *width_px = spec->width_px;
    *height_px = spec->height_px;
    *dpi = spec->dpi;
    if (check_size(width_px, CHART_DEFAULT_WIDTH_PX, 100, 10000, "width_px",
                   err) ||
        check_size(height_px, CHART_DEFAULT_HEIGHT_PX, 100, 10000, "height_px",
                   err) ||
        check_size(dpi, CHART_DEFAULT_DPI, 36, 1200, "dpi", err))
        return CS_E_USAGE;
    *w_pt = *width_px * 72.0 / *dpi;
    *h_pt = *height_px * 72.0 / *dpi;
    return CS_OK;
}

/* Write an image surface as an 8-bit RGB PNG with libpng directly.
 * cairo's own writer picks filters adaptively at zlib's default level: on a
 * report's worth of charts that was 56% of the run.  Charts are flat colour
 * on an opaque white background (chart_draw fills it), and the decoded
 * pixels are the same (alpha is always 255).  The deflate is igzip's
 * (render/deflate.h), and rows go unfiltered: flat colour repeats every
 * 3 bytes, which igzip finds as well as the SUB filter's zeros.  The 80
 * charts of a 100k report: 0.52 s and 5.60 MB with SUB and zlib level 3,
 * 0.39 s and 6.11 MB with SUB and igzip, 0.20-0.25 s and 5.27 MB without a
 * filter (2026-12-06). */
/* libpng's default handlers print to stderr and its default writer drops
 * errno: these keep the first write errno in the sink and print nothing
 * (the caller reports, naming the file and the system's reason). */
static void
png_sink_write(png_structp png, png_bytep data, size_t len)
{
    struct sink *s = png_get_io_ptr(png);
    if (len > 0 && fwrite(data, 1, len, s->fp) != len) {
        if (s->errno_ == 0)
            s->errno_ = errno ? errno : EIO;
        png_error(png, "write failed");
    }
}

static void
png_sink_flush(png_structp png)
{
    (void)png;
}

static void
png_quiet_error(png_structp png, png_const_charp msg)
{
    (void)msg;
    png_longjmp(png, 1);
}

static void
png_quiet_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

static void
argb_to_rgb_plain(const uint32_t *px, unsigned char *row, int from, int w)
{
    for (int x = from; x < w; x++) {
        uint32_t p = px[x]; /* ARGB32, premultiplied; opaque here */
        row[3 * x] = (unsigned char)(p >> 16);
        row[3 * x + 1] = (unsigned char)(p >> 8);
        row[3 * x + 2] = (unsigned char)p;
    }
}

#if defined(__x86_64__) || defined(__i386__)
/* Four pixels a shuffle: the 80 charts of a report (1200x700) in 9 ms
 * against 55 ms byte by byte (issue 22). */
__attribute__((target("ssse3"))) static void
argb_to_rgb_ssse3(const uint32_t *px, unsigned char *row, int w)
{
    const __m128i pick = _mm_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
    int x = 0;
    for (; x + 4 <= w; x += 4) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(px + x));
        _mm_storeu_si128((__m128i *)(void *)(row + 3 * x), _mm_shuffle_epi8(v, pick));
    }
    argb_to_rgb_plain(px, row, x, w);
}
#endif

void
chart_argb_to_rgb(const uint32_t *px, unsigned char *row, int w)
{
#if defined(__x86_64__) || defined(__i386__)
    if (__builtin_cpu_supports("ssse3")) {
        argb_to_rgb_ssse3(px, row, w);
        return;
    }
#endif
    argb_to_rgb_plain(px, row, 0, w);
}

static cs_status
png_write_rgb(cairo_surface_t *surf, struct sink *sk, const char *path,
              struct cs_err *err)
{
    cairo_surface_flush(surf);
    int w = cairo_image_surface_get_width(surf);
    int h = cairo_image_surface_get_height(surf);
    int stride = cairo_image_surface_get_stride(surf);
    const unsigned char *data = cairo_image_surface_get_data(surf);
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL,
                                              png_quiet_error, png_quiet_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    unsigned char *volatile row = NULL;
    if (!png || !info) {
        png_destroy_write_struct(&png, &info);
        return cs_fail(err, CS_E_NOMEM, path, "cannot start the PNG writer");
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        cs_deflate_png_end();
        xfree(row);
        if (sk->errno_)
            return cs_fail(err, CS_E_IO, path, "write failed: %s", strerror(sk->errno_));
        return cs_fail(err, CS_E_RENDER, path, "cannot write the PNG");
    }
    row = xmalloc((size_t)w * 3 + 16);
    png_set_write_fn(png, sk, png_sink_write, png_sink_flush);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_NONE);
    png_set_compression_level(png, 3); /* zlib's, were igzip not in use */
    cs_deflate_png_begin();            /* igzip: render/deflate.h */
    png_write_info(png, info);
    for (int y = 0; y < h; y++) {
        chart_argb_to_rgb((const uint32_t *)(const void *)(data + (size_t)y * (size_t)stride), row, w);
        png_write_row(png, row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    cs_deflate_png_end();
    xfree(row);
    if (ferror(sk->fp))
        return cs_fail(err, CS_E_IO, path, "write failed: %s", strerror(EIO));
    return CS_OK;
}

/* spec as an SVG file at path: chart_render_svg_mem's text. */
static cs_status
svg_file(const struct chart_spec *spec, const char *path, struct cs_err *err)
{
    char *svg;
    cs_status rc = chart_render_svg_mem(spec, &svg, err);
    if (rc != CS_OK) {
        if (!err->where[0])
            snprintf(err->where, sizeof err->where, "%s", path);
        return rc;
    }
    struct cs_afile af;
    rc = cs_afile_open(&af, path, err);
    if (rc == CS_OK) {
        size_t n = strlen(svg);
        if (fwrite(svg, 1, n, af.fp) != n) {
            rc = cs_fail(err, CS_E_IO, path, "write failed: %s", strerror(errno ? errno : EIO));
            cs_afile_abort(&af);
        } else {
            rc = cs_afile_commit(&af, err);
        }
    }
    xfree(svg);
    return rc;
}

cs_status
chart_render(const struct chart_spec *spec, enum chart_format format,
             const char *path, struct cs_err *err)
{
    int wpx, hpx, dpi;
    double w, h;
    if (spec == NULL || path == NULL)
        return cs_fail(err, CS_E_USAGE, path, "no chart spec or path");
    if (chart_format_ext(format) == NULL)
        return cs_fail(err, CS_E_USAGE, path, "unknown chart format %d",
                       (int)format);
    cs_status rc = chart_spec_geometry(spec, &wpx, &hpx, &dpi, &w, &h, err);
    if (rc != CS_OK)
        return rc;

    if (format == CHART_SVG) /* drawn in memory, to make its ids stable */
        return svg_file(spec, path, err);
    struct cs_afile af;
    rc = cs_afile_open(&af, path, err);
    if (rc != CS_OK)
        return rc;
    struct sink sk = {af.fp, 0};

    cairo_surface_t *surf;
    switch (format) {
    case CHART_PDF:
        surf = cairo_pdf_surface_create_for_stream(sink_write, &sk, w, h);
        pdf_fix_metadata(surf, spec->title);
        break;
    case CHART_PNG:
    default:
        surf = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, wpx, hpx);
        break;
    }
    cairo_status_t st = cairo_surface_status(surf);
    if (st != CAIRO_STATUS_SUCCESS) {
        rc = cairo_fail(st, &sk, path, err);
        goto out;
    }
    cairo_t *cr = cairo_create(surf);
    if (format == CHART_PNG)
        cairo_scale(cr, dpi / 72.0, dpi / 72.0);
    rc = chart_draw(cr, spec, w, h, err);
    if (rc == CS_OK && format != CHART_PNG)
        cairo_show_page(cr);
    st = cairo_status(cr);
    cairo_destroy(cr);
    if (rc == CS_OK && st != CAIRO_STATUS_SUCCESS)
        rc = cairo_fail(st, &sk, path, err);
    if (rc == CS_OK && format == CHART_PNG)
        rc = png_write_rgb(surf, &sk, path, err);
    /* SVG and PDF emit most of their bytes here */
    cairo_surface_finish(surf);
    st = cairo_surface_status(surf);
    if (rc == CS_OK && st != CAIRO_STATUS_SUCCESS)
        rc = cairo_fail(st, &sk, path, err);
out:
    cairo_surface_destroy(surf);
    if (rc != CS_OK) {
        cs_afile_abort(&af);
        return rc;
    }
    return cs_afile_commit(&af, err);
}

#ifdef CS_SANITIZED
/* LeakSanitizer's hook for built-in suppressions (sanitized builds only):
 * fontconfig keeps a few hundred bytes of configuration that only FcFini()
 * frees, and FcFini() is not called (see chart_cleanup). */
const char *__lsan_default_suppressions(void);
const char *
__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}
/* and no "Suppressions used" table on stderr, which CLI cases compare */
const char *__lsan_default_options(void);
const char *
__lsan_default_options(void)
{
    return "print_suppressions=0";
}
#endif

void
chart_cleanup(void)
{
    /* Drop pango's default font map, the only cache LeakSanitizer would
     * otherwise count (it holds the last reference to fonts it loaded).
     * Fontconfig's own caches are left alone: FcFini() asserted in
     * FcCacheFini now and then when a cache was still referenced (exit
     * 134, issue 16), and what it would free is reachable from
     * fontconfig's globals, which a leak checker does not count.  Neither
     * is cairo_debug_reset_static_data() called: it asserts that no cairo
     * object is alive. */
    pango_cairo_font_map_set_default(NULL);
}
