/*
 * store/filter_sql.c: a survey filter as SQL.
 */
#include "store/filter_sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

void
cs_filter_resource_ids(const struct cs_filter *f, char *buf, size_t cap)
{
    size_t n = (size_t)snprintf(buf, cap, "SELECT id FROM resource_data WHERE 0");
    for (size_t i = 0; f && i < f->n_resources && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n,
                              " OR upper(resource_id) = upper(?%zu)"
                              " OR upper(name) = upper(?%zu)",
                              102 + i, 102 + i);
}

void
cs_filter_where(const struct cs_filter *f, char *buf, size_t cap)
{
    size_t n = (size_t)snprintf(buf, cap, "1");
    if (f && f->has_since)
        n += (size_t)snprintf(buf + n, cap - n, " AND d.time_us >= ?100");
    if (f && f->has_until)
        n += (size_t)snprintf(buf + n, cap - n, " AND d.time_us < ?101");
    if (f && f->n_resources && n < cap) {
        n += (size_t)snprintf(buf + n, cap - n, " AND d.resource IN (");
        if (n < cap)
            cs_filter_resource_ids(f, buf + n, cap - n);
        n = strlen(buf);
        if (n < cap)
            snprintf(buf + n, cap - n, ")");
    }
}

void
cs_filter_bind(sqlite3_stmt *q, const struct cs_filter *f, double def_thr)
{
    if (sqlite3_bind_parameter_index(q, "?99"))
        sqlite3_bind_double(q, 99, def_thr);
    if (!f)
        return;
    if (f->has_since)
        sqlite3_bind_int64(q, 100, f->since_us);
    if (f->has_until)
        sqlite3_bind_int64(q, 101, f->until_us);
    for (size_t i = 0; i < f->n_resources; i++)
        sqlite3_bind_text(q, (int)(102 + i), f->resources[i], -1, SQLITE_STATIC);
}

int
cs_filter_resource_id_list(sqlite3 *db, const struct cs_filter *f, int64_t **ids, size_t *n)
{
    *ids = NULL;
    *n = 0;
    if (!f || !f->n_resources)
        return SQLITE_OK;
    char sql[8192];
    cs_filter_resource_ids(f, sql, sizeof sql - 16);
    strcat(sql, " ORDER BY id");
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);
    if (rc != SQLITE_OK)
        return rc;
    cs_filter_bind(q, f, 0);
    size_t cap = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (*n == cap)
            *ids = xreallocarray(*ids, cap = cap ? cap * 2 : 8, sizeof **ids);
        (*ids)[(*n)++] = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) {
        xfree(*ids);
        *ids = NULL;
        *n = 0;
        return rc;
    }
    return SQLITE_OK;
}

size_t
cs_ids_find(const int64_t *ids, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && ids[lo] == id ? lo : n;
}

bool
cs_ids_has(const int64_t *ids, size_t n, int64_t id)
{
    return cs_ids_find(ids, n, id) < n;
}
