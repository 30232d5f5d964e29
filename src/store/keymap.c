/*
 * store/keymap.c: see keymap.h.
 */
#include "store/keymap.h"

#include <string.h>

#include "core/keyhash.h"
#include "core/mem.h"

#define HIGH 0xffffffff00000000ull /* a slot's hash bits; the low half is the number + 1 */

static void
grow(struct cs_keymap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1024;
    uint64_t *slot = xcalloc_hot(cap, sizeof *slot);
    for (size_t i = 0; i < m->n; i++) {
        size_t j = m->k[i].h & (cap - 1);
        while (slot[j])
            j = (j + 1) & (cap - 1);
        slot[j] = (m->k[i].h & HIGH) | (uint64_t)(i + 1);
    }
    xfree(m->slot);
    m->slot = slot;
    m->cap = cap;
}

/* The key's number or SIZE_MAX; *jp: its slot, or the empty slot where it
 * would go. */
static size_t
lookup(const struct cs_keymap *m, const void *key, size_t len, uint64_t h, size_t *jp)
{
    size_t j = h & (m->cap - 1);
    for (; m->slot[j]; j = (j + 1) & (m->cap - 1)) {
        if ((m->slot[j] & HIGH) != (h & HIGH))
            continue;
        const struct cs_keymap_key *k = &m->k[(m->slot[j] & ~HIGH) - 1];
        if (k->h == h && k->len == len && memcmp(m->keys.s + k->off, key, len) == 0)
            break;
    }
    *jp = j;
    return m->slot[j] ? (size_t)(m->slot[j] & ~HIGH) - 1 : SIZE_MAX;
}

size_t
cs_keymap_add(struct cs_keymap *m, const void *key, size_t len)
{
    if ((m->n + 1) * 10 > m->cap * 7)
        grow(m);
    uint64_t h = cs_keyhash(key, len);
    size_t j, i = lookup(m, key, len, h, &j);
    if (i != SIZE_MAX)
        return i;
    if (m->n == m->alloc) {
        m->alloc = m->alloc ? m->alloc * 2 : 1024;
        m->k = xreallocarray(m->k, m->alloc, sizeof *m->k);
    }
    m->k[m->n] = (struct cs_keymap_key){.h = h, .off = m->keys.n, .len = len};
    cs_buf_add(&m->keys, key, len);
    cs_buf_add(&m->keys, "", 1); /* the NUL that ends this key */
    m->slot[j] = (h & HIGH) | (uint64_t)(m->n + 1);
    return m->n++;
}

size_t
cs_keymap_find(const struct cs_keymap *m, const void *key, size_t len)
{
    if (!m->cap)
        return SIZE_MAX;
    size_t j;
    return lookup(m, key, len, cs_keyhash(key, len), &j);
}

/* keys looked up together by cs_keymap_find_many */
#define MANY 64

/* The entry slot value sl names, when it may be h's (else NULL). */
static const struct cs_keymap_key *
entry_of(const struct cs_keymap *m, uint64_t sl, uint64_t h)
{
    return sl && (sl & HIGH) == (h & HIGH) ? &m->k[(sl & ~HIGH) - 1] : NULL;
}

void
cs_keymap_find_many(const struct cs_keymap *m, size_t n, const char *const *key,
                    const size_t *len, size_t *out)
{
    uint64_t h[MANY];
    for (size_t base = 0; base < n; base += MANY) {
        size_t c = n - base < MANY ? n - base : MANY;
        if (!m->cap) {
            for (size_t i = 0; i < c; i++)
                out[base + i] = SIZE_MAX;
            continue;
        }
        for (size_t i = 0; i < c; i++) { /* each key's first slot */
            h[i] = cs_keyhash((const unsigned char *)key[base + i], len[base + i]);
            __builtin_prefetch(&m->slot[h[i] & (m->cap - 1)]);
        }
        for (size_t i = 0; i < c; i++) { /* the entry it names */
            const struct cs_keymap_key *k = entry_of(m, m->slot[h[i] & (m->cap - 1)], h[i]);
            if (k)
                __builtin_prefetch(k);
        }
        for (size_t i = 0; i < c; i++) { /* that entry's key bytes */
            const struct cs_keymap_key *k = entry_of(m, m->slot[h[i] & (m->cap - 1)], h[i]);
            if (k)
                __builtin_prefetch(m->keys.s + k->off);
        }
        for (size_t i = 0; i < c; i++) { /* the lookups, now mostly in cache */
            size_t j;
            out[base + i] = lookup(m, key[base + i], len[base + i], h[i], &j);
        }
    }
}

const char *
cs_keymap_key(const struct cs_keymap *m, size_t i, size_t *len)
{
    if (len)
        *len = m->k[i].len;
    return m->keys.s + m->k[i].off;
}

void
cs_keymap_free(struct cs_keymap *m)
{
    xfree(m->slot);
    xfree(m->k);
    cs_buf_free(&m->keys);
    memset(m, 0, sizeof *m);
}
