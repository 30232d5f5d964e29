/*
 * Unit tests for report/chart_bins (issue 18): whole-score columns with
 * fractional scores folded into the next whole score, 0-100 binned in
 * tenths with an edge at the threshold, and the poor flags.  Expected
 * counts are worked out by hand in the comments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "report/chart_bins.h"
#include "report/model.h"

static struct rep_group
group(double lo, double hi, double th, struct stats_bin *d, size_t n)
{
    struct rep_group g;
    memset(&g, 0, sizeof g);
    g.scale = (struct stats_scale){.lower = lo, .upper = hi, .threshold = th};
    g.dist = d;
    g.n_dist = n;
    return g;
}

static void
test_whole_scores_fold_fractions(void **state)
{
    (void)state;
    /* 1-5, poor <= 2: 2.5 is not poor and goes to column "3" with the 3s */
    struct stats_bin d[] = {{1, 4}, {2, 1}, {2.5, 1}, {3, 2}, {4, 0}, {4.25, 3}, {5, 7}};
    struct rep_group g = group(1, 5, 2, d, 7);
    struct cs_dist_bins b;
    cs_dist_bins_build(&g, &b);
    assert_int_equal(b.n, 5);
    assert_false(b.binned);
    assert_true(b.folded);
    const char *labels[] = {"1", "2", "3", "4", "5"};
    const double want[] = {4, 1, 3, 0, 10}; /* 4.25 counts in "5" */
    const bool poor[] = {true, true, false, false, false};
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(b.labels[i], labels[i]);
        assert_true(b.count[i] == want[i]);
        assert_int_equal(b.poor[i], poor[i]);
    }
    cs_dist_bins_free(&b);
    /* no fractions: nothing folded */
    struct stats_bin e[] = {{0, 1}, {1, 5}};
    g = group(0, 1, 0, e, 2);
    cs_dist_bins_build(&g, &b);
    assert_int_equal(b.n, 2);
    assert_false(b.folded);
    assert_true(b.poor[0]);
    assert_false(b.poor[1]);
    cs_dist_bins_free(&b);
}

static void
test_tenths_with_threshold_edge(void **state)
{
    (void)state;
    /* 0-100, poor <= 50: 101 levels (zeros included) are binned */
    struct stats_bin d[101];
    for (int i = 0; i <= 100; i++)
        d[i] = (struct stats_bin){(double)i, 0};
    d[0].count = 1;   /* 0-<10 */
    d[45].count = 2;  /* 40-50 */
    d[50].count = 3;  /* 40-50: the threshold itself is poor */
    d[51].count = 1;  /* >50-60 */
    d[60].count = 4;  /* >50-60: a good bin holds its upper bound */
    d[61].count = 1;  /* >60-70 */
    d[100].count = 2; /* >90-100 */
    struct rep_group g = group(0, 100, 50, d, 101);
    struct cs_dist_bins b;
    cs_dist_bins_build(&g, &b);
    assert_true(b.binned);
    assert_int_equal(b.n, 10);
    const char *labels[] = {"0\xE2\x80\x93<10", "10\xE2\x80\x93<20", "20\xE2\x80\x93<30",
                            "30\xE2\x80\x93<40", "40\xE2\x80\x93"
                                                 "50",
                            ">50\xE2\x80\x93"
                            "60",
                            ">60\xE2\x80\x93"
                            "70",
                            ">70\xE2\x80\x93"
                            "80",
                            ">80\xE2\x80\x93"
                            "90",
                            ">90\xE2\x80\x93"
                            "100"};
    const double want[] = {1, 0, 0, 0, 5, 5, 1, 0, 0, 2};
    for (size_t i = 0; i < 10; i++) {
        assert_string_equal(b.labels[i], labels[i]);
        assert_true(b.count[i] == want[i]);
        assert_int_equal(b.poor[i], i < 5);
    }
    cs_dist_bins_free(&b);
    /* threshold 35: poor bins 0-<10, 10-<20, 20-<30, 30-35; good >35-45 ... >95-100 */
    g = group(0, 100, 35, d, 101);
    cs_dist_bins_build(&g, &b);
    assert_int_equal(b.n, 11);
    assert_string_equal(b.labels[3], "30\xE2\x80\x93"
                                     "35");
    assert_string_equal(b.labels[4], ">35\xE2\x80\x93"
                                     "45");
    assert_string_equal(b.labels[10], ">95\xE2\x80\x93"
                                      "100");
    /* 45 and 50 -> >35-45 (2) and >45-55 (3 + 1 for 51) */
    assert_true(b.count[4] == 2);
    assert_true(b.count[5] == 4);
    assert_true(b.count[10] == 2);
    cs_dist_bins_free(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_scores_fold_fractions),
        cmocka_unit_test(test_tenths_with_threshold_edge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
