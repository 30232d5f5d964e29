/* Unit tests for store/join_answers: a survey's several answers merged in
 * C must be, byte for byte, what the merge's SQL (R1_SQL, the reference:
 * cs_join_answers_on off) gives: the latest member per key (by time, an
 * untimed event older than any timed one, then by event id; ties on
 * time), keys in byte order, measurements NULL when none; and the SQL's
 * answer whenever an answer is not plain (escapes, fractions, -0, nested
 * values, true/false/null, a key twice in one object, blanks).  Written
 * by hand, then 3,000 surveys with 2-6 random events each, answered and
 * orphaned, inside and outside a window. */
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
#include "ingest/ingest.h"
#include "store/join.h"
#include "store/join_answers.h"
#include "store/store.h"
#include "testutil.h"

static cs_status
row_text(void *ctx, const struct cs_join_row *r, struct cs_err *err)
{
    (void)err;
    struct cs_buf *b = ctx;
    cs_buf_puts(b, r->has_left ? r->survey_id : "-");
    cs_buf_puts(b, " ");
    cs_buf_puts(b, r->props ? r->props : "(null)");
    cs_buf_puts(b, " ");
    cs_buf_puts(b, r->measurements ? r->measurements : "(null)");
    cs_buf_puts(b, "\n");
    return CS_OK;
}

static char *
rows(struct cs_store *s, const struct cs_filter *f, enum cs_merge kind, bool c_merge)
{
    struct cs_buf b = {0};
    struct cs_err e;
    cs_join_answers_on = c_merge;
    assert_int_equal(cs_join_rows(s, f, kind, row_text, &b, &e), CS_OK);
    cs_join_answers_on = true;
    cs_buf_puts(&b, "");
    return b.s;
}

static void
same_rows(struct cs_store *s, const struct cs_filter *f)
{
    const enum cs_merge kinds[] = {CS_MERGE_INNER, CS_MERGE_FULLOUTER};
    for (size_t k = 0; k < 2; k++) {
        char *sql = rows(s, f, kinds[k], false), *c = rows(s, f, kinds[k], true);
        if (strcmp(sql, c) != 0) {
            /* the first line that differs */
            size_t i = 0, line = 0;
            while (sql[i] && sql[i] == c[i])
                line = sql[i++] == '\n' ? i : line;
            fail_msg("%s differs:\n SQL %.200s\n C   %.200s", cs_merge_name(kinds[k]), sql + line,
                     c + line);
        }
        xfree(sql);
        xfree(c);
    }
}

static struct cs_store *
open_store(void)
{
    struct cs_store_opts o = {.default_threshold = 2};
    struct cs_store *s;
    struct cs_err e;
    assert_int_equal(cs_store_open(&o, &s, &e), CS_OK);
    cs_store_input_begin(s, "answers", &e);
    return s;
}

static void
survey(struct cs_store *s, const char *sid, int64_t t_s)
{
    struct cs_record r;
    cs_record_clear(&r);
    snprintf(r.survey_id, sizeof r.survey_id, "%s", sid);
    r.time_us = t_s * 1000000;
    r.rating[0].present = r.rating[0].score_is_num = true;
    r.rating[0].score = 4;
    struct cs_store_counts c = {0};
    struct cs_err e;
    assert_int_equal(cs_store_put(s, &r, 1, &c, &e), CS_OK);
}

/* t_s 0: no time */
static void
event(struct cs_store *s, const char *sid, int64_t t_s, const char *props, const char *meas)
{
    struct cs_event x = {.time_us = t_s * 1000000,
                         .props = props,
                         .props_len = strlen(props),
                         .measurements = meas,
                         .measurements_len = meas ? strlen(meas) : 0};
    snprintf(x.survey_id, sizeof x.survey_id, "%s", sid);
    struct cs_store_counts c = {0};
    struct cs_err e;
    assert_int_equal(cs_store_event(s, &x, &c, &e), CS_OK);
}

static void
test_by_hand(void **state)
{
    (void)state;
    struct cs_store *s = open_store();
    struct cs_err e;
    survey(s, "h1", 1000);
    event(s, "h1", 1100, "{\"a\":\"old\",\"b\":\"x\"}", NULL);
    event(s, "h1", 1200, "{\"a\":\"new\",\"c\":7}", "{\"m\":1}");
    event(s, "h1", 0, "{\"a\":\"untimed\",\"d\":\"only\"}", "{\"m\":2,\"n\":-3}");
    survey(s, "h2", 1000);
    event(s, "h2", 1100, "{\"a\":\"first\"}", NULL);
    event(s, "h2", 1100, "{\"a\":\"second\"}", NULL); /* same time: the later stored */
    survey(s, "h3", 1000);
    event(s, "h3", 1100, "{}", NULL);
    event(s, "h3", 1150, "{}", "{}");
    survey(s, "h4", 1000);
    event(s, "h4", 1100, "{\"z\xc3\xa9\":\"\xc3\xa9\",\"Z\":\"upper\",\"a b\":\"\"}", NULL);
    event(s, "h4", 1300, "{\"a\":123456789012345}", NULL);
    event(s, "o1", 1400, "{\"q\":\"orphan 1\"}", NULL);
    event(s, "o1", 1500, "{\"q\":\"orphan 2\"}", NULL);
    /* not plain: the SQL */
    const char *odd[] = {"{\"a\":\"x\\\"y\"}", "{\"a\":1.5}", "{\"a\":-0}", "{\"a\":{\"b\":1}}",
                         "{\"a\":true}", "{\"a\":null}", "{\"a\":\"x\",\"a\":\"y\"}",
                         "{\"a\": \"x\"}", "{\"a\":1e3}", "{\"a\":1234567890123456}"};
    for (size_t i = 0; i < sizeof odd / sizeof *odd; i++) {
        char sid[16];
        snprintf(sid, sizeof sid, "x%zu", i);
        survey(s, sid, 2000);
        event(s, sid, 2100, "{\"a\":\"plain\",\"b\":\"kept\"}", NULL);
        event(s, sid, 2200, odd[i], NULL);
    }
    assert_int_equal(cs_store_input_end(s, true, NULL, &e), CS_OK);
    char *c = rows(s, NULL, CS_MERGE_INNER, true);
    /* by hand: h1's latest per key, untimed oldest; h2 the later stored */
    assert_non_null(strstr(c, "h1 {\"a\":\"new\",\"b\":\"x\",\"c\":7,\"d\":\"only\"} {\"m\":1,\"n\":-3}\n"));
    assert_non_null(strstr(c, "h2 {\"a\":\"second\"} (null)\n"));
    assert_non_null(strstr(c, "h3 {} (null)\n"));
    assert_non_null(
        strstr(c, "h4 {\"Z\":\"upper\",\"a\":123456789012345,\"a b\":\"\",\"z\xc3\xa9\":\"\xc3\xa9\"} (null)\n"));
    xfree(c);
    same_rows(s, NULL);
    cs_store_close(&s);
}

static uint64_t rng = 0x2545F4914F6CDD1Dull;

static unsigned
rnd(unsigned n)
{
    return tu_rand(&rng, n);
}

static void
random_object(struct cs_buf *b, bool meas)
{
    static const char *const keys[] = {"a", "b", "c", "q", "Q", "\xc3\xa9", "long key", "a0"};
    static const char *const sv[] = {"\"\"", "\"x\"", "\"No issues\"", "\"\xc3\xa9t\xc3\xa9\"",
                                     "\"12\"", "\"a\\\"b\"", "\"tab\\t\""};
    static const char *const nv[] = {"0", "7", "-12", "999999999999999", "-0", "1.5", "true", "null", "[1]"};
    b->n = 0;
    cs_buf_puts(b, "{");
    unsigned n = rnd(5), used = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned k = rnd(8);
        if ((used >> k & 1) && rnd(20))
            continue; /* a key twice in one object: now and then */
        used |= 1u << k;
        if (b->n > 1)
            cs_buf_puts(b, ",");
        cs_buf_puts(b, "\"");
        cs_buf_puts(b, keys[k]);
        cs_buf_puts(b, "\":");
        bool plain = rnd(12) != 0;
        if (meas || rnd(3) == 0)
            cs_buf_puts(b, plain ? nv[rnd(4)] : nv[4 + rnd(5)]);
        else
            cs_buf_puts(b, plain ? sv[rnd(5)] : sv[5 + rnd(2)]);
    }
    cs_buf_puts(b, "}");
    cs_buf_puts(b, "");
}

static void
test_random(void **state)
{
    (void)state;
    struct cs_store *s = open_store();
    struct cs_err e;
    struct cs_buf p = {0}, m = {0};
    for (int i = 0; i < 3000; i++) {
        char sid[16];
        snprintf(sid, sizeof sid, "r%04d", i);
        if (i % 5)
            survey(s, sid, 10000 + i); /* else: orphans */
        unsigned n = 2 + rnd(5);
        for (unsigned j = 0; j < n; j++) {
            random_object(&p, false);
            random_object(&m, true);
            int64_t t = rnd(6) ? 10000 + i + (int64_t)rnd(4) * 30 : 0; /* ties, untimed */
            event(s, sid, t, p.s, rnd(3) ? m.s : NULL);
        }
    }
    assert_int_equal(cs_store_input_end(s, true, NULL, &e), CS_OK);
    same_rows(s, NULL);
    struct cs_filter w = {.has_since = true, .since_us = INT64_C(11000) * 1000000};
    same_rows(s, &w);
    cs_buf_free(&p);
    cs_buf_free(&m);
    cs_store_close(&s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_by_hand),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
