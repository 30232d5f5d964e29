/* tests/unit/test_idset.c: store/idset (the distinct calls and participants
 * of the statistics scan): exact counts and membership on 100,000 generated
 * ids with repeats, growth from empty and after a reserve, ids that differ
 * in one byte or only in length (so slots collide and probe), the queue of
 * prefetched adds drained by every question.  Expected counts follow from
 * how the ids are generated, not from the set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "store/idset.h"
#include "store/keymap.h"

/* id number k as a GUID-like text: its hex digits after a pseudo-random
 * (but k-determined) prefix, so distinct k give distinct texts */
static int
make_id(char *buf, size_t cap, const char *kind, uint32_t k)
{
    uint64_t x = 0x9E3779B97F4A7C15ull * (k + 1);
    x ^= x >> 29;
    return snprintf(buf, cap, "%s%08x-%04x-%04x-%012llx", kind, (unsigned)(x >> 32),
                    (unsigned)(x >> 16) & 0xffff, (unsigned)x & 0xffff, (unsigned long long)k);
}

static void
test_membership_100k(void **state)
{
    (void)state;
    struct cs_idset s = {0}; /* no reserve: grows from empty */
    char id[80];
    for (uint32_t i = 0; i < 100000; i++) {
        int n = make_id(id, sizeof id, "call-", i % 70001);
        cs_idset_add(&s, (const unsigned char *)id, n);
        if (i == 4999)
            assert_int_equal(cs_idset_count(&s), 5000);
        if (i == 4999 || i == 70000 || i == 99999) {
            /* asked mid-queue: the last id added is already a member */
            assert_true(cs_idset_has(&s, (const unsigned char *)id, n));
        }
    }
    assert_int_equal(cs_idset_count(&s), 70001);
    assert_true(s.cap >= 70001 * 10 / 7);
    for (uint32_t k = 0; k < 70001; k++) {
        int n = make_id(id, sizeof id, "call-", k);
        assert_true(cs_idset_has(&s, (const unsigned char *)id, n));
    }
    for (uint32_t k = 0; k < 100000; k++) {
        int n = make_id(id, sizeof id, "part-", k);
        assert_false(cs_idset_has(&s, (const unsigned char *)id, n));
    }
    /* adding them all again changes nothing */
    for (uint32_t k = 0; k < 70001; k++) {
        int n = make_id(id, sizeof id, "call-", k);
        cs_idset_add(&s, (const unsigned char *)id, n);
    }
    assert_int_equal(cs_idset_count(&s), 70001);
    cs_idset_free(&s);
    assert_int_equal(cs_idset_count(&s), 0);
    assert_null(s.v);
}

static void
test_near_ids_and_growth(void **state)
{
    (void)state;
    struct cs_idset s = {0};
    cs_idset_reserve(&s, 10);
    assert_int_equal(s.cap, 4096);
    /* ids of 'a's with one byte changed, at every position of every length
     * from 1 to 40 (word boundaries and tails), to each letter */
    char id[41];
    size_t expect = 0;
    for (int len = 1; len <= 40; len++) {
        for (int p = 0; p < len; p++)
            for (char c = 'a'; c <= 'z'; c++) {
                memset(id, 'a', (size_t)len);
                id[p] = c;
                cs_idset_add(&s, (const unsigned char *)id, len);
            }
        /* per length: the all-'a' id once, and 25 others per position */
        expect += 1 + (size_t)len * 25;
    }
    assert_int_equal(cs_idset_count(&s), expect); /* 20,540: grown past 4096 */
    assert_true(s.cap >= 32768);
    memset(id, 'a', 40);
    id[39] = 'q';
    assert_true(cs_idset_has(&s, (const unsigned char *)id, 40));
    id[38] = 'q';
    assert_false(cs_idset_has(&s, (const unsigned char *)id, 40));
    assert_false(cs_idset_has(&s, (const unsigned char *)id, 0));
    /* a reserve keeps what is there */
    cs_idset_reserve(&s, 200000);
    assert_int_equal(cs_idset_count(&s), expect);
    memset(id, 'a', 17);
    assert_true(cs_idset_has(&s, (const unsigned char *)id, 17));
    /* NULL and empty ids are not ids */
    cs_idset_add(&s, NULL, 5);
    cs_idset_add(&s, (const unsigned char *)"x", 0);
    cs_idset_add(&s, (const unsigned char *)"x", -1);
    assert_int_equal(cs_idset_count(&s), expect);
    cs_idset_free(&s);
}

/* Hashing apart and adding the hash (the scan's two threads) is adding
 * the text: the same set. */
static void
test_add_hash(void **state)
{
    (void)state;
    struct cs_idset a = {0}, b = {0};
    char id[32];
    for (int i = 0; i < 20000; i++) {
        int len = snprintf(id, sizeof id, "call-%d", i % 7000);
        cs_idset_add(&a, (const unsigned char *)id, len);
        cs_idset_add_hash(&b, cs_idset_hash((const unsigned char *)id, len));
    }
    assert_int_equal(cs_idset_hash(NULL, 3), 0);
    assert_int_equal(cs_idset_hash((const unsigned char *)"x", 0), 0);
    assert_true(cs_idset_hash((const unsigned char *)"x", 1) != 0);
    cs_idset_add_hash(&b, 0); /* none: nothing */
    assert_int_equal(cs_idset_count(&a), 7000);
    assert_int_equal(cs_idset_count(&b), 7000);
    assert_true(cs_idset_has(&b, (const unsigned char *)"call-6999", 9));
    assert_false(cs_idset_has(&b, (const unsigned char *)"call-7000", 9));
    cs_idset_free(&a);
    cs_idset_free(&b);
}

/* store/keymap.h: numbers in order of first addition, exact on keys that
 * differ only after a NUL or in length, found again after the table grew
 * past its first 1,024 slots. */
static void
test_keymap(void **state)
{
    (void)state;
    struct cs_keymap m = {0};
    assert_int_equal(cs_keymap_find(&m, "a", 1), SIZE_MAX);
    assert_int_equal(cs_keymap_add(&m, "a\0x", 3), 0);
    assert_int_equal(cs_keymap_add(&m, "a\0y", 3), 1);
    assert_int_equal(cs_keymap_add(&m, "a", 1), 2);
    assert_int_equal(cs_keymap_add(&m, "a\0x", 3), 0);
    char k[32];
    for (int i = 0; i < 3000; i++) {
        int n = snprintf(k, sizeof k, "id-%d", i);
        assert_int_equal(cs_keymap_add(&m, k, (size_t)n), (size_t)(3 + i));
    }
    assert_int_equal(m.n, 3003);
    for (int i = 0; i < 3000; i++) {
        int n = snprintf(k, sizeof k, "id-%d", i);
        assert_int_equal(cs_keymap_find(&m, k, (size_t)n), (size_t)(3 + i));
    }
    assert_int_equal(cs_keymap_find(&m, "id-3000", 7), SIZE_MAX);
    assert_int_equal(cs_keymap_find(&m, "a\0y", 3), 1);
    size_t len;
    const char *t = cs_keymap_key(&m, 1, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(t, "a\0y", 4); /* with its NUL after */
    assert_string_equal(cs_keymap_key(&m, 2502, NULL), "id-2499");
    /* cs_keymap_find_many: cs_keymap_find's answers for 3,100 keys at once
     * (groups of 64 and a remainder), found and not, NULs inside */
    enum { MANY = 3100 };
    static char buf[MANY][32];
    const char *keys[MANY];
    size_t lens[MANY], got[MANY];
    for (int i = 0; i < MANY; i++) {
        lens[i] = (size_t)snprintf(buf[i], sizeof buf[i], "id-%d", MANY - 1 - i);
        keys[i] = buf[i];
    }
    keys[7] = "a\0y", lens[7] = 3;
    keys[8] = "a\0z", lens[8] = 3;
    cs_keymap_find_many(&m, MANY, keys, lens, got);
    for (int i = 0; i < MANY; i++)
        assert_int_equal(got[i], cs_keymap_find(&m, keys[i], lens[i]));
    assert_int_equal(got[7], 1);
    assert_int_equal(got[8], SIZE_MAX);
    assert_int_equal(got[MANY - 1], 3); /* "id-0" */
    assert_int_equal(got[0], SIZE_MAX); /* "id-3099": never added */
    cs_keymap_free(&m);
    assert_int_equal(m.n, 0);
    cs_keymap_find_many(&m, 3, keys, lens, got); /* an empty map */
    for (int i = 0; i < 3; i++)
        assert_int_equal(got[i], SIZE_MAX);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_membership_100k),
        cmocka_unit_test(test_near_ids_and_growth),
        cmocka_unit_test(test_add_hash),
        cmocka_unit_test(test_keymap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
