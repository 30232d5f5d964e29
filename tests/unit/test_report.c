/* Unit tests for the report model (report/model.c) on a hand-made store:
 * figures worked out by hand, mixed scales never pooled, tag shares and
 * pairs, trend buckets, and the --week/--since/--until/--resource filters
 * at their boundaries (inclusive since, exclusive until, UTC). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctime.h"
#include "report/model.h"
#include "store/store.h"


static int64_t w47; /* Monday 2026-11-16 00:00:00Z in µs */
static struct cs_store *S;

static struct cs_record
rec(const char *sid, int64_t t_us, const char *res)
{
    struct cs_record r;
    cs_record_clear(&r);
    snprintf(r.survey_id, sizeof r.survey_id, "%s", sid);
    snprintf(r.call_id, sizeof r.call_id, "call-%c", sid[1]);
    snprintf(r.participant_id, sizeof r.participant_id, "p-%s", sid);
    snprintf(r.resource_id, sizeof r.resource_id, "/SUBS/1/COMMUNICATIONSERVICES/%s", res);
    r.time_us = t_us;
    return r;
}

static void
rate(struct cs_record *r, int c, double score)
{
    r->rating[c].present = r->rating[c].score_is_num = true;
    r->rating[c].score = score;
}

/* The fixture's seven surveys into s (one input). */
static int
fill(struct cs_store *s)
{
    struct cs_err e;
    struct cs_record r[8];
    /* overall on the default scale: 1 2 4 5 5 */
    const double sc[5] = {1, 2, 4, 5, 5};
    for (int i = 0; i < 5; i++) {
        char id[16];
        snprintf(id, sizeof id, "s%d", i);
        /* s0 exactly at Monday 00:00 (in W47); s4 exactly at the next Monday (W48) */
        int64_t t = i == 4 ? w47 + 7 * CS_US_PER_DAY : w47 + i * 3600 * CS_US_PER_S;
        r[i] = rec(id, t, i < 3 ? "ACS-A" : "ACS-B");
        rate(&r[i], CS_CAT_OVERALL, sc[i]);
    }
    /* overall on a 0-10 scale, threshold 5: 7 and 3 */
    for (int i = 5; i < 7; i++) {
        char id[16];
        snprintf(id, sizeof id, "s%d", i);
        r[i] = rec(id, w47 + CS_US_PER_DAY, "ACS-A");
        rate(&r[i], CS_CAT_OVERALL, i == 5 ? 7 : 3);
        struct cs_rating *rt = &r[i].rating[CS_CAT_OVERALL];
        rt->has_lower = rt->has_upper = rt->has_threshold = true;
        rt->lower = 0;
        rt->upper = 10;
        rt->threshold = 5;
    }
    /* audio: s0 score 1 Echo+AudioNoise, s1 score 4 Echo+Whistle, s2 score 5 */
    rate(&r[0], CS_CAT_AUDIO, 1);
    cs_rating_set_issues(&r[0].rating[1], CS_CAT_AUDIO, "Echo,AudioNoise", 15);
    rate(&r[1], CS_CAT_AUDIO, 4);
    cs_rating_set_issues(&r[1].rating[1], CS_CAT_AUDIO, "Echo,Whistle", 12);
    rate(&r[2], CS_CAT_AUDIO, 5);
    struct cs_store_counts c = {0};
    cs_store_input_begin(s, "fixture", &e);
    if (cs_store_put(s, r, 7, &c, &e))
        return -1;
    struct cs_input_summary sum = {.format = "jsonl", .read = 7, .stored = c.stored};
    return cs_store_input_end(s, true, &sum, &e) == CS_OK ? 0 : -1;
}

static int
setup(void **state)
{
    (void)state;
    w47 = cs_days_from_civil(2026, 11, 16) * CS_US_PER_DAY;
    struct cs_store_opts o = {.default_threshold = 2};
    struct cs_err e;
    if (cs_store_open(&o, &S, &e))
        return -1;
    return fill(S);
}

static int
teardown(void **state)
{
    (void)state;
    cs_store_close(&S);
    return 0;
}

static struct cs_report_model *
build(const struct cs_filter *f)
{
    struct cs_model_opts o = {.bucket = CS_BUCKET_WEEK, .min_n = 30};
    if (f)
        o.filter = *f;
    struct cs_report_model *m = NULL;
    struct cs_err e;
    if (cs_report_model_build(S, &o, &m, &e) != CS_OK)
        fail_msg("build: %s", e.msg);
    return m;
}

static const struct rep_group *
group(const struct cs_report_model *m, int cat, double upper)
{
    for (size_t i = 0; i < m->n_groups; i++)
        if (m->groups[i].cat == cat && m->groups[i].scale.upper == upper)
            return &m->groups[i];
    print_error("no group for category %d, upper %g\n", cat, upper);
    abort(); /* the fixture lacks what the test relies on */
}

#define NEAR(a, b) assert_true(fabs((double)(a) - (double)(b)) <= 1e-12 * fmax(1, fabs((double)(b))))

/* The fixture's figures, worked out by hand. */
static void
check_figures(const struct cs_report_model *m)
{
    assert_int_equal(m->totals.surveys, 7);
    /* calls: call-0 .. call-6 from the second character: 7 distinct */
    assert_int_equal(m->totals.calls, 7);
    const struct rep_group *g = group(m, CS_CAT_OVERALL, 5);
    assert_non_null(g);
    assert_true(g->default_scale);
    assert_int_equal(g->sum.n, 5);
    NEAR(g->sum.mean, 3.4);             /* 17 / 5 */
    NEAR(g->sum.median, 4);             /* 1 2 [4] 5 5 */
    NEAR(g->sum.sd, 1.816590212458495); /* sqrt(13.2 / 4) */
    assert_int_equal(g->sum.n_poor, 2); /* 1, 2 <= 2 */
    NEAR(g->sum.poor_rate, 0.4);
    NEAR(g->sum.poor_ci_lo, 0.11762077423264783); /* Wilson, z = 1.959963984540054 */
    NEAR(g->sum.poor_ci_hi, 0.769275718723987);
    NEAR(g->share_of_surveys, 5.0 / 7);
    assert_true(g->small_sample);
    /* distribution: every integer 1..5, zeros included */
    assert_int_equal(g->n_dist, 5);
    assert_int_equal(g->dist[2].count, 0); /* score 3 */
    assert_int_equal(g->dist[4].count, 2); /* score 5 */
    /* the 0-10 scale is its own group: mean 5, not pooled with 1-5 */
    const struct rep_group *g10 = group(m, CS_CAT_OVERALL, 10);
    assert_non_null(g10);
    assert_false(g10->default_scale);
    NEAR(g10->sum.mean, 5);
    assert_int_equal(g10->sum.n_poor, 1);
    assert_int_equal(g10->n_dist, 11);
    /* pooled: only normalized figures: (0 .25 .75 1 1 .7 .3)/7 = 4/7; poor 3/7 */
    assert_int_equal(m->n_pooled, 1);
    NEAR(m->pooled[0].p.norm_mean, 0.5714285714285714);
    NEAR(m->pooled[0].p.poor_rate, 0.42857142857142855);
}

static void
test_figures_by_hand(void **state)
{
    (void)state;
    struct cs_report_model *m = build(NULL);
    check_figures(m);
    cs_report_model_free(&m);
}

/* What the side of cs_report_model_build_beside saw. */
struct side_seen {
    struct cs_store *s;
    uint64_t surveys; /* the store's, read while the model is built */
    cs_status fail;   /* returned, with a message, when not CS_OK */
};

static cs_status
side(void *ctx, struct cs_err *err)
{
    struct side_seen *x = ctx;
    struct cs_store_totals t;
    cs_status rc = cs_store_totals(x->s, &t, err);
    if (rc)
        return rc;
    x->surveys = t.surveys;
    return x->fail ? cs_fail(err, x->fail, NULL, "side failed") : CS_OK;
}

/* The model built on a twin of a private store on disk (a second
 * connection on another thread, issue 22) has the figures worked out by
 * hand, and the accounting of what the run loaded; the side ran on the
 * store meanwhile; a side's failure is the result.  A store in memory has
 * no twin: one after the other, the same figures. */
static void
test_figures_beside_on_twin(void **state)
{
    (void)state;
    struct cs_store_opts o = {.default_threshold = 2, .expected_bytes = UINT64_MAX};
    struct cs_store *disk = NULL, *twin = NULL;
    struct cs_err e;
    assert_int_equal(cs_store_open(&o, &disk, &e), CS_OK);
    assert_int_equal(fill(disk), 0);
    assert_int_equal(cs_store_open_twin(S, &twin, &e), CS_E_USAGE); /* in memory */
    assert_null(twin);
    struct cs_model_opts mo = {.bucket = CS_BUCKET_WEEK, .min_n = 30};
    struct cs_store *stores[2] = {disk, S};
    for (int k = 0; k < 2; k++) {
        struct side_seen x = {.s = stores[k]};
        struct cs_report_model *m = NULL;
        assert_int_equal(cs_report_model_build_beside(stores[k], &mo, &m, side, &x, &e), CS_OK);
        check_figures(m);
        assert_int_equal(x.surveys, 7);
        assert_int_equal(m->acct.run_surveys.stored, 7);
        assert_int_equal(m->acct.run_surveys.inputs, 1);
        cs_report_model_free(&m);
        x.fail = CS_E_IO;
        assert_int_equal(cs_report_model_build_beside(stores[k], &mo, &m, side, &x, &e), CS_E_IO);
        assert_string_equal(e.msg, "side failed");
        cs_report_model_free(&m);
    }
    /* an open input transaction: no twin (its rows are not committed) */
    cs_store_input_begin(disk, "more", &e);
    assert_int_equal(cs_store_open_twin(disk, &twin, &e), CS_E_USAGE);
    assert_int_equal(cs_store_input_end(disk, false, NULL, &e), CS_OK);
    assert_int_equal(cs_store_open_twin(disk, &twin, &e), CS_OK);
    cs_store_close(&twin);
    cs_store_close(&disk);
}

static void
test_mixed_scales_never_pooled(void **state)
{
    (void)state;
    struct cs_report_model *m = build(NULL);
    size_t overall = 0;
    for (size_t i = 0; i < m->n_groups; i++)
        if (m->groups[i].cat == CS_CAT_OVERALL) {
            overall++;
            /* no group mixes the 7-response population */
            assert_true(m->groups[i].sum.n == 5 || m->groups[i].sum.n == 2);
        }
    assert_int_equal(overall, 2);
    cs_report_model_free(&m);
}

static void
test_issue_shares(void **state)
{
    (void)state;
    struct cs_report_model *m = build(NULL);
    const struct rep_group *g = group(m, CS_CAT_AUDIO, 5);
    assert_int_equal(g->sum.n, 3);
    assert_int_equal(g->n_issues, 10); /* 9 SDK audio tags + Whistle */
    const struct rep_issue *echo = &g->issues[2];
    assert_string_equal(echo->name, "Echo");
    assert_int_equal(echo->surveys, 2);
    assert_int_equal(echo->poor, 1);
    NEAR(echo->share_of_responses, 2.0 / 3);
    NEAR(echo->share_of_poor, 1.0);
    NEAR(echo->share_of_surveys, 2.0 / 7);
    assert_int_equal(g->issues[0].surveys, 0); /* zeros included */
    assert_string_equal(g->issues[9].name, "Whistle");
    assert_false(g->issues[9].known);
    assert_int_equal(g->issues[9].surveys, 1);
    assert_int_equal(g->any_issue, 2);
    assert_int_equal(g->n_pairs, 1); /* Echo + AudioNoise */
    assert_int_equal(g->pairs[0].count, 1);
    cs_report_model_free(&m);
}

static void
test_week_filter_boundaries(void **state)
{
    (void)state;
    struct cs_filter f = {.has_since = true, .has_until = true, .since_us = w47, .until_us = w47 + 7 * CS_US_PER_DAY};
    struct cs_report_model *m = build(&f);
    /* s0 at exactly Monday 00:00 is in; s4 at exactly the next Monday is out */
    assert_int_equal(m->totals.surveys, 6);
    assert_int_equal(group(m, CS_CAT_OVERALL, 5)->sum.n, 4);
    cs_report_model_free(&m);
    /* one microsecond later since: s0 drops out */
    f.since_us += 1;
    m = build(&f);
    assert_int_equal(m->totals.surveys, 5);
    cs_report_model_free(&m);
    /* until one microsecond after the next Monday: s4 comes in */
    f.since_us = w47;
    f.until_us = w47 + 7 * CS_US_PER_DAY + 1;
    m = build(&f);
    assert_int_equal(m->totals.surveys, 7);
    cs_report_model_free(&m);
}

static void
test_resource_filter(void **state)
{
    (void)state;
    const char *res[] = {"acs-b"}; /* short name, any case */
    struct cs_filter f = {.resources = res, .n_resources = 1};
    struct cs_report_model *m = build(&f);
    assert_int_equal(m->totals.surveys, 2); /* s3, s4 */
    cs_report_model_free(&m);
    const char *full[] = {"/SUBS/1/COMMUNICATIONSERVICES/ACS-A"};
    f.resources = full;
    m = build(&f);
    assert_int_equal(m->totals.surveys, 5);
    cs_report_model_free(&m);
}

static void
test_trend_buckets(void **state)
{
    (void)state;
    struct cs_report_model *m = build(NULL);
    /* overall 1-5: W47 has s0..s3 (4), W48 has s4 (1) */
    size_t found = 0;
    for (size_t i = 0; i < m->n_trend; i++) {
        const struct rep_trend *t = &m->trend[i];
        if (t->cat != CS_CAT_OVERALL || t->scale.upper != 5)
            continue;
        if (strcmp(t->label, "2026-W47") == 0) {
            assert_int_equal(t->sum.n, 4);
            NEAR(t->sum.mean, 3.0);   /* (1+2+4+5)/4 */
            assert_false(t->partial); /* data starts Monday 00:00 */
            found++;
        } else if (strcmp(t->label, "2026-W48") == 0) {
            assert_int_equal(t->sum.n, 1);
            assert_true(t->partial); /* data ends on its Monday */
            found++;
        }
    }
    assert_int_equal(found, 2);
    cs_report_model_free(&m);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_figures_by_hand),
        cmocka_unit_test(test_figures_beside_on_twin),
        cmocka_unit_test(test_mixed_scales_never_pooled),
        cmocka_unit_test(test_issue_shares),
        cmocka_unit_test(test_week_filter_boundaries),
        cmocka_unit_test(test_resource_filter),
        cmocka_unit_test(test_trend_buckets),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
