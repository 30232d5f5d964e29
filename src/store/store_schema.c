/*
 * store/store_schema.c: whether the store's tables have a table or column
 * (store.h): a database opened read-only keeps the schema it was made
 * with.
 */
#include <sqlite3.h>
#include <stdbool.h>

#include "store/store.h"
#include "store/store_int.h"

/* 1 when table (and column, unless NULL) exists, 0 when not, -1 when the
 * check failed (SQLite's code in *code). */
static int
column_exists(struct cs_store *s, const char *table, const char *column, int *code)
{
    sqlite3_stmt *q;
    if ((*code = sqlite3_prepare_v2(s->db,
                                    "SELECT 1 FROM pragma_table_info(?1) WHERE ?2 IS NULL OR name = ?2",
                                    -1, &q, NULL)) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
    if (column)
        sqlite3_bind_text(q, 2, column, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    *code = rc;
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0
                                                    : -1;
}

cs_status
cs_store_column_check(struct cs_store *s, const char *table, const char *column, bool *yes,
                      struct cs_err *err)
{
    int code, r = column_exists(s, table, column, &code);
    *yes = r > 0;
    if (r >= 0)
        return CS_OK;
    return cs_fail(err, CS_E_DB, NULL, "checking the table %s: %s", table,
                   code == SQLITE_NOMEM ? "out of memory" : sqlite3_errstr(code));
}

bool
cs_store_has_column(struct cs_store *s, const char *table, const char *column)
{
    /* a failed check says yes: the reader's own query then fails (and
     * says why) rather than quietly counting nothing */
    int code;
    return column_exists(s, table, column, &code) != 0;
}
