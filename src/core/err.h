/*
 * core/err.h: the one error vocabulary of callsurvey.
 *
 * Every fallible function returns a cs_status and fills a caller-provided
 * struct cs_err (no allocation, so it works when memory is short).  Library
 * code never prints: only src/main.c turns a cs_err into a message and an
 * exit code.  "where" names the place in the input ("file.csv:118:OverallRatingScore"
 * or "weekly.yaml:12"), "msg" is the human text without a trailing newline.
 */
#ifndef CS_ERR_H
#define CS_ERR_H

#include <stddef.h>

#if defined(__GNUC__)
#define CS_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define CS_PRINTF(fmt, args)
#endif

/* cs_status is the single typedef'd enum of the code base (everything else
 * is a plain struct tag), because it is returned by nearly every function. */
typedef enum cs_status {
    CS_OK = 0,
    CS_E_NOMEM,       /* out of memory (x-allocators exit instead; kept for libraries) */
    CS_E_IO,          /* open/read/write/rename failed */
    CS_E_PARSE,       /* input could not be parsed at all */
    CS_E_SCHEMA,      /* input parsed but is not what was expected */
    CS_E_DB,          /* SQLite reported an error */
    CS_E_TEMPLATE,    /* report template invalid */
    CS_E_RENDER,      /* cairo / libxlsxwriter failed */
    CS_E_USAGE,       /* the caller asked for something impossible */
    CS_E_INTERNAL,    /* a bug: invariant broken */
    CS_E_NODATA,      /* nothing usable in the input */
    CS_E_INTERRUPTED, /* SIGINT/SIGTERM/SIGHUP arrived (core/intr.h) */
    CS_E__COUNT       /* keep last */
} cs_status;

struct cs_err {
    cs_status code;  /* CS_OK until cs_fail is called */
    char where[256]; /* "file:line:field", "" when not about an input place */
    char msg[512];   /* human text, no trailing newline */
};

/* Record an error.  Every error assignment goes through here (one breakpoint).
 * err may be NULL (the error is then only returned).  where may be NULL.
 * Returns code, so callers can write `return cs_fail(err, CS_E_IO, path, "...")`. */
cs_status cs_fail(struct cs_err *err, cs_status code, const char *where,
                  const char *fmt, ...) CS_PRINTF(4, 5);

/* Reset err to CS_OK with empty texts. */
void cs_err_clear(struct cs_err *err);

/* Static text for a status code ("I/O error", ...). Never NULL. */
const char *cs_strerror(cs_status code);

/* Format "where: msg" (or just msg) into buf of size n; returns buf. */
char *cs_err_format(const struct cs_err *err, char *buf, size_t n);

#endif
