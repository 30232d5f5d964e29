/* Unit tests for store/load_cube.h: the cube a private store counts while
 * it loads equals, cell by cell, the cube the SQL scan reads back, after
 * merges of every kind (a category added, a later score, an earlier time
 * across a week, a tie decided by content, ids and a resource filled in),
 * on custom scales, decimal and negative-zero scores, unknown tags, three
 * resources and none, for every window on whole days, resource filter,
 * bucket, grouping and ids window; off whole days the scan reads SQLite;
 * a rolled-back input drops the aggregate, and so does passing its limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/ctime.h"
#include "ingest/ingest.h"
#include "store/query.h"
#include "store/store.h"

#define DAY CS_US_PER_DAY
/* Monday 2026-11-16 00:00 UTC (2026-W47) */
#define W47 INT64_C(1794787200000000)

static struct cs_record
rec(const char *sid, int64_t t_us, const char *res, const char *call, int cat, double score)
{
    struct cs_record r;
    cs_record_clear(&r);
    snprintf(r.survey_id, sizeof r.survey_id, "%s", sid);
    if (res[0])
        snprintf(r.resource_id, sizeof r.resource_id, "/SUBS/X/COMMUNICATIONSERVICES/%s", res);
    snprintf(r.call_id, sizeof r.call_id, "%s", call);
    snprintf(r.participant_id, sizeof r.participant_id, "p-%s", sid);
    r.time_us = t_us;
    r.rating[cat].present = r.rating[cat].score_is_num = true;
    r.rating[cat].score = score;
    return r;
}

static void
scale(struct cs_record *r, int cat, double lo, double hi, double th)
{
    struct cs_rating *rt = &r->rating[cat];
    rt->has_lower = rt->has_upper = rt->has_threshold = true;
    rt->lower = lo;
    rt->upper = hi;
    rt->threshold = th;
}

/* 240 surveys over three weeks, three resources and none, then a second
 * input of merges. */
static void
load(struct cs_store *s)
{
    struct cs_err e;
    struct cs_store_counts c = {0};
    static const char *const res[] = {"ACS-A", "ACS-B", "ACS-C", ""};
    static const char *const tags[] = {"Echo", "Echo,Freezes", "NoSuchTag", "HadToRejoin"};
    struct cs_record r[240];
    for (int i = 0; i < 240; i++) {
        char sid[32], call[32];
        snprintf(sid, sizeof sid, "s%03d", i);
        snprintf(call, sizeof call, i % 7 == 0 ? "" : "call-%d", i / 3); /* shared calls, some none */
        /* 37 hours apart mod three weeks: every day and hour touched */
        int64_t t = W47 - 7 * DAY + (int64_t)(i * 37 % 504) * 3600 * 1000000 + i;
        int cat = i % 4;
        r[i] = rec(sid, t, res[i % 4], call, cat, 1 + i % 5);
        if (i % 5 == 1) {
            scale(&r[i], cat, 0, 10, 5);
            r[i].rating[cat].score = (i % 11) + (i % 2 ? 0.5 : 0);
        } else if (i % 5 == 2) {
            scale(&r[i], cat, 0, 100, 50);
            r[i].rating[cat].score = i % 3 ? (double)(i % 101) : -0.0;
        }
        if (i % 3 == 0)
            cs_rating_set_issues(&r[i].rating[cat], (enum cs_category)cat, tags[i % 4],
                                 strlen(tags[i % 4]));
        if (i % 6 == 0) { /* a second category */
            int c2 = (cat + 1) % 4;
            r[i].rating[c2].present = r[i].rating[c2].score_is_num = true;
            r[i].rating[c2].score = 2 + i % 3;
        }
    }
    assert_int_equal(cs_store_input_begin(s, "a", &e), CS_OK);
    assert_int_equal(cs_store_put(s, r, 240, &c, &e), CS_OK);
    assert_int_equal(cs_store_input_end(s, true, NULL, &e), CS_OK);

    struct cs_record m[8];
    m[0] = r[4];                                                                    /* exact repeat: a duplicate */
    m[1] = rec("s008", r[8].time_us + 1000, "ACS-A", "call-2", CS_CAT_AUDIO, 4);    /* a category added */
    m[2] = rec("s012", r[12].time_us + 5000, "ACS-A", "call-4", CS_CAT_OVERALL, 1); /* later: replaces */
    /* earlier by ten days: the survey moves to another day and week */
    m[3] = rec("s016", r[16].time_us - 10 * DAY, "ACS-A", "call-5", CS_CAT_OVERALL, 5);
    m[4] = r[20]; /* the same time, another score: a tie decided by content */
    m[4].rating[CS_CAT_OVERALL].score = 5;
    m[5] = rec("s021", r[21].time_us, "ACS-B", "call-filled", CS_CAT_AUDIO, 3);     /* fills its call */
    m[6] = rec("s003", r[3].time_us + 1, "ACS-C", "call-1", CS_CAT_SCREENSHARE, 2); /* fills a resource */
    m[7] = rec("s999", W47 + 2 * DAY, "ACS-B", "call-2", CS_CAT_VIDEO, 2);          /* new, a known call */
    memset(&c, 0, sizeof c);
    assert_int_equal(cs_store_input_begin(s, "b", &e), CS_OK);
    assert_int_equal(cs_store_put(s, m, 8, &c, &e), CS_OK);
    assert_int_equal(cs_store_input_end(s, true, NULL, &e), CS_OK);
    assert_int_equal(c.stored, 1);
    assert_int_equal(c.duplicates, 2); /* the repeat, and the earlier one (its time kept) */
    assert_int_equal(c.updated, 3);
    assert_int_equal(c.conflicts, 2); /* s020, and s021 (same time, and its call filled) */
}

static uint64_t
bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static void
same_cube(const struct cs_cube *a, const struct cs_cube *b, const char *what)
{
    const struct cs_window_totals *x = &a->totals, *y = &b->totals;
    if (x->surveys != y->surveys || x->calls != y->calls || x->participants != y->participants ||
        x->first_us != y->first_us || x->last_us != y->last_us || x->rejected != y->rejected ||
        x->duplicates != y->duplicates || x->updated != y->updated ||
        x->unknown_tags != y->unknown_tags || x->conflicts != y->conflicts)
        fail_msg("%s: totals differ (surveys %llu/%llu, calls %llu/%llu, parts %llu/%llu)", what,
                 (unsigned long long)x->surveys, (unsigned long long)y->surveys,
                 (unsigned long long)x->calls, (unsigned long long)y->calls,
                 (unsigned long long)x->participants, (unsigned long long)y->participants);
    assert_int_equal(a->n_groups, b->n_groups);
    for (size_t i = 0; i < a->n_groups; i++) {
        assert_string_equal(a->groups[i].key, b->groups[i].key);
        assert_string_equal(a->groups[i].label, b->groups[i].label);
        assert_int_equal(a->groups[i].surveys, b->groups[i].surveys);
    }
    if (a->n_cells != b->n_cells)
        fail_msg("%s: %zu cells against %zu", what, a->n_cells, b->n_cells);
    for (size_t i = 0; i < a->n_cells; i++) {
        const struct cs_cube_cell *p = &a->cells[i], *q = &b->cells[i];
        if (p->cat != q->cat || bits(p->lower) != bits(q->lower) ||
            bits(p->upper) != bits(q->upper) || bits(p->threshold) != bits(q->threshold) ||
            p->default_scale != q->default_scale || p->group != q->group ||
            p->bucket != q->bucket || bits(p->score) != bits(q->score) || p->mask != q->mask ||
            p->poor != q->poor || p->any_tag != q->any_tag || p->count != q->count)
            fail_msg("%s: cell %zu differs (cat %d score %g/%g count %llu/%llu)", what, i,
                     p->cat, p->score, q->score, (unsigned long long)p->count,
                     (unsigned long long)q->count);
    }
    assert_int_equal(a->sliced, b->sliced);
    assert_int_equal(a->n_slices, b->n_slices);
    for (size_t i = 0; i < a->n_slices; i++) {
        const struct cs_cube_slice *p = &a->slices[i], *q = &b->slices[i];
        assert_int_equal(p->group, q->group);
        assert_int_equal(p->bucket, q->bucket);
        assert_int_equal(p->surveys, q->surveys);
        assert_int_equal(p->first_us, q->first_us);
        assert_int_equal(p->last_us, q->last_us);
    }
}

enum { N_CASES = 10 };

/* Case k's cube of s. */
static void
cube_case(struct cs_store *s, int k, struct cs_cube *out)
{
    static const char *const one[] = {"acs-a"};
    static const char *const two[] = {"/SUBS/X/COMMUNICATIONSERVICES/ACS-B", "ACS-C"};
    struct cs_filter f = {0};
    struct cs_err e;
    enum cs_bucket b = k % 2 ? CS_BUCKET_DAY : CS_BUCKET_WEEK;
    enum cs_group_by by = k % 3 ? CS_GROUP_RESOURCE : CS_GROUP_NONE;
    switch (k) {
    case 2:
    case 3: /* one week, whole days */
        f = (struct cs_filter){.has_since = true, .has_until = true, .since_us = W47, .until_us = W47 + 7 * DAY};
        break;
    case 4:
    case 5: /* from a day on, a resource by its short name */
        f = (struct cs_filter){.has_since = true, .since_us = W47 - 3 * DAY, .resources = one, .n_resources = 1};
        break;
    case 6: /* until a day, two resources, one by its full id */
        f = (struct cs_filter){.has_until = true, .until_us = W47 + 2 * DAY, .resources = two, .n_resources = 2};
        break;
    case 7: /* off whole days: the SQL scan either way */
        f = (struct cs_filter){.has_since = true, .since_us = W47 + 3600 * INT64_C(1000000)};
        break;
    default: break;
    }
    if (k >= 8) { /* the review's wide scan: two weeks, ids of the last */
        f = (struct cs_filter){.has_since = true, .has_until = true, .since_us = W47 - 7 * DAY, .until_us = W47 + 7 * DAY};
        assert_int_equal(cs_query_cube_ids_in(s, &f, b, W47, W47 + 7 * DAY, out, &e), CS_OK);
        return;
    }
    assert_int_equal(cs_query_cube_grouped(s, &f, b, by, NULL, out, &e), CS_OK);
}

static struct cs_store *
open_private(void)
{
    struct cs_store_opts o = {.default_threshold = 2};
    struct cs_store *s;
    struct cs_err e;
    assert_int_equal(cs_store_open(&o, &s, &e), CS_OK);
    return s;
}

static void
test_same_cube_as_sql(void **state)
{
    (void)state;
    struct cs_store *s = open_private();
    cs_store_keep_cube(s, CS_STORE_CUBE_MAX);
    assert_true(cs_store_has_cube(s));
    load(s);
    assert_true(cs_store_has_cube(s)); /* kept through both inputs */
    /* which windows it serves: open, or ends on midnight UTC */
    struct cs_filter day = {.has_since = true, .since_us = W47, .has_until = true, .until_us = W47 + DAY},
                     hour = {.has_since = true, .since_us = W47 + 3600 * INT64_C(1000000)};
    assert_true(cs_query_cube_from_load(s, NULL));
    assert_true(cs_query_cube_from_load(s, &day));
    assert_false(cs_query_cube_from_load(s, &hour));
    struct cs_cube mem[N_CASES], sql[N_CASES];
    for (int k = 0; k < N_CASES; k++)
        cube_case(s, k, &mem[k]);
    cs_store_drop_cube(s);
    assert_false(cs_store_has_cube(s));
    assert_false(cs_query_cube_from_load(s, NULL));
    for (int k = 0; k < N_CASES; k++) {
        cube_case(s, k, &sql[k]);
        char what[32];
        snprintf(what, sizeof what, "case %d", k);
        same_cube(&mem[k], &sql[k], what);
        assert_true(mem[k].totals.surveys > 0);
        cs_cube_free(&mem[k]);
        cs_cube_free(&sql[k]);
    }
    cs_store_close(&s);
}

static void
test_rollback_drops_cube(void **state)
{
    (void)state;
    struct cs_store *s = open_private();
    cs_store_keep_cube(s, CS_STORE_CUBE_MAX);
    struct cs_err e;
    struct cs_store_counts c = {0};
    struct cs_record r = rec("rb", W47, "ACS-A", "c", CS_CAT_OVERALL, 3);
    assert_int_equal(cs_store_input_begin(s, "a", &e), CS_OK);
    assert_int_equal(cs_store_put(s, &r, 1, &c, &e), CS_OK);
    assert_int_equal(cs_store_input_end(s, true, NULL, &e), CS_OK);
    /* an input that stored no survey, rolled back (a file skipped as
     * binary, say): the aggregate counted nothing of it and stays */
    assert_int_equal(cs_store_input_begin(s, "skipped.png", &e), CS_OK);
    assert_int_equal(cs_store_input_end(s, false, NULL, &e), CS_OK);
    assert_true(cs_store_has_cube(s));
    struct cs_record r2 = rec("rb2", W47, "ACS-A", "c", CS_CAT_OVERALL, 4);
    assert_int_equal(cs_store_input_begin(s, "b", &e), CS_OK);
    assert_int_equal(cs_store_put(s, &r2, 1, &c, &e), CS_OK);
    assert_int_equal(cs_store_input_end(s, false, NULL, &e), CS_OK);
    assert_false(cs_store_has_cube(s)); /* it counted a survey that is gone */
    struct cs_cube q;
    assert_int_equal(cs_query_cube(s, NULL, CS_BUCKET_WEEK, &q, &e), CS_OK);
    assert_int_equal(q.totals.surveys, 1); /* "rb" of the committed input */
    cs_cube_free(&q);
    cs_store_close(&s);
}

static void
test_keep_only_when_empty(void **state)
{
    (void)state;
    struct cs_store *s = open_private();
    struct cs_err e;
    struct cs_store_counts c = {0};
    struct cs_record r = rec("k1", W47, "ACS-A", "c", CS_CAT_OVERALL, 3);
    assert_int_equal(cs_store_input_begin(s, "a", &e), CS_OK);
    assert_int_equal(cs_store_put(s, &r, 1, &c, &e), CS_OK);
    assert_int_equal(cs_store_input_end(s, true, NULL, &e), CS_OK);
    cs_store_keep_cube(s, CS_STORE_CUBE_MAX); /* a survey stored uncounted: no aggregate */
    assert_false(cs_store_has_cube(s));
    cs_store_close(&s);
}

/* Past its limit the aggregate is given up while loading, and the cubes
 * are the SQL scan's: the same as the full aggregate's (case by case). */
static void
test_limit_gives_up(void **state)
{
    (void)state;
    struct cs_store *full = open_private(), *cut = open_private();
    cs_store_keep_cube(full, CS_STORE_CUBE_MAX);
    cs_store_keep_cube(cut, 100);
    assert_true(cs_store_has_cube(cut));
    load(full);
    load(cut); /* 240 surveys: past 100 */
    assert_true(cs_store_has_cube(full));
    assert_false(cs_store_has_cube(cut));
    for (int k = 0; k < N_CASES; k++) {
        struct cs_cube a, b;
        cube_case(full, k, &a);
        cube_case(cut, k, &b);
        char what[32];
        snprintf(what, sizeof what, "limit case %d", k);
        same_cube(&a, &b, what);
        cs_cube_free(&a);
        cs_cube_free(&b);
    }
    cs_store_close(&full);
    cs_store_close(&cut);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_cube_as_sql),
        cmocka_unit_test(test_rollback_drops_cube),
        cmocka_unit_test(test_keep_only_when_empty),
        cmocka_unit_test(test_limit_gives_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
