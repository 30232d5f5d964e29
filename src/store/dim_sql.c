/*
 * store/dim_sql.c: cs_dim_group and cs_dim_key for SQLite (model/dims.h).
 */
#include "store/dim_sql.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "model/dims.h"

/* ---- SQL functions ---------------------------------------------------- */

static bool
kept(const char *g, const char *keep)
{
    if (!keep)
        return true;
    size_t n = strlen(g);
    for (const char *p = keep; *p;) {
        const char *e = strchr(p, '\x1f');
        size_t k = e ? (size_t)(e - p) : strlen(p);
        if (k == n && memcmp(p, g, n) == 0)
            return true;
        if (!e)
            break;
        p = e + 1;
    }
    return false;
}

static void
fn_dim(sqlite3_context *ctx, int argc, sqlite3_value **argv, bool key)
{
    (void)argc;
    enum cs_dim d = cs_dim_parse((const char *)sqlite3_value_text(argv[0]));
    const char *raw = (const char *)sqlite3_value_text(argv[1]);
    const char *keep = (const char *)sqlite3_value_text(argv[2]);
    char g[CS_DIM_GROUP_MAX];
    cs_dim_group(d, raw, g, sizeof g);
    if (strcmp(g, CS_DIM_UNKNOWN) != 0 && strcmp(g, CS_DIM_REDACTED) != 0 && !kept(g, keep))
        snprintf(g, sizeof g, "%s", CS_DIM_OTHER);
    if (!key) {
        sqlite3_result_text(ctx, g, -1, SQLITE_TRANSIENT);
        return;
    }
    char k[4 * CS_DIM_GROUP_MAX];
    cs_dim_sort_key(g, k, sizeof k);
    sqlite3_result_text(ctx, k, -1, SQLITE_TRANSIENT);
}

static void
fn_dim_group(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    fn_dim(ctx, argc, argv, false);
}

static void
fn_dim_key(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    fn_dim(ctx, argc, argv, true);
}

void
cs_calls_register(sqlite3 *db)
{
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    sqlite3_create_function(db, "cs_dim_group", 3, flags, NULL, fn_dim_group, NULL, NULL);
    sqlite3_create_function(db, "cs_dim_key", 3, flags, NULL, fn_dim_key, NULL, NULL);
}
