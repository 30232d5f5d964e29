/*
 * ingest/event_canon.c: see event_canon.h.
 */
#include "ingest/event_canon.h"

#include <string.h>

#include "core/mem.h"

/* One member: its key and value as they are in the text (no escapes). */
struct member {
    const char *k, *v;
    size_t kn, vn;
};

enum kind { K_STRING,
            K_INT };

static size_t
skip_ws(const char *t, size_t i, size_t len)
{
    while (i < len && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r'))
        i++;
    return i;
}

/* The string at t[i] (its opening quote) without escapes or control bytes:
 * its bytes in *s, *n; the index after its closing quote, 0 when not. */
static size_t
plain_string(const char *t, size_t i, size_t len, const char **s, size_t *n)
{
    if (i >= len || t[i] != '"')
        return 0;
    size_t j = ++i;
    while (j < len && t[j] != '"') {
        if (t[j] == '\\' || (unsigned char)t[j] < 0x20)
            return 0;
        j++;
    }
    if (j >= len)
        return 0;
    *s = t + i;
    *n = j - i;
    return j + 1;
}

/* The integer at t[i] (-?[0-9]{1,9}, no leading zero); 0 when not. */
static size_t
small_int(const char *t, size_t i, size_t len, const char **s, size_t *n)
{
    size_t j = i + (i < len && t[i] == '-');
    size_t d = j;
    while (j < len && t[j] >= '0' && t[j] <= '9')
        j++;
    if (j == d || j - d > 9 || (t[d] == '0' && j - d > 1))
        return 0;
    if (j < len && (t[j] == '.' || t[j] == 'e' || t[j] == 'E'))
        return 0;
    *s = t + i;
    *n = j - i;
    return j;
}

/* The members of the object text, values of kind k; -1 when not simple. */
static int
members(const char *t, size_t len, enum kind k, struct member *m)
{
    size_t i = skip_ws(t, 0, len);
    if (i >= len || t[i] != '{')
        return -1;
    i = skip_ws(t, i + 1, len);
    int n = 0;
    if (i < len && t[i] == '}')
        return skip_ws(t, i + 1, len) == len ? 0 : -1;
    for (;;) {
        if (n == CS_CANON_MAX)
            return -1;
        struct member *x = &m[n++];
        if (!(i = plain_string(t, i, len, &x->k, &x->kn)))
            return -1;
        i = skip_ws(t, i, len);
        if (i >= len || t[i] != ':')
            return -1;
        i = skip_ws(t, i + 1, len);
        i = k == K_STRING ? plain_string(t, i, len, &x->v, &x->vn)
                          : small_int(t, i, len, &x->v, &x->vn);
        if (!i)
            return -1;
        i = skip_ws(t, i, len);
        if (i < len && t[i] == ',') {
            i = skip_ws(t, i + 1, len);
            continue;
        }
        if (i < len && t[i] == '}')
            return skip_ws(t, i + 1, len) == len ? n : -1;
        return -1;
    }
}

/* strcmp's order of the keys (no NUL inside them). */
static int
key_cmp(const struct member *a, const struct member *b)
{
    int c = memcmp(a->k, b->k, a->kn < b->kn ? a->kn : b->kn);
    return c ? c : (a->kn > b->kn) - (a->kn < b->kn);
}

/* Sort by key, members of equal keys in input order (insertion sort:
 * stable, and objects are small). */
static void
sort_members(struct member *m, int n)
{
    for (int i = 1; i < n; i++) {
        struct member x = m[i];
        int j = i;
        while (j > 0 && key_cmp(&m[j - 1], &x) > 0) {
            m[j] = m[j - 1];
            j--;
        }
        m[j] = x;
    }
}

/* {"k":v,...} with string values quoted; an owned string. */
static char *
print_members(const struct member *m, int n, enum kind k)
{
    size_t size = 3;
    for (int i = 0; i < n; i++)
        size += m[i].kn + m[i].vn + 6;
    char *out = xmalloc(size), *o = out;
    *o++ = '{';
    for (int i = 0; i < n; i++) {
        if (i)
            *o++ = ',';
        *o++ = '"';
        memcpy(o, m[i].k, m[i].kn);
        o += m[i].kn;
        *o++ = '"';
        *o++ = ':';
        if (k == K_STRING)
            *o++ = '"';
        if (k == K_INT && m[i].vn == 2 && m[i].v[0] == '-' && m[i].v[1] == '0') {
            *o++ = '0'; /* cJSON prints -0 as the integer 0 */
        } else {
            memcpy(o, m[i].v, m[i].vn);
            o += m[i].vn;
        }
        if (k == K_STRING)
            *o++ = '"';
    }
    *o++ = '}';
    *o = '\0';
    return out;
}

/* events.c's key match: ASCII case-insensitive, whole key. */
static bool
key_is(const struct member *x, const char *key)
{
    size_t i = 0;
    for (; i < x->kn && key[i]; i++)
        if ((x->k[i] | 0x20) != (key[i] | 0x20))
            return false;
    return i == x->kn && key[i] == '\0';
}

bool
cs_canon_props(const char *text, size_t len, const char *id_key, char **props, const char **id,
               size_t *id_len)
{
    struct member m[CS_CANON_MAX];
    int n = members(text, len, K_STRING, m);
    if (n < 0)
        return false;
    *id = NULL;
    *id_len = 0;
    for (int i = 0; i < n; i++)
        if (key_is(&m[i], id_key)) {
            *id = m[i].v;
            *id_len = m[i].vn;
            memmove(&m[i], &m[i + 1], (size_t)(n - i - 1) * sizeof *m);
            n--;
            break;
        }
    sort_members(m, n);
    *props = print_members(m, n, K_STRING);
    return true;
}

bool
cs_canon_measurements(const char *text, size_t len, char **out)
{
    struct member m[CS_CANON_MAX];
    int n = members(text, len, K_INT, m);
    if (n < 0)
        return false;
    sort_members(m, n);
    *out = n ? print_members(m, n, K_INT) : NULL;
    return true;
}
