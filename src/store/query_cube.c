/*
 * store/query_cube.c: the one-pass cube of store/query.h (cs_query_cube and
 * its grouped, windowed and dimension forms): one scan of survey_data
 * aggregated in C into cells, groups and slices.
 */
#include "store/query.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctime.h"
#include "core/mem.h"
#include "store/filter_sql.h"
#include "store/hist_load.h"
#include "store/idset.h"
#include "store/query_hist.h"
#include "store/load_cube.h"
#include "store/store_int.h"

/* q prepared from sql, or CS_E_DB naming SQLite's error. */
static cs_status
cube_prepare(struct cs_store *s, const char *sql, sqlite3_stmt **q, struct cs_err *err)
{
    sqlite3 *db = cs_store_db(s);
    if (sqlite3_prepare_v2(db, sql, -1, q, NULL) == SQLITE_OK)
        return CS_OK;
    return cs_fail(err, CS_E_DB, NULL, "query failed: %s", sqlite3_errmsg(db));
}

/* CS_E_DB naming SQLite's error; q finalized. */
static cs_status
cube_fail(struct cs_store *s, sqlite3_stmt *q, struct cs_err *err)
{
    sqlite3 *db = cs_store_db(s);
    cs_status st = cs_fail(err, CS_E_DB, NULL, "query failed: %s", sqlite3_errmsg(db));
    sqlite3_finalize(q);
    return st;
}

/* ---- the one-pass cube ------------------------------------------------ */

struct cube_map {
    struct cs_cube_cell *cells; /* open addressing; count 0 = empty */
    size_t cap, n;
};

static uint64_t
mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

static uint64_t
dbits(double d)
{
    uint64_t u;
    d = d == 0 ? 0 : d; /* -0 == 0 */
    memcpy(&u, &d, sizeof u);
    return u;
}

static uint64_t
cell_hash(const struct cs_cube_cell *c)
{
    uint64_t h = mix64((uint64_t)c->cat * 0x9E3779B97F4A7C15ull ^ dbits(c->lower));
    h = mix64(h ^ dbits(c->upper));
    h = mix64(h ^ dbits(c->threshold));
    h = mix64(h ^ (uint64_t)c->bucket ^ ((uint64_t)c->group << 40));
    h = mix64(h ^ dbits(c->score));
    h = mix64(h ^ ((uint64_t)c->mask << 3 | (uint64_t)c->poor << 1 | c->any_tag |
                   (uint64_t)c->default_scale << 2));
    return h;
}

static bool
cell_eq(const struct cs_cube_cell *a, const struct cs_cube_cell *b)
{
    return a->cat == b->cat && a->group == b->group &&
           a->lower == b->lower && a->upper == b->upper &&
           a->threshold == b->threshold && a->bucket == b->bucket &&
           a->score == b->score && a->mask == b->mask && a->poor == b->poor &&
           a->any_tag == b->any_tag && a->default_scale == b->default_scale;
}

static void
cube_add(struct cube_map *m, const struct cs_cube_cell *c)
{
    if ((m->n + 1) * 2 > m->cap) {
        struct cube_map nm = {.cap = m->cap ? m->cap * 2 : 1024};
        nm.cells = xcalloc_hot(nm.cap, sizeof *nm.cells);
        for (size_t i = 0; i < m->cap; i++)
            if (m->cells[i].count)
                cube_add(&nm, &m->cells[i]);
        xfree(m->cells);
        *m = nm;
    }
    size_t mask = m->cap - 1;
    for (size_t i = cell_hash(c) & mask;; i = (i + 1) & mask) {
        if (m->cells[i].count == 0) {
            m->cells[i] = *c;
            m->n++;
            return;
        }
        if (cell_eq(&m->cells[i], c)) {
            m->cells[i].count += c->count;
            return;
        }
    }
}

/* Room in an empty m for about n cells without growing.  The tables are
 * written as they are allocated (xcalloc_hot): a probe read the fresh
 * pages first, and each first write was then a copy of the zero page with
 * a TLB shootdown waiting on the other core (1M surveys: 20-30 ms of the
 * model beside the join audit's thread); each growth frees the old table,
 * past glibc's mmap threshold a munmap with another. */
static void
cube_reserve(struct cube_map *m, size_t n)
{
    if (m->cap || n < 512)
        return;
    m->cap = 1024;
    while (m->cap < 2 * n)
        m->cap *= 2;
    m->cells = xcalloc_hot(m->cap, sizeof *m->cells);
}

/* Surveys and first/last time per (group, bucket) of a scan. */
struct slice_map {
    struct cs_cube_slice *v; /* open addressing; surveys 0 = empty */
    size_t cap, n, last;     /* last: the slot of the previous row's slice */
};

static void
slice_put(struct slice_map *m, const struct cs_cube_slice *x)
{
    size_t mask = m->cap - 1;
    size_t i = mix64((uint64_t)x->bucket ^ (uint64_t)x->group << 40) & mask;
    while (m->v[i].surveys && (m->v[i].group != x->group || m->v[i].bucket != x->bucket))
        i = (i + 1) & mask;
    if (m->v[i].surveys == 0) {
        m->v[i] = *x;
        m->n++;
    } else {
        struct cs_cube_slice *y = &m->v[i];
        y->surveys += x->surveys;
        y->first_us = x->first_us < y->first_us ? x->first_us : y->first_us;
        y->last_us = x->last_us > y->last_us ? x->last_us : y->last_us;
    }
    m->last = i;
}

/* One survey of (group, bucket) at time t. */
static void
slice_add(struct slice_map *m, int group, int64_t bucket, int64_t t)
{
    struct cs_cube_slice *y = m->cap ? &m->v[m->last] : NULL;
    if (y && y->surveys && y->group == group && y->bucket == bucket) {
        y->surveys++;
        y->first_us = t < y->first_us ? t : y->first_us;
        y->last_us = t > y->last_us ? t : y->last_us;
        return;
    }
    if ((m->n + 1) * 2 > m->cap) {
        struct slice_map nm = {.cap = m->cap ? m->cap * 2 : 64};
        nm.v = xcalloc_hot(nm.cap, sizeof *nm.v);
        for (size_t i = 0; i < m->cap; i++)
            if (m->v[i].surveys)
                slice_put(&nm, &m->v[i]);
        xfree(m->v);
        *m = nm;
    }
    slice_put(m, &(struct cs_cube_slice){group, bucket, 1, t, t});
}

static int
cmp_slice(const void *pa, const void *pb)
{
    const struct cs_cube_slice *a = pa, *b = pb;
    if (a->group != b->group)
        return a->group < b->group ? -1 : 1;
    return (a->bucket > b->bucket) - (a->bucket < b->bucket);
}

/* The map's slices into the cube, groups renumbered by new_of_old (NULL:
 * as they are), sorted. */
static void
slices_finish(struct cs_cube *cube, struct slice_map *m, const int *new_of_old)
{
    size_t n = 0;
    for (size_t i = 0; i < m->cap; i++)
        if (m->v[i].surveys) {
            m->v[n] = m->v[i];
            if (new_of_old)
                m->v[n].group = new_of_old[m->v[n].group];
            n++;
        }
    if (n > 1)
        qsort(m->v, n, sizeof *m->v, cmp_slice);
    cube->slices = n ? m->v : NULL;
    if (!n)
        xfree(m->v);
    cube->n_slices = n;
    cube->sliced = true;
    memset(m, 0, sizeof *m);
}

static int
cmp_num(double a, double b)
{
    return (a > b) - (a < b);
}

int
cs_cube_cell_cmp(const void *pa, const void *pb)
{
    const struct cs_cube_cell *a = pa, *b = pb;
    int r;
    if (a->cat != b->cat)
        return a->cat - b->cat;
    if ((r = cmp_num(a->lower, b->lower)) || (r = cmp_num(a->upper, b->upper)) ||
        (r = cmp_num(a->threshold, b->threshold)))
        return r;
    if (a->group != b->group)
        return a->group - b->group;
    if (a->bucket != b->bucket)
        return a->bucket < b->bucket ? -1 : 1;
    if ((r = cmp_num(a->score, b->score)))
        return r;
    if (a->mask != b->mask)
        return a->mask < b->mask ? -1 : 1;
    if (a->poor != b->poor)
        return a->poor - b->poor;
    if (a->any_tag != b->any_tag)
        return a->any_tag - b->any_tag;
    return a->default_scale - b->default_scale;
}

static int
cmp_group_key(const void *a, const void *b)
{
    return strcmp(((const struct cs_cube_group *)a)->key,
                  ((const struct cs_cube_group *)b)->key);
}

cs_status
cs_query_cube(struct cs_store *s, const struct cs_filter *f,
              enum cs_bucket bucket, struct cs_cube *cube, struct cs_err *err)
{
    return cs_query_cube_grouped(s, f, bucket, CS_GROUP_NONE, NULL, cube, err);
}

/* The store-wide counters of the cube's totals (cheap: small tables and sums). */
static cs_status
store_totals(struct cs_store *s, struct cs_window_totals *t, struct cs_err *err)
{
    sqlite3_stmt *q;
    char tsql[600];
    snprintf(tsql, sizeof tsql,
             "SELECT (SELECT count(*) FROM reject_data),"
             " (SELECT coalesce(sum(duplicates), 0) FROM inputs"
             "  WHERE status = 'done' AND format IS NOT 'events'),"
             " (SELECT coalesce(sum(updated), 0) FROM inputs"
             "  WHERE status = 'done' AND format IS NOT 'events'),"
             " (SELECT count(*) FROM unknown_tags), %s",
             /* an older database opened read-only has no conflict_data */
             cs_store_has_column(s, "conflict_data", NULL)
                 ? "(SELECT count(*) FROM conflict_data)"
                 : "0");
    if (cube_prepare(s, tsql, &q, err))
        return CS_E_DB;
    if (sqlite3_step(q) != SQLITE_ROW)
        return cube_fail(s, q, err);
    t->conflicts = (uint64_t)sqlite3_column_int64(q, 4);
    t->rejected = (uint64_t)sqlite3_column_int64(q, 0);
    t->duplicates = (uint64_t)sqlite3_column_int64(q, 1);
    t->updated = (uint64_t)sqlite3_column_int64(q, 2);
    t->unknown_tags = (uint64_t)sqlite3_column_int64(q, 3);
    sqlite3_finalize(q);
    return CS_OK;
}

/* The index of the group of row q (added when new); -1 past
 * CS_CUBE_MAX_GROUPS. */
static int
group_at(struct cs_cube *cube, size_t *cap_groups, const char *gk, const char *gl)
{
    size_t gi = 0;
    while (gi < cube->n_groups && strcmp(cube->groups[gi].key, gk) != 0)
        gi++;
    if (gi == cube->n_groups) {
        if (cube->n_groups >= CS_CUBE_MAX_GROUPS)
            return -1;
        if (cube->n_groups == *cap_groups) {
            *cap_groups = *cap_groups ? *cap_groups * 2 : 16;
            cube->groups = xreallocarray(cube->groups, *cap_groups, sizeof *cube->groups);
        }
        cube->groups[gi].key = xstrdup(gk);
        cube->groups[gi].label = xstrdup(gl ? gl : *gk ? gk
                                                       : "(no answer)");
        cube->groups[gi].surveys = 0;
        cube->n_groups++;
    }
    cube->groups[gi].surveys++;
    return (int)gi;
}

static int
group_of(sqlite3_stmt *q, struct cs_cube *cube, size_t *cap_groups)
{
    const char *gk = (const char *)sqlite3_column_text(q, 28);
    const char *gl = (const char *)sqlite3_column_text(q, 29);
    return group_at(cube, cap_groups, gk ? gk : "", gl);
}

/* The resources by id, for grouping by resource without joining every row
 * to resource_data: the scan reads the id and looks it up here. */
struct res_map {
    int64_t *id;        /* owned, ascending */
    char **key, **name; /* owned */
    int *group;         /* owned: the cube's group of each, -1 before its first row */
    int none;           /* the group of no resource, -1 before its first row */
    size_t n, last;     /* last: the previous row's entry */
};

static void
res_map_free(struct res_map *r)
{
    for (size_t i = 0; i < r->n; i++) {
        xfree(r->key[i]);
        xfree(r->name[i]);
    }
    xfree(r->id);
    xfree(r->key);
    xfree(r->name);
    xfree(r->group);
    memset(r, 0, sizeof *r);
}

static cs_status
res_map_load(struct cs_store *s, struct res_map *r, struct cs_err *err)
{
    memset(r, 0, sizeof *r);
    r->none = -1;
    sqlite3_stmt *q;
    if (cube_prepare(s, "SELECT id, resource_id, name FROM resource_data ORDER BY id", &q, err))
        return CS_E_DB;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (r->n == cap) {
            cap = cap ? cap * 2 : 16;
            r->id = xreallocarray(r->id, cap, sizeof *r->id);
            r->key = xreallocarray(r->key, cap, sizeof *r->key);
            r->name = xreallocarray(r->name, cap, sizeof *r->name);
            r->group = xreallocarray(r->group, cap, sizeof *r->group);
        }
        r->group[r->n] = -1;
        const char *k = (const char *)sqlite3_column_text(q, 1);
        const char *nm = (const char *)sqlite3_column_text(q, 2);
        r->id[r->n] = sqlite3_column_int64(q, 0);
        r->key[r->n] = xstrdup(k ? k : "");
        r->name[r->n++] = nm ? xstrdup(nm) : NULL;
    }
    if (rc != SQLITE_DONE) {
        res_map_free(r);
        return cube_fail(s, q, err);
    }
    sqlite3_finalize(q);
    return CS_OK;
}

/* The group of resource id (has: not NULL): the LEFT JOIN's key and label
 * (none for no resource or an id resource_data lacks). */
static int
group_of_res_id(bool has, int64_t id, struct res_map *r, struct cs_cube *cube,
                size_t *cap_groups)
{
    int *g = &r->none;
    const char *key = "", *name = NULL;
    if (has) {
        size_t i = r->last;
        if (i >= r->n || r->id[i] != id)
            i = cs_ids_find(r->id, r->n, id);
        if (i < r->n) {
            r->last = i;
            g = &r->group[i];
            key = r->key[i];
            name = r->name[i];
        }
    }
    if (*g >= 0) {
        cube->groups[*g].surveys++;
        return *g;
    }
    return *g = group_at(cube, cap_groups, key, name);
}

/* group_of for the resource id in column 28. */
static int
group_of_res(sqlite3_stmt *q, struct res_map *r, struct cs_cube *cube, size_t *cap_groups)
{
    return group_of_res_id(sqlite3_column_type(q, 28) != SQLITE_NULL,
                           sqlite3_column_int64(q, 28), r, cube, cap_groups);
}

/* Compact the map's cells into an array, renumber the groups in key order,
 * sort the cells; the cube takes them. */
static void
cube_finish(struct cs_cube *cube, struct cube_map *m, struct slice_map *sm)
{
    size_t n = 0;
    for (size_t i = 0; i < m->cap; i++)
        if (m->cells[i].count)
            m->cells[n++] = m->cells[i];
    if (cube->n_groups <= 1)
        slices_finish(cube, sm, NULL);
    if (cube->n_groups > 1) {
        int *old_of_new = xmalloc(cube->n_groups * sizeof *old_of_new);
        int *new_of_old = xmalloc(cube->n_groups * sizeof *new_of_old);
        struct cs_cube_group *sorted = xmalloc(cube->n_groups * sizeof *sorted);
        memcpy(sorted, cube->groups, cube->n_groups * sizeof *sorted);
        for (size_t i = 0; i < cube->n_groups; i++)
            sorted[i].surveys = i; /* carry the old index through the sort */
        qsort(sorted, cube->n_groups, sizeof *sorted, cmp_group_key);
        for (size_t i = 0; i < cube->n_groups; i++) {
            old_of_new[i] = (int)sorted[i].surveys;
            new_of_old[sorted[i].surveys] = (int)i;
            sorted[i].surveys = cube->groups[old_of_new[i]].surveys;
        }
        xfree(cube->groups);
        cube->groups = sorted;
        for (size_t i = 0; i < n; i++)
            m->cells[i].group = new_of_old[m->cells[i].group];
        slices_finish(cube, sm, new_of_old);
        xfree(old_of_new);
        xfree(new_of_old);
    }
    if (n > 1) /* an empty store has no cells (and a NULL array) */
        qsort(m->cells, n, sizeof *m->cells, cs_cube_cell_cmp);
    cube->cells = m->cells;
    cube->n_cells = n;
    m->cells = NULL;
}

static cs_status cube_scan(struct cs_store *s, const struct cs_filter *f,
                           enum cs_bucket bucket, enum cs_group_by by,
                           const char *custom_key, const char *keep,
                           const int64_t *ids_window, struct cs_cube *cube,
                           struct cs_err *err);

cs_status
cs_query_cube_grouped(struct cs_store *s, const struct cs_filter *f,
                      enum cs_bucket bucket, enum cs_group_by by,
                      const char *custom_key, struct cs_cube *cube,
                      struct cs_err *err)
{
    return cube_scan(s, f, bucket, by, custom_key, NULL, NULL, cube, err);
}

cs_status
cs_query_cube_ids_in(struct cs_store *s, const struct cs_filter *f, enum cs_bucket bucket,
                     int64_t ids_since, int64_t ids_until, struct cs_cube *cube,
                     struct cs_err *err)
{
    if (cs_store_is_hist(s)) { /* histograms count no ids per window */
        memset(cube, 0, sizeof *cube);
        return cs_fail(err, CS_E_USAGE, NULL, "histograms count no distinct ids per window");
    }
    const int64_t w[2] = {ids_since, ids_until};
    return cube_scan(s, f, bucket, CS_GROUP_RESOURCE, NULL, NULL, w, cube, err);
}

cs_status
cs_query_cube_dim(struct cs_store *s, const struct cs_filter *f, enum cs_bucket bucket,
                  const char *dim, const char *keep, struct cs_cube *cube,
                  struct cs_err *err)
{
    return cube_scan(s, f, bucket, CS_GROUP_DIM, dim, keep, NULL, cube, err);
}

/* The raw value of a release dimension (survey_leg sl, call_data cl). */
const char *
cs_query_dim_raw(const char *dim)
{
    static const char *const map[][2] = {
        {"sdk-version", "cl.sdk_version"}, {"os", "cl.os_version"}, {"os-version", "cl.os_version"}, {"endpoint-type", "cl.endpoint_type"}, {"participant-type", "cl.participant_type"}, {"call-type", "cl.call_type"}, {"end-reason", "cl.end_reason"}, {"app-version", "sl.app_version"}, {"browser", "sl.browser"}, {"client-os", "sl.client_os"}};
    for (size_t i = 0; dim && i < sizeof map / sizeof *map; i++)
        if (strcmp(dim, map[i][0]) == 0)
            return map[i][1];
    return "NULL";
}

/* The cube's SELECT of f grouped by `by` into sql (n bytes). */
static void
cube_sql(struct cs_store *s, const struct cs_filter *f, enum cs_bucket bucket,
         enum cs_group_by by, const char *custom_key, char *sql, size_t n)
{
    char where[8192];
    cs_filter_where(f, where, sizeof where);
    const char *bcol = bucket == CS_BUCKET_WEEK  ? "d.week"
                       : bucket == CS_BUCKET_DAY ? "d.day"
                                                 : "0";
    const char *gcol = "NULL, NULL";
    switch (by) {
    case CS_GROUP_RESOURCE: gcol = "d.resource, NULL"; break; /* see group_of_res */
    case CS_GROUP_WEEK: gcol = "printf('%d-W%02d', d.week / 100, d.week % 100), NULL"; break;
    case CS_GROUP_DAY: gcol = "date(d.day * 86400, 'unixepoch'), NULL"; break;
    case CS_GROUP_CUSTOM:
        /* the latest answer of the survey; the JSON path is bound (?98) */
        gcol = "(SELECT json_extract(e.props, ?98) FROM custom_events e"
               " WHERE e.survey_id = d.survey_id AND json_extract(e.props, ?98) IS NOT NULL"
               " ORDER BY e.time_us DESC, e.id DESC LIMIT 1), NULL";
        break;
    default: break;
    }
    char dimcol[200];
    bool legs = by == CS_GROUP_DIM && cs_store_has_column(s, "survey_leg", NULL);
    if (by == CS_GROUP_DIM) {
        const char *raw = legs ? cs_query_dim_raw(custom_key) : "NULL";
        snprintf(dimcol, sizeof dimcol, "cs_dim_key(?97, %s, ?96), cs_dim_group(?97, %s, ?96)",
                 raw, raw);
        gcol = dimcol;
    }
    snprintf(sql, n,
             "SELECT %s, d.time_us, d.call_id, d.participant_id,"
             " d.o_s, d.o_lo, d.o_hi, d.o_th, d.o_m, d.o_iss IS NOT NULL,"
             " d.a_s, d.a_lo, d.a_hi, d.a_th, d.a_m, d.a_iss IS NOT NULL,"
             " d.v_s, d.v_lo, d.v_hi, d.v_th, d.v_m, d.v_iss IS NOT NULL,"
             " d.s_s, d.s_lo, d.s_hi, d.s_th, d.s_m, d.s_iss IS NOT NULL,"
             " %s FROM survey_data d%s WHERE %s",
             bcol, gcol,
             legs ? " LEFT JOIN survey_leg sl ON sl.rid = d.rid"
                    " LEFT JOIN call_data cl ON cl.id = sl.leg"
                  : "",
             where);
}

/* One scan's accumulators. */
struct scan {
    enum cs_group_by by;
    double def_thr;
    size_t cap_groups;
    struct cube_map m;
    struct slice_map sm;
    struct cs_idset calls, parts;
    struct res_map res;           /* by resource */
    int64_t ids_since, ids_until; /* distinct ids of the surveys in this window */
    bool first;
};

static void
scan_free(struct scan *x)
{
    xfree(x->m.cells);
    xfree(x->sm.v);
    cs_idset_free(&x->calls);
    cs_idset_free(&x->parts);
    res_map_free(&x->res);
}

/* One survey as the scan read it. */
struct scan_rec {
    int64_t bucket, time_us;
    uint64_t call_h, part_h; /* cs_idset_hash; 0: none, or outside the ids window */
    int group, n;            /* n: cells (rated categories) */
    struct cs_cube_cell cell[4];
};

/* Row q as a record (groups counted here); false past CS_CUBE_MAX_GROUPS. */
static bool
read_row(struct scan *x, sqlite3_stmt *q, struct cs_cube *cube, struct scan_rec *r)
{
    int64_t b = sqlite3_column_int64(q, 0);
    int64_t tu = sqlite3_column_int64(q, 1);
    r->bucket = b;
    r->time_us = tu;
    r->call_h = r->part_h = 0;
    if (tu >= x->ids_since && tu < x->ids_until) {
        r->call_h = cs_idset_hash(sqlite3_column_text(q, 2), sqlite3_column_bytes(q, 2));
        r->part_h = cs_idset_hash(sqlite3_column_text(q, 3), sqlite3_column_bytes(q, 3));
    }
    int group = 0;
    if (x->by == CS_GROUP_RESOURCE)
        group = group_of_res(q, &x->res, cube, &x->cap_groups);
    else if (x->by != CS_GROUP_NONE)
        group = group_of(q, cube, &x->cap_groups);
    if (group < 0)
        return false;
    r->group = group;
    r->n = 0;
    for (int c = 0; c < 4; c++) {
        int k = 4 + 6 * c;
        if (sqlite3_column_type(q, k) == SQLITE_NULL)
            continue;
        struct cs_cube_cell *cell = &r->cell[r->n++];
        *cell = (struct cs_cube_cell){.cat = c, .bucket = b, .count = 1, .group = group};
        cell->score = sqlite3_column_double(q, k);
        cell->default_scale = sqlite3_column_type(q, k + 1) == SQLITE_NULL;
        cell->lower = cell->default_scale ? 1 : sqlite3_column_double(q, k + 1);
        cell->upper = cell->default_scale ? 5 : sqlite3_column_double(q, k + 2);
        cell->threshold = cell->default_scale ? x->def_thr : sqlite3_column_double(q, k + 3);
        cell->mask = (uint32_t)sqlite3_column_int64(q, k + 4);
        cell->any_tag = sqlite3_column_int(q, k + 5) != 0;
        cell->poor = cell->score <= cell->threshold;
    }
    return true;
}

/* A record into the cube's cells, slices, ids and totals t. */
static void
add_row(struct scan *x, const struct scan_rec *r, struct cs_window_totals *t)
{
    t->surveys++;
    if (x->first || r->time_us < t->first_us)
        t->first_us = r->time_us;
    if (x->first || r->time_us > t->last_us)
        t->last_us = r->time_us;
    x->first = false;
    cs_idset_add_hash(&x->calls, r->call_h);
    cs_idset_add_hash(&x->parts, r->part_h);
    slice_add(&x->sm, r->group, r->bucket, r->time_us);
    for (int i = 0; i < r->n; i++)
        cube_add(&x->m, &r->cell[i]);
}

/* The scan's two halves on two threads: the caller's steps the statement
 * and reads the rows into batches (SQLite's work, most of the scan), a
 * second adds them to the cube's hash maps and id sets (ours, a quarter
 * to a third), overlapping.  The sums do not depend on the order or the
 * thread.  Without a second thread a batch is added as it fills. */
#define SCAN_BATCH 512
#define SCAN_BUFS 4

struct pipe {
    struct scan *x;
    struct cs_window_totals *t; /* the worker's: surveys, first/last */
    pthread_t thread;
    bool threaded, done;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct scan_rec *buf; /* owned: SCAN_BUFS batches */
    size_t len[SCAN_BUFS];
    uint64_t filled, drained; /* batches handed over, batches added */
};

static void
add_batch(struct pipe *p, uint64_t k)
{
    const struct scan_rec *b = p->buf + (k % SCAN_BUFS) * SCAN_BATCH;
    for (size_t i = 0; i < p->len[k % SCAN_BUFS]; i++)
        add_row(p->x, &b[i], p->t);
}

static void *
pipe_worker(void *arg)
{
    struct pipe *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (p->drained == p->filled && !p->done)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->drained == p->filled)
            break;
        uint64_t k = p->drained;
        pthread_mutex_unlock(&p->mu);
        add_batch(p, k);
        pthread_mutex_lock(&p->mu);
        p->drained++;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* The first batch to fill. */
static struct scan_rec *
pipe_start(struct pipe *p, struct scan *x, struct cs_window_totals *t)
{
    memset(p, 0, sizeof *p);
    p->x = x;
    p->t = t;
    p->buf = xmalloc(SCAN_BUFS * SCAN_BATCH * sizeof *p->buf);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->threaded = pthread_create(&p->thread, NULL, pipe_worker, p) == 0;
    return p->buf;
}

/* Hand over the n records of the batch being filled; the next to fill. */
static struct scan_rec *
pipe_submit(struct pipe *p, size_t n)
{
    pthread_mutex_lock(&p->mu);
    p->len[p->filled % SCAN_BUFS] = n;
    p->filled++;
    if (!p->threaded) {
        add_batch(p, p->drained++);
    } else {
        pthread_cond_broadcast(&p->cv);
        while (p->filled - p->drained == SCAN_BUFS)
            pthread_cond_wait(&p->cv, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return p->buf + (p->filled % SCAN_BUFS) * SCAN_BATCH;
}

/* Add what was handed over, stop the worker, free the batches. */
static void
pipe_end(struct pipe *p)
{
    pthread_mutex_lock(&p->mu);
    p->done = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    if (p->threaded)
        pthread_join(p->thread, NULL);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    xfree(p->buf);
    p->buf = NULL;
}

/* Step q to its end through the pipe; false past CS_CUBE_MAX_GROUPS, else
 * the last step's code in *rc. */
static bool
scan_rows(struct scan *x, sqlite3_stmt *q, struct cs_cube *cube, int *rc)
{
    struct pipe p;
    struct scan_rec *cur = pipe_start(&p, x, &cube->totals);
    size_t n = 0;
    bool ok = true;
    while ((*rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (!(ok = read_row(x, q, cube, &cur[n])))
            break;
        if (++n == SCAN_BATCH) {
            cur = pipe_submit(&p, n);
            n = 0;
        }
    }
    if (n)
        pipe_submit(&p, n);
    pipe_end(&p);
    return ok;
}

/* ---- the same cube from the load's aggregate (store/load_cube.h) ------ */

static int64_t
bucket_of_day(enum cs_bucket b, int64_t day)
{
    return b == CS_BUCKET_WEEK ? cs_iso_week(day, NULL, NULL) : b == CS_BUCKET_DAY ? day
                                                                                   : 0;
}

/* The group a row of resource res was given (by resource), without
 * counting a survey; -1 when no row of it was met. */
static int
group_met(const struct res_map *r, int64_t res)
{
    size_t i = res ? cs_ids_find(r->id, r->n, res) : r->n;
    return i < r->n ? r->group[i] : r->none;
}

/* The cells of the aggregate in the window [since, until) (whole days) and
 * the filter's resources into x's map. */
static bool
mem_cells(struct scan *x, const struct cs_load_cube *lc, enum cs_bucket bucket, int64_t since,
          int64_t until, bool has_res, const int64_t *ids, size_t n_ids)
{
    size_t n, used = 0;
    const struct lc_cell *c = cs_load_cube_cells(lc, &n);
    for (size_t i = 0; i < n; i++)
        used += c[i].used && c[i].count > 0;
    /* a week's cells are its days' rolled up: about a third as many at 1M
     * generated surveys (74k cells by day, 22.5k by week) */
    cube_reserve(&x->m, bucket == CS_BUCKET_WEEK ? used / 3 : used);
    for (size_t i = 0; i < n; i++) {
        if (!c[i].used || c[i].count <= 0)
            continue;
        int64_t d0 = (int64_t)c[i].day * CS_US_PER_DAY;
        if (d0 < since || d0 >= until || (has_res && !cs_ids_has(ids, n_ids, c[i].resource)))
            continue;
        int g = x->by == CS_GROUP_RESOURCE ? group_met(&x->res, c[i].resource) : 0;
        if (g < 0)
            return false; /* a cell without its survey: cannot be */
        struct cs_cube_cell cc = {.cat = c[i].cat,
                                  .bucket = bucket_of_day(bucket, c[i].day),
                                  .count = (uint64_t)c[i].count,
                                  .group = g,
                                  .score = c[i].score,
                                  .default_scale = c[i].def,
                                  .lower = c[i].def ? 1 : c[i].lo,
                                  .upper = c[i].def ? 5 : c[i].hi,
                                  .threshold = c[i].def ? x->def_thr : c[i].th,
                                  .mask = c[i].mask,
                                  .any_tag = c[i].any_tag};
        cc.poor = cc.score <= cc.threshold;
        cube_add(&x->m, &cc);
    }
    return true;
}

bool
cs_query_cube_from_load(const struct cs_store *s, const struct cs_filter *f)
{
    return s->lc && cs_load_cube_exact(s->lc) &&
           !(f && f->has_since && f->since_us % CS_US_PER_DAY) &&
           !(f && f->has_until && f->until_us % CS_US_PER_DAY);
}

/* cube_scan from the aggregate the store kept while loading: the same
 * cube without reading the surveys back (issue 22).  *done false, nothing
 * read, when it cannot: no aggregate, a grouping other than none or
 * resource, or a window not on whole days (a day's cells would straddle
 * it). */
static cs_status
cube_scan_mem(struct cs_store *s, const struct cs_filter *f, enum cs_bucket bucket,
              enum cs_group_by by, const int64_t *ids_window, struct cs_cube *cube, bool *done,
              struct cs_err *err)
{
    *done = false;
    const struct cs_load_cube *lc = s->lc;
    bool has_since = f && f->has_since, has_until = f && f->has_until;
    if ((by != CS_GROUP_NONE && by != CS_GROUP_RESOURCE) || !cs_query_cube_from_load(s, f))
        return CS_OK;
    *done = true;
    struct cs_window_totals *t = &cube->totals;
    cs_status rc = store_totals(s, t, err);
    struct scan x = {.by = by,
                     .def_thr = cs_store_default_threshold(s),
                     .ids_since = ids_window ? ids_window[0] : INT64_MIN,
                     .ids_until = ids_window ? ids_window[1] : INT64_MAX,
                     .first = true};
    int64_t *ids = NULL;
    size_t n_ids = 0;
    if (rc == CS_OK && cs_filter_resource_id_list(cs_store_db(s), f, &ids, &n_ids) != SQLITE_OK)
        rc = cs_fail(err, CS_E_DB, NULL, "query failed: %s", sqlite3_errmsg(cs_store_db(s)));
    if (rc == CS_OK && by == CS_GROUP_RESOURCE)
        rc = res_map_load(s, &x.res, err);
    if (rc) {
        xfree(ids);
        return rc;
    }
    int64_t since = has_since ? f->since_us : INT64_MIN, until = has_until ? f->until_us : INT64_MAX;
    bool has_res = f && f->n_resources;
    size_t n;
    const struct lc_head *h = cs_load_cube_heads(lc, &n);
    const int32_t *hres = cs_load_cube_resources(lc);
    cs_idset_reserve(&x.calls, n);
    cs_idset_reserve(&x.parts, n);
    bool ok = true;
    int64_t last_day = INT64_MIN, last_bucket = 0;
    for (size_t i = 0; ok && i < n; i++) {
        const struct lc_head *e = &h[i];
        if (e->time_us == INT64_MIN || e->time_us < since || e->time_us >= until ||
            (has_res && !cs_ids_has(ids, n_ids, hres[i])))
            continue;
        int64_t day = cs_time_day(e->time_us);
        if (day != last_day) { /* neighbours share a day: its bucket once */
            last_day = day;
            last_bucket = bucket_of_day(bucket, day);
        }
        struct scan_rec r = {.time_us = e->time_us, .bucket = last_bucket};
        if (e->time_us >= x.ids_since && e->time_us < x.ids_until) {
            r.call_h = e->call_h;
            r.part_h = e->part_h;
        }
        if (by == CS_GROUP_RESOURCE)
            r.group = group_of_res_id(hres[i] != 0, hres[i], &x.res, cube, &x.cap_groups);
        ok = r.group >= 0;
        if (ok)
            add_row(&x, &r, t);
    }
    if (!ok) {
        scan_free(&x);
        xfree(ids);
        cs_cube_free(cube);
        return cs_fail(err, CS_E_USAGE, NULL, "more than %d groups: compare needs fewer",
                       CS_CUBE_MAX_GROUPS);
    }
    ok = mem_cells(&x, lc, bucket, since, until, has_res, ids, n_ids);
    xfree(ids);
    if (!ok) {
        scan_free(&x);
        cs_cube_free(cube);
        return cs_fail(err, CS_E_INTERNAL, NULL, "the load's aggregate has a cell without a survey");
    }
    t->calls = cs_idset_count(&x.calls);
    t->participants = cs_idset_count(&x.parts);
    cube_finish(cube, &x.m, &x.sm);
    scan_free(&x);
    return CS_OK;
}

static cs_status
cube_scan(struct cs_store *s, const struct cs_filter *f, enum cs_bucket bucket,
          enum cs_group_by by, const char *custom_key, const char *keep,
          const int64_t *ids_window, struct cs_cube *cube, struct cs_err *err)
{
    memset(cube, 0, sizeof *cube);
    if (cs_store_is_hist(s))
        return cs_hist_cube(s, f, bucket, by, custom_key, keep, cube, err);
    bool done;
    cs_status mrc = cube_scan_mem(s, f, bucket, by, ids_window, cube, &done, err);
    if (done)
        return mrc;
    struct cs_window_totals *t = &cube->totals;
    sqlite3_stmt *q;
    cs_status trc = store_totals(s, t, err);
    if (trc)
        return trc;
    struct scan x = {.by = by,
                     .def_thr = cs_store_default_threshold(s),
                     .ids_since = ids_window ? ids_window[0] : INT64_MIN,
                     .ids_until = ids_window ? ids_window[1] : INT64_MAX,
                     .first = true};
    if (by == CS_GROUP_RESOURCE && (trc = res_map_load(s, &x.res, err)))
        return trc;

    char sql[10000];
    cube_sql(s, f, bucket, by, custom_key, sql, sizeof sql);
    if (cube_prepare(s, sql, &q, err)) {
        scan_free(&x);
        return CS_E_DB;
    }
    cs_filter_bind(q, f, x.def_thr);
    if (by == CS_GROUP_CUSTOM) {
        char *path = xasprintf("$.\"%s\"", custom_key ? custom_key : "");
        sqlite3_bind_text(q, 98, path, -1, SQLITE_TRANSIENT);
        xfree(path);
    }
    if (by == CS_GROUP_DIM) {
        sqlite3_bind_text(q, 97, custom_key, -1, SQLITE_STATIC);
        if (keep)
            sqlite3_bind_text(q, 96, keep, -1, SQLITE_STATIC);
    }
    int rc;
    /* size the id sets once: growing them by doubling rehashed 2M ids */
    sqlite3_stmt *cq;
    if (sqlite3_prepare_v2(cs_store_db(s), "SELECT count(*) FROM survey_data", -1, &cq,
                           NULL) == SQLITE_OK &&
        sqlite3_step(cq) == SQLITE_ROW) {
        uint64_t n = (uint64_t)sqlite3_column_int64(cq, 0);
        cs_idset_reserve(&x.calls, n);
        cs_idset_reserve(&x.parts, n);
    }
    sqlite3_finalize(cq);
    if (!scan_rows(&x, q, cube, &rc)) {
        sqlite3_finalize(q);
        scan_free(&x);
        cs_cube_free(cube);
        return cs_fail(err, CS_E_USAGE, NULL, "more than %d groups: compare needs fewer",
                       CS_CUBE_MAX_GROUPS);
    }
    sqlite3_finalize(q);
    t->calls = cs_idset_count(&x.calls);
    t->participants = cs_idset_count(&x.parts);
    if (rc != SQLITE_DONE) {
        scan_free(&x);
        cs_cube_free(cube); /* the groups met so far */
        return cs_fail(err, CS_E_DB, NULL, "query failed: %s",
                       sqlite3_errmsg(cs_store_db(s)));
    }
    cube_finish(cube, &x.m, &x.sm);
    scan_free(&x);
    return CS_OK;
}

void
cs_cube_free(struct cs_cube *cube)
{
    for (size_t i = 0; i < cube->n_groups; i++) {
        xfree(cube->groups[i].key);
        xfree(cube->groups[i].label);
    }
    xfree(cube->groups);
    xfree(cube->cells);
    xfree(cube->slices);
    memset(cube, 0, sizeof *cube);
}
