/*
 * render/xlsx_zip.h: the deflate level and threads of the workbook's zip
 * container.
 *
 * libxlsxwriter 1.1.4 zips the workbook through minizip at zlib's default
 * level (6) and offers no option to change it.  At a million rows the
 * deflate of the streamed sheets was a third of a report's time, so
 * xlsx_zip.c interposes zlib's deflateInit2_ (the executable's definition
 * wins over libz's for every shared library; the link exports it with
 * -Wl,--export-dynamic-symbol=deflateInit2_) and, only on the thread that
 * is inside cs_xlsx_zip_fast_begin/end, asks for level 1 (Z_BEST_SPEED):
 * about 2.4x faster deflate for files about 20% larger.  Every other user
 * of zlib (libpng for the charts) keeps the level it asks for.
 *
 * The same thread's raw deflate streams (minizip's) are also deflated on
 * every core: xlsx_zip.c interposes deflate and deflateEnd too and cuts
 * each such stream into 1 MB blocks deflated on threads, joined into one
 * valid stream (see there).  At a million surveys the 235 MB Custom sheet
 * took 2.0 s to deflate on one core at the end of the report, 1.0 s on
 * two.  The members inflate to the same bytes; their compressed bytes
 * differ from a single-thread deflate's.
 */
#ifndef CS_RENDER_XLSX_ZIP_H
#define CS_RENDER_XLSX_ZIP_H

/* Deflate streams started on this thread between begin and end use
 * level 1, and raw ones are deflated in parallel.  Not nested. */
void cs_xlsx_zip_fast_begin(void);
void cs_xlsx_zip_fast_end(void);
/* Streams whose level was lowered on any thread since start (tests). */
unsigned long cs_xlsx_zip_fast_count(void);

#endif
