/*
 * store/keymap.h: distinct byte strings (survey ids, JSON keys) numbered
 * 0, 1, 2, ... in the order first added, for the store's one-pass
 * groupings (custom columns' key counts in join.c, the latest app values
 * in app_latest.c): the caller keeps what it needs per string in its own
 * array under that number.
 *
 * Open addressing over a 64-bit hash (cs_keyhash); each slot keeps the
 * hash's high half beside the number, so a miss seldom reads a key, and keys
 * are compared in full, so the numbering is exact.  Keys may hold NUL bytes;
 * at most 2^32 - 2 of them (the number shares a slot with the hash).
 * The caller owns the struct (zero-initialized = empty) and releases it with
 * cs_keymap_free.
 */
#ifndef CS_STORE_KEYMAP_H
#define CS_STORE_KEYMAP_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

struct cs_keymap_key {
    uint64_t h; /* cs_keyhash of the key */
    size_t off; /* the key in keys.s (NUL-terminated there) */
    size_t len;
};

struct cs_keymap {
    uint64_t *slot;          /* owned: high half of the hash | number + 1; 0 = empty */
    size_t cap;              /* a power of two, or 0 */
    struct cs_keymap_key *k; /* owned: n used of alloc, by number */
    size_t n, alloc;
    struct cs_buf keys; /* owned: the keys' bytes */
};

/* The number of the len bytes at key, added when new. */
size_t cs_keymap_add(struct cs_keymap *m, const void *key, size_t len);

/* The number of the len bytes at key, or SIZE_MAX when absent. */
size_t cs_keymap_find(const struct cs_keymap *m, const void *key, size_t len);

/* cs_keymap_find of n keys (len[i] bytes at key[i]) into out[i]: the same
 * answers, with their cache misses overlapped (each key's slot, entry and
 * bytes are fetched ahead for a group of keys before any is compared; a
 * map larger than the CPU's caches costs one miss per step of a lookup,
 * three steps one after another). */
void cs_keymap_find_many(const struct cs_keymap *m, size_t n, const char *const *key,
                         const size_t *len, size_t *out);

/* Key number i (NUL-terminated; *len its bytes when len is not NULL);
 * valid until the next add or free. */
const char *cs_keymap_key(const struct cs_keymap *m, size_t i, size_t *len);

/* Free everything; m is empty again. */
void cs_keymap_free(struct cs_keymap *m);

#endif
