/*
 * store/load_cube.c: see load_cube.h.
 */
#include "store/load_cube.h"

#include <string.h>

#include "core/keyhash.h"
#include "core/mem.h"
#include "store/idset.h"

struct cs_load_cube {
    struct lc_head *head; /* owned: index rid - 1 */
    int32_t *res;         /* owned: each head's resource */
    size_t n_head, cap_head;
    struct lc_cell *cell; /* owned: open addressing, cap a power of two */
    size_t cap, n_used;
    size_t max_surveys; /* past this rid: inexact */
    bool inexact;       /* a resource id past int32, or past max_surveys */
};

struct cs_load_cube *
cs_load_cube_new(size_t max_surveys)
{
    struct cs_load_cube *lc = xcalloc(1, sizeof *lc);
    lc->max_surveys = max_surveys;
    return lc;
}

void
cs_load_cube_free(struct cs_load_cube **lc)
{
    if (!lc || !*lc)
        return;
    xfree((*lc)->head);
    xfree((*lc)->res);
    xfree((*lc)->cell);
    xfree(*lc);
    *lc = NULL;
}

/* A number as SQLite gives it back (cs_num_binds_as_int). */
static double
lc_num(double v)
{
    return cs_num_binds_as_int(v) ? (double)(int64_t)v : v;
}

static uint64_t
bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static uint64_t
cell_hash(const struct lc_cell *c)
{
    uint64_t h = bits(c->score) * 0x9e3779b97f4a7c15ull;
    h ^= (uint64_t)c->day * 0xc2b2ae3d27d4eb4full + (uint64_t)c->resource;
    h ^= ((uint64_t)c->mask << 8 | (uint64_t)c->cat << 4 | (uint64_t)c->def << 1 |
          (uint64_t)c->any_tag) *
         0x165667b19e3779f9ull;
    h ^= bits(c->lo) ^ bits(c->hi) * 31 ^ bits(c->th) * 131;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ull;
    return h ^ (h >> 32);
}

static bool
cell_eq(const struct lc_cell *a, const struct lc_cell *b)
{
    return bits(a->score) == bits(b->score) && a->day == b->day && a->resource == b->resource &&
           a->mask == b->mask && a->cat == b->cat && a->def == b->def &&
           a->any_tag == b->any_tag && bits(a->lo) == bits(b->lo) &&
           bits(a->hi) == bits(b->hi) && bits(a->th) == bits(b->th);
}

static void cell_add(struct cs_load_cube *lc, const struct lc_cell *c, int64_t k);

/* Grown at three quarters full: 74k cells at 1M surveys in 128k slots. */
static void
cells_grow(struct cs_load_cube *lc)
{
    struct cs_load_cube n = {.cap = lc->cap ? lc->cap * 2 : 1024};
    n.cell = xcalloc_hot(n.cap, sizeof *n.cell);
    for (size_t i = 0; i < lc->cap; i++)
        if (lc->cell[i].used && lc->cell[i].count)
            cell_add(&n, &lc->cell[i], lc->cell[i].count);
    xfree(lc->cell);
    lc->cell = n.cell;
    lc->cap = n.cap;
    lc->n_used = n.n_used;
}

/* Add k surveys (negative: take away) to c's key. */
static void
cell_add(struct cs_load_cube *lc, const struct lc_cell *c, int64_t k)
{
    if ((lc->n_used + 1) * 4 > lc->cap * 3)
        cells_grow(lc);
    size_t mask = lc->cap - 1;
    for (size_t i = cell_hash(c) & mask;; i = (i + 1) & mask) {
        struct lc_cell *x = &lc->cell[i];
        if (!x->used) {
            *x = *c;
            x->used = true;
            x->count = k;
            lc->n_used++;
            return;
        }
        if (cell_eq(x, c)) {
            x->count += k;
            return;
        }
    }
}

static void
set_head(struct cs_load_cube *lc, int64_t rid, const struct lc_head *h, int64_t res)
{
    size_t i = (size_t)(rid - 1);
    if (i >= lc->max_surveys) {
        lc->inexact = true;
        return;
    }
    if (i >= lc->cap_head) {
        size_t cap = lc->cap_head ? lc->cap_head : 4096;
        while (cap <= i)
            cap *= 2;
        lc->head = xreallocarray(lc->head, cap, sizeof *lc->head);
        lc->res = xreallocarray(lc->res, cap, sizeof *lc->res);
        lc->cap_head = cap;
    }
    for (; lc->n_head < i; lc->n_head++) /* rids never stored */
        lc->head[lc->n_head].time_us = INT64_MIN;
    lc->head[i] = *h;
    if (res < 0 || res > INT32_MAX)
        lc->inexact = true;
    lc->res[i] = (int32_t)res;
    if (i >= lc->n_head)
        lc->n_head = i + 1;
}

void
cs_load_cube_record(struct cs_load_cube *lc, int64_t rid, const struct cs_record *r,
                    int64_t res, int64_t day, const struct lc_ids *ids, unsigned present)
{
    set_head(lc, rid, &(struct lc_head){r->time_us, ids->call_h, ids->part_h, ids->sid_h}, res);
    for (int c = 0; c < CS_CAT__COUNT; c++) {
        const struct cs_rating *rt = &r->rating[c];
        if (!(present & (1u << c)))
            continue;
        struct lc_cell x = {.score = lc_num(rt->score),
                            .resource = (int32_t)res,
                            .mask = rt->issue_mask,
                            .day = (int32_t)day,
                            .cat = (uint8_t)c,
                            .def = !rt->has_lower,
                            .any_tag = rt->issues[0] != '\0'};
        if (rt->has_lower) {
            x.lo = lc_num(rt->lower);
            x.hi = lc_num(rt->upper);
            x.th = lc_num(rt->threshold);
        }
        cell_add(lc, &x, 1);
    }
}

int
cs_load_cube_row(struct cs_load_cube *lc, sqlite3_stmt *q, int64_t rid, int sign)
{
    sqlite3_reset(q);
    sqlite3_bind_int64(q, 1, rid);
    int rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(q);
        return rc == SQLITE_DONE ? SQLITE_NOTFOUND : rc;
    }
    int64_t res = sqlite3_column_int64(q, 2); /* NULL reads as 0: none */
    if (sign > 0)
        set_head(lc, rid,
                 &(struct lc_head){sqlite3_column_int64(q, 0),
                                   cs_idset_hash(sqlite3_column_text(q, 3),
                                                 sqlite3_column_bytes(q, 3)),
                                   cs_idset_hash(sqlite3_column_text(q, 4),
                                                 sqlite3_column_bytes(q, 4)),
                                   cs_keyhash(sqlite3_column_text(q, 29),
                                              (size_t)sqlite3_column_bytes(q, 29))},
                 res);
    for (int c = 0; c < CS_CAT__COUNT; c++) {
        int k = 5 + 6 * c; /* s lo hi th m iss */
        if (sqlite3_column_type(q, k) == SQLITE_NULL)
            continue;
        struct lc_cell x = {.score = sqlite3_column_double(q, k),
                            .resource = (int32_t)res,
                            .mask = (uint32_t)sqlite3_column_int64(q, k + 4),
                            .day = (int32_t)sqlite3_column_int64(q, 1),
                            .cat = (uint8_t)c,
                            .def = sqlite3_column_type(q, k + 1) == SQLITE_NULL,
                            .any_tag = sqlite3_column_int(q, k + 5) != 0};
        if (!x.def) {
            x.lo = sqlite3_column_double(q, k + 1);
            x.hi = sqlite3_column_double(q, k + 2);
            x.th = sqlite3_column_double(q, k + 3);
        }
        cell_add(lc, &x, sign);
    }
    sqlite3_reset(q);
    return SQLITE_OK;
}

const struct lc_head *
cs_load_cube_heads(const struct cs_load_cube *lc, size_t *n)
{
    *n = lc->n_head;
    return lc->head;
}

bool
cs_load_cube_exact(const struct cs_load_cube *lc)
{
    return !lc->inexact;
}

const int32_t *
cs_load_cube_resources(const struct cs_load_cube *lc)
{
    return lc->res;
}

const struct lc_cell *
cs_load_cube_cells(const struct cs_load_cube *lc, size_t *n)
{
    *n = lc->cap;
    return lc->cell;
}
