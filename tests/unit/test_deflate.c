/*
 * tests/unit/test_deflate.c: the workbook's zip is deflated by igzip
 * (render/deflate.h) and stays a valid workbook; zlib users outside the
 * windows keep zlib and their own level; streams deflated block by block on
 * threads, and the PNGs' zlib-wrapped streams, inflate back to their input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "render/xlsx.h"
#include "render/deflate.h"

static void
test_igzip_inside_close_only(void **state)
{
    (void)state;
    char dir[] = "/tmp/cs-xlsx-zip-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/w.xlsx", dir);

    /* outside the window: zlib's default level, and it is what we asked */
    unsigned long before = cs_deflate_fast_count();
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit(&zs, Z_BEST_COMPRESSION), Z_OK);
    deflateEnd(&zs);
    assert_int_equal(cs_deflate_fast_count(), before);

    /* a workbook of 2,000 rows of repetitive text */
    static const char *const cols[] = {"Key", "Value"};
    enum { N = 2000 };
    struct cs_xlsx_cell *cells = calloc(N * 2, sizeof *cells);
    assert_non_null(cells);
    for (size_t i = 0; i < N; i++) {
        cells[i * 2] = (struct cs_xlsx_cell){.type = CS_XLSX_TEXT, .text = "survey answer"};
        cells[i * 2 + 1] = (struct cs_xlsx_cell){.type = CS_XLSX_NUMBER, .num = (double)i};
    }
    struct cs_err e;
    cs_err_clear(&e);
    struct cs_xlsx *x = NULL;
    assert_int_equal(cs_xlsx_open(path, NULL, &x, &e), CS_OK);
    struct cs_xlsx_table_spec t = {.title = "T", .columns = cols, .n_cols = 2, .cells = cells, .n_rows = N};
    assert_int_equal(cs_xlsx_table(x, &t, &e), CS_OK);
    assert_int_equal(cs_xlsx_close(&x, &e), CS_OK);
    free(cells);
    /* every member of the container was deflated by igzip */
    assert_true(cs_deflate_fast_count() > before + 5);

    /* and the file is a zip whose sheet inflates back: unzip -t checks
     * every member's CRC */
    char cmd[512];
    snprintf(cmd, sizeof cmd, "unzip -tq '%s' >/dev/null 2>&1", path);
    assert_int_equal(system(cmd), 0);
    unlink(path);
    rmdir(dir);
}

/* Deflate n bytes of in inside the fast window as minizip does (raw
 * stream, input in pieces of `piece` bytes, an output buffer of `room`
 * bytes written out whenever full, Z_FINISH until Z_STREAM_END), checking
 * total_in and total_out; returns the stream, *n_out its length. */
static unsigned char *
fast_deflate(const unsigned char *in, size_t n, size_t piece, size_t room, size_t *n_out)
{
    cs_deflate_xlsx_begin();
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = n + n / 8 + 4096, len = 0;
    unsigned char *out = malloc(cap), *buf = malloc(room);
    assert_non_null(out);
    assert_non_null(buf);
    zs.next_out = buf;
    zs.avail_out = (uInt)room;
    uLong total_in = 0;
    for (size_t off = 0;;) {
        size_t k = n - off < piece ? n - off : piece;
        zs.next_in = (Bytef *)(uintptr_t)(in + off);
        zs.avail_in = (uInt)k;
        int flush = off + k == n ? Z_FINISH : Z_NO_FLUSH, rc;
        do {
            if (zs.avail_out == 0) {
                assert_true(len + room <= cap);
                memcpy(out + len, buf, room);
                len += room;
                zs.next_out = buf;
                zs.avail_out = (uInt)room;
            }
            rc = deflate(&zs, flush);
            assert_true(rc == Z_OK || (flush == Z_FINISH && rc == Z_STREAM_END));
        } while (flush == Z_FINISH ? rc != Z_STREAM_END : zs.avail_in > 0);
        total_in += (uLong)k;
        assert_int_equal(zs.total_in, total_in);
        off += k;
        if (flush == Z_FINISH)
            break;
    }
    size_t last = room - zs.avail_out;
    memcpy(out + len, buf, last);
    len += last;
    assert_int_equal(zs.total_out, len);
    assert_int_equal(deflateEnd(&zs), Z_OK);
    cs_deflate_xlsx_end();
    free(buf);
    *n_out = len;
    return out;
}

/* The raw deflate stream of len bytes at z inflates (zlib) to the n bytes
 * at want, nothing after its final block; back: cap bytes of room. */
static void
inflates_to(const unsigned char *z, size_t len, const unsigned char *want, size_t n,
            unsigned char *back, size_t cap)
{
    z_stream is;
    memset(&is, 0, sizeof is);
    assert_int_equal(inflateInit2(&is, -MAX_WBITS), Z_OK);
    is.next_in = (Bytef *)(uintptr_t)z;
    is.avail_in = (uInt)len;
    is.next_out = back;
    is.avail_out = (uInt)cap;
    assert_int_equal(inflate(&is, Z_FINISH), Z_STREAM_END);
    assert_int_equal(is.total_out, n);
    assert_int_equal(is.avail_in, 0); /* nothing after the final block */
    assert_memory_equal(back, want, n);
    inflateEnd(&is);
}

/* Streams of several blocks (render/deflate.c deflates 1 MB blocks on
 * threads with ISA-L and joins them) inflate back to their input with
 * zlib, compressible or not, whatever the sizes
 * of the caller's pieces and buffer; so do empty and one-byte streams. */
static void
test_blocks_inflate_back(void **state)
{
    (void)state;
    enum { N = 5 * 1024 * 1024 + 12345 };
    unsigned char *in = malloc(N), *back = malloc(N + 1);
    assert_non_null(in);
    assert_non_null(back);
    uint64_t x = 7;
    for (size_t i = 0; i < N; i++) { /* XML-like text with repeats across blocks */
        x = x * 6364136223846793005u + 1442695040888963407u;
        in[i] = (i / 4096) % 3 == 0 ? (unsigned char)"<row r=\"1\"><c>"[i % 14]
                                    : (unsigned char)('a' + (x >> 59));
        if (i >= 4u << 20) /* then random bytes: blocks that do not compress */
            in[i] = (unsigned char)(x >> 56);
    }
    static const size_t sizes[][3] = {{N, 16384, 65536}, {N, 7, 1000}, {N, 1u << 20, 1}, {0, 16, 64}, {1, 16, 64}, {1u << 20, 4096, 65536}};
    for (size_t t = 0; t < sizeof sizes / sizeof *sizes; t++) {
        size_t n = sizes[t][0], len;
        unsigned char *z = fast_deflate(in, n, sizes[t][1], sizes[t][2], &len);
        inflates_to(z, len, in, n, back, N + 1);
        if (n == N) { /* six blocks: each of the first five ends with a sync flush */
            size_t marks = 0;
            for (size_t i = 0; i + 4 <= len; i++)
                marks += memcmp(z + i, "\0\0\xff\xff", 4) == 0;
            assert_true(marks >= 5);
        }
        free(z);
    }
    free(in);
    free(back);
}

/* One cs_pz stream: n bytes of in given in pieces of `piece`, then ended
 * with flush (Z_SYNC_FLUSH or Z_FINISH) into an output buffer of `room`
 * bytes; its output appended to out at *len. */
static void
pz_part(const unsigned char *in, size_t n, size_t piece, size_t room, int flush,
        unsigned char *out, size_t *len)
{
    unsigned char *buf = malloc(room);
    assert_non_null(buf);
    z_stream io;
    memset(&io, 0, sizeof io);
    io.next_out = buf;
    io.avail_out = (uInt)room;
    struct cs_pz *pz = cs_pz_new(&io);
    for (size_t off = 0;;) {
        size_t k = n - off < piece ? n - off : piece;
        io.next_in = (Bytef *)(uintptr_t)(in + off);
        io.avail_in = (uInt)k;
        off += k;
        int f = off >= n ? flush : Z_NO_FLUSH;
        for (;;) {
            int rc = cs_pz_deflate(pz, f);
            assert_true(rc == Z_OK || (f == Z_FINISH && rc == Z_STREAM_END));
            bool full = io.avail_out == 0;
            if (full || f != Z_NO_FLUSH) { /* the output so far */
                memcpy(out + *len, buf, room - io.avail_out);
                *len += room - io.avail_out;
                io.next_out = buf;
                io.avail_out = (uInt)room;
            }
            if (full)
                continue;
            /* a flush is done when it returns with room left */
            if (f == Z_NO_FLUSH ? io.avail_in == 0 : f == Z_SYNC_FLUSH || rc == Z_STREAM_END)
                break;
        }
        if (f != Z_NO_FLUSH)
            break;
    }
    cs_pz_free(pz);
    free(buf);
}

/* Streams of cs_pz_new put end to end, all but the last ended with
 * Z_SYNC_FLUSH, inflate as one raw stream to their inputs joined: how
 * render/xlsx_body.c splices a sheet's deflated rows between its head and
 * its foot.  The middle part spans blocks; a part may be empty. */
static void
test_sync_flushed_streams_join(void **state)
{
    (void)state;
    enum { N = 3 * 1024 * 1024 + 777 };
    unsigned char *in = malloc(N), *back = malloc(N + 1);
    unsigned char *z = malloc(2 * N + 4096);
    assert_non_null(in);
    assert_non_null(back);
    assert_non_null(z);
    uint64_t x = 11;
    for (size_t i = 0; i < N; i++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        in[i] = (i / 512) % 2 ? (unsigned char)"<row r=\"2\"><c r=\"A2\">"[i % 20]
                              : (unsigned char)('a' + (x >> 60));
    }
    static const size_t cut[][2] = {{1000, N - 300}, {0, N - 20}, {5000, 5000}, {1, N}};
    for (size_t t = 0; t < sizeof cut / sizeof *cut; t++) {
        size_t a = cut[t][0], b = cut[t][1], len = 0;
        pz_part(in, a, 4096, 1000, Z_SYNC_FLUSH, z, &len);
        pz_part(in + a, b - a, 300000, 65536, Z_SYNC_FLUSH, z, &len);
        pz_part(in + b, N - b, 7, 16384, Z_FINISH, z, &len);
        inflates_to(z, len, in, N, back, N + 1);
    }
    free(in);
    free(back);
    free(z);
}

/* Inside the png window a zlib-wrapped stream (libpng's IDAT) is igzip's:
 * fed in pieces with Z_NO_FLUSH into an 8 KB buffer (libpng's), finished
 * with Z_FINISH, it inflates back through zlib (header and Adler-32
 * checked); after deflateReset the same stream carries a second input;
 * total_in and total_out count as zlib's do.  Outside the window zlib
 * deflates, at the level asked. */
static void
test_png_streams(void **state)
{
    (void)state;
    enum { N = 300000 };
    unsigned char *in = malloc(N), *out = malloc(N + N / 8 + 4096), *back = malloc(N);
    assert_non_null(in);
    assert_non_null(out);
    assert_non_null(back);
    for (size_t i = 0; i < N; i++) /* rows of flat colour with edges */
        in[i] = (unsigned char)((i % 3 == 0 ? 0xf0 : 0x20) + ((i / 2400) % 7) * ((i % 600) < 30));
    unsigned long before = cs_deflate_fast_count();
    cs_deflate_png_begin();
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 3, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    cs_deflate_png_end();
    assert_int_equal(cs_deflate_fast_count(), before + 1);
    for (int round = 0; round < 2; round++) {
        size_t n = round ? N / 3 : N, len = 0;
        zs.next_out = out;
        zs.avail_out = 8192;
        for (size_t off = 0; off < n;) {
            size_t k = n - off < 7201 ? n - off : 7201; /* a row and a filter byte */
            zs.next_in = in + off;
            zs.avail_in = (uInt)k;
            while (zs.avail_in > 0) {
                if (zs.avail_out == 0) {
                    len += 8192;
                    zs.next_out = out + len;
                    zs.avail_out = 8192;
                }
                assert_int_equal(deflate(&zs, Z_NO_FLUSH), Z_OK);
            }
            off += k;
        }
        int rc;
        while ((rc = deflate(&zs, Z_FINISH)) == Z_OK) {
            assert_int_equal(zs.avail_out, 0);
            len += 8192;
            zs.next_out = out + len;
            zs.avail_out = 8192;
        }
        assert_int_equal(rc, Z_STREAM_END);
        len += 8192 - zs.avail_out;
        assert_int_equal(zs.total_in, n);
        assert_int_equal(zs.total_out, len);
        assert_true(len < n / 4);
        z_stream is;
        memset(&is, 0, sizeof is);
        assert_int_equal(inflateInit(&is), Z_OK);
        is.next_in = out;
        is.avail_in = (uInt)len;
        is.next_out = back;
        is.avail_out = N;
        assert_int_equal(inflate(&is, Z_FINISH), Z_STREAM_END);
        assert_int_equal(is.total_out, n);
        assert_int_equal(is.avail_in, 0);
        assert_memory_equal(back, in, n);
        inflateEnd(&is);
        assert_int_equal(deflateReset(&zs), Z_OK);
        assert_int_equal(zs.total_in + zs.total_out, 0);
    }
    assert_int_equal(deflateEnd(&zs), Z_OK);
    /* outside: zlib's, not counted */
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit2(&zs, 3, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    assert_int_equal(deflateEnd(&zs), Z_OK);
    assert_int_equal(cs_deflate_fast_count(), before + 1);
    free(in);
    free(out);
    free(back);
}

/* crc32, interposed with ISA-L's, gives zlib's values: every length up to
 * 3,000 and 1 MB, from 0 and from other values, chained in pieces as
 * minizip chains them, and 0 for a NULL buffer. */
static void
test_crc32_as_zlib(void **state)
{
    (void)state;
    void *sym = dlsym(RTLD_NEXT, "crc32"); /* zlib's own */
    assert_non_null(sym);
    uLong (*zcrc)(uLong, const Bytef *, uInt);
    memcpy(&zcrc, &sym, sizeof zcrc);
    enum { N = 1 << 20 };
    unsigned char *b = malloc(N);
    assert_non_null(b);
    uint64_t x = 99;
    for (size_t i = 0; i < N; i++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        b[i] = (unsigned char)(x >> 56);
    }
    for (uInt n = 0; n <= 3000; n++) {
        uLong init = n % 3 == 0 ? 0 : (uLong)(x = x * 6364136223846793005u + 1) & 0xffffffff;
        assert_int_equal(crc32(init, b + n % 61, n), zcrc(init, b + n % 61, n));
    }
    uLong a = crc32(0L, Z_NULL, 0), z = zcrc(0L, Z_NULL, 0);
    assert_int_equal(a, 0);
    assert_int_equal(z, 0);
    for (size_t off = 0; off < N; off += 16384 + off % 7) {
        uInt k = (uInt)(N - off < 16384 + off % 7 ? N - off : 16384 + off % 7);
        a = crc32(a, b + off, k);
        z = zcrc(z, b + off, k);
    }
    assert_int_equal(a, z);
    assert_int_equal(crc32(0, b, N), z);
    free(b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_igzip_inside_close_only),
        cmocka_unit_test(test_blocks_inflate_back),
        cmocka_unit_test(test_sync_flushed_streams_join),
        cmocka_unit_test(test_png_streams),
        cmocka_unit_test(test_crc32_as_zlib),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
