/*
 * core/utf8.c: strict UTF-8 decoding and cleaning (see utf8.h).  The clean
 * path scans first and copies only when something must change, so valid
 * text (nearly all of it) costs one pass and no allocation.
 */
#include "core/utf8.h"

#include <string.h>

#include "core/mem.h"

long
cs_utf8_decode(const unsigned char *s, size_t n, size_t *adv)
{
    *adv = 1;
    unsigned char c = s[0];
    if (c < 0x80)
        return c;
    size_t k;
    long cp, min;
    if (c >= 0xC2 && c <= 0xDF) {
        k = 1;
        cp = c & 0x1F;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        k = 2;
        cp = c & 0x0F;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        k = 3;
        cp = c & 0x07;
        min = 0x10000;
    } else {
        return -1;
    }
    if (n < k + 1)
        return -1;
    for (size_t i = 1; i <= k; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return -1;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return -1;
    *adv = k + 1;
    return cp;
}

static bool
replaced(long cp, unsigned flags)
{
    if (cp < 0)
        return true;
    if (!(flags & CS_UTF8_CONTROLS))
        return false;
    if (cp == '\t')
        return false;
    if (cp == '\n')
        return (flags & CS_UTF8_NO_BREAKS) != 0;
    if (cp == '\r')
        return (flags & (CS_UTF8_NO_BREAKS | CS_UTF8_NO_CR)) != 0;
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

bool
cs_utf8_clean_already(const char *s, size_t len, unsigned flags)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        if (u[i] >= 0x20 && u[i] < 0x7F) { /* the common case */
            i++;
            continue;
        }
        size_t adv;
        if (replaced(cs_utf8_decode(u + i, len - i, &adv), flags))
            return false;
        i += adv;
    }
    return true;
}

char *
cs_utf8_clean(const char *s, size_t len, unsigned flags, size_t *n_replaced)
{
    if (n_replaced)
        *n_replaced = 0;
    if (!s || cs_utf8_clean_already(s, len, flags))
        return NULL;
    /* U+FFFD is 3 bytes and replaces at least 1 */
    char *out = xmalloc(len * 3 + 1);
    const unsigned char *u = (const unsigned char *)s;
    size_t o = 0, n = 0;
    for (size_t i = 0; i < len;) {
        size_t adv;
        long cp = cs_utf8_decode(u + i, len - i, &adv);
        if (replaced(cp, flags)) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            n++;
        } else {
            memcpy(out + o, s + i, adv);
            o += adv;
        }
        i += adv;
    }
    out[o] = '\0';
    if (n_replaced)
        *n_replaced = n;
    return out;
}
