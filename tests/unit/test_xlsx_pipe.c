/*
 * tests/unit/test_xlsx_pipe.c: the join rows handed to the Custom sheet's
 * writer thread (render/xlsx_pipe.h) arrive whole, in order, strings and
 * NULLs included, on the writer thread; a writer failure stops the join
 * with the writer's error; a pipe with nothing pushed finishes cleanly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "render/xlsx_pipe.h"

enum { N_ROWS = 5000 };

struct seen {
    pthread_t main;
    size_t n;
    size_t fail_at; /* fail on this row (1-based); 0 = never */
    bool bad;       /* a row differed from what was pushed */
    bool on_main;   /* the callback ran on the pushing thread */
};

/* Row i's big props text: long enough that batches also fill by bytes. */
static void
props_of(size_t i, char *buf, size_t n)
{
    int k = snprintf(buf, n, "{\"i\":%zu,\"pad\":\"", i);
    size_t len = (size_t)k + (i % 7 == 0 ? 3000 : 10);
    if (len > n - 3)
        len = n - 3;
    memset(buf + k, 'x', len - (size_t)k);
    memcpy(buf + len, "\"}", 3);
}

static void
row_of(size_t i, struct cs_join_row *r, char ids[3][64], char *props, size_t n_props)
{
    memset(r, 0, sizeof *r);
    snprintf(ids[0], 64, "survey-%zu", i);
    snprintf(ids[1], 64, "call-%zu", i);
    snprintf(ids[2], 64, "event-%zu", i);
    props_of(i, props, n_props);
    r->has_left = i % 3 != 0;
    r->has_right = i % 3 != 1;
    r->survey_id = ids[0];
    r->time_us = (int64_t)i * 1000003;
    r->resource = i % 2 ? "RES" : NULL;
    r->call_id = ids[1];
    r->participant_id = i % 5 ? "" : NULL;
    r->has_score[i % 4] = true;
    r->score[i % 4] = (double)i / 8;
    r->event_survey_id = ids[2];
    r->has_event_time = i % 2 == 0;
    r->event_time_us = -(int64_t)i;
    r->props = props;
    r->measurements = i % 4 ? "{\"m\":1}" : NULL;
}

static bool
same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static cs_status
check_row(void *ctx, const struct cs_join_row *r, struct cs_err *err)
{
    struct seen *s = ctx;
    if (pthread_equal(pthread_self(), s->main))
        s->on_main = true;
    size_t i = s->n++;
    if (s->fail_at && s->n == s->fail_at)
        return cs_fail(err, CS_E_RENDER, "Custom!A1", "failed at row %zu", i);
    struct cs_join_row w;
    char ids[3][64], props[4096];
    row_of(i, &w, ids, props, sizeof props);
    bool ok = r->has_left == w.has_left && r->has_right == w.has_right &&
              r->time_us == w.time_us && r->has_event_time == w.has_event_time &&
              r->event_time_us == w.event_time_us && same_str(r->survey_id, w.survey_id) &&
              same_str(r->resource, w.resource) && same_str(r->call_id, w.call_id) &&
              same_str(r->participant_id, w.participant_id) &&
              same_str(r->event_survey_id, w.event_survey_id) && same_str(r->props, w.props) &&
              same_str(r->measurements, w.measurements);
    for (int k = 0; k < 4; k++)
        ok = ok && r->has_score[k] == w.has_score[k] && r->score[k] == w.score[k];
    if (!ok)
        s->bad = true;
    return CS_OK;
}

/* Push rows 0..n-1 until a push fails; returns the rows pushed. */
static size_t
push_rows(struct xl_pipe *p, size_t n, cs_status *rc, struct cs_err *err)
{
    *rc = CS_OK;
    for (size_t i = 0; i < n; i++) {
        struct cs_join_row r;
        char ids[3][64], props[4096];
        row_of(i, &r, ids, props, sizeof props);
        /* the pipe must copy: the row's texts change right after */
        *rc = xl_pipe_push(p, &r, err);
        memset(props, '?', sizeof props - 1);
        if (*rc != CS_OK)
            return i;
    }
    return n;
}

static void
test_rows_in_order(void **state)
{
    (void)state;
    struct seen s = {.main = pthread_self()};
    struct xl_pipe *p = xl_pipe_start(check_row, &s);
    assert_non_null(p);
    struct cs_err err = {0};
    cs_status rc;
    assert_int_equal(push_rows(p, N_ROWS, &rc, &err), N_ROWS);
    assert_int_equal(rc, CS_OK);
    assert_int_equal(xl_pipe_finish(p, &err), CS_OK);
    assert_int_equal(s.n, N_ROWS);
    assert_false(s.bad);
    assert_false(s.on_main);
}

static void
test_writer_failure_stops_the_join(void **state)
{
    (void)state;
    struct seen s = {.main = pthread_self(), .fail_at = 700};
    struct xl_pipe *p = xl_pipe_start(check_row, &s);
    assert_non_null(p);
    struct cs_err err = {0};
    cs_status rc;
    size_t pushed = push_rows(p, N_ROWS, &rc, &err);
    if (rc == CS_OK) { /* the failure came after the last push */
        assert_int_equal(pushed, N_ROWS);
        rc = xl_pipe_finish(p, &err);
    } else {
        assert_true(pushed < N_ROWS);
        struct cs_err err2 = {0};
        assert_int_equal(xl_pipe_finish(p, &err2), CS_E_RENDER);
        assert_string_equal(err2.msg, err.msg);
    }
    assert_int_equal(rc, CS_E_RENDER);
    assert_string_equal(err.where, "Custom!A1");
    assert_string_equal(err.msg, "failed at row 699");
    assert_int_equal(s.n, 700); /* nothing written after the failure */
    assert_false(s.bad);
}

static void
test_empty_and_null(void **state)
{
    (void)state;
    struct seen s = {.main = pthread_self()};
    struct xl_pipe *p = xl_pipe_start(check_row, &s);
    assert_non_null(p);
    assert_int_equal(xl_pipe_finish(p, NULL), CS_OK);
    assert_int_equal(s.n, 0);
    assert_int_equal(xl_pipe_finish(NULL, NULL), CS_OK);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_in_order),
        cmocka_unit_test(test_writer_failure_stops_the_join),
        cmocka_unit_test(test_empty_and_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
