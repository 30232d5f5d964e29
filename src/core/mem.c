/*
 * core/mem.c: x-allocators.  See mem.h for the policy: out of memory ends
 * the process at once with a message and exit status 1, after removing the
 * temporary files of unfinished outputs.  It does not abort(): that would
 * be a crash (status 134 and a core file) for an ordinary resource limit,
 * and DESIGN.md §5 documents 1 for "could not do what was asked".  It does
 * not exit() either: atexit handlers and stdio flushing could run into the
 * same shortage, and another thread may be half-way through a statement,
 * so nothing of the program runs after the message; SQLite rolls back an
 * uncommitted transaction when the database is next opened.
 *
 * In TEST_FAULTS builds every allocator also asks core/fault whether this
 * call site must fail, and the plain functions (reached only through
 * function pointers there) count as the site "(pointer):0".
 */
#include "core/mem.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fault.h"

/* The functions below define the names mem.h may have made macros. */
#undef xmalloc
#undef xcalloc
#undef xrealloc
#undef xreallocarray
#undef xstrdup
#undef xstrndup
#undef xasprintf

#ifndef TEST_FAULTS
#define SITE_ARGS
#define SITE_PASS
#define FAULT(kind) false
#else
#define SITE_ARGS , const char *file, int line
#define SITE_PASS , file, line
#define FAULT(kind) cs_fault_hit(kind, file, line)
#endif

static void (*oom_hook)(void); /* accessed atomically */

void
cs_mem_on_oom(void (*fn)(void))
{
    __atomic_store_n(&oom_hook, fn, __ATOMIC_RELEASE);
}

static _Noreturn void
oom(size_t n)
{
    char buf[128];
    int len = snprintf(buf, sizeof buf,
                       "callsurvey: error: out of memory allocating %zu bytes\n", n);
    void (*hook)(void) = __atomic_load_n(&oom_hook, __ATOMIC_ACQUIRE);
    if (hook)
        hook();
    if (len > 0 && write(STDERR_FILENO, buf, (size_t)len) < 0) {
        /* nothing more can be done */
    }
    _exit(1);
}

static void *
do_malloc(size_t n SITE_ARGS)
{
    void *p = FAULT("alloc") ? NULL : malloc(n ? n : 1);
    if (p == NULL)
        oom(n);
    return p;
}

static void *
do_calloc(size_t count, size_t size SITE_ARGS)
{
    if (size && count > SIZE_MAX / size)
        oom(SIZE_MAX);
    void *p = FAULT("alloc") ? NULL : calloc(count ? count : 1, size ? size : 1);
    if (p == NULL)
        oom(count * size);
    return p;
}

static void *
do_realloc(void *p, size_t n SITE_ARGS)
{
    void *q = FAULT("alloc") ? NULL : realloc(p, n ? n : 1);
    if (q == NULL)
        oom(n);
    return q;
}

static void *
do_reallocarray(void *p, size_t count, size_t size SITE_ARGS)
{
    if (size && count > SIZE_MAX / size)
        oom(SIZE_MAX);
    return do_realloc(p, count * size SITE_PASS);
}

static char *
do_strndup(const char *s, size_t n SITE_ARGS)
{
    char *p = do_malloc(n + 1 SITE_PASS);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

static char *do_vasprintf(const char *fmt, va_list ap SITE_ARGS)
    __attribute__((format(printf, 1, 0)));
static char *
do_vasprintf(const char *fmt, va_list ap SITE_ARGS)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0)
        oom(0);
    char *s = do_malloc((size_t)n + 1 SITE_PASS);
    vsnprintf(s, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return s;
}

#ifndef TEST_FAULTS
#define PLAIN
#else
#define PLAIN , "(pointer)", 0
#endif

void *
xmalloc(size_t n)
{
    return do_malloc(n PLAIN);
}

void *
xcalloc(size_t count, size_t size)
{
    return do_calloc(count, size PLAIN);
}

void *
xrealloc(void *p, size_t n)
{
    return do_realloc(p, n PLAIN);
}

void *
xreallocarray(void *p, size_t count, size_t size)
{
    return do_reallocarray(p, count, size PLAIN);
}

char *
xstrdup(const char *s)
{
    return do_strndup(s, strlen(s) PLAIN);
}

char *
xstrndup(const char *s, size_t n)
{
    return do_strndup(s, n PLAIN);
}

void
xfree(void *p)
{
    free(p);
}

char *
xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = do_vasprintf(fmt, ap PLAIN);
    va_end(ap);
    return s;
}

#ifdef TEST_FAULTS

void *
cs_xmalloc_at(size_t n, const char *file, int line)
{
    return do_malloc(n, file, line);
}

void *
cs_xcalloc_at(size_t count, size_t size, const char *file, int line)
{
    return do_calloc(count, size, file, line);
}

void *
cs_xrealloc_at(void *p, size_t n, const char *file, int line)
{
    return do_realloc(p, n, file, line);
}

void *
cs_xreallocarray_at(void *p, size_t count, size_t size, const char *file, int line)
{
    return do_reallocarray(p, count, size, file, line);
}

char *
cs_xstrdup_at(const char *s, const char *file, int line)
{
    return do_strndup(s, strlen(s), file, line);
}

char *
cs_xstrndup_at(const char *s, size_t n, const char *file, int line)
{
    return do_strndup(s, n, file, line);
}

char *
cs_xasprintf_at(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = do_vasprintf(fmt, ap, file, line);
    va_end(ap);
    return s;
}

#endif
