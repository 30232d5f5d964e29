/*
 * tests/fuzz/fuzz_time.c: libFuzzer harness for core/ctime.c.
 *
 * The input is one time text.  The parsers get an exact-size copy (they
 * take a length, the text need not be NUL-terminated, and ASan sees a read
 * past it); cs_week_parse gets a NUL-terminated copy.  Beyond not crashing,
 * what is checked is what the header promises:
 *   - an ISO time parses the same through cs_time_parse_any in both day
 *     orders (locale forms only come after ISO);
 *   - every parsed time in years 1..9999 formats (cs_time_format) to an ISO
 *     text that parses back to the same microsecond;
 *   - the calendar conversions invert each other, and the ISO week of the
 *     day holds the day (Monday .. Monday + 7);
 *   - a parsed "YYYY-Www" is a 7-day window starting on that week's Monday.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctime.h"
#include "fuzz_common.h"

static void
check_time(int64_t us)
{
    int64_t day = cs_time_day(us);
    FUZZ_CHECK(day * CS_US_PER_DAY <= us && us - day * CS_US_PER_DAY < CS_US_PER_DAY);
    int64_t y;
    unsigned m, d;
    cs_civil_from_days(day, &y, &m, &d);
    FUZZ_CHECK(m >= 1 && m <= 12 && d >= 1 && d <= 31);
    FUZZ_CHECK(cs_days_from_civil(y, m, d) == day);
    int iy, w;
    int packed = cs_iso_week(day, &iy, &w);
    FUZZ_CHECK(w >= 1 && w <= 53 && packed == iy * 100 + w);
    int64_t mon = cs_iso_week_monday(iy, w);
    FUZZ_CHECK(mon <= day && day < mon + 7);
    char dbuf[16];
    cs_day_format(day, dbuf);
    if (y < 1 || y > 9999)
        return; /* outside what the parsers accept (an offset moved it) */
    char buf[32];
    cs_time_format(us, buf);
    int64_t back;
    FUZZ_CHECK(cs_time_parse_iso(buf, strlen(buf), &back));
    FUZZ_CHECK(back == us);
    FUZZ_CHECK(strncmp(buf, dbuf, 10) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256)
        return -1;
    char *s = malloc(size ? size : 1); /* exactly size bytes */
    char *z = malloc(size + 1);        /* NUL-terminated */
    FUZZ_CHECK(s && z);
    memcpy(s, data, size);
    memcpy(z, data, size);
    z[size] = '\0';

    int64_t iso = 0, mdy = 0, dmy = 0;
    bool ok_iso = cs_time_parse_iso(s, size, &iso);
    bool ok_mdy = cs_time_parse_any(s, size, CS_DATE_MDY, &mdy);
    bool ok_dmy = cs_time_parse_any(s, size, CS_DATE_DMY, &dmy);
    if (ok_iso) {
        FUZZ_CHECK(iso >= CS_TIME_MIN_US && iso <= CS_TIME_MAX_US);
        FUZZ_CHECK(ok_mdy && mdy == iso);
        FUZZ_CHECK(ok_dmy && dmy == iso);
        check_time(iso);
    }
    if (ok_mdy)
        check_time(mdy);
    if (ok_dmy)
        check_time(dmy);

    int64_t ws, we;
    if (cs_week_parse(z, &ws, &we)) {
        FUZZ_CHECK(we - ws == 7 * CS_US_PER_DAY);
        FUZZ_CHECK(ws % CS_US_PER_DAY == 0);
        int iy, w;
        cs_iso_week(cs_time_day(ws), &iy, &w);
        FUZZ_CHECK(cs_iso_week_monday(iy, w) == cs_time_day(ws));
        char wk[16];
        snprintf(wk, sizeof wk, "%04d-W%02d", iy, w);
        int64_t ws2, we2;
        FUZZ_CHECK(cs_week_parse(wk, &ws2, &we2) && ws2 == ws && we2 == we);
    }
    free(s);
    free(z);
    return 0;
}
