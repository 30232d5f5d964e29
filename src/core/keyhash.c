/*
 * core/keyhash.c: see keyhash.h.  The one module that uses libsodium.
 */
#include "core/keyhash.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char key[crypto_shorthash_KEYBYTES];

/* Before main: libsodium set up and the key drawn from the system's
 * random source (getrandom; libsodium aborts rather than hand out a key
 * that is not random). */
__attribute__((constructor)) static void
keyhash_init(void)
{
    if (sodium_init() < 0) {
        fputs("callsurvey: error: cannot initialise libsodium (no random source?)\n", stderr);
        exit(1);
    }
    randombytes_buf(key, sizeof key);
}

uint64_t
cs_keyhash(const void *t, size_t len)
{
    unsigned char out[crypto_shorthash_BYTES];
    crypto_shorthash(out, len ? t : (const void *)"", len, key);
    uint64_t h = 0;
    for (int i = 7; i >= 0; i--) /* SipHash's output is little-endian */
        h = h << 8 | out[i];
    return h ? h : 1;
}

void
cs_keyhash_set_key(const unsigned char k[16])
{
    memcpy(key, k, sizeof key);
}
