/*
 * store/hist_cube.c: the cube, unknown tags and accounting from hist_data
 * (declared in query_hist.h).  One SELECT of the rating and total rows that pass
 * the resource filter; the time filter is decided per row in C (a period
 * against [since, until), then the group's first and last survey); cells
 * are collected, sorted and summed as cube_scan's hash map would.
 */
#include "store/query_hist.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "model/dims.h"
#include "model/survey.h"
#include "store/filter_sql.h"
#include "store/hist_load.h"

/* Columns of the row SELECT. */
enum {
    K_KIND,
    K_CKEY,
    K_WEEK,
    K_DAY,
    K_PSTART,
    K_PEND,
    K_GFIRST,
    K_GLAST,
    K_CAT,
    K_LO,
    K_HI,
    K_TH,
    K_DEF,
    K_SCORE,
    K_TAGS,
    K_N,
    K_CALLS,
    K_PARTS,
    K_FIRST,
    K_LAST,
    K_PERIOD,
    K_GKEY,
    K_GLABEL
};

static cs_status
db_fail(struct cs_store *s, struct cs_err *err)
{
    return cs_fail(err, CS_E_DB, NULL, "histograms query failed: %s",
                   sqlite3_errmsg(cs_store_db(s)));
}

static int64_t
one_int(struct cs_store *s, const char *sql, const char *bind)
{
    sqlite3_stmt *q;
    int64_t v = 0;
    if (sqlite3_prepare_v2(cs_store_db(s), sql, -1, &q, NULL) == SQLITE_OK) {
        if (bind)
            sqlite3_bind_text(q, 1, bind, -1, SQLITE_STATIC);
        if (sqlite3_step(q) == SQLITE_ROW)
            v = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    return v;
}

static bool
day_periods(struct cs_store *s)
{
    return one_int(s, "SELECT count(*) FROM hist_data WHERE period_day = 1", NULL) > 0;
}

/* The rating and total rows of custom key "" and `ckey`, resource-filtered,
 * with the group's key and label expressions. */
static cs_status
select_rows(struct cs_store *s, const struct cs_filter *f, const char *gexpr, bool join_res,
            const char *ckey, sqlite3_stmt **q, struct cs_err *err)
{
    struct cs_filter fr = {0};
    if (f) {
        fr.resources = f->resources;
        fr.n_resources = f->n_resources;
    }
    char where[8192], sql[10000];
    cs_filter_where(&fr, where, sizeof where);
    snprintf(sql, sizeof sql,
             "SELECT d.row_kind, d.custom_key, d.bucket_week, d.bucket_day, d.p_start, d.p_end,"
             " d.g_first, d.g_last, d.cat, d.lower, d.upper, d.threshold, d.default_scale,"
             " d.score, d.tags, d.n, d.calls, d.participants, d.first_us, d.last_us, d.period,"
             " %s FROM hist_data d%s WHERE d.row_kind IN ('rating', 'total')"
             " AND d.custom_key IN ('', ?95) AND %s",
             gexpr, join_res ? " LEFT JOIN resource_data rr ON rr.id = d.resource" : "", where);
    if (sqlite3_prepare_v2(cs_store_db(s), sql, -1, q, NULL) != SQLITE_OK)
        return db_fail(s, err);
    cs_filter_bind(*q, &fr, cs_store_default_threshold(s));
    sqlite3_bind_text(*q, 95, ckey ? ckey : "", -1, SQLITE_TRANSIENT);
    return CS_OK;
}

/* Does row q count under f's time window?  1 yes, 0 no, -1 error in err. */
static int
in_window(const struct cs_filter *f, sqlite3_stmt *q, struct cs_err *err)
{
    if (!f || (!f->has_since && !f->has_until))
        return 1;
    int64_t S = f->has_since ? f->since_us : INT64_MIN, U = f->has_until ? f->until_us : INT64_MAX;
    int64_t a = sqlite3_column_int64(q, K_PSTART), b = sqlite3_column_int64(q, K_PEND);
    if (a >= S && b <= U)
        return 1;
    if (b <= S || a >= U)
        return 0;
    /* the period is cut by a bound: its surveys' times decide */
    if (sqlite3_column_type(q, K_GFIRST) != SQLITE_NULL) {
        int64_t g0 = sqlite3_column_int64(q, K_GFIRST), g1 = sqlite3_column_int64(q, K_GLAST);
        if (g0 >= S && g1 < U)
            return 1;
        if (g1 < S || g0 >= U)
            return 0;
    }
    cs_fail(err, CS_E_USAGE, "--since/--until",
            "the window cuts period %s, and its surveys lie on both sides of the bound: "
            "histograms cannot split a period (choose bounds on %s boundaries, or make "
            "the histograms with --bucket day)",
            (const char *)sqlite3_column_text(q, K_PERIOD), b - a > 86400000000LL ? "week" : "day");
    return -1;
}

struct groups {
    struct cs_cube_group *v;
    size_t n, cap;
};

static int
group_index(struct groups *g, sqlite3_stmt *q)
{
    const char *gk = (const char *)sqlite3_column_text(q, K_GKEY);
    const char *gl = (const char *)sqlite3_column_text(q, K_GLABEL);
    gk = gk ? gk : "";
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->v[i].key, gk) == 0)
            return (int)i;
    if (g->n >= CS_CUBE_MAX_GROUPS)
        return -1;
    if (g->n == g->cap)
        g->v = xreallocarray(g->v, g->cap = g->cap ? g->cap * 2 : 16, sizeof *g->v);
    g->v[g->n] = (struct cs_cube_group){.key = xstrdup(gk), .label = xstrdup(gl ? gl : *gk ? gk
                                                                                           : "(no answer)")};
    return (int)g->n++;
}

static int
num_cmp(double a, double b)
{
    return (a > b) - (a < b);
}

/* The survey path's cell order (store/query.c cell_cmp). */
static int
cell_order(const void *pa, const void *pb)
{
    const struct cs_cube_cell *a = pa, *b = pb;
    int r;
    if (a->cat != b->cat)
        return a->cat < b->cat ? -1 : 1;
    if ((r = num_cmp(a->lower, b->lower)) || (r = num_cmp(a->upper, b->upper)) ||
        (r = num_cmp(a->threshold, b->threshold)))
        return r;
    if (a->group != b->group)
        return a->group < b->group ? -1 : 1;
    if (a->bucket != b->bucket)
        return a->bucket < b->bucket ? -1 : 1;
    if ((r = num_cmp(a->score, b->score)))
        return r;
    if (a->mask != b->mask)
        return a->mask < b->mask ? -1 : 1;
    if (a->poor != b->poor)
        return a->poor ? 1 : -1;
    if (a->any_tag != b->any_tag)
        return a->any_tag ? 1 : -1;
    return (int)a->default_scale - (int)b->default_scale;
}

static int
group_order(const void *a, const void *b)
{
    return strcmp(((const struct cs_cube_group *)a)->key, ((const struct cs_cube_group *)b)->key);
}

/* Known tags of `tags` as category cat's mask; unknown ones to cb. */
static uint32_t
tag_mask(int cat, const char *tags, bool *any, void (*unknown)(void *, const char *, size_t),
         void *ctx)
{
    uint32_t m = 0;
    *any = false;
    for (const char *p = tags; *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len) {
            *any = true;
            int i = cs_tag_find((enum cs_category)cat, p, len);
            if (i >= 0)
                m |= 1u << i;
            else if (unknown)
                unknown(ctx, p, len);
        }
        p += len + (e ? 1 : 0);
    }
    return m;
}

static void
count_unknown(void *ctx, const char *p, size_t len)
{
    (void)p;
    (void)len;
    ++*(uint64_t *)ctx;
}

/* The store-wide counters: rejects, merged records, unknown tags. */
static cs_status
hist_totals(struct cs_store *s, struct cs_window_totals *t, struct cs_err *err)
{
    t->rejected = (uint64_t)one_int(s, "SELECT coalesce(sum(n), 0) FROM hist_data WHERE row_kind = 'reject'", NULL);
    t->duplicates = (uint64_t)one_int(s, "SELECT coalesce(sum(n), 0) FROM hist_data WHERE row_kind = 'merged'", NULL);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(cs_store_db(s),
                           "SELECT cat, tags, n FROM hist_data WHERE row_kind = 'rating'"
                           " AND custom_key = '' AND tags <> ''",
                           -1, &q, NULL) != SQLITE_OK)
        return db_fail(s, err);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        uint64_t k = 0;
        bool any;
        tag_mask(sqlite3_column_int(q, 0), (const char *)sqlite3_column_text(q, 1), &any,
                 count_unknown, &k);
        t->unknown_tags += k * (uint64_t)sqlite3_column_int64(q, 2);
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? CS_OK : db_fail(s, err);
}

/* The group's SQL for `by` (key, label), or an error when the histograms
 * cannot group so. */
static cs_status
group_sql(struct cs_store *s, enum cs_bucket bucket, enum cs_group_by by, const char *key,
          char *gexpr, size_t cap, struct cs_err *err)
{
    bool day = day_periods(s);
    if ((bucket == CS_BUCKET_DAY || by == CS_GROUP_DAY) && !day &&
        one_int(s, "SELECT count(*) FROM hist_data WHERE period_day = 0", NULL) > 0)
        return cs_fail(err, CS_E_USAGE, by == CS_GROUP_DAY ? "--by day" : "--bucket day",
                       "the histograms count per ISO week: days need histograms made with "
                       "--bucket day");
    switch (by) {
    case CS_GROUP_RESOURCE: snprintf(gexpr, cap, "d.resource_id, rr.name"); break;
    case CS_GROUP_WEEK:
        snprintf(gexpr, cap, "printf('%%d-W%%02d', d.bucket_week / 100, d.bucket_week %% 100), NULL");
        break;
    case CS_GROUP_DAY: snprintf(gexpr, cap, "d.period, NULL"); break;
    case CS_GROUP_CUSTOM: snprintf(gexpr, cap, "d.custom_value, NULL"); break;
    case CS_GROUP_DIM: {
        enum cs_dim d = cs_dim_parse(key);
        const char *col = d == CS_DIM_NONE ? "" : cs_dim_column(d);
        int i = 0;
        while (i < CS_HIST_DIMS && strcmp(cs_hist_dim_columns[i], col) != 0)
            i++;
        char sql[120];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM hist_files WHERE dims & %d = 0", 1 << i);
        if (i == CS_HIST_DIMS || one_int(s, sql, NULL) > 0)
            return cs_fail(err, CS_E_USAGE, "--by",
                           "%s: the histograms have no %s column (make them with "
                           "`callsurvey kql --by %s`)",
                           key, i == CS_HIST_DIMS ? key : col, key);
        snprintf(gexpr, cap, "cs_dim_key(?97, d.%s, ?96), cs_dim_group(?97, d.%s, ?96)", col, col);
        break;
    }
    default: snprintf(gexpr, cap, "NULL, NULL"); break;
    }
    return CS_OK;
}

/* Sort the groups by key, renumber the cells, sort and sum the cells. */
static void
finish(struct cs_cube *cube, struct groups *g, struct cs_cube_cell *cells, size_t n)
{
    if (g->n > 1) {
        int *new_of_old = xmalloc(g->n * sizeof *new_of_old);
        struct cs_cube_group *sorted = xmalloc(g->n * sizeof *sorted);
        memcpy(sorted, g->v, g->n * sizeof *sorted);
        qsort(sorted, g->n, sizeof *sorted, group_order);
        for (size_t i = 0; i < g->n; i++)
            for (size_t j = 0; j < g->n; j++)
                if (sorted[j].key == g->v[i].key)
                    new_of_old[i] = (int)j;
        for (size_t i = 0; i < n; i++)
            cells[i].group = new_of_old[cells[i].group];
        xfree(g->v);
        g->v = sorted;
        xfree(new_of_old);
    }
    if (n > 1)
        qsort(cells, n, sizeof *cells, cell_order);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (o && cell_order(&cells[o - 1], &cells[i]) == 0)
            cells[o - 1].count += cells[i].count;
        else
            cells[o++] = cells[i];
    }
    cube->cells = o ? cells : NULL;
    if (!o)
        xfree(cells);
    cube->n_cells = o;
    cube->groups = g->v;
    cube->n_groups = g->n;
}

/* A rating row of q as a cell. */
static struct cs_cube_cell
row_cell(sqlite3_stmt *q, enum cs_bucket bucket, int group, double def_thr)
{
    struct cs_cube_cell c = {.cat = sqlite3_column_int(q, K_CAT), .group = group};
    c.default_scale = sqlite3_column_int(q, K_DEF) != 0;
    c.lower = sqlite3_column_double(q, K_LO);
    c.upper = sqlite3_column_double(q, K_HI);
    c.threshold = c.default_scale ? def_thr : sqlite3_column_double(q, K_TH);
    c.bucket = bucket == CS_BUCKET_WEEK  ? sqlite3_column_int64(q, K_WEEK)
               : bucket == CS_BUCKET_DAY ? sqlite3_column_int64(q, K_DAY)
                                         : 0;
    c.score = sqlite3_column_double(q, K_SCORE);
    c.mask = tag_mask(c.cat, (const char *)sqlite3_column_text(q, K_TAGS), &c.any_tag, NULL, NULL);
    c.poor = c.score <= c.threshold;
    c.count = (uint64_t)sqlite3_column_int64(q, K_N);
    return c;
}

/* A total row into the cube's totals. */
static void
add_total(struct cs_window_totals *t, sqlite3_stmt *q)
{
    int64_t f = sqlite3_column_int64(q, K_FIRST), l = sqlite3_column_int64(q, K_LAST);
    if (t->surveys == 0 || f < t->first_us)
        t->first_us = f;
    if (t->surveys == 0 || l > t->last_us)
        t->last_us = l;
    t->surveys += (uint64_t)sqlite3_column_int64(q, K_N);
    t->calls += (uint64_t)sqlite3_column_int64(q, K_CALLS);
    t->participants += (uint64_t)sqlite3_column_int64(q, K_PARTS);
}

cs_status
cs_hist_cube(struct cs_store *s, const struct cs_filter *f, enum cs_bucket bucket,
             enum cs_group_by by, const char *key, const char *keep, struct cs_cube *cube,
             struct cs_err *err)
{
    memset(cube, 0, sizeof *cube);
    char gexpr[300];
    sqlite3_stmt *q = NULL;
    cs_status st = group_sql(s, bucket, by, key, gexpr, sizeof gexpr, err);
    if (st == CS_OK)
        st = hist_totals(s, &cube->totals, err);
    if (st == CS_OK)
        st = select_rows(s, f, gexpr, by == CS_GROUP_RESOURCE, by == CS_GROUP_CUSTOM ? key : "",
                         &q, err);
    if (st)
        return st;
    if (by == CS_GROUP_DIM) {
        sqlite3_bind_text(q, 97, key, -1, SQLITE_STATIC);
        if (keep)
            sqlite3_bind_text(q, 96, keep, -1, SQLITE_STATIC);
    }
    double def_thr = cs_store_default_threshold(s);
    struct groups g = {0};
    struct cs_cube_cell *cells = NULL;
    size_t n = 0, cap = 0;
    int rc = SQLITE_DONE;
    while (st == CS_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        int in = in_window(f, q, err);
        if (in < 0)
            st = CS_E_USAGE;
        if (in <= 0)
            continue;
        bool plain = ((const char *)sqlite3_column_text(q, K_CKEY))[0] == '\0';
        bool total = strcmp((const char *)sqlite3_column_text(q, K_KIND), "total") == 0;
        if (plain && total)
            add_total(&cube->totals, q);
        if (plain == (by == CS_GROUP_CUSTOM))
            continue; /* custom grouping: the key's rows; else the plain ones */
        int gi = 0;
        if (by != CS_GROUP_NONE && (gi = group_index(&g, q)) < 0) {
            st = cs_fail(err, CS_E_USAGE, NULL, "more than %d groups: compare needs fewer",
                         CS_CUBE_MAX_GROUPS);
            break;
        }
        if (total) {
            if (by != CS_GROUP_NONE)
                g.v[gi].surveys += (uint64_t)sqlite3_column_int64(q, K_N);
            continue;
        }
        if (n == cap)
            cells = xreallocarray(cells, cap = cap ? cap * 2 : 1024, sizeof *cells);
        cells[n++] = row_cell(q, bucket, gi, def_thr);
    }
    if (st == CS_OK && rc != SQLITE_DONE)
        st = db_fail(s, err);
    sqlite3_finalize(q);
    finish(cube, &g, cells, n);
    if (st)
        cs_cube_free(cube);
    return st;
}

/* ---- unknown tags, accounting, custom keys ----------------------------- */

struct unk {
    int cat;
    double lower, upper, threshold;
    bool default_scale, poor;
    char *issue;
    uint64_t count;
};

struct unk_acc {
    struct unk *v;
    size_t n, cap;
    struct unk cur; /* the row being split */
};

static void
add_unknown(void *ctx, const char *p, size_t len)
{
    struct unk_acc *a = ctx;
    for (size_t i = 0; i < a->n; i++) {
        struct unk *u = &a->v[i];
        if (u->cat == a->cur.cat && u->lower == a->cur.lower && u->upper == a->cur.upper &&
            u->threshold == a->cur.threshold && u->poor == a->cur.poor &&
            strlen(u->issue) == len && memcmp(u->issue, p, len) == 0) {
            u->count += a->cur.count;
            u->default_scale |= a->cur.default_scale;
            return;
        }
    }
    if (a->n == a->cap)
        a->v = xreallocarray(a->v, a->cap = a->cap ? a->cap * 2 : 32, sizeof *a->v);
    a->v[a->n] = a->cur;
    a->v[a->n++].issue = xstrndup(p, len);
}

/* The survey path's order: category, scale, issue, poor. */
static int
unk_order(const void *pa, const void *pb)
{
    const struct unk *a = pa, *b = pb;
    int r;
    if (a->cat != b->cat)
        return a->cat < b->cat ? -1 : 1;
    if ((r = num_cmp(a->lower, b->lower)) || (r = num_cmp(a->upper, b->upper)) ||
        (r = num_cmp(a->threshold, b->threshold)) || (r = strcmp(a->issue, b->issue)))
        return r;
    return (int)a->poor - (int)b->poor;
}

cs_status
cs_hist_unknown_tags(struct cs_store *s, const struct cs_filter *f, cs_unknown_cb cb, void *ctx,
                     struct cs_err *err)
{
    sqlite3_stmt *q;
    cs_status st = select_rows(s, f, "NULL, NULL", false, "", &q, err);
    if (st)
        return st;
    double def_thr = cs_store_default_threshold(s);
    struct unk_acc a = {0};
    int rc = SQLITE_DONE;
    while (st == CS_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        int in = in_window(f, q, err);
        if (in < 0)
            st = CS_E_USAGE;
        if (in <= 0 || strcmp((const char *)sqlite3_column_text(q, K_KIND), "rating") != 0 ||
            ((const char *)sqlite3_column_text(q, K_CKEY))[0])
            continue;
        struct cs_cube_cell c = row_cell(q, CS_BUCKET_NONE, 0, def_thr);
        a.cur = (struct unk){.cat = c.cat, .lower = c.lower, .upper = c.upper, .threshold = c.threshold, .default_scale = c.default_scale, .poor = c.poor, .count = c.count};
        bool any;
        tag_mask(c.cat, (const char *)sqlite3_column_text(q, K_TAGS), &any, add_unknown, &a);
    }
    if (st == CS_OK && rc != SQLITE_DONE)
        st = db_fail(s, err);
    sqlite3_finalize(q);
    if (a.n > 1)
        qsort(a.v, a.n, sizeof *a.v, unk_order);
    for (size_t i = 0; i < a.n; i++) {
        struct unk *u = &a.v[i];
        struct cs_unknown_row r = {.cat = u->cat, .lower = u->lower, .upper = u->upper, .threshold = u->threshold, .default_scale = u->default_scale, .issue = u->issue, .poor = u->poor, .count = u->count};
        if (st == CS_OK && cb(ctx, &r, err) != CS_OK)
            st = err && err->code ? err->code : CS_E_INTERNAL;
        xfree(u->issue);
    }
    xfree(a.v);
    return st;
}

cs_status
cs_hist_accounting(struct cs_store *s, struct cs_accounting_totals *t, struct cs_err *err)
{
    memset(t, 0, sizeof *t);
    struct cs_window_totals w = {0};
    cs_status st = hist_totals(s, &w, err);
    if (st)
        return st;
    struct cs_acct a = {
        .inputs = (uint64_t)one_int(s, "SELECT count(*) FROM hist_files", NULL),
        .stored = (uint64_t)one_int(s, "SELECT coalesce(sum(n), 0) FROM hist_data"
                                       " WHERE row_kind = 'total' AND custom_key = ''",
                                    NULL),
        .duplicates = w.duplicates,
        .rejected = w.rejected,
        .unknown_tags = w.unknown_tags,
    };
    a.read = a.stored + a.duplicates + a.rejected;
    t->db_surveys = t->run_surveys = a;
    return CS_OK;
}

cs_status
cs_hist_check_custom_key(struct cs_store *s, const char *key, struct cs_err *err)
{
    if (one_int(s, "SELECT count(*) FROM hist_data WHERE custom_key = ?1", key) > 0)
        return CS_OK;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(cs_store_db(s),
                           "SELECT DISTINCT custom_key FROM hist_data WHERE custom_key <> ''"
                           " ORDER BY 1",
                           -1, &q, NULL) != SQLITE_OK)
        return db_fail(s, err);
    char list[1024] = "";
    size_t len = 0;
    while (sqlite3_step(q) == SQLITE_ROW && len < sizeof list)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "",
                                (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    return cs_fail(err, CS_E_NODATA, "--by",
                   len ? "the histograms have no rows of custom key '%s'; they have: %s"
                       : "the histograms have no rows of custom key '%s'%s (make them with "
                         "`callsurvey kql --custom-keys`)",
                   key, list);
}
