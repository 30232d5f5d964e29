/* Unit tests for core/json_plain: whatever it reads as plain, SQLite's
 * JSON reads the same - valid, the same members (keys, in order, and
 * string values with their escapes), a value's type - for 300,000 random
 * texts near the plain form (escapes good and bad, control bytes, UTF-8,
 * numbers of every form, blanks, nesting, cuts), with and without escaped
 * values; and texts by hand at the edges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/json_plain.h"
#include "testutil.h"

static sqlite3 *DB;
static sqlite3_stmt *VALID, *EACH;

/* A member as compared: key, type, and (values read) a string's text or a
 * number's value ("%.17g", -0 as 0). */
static void
put_member(struct cs_buf *out, const char *key, size_t klen, bool is_string, const char *val,
           size_t vlen, double num, bool values)
{
    cs_buf_add(out, key, klen);
    cs_buf_puts(out, is_string ? "=s" : "=n");
    if (values) {
        cs_buf_puts(out, ":");
        if (is_string) {
            cs_buf_add(out, val, vlen);
        } else {
            char t[40];
            snprintf(t, sizeof t, "%.17g", num + 0.0);
            cs_buf_puts(out, t);
        }
    }
    cs_buf_puts(out, ";");
}

/* The plain reading of t as text, or NULL when not plain; values only
 * when they are read as written (not esc). */
static const char *
plain_text(const char *t, size_t len, bool esc, struct cs_buf *out)
{
    struct cs_plain_iter it;
    struct cs_plain_member m;
    int r;
    out->n = 0;
    cs_plain_begin(&it, t, len, esc);
    while ((r = cs_plain_next(&it, &m)) > 0) {
        char num[40] = "0";
        if (!m.is_string)
            snprintf(num, sizeof num, "%.*s", (int)m.val_len, m.val);
        put_member(out, m.key, m.key_len, m.is_string, m.val, m.val_len, strtod(num, NULL), !esc);
    }
    cs_buf_puts(out, "");
    return r == 0 ? out->s : NULL;
}

/* SQLite's reading (json_valid, json_each) the same way, or NULL when not
 * valid JSON. */
static const char *
sqlite_text(const char *t, size_t len, bool values, struct cs_buf *out)
{
    sqlite3_reset(VALID);
    sqlite3_bind_text(VALID, 1, t, (int)len, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(VALID), SQLITE_ROW);
    if (!sqlite3_column_int(VALID, 0))
        return NULL;
    out->n = 0;
    sqlite3_reset(EACH);
    sqlite3_bind_text(EACH, 1, t, (int)len, SQLITE_STATIC);
    while (sqlite3_step(EACH) == SQLITE_ROW) {
        if (sqlite3_column_type(EACH, 0) != SQLITE_TEXT) {
            cs_buf_puts(out, "(a key not text)");
            continue;
        }
        const char *type = (const char *)sqlite3_column_text(EACH, 1);
        bool str = strcmp(type, "text") == 0;
        if (!str && strcmp(type, "integer") != 0 && strcmp(type, "real") != 0)
            cs_buf_puts(out, type); /* true, null, array, object: never plain */
        put_member(out, (const char *)sqlite3_column_text(EACH, 0),
                   (size_t)sqlite3_column_bytes(EACH, 0), str,
                   (const char *)sqlite3_column_text(EACH, 2), (size_t)sqlite3_column_bytes(EACH, 2),
                   sqlite3_column_double(EACH, 2), values);
    }
    cs_buf_puts(out, "");
    return out->s;
}

static int
setup(void **state)
{
    (void)state;
    if (sqlite3_open(":memory:", &DB) != SQLITE_OK)
        return -1;
    if (sqlite3_prepare_v2(DB, "SELECT json_valid(?1)", -1, &VALID, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(DB,
                           "SELECT key, type, value FROM json_each(?1)",
                           -1, &EACH, NULL) != SQLITE_OK)
        return -1;
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    sqlite3_finalize(VALID);
    sqlite3_finalize(EACH);
    sqlite3_close(DB);
    return 0;
}

static void
same(const char *t, size_t len)
{
    struct cs_buf p = {0}, q = {0};
    for (int esc = 0; esc < 2; esc++) {
        const char *a = plain_text(t, len, esc, &p);
        if (!a)
            continue;
        const char *b = sqlite_text(t, len, !esc, &q);
        if (!b || strcmp(a, b) != 0)
            fail_msg("'%.*s' (escaped values %d): plain %s, SQLite %s", (int)len, t, esc, a,
                     b ? b : "not valid");
        /* without escaped values nothing escaped is read as plain */
        if (!esc)
            assert_null(memchr(t, '\\', len));
    }
    cs_buf_free(&p);
    cs_buf_free(&q);
}

static void
test_by_hand(void **state)
{
    (void)state;
    const char *t[] = {"{}", "{\"a\":\"x\"}", "{\"a\":0,\"b\":-7,\"c\":123456789012345}",
                       "{\"a\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD800\"}", "{\"\xc3\xa9\":\"\x7f\xff\"}",
                       "{\"a\":\"x\",\"a\":\"y\"}", "{\"a\":\"\"}", "{\"\":1}"};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        struct cs_buf p = {0};
        assert_non_null(plain_text(t[i], strlen(t[i]), true, &p));
        cs_buf_free(&p);
        same(t[i], strlen(t[i]));
    }
    /* not plain (whatever SQLite makes of them) */
    const char *no[] = {"", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}",
                        "{,}", "{\"a\":01}", "{\"a\":1.5}", "{\"a\":1e2}", "{\"a\":-}",
                        " {}", "{} ", "{\"a\": 1}", "{\"a\":true}", "{\"a\":[]}",
                        "{\"a\":{}}", "{\"a\":\"\\q\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\u123g\"}", "{\"a\\n\":1}",
                        "{\"a\":\"\x01\"}", "{\"a\":1234567890123456}", "{\"a\":1\"b\":2}"};
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        struct cs_buf p = {0};
        if (plain_text(no[i], strlen(no[i]), true, &p))
            fail_msg("'%s' read as plain", no[i]);
        cs_buf_free(&p);
    }
}

static uint64_t rng = 0x853c49e6748fea9bull;

static unsigned
rnd(unsigned n)
{
    return tu_rand(&rng, n);
}

static void
test_random(void **state)
{
    (void)state;
    static const char *const parts[] = {
        "{", "}", ",", ":", "\"a\"", "\"key\"", "\"\xc3\xa9\"", "\"\"", "\"x y\"", "0", "-0", "7",
        "-12", "01", "1.5", "2e3", "true", "null", "[1]", "{\"n\":1}", "\"\\n\"", "\"\\\"\"",
        "\"\\u00e9\"", "\"\\uD83D\"", "\"\\q\"", "\"\\u12\"", "\"\\u123g\"", "\"\\\"", "\"\x01\"", "\"\x7f\"", " ",
        "\"a\\/b\"", "999999999999999", "9999999999999999"};
    struct cs_buf t = {0};
    for (int i = 0; i < 300000; i++) {
        t.n = 0;
        if (rnd(4)) { /* mostly object-shaped */
            cs_buf_puts(&t, "{");
            unsigned n = rnd(4);
            for (unsigned k = 0; k < n; k++) {
                if (k)
                    cs_buf_puts(&t, rnd(30) ? "," : parts[rnd(34)]);
                cs_buf_puts(&t, parts[4 + rnd(5)]);
                cs_buf_puts(&t, rnd(30) ? ":" : parts[rnd(34)]);
                cs_buf_puts(&t, parts[4 + rnd(30)]);
            }
            cs_buf_puts(&t, rnd(30) ? "}" : parts[rnd(34)]);
        } else {
            unsigned n = rnd(8);
            for (unsigned k = 0; k < n; k++)
                cs_buf_puts(&t, parts[rnd(34)]);
        }
        size_t len = t.n;
        if (!rnd(20) && len)
            len = rnd((unsigned)len); /* cut */
        same(t.s ? t.s : "", len);
    }
    cs_buf_free(&t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_by_hand),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
