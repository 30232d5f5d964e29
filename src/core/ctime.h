/*
 * core/ctime.h: time parsing and calendar arithmetic, all in UTC.
 *
 * Times are int64 microseconds since 1970-01-01T00:00:00Z ("time_us").
 * Parsers are strict: impossible dates (2026-02-30, month 13, hour 25) are
 * rejected, never rolled over.  Nothing here consults the C library's locale
 * or time zone.
 */
#ifndef CS_CTIME_H
#define CS_CTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CS_US_PER_S INT64_C(1000000)
#define CS_US_PER_DAY (INT64_C(86400) * CS_US_PER_S)
/* The range of times the parsers accept: 0001-01-01T00:00:00Z up to
 * 9999-12-31T23:59:59.999999Z (after any offset is applied). */
#define CS_TIME_MIN_US (INT64_C(-62135596800) * CS_US_PER_S)
#define CS_TIME_MAX_US (INT64_C(253402300800) * CS_US_PER_S - 1)

/* Day order for locale forms such as "4/16/2021, 9:09:00.730 AM". */
enum cs_date_order {
    CS_DATE_MDY = 0, /* en-US: month first (default) */
    CS_DATE_DMY,     /* day first */
};

/* Parse an ISO 8601 time: "YYYY-MM-DD", "YYYY-MM-DDThh:mm[:ss[.f{1,9}]]"
 * with 'T' or ' ' between, optional "Z", "+hh:mm", "-hh:mm" or "+hhmm"
 * (offsets are applied; no zone means UTC).  A time that lands outside
 * CS_TIME_MIN_US..CS_TIME_MAX_US after its offset is rejected.  Second 60
 * (a leap second, in any form) is read as the last instant of its minute,
 * hh:mm:59.999999, whatever fraction follows it.  s need not be NUL-terminated.
 * Returns true and sets *out_us on success. */
bool cs_time_parse_iso(const char *s, size_t len, int64_t *out_us);

/* Parse a time as the Azure portal writes it into CSV exports: ISO 8601, or
 * a locale form "M/D/YYYY, h:mm[:ss[.fff]] AM|PM", "D/M/YYYY HH:mm[:ss]",
 * "D.M.YYYY HH:mm:ss" (dots mean day first), with the given order for
 * slash forms.  Surrounding spaces are ignored. */
bool cs_time_parse_any(const char *s, size_t len, enum cs_date_order order,
                       int64_t *out_us);

/* As cs_time_parse_iso / cs_time_parse_any, also giving the 7th fractional
 * digit (0..9: the 100 ns tick within *out_us, Azure's own precision; 0 when
 * the text has fewer digits).  Digits past the 7th are dropped.  The
 * ordering key of a time at Azure's precision is *out_us * 10 + *sub. */
bool cs_time_parse_iso_sub(const char *s, size_t len, int64_t *out_us, int *sub);
bool cs_time_parse_any_sub(const char *s, size_t len, enum cs_date_order order,
                           int64_t *out_us, int *sub);

/* Days since 1970-01-01 for a proleptic Gregorian date; no range check. */
int64_t cs_days_from_civil(int64_t y, unsigned m, unsigned d);
/* Inverse of cs_days_from_civil. */
void cs_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/* Floor division of a time to its day number (days since epoch). */
int64_t cs_time_day(int64_t time_us);

/* ISO 8601 week of a day number: *iso_year and *week (1..53); returns the
 * packed form iso_year*100+week (e.g. 202647). */
int cs_iso_week(int64_t day, int *iso_year, int *week);

/* Monday (day number) of ISO week `week` of `iso_year`. */
int64_t cs_iso_week_monday(int iso_year, int week);

/* Parse "YYYY-Www" (e.g. "2026-W47"): sets the [start, end) window of that
 * week in time_us.  Rejects week 53 in years that have none. */
bool cs_week_parse(const char *s, int64_t *start_us, int64_t *end_us);

/* Format as "2026-11-16T08:00:00.123456Z" (fraction only when non-zero,
 * trailing zeros removed). buf must hold 32 bytes. Returns buf. */
char *cs_time_format(int64_t time_us, char *buf);

/* Format a day number as "2026-11-16". buf must hold 16 bytes. */
char *cs_day_format(int64_t day, char *buf);

#endif
