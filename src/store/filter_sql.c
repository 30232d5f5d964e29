/*
 * store/filter_sql.c: a survey filter as SQL.
 */
#include "store/filter_sql.h"

#include <stdio.h>

void
cs_filter_where(const struct cs_filter *f, char *buf, size_t cap)
{
    size_t n = (size_t)snprintf(buf, cap, "1");
    if (f && f->has_since)
        n += (size_t)snprintf(buf + n, cap - n, " AND d.time_us >= ?100");
    if (f && f->has_until)
        n += (size_t)snprintf(buf + n, cap - n, " AND d.time_us < ?101");
    if (f && f->n_resources) {
        n += (size_t)snprintf(buf + n, cap - n,
                              " AND d.resource IN (SELECT id FROM resource_data"
                              " WHERE 0");
        for (size_t i = 0; i < f->n_resources && n < cap; i++)
            n += (size_t)snprintf(buf + n, cap - n,
                                  " OR upper(resource_id) = upper(?%zu)"
                                  " OR upper(name) = upper(?%zu)",
                                  102 + i, 102 + i);
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
