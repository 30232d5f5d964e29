/* Unit tests for ingest/lines_par.c: JSON Lines parsed by several threads
 * must show the sink exactly what one thread shows it (every record,
 * reject and event, their order, line numbers, raw text, the counts),
 * whatever the chunk size; lent buffers must all come back, also when the
 * sink fails half-way. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/mem.h"
#include "ingest/ingest.h"
#include "testutil.h"

/* A sink writing one transcript line per record, reject and event; with
 * `lend` it lends buffers from a pool of 4, as the store's pipeline does. */
#define POOL 4
struct tsink {
    struct cs_buf out;
    uint64_t fail_at; /* fail the call that brings the record count here; 0 never */
    uint64_t n_recs;
    pthread_mutex_t m;
    pthread_cond_t cv;
    struct cs_record *pool[POOL], *free_[POOL];
    int n_free;
    int lent_max; /* most buffers out at once */
};

static cs_status
t_records(void *ctx, struct cs_record *recs, size_t n, struct cs_err *err)
{
    struct tsink *t = ctx;
    cs_status s = CS_OK;
    for (size_t i = 0; i < n; i++) {
        const struct cs_record *r = &recs[i];
        cs_buf_printf(&t->out, "R %llu.%u %s %s %s %.17g %s\n",
                      (unsigned long long)r->line, r->index, r->survey_id,
                      r->call_id, r->resource_id, r->rating[0].score,
                      r->rating[1].issues);
        if (++t->n_recs == t->fail_at)
            s = cs_fail(err, CS_E_DB, "sink", "failed at record %llu",
                        (unsigned long long)t->n_recs);
    }
    if (t->pool[0]) {
        pthread_mutex_lock(&t->m);
        t->free_[t->n_free++] = recs;
        pthread_cond_broadcast(&t->cv);
        pthread_mutex_unlock(&t->m);
    }
    return s;
}

static struct cs_record *
t_get(void *ctx)
{
    struct tsink *t = ctx;
    pthread_mutex_lock(&t->m);
    while (t->n_free == 0)
        pthread_cond_wait(&t->cv, &t->m);
    struct cs_record *b = t->free_[--t->n_free];
    if (POOL - t->n_free > t->lent_max)
        t->lent_max = POOL - t->n_free;
    pthread_mutex_unlock(&t->m);
    return b;
}

static cs_status
t_reject(void *ctx, const struct cs_record *rec, const char *raw, size_t len,
         struct cs_err *err)
{
    (void)err;
    struct tsink *t = ctx;
    cs_buf_printf(&t->out, "X %llu.%u [%s] %s |%.*s|\n", (unsigned long long)rec->line,
                  rec->index, rec->survey_id, rec->reason, (int)(len > 200 ? 200 : len),
                  raw ? raw : "(null)");
    return CS_OK;
}

static cs_status
t_event(void *ctx, const struct cs_event *ev, const char *raw, size_t len,
        struct cs_err *err)
{
    (void)err;
    struct tsink *t = ctx;
    cs_buf_printf(&t->out, "E %llu %lld %s %.*s %.*s %s %s %s %s |%.*s|\n",
                  (unsigned long long)ev->line, (long long)ev->time_us, ev->survey_id,
                  (int)ev->props_len, ev->props, (int)ev->measurements_len,
                  ev->measurements ? ev->measurements : "-", ev->name ? ev->name : "-",
                  ev->app_version ? ev->app_version : "-",
                  ev->client_os ? ev->client_os : "-", ev->browser ? ev->browser : "-",
                  (int)len, raw);
    return CS_OK;
}

struct result {
    char *transcript; /* owned */
    struct cs_ingest_stats st;
    cs_status status;
    char msg[512];
    int lent_max, n_free;
};

static void
run(const char *path, int parsers, unsigned chunk_lines, bool lend,
    uint64_t fail_at, struct result *res)
{
    struct tsink t = {.fail_at = fail_at};
    pthread_mutex_init(&t.m, NULL);
    pthread_cond_init(&t.cv, NULL);
    if (lend)
        for (int i = 0; i < POOL; i++) {
            t.pool[i] = xmalloc(sizeof(struct cs_record) * CS_INGEST_BATCH);
            t.free_[t.n_free++] = t.pool[i];
        }
    struct cs_ingest_opts o;
    cs_ingest_opts_default(&o);
    o.parsers = parsers;
    o.chunk_lines = chunk_lines;
    struct cs_ingest_sink sink = {.ctx = &t,
                                  .records = t_records,
                                  .reject = t_reject,
                                  .event = t_event,
                                  .get_buffer = lend ? t_get : NULL};
    struct cs_err e;
    cs_err_clear(&e);
    res->status = cs_ingest_path(path, "in", &o, &sink, &res->st, &e);
    snprintf(res->msg, sizeof res->msg, "%s", res->status ? e.msg : "");
    res->transcript = cs_buf_take(&t.out);
    res->lent_max = t.lent_max;
    res->n_free = t.n_free;
    for (int i = 0; i < POOL; i++)
        xfree(t.pool[i]);
    pthread_mutex_destroy(&t.m);
    pthread_cond_destroy(&t.cv);
}

/* The transcript's lines of kind R (records), or of the others (rejects
 * and events, which reach the sink at once, where records wait for their
 * batch): each must come in the same order; owned. */
static char *
lines_of(const char *t, bool records)
{
    struct cs_buf b = {0};
    while (*t) {
        const char *e = strchr(t, '\n');
        size_t n = e ? (size_t)(e - t) + 1 : strlen(t);
        if ((*t == 'R') == records)
            cs_buf_add(&b, t, n);
        t += n;
    }
    return cs_buf_take(&b);
}

static void
same_transcripts(const char *a, const char *b)
{
    for (int r = 0; r < 2; r++) {
        char *x = lines_of(a, r), *y = lines_of(b, r);
        assert_string_equal(x, y);
        xfree(x);
        xfree(y);
    }
}

static void
same_stats(const struct cs_ingest_stats *a, const struct cs_ingest_stats *b)
{
    assert_int_equal(a->read, b->read);
    assert_int_equal(a->valid, b->valid);
    assert_int_equal(a->rejected, b->rejected);
    assert_int_equal(a->events_read, b->events_read);
    assert_int_equal(a->events_skipped, b->events_skipped);
    assert_int_equal(a->events_rejected, b->events_rejected);
    assert_int_equal(a->events_valid, b->events_valid);
    assert_int_equal(a->unknown_tags, b->unknown_tags);
    assert_int_equal(a->bytes, b->bytes);
    assert_int_equal(a->content, b->content);
}

/* Every kind of line, 3,000 of them: records, rejects of each sort,
 * malformed JSON, blanks, CRLF, events (kept, skipped, rejected), an array
 * line, and a {"records"} line of 2,500 records (more than two batches in
 * one line: a parser of a younger chunk must wait, not take every buffer). */
static char *
mixed_input(size_t *len)
{
    struct cs_buf b = {0};
    for (int i = 0; i < 3000; i++) {
        switch (i % 13) {
        case 0:
        case 1:
        case 2:
        case 3:
            cs_buf_printf(&b, "{\"TimeGenerated\":\"2026-11-16T10:%02d:%02dZ\",\"SurveyId\":\"S%d\","
                              "\"CallId\":\"c%d\",\"_ResourceId\":\"/subscriptions/s/acs%d\","
                              "\"OverallRatingScore\":%d,\"AudioRatingScore\":2,"
                              "\"AudioIssues\":\"Echo,Odd%d\"}\n",
                          i % 60, i % 59, i, i % 7, i % 3, i % 5 + 1, i % 4);
            break;
        case 4:
            cs_buf_printf(&b, "{\"TimeGenerated\":\"yesterday\",\"SurveyId\":\"bad%d\","
                              "\"OverallRatingScore\":3}\r\n",
                          i);
            break;
        case 5:
            cs_buf_printf(&b, "{\"SurveyId\":\"s%d\", \"OverallRatingScore\":9 \n", i);
            break;
        case 6:
            cs_buf_puts(&b, i % 2 ? "   \n" : "\n");
            break;
        case 7:
            cs_buf_printf(&b, "{\"TimeGenerated\":\"2026-11-16T10:00:%02d.5Z\",\"Name\":\"CallSurvey\","
                              "\"Properties\":{\"id\":\"S%d\",\"q\":\"answer \\\"%d\\\"\"},"
                              "\"Measurements\":{\"ms\":%d},\"AppVersion\":\"2.%d\",\"ClientOS\":\"Linux\"}\n",
                          i % 60, i - 7, i, i * 3, i % 4);
            break;
        case 8:
            cs_buf_printf(&b, "{\"TimeGenerated\":\"2026-11-16T10:00:00Z\",\"Name\":\"PageView\","
                              "\"Properties\":{\"id\":\"S%d\"}}\n",
                          i);
            break;
        case 9:
            cs_buf_printf(&b, "{\"TimeGenerated\":\"2026-11-16T10:00:00Z\",\"Name\":\"CallSurvey\","
                              "\"Properties\":{\"no_id\":\"%d\"}}\n",
                          i);
            break;
        case 10:
            cs_buf_printf(&b, "[{\"TimeGenerated\":\"2026-11-17T00:00:00Z\",\"SurveyId\":\"A%d\","
                              "\"OverallRatingScore\":1},{\"SurveyId\":\"\"},17]\n",
                          i);
            break;
        case 11:
            cs_buf_printf(&b, "\"just a string %d\"\n", i);
            break;
        default:
            if (i == 12 * 13 + 12) { /* one line of 2,500 records */
                cs_buf_puts(&b, "{\"records\":[");
                for (int k = 0; k < 2500; k++)
                    cs_buf_printf(&b, "%s{\"time\":\"2026-11-18T01:02:03Z\",\"properties\":"
                                      "{\"SurveyId\":\"W%d\",\"OverallRatingScore\":%d}}",
                                  k ? "," : "", k, k % 5 + 1);
                cs_buf_puts(&b, "]}\n");
            } else {
                cs_buf_printf(&b, "{\"TimeGenerated\":\"2026-11-16T10:00:00Z\",\"SurveyId\":\"T%d\","
                                  "\"OverallRatingScore\":%d,\"OverallRatingScoreUpperBound\":3}\n",
                              i, i % 5 + 1);
            }
            break;
        }
    }
    /* the last line without its newline */
    cs_buf_puts(&b, "{\"TimeGenerated\":\"2026-11-16T23:59:59Z\",\"SurveyId\":\"LAST\","
                    "\"OverallRatingScore\":5}");
    *len = b.n;
    return cs_buf_take(&b);
}

static void
test_same_as_one_thread(void **state)
{
    (void)state;
    size_t len;
    char *text = mixed_input(&len);
    const char *path = tu_tmpfile(text, len);
    struct result one;
    run(path, 1, 0, false, 0, &one);
    assert_int_equal(one.status, CS_OK);
    /* the fixture's counts, by hand: of 3,000 lines (i = 0..2999) the kinds
     * i % 13 = 7, 8, 9 (an event kept, skipped, rejected) come 231 times each;
     * line 169 (i = 168) holds 2,500 records, line 3001 the last one */
    assert_int_equal(one.st.events_read, 231 * 3);
    assert_int_equal(one.st.events_skipped, 231);
    assert_int_equal(one.st.events_valid, 231);
    assert_int_equal(one.st.events_rejected, 231);
    assert_true(strstr(one.transcript, "R 3001.0 last ") != NULL);
    assert_true(strstr(one.transcript, "R 169.2499 w2499 ") != NULL);
    const unsigned sizes[] = {1, 2, 3, 7, 64, 1024, 5000};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++)
        for (int lend = 0; lend < 2; lend++) {
            struct result par;
            run(path, k % 2 ? 3 : 2, sizes[k], lend, 0, &par);
            assert_int_equal(par.status, CS_OK);
            same_stats(&one.st, &par.st);
            same_transcripts(one.transcript, par.transcript);
            if (lend) {
                assert_int_equal(par.n_free, POOL); /* all given back */
                assert_true(par.lent_max <= POOL);
            }
            xfree(par.transcript);
        }
    xfree(one.transcript);
    unlink(path);
    xfree(text);
}

/* A sink failing half-way stops the parsers: the failure and its message
 * come back, nothing after it reaches the sink, every lent buffer returns. */
static void
test_sink_failure(void **state)
{
    (void)state;
    size_t len;
    char *text = mixed_input(&len);
    const char *path = tu_tmpfile(text, len);
    const uint64_t at[] = {1, 700, 2000, 3300};
    for (size_t k = 0; k < sizeof at / sizeof at[0]; k++) {
        struct result par;
        run(path, 2, 5, true, at[k], &par);
        assert_int_equal(par.status, CS_E_DB);
        char want[64];
        snprintf(want, sizeof want, "failed at record %llu", (unsigned long long)at[k]);
        assert_true(strstr(par.msg, want) != NULL);
        assert_int_equal(par.n_free, POOL);
        /* the records shown are the first ones, in order, up to the end of
         * the failing batch: one thread's records start the same way */
        struct result one;
        run(path, 1, 0, false, 0, &one);
        char *x = lines_of(one.transcript, true), *y = lines_of(par.transcript, true);
        size_t n = strlen(y);
        assert_true(n > 0 && strncmp(x, y, n) == 0);
        assert_true(strlen(x) > n);
        xfree(x);
        xfree(y);
        xfree(one.transcript);
        xfree(par.transcript);
    }
    unlink(path);
    xfree(text);
}

/* A line longer than CS_INGEST_SPAN_MAX is rejected whole at its number,
 * in the middle and as the last line without a newline, by both loaders. */
static void
test_overlong_lines(void **state)
{
    (void)state;
    const char *rec = "{\"TimeGenerated\":\"2026-11-16T10:00:00Z\",\"SurveyId\":\"ok\","
                      "\"OverallRatingScore\":4}\n";
    size_t big = CS_INGEST_SPAN_MAX + 100;
    for (int last = 0; last < 2; last++) {
        struct cs_buf b = {0};
        cs_buf_puts(&b, rec);
        cs_buf_puts(&b, "{\"SurveyId\":\"");
        memset(cs_buf_reserve(&b, big), 'x', big);
        cs_buf_commit(&b, big);
        if (!last) {
            cs_buf_puts(&b, "\"}\n");
            cs_buf_puts(&b, rec);
        }
        const char *path = tu_tmpfile(b.s, b.n);
        cs_buf_free(&b);
        struct result one, par;
        run(path, 1, 0, false, 0, &one);
        run(path, 2, 1, true, 0, &par);
        assert_int_equal(one.status, CS_OK);
        assert_int_equal(par.status, CS_OK);
        same_stats(&one.st, &par.st);
        same_transcripts(one.transcript, par.transcript);
        assert_int_equal(one.st.rejected, 1);
        assert_int_equal(one.st.read, last ? 2 : 3);
        assert_true(strstr(one.transcript, "X 2.0 [] line is longer than 64 MiB. ||") != NULL);
        assert_int_equal(par.n_free, POOL);
        xfree(one.transcript);
        xfree(par.transcript);
        unlink(path);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_one_thread),
        cmocka_unit_test(test_sink_failure),
        cmocka_unit_test(test_overlong_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
