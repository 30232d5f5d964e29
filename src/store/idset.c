/*
 * store/idset.c: the id set of store/idset.h.
 */
#include "store/idset.h"

#include <string.h>

#include "core/mem.h"

/* 64-bit hash of a text, 8 bytes per step, finished with murmur3's fmix64
 * (the byte-at-a-time FNV-1a it replaces was a quarter of the adds). */
static uint64_t
id_hash(const unsigned char *t, size_t len)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ ((uint64_t)len * 0xff51afd7ed558ccdull);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, t + i, 8);
        h = (h ^ w) * 0x87c37b91114253d5ull;
        h = (h << 31 | h >> 33) * 0x4cf5ad432745937full;
    }
    uint64_t w = 0;
    for (size_t j = 0; i + j < len; j++)
        w |= (uint64_t)t[i + j] << (8 * j);
    h = (h ^ w) * 0x87c37b91114253d5ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h ? h : 1;
}

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
    return t && len > 0 ? id_hash(t, (size_t)len) : 0;
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
    uint64_t h = id_hash(t, (size_t)len);
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

/* Eight bytes a step (ids are GUIDs: 36 bytes), then a final mix; the
 * hash is never stored, so byte order does not matter. */
uint64_t
cs_join_id_hash(const unsigned char *t, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ len, w;
    for (; len >= 8; t += 8, len -= 8) {
        memcpy(&w, t, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    if (len) {
        w = 0;
        memcpy(&w, t, len);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
    }
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h ? h : 1;
}
