/*
 * store/privacy_views.c: pseudonymized TEMP stand-ins for template SQL (see
 * privacy.h).
 *
 * The column lists of the stand-ins come from PRAGMA table_info, so a
 * column added to a raw table later shows through unchanged unless its
 * name marks it as an id (*_id) - the rule errs towards hiding.  The views
 * are re-created from sqlite_master's own SQL ("CREATE VIEW name AS ...":
 * SQLite stores the statement from the name on, without IF NOT EXISTS), in
 * creation order, so a view's dependencies exist before it.  A main view
 * is bound to main tables when it is created (SQLite fixes the schema of
 * names in DDL), which is why the views need temp copies at all: only a
 * temp view's unqualified names find the temp stand-ins first.
 */
#include "store/privacy_views.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/mem.h"
#include "ingest/answers.h"

struct cs_store_privacy {
    char prefix[32]; /* "cs_priv_0123456789ab_" */
    char **views;    /* owned: temp views created, in creation order */
    size_t n_views;
};

static const char *const raw_tables[] = {"survey_data", "custom_events", "reject_data",
                                         "call_data"};
#define N_RAW (sizeof raw_tables / sizeof raw_tables[0])

/* ---- Private helpers ---------------------------------------------------- */

static void
fn_pseudo(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    const struct cs_privacy *p = sqlite3_user_data(ctx);
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    int n = sqlite3_value_bytes(argv[0]);
    char out[CS_PRIVACY_HEX + 1];
    cs_privacy_id(p, s ? s : "", (size_t)n, out);
    sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

static void
fn_answers(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    const struct cs_privacy *p = sqlite3_user_data(ctx);
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    char *t = cs_privacy_answers(p, s ? s : "", NULL);
    if (t) {
        sqlite3_result_text(ctx, t, -1, SQLITE_TRANSIENT);
        xfree(t);
    } else {
        sqlite3_result_value(ctx, argv[0]);
    }
}

static bool
is_id_column(const char *c)
{
    size_t n = strlen(c);
    return strcasecmp(c, "resource_id") != 0 && n >= 3 &&
           strcasecmp(c + n - 3, "_id") == 0;
}

/* "name" with quotes doubled, appended. */
static void
cat_ident(struct cs_buf *b, const char *name)
{
    cs_buf_puts(b, "\"");
    for (const char *p = name; *p; p++)
        cs_buf_puts(b, *p == '"' ? "\"\"" : (char[2]){*p, 0});
    cs_buf_puts(b, "\"");
}

static cs_status
exec(sqlite3 *db, const char *sql, struct cs_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        cs_fail(err, CS_E_DB, NULL, "privacy views: %s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return CS_E_DB;
    }
    return CS_OK;
}

static void
remember(struct cs_store_privacy *h, const char *name)
{
    h->views = xreallocarray(h->views, h->n_views + 1, sizeof *h->views);
    h->views[h->n_views++] = xstrdup(name);
}

/* The select list of table t's stand-in. */
static cs_status
standin_columns(sqlite3 *db, const char *t, struct cs_buf *cols, struct cs_err *err)
{
    char *sql = sqlite3_mprintf("SELECT name FROM pragma_table_info(%Q, 'main') ORDER BY cid", t);
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(db, sql, -1, &q, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK)
        return cs_fail(err, CS_E_DB, NULL, "privacy views: %s", sqlite3_errmsg(db));
    size_t n = 0;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *c = (const char *)sqlite3_column_text(q, 0);
        if (!c)
            continue;
        if (n++)
            cs_buf_puts(cols, ", ");
        if (is_id_column(c) ||
            (strcmp(t, "call_data") == 0 &&
             (strcmp(c, "call_key") == 0 || strcmp(c, "part_key") == 0 ||
              strcmp(c, "endpoint_key") == 0 || strcmp(c, "identifier") == 0))) {
            cs_buf_puts(cols, "cs_pseudo(");
            cat_ident(cols, c);
            cs_buf_puts(cols, ")");
        } else if (strcmp(t, "custom_events") == 0 &&
                   (strcmp(c, "props") == 0 || strcmp(c, "measurements") == 0)) {
            cs_buf_puts(cols, "cs_answers(");
            cat_ident(cols, c);
            cs_buf_puts(cols, ")");
        } else if ((strcmp(t, "reject_data") == 0 && strcmp(c, "raw") == 0) ||
                   (strcmp(t, "reject_data") == 0 && strcmp(c, "rhash") == 0) ||
                   (strcmp(t, "custom_events") == 0 && strcmp(c, "phash") == 0)) {
            /* raw text, and an unkeyed hash of the raw answers (which
             * would confirm a guessed answer) */
            cs_buf_puts(cols, "NULL");
        } else {
            cat_ident(cols, c);
            continue;
        }
        cs_buf_puts(cols, " AS ");
        cat_ident(cols, c);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return cs_fail(err, CS_E_DB, NULL, "privacy views: %s", sqlite3_errmsg(db));
    if (n == 0)
        return cs_fail(err, CS_E_INTERNAL, NULL, "privacy views: the store has no table %s", t);
    return CS_OK;
}

static void
make_prefix(char prefix[32])
{
    unsigned char r[8];
    if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
        /* no entropy yet (early boot): time and pid still differ per call */
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        unsigned long long v = (unsigned long long)ts.tv_nsec ^
                               ((unsigned long long)ts.tv_sec << 20) ^
                               ((unsigned long long)getpid() << 40);
        memcpy(r, &v, sizeof r);
    }
    static const char hex[] = "0123456789abcdef";
    char h[17];
    for (size_t i = 0; i < 8; i++) {
        h[2 * i] = hex[r[i] >> 4];
        h[2 * i + 1] = hex[r[i] & 15];
    }
    h[16] = '\0';
    snprintf(prefix, 32, "cs_priv_%s_", h);
}

/* Drop the views (all of them, also after a failure) and the functions.
 * SQLITE_OK, or the first failure's code with its message in why: a
 * stand-in left behind would shadow its main table for the rest of the
 * run (an event stored later was written to a dropped view: found by the
 * fault loop, SQLite out of memory in a DROP VIEW). */
static int
drop_all(sqlite3 *db, struct cs_store_privacy *h, char *why, size_t cap)
{
    int first = SQLITE_OK;
    for (size_t i = h->n_views; i-- > 0;) {
        char *sql = sqlite3_mprintf("DROP VIEW IF EXISTS temp.\"%w\"", h->views[i]);
        int rc = sql ? sqlite3_exec(db, sql, NULL, NULL, NULL) : SQLITE_NOMEM;
        if (rc != SQLITE_OK && first == SQLITE_OK) {
            first = rc;
            snprintf(why, cap, "%s", rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(db));
        }
        sqlite3_free(sql);
        xfree(h->views[i]);
    }
    xfree(h->views);
    h->views = NULL;
    h->n_views = 0;
    sqlite3_create_function(db, "cs_pseudo", 1, SQLITE_UTF8, NULL, NULL, NULL, NULL);
    sqlite3_create_function(db, "cs_answers", 1, SQLITE_UTF8, NULL, NULL, NULL, NULL);
    return first;
}

/* ---- Public API --------------------------------------------------------- */

bool
cs_store_privacy_raw_table(const char *name)
{
    for (size_t i = 0; name && i < N_RAW; i++)
        if (strcasecmp(name, raw_tables[i]) == 0)
            return true;
    return false;
}

const char *
cs_store_privacy_prefix(const struct cs_store_privacy *h)
{
    return h->prefix;
}

cs_status
cs_store_privacy_begin(struct cs_store *s, const struct cs_privacy *p,
                       struct cs_store_privacy **out, struct cs_err *err)
{
    *out = NULL;
    sqlite3 *db = cs_store_db(s);
    struct cs_store_privacy *h = xcalloc(1, sizeof *h);
    make_prefix(h->prefix);
    const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    /* SQLite's user data is a void *; the functions only read *p */
    void *ud = (void *)(uintptr_t)p;
    if (sqlite3_create_function(db, "cs_pseudo", 1, flags, ud, fn_pseudo, NULL,
                                NULL) != SQLITE_OK ||
        sqlite3_create_function(db, "cs_answers", 1, flags, ud, fn_answers, NULL,
                                NULL) != SQLITE_OK) {
        cs_fail(err, CS_E_DB, NULL, "privacy views: %s", sqlite3_errmsg(db));
        char why[200];
        drop_all(db, h, why, sizeof why); /* the run ends on the error above */
        xfree(h);
        return CS_E_DB;
    }
    cs_status rc = CS_OK;
    /* the stand-ins of the raw tables, each behind its prefixed reader */
    for (size_t i = 0; i < N_RAW && rc == CS_OK; i++) {
        struct cs_buf cols = {0}, sql = {0};
        bool has = true;
        /* the views made so far are in the caller's transaction: a failed
         * check (which may have rolled it back) ends the run */
        if (strcmp(raw_tables[i], "call_data") == 0 &&
            ((rc = cs_store_column_check(s, "call_data", NULL, &has, err)) != CS_OK || !has))
            continue; /* a database of before issue 20, opened read-only */
        rc = standin_columns(db, raw_tables[i], &cols, err);
        if (rc == CS_OK) {
            char reader[96];
            snprintf(reader, sizeof reader, "%s%s", h->prefix, raw_tables[i]);
            cs_buf_puts(&sql, "CREATE TEMP VIEW ");
            cat_ident(&sql, reader);
            cs_buf_puts(&sql, " AS SELECT ");
            cs_buf_puts(&sql, cols.s);
            cs_buf_puts(&sql, " FROM main.");
            cat_ident(&sql, raw_tables[i]);
            rc = exec(db, sql.s, err);
            if (rc == CS_OK) {
                remember(h, reader);
                cs_buf_free(&sql);
                cs_buf_puts(&sql, "CREATE TEMP VIEW ");
                cat_ident(&sql, raw_tables[i]);
                cs_buf_puts(&sql, " AS SELECT * FROM temp.");
                cat_ident(&sql, reader);
                rc = exec(db, sql.s, err);
                if (rc == CS_OK)
                    remember(h, raw_tables[i]);
            }
        }
        cs_buf_free(&cols);
        cs_buf_free(&sql);
    }
    /* every main view again in temp, reading the stand-ins */
    sqlite3_stmt *q = NULL;
    if (rc == CS_OK &&
        sqlite3_prepare_v2(db,
                           "SELECT name, sql FROM main.sqlite_master WHERE type = 'view'"
                           " ORDER BY rowid",
                           -1, &q, NULL) != SQLITE_OK)
        rc = cs_fail(err, CS_E_DB, NULL, "privacy views: %s", sqlite3_errmsg(db));
    /* collect first: creating views while the catalogue query runs would
     * change what it reads */
    char **names = NULL, **sqls = NULL;
    size_t n = 0;
    while (rc == CS_OK) {
        int st = sqlite3_step(q);
        if (st == SQLITE_DONE)
            break;
        if (st != SQLITE_ROW) {
            rc = cs_fail(err, CS_E_DB, NULL, "privacy views: %s", sqlite3_errmsg(db));
            break;
        }
        const char *name = (const char *)sqlite3_column_text(q, 0);
        const char *sql = (const char *)sqlite3_column_text(q, 1);
        if (!name || !sql) { /* a view has both: SQLite ran out of memory */
            rc = cs_fail(err, CS_E_DB, NULL, "privacy views: out of memory");
            break;
        }
        names = xreallocarray(names, n + 1, sizeof *names);
        sqls = xreallocarray(sqls, n + 1, sizeof *sqls);
        names[n] = xstrdup(name);
        sqls[n++] = xstrdup(sql);
    }
    sqlite3_finalize(q);
    for (size_t i = 0; i < n; i++) {
        /* the store's own temp copies (store.h) already read temp first */
        if (rc == CS_OK && !cs_store_temp_view(names[i])) {
            if (strncasecmp(sqls[i], "CREATE VIEW ", 12) != 0) {
                rc = cs_fail(err, CS_E_INTERNAL, NULL,
                             "privacy views: view %s has unexpected SQL", names[i]);
            } else {
                char *sql = xasprintf("CREATE TEMP VIEW %s", sqls[i] + 12);
                rc = exec(db, sql, err);
                xfree(sql);
                if (rc == CS_OK)
                    remember(h, names[i]);
            }
        }
        xfree(names[i]);
        xfree(sqls[i]);
    }
    xfree(names);
    xfree(sqls);
    if (rc != CS_OK) {
        char why[200];
        drop_all(db, h, why, sizeof why); /* the run ends on rc's error */
        xfree(h);
        return rc;
    }
    *out = h;
    return CS_OK;
}

cs_status
cs_store_privacy_end(struct cs_store *s, struct cs_store_privacy **hp, struct cs_err *err)
{
    if (!hp || !*hp)
        return CS_OK;
    char why[200] = "";
    int rc = drop_all(cs_store_db(s), *hp, why, sizeof why);
    xfree(*hp);
    *hp = NULL;
    if (rc != SQLITE_OK)
        return cs_fail(err, CS_E_DB, NULL, "privacy views: cannot drop the stand-ins: %s", why);
    return CS_OK;
}
