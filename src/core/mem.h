/*
 * core/mem.h: allocation policy.  callsurvey is a batch tool, so running out
 * of memory is fatal: the x-allocators never return NULL; on failure they
 * print "callsurvey: out of memory allocating N bytes" and abort().  They also
 * reject n*size overflow.  xfree(NULL) is a no-op.
 *
 * In a TEST_FAULTS build, cs_fault_hit("alloc") lets a test make the Nth
 * allocation fail (see core/fault.h).
 */
#ifndef CS_MEM_H
#define CS_MEM_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
/* reallocarray with overflow check */
void *xreallocarray(void *p, size_t count, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
void xfree(void *p);

/* Printf into a new string; returns owned (free with xfree). */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
