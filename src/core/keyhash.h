/*
 * core/keyhash.h: the 64-bit hash that stands in for an id where two ids
 * are taken as one when their hashes are equal (the distinct counts of
 * store/idset.h, the join audit's survey-to-answers match of
 * store/join_keys.c), and that numbers keys in hash tables an input can
 * fill (store/keymap.h).
 *
 * SipHash-2-4 (libsodium's crypto_shorthash) under a key drawn at random
 * when the program starts: a pseudorandom function, so ids that collide
 * cannot be made without the key, which never leaves the process.  An
 * unkeyed hash would let anyone who writes survey or event ids make two of
 * them collide (an answer to a survey that does not exist counted as
 * answering one that does, two calls counted as one; or a table's lookups
 * made quadratic).  Two given ids still collide with probability 2^-64.
 * Nothing hashed here is stored or printed, so the random key changes no
 * output.  Thread-safe: the key is set before main.
 */
#ifndef CS_CORE_KEYHASH_H
#define CS_CORE_KEYHASH_H

#include <stddef.h>
#include <stdint.h>

/* The keyed hash of the len bytes at t (t may be NULL when len is 0);
 * never 0 (a hash of 0 is given as 1), so tables may mark empty slots
 * with 0. */
uint64_t cs_keyhash(const void *t, size_t len);

/* Tests only: hash under the 16-byte key from now on (another test's
 * fixture of ids that collide under a known key).  Not thread-safe: call
 * before anything hashes. */
void cs_keyhash_set_key(const unsigned char key[16]);

#endif
