/*
 * tests/unit/test_jsmn_skip.c: the ingest's jsmn (Debian's header with
 * mk/jsmn-skip.patch, which scans a string 16 bytes at a time) gives what
 * the stock header gives, byte for byte: result, final position, tokens
 * (type, start, end, size, parent), on texts made to hit the patch's edges
 * (quotes, backslashes, \u escapes and NULs at every offset of a 16-byte
 * block, truncations, too few tokens), on random texts and on the sample
 * data's JSON lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSMN_STRICT
#define JSMN_STATIC
#define JSMN_PARENT_LINKS
#include <jsmn_cs.h> /* <jsmn.h> with mk/jsmn-skip.patch (Makefile) */

#include "../tools/lib/jsmn_ref.h"
#include "testutil.h"

#define CAP_MAX 512

static unsigned long n_checked;

/* Both builds on js[0..len) with cap tokens: the same in every respect. */
static void
same(const char *js, size_t len, unsigned cap)
{
    static struct jsmn_ref_tok want[CAP_MAX];
    static jsmntok_t got[CAP_MAX];
    unsigned wpos, wnext;
    int wsuper;
    int wr = jsmn_ref_parse(js, len, want, cap, &wpos, &wnext, &wsuper);
    memset(got, 0, sizeof got);
    jsmn_parser p;
    jsmn_init(&p);
    int r = jsmn_parse(&p, js, len, got, cap);
    if (r != wr || p.pos != wpos || p.toknext != wnext || p.toksuper != wsuper) {
        fprintf(stderr, "differs on %zu bytes (cap %u): r %d/%d pos %u/%u next %u/%u super %d/%d\n",
                len, cap, r, wr, p.pos, wpos, p.toknext, wnext, p.toksuper, wsuper);
        fail();
    }
    for (unsigned i = 0; i < wnext && i < cap; i++) {
        assert_int_equal(got[i].type, want[i].type);
        assert_int_equal(got[i].start, want[i].start);
        assert_int_equal(got[i].end, want[i].end);
        assert_int_equal(got[i].size, want[i].size);
        assert_int_equal(got[i].parent, want[i].parent);
    }
    n_checked++;
}

static void
same_all_caps(const char *js, size_t len)
{
    same(js, len, CAP_MAX);
    same(js, len, 0);
    same(js, len, 1);
    same(js, len, 3);
}

/* A special byte sequence at every offset of a long string, as a value and
 * as a key, whole and cut at every length. */
static void
test_edges_at_every_offset(void **state)
{
    (void)state;
    static const char *const marks[] = {"\"", "\\\"", "\\\\", "\\u00e9", "\\u00g9",
                                        "\\x", "\\", "\\u12", "\\/", "\xc3\xa9",
                                        "\x01", "\\n\\t\\r", "\\\\\\\"", "\\u0000"};
    char text[256], body[128];
    for (size_t m = 0; m < sizeof marks / sizeof *marks; m++)
        for (int off = 0; off < 40; off++) {
            memset(body, 'a', (size_t)off);
            int n = off + snprintf(body + off, sizeof body - (size_t)off, "%sbcdefghijklmnopq",
                                   marks[m]);
            int len = snprintf(text, sizeof text, "{\"k%.*s\":\"%.*s\",\"n\":12}", n, body, n,
                               body);
            for (int cut = 0; cut <= len; cut++)
                same_all_caps(text, (size_t)cut);
            /* a NUL inside the text, the length past it */
            for (int at = 0; at < len; at += 3) {
                char t2[256];
                memcpy(t2, text, (size_t)len);
                t2[at] = '\0';
                same_all_caps(t2, (size_t)len);
            }
        }
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static unsigned
rnd(unsigned n)
{
    return tu_rand(&rng, n);
}

/* Random texts: bytes from a JSON-heavy alphabet, and records with random
 * strings, then cut or with a byte changed. */
static void
test_random_texts(void **state)
{
    (void)state;
    static const char alpha[] = "\"\"\"\\\\u0aF{}[]:, \0xnt1-e.\xc3\xa9\x7f\t";
    char text[1024]; /* a record stops growing past 300 bytes: at most 300 + 110 */
    for (int it = 0; it < 60000; it++) {
        size_t len = rnd(80);
        for (size_t i = 0; i < len; i++)
            text[i] = alpha[rnd(sizeof alpha - 1)];
        same(text, len, rnd(2) ? CAP_MAX : rnd(8));
    }
    for (int it = 0; it < 60000; it++) {
        size_t len = 0;
        text[len++] = '{';
        int fields = 1 + (int)rnd(6);
        for (int f = 0; f < fields && len < 300; f++) {
            text[len++] = '"';
            for (unsigned i = rnd(40); i > 0; i--)
                text[len++] = rnd(12) ? (char)('a' + rnd(26)) : alpha[rnd(sizeof alpha - 1)];
            text[len++] = '"';
            text[len++] = ':';
            if (rnd(3)) {
                text[len++] = '"';
                for (unsigned i = rnd(60); i > 0; i--)
                    text[len++] = rnd(10) ? (char)('0' + rnd(40)) : alpha[rnd(sizeof alpha - 1)];
                text[len++] = '"';
            } else {
                len += (size_t)snprintf(text + len, sizeof text - len, "%u", rnd(100000));
            }
            text[len++] = f + 1 < fields ? ',' : '}';
        }
        switch (rnd(4)) {
        case 0: len = rnd((unsigned)len + 1); break;
        case 1: text[rnd((unsigned)len)] = alpha[rnd(sizeof alpha - 1)]; break;
        default: break;
        }
        same(text, len, rnd(2) ? CAP_MAX : rnd(16));
    }
}

static unsigned long sample_lines;

static int
sample_file(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    size_t n = strlen(path);
    if (type != FTW_F || (strcmp(path + n - 5, ".json") != 0 && strcmp(path + n - 6, ".jsonl") != 0))
        return 0;
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        same(line, (size_t)len, CAP_MAX);
        sample_lines++;
    }
    free(line);
    fclose(f);
    return 0;
}

/* Every line of the sample data's JSON files (3,227 lines). */
static void
test_sample_lines(void **state)
{
    (void)state;
    assert_int_equal(nftw("sample-data", sample_file, 16, FTW_PHYS), 0);
    assert_true(sample_lines > 3000);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges_at_every_offset),
        cmocka_unit_test(test_random_texts),
        cmocka_unit_test(test_sample_lines),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    fprintf(stderr, "test_jsmn_skip: %lu texts compared\n", n_checked);
    return rc;
}
