/*
 * render/xlsx_zip.c: see xlsx_zip.h.
 */
#include "render/xlsx_zip.h"

#include <dlfcn.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static _Thread_local bool fast;
static atomic_ulong n_fast;

void
cs_xlsx_zip_fast_begin(void)
{
    fast = true;
}

void
cs_xlsx_zip_fast_end(void)
{
    fast = false;
}

unsigned long
cs_xlsx_zip_fast_count(void)
{
    return atomic_load(&n_fast);
}

typedef int (*deflate_init2_fn)(z_streamp, int, int, int, int, int, const char *, int);

/* zlib's deflateInit/deflateInit2 macros call deflateInit2_; minizip and
 * libpng reach it through the dynamic linker, which finds this one first. */
int
deflateInit2_(z_streamp strm, int level, int method, int window_bits, int mem_level,
              int strategy, const char *version, int stream_size)
{
    static _Atomic(deflate_init2_fn) real;
    deflate_init2_fn f = atomic_load(&real);
    if (!f) {
        /* POSIX's way to turn dlsym's void * into a function pointer
         * (a cast is not ISO C) */
        void *sym = dlsym(RTLD_NEXT, "deflateInit2_");
        memcpy(&f, &sym, sizeof f);
        if (!f) { /* cannot happen with libz loaded; never fail silently */
            fprintf(stderr, "callsurvey: zlib's deflateInit2_ not found: %s\n", dlerror());
            abort();
        }
        atomic_store(&real, f);
    }
    if (fast && level != 0) { /* level 0 (stored) stays stored */
        level = Z_BEST_SPEED;
        atomic_fetch_add(&n_fast, 1);
    }
    return f(strm, level, method, window_bits, mem_level, strategy, version, stream_size);
}
