/*
 * core/json_plain.c: see json_plain.h.
 */
#include "core/json_plain.h"

#include <string.h>

void
cs_plain_begin(struct cs_plain_iter *it, const char *t, size_t len, bool escaped_values)
{
    it->p = t;
    it->end = t + len;
    it->started = false;
    it->escaped_values = escaped_values;
}

/* A string's bytes from p (after its opening quote) to its closing quote:
 * that quote's position, NULL at a backslash, a control byte or the end. */
static const char *
string_end(const char *p, const char *end)
{
    for (; p < end; p++) {
        if (*p == '"')
            return p;
        if (*p == '\\' || (unsigned char)*p < 0x20)
            return NULL;
    }
    return NULL;
}

static bool
is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* As string_end, with JSON's escapes allowed (and checked). */
static const char *
escaped_string_end(const char *p, const char *end)
{
    for (; p < end; p++) {
        if (*p == '"')
            return p;
        if ((unsigned char)*p < 0x20)
            return NULL;
        if (*p != '\\')
            continue;
        if (++p >= end)
            return NULL;
        if (*p == 'u') {
            if (end - p < 5 || !is_hex(p[1]) || !is_hex(p[2]) || !is_hex(p[3]) || !is_hex(p[4]))
                return NULL;
            p += 4;
        } else if (!strchr("\"\\/bfnrt", *p) || *p == '\0') {
            return NULL;
        }
    }
    return NULL;
}

/* A whole number's end from p, NULL when there is none. */
static const char *
number_end(const char *p, const char *end)
{
    const char *q = p + (p < end && *p == '-');
    if (q >= end || *q < '0' || *q > '9')
        return NULL;
    const char *d = q;
    if (*q == '0')
        q++;
    else
        while (q < end && *q >= '0' && *q <= '9')
            q++;
    if (q - d > 15 || (q < end && (*q == '.' || *q == 'e' || *q == 'E' || (*q >= '0' && *q <= '9'))))
        return NULL;
    return q;
}

int
cs_plain_next(struct cs_plain_iter *it, struct cs_plain_member *m)
{
    const char *p = it->p, *end = it->end;
    if (!it->started) {
        if (p >= end || *p++ != '{')
            return -1;
        it->started = true;
        if (p < end && *p == '}')
            return p + 1 == end ? (it->p = p + 1, 0) : -1;
    } else {
        if (p < end && *p == '}')
            return p + 1 == end ? (it->p = p + 1, 0) : -1;
        if (p >= end || *p++ != ',')
            return -1;
    }
    if (p >= end || *p++ != '"')
        return -1;
    const char *ke = string_end(p, end);
    if (!ke || ke + 1 >= end || ke[1] != ':')
        return -1;
    m->key = p;
    m->key_len = (size_t)(ke - p);
    p = ke + 2;
    const char *ve;
    if (p < end && *p == '"') {
        ve = it->escaped_values ? escaped_string_end(p + 1, end) : string_end(p + 1, end);
        if (!ve)
            return -1;
        m->val = p + 1;
        m->val_len = (size_t)(ve - p - 1);
        m->is_string = true;
        p = ve + 1;
    } else {
        if (!(ve = number_end(p, end)))
            return -1;
        m->val = p;
        m->val_len = (size_t)(ve - p);
        m->is_string = false;
        p = ve;
    }
    it->p = p;
    return 1;
}
