/* Unit tests for render/html.c (issue 19): escaping of data text (markup,
 * quotes, invalid UTF-8 and control characters), the inline form of a
 * cairo SVG (prolog dropped, ids and references prefixed, size removed,
 * labelled; the same text however many cairo surfaces the process made
 * before it), and the number texts of the headline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include <cairo.h>

#include "core/buf.h"
#include "core/mem.h"
#include "render/chart.h"
#include "render/html.h"
#include "render/html_internal.h"

static char *
esc(const char *s)
{
    struct cs_buf b = {0};
    cs_html_esc(&b, s);
    return cs_buf_take(&b);
}

static void
test_escape(void **state)
{
    (void)state;
    char *t = esc("<script>alert(1)</script>");
    assert_string_equal(t, "&lt;script&gt;alert(1)&lt;/script&gt;");
    xfree(t);
    t = esc("\"><img src=x onerror='a&b'>");
    assert_string_equal(t, "&quot;&gt;&lt;img src=x onerror=&#39;a&amp;b&#39;&gt;");
    xfree(t);
    /* invalid UTF-8 and ESC become U+FFFD; tab, newline and é stay */
    t = esc("a\xff"
            "b\x1b[2J\tc\n caf\xC3\xA9");
    assert_string_equal(t, "a\xEF\xBF\xBD"
                           "b\xEF\xBF\xBD[2J\tc\n caf\xC3\xA9");
    xfree(t);
    t = esc(NULL);
    assert_string_equal(t, "");
    xfree(t);
}

static void
test_svg_inline(void **state)
{
    (void)state;
    const char *svg = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"600pt\" height=\"350pt\" "
                      "viewBox=\"0 0 600 350\" version=\"1.1\">\n"
                      "<defs><symbol id=\"glyph0-1\"/><clipPath id=\"clip1\"/></defs>\n"
                      "<g clip-path=\"url(#clip1)\"><use xlink:href=\"#glyph0-1\" x=\"1\"/></g>\n"
                      "</svg>\n";
    char *t = cs_html_svg_inline(svg, "c7");
    assert_string_equal(t, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 600 350\" "
                           "version=\"1.1\" role=\"img\" aria-labelledby=\"c7-alt\" "
                           "focusable=\"false\">\n"
                           "<defs><symbol id=\"c7-glyph0-1\"/><clipPath id=\"c7-clip1\"/></defs>\n"
                           "<g clip-path=\"url(#c7-clip1)\"><use xlink:href=\"#c7-glyph0-1\" "
                           "x=\"1\"/></g>\n</svg>");
    xfree(t);
    /* coordinates rounded to 1/100 pt; ids and short numbers untouched */
    t = cs_html_svg_inline("<svg viewBox=\"0 0 600 350\"><path id=\"glyph0-1\" d=\"M 3.804688 "
                           "-0.707031 L 2.999 10.5 -0.001 1.126\" style=\"fill:rgb(0%,44.705882%,"
                           "1%)\"/></svg>",
                           "c3");
    assert_string_equal(t, "<svg viewBox=\"0 0 600 350\" role=\"img\" aria-labelledby=\"c3-alt\" "
                           "focusable=\"false\"><path id=\"c3-glyph0-1\" d=\"M 3.8 -0.71 L 3 10.5 0 "
                           "1.13\" style=\"fill:rgb(0%,44.71%,1%)\"/></svg>");
    xfree(t);
    t = cs_html_svg_inline("not svg", "c1");
    assert_string_equal(t, "");
    xfree(t);
}

/* a real chart through cairo: one root, every id prefixed */
static void
test_svg_chart(void **state)
{
    (void)state;
    struct chart_spec s;
    chart_spec_init(&s, CHART_COLUMN);
    const char *cats[] = {"1", "2", "3"};
    double v[] = {0.25, 0.5, 0.25};
    struct chart_series se = {.name = "Share", .values = v};
    s.title = "Test";
    s.categories = cats;
    s.n_categories = 3;
    s.series = &se;
    s.n_series = 1;
    char *svg = NULL;
    struct cs_err err = {0};
    assert_int_equal(chart_render_svg_mem(&s, &svg, &err), CS_OK);
    assert_non_null(strstr(svg, "<svg"));
    char *t = cs_html_svg_inline(svg, "c2");
    assert_int_equal(strncmp(t, "<svg ", 5), 0);
    assert_null(strstr(t, "<?xml"));
    assert_null(strstr(t, " width=\"600pt\""));
    size_t ids = 0;
    for (const char *p = t; (p = strstr(p, " id=\"")); p++, ids++)
        assert_int_equal(strncmp(p, " id=\"c2-", 8), 0);
    assert_true(ids > 0);
    for (const char *p = t; (p = strstr(p, "href=\"#")); p++)
        assert_int_equal(strncmp(p, "href=\"#c2-", 10), 0);
    /* the same chart after other surfaces were made (the charts' threads
     * draw PNGs meanwhile), which advance cairo's count of surfaces: the
     * same SVG, whose one surface is "surface1" */
    for (int i = 0; i < 3; i++)
        cairo_surface_destroy(cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1));
    char *svg2 = NULL;
    assert_int_equal(chart_render_svg_mem(&s, &svg2, &err), CS_OK);
    assert_string_equal(svg, svg2);
    assert_non_null(strstr(t, "<g id=\"c2-surface1\">"));
    char *t2 = cs_html_svg_inline(svg2, "c2");
    assert_string_equal(t, t2);
    xfree(t2);
    xfree(svg2);
    xfree(t);
    xfree(svg);
}

static void
test_numbers(void **state)
{
    (void)state;
    char b[48];
    assert_string_equal(hx_pct(0.139, b), "13.9%");
    assert_string_equal(hx_pt(0.024, b), "+2.4 pt");
    assert_string_equal(hx_pt(-0.003, b), "\xE2\x88\x92"
                                          "0.3 pt");
    assert_string_equal(hx_pt(0.0001, b), "0.0 pt");
    assert_string_equal(hx_pt((double)NAN, b), "\xE2\x80\x93");
    assert_string_equal(hx_int(1204, b), "1,204");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_svg_inline),
        cmocka_unit_test(test_svg_chart),
        cmocka_unit_test(test_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
