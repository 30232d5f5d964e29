/* tests/unit/testutil.h: small helpers shared by unit tests (header-only). */
#ifndef CS_TESTUTIL_H
#define CS_TESTUTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Write text to a new temporary file; returns its path (static buffer
 * rotated among 8). */
static inline const char *
tu_tmpfile(const char *text, size_t len)
{
    static char paths[8][64];
    static int k;
    char *p = paths[k++ % 8];
    snprintf(p, 64, "/tmp/cs-test-XXXXXX");
    int fd = mkstemp(p);
    if (fd < 0)
        abort();
    if (write(fd, text, len) != (ssize_t)len)
        abort();
    close(fd);
    return p;
}

/* A pseudo-random number below n from *state (xorshift64; a fixed seed
 * gives the same cases on every run).  *state must not be 0. */
static inline unsigned
tu_rand(uint64_t *state, unsigned n)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return (unsigned)(*state % n);
}

#endif
