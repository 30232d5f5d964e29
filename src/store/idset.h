/*
 * store/idset.h: a set of text ids kept as 64-bit hashes, to count the
 * distinct calls and participants of the statistics scan (store/query.c).
 *
 * Open addressing over the hashes (core/keyhash.h: keyed, never 0; 0
 * marks an empty slot), at most 70% full, doubled when it would be fuller.
 * Two ids count as one only if their 64-bit hashes are equal (1 in 2^64 per
 * pair, and no pair can be made to collide without the run's key).  Adds
 * are queued CS_IDSET_AHEAD deep and the slot of each queued hash is
 * prefetched, so the cache misses of a table larger than the CPU's
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

#endif
