/* Unit tests for the custom keys of store/join.c: the answers' member keys
 * are counted by walking the objects in C (issue 22), and must be what
 * SQLite's json_each counts: asked here of the same store in SQL, for
 * answers as ingest stores them and for what it never stores (arrays,
 * scalars, escaped keys: SQL's count then), one store per case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "ingest/ingest.h"
#include "store/join.h"
#include "store/store.h"

/* A store with one event per props[i] (measurements meas[i], NULL: none). */
static struct cs_store *
store_of(const char *const *props, const char *const *meas, size_t n)
{
    struct cs_store_opts o = {.default_threshold = 2};
    struct cs_store *s;
    struct cs_err e;
    assert_int_equal(cs_store_open(&o, &s, &e), CS_OK);
    cs_store_input_begin(s, "keys", &e);
    struct cs_store_counts c = {0};
    for (size_t i = 0; i < n; i++) {
        struct cs_event x = {.time_us = (int64_t)(1000 + i) * 1000000,
                             .props = props[i],
                             .props_len = strlen(props[i]),
                             .measurements = meas ? meas[i] : NULL,
                             .measurements_len = meas && meas[i] ? strlen(meas[i]) : 0};
        snprintf(x.survey_id, sizeof x.survey_id, "s%zu", i);
        assert_int_equal(cs_store_event(s, &x, &c, &e), CS_OK);
    }
    assert_int_equal(cs_store_input_end(s, true, NULL, &e), CS_OK);
    return s;
}

/* The keys in SQL, as the columns take them: the cap most used (count
 * desc, key), then in byte order, "|"-joined; *all the distinct keys. */
static void
sql_keys(struct cs_store *s, size_t cap, char *out, size_t n, uint64_t *all)
{
    sqlite3_stmt *q;
    char sql[600];
    snprintf(sql, sizeof sql,
             "SELECT group_concat(key, '|'), (SELECT count(DISTINCT key) FROM m) FROM"
             " (SELECT key FROM (SELECT key, count(*) AS c FROM m GROUP BY key"
             " ORDER BY c DESC, key LIMIT %zu) ORDER BY key)",
             cap);
    char with[1200];
    snprintf(with, sizeof with,
             "WITH m AS (SELECT p.key FROM custom_events e, json_each(e.props) p UNION ALL"
             " SELECT p.key FROM custom_events e, json_each(e.measurements) p"
             " WHERE e.measurements IS NOT NULL) %s",
             sql);
    assert_int_equal(sqlite3_prepare_v2(cs_store_db(s), with, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    const char *t = (const char *)sqlite3_column_text(q, 0);
    snprintf(out, n, "%s", t ? t : "");
    *all = (uint64_t)sqlite3_column_int64(q, 1);
    sqlite3_finalize(q);
}

/* The keys as a report counts them: two halves by event id (on two
 * connections there, one here) put together as the store's count of the
 * window f; *keys the distinct keys. */
static void
halves(struct cs_store *s, const struct cs_filter *f, uint64_t *keys)
{
    struct cs_err e;
    struct cs_join_key_half *h[2];
    assert_int_equal(cs_join_key_half(s, f, 1, &h[1], &e), CS_OK);
    assert_int_equal(cs_join_key_half(s, f, 0, &h[0], &e), CS_OK);
    assert_int_equal(cs_join_key_halves_keep(s, f, h, keys, &e), CS_OK);
    cs_join_key_half_free(h[0]);
    cs_join_key_half_free(h[1]);
}

/* The columns and counts against SQL's, for every cap; with halves, from
 * the count the two halves put together (and for a window from the third
 * event on, against the audit's own count). */
static void
same_keys_of(struct cs_store *s, bool with_halves)
{
    struct cs_err e;
    for (size_t cap = 1; cap <= 6; cap++) {
        uint64_t from_halves = 0;
        if (with_halves)
            halves(s, NULL, &from_halves);
        char want[512], got[512] = "";
        uint64_t all;
        sql_keys(s, cap, want, sizeof want, &all);
        struct cs_custom_cols cc;
        assert_int_equal(cs_custom_cols_load(s, NULL, cap, &cc, &e), CS_OK);
        size_t o = 0;
        for (size_t i = 0; i < cc.n_keys; i++)
            o += (size_t)snprintf(got + o, sizeof got - o, "%s%s", i ? "|" : "", cc.keys[i]);
        assert_string_equal(got, want);
        assert_int_equal(cc.n_all, all);
        cs_custom_cols_free(&cc);
        struct cs_join_audit a;
        assert_int_equal(cs_join_audit(s, NULL, &a, &e), CS_OK);
        assert_int_equal(a.keys, all);
        if (with_halves)
            assert_int_equal(from_halves, all);
    }
    if (!with_halves)
        return;
    struct cs_filter late = {.has_since = true, .since_us = INT64_C(1002) * 1000000};
    struct cs_join_audit a;
    assert_int_equal(cs_join_audit(s, &late, &a, &e), CS_OK); /* counted whole */
    uint64_t k;
    halves(s, &late, &k);
    assert_int_equal(k, a.keys);
}

static void
same_keys(const char *const *props, const char *const *meas, size_t n)
{
    struct cs_store *s = store_of(props, meas, n);
    same_keys_of(s, false);
    same_keys_of(s, true);
    cs_store_close(&s);
}

/* As ingest stores them: objects of plain keys; nested objects (their
 * keys are not members), a key repeated in one object (counted twice, as
 * json_each lists it), UTF-8, an empty object, measurements sharing a key
 * with the answers.  The most used keys: b (4), then a and z (3). */
static void
test_plain_objects(void **state)
{
    (void)state;
    const char *props[] = {
        "{\"a\":\"1\",\"b\":\"x\"}",
        "{\"b\":\"y\",\"n\":{\"a\":1,\"deep\":[1,2]},\"\xc3\xa9t\xc3\xa9\":\"\"}",
        "{}",
        "{\"b\":1,\"b\":2,\"z\":null}",
        "{\"a\":true,\"z\":\"{\\\"q\\\":1}\"}",
    };
    const char *meas[] = {NULL, "{\"z\":3}", "{\"a\":1.5}", NULL, "{}"};
    same_keys(props, meas, 5);
}

/* String members only (nearly every app's answers): walked in C to the
 * end, values that read like keys are not keys. */
static void
test_string_members(void **state)
{
    (void)state;
    const char *props[] = {"{\"a\":\"1\",\"b\":\"x\"}", "{\"b\":\"a\",\"c\":\"b\"}",
                           "{\"c\":\"\",\"d\":\"c\"}"};
    same_keys(props, NULL, 3);
    const char *meas[] = {"{}", "{\"t\":\"12\"}", "{\"b\":\"-3\"}"};
    same_keys(props, meas, 3);
}

/* Each member's key is first compared with the key at its place in the
 * answer before (issue 22): the same keys in the same order, swapped, a
 * prefix, one more, a key of the same length but other bytes, a key that
 * is a prefix of the one before, an answer past the 64 keys kept at hand
 * (walked twice), an escaped key after plain ones (SQL's count), and the
 * first shape again. */
static void
test_keys_in_order(void **state)
{
    (void)state;
    char wide[1200];
    size_t o = (size_t)snprintf(wide, sizeof wide, "{");
    for (int i = 0; i < 70; i++)
        o += (size_t)snprintf(wide + o, sizeof wide - o, "%s\"k%02d\":\"%d\"", i ? "," : "", i % 66, i);
    snprintf(wide + o, sizeof wide - o, "}");
    const char *props[] = {
        "{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}",
        "{\"a\":\"4\",\"b\":\"5\",\"c\":\"6\"}",
        "{\"b\":\"7\",\"a\":\"8\",\"c\":\"9\"}",
        "{\"b\":\"1\"}",
        "{\"b\":\"1\",\"a\":\"2\",\"c\":\"3\",\"d\":\"4\"}",
        "{\"x\":\"1\",\"a\":\"2\",\"cc\":\"3\",\"d\":\"4\"}",
        "{\"x\":\"1\",\"a\":\"2\",\"c\":\"3\",\"dd\":\"4\"}",
        wide,
        "{\"k00\":\"1\",\"k01\":\"2\"}",
        "{\"k00\":\"1\",\"k0\\u0031\":\"2\"}",
        "{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"}",
    };
    const char *meas[] = {"{\"m\":1}", "{\"m\":2}", "{\"n\":1,\"m\":2}", NULL, "{\"m\":1}", "{}",
                          "{\"m\":1}", "{\"m\":1}", NULL, "{\"n\":2}", "{\"m\":3}"};
    same_keys(props, meas, sizeof props / sizeof *props);
    same_keys(props, NULL, 9); /* without the escaped key: counted in C alone */
}

/* What ingest never stores: the count falls back to SQL's, and agrees. */
static void
test_other_answers(void **state)
{
    (void)state;
    const char *escaped[] = {"{\"a\":\"1\"}", "{\"a\\u0062\":\"2\",\"ab\":\"3\"}"};
    same_keys(escaped, NULL, 2);
    const char *quote[] = {"{\"a\":\"1\"}", "{\"x\\\"y\":1}"};
    same_keys(quote, NULL, 2);
    /* spaces around an object: json_each reads it */
    const char *spaced[] = {" {\"a\":1} ", "{\"b\":2}"};
    same_keys(spaced, NULL, 2);
    /* an array's members have number keys: counted in SQL (with halves:
     * the second half's, which makes the window counted whole) */
    const char *array[] = {"{\"a\":1}", "{\"b\":1}", "[\"x\",\"y\"]"};
    same_keys(array, NULL, 3);
}

/* Malformed answers (never stored by ingest, but a --db may hold any
 * text): the keys fail as json_each fails, not counted from what a
 * tolerant walk would make of them. */
static void
test_malformed_answers(void **state)
{
    (void)state;
    const char *bad[] = {"{\"a\",\"b\"}", "{\"a\":1 \"b\":2}", "{\"a\":1,}", "{\"a\":tru}",
                         "{\"a\":01}", "{,}", "{\"a\":\"x\\q\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *props[] = {"{\"ok\":\"1\"}", bad[i]};
        struct cs_store *s = store_of(props, NULL, 2);
        struct cs_err e;
        struct cs_custom_cols cc;
        if (cs_custom_cols_load(s, NULL, 0, &cc, &e) != CS_E_DB || !strstr(e.msg, "malformed JSON"))
            fail_msg("%s: counted, or another error", bad[i]);
        cs_store_close(&s);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_objects),
        cmocka_unit_test(test_string_members),
        cmocka_unit_test(test_keys_in_order),
        cmocka_unit_test(test_other_answers),
        cmocka_unit_test(test_malformed_answers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
