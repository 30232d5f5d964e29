/* Unit tests for store/join: the nine Workbooks merge kinds against rows
 * written by hand from Kusto's join semantics, and the join audit.
 *
 * Fixture: surveys s1 (t=1000 s), s2 (t=2000 s), s3 (t=3000 s);
 * events e1 -> s1 (t=1100), e2 -> s1 (t=1200, a retry), e3 -> S2 with
 * spaces and upper case in the id (matches s2), e4 -> x9 (an orphan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mem.h"
#include "ingest/ingest.h"
#include "render/json_split.h"
#include "store/join.h"
#include "store/store.h"

static struct cs_store *S;

static void
add_event(const char *sid, int64_t t_s, const char *props)
{
    struct cs_event ev = {.time_us = t_s * 1000000, .props = props, .props_len = strlen(props)};
    snprintf(ev.survey_id, sizeof ev.survey_id, "%s", sid);
    struct cs_store_counts c = {0};
    struct cs_err e;
    assert_int_equal(cs_store_event(S, &ev, &c, &e), CS_OK);
}

static int
setup(void **state)
{
    (void)state;
    struct cs_store_opts o = {.default_threshold = 2};
    struct cs_err e;
    if (cs_store_open(&o, &S, &e))
        return -1;
    cs_store_input_begin(S, "fixture", &e);
    struct cs_record r[3];
    for (int i = 0; i < 3; i++) {
        cs_record_clear(&r[i]);
        snprintf(r[i].survey_id, sizeof r[i].survey_id, "s%d", i + 1);
        r[i].time_us = (int64_t)(i + 1) * 1000 * 1000000;
        r[i].rating[0].present = r[i].rating[0].score_is_num = true;
        r[i].rating[0].score = 5 - i;
    }
    struct cs_store_counts c = {0};
    if (cs_store_put(S, r, 3, &c, &e))
        return -1;
    /* ids arrive trimmed and lower-cased from the loader (as ingest does) */
    add_event("s1", 1100, "{\"q\":\"e1\"}");
    add_event("s1", 1200, "{\"q\":\"e2\"}");
    add_event("s2", 2050, "{\"q\":\"e3\",\"n\":\"x\"}");
    add_event("x9", 2500, "{\"q\":\"e4\"}");
    return cs_store_input_end(S, true, NULL, &e) == CS_OK ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    cs_store_close(&S);
    return 0;
}

struct rows {
    char out[32][16];
    size_t n;
};

static cs_status
collect(void *ctx, const struct cs_join_row *r, struct cs_err *err)
{
    (void)err;
    struct rows *x = ctx;
    char ev[8] = "-";
    if (r->has_right) {
        const char *q = strstr(r->props, "\"q\":\"");
        snprintf(ev, sizeof ev, "%.2s", q + 5);
    }
    snprintf(x->out[x->n++], 16, "%s:%s", r->has_left ? r->survey_id : "-", ev);
    return CS_OK;
}

static void
expect_rows(enum cs_merge kind, const char *const *want, size_t n)
{
    struct rows x = {.n = 0};
    struct cs_err e;
    assert_int_equal(cs_join_rows(S, NULL, kind, collect, &x, &e), CS_OK);
    if (x.n != n)
        fail_msg("%s: %zu rows, expected %zu", cs_merge_name(kind), x.n, n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(x.out[i], want[i]) != 0)
            fail_msg("%s row %zu: %s, expected %s", cs_merge_name(kind), i, x.out[i], want[i]);
}

static void
test_nine_kinds(void **state)
{
    (void)state;
    /* the right side is one row per answered survey id (issue 15 item 14):
     * s1's two events are one row with the latest answer, e2 */
    /* inner: every left x right match pair; innerunique: left deduplicated
     * on the key first, which changes nothing since survey ids are unique */
    const char *inner[] = {"s1:e2", "s2:e3"};
    expect_rows(CS_MERGE_INNER, inner, 2);
    expect_rows(CS_MERGE_INNERUNIQUE, inner, 2);
    /* leftouter: all surveys, each once; s3 with empty right */
    const char *lo[] = {"s1:e2", "s2:e3", "s3:-"};
    expect_rows(CS_MERGE_LEFTOUTER, lo, 3);
    /* rightouter: all answered ids; the orphan with empty left, last */
    const char *ro[] = {"s1:e2", "s2:e3", "-:e4"};
    expect_rows(CS_MERGE_RIGHTOUTER, ro, 3);
    /* fullouter: both sides' unmatched rows */
    const char *fo[] = {"s1:e2", "s2:e3", "s3:-", "-:e4"};
    expect_rows(CS_MERGE_FULLOUTER, fo, 4);
    /* semi: one side's columns, not multiplied */
    const char *ls[] = {"s1:-", "s2:-"};
    expect_rows(CS_MERGE_LEFTSEMI, ls, 2);
    const char *rs[] = {"-:e2", "-:e3"};
    expect_rows(CS_MERGE_RIGHTSEMI, rs, 2);
    /* anti: the unmatched rows of one side */
    const char *la[] = {"s3:-"};
    expect_rows(CS_MERGE_LEFTANTI, la, 1);
    const char *ra[] = {"-:e4"};
    expect_rows(CS_MERGE_RIGHTANTI, ra, 1);
}

static void
test_audit(void **state)
{
    (void)state;
    struct cs_join_audit a;
    struct cs_err e;
    assert_int_equal(cs_join_audit(S, NULL, &a, &e), CS_OK);
    assert_int_equal(a.surveys, 3);
    assert_int_equal(a.events, 4);
    assert_int_equal(a.matched_surveys, 2);
    assert_int_equal(a.unanswered, 1);
    assert_int_equal(a.matched_events, 3);
    assert_int_equal(a.orphan_events, 1);
    assert_int_equal(a.duplicate_events, 1); /* 4 events, 3 distinct ids */
    /* skew of the latest event: s1 1200-1000 = 200 s, s2 2050-2000 = 50 s */
    assert_true(a.skew_median_s == 125.0);
    assert_true(a.skew_max_s == 200.0);
    assert_true(a.skew_min_s == 50.0);
}

/* The skew's median, min and max (by selection, issue 22) over 1..9
 * answered surveys whose skews are written by hand: odd and even counts,
 * ties, negative (answered before the survey) and unsorted. */
static void
test_audit_skew(void **state)
{
    (void)state;
    const int skew[9] = {30, -5, 30, 7, 1000, 0, 30, -60, 2}; /* seconds */
    /* sorted prefixes' medians, by hand: {30} 30; {-5,30} 12.5;
     * {-5,30,30} 30; {-5,7,30,30} 18.5; {-5,7,30,30,1000} 30;
     * {-5,0,7,30,30,1000} 18.5; {-5,0,7,30,30,30,1000} 30;
     * {-60,-5,0,7,30,30,30,1000} 18.5; {-60,-5,0,2,7,30,30,30,1000} 7 */
    const double median[9] = {30, 12.5, 30, 18.5, 30, 18.5, 30, 18.5, 7};
    const int lo[9] = {30, -5, -5, -5, -5, -5, -5, -60, -60};
    const int hi[9] = {30, 30, 30, 30, 1000, 1000, 1000, 1000, 1000};
    for (int n = 1; n <= 9; n++) {
        struct cs_store_opts o = {.default_threshold = 2};
        struct cs_store *s0 = S;
        struct cs_err e;
        assert_int_equal(cs_store_open(&o, &S, &e), CS_OK);
        cs_store_input_begin(S, "skew", &e);
        struct cs_store_counts c = {0};
        for (int i = 0; i < n; i++) {
            struct cs_record r;
            cs_record_clear(&r);
            snprintf(r.survey_id, sizeof r.survey_id, "k%d", i);
            r.time_us = (int64_t)(10000 + 100 * i) * 1000000;
            r.rating[0].present = r.rating[0].score_is_num = true;
            r.rating[0].score = 3;
            assert_int_equal(cs_store_put(S, &r, 1, &c, &e), CS_OK);
            char sid[16];
            snprintf(sid, sizeof sid, "k%d", i);
            add_event(sid, 10000 + 100 * i + skew[i], "{\"q\":\"x\"}");
        }
        assert_int_equal(cs_store_input_end(S, true, NULL, &e), CS_OK);
        struct cs_join_audit a;
        assert_int_equal(cs_join_audit(S, NULL, &a, &e), CS_OK);
        if (a.skew_median_s != median[n - 1] || a.skew_min_s != lo[n - 1] ||
            a.skew_max_s != hi[n - 1])
            fail_msg("%d skews: median %g min %g max %g", n, a.skew_median_s, a.skew_min_s,
                     a.skew_max_s);
        cs_store_close(&S);
        S = s0;
    }
}

static void
test_keys_and_names(void **state)
{
    (void)state;
    char **keys;
    size_t n;
    struct cs_err e;
    assert_int_equal(cs_join_keys(S, NULL, &keys, &n, &e), CS_OK);
    assert_int_equal(n, 2);
    assert_string_equal(keys[0], "n");
    assert_string_equal(keys[1], "q");
    cs_join_keys_free(keys, n);
    for (int k = 0; k < CS_MERGE__COUNT; k++)
        assert_int_equal(cs_merge_parse(cs_merge_name((enum cs_merge)k)), k);
    assert_int_equal(cs_merge_parse("union"), -1);
}

/* Issue 15 item 17: at most `cap` keys get a column, the most used first
 * (q is in 4 events, n in 1), found by name through the hash; the rest of a
 * row's members go to `other` as one JSON object. */
static void
test_custom_columns_capped(void **state)
{
    (void)state;
    struct cs_err e;
    struct cs_join_audit a;
    assert_int_equal(cs_join_audit(S, NULL, &a, &e), CS_OK);
    assert_int_equal(a.keys, 2); /* n and q */
    struct cs_custom_cols c;
    assert_int_equal(cs_custom_cols_load(S, NULL, 1, &c, &e), CS_OK);
    assert_int_equal(c.n_all, 2);
    assert_int_equal(c.n_keys, 1);
    assert_string_equal(c.keys[0], "q");
    assert_int_equal(cs_custom_cols_find(&c, "q"), 0);
    assert_int_equal(cs_custom_cols_find(&c, "n"), -1);
    assert_int_equal(cs_custom_cols_find(&c, "Q"), -1); /* names are case-sensitive */

    struct cs_custom_split sp = {0};
    uint64_t dropped = 0;
    /* properties before measurements, the first of repeated members wins,
     * in the columns and in `other` alike */
    cs_custom_split_row(&c, "{\"q\":\"e3\",\"n\":\"x\",\"n\":\"y\",\"q\":\"z\"}",
                        "{\"q\":5,\"m\":2,\"n\":7}", NULL, &dropped, &sp);
    assert_int_equal(sp.vals[0].type, CS_ANSWER_STRING);
    assert_string_equal(sp.vals[0].text, "e3");
    assert_string_equal(sp.other, "{\"n\":\"x\",\"m\":2}");
    assert_int_equal(dropped, 0);
    /* the next row starts afresh; no members, bad JSON: nothing */
    cs_custom_split_row(&c, "{\"q\":\"only\"}", NULL, NULL, &dropped, &sp);
    assert_string_equal(sp.vals[0].text, "only");
    assert_null(sp.other);
    cs_custom_split_row(&c, NULL, "not json", NULL, &dropped, &sp);
    assert_int_equal(sp.vals[0].type, CS_ANSWER_NONE);
    assert_null(sp.other);
    cs_custom_split_free(&sp);
    cs_custom_cols_free(&c);

    /* the default cap leaves both keys a column, in byte order */
    assert_int_equal(cs_custom_cols_load(S, NULL, 0, &c, &e), CS_OK);
    assert_int_equal(c.n_keys, 2);
    assert_string_equal(c.keys[0], "n");
    assert_string_equal(c.keys[1], "q");
    assert_int_equal(cs_custom_cols_find(&c, "q"), 1);
    cs_custom_cols_free(&c);
}

/* 5,000 distinct keys, cap 1,000: every key is found at its own column or
 * not at all, and a row with all of them puts 4,000 in `other`. */
static void
test_custom_columns_many_keys(void **state)
{
    (void)state;
    struct cs_store *s;
    struct cs_store_opts o = {.default_threshold = 2};
    struct cs_err e;
    assert_int_equal(cs_store_open(&o, &s, &e), CS_OK);
    cs_store_input_begin(s, "many", &e);
    size_t cap = 64 * 5000 + 16, len = 0;
    char *props = malloc(cap);
    len += (size_t)snprintf(props + len, cap - len, "{");
    for (int i = 0; i < 5000; i++) {
        /* key k0000 is in 1 event, k0001..k0999 in 2, the rest in 1: the
         * 1,000 most used are k0001..k0999 and then k0000 (byte order) */
        len += (size_t)snprintf(props + len, cap - len, "%s\"k%04d\":%d", i ? "," : "", i, i);
        char one[64];
        if (i >= 1 && i < 1000) {
            snprintf(one, sizeof one, "{\"k%04d\":%d}", i, i);
            struct cs_event ev = {.time_us = INT64_C(1000000) * (i + 1), .props = one, .props_len = strlen(one)};
            snprintf(ev.survey_id, sizeof ev.survey_id, "x%d", i);
            struct cs_store_counts cnt = {0};
            assert_int_equal(cs_store_event(s, &ev, &cnt, &e), CS_OK);
        }
    }
    snprintf(props + len, cap - len, "}");
    struct cs_event ev = {.time_us = 1, .props = props, .props_len = strlen(props)};
    snprintf(ev.survey_id, sizeof ev.survey_id, "all");
    struct cs_store_counts cnt = {0};
    assert_int_equal(cs_store_event(s, &ev, &cnt, &e), CS_OK);
    assert_int_equal(cs_store_input_end(s, true, NULL, &e), CS_OK);

    struct cs_custom_cols c;
    assert_int_equal(cs_custom_cols_load(s, NULL, 1000, &c, &e), CS_OK);
    assert_int_equal(c.n_all, 5000);
    assert_int_equal(c.n_keys, 1000);
    assert_string_equal(c.keys[0], "k0000");
    assert_string_equal(c.keys[999], "k0999");
    for (int i = 0; i < 5000; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%04d", i);
        assert_int_equal(cs_custom_cols_find(&c, k), i < 1000 ? i : -1);
    }
    struct cs_custom_split sp = {0};
    cs_custom_split_row(&c, props, NULL, NULL, NULL, &sp);
    for (int i = 0; i < 1000; i++)
        assert_int_equal((int)sp.vals[i].num, i);
    cJSON *other = cJSON_Parse(sp.other);
    assert_int_equal(cJSON_GetArraySize(other), 4000);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(other, "k4321")->valueint, 4321);
    assert_null(cJSON_GetObjectItemCaseSensitive(other, "k0999"));
    cJSON_Delete(other);
    cs_custom_split_free(&sp);
    cs_custom_cols_free(&c);
    free(props);
    cs_store_close(&s);
}

static void
test_event_repeat_is_duplicate(void **state)
{
    (void)state;
    struct cs_event ev = {.time_us = INT64_C(1100) * 1000000, .props = "{\"q\":\"e1\"}", .props_len = 10};
    snprintf(ev.survey_id, sizeof ev.survey_id, "s1");
    struct cs_store_counts c = {0};
    struct cs_err e;
    assert_int_equal(cs_store_event(S, &ev, &c, &e), CS_OK);
    assert_int_equal(c.duplicates, 1);
    assert_int_equal(c.stored, 0);
}

/* The duplicate rule of cs_store_event, the same in a private store (where
 * an in-memory set of event keys spares most of the index probes) and in a
 * database file (where it is not used): same survey, answers and
 * millisecond, or both without a time; a stored event without a name
 * matches any name. */
static void
dedupe_events(struct cs_store *s, struct cs_store_counts *c)
{
    struct cs_err e;
    cs_store_input_begin(s, "dups", &e);
    struct {
        const char *sid;
        int64_t t_us;
        const char *props, *name;
    } evs[] = {
        {"a", 1000000, "{\"q\":1}", NULL}, /* stored */
        {"a", 1000999, "{\"q\":1}", "n"},  /* same ms, no name stored: dup */
        {"a", 1001000, "{\"q\":1}", NULL}, /* next ms: stored */
        {"a", 1000000, "{\"q\":2}", NULL}, /* other answers: stored */
        {"b", 1000000, "{\"q\":1}", NULL}, /* other survey: stored */
        {"a", 0, "{\"q\":1}", NULL},       /* no time: stored */
        {"a", 0, "{\"q\":1}", NULL},       /* no time again: dup */
        {"c", 5000000, "{\"q\":3}", "x"},  /* named: stored */
        {"c", 5000000, "{\"q\":3}", "y"},  /* other name: stored */
        {"c", 5000500, "{\"q\":3}", "y"},  /* same as the last: dup */
        {"c", -1500, "{\"q\":4}", NULL},   /* before 1970 */
        {"c", -1001, "{\"q\":4}", NULL},   /* same ms (-2): dup */
    };
    for (size_t i = 0; i < sizeof evs / sizeof *evs; i++) {
        struct cs_event ev = {.time_us = evs[i].t_us, .props = evs[i].props, .props_len = strlen(evs[i].props), .name = evs[i].name};
        snprintf(ev.survey_id, sizeof ev.survey_id, "%s", evs[i].sid);
        assert_int_equal(cs_store_event(s, &ev, c, &e), CS_OK);
    }
    assert_int_equal(cs_store_input_end(s, true, NULL, &e), CS_OK);
}

static void
test_event_dedupe_private_and_file(void **state)
{
    (void)state;
    char path[] = "/tmp/cs-join-dedupe-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    for (int k = 0; k < 2; k++) {
        struct cs_store_opts o = {.default_threshold = 2, .path = k ? path : NULL};
        struct cs_store *s;
        struct cs_err e;
        assert_int_equal(cs_store_open(&o, &s, &e), CS_OK);
        struct cs_store_counts c = {0};
        dedupe_events(s, &c);
        assert_int_equal(c.stored, 8);
        assert_int_equal(c.duplicates, 4);
        /* a second load of the same events: all duplicates */
        struct cs_store_counts c2 = {0};
        dedupe_events(s, &c2);
        assert_int_equal(c2.stored, 0);
        assert_int_equal(c2.duplicates, 12);
        cs_store_close(&s);
    }
    unlink(path);
}

/* An event without a time (the tutorial's two-column CSV) belongs to every
 * window: with --since it still answers its survey.  Window from 2,500 s:
 * survey s3 (3,000 s), events x9 (2,500 s, orphan) and the untimed one. */
static void
test_untimed_event_in_window(void **state)
{
    (void)state;
    add_event("s3", 0, "{\"q\":\"e5\"}"); /* time 0: stored without a time */
    struct cs_filter f = {.has_since = true, .since_us = INT64_C(2500) * 1000000};
    struct cs_join_audit a;
    struct cs_err e;
    assert_int_equal(cs_join_audit(S, &f, &a, &e), CS_OK);
    assert_int_equal(a.surveys, 1);
    assert_int_equal(a.events, 2);
    assert_int_equal(a.matched_surveys, 1);
    assert_int_equal(a.orphan_events, 1);
    struct rows x = {.n = 0};
    assert_int_equal(cs_join_rows(S, &f, CS_MERGE_INNER, collect, &x, &e), CS_OK);
    assert_int_equal(x.n, 1);
    assert_string_equal(x.out[0], "s3:e5");
    /* rightanti (Data Quality's orphans): in the
     * window only x9 answers no survey; a second x9 event makes one row
     * with the latest answer, e6; s1's and s2's events are before it */
    add_event("x9", 2600, "{\"q\":\"e6\"}");
    x.n = 0;
    assert_int_equal(cs_join_rows(S, &f, CS_MERGE_RIGHTANTI, collect, &x, &e), CS_OK);
    assert_int_equal(x.n, 1);
    assert_string_equal(x.out[0], "-:e6");
    /* without the window s1, s2 and s3 are surveys: still only x9 */
    x.n = 0;
    assert_int_equal(cs_join_rows(S, NULL, CS_MERGE_RIGHTANTI, collect, &x, &e), CS_OK);
    assert_int_equal(x.n, 1);
    assert_string_equal(x.out[0], "-:e6");
}

struct one_row {
    size_t n;
    char props[128], meas[128];
    int64_t t;
};

static cs_status
keep_row(void *ctx, const struct cs_join_row *r, struct cs_err *err)
{
    (void)err;
    struct one_row *x = ctx;
    if (r->has_left && strcmp(r->survey_id, "a1") == 0) {
        x->n++;
        snprintf(x->props, sizeof x->props, "%s", r->props ? r->props : "NULL");
        snprintf(x->meas, sizeof x->meas, "%s", r->measurements ? r->measurements : "NULL");
        x->t = r->event_time_us;
    }
    return CS_OK;
}

/* Issue 15 item 14: a survey answered in three events is one row, with the
 * latest answer per key (a key only an earlier event has is kept), the
 * latest measurement per key, and the latest event's time. */
static void
test_one_row_per_survey(void **state)
{
    (void)state;
    struct cs_store_opts o = {.default_threshold = 2};
    struct cs_store *s;
    struct cs_err e;
    assert_int_equal(cs_store_open(&o, &s, &e), CS_OK);
    cs_store_input_begin(s, "one", &e);
    struct cs_record r;
    cs_record_clear(&r);
    snprintf(r.survey_id, sizeof r.survey_id, "a1");
    r.time_us = INT64_C(1000) * 1000000;
    r.rating[0].present = r.rating[0].score_is_num = true;
    r.rating[0].score = 4;
    struct cs_store_counts c = {0};
    assert_int_equal(cs_store_put(s, &r, 1, &c, &e), CS_OK);
    const char *props[3] = {"{\"q\":\"old\",\"r\":\"keep\"}", "{\"q\":\"new\",\"n\":3}",
                            "{\"q\":\"older\",\"z\":true}"};
    const char *meas[3] = {"{\"m\":1}", NULL, "{\"m\":0,\"k\":2}"};
    const int64_t t[3] = {1100, 1300, 1050};
    for (int i = 0; i < 3; i++) {
        struct cs_event ev = {.time_us = t[i] * 1000000, .props = props[i], .props_len = strlen(props[i]), .measurements = meas[i], .measurements_len = meas[i] ? strlen(meas[i]) : 0};
        snprintf(ev.survey_id, sizeof ev.survey_id, "a1");
        assert_int_equal(cs_store_event(s, &ev, &c, &e), CS_OK);
    }
    assert_int_equal(cs_store_input_end(s, true, NULL, &e), CS_OK);
    for (int k = 0; k < 2; k++) {
        struct one_row x = {0};
        enum cs_merge kind = k ? CS_MERGE_LEFTOUTER : CS_MERGE_INNER;
        assert_int_equal(cs_join_rows(s, NULL, kind, keep_row, &x, &e), CS_OK);
        assert_int_equal(x.n, 1);
        assert_string_equal(x.props, "{\"n\":3,\"q\":\"new\",\"r\":\"keep\",\"z\":true}");
        assert_string_equal(x.meas, "{\"k\":2,\"m\":1}");
        assert_int_equal(x.t, INT64_C(1300) * 1000000);
    }
    cs_store_close(&s);
}

/* Issue 22: the keys are counted in C; ties on the count go by byte order
 * at the cap; answers that are not a JSON object (never stored by ingest,
 * written here by hand) give json_each keys that are not text, and the
 * count falls back to SQLite's GROUP BY, with the same result. */
static void
test_custom_columns_counted(void **state)
{
    (void)state;
    struct cs_store_opts o = {.default_threshold = 2};
    struct cs_store *s;
    struct cs_err e;
    assert_int_equal(cs_store_open(&o, &s, &e), CS_OK);
    sqlite3 *db = cs_store_db(s);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO custom_events(survey_id, time_us, props,"
                                  " measurements, phash) VALUES"
                                  " ('a', 1, '{\"zz\":1,\"b\":2}', '{\"b\":3,\"c\":4}', 1),"
                                  " ('b', 2, '{\"zz\":1,\"c\":2}', NULL, 2),"
                                  " ('c', 3, '{\"a\":1}', NULL, 3)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    /* b 2, c 2, zz 2, a 1: the two most used are b and c (before zz) */
    struct cs_custom_cols c;
    assert_int_equal(cs_custom_cols_load(s, NULL, 2, &c, &e), CS_OK);
    assert_int_equal(c.n_all, 4);
    assert_int_equal(c.n_keys, 2);
    assert_string_equal(c.keys[0], "b");
    assert_string_equal(c.keys[1], "c");
    cs_custom_cols_free(&c);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO custom_events(survey_id, time_us, props, phash)"
                                  " VALUES ('d', 4, '[\"x\",\"y\",\"z\"]', 4),"
                                  " ('e', 5, '[\"x\",\"y\"]', 5)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    /* keys 0 and 1 (integers, twice each), 2 once */
    assert_int_equal(cs_custom_cols_load(s, NULL, 4, &c, &e), CS_OK);
    assert_int_equal(c.n_all, 7);
    assert_int_equal(c.n_keys, 4);
    assert_string_equal(c.keys[0], "0");
    assert_string_equal(c.keys[1], "1");
    assert_string_equal(c.keys[2], "b");
    assert_string_equal(c.keys[3], "c");
    cs_custom_cols_free(&c);
    cs_store_close(&s);
}

/* The merge in C (issue 22): surveys stored out of time order (rowid order
 * b2 a1 c3 a2 z0), ties on time ordered by id, a survey answered twice,
 * untimed events, orphans with and without a time; the window and
 * --resource filters.  Expected rows written from the SQL ORDER BY:
 * l_t, l_sid, r_t (NULL first), r_id. */
static struct cs_store *
order_fixture(void)
{
    struct cs_store_opts o = {.default_threshold = 2};
    struct cs_store *s;
    struct cs_err e;
    assert_int_equal(cs_store_open(&o, &s, &e), CS_OK);
    cs_store_input_begin(s, "order", &e);
    const char *ids[5] = {"b2", "a1", "c3", "a2", "z0"};
    const int64_t t[5] = {2000, 1000, 2000, 2000, 500};
    const int res[5] = {1, 2, 1, 2, 1};
    struct cs_store_counts c = {0};
    for (int i = 0; i < 5; i++) {
        struct cs_record r;
        cs_record_clear(&r);
        snprintf(r.survey_id, sizeof r.survey_id, "%s", ids[i]);
        snprintf(r.resource_id, sizeof r.resource_id,
                 "/SUBSCRIPTIONS/S/RESOURCEGROUPS/G/PROVIDERS/MICROSOFT.COMMUNICATION/"
                 "COMMUNICATIONSERVICES/R%d",
                 res[i]);
        r.time_us = t[i] * 1000000;
        r.rating[0].present = r.rating[0].score_is_num = true;
        r.rating[0].score = 3;
        assert_int_equal(cs_store_put(s, &r, 1, &c, &e), CS_OK);
    }
    /* sid, time (0: none), q */
    const char *ev[9][3] = {{"a2", "2100", "a2"}, {"a2", "2050", "xx"}, {"c3", "0", "c3"}, {"z0", "600", "z0"}, {"o1", "0", "o1"}, {"o2", "100", "o2"}, {"o3", "100", "o3"}, {"x1", "3000", "x1"}, {"x1", "0", "x2"}};
    for (int i = 0; i < 9; i++) {
        char props[64];
        snprintf(props, sizeof props, "{\"q\":\"%s\"}", ev[i][2]);
        struct cs_event x = {.time_us = atoll(ev[i][1]) * 1000000, .props = props, .props_len = strlen(props)};
        snprintf(x.survey_id, sizeof x.survey_id, "%s", ev[i][0]);
        assert_int_equal(cs_store_event(s, &x, &c, &e), CS_OK);
    }
    assert_int_equal(cs_store_input_end(s, true, NULL, &e), CS_OK);
    return s;
}

static void
expect_on(struct cs_store *s, const struct cs_filter *f, enum cs_merge kind,
          const char *const *want, size_t n)
{
    struct rows x = {.n = 0};
    struct cs_err e;
    assert_int_equal(cs_join_rows(s, f, kind, collect, &x, &e), CS_OK);
    if (x.n != n)
        fail_msg("%s: %zu rows, expected %zu", cs_merge_name(kind), x.n, n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(x.out[i], want[i]) != 0)
            fail_msg("%s row %zu: %s, expected %s", cs_merge_name(kind), i, x.out[i], want[i]);
}

#define EXPECT(s, f, kind, ...)                            \
    do {                                                   \
        const char *w_[] = {__VA_ARGS__};                  \
        expect_on(s, f, kind, w_, sizeof w_ / sizeof *w_); \
    } while (0)

static void
test_merge_order(void **state)
{
    (void)state;
    struct cs_store *s = order_fixture();
    /* x1: 3000 and untimed, so its time is 3000; o1 untimed sorts first */
    EXPECT(s, NULL, CS_MERGE_LEFTOUTER, "z0:z0", "a1:-", "a2:a2", "b2:-", "c3:c3");
    EXPECT(s, NULL, CS_MERGE_INNER, "z0:z0", "a2:a2", "c3:c3");
    EXPECT(s, NULL, CS_MERGE_LEFTSEMI, "z0:-", "a2:-", "c3:-");
    EXPECT(s, NULL, CS_MERGE_LEFTANTI, "a1:-", "b2:-");
    EXPECT(s, NULL, CS_MERGE_RIGHTOUTER, "z0:z0", "a2:a2", "c3:c3", "-:o1", "-:o2", "-:o3",
           "-:x1");
    EXPECT(s, NULL, CS_MERGE_FULLOUTER, "z0:z0", "a1:-", "a2:a2", "b2:-", "c3:c3", "-:o1",
           "-:o2", "-:o3", "-:x1");
    EXPECT(s, NULL, CS_MERGE_RIGHTSEMI, "-:c3", "-:z0", "-:a2");
    EXPECT(s, NULL, CS_MERGE_RIGHTANTI, "-:o1", "-:o2", "-:o3", "-:x1");
    /* --resource R1: z0 b2 c3; a2's answers become an orphan (time 2100) */
    const char *r1[] = {"r1"};
    struct cs_filter f = {.resources = r1, .n_resources = 1};
    EXPECT(s, &f, CS_MERGE_LEFTOUTER, "z0:z0", "b2:-", "c3:c3");
    EXPECT(s, &f, CS_MERGE_FULLOUTER, "z0:z0", "b2:-", "c3:c3", "-:o1", "-:o2", "-:o3", "-:a2",
           "-:x1");
    /* since 1000 s: z0 and its event, o2, o3 leave; untimed events stay
     * (x1 keeps both; its untimed answer x2 is older than 3000's x1) */
    struct cs_filter w = {.has_since = true, .since_us = INT64_C(1000) * 1000000};
    EXPECT(s, &w, CS_MERGE_FULLOUTER, "a1:-", "a2:a2", "b2:-", "c3:c3", "-:o1", "-:x1");
    EXPECT(s, &w, CS_MERGE_RIGHTSEMI, "-:c3", "-:a2");
    /* until 2000 s: a2 b2 c3 leave (2000 is not before 2000); a2's events
     * too; x1 only untimed (x2), so it sorts with o1, after it (its id) */
    struct cs_filter u = {.has_until = true, .until_us = INT64_C(2000) * 1000000};
    EXPECT(s, &u, CS_MERGE_FULLOUTER, "z0:z0", "a1:-", "-:c3", "-:o1", "-:x2", "-:o2", "-:o3");
    cs_store_close(&s);
}

/* The answers of a row as typed values (issue 16: no JSON library type
 * outside the JSON module): each kind of member, by hand. */
static void
test_split_answer_types(void **state)
{
    (void)state;
    struct cs_custom_cols c = {0};
    const char *keys[] = {"a", "b", "n", "s", "z"}; /* byte order */
    c.keys = xcalloc(5, sizeof *c.keys);
    for (size_t i = 0; i < 5; i++)
        c.keys[i] = xstrdup(keys[i]);
    c.n_keys = c.n_all = 5;
    cs_custom_cols_index(&c);
    struct cs_custom_split sp = {0};
    cs_custom_split_row(&c, "{\"s\":\"hi\",\"b\":false,\"a\":[1, {\"x\": 2}],\"z\":null}",
                        "{\"n\":-2.5}", NULL, NULL, &sp);
    assert_int_equal(sp.vals[0].type, CS_ANSWER_JSON);
    assert_string_equal(sp.vals[0].text, "[1,{\"x\":2}]");
    assert_int_equal(sp.vals[1].type, CS_ANSWER_BOOL);
    assert_false(sp.vals[1].b);
    assert_string_equal(sp.vals[1].text, "false");
    assert_int_equal(sp.vals[2].type, CS_ANSWER_NUMBER);
    assert_true(sp.vals[2].num == -2.5);
    assert_int_equal(sp.vals[3].type, CS_ANSWER_STRING);
    assert_string_equal(sp.vals[3].text, "hi");
    assert_int_equal(sp.vals[4].type, CS_ANSWER_NULL);
    assert_null(sp.other);
    cs_custom_split_free(&sp);
    cs_custom_cols_free(&c);
}

/* S = a store of its own (expected_bytes: its size hint; over 64 MiB, a
 * private store on disk) with s1 (t=1000 s), s2 (t=2000 s), an event for
 * s1 and an orphan. */
static void
open_memo_store(uint64_t expected_bytes)
{
    struct cs_store_opts o = {.default_threshold = 2, .expected_bytes = expected_bytes};
    struct cs_err e;
    assert_int_equal(cs_store_open(&o, &S, &e), CS_OK);
    cs_store_input_begin(S, "memo", &e);
    struct cs_record r[2];
    for (int i = 0; i < 2; i++) {
        cs_record_clear(&r[i]);
        snprintf(r[i].survey_id, sizeof r[i].survey_id, "s%d", i + 1);
        r[i].time_us = (int64_t)(i + 1) * 1000 * 1000000;
        r[i].rating[0].present = r[i].rating[0].score_is_num = true;
        r[i].rating[0].score = 4;
    }
    struct cs_store_counts c = {0};
    assert_int_equal(cs_store_put(S, r, 2, &c, &e), CS_OK);
    add_event("s1", 1100, "{\"q\":\"e1\"}");
    add_event("x9", 2500, "{\"q\":\"e4\"}");
    assert_int_equal(cs_store_input_end(S, true, NULL, &e), CS_OK);
}

/* An input answering s2 (of open_memo_store) with a new key, r: the custom
 * columns are then q and r. */
static void
answer_s2_new_key(void)
{
    struct cs_err e;
    struct cs_custom_cols cc;
    cs_store_input_begin(S, "more", &e);
    add_event("s2", 2100, "{\"q\":\"e5\",\"r\":1}");
    assert_int_equal(cs_store_input_end(S, true, NULL, &e), CS_OK);
    assert_int_equal(cs_custom_cols_load(S, NULL, 0, &cc, &e), CS_OK);
    assert_int_equal(cc.n_all, 2);
    assert_string_equal(cc.keys[1], "r");
    cs_custom_cols_free(&cc);
}

/* The store keeps a merge's key passes for the next merge of the same
 * window (store/join_merge.h): a new event, or another window, is not
 * answered from them.  A store of its own: s1 (t=1000 s), s2 (t=2000 s),
 * an event for s1 and an orphan. */
static void
test_memo_follows_changes(void **state)
{
    (void)state;
    struct cs_store *s0 = S;
    struct cs_err e;
    open_memo_store(0);

    struct cs_join_audit a;
    assert_int_equal(cs_join_audit(S, NULL, &a, &e), CS_OK); /* keeps the passes */
    const char *inner[] = {"s1:e1"};
    expect_rows(CS_MERGE_INNER, inner, 1);
    const char *ra[] = {"-:e4"};
    expect_rows(CS_MERGE_RIGHTANTI, ra, 1);
    /* another window: its own passes */
    struct cs_filter f = {.has_since = true, .since_us = 1500 * INT64_C(1000000)};
    struct rows x = {.n = 0};
    assert_int_equal(cs_join_rows(S, &f, CS_MERGE_INNER, collect, &x, &e), CS_OK);
    assert_int_equal(x.n, 0);
    assert_int_equal(cs_join_rows(S, &f, CS_MERGE_RIGHTANTI, collect, &x, &e), CS_OK);
    assert_int_equal(x.n, 1);
    assert_string_equal(x.out[0], "-:e4");
    /* the answers' keys are kept too (the audit's count, the columns) */
    assert_int_equal(a.keys, 1);
    struct cs_custom_cols cc;
    assert_int_equal(cs_custom_cols_load(S, NULL, 0, &cc, &e), CS_OK);
    assert_int_equal(cc.n_all, 1);
    cs_custom_cols_free(&cc);
    /* s2 answered now, with a new key: the kept passes are stale */
    answer_s2_new_key();
    assert_int_equal(cs_join_audit(S, NULL, &a, &e), CS_OK);
    assert_int_equal(a.keys, 2);
    /* a window with only e4 (x9 at 2500 s): its own keys */
    struct cs_filter late = {.has_since = true, .since_us = 2200 * INT64_C(1000000)};
    assert_int_equal(cs_custom_cols_load(S, &late, 0, &cc, &e), CS_OK);
    assert_int_equal(cc.n_all, 1);
    assert_string_equal(cc.keys[0], "q");
    cs_custom_cols_free(&cc);
    const char *inner2[] = {"s1:e1", "s2:e5"};
    expect_rows(CS_MERGE_INNER, inner2, 2);
    expect_rows(CS_MERGE_LEFTANTI, NULL, 0); /* no survey unanswered */
    expect_rows(CS_MERGE_RIGHTANTI, ra, 1);
    cs_store_close(&S);
    S = s0;
}

/* The audit made on a twin of a private store on disk, its key passes
 * given to the store (cs_store_take_memos; issue 22: the audit runs beside
 * the calls join and the model): the store's merges and columns answer as
 * the twin's audit found, and an input added afterwards is seen (the
 * passes were stamped for the store, not the twin). */
static void
test_memos_taken_from_twin(void **state)
{
    (void)state;
    struct cs_store *s0 = S;
    struct cs_err e;
    open_memo_store(100u << 20); /* on disk: a twin can be opened */
    struct cs_store *twin = NULL;
    assert_int_equal(cs_store_open_twin(S, &twin, &e), CS_OK);
    struct cs_join_audit a;
    assert_int_equal(cs_join_audit(twin, NULL, &a, &e), CS_OK);
    assert_int_equal(a.keys, 1);
    assert_int_equal(a.matched_surveys, 1);
    assert_int_equal(a.orphan_events, 1);
    cs_store_take_memos(S, twin);
    cs_store_close(&twin);
    const char *inner[] = {"s1:e1"}, *la[] = {"s2:-"}, *ra[] = {"-:e4"};
    expect_rows(CS_MERGE_INNER, inner, 1);
    expect_rows(CS_MERGE_LEFTANTI, la, 1);
    expect_rows(CS_MERGE_RIGHTANTI, ra, 1);
    struct cs_custom_cols cc;
    assert_int_equal(cs_custom_cols_load(S, NULL, 0, &cc, &e), CS_OK);
    assert_int_equal(cc.n_all, 1);
    assert_string_equal(cc.keys[0], "q");
    cs_custom_cols_free(&cc);
    /* s2 answered now, with a new key */
    answer_s2_new_key();
    const char *inner2[] = {"s1:e1", "s2:e5"};
    expect_rows(CS_MERGE_INNER, inner2, 2);
    expect_rows(CS_MERGE_LEFTANTI, NULL, 0);
    cs_store_close(&S);
    S = s0;
}

/* Issue 22: single answers are read by a scan of the events in id order
 * kept in a ring, seeking on a run of misses, and by id otherwise.  2,000
 * surveys in time order; their events stored mostly in that order, with
 * neighbours swapped, a block of 600 in reverse (beyond the ring: misses,
 * then seeks), late events stored last (far ahead when asked for), orphan
 * events between them (stepped over), surveys answered twice (read by
 * their merge: s?7?? with an even number) and surveys not answered.  Every row must carry its own
 * survey's answers, and each answered survey one row. */
struct ring_rows {
    size_t rows, answered, bad;
    char first_bad[96];
};

static cs_status
check_own(void *ctx, const struct cs_join_row *r, struct cs_err *err)
{
    (void)err;
    struct ring_rows *x = ctx;
    x->rows++;
    int i = atoi(r->survey_id + 1);
    char res[16];
    snprintf(res, sizeof res, "ACS-%d", i % 4);
    if ((i % 4 == 3 ? r->resource != NULL : !r->resource || strcmp(r->resource, res) != 0) &&
        !x->bad++)
        snprintf(x->first_bad, sizeof x->first_bad, "%s: resource %s", r->survey_id,
                 r->resource ? r->resource : "NULL");
    if (!r->has_right)
        return CS_OK;
    x->answered++;
    char want[64];
    snprintf(want, sizeof want, "{\"q\":\"%s\"}", r->survey_id);
    bool twice = i / 100 % 10 == 7 && i % 2 == 0; /* two answers: the later one */
    if (twice)
        snprintf(want, sizeof want, "{\"q\":\"%s-late\"}", r->survey_id);
    if (!r->props || strcmp(r->props, want) != 0 || !r->measurements ||
        atoi(r->measurements + 5) != i) {
        if (!x->bad++)
            snprintf(x->first_bad, sizeof x->first_bad, "%s: %s %s", r->survey_id,
                     r->props ? r->props : "NULL", r->measurements ? r->measurements : "NULL");
    }
    return CS_OK;
}

static void
test_answers_ring(void **state)
{
    (void)state;
    enum { N = 2000 };
    struct cs_store_opts o = {.default_threshold = 2};
    struct cs_store *s;
    struct cs_err e;
    assert_int_equal(cs_store_open(&o, &s, &e), CS_OK);
    cs_store_input_begin(s, "ring", &e);
    struct cs_store_counts c = {0};
    for (int i = 0; i < N; i++) {
        struct cs_record r;
        cs_record_clear(&r);
        snprintf(r.survey_id, sizeof r.survey_id, "s%04d", i);
        if (i % 4 != 3) /* the resource's name is read apart from the row */
            snprintf(r.resource_id, sizeof r.resource_id,
                     "/SUBSCRIPTIONS/S/RESOURCEGROUPS/G/PROVIDERS/MICROSOFT.COMMUNICATION/"
                     "COMMUNICATIONSERVICES/ACS-%d",
                     i % 4);
        r.time_us = (INT64_C(1000) + i) * 1000000;
        r.rating[0].present = r.rating[0].score_is_num = true;
        r.rating[0].score = 3;
        assert_int_equal(cs_store_put(s, &r, 1, &c, &e), CS_OK);
    }
    /* the order the events are stored in */
    int order[N], n = 0, late[8], n_late = 0;
    for (int i = 0; i < N; i++) {
        if (i % 10 == 3)
            continue; /* not answered */
        if (i % 97 == 5 && n_late < 8) {
            late[n_late++] = i; /* stored last */
            continue;
        }
        order[n++] = i;
    }
    for (int k = 0; k + 1 < n; k += 7) { /* neighbours swapped */
        int t = order[k];
        order[k] = order[k + 1];
        order[k + 1] = t;
    }
    int lo = n / 2, hi = lo + 600; /* a block reversed */
    for (int a = lo, b = hi - 1; a < b; a++, b--) {
        int t = order[a];
        order[a] = order[b];
        order[b] = t;
    }
    for (int k = 0; k < n_late; k++)
        order[n++] = late[k];
    for (int k = 0; k < n; k++) {
        int i = order[k];
        for (int v = 0; v < 1 + (i / 100 % 10 == 7 && i % 2 == 0); v++) {
            char sid[16], props[64], meas[32];
            snprintf(sid, sizeof sid, "s%04d", i);
            snprintf(props, sizeof props, v ? "{\"q\":\"%s-late\"}" : "{\"q\":\"%s\"}", sid);
            snprintf(meas, sizeof meas, "{\"m\":%d}", i);
            struct cs_event ev = {.time_us = (INT64_C(1030) + i + v) * 1000000, .props = props, .props_len = strlen(props), .measurements = meas, .measurements_len = strlen(meas)};
            snprintf(ev.survey_id, sizeof ev.survey_id, "%s", sid);
            assert_int_equal(cs_store_event(s, &ev, &c, &e), CS_OK);
        }
        if (k % 5 == 0) { /* an orphan between them */
            struct cs_event ev = {.time_us = (INT64_C(1030) + k) * 1000000, .props = "{\"q\":\"o\"}", .props_len = 9};
            snprintf(ev.survey_id, sizeof ev.survey_id, "o%d", k);
            assert_int_equal(cs_store_event(s, &ev, &c, &e), CS_OK);
        }
    }
    assert_int_equal(cs_store_input_end(s, true, NULL, &e), CS_OK);
    size_t want = 0;
    for (int i = 0; i < N; i++)
        want += i % 10 != 3;
    for (int k = 0; k < 2; k++) {
        struct ring_rows x = {0};
        enum cs_merge kind = k ? CS_MERGE_LEFTOUTER : CS_MERGE_INNER;
        assert_int_equal(cs_join_rows(s, NULL, kind, check_own, &x, &e), CS_OK);
        if (x.bad)
            fail_msg("%s: %zu rows with another survey's answers or resource, first %s",
                     cs_merge_name(kind),
                     x.bad, x.first_bad);
        assert_int_equal(x.answered, want);
        assert_int_equal(x.rows, k ? N : want);
    }
    cs_store_close(&s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_answer_types),
        cmocka_unit_test(test_nine_kinds),
        cmocka_unit_test(test_audit),
        cmocka_unit_test(test_audit_skew),
        cmocka_unit_test(test_keys_and_names),
        cmocka_unit_test(test_custom_columns_capped),
        cmocka_unit_test(test_custom_columns_many_keys),
        cmocka_unit_test(test_event_repeat_is_duplicate),
        cmocka_unit_test(test_event_dedupe_private_and_file),
        cmocka_unit_test(test_untimed_event_in_window),
        cmocka_unit_test(test_one_row_per_survey),
        cmocka_unit_test(test_merge_order),
        cmocka_unit_test(test_answers_ring),
        cmocka_unit_test(test_custom_columns_counted),
        cmocka_unit_test(test_memo_follows_changes),
        cmocka_unit_test(test_memos_taken_from_twin),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
