/* Unit tests for privacy mode: model/privacy.c (keyed pseudonyms against
 * vectors computed with Python's hmac module, id normalization, key file
 * errors, the free-text rule and the answer filter) and store/privacy_views.c
 * with the runner's privacy fence (template SQL sees pseudonyms through the
 * contract views and the raw tables' stand-ins; every way around them is
 * refused; nothing is left behind after a query). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ctime.h"
#include "core/mem.h"
#include "ingest/ingest.h"
#include "ingest/answers.h"
#include "model/privacy.h"
#include "report/report.h"
#include "report/template.h"
#include "store/privacy_views.h"
#include "store/runner.h"
#include "store/store.h"
#include "testutil.h"

#define KEY "0123456789abcdef0123456789abcdef"

/* the store's own temp objects (the run's settings, store.h), not the
 * privacy stand-ins */
#define STORE_OWN "name NOT IN ('settings', 'ratings', 'rating_issues')"

static struct cs_privacy *
privacy(bool keep_text)
{
    struct cs_privacy *p = NULL;
    struct cs_err e;
    assert_int_equal(cs_privacy_from_key(KEY, 32, "test.key", keep_text, &p, &e), CS_OK);
    return p;
}

/* ==== model/privacy.c =================================================== */

static void
test_pseudonyms(void **state)
{
    (void)state;
    struct cs_privacy *p = privacy(false);
    char out[CS_PRIVACY_HEX + 1];
    /* python3: hmac.new(KEY, id, hashlib.sha256).hexdigest()[:32] */
    assert_string_equal(cs_privacy_id(p, "d3a1c0de-0000-4000-8000-00000000abcd", SIZE_MAX, out),
                        "9850fb0788dd402378be4c546d9b7ce4");
    assert_string_equal(cs_privacy_id(p, "8:acs:abc", SIZE_MAX, out),
                        "ae21446b9d7259106abbdc95350f5c00");
    /* normalized as the store compares: trimmed, lower-cased */
    assert_string_equal(cs_privacy_id(p, " \tD3A1C0DE-0000-4000-8000-00000000ABCD\r\n",
                                      SIZE_MAX, out),
                        "9850fb0788dd402378be4c546d9b7ce4");
    assert_string_equal(cs_privacy_id(p, "8:ACS:ABCdef", 9, out),
                        "ae21446b9d7259106abbdc95350f5c00");
    /* empty stays empty */
    assert_string_equal(cs_privacy_id(p, "   ", SIZE_MAX, out), "");
    assert_string_equal(cs_privacy_id(p, NULL, 0, out), "");
    /* show_id: off, NULL and empty pass through */
    assert_string_equal(cs_privacy_show_id(NULL, "abc", out), "abc");
    assert_null(cs_privacy_show_id(p, NULL, out));
    assert_string_equal(cs_privacy_show_id(p, "", out), "");
    assert_string_equal(cs_privacy_show_id(p, "P-S1", out), "264eeeccfc75415be700f8edc496db35");
    /* another key, another pseudonym */
    struct cs_privacy *q = NULL;
    struct cs_err e;
    assert_int_equal(cs_privacy_from_key("fedcba9876543210", 16, "k2", false, &q, &e), CS_OK);
    assert_string_not_equal(cs_privacy_id(q, "p-s1", SIZE_MAX, out),
                            "264eeeccfc75415be700f8edc496db35");
    char *d = cs_privacy_describe(p);
    assert_non_null(strstr(d, "HMAC-SHA-256"));
    assert_non_null(strstr(d, "test.key"));
    assert_non_null(strstr(d, "free-text answers dropped"));
    assert_null(strstr(d, KEY));
    xfree(d);
    assert_null(cs_privacy_describe(NULL));
    cs_privacy_free(&q);
    cs_privacy_free(&p);
    assert_null(p);
    cs_privacy_free(&p); /* no-op */
}

static void
test_key_files(void **state)
{
    (void)state;
    struct cs_privacy *p = NULL;
    struct cs_err e;
    cs_err_clear(&e);
    assert_int_equal(cs_privacy_load("/nonexistent/key", false, &p, &e), CS_E_IO);
    assert_null(p);
    assert_string_equal(e.where, "--pseudonymize");
    assert_string_equal(e.msg, "cannot read the key file '/nonexistent/key': "
                               "No such file or directory");
    assert_int_equal(cs_privacy_load("/tmp", false, &p, &e), CS_E_IO);
    assert_string_equal(e.msg, "the key file '/tmp' is a directory");
    const char *empty = tu_tmpfile("", 0);
    assert_int_equal(cs_privacy_load(empty, false, &p, &e), CS_E_USAGE);
    assert_non_null(strstr(e.msg, "is empty"));
    const char *shrt = tu_tmpfile("secret\n", 7);
    assert_int_equal(cs_privacy_load(shrt, false, &p, &e), CS_E_USAGE);
    assert_non_null(strstr(e.msg, "holds 7 bytes; a key needs at least 16"));
    char *big = xcalloc(1, CS_PRIVACY_KEY_MAX + 1);
    memset(big, 'k', CS_PRIVACY_KEY_MAX + 1);
    const char *bigf = tu_tmpfile(big, CS_PRIVACY_KEY_MAX + 1);
    xfree(big);
    assert_int_equal(cs_privacy_load(bigf, false, &p, &e), CS_E_USAGE);
    assert_non_null(strstr(e.msg, "longer than"));
    /* the file's exact bytes are the key: a newline is part of it */
    const char *good = tu_tmpfile(KEY "\n", 33);
    assert_int_equal(cs_privacy_load(good, true, &p, &e), CS_OK);
    assert_int_equal(p->key_len, 33);
    assert_true(p->keep_text);
    assert_string_equal(p->key_name, strrchr(good, '/') + 1);
    char out[CS_PRIVACY_HEX + 1];
    assert_string_not_equal(cs_privacy_id(p, "p-s1", SIZE_MAX, out),
                            "264eeeccfc75415be700f8edc496db35");
    cs_privacy_free(&p);
    const char *exact = tu_tmpfile(KEY, 32);
    assert_int_equal(cs_privacy_load(exact, false, &p, &e), CS_OK);
    assert_string_equal(cs_privacy_id(p, "p-s1", SIZE_MAX, out),
                        "264eeeccfc75415be700f8edc496db35");
    cs_privacy_free(&p);
    unlink(empty);
    unlink(shrt);
    unlink(bigf);
    unlink(good);
    unlink(exact);
}

static void
test_text_rule(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        bool text;
    } cases[] = {
        {"4", false},
        {" -2.5e1 ", false},
        {"+.5", false},
        {"10.", false},
        {"true", false},
        {"FALSE", false},
        {"", false},
        {"   ", false},
        {"echo", true},
        {"4 stars", true},
        {"0x1A", true},
        {"inf", true},
        {"NaN", true},
        {"1e", true},
        {"-", true},
        {".", true},
        {"=1+2", true},
        {"truth", true},
        {"1,5", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        if (cs_privacy_is_text(cases[i].s, strlen(cases[i].s)) != cases[i].text)
            fail_msg("'%s': expected %s", cases[i].s, cases[i].text ? "text" : "not text");
    struct cs_privacy *p = privacy(false), *k = privacy(true);
    size_t n;
    char *t = cs_privacy_answers(p,
                                 "{\"nps\":\"9\",\"why\":\"my boss \\\"Ann\\\" called\","
                                 "\"ok\":true,\"n\":3,\"arr\":[1],\"o\":{\"a\":\"b\"},"
                                 "\"none\":null,\"b\":\"False\"}",
                                 &n);
    assert_string_equal(t, "{\"nps\":\"9\",\"ok\":true,\"n\":3,\"none\":null,\"b\":\"False\"}");
    assert_int_equal(n, 3);
    xfree(t);
    t = cs_privacy_answers(p, "not json", &n);
    assert_string_equal(t, "{}");
    assert_int_equal(n, 1);
    xfree(t);
    assert_null(cs_privacy_answers(k, "{\"why\":\"text\"}", &n));
    assert_int_equal(n, 0);
    assert_null(cs_privacy_answers(NULL, "{\"why\":\"text\"}", NULL));
    assert_null(cs_privacy_answers(p, NULL, NULL));
    assert_true(cs_privacy_drops_text(p));
    assert_false(cs_privacy_drops_text(k));
    assert_false(cs_privacy_drops_text(NULL));
    cs_privacy_free(&p);
    cs_privacy_free(&k);
}

/* ==== store/privacy_views.c and the runner's fence ============================= */

static struct cs_store *S;

static int
setup_store(void **state)
{
    (void)state;
    struct cs_err e;
    if (cs_store_open(&(struct cs_store_opts){.default_threshold = 2}, &S, &e))
        return -1;
    int64_t t0 = cs_days_from_civil(2026, 11, 16) * 86400;
    struct cs_record r[2];
    for (int i = 0; i < 2; i++) {
        cs_record_clear(&r[i]);
        snprintf(r[i].survey_id, sizeof r[i].survey_id, "s%d", i + 1);
        snprintf(r[i].call_id, sizeof r[i].call_id, "CALL-%d", i + 1);
        snprintf(r[i].participant_id, sizeof r[i].participant_id, "P-S%d", i + 1);
        r[i].time_us = (t0 + 3600 * i) * 1000000;
        r[i].rating[CS_CAT_OVERALL].present = r[i].rating[CS_CAT_OVERALL].score_is_num = true;
        r[i].rating[CS_CAT_OVERALL].score = 2 + i;
    }
    struct cs_store_counts c = {0};
    if (cs_store_input_begin(S, "test", &e) || cs_store_put(S, r, 2, &c, &e))
        return -1;
    struct cs_event ev = {.time_us = (t0 + 60) * 1000000,
                          .props = "{\"nps\":\"9\",\"why\":\"call me, Ann\"}"};
    ev.props_len = strlen(ev.props);
    snprintf(ev.survey_id, sizeof ev.survey_id, "s1");
    if (cs_store_event(S, &ev, &c, &e))
        return -1;
    struct cs_record bad;
    cs_record_clear(&bad);
    bad.line = 3;
    snprintf(bad.reason, sizeof bad.reason, "SurveyId is missing.");
    if (cs_store_reject(S, &bad, "{\"CallId\":\"CALL-9\"}", 19, &e))
        return -1;
    return cs_store_input_end(S, true, NULL, &e) ? -1 : 0;
}

static int
teardown_store(void **state)
{
    (void)state;
    cs_store_close(&S);
    return 0;
}

/* Run one query step of SQL sql through the template layer with privacy p. */
static cs_status
step(const struct cs_privacy *p, const char *sql, struct cs_result **r, struct cs_err *e)
{
    char *yaml = xasprintf("title: T\nsteps:\n  - title: Q\n    query: \"%s\"\n", sql);
    struct cs_template *t = NULL;
    cs_err_clear(e);
    char buf[1024];
    if (cs_template_load_data("t.yaml", yaml, strlen(yaml), &t, e) != CS_OK)
        fail_msg("%s", cs_err_format(e, buf, sizeof buf));
    xfree(yaml);
    struct cs_report_opts o;
    cs_report_opts_default(&o);
    o.privacy = p;
    struct cs_template_params *tp = NULL;
    assert_int_equal(cs_template_params_build(t, &o, NULL, 0, &tp, e), CS_OK);
    cs_status s = cs_template_check_queries(S, t, tp, e);
    if (s == CS_OK)
        s = cs_template_run_step(S, t, 0, tp, 5000, r, e);
    cs_template_params_free(&tp);
    cs_template_free(&t);
    return s;
}

static const char *
cell(const struct cs_result *r, size_t i, size_t c)
{
    const struct cs_cell *x = cs_result_cell(r, i, c);
    return x->type == CS_SQL_TEXT ? x->t.s : NULL;
}

static void
test_views(void **state)
{
    (void)state;
    struct cs_privacy *p = privacy(false);
    struct cs_result *r = NULL;
    struct cs_err e;
    char buf[1024], a[CS_PRIVACY_HEX + 1], b[CS_PRIVACY_HEX + 1], c[CS_PRIVACY_HEX + 1];
    /* the contract views and the raw tables' stand-ins: pseudonyms */
    static const char *const sqls[] = {
        "SELECT survey_id, call_id, participant_id, correlation_id FROM surveys ORDER BY time",
        "SELECT survey_id, call_id, participant_id, correlation_id FROM survey_data ORDER BY time_us",
        "SELECT survey_id, call_id, NULL, NULL FROM ratings ORDER BY time",
        "SELECT s.survey_id, s.call_id, s.participant_id, NULL FROM surveys s"
        " JOIN survey_custom c ON c.survey_id = s.survey_id ORDER BY s.time",
    };
    for (size_t k = 0; k < 4; k++) {
        if (step(p, sqls[k], &r, &e) != CS_OK)
            fail_msg("%s: %s", sqls[k], cs_err_format(&e, buf, sizeof buf));
        assert_int_equal(r->n_rows, k == 3 ? 1 : 2);
        for (size_t i = 0; i < r->n_rows; i++) {
            char sid[32], cid[32], pid[32];
            snprintf(sid, sizeof sid, "s%zu", i + 1);
            snprintf(cid, sizeof cid, "call-%zu", i + 1);
            snprintf(pid, sizeof pid, "p-s%zu", i + 1);
            assert_string_equal(cell(r, i, 0), cs_privacy_id(p, sid, SIZE_MAX, a));
            assert_string_equal(cell(r, i, 1), cs_privacy_id(p, cid, SIZE_MAX, b));
            if (k == 0 || k == 1 || k == 3)
                assert_string_equal(cell(r, i, 2), cs_privacy_id(p, pid, SIZE_MAX, c));
            if (k == 0) /* correlation id: the participant's when none */
                assert_string_equal(cell(r, i, 3), c);
            else
                assert_null(cell(r, i, 3));
        }
        cs_result_free(&r);
    }
    /* custom answers: the text one is dropped, the number kept */
    assert_int_equal(step(p, "SELECT survey_id, key, value FROM custom", &r, &e), CS_OK);
    assert_int_equal(r->n_rows, 1);
    assert_string_equal(cell(r, 0, 0), cs_privacy_id(p, "s1", SIZE_MAX, a));
    assert_string_equal(cell(r, 0, 1), "nps");
    assert_string_equal(cell(r, 0, 2), "9");
    cs_result_free(&r);
    assert_int_equal(step(p, "SELECT answers FROM survey_custom", &r, &e), CS_OK);
    assert_string_equal(cell(r, 0, 0), "{\"nps\":\"9\"}");
    cs_result_free(&r);
    assert_int_equal(step(p, "SELECT props FROM custom_events", &r, &e), CS_OK);
    assert_string_equal(cell(r, 0, 0), "{\"nps\":\"9\"}");
    cs_result_free(&r);
    /* rejects: no raw text */
    if (step(p, "SELECT reason, raw FROM rejects", &r, &e) != CS_OK)
        fail_msg("%s", cs_err_format(&e, buf, sizeof buf));
    assert_string_equal(cell(r, 0, 0), "SurveyId is missing.");
    assert_int_equal(cs_result_cell(r, 0, 1)->type, CS_SQL_NULL);
    cs_result_free(&r);
    if (step(p, "SELECT count(*) FROM reject_data WHERE raw IS NOT NULL", &r, &e) != CS_OK)
        fail_msg("%s", cs_err_format(&e, buf, sizeof buf));
    assert_int_equal(cs_result_cell(r, 0, 0)->i, 0);
    cs_result_free(&r);
    /* --keep-text keeps the text answer, still with pseudonyms */
    struct cs_privacy *k = privacy(true);
    assert_int_equal(step(k, "SELECT survey_id, value FROM custom ORDER BY key DESC", &r, &e),
                     CS_OK);
    assert_int_equal(r->n_rows, 2);
    assert_string_equal(cell(r, 0, 0), cs_privacy_id(k, "s1", SIZE_MAX, a));
    assert_string_equal(cell(r, 0, 1), "call me, Ann");
    cs_result_free(&r);
    cs_privacy_free(&k);
    /* off: the raw values, and the stand-ins are gone */
    assert_int_equal(step(NULL, "SELECT survey_id, participant_id FROM surveys ORDER BY time",
                          &r, &e),
                     CS_OK);
    assert_string_equal(cell(r, 0, 0), "s1");
    assert_string_equal(cell(r, 0, 1), "P-S1");
    cs_result_free(&r);
    assert_int_equal(step(NULL, "SELECT count(*) FROM sqlite_temp_master WHERE " STORE_OWN, &r, &e), CS_OK);
    assert_int_equal(cs_result_cell(r, 0, 0)->i, 0);
    cs_result_free(&r);
    cs_privacy_free(&p);
}

/* Every way around the stand-ins is refused, with the privacy message. */
static void
test_fence(void **state)
{
    (void)state;
    struct cs_privacy *p = privacy(false);
    static const struct {
        const char *sql;
        const char *what;
    } cases[] = {
        {"SELECT survey_id FROM main.survey_data", "reading main.survey_data"},
        {"SELECT props FROM main.custom_events", "reading main.custom_events"},
        {"SELECT raw FROM main.reject_data", "reading main.reject_data"},
        {"SELECT survey_id FROM main.surveys", "reading main.survey_data"},
        {"WITH surveys AS (SELECT survey_id FROM main.survey_data) SELECT * FROM surveys",
         "reading main.survey_data"},
        {"WITH cs_priv_x_survey_data AS (SELECT * FROM main.survey_data)"
         " SELECT survey_id FROM cs_priv_x_survey_data",
         "reading main.survey_data"},
        {"SELECT name FROM sqlite_temp_master", "reading temp.sqlite_temp_master"},
        {"SELECT name FROM temp.sqlite_schema", "reading temp.sqlite_temp_master"},
        {"SELECT (SELECT max(survey_id) FROM main.survey_data)", "reading main.survey_data"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct cs_result *r = NULL;
        struct cs_err e;
        cs_status s = step(p, cases[i].sql, &r, &e);
        if (s != CS_E_TEMPLATE)
            fail_msg("%s: status %d, rows %zu", cases[i].sql, s, r ? r->n_rows : 0);
        char want[400];
        snprintf(want, sizeof want,
                 "step 1 'Q': with --pseudonymize a template query reads the "
                 "pseudonymized views (surveys, ratings, rating_issues, custom, "
                 "survey_custom, rejects), refused: %s",
                 cases[i].what);
        assert_string_equal(e.msg, want);
        cs_result_free(&r);
    }
    /* nothing was left behind by the refused ones either */
    struct cs_result *r = NULL;
    struct cs_err e;
    assert_int_equal(step(NULL, "SELECT count(*) FROM sqlite_temp_master WHERE " STORE_OWN, &r, &e), CS_OK);
    assert_int_equal(cs_result_cell(r, 0, 0)->i, 0);
    cs_result_free(&r);
    /* the ordinary tables stay readable */
    assert_int_equal(step(p, "SELECT count(*) FROM tag_catalogue", &r, &e), CS_OK);
    cs_result_free(&r);
    cs_privacy_free(&p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pseudonyms),
        cmocka_unit_test(test_key_files),
        cmocka_unit_test(test_text_rule),
        cmocka_unit_test(test_views),
        cmocka_unit_test(test_fence),
    };
    return cmocka_run_group_tests(tests, setup_store, teardown_store);
}
