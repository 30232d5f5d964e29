/* Unit tests for core/utf8.c and the outputs that rely on it: strict
 * decoding (overlong forms, surrogates, truncated sequences), cleaning with
 * and without control characters, the CSV writer (formula neutralization,
 * invalid UTF-8 and controls replaced and counted) and JSON files (valid
 * UTF-8 whatever the strings held, invalid strings counted). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mem.h"
#include "core/utf8.h"
#include "render/csvout.h"
#include "render/json.h"

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *b = xmalloc(1 << 16);
    *len = fread(b, 1, (1 << 16) - 1, f);
    b[*len] = '\0';
    fclose(f);
    return b;
}

static void
test_decode(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        long cp;
        size_t adv;
    } cases[] = {
        {"A", 'A', 1},
        {"\xC3\xA9", 0xE9, 2},
        {"\xE2\x82\xAC", 0x20AC, 3},
        {"\xF0\x9F\x98\x80", 0x1F600, 4},
        {"\xC0\x80", -1, 1},         /* overlong NUL */
        {"\xE0\x80\xAF", -1, 1},     /* overlong '/' */
        {"\xED\xA0\x80", -1, 1},     /* surrogate */
        {"\xF4\x90\x80\x80", -1, 1}, /* above U+10FFFF */
        {"\xE2\x82", -1, 1},         /* truncated */
        {"\x80", -1, 1},             /* lone continuation */
        {"\xFF", -1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t adv;
        long cp = cs_utf8_decode((const unsigned char *)cases[i].s, strlen(cases[i].s), &adv);
        if (cp != cases[i].cp || adv != cases[i].adv)
            fail_msg("case %zu: got %ld/%zu", i, cp, adv);
    }
}

static void
test_clean(void **state)
{
    (void)state;
    size_t n;
    assert_null(cs_utf8_clean("plain \xC3\xA9 text\n", 14, CS_UTF8_CONTROLS, &n));
    assert_int_equal(n, 0);
    char *t = cs_utf8_clean("a\xFF"
                            "b\xE2\x82"
                            "c",
                            6, 0, &n);
    assert_string_equal(t, "a\xEF\xBF\xBD"
                           "b\xEF\xBF\xBD\xEF\xBF\xBD"
                           "c");
    assert_int_equal(n, 3);
    xfree(t);
    /* controls: kept without the flag, replaced with it; tab and breaks kept */
    assert_null(cs_utf8_clean("x\x1B[31my", 7, 0, NULL));
    t = cs_utf8_clean("x\x1B[31m\ty\r\n\x7F\xC2\x85", 13, CS_UTF8_CONTROLS, &n);
    assert_string_equal(t, "x\xEF\xBF\xBD[31m\ty\r\n\xEF\xBF\xBD\xEF\xBF\xBD");
    assert_int_equal(n, 3);
    xfree(t);
    t = cs_utf8_clean("a\r\nb", 4, CS_UTF8_CONTROLS | CS_UTF8_NO_CR, &n);
    assert_string_equal(t, "a\xEF\xBF\xBD\nb");
    xfree(t);
    t = cs_utf8_clean("a\nb", 3, CS_UTF8_CONTROLS | CS_UTF8_NO_BREAKS, &n);
    assert_string_equal(t, "a\xEF\xBF\xBD"
                           "b");
    xfree(t);
    /* a NUL inside the given length is a control */
    t = cs_utf8_clean("a\0b", 3, CS_UTF8_CONTROLS, &n);
    assert_string_equal(t, "a\xEF\xBF\xBD"
                           "b");
    xfree(t);
    assert_true(cs_utf8_clean_already("", 0, CS_UTF8_CONTROLS));
    assert_false(cs_utf8_clean_already("\xC0\xAF", 2, 0));
}

static void
test_csv(void **state)
{
    (void)state;
    char path[] = "/tmp/cs-test-csv-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    struct cs_csv c;
    struct cs_err e;
    assert_int_equal(cs_csv_open(&c, path, false, &e), CS_OK);
    static const char *const cells[] = {
        "=HYPERLINK(\"http://x\",\"click\")",
        "+1+2",
        "-3",
        "@SUM(A1)",
        "\tx",
        "\rx",
        "ok",
        "bad\xFF",
        "esc\x1B]0;t\x07",
        "multi\nline",
        "-",
        "a,b",
    };
    for (size_t i = 0; i < sizeof cells / sizeof *cells; i++)
        cs_csv_text(&c, cells[i]);
    cs_csv_num(&c, -3);
    cs_csv_endrow(&c);
    assert_int_equal(c.neutralized, 7);
    assert_int_equal(c.replaced, 2);
    assert_int_equal(cs_csv_close(&c, &e), CS_OK);
    size_t len;
    char *got = slurp(path, &len);
    assert_string_equal(got,
                        "\"'=HYPERLINK(\"\"http://x\"\",\"\"click\"\")\",\"'+1+2\",\"'-3\","
                        "\"'@SUM(A1)\",\"'\tx\",\"'\rx\",ok,bad\xEF\xBF\xBD,"
                        "esc\xEF\xBF\xBD]0;t\xEF\xBF\xBD,\"multi\nline\",\"'-\",\"a,b\",-3\r\n");
    xfree(got);
    unlink(path);
}

static void
test_json(void **state)
{
    (void)state;
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "ok", "caf\xC3\xA9");
    cJSON_AddStringToObject(doc, "bad", "x\xFF\xFEy");
    cJSON *arr = cJSON_AddArrayToObject(doc, "a");
    cJSON_AddItemToArray(arr, cJSON_CreateString("\xC0\xAF"));
    cJSON_AddItemToArray(arr, cJSON_CreateString("ctl\x01"));
    cJSON_AddStringToObject(doc, "k\xFF", "v");
    assert_int_equal(cs_json_invalid_strings(doc), 3);
    char path[] = "/tmp/cs-test-json-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    struct cs_err e;
    assert_int_equal(cs_json_write(doc, path, &e), CS_OK);
    cJSON_Delete(doc);
    size_t len;
    char *got = slurp(path, &len);
    assert_true(cs_utf8_clean_already(got, len, 0));
    cJSON *back = cJSON_Parse(got);
    assert_non_null(back);
    assert_string_equal(cJSON_GetObjectItem(back, "bad")->valuestring,
                        "x\xEF\xBF\xBD\xEF\xBF\xBDy");
    assert_string_equal(cJSON_GetObjectItem(back, "ok")->valuestring, "caf\xC3\xA9");
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(back, "a"), 1)->valuestring,
                        "ctl\x01");
    assert_non_null(cJSON_GetObjectItem(back, "k\xEF\xBF\xBD"));
    cJSON_Delete(back);
    xfree(got);
    unlink(path);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_clean),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
