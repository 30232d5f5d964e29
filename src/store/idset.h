/*
 * store/idset.h: a set of text ids kept as 64-bit hashes, to count the
 * distinct calls and participants of the statistics scan (store/query.c).
 *
 * Open addressing over the hashes (0 marks an empty slot; a hash of 0 is
 * stored as 1), at most 70% full, doubled when it would be fuller.  Two ids
 * count as one only if their 64-bit hashes are equal (about 1 in 2^64 per
 * pair).  Adds are queued CS_IDSET_AHEAD deep and the slot of each queued
 * hash is prefetched, so the cache misses of a table larger than the CPU's
 * caches overlap instead of following one another; cs_idset_count and
 * cs_idset_has drain the queue first, so answers are exact at any point.
 *
 * The caller owns the struct (zero-initialized = empty) and releases its
 * table with cs_idset_free.
 */
#ifndef CS_STORE_IDSET_H
#define CS_STORE_IDSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CS_IDSET_AHEAD 8

struct cs_idset {
    uint64_t *v;                    /* owned table of cap slots */
    size_t cap, n;                  /* cap: a power of two, or 0; n: distinct hashes */
    uint64_t ahead[CS_IDSET_AHEAD]; /* queued hashes, not yet in v */
    unsigned queued;                /* how many of ahead[] are in use */
    unsigned next;                  /* the oldest queued entry */
};

/* Room for n ids without growing. */
void cs_idset_reserve(struct cs_idset *s, uint64_t n);

/* Add the len bytes at t; nothing when t is NULL or len <= 0. */
void cs_idset_add(struct cs_idset *s, const unsigned char *t, int len);

/* The hash cs_idset_add keeps for the len bytes at t (never 0), or 0 when
 * t is NULL or len <= 0; and adding such a hash (0: nothing).  Lets one
 * thread hash the ids while another fills the set. */
uint64_t cs_idset_hash(const unsigned char *t, int len);
void cs_idset_add_hash(struct cs_idset *s, uint64_t h);

/* Is the id of the len bytes at t in the set? */
bool cs_idset_has(struct cs_idset *s, const unsigned char *t, int len);

/* Distinct ids added so far. */
size_t cs_idset_count(struct cs_idset *s);

/* Free the table; s is empty again. */
void cs_idset_free(struct cs_idset *s);

/* The 64-bit hash of an id or key of len bytes (eight bytes a step, then
 * mixed; never 0) that the join's groups (store/join_keys.c), the load's
 * aggregate and the key maps keep: faster than cs_idset_hash on long ids. */
uint64_t cs_join_id_hash(const unsigned char *t, size_t len);

#endif
