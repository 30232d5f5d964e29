/* Unit tests for core/ctime: ISO and portal-locale parsing, ISO weeks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/ctime.h"

static int64_t
T(const char *s, enum cs_date_order o, bool *ok)
{
    int64_t v = 0;
    *ok = cs_time_parse_any(s, strlen(s), o, &v);
    return v;
}

static void
test_iso_forms(void **state)
{
    (void)state;
    bool ok;
    /* 2026-11-16 is day 20408 since 1970-01-01 (checked with `date -d 2026-11-16 +%s` = 1794787200) */
    assert_int_equal(T("2026-11-16", CS_DATE_MDY, &ok), INT64_C(1794787200) * 1000000);
    assert_true(ok);
    assert_int_equal(T("2026-11-16T08:00:00Z", CS_DATE_MDY, &ok),
                     (INT64_C(1794787200) + 8 * 3600) * 1000000);
    /* 7 fractional digits as Azure writes them: µs kept, 7th digit dropped */
    assert_int_equal(T("2024-05-02T14:21:35.0700920Z", CS_DATE_MDY, &ok) % 1000000, 70092);
    assert_true(ok);
    /* offsets are applied */
    assert_int_equal(T("2026-11-16T09:00:00+01:00", CS_DATE_MDY, &ok),
                     (INT64_C(1794787200) + 8 * 3600) * 1000000);
    assert_int_equal(T("2026-11-16 08:00:00", CS_DATE_MDY, &ok),
                     (INT64_C(1794787200) + 8 * 3600) * 1000000);
}

/* Azure writes 7 fractional digits (100 ns): the 7th is kept beside the
 * microseconds, in ISO and locale forms; 6 or fewer digits give 0. */
static void
test_seventh_digit(void **state)
{
    (void)state;
    int64_t us;
    int sub = -1;
    const char *t = "2026-11-16T08:00:00.1234567Z";
    assert_true(cs_time_parse_iso_sub(t, strlen(t), &us, &sub));
    assert_int_equal(us, INT64_C(1794816000123456));
    assert_int_equal(sub, 7);
    t = "2026-11-16T08:00:00.12345678+01:00"; /* 8th digit dropped */
    assert_true(cs_time_parse_any_sub(t, strlen(t), CS_DATE_MDY, &us, &sub));
    assert_int_equal(us, INT64_C(1794812400123456));
    assert_int_equal(sub, 7);
    t = "2026-11-16T08:00:00.123456Z";
    assert_true(cs_time_parse_any_sub(t, strlen(t), CS_DATE_MDY, &us, &sub));
    assert_int_equal(sub, 0);
    t = "11/16/2026, 8:00:00.1234569 AM";
    assert_true(cs_time_parse_any_sub(t, strlen(t), CS_DATE_MDY, &us, &sub));
    assert_int_equal(us, INT64_C(1794816000123456));
    assert_int_equal(sub, 9);
    /* the plain parser is unchanged: microseconds, 7th digit dropped */
    t = "2026-11-16T08:00:00.1234567Z";
    assert_true(cs_time_parse_iso(t, strlen(t), &us));
    assert_int_equal(us, INT64_C(1794816000123456));
}

static void
test_impossible_rejected(void **state)
{
    (void)state;
    bool ok;
    const char *bad[] = {"2026-02-30", "2026-13-01", "2026-11-16T25:00:00Z",
                         "2026-11-16T10:60:00Z", "2025-02-29", "13/13/2026",
                         "2/30/2026, 1:00:00 PM", "yesterday", "", "2026-11-16T10:00:00Zjunk",
                         "4/16/2021, 13:09:00 PM"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        T(bad[i], CS_DATE_MDY, &ok);
        if (ok)
            fail_msg("accepted impossible time '%s'", bad[i]);
    }
    T("2024-02-29", CS_DATE_MDY, &ok); /* leap year */
    assert_true(ok);
}

/* Issue 15 item 19: the range holds after the offset, and second 60 is the
 * last instant of its minute. */
static void
test_range_and_leap_second(void **state)
{
    (void)state;
    bool ok;
    /* 9999-12-31T23:00-14:00 is 10000-01-01T13:00Z: out of range */
    T("9999-12-31T23:00:00-14:00", CS_DATE_MDY, &ok);
    assert_false(ok);
    T("0001-01-01T00:30:00+01:00", CS_DATE_MDY, &ok); /* 0000-12-31T23:30Z */
    assert_false(ok);
    /* the ends themselves are in: `date -u -d 9999-12-31T23:59:59Z +%s` = 253402300799,
     * `date -u -d 0001-01-01T00:00:00Z +%s` = -62135596800 */
    assert_int_equal(T("9999-12-31T23:59:59Z", CS_DATE_MDY, &ok), INT64_C(253402300799) * 1000000);
    assert_true(ok);
    assert_int_equal(T("9999-12-31T09:59:59-14:00", CS_DATE_MDY, &ok),
                     INT64_C(253402300799) * 1000000);
    assert_true(ok);
    assert_int_equal(T("0001-01-01T00:00:00Z", CS_DATE_MDY, &ok), INT64_C(-62135596800) * 1000000);
    assert_true(ok);
    assert_int_equal(T("0001-01-01T01:00:00+01:00", CS_DATE_MDY, &ok),
                     INT64_C(-62135596800) * 1000000);
    assert_true(ok);
    /* 23:59:60 = 23:59:59.999999 (2016-12-31 had a real leap second:
     * `date -u -d 2017-01-01 +%s` = 1483228800) */
    assert_int_equal(T("2016-12-31T23:59:60Z", CS_DATE_MDY, &ok), INT64_C(1483228800) * 1000000 - 1);
    assert_true(ok);
    assert_int_equal(T("2016-12-31T23:59:60.5Z", CS_DATE_MDY, &ok),
                     INT64_C(1483228800) * 1000000 - 1);
    assert_int_equal(T("12/31/2016, 11:59:60 PM", CS_DATE_MDY, &ok),
                     INT64_C(1483228800) * 1000000 - 1);
    assert_true(ok);
    /* still at most 60 */
    T("2016-12-31T23:59:61Z", CS_DATE_MDY, &ok);
    assert_false(ok);
    /* the leap second at the very end stays in range */
    assert_int_equal(T("9999-12-31T23:59:60Z", CS_DATE_MDY, &ok), INT64_C(253402300800) * 1000000 - 1);
    assert_true(ok);
}

static void
test_locale_forms(void **state)
{
    (void)state;
    bool ok;
    /* en-US portal: 4/16/2021, 9:09:00.730 AM = 2021-04-16T09:09:00.730Z */
    int64_t a = T("4/16/2021, 9:09:00.730 AM", CS_DATE_MDY, &ok);
    assert_true(ok);
    int64_t b = T("2021-04-16T09:09:00.730Z", CS_DATE_MDY, &ok);
    assert_int_equal(a, b);
    /* 12 AM is midnight, 12 PM noon */
    assert_int_equal(T("1/2/2026, 12:00:00 AM", CS_DATE_MDY, &ok),
                     T("2026-01-02T00:00:00Z", CS_DATE_MDY, &ok));
    assert_int_equal(T("1/2/2026, 12:30:00 PM", CS_DATE_MDY, &ok),
                     T("2026-01-02T12:30:00Z", CS_DATE_MDY, &ok));
    /* day first when asked, and always with dots */
    assert_int_equal(T("10/02/2026 11:00:12", CS_DATE_DMY, &ok),
                     T("2026-02-10T11:00:12Z", CS_DATE_MDY, &ok));
    assert_int_equal(T("10.02.2026 11:00:12", CS_DATE_MDY, &ok),
                     T("2026-02-10T11:00:12Z", CS_DATE_MDY, &ok));
}

static void
test_iso_weeks(void **state)
{
    (void)state;
    int y, w;
    /* 2026-11-16 is a Monday in ISO week 47 */
    int64_t d = cs_days_from_civil(2026, 11, 16);
    assert_int_equal(cs_iso_week(d, &y, &w), 202647);
    assert_int_equal(cs_iso_week(d + 6, &y, &w), 202647); /* Sunday */
    assert_int_equal(cs_iso_week(d + 7, &y, &w), 202648);
    /* 2027-01-01 is a Friday: it belongs to 2026-W53 (2026 starts on Thursday) */
    assert_int_equal(cs_iso_week(cs_days_from_civil(2027, 1, 1), &y, &w), 202653);
    /* 2024-12-30 (Monday) is 2025-W01 */
    assert_int_equal(cs_iso_week(cs_days_from_civil(2024, 12, 30), &y, &w), 202501);
    int64_t s, e;
    assert_true(cs_week_parse("2026-W47", &s, &e));
    assert_int_equal(s, d * CS_US_PER_DAY);
    assert_int_equal(e, (d + 7) * CS_US_PER_DAY);
    assert_false(cs_week_parse("2025-W53", &s, &e)); /* 2025 has 52 weeks */
    assert_true(cs_week_parse("2026-W53", &s, &e));
    assert_false(cs_week_parse("2026-47", &s, &e));
    char buf[32];
    assert_string_equal(cs_time_format(d * CS_US_PER_DAY + 1500, buf),
                        "2026-11-16T00:00:00.0015Z");
}

/* cs_time_format writes years 0-9999 without snprintf: the same text as
 * the snprintf form (written out here) for 300,000 times spread over those
 * years, every fraction length and the ends of days; the years outside it
 * take the snprintf form itself. */
static void
test_time_format_as_printf(void **state)
{
    (void)state;
    uint64_t x = 88172645463325252ull;
    const int64_t lo = cs_days_from_civil(0, 1, 1) * CS_US_PER_DAY,
                  hi = cs_days_from_civil(10000, 1, 1) * CS_US_PER_DAY;
    for (int i = 0; i < 300000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t t = lo + (int64_t)(x % (uint64_t)(hi - lo));
        static const int64_t cut[] = {1, 10, 100, 1000, 10000, 100000, 1000000, CS_US_PER_DAY};
        t -= t % cut[i % 8]; /* fractions of each length, whole seconds, midnights */
        if (i % 97 == 0)
            t = (i % 2 ? hi - 1 : lo) - (i % 3); /* the ends, and just past them */
        int64_t day = cs_time_day(t), rem = t - day * CS_US_PER_DAY;
        int64_t sec = rem / CS_US_PER_S, frac = rem % CS_US_PER_S, y;
        unsigned m, d;
        cs_civil_from_days(day, &y, &m, &d);
        char want[64], f[8], got[32];
        int n = snprintf(want, sizeof want, "%04d-%02u-%02uT%02d:%02d:%02d", (int)y, m, d,
                         (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60));
        if (frac) {
            snprintf(f, sizeof f, "%06d", (int)frac);
            for (int k = 5; k > 0 && f[k] == '0'; k--)
                f[k] = '\0';
            n += snprintf(want + n, sizeof want - (size_t)n, ".%s", f);
        }
        snprintf(want + n, sizeof want - (size_t)n, "Z");
        assert_string_equal(cs_time_format(t, got), want);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso_forms),
        cmocka_unit_test(test_impossible_rejected),
        cmocka_unit_test(test_seventh_digit),
        cmocka_unit_test(test_range_and_leap_second),
        cmocka_unit_test(test_locale_forms),
        cmocka_unit_test(test_iso_weeks),
        cmocka_unit_test(test_time_format_as_printf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
