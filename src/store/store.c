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
#include "store/calls.h"
#include "store/query.h"
#include "ingest/ingest.h"
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverlength-strings"
#include "store/schema.sql.h"
#pragma GCC diagnostic pop

/* ---- hash index: SurveyId hash -> rid -------------------------------- */

struct slot {
    uint64_t h;  /* hash of the SurveyId; 0 = empty slot */
    int64_t rid; /* survey_data rowid */
};

struct hindex {
    struct slot *slots; /* owned */
    size_t cap;         /* power of two */
    size_t n;           /* used slots */
};

static uint64_t
hash_id(const char *s)
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
hindex_put(struct hindex *x, uint64_t h, int64_t rid);

static void
hindex_grow(struct hindex *x)
{
    struct hindex nx = {.cap = x->cap ? x->cap * 2 : 1u << 16};
    nx.slots = xcalloc(nx.cap, sizeof *nx.slots);
    for (size_t i = 0; i < x->cap; i++)
        if (x->slots[i].h)
            hindex_put(&nx, x->slots[i].h, x->slots[i].rid);
    xfree(x->slots);
    *x = nx;
}

static void
hindex_put(struct hindex *x, uint64_t h, int64_t rid)
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

enum stmt_id {
    ST_INSERT,
    ST_GET,
    ST_UPD_CAT0, /* + category */
    ST_UPD_HEAD = ST_UPD_CAT0 + CS_CAT__COUNT,
    ST_UNK_DEL,
    ST_UNK_INS,
    ST_REJECT,
    ST_RES_FIND,
    ST_RES_INS,
    ST_INPUT_INS,
    ST_INPUT_UPD,
    ST_EVENT,
    ST_EVENT_DUP,
    ST_REJECT_DUP,
    ST_CONFLICT,
    ST_CONFLICT_DUP,
    ST__COUNT
};

struct res_cache {
    char id[CS_RESOURCE_MAX + 1]; /* last resource id seen */
    int64_t rowid;                /* its resource_data id */
};

struct cs_store {
    sqlite3 *db;                    /* owned connection */
    sqlite3_stmt *st[ST__COUNT];    /* owned prepared statements */
    struct hindex idx;              /* SurveyId -> rid */
    int64_t next_rid;               /* next rowid to assign */
    int64_t input_id;               /* inputs.id of the open input, 0 = none */
    bool in_tx;                     /* an input transaction is open */
    struct res_cache res;           /* one-entry resource cache */
    char *tmp_path;                 /* owned: private temp file to unlink */
    int tmp_handle;                 /* its entry in core/afile's cleanup table */
    char *source;                   /* owned: name of the open input */
    double default_threshold;       /* for default-scale ratings */
    bool index_loaded;              /* idx reflects the table */
    int64_t data_version;           /* PRAGMA data_version when idx was checked */
    bool in_read;                   /* a read transaction (snapshot) is open */
    struct cs_input_summary run[2]; /* committed this run: surveys, events */
    uint64_t run_inputs[2];
};

static cs_status check_events_table(struct cs_store *s, const char *path,
                                    struct cs_err *err);
static cs_status upgrade_tables(struct cs_store *s, struct cs_err *err);

/* a survey's own time in 100 ns ticks, in SQL */
#define TICKS "time_us*10+coalesce(time_sub,0)"

static const char *const stmt_sql[ST__COUNT] = {
    [ST_INSERT] =
        "INSERT INTO survey_data VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,"
        "?13,?14,?15,?16,?17,?18,?19, ?20,?21,?22,?23,?24,?25,?26,"
        "?27,?28,?29,?30,?31,?32,?33, ?34,?35,?36,?37,?38,?39,?40, ?41)",
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
     * name column and matches any */
    [ST_EVENT_DUP] = "SELECT 1 FROM custom_events WHERE survey_id=?1"
                     " AND CASE WHEN ?2 IS NULL THEN time_us IS NULL"
                     " ELSE time_us >= ?9 AND time_us < ?9 + 1000 END"
                     " AND phash=?7 AND props=?3 AND (name IS NULL OR name = ?8) LIMIT 1",
    [ST_CONFLICT] = "INSERT INTO conflict_data(input, survey_id, cat, ticks, time, kept,"
                    " other, line) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
    [ST_CONFLICT_DUP] = "SELECT 1 FROM conflict_data WHERE survey_id=?2 AND cat=?3"
                        " AND ticks=?4 AND kept=?6 AND other=?7 LIMIT 1",
    [ST_INPUT_UPD] = "UPDATE inputs SET format=?2, bytes=?3, read=?4, stored=?5,"
                     " duplicates=?6, updated=?7, rejected=?8, unknown_tags=?9,"
                     " conflicts=?10, status='done' WHERE id=?1",
};

static cs_status
db_fail(struct cs_store *s, struct cs_err *err, const char *what)
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
        return db_fail(s, err, "loading survey ids");
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t rid = sqlite3_column_int64(q, 0);
        hindex_put(&s->idx, hash_id((const char *)sqlite3_column_text(q, 1)), rid);
        if (rid >= s->next_rid)
            s->next_rid = rid + 1;
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return db_fail(s, err, "loading survey ids");
    return CS_OK;
}

/* PRAGMA data_version: changes when another connection commits. */
static cs_status
data_version(struct cs_store *s, int64_t *out, struct cs_err *err)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, "PRAGMA data_version", -1, &q, NULL) != SQLITE_OK)
        return db_fail(s, err, "data version");
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return rc == SQLITE_ROW ? CS_OK : db_fail(s, err, "data version");
}

static cs_status
fill_catalogue(struct cs_store *s, struct cs_err *err)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db,
                           "INSERT OR REPLACE INTO tag_catalogue VALUES "
                           "(?1,?2,?3,?4,?5)",
                           -1, &q, NULL) != SQLITE_OK)
        return db_fail(s, err, "tag catalogue");
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
                return db_fail(s, err, "tag catalogue");
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
        return db_fail(s, err, "reading the database");
    int rc = sqlite3_step(q);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(q);
        return db_fail(s, err, "reading the database");
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
        rc = db_fail(s, err, "settings");
    if (rc == CS_OK) {
        sqlite3_bind_double(q, 1, default_threshold);
        if (sqlite3_step(q) != SQLITE_DONE)
            rc = db_fail(s, err, "settings");
    }
    sqlite3_finalize(q);
    q = NULL;
    for (size_t i = 0; rc == CS_OK && i < sizeof settings_views / sizeof *settings_views;
         i++) {
        if (sqlite3_prepare_v2(s->db,
                               "SELECT sql FROM main.sqlite_schema WHERE type = 'view'"
                               " AND name = ?1",
                               -1, &q, NULL) != SQLITE_OK) {
            rc = db_fail(s, err, "settings views");
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
            rc = db_fail(s, err, "settings views");
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
open_schema(struct cs_store *s, const char *path, bool read_only, struct cs_err *err)
{
    cs_status rc = exec(s, read_only ? "BEGIN" : "BEGIN IMMEDIATE", err);
    if (rc != CS_OK)
        return rc;
    enum db_kind kind = DB_NEW;
    int version = 0;
    char tables[256];
    rc = classify(s, &kind, &version, tables, sizeof tables, err);
    if (rc == CS_OK)
        rc = refuse_kind(kind, version, tables, path, read_only, err);
    if (rc == CS_OK && kind != DB_NEW)
        rc = check_events_table(s, path, err);
    if (rc == CS_OK && !read_only && kind != DB_NEW)
        rc = upgrade_tables(s, err); /* before the schema's indexes on new columns */
    /* issue 20: the surveys view gained the release columns */
    if (rc == CS_OK && !read_only && kind != DB_NEW && !cs_store_has_column(s, "surveys", "sdk_version"))
        rc = exec(s, "DROP VIEW IF EXISTS surveys", err);
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
    /* file:PATH?immutable=1, the path percent-encoded where a URI needs it */
    size_t n = strlen(path);
    char *uri = xmalloc(3 * n + 32), *o = uri;
    o += sprintf(o, "file:");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++)
        if (*p == '?' || *p == '#' || *p == '%' || *p < 0x20)
            o += sprintf(o, "%%%02X", *p);
        else
            *o++ = (char)*p;
    sprintf(o, "?immutable=1");
    sqlite3_close(s->db);
    s->db = NULL;
    rc = sqlite3_open_v2(uri, &s->db,
                         SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
    xfree(uri);
    if (rc != SQLITE_OK)
        return cs_fail(err, CS_E_DB, path, "cannot open database: %s",
                       s->db ? sqlite3_errmsg(s->db) : "out of memory");
    sqlite3_extended_result_codes(s->db, 1);
    return CS_OK;
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
        rc = exec(s, "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-65536;", err);
    /* nothing is written before the file is known to be ours */
    if (rc == CS_OK)
        rc = open_schema(s, path, read_only, err);
    if (rc == CS_OK && !priv && !read_only)
        rc = exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", err);
    if (rc == CS_OK)
        rc = run_settings(s, opts->default_threshold, err);
    if (rc == CS_OK)
        cs_calls_register(s->db); /* cs_dim_group, cs_dim_key */
    /* the SurveyId index is loaded on the first input: a report that only
     * reads a --db never needs it (0.3 s per million surveys) */
    for (int i = 0; rc == CS_OK && !read_only && i < ST__COUNT; i++)
        if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                               &s->st[i], NULL) != SQLITE_OK)
            rc = db_fail(s, err, "preparing statements");
    if (rc != CS_OK) {
        if (!err->where[0] && path)
            snprintf(err->where, sizeof err->where, "%s", path);
        cs_store_close(&s);
        return rc;
    }
    *out = s;
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
    for (int i = 0; i < ST__COUNT; i++)
        sqlite3_finalize(s->st[i]);
    sqlite3_close(s->db);
    if (s->tmp_path) {
        unlink(s->tmp_path);
        cs_tmp_forget(s->tmp_handle);
        xfree(s->tmp_path);
    }
    hindex_free(&s->idx);
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
        return db_fail(s, err, "recording the input");
    s->input_id = sqlite3_last_insert_rowid(s->db);
    return CS_OK;
}

bool
cs_store_has_column(struct cs_store *s, const char *table, const char *column)
{
    /* a failed check says yes: the reader's own query then fails (and
     * says why) rather than quietly counting nothing */
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT 1 FROM pragma_table_info(?1) WHERE ?2 IS NULL OR name = ?2",
                           -1, &q, NULL) != SQLITE_OK)
        return true;
    sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
    if (column)
        sqlite3_bind_text(q, 2, column, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc != SQLITE_DONE;
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
            db_fail(s, err, "recording the input");
            commit = false;
        }
    }
    s->in_tx = false;
    s->input_id = 0;
    s->res.id[0] = '\0';
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
    return commit ? CS_E_DB : CS_OK;
}

/* resource id -> resource_data.id (0 = none) */
static cs_status
resource_rowid(struct cs_store *s, const char *rid_text, int64_t *out,
               struct cs_err *err)
{
    *out = 0;
    if (!rid_text[0])
        return CS_OK;
    if (strcmp(s->res.id, rid_text) == 0) {
        *out = s->res.rowid;
        return CS_OK;
    }
    sqlite3_stmt *q = s->st[ST_RES_FIND];
    sqlite3_bind_text(q, 1, rid_text, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(q, 0);
    sqlite3_reset(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(s, err, "resource lookup");
    if (rc == SQLITE_DONE) {
        const char *slash = strrchr(rid_text, '/');
        const char *name = slash && slash[1] ? slash + 1 : rid_text;
        q = s->st[ST_RES_INS];
        sqlite3_bind_text(q, 1, rid_text, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
        rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc != SQLITE_DONE)
            return db_fail(s, err, "resource insert");
        *out = sqlite3_last_insert_rowid(s->db);
    }
    snprintf(s->res.id, sizeof s->res.id, "%s", rid_text);
    s->res.rowid = *out;
    return CS_OK;
}

static void
bind_num(sqlite3_stmt *q, int i, double v)
{
    if (v == floor(v) && fabs(v) < 9e15)
        sqlite3_bind_int64(q, i, (int64_t)v);
    else
        sqlite3_bind_double(q, i, v);
}

static void
bind_text_or_null(sqlite3_stmt *q, int i, const char *t)
{
    if (t && *t)
        sqlite3_bind_text(q, i, t, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, i);
}

/* Bind category c of r at parameters base.. base+6 (t s lo hi th iss m). */
static void
bind_category(sqlite3_stmt *q, int base, const struct cs_record *r, int c)
{
    const struct cs_rating *rt = &r->rating[c];
    if (!rt->present) {
        for (int k = 0; k < 7; k++)
            sqlite3_bind_null(q, base + k);
        return;
    }
    /* the category's time is NULL when it is the survey's own time (the
     * common case: one record per survey), which keeps rows short */
    sqlite3_bind_null(q, base);
    bind_num(q, base + 1, rt->score);
    if (rt->has_lower) {
        bind_num(q, base + 2, rt->lower);
        bind_num(q, base + 3, rt->upper);
        bind_num(q, base + 4, rt->threshold);
    } else {
        sqlite3_bind_null(q, base + 2);
        sqlite3_bind_null(q, base + 3);
        sqlite3_bind_null(q, base + 4);
    }
    bind_text_or_null(q, base + 5, rt->issues);
    if (rt->issue_mask)
        sqlite3_bind_int64(q, base + 6, rt->issue_mask);
    else
        sqlite3_bind_null(q, base + 6);
}

static cs_status
put_unknown_tags(struct cs_store *s, int64_t rid, const struct cs_record *r,
                 int c, struct cs_err *err)
{
    const struct cs_rating *rt = &r->rating[c];
    if (rt->n_unknown == 0)
        return CS_OK;
    const char *p = rt->issues;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (cs_tag_find((enum cs_category)c, p, n) < 0) {
            sqlite3_stmt *q = s->st[ST_UNK_INS];
            sqlite3_bind_int64(q, 1, rid);
            sqlite3_bind_int(q, 2, c);
            sqlite3_bind_text(q, 3, p, (int)n, SQLITE_STATIC);
            int rc = sqlite3_step(q);
            sqlite3_reset(q);
            if (rc != SQLITE_DONE)
                return db_fail(s, err, "unknown tags");
        }
        p += n + (e ? 1 : 0);
    }
    return CS_OK;
}

static bool
col_eq_num(sqlite3_stmt *q, int col, bool has, double v)
{
    if (sqlite3_column_type(q, col) == SQLITE_NULL)
        return !has;
    return has && sqlite3_column_double(q, col) == v;
}

/* A record's time in 100 ns ticks: the order of records of one survey. */
static int64_t
rec_ticks(const struct cs_record *r)
{
    return r->time_us * 10 + r->time_sub;
}

/* "2026-11-16T08:00:00.1234567Z": a time in ticks with all 7 digits. */
static void
format_ticks(int64_t ticks, char *buf)
{
    int64_t sub = ticks % 10;
    if (sub < 0)
        sub += 10;
    int64_t us = (ticks - sub) / 10;
    int64_t day = cs_time_day(us);
    int64_t rem = us - day * CS_US_PER_DAY;
    char d[16];
    snprintf(buf, 40, "%sT%02d:%02d:%02d.%06d%dZ", cs_day_format(day, d),
             (int)(rem / CS_US_PER_S / 3600), (int)(rem / CS_US_PER_S / 60 % 60),
             (int)(rem / CS_US_PER_S % 60), (int)(rem % CS_US_PER_S), (int)sub);
}

/* One category's content as compared for an exact tie: score, scale,
 * issues.  From a record (r) or from the stored row (q at column b+1..). */
struct cat_val {
    double score, lo, hi, th;
    bool has_scale;
    const char *issues;
};

static struct cat_val
cat_of_record(const struct cs_rating *rt)
{
    return (struct cat_val){rt->score, rt->lower, rt->upper, rt->threshold,
                            rt->has_lower, rt->issues};
}

static struct cat_val
cat_of_row(sqlite3_stmt *q, int b)
{
    const char *iss = (const char *)sqlite3_column_text(q, b + 5);
    bool scale = sqlite3_column_type(q, b + 2) != SQLITE_NULL;
    return (struct cat_val){sqlite3_column_double(q, b + 1),
                            scale ? sqlite3_column_double(q, b + 2) : 0,
                            scale ? sqlite3_column_double(q, b + 3) : 0,
                            scale ? sqlite3_column_double(q, b + 4) : 0, scale,
                            iss ? iss : ""};
}

static int
cmp_num(double a, double b)
{
    return (a > b) - (a < b);
}

/* The total order that decides an exact tie, the same in every run and
 * input order: lower score first, then default scale before a scale,
 * lower bounds and threshold, then the issue list in byte order.  The
 * version that sorts first is kept. */
static int
cat_cmp(const struct cat_val *a, const struct cat_val *b)
{
    int c = cmp_num(a->score, b->score);
    if (c == 0)
        c = (int)a->has_scale - (int)b->has_scale;
    if (c == 0 && a->has_scale) {
        if ((c = cmp_num(a->lo, b->lo)) == 0 && (c = cmp_num(a->hi, b->hi)) == 0)
            c = cmp_num(a->th, b->th);
    }
    if (c == 0)
        c = strcmp(a->issues, b->issues);
    return c;
}

/* "score 4, scale 1-5 threshold 2, issues Echo,AudioNoise" */
static void
cat_text(const struct cat_val *v, char *buf, size_t n)
{
    char a[32], b[32], c[32], d[32];
    int k = snprintf(buf, n, "score %s", cs_js_number(v->score, a));
    if (v->has_scale && k > 0 && (size_t)k < n)
        k += snprintf(buf + k, n - (size_t)k, ", scale %s-%s threshold %s",
                      cs_js_number(v->lo, b), cs_js_number(v->hi, c),
                      cs_js_number(v->th, d));
    if (v->issues[0] && k > 0 && (size_t)k < n)
        snprintf(buf + k, n - (size_t)k, ", issues %s", v->issues);
}

/* Keep both versions of a tie (once per survey, category, time, pair). */
static cs_status
put_conflict(struct cs_store *s, const struct cs_record *r, int c,
             const struct cat_val *kept, const struct cat_val *other,
             struct cs_err *err)
{
    char tb[40], kt[CS_ISSUES_MAX + 128], ot[CS_ISSUES_MAX + 128];
    int64_t t = rec_ticks(r);
    format_ticks(t, tb);
    cat_text(kept, kt, sizeof kt);
    cat_text(other, ot, sizeof ot);
    sqlite3_stmt *d = s->st[ST_CONFLICT_DUP];
    for (int k = 0; k < 2; k++) {
        sqlite3_stmt *q = k ? s->st[ST_CONFLICT] : d;
        sqlite3_bind_int64(q, 1, s->input_id);
        sqlite3_bind_text(q, 2, r->survey_id, -1, SQLITE_STATIC);
        sqlite3_bind_int(q, 3, c);
        sqlite3_bind_int64(q, 4, t);
        sqlite3_bind_text(q, 5, tb, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 6, kt, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 7, ot, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 8, (int64_t)r->line);
    }
    int rc = sqlite3_step(d);
    sqlite3_reset(d);
    if (rc == SQLITE_DONE) {
        sqlite3_stmt *q = s->st[ST_CONFLICT];
        rc = sqlite3_step(q);
        sqlite3_reset(q);
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db_fail(s, err, "recording a conflict");
    return CS_OK;
}

/* Merge record r into the stored survey rid. */
static cs_status
merge(struct cs_store *s, int64_t rid, const struct cs_record *r,
      struct cs_store_counts *counts, struct cs_err *err)
{
    sqlite3_stmt *g = s->st[ST_GET];
    sqlite3_bind_int64(g, 1, rid);
    if (sqlite3_step(g) != SQLITE_ROW) {
        sqlite3_reset(g);
        return db_fail(s, err, "reading a survey to merge");
    }
    int64_t old_time = sqlite3_column_int64(g, 1);
    int64_t old_ticks = old_time * 10 + sqlite3_column_int64(g, 29);
    int64_t r_ticks = rec_ticks(r);
    /* a record that brings a call, participant or resource id the stored
     * one lacks fills it in (and so is an update, not a duplicate) */
    bool fill_res = sqlite3_column_type(g, 28) == SQLITE_NULL && r->resource_id[0];
    bool fills = (sqlite3_column_type(g, 2) == SQLITE_NULL && r->call_id[0]) ||
                 (sqlite3_column_type(g, 3) == SQLITE_NULL && r->participant_id[0]) || fill_res;
    bool need_head = r_ticks < old_ticks || fills;
    bool replace[CS_CAT__COUNT] = {false};
    bool changed = fills, conflict = false;
    cs_status st = CS_OK;
    for (int c = 0; c < CS_CAT__COUNT && st == CS_OK; c++) {
        const struct cs_rating *rt = &r->rating[c];
        if (!rt->present)
            continue;
        int b = 4 + 6 * c; /* t s lo hi th iss */
        if (sqlite3_column_type(g, b + 1) == SQLITE_NULL) {
            replace[c] = changed = true; /* a category only this record has */
            continue;
        }
        int64_t old_t = sqlite3_column_type(g, b) == SQLITE_NULL
                            ? old_ticks
                            : sqlite3_column_int64(g, b);
        if (r_ticks < old_t)
            continue; /* the stored one is newer */
        const char *old_iss = (const char *)sqlite3_column_text(g, b + 5);
        bool same = col_eq_num(g, b + 1, true, rt->score) &&
                    col_eq_num(g, b + 2, rt->has_lower, rt->lower) &&
                    col_eq_num(g, b + 3, rt->has_lower, rt->upper) &&
                    col_eq_num(g, b + 4, rt->has_lower, rt->threshold) &&
                    strcmp(old_iss ? old_iss : "", rt->issues) == 0;
        if (same)
            continue;
        if (r_ticks > old_t) {
            replace[c] = changed = true; /* the later one wins */
            continue;
        }
        /* the same time to 100 ns, another content: decided by content,
         * never by which was read first */
        conflict = true;
        struct cat_val nv = cat_of_record(rt), ov = cat_of_row(g, b);
        bool take = cat_cmp(&nv, &ov) < 0;
        replace[c] = take;
        st = put_conflict(s, r, c, take ? &nv : &ov, take ? &ov : &nv, err);
    }
    sqlite3_reset(g);
    if (st != CS_OK)
        return st;
    for (int c = 0; c < CS_CAT__COUNT; c++) {
        if (!replace[c])
            continue;
        sqlite3_stmt *u = s->st[ST_UPD_CAT0 + c];
        sqlite3_bind_int64(u, 1, rid);
        bind_category(u, 2, r, c);
        sqlite3_bind_int64(u, 2, r_ticks); /* merged: keep its own time */
        int rc = sqlite3_step(u);
        sqlite3_reset(u);
        if (rc != SQLITE_DONE)
            return db_fail(s, err, "merging a survey");
        sqlite3_stmt *d = s->st[ST_UNK_DEL];
        sqlite3_bind_int64(d, 1, rid);
        sqlite3_bind_int(d, 2, c);
        rc = sqlite3_step(d);
        sqlite3_reset(d);
        if (rc != SQLITE_DONE)
            return db_fail(s, err, "merging a survey");
        if (put_unknown_tags(s, rid, r, c, err))
            return CS_E_DB;
    }
    if (need_head) {
        bool earlier = r_ticks < old_ticks;
        int64_t t = earlier ? r->time_us : old_time;
        int64_t day = cs_time_day(t);
        sqlite3_stmt *u = s->st[ST_UPD_HEAD];
        sqlite3_bind_int64(u, 1, rid);
        sqlite3_bind_int64(u, 2, t);
        sqlite3_bind_int64(u, 3, day);
        sqlite3_bind_int(u, 4, cs_iso_week(day, NULL, NULL));
        bind_text_or_null(u, 5, r->call_id);
        bind_text_or_null(u, 6, r->participant_id);
        int64_t sub = earlier ? r->time_sub : old_ticks - old_time * 10;
        if (sub)
            sqlite3_bind_int64(u, 8, sub);
        else
            sqlite3_bind_null(u, 8);
        int64_t res = 0; /* looked up (or added) only when it fills a gap */
        if (fill_res && resource_rowid(s, r->resource_id, &res, err)) {
            sqlite3_reset(u);
            return CS_E_DB;
        }
        if (res)
            sqlite3_bind_int64(u, 7, res);
        else
            sqlite3_bind_null(u, 7);
        int rc = sqlite3_step(u);
        sqlite3_reset(u);
        if (rc != SQLITE_DONE)
            return db_fail(s, err, "merging a survey");
    }
    if (conflict)
        counts->conflicts++;
    else if (changed)
        counts->updated++;
    else
        counts->duplicates++;
    return CS_OK;
}

/* Find the stored rid of survey_id (hash hit confirmed by the text). */
static cs_status
find_rid(struct cs_store *s, const char *sid, uint64_t h, int64_t *rid,
         struct cs_err *err)
{
    *rid = 0;
    if (s->idx.cap == 0)
        return CS_OK;
    size_t m = s->idx.cap - 1;
    for (size_t i = h & m; s->idx.slots[i].h; i = (i + 1) & m) {
        if (s->idx.slots[i].h != h)
            continue;
        sqlite3_stmt *g = s->st[ST_GET];
        sqlite3_bind_int64(g, 1, s->idx.slots[i].rid);
        int rc = sqlite3_step(g);
        bool same = rc == SQLITE_ROW &&
                    strcmp((const char *)sqlite3_column_text(g, 0), sid) == 0;
        sqlite3_reset(g);
        if (rc != SQLITE_ROW)
            return db_fail(s, err, "reading a survey");
        if (same) {
            *rid = s->idx.slots[i].rid;
            return CS_OK;
        }
    }
    return CS_OK;
}

cs_status
cs_store_put(struct cs_store *s, const struct cs_record *recs, size_t n,
             struct cs_store_counts *counts, struct cs_err *err)
{
    for (size_t k = 0; k < n; k++) {
        const struct cs_record *r = &recs[k];
        uint64_t h = hash_id(r->survey_id);
        int64_t rid;
        if (find_rid(s, r->survey_id, h, &rid, err))
            return CS_E_DB;
        if (rid) {
            if (merge(s, rid, r, counts, err))
                return CS_E_DB;
            continue;
        }
        int64_t res;
        if (resource_rowid(s, r->resource_id, &res, err))
            return CS_E_DB;
        rid = s->next_rid++;
        int64_t day = cs_time_day(r->time_us);
        sqlite3_stmt *q = s->st[ST_INSERT];
        sqlite3_bind_int64(q, 1, rid);
        sqlite3_bind_text(q, 2, r->survey_id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 3, r->time_us);
        sqlite3_bind_int64(q, 4, day);
        sqlite3_bind_int(q, 5, cs_iso_week(day, NULL, NULL));
        if (res)
            sqlite3_bind_int64(q, 6, res);
        else
            sqlite3_bind_null(q, 6);
        bind_text_or_null(q, 7, r->call_id);
        bind_text_or_null(q, 8, r->participant_id);
        /* CorrelationId is the participant id in ACSCallSurvey: keep it
         * only when it says something else */
        bind_text_or_null(q, 9, strcmp(r->correlation_id, r->participant_id) ? r->correlation_id : NULL);
        bind_text_or_null(q, 10, r->operation);
        sqlite3_bind_int64(q, 11, s->input_id);
        sqlite3_bind_int64(q, 12, (int64_t)r->line);
        for (int c = 0; c < CS_CAT__COUNT; c++)
            bind_category(q, 13 + 7 * c, r, c);
        if (r->time_sub)
            sqlite3_bind_int(q, 41, r->time_sub);
        else
            sqlite3_bind_null(q, 41);
        int rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc != SQLITE_DONE)
            return db_fail(s, err, "storing a survey");
        for (int c = 0; c < CS_CAT__COUNT; c++)
            if (put_unknown_tags(s, rid, r, c, err))
                return CS_E_DB;
        hindex_put(&s->idx, h, rid);
        counts->stored++;
    }
    return CS_OK;
}

/* 64-bit hash of a text (custom_events.phash, reject_data.rhash), a word at
 * a time: only an index key, every match is confirmed on the text. */
static uint64_t
hash_text(const char *p, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, p, n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
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
        return db_fail(s, err, "checking the schema");
#undef LACKS
    int rc = sqlite3_step(q);
    bool old = rc == SQLITE_ROW && sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW)
        return db_fail(s, err, "checking the schema");
    if (old)
        return cs_fail(err, CS_E_DB, path,
                       "this database was made by an earlier development build of "
                       "callsurvey (its custom_events or reject_data table has no "
                       "hash column); ingest the inputs into a new database");
    return CS_OK;
}

/* Bring the tables of a database from before the 100 ns order up to date
 * (in the open's transaction): survey_data gains time_sub and its category
 * times become 100 ns ticks, inputs gains conflicts, custom_events the
 * event name.  A new database gets them from the schema. */
static cs_status
upgrade_tables(struct cs_store *s, struct cs_err *err)
{
    static const struct {
        const char *table, *column, *sql;
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
    };
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT EXISTS (SELECT 1 FROM pragma_table_info('%s')) AND NOT EXISTS"
                 " (SELECT 1 FROM pragma_table_info('%s') WHERE name = '%s')",
                 steps[i].table, steps[i].table, steps[i].column);
        sqlite3_stmt *q;
        if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
            return db_fail(s, err, "checking the schema");
        int rc = sqlite3_step(q);
        bool old = rc == SQLITE_ROW && sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
        if (rc != SQLITE_ROW)
            return db_fail(s, err, "checking the schema");
        if (old && exec(s, steps[i].sql, err) != CS_OK)
            return CS_E_DB;
    }
    return CS_OK;
}

/* ?1 survey id, ?2 time (NULL when none), ?3 answers, ?7 their hash, ?8
 * the event name: the same numbers in ST_EVENT and ST_EVENT_DUP */
static void
bind_event_key(sqlite3_stmt *q, const struct cs_event *ev, int64_t ph)
{
    sqlite3_bind_text(q, 1, ev->survey_id, -1, SQLITE_STATIC);
    if (ev->time_us)
        sqlite3_bind_int64(q, 2, ev->time_us);
    else
        sqlite3_bind_null(q, 2);
    sqlite3_bind_text(q, 3, ev->props, (int)ev->props_len, SQLITE_STATIC);
    sqlite3_bind_int64(q, 7, ph);
    if (ev->name)
        sqlite3_bind_text(q, 8, ev->name, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 8);
}

cs_status
cs_store_event(struct cs_store *s, const struct cs_event *ev,
               struct cs_store_counts *counts, struct cs_err *err)
{
    /* an event already stored with the same survey, name, answers and
     * millisecond (the same file loaded twice, or the CSV and the JSON
     * export of one event: the CSV has milliseconds, JSON 100 ns) is a
     * duplicate; without a time, two events with the same answers are the
     * same event too */
    int64_t ph = (int64_t)hash_text(ev->props, ev->props_len);
    sqlite3_stmt *d = s->st[ST_EVENT_DUP];
    bind_event_key(d, ev, ph);
    int64_t ms = ev->time_us / 1000 - (ev->time_us % 1000 < 0);
    sqlite3_bind_int64(d, 9, ms * 1000);
    int drc = sqlite3_step(d);
    sqlite3_reset(d);
    if (drc == SQLITE_ROW) {
        counts->duplicates++;
        return CS_OK;
    }
    if (drc != SQLITE_DONE)
        return db_fail(s, err, "storing a custom event");
    sqlite3_stmt *q = s->st[ST_EVENT];
    bind_event_key(q, ev, ph);
    if (ev->measurements)
        sqlite3_bind_text(q, 4, ev->measurements, (int)ev->measurements_len,
                          SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 4);
    sqlite3_bind_int64(q, 5, s->input_id);
    sqlite3_bind_int64(q, 6, (int64_t)ev->line);
    const char *ctx[3] = {ev->app_version, ev->client_os, ev->browser};
    for (int k = 0; k < 3; k++)
        if (ctx[k] && ctx[k][0])
            sqlite3_bind_text(q, 10 + k, ctx[k], -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(q, 10 + k);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE)
        return db_fail(s, err, "storing a custom event");
    counts->stored++;
    return CS_OK;
}

cs_status
cs_store_reject(struct cs_store *s, const struct cs_record *rec,
                const char *raw, size_t raw_len, struct cs_err *err)
{
    if (!raw)
        raw = "", raw_len = 0;
    int64_t h = (int64_t)(hash_text(raw, raw_len) ^
                          (hash_text(rec->reason, strlen(rec->reason)) * 0x9e3779b97f4a7c15ull));
    /* the same rejected record (same source, place, reason and text) is
     * kept once; anything else is kept */
    sqlite3_stmt *d = s->st[ST_REJECT_DUP];
    for (int k = 0; k < 2; k++) {
        sqlite3_stmt *q = k ? s->st[ST_REJECT] : d;
        sqlite3_bind_int64(q, 1, s->input_id);
        sqlite3_bind_text(q, 2, s->source ? s->source : "", -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 3, (int64_t)rec->line);
        sqlite3_bind_int64(q, 4, rec->index);
        sqlite3_bind_text(q, 5, rec->reason, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 6, raw, (int)raw_len, SQLITE_STATIC);
        sqlite3_bind_int64(q, 7, h);
    }
    int drc = sqlite3_step(d);
    sqlite3_reset(d);
    if (drc == SQLITE_ROW)
        return CS_OK;
    if (drc != SQLITE_DONE)
        return db_fail(s, err, "storing a rejected record");
    sqlite3_stmt *q = s->st[ST_REJECT];
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE)
        return db_fail(s, err, "storing a rejected record");
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
        return db_fail(s, err, "totals");
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        t->surveys = (uint64_t)sqlite3_column_int64(q, 0);
        t->rejects = (uint64_t)sqlite3_column_int64(q, 1);
    }
    sqlite3_finalize(q);
    return rc == SQLITE_ROW ? CS_OK : db_fail(s, err, "totals");
}
