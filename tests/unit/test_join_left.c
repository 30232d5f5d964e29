/* Unit tests for store/join_left: the listed surveys' columns read ahead
 * on a twin's thread give the rows the merge's own reads give, for every
 * merge kind, with the surveys stored in time order (one scan, or reads by
 * rowid when few are listed) and out of it (reads by rowid in time order),
 * with and without a window; a callback that stops the merge stops the
 * reader.  The rows read on the merge's thread are the reference (the
 * kinds' rows themselves are test_join.c's). */
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
#include "store/join_left.h"
#include "store/store.h"

#define N 3000

/* A private store on disk (a twin can be opened) with N surveys and an
 * answer for every third; shuffled: stored out of time order. */
static struct cs_store *
fixture(bool shuffled)
{
    struct cs_store_opts o = {.default_threshold = 2, .expected_bytes = 100u << 20};
    struct cs_store *s;
    struct cs_err e;
    assert_int_equal(cs_store_open(&o, &s, &e), CS_OK);
    cs_store_input_begin(s, "left", &e);
    struct cs_store_counts c = {0};
    for (int j = 0; j < N; j++) {
        int i = shuffled ? (int)((uint64_t)j * 1237 % N) : j; /* 1237 is prime to N */
        struct cs_record r;
        cs_record_clear(&r);
        snprintf(r.survey_id, sizeof r.survey_id, "s%04d", i);
        r.time_us = (int64_t)(1000 + i) * 1000000;
        if (i % 4 != 3)
            snprintf(r.resource_id, sizeof r.resource_id,
                     "/SUBSCRIPTIONS/S/RESOURCEGROUPS/G/PROVIDERS/MICROSOFT.COMMUNICATION/"
                     "COMMUNICATIONSERVICES/R%d",
                     i % 4);
        if (i % 5)
            snprintf(r.call_id, sizeof r.call_id, "call-%d", i / 2);
        if (i % 7)
            snprintf(r.participant_id, sizeof r.participant_id, "part-%d", i);
        r.rating[0].present = r.rating[0].score_is_num = true;
        r.rating[0].score = 1 + i % 5;
        if (i % 2) {
            r.rating[1].present = r.rating[1].score_is_num = true;
            r.rating[1].score = i % 3;
        }
        assert_int_equal(cs_store_put(s, &r, 1, &c, &e), CS_OK);
    }
    for (int i = 0; i < N + 30; i += 3) { /* beyond N: orphans */
        char props[64];
        snprintf(props, sizeof props, "{\"q\":\"a%d\"}", i);
        struct cs_event x = {.time_us = (int64_t)(1010 + i) * 1000000,
                             .props = props,
                             .props_len = strlen(props)};
        snprintf(x.survey_id, sizeof x.survey_id, "s%04d", i);
        assert_int_equal(cs_store_event(s, &x, &c, &e), CS_OK);
    }
    assert_int_equal(cs_store_input_end(s, true, NULL, &e), CS_OK);
    return s;
}

struct out {
    struct cs_buf b;
    size_t rows, stop_at;
};

static void
put(struct cs_buf *b, const char *s)
{
    cs_buf_puts(b, s ? s : "(null)");
    cs_buf_puts(b, "|");
}

static cs_status
row_text(void *ctx, const struct cs_join_row *r, struct cs_err *err)
{
    struct out *o = ctx;
    if (o->stop_at && o->rows == o->stop_at)
        return cs_fail(err, CS_E_IO, NULL, "stopped");
    o->rows++;
    char t[160];
    snprintf(t, sizeof t, "%d %d %lld", r->has_left, r->has_right, (long long)r->time_us);
    put(&o->b, t);
    put(&o->b, r->survey_id);
    put(&o->b, r->resource);
    put(&o->b, r->call_id);
    put(&o->b, r->participant_id);
    for (int c = 0; c < 4; c++) {
        snprintf(t, sizeof t, "%d:%g", r->has_score[c], r->has_score[c] ? r->score[c] : 0);
        put(&o->b, t);
    }
    put(&o->b, r->event_survey_id);
    put(&o->b, r->props);
    cs_buf_puts(&o->b, "\n");
    return CS_OK;
}

/* kind's rows as text, the surveys read ahead (min 1) or not (SIZE_MAX) */
static char *
rows_of(struct cs_store *s, const struct cs_filter *f, enum cs_merge kind, size_t min,
        size_t *n)
{
    struct out o = {0};
    struct cs_err e;
    cs_join_left_min = min;
    assert_int_equal(cs_join_rows(s, f, kind, row_text, &o, &e), CS_OK);
    cs_join_left_min = 4096;
    *n = o.rows;
    cs_buf_puts(&o.b, "");
    return o.b.s;
}

static void
same_rows(struct cs_store *s, const struct cs_filter *f)
{
    for (int k = 0; k < CS_MERGE__COUNT; k++) {
        size_t n0, n1;
        char *own = rows_of(s, f, (enum cs_merge)k, SIZE_MAX, &n0);
        char *ahead = rows_of(s, f, (enum cs_merge)k, 1, &n1);
        assert_int_equal(n0, n1);
        assert_true(n0 > 0);
        if (strcmp(own, ahead) != 0)
            fail_msg("%s: the rows read ahead differ", cs_merge_name((enum cs_merge)k));
        xfree(own);
        xfree(ahead);
    }
}

static void
test_same_rows_in_time_order(void **state)
{
    (void)state;
    struct cs_store *s = fixture(false);
    same_rows(s, NULL);
    /* a window: the scan's WHERE with its parameters */
    struct cs_filter w = {.has_since = true, .since_us = INT64_C(1500) * 1000000};
    same_rows(s, &w);
    cs_store_close(&s);
}

static void
test_same_rows_out_of_order(void **state)
{
    (void)state;
    struct cs_store *s = fixture(true);
    same_rows(s, NULL);
    const char *r1[] = {"r1"};
    struct cs_filter f = {.resources = r1, .n_resources = 1};
    same_rows(s, &f);
    cs_store_close(&s);
}

/* A callback that fails stops the merge with its error, the reader with
 * it (no hang; ASan: nothing leaked), at once or after batches were
 * read ahead. */
static void
test_stop_early(void **state)
{
    (void)state;
    struct cs_store *s = fixture(false);
    const size_t at[] = {1, 7, 600, 2999};
    for (size_t i = 0; i < sizeof at / sizeof *at; i++) {
        struct out o = {.stop_at = at[i]};
        struct cs_err e;
        cs_join_left_min = 1;
        assert_int_equal(cs_join_rows(s, NULL, CS_MERGE_LEFTOUTER, row_text, &o, &e), CS_E_IO);
        cs_join_left_min = 4096;
        assert_int_equal(o.rows, at[i]);
        cs_buf_free(&o.b);
    }
    cs_store_close(&s);
}

/* An in-memory store has no twin: the merge reads the surveys itself. */
static void
test_no_twin(void **state)
{
    (void)state;
    struct cs_store_opts o = {.default_threshold = 2};
    struct cs_store *s;
    struct cs_err e;
    assert_int_equal(cs_store_open(&o, &s, &e), CS_OK);
    struct cs_join_lkey k = {1, 0};
    assert_null(cs_join_left_start(s, NULL, "1", &k, 1, false));
    cs_store_close(&s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_rows_in_time_order),
        cmocka_unit_test(test_same_rows_out_of_order),
        cmocka_unit_test(test_stop_early),
        cmocka_unit_test(test_no_twin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
