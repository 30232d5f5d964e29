/*
 * tests/unit/test_xlsx_cells.c: numbers written by render/xlsx_cells.h read
 * exactly as printf's "%.16G" (what libxlsxwriter writes): 600,000 values
 * drawn from the kinds a workbook holds (integers, Excel times, scores,
 * fractions with exact ties at the 17th digit, any bit pattern) and the
 * edge cases by hand.  Whole workbooks written both ways are compared in
 * test_xlsx.c (test_cells_as_libxlsxwriter).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "render/xlsx_cells.h"
#include "render/xlsx_internal.h"

static uint64_t seed = 88172645463325252ull;

static uint64_t
rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
}

static double
draw(int kind)
{
    uint64_t r = rnd();
    double v;
    switch (kind) {
    case 0: return (double)(r % 1000000000000000ull) + (double)(rnd() % 1000) / 1000.0;
    case 1:
        memcpy(&v, &r, sizeof v);
        return isfinite(v) ? v : 1.0;
    case 2: return 46000.0 + (double)(r % 100000000000ull) / 86400e6; /* an Excel time */
    case 3:                                                           /* a tie at the 17th significant digit: half to even */
        return (double)(r % 1000000000000000ull) + ((rnd() % 2) ? 0.25 : 0.75);
    case 4: return ldexp((double)(r >> 11), -(int)(rnd() % 60));
    default:
        v = (double)(int64_t)(r % 2000001) - 1000000.0 + (double)(rnd() % 8) / 8.0;
        return (rnd() % 2) ? -v : v;
    }
}

static void
test_as_printf(void **state)
{
    (void)state;
    static const double hand[] = {0.0,
                                  -0.0,
                                  1.0,
                                  -1.5,
                                  0.1,
                                  1e15,
                                  1e16,
                                  999999999999999.9,
                                  999999999999999.95,
                                  9.9999999999999995,
                                  99.999999999999999,
                                  1e-5,
                                  123456789012345.25,
                                  46349.00104166666,
                                  4503599627370495.5,
                                  9007199254740993.0,
                                  1e300,
                                  -1e-300,
                                  5e-324};
    size_t bad = 0, n = 0;
    for (size_t i = 0; i < sizeof hand / sizeof *hand + 600000; i++) {
        double v = i < sizeof hand / sizeof *hand ? hand[i] : draw((int)(i % 6));
        char a[64], b[64];
        size_t len = xl_cells_dbl(a, v);
        snprintf(b, sizeof b, "%.16G", v);
        n++;
        if (strcmp(a, b) != 0 || len != strlen(b)) {
            if (bad++ < 10)
                print_error("%.17g: %s, printf %s\n", v, a, b);
        }
    }
    assert_int_equal(bad, 0);
    assert_true(n > 600000);
}

/* xl_num_chars (column widths) counts whole numbers without printf: the
 * same count as "%.10g" (General) and "%.0f" with separators (counts). */
static void
test_num_chars(void **state)
{
    (void)state;
    static const double hand[] = {0.0, 1.0, -1.0, 9.0, 10.0, -10.0, 99.0, 100.0, 5.5, -0.5,
                                  1e9 - 1, 1e9, 9999999999.0, 1e10, -9999999999.0, 1e10 + 1,
                                  123456.0, 1e15, 0.1, 2.5e-7, 4503599627370496.0};
    size_t bad = 0;
    for (size_t i = 0; i < sizeof hand / sizeof *hand + 200000; i++) {
        double v = i < sizeof hand / sizeof *hand ? hand[i] : draw((int)(i % 6));
        if (i >= sizeof hand / sizeof *hand && i % 2)
            v = trunc(v / pow(10, (double)(rnd() % 12))); /* whole, short */
        char b[400];
        size_t general = (size_t)snprintf(b, sizeof b, "%.10g", v);
        int n = snprintf(b, sizeof b, "%.0f", fabs(v));
        size_t count = (size_t)n + (size_t)(n - 1) / 3 + (v < 0);
        if (xl_num_chars(v, XF_NONE) != general || xl_num_chars(v, XF_COUNT) != count) {
            if (bad++ < 10)
                print_error("%.17g: %zu %zu, printf %zu %zu\n", v, xl_num_chars(v, XF_NONE),
                            xl_num_chars(v, XF_COUNT), general, count);
        }
    }
    assert_int_equal(bad, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_as_printf),
        cmocka_unit_test(test_num_chars),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
