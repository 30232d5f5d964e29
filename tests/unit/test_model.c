/* Unit tests for model/survey: every SDK validation rule with its exact
 * message (FORMATS.md §4), tags, aliases and number formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "model/survey.h"

static struct cs_record R;

static void
reset(void)
{
    cs_record_clear(&R);
}

static struct cs_rating *
rate(int c, double score)
{
    struct cs_rating *rt = &R.rating[c];
    rt->present = true;
    rt->score_is_num = true;
    rt->score = score;
    return rt;
}

static void
scale(struct cs_rating *rt, double lo, double hi, double th)
{
    rt->has_lower = rt->has_upper = rt->has_threshold = true;
    rt->lower = lo;
    rt->upper = hi;
    rt->threshold = th;
}

static void
expect(bool valid, const char *reason)
{
    bool ok = cs_record_validate(&R);
    if (ok != valid)
        fail_msg("validate returned %d, reason '%s'", ok, R.reason);
    assert_string_equal(R.reason, reason);
}

static void
test_default_scale(void **state)
{
    (void)state;
    const struct {
        double s;
        bool ok;
    } cases[] = {
        {1, true}, {5, true}, {2.5, true}, {0, false}, {5.5, false}, {7, false}, {NAN, false}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        reset();
        rate(CS_CAT_AUDIO, cases[i].s);
        expect(cases[i].ok, cases[i].ok ? "" : "In default scale audioRating.score should be 1 to 5.");
    }
}

static void
test_custom_scale_rules(void **state)
{
    (void)state;
    /* (a) score outside bounds */
    reset();
    scale(rate(CS_CAT_OVERALL, 11), 0, 10, 5);
    expect(false, "overallRating.score: 11 should be between 0 and 10.");
    /* (b) threshold outside bounds, inclusive ends pass */
    reset();
    scale(rate(CS_CAT_VIDEO, 3), 0, 10, 11);
    expect(false, "videoRating.scale.lowScoreThreshold: 11 should be between 0 and 10.");
    reset();
    scale(rate(CS_CAT_VIDEO, 3), 0, 10, 10);
    expect(true, "");
    reset();
    scale(rate(CS_CAT_VIDEO, 0), 0, 10, 0);
    expect(true, "");
    /* (c) bounds outside 0..100 */
    reset();
    scale(rate(CS_CAT_SCREENSHARE, 50), 0, 200, 100);
    expect(false, "screenshareRating.scale lowerBound: 0 and upperBound: 200 should be between 0 and 100.");
    /* the chain stops at the first failure of a rating */
    reset();
    scale(rate(CS_CAT_SCREENSHARE, 250), 0, 200, 300);
    expect(false, "screenshareRating.score: 250 should be between 0 and 200.");
    /* lower == upper is accepted; lower > upper fails through the range */
    reset();
    scale(rate(CS_CAT_OVERALL, 3), 3, 3, 3);
    expect(true, "");
    reset();
    scale(rate(CS_CAT_OVERALL, 3), 5, 1, 2);
    expect(false, "overallRating.score: 3 should be between 5 and 1.");
    /* non-integer custom scale: 0.5 on 0-1 threshold 0.25 passes */
    reset();
    scale(rate(CS_CAT_OVERALL, 0.5), 0, 1, 0.25);
    expect(true, "");
    /* missing threshold: "undefined", as the SDK prints it */
    reset();
    struct cs_rating *rt = rate(CS_CAT_OVERALL, 3);
    rt->has_lower = rt->has_upper = true;
    rt->lower = 1;
    rt->upper = 5;
    expect(false, "overallRating.scale.lowScoreThreshold: undefined should be between 1 and 5.");
}

static void
test_messages_concatenate(void **state)
{
    (void)state;
    reset();
    rate(CS_CAT_OVERALL, 7);
    scale(rate(CS_CAT_AUDIO, 11), 0, 10, 5);
    expect(false, "In default scale overallRating.score should be 1 to 5. "
                  "audioRating.score: 11 should be between 0 and 10.");
    reset();
    expect(false, "At least one survey rating is required.");
    /* overall is not required */
    reset();
    rate(CS_CAT_AUDIO, 3);
    expect(true, "");
}

static void
test_type_step(void **state)
{
    (void)state;
    /* a non-numeric score string: the type step's message */
    reset();
    struct cs_rating *rt = rate(CS_CAT_OVERALL, 0);
    rt->score_is_num = false;
    expect(false, "overallRating.score should be of type number.");
    /* a tag of another category's list */
    reset();
    rt = rate(CS_CAT_OVERALL, 3);
    assert_true(cs_rating_set_issues(rt, CS_CAT_OVERALL, "HadToRejoin,Echo", 16));
    expect(false, "overallRating.issues array should be of type OverallIssue.");
    /* the type step runs only when the range steps passed */
    reset();
    rt = rate(CS_CAT_OVERALL, 9);
    cs_rating_set_issues(rt, CS_CAT_OVERALL, "Echo", 4);
    expect(false, "In default scale overallRating.score should be 1 to 5.");
    /* a score missing while tags are given: JS undefined fails the range */
    reset();
    rt = rate(CS_CAT_VIDEO, 0);
    rt->score_is_num = false;
    rt->score_missing = true;
    expect(false, "In default scale videoRating.score should be 1 to 5.");
}

static void
test_issue_lists(void **state)
{
    (void)state;
    struct cs_rating rt;
    memset(&rt, 0, sizeof rt);
    const char *in = " Echo , ,AudioNoise,Echo,Whistling,";
    assert_true(cs_rating_set_issues(&rt, CS_CAT_AUDIO, in, strlen(in)));
    assert_string_equal(rt.issues, "Echo,AudioNoise,Whistling");
    assert_int_equal(rt.issue_mask, (1u << 2) | (1u << 3));
    assert_int_equal(rt.n_unknown, 1);
    assert_int_equal(rt.n_wrong_cat, 0);
    /* aliases of the native SDKs */
    in = "CannotJoin,CannotInvite,CallCannotJoin";
    assert_true(cs_rating_set_issues(&rt, CS_CAT_OVERALL, in, strlen(in)));
    assert_string_equal(rt.issues, "CallCannotJoin,CallCannotInvite");
    assert_int_equal(rt.issue_mask, 3);
    /* a JSON-array string */
    in = "[\"Freezes\", \"LowQuality\"]";
    assert_true(cs_rating_set_issues(&rt, CS_CAT_VIDEO, in, strlen(in)));
    assert_string_equal(rt.issues, "Freezes,LowQuality");
    /* same names in two lists resolve per category */
    assert_int_equal(cs_tag_find(CS_CAT_VIDEO, "LowQuality", 10), 2);
    assert_int_equal(cs_tag_find(CS_CAT_SCREENSHARE, "LowQuality", 10), 3);
    assert_int_equal(cs_tags_count(CS_CAT_AUDIO), 9);
    assert_non_null(cs_tag_description(CS_CAT_AUDIO, 2));
}

static void
test_js_numbers(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(cs_js_number(7, b), "7");
    assert_string_equal(cs_js_number(2.5, b), "2.5");
    assert_string_equal(cs_js_number(0.1, b), "0.1");
    assert_string_equal(cs_js_number(-0.0, b), "0");
    assert_string_equal(cs_js_number(INFINITY, b), "Infinity");
    assert_string_equal(cs_js_number(100, b), "100");
    assert_string_equal(cs_js_number(1e20, b), "100000000000000000000");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_scale),
        cmocka_unit_test(test_custom_scale_rules),
        cmocka_unit_test(test_messages_concatenate),
        cmocka_unit_test(test_type_step),
        cmocka_unit_test(test_issue_lists),
        cmocka_unit_test(test_js_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
