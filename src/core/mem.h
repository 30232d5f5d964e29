/*
 * core/mem.h: allocation policy.  callsurvey is a batch tool, so running out
 * of memory is fatal: the x-allocators never return NULL.  On failure they
 * remove the temporary files of unfinished outputs (core/afile.h), print
 * "callsurvey: error: out of memory allocating N bytes" and end the process
 * with exit status 1 ("could not do what was asked", DESIGN.md §5) without
 * running any more of the program: an open database transaction is then
 * never committed, so SQLite leaves the database as before it.  They also
 * reject n*size overflow.  xfree(NULL) is a no-op.
 *
 * In a TEST_FAULTS build the names below are macros that pass the caller's
 * __FILE__ and __LINE__, so each call site is a fault site "alloc FILE:LINE"
 * that a test can make fail (see core/fault.h).  Other builds call the
 * functions directly and pay nothing.  Taking the address (xmalloc without
 * parentheses, for a library's allocator hook) still gives the function.
 */
#ifndef CS_MEM_H
#define CS_MEM_H

#include <stddef.h>
#include <string.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* reallocarray with overflow check */
void *xreallocarray(void *p, size_t count, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
void xfree(void *p);

/* xcalloc_hot(count, size): zeroed as by xcalloc, for a large hash table
 * whose every page is soon written.  calloc hands over fresh pages unread;
 * a table's first probe reads a page before the insert writes it, so the
 * kernel maps the shared zero page, then copies it on the write and flushes
 * that mapping from every core running the process (an interprocessor
 * interrupt per page: at 1M surveys 0.2 core-s of the id sets, the survey
 * index and the key maps, issue 22).  Written now by memset, each page is
 * faulted in once, already writable.  A macro over xreallocarray so that
 * TEST_FAULTS builds keep the caller's line as the fault site. */
static inline void *
cs_mem_zero(void *p, size_t n)
{
    return memset(p, 0, n);
}
#define xcalloc_hot(count, size) \
    cs_mem_zero(xreallocarray(NULL, (count), (size)), (size_t)(count) * (size_t)(size))

/* Called (async-signal-safe code only) just before the process exits for
 * want of memory: core/afile registers its temporary-file cleanup here
 * when it first remembers a file, so mem needs no afile.  NULL = none. */
void cs_mem_on_oom(void (*fn)(void));

/* Printf into a new string; returns owned (free with xfree). */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#ifdef TEST_FAULTS
void *cs_xmalloc_at(size_t n, const char *file, int line);
void *cs_xcalloc_at(size_t count, size_t size, const char *file, int line);
void *cs_xrealloc_at(void *p, size_t n, const char *file, int line);
void *cs_xreallocarray_at(void *p, size_t count, size_t size, const char *file,
                          int line);
char *cs_xstrndup_at(const char *s, size_t n, const char *file, int line);
char *cs_xstrdup_at(const char *s, const char *file, int line);
char *cs_xasprintf_at(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define xmalloc(n) cs_xmalloc_at((n), __FILE__, __LINE__)
#define xcalloc(c, s) cs_xcalloc_at((c), (s), __FILE__, __LINE__)
#define xrealloc(p, n) cs_xrealloc_at((p), (n), __FILE__, __LINE__)
#define xreallocarray(p, c, s) cs_xreallocarray_at((p), (c), (s), __FILE__, __LINE__)
#define xstrdup(s) cs_xstrdup_at((s), __FILE__, __LINE__)
#define xstrndup(s, n) cs_xstrndup_at((s), (n), __FILE__, __LINE__)
#define xasprintf(...) cs_xasprintf_at(__FILE__, __LINE__, __VA_ARGS__)
#endif

#endif
