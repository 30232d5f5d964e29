/*
 * core/buf.c: the growable text buffer (core/buf.h).  Capacity doubles, so
 * n appends cost O(total length).
 */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"

static void
reserve(struct cs_buf *b, size_t extra)
{
    if (b->cap - b->n > extra)
        return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap - b->n <= extra)
        cap *= 2;
    b->s = xrealloc(b->s, cap);
    b->cap = cap;
}

char *
cs_buf_reserve(struct cs_buf *b, size_t n)
{
    reserve(b, n);
    return b->s + b->n;
}

void
cs_buf_commit(struct cs_buf *b, size_t k)
{
    b->n += k;
    b->s[b->n] = '\0';
}

void
cs_buf_clear(struct cs_buf *b)
{
    b->n = 0;
    if (b->s)
        b->s[0] = '\0';
}

void
cs_buf_add(struct cs_buf *b, const char *s, size_t n)
{
    reserve(b, n);
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
}

void
cs_buf_puts(struct cs_buf *b, const char *s)
{
    cs_buf_add(b, s, strlen(s));
}

void
cs_buf_vprintf(struct cs_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    reserve(b, 0);
    int k = vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
    if (k >= 0 && (size_t)k >= b->cap - b->n) {
        reserve(b, (size_t)k);
        k = vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap2);
    }
    va_end(ap2);
    if (k > 0)
        b->n += (size_t)k;
    else
        b->s[b->n] = '\0';
}

void
cs_buf_printf(struct cs_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cs_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

char *
cs_buf_take(struct cs_buf *b)
{
    char *s = b->s ? b->s : xstrdup("");
    b->s = NULL;
    b->n = b->cap = 0;
    return s;
}

void
cs_buf_free(struct cs_buf *b)
{
    xfree(b->s);
    b->s = NULL;
    b->n = b->cap = 0;
}

void
cs_buf_pad(struct cs_buf *b, const char *s, size_t width)
{
    size_t chars = 0;
    for (const char *p = s; *p; p++)
        chars += ((unsigned char)*p & 0xC0) != 0x80;
    cs_buf_puts(b, s);
    while (chars++ < width)
        cs_buf_add(b, " ", 1);
}

size_t
cs_u64_dec(char *out, uint64_t v)
{
    char t[20];
    size_t n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = t[n - 1 - i];
    return n;
}

void
cs_buf_u64(struct cs_buf *b, uint64_t v)
{
    cs_buf_commit(b, cs_u64_dec(cs_buf_reserve(b, 20), v));
}

char *
cs_thousands(uint64_t v, char *b)
{
    char t[32];
    int n = snprintf(t, sizeof t, "%llu", (unsigned long long)v);
    int o = 0;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            b[o++] = ',';
        b[o++] = t[i];
    }
    b[o] = '\0';
    return b;
}
