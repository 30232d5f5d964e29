/*
 * store/runner.h: the read-only SQL runner behind template query steps.
 *
 * Template SQL is input, so it runs fenced (DESIGN.md §7): on the store's
 * own connection (a private store may live in ":memory:", where a second
 * connection would see an empty database) under an SQLite authorizer that
 * allows reading and calling functions only, then sqlite3_stmt_readonly()
 * as a second check, one statement per query, and every value bound as a
 * named parameter (":since"), never pasted into the SQL text.  What the
 * authorizer refuses: INSERT/UPDATE/DELETE, CREATE/DROP/ALTER, every PRAGMA
 * (writable_schema included, and the pragma_* table-valued functions),
 * ATTACH/DETACH, BEGIN/COMMIT/SAVEPOINT, ANALYZE, REINDEX, VACUUM, and the
 * functions load_extension() and fts3_tokenizer() even when enabled.
 *
 * The result is plain owned data (column names and types, rows of typed
 * cells), capped in rows and text bytes so that a runaway query becomes an
 * error instead of an out-of-memory abort.
 */
#ifndef CS_STORE_RUNNER_H
#define CS_STORE_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

#define CS_RUNNER_MAX_ROWS 100000                 /* default row cap */
#define CS_RUNNER_MAX_BYTES (64u * 1024u * 1024u) /* cap on text bytes of a result */

/* Type of a value: a parameter, a cell, or a column's observed type. */
enum cs_sql_type {
    CS_SQL_NULL = 0, /* SQL NULL (a column: every value was NULL, or no rows) */
    CS_SQL_INT,      /* 64-bit integer */
    CS_SQL_REAL,     /* double */
    CS_SQL_TEXT,     /* UTF-8 text (a BLOB comes back as text of its bytes) */
};

/* A named parameter value.  Borrowed by the runner for the call only. */
struct cs_sql_param {
    const char *name;      /* without the prefix: "since" binds :since, @since, $since */
    enum cs_sql_type type; /* which member below holds the value */
    int64_t i;             /* CS_SQL_INT */
    double r;              /* CS_SQL_REAL */
    const char *s;         /* CS_SQL_TEXT: NUL-terminated UTF-8 (bound as a copy) */
};

/* One cell of a result.  Text is owned by the result. */
struct cs_cell {
    enum cs_sql_type type; /* CS_SQL_NULL .. CS_SQL_TEXT */
    union {
        int64_t i; /* CS_SQL_INT */
        double r;  /* CS_SQL_REAL */
        struct {
            char *s;    /* CS_SQL_TEXT: NUL-terminated (may contain NULs from a BLOB) */
            size_t len; /* bytes, excluding the terminator */
        } t;
    };
};

struct cs_result_col {
    char *name;            /* as SQLite names it ("poor_rate", "count(*)") */
    char *decl_type;       /* declared type of a table/view column ("TEXT");
                              NULL for expressions */
    enum cs_sql_type type; /* observed: the type of its non-NULL values;
                              INT and REAL mixed give REAL, any TEXT gives TEXT;
                              CS_SQL_NULL when every value is NULL or no rows */
    bool mixed;            /* non-NULL values of more than one type were seen */
};

/* A query result: n_rows x n_cols cells, row-major. */
struct cs_result {
    struct cs_result_col *cols; /* owned, n_cols entries */
    size_t n_cols;
    struct cs_cell *cells; /* owned: cell (r, c) is cells[r * n_cols + c] */
    size_t n_rows;
};

/* What to run.  Every pointer is borrowed for the call. */
struct cs_query {
    const char *sql;                   /* exactly one statement; a trailing ';' and comments are fine */
    const char *where;                 /* for messages: "weekly.yaml:12" (NULL: none) */
    const char *label;                 /* for messages: "step 'Poor rate by answer'" (NULL: none) */
    const struct cs_sql_param *params; /* values for the statement's named parameters */
    size_t n_params;
    size_t max_rows;            /* 0 = CS_RUNNER_MAX_ROWS; more rows is an error */
    uint32_t timeout_ms;        /* 0 = no limit; longer runs stop with an error */
    uint64_t heap_limit;        /* 0 = none: bytes of SQLite heap the query may add to
                             what SQLite holds when it starts (the store's cache
                             and an in-memory store stay outside the cap); past
                             it the query stops with an error.  The cap counts
                             every SQLite allocation of the process while it is
                             armed (for the call only), so no other thread may
                             use SQLite meanwhile */
    const char *private_prefix; /* privacy mode (store/privacy_views.h), NULL = off:
                             reading a raw table (survey_data, custom_events,
                             reject_data) of the main schema is refused except
                             inside views whose name starts with this prefix,
                             and so is reading the temp schema's catalogue */
};

/* Run q on the store's connection and return its rows.
 *
 * The authorizer and the progress handler of the connection are set for
 * the call and removed before returning (setting an authorizer expires the
 * connection's prepared statements: SQLite re-prepares them on their next
 * step).  No other thread may use the store during the call.
 *
 * Returns owned result in *out (free with cs_result_free); *out is NULL on
 * error.  Errors (err->where = q->where, msg starts with q->label):
 *   CS_E_TEMPLATE  refused: not a single read-only statement ("only reading
 *                  is allowed: DELETE on survey_data"), a raw table read
 *                  past the privacy fence ("with --pseudonymize ..."), positional "?"
 *                  parameters, parameters no value was given for (all named),
 *                  an empty query, too many rows or bytes;
 *   CS_E_DB        SQLite's own error (syntax, no such column, timeout), with
 *                  SQLite's message; past heap_limit, a message giving the
 *                  limit and saying --query-memory raises it.
 * Parameters given but not used by the statement are fine. */
cs_status cs_runner_run(struct cs_store *s, const struct cs_query *q,
                        struct cs_result **out, struct cs_err *err);

/* Prepare q exactly as cs_runner_run does (same checks, same messages) but
 * read no row: the result has the columns (names, declared types; observed
 * type CS_SQL_NULL) and no rows.  This lets a template be checked against
 * the views before any data is loaded.  Returns owned result in *out. */
cs_status cs_runner_check(struct cs_store *s, const struct cs_query *q,
                          struct cs_result **out, struct cs_err *err);

/* Free a result and set *r to NULL.  NULL and a NULL *r are no-ops. */
void cs_result_free(struct cs_result **r);

/* Cell (i_row, i_col); borrowed from r.  Indexes must be in range. */
const struct cs_cell *cs_result_cell(const struct cs_result *r, size_t i_row,
                                     size_t i_col);

/* Index of the column named `name` (ASCII case-insensitive, as SQL
 * identifiers are), or -1. */
long cs_result_column(const struct cs_result *r, const char *name);

#endif
