/*
 * Unit tests for model/dims: the release dimensions' groups and order.
 * Expected values are written by hand from the rules of issue 20 and the
 * real OsVersion strings of FORMATS.md section 8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "model/dims.h"

static const char *
grp(enum cs_dim d, const char *raw)
{
    static char out[4][CS_DIM_GROUP_MAX];
    static int k;
    char *o = out[k++ % 4];
    return cs_dim_group(d, raw, o, CS_DIM_GROUP_MAX);
}

static void
test_os_families(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        /* FORMATS.md section 8's examples */
        {"Windows 10.0.17763 Arch: x64", "Windows 10"},
        {"Android 11.0; Manufacturer: Google; Product: redfin; Model: Pixel 5; Hardware: redfin",
         "Android 11"},
        {"Darwin Kernel Version 18.7.0: Tue Aug 20 16:57:14 PDT 2019; "
         "root:xnu-4903.271.2~2/RELEASE_ARM64_T8020",
         "Apple (Darwin 18)"},
        {"Redacted", "Redacted"},
        {"null", "unknown"},
        /* Windows 11 is build 22000 or later of 10.0 */
        {"Windows 10.0.22000 Arch: x64", "Windows 11"},
        {"Windows 10.0.21999 Arch: x64", "Windows 10"},
        {"Windows 10.0.22631 Arch: arm64", "Windows 11"},
        /* the kernel string says which device: Darwin 23 = iOS 17 = macOS 14 */
        {"Darwin Kernel Version 23.1.0: Mon Oct 9; root:xnu~6/RELEASE_ARM64_T8103; iPhone14,5",
         "iOS 17"},
        {"Darwin Kernel Version 23.1.0: Mon Oct 9; root:xnu~6/RELEASE_X86_64", "macOS 14"},
        {"Darwin Kernel Version 19.6.0: Thu Jun 18; root:xnu~1/RELEASE_X86_64", "macOS 10"},
        /* client_OS forms of Application Insights */
        {"Windows 10", "Windows 10"},
        {"Android 14", "Android 14"},
        {"iOS 17.2", "iOS 17"},
        {"Mac OS X 10.15", "macOS 10"},
        {"Linux", "Linux"},
        {"Linux 6.5.0-14-generic x86_64", "Linux"},
        {"  REDACTED ", "Redacted"},
        {"", "unknown"},
        {"NULL", "unknown"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_string_equal(grp(CS_DIM_OS, cases[i][0]), cases[i][1]);
    assert_string_equal(grp(CS_DIM_OS, NULL), "unknown");
    /* os-version keeps the text (trimmed) */
    assert_string_equal(grp(CS_DIM_OS_VERSION, " Windows 10.0.17763 Arch: x64 "),
                        "Windows 10.0.17763 Arch: x64");
}

static void
test_sdk_and_browser(void **state)
{
    (void)state;
    assert_string_equal(grp(CS_DIM_SDK_VERSION, "1.21.1.1_beta"), "1.21.1.1");
    assert_string_equal(grp(CS_DIM_SDK_VERSION, " 1.0.1.0 "), "1.0.1.0");
    assert_string_equal(grp(CS_DIM_SDK_VERSION, "Redacted"), "Redacted");
    assert_string_equal(grp(CS_DIM_SDK_VERSION, "null"), "unknown");
    assert_string_equal(grp(CS_DIM_BROWSER, "Chrome 119.0"), "Chrome 119");
    assert_string_equal(grp(CS_DIM_BROWSER, "Edg 120.0.2210"), "Edge 120");
    assert_string_equal(grp(CS_DIM_BROWSER, "Chrome Mobile 121.0"), "Chrome Mobile 121");
    assert_string_equal(grp(CS_DIM_BROWSER, "Firefox"), "Firefox");
    assert_string_equal(grp(CS_DIM_APP_VERSION, "2.15.0"), "2.15.0");
    assert_string_equal(grp(CS_DIM_END_REASON, "487"), "487");
    assert_string_equal(grp(CS_DIM_CLIENT_OS, "Windows 10"), "Windows 10");
}

static int
cmp(const void *a, const void *b)
{
    return cs_dim_cmp(*(const char *const *)a, *(const char *const *)b);
}

static void
test_version_order(void **state)
{
    (void)state;
    /* shuffled, then sorted: versions by their numbers, 1.9 before 1.10,
     * and the groups that are no version last */
    const char *v[] = {"unknown", "1.10.0", "Redacted", "1.9.0", "other", "1.9.10",
                       "1.9.2", "2.0.0", "1.10.0.1", "1.09.3"};
    static const char *const want[] = {"1.9.0", "1.9.2", "1.09.3", "1.9.10", "1.10.0",
                                       "1.10.0.1", "2.0.0", "Redacted", "other", "unknown"};
    qsort(v, sizeof v / sizeof *v, sizeof *v, cmp);
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        assert_string_equal(v[i], want[i]);
    assert_true(cs_dim_cmp("Windows 10", "Windows 11") < 0);
    assert_true(cs_dim_cmp("Chrome 99", "Chrome 119") < 0);
    assert_int_equal(cs_dim_cmp("1.30.1", "1.30.1"), 0);
    /* the sort key orders as cs_dim_cmp */
    char a[64], b[64];
    assert_true(strcmp(cs_dim_sort_key("1.9.0", a, sizeof a),
                       cs_dim_sort_key("1.10.0", b, sizeof b)) < 0);
    assert_true(strcmp(cs_dim_sort_key("unknown", a, sizeof a),
                       cs_dim_sort_key("Redacted", b, sizeof b)) > 0);
}

static void
test_names(void **state)
{
    (void)state;
    static const char *const names[] = {"sdk-version", "os", "os-version", "endpoint-type",
                                        "participant-type", "call-type", "end-reason",
                                        "app-version", "browser", "client-os"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        enum cs_dim d = cs_dim_parse(names[i]);
        assert_int_equal(d, (int)i);
        assert_string_equal(cs_dim_name(d), names[i]);
    }
    assert_int_equal(cs_dim_parse("sdk_version"), CS_DIM_NONE);
    assert_string_equal(cs_dim_column(CS_DIM_SDK_VERSION), "sdk_version");
    assert_true(cs_dim_is_version(CS_DIM_APP_VERSION));
    assert_false(cs_dim_is_version(CS_DIM_OS));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_os_families),
        cmocka_unit_test(test_sdk_and_browser),
        cmocka_unit_test(test_version_order),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
