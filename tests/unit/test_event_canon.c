/* Unit tests for ingest/event_canon: a custom event's answers printed
 * without a cJSON tree, by hand and against the cJSON path of
 * ingest/events.c (the same event written so that only cJSON can read it
 * must give the same text, the store's duplicate key). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/mem.h"
#include "ingest/event_canon.h"
#include "ingest/ingest.h"
#include "model/event.h"
#include "testutil.h"

static void
props_are(const char *text, const char *key, const char *want, const char *want_id)
{
    char *p = NULL;
    const char *id;
    size_t n;
    if (!cs_canon_props(text, strlen(text), key, &p, &id, &n))
        fail_msg("not simple: %s", text);
    assert_string_equal(p, want);
    if (want_id) {
        assert_non_null(id);
        assert_int_equal(n, strlen(want_id));
        assert_memory_equal(id, want_id, n);
    } else {
        assert_null(id);
    }
    xfree(p);
}

static void
not_simple(const char *text)
{
    char *p = NULL;
    const char *id;
    size_t n;
    if (cs_canon_props(text, strlen(text), "id", &p, &id, &n))
        fail_msg("taken as simple: %s -> %s", text, p);
    assert_null(p);
}

static void
test_props_by_hand(void **state)
{
    (void)state;
    /* sorted in byte order (a prefix first, upper case before lower), the
     * first key matching "id" in any case taken out, whitespace dropped */
    props_are(" {\"b\" : \"2\",\t\"ID\":\"S1\",\n\"ab\":\"x y\", \"a\":\"\", \"B\":\"3\"}\r\n", "id",
              "{\"B\":\"3\",\"a\":\"\",\"ab\":\"x y\",\"b\":\"2\"}", "S1");
    /* equal keys keep their order; only the first id goes */
    props_are("{\"q\":\"2\",\"id\":\"A\",\"q\":\"1\",\"Id\":\"B\"}", "id",
              "{\"Id\":\"B\",\"q\":\"2\",\"q\":\"1\"}", "A");
    props_are("{}", "id", "{}", NULL);
    props_are("{\"surveyId\":\" S9 \",\"é\":\"ü\"}", "SURVEYID", "{\"é\":\"ü\"}", " S9 ");
    props_are("{\"i\":\"x\"}", "id", "{\"i\":\"x\"}", NULL); /* a shorter key is not the id */
    /* anything cJSON must decide */
    not_simple("{\"id\":\"S1\",\"q\":\"a\\\"b\"}"); /* an escape */
    not_simple("{\"id\":\"S1\",\"n\":5}");          /* a number */
    not_simple("{\"id\":\"S1\",\"o\":{}}");         /* nesting */
    not_simple("{\"id\":\"S1\",\"q\":\"a\tb\"}");   /* a control byte */
    not_simple("{\"id\":\"S1\"} x");                /* text after it */
    not_simple("[\"id\"]");
    not_simple("{\"id\":\"S1\",}");
    not_simple("{\"id\":\"S1\"");
    not_simple("");
    char many[2048] = "{";
    for (int i = 0; i <= CS_CANON_MAX; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many), "%s\"k%d\":\"v\"",
                 i ? "," : "", i);
    strcat(many, "}");
    not_simple(many);
}

static void
test_measurements_by_hand(void **state)
{
    (void)state;
    char *m = NULL;
    const char *t = "{\"z\":-0, \"a\":123456789,\"m\":-7,\"a\":0}";
    assert_true(cs_canon_measurements(t, strlen(t), &m));
    assert_string_equal(m, "{\"a\":123456789,\"a\":0,\"m\":-7,\"z\":0}");
    xfree(m);
    m = (char *)"x";
    assert_true(cs_canon_measurements("{ }", 3, &m));
    assert_null(m);
    const char *other[] = {"{\"a\":1.5}", "{\"a\":1e3}", "{\"a\":1234567890}", "{\"a\":007}",
                           "{\"a\":\"1\"}", "{\"a\":true}", "{\"a\":-}", "{\"a\":1"};
    for (size_t i = 0; i < sizeof other / sizeof *other; i++) {
        m = NULL;
        if (cs_canon_measurements(other[i], strlen(other[i]), &m))
            fail_msg("taken as simple: %s", other[i]);
    }
}

/* ---- against the cJSON path ------------------------------------------- */

#define MAXE 16
struct seen {
    char id[MAXE][160], props[MAXE][256], meas[MAXE][128];
    size_t n;
};

static cs_status
on_event(void *ctx, const struct cs_event *ev, const char *raw, size_t raw_len,
         struct cs_err *err)
{
    (void)raw;
    (void)raw_len;
    (void)err;
    struct seen *s = ctx;
    if (s->n < MAXE) {
        snprintf(s->id[s->n], 160, "%s", ev->survey_id);
        snprintf(s->props[s->n], 256, "%.*s", (int)ev->props_len, ev->props);
        snprintf(s->meas[s->n], 128, "%.*s", (int)ev->measurements_len,
                 ev->measurements ? ev->measurements : "");
        s->n++;
    }
    return CS_OK;
}

/* Each pair of lines is one event written twice: simply, and with an
 * escape (or a form) that only the cJSON path reads; both give one text. */
static void
test_same_as_cjson(void **state)
{
    (void)state;
    const char *in =
        "{\"name\":\"CallSurvey\",\"customDimensions\":{\"id\":\" S1 \",\"b\":\"x\",\"a\":\"ü\"},"
        "\"customMeasurements\":{\"t\":-0,\"s\":12}}\n"
        "{\"name\":\"CallSurvey\",\"customDimensions\":{\"id\":\" S1 \",\"b\":\"\\u0078\",\"a\":"
        "\"\\u00fc\"},\"customMeasurements\":{\"t\":0.0,\"s\":1.2e1}}\n"
        "{\"name\":\"CallSurvey\",\"customDimensions\":{\"ID\":\"s2\",\"q\":\"1\",\"q\":\"0\"}}\n"
        "{\"name\":\"CallSurvey\",\"customDimensions\":{\"ID\":\"s2\",\"q\":\"1\",\"q\":\"\\u0030\"}}\n"
        "{\"name\":\"CallSurvey\",\"customDimensions\":{\"k\":\"v\",\"id\":\"S3\"},"
        "\"customMeasurements\":{}}\n"
        "{\"name\":\"CallSurvey\",\"customDimensions\":{\"k\":\"\\u0076\",\"id\":\"S3\"},"
        "\"customMeasurements\":{}}\n";
    const char *p = tu_tmpfile(in, strlen(in));
    struct cs_ingest_opts o;
    cs_ingest_opts_default(&o);
    struct seen s = {.n = 0};
    struct cs_ingest_sink sink = {.ctx = &s, .event = on_event};
    struct cs_ingest_stats st;
    struct cs_err e;
    assert_int_equal(cs_ingest_path(p, "in", &o, &sink, &st, &e), CS_OK);
    unlink(p);
    assert_int_equal(s.n, 6);
    for (size_t i = 0; i < 6; i += 2) {
        assert_string_equal(s.id[i], s.id[i + 1]);
        assert_string_equal(s.props[i], s.props[i + 1]);
        assert_string_equal(s.meas[i], s.meas[i + 1]);
    }
    assert_string_equal(s.id[0], "s1");
    assert_string_equal(s.props[0], "{\"a\":\"ü\",\"b\":\"x\"}");
    assert_string_equal(s.meas[0], "{\"s\":12,\"t\":0}");
    assert_string_equal(s.props[2], "{\"q\":\"1\",\"q\":\"0\"}");
    assert_string_equal(s.props[4], "{\"k\":\"v\"}");
    assert_string_equal(s.meas[4], "");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_props_by_hand),
        cmocka_unit_test(test_measurements_by_hand),
        cmocka_unit_test(test_same_as_cjson),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
