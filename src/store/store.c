/*
 * store/store.c: SQLite schema, upserts by SurveyId, per-input transactions.
 *
 * Speed comes from the schema (issue 9 measured a random-order TEXT GUID
 * primary key at 63k rows/s against several hundred thousand for appends):
 * survey_data is a plain rowid table and rows are appended with rowids we
 * assign.  Finding a SurveyId again uses an open-addressing hash index in
 * memory (16 bytes a survey), loaded from the table on open; a hash hit is
 * confirmed against the stored SurveyId before merging, so collisions cost a
 * lookup, never a wrong merge.  The index is rebuilt from the database after
 * a rolled-back input, so it never disagrees with the data.
 */
#include "store/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/afile.h"
#include "core/ctime.h"
#include "core/mem.h"
#include "model/event.h"
#include "store/dim_sql.h"
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverlength-strings"
#include "store/schema.sql.h"
#pragma GCC diagnostic pop
#include "store/load_cube.h"
#include "store/store_int.h"

uint64_t
store_hash_id(const char *s)
{
    /* FNV-1a then a murmur finalizer: ids are short, this is plenty */
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h ? h : 1;
}

static void
hindex_grow(struct hindex *x)
{
    struct hindex nx = {.cap = x->cap ? x->cap * 2 : 1u << 16};
    nx.slots = xcalloc_hot(nx.cap, sizeof *nx.slots);
    for (size_t i = 0; i < x->cap; i++)
        if (x->slots[i].h)
            store_hindex_put(&nx, x->slots[i].h, x->slots[i].rid);
    xfree(x->slots);
    *x = nx;
}

void
store_hindex_put(struct hindex *x, uint64_t h, int64_t rid)
{
    if ((x->n + 1) * 10 >= x->cap * 7)
        hindex_grow(x);
    size_t m = x->cap - 1, i = h & m;
    while (x->slots[i].h)
        i = (i + 1) & m;
    x->slots[i].h = h;
    x->slots[i].rid = rid;
    x->n++;
}

static void
hindex_free(struct hindex *x)
{
    xfree(x->slots);
    memset(x, 0, sizeof *x);
}

/* ---- the store ------------------------------------------------------- */

static cs_status check_events_table(struct cs_store *s, const char *path,
                                    struct cs_err *err);
static cs_status upgrade_tables(struct cs_store *s, struct cs_err *err);

/* a survey's own time in 100 ns ticks, in SQL */
#define TICKS "time_us*10+coalesce(time_sub,0)"

static const char *const stmt_sql[ST__COUNT] = {
    [ST_INSERT] = PUT_BATCH_INSERT_SQL,
    [ST_GET] = "SELECT survey_id, time_us, call_id, participant_id,"
               " o_t,o_s,o_lo,o_hi,o_th,o_iss, a_t,a_s,a_lo,a_hi,a_th,a_iss,"
               " v_t,v_s,v_lo,v_hi,v_th,v_iss, s_t,s_s,s_lo,s_hi,s_th,s_iss, resource,"
               " time_sub FROM survey_data WHERE rid = ?1",
    [ST_UPD_CAT0 + 0] = "UPDATE survey_data SET o_t=?2,o_s=?3,o_lo=?4,o_hi=?5,"
                        "o_th=?6,o_iss=?7,o_m=?8 WHERE rid=?1",
    [ST_UPD_CAT0 + 1] = "UPDATE survey_data SET a_t=?2,a_s=?3,a_lo=?4,a_hi=?5,"
                        "a_th=?6,a_iss=?7,a_m=?8 WHERE rid=?1",
    [ST_UPD_CAT0 + 2] = "UPDATE survey_data SET v_t=?2,v_s=?3,v_lo=?4,v_hi=?5,"
                        "v_th=?6,v_iss=?7,v_m=?8 WHERE rid=?1",
    [ST_UPD_CAT0 + 3] = "UPDATE survey_data SET s_t=?2,s_s=?3,s_lo=?4,s_hi=?5,"
                        "s_th=?6,s_iss=?7,s_m=?8 WHERE rid=?1",
    /* categories without their own time were at the survey's time: pin
     * it (in 100 ns ticks) before the survey's time moves (SET sees the
     * old row) */
    [ST_UPD_HEAD] = "UPDATE survey_data SET"
                    " o_t=CASE WHEN o_s IS NOT NULL THEN coalesce(o_t," TICKS ") END,"
                    " a_t=CASE WHEN a_s IS NOT NULL THEN coalesce(a_t," TICKS ") END,"
                    " v_t=CASE WHEN v_s IS NOT NULL THEN coalesce(v_t," TICKS ") END,"
                    " s_t=CASE WHEN s_s IS NOT NULL THEN coalesce(s_t," TICKS ") END,"
                    " time_us=?2, day=?3, week=?4, time_sub=?8,"
                    " call_id=coalesce(call_id, ?5),"
                    " participant_id=coalesce(participant_id, ?6),"
                    " resource=coalesce(resource, ?7) WHERE rid=?1",
    [ST_UNK_DEL] = "DELETE FROM unknown_tags WHERE rid=?1 AND cat=?2",
    [ST_UNK_INS] = "INSERT INTO unknown_tags VALUES (?1,?2,?3)",
    [ST_REJECT] = "INSERT INTO reject_data(input,source,line,idx,reason,raw,rhash)"
                  " VALUES (?1,?2,?3,?4,?5,?6,?7)",
    [ST_REJECT_DUP] = "SELECT 1 FROM reject_data WHERE source=?2 AND line=?3 AND idx=?4"
                      " AND rhash=?7 AND reason=?5 AND raw=?6 LIMIT 1",
    [ST_RES_FIND] = "SELECT id FROM resource_data WHERE resource_id = ?1",
    [ST_RES_INS] = "INSERT INTO resource_data(resource_id, name) VALUES (?1,?2)",
    [ST_INPUT_INS] = "INSERT INTO inputs(source, status) VALUES (?1, 'open')",
    [ST_EVENT] = "INSERT INTO custom_events(survey_id, time_us, props, measurements, input,"
                 " line, phash, name, app_version, client_os, browser)"
                 " VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?10,?11,?12)",
    /* the same event: same survey, name, answers and millisecond (?9 is
     * the start of ?2's millisecond); a row without a name predates the
     * name column and matches any.  Two arms, so that each is a range of
     * the (survey_id, time_us, phash) index: the CASE of the time test hid
     * time_us from the planner, and every event of the survey was read
     * for every new one (200,000 events of one survey: hours) */
    [ST_EVENT_DUP] = "SELECT 1 FROM custom_events WHERE survey_id=?1"
                     " AND time_us >= ?9 AND time_us < ?9 + 1000"
                     " AND phash=?7 AND props=?3 AND (name IS NULL OR name = ?8)"
                     " UNION ALL SELECT 1 FROM custom_events WHERE ?2 IS NULL AND survey_id=?1"
                     " AND time_us IS NULL"
                     " AND phash=?7 AND props=?3 AND (name IS NULL OR name = ?8) LIMIT 1",
    [ST_CONFLICT] = "INSERT INTO conflict_data(input, survey_id, cat, ticks, time, kept,"
                    " other, line) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
    [ST_CONFLICT_DUP] = "SELECT 1 FROM conflict_data WHERE survey_id=?2 AND cat=?3"
                        " AND ticks=?4 AND kept=?6 AND other=?7 LIMIT 1",
    [ST_LC_ROW] = CS_LOAD_CUBE_ROW_SQL,
    [ST_INPUT_UPD] = "UPDATE inputs SET format=?2, bytes=?3, read=?4, stored=?5,"
                     " duplicates=?6, updated=?7, rejected=?8, unknown_tags=?9,"
                     " conflicts=?10, status='done' WHERE id=?1",
};

cs_status
store_db_fail(struct cs_store *s, struct cs_err *err, const char *what)
{
    return cs_fail(err, CS_E_DB, NULL, "%s: %s", what,
                   s->db ? sqlite3_errmsg(s->db) : "no database");
}


static cs_status
exec(struct cs_store *s, const char *sql, struct cs_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        cs_fail(err, CS_E_DB, NULL, "%s", msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return CS_E_DB;
    }
    return CS_OK;
}

static cs_status
load_index(struct cs_store *s, struct cs_err *err)
{
    hindex_free(&s->idx);
    s->next_rid = 1;
    s->index_loaded = true;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, "SELECT rid, survey_id FROM survey_data", -1,
                           &q, NULL) != SQLITE_OK)
        return store_db_fail(s, err, "loading survey ids");
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t rid = sqlite3_column_int64(q, 0);
        store_hindex_put(&s->idx, store_hash_id((const char *)sqlite3_column_text(q, 1)), rid);
        if (rid >= s->next_rid)
            s->next_rid = rid + 1;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return store_db_fail(s, err, "loading survey ids");
    return CS_OK;
}

/* PRAGMA data_version: changes when another connection commits. */
static cs_status
data_version(struct cs_store *s, int64_t *out, struct cs_err *err)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, "PRAGMA data_version", -1, &q, NULL) != SQLITE_OK)
        return store_db_fail(s, err, "data version");
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return rc == SQLITE_ROW ? CS_OK : store_db_fail(s, err, "data version");
}

static cs_status
fill_catalogue(struct cs_store *s, struct cs_err *err)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT OR REPLACE INTO tag_catalogue VALUES "
                           "(?1,?2,?3,?4,?5)",
                           -1, &q, NULL) != SQLITE_OK)
        return store_db_fail(s, err, "tag catalogue");
    for (int c = 0; c < CS_CAT__COUNT; c++)
        for (size_t i = 0; i < cs_tags_count((enum cs_category)c); i++) {
            sqlite3_bind_int(q, 1, c);
            sqlite3_bind_text(q, 2, cs_category_name((enum cs_category)c), -1,
                              SQLITE_STATIC);
            sqlite3_bind_int(q, 3, (int)i);
            sqlite3_bind_text(q, 4, cs_tag_name((enum cs_category)c, i), -1,
                              SQLITE_STATIC);
            sqlite3_bind_text(q, 5, cs_tag_description((enum cs_category)c, i),
                              -1, SQLITE_STATIC);
            if (sqlite3_step(q) != SQLITE_DONE) {
                sqlite3_finalize(q);
                return store_db_fail(s, err, "tag catalogue");
            }
            sqlite3_reset(q);
        }
    sqlite3_finalize(q);
    return CS_OK;
}

/* ---- opening ---------------------------------------------------------- */

/* PRAGMA application_id and user_version of a callsurvey database: the
 * first says whose file it is, the second which schema it holds (a newer
 * callsurvey's file is refused by name, not misread). */
#define CS_APP_ID 0x43537276 /* "CSrv" */
#define CS_SCHEMA_VERSION 1

static const char *
tmp_dir(void)
{
    const char *dir = getenv("TMPDIR");
    return dir && *dir ? dir : "/tmp";
}

/* Is name a private database file of this program ("callsurvey-PID-XXXXXX.db",
 * or an older build's "callsurvey-PID.db", or a -journal/-wal/-shm sibling)?
 * Sets *pid. */
static bool
private_name(const char *name, long *pid)
{
    if (strncmp(name, "callsurvey-", 11) != 0)
        return false;
    const char *p = name + 11, *d = p;
    while (*p >= '0' && *p <= '9')
        p++;
    if (p == d || p - d > 10)
        return false;
    *pid = strtol(d, NULL, 10);
    if (*p == '-') {
        for (int i = 1; i <= 6; i++)
            if (!p[i] || p[i] == '/')
                return false;
        p += 7;
    }
    if (strncmp(p, ".db", 3) != 0)
        return false;
    p += 3;
    return !*p || strcmp(p, "-journal") == 0 || strcmp(p, "-wal") == 0 ||
           strcmp(p, "-shm") == 0;
}

/* Remove the private database files a run killed with SIGKILL left in the
 * temporary directory: only regular files of this user whose process is
 * gone (kill(pid, 0) says ESRCH); a live run's file is left alone. */
static void
remove_stale_private(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    int dfd = dirfd(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        long pid;
        if (!private_name(e->d_name, &pid) || pid <= 0 || pid == (long)getpid())
            continue;
        struct stat st;
        if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode) || st.st_uid != geteuid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        unlinkat(dfd, e->d_name, 0);
    }
    closedir(d);
}

/* Create the private database file: a new, empty file of mode 0600 whose
 * name holds our pid (for the next run's cleanup after a SIGKILL).  *fd is
 * kept open until SQLite has opened the same file. */
static cs_status
create_private(struct cs_store *s, int *fd, struct cs_err *err)
{
    s->tmp_path = xasprintf("%s/callsurvey-%ld-XXXXXX.db", tmp_dir(), (long)getpid());
    *fd = mkstemps(s->tmp_path, 3);
    if (*fd < 0) {
        int e = errno;
        cs_fail(err, CS_E_IO, tmp_dir(), "cannot create the private database: %s",
                strerror(e));
        xfree(s->tmp_path);
        s->tmp_path = NULL;
        return CS_E_IO;
    }
    s->tmp_handle = cs_tmp_remember(s->tmp_path); /* removed on SIGINT, out of memory */
    fchmod(*fd, 0600);
    return CS_OK;
}

/* After sqlite3_open: the path must still name our new empty file. */
static cs_status
check_private(struct cs_store *s, int fd, struct cs_err *err)
{
    struct stat a, b;
    if (fstat(fd, &a) != 0 || lstat(s->tmp_path, &b) != 0 || !S_ISREG(b.st_mode) ||
        a.st_dev != b.st_dev || a.st_ino != b.st_ino || b.st_size != 0 ||
        b.st_nlink != 1 || b.st_uid != geteuid() || (b.st_mode & 077) != 0)
        return cs_fail(err, CS_E_IO, s->tmp_path,
                       "the private database was replaced or changed before use; "
                       "refusing it");
    return CS_OK;
}

/* What the file holds, read inside the open transaction. */
enum db_kind { DB_NEW,
               DB_OURS,
               DB_OLD_OURS,
               DB_FOREIGN,
               DB_NEWER };

static cs_status
classify(struct cs_store *s, enum db_kind *kind, int *version, char *tables,
         size_t tables_size, struct cs_err *err)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT (SELECT application_id FROM pragma_application_id),"
                           " (SELECT user_version FROM pragma_user_version),"
                           " (SELECT count(*) FROM sqlite_schema),"
                           " (SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND"
                           "  name IN ('survey_data', 'inputs', 'reject_data', 'settings')),"
                           " (SELECT group_concat(name, ', ') FROM (SELECT name FROM"
                           "  sqlite_schema WHERE type = 'table' ORDER BY name LIMIT 5))",
                           -1, &q, NULL) != SQLITE_OK)
        return store_db_fail(s, err, "reading the database");
    int rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(q);
        return store_db_fail(s, err, "reading the database");
    }
    int64_t app = sqlite3_column_int64(q, 0);
    *version = sqlite3_column_int(q, 1);
    int64_t objects = sqlite3_column_int64(q, 2), ours = sqlite3_column_int64(q, 3);
    const char *t = (const char *)sqlite3_column_text(q, 4);
    snprintf(tables, tables_size, "%s", t ? t : "");
    sqlite3_finalize(q);
    if (app == CS_APP_ID)
        *kind = *version > CS_SCHEMA_VERSION ? DB_NEWER : DB_OURS;
    else if (app != 0)
        *kind = DB_FOREIGN;
    else if (objects == 0 && *version == 0)
        *kind = DB_NEW;
    else if (ours == 4)
        *kind = DB_OLD_OURS; /* before application_id was set */
    else
        *kind = DB_FOREIGN;
    return CS_OK;
}

static cs_status
refuse_kind(enum db_kind kind, int version, const char *tables, const char *path,
            bool read_only, struct cs_err *err)
{
    if (kind == DB_NEWER)
        return cs_fail(err, CS_E_DB, path,
                       "this database was made by a newer callsurvey, schema %d (this "
                       "one reads schema %d); use that version",
                       version, CS_SCHEMA_VERSION);
    if (kind == DB_FOREIGN)
        return cs_fail(err, CS_E_DB, path,
                       "not a callsurvey database (it holds tables %s); "
                       "refusing to %s it",
                       tables[0] ? tables : "of another application",
                       read_only ? "read" : "change");
    if (kind == DB_NEW && read_only)
        return cs_fail(err, CS_E_DB, path,
                       "not a callsurvey database (it is empty); ingest into it first");
    return CS_OK;
}

/* The run's settings live in this connection's TEMP schema: a temp table
 * `settings` and temp copies of the views that read it (a main view is
 * bound to main.settings, a temp view's unqualified names find temp
 * first).  So a concurrent run's --default-threshold never reaches this
 * run's queries, and a read-only database needs no write. */
static const char *const settings_views[] = {"ratings", "rating_issues"};

static cs_status
run_settings(struct cs_store *s, double default_threshold, struct cs_err *err)
{
    /* made again after a temp_store switch dropped them (idempotent) */
    cs_status rc = exec(s,
                        "DROP VIEW IF EXISTS temp.rating_issues;"
                        " DROP VIEW IF EXISTS temp.ratings;"
                        " CREATE TEMP TABLE IF NOT EXISTS settings(id INTEGER PRIMARY KEY"
                        " CHECK (id = 1), default_threshold NUMERIC NOT NULL)",
                        err);
    sqlite3_stmt *q = NULL;
    if (rc == CS_OK &&
        sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO temp.settings VALUES (1, ?1)", -1,
                           &q, NULL) != SQLITE_OK)
        rc = store_db_fail(s, err, "settings");
    if (rc == CS_OK) {
        sqlite3_bind_double(q, 1, default_threshold);
        if (sqlite3_step(q) != SQLITE_DONE)
            rc = store_db_fail(s, err, "settings");
    }
    sqlite3_finalize(q);
    q = NULL;
    for (size_t i = 0; rc == CS_OK && i < sizeof settings_views / sizeof *settings_views;
         i++) {
        if (sqlite3_prepare_v2(s->db,
                               "SELECT sql FROM main.sqlite_schema WHERE type = 'view'"
                               " AND name = ?1",
                               -1, &q, NULL) != SQLITE_OK) {
            rc = store_db_fail(s, err, "settings views");
            break;
        }
        sqlite3_bind_text(q, 1, settings_views[i], -1, SQLITE_STATIC);
        int st = sqlite3_step(q);
        const char *sql = st == SQLITE_ROW ? (const char *)sqlite3_column_text(q, 0) : NULL;
        if (sql && strncasecmp(sql, "CREATE VIEW ", 12) == 0) {
            char *t = xasprintf("CREATE TEMP VIEW %s", sql + 12);
            rc = exec(s, t, err);
            xfree(t);
        } else if (st != SQLITE_ROW && st != SQLITE_DONE) {
            rc = store_db_fail(s, err, "settings views");
        }
        sqlite3_finalize(q);
        q = NULL;
    }
    return rc;
}

bool
cs_store_temp_view(const char *name)
{
    for (size_t i = 0; name && i < sizeof settings_views / sizeof *settings_views; i++)
        if (strcasecmp(name, settings_views[i]) == 0)
            return true;
    return false;
}

/* Create or check the schema in one write transaction (BEGIN IMMEDIATE:
 * it waits for another writer instead of failing on a stale snapshot),
 * or check it in a read transaction when read-only. */
static cs_status
open_schema(struct cs_store *s, const char *path, bool read_only, bool *fresh,
            struct cs_err *err)
{
    cs_status rc = exec(s, read_only ? "BEGIN" : "BEGIN IMMEDIATE", err);
    if (rc != CS_OK)
        return rc;
    enum db_kind kind = DB_NEW;
    int version = 0;
    char tables[256];
    rc = classify(s, &kind, &version, tables, sizeof tables, err);
    *fresh = rc == CS_OK && kind == DB_NEW;
    if (rc == CS_OK)
        rc = refuse_kind(kind, version, tables, path, read_only, err);
    if (rc == CS_OK && kind != DB_NEW)
        rc = check_events_table(s, path, err);
    if (rc == CS_OK && !read_only && kind != DB_NEW)
        rc = upgrade_tables(s, err); /* before the schema's indexes on new columns */
    /* issue 20: the surveys view gained the release columns */
    if (rc == CS_OK && !read_only && kind != DB_NEW) {
        /* a failed check stops here: SQLite may have rolled the
         * transaction back (out of memory), and the COMMIT below would
         * only say "no transaction is active" */
        bool has;
        rc = cs_store_column_check(s, "surveys", "sdk_version", &has, err);
        if (rc == CS_OK && !has)
            rc = exec(s, "DROP VIEW IF EXISTS surveys", err);
    }
    if (rc == CS_OK && !read_only) {
        rc = exec(s, schema_sql, err);
        if (rc == CS_OK && kind != DB_OURS) {
            char *sql = xasprintf("PRAGMA application_id=%d; PRAGMA user_version=%d;",
                                  CS_APP_ID, CS_SCHEMA_VERSION);
            rc = exec(s, sql, err);
            xfree(sql);
        }
        if (rc == CS_OK)
            rc = fill_catalogue(s, err);
    }
    if (rc == CS_OK)
        rc = exec(s, "COMMIT", err);
    else
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* s->db on path opened read-only as immutable: file:PATH?immutable=1, the
 * path percent-encoded where a URI needs it; SQLite then takes no locks and
 * trusts that nothing changes the file while it is open. */
static cs_status
open_immutable(struct cs_store *s, const char *path, struct cs_err *err)
{
    size_t n = strlen(path);
    char *uri = xmalloc(3 * n + 32), *o = uri;
    o += sprintf(o, "file:");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++)
        if (*p == '?' || *p == '#' || *p == '%' || *p < 0x20)
            o += sprintf(o, "%%%02X", *p);
        else
            *o++ = (char)*p;
    sprintf(o, "?immutable=1");
    int rc = sqlite3_open_v2(uri, &s->db,
                             SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
    xfree(uri);
    if (rc != SQLITE_OK)
        return cs_fail(err, CS_E_DB, path, "cannot open database: %s",
                       s->db ? sqlite3_errmsg(s->db) : "out of memory");
    sqlite3_extended_result_codes(s->db, 1);
    return CS_OK;
}

/* A WAL database on a read-only file system cannot be read without its
 * -shm file, which cannot be created there.  When the first read fails so
 * and no -wal file holds changes, the file cannot change under us: open it
 * again as immutable (SQLite then needs no -shm and takes no locks). */
static cs_status
reopen_immutable(struct cs_store *s, const char *path, struct cs_err *err)
{
    int rc = sqlite3_exec(s->db, "SELECT count(*) FROM main.sqlite_schema", NULL, NULL, NULL);
    if ((rc & 0xff) != SQLITE_CANTOPEN)
        return CS_OK; /* read, or another error the schema check reports */
    char *wal = xasprintf("%s-wal", path);
    struct stat st;
    bool wal_data = stat(wal, &st) == 0 && st.st_size > 0;
    xfree(wal);
    if (wal_data || access(path, W_OK) == 0)
        return CS_OK;
    sqlite3_close(s->db);
    s->db = NULL;
    return open_immutable(s, path, err);
}

cs_status
cs_store_open(const struct cs_store_opts *opts, struct cs_store **out,
              struct cs_err *err)
{
    *out = NULL;
    /* no memory statistics: they take a global mutex on every allocation.
     * Fails harmlessly (SQLITE_MISUSE) once SQLite is initialized. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    struct cs_store *s = xcalloc(1, sizeof *s);
    s->default_threshold = opts->default_threshold;
    const char *path = opts->path;
    bool priv = path == NULL;
    s->priv = priv;
    bool read_only = opts->read_only && !priv;
    int priv_fd = -1;
    if (priv) {
        remove_stale_private(tmp_dir());
        if (opts->expected_bytes > (64u << 20)) {
            if (create_private(s, &priv_fd, err) != CS_OK) {
                cs_store_close(&s);
                return CS_E_IO;
            }
            path = s->tmp_path;
        }
    } else if (read_only && access(path, F_OK) != 0 && errno == ENOENT) {
        cs_fail(err, CS_E_DB, path, "no such database");
        cs_store_close(&s);
        return CS_E_DB;
    }
    int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(path ? path : ":memory:", &s->db, flags | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        cs_fail(err, CS_E_DB, path, "cannot open database: %s",
                s->db ? sqlite3_errmsg(s->db) : "out of memory");
        if (priv_fd >= 0)
            close(priv_fd);
        cs_store_close(&s);
        return CS_E_DB;
    }
    sqlite3_extended_result_codes(s->db, 1);
    if (read_only && reopen_immutable(s, path, err) != CS_OK) {
        cs_store_close(&s);
        return CS_E_DB;
    }
    /* another run writing the same --db is waited for, not an error */
    sqlite3_busy_timeout(s->db, CS_STORE_BUSY_MS);
    cs_status rc = CS_OK;
    if (priv_fd >= 0) {
        rc = check_private(s, priv_fd, err);
        close(priv_fd);
    }
    if (rc == CS_OK && priv)
        rc = exec(s,
                  "PRAGMA page_size=65536;"
                  "PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF;"
                  "PRAGMA locking_mode=EXCLUSIVE; PRAGMA temp_store=MEMORY;"
                  "PRAGMA cache_size=-65536;",
                  err);
    else if (rc == CS_OK)
        rc = exec(s, "PRAGMA page_size=16384; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;", err);
    /* nothing is written before the file is known to be ours */
    bool fresh = false;
    if (rc == CS_OK)
        rc = open_schema(s, path, read_only, &fresh, err);
    /* A database file: WAL, but for the first load of a new one (its pages
     * written once, not to the log and again at the checkpoint; the rollback
     * journal of an empty file keeps nothing): cs_store_load_over, store.h */
    s->wal_later = rc == CS_OK && fresh && !priv && !read_only;
    if (rc == CS_OK && !priv && !read_only)
        rc = exec(s, fresh ? "PRAGMA synchronous=NORMAL;" : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                  err);
    if (rc == CS_OK)
        rc = run_settings(s, opts->default_threshold, err);
    if (rc == CS_OK)
        cs_calls_register(s->db); /* cs_dim_group, cs_dim_key */
    /* the SurveyId index is loaded on the first input: a report that only
     * reads a --db never needs it (0.3 s per million surveys) */
    if (rc == CS_OK && !read_only && put_batch_register(s->db, &s->pb) != SQLITE_OK)
        rc = store_db_fail(s, err, "preparing statements");
    for (int i = 0; rc == CS_OK && !read_only && i < ST__COUNT; i++)
        if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                               &s->st[i], NULL) != SQLITE_OK)
            rc = store_db_fail(s, err, "preparing statements");
    if (rc != CS_OK) {
        if (!err->where[0] && path)
            snprintf(err->where, sizeof err->where, "%s", path);
        cs_store_close(&s);
        return rc;
    }
    *out = s;
    return CS_OK;
}

cs_status
cs_store_open_twin(struct cs_store *s, struct cs_store **out, struct cs_err *err)
{
    *out = NULL;
    if (!s->priv || !s->tmp_path || s->in_tx || s->hist)
        return CS_E_USAGE; /* in memory, or writing: no second connection */
    struct cs_store *t = xcalloc(1, sizeof *t);
    t->default_threshold = s->default_threshold;
    t->priv = true;
    /* what this run committed, which the accounting reports */
    memcpy(t->run, s->run, sizeof t->run);
    memcpy(t->run_inputs, s->run_inputs, sizeof t->run_inputs);
    /* a small cache: the twin's reads are scans, which a cache does not
     * help (and peak RSS stays where a run without it is) */
    cs_status rc = open_immutable(t, s->tmp_path, err);
    if (rc == CS_OK)
        rc = exec(t, "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-4096;", err);
    bool fresh;
    if (rc == CS_OK)
        rc = open_schema(t, s->tmp_path, true, &fresh, err);
    if (rc == CS_OK)
        rc = run_settings(t, t->default_threshold, err);
    if (rc == CS_OK)
        cs_calls_register(t->db);
    if (rc != CS_OK) {
        cs_store_close(&t);
        return rc;
    }
    *out = t;
    return CS_OK;
}

void
cs_store_close(struct cs_store **sp)
{
    if (sp == NULL || *sp == NULL)
        return;
    struct cs_store *s = *sp;
    if (s->in_tx || s->in_read)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    cs_store_drop_cube(s);
    for (int i = 0; i < ST__COUNT; i++)
        sqlite3_finalize(s->st[i]);
    sqlite3_close(s->db);
    put_batch_free(&s->pb); /* after the connection that reads it */
    if (s->tmp_path) {
        unlink(s->tmp_path);
        cs_tmp_forget(s->tmp_handle);
        xfree(s->tmp_path);
    }
    hindex_free(&s->idx);
    for (int k = 0; k < STORE_MEMO__COUNT; k++)
        cs_store_set_memo(s, (enum store_memo)k, NULL, NULL);
    cs_idset_free(&s->ev_keys);
    xfree(s->source);
    xfree(s);
    *sp = NULL;
}

cs_status
cs_store_spill_sorts(struct cs_store *s, struct cs_err *err)
{
    if (!sqlite3_get_autocommit(s->db))
        return CS_OK; /* SQLite refuses the switch inside a transaction */
    if (exec(s, "PRAGMA temp_store=FILE", err) != CS_OK)
        return CS_E_DB;
    return run_settings(s, s->default_threshold, err);
}

cs_status
cs_store_read_begin(struct cs_store *s, struct cs_err *err)
{
    if (s->in_read || s->in_tx)
        return CS_OK;
    /* BEGIN is deferred: the first read takes the snapshot, so read now */
    if (exec(s, "BEGIN; SELECT count(*) FROM main.sqlite_schema;", err) != CS_OK) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return CS_E_DB;
    }
    s->in_read = true;
    return CS_OK;
}

void
cs_store_read_end(struct cs_store *s)
{
    if (!s || !s->in_read)
        return;
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->in_read = false;
}

struct sqlite3 *
cs_store_db(struct cs_store *s)
{
    return s->db;
}

double
cs_store_default_threshold(struct cs_store *s)
{
    return s->default_threshold;
}

cs_status
cs_store_input_begin(struct cs_store *s, const char *source, struct cs_err *err)
{
    /* the write lock first (waiting for another writer), then the index:
     * loaded, or reloaded when another connection has committed since */
    if (exec(s, "BEGIN IMMEDIATE", err))
        return CS_E_DB;
    s->in_tx = true;
    int64_t dv = 0;
    if (data_version(s, &dv, err) != CS_OK)
        return CS_E_DB;
    if ((!s->index_loaded || dv != s->data_version) && load_index(s, err) != CS_OK)
        return CS_E_DB;
    s->data_version = dv;
    xfree(s->source);
    s->source = xstrdup(source);
    sqlite3_stmt *q = s->st[ST_INPUT_INS];
    sqlite3_bind_text(q, 1, source, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE)
        return store_db_fail(s, err, "recording the input");
    s->input_id = sqlite3_last_insert_rowid(s->db);
    return CS_OK;
}

void
cs_store_load_over(struct cs_store *s)
{
    if (s->in_tx)
        return;
    hindex_free(&s->idx);
    s->index_loaded = false; /* reloaded by the next input's first survey */
    cs_idset_free(&s->ev_keys);
    s->ev_keys_state = -1; /* later events: the index probe for duplicates */
    if (s->wal_later) {    /* not waiting for another connection in the file */
        s->wal_later = false;
        sqlite3_busy_timeout(s->db, 0);
        sqlite3_exec(s->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
        sqlite3_busy_timeout(s->db, CS_STORE_BUSY_MS);
    }
}

void
cs_store_run_totals(struct cs_store *s, bool events, struct cs_input_summary *sum,
                    uint64_t *n_inputs)
{
    *sum = s->run[events];
    *n_inputs = s->run_inputs[events];
}

cs_status
cs_store_input_end(struct cs_store *s, bool commit,
                   const struct cs_input_summary *sum, struct cs_err *err)
{
    if (!s->in_tx)
        return CS_OK;
    if (commit && sum) {
        sqlite3_stmt *q = s->st[ST_INPUT_UPD];
        sqlite3_bind_int64(q, 1, s->input_id);
        sqlite3_bind_text(q, 2, sum->format ? sum->format : "", -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 3, (int64_t)sum->bytes);
        sqlite3_bind_int64(q, 4, (int64_t)sum->read);
        sqlite3_bind_int64(q, 5, (int64_t)sum->stored);
        sqlite3_bind_int64(q, 6, (int64_t)sum->duplicates);
        sqlite3_bind_int64(q, 7, (int64_t)sum->updated);
        sqlite3_bind_int64(q, 8, (int64_t)sum->rejected);
        sqlite3_bind_int64(q, 9, (int64_t)sum->unknown_tags);
        sqlite3_bind_int64(q, 10, (int64_t)sum->conflicts);
        int rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc != SQLITE_DONE) {
            store_db_fail(s, err, "recording the input");
            commit = false;
        }
    }
    int64_t ended = s->input_id;
    s->in_tx = false;
    s->input_id = 0;
    s->res.n = s->res.next = 0; /* a rollback may take their rows away */
    if (commit) {
        if (exec(s, "COMMIT", err) == CS_OK) {
            if (sum) { /* this run's accounting */
                int k = sum->format && strcmp(sum->format, "events") == 0;
                struct cs_input_summary *r = &s->run[k];
                r->bytes += sum->bytes;
                r->read += sum->read;
                r->stored += sum->stored;
                r->duplicates += sum->duplicates;
                r->updated += sum->updated;
                r->rejected += sum->rejected;
                r->unknown_tags += sum->unknown_tags;
                r->conflicts += sum->conflicts;
                s->run_inputs[k]++;
            }
            return CS_OK;
        }
    }
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    /* reloaded inside the next input's write transaction */
    s->index_loaded = false;
    if (s->lc_input == ended) /* it counted rows that are gone: scans read SQLite */
        cs_load_cube_free(&s->lc);
    return commit ? CS_E_DB : CS_OK;
}

/* Refuse a database whose custom_events or reject_data table predates its
 * hash column (an earlier development build); a failed check is an error
 * too, since SQLite ends the transaction on out of memory. */
static cs_status
check_events_table(struct cs_store *s, const char *path, struct cs_err *err)
{
#define LACKS(t, c)                                                                     \
    "(EXISTS (SELECT 1 FROM pragma_table_info('" t "')) AND NOT EXISTS (SELECT 1 FROM " \
    "pragma_table_info('" t "') WHERE name = '" c "'))"
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT " LACKS("custom_events", "phash") " OR " LACKS("reject_data", "rhash"),
                           -1, &q, NULL) != SQLITE_OK)
        return store_db_fail(s, err, "checking the schema");
#undef LACKS
    int rc = sqlite3_step(q);
    bool old = rc == SQLITE_ROW && sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW)
        return store_db_fail(s, err, "checking the schema");
    if (old)
        return cs_fail(err, CS_E_DB, path,
                       "this database was made by an earlier development build of "
                       "callsurvey (its custom_events or reject_data table has no "
                       "hash column); ingest the inputs into a new database");
    return CS_OK;
}

/* Bring an older database's tables up to date (in the open's transaction):
 * survey_data gains time_sub and its category times become 100 ns ticks,
 * inputs gains conflicts, custom_events the event name; survey_leg_leg (it
 * indexed every survey's NULL leg: half the calls join's inserts at 1M) is
 * dropped for the schema's partial index.  A new database has them. */
static cs_status
upgrade_tables(struct cs_store *s, struct cs_err *err)
{
    static const struct {
        const char *table, *column, *sql; /* no table: column is the check's SQL */
    } steps[] = {
        {"survey_data", "time_sub",
         "ALTER TABLE survey_data ADD COLUMN time_sub INTEGER;"
         "UPDATE survey_data SET o_t = o_t * 10, a_t = a_t * 10, v_t = v_t * 10,"
         " s_t = s_t * 10 WHERE coalesce(o_t, a_t, v_t, s_t) IS NOT NULL;"},
        {"inputs", "conflicts", "ALTER TABLE inputs ADD COLUMN conflicts INTEGER;"},
        {"custom_events", "name", "ALTER TABLE custom_events ADD COLUMN name TEXT;"},
        {"custom_events", "app_version",
         "ALTER TABLE custom_events ADD COLUMN app_version TEXT;"
         "ALTER TABLE custom_events ADD COLUMN client_os TEXT;"
         "ALTER TABLE custom_events ADD COLUMN browser TEXT;"},
        {NULL,
         "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'survey_leg_leg'"
         " AND sql NOT LIKE '%WHERE%')",
         "DROP INDEX survey_leg_leg;"},
    };
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        char sql[256];
        if (steps[i].table)
            snprintf(sql, sizeof sql,
                     "SELECT EXISTS (SELECT 1 FROM pragma_table_info('%s')) AND NOT EXISTS"
                     " (SELECT 1 FROM pragma_table_info('%s') WHERE name = '%s')",
                     steps[i].table, steps[i].table, steps[i].column);
        else
            snprintf(sql, sizeof sql, "%s", steps[i].column);
        sqlite3_stmt *q;
        if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
            return store_db_fail(s, err, "checking the schema");
        int rc = sqlite3_step(q);
        bool old = rc == SQLITE_ROW && sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
        if (rc != SQLITE_ROW)
            return store_db_fail(s, err, "checking the schema");
        if (old && exec(s, steps[i].sql, err) != CS_OK)
            return CS_E_DB;
    }
    return CS_OK;
}

cs_status
cs_store_totals(struct cs_store *s, struct cs_store_totals *t,
                struct cs_err *err)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT (SELECT count(*) FROM survey_data),"
                           " (SELECT count(*) FROM reject_data)",
                           -1, &q, NULL) != SQLITE_OK)
        return store_db_fail(s, err, "totals");
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        t->surveys = (uint64_t)sqlite3_column_int64(q, 0);
        t->rejects = (uint64_t)sqlite3_column_int64(q, 1);
    }
    sqlite3_finalize(q);
    return rc == SQLITE_ROW ? CS_OK : store_db_fail(s, err, "totals");
}
