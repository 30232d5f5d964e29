/*
 * model/rows.c: merge kinds and the index of the custom columns.
 */
#include "model/rows.h"

#include <string.h>

#include "core/mem.h"

static const char *const merge_names[CS_MERGE__COUNT] = {
    "innerunique", "inner", "leftouter", "rightouter", "fullouter",
    "leftsemi", "rightsemi", "leftanti", "rightanti"};

int
cs_merge_parse(const char *name)
{
    for (int i = 0; i < CS_MERGE__COUNT; i++)
        if (strcmp(name, merge_names[i]) == 0)
            return i;
    return -1;
}

const char *
cs_merge_name(enum cs_merge m)
{
    return merge_names[m];
}

bool
cs_merge_has_left(enum cs_merge m)
{
    return m != CS_MERGE_RIGHTSEMI && m != CS_MERGE_RIGHTANTI;
}

bool
cs_merge_has_right(enum cs_merge m)
{
    return m != CS_MERGE_LEFTSEMI && m != CS_MERGE_LEFTANTI;
}

bool
cs_merge_within(enum cs_merge pass, enum cs_merge want)
{
    if (want == pass)
        return true;
    if (want == CS_MERGE_INNER)
        return pass == CS_MERGE_LEFTOUTER || pass == CS_MERGE_RIGHTOUTER ||
               pass == CS_MERGE_FULLOUTER;
    return pass == CS_MERGE_FULLOUTER &&
           (want == CS_MERGE_RIGHTOUTER || want == CS_MERGE_LEFTOUTER);
}

bool
cs_merge_row_in(enum cs_merge pass, enum cs_merge want, bool has_left, bool has_right)
{
    if (want == pass)
        return true;
    if (want == CS_MERGE_INNER)
        return has_left && has_right;
    return want == CS_MERGE_RIGHTOUTER ? has_right : has_left;
}

enum cs_merge
cs_merge_listed(enum cs_merge m)
{
    return m == CS_MERGE_LEFTOUTER   ? CS_MERGE_INNER
           : m == CS_MERGE_FULLOUTER ? CS_MERGE_RIGHTOUTER
                                     : m;
}

uint64_t
cs_name_hash(const char *key)
{
    const unsigned char *t = (const unsigned char *)key;
    uint64_t h = 1469598103934665603ull;
    for (; *t; t++)
        h = (h ^ *t) * 1099511628211ull;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h ? h : 1;
}

void
cs_custom_cols_index(struct cs_custom_cols *c)
{
    size_t n = 16;
    while (n < 2 * c->n_keys)
        n *= 2;
    c->slot = xcalloc(n, sizeof *c->slot);
    c->mask = n - 1;
    for (size_t k = 0; k < c->n_keys; k++) {
        size_t j = cs_name_hash(c->keys[k]) & c->mask;
        while (c->slot[j])
            j = (j + 1) & c->mask;
        c->slot[j] = (uint32_t)(k + 1);
    }
}

long
cs_custom_cols_find(const struct cs_custom_cols *c, const char *key)
{
    if (!c->slot)
        return -1;
    for (size_t j = cs_name_hash(key) & c->mask; c->slot[j]; j = (j + 1) & c->mask)
        if (strcmp(c->keys[c->slot[j] - 1], key) == 0)
            return (long)c->slot[j] - 1;
    return -1;
}

void
cs_custom_cols_free(struct cs_custom_cols *c)
{
    for (size_t i = 0; i < c->n_keys; i++)
        xfree(c->keys[i]);
    xfree(c->keys);
    xfree(c->slot);
    memset(c, 0, sizeof *c);
}
