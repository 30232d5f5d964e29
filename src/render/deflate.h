/*
 * render/deflate.h: zlib's deflate, for the workbook's zip and the charts'
 * PNGs, done by ISA-L's igzip (issue 22).
 *
 * libxlsxwriter 1.1.4 zips the workbook through minizip at zlib's default
 * level (6), and libpng compresses with zlib at the level it is given;
 * neither offers another compressor.  deflate.c interposes zlib's
 * deflateInit2_, deflate, deflateReset and deflateEnd (the executable's
 * definitions win over libz's for every shared library; the link exports
 * them with -Wl,--export-dynamic-symbol) and, only for the streams a
 * thread starts inside one of the windows below, compresses with igzip
 * instead: the workbook at igzip's level 1 (on the 235 MB Custom sheet of
 * a million surveys 0.33 s and 49.0 MB against zlib level 1's 1.55 s and
 * 52.9 MB, one core, 2026-12-06), the PNGs at its level 0 (deflate.c says
 * why).  Every other stream keeps zlib and its level.
 *
 * Inside cs_deflate_xlsx_begin/end, raw deflate streams (minizip's) are
 * cut into 1 MB blocks compressed on threads and joined into one valid
 * stream (see deflate.c).  Inside cs_deflate_png_begin/end, zlib-wrapped
 * streams (libpng's IDAT) are compressed on the calling thread.  The
 * streams inflate to the same bytes; their compressed bytes differ from
 * zlib's.  The windows are per thread and do not nest.
 */
#ifndef CS_RENDER_DEFLATE_H
#define CS_RENDER_DEFLATE_H

void cs_deflate_xlsx_begin(void);
void cs_deflate_xlsx_end(void);
void cs_deflate_png_begin(void);
void cs_deflate_png_end(void);
/* Streams given to igzip on any thread since start (tests). */
unsigned long cs_deflate_fast_count(void);

#endif
