/*
 * Unit tests for render/chart: the pure helpers (1-2-5 ticks, pie folding,
 * label thinning, number and footnote text), golden images for every chart
 * kind and the edge cases (STYLE.md rule 11: decoded pixels, tolerance,
 * tests/out/<case>.out.png and .diff.png on failure, <case>.xfail.png for
 * known-wrong output, GOLDEN_DIR= to compare against another directory),
 * well-formed SVG, PDFs that pdftoppm opens, atomic output and errors.
 *
 * Text must not drift with the machine's fonts, so before anything is drawn
 * FONTCONFIG_FILE points at a copy of tests/fonts/fonts.conf (written to
 * tests/out with an absolute path), which sees only the two DejaVu Sans
 * files shipped in tests/fonts.  Golden files are written when missing or
 * with CS_UPDATE_GOLDEN=1 (and the test says so): look at every one before
 * committing it.  Run from the repository root (make does), or set
 * CS_SRCDIR to it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cairo.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "core/err.h"
#include "core/mem.h"
#include "render/chart.h"
#include "render/chart_internal.h"
#include "../tools/lib/chart_pngdiff.h"

/* double NaN and infinity (math.h's NAN and INFINITY are floats, which
 * -Wdouble-promotion flags in double initialisers) */
#define DNAN __builtin_nan("")
#define DINF __builtin_inf()

/* Text is antialiased, so allow small channel differences (STYLE rule 11). */
#define TOL 8

static char *root;       /* repository root with trailing '/', or "" */
static char *golden_dir; /* tests/golden/charts or $GOLDEN_DIR */
static char *out_dir;    /* tests/out */
static char *failures[64];
static size_t n_failures;

static bool
exists(const char *p)
{
    return access(p, F_OK) == 0;
}

static char *
out_path(const char *name)
{
    return xasprintf("%s/%s", out_dir, name);
}

/* ==== Pure helpers ======================================================= */

static void
test_nice_ticks(void **state)
{
    (void)state;
    static const struct {
        double lo, hi;
        int maxi;
        double min_step;
        double emin, emax, estep;
        int ecount, edec;
    } c[] = {
        {0, 0.47, 5, 0, 0, 0.5, 0.1, 5, 1},
        {0, 1, 5, 0, 0, 1, 0.2, 5, 1},
        {0, 1234, 5, 0, 0, 1500, 500, 3, 0},
        {0, 244, 4, 1, 0, 300, 100, 3, 0},
        {0, 3, 6, 1, 0, 3, 1, 3, 0}, /* counts never get 0.5 steps */
        {0, 3, 6, 0, 0, 3, 0.5, 6, 1},
        {-3, 7, 5, 0, -4, 8, 2, 6, 0},
        {0, 0, 5, 0, 0, 1, 0.2, 5, 1},    /* all zero: 0..1 */
        {DNAN, 5, 5, 0, 0, 1, 0.2, 5, 1}, /* garbage in: 0..1 */
        {0, DINF, 5, 0, 0, 1, 0.2, 5, 1},
        {7, 1, 4, 0, 0, 8, 2, 4, 0},       /* swapped */
        {0, 0.3, 3, 0, 0, 0.3, 0.1, 3, 1}, /* 0.3/3 is 0.0999..., still 0.1 */
        {0, 0.0004, 4, 0, 0, 0.0004, 0.0001, 4, 4},
        {0, 101, 5, 0, 0, 150, 50, 3, 0},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        struct chart_ticks t;
        chart_nice_ticks(c[i].lo, c[i].hi, c[i].maxi, c[i].min_step, &t);
        if (fabs(t.min - c[i].emin) > 1e-12 ||
            fabs(t.max - c[i].emax) > 1e-12 * fmax(1, c[i].emax) ||
            fabs(t.step - c[i].estep) > 1e-12 * fmax(1, c[i].estep) ||
            t.count != c[i].ecount || t.decimals != c[i].edec)
            fail_msg("ticks case %zu (%g..%g/%d): got %g..%g step %g count %d "
                     "dec %d",
                     i, c[i].lo, c[i].hi, c[i].maxi, t.min, t.max, t.step,
                     t.count, t.decimals);
    }
    /* a single non-zero value gets a range around it */
    struct chart_ticks t;
    chart_nice_ticks(3, 3, 5, 0, &t);
    assert_true(t.min <= 3 && t.max >= 3 && t.max > t.min);
    /* fixed: exactly the range, whole steps inside */
    chart_fixed_ticks(1, 5, 4, &t);
    assert_true(t.min == 1 && t.max == 5 && t.step == 1 && t.count == 4);
    chart_fixed_ticks(0, 1, 5, &t);
    assert_true(t.step == 0.2 && t.count == 5);
}

static void
test_pie_fold(void **state)
{
    (void)state;
    size_t idx[16];
    double other;
    /* 9 tags: 5 largest kept, 4 folded into Other */
    const double v9[] = {5, 40, 12, 3, 25, 8, 8, 1, 30};
    size_t k = chart_pie_fold(v9, 9, 6, idx, &other);
    assert_int_equal(k, 5);
    const size_t want[] = {1, 8, 4, 2, 5}; /* ties (8, 8): lower index first */
    for (size_t i = 0; i < k; i++)
        assert_int_equal(idx[i], want[i]);
    assert_true(other == 8 + 5 + 3 + 1);
    /* exactly 6: nothing folded */
    const double v6[] = {1, 2, 3, 4, 5, 6};
    assert_int_equal(chart_pie_fold(v6, 6, 6, idx, &other), 6);
    assert_true(other == 0);
    assert_int_equal(idx[0], 5);
    /* 7: five kept, two smallest folded */
    const double v7[] = {1, 2, 3, 4, 5, 6, 7};
    assert_int_equal(chart_pie_fold(v7, 7, 6, idx, &other), 5);
    assert_true(other == 3);
    /* missing, negative and zero values are not slices */
    const double vbad[] = {DNAN, -4, 0, 2, DINF, 1};
    assert_int_equal(chart_pie_fold(vbad, 6, 6, idx, &other), 2);
    assert_int_equal(idx[0], 3);
    assert_int_equal(idx[1], 5);
    assert_int_equal(chart_pie_fold(NULL, 6, 6, idx, &other), 0);
    assert_int_equal(chart_pie_fold(vbad, 0, 6, idx, &other), 0);
}

static void
test_label_step(void **state)
{
    (void)state;
    static const struct {
        double need;
        size_t want;
    } c[] = {{-1, 1}, {0.3, 1}, {1, 1}, {1.01, 2}, {2, 2}, {3.7, 5}, {6, 10}, {11, 20}, {21, 25}, {26, 50}, {51, 100}, {101, 200}, {201, 250}, {251, 500}, {501, 1000}, {DNAN, 1}};
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        if (chart_label_step(c[i].need) != c[i].want)
            fail_msg("label step for %g: got %zu want %zu", c[i].need,
                     chart_label_step(c[i].need), c[i].want);
}

static void
test_format_number(void **state)
{
    (void)state;
    static const struct {
        double v;
        enum chart_numfmt f;
        int dec;
        const char *want;
    } c[] = {
        {0, CHART_FMT_INT, 0, "0"},
        {7, CHART_FMT_INT, 3, "7"},
        {999, CHART_FMT_INT, 0, "999"},
        {1000, CHART_FMT_INT, 0, "1,000"},
        {1234567, CHART_FMT_INT, 0, "1,234,567"},
        {-1234.4, CHART_FMT_INT, 0,
         "\xE2\x88\x92"
         "1,234"},
        {-0.4, CHART_FMT_INT, 0, "0"},
        {2.5, CHART_FMT_INT, 0, "3"}, /* half away from zero */
        {-1234.5, CHART_FMT_INT, 0,
         "\xE2\x88\x92"
         "1,235"},
        {0.125, CHART_FMT_PERCENT, 0, "13%"},
        {0.0625, CHART_FMT_PERCENT, 1, "6.3%"},
        {0.1234, CHART_FMT_PERCENT, 1, "12.3%"},
        {0.5, CHART_FMT_PERCENT, 0, "50%"},
        {1, CHART_FMT_PERCENT, 0, "100%"},
        {0.0004, CHART_FMT_PERCENT, 1, "0.0%"},
        {-0.0004, CHART_FMT_PERCENT, 1, "0.0%"},
        {-0.25, CHART_FMT_PERCENT, 0,
         "\xE2\x88\x92"
         "25%"},
        {12.5, CHART_FMT_PERCENT, 0, "1,250%"},
        {3.14159, CHART_FMT_FIXED, 2, "3.14"},
        {999.999, CHART_FMT_FIXED, 2, "1,000.00"},
        {4.2, CHART_FMT_FIXED, 0, "4"},
        {4.25, CHART_FMT_FIXED, 9, "4.250000"}, /* decimals clamp to 6 */
        {-0.001, CHART_FMT_FIXED, 2, "0.00"},
        {DNAN, CHART_FMT_INT, 0, "\xE2\x80\x93"},
        {DINF, CHART_FMT_PERCENT, 1, "\xE2\x80\x93"},
        {1e20, CHART_FMT_INT, 0, "1e+20"},
    };
    char buf[64];
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        chart_format_number(c[i].v, c[i].f, c[i].dec, buf, sizeof buf);
        if (strcmp(buf, c[i].want) != 0)
            fail_msg("format case %zu (%g): got \"%s\" want \"%s\"", i, c[i].v,
                     buf, c[i].want);
    }
    /* truncation keeps the buffer terminated */
    char small[4];
    chart_format_number(1234567, CHART_FMT_INT, 0, small, sizeof small);
    assert_string_equal(small, "1,2");
}

static void
test_footnote_text(void **state)
{
    (void)state;
    struct chart_footnote f = {1234, NULL,
                               "scale 1\xE2\x80\x93"
                               "5, poor \xE2\x89\xA4 2",
                               "2026-11-09 to 2026-11-15", NULL};
    char *s = chart_footnote_text(&f);
    assert_string_equal(s, "n = 1,234 responses \xC2\xB7 scale 1\xE2\x80\x93"
                           "5, poor \xE2\x89\xA4 2 \xC2\xB7 2026-11-09 to "
                           "2026-11-15");
    xfree(s);
    struct chart_footnote g = {CHART_N_NONE, NULL, NULL, NULL, "Source: x"};
    s = chart_footnote_text(&g);
    assert_string_equal(s, "Source: x");
    xfree(s);
    struct chart_footnote h = {0, "surveys", NULL, "", NULL};
    s = chart_footnote_text(&h);
    assert_string_equal(s, "n = 0 surveys");
    xfree(s);
    s = chart_footnote_text(NULL);
    assert_string_equal(s, "");
    xfree(s);
}

/* ==== Chart cases (shared by golden, SVG and PDF tests) =================== */

static const char *const scores5[] = {"1", "2", "3", "4", "5"};
static const double counts5[] = {31, 24, 58, 143, 244};
static double shares5[5];
static const bool poor5[] = {true, true, false, false, false};

static void
fill_shares(void)
{
    double n = 0;
    for (size_t i = 0; i < 5; i++)
        n += counts5[i];
    for (size_t i = 0; i < 5; i++)
        shares5[i] = counts5[i] / n;
}

static void
base(struct chart_spec *s, enum chart_kind k, long long n)
{
    chart_spec_init(s, k);
    s->footnote.n = n;
    s->footnote.scale = "scale 1\xE2\x80\x93"
                        "5, poor \xE2\x89\xA4 2";
    s->footnote.window = "2026-11-09 to 2026-11-15";
}

static struct chart_series ser[8];

static void
case_column_distribution(struct chart_spec *s)
{
    fill_shares();
    base(s, CHART_COLUMN, 500);
    s->title = "Overall rating \xE2\x80\x94 1\xE2\x80\x93"
               "5 scale, threshold 2";
    s->subtitle = "Share of responses per score";
    s->categories = scores5;
    s->n_categories = 5;
    s->category_title = "Score";
    ser[0] = (struct chart_series){.name = "Not poor (3\xE2\x80\x93"
                                           "5)",
                                   .values = shares5};
    s->series = ser;
    s->n_series = 1;
    s->axis = (struct chart_axis){
        .title = "Share of responses", .fmt = CHART_FMT_PERCENT, .decimals = 1};
    s->highlight = poor5;
    s->highlight_label = "Poor (\xE2\x89\xA4 2)";
}

static void
case_column_dual(struct chart_spec *s)
{
    fill_shares();
    base(s, CHART_COLUMN_DUAL, 500);
    s->title = "Overall rating \xE2\x80\x94 1\xE2\x80\x93"
               "5 scale, threshold 2";
    s->subtitle =
        "Percentage of respondents per score, and number of responses";
    s->categories = scores5;
    s->n_categories = 5;
    s->category_title = "Score";
    ser[0] =
        (struct chart_series){.name = "% of respondents", .values = shares5};
    ser[1] = (struct chart_series){.name = "Number of responses",
                                   .values = counts5,
                                   .axis = CHART_RIGHT,
                                   .color = CHART_COLOR_ORANGE};
    s->series = ser;
    s->n_series = 2;
    s->axis = (struct chart_axis){
        .title = "% of respondents", .fmt = CHART_FMT_PERCENT, .decimals = 1};
    s->axis2 = (struct chart_axis){.title = "Responses", .fmt = CHART_FMT_INT};
}

/* issue 18: the distribution marks its poor columns (with a legend entry) */
static void
case_dual_poor(struct chart_spec *s)
{
    case_column_dual(s);
    s->highlight = poor5;
    s->highlight_label = "Poor (\xE2\x89\xA4 2)";
}

static const char *const tags9[] = {
    "HadToRejoin", "CallCannotJoin", "EchoHeard",
    "NoiseHeard", "LowVolume", "DistortedSpeech",
    "CannotHearOthers", "FrozenVideo", "OtherNoAudio"};
static const double tagcount9[] = {22, 9, 31, 17, 6, 12, 14, 3, 4};
static double tagshare9[9];

static void
case_bar_issues(struct chart_spec *s)
{
    base(s, CHART_BAR, 55);
    for (size_t i = 0; i < 9; i++)
        tagshare9[i] = tagcount9[i] / 55.0;
    s->title = "Issues reported with poor overall ratings";
    s->subtitle = "Share of poor responses naming each issue (a response can "
                  "name several)";
    s->footnote.n_label = "poor responses";
    s->categories = tags9;
    s->n_categories = 9;
    ser[0] = (struct chart_series){.values = tagshare9};
    s->series = ser;
    s->n_series = 1;
    s->axis = (struct chart_axis){.title = "Share of poor responses",
                                  .fmt = CHART_FMT_PERCENT,
                                  .decimals = 0};
    s->sort_desc = true;
}

/* Shares that round to zero at one decimal (one mention among 2,177
 * responses) are labelled "<0.1%", never "0.0%"; an exact zero stays 0.0%. */
static const char *tiny_tags[] = {"HadToRejoin", "CallCannotJoin", "BackgroundNoise",
                                  "PoorConnection", "NoRemoteAudio"};
static double tiny_share[] = {163 / 2177.0, 70 / 2177.0, 1 / 2177.0, 1 / 2177.0, 0};

static void
case_bar_tiny_shares(struct chart_spec *s)
{
    base(s, CHART_BAR, 2177);
    s->title = "Overall issues \xE2\x80\x94 1\xE2\x80\x93"
               "5 scale, threshold 2";
    s->subtitle = "Share of responses reporting each issue";
    s->footnote.n_label = "responses";
    s->categories = tiny_tags;
    s->n_categories = 5;
    ser[0] = (struct chart_series){.values = tiny_share};
    s->series = ser;
    s->n_series = 1;
    s->axis = (struct chart_axis){.title = "Share of responses",
                                  .fmt = CHART_FMT_PERCENT,
                                  .decimals = 1};
    s->sort_desc = true;
}

static void
case_pie_issues(struct chart_spec *s)
{
    base(s, CHART_PIE, 55);
    s->title = "Issue tags on poor overall ratings";
    s->subtitle = "Share of all tag mentions; the four smallest folded into "
                  "Other";
    s->footnote.n_label = "poor responses";
    s->categories = tags9;
    s->n_categories = 9;
    ser[0] = (struct chart_series){.values = tagcount9};
    s->series = ser;
    s->n_series = 1;
    s->axis =
        (struct chart_axis){.title = "tag mentions", .fmt = CHART_FMT_INT};
    s->donut = true;
}

/* issue 18: the folded slice is "All other issues", not "Other" */
static void
case_pie_all_other(struct chart_spec *s)
{
    case_pie_issues(s);
    s->subtitle = "Share of all tag mentions; the four smallest folded";
    s->other_label = "All other issues";
}

static const char *const weeks8[] = {"2026-W40", "2026-W41", "2026-W42",
                                     "2026-W43", "2026-W44", "2026-W45",
                                     "2026-W46", "2026-W47*"};
static const double wk[5][8] = {
    {12, 9, 15, 0, 11, 7, 10, 3},
    {8, 10, 9, 0, 12, 6, 8, 2},
    {25, 22, 30, 0, 28, 20, 26, 6},
    {60, 58, 71, 0, 66, 52, 64, 15},
    {95, 101, 110, 0, 120, 88, 104, 30},
};

static void
case_stacked_weeks(struct chart_spec *s)
{
    static const char *const names[] = {"1", "2", "3", "4", "5"};
    static const enum chart_color cols[] = {
        CHART_COLOR_VERMILLION, CHART_COLOR_ORANGE, CHART_COLOR_GREY,
        CHART_COLOR_SKY, CHART_COLOR_BLUE};
    static const char *const notes[] = {
        "* partial week: data up to 2026-11-18."};
    base(s, CHART_STACKED, 1879);
    s->title = "Overall rating by week \xE2\x80\x94 1\xE2\x80\x93"
               "5 scale";
    s->subtitle = "Distribution of scores per ISO week";
    s->footnote.window = "2026-09-28 to 2026-11-18";
    s->notes = notes;
    s->n_notes = 1;
    s->categories = weeks8;
    s->n_categories = 8;
    for (size_t j = 0; j < 5; j++)
        ser[j] = (struct chart_series){
            .name = names[j], .values = wk[j], .color = cols[j]};
    s->series = ser;
    s->n_series = 5;
    s->show_totals = true;
    s->axis.fmt = CHART_FMT_PERCENT;
}

static const char *const weeks12[] = {"W37", "W38", "W39", "W40",
                                      "W41", "W42", "W43", "W44",
                                      "W45", "W46", "W47", "W48*"};
static const double poor12[] = {0.12, 0.10, 0.14, 0.11, 0.09, 0.13,
                                DNAN, 0.16, 0.12, 0.10, 0.08, 0.11};
static const double poorlo12[] = {0.08, 0.07, 0.10, 0.08, 0.06, 0.09,
                                  DNAN, 0.12, 0.09, 0.07, 0.05, 0.04};
static const double poorhi12[] = {0.17, 0.14, 0.19, 0.15, 0.13, 0.18,
                                  DNAN, 0.21, 0.16, 0.14, 0.12, 0.25};

static void
case_line_poor_rate(struct chart_spec *s)
{
    static const char *const notes[] = {
        "W43: no responses. * W48 is partial (data up to 2026-11-25)."};
    base(s, CHART_LINE, 2210);
    s->title = "Poor-rate trend \xE2\x80\x94 overall rating, threshold 2";
    s->subtitle = "Share of responses scoring \xE2\x89\xA4 2 per ISO week";
    s->footnote.window = "2026-09-07 to 2026-11-25";
    s->notes = notes;
    s->n_notes = 1;
    s->categories = weeks12;
    s->n_categories = 12;
    s->category_title = "ISO week (2026)";
    ser[0] = (struct chart_series){.name = "Poor rate",
                                   .values = poor12,
                                   .lo = poorlo12,
                                   .hi = poorhi12,
                                   .color = CHART_COLOR_VERMILLION};
    s->series = ser;
    s->n_series = 1;
    s->axis = (struct chart_axis){
        .title = "Poor rate", .fmt = CHART_FMT_PERCENT, .decimals = 1};
    s->interval_label = "95% interval (Wilson)";
}

/* the review's marks: W47 compared, W48 reviewed; W37 and W48 small */
static void
case_line_review_marks(struct chart_spec *s)
{
    static const unsigned char marks[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                            CHART_MARK_BASE, CHART_MARK_PERIOD};
    static const bool hollow[12] = {true, false, false, false, false, false,
                                    false, false, false, false, false, true};
    case_line_poor_rate(s);
    s->notes = NULL;
    s->n_notes = 0;
    s->marks = marks;
    s->mark_labels[CHART_MARK_PERIOD] = "Review period (2026-W48)";
    s->mark_labels[CHART_MARK_BASE] = "Compared with (2026-W47)";
    s->hollow = hollow;
    s->hollow_label = "Fewer than 30 responses";
}

static const double mean12[] = {4.02, 4.10, 3.95, 4.05, 4.12, 3.98,
                                DNAN, 3.90, 4.01, 4.08, 4.15, 4.06};
static const double meanlo12[] = {3.90, 4.00, 3.82, 3.94, 4.02, 3.86,
                                  DNAN, 3.77, 3.90, 3.97, 4.05, 3.80};
static const double meanhi12[] = {4.14, 4.20, 4.08, 4.16, 4.22, 4.10,
                                  DNAN, 4.03, 4.12, 4.19, 4.25, 4.32};

static void
case_line_mean(struct chart_spec *s)
{
    base(s, CHART_LINE, 2210);
    s->title = "Mean overall rating \xE2\x80\x94 1\xE2\x80\x93"
               "5 scale";
    s->subtitle = "Weekly mean with its 95% confidence interval";
    s->footnote.window = "2026-09-07 to 2026-11-25";
    s->categories = weeks12;
    s->n_categories = 12;
    ser[0] = (struct chart_series){
        .name = "Mean", .values = mean12, .lo = meanlo12, .hi = meanhi12};
    s->series = ser;
    s->n_series = 1;
    s->axis = (struct chart_axis){.title = "Mean score",
                                  .fmt = CHART_FMT_FIXED,
                                  .decimals = 2,
                                  .fixed = true,
                                  .min = 1,
                                  .max = 5};
    s->interval_label = "95% confidence interval";
}

static const char *const cats5[] = {"Overall", "Audio", "Video",
                                    "Screen sharing", "Network"};
static const double rA[] = {0.11, 0.09, 0.14, 0.07, 0.12};
static const double rAlo[] = {0.09, 0.07, 0.11, 0.05, 0.10};
static const double rAhi[] = {0.13, 0.11, 0.17, 0.10, 0.15};
static const double rB[] = {0.15, 0.13, 0.12, 0.06, 0.19};
static const double rBlo[] = {0.12, 0.10, 0.09, 0.04, 0.15};
static const double rBhi[] = {0.18, 0.16, 0.16, 0.09, 0.23};
static const double rC[] = {0.09, DNAN, 0.10, 0.05, 0.08};
static const double rClo[] = {0.06, DNAN, 0.07, 0.02, 0.05};
static const double rChi[] = {0.13, DNAN, 0.14, 0.09, 0.12};

static void
case_clustered_compare(struct chart_spec *s)
{
    base(s, CHART_CLUSTERED, 3412);
    s->title = "Poor rate by category and resource";
    s->subtitle = "Baseline ACS-PROD-EUS against two other resources";
    s->categories = cats5;
    s->n_categories = 5;
    ser[0] = (struct chart_series){.name = "ACS-PROD-EUS (baseline)",
                                   .values = rA,
                                   .lo = rAlo,
                                   .hi = rAhi};
    ser[1] = (struct chart_series){
        .name = "ACS-PROD-WEU", .values = rB, .lo = rBlo, .hi = rBhi};
    ser[2] = (struct chart_series){
        .name = "ACS-PROD-SEA", .values = rC, .lo = rClo, .hi = rChi};
    s->series = ser;
    s->n_series = 3;
    s->axis = (struct chart_axis){
        .title = "Poor rate", .fmt = CHART_FMT_PERCENT, .decimals = 0};
    s->interval_label = "95% interval (Wilson)";
}

static void
case_no_data(struct chart_spec *s)
{
    static const double zeros[] = {0, 0, 0, 0, 0};
    base(s, CHART_COLUMN, 0);
    s->title = "Video rating \xE2\x80\x94 1\xE2\x80\x93"
               "5 scale, threshold 2";
    s->categories = scores5;
    s->n_categories = 5;
    ser[0] = (struct chart_series){.values = zeros};
    s->series = ser;
    s->n_series = 1;
    s->axis.fmt = CHART_FMT_PERCENT;
    s->no_data_text = "No responses in this window";
}

static void
case_single_score(struct chart_spec *s)
{
    static const char *const c1[] = {"5"};
    static const double one[] = {1.0};
    base(s, CHART_COLUMN, 3);
    s->title = "Screen sharing rating \xE2\x80\x94 1\xE2\x80\x93"
               "5 scale, "
               "threshold 2";
    s->subtitle = "Only one score was given in this window";
    s->categories = c1;
    s->n_categories = 1;
    s->category_title = "Score";
    ser[0] = (struct chart_series){.values = one};
    s->series = ser;
    s->n_series = 1;
    s->axis = (struct chart_axis){.fmt = CHART_FMT_PERCENT, .decimals = 0};
}

static char cat101_buf[101][16];
static const char *cat101[101];
static double v101[101];

static void
case_categories_101(struct chart_spec *s)
{
    double tot = 0;
    for (int i = 0; i <= 100; i++) {
        snprintf(cat101_buf[i], sizeof cat101_buf[i], "%d", i);
        cat101[i] = cat101_buf[i];
        /* a bumpy NPS-like shape with spikes at the round numbers */
        v101[i] =
            4 + 30 * exp(-pow((i - 80) / 12.0, 2)) + (i % 10 == 0 ? 25 : 0);
        tot += v101[i];
    }
    for (int i = 0; i <= 100; i++)
        v101[i] /= tot;
    base(s, CHART_COLUMN, 4321);
    s->title = "Custom score \xE2\x80\x94 0\xE2\x80\x93"
               "100 scale, threshold 60";
    s->subtitle = "Every score drawn as its own column";
    s->footnote.scale = "scale 0\xE2\x80\x93"
                        "100, poor \xE2\x89\xA4 60";
    s->categories = cat101;
    s->n_categories = 101;
    s->category_title = "Score";
    ser[0] = (struct chart_series){.values = v101};
    s->series = ser;
    s->n_series = 1;
    s->axis = (struct chart_axis){
        .title = "Share of responses", .fmt = CHART_FMT_PERCENT, .decimals = 1};
}

static void
case_deciles(struct chart_spec *s)
{
    static const char *const bins[] = {"0\xE2\x80\x93"
                                       "9",
                                       "10\xE2\x80\x93"
                                       "19",
                                       "20\xE2\x80\x93"
                                       "29",
                                       "30\xE2\x80\x93"
                                       "39",
                                       "40\xE2\x80\x93"
                                       "49",
                                       "50\xE2\x80\x93"
                                       "59",
                                       "60\xE2\x80\x93"
                                       "69",
                                       "70\xE2\x80\x93"
                                       "79",
                                       "80\xE2\x80\x93"
                                       "89",
                                       "90\xE2\x80\x93"
                                       "100"};
    static double dec[10];
    static bool poor[10];
    static const char *const notes[] = {
        "Scores binned into deciles; the last bin includes 100."};
    case_categories_101(s);
    for (int i = 0; i < 10; i++) {
        dec[i] = 0;
        poor[i] = i < 6;
    }
    for (int i = 0; i <= 100; i++)
        dec[i == 100 ? 9 : i / 10] += v101[i];
    s->subtitle = "Share of responses per decile of the score";
    s->notes = notes;
    s->n_notes = 1;
    s->categories = bins;
    s->n_categories = 10;
    ser[0] = (struct chart_series){.name = "Above 60", .values = dec};
    s->highlight = poor;
    s->highlight_label = "Poor (\xE2\x89\xA4 60)";
}

static const char *const long5[] = {
    "Yes, the meeting started on time and everyone could join", "No",
    ("Partly: some participants had to dial in by phone because the join "
     "link kept failing on their corporate network"),
    "I don't know / can't remember",
    "Supercalifragilisticexpialidociousbutwithoutanyspacesatall"};
static const double long5v[] = {0.41, 0.22, 0.18, 0.12, 0.07};

static void
case_long_labels(struct chart_spec *s)
{
    base(s, CHART_COLUMN, 812);
    s->title = "Custom question \xE2\x80\x94 \xE2\x80\x9c"
               "Did the meeting "
               "start on time, and could every participant join without "
               "help from the organiser or IT support?\xE2\x80\x9d";
    s->subtitle = "Answers joined to surveys by call id (left outer join); "
                  "the subtitle is long too, so that it has to wrap onto a "
                  "second line and then be cut with an ellipsis rather than "
                  "pushing the plot off the canvas";
    s->footnote.scale = NULL;
    s->categories = long5;
    s->n_categories = 5;
    ser[0] = (struct chart_series){.values = long5v};
    s->series = ser;
    s->n_series = 1;
    s->axis = (struct chart_axis){.fmt = CHART_FMT_PERCENT, .decimals = 0};
}

static void
case_long_labels_bar(struct chart_spec *s)
{
    case_long_labels(s);
    s->kind = CHART_BAR;
    s->sort_desc = true;
    s->title = "Custom question \xE2\x80\x94 did the meeting start on time?";
    s->subtitle = NULL;
}

static void
case_zero_size_series(struct chart_spec *s)
{
    base(s, CHART_CLUSTERED, CHART_N_NONE);
    s->title = "Comparison with nothing to compare";
    s->subtitle = "Series present, but with zero categories";
    ser[0] = (struct chart_series){.name = "A", .values = rA};
    ser[1] = (struct chart_series){.name = "B", .values = NULL};
    s->series = ser;
    s->n_series = 2;
    s->n_categories = 0;
}

static char wk52_buf[52][24];
static const char *wk52[52];
static double p52[52], lo52[52], hi52[52];

static void
case_weeks_52(struct chart_spec *s)
{
    for (int i = 0; i < 52; i++) {
        snprintf(wk52_buf[i], sizeof wk52_buf[i], "2026-W%02d", i + 1);
        wk52[i] = wk52_buf[i];
        p52[i] = 0.1 + 0.04 * sin(i / 4.0) + (i == 30 ? 0.08 : 0);
        lo52[i] = p52[i] - 0.025;
        hi52[i] = p52[i] + 0.03;
    }
    case_line_poor_rate(s);
    s->notes = NULL;
    s->n_notes = 0;
    s->footnote.window = "2026-01-01 to 2026-12-27";
    s->categories = wk52;
    s->n_categories = 52;
    s->category_title = "ISO week";
    ser[0] = (struct chart_series){.name = "Poor rate",
                                   .values = p52,
                                   .lo = lo52,
                                   .hi = hi52,
                                   .color = CHART_COLOR_VERMILLION};
}

static void
case_bar_101(struct chart_spec *s)
{
    case_categories_101(s);
    s->kind = CHART_BAR;
    s->sort_desc = true;
    s->title = "Custom score \xE2\x80\x94 every score as a bar, largest first";
    s->subtitle = "Too many rows for every label: every k-th is shown";
    s->category_title = NULL;
}

static void
case_stacked_52(struct chart_spec *s)
{
    static double st[5][52];
    case_stacked_weeks(s);
    for (int i = 0; i < 52; i++)
        for (int j = 0; j < 5; j++)
            st[j][i] = (double)((i * 7 + j * 13) % 11 + (j + 1) * 6);
    long long n = 0;
    for (int j = 0; j < 5; j++) {
        ser[j].values = st[j];
        for (int i = 0; i < 52; i++)
            n += (long long)st[j][i];
    }
    s->footnote.n = n;
    for (int i = 0; i < 52; i++) {
        snprintf(wk52_buf[i], sizeof wk52_buf[i], "2026-W%02d", i + 1);
        wk52[i] = wk52_buf[i];
    }
    s->categories = wk52;
    s->n_categories = 52;
    s->notes = NULL;
    s->n_notes = 0;
    s->footnote.window = "2026-01-01 to 2026-12-27";
}

/* ---- issue 18: compare marks, small multiples, footers that wrap ---- */

static const char *const os9[] = {"Android 13", "Android 14", "Apple (Darwin 23)",
                                  "Linux", "macOS 13", "Windows 10",
                                  "Windows 11", "Redacted", "unknown"};
static const double os9v[] = {0.128, 0.149, 0.129, 0.133, 0.134, 0.140, 0.143, 0.189, 0.104};
static const double os9lo[] = {0.118, 0.141, 0.119, 0.120, 0.121, 0.134, 0.137, 0.165, 0.091};
static const double os9hi[] = {0.140, 0.158, 0.141, 0.147, 0.149, 0.146, 0.150, 0.214, 0.119};

/* The compare chart: the baseline hatched and tagged, worse and better
 * groups tagged with a word and a shape. */
static void
case_compare_marks(struct chart_spec *s)
{
    static const unsigned char marks[9] = {0, 0, 0, 0, 0, CHART_CAT_BASELINE, 0, 0, 0};
    static const char *const tags[9] = {"\xE2\x96\xBC better", NULL, NULL, NULL, NULL,
                                        "baseline", NULL, "\xE2\x96\xB2 worse",
                                        "\xE2\x96\xBC better"};
    base(s, CHART_COLUMN, 47071);
    s->title = "Poor rate by os \xE2\x80\x94 Overall rating, 1\xE2\x80\x93"
               "5 scale, threshold 2";
    s->subtitle = "Baseline Windows 10 (hatched); whiskers: 95% Wilson intervals; "
                  "\xE2\x96\xB2 worse, \xE2\x96\xBC better than it (Holm, \xCE\xB1 = 0.05)";
    s->categories = os9;
    s->n_categories = 9;
    ser[0] = (struct chart_series){.name = "Poor rate", .values = os9v, .lo = os9lo, .hi = os9hi};
    s->series = ser;
    s->n_series = 1;
    s->interval_label = "95% interval (Wilson)";
    s->cat_marks = marks;
    s->baseline_label = "Baseline";
    s->cat_tags = tags;
    s->axis = (struct chart_axis){.title = "Poor rate", .fmt = CHART_FMT_PERCENT, .decimals = 1};
}

static struct chart_series ser12[12];
static double v12[12][5];
static char name12[12][32];

/* Twelve groups' distributions: more than Okabe-Ito's eight colours, so
 * small multiples, the poor columns in vermillion. */
static void
case_multiples_12(struct chart_spec *s)
{
    base(s, CHART_CLUSTERED, 47071);
    s->title = "Score distribution by sdk-version \xE2\x80\x94 Overall rating, 1\xE2\x80\x93"
               "5 scale";
    s->subtitle = "Share of each group's respondents per score";
    for (size_t j = 0; j < 12; j++) {
        double tot = 0;
        for (size_t i = 0; i < 5; i++) {
            v12[j][i] = counts5[i] * (1.0 + 0.15 * (double)((j + i * 3) % 5));
            tot += v12[j][i];
        }
        for (size_t i = 0; i < 5; i++)
            v12[j][i] /= tot;
        snprintf(name12[j], sizeof name12[j], j == 4 ? "1.%zu.0 (baseline)" : "1.%zu.0", j + 20);
        ser12[j] = (struct chart_series){.name = name12[j], .values = v12[j]};
    }
    s->categories = scores5;
    s->n_categories = 5;
    s->category_title = "Score";
    s->series = ser12;
    s->n_series = 12;
    s->highlight = poor5;
    s->highlight_label = "Poor (\xE2\x89\xA4 2)";
    s->axis = (struct chart_axis){.title = "% of respondents", .fmt = CHART_FMT_PERCENT, .decimals = 1};
}

/* Ten versions' weekly shares, stacked: small multiples of each version's
 * share of the week. */
static void
case_stacked_multiples(struct chart_spec *s)
{
    static const char *const w4[] = {"2026-W44", "2026-W45", "2026-W46", "2026-W47"};
    static double v[10][4];
    base(s, CHART_STACKED, 48529);
    s->footnote.scale = NULL;
    s->title = "Release timeline: share of overall ratings by app-version per week";
    for (size_t j = 0; j < 10; j++) {
        for (size_t i = 0; i < 4; i++)
            v[j][i] = j == 9 ? 40.0 * (double)i : 100.0 + 10.0 * (double)((j * 3 + i) % 7);
        snprintf(name12[j], sizeof name12[j], "2.%zu.0", j + 10);
        ser12[j] = (struct chart_series){.name = name12[j], .values = v[j]};
    }
    s->categories = w4;
    s->n_categories = 4;
    s->series = ser12;
    s->n_series = 10;
}

/* A footer naming a long resource filter, a window and a template's
 * parameters wraps at its separators over several lines, never cut. */
static void
case_footer_wrap(struct chart_spec *s)
{
    case_compare_marks(s);
    s->cat_tags = NULL;
    s->cat_marks = NULL;
    s->subtitle = NULL;
    s->title = "Poor rate by os";
    s->footnote.source = "filtered: resources acs-region-00, acs-region-01, acs-region-02, "
                         "acs-region-03, acs-region-04 +5 more; since 2026-11-01; before "
                         "2026-11-15T12:00:00Z \xC2\xB7 template release-compare: "
                         "question=improvement_suggestion, top=10";
}

struct gcase {
    const char *name;                   /* golden file stem */
    void (*build)(struct chart_spec *); /* fills a spec (static data) */
};

static struct gcase cases[] = {
    {"column-distribution", case_column_distribution},
    {"column-dual", case_column_dual},
    {"dual-poor", case_dual_poor},
    {"pie-all-other", case_pie_all_other},
    {"bar-issues", case_bar_issues},
    {"pie-issues", case_pie_issues},
    {"stacked-weeks", case_stacked_weeks},
    {"line-poor-rate", case_line_poor_rate},
    {"line-mean", case_line_mean},
    {"line-review-marks", case_line_review_marks},
    {"clustered-compare", case_clustered_compare},
    {"no-data", case_no_data},
    {"single-score", case_single_score},
    {"categories-101", case_categories_101},
    {"deciles", case_deciles},
    {"long-labels", case_long_labels},
    {"long-labels-bar", case_long_labels_bar},
    {"zero-size-series", case_zero_size_series},
    {"weeks-52", case_weeks_52},
    {"bar-101", case_bar_101},
    {"stacked-52", case_stacked_52},
    {"bar-tiny-shares", case_bar_tiny_shares},
    {"compare-marks", case_compare_marks},
    {"multiples-12", case_multiples_12},
    {"stacked-multiples", case_stacked_multiples},
    {"footer-wrap", case_footer_wrap},
};
#define N_CASES (sizeof cases / sizeof cases[0])

/* ==== Golden images ====================================================== */

static bool
copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = a ? fopen(to, "wb") : NULL;
    char buf[65536];
    size_t n;
    bool ok = a && b;
    while (ok && (n = fread(buf, 1, sizeof buf, a)) > 0)
        ok = fwrite(buf, 1, n, b) == n;
    if (a)
        fclose(a);
    if (b && fclose(b) != 0)
        ok = false;
    return ok;
}

static void
record_failure(const char *name)
{
    if (n_failures < sizeof failures / sizeof failures[0])
        failures[n_failures++] = xstrdup(name);
}

static void
test_golden(void **state)
{
    const struct gcase *gc = *state;
    struct chart_spec spec;
    struct cs_err err;
    char msg[1024] = "";
    cs_err_clear(&err);
    gc->build(&spec);

    char *out = xasprintf("%s/%s.out.png", out_dir, gc->name);
    char *diff = xasprintf("%s/%s.diff.png", out_dir, gc->name);
    char *gold = xasprintf("%s/%s.png", golden_dir, gc->name);
    char *xfail = xasprintf("%s/%s.xfail.png", golden_dir, gc->name);
    const char *upd = getenv("CS_UPDATE_GOLDEN");
    bool update = upd && strcmp(upd, "1") == 0;

    if (chart_render(&spec, CHART_PNG, out, &err) != CS_OK) {
        snprintf(msg, sizeof msg, "%s: render failed: %s", gc->name, err.msg);
    } else if (!update && !exists(gold)) {
        /* a missing reference is a failure, never a pass: the image is
         * written beside it for a person to look at and commit */
        snprintf(msg, sizeof msg,
                 "%s: no reference image %s (the output is %s; look at it, "
                 "then rerun with CS_UPDATE_GOLDEN=1 to accept it)",
                 gc->name, gold, out);
    } else if (update) {
        if (!copy_file(out, gold))
            snprintf(msg, sizeof msg, "%s: cannot write %s", gc->name, gold);
        else
            print_message("test_chart: wrote golden %s (look at it before "
                          "committing)\n",
                          gold);
        unlink(out);
    } else {
        struct chart_pngdiff d;
        if (chart_png_compare(out, gold, TOL, diff, &d, &err) != CS_OK) {
            snprintf(msg, sizeof msg, "%s: compare failed: %s: %s", gc->name,
                     err.where, err.msg);
        } else if (chart_pngdiff_fails(&d, TOL)) {
            struct chart_pngdiff x;
            if (exists(xfail) &&
                chart_png_compare(out, xfail, TOL, NULL, &x, &err) == CS_OK &&
                !chart_pngdiff_fails(&x, TOL)) {
                print_message("test_chart: %s: XFAIL (matches %s)\n", gc->name,
                              xfail);
                unlink(out);
            } else if (d.size_mismatch) {
                snprintf(msg, sizeof msg, "%s: size differs from %s; see %s",
                         gc->name, gold, out);
            } else {
                snprintf(msg, sizeof msg,
                         "%s: %lld pixels differ, max channel diff %d > tol "
                         "%d; see %s and %s",
                         gc->name, d.changed, d.max_diff, TOL, out, diff);
            }
        } else {
            unlink(out);
            unlink(diff);
        }
    }
    if (msg[0])
        record_failure(gc->name);
    xfree(out);
    xfree(diff);
    xfree(gold);
    xfree(xfail);
    if (msg[0])
        fail_msg("%s", msg);
}

static void
write_index(void)
{
    char *p = out_path("index.html");
    if (n_failures == 0) {
        unlink(p); /* a passing run leaves no stale report */
        xfree(p);
        return;
    }
    char gold[PATH_MAX];
    if (realpath(golden_dir, gold) == NULL)
        snprintf(gold, sizeof gold, "%s", golden_dir);
    FILE *f = fopen(p, "w");
    if (f) {
        fprintf(f, "<!doctype html><meta charset=utf-8><title>chart golden "
                   "failures</title>\n<table border=1><tr><th>case<th>output"
                   "<th>diff<th>golden</tr>\n");
        for (size_t i = 0; i < n_failures; i++)
            fprintf(f,
                    "<tr><td>%s<td><img src=\"%s.out.png\" width=400>"
                    "<td><img src=\"%s.diff.png\" width=400>"
                    "<td><img src=\"%s/%s.png\" width=400>"
                    "</tr>\n",
                    failures[i], failures[i], failures[i], gold, failures[i]);
        fprintf(f, "</table>\n");
        fclose(f);
    }
    xfree(p);
    for (size_t i = 0; i < n_failures; i++)
        xfree(failures[i]);
}

/* ==== SVG: well-formed XML ================================================ */

/* A small well-formedness checker: balanced, properly nested elements with
 * quoted attributes, valid entity references, one root.  Enough to catch a
 * truncated or mangled file; xmllint runs too when installed. */
static bool
xml_name(const char **p, char *out, size_t n)
{
    size_t k = 0;
    const char *s = *p;
    if (!(*s == '_' || *s == ':' || ((*s | 32) >= 'a' && (*s | 32) <= 'z') ||
          (unsigned char)*s >= 0x80))
        return false;
    while (*s && !strchr(" \t\r\n/>=", *s)) {
        if (k + 1 < n)
            out[k++] = *s;
        s++;
    }
    out[k] = '\0';
    *p = s;
    return true;
}

static bool
xml_text_ok(const char *s, const char *end)
{
    for (; s < end; s++) {
        if (*s == '<')
            return false;
        if (*s != '&')
            continue;
        const char *semi = memchr(s, ';', (size_t)(end - s));
        if (semi == NULL || semi == s + 1)
            return false;
        static const char *const ent[] = {"&amp;", "&lt;", "&gt;", "&quot;",
                                          "&apos;"};
        bool ok = s[1] == '#';
        for (size_t i = 0; i < 5 && !ok; i++)
            ok = strncmp(s, ent[i], strlen(ent[i])) == 0;
        if (!ok)
            return false;
        s = semi;
    }
    return true;
}

static const char *
xml_check(const char *s)
{
    char stack[256][64];
    int depth = 0, roots = 0;
    const char *p = s;
    while (*p) {
        const char *lt = strchr(p, '<');
        const char *end = lt ? lt : p + strlen(p);
        if (!xml_text_ok(p, end))
            return "bad character data";
        if (depth == 0 && strspn(p, " \t\r\n") < (size_t)(end - p))
            return "text outside the root element";
        if (!lt)
            break;
        p = lt;
        if (strncmp(p, "<?", 2) == 0) {
            p = strstr(p, "?>");
            if (!p)
                return "unterminated <?";
            p += 2;
        } else if (strncmp(p, "<!--", 4) == 0) {
            p = strstr(p, "-->");
            if (!p)
                return "unterminated comment";
            p += 3;
        } else if (strncmp(p, "<![CDATA[", 9) == 0) {
            p = strstr(p, "]]>");
            if (!p)
                return "unterminated CDATA";
            p += 3;
        } else if (strncmp(p, "<!", 2) == 0) {
            p = strchr(p, '>');
            if (!p)
                return "unterminated declaration";
            p++;
        } else if (p[1] == '/') {
            char name[64];
            p += 2;
            if (!xml_name(&p, name, sizeof name))
                return "bad end tag";
            p += strspn(p, " \t\r\n");
            if (*p != '>')
                return "bad end tag";
            p++;
            if (depth == 0 || strcmp(stack[depth - 1], name) != 0)
                return "mismatched end tag";
            depth--;
        } else {
            char name[64], attr[64];
            p++;
            if (!xml_name(&p, name, sizeof name))
                return "bad start tag";
            for (;;) {
                p += strspn(p, " \t\r\n");
                if (*p == '>' || strncmp(p, "/>", 2) == 0)
                    break;
                if (!xml_name(&p, attr, sizeof attr))
                    return "bad attribute name";
                p += strspn(p, " \t\r\n");
                if (*p++ != '=')
                    return "attribute without value";
                p += strspn(p, " \t\r\n");
                char q = *p++;
                if (q != '"' && q != '\'')
                    return "unquoted attribute";
                const char *close = strchr(p, q);
                if (!close || !xml_text_ok(p, close))
                    return "bad attribute value";
                p = close + 1;
            }
            if (depth == 0 && ++roots > 1)
                return "more than one root element";
            if (*p == '>') {
                if (depth == 256)
                    return "too deep";
                snprintf(stack[depth++], sizeof stack[0], "%s", name);
                p++;
            } else {
                p += 2;
            }
        }
    }
    if (depth != 0)
        return "unclosed element";
    return roots == 1 ? NULL : "no root element";
}

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = xmalloc((size_t)n + 1);
    size_t got = fread(b, 1, (size_t)n, f);
    fclose(f);
    b[got] = '\0';
    if (len)
        *len = got;
    return b;
}

static void
test_xml_checker(void **state)
{
    (void)state;
    assert_null(xml_check("<?xml version=\"1.0\"?>\n<a x='1'><b/>t&amp;<c>"
                          "</c><!-- c --></a>\n"));
    assert_non_null(xml_check("<a><b></a></b>"));
    assert_non_null(xml_check("<a><b>"));
    assert_non_null(xml_check("<a x=1/>"));
    assert_non_null(xml_check("<a>&nbsp</a>"));
    assert_non_null(xml_check("<a/><b/>"));
}

static bool
have(const char *tool)
{
    char *cmd = xasprintf("command -v %s >/dev/null 2>&1", tool);
    bool ok = system(cmd) == 0;
    xfree(cmd);
    return ok;
}

/* spec rendered as format to NAME.1.EXT and NAME.2.EXT with three other
 * cairo surfaces made between the two, which advance cairo's count of
 * surfaces as the charts' threads do: the files must be byte-identical.
 * Returns the first file's text (xfree); both files are removed. */
static char *
render_twice(const struct chart_spec *spec, enum chart_format format, const char *name)
{
    char *n1 = xasprintf("%s.1.%s", name, chart_format_ext(format));
    char *n2 = xasprintf("%s.2.%s", name, chart_format_ext(format));
    char *p1 = out_path(n1), *p2 = out_path(n2);
    struct cs_err err;
    assert_int_equal(chart_render(spec, format, p1, &err), CS_OK);
    for (int i = 0; i < 3; i++)
        cairo_surface_destroy(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1));
    assert_int_equal(chart_render(spec, format, p2, &err), CS_OK);
    size_t l1, l2;
    char *a = slurp(p1, &l1), *b = slurp(p2, &l2);
    assert_true(l1 == l2 && memcmp(a, b, l1) == 0);
    xfree(b);
    unlink(p1);
    unlink(p2);
    xfree(p1);
    xfree(p2);
    xfree(n1);
    xfree(n2);
    return a;
}

static void
test_svg_well_formed(void **state)
{
    (void)state;
    bool xmllint = have("xmllint");
    for (size_t i = 0; i < N_CASES; i++) {
        struct chart_spec spec;
        struct cs_err err;
        cases[i].build(&spec);
        char *name = xasprintf("%s.svg", cases[i].name);
        char *p = out_path(name);
        if (chart_render(&spec, CHART_SVG, p, &err) != CS_OK)
            fail_msg("%s: svg render failed: %s", cases[i].name, err.msg);
        char *text = slurp(p, NULL);
        assert_non_null(text);
        const char *why = xml_check(text);
        if (why)
            fail_msg("%s: %s is not well-formed XML: %s", cases[i].name, p,
                     why);
        assert_non_null(strstr(text, "<svg"));
        xfree(text);
        if (xmllint) {
            char *cmd = xasprintf("xmllint --noout '%s'", p);
            int rc = system(cmd);
            xfree(cmd);
            if (rc != 0)
                fail_msg("%s: xmllint rejects %s", cases[i].name, p);
        }
        unlink(p);
        xfree(p);
        xfree(name);
    }
    struct chart_spec spec;
    cases[0].build(&spec);
    char *a = render_twice(&spec, CHART_SVG, "again");
    assert_non_null(strstr(a, "<g id=\"surface1\">"));
    xfree(a);
}

/* ==== PDF: pdftoppm opens it ================================================
 */

/* Render page `page` of pdf with pdftoppm and check a PNG came out. */
static void
pdftoppm_ok(const char *pdf, int page)
{
    char *prefix = xasprintf("%s.p%d", pdf, page);
    char *png = xasprintf("%s.png", prefix);
    char *cmd = xasprintf("pdftoppm -png -r 36 -f %d -l %d -singlefile "
                          "'%s' '%s' 2>/dev/null",
                          page, page, pdf, prefix);
    unlink(png);
    int rc = system(cmd);
    if (rc != 0)
        fail_msg("pdftoppm failed (status %d) on %s page %d", rc, pdf, page);
    cairo_surface_t *s = cairo_image_surface_create_from_png(png);
    cairo_status_t st = cairo_surface_status(s);
    int w = st == CAIRO_STATUS_SUCCESS ? cairo_image_surface_get_width(s) : 0;
    cairo_surface_destroy(s);
    if (st != CAIRO_STATUS_SUCCESS || w <= 0)
        fail_msg("pdftoppm made no readable PNG from %s page %d", pdf, page);
    unlink(png);
    xfree(cmd);
    xfree(png);
    xfree(prefix);
}

static void
test_pdf_opens(void **state)
{
    (void)state;
    if (!have("pdftoppm")) {
        print_message("test_chart: pdftoppm not installed (poppler-utils); "
                      "skipping\n");
        skip();
    }
    struct chart_spec spec;
    struct cs_err err;
    case_column_dual(&spec);
    char *p = out_path("column-dual.pdf");
    assert_int_equal(chart_render(&spec, CHART_PDF, p, &err), CS_OK);
    pdftoppm_ok(p, 1);
    unlink(p);
    xfree(p);
    /* no clock and no process-wide count in the file: a second render,
     * after other surfaces, is byte-identical */
    char *a = render_twice(&spec, CHART_PDF, "column-dual");
    assert_null(strstr(a, "CreationDate"));
    xfree(a);
}

static size_t
count_tmp_files(void)
{
    size_t n = 0;
    DIR *d = opendir(out_dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".tmp."))
            n++;
    if (d)
        closedir(d);
    return n;
}

static void
test_errors(void **state)
{
    (void)state;
    struct chart_spec spec;
    struct cs_err err;
    case_column_distribution(&spec);

    /* unwritable place: an I/O error naming the path, no file */
    cs_err_clear(&err);
    assert_int_equal(
        chart_render(&spec, CHART_PNG, "/nonexistent-dir/x/chart.png", &err),
        CS_E_IO);
    assert_string_equal(err.where, "/nonexistent-dir/x/chart.png");

    /* sizes out of range */
    char *p = out_path("bad.png");
    spec.width_px = 99;
    assert_int_equal(chart_render(&spec, CHART_PNG, p, &err), CS_E_USAGE);
    spec.width_px = 1200;
    spec.dpi = 5000;
    assert_int_equal(chart_render(&spec, CHART_PNG, p, &err), CS_E_USAGE);
    assert_non_null(strstr(err.msg, "dpi"));
    spec.dpi = 0; /* zero means default */
    assert_int_equal(chart_render(&spec, CHART_PNG, p, &err), CS_OK);
    unlink(p);

    /* a pie or bar takes one series */
    case_column_dual(&spec);
    spec.kind = CHART_PIE;
    assert_int_equal(chart_render(&spec, CHART_PNG, p, &err), CS_E_USAGE);
    spec.kind = CHART_BAR;
    assert_int_equal(chart_render(&spec, CHART_SVG, p, &err), CS_E_USAGE);
    spec.kind = (enum chart_kind)99;
    assert_int_equal(chart_render(&spec, CHART_PNG, p, &err), CS_E_USAGE);
    assert_int_equal(chart_render(&spec, (enum chart_format)7, p, &err),
                     CS_E_USAGE);
    assert_false(exists(p));
    assert_int_equal(count_tmp_files(), 0);

    /* an old file survives a failed render untouched */
    assert_true(copy_file("/dev/null", p));
    assert_int_equal(chart_render(&spec, CHART_PNG, p, &err), CS_E_USAGE);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_size, 0);
    unlink(p);
    xfree(p);
}

/* Garbage in the spec must draw something, never crash or reach cairo as
 * NaN: invalid UTF-8, control characters, NaN/Inf everywhere, NULL labels,
 * a fixed axis that clips, every kind with the same hostile data. */
static void
test_hostile_specs(void **state)
{
    (void)state;
    static const char *const cats[] = {"ok", "bad \xff\xfe utf8", NULL,
                                       "tab\there\nnewline", ""};
    static const double v[] = {DNAN, DINF, -3, 1e300, 0.5};
    static const double lo[] = {0.1, DNAN, -DINF, 2, 0.9};
    static const double hi[] = {0.05, 0.2, DNAN, 1e308, 0.1};
    static const double v2[] = {1, 2, DNAN, -1, 5};
    struct chart_series s2[2] = {
        {.name = "a\xc3", .values = v, .lo = lo, .hi = hi},
        {.name = "b", .values = v2, .axis = CHART_RIGHT}};
    char *p = out_path("hostile.png");
    for (int k = 0; k < CHART_KIND__COUNT; k++) {
        for (int fixed = 0; fixed < 2; fixed++) {
            struct chart_spec spec;
            struct cs_err err;
            chart_spec_init(&spec, (enum chart_kind)k);
            spec.title = "\x01\x02 title \xe2\x82";
            spec.categories = cats;
            spec.n_categories = 5;
            spec.series = s2;
            spec.n_series = k == CHART_PIE || k == CHART_BAR ? 1 : 2;
            spec.axis = (struct chart_axis){.fmt = CHART_FMT_FIXED,
                                            .decimals = 2,
                                            .fixed = fixed,
                                            .min = 0,
                                            .max = 1};
            spec.width_px = 200;
            spec.height_px = 120;
            if (chart_render(&spec, CHART_PNG, p, &err) != CS_OK)
                fail_msg("kind %d fixed %d: %s", k, fixed, err.msg);
        }
    }
    unlink(p);
    xfree(p);
}

/* "surface123" -> "surface" in place. */
static void
strip_surface_ids(char *s)
{
    char *w = s;
    for (const char *r = s; *r;) {
        if (strncmp(r, "surface", 7) == 0) {
            memmove(w, r, 7);
            w += 7;
            r += 7;
            while (*r >= '0' && *r <= '9')
                r++;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
}

static void
test_deterministic(void **state)
{
    (void)state;
    struct chart_spec spec;
    struct cs_err err;
    char *a = out_path("det-a.png"), *b = out_path("det-b.png");
    char *sa = out_path("det-a.svg"), *sb = out_path("det-b.svg");
    case_column_dual(&spec);
    assert_int_equal(chart_render(&spec, CHART_PNG, a, &err), CS_OK);
    case_pie_issues(&spec); /* something else in between */
    assert_int_equal(chart_render(&spec, CHART_PNG, b, &err), CS_OK);
    case_column_dual(&spec);
    assert_int_equal(chart_render(&spec, CHART_PNG, b, &err), CS_OK);
    struct chart_pngdiff d;
    assert_int_equal(chart_png_compare(a, b, 0, NULL, &d, &err), CS_OK);
    assert_false(d.size_mismatch);
    assert_int_equal(d.changed, 0);
    assert_int_equal(d.width, 1200);
    assert_int_equal(d.height, 700);
    assert_int_equal(chart_render(&spec, CHART_SVG, sa, &err), CS_OK);
    assert_int_equal(chart_render(&spec, CHART_SVG, sb, &err), CS_OK);
    /* cairo numbers its SVG groups from a process-wide surface counter, so
     * two renders differ only in those ids */
    char *x = slurp(sa, NULL), *y = slurp(sb, NULL);
    strip_surface_ids(x);
    strip_surface_ids(y);
    assert_string_equal(x, y);
    xfree(x);
    xfree(y);
    /* dpi scales the pixels, not the layout */
    spec.width_px = 600;
    spec.height_px = 350;
    spec.dpi = 72;
    assert_int_equal(chart_render(&spec, CHART_PNG, b, &err), CS_OK);
    assert_int_equal(chart_png_compare(b, b, 0, NULL, &d, &err), CS_OK);
    assert_int_equal(d.width, 600);
    unlink(a);
    unlink(b);
    unlink(sa);
    unlink(sb);
    xfree(a);
    xfree(b);
    xfree(sa);
    xfree(sb);
}

static void
test_pngdiff_rule(void **state)
{
    (void)state;
    struct chart_pngdiff d = {0};
    assert_false(chart_pngdiff_fails(&d, 0));
    d.changed = 10;
    d.max_diff = 8;
    assert_false(chart_pngdiff_fails(&d, 8));
    assert_true(chart_pngdiff_fails(&d, 7));
    d.size_mismatch = true;
    assert_true(chart_pngdiff_fails(&d, 255));
    struct cs_err err;
    assert_int_equal(chart_png_compare("/nonexistent.png", "/nonexistent.png",
                                       0, NULL, &d, &err),
                     CS_E_IO);
}

/* ==== main =================================================================
 */

static void
find_root(void)
{
    const char *env = getenv("CS_SRCDIR");
    if (env && *env)
        root = xasprintf("%s/", env);
    else
        root = xstrdup("");
    char *fonts = xasprintf("%stests/fonts", root);
    char real[PATH_MAX];
    if (realpath(fonts, real) == NULL) {
        fprintf(stderr,
                "test_chart: %s not found: run from the repository "
                "root or set CS_SRCDIR\n",
                fonts);
        exit(1);
    }
    xfree(fonts);
    const char *g = getenv("GOLDEN_DIR");
    golden_dir =
        g && *g ? xstrdup(g) : xasprintf("%stests/golden/charts", root);
    out_dir = xasprintf("%stests/out", root);
    mkdir(out_dir, 0755);
    mkdir(golden_dir, 0755);

    /* The same config as tests/fonts/fonts.conf, but with the directory
     * spelled out: fontconfig 2.14 leaks the string it builds for
     * <dir prefix="relative">, and we want ASan runs without suppressions.
     * Set before the first pango call: fontconfig reads it once. */
    char outreal[PATH_MAX];
    if (realpath(out_dir, outreal) == NULL) {
        fprintf(stderr, "test_chart: cannot resolve %s\n", out_dir);
        exit(1);
    }
    /* absolute: fontconfig resolves a relative FONTCONFIG_FILE against its
     * own config directory, not the working directory */
    char *conf = xasprintf("%s/fonts.conf", outreal);
    FILE *f = fopen(conf, "w");
    if (f == NULL || strpbrk(real, "&<>") != NULL) {
        fprintf(stderr, "test_chart: cannot write %s\n", conf);
        exit(1);
    }
    fprintf(f,
            "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM "
            "\"urn:fontconfig:fonts.dtd\">\n<fontconfig>\n  <dir>%s</dir>\n"
            "</fontconfig>\n",
            real);
    fclose(f);
    setenv("FONTCONFIG_FILE", conf, 1);
    xfree(conf);
}

/* The PNG rows' ARGB -> RGB (SSSE3 four pixels at a time where the CPU
 * has it, then byte by byte): every width from 0 to 37, against the bytes
 * taken here one pixel at a time; nothing written past 16 bytes of room. */
static void
test_argb_to_rgb(void **state)
{
    (void)state;
    uint32_t px[37];
    unsigned char row[37 * 3 + 16 + 8];
    for (int i = 0; i < 37; i++)
        px[i] = 0xff000000u | (uint32_t)(i * 2654435761u >> 8);
    for (int w = 0; w <= 37; w++) {
        memset(row, 0xa5, sizeof row);
        chart_argb_to_rgb(px, row, w);
        for (int x = 0; x < w; x++) {
            assert_int_equal(row[3 * x], (px[x] >> 16) & 0xff);
            assert_int_equal(row[3 * x + 1], (px[x] >> 8) & 0xff);
            assert_int_equal(row[3 * x + 2], px[x] & 0xff);
        }
        for (size_t k = (size_t)w * 3 + 16; k < sizeof row; k++)
            assert_int_equal(row[k], 0xa5);
    }
}

int
main(void)
{
    find_root();
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_nice_ticks),
        cmocka_unit_test(test_pie_fold),
        cmocka_unit_test(test_label_step),
        cmocka_unit_test(test_format_number),
        cmocka_unit_test(test_footnote_text),
        cmocka_unit_test(test_pngdiff_rule),
        cmocka_unit_test(test_argb_to_rgb),
        cmocka_unit_test(test_xml_checker),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_hostile_specs),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_svg_well_formed),
        cmocka_unit_test(test_pdf_opens),
    };
    size_t nf = sizeof fixed / sizeof fixed[0];
    struct CMUnitTest *tests = xcalloc(nf + N_CASES, sizeof *tests);
    memcpy(tests, fixed, sizeof fixed);
    char *names[N_CASES];
    for (size_t i = 0; i < N_CASES; i++) {
        names[i] = xasprintf("golden %s", cases[i].name);
        tests[nf + i] =
            (struct CMUnitTest){names[i], test_golden, NULL, NULL, &cases[i]};
    }
    int rc = _cmocka_run_group_tests("chart", tests, nf + N_CASES, NULL, NULL);
    write_index();
    for (size_t i = 0; i < N_CASES; i++)
        xfree(names[i]);
    xfree(tests);
    xfree(root);
    xfree(golden_dir);
    xfree(out_dir);
    chart_cleanup();
    return rc;
}
