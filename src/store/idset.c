/*
 * store/idset.c: the id set of store/idset.h.
 */
#include "store/idset.h"

#include <string.h>

#include "core/keyhash.h"
#include "core/mem.h"

void
cs_idset_reserve(struct cs_idset *s, uint64_t n)
{
    size_t cap = 4096;
    while (cap * 7 < n * 10 + 10)
        cap *= 2;
    if (cap <= s->cap)
        return;
    struct cs_idset ns = {.cap = cap};
    ns.v = xcalloc_hot(cap, sizeof *ns.v);
    for (size_t i = 0; i < s->cap; i++)
        if (s->v[i]) {
            size_t j = s->v[i] & (cap - 1);
            while (ns.v[j])
                j = (j + 1) & (cap - 1);
            ns.v[j] = s->v[i];
            ns.n++;
        }
    xfree(s->v);
    s->v = ns.v;
    s->cap = ns.cap;
    s->n = ns.n;
}

/* Put hash h into the table itself. */
static void
put(struct cs_idset *s, uint64_t h)
{
    if ((s->n + 1) * 10 > s->cap * 7)
        cs_idset_reserve(s, s->cap ? s->cap : 1); /* doubles */
    size_t m = s->cap - 1;
    size_t j = h & m;
    while (s->v[j]) {
        if (s->v[j] == h)
            return;
        j = (j + 1) & m;
    }
    s->v[j] = h;
    s->n++;
}

static void
drain(struct cs_idset *s)
{
    for (unsigned k = 0; k < s->queued; k++)
        put(s, s->ahead[(s->next + k) % CS_IDSET_AHEAD]);
    s->queued = 0;
    s->next = 0;
}

uint64_t
cs_idset_hash(const unsigned char *t, int len)
{
    return t && len > 0 ? cs_keyhash(t, (size_t)len) : 0;
}

void
cs_idset_add(struct cs_idset *s, const unsigned char *t, int len)
{
    cs_idset_add_hash(s, cs_idset_hash(t, len));
}

void
cs_idset_add_hash(struct cs_idset *s, uint64_t h)
{
    if (!h)
        return;
    if (s->v)
        __builtin_prefetch(&s->v[h & (s->cap - 1)]);
    if (s->queued < CS_IDSET_AHEAD) {
        s->ahead[(s->next + s->queued++) % CS_IDSET_AHEAD] = h;
        return;
    }
    put(s, s->ahead[s->next]);
    s->ahead[s->next] = h;
    s->next = (s->next + 1) % CS_IDSET_AHEAD;
}

bool
cs_idset_has(struct cs_idset *s, const unsigned char *t, int len)
{
    drain(s);
    if (!t || len <= 0 || !s->cap)
        return false;
    uint64_t h = cs_keyhash(t, (size_t)len);
    size_t m = s->cap - 1;
    for (size_t j = h & m; s->v[j]; j = (j + 1) & m)
        if (s->v[j] == h)
            return true;
    return false;
}

size_t
cs_idset_count(struct cs_idset *s)
{
    drain(s);
    return s->n;
}

void
cs_idset_free(struct cs_idset *s)
{
    xfree(s->v);
    memset(s, 0, sizeof *s);
}
