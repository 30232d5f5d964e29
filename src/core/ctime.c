/*
 * core/ctime.c: strict UTC time parsing and ISO week arithmetic.
 *
 * The civil-date conversions are Howard Hinnant's days_from_civil /
 * civil_from_days algorithms (exact for the proleptic Gregorian calendar,
 * no tables, no libc time zone).  Parsers are hand-written scanners because
 * strptime is locale-dependent and silently accepts impossible dates.
 */
#include "core/ctime.h"

#include <stdio.h>
#include <string.h>

int64_t
cs_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void
cs_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool
is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned
days_in_month(int64_t y, unsigned m)
{
    static const unsigned dm[12] = {31, 28, 31, 30, 31, 30,
                                    31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

static bool
valid_date(int64_t y, unsigned m, unsigned d)
{
    return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
           d <= days_in_month(y, m);
}

int64_t
cs_time_day(int64_t time_us)
{
    int64_t q = time_us / CS_US_PER_DAY;
    if (time_us % CS_US_PER_DAY < 0)
        q--;
    return q;
}

int
cs_iso_week(int64_t day, int *iso_year, int *week)
{
    /* 1970-01-01 was a Thursday; weekday 0 = Monday. */
    int64_t wd = (day + 3) % 7;
    if (wd < 0)
        wd += 7;
    int64_t thursday = day - wd + 3; /* the week's Thursday decides the year */
    int64_t y;
    unsigned m, d;
    cs_civil_from_days(thursday, &y, &m, &d);
    int64_t jan1 = cs_days_from_civil(y, 1, 1);
    int w = (int)((thursday - jan1) / 7) + 1;
    if (iso_year)
        *iso_year = (int)y;
    if (week)
        *week = w;
    return (int)y * 100 + w;
}

int64_t
cs_iso_week_monday(int iso_year, int week)
{
    int64_t jan4 = cs_days_from_civil(iso_year, 1, 4);
    int64_t wd = (jan4 + 3) % 7;
    if (wd < 0)
        wd += 7;
    return jan4 - wd + (int64_t)(week - 1) * 7;
}

bool
cs_week_parse(const char *s, int64_t *start_us, int64_t *end_us)
{
    int y, w, n = 0;
    if (sscanf(s, "%4d-W%2d%n", &y, &w, &n) != 2 || s[n] != '\0' || n != 8)
        return false;
    if (y < 1 || w < 1 || w > 53)
        return false;
    int64_t mon = cs_iso_week_monday(y, w);
    int yy;
    cs_iso_week(mon, &yy, NULL);
    if (yy != y)
        return false; /* week 53 of a 52-week year */
    *start_us = mon * CS_US_PER_DAY;
    *end_us = (mon + 7) * CS_US_PER_DAY;
    return true;
}

/* ---- scanning helpers ------------------------------------------------ */

struct scan {
    const char *p, *end;
};

static bool
digits(struct scan *sc, int min, int max, int64_t *out)
{
    int64_t v = 0;
    int n = 0;
    while (sc->p < sc->end && n < max && *sc->p >= '0' && *sc->p <= '9') {
        v = v * 10 + (*sc->p - '0');
        sc->p++;
        n++;
    }
    if (n < min)
        return false;
    *out = v;
    return true;
}

static bool
lit(struct scan *sc, char c)
{
    if (sc->p < sc->end && *sc->p == c) {
        sc->p++;
        return true;
    }
    return false;
}

static void
spaces(struct scan *sc)
{
    while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\t'))
        sc->p++;
}

/* hh:mm[:ss[.frac]] -> microseconds of day; hour limit given.  *sub gets
 * the 7th fractional digit (100 ns, Azure's precision), 0 when absent. */
static bool
clock_part(struct scan *sc, int max_hour, int64_t *us, int *sub)
{
    int64_t h, mi, se = 0, frac = 0;
    *sub = 0;
    if (!digits(sc, 1, 2, &h) || !lit(sc, ':') || !digits(sc, 2, 2, &mi))
        return false;
    if (lit(sc, ':')) {
        if (!digits(sc, 2, 2, &se))
            return false;
        if (sc->p < sc->end && (*sc->p == '.' || *sc->p == ',')) {
            sc->p++;
            int n = 0;
            int64_t scale = 100000;
            while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9') {
                if (n < 6)
                    frac += (*sc->p - '0') * scale;
                else if (n == 6)
                    *sub = *sc->p - '0';
                scale /= 10;
                sc->p++;
                n++;
            }
            if (n == 0 || n > 9)
                return false;
        }
    }
    if (h > max_hour || mi > 59 || se > 60)
        return false;
    if (se == 60) {
        /* a leap second (23:59:60) is taken as the last instant of its
         * minute, as .NET's parsers read it: 23:59:59.999999 */
        se = 59;
        frac = CS_US_PER_S - 1;
    }
    *us = ((h * 60 + mi) * 60 + se) * CS_US_PER_S + frac;
    return true;
}

bool
cs_time_parse_iso(const char *s, size_t len, int64_t *out_us)
{
    int sub;
    return cs_time_parse_iso_sub(s, len, out_us, &sub);
}

bool
cs_time_parse_iso_sub(const char *s, size_t len, int64_t *out_us, int *sub)
{
    struct scan sc = {s, s + len};
    int64_t y, m, d, tod = 0, off = 0;
    *sub = 0;
    spaces(&sc);
    if (!digits(&sc, 4, 4, &y) || !lit(&sc, '-') || !digits(&sc, 2, 2, &m) ||
        !lit(&sc, '-') || !digits(&sc, 2, 2, &d))
        return false;
    if (!valid_date(y, (unsigned)m, (unsigned)d))
        return false;
    if (sc.p < sc.end && (*sc.p == 'T' || *sc.p == 't' || *sc.p == ' ')) {
        sc.p++;
        if (!clock_part(&sc, 23, &tod, sub))
            return false;
        if (lit(&sc, 'Z') || lit(&sc, 'z')) {
            /* UTC */
        } else if (sc.p < sc.end && (*sc.p == '+' || *sc.p == '-')) {
            int sign = *sc.p == '-' ? -1 : 1;
            sc.p++;
            int64_t oh, om = 0;
            if (!digits(&sc, 2, 2, &oh))
                return false;
            lit(&sc, ':');
            if (sc.p < sc.end && !digits(&sc, 2, 2, &om))
                return false;
            if (oh > 14 || om > 59)
                return false;
            off = sign * (oh * 60 + om) * 60 * CS_US_PER_S;
        }
    }
    spaces(&sc);
    if (sc.p != sc.end)
        return false;
    int64_t t = cs_days_from_civil(y, (unsigned)m, (unsigned)d) * CS_US_PER_DAY + tod - off;
    /* the offset may carry the time out of years 1..9999 (9999-12-31T23:00-14:00) */
    if (t < CS_TIME_MIN_US || t > CS_TIME_MAX_US)
        return false;
    *out_us = t;
    return true;
}

static bool
parse_locale(const char *s, size_t len, enum cs_date_order order,
             int64_t *out_us, int *sub)
{
    struct scan sc = {s, s + len};
    int64_t a, b, y, tod = 0;
    spaces(&sc);
    if (!digits(&sc, 1, 2, &a))
        return false;
    char sep = sc.p < sc.end ? *sc.p : 0;
    if (sep != '/' && sep != '.' && sep != '-')
        return false;
    sc.p++;
    if (!digits(&sc, 1, 2, &b) || !lit(&sc, sep) || !digits(&sc, 4, 4, &y))
        return false;
    int64_t m = a, d = b;
    if (sep == '.' || order == CS_DATE_DMY) {
        m = b;
        d = a;
    }
    if (!valid_date(y, (unsigned)m, (unsigned)d))
        return false;
    lit(&sc, ',');
    spaces(&sc);
    if (sc.p < sc.end) {
        if (!clock_part(&sc, 23, &tod, sub))
            return false;
        spaces(&sc);
        if (sc.p + 2 <= sc.end &&
            (sc.p[0] == 'A' || sc.p[0] == 'a' || sc.p[0] == 'P' ||
             sc.p[0] == 'p') &&
            (sc.p[1] == 'M' || sc.p[1] == 'm')) {
            bool pm = sc.p[0] == 'P' || sc.p[0] == 'p';
            sc.p += 2;
            int64_t h = tod / (3600 * CS_US_PER_S);
            if (h < 1 || h > 12)
                return false;
            if (h == 12)
                tod -= 12 * 3600 * CS_US_PER_S;
            if (pm)
                tod += 12 * 3600 * CS_US_PER_S;
        }
        spaces(&sc);
        if (sc.p < sc.end && (*sc.p == 'Z' || *sc.p == 'z'))
            sc.p++;
        spaces(&sc);
        if (sc.p != sc.end)
            return false;
    }
    *out_us = cs_days_from_civil(y, (unsigned)m, (unsigned)d) * CS_US_PER_DAY +
              tod;
    return true;
}

bool
cs_time_parse_any(const char *s, size_t len, enum cs_date_order order,
                  int64_t *out_us)
{
    int sub;
    return cs_time_parse_any_sub(s, len, order, out_us, &sub);
}

bool
cs_time_parse_any_sub(const char *s, size_t len, enum cs_date_order order,
                      int64_t *out_us, int *sub)
{
    if (cs_time_parse_iso_sub(s, len, out_us, sub))
        return true;
    *sub = 0;
    return parse_locale(s, len, order, out_us, sub);
}

char *
cs_day_format(int64_t day, char *buf)
{
    int64_t y;
    unsigned m, d;
    cs_civil_from_days(day, &y, &m, &d);
    snprintf(buf, 16, "%04d-%02u-%02u", (int)y, m, d);
    return buf;
}

char *
cs_time_format(int64_t time_us, char *buf)
{
    int64_t day = cs_time_day(time_us);
    int64_t rem = time_us - day * CS_US_PER_DAY;
    int64_t s = rem / CS_US_PER_S, frac = rem % CS_US_PER_S;
    int64_t y;
    unsigned m, d;
    cs_civil_from_days(day, &y, &m, &d);
    if (y >= 0 && y <= 9999) { /* as the snprintf below writes it, without it */
        /* (a million-row custom.csv formatted two times a row: 0.3 s) */
        char *p = buf;
        unsigned v[6] = {(unsigned)y, m, d, (unsigned)(s / 3600), (unsigned)(s / 60 % 60),
                         (unsigned)(s % 60)};
        static const char after[6] = {'-', '-', 'T', ':', ':', '\0'};
        for (int k = 0; k < 6; k++) {
            if (k == 0) {
                *p++ = (char)('0' + v[0] / 1000);
                *p++ = (char)('0' + v[0] / 100 % 10);
            }
            *p++ = (char)('0' + v[k] / 10 % 10);
            *p++ = (char)('0' + v[k] % 10);
            if (after[k])
                *p++ = after[k];
        }
        if (frac) {
            *p++ = '.';
            for (int64_t div = 100000; frac; div /= 10) {
                *p++ = (char)('0' + frac / div);
                frac %= div;
            }
        }
        *p++ = 'Z';
        *p = '\0';
        return buf;
    }
    int n = snprintf(buf, 32, "%04d-%02u-%02uT%02d:%02d:%02d", (int)y, m, d,
                     (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
    if (frac) {
        char f[8];
        snprintf(f, sizeof f, "%06d", (int)frac);
        for (int i = 5; i > 0 && f[i] == '0'; i--)
            f[i] = '\0';
        n += snprintf(buf + n, (size_t)(32 - n), ".%s", f);
    }
    snprintf(buf + n, (size_t)(32 - n), "Z");
    return buf;
}
