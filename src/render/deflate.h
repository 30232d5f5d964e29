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

#include <zlib.h>

void cs_deflate_xlsx_begin(void);
void cs_deflate_xlsx_end(void);
void cs_deflate_png_begin(void);
void cs_deflate_png_end(void);
/* Streams given to igzip on any thread since start (tests). */
unsigned long cs_deflate_fast_count(void);

/* The definition of name next after this executable's (zlib's, minizip's:
 * dlsym's RTLD_NEXT), looked up once into *slot; aborts when there is
 * none, which cannot happen with the library loaded. */
void *cs_deflate_real_sym(_Atomic(void *) *slot, const char *name);

/* A raw deflate stream of the workbook's kind (1 MB blocks, each deflated
 * by igzip at level 1 on a thread of its own), driven directly instead of
 * through zlib's calls: render/xlsx_body.c deflates a sheet's rows with
 * it while they are written.  io holds the caller's buffers as a zlib
 * stream does (next_in, avail_in, next_out, avail_out, total_in,
 * total_out; its zlib state is not used) and must outlive the stream.
 * Any thread may drive it, one at a time.  The result is the caller's:
 * cs_pz_free. */
struct cs_pz;
struct cs_pz *cs_pz_new(z_stream *io);
/* zlib's deflate() contract with Z_NO_FLUSH, Z_FINISH, or Z_SYNC_FLUSH:
 * everything taken so far is output, ending on a byte boundary, and the
 * stream may go on (its next block has the input before it as its
 * dictionary).  Z_STREAM_ERROR when a block failed (out of memory). */
int cs_pz_deflate(struct cs_pz *pz, int flush);
/* NULL: no-op. */
void cs_pz_free(struct cs_pz *pz);

#endif
