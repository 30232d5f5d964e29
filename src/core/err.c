/*
 * core/err.c: the error funnel.  cs_fail is the only function that writes
 * a struct cs_err; the status texts live next to the enum's count so that a
 * new code without a text fails to compile.
 */
#include "core/err.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const status_text[] = {
    "ok",
    "out of memory",
    "I/O error",
    "parse error",
    "unexpected input",
    "database error",
    "template error",
    "render error",
    "usage error",
    "internal error",
    "no data",
    "interrupted",
};
static_assert(sizeof status_text / sizeof status_text[0] == CS_E__COUNT,
              "status_text must have one entry per cs_status");

cs_status
cs_fail(struct cs_err *err, cs_status code, const char *where, const char *fmt,
        ...)
{
    if (err == NULL)
        return code;
    err->code = code;
    snprintf(err->where, sizeof err->where, "%s", where ? where : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

void
cs_err_clear(struct cs_err *err)
{
    if (err == NULL)
        return;
    err->code = CS_OK;
    err->where[0] = '\0';
    err->msg[0] = '\0';
}

const char *
cs_strerror(cs_status code)
{
    if ((int)code < 0 || code >= CS_E__COUNT)
        return "unknown error";
    return status_text[code];
}

char *
cs_err_format(const struct cs_err *err, char *buf, size_t n)
{
    if (n == 0)
        return buf;
    if (err->where[0])
        snprintf(buf, n, "%s: %s", err->where, err->msg);
    else
        snprintf(buf, n, "%s", err->msg[0] ? err->msg : cs_strerror(err->code));
    return buf;
}
