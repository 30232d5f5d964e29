/* Unit tests for render/json_split's path without a cJSON tree (issue 22):
 * for the objects ingest stores and for texts near them, the answers, the
 * "other" object and the privacy count must be the cJSON path's (the
 * reference: cs_custom_split_fast off).  Texts written by hand at the
 * edges, then 200,000 random ones: keys with and without a column,
 * repeated keys, strings with UTF-8, escapes and control bytes, numbers
 * of every length and form, blanks, trailing bytes, cut texts; privacy on
 * and off. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "model/privacy.h"
#include "model/rows.h"
#include "render/json_split.h"
#include "testutil.h"

static const char *const KEYS[] = {"a", "b", "q", "r", "z\xc3\xa9", "long key name"};
#define N_KEYS (sizeof KEYS / sizeof *KEYS)

/* The split of (props, meas) as text: each column's answer, other, drops. */
static void
split_text(const struct cs_custom_cols *c, const char *props, const char *meas,
           const struct cs_privacy *p, bool fast, struct cs_buf *out)
{
    struct cs_custom_split sp = {0};
    uint64_t dropped = 0;
    cs_custom_split_fast = fast;
    cs_custom_split_row(c, props, meas, p, &dropped, &sp);
    cs_custom_split_fast = true;
    out->n = 0;
    char t[64];
    for (size_t k = 0; k < c->n_keys; k++) {
        const struct cs_answer *a = &sp.vals[k];
        snprintf(t, sizeof t, "%d:", (int)a->type);
        cs_buf_puts(out, t);
        if (a->type == CS_ANSWER_NUMBER) {
            snprintf(t, sizeof t, "%.17g%s", a->num, a->num == 0 && 1 / a->num < 0 ? "(-0)" : "");
            cs_buf_puts(out, t);
        } else if (a->text) {
            cs_buf_puts(out, a->text);
        }
        cs_buf_puts(out, "|");
    }
    snprintf(t, sizeof t, "other=%s drops=%llu", sp.other ? "" : "(none)",
             (unsigned long long)dropped);
    cs_buf_puts(out, t);
    if (sp.other)
        cs_buf_puts(out, sp.other);
    cs_buf_puts(out, "");
    cs_custom_split_free(&sp);
}

static void
cols_of(struct cs_custom_cols *c, unsigned mask)
{
    memset(c, 0, sizeof *c);
    c->keys = xcalloc(N_KEYS, sizeof *c->keys);
    /* byte order: KEYS is in it but for "long key name" (l < q) */
    const char *sorted[] = {"a", "b", "long key name", "q", "r", "z\xc3\xa9"};
    for (size_t i = 0; i < N_KEYS; i++)
        if (mask >> i & 1)
            c->keys[c->n_keys++] = xstrdup(sorted[i]);
    c->n_all = c->n_keys;
    cs_custom_cols_index(c);
}

static struct cs_privacy *PRIV;

static void
same(const struct cs_custom_cols *c, const char *props, const char *meas)
{
    struct cs_buf x = {0}, y = {0};
    for (int pv = 0; pv < 2; pv++) {
        const struct cs_privacy *p = pv ? PRIV : NULL;
        split_text(c, props, meas, p, false, &x);
        split_text(c, props, meas, p, true, &y);
        if (strcmp(x.s, y.s) != 0)
            fail_msg("props %s meas %s privacy %d:\n cJSON %s\n fast  %s", props ? props : "NULL",
                     meas ? meas : "NULL", pv, x.s, y.s);
    }
    cs_buf_free(&x);
    cs_buf_free(&y);
}

static int
setup(void **state)
{
    (void)state;
    struct cs_err e;
    return cs_privacy_from_key("0123456789abcdef0123", 20, "k", false, &PRIV, &e) == CS_OK ? 0
                                                                                           : -1;
}

static int
teardown(void **state)
{
    (void)state;
    cs_privacy_free(&PRIV);
    return 0;
}

static void
test_by_hand(void **state)
{
    (void)state;
    struct cs_custom_cols c;
    cols_of(&c, 0x3f);
    const char *t[] = {
        "{}", "{\"a\":\"x\"}", "{\"a\":\"x\",\"b\":\"\"}", "{\"a\":\"x\",\"a\":\"y\"}",
        "{\"a\":\"1.5\",\"b\":\"true\",\"q\":\" 7 \"}", /* not text for privacy */
        "{\"a\":-0}", "{\"a\":0}", "{\"a\":00}", "{\"a\":-}", "{\"a\":123456789012345}",
        "{\"a\":1234567890123456}", "{\"a\":1.5}", "{\"a\":1e3}", "{\"a\":-12,\"b\":7}",
        "{\"a\":true}", "{\"a\":null}", "{\"a\":[1]}", "{\"a\":{\"b\":1}}", "{\"a\":\"x\\\"y\"}",
        "{\"a\":\"x\\ny\"}", "{\"a\":\"tab\there\"}", "{\"c\":\"no column\"}", " {\"a\":\"x\"}",
        "{\"a\" :\"x\"}", "{\"a\":\"x\"} ", "{\"a\":\"x\"}junk", "{\"a\":\"x\"", "{\"a\":\"x",
        "{\"a\"", "{", "", "[]", "\"a\"", "{\"a\":\"x\",}", "{,}", "{\"z\xc3\xa9\":\"\xc3\xa9t\xc3\xa9\"}",
        "{\"long key name\":\"v\",\"q\":5}", "{\"a\":\"\xff\xfe\"}"};
    const char *m[] = {NULL, "{}", "{\"a\":3}", "{\"r\":12,\"b\":-4}", "{\"r\":1.25}", "{\"x\":1}"};
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
        for (size_t j = 0; j < sizeof m / sizeof *m; j++) {
            same(&c, t[i], m[j]);
            same(&c, m[j], t[i]);
        }
    same(&c, NULL, NULL);
    cs_custom_cols_free(&c);
}

static uint64_t rng = 88172645463325252ull;

static unsigned
rnd(unsigned n)
{
    return tu_rand(&rng, n);
}

/* A random member value into b. */
static void
value(struct cs_buf *b)
{
    static const char *const sv[] = {"", "x", "No issues", "12", " 3 ", "true", "\xc3\xa9\xc3\xa9",
                                     "a\\\"b", "line\\nbreak", "\\u00e9", "ctl\x01", "tab\t"};
    static const char *const nv[] = {"0", "-0", "7", "-12", "100",
                                     "1.5", "1e2", "-0.0", "012", "999999999999999",
                                     "-999999999999999", "1000000000000000", "true", "false", "null",
                                     "[1,2]", "{\"k\":1}", "-", "1.", "2E-3"};
    char t[64];
    if (rnd(2)) {
        snprintf(t, sizeof t, "\"%s\"", sv[rnd(sizeof sv / sizeof *sv)]);
        cs_buf_puts(b, t);
    } else {
        cs_buf_puts(b, nv[rnd(sizeof nv / sizeof *nv)]);
    }
}

/* A random object text into b (mostly as ingest stores them). */
static void
object(struct cs_buf *b)
{
    b->n = 0;
    cs_buf_puts(b, rnd(40) ? "{" : " {");
    unsigned n = rnd(5);
    for (unsigned i = 0; i < n; i++) {
        if (i)
            cs_buf_puts(b, rnd(60) ? "," : ", ");
        char t[64];
        snprintf(t, sizeof t, "\"%s\":", rnd(12) ? KEYS[rnd(N_KEYS)] : "other");
        cs_buf_puts(b, t);
        value(b);
    }
    cs_buf_puts(b, rnd(40) ? "}" : "} ");
    if (!rnd(50) && b->n > 2)
        b->n = rnd((unsigned)b->n); /* cut */
    cs_buf_puts(b, "");
}

static void
test_random(void **state)
{
    (void)state;
    struct cs_buf p = {0}, m = {0};
    for (int i = 0; i < 200000; i++) {
        struct cs_custom_cols c;
        cols_of(&c, rnd(8) ? 0x3f : rnd(64));
        object(&p);
        object(&m);
        same(&c, p.s, rnd(3) ? m.s : NULL);
        cs_custom_cols_free(&c);
    }
    cs_buf_free(&p);
    cs_buf_free(&m);
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
