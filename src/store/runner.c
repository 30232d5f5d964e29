/*
 * store/runner.c: run one template SQL statement, read-only, and collect
 * its rows as typed cells.
 *
 * The fence has four layers, each checked before a row is read: an
 * authorizer (allow-list: SELECT, READ, FUNCTION except a deny-list, and
 * RECURSIVE; the first refused action is remembered so the message can
 * name it), a scan of the text after the first statement (only blanks,
 * comments and ';' may follow), sqlite3_stmt_readonly(), and named-only
 * parameters bound with sqlite3_bind_* (SQLITE_TRANSIENT: the values are
 * the caller's, borrowed for the call).  The authorizer and the progress
 * handler (for timeout_ms) are installed on the store's connection only for
 * the call, with SQLITE_LIMIT_LENGTH lowered to the result's byte cap: the
 * store's own statements never run under them.  In privacy mode the
 * authorizer also keeps the raw tables behind their pseudonymized
 * stand-ins (private_refused, store/privacy_views.h).
 */
#include "store/runner.h"

#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/mem.h"
#include "store/privacy_views.h"

/* ---- The query memory cap ------------------------------------------- */

/* SQLite's own cap, sqlite3_hard_heap_limit64(), needs its memory
 * statistics, which the store turns off (SQLITE_CONFIG_MEMSTATUS: a global
 * mutex on every allocation).  So SQLite's allocator is wrapped instead,
 * from program start (sqlite3_config(SQLITE_CONFIG_MALLOC) must come
 * before SQLite initializes): unarmed, the wrapper adds one relaxed atomic
 * load per call; armed by a template query (cs_query.heap_limit), it counts
 * the bytes SQLite takes and gives back from then on and fails an
 * allocation that would pass the cap, which SQLite reports as SQLITE_NOMEM.
 * What SQLite held before the query (page cache, an in-memory store) stays
 * outside the count.  Like SQLite's limit it is process-wide: no other
 * thread may use SQLite while a template query runs (runner.h). */
static sqlite3_mem_methods cap_orig;
static _Atomic int64_t cap_limit; /* 0 = unarmed */
static _Atomic int64_t cap_used;  /* net bytes since armed (may go negative) */
static _Atomic int cap_refused;   /* the cap refused an allocation since armed */

static void
cap_note(int64_t delta)
{
    atomic_fetch_add_explicit(&cap_used, delta, memory_order_relaxed);
}

static void *
cap_malloc(int n)
{
    int64_t lim = atomic_load_explicit(&cap_limit, memory_order_relaxed);
    if (!lim)
        return cap_orig.xMalloc(n);
    if (atomic_load_explicit(&cap_used, memory_order_relaxed) + n > lim) {
        atomic_store_explicit(&cap_refused, 1, memory_order_relaxed);
        return NULL;
    }
    void *p = cap_orig.xMalloc(n);
    if (p)
        cap_note(cap_orig.xSize(p));
    return p;
}

static void
cap_free(void *p)
{
    if (p && atomic_load_explicit(&cap_limit, memory_order_relaxed))
        cap_note(-(int64_t)cap_orig.xSize(p));
    cap_orig.xFree(p);
}

static void *
cap_realloc(void *p, int n)
{
    int64_t lim = atomic_load_explicit(&cap_limit, memory_order_relaxed);
    if (!lim || !p)
        return lim ? cap_malloc(n) : cap_orig.xRealloc(p, n);
    int64_t old = cap_orig.xSize(p);
    if (n > old && atomic_load_explicit(&cap_used, memory_order_relaxed) + (n - old) > lim) {
        atomic_store_explicit(&cap_refused, 1, memory_order_relaxed);
        return NULL;
    }
    void *q = cap_orig.xRealloc(p, n);
    if (q)
        cap_note(cap_orig.xSize(q) - old);
    return q;
}

static int
cap_size(void *p)
{
    return cap_orig.xSize(p);
}

static int
cap_roundup(int n)
{
    return cap_orig.xRoundup(n);
}

static int
cap_init(void *x)
{
    return cap_orig.xInit(x);
}

static void
cap_shutdown(void *x)
{
    cap_orig.xShutdown(x);
}

__attribute__((constructor)) static void
cap_hook(void)
{
    if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &cap_orig) != SQLITE_OK)
        return;
    sqlite3_mem_methods m = {cap_malloc, cap_free, cap_realloc, cap_size,
                             cap_roundup, cap_init, cap_shutdown, cap_orig.pAppData};
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &m) != SQLITE_OK)
        memset(&cap_orig, 0, sizeof cap_orig);
}

/* Arm the cap for `bytes` more (0: leave it off); false when the wrapper
 * could not be installed (SQLite was initialized first). */
static bool
cap_arm(uint64_t bytes)
{
    if (!bytes || !cap_orig.xMalloc)
        return false;
    atomic_store(&cap_used, 0);
    atomic_store(&cap_refused, 0);
    atomic_store(&cap_limit, bytes > INT64_MAX ? INT64_MAX : (int64_t)bytes);
    return true;
}

static void
cap_disarm(void)
{
    atomic_store(&cap_limit, 0);
}

/* ---- Private helpers ------------------------------------------------- */

/* State shared with the authorizer callback. */
struct auth_ctx {
    const char *private_prefix; /* privacy fence (cs_query), NULL = off */
    bool private_denied;        /* the first refusal was the privacy fence's */
    bool denied;                /* some action was refused */
    bool on_schema;             /* ... and it was a write to sqlite_master (a side
                        effect of CREATE/DROP, which is named better) */
    char what[200];             /* what the first refused action was, for the message */
};

/* Functions refused even when the connection would allow them. */
static const char *const denied_functions[] = {
    "load_extension", /* loads native code */
    "fts3_tokenizer", /* with two arguments: installs a C function pointer */
};

static const char *
action_name(int action)
{
    switch (action) {
    case SQLITE_CREATE_INDEX: return "CREATE INDEX";
    case SQLITE_CREATE_TABLE: return "CREATE TABLE";
    case SQLITE_CREATE_TEMP_INDEX: return "CREATE TEMP INDEX";
    case SQLITE_CREATE_TEMP_TABLE: return "CREATE TEMP TABLE";
    case SQLITE_CREATE_TEMP_TRIGGER: return "CREATE TEMP TRIGGER";
    case SQLITE_CREATE_TEMP_VIEW: return "CREATE TEMP VIEW";
    case SQLITE_CREATE_TRIGGER: return "CREATE TRIGGER";
    case SQLITE_CREATE_VIEW: return "CREATE VIEW";
    case SQLITE_DELETE: return "DELETE";
    case SQLITE_DROP_INDEX: return "DROP INDEX";
    case SQLITE_DROP_TABLE: return "DROP TABLE";
    case SQLITE_DROP_TEMP_INDEX: return "DROP TEMP INDEX";
    case SQLITE_DROP_TEMP_TABLE: return "DROP TEMP TABLE";
    case SQLITE_DROP_TEMP_TRIGGER: return "DROP TEMP TRIGGER";
    case SQLITE_DROP_TEMP_VIEW: return "DROP TEMP VIEW";
    case SQLITE_DROP_TRIGGER: return "DROP TRIGGER";
    case SQLITE_DROP_VIEW: return "DROP VIEW";
    case SQLITE_INSERT: return "INSERT";
    case SQLITE_PRAGMA: return "PRAGMA";
    case SQLITE_READ: return "reading";
    case SQLITE_TRANSACTION: return "transaction";
    case SQLITE_UPDATE: return "UPDATE";
    case SQLITE_ATTACH: return "ATTACH";
    case SQLITE_DETACH: return "DETACH";
    case SQLITE_ALTER_TABLE: return "ALTER TABLE";
    case SQLITE_REINDEX: return "REINDEX";
    case SQLITE_ANALYZE: return "ANALYZE";
    case SQLITE_CREATE_VTABLE: return "CREATE VIRTUAL TABLE";
    case SQLITE_DROP_VTABLE: return "DROP VIRTUAL TABLE";
    case SQLITE_FUNCTION: return "function";
    case SQLITE_SAVEPOINT: return "SAVEPOINT";
    default: return "statement";
    }
}

static int
deny(struct auth_ctx *c, int action, const char *a1, const char *a2)
{
    if (c->denied && !c->on_schema)
        return SQLITE_DENY;
    c->denied = true;
    c->on_schema = a1 && (action == SQLITE_INSERT || action == SQLITE_UPDATE || action == SQLITE_DELETE) &&
                   (strcmp(a1, "sqlite_master") == 0 ||
                    strcmp(a1, "sqlite_temp_master") == 0);
    /* CREATE and DROP first ask to write sqlite_master, then name
     * themselves: let SQLite go on to the better name.  Safe because a
     * statement is never stepped once anything was refused (run()). */
    int verdict = c->on_schema ? SQLITE_OK : SQLITE_DENY;
    const char *name = action_name(action);
    switch (action) {
    case SQLITE_FUNCTION:
        snprintf(c->what, sizeof c->what, "function %s()", a2 ? a2 : "?");
        break;
    case SQLITE_PRAGMA:
        snprintf(c->what, sizeof c->what, "PRAGMA %s%s%s", a1 ? a1 : "?",
                 a2 ? " = " : "", a2 ? a2 : "");
        break;
    case SQLITE_ATTACH:
        snprintf(c->what, sizeof c->what, "ATTACH '%s'", a1 ? a1 : "");
        break;
    case SQLITE_DETACH:
        snprintf(c->what, sizeof c->what, "DETACH %s", a1 ? a1 : "");
        break;
    case SQLITE_TRANSACTION:
        snprintf(c->what, sizeof c->what, "%s (transaction)", a1 ? a1 : "BEGIN");
        break;
    case SQLITE_SAVEPOINT:
        snprintf(c->what, sizeof c->what, "SAVEPOINT %s", a2 ? a2 : "");
        break;
    case SQLITE_READ:
        snprintf(c->what, sizeof c->what, "reading %s", a1 ? a1 : "?");
        break;
    default:
        /* the table (or index, trigger, view) name is a1 for the others */
        snprintf(c->what, sizeof c->what, "%s%s%s", name, a1 ? " on " : "",
                 a1 ? a1 : "");
        break;
    }
    return verdict;
}

/* The privacy fence (store/privacy_views.h): a raw table of the main schema may
 * only be read inside the prefixed views that pseudonymize it (`trigger`
 * is the innermost view or CTE being read: a CTE would need the random
 * prefix, which hides in the temp catalogue, refused too). */
static bool
private_refused(const struct auth_ctx *c, const char *table, const char *column,
                const char *db_name, const char *view)
{
    /* SQLite also asks, with no column and no view, for a table the
     * flattened statement opens without reading a column of it (count(*)):
     * that reveals no value */
    if (!table || !db_name || !column || !*column)
        return false;
    if (strcmp(db_name, "temp") == 0)
        return strcasecmp(table, "sqlite_temp_master") == 0 ||
               strcasecmp(table, "sqlite_temp_schema") == 0;
    if (strcmp(db_name, "main") != 0 || !cs_store_privacy_raw_table(table))
        return false;
    return !view || strncmp(view, c->private_prefix, strlen(c->private_prefix)) != 0;
}

/* The authorizer: an allow-list.  Called by SQLite while preparing (and
 * re-preparing) a statement; a1..a4 depend on the action (see sqlite3.h). */
static int
authorize(void *ctx, int action, const char *a1, const char *a2,
          const char *db_name, const char *trigger)
{
    (void)db_name;
    (void)trigger;
    struct auth_ctx *c = ctx;
    switch (action) {
    case SQLITE_SELECT:
    case SQLITE_RECURSIVE:
        return SQLITE_OK;
    case SQLITE_READ:
        /* pragma_xxx() table-valued functions are PRAGMAs in disguise */
        if (a1 && strncasecmp(a1, "pragma_", 7) == 0)
            return deny(c, SQLITE_PRAGMA, a1 + 7, NULL);
        if (c->private_prefix && private_refused(c, a1, a2, db_name, trigger)) {
            bool first = !c->denied;
            int v = deny(c, action, a1, a2);
            if (first) {
                c->private_denied = true;
                snprintf(c->what, sizeof c->what, "reading %s.%s", db_name ? db_name : "?",
                         a1 ? a1 : "?");
            }
            return v;
        }
        return SQLITE_OK;
    case SQLITE_FUNCTION:
        for (size_t i = 0; i < sizeof denied_functions / sizeof *denied_functions; i++)
            if (a2 && strcasecmp(a2, denied_functions[i]) == 0)
                return deny(c, action, a1, a2);
        return SQLITE_OK;
    default:
        return deny(c, action, a1, a2);
    }
}

/* Deadline for the progress handler; 0 = none. */
struct progress_ctx {
    struct timespec deadline;
    bool expired;
};

static int
progress(void *ctx)
{
    struct progress_ctx *p = ctx;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec > p->deadline.tv_sec ||
        (now.tv_sec == p->deadline.tv_sec && now.tv_nsec >= p->deadline.tv_nsec)) {
        p->expired = true;
        return 1; /* interrupt: sqlite3_step returns SQLITE_INTERRUPT */
    }
    return 0;
}

/* Skip blanks, ';' and SQL comments; returns the first other character
 * (or the terminator).  An unterminated block comment runs to the end, as
 * SQLite treats it. */
static const char *
skip_trailer(const char *p)
{
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' ||
               *p == '\f' || *p == '\v' || *p == ';')
            p++;
        if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *e = strstr(p + 2, "*/");
            p = e ? e + 2 : p + strlen(p);
        } else {
            return p;
        }
    }
}

static const char *
lbl(const struct cs_query *q)
{
    return q->label && q->label[0] ? q->label : "query";
}

/* Bind every parameter of st from q->params.  Positional parameters are
 * refused; parameters without a value are collected into one message. */
static cs_status
bind_params(sqlite3_stmt *st, const struct cs_query *q, struct cs_err *err)
{
    char missing[256] = "";
    size_t n_missing = 0, used = 0;
    int n = sqlite3_bind_parameter_count(st);
    for (int i = 1; i <= n; i++) {
        const char *name = sqlite3_bind_parameter_name(st, i);
        if (name == NULL || name[0] == '?')
            return cs_fail(err, CS_E_TEMPLATE, q->where,
                           "%s: positional parameter '%s' is not allowed; "
                           "use named parameters such as :since",
                           lbl(q), name ? name : "?");
        const struct cs_sql_param *p = NULL;
        for (size_t k = 0; k < q->n_params && !p; k++)
            if (q->params[k].name && strcmp(q->params[k].name, name + 1) == 0)
                p = &q->params[k];
        if (p == NULL) {
            if (used < sizeof missing)
                used += (size_t)snprintf(missing + used, sizeof missing - used,
                                         "%s%s", n_missing ? ", " : "", name);
            n_missing++;
            continue;
        }
        int rc;
        switch (p->type) {
        case CS_SQL_INT: rc = sqlite3_bind_int64(st, i, p->i); break;
        case CS_SQL_REAL: rc = sqlite3_bind_double(st, i, p->r); break;
        case CS_SQL_TEXT:
            rc = p->s ? sqlite3_bind_text(st, i, p->s, -1, SQLITE_TRANSIENT)
                      : sqlite3_bind_null(st, i);
            break;
        default: rc = sqlite3_bind_null(st, i); break;
        }
        if (rc != SQLITE_OK)
            return cs_fail(err, CS_E_DB, q->where, "%s: binding %s: %s", lbl(q),
                           name, sqlite3_errstr(rc));
    }
    if (n_missing == 0)
        return CS_OK;
    char known[200] = "";
    used = 0;
    for (size_t k = 0; k < q->n_params && used < sizeof known; k++)
        used += (size_t)snprintf(known + used, sizeof known - used, "%s:%s",
                                 k ? ", " : "", q->params[k].name);
    return cs_fail(err, CS_E_TEMPLATE, q->where,
                   "%s: no value for parameter%s %s (known: %s)", lbl(q),
                   n_missing > 1 ? "s" : "", missing,
                   q->n_params ? known : "none");
}

static struct cs_result *
result_new(sqlite3_stmt *st)
{
    struct cs_result *r = xcalloc(1, sizeof *r);
    r->n_cols = (size_t)sqlite3_column_count(st);
    r->cols = xcalloc(r->n_cols ? r->n_cols : 1, sizeof *r->cols);
    for (size_t c = 0; c < r->n_cols; c++) {
        const char *name = sqlite3_column_name(st, (int)c);
        const char *decl = sqlite3_column_decltype(st, (int)c);
        r->cols[c].name = xstrdup(name ? name : "");
        r->cols[c].decl_type = decl ? xstrdup(decl) : NULL;
    }
    return r;
}

static void
observe(struct cs_result_col *col, enum cs_sql_type t)
{
    if (t == CS_SQL_NULL || t == col->type)
        return;
    if (col->type == CS_SQL_NULL) {
        col->type = t;
        return;
    }
    col->mixed = true;
    col->type = (t == CS_SQL_TEXT || col->type == CS_SQL_TEXT) ? CS_SQL_TEXT
                                                               : CS_SQL_REAL;
}

/* Append the current row of st to r; *bytes counts text so far. */
static cs_status
add_row(struct cs_result *r, sqlite3_stmt *st, size_t *cap, size_t *bytes,
        const struct cs_query *q, struct cs_err *err)
{
    size_t nc = r->n_cols ? r->n_cols : 1;
    if (r->n_rows == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        r->cells = xreallocarray(r->cells, *cap, nc * sizeof *r->cells);
    }
    struct cs_cell *row = r->cells + r->n_rows * nc;
    memset(row, 0, nc * sizeof *row);
    r->n_rows++; /* counted first, so a failure below frees what was copied */
    for (size_t c = 0; c < r->n_cols; c++) {
        struct cs_cell *cell = &row[c];
        switch (sqlite3_column_type(st, (int)c)) {
        case SQLITE_INTEGER:
            cell->type = CS_SQL_INT;
            cell->i = sqlite3_column_int64(st, (int)c);
            break;
        case SQLITE_FLOAT:
            cell->type = CS_SQL_REAL;
            cell->r = sqlite3_column_double(st, (int)c);
            break;
        case SQLITE_TEXT:
        case SQLITE_BLOB: {
            const void *v = sqlite3_column_type(st, (int)c) == SQLITE_TEXT
                                ? (const void *)sqlite3_column_text(st, (int)c)
                                : sqlite3_column_blob(st, (int)c);
            size_t len = (size_t)sqlite3_column_bytes(st, (int)c);
            *bytes += len + 1;
            if (*bytes > CS_RUNNER_MAX_BYTES)
                return cs_fail(err, CS_E_TEMPLATE, q->where,
                               "%s: the result holds more than %u MiB of text; "
                               "select fewer columns or rows",
                               lbl(q), CS_RUNNER_MAX_BYTES / (1024u * 1024u));
            cell->type = CS_SQL_TEXT;
            cell->t.s = xmalloc(len + 1);
            if (len)
                memcpy(cell->t.s, v, len);
            cell->t.s[len] = '\0';
            cell->t.len = len;
            break;
        }
        default:
            cell->type = CS_SQL_NULL;
            break;
        }
        observe(&r->cols[c], cell->type);
    }
    return CS_OK;
}

/* Prepare, check and bind; on success *out_st is a statement ready to step. */
static cs_status
prepare_fenced(sqlite3 *db, const struct cs_query *q, struct auth_ctx *auth,
               sqlite3_stmt **out_st, struct cs_err *err)
{
    *out_st = NULL;
    if (q->sql == NULL)
        return cs_fail(err, CS_E_TEMPLATE, q->where, "%s: no SQL", lbl(q));
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    int rc = sqlite3_prepare_v2(db, q->sql, -1, &st, &tail);
    if (rc != SQLITE_OK || auth->denied) {
        sqlite3_finalize(st);
        if (auth->denied && auth->private_denied)
            return cs_fail(err, CS_E_TEMPLATE, q->where,
                           "%s: with --pseudonymize a template query reads the "
                           "pseudonymized views (surveys, ratings, rating_issues, "
                           "custom, survey_custom, rejects), refused: %s",
                           lbl(q), auth->what);
        if (auth->denied)
            return cs_fail(err, CS_E_TEMPLATE, q->where,
                           "%s: only reading is allowed in a template query, "
                           "refused: %s",
                           lbl(q), auth->what);
        return cs_fail(err, CS_E_DB, q->where, "%s: SQL error: %s", lbl(q),
                       sqlite3_errmsg(db));
    }
    if (st == NULL)
        return cs_fail(err, CS_E_TEMPLATE, q->where, "%s: the query is empty",
                       lbl(q));
    const char *rest = skip_trailer(tail ? tail : "");
    if (*rest) {
        sqlite3_finalize(st);
        size_t n = strcspn(rest, "\n");
        return cs_fail(err, CS_E_TEMPLATE, q->where,
                       "%s: only one SQL statement is allowed per query, "
                       "but more follows: '%.*s%s'",
                       lbl(q),
                       (int)(n > 40 ? 40 : n), rest, n > 40 ? "..." : "");
    }
    if (!sqlite3_stmt_readonly(st)) {
        sqlite3_finalize(st);
        return cs_fail(err, CS_E_TEMPLATE, q->where,
                       "%s: only reading is allowed in a template query, "
                       "refused: a statement that writes",
                       lbl(q));
    }
    cs_status s = bind_params(st, q, err);
    if (s != CS_OK) {
        sqlite3_finalize(st);
        return s;
    }
    *out_st = st;
    return CS_OK;
}

static cs_status
run(struct cs_store *store, const struct cs_query *q, bool rows,
    struct cs_result **out, struct cs_err *err)
{
    *out = NULL;
    sqlite3 *db = cs_store_db(store);
    struct auth_ctx auth = {.private_prefix = q->private_prefix};
    struct progress_ctx prog = {0};
    /* The first use of an eponymous virtual table on a connection registers
     * it, which SQLite reports to the authorizer as an UPDATE of
     * sqlite_master: do that for json_each and json_tree before the fence,
     * so queries may use them (the README's :resources idiom). */
    if (sqlite3_exec(db, "SELECT 1 FROM json_each('[]'), json_tree('[]')", NULL, NULL, NULL) !=
        SQLITE_OK) /* out of memory: the query would read as refused */
        return cs_fail(err, CS_E_DB, q->where, "%s: %s", lbl(q), sqlite3_errmsg(db));
    sqlite3_set_authorizer(db, authorize, &auth);
    /* one value may not exceed the result's byte cap (zeroblob(1e9) would
     * otherwise allocate a gigabyte before our own count sees it) */
    int old_len = sqlite3_limit(db, SQLITE_LIMIT_LENGTH, (int)CS_RUNNER_MAX_BYTES);
    if (q->timeout_ms) {
        clock_gettime(CLOCK_MONOTONIC, &prog.deadline);
        prog.deadline.tv_sec += q->timeout_ms / 1000;
        prog.deadline.tv_nsec += (long)(q->timeout_ms % 1000) * 1000000L;
        if (prog.deadline.tv_nsec >= 1000000000L) {
            prog.deadline.tv_sec++;
            prog.deadline.tv_nsec -= 1000000000L;
        }
        sqlite3_progress_handler(db, 1000, progress, &prog);
    }
    bool capped = cap_arm(q->heap_limit); /* the memory cap, off again below */
    sqlite3_stmt *st = NULL;
    struct cs_result *r = NULL;
    cs_status s = prepare_fenced(db, q, &auth, &st, err);
    if (s == CS_OK)
        r = result_new(st);
    size_t max_rows = q->max_rows ? q->max_rows : CS_RUNNER_MAX_ROWS;
    size_t cap = 0, bytes = 0;
    while (s == CS_OK && rows) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
            break;
        if (rc == SQLITE_ROW) {
            if (r->n_rows >= max_rows)
                s = cs_fail(err, CS_E_TEMPLATE, q->where,
                            "%s: the query returns more than %zu rows; "
                            "aggregate or add a LIMIT",
                            lbl(q), max_rows);
            else
                s = add_row(r, st, &cap, &bytes, q, err);
        } else if (rc == SQLITE_NOMEM && capped &&
                   atomic_load_explicit(&cap_refused, memory_order_relaxed)) {
            /* the cap said no (a real shortage reads as out of memory) */
            s = cs_fail(err, CS_E_DB, q->where,
                        "%s: the query needs more than its memory limit of %llu MiB "
                        "and was stopped; raise it with --query-memory SIZE (e.g. %lluM)",
                        lbl(q), (unsigned long long)(q->heap_limit >> 20),
                        (unsigned long long)(q->heap_limit >> 20) * 4);
        } else if (rc == SQLITE_INTERRUPT && prog.expired) {
            s = cs_fail(err, CS_E_DB, q->where,
                        "%s: the query was stopped after %u ms", lbl(q),
                        (unsigned)q->timeout_ms);
        } else {
            s = cs_fail(err, CS_E_DB, q->where, "%s: SQL error: %s", lbl(q),
                        sqlite3_errmsg(db));
        }
    }
    sqlite3_finalize(st);
    if (capped)
        cap_disarm();
    sqlite3_progress_handler(db, 0, NULL, NULL);
    sqlite3_limit(db, SQLITE_LIMIT_LENGTH, old_len);
    sqlite3_set_authorizer(db, NULL, NULL);
    if (s != CS_OK) {
        cs_result_free(&r);
        return s;
    }
    *out = r;
    return CS_OK;
}

/* ---- Public API ------------------------------------------------------ */

cs_status
cs_runner_run(struct cs_store *s, const struct cs_query *q,
              struct cs_result **out, struct cs_err *err)
{
    return run(s, q, true, out, err);
}

cs_status
cs_runner_check(struct cs_store *s, const struct cs_query *q,
                struct cs_result **out, struct cs_err *err)
{
    return run(s, q, false, out, err);
}

void
cs_result_free(struct cs_result **rp)
{
    if (rp == NULL || *rp == NULL)
        return;
    struct cs_result *r = *rp;
    for (size_t i = 0; i < r->n_rows * r->n_cols; i++)
        if (r->cells[i].type == CS_SQL_TEXT)
            xfree(r->cells[i].t.s);
    for (size_t c = 0; c < r->n_cols; c++) {
        xfree(r->cols[c].name);
        xfree(r->cols[c].decl_type);
    }
    xfree(r->cols);
    xfree(r->cells);
    xfree(r);
    *rp = NULL;
}

const struct cs_cell *
cs_result_cell(const struct cs_result *r, size_t i_row, size_t i_col)
{
    return &r->cells[i_row * r->n_cols + i_col];
}

long
cs_result_column(const struct cs_result *r, const char *name)
{
    for (size_t c = 0; c < r->n_cols; c++)
        if (strcasecmp(r->cols[c].name, name) == 0)
            return (long)c;
    return -1;
}
