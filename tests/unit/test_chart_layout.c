/*
 * Unit tests of the charts' layout rules (issue 18), on the real drawing
 * path: each chart is drawn on a recording surface with the layout probe
 * (render/chart_internal.h, chart_probe_draw), which records where value
 * labels, tags, whiskers and markers went, the title's lines, the footer
 * and the legend.  The rules:
 *  - a value label or tag never meets a whisker (column, clustered, bar);
 *  - on a distribution's second axis a marker never hides a value label;
 *  - a title that wraps leaves no word alone on a line when it need not;
 *  - a footer is never cut short, and names the resource filter, the week
 *    and a template's parameters (report/chart_context.h);
 *  - a chart of 12 groups lists all 12 or says "+N more"; more groups than
 *    Okabe-Ito colours become small multiples, one titled panel each.
 * Fonts are pinned as in test_chart (tests/fonts).  Expected texts are
 * written out by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/ctime.h"
#include "core/err.h"
#include "core/mem.h"
#include "render/chart.h"
#include "render/chart_internal.h"
#include "report/chart_context.h"
#include "report/template.h"
#include "store/runner.h"

#define DNAN __builtin_nan("")
#define EPS 1e-6 /* touching edges are not an overlap */

static bool
meet(struct chart_probe_box a, struct chart_probe_box b)
{
    return a.x < b.x + b.w - EPS && b.x < a.x + a.w - EPS && a.y < b.y + b.h - EPS &&
           b.y < a.y + a.h - EPS;
}

static void
probe(const struct chart_spec *s, struct chart_probe *p)
{
    struct cs_err err;
    cs_err_clear(&err);
    if (chart_probe_draw(s, p, &err) != CS_OK)
        fail_msg("probe: %s", err.msg);
}

/* Every label against every whisker (or marker) box. */
static void
assert_apart(const struct chart_probe_box *a, size_t na, const struct chart_probe_box *b,
             size_t nb, const char *what)
{
    for (size_t i = 0; i < na; i++)
        for (size_t j = 0; j < nb; j++)
            if (meet(a[i], b[j]))
                fail_msg("%s: label %zu (%.1f,%.1f %.1fx%.1f) meets %zu (%.1f,%.1f %.1fx%.1f)",
                         what, i, a[i].x, a[i].y, a[i].w, a[i].h, j, b[j].x, b[j].y, b[j].w,
                         b[j].h);
}

/* ---- value labels and whiskers ---------------------------------------- */

static const char *const grp9[] = {"Android 13", "Android 14", "Apple (Darwin 23)",
                                   "Linux", "macOS 13", "Windows 10",
                                   "Windows 11", "Redacted", "unknown"};
static const double rate9[] = {0.128, 0.149, 0.129, 0.133, 0.134, 0.140, 0.143, 0.149, 0.134};
static const double lo9[] = {0.118, 0.141, 0.119, 0.120, 0.121, 0.134, 0.137, 0.135, 0.123};
static const double hi9[] = {0.140, 0.158, 0.141, 0.147, 0.149, 0.146, 0.150, 0.164, 0.146};

static void
test_labels_clear_whiskers(void **state)
{
    (void)state;
    /* the compare chart: one column per group, whiskers, tags */
    static const unsigned char marks[9] = {0, 0, 0, 0, 0, CHART_CAT_BASELINE, 0, 0, 0};
    static const char *const tags[9] = {"\xE2\x96\xBC better", "\xE2\x96\xB2 worse", NULL, NULL,
                                        NULL, "baseline", NULL, "\xE2\x96\xB2 worse", NULL};
    struct chart_series s = {.name = "Poor rate", .values = rate9, .lo = lo9, .hi = hi9};
    struct chart_spec sp;
    chart_spec_init(&sp, CHART_COLUMN);
    sp.title = "Poor rate by os";
    sp.categories = grp9;
    sp.n_categories = 9;
    sp.series = &s;
    sp.n_series = 1;
    sp.interval_label = "95% interval (Wilson)";
    sp.cat_marks = marks;
    sp.baseline_label = "Baseline";
    sp.cat_tags = tags;
    sp.axis = (struct chart_axis){.fmt = CHART_FMT_PERCENT, .decimals = 1};
    struct chart_probe p;
    probe(&sp, &p);
    assert_int_equal(p.n_whiskers, 9);
    assert_int_equal(p.n_labels, 9 + 4); /* nine values, four tags */
    assert_apart(p.labels, p.n_labels, p.whiskers, p.n_whiskers, "column");
    /* no two labels on each other either */
    assert_apart(p.labels, p.n_labels, p.labels, 0, "none");
    for (size_t i = 0; i < p.n_labels; i++)
        for (size_t j = i + 1; j < p.n_labels; j++)
            if (meet(p.labels[i], p.labels[j]))
                fail_msg("labels %zu and %zu meet", i, j);
    /* the legend names the hatched baseline */
    assert_non_null(strstr(p.legend, "Baseline"));
    chart_probe_free(&p);

    /* the same on a short canvas, where the whiskers reach the top */
    sp.height_px = 420;
    probe(&sp, &p);
    assert_apart(p.labels, p.n_labels, p.whiskers, p.n_whiskers, "column, short");
    chart_probe_free(&p);

    /* horizontal bars: the label sits past the interval's upper end */
    chart_spec_init(&sp, CHART_BAR);
    sp.categories = grp9;
    sp.n_categories = 9;
    sp.series = &s;
    sp.n_series = 1;
    sp.axis = (struct chart_axis){.fmt = CHART_FMT_PERCENT, .decimals = 1};
    probe(&sp, &p);
    assert_int_equal(p.n_whiskers, 9);
    assert_int_equal(p.n_labels, 9);
    assert_apart(p.labels, p.n_labels, p.whiskers, p.n_whiskers, "bar");
    chart_probe_free(&p);

    /* clustered columns of three groups, each with whiskers */
    static const char *const sc5[] = {"1", "2", "3", "4", "5"};
    static const double a[] = {0.06, 0.07, 0.12, 0.29, 0.46}, alo[] = {0.04, 0.05, 0.10, 0.26, 0.42},
                        ahi[] = {0.09, 0.10, 0.15, 0.32, 0.50};
    static const double b[] = {0.08, 0.06, 0.11, 0.30, 0.45}, blo[] = {0.05, 0.04, 0.08, 0.26, 0.41},
                        bhi[] = {0.12, 0.09, 0.14, 0.34, 0.49};
    static const double c[] = {0.05, 0.08, 0.13, 0.28, 0.46}, clo[] = {0.03, 0.06, 0.10, 0.25, 0.42},
                        chi[] = {0.08, 0.11, 0.16, 0.31, 0.50};
    struct chart_series three[3] = {{.name = "A", .values = a, .lo = alo, .hi = ahi},
                                    {.name = "B", .values = b, .lo = blo, .hi = bhi},
                                    {.name = "C", .values = c, .lo = clo, .hi = chi}};
    chart_spec_init(&sp, CHART_CLUSTERED);
    sp.categories = sc5;
    sp.n_categories = 5;
    sp.series = three;
    sp.n_series = 3;
    sp.axis = (struct chart_axis){.fmt = CHART_FMT_PERCENT, .decimals = 0};
    probe(&sp, &p);
    assert_int_equal(p.n_whiskers, 15);
    assert_int_equal(p.n_labels, 15);
    assert_apart(p.labels, p.n_labels, p.whiskers, p.n_whiskers, "clustered");
    chart_probe_free(&p);
}

/* ---- the responses line of a distribution ----------------------------- */

static void
dual_case(const double *counts, size_t n, const char *what)
{
    static char lab[32][24];
    static const char *labels[32];
    double share[32], tot = 0;
    bool poor[32];
    for (size_t i = 0; i < n; i++)
        tot += counts[i];
    for (size_t i = 0; i < n; i++) {
        snprintf(lab[i], sizeof lab[i], "%zu", i);
        labels[i] = lab[i];
        share[i] = counts[i] / tot;
        poor[i] = i * 2 < n;
    }
    struct chart_series s[2] = {
        {.name = "% of respondents", .values = share},
        {.name = "Number of responses", .values = counts, .axis = CHART_RIGHT, .color = CHART_COLOR_ORANGE}};
    struct chart_spec sp;
    chart_spec_init(&sp, CHART_COLUMN_DUAL);
    sp.categories = labels;
    sp.n_categories = n;
    sp.series = s;
    sp.n_series = 2;
    sp.highlight = poor;
    sp.highlight_label = "Poor";
    sp.axis = (struct chart_axis){.title = "% of respondents", .fmt = CHART_FMT_PERCENT, .decimals = 1};
    sp.axis2 = (struct chart_axis){.title = "Responses", .fmt = CHART_FMT_INT};
    struct chart_probe p;
    probe(&sp, &p);
    assert_int_equal(p.n_markers, n);
    assert_int_equal(p.n_labels, n);
    assert_apart(p.labels, p.n_labels, p.markers, p.n_markers, what);
    chart_probe_free(&p);
}

static void
test_markers_clear_labels(void **state)
{
    (void)state;
    /* the sample's 0-10 scale (30 responses) and 1-5 scale (2,177) */
    static const double c10[] = {0, 0, 1, 1, 0, 1, 3, 3, 14, 4, 3};
    static const double c5[] = {148, 161, 249, 610, 1009};
    /* markers exactly at the column tops (counts proportional to the
     * right axis), and a flat distribution */
    static const double ctop[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    static const double flat[] = {50, 50, 50, 50, 50};
    static const double spiky[] = {0, 100, 0, 100, 0, 100, 0};
    dual_case(c10, 11, "0-10");
    dual_case(c5, 5, "1-5");
    dual_case(ctop, 10, "tops");
    dual_case(flat, 5, "flat");
    dual_case(spiky, 7, "spiky");
}

/* ---- titles ------------------------------------------------------------ */

static void
test_title_no_orphan(void **state)
{
    (void)state;
    /* titles of 1..N words: wherever one wraps to two lines with at least
     * four words, neither line holds a single word, and no word is lost */
    static const char *const words[] = {
        "Poor", "rate", "by", "sdk-version", "\xE2\x80\x94", "Overall", "rating,",
        "1\xE2\x80\x93"
        "5",
        "scale,", "threshold", "2,", "against", "the", "previous",
        "version", "of", "each", "group", "with", "intervals"};
    size_t nw = sizeof words / sizeof words[0];
    int wrapped = 0;
    for (size_t k = 1; k <= nw; k++) {
        char title[512] = "";
        for (size_t i = 0; i < k; i++) {
            strcat(title, i ? " " : "");
            strcat(title, words[i]);
        }
        struct chart_spec sp;
        chart_spec_init(&sp, CHART_COLUMN);
        sp.title = title;
        sp.width_px = 900; /* narrow, so the title wraps early */
        struct chart_probe p;
        probe(&sp, &p);
        int total = 0;
        for (int i = 0; i < p.title_lines && i < 4; i++)
            total += p.title_words[i];
        if (p.title_lines <= 2 && total != (int)k)
            fail_msg("title of %zu words shows %d", k, total);
        if (p.title_lines == 2) {
            wrapped++;
            if (k >= 4 && (p.title_words[0] < 2 || p.title_words[1] < 2))
                fail_msg("title of %zu words: lines of %d and %d words", k, p.title_words[0],
                         p.title_words[1]);
        }
        chart_probe_free(&p);
    }
    assert_true(wrapped >= 5); /* the rule was exercised */
}

/* ---- legends and small multiples -------------------------------------- */

/* The legend names each of names[0..n) or counts the rest in its last
 * entry "+N more" (checked: named + N == n).  Returns N. */
static size_t
legend_accounts(const struct chart_probe *p, const char *const *names, size_t n)
{
    size_t named = 0, more = 0;
    for (size_t j = 0; j < n; j++)
        named += strstr(p->legend, names[j]) != NULL;
    const char *last = strrchr(p->legend, '\n');
    last = last ? last + 1 : p->legend;
    if (last[0] == '+')
        more = strtoul(last + 1, NULL, 10);
    if (named + more != n)
        fail_msg("legend names %zu and says +%zu more of %zu:\n%s", named, more, n, p->legend);
    return more;
}

static void
test_legend_twelve(void **state)
{
    (void)state;
    static const char *const cats[] = {"W44", "W45", "W46", "W47"};
    static char names[12][48];
    static const char *names_p[12];
    static double vals[12][4];
    struct chart_series s[12];
    for (size_t j = 0; j < 12; j++) {
        snprintf(names[j], sizeof names[j], "Release candidate build 1.%zu.0 (beta)", j + 20);
        names_p[j] = names[j];
        for (size_t i = 0; i < 4; i++)
            vals[j][i] = 10.0 + (double)((j * 7 + i * 3) % 11);
        s[j] = (struct chart_series){.name = names[j], .values = vals[j]};
    }
    /* a dual chart keeps its colours (eleven columns, one line): its
     * legend names all twelve or says how many it left out */
    s[11].axis = CHART_RIGHT;
    struct chart_spec sp;
    chart_spec_init(&sp, CHART_COLUMN_DUAL);
    sp.categories = cats;
    sp.n_categories = 4;
    sp.series = s;
    sp.n_series = 12;
    sp.no_value_labels = true;
    sp.axis2 = (struct chart_axis){.fmt = CHART_FMT_INT};
    struct chart_probe p;
    probe(&sp, &p);
    assert_true(legend_accounts(&p, (const char *const *)names_p, 12) > 0);
    chart_probe_free(&p);

    /* a clustered chart of twelve groups: twelve titled panels, no colour
     * recycled (every panel is drawn in one colour) */
    s[11].axis = CHART_LEFT;
    chart_spec_init(&sp, CHART_CLUSTERED);
    sp.categories = cats;
    sp.n_categories = 4;
    sp.series = s;
    sp.n_series = 12;
    probe(&sp, &p);
    assert_int_equal(p.panels, 12);
    for (size_t j = 0; j < 12; j++)
        assert_non_null(strstr(p.panel_titles, names[j]));
    chart_probe_free(&p);
    /* eight groups keep their eight colours, and the legend accounts for
     * each: named, or counted in "+N more" */
    sp.n_series = 8;
    probe(&sp, &p);
    assert_int_equal(p.panels, 0);
    legend_accounts(&p, (const char *const *)names_p, 8);
    chart_probe_free(&p);
    /* short names all fit */
    static const char *const short8[] = {"1.20", "1.21", "1.22", "1.23", "1.24", "1.25", "1.26",
                                         "1.27"};
    for (size_t j = 0; j < 8; j++)
        s[j].name = short8[j];
    probe(&sp, &p);
    assert_int_equal(legend_accounts(&p, short8, 8), 0);
    chart_probe_free(&p);
}

/* ---- footers ----------------------------------------------------------- */

static void
test_footer_context(void **state)
{
    (void)state;
    /* --resource ACS-PROD-WEU --resource ACS-PROD-EUS --week 2026-W46 */
    static const char *const res2[] = {"ACS-PROD-WEU", "ACS-PROD-EUS"};
    struct cs_report_model m;
    memset(&m, 0, sizeof m);
    assert_true(cs_week_parse("2026-W46", &m.filter.since_us, &m.filter.until_us));
    m.filter.has_since = m.filter.has_until = true;
    m.filter.resources = res2;
    m.filter.n_resources = 2;
    m.has_week = true;
    strcpy(m.week_label, "2026-W46");
    m.totals.surveys = 571;

    struct chart_series s = {.name = "x", .values = rate9};
    struct chart_spec sp;
    chart_spec_init(&sp, CHART_COLUMN);
    sp.categories = grp9;
    sp.n_categories = 9;
    sp.series = &s;
    sp.n_series = 1;
    sp.footnote = (struct chart_footnote){.n = 544, .scale = "scale 1\xE2\x80\x93"
                                                             "5, poor \xE2\x89\xA4 2"};
    struct cs_chart_context_hold hold = {0};
    cs_chart_context_apply(&m, NULL, &sp, &hold);
    assert_string_equal(sp.footnote.window, "2026-11-09 to 2026-11-15");
    assert_string_equal(sp.footnote.source,
                        "filtered: resources ACS-PROD-WEU, ACS-PROD-EUS; week 2026-W46");
    struct chart_probe p;
    probe(&sp, &p);
    assert_false(p.footer_cut);
    assert_non_null(strstr(p.footer, "resources ACS-PROD-WEU, ACS-PROD-EUS"));
    assert_non_null(strstr(p.footer, "n = 544 responses"));
    chart_probe_free(&p);
    cs_chart_context_release(&hold);

    /* ten full ARM ids and a since/until window on a narrow chart: the
     * footer wraps over several lines, uncut, and names five resources
     * and "+5 more" */
    static char ids[10][160];
    static const char *idp[10];
    for (size_t i = 0; i < 10; i++) {
        snprintf(ids[i], sizeof ids[i],
                 "/subscriptions/0000/resourceGroups/rg-calls/providers/"
                 "Microsoft.Communication/CommunicationServices/acs-region-%02zu",
                 i);
        idp[i] = ids[i];
    }
    memset(&m, 0, sizeof m);
    m.filter.resources = idp;
    m.filter.n_resources = 10;
    m.filter.has_since = true;
    assert_true(cs_time_parse_iso("2026-11-01", 10, &m.filter.since_us));
    m.filter.has_until = true;
    assert_true(cs_time_parse_iso("2026-11-15T12:00:00Z", 20, &m.filter.until_us));
    m.totals.surveys = 10;
    sp.footnote.window = NULL;
    sp.footnote.source = "Source: ACS";
    sp.width_px = 500;
    sp.dpi = 100;
    cs_chart_context_apply(&m, "template weekly-review: top=5", &sp, &hold);
    assert_string_equal(sp.footnote.window, "2026-11-01 to 2026-11-15");
    assert_string_equal(sp.footnote.source,
                        "filtered: resources acs-region-00, acs-region-01, acs-region-02, "
                        "acs-region-03, acs-region-04 +5 more; since 2026-11-01; before "
                        "2026-11-15T12:00:00Z \xC2\xB7 template weekly-review: top=5 \xC2\xB7 "
                        "Source: ACS");
    probe(&sp, &p);
    assert_false(p.footer_cut);
    assert_true(p.footer_lines >= 3);
    assert_non_null(strstr(p.footer, "+5 more"));
    assert_non_null(strstr(p.footer, "top=5"));
    chart_probe_free(&p);
    cs_chart_context_release(&hold);

    /* nothing filtered: no "filtered" part */
    memset(&m, 0, sizeof m);
    char *t = cs_chart_filters_text(&m.filter, false, NULL);
    assert_string_equal(t, "");
    xfree(t);
}

static void
test_template_text(void **state)
{
    (void)state;
    struct cs_template_param d[2] = {{.name = "question", .default_value = "rating_reason"},
                                     {.name = "top", .default_value = "10"}};
    struct cs_template t = {.name = "custom-answers", .params = d, .n_params = 2};
    /* the run's values: a built-in first, then --param question=... and
     * the default of top, bound as an integer */
    struct cs_sql_param items[3] = {
        {.name = "min_n", .type = CS_SQL_INT, .i = 30},
        {.name = "question", .type = CS_SQL_TEXT, .s = "improvement_suggestion"},
        {.name = "top", .type = CS_SQL_INT, .i = 10}};
    struct cs_template_params p = {.items = items, .n = 3};
    char *s = cs_chart_template_text(&t, &p);
    assert_string_equal(s, "template custom-answers: question=improvement_suggestion, top=10");
    xfree(s);
    s = cs_chart_template_text(&t, NULL);
    assert_string_equal(s, "template custom-answers: question=rating_reason, top=10");
    xfree(s);
    s = cs_chart_template_text(NULL, &p);
    assert_string_equal(s, "");
    xfree(s);
}

/* Pin the fonts to tests/fonts (as test_chart does). */
static void
pin_fonts(void)
{
    const char *env = getenv("CS_SRCDIR");
    char *root = env && *env ? xasprintf("%s/", env) : xstrdup("");
    char *fonts = xasprintf("%stests/fonts", root), *out = xasprintf("%stests/out", root);
    char real[PATH_MAX], outreal[PATH_MAX];
    mkdir(out, 0755);
    if (realpath(fonts, real) == NULL || realpath(out, outreal) == NULL) {
        fprintf(stderr, "test_chart_layout: run from the repository root or set CS_SRCDIR\n");
        exit(1);
    }
    char *conf = xasprintf("%s/fonts-layout.conf", outreal);
    FILE *f = fopen(conf, "w");
    if (f == NULL) {
        fprintf(stderr, "test_chart_layout: cannot write %s\n", conf);
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
    xfree(fonts);
    xfree(out);
    xfree(root);
}

int
main(void)
{
    pin_fonts();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_labels_clear_whiskers),
        cmocka_unit_test(test_markers_clear_labels),
        cmocka_unit_test(test_title_no_orphan),
        cmocka_unit_test(test_legend_twelve),
        cmocka_unit_test(test_footer_context),
        cmocka_unit_test(test_template_text),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    chart_cleanup();
    return rc;
}
