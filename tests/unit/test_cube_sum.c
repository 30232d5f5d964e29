/* Unit tests for report/cube_sum.c: the cube summed over the resources of
 * one grouped scan equals a direct ungrouped scan of the same surveys, cell
 * for cell and in its totals, on generated data (several resources, two
 * scales, tags, shared calls, three bucketings, a window); and its counts
 * match what the test itself put into the store.  Also: two windows'
 * cubes as one (cs_cube_union) equal a scan of the union window, and a
 * window cut from a cube (cs_cube_window) equals a scan of the window. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "model/survey.h"
#include "report/cube_sum.h"
#include "store/query.h"
#include "store/store.h"

#define N_SURVEYS 3000
#define T0 1763337600LL /* 2025-11-17 00:00 UTC, a Monday */

static uint64_t rng = 88172645463325252ull;
static bool e_first_week; /* make_store: resource ACS-E only in the first week */

static uint64_t
next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* what the test put: surveys and ratings per category, in [T0+day lo, hi) */
struct expect {
    uint64_t surveys, ratings[CS_CAT__COUNT], tagged[CS_CAT__COUNT];
};

static struct cs_store *
make_store(struct expect *ex, int64_t lo_s, int64_t hi_s)
{
    struct cs_store_opts o = {.default_threshold = 2};
    struct cs_store *s;
    struct cs_err e;
    assert_int_equal(cs_store_open(&o, &s, &e), CS_OK);
    assert_int_equal(cs_store_input_begin(s, "gen", &e), CS_OK);
    static struct cs_record r[N_SURVEYS];
    memset(ex, 0, sizeof *ex);
    for (int i = 0; i < N_SURVEYS; i++) {
        struct cs_record *x = &r[i];
        cs_record_clear(x);
        snprintf(x->survey_id, sizeof x->survey_id, "s%05d", i);
        snprintf(x->call_id, sizeof x->call_id, "c%04d", (int)(next() % 900)); /* shared */
        snprintf(x->participant_id, sizeof x->participant_id, "p%04d", (int)(next() % 2000));
        snprintf(x->resource_id, sizeof x->resource_id,
                 "/SUBSCRIPTIONS/X/PROVIDERS/MICROSOFT.COMMUNICATION/COMMUNICATIONSERVICES/ACS-%c",
                 (char)('A' + next() % 5));
        int64_t t = T0 + (int64_t)(next() % (21 * 86400)); /* three weeks */
        if (e_first_week && x->resource_id[strlen(x->resource_id) - 1] == 'E')
            t = T0 + (t - T0) % (7 * 86400);
        x->time_us = t * 1000000;
        bool in = t >= lo_s && t < hi_s;
        ex->surveys += in;
        for (int c = 0; c < CS_CAT__COUNT; c++) {
            if (c != CS_CAT_OVERALL && next() % 3 == 0)
                continue;
            struct cs_rating *rt = &x->rating[c];
            rt->present = rt->score_is_num = true;
            if (next() % 4 == 0) { /* a 0..10 scale */
                rt->has_lower = rt->has_upper = rt->has_threshold = true;
                rt->lower = 0, rt->upper = 10, rt->threshold = 6;
                rt->score = (double)(next() % 11);
            } else {
                rt->score = (double)(1 + next() % 5);
            }
            if (next() % 3 == 0) {
                char tags[200];
                size_t nt = cs_tags_count((enum cs_category)c);
                snprintf(tags, sizeof tags, "%s,%s", cs_tag_name((enum cs_category)c, next() % nt),
                         cs_tag_name((enum cs_category)c, next() % nt));
                assert_true(cs_rating_set_issues(rt, (enum cs_category)c, tags, strlen(tags)));
                ex->tagged[c] += in;
            }
            ex->ratings[c] += in;
        }
    }
    struct cs_store_counts cnt = {0};
    assert_int_equal(cs_store_put(s, r, N_SURVEYS, &cnt, &e), CS_OK);
    assert_int_equal(cnt.stored, N_SURVEYS);
    struct cs_input_summary sum = {.read = N_SURVEYS};
    assert_int_equal(cs_store_input_end(s, true, &sum, &e), CS_OK);
    return s;
}

static void
same_cube(const struct cs_cube *a, const struct cs_cube *b)
{
    assert_int_equal(a->n_cells, b->n_cells);
    for (size_t i = 0; i < a->n_cells; i++) {
        const struct cs_cube_cell *x = &a->cells[i], *y = &b->cells[i];
        assert_int_equal(x->cat, y->cat);
        assert_true(x->lower == y->lower && x->upper == y->upper && x->threshold == y->threshold);
        assert_int_equal(x->default_scale, y->default_scale);
        assert_int_equal(x->group, y->group);
        assert_int_equal(x->bucket, y->bucket);
        assert_true(x->score == y->score);
        assert_int_equal(x->mask, y->mask);
        assert_int_equal(x->poor, y->poor);
        assert_int_equal(x->any_tag, y->any_tag);
        assert_int_equal(x->count, y->count);
    }
    assert_int_equal(a->n_groups, b->n_groups);
    assert_int_equal(a->totals.surveys, b->totals.surveys);
    assert_int_equal(a->totals.calls, b->totals.calls);
    assert_int_equal(a->totals.participants, b->totals.participants);
    assert_int_equal(a->totals.first_us, b->totals.first_us);
    assert_int_equal(a->totals.last_us, b->totals.last_us);
    assert_int_equal(a->totals.rejected, b->totals.rejected);
    assert_int_equal(a->totals.duplicates, b->totals.duplicates);
}

/* the cube's counts against what was put */
static void
check_counts(const struct cs_cube *c, const struct expect *ex)
{
    assert_int_equal(c->totals.surveys, ex->surveys);
    uint64_t n[CS_CAT__COUNT] = {0}, tagged[CS_CAT__COUNT] = {0};
    for (size_t i = 0; i < c->n_cells; i++) {
        n[c->cells[i].cat] += c->cells[i].count;
        if (c->cells[i].any_tag)
            tagged[c->cells[i].cat] += c->cells[i].count;
    }
    for (int k = 0; k < CS_CAT__COUNT; k++) {
        assert_int_equal(n[k], ex->ratings[k]);
        assert_int_equal(tagged[k], ex->tagged[k]);
    }
}

static void
run_case(const struct cs_filter *f, int64_t lo_s, int64_t hi_s)
{
    struct expect ex;
    struct cs_store *s = make_store(&ex, lo_s, hi_s);
    struct cs_err e;
    const enum cs_bucket buckets[] = {CS_BUCKET_NONE, CS_BUCKET_WEEK, CS_BUCKET_DAY};
    for (size_t b = 0; b < 3; b++) {
        struct cs_cube grouped, direct, derived;
        assert_int_equal(cs_query_cube_grouped(s, f, buckets[b], CS_GROUP_RESOURCE, NULL,
                                               &grouped, &e),
                         CS_OK);
        assert_int_equal(grouped.n_groups, 5);
        assert_int_equal(cs_query_cube(s, f, buckets[b], &direct, &e), CS_OK);
        cs_cube_ungroup(&grouped, &derived);
        assert_true(grouped.n_cells > derived.n_cells); /* something was summed */
        same_cube(&derived, &direct);
        check_counts(&derived, &ex);
        /* the resources' surveys add up to the total */
        uint64_t sum = 0;
        for (size_t g = 0; g < grouped.n_groups; g++)
            sum += grouped.groups[g].surveys;
        assert_int_equal(sum, ex.surveys);
        /* distinct calls are fewer than surveys: shared calls were counted once */
        assert_true(derived.totals.calls < derived.totals.surveys);
        cs_cube_free(&grouped);
        cs_cube_free(&direct);
        cs_cube_free(&derived);
    }
    cs_store_close(&s);
}

static void
test_all(void **state)
{
    (void)state;
    run_case(NULL, INT64_MIN, INT64_MAX);
}

static void
test_window(void **state)
{
    (void)state;
    /* the second week and two days of the third */
    struct cs_filter f = {.has_since = true,
                          .has_until = true,
                          .since_us = (T0 + 7 * 86400) * 1000000,
                          .until_us = (T0 + 16 * 86400) * 1000000};
    run_case(&f, T0 + 7 * 86400, T0 + 16 * 86400);
}

/* [T0 + d0 days, T0 + d1 days) as a filter */
static struct cs_filter
days(int d0, int d1)
{
    struct cs_filter f = {.has_since = true,
                          .has_until = true,
                          .since_us = (T0 + d0 * 86400LL) * 1000000,
                          .until_us = (T0 + d1 * 86400LL) * 1000000};
    return f;
}

static void
test_union(void **state)
{
    (void)state;
    struct expect ex;
    /* the review's sides: two weeks before and one week, and a cut mid-week
     * (a week bucket both windows share) */
    const int cuts[][3] = {{0, 14, 21}, {2, 10, 20}};
    const enum cs_bucket buckets[] = {CS_BUCKET_WEEK, CS_BUCKET_DAY, CS_BUCKET_NONE};
    for (size_t k = 0; k < 2; k++) {
        const int *c = cuts[k];
        struct cs_store *s = make_store(&ex, T0 + c[0] * 86400LL, T0 + c[2] * 86400LL);
        struct cs_err e;
        for (size_t b = 0; b < 3; b++) {
            struct cs_filter fa = days(c[0], c[1]), fb = days(c[1], c[2]), fu = days(c[0], c[2]);
            struct cs_cube ca, cb, direct, u;
            assert_int_equal(cs_query_cube_grouped(s, &fa, buckets[b], CS_GROUP_RESOURCE, NULL,
                                                   &ca, &e),
                             CS_OK);
            assert_int_equal(cs_query_cube(s, &fb, buckets[b], &cb, &e), CS_OK);
            assert_int_equal(cs_query_cube(s, &fu, buckets[b], &direct, &e), CS_OK);
            cs_cube_union(&ca, &cb, &u);
            check_counts(&u, &ex);
            assert_int_equal(u.totals.surveys, direct.totals.surveys);
            assert_int_equal(u.totals.first_us, direct.totals.first_us);
            assert_int_equal(u.totals.last_us, direct.totals.last_us);
            assert_int_equal(u.totals.calls, 0); /* distinct ids do not add */
            /* the cells (totals aside): compare with the direct ones */
            u.totals = direct.totals;
            same_cube(&u, &direct);
            cs_cube_free(&ca);
            cs_cube_free(&cb);
            cs_cube_free(&direct);
            cs_cube_free(&u);
        }
        cs_store_close(&s);
    }
}

/* A window cut from the cube of all the surveys (cs_cube_window) equals a
 * scan of the window, grouped by resource: cells, groups and their surveys,
 * slices, totals but distinct ids; a window cutting a bucket is refused. */
static void
test_cut_window(void **state)
{
    (void)state;
    struct expect ex;
    e_first_week = true;
    struct cs_store *s = make_store(&ex, INT64_MIN, INT64_MAX);
    e_first_week = false;
    struct cs_err e;
    const enum cs_bucket buckets[] = {CS_BUCKET_WEEK, CS_BUCKET_DAY, CS_BUCKET_NONE};
    /* {since, until, day of the window, cuts a week} in days from T0 */
    const int wins[][3] = {{7, 14, 0}, {0, 14, 0}, {14, 21, 0}, {3, 5, 1}, {30, 37, 0}, {-7, 0, 0}, {0, 21, 0}};
    struct cs_filter outer = days(-7, 28);
    for (size_t b = 0; b < 3; b++) {
        for (int o = 0; o < 2; o++) {
            struct cs_cube whole;
            assert_int_equal(cs_query_cube_grouped(s, o ? &outer : NULL, buckets[b],
                                                   CS_GROUP_RESOURCE, NULL, &whole, &e),
                             CS_OK);
            assert_true(whole.sliced);
            assert_int_equal(whole.n_groups, 5);
            for (size_t w = 0; w < sizeof wins / sizeof *wins; w++) {
                struct cs_filter f = days(wins[w][0], wins[w][1]);
                struct cs_cube cut, direct;
                bool all = wins[w][0] <= 0 && wins[w][1] >= 21, none = wins[w][0] >= 21 ||
                                                                       wins[w][1] <= 0;
                bool ok = cs_cube_window(&whole, f.since_us, f.until_us, &cut);
                if (buckets[b] == CS_BUCKET_NONE || (wins[w][2] && buckets[b] == CS_BUCKET_WEEK)) {
                    assert_int_equal(ok, all || none);
                    if (!ok) {
                        assert_int_equal(cut.n_cells, 0);
                        continue;
                    }
                }
                assert_true(ok);
                assert_int_equal(cs_query_cube_grouped(s, &f, buckets[b], CS_GROUP_RESOURCE,
                                                       NULL, &direct, &e),
                                 CS_OK);
                assert_int_equal(cut.totals.calls, 0);
                cut.totals.calls = direct.totals.calls;
                cut.totals.participants = direct.totals.participants;
                same_cube(&cut, &direct);
                for (size_t g = 0; g < direct.n_groups; g++) {
                    assert_string_equal(cut.groups[g].key, direct.groups[g].key);
                    assert_string_equal(cut.groups[g].label, direct.groups[g].label);
                    assert_int_equal(cut.groups[g].surveys, direct.groups[g].surveys);
                }
                assert_int_equal(cut.n_slices, direct.n_slices);
                for (size_t i = 0; i < direct.n_slices; i++) {
                    const struct cs_cube_slice *x = &cut.slices[i], *y = &direct.slices[i];
                    assert_int_equal(x->group, y->group);
                    assert_int_equal(x->bucket, y->bucket);
                    assert_int_equal(x->surveys, y->surveys);
                    assert_int_equal(x->first_us, y->first_us);
                    assert_int_equal(x->last_us, y->last_us);
                }
                if (wins[w][0] == 7 && wins[w][1] == 14)
                    assert_int_equal(direct.n_groups, 4); /* ACS-E: first week only */
                cs_cube_free(&cut);
                cs_cube_free(&direct);
            }
            cs_cube_free(&whole);
        }
    }
    /* a cube without slices (not from a scan) cannot be cut */
    struct cs_cube plain = {0}, cut;
    assert_false(cs_cube_window(&plain, 0, 1, &cut));
    cs_store_close(&s);
}

/* cs_query_cube_ids_in: a scan of three weeks whose distinct ids are the
 * third week's; the week cut from it, with those ids, equals a scan of the
 * week, totals and all, and the weeks before are cut from it too. */
static void
test_ids_in(void **state)
{
    (void)state;
    struct expect ex;
    struct cs_store *s = make_store(&ex, INT64_MIN, INT64_MAX);
    struct cs_err e;
    struct cs_filter wide = days(0, 21), week = days(14, 21), before = days(0, 14);
    struct cs_cube w, cut, direct, cut_b, direct_b;
    assert_int_equal(cs_query_cube_ids_in(s, &wide, CS_BUCKET_WEEK, week.since_us, week.until_us,
                                          &w, &e),
                     CS_OK);
    assert_true(cs_cube_window(&w, week.since_us, week.until_us, &cut));
    cut.totals.calls = w.totals.calls;
    cut.totals.participants = w.totals.participants;
    assert_int_equal(cs_query_cube_grouped(s, &week, CS_BUCKET_WEEK, CS_GROUP_RESOURCE, NULL,
                                           &direct, &e),
                     CS_OK);
    assert_true(direct.totals.calls > 0);
    same_cube(&cut, &direct);
    assert_true(cs_cube_window(&w, before.since_us, before.until_us, &cut_b));
    assert_int_equal(cs_query_cube_grouped(s, &before, CS_BUCKET_WEEK, CS_GROUP_RESOURCE, NULL,
                                           &direct_b, &e),
                     CS_OK);
    cut_b.totals.calls = direct_b.totals.calls;
    cut_b.totals.participants = direct_b.totals.participants;
    same_cube(&cut_b, &direct_b);
    cs_cube_free(&w);
    cs_cube_free(&cut);
    cs_cube_free(&direct);
    cs_cube_free(&cut_b);
    cs_cube_free(&direct_b);
    cs_store_close(&s);
}

static void
test_empty(void **state)
{
    (void)state;
    struct cs_cube in = {.totals = {.surveys = 0}}, out;
    cs_cube_ungroup(&in, &out);
    assert_int_equal(out.n_cells, 0);
    assert_null(out.cells);
    cs_cube_free(&out);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all),
        cmocka_unit_test(test_window),
        cmocka_unit_test(test_union),
        cmocka_unit_test(test_cut_window),
        cmocka_unit_test(test_ids_in),
        cmocka_unit_test(test_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
