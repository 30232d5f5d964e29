/*
 * store/hist_load.c: histograms tables into the private store (see
 * hist_load.h).  One row of hist_data per distinct key; the key is every
 * column but the counts, joined in C (k); gk is the (period, resource,
 * dimensions) group whose total row tells when its surveys were.
 */
#include "store/hist_load.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "store/store_int.h"

static const char schema[] =
    "CREATE TABLE hist_files(no INTEGER PRIMARY KEY, path TEXT NOT NULL, form TEXT,"
    "  dims INTEGER, rows INTEGER);\n"
    "CREATE TABLE hist_data(k TEXT PRIMARY KEY, gk TEXT NOT NULL, row_kind TEXT NOT NULL,"
    "  period TEXT NOT NULL, period_day INTEGER, p_start INTEGER, p_end INTEGER,"
    "  bucket_week INTEGER, bucket_day INTEGER, resource_id TEXT NOT NULL, resource INTEGER,"
    "  sdk_version TEXT, endpoint_type TEXT, participant_type TEXT, call_type TEXT,"
    "  end_reason TEXT, custom_key TEXT NOT NULL, custom_value TEXT NOT NULL, category TEXT,"
    "  cat INTEGER, lower REAL, upper REAL, threshold REAL, default_scale INTEGER, score REAL,"
    "  tags TEXT NOT NULL, reason TEXT NOT NULL, n INTEGER NOT NULL, calls INTEGER,"
    "  participants INTEGER, first_us INTEGER, last_us INTEGER, file INTEGER NOT NULL,"
    "  overlap INTEGER NOT NULL DEFAULT 0, g_first INTEGER, g_last INTEGER,"
    "  os TEXT, os_version TEXT, app_version TEXT, browser TEXT, client_os TEXT);\n"
    "CREATE INDEX hist_data_gk ON hist_data(gk, row_kind);\n"
    /* what template steps see: the query's columns */
    "CREATE VIEW histograms AS SELECT row_kind, period, resource_id, sdk_version,"
    "  endpoint_type, participant_type, call_type, end_reason, os, os_version, app_version,"
    "  browser, client_os, custom_key, custom_value,"
    "  category, lower, upper, threshold, default_scale, score, tags, reason, n, calls,"
    "  participants,"
    "  strftime('%Y-%m-%dT%H:%M:%S', first_us / 1000000, 'unixepoch')"
    "    || printf('.%06dZ', first_us % 1000000) AS first_time,"
    "  strftime('%Y-%m-%dT%H:%M:%S', last_us / 1000000, 'unixepoch')"
    "    || printf('.%06dZ', last_us % 1000000) AS last_time"
    "  FROM hist_data;\n";

cs_status
cs_hist_prepare_store(struct cs_store *s, struct cs_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
        cs_fail(err, CS_E_DB, NULL, "histograms tables: %s", msg ? msg : "?");
        sqlite3_free(msg);
        return CS_E_DB;
    }
    s->hist = true;
    return CS_OK;
}

bool
cs_store_is_hist(const struct cs_store *s)
{
    return s && s->hist;
}

struct cs_hist_load {
    struct cs_store *s;
    sqlite3_stmt *ins, *res_find, *res_ins;
    int64_t file_no;
    char *path;
    struct cs_buf key;
};

static cs_status
db_fail(struct cs_store *s, struct cs_err *err, const char *what)
{
    return cs_fail(err, CS_E_DB, NULL, "histograms, %s: %s", what, sqlite3_errmsg(s->db));
}

static const char ins_sql[] =
    "INSERT INTO hist_data(k, gk, row_kind, period, period_day, p_start, p_end, bucket_week,"
    " bucket_day, resource_id, resource, sdk_version, endpoint_type, participant_type,"
    " call_type, end_reason, custom_key, custom_value, category, cat, lower, upper, threshold,"
    " default_scale, score, tags, reason, n, calls, participants, first_us, last_us, file,"
    " os, os_version, app_version, browser, client_os)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
    " ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36,"
    " ?37, ?38)"
    " ON CONFLICT(k) DO UPDATE SET n = n + excluded.n,"
    " calls = calls + excluded.calls, participants = participants + excluded.participants,"
    " first_us = min(first_us, excluded.first_us), last_us = max(last_us, excluded.last_us),"
    " overlap = overlap OR (row_kind = 'total' AND file <> excluded.file)";

cs_status
cs_hist_load_begin(struct cs_store *s, const char *path, struct cs_hist_load **out,
                   struct cs_err *err)
{
    *out = NULL;
    struct cs_hist_load *l = xcalloc(1, sizeof *l);
    l->s = s;
    l->path = xstrdup(path);
    if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, ins_sql, -1, &l->ins, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, "SELECT id FROM resource_data WHERE resource_id = ?1", -1,
                           &l->res_find, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, "INSERT INTO resource_data(resource_id, name) VALUES (?1, ?2)",
                           -1, &l->res_ins, NULL) != SQLITE_OK) {
        cs_status st = db_fail(s, err, "load");
        cs_hist_load_end(&l, false, NULL, err);
        return st;
    }
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db, "SELECT count(*) + 1 FROM hist_files", -1, &q, NULL) ==
            SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        l->file_no = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    *out = l;
    return CS_OK;
}

/* resource_data's id of an ARM id (added with its last segment as name). */
static cs_status
resource_id(struct cs_hist_load *l, const char *rid, int64_t *out, struct cs_err *err)
{
    *out = 0;
    if (!rid[0])
        return CS_OK;
    sqlite3_bind_text(l->res_find, 1, rid, -1, SQLITE_STATIC);
    int rc = sqlite3_step(l->res_find);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(l->res_find, 0);
    sqlite3_reset(l->res_find);
    if (rc == SQLITE_ROW)
        return CS_OK;
    const char *slash = strrchr(rid, '/');
    sqlite3_bind_text(l->res_ins, 1, rid, -1, SQLITE_STATIC);
    sqlite3_bind_text(l->res_ins, 2, slash && slash[1] ? slash + 1 : rid, -1, SQLITE_STATIC);
    rc = sqlite3_step(l->res_ins);
    sqlite3_reset(l->res_ins);
    if (rc != SQLITE_DONE)
        return db_fail(l->s, err, "resource");
    *out = sqlite3_last_insert_rowid(l->s->db);
    return CS_OK;
}

static void
bind_opt_text(sqlite3_stmt *q, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(q, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, i);
}

cs_status
cs_hist_load_row(struct cs_hist_load *l, const struct cs_hist_row_in *r, struct cs_err *err)
{
    static const char *const kinds[] = {"rating", "total", "merged", "reject"};
    int64_t res;
    cs_status st = resource_id(l, r->resource_id, &res, err);
    if (st)
        return st;
    struct cs_buf *k = &l->key;
    cs_buf_clear(k);
    cs_buf_printf(k, "%s\x1f%s\x1f%s", kinds[r->kind], r->period, r->resource_id);
    for (int i = 0; i < CS_HIST_DIMS; i++)
        cs_buf_printf(k, "\x1f%s", r->dims[i] ? r->dims[i] : "\x1e");
    size_t glen = k->n - strlen(kinds[r->kind]) - 1; /* the group: period .. dims */
    char *gk = xstrdup(k->s + strlen(kinds[r->kind]) + 1);
    gk[glen] = '\0';
    bool rating = r->kind == CS_HK_RATING;
    cs_buf_printf(k, "\x1f%s\x1f%s\x1f%d\x1f%.17g\x1f%.17g\x1f%.17g\x1f%d\x1f%.17g\x1f%s\x1f%s",
                  r->custom_key, r->custom_value, r->cat, r->lower, r->upper, r->threshold,
                  (int)r->default_scale, r->score, r->tags, r->reason);
    sqlite3_stmt *q = l->ins;
    sqlite3_bind_text(q, 1, k->s, (int)k->n, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, gk, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, kinds[r->kind], -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, r->period, -1, SQLITE_STATIC);
    if (r->period[0]) {
        sqlite3_bind_int(q, 5, r->period_day);
        sqlite3_bind_int64(q, 6, r->p_start);
        sqlite3_bind_int64(q, 7, r->p_end);
        sqlite3_bind_int64(q, 8, r->bucket_week);
        sqlite3_bind_int64(q, 9, r->bucket_day);
    }
    sqlite3_bind_text(q, 10, r->resource_id, -1, SQLITE_STATIC);
    if (res)
        sqlite3_bind_int64(q, 11, res);
    for (int i = 0; i < CS_HIST_DIMS; i++) /* the first five in their old places */
        bind_opt_text(q, i < 5 ? 12 + i : 34 + (i - 5), r->dims[i]);
    sqlite3_bind_text(q, 17, r->custom_key, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 18, r->custom_value, -1, SQLITE_STATIC);
    if (rating) {
        sqlite3_bind_text(q, 19, cs_category_name((enum cs_category)r->cat), -1, SQLITE_STATIC);
        sqlite3_bind_int(q, 20, r->cat);
        sqlite3_bind_double(q, 21, r->lower);
        sqlite3_bind_double(q, 22, r->upper);
        sqlite3_bind_double(q, 23, r->threshold);
        sqlite3_bind_int(q, 24, r->default_scale);
        sqlite3_bind_double(q, 25, r->score);
    }
    sqlite3_bind_text(q, 26, r->tags, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 27, r->reason, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 28, (int64_t)r->n);
    if (r->kind == CS_HK_TOTAL) {
        sqlite3_bind_int64(q, 29, (int64_t)r->calls);
        sqlite3_bind_int64(q, 30, (int64_t)r->participants);
        sqlite3_bind_int64(q, 31, r->first_us);
        sqlite3_bind_int64(q, 32, r->last_us);
    }
    sqlite3_bind_int64(q, 33, l->file_no);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
    xfree(gk);
    return rc == SQLITE_DONE ? CS_OK : db_fail(l->s, err, "row");
}

cs_status
cs_hist_load_end(struct cs_hist_load **lp, bool commit, const struct cs_hist_file_info *info,
                 struct cs_err *err)
{
    struct cs_hist_load *l = *lp;
    if (!l)
        return CS_OK;
    *lp = NULL;
    cs_status st = CS_OK;
    if (commit && info) {
        sqlite3_stmt *q;
        if (sqlite3_prepare_v2(l->s->db,
                               "INSERT INTO hist_files(no, path, form, dims, rows)"
                               " VALUES (?1, ?2, ?3, ?4, ?5)",
                               -1, &q, NULL) != SQLITE_OK)
            st = db_fail(l->s, err, "files");
        else {
            sqlite3_bind_int64(q, 1, l->file_no);
            sqlite3_bind_text(q, 2, l->path, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 3, info->form, -1, SQLITE_STATIC);
            sqlite3_bind_int(q, 4, (int)info->dims);
            sqlite3_bind_int64(q, 5, (int64_t)info->rows);
            if (sqlite3_step(q) != SQLITE_DONE)
                st = db_fail(l->s, err, "files");
            sqlite3_finalize(q);
        }
    }
    if (commit && st == CS_OK && sqlite3_exec(l->s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        st = db_fail(l->s, err, "commit");
    if (!commit || st)
        sqlite3_exec(l->s->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_finalize(l->ins);
    sqlite3_finalize(l->res_find);
    sqlite3_finalize(l->res_ins);
    cs_buf_free(&l->key);
    xfree(l->path);
    xfree(l);
    return st;
}

static int64_t
one_int(struct cs_store *s, const char *sql)
{
    sqlite3_stmt *q;
    int64_t v = 0;
    if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

cs_status
cs_hist_finish(struct cs_store *s, struct cs_hist_summary *sum, struct cs_err *err)
{
    memset(sum, 0, sizeof *sum);
    /* a week and a day file cannot be summed into one trend */
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT min(f.path), d.period_day FROM hist_data d"
                           " JOIN hist_files f ON f.no = d.file WHERE d.period <> ''"
                           " GROUP BY d.period_day ORDER BY d.period_day",
                           -1, &q, NULL) != SQLITE_OK)
        return db_fail(s, err, "check");
    char *first = NULL;
    int n = 0, rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (n++ == 0)
            first = xstrdup((const char *)sqlite3_column_text(q, 0));
        else {
            cs_fail(err, CS_E_USAGE, NULL,
                    "%s counts per ISO week and %s per day: histograms of one report "
                    "must have the same periods (`callsurvey kql --bucket`)",
                    first, (const char *)sqlite3_column_text(q, 0));
            sqlite3_finalize(q);
            xfree(first);
            return CS_E_USAGE;
        }
        sum->day = sqlite3_column_int(q, 1) != 0;
    }
    sqlite3_finalize(q);
    xfree(first);
    if (rc != SQLITE_DONE)
        return db_fail(s, err, "check");
    if (sqlite3_exec(s->db,
                     "UPDATE hist_data SET (g_first, g_last) = (SELECT min(t.first_us),"
                     " max(t.last_us) FROM hist_data t WHERE t.gk = hist_data.gk"
                     " AND t.row_kind = 'total')",
                     NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(s, err, "groups");
    sum->files = (uint64_t)one_int(s, "SELECT count(*) FROM hist_files");
    sum->rows = (uint64_t)one_int(s, "SELECT coalesce(sum(rows), 0) FROM hist_files");
    for (int i = 0; i < CS_HIST_DIMS; i++) { /* some file has dimension i */
        char sql[100];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM hist_files WHERE dims & %d", 1 << i);
        if (one_int(s, sql) > 0)
            sum->dims |= 1u << i;
    }
    sum->surveys = (uint64_t)one_int(s, "SELECT coalesce(sum(n), 0) FROM hist_data"
                                        " WHERE row_kind = 'total' AND custom_key = ''");
    sum->overlaps = (uint64_t)one_int(s, "SELECT count(*) FROM hist_data WHERE overlap"
                                         " AND custom_key = ''");
    return CS_OK;
}

/* ---- template steps ---------------------------------------------------- */

struct reads {
    char *what;
    size_t cap;
    bool hit, named; /* named: what is a view or table the SQL itself names */
};

/* Note the first per-survey view or table read, preferring one the SQL
 * names (SQLite reports the tables inside a view with the view's name,
 * then the view itself with none). */
static int
note_read(void *ctx, int action, const char *a3, const char *a4, const char *db, const char *view)
{
    (void)a4;
    struct reads *r = ctx;
    static const char *const ok[] = {"hist_data", "hist_files", "histograms", "resource_data"};
    if (action != SQLITE_READ || !a3 || r->named || strncmp(a3, "sqlite_", 7) == 0 ||
        (db && strcmp(db, "main") != 0 && strcmp(db, "temp") != 0))
        return SQLITE_OK;
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        if (strcmp(a3, ok[i]) == 0)
            return SQLITE_OK;
    if (!r->hit || !view)
        snprintf(r->what, r->cap, "%s", view ? view : a3);
    r->hit = true;
    r->named = !view;
    return SQLITE_OK;
}

bool
cs_hist_reads_surveys(struct cs_store *s, const char *sql, char *what, size_t cap)
{
    struct reads r = {.what = what, .cap = cap};
    if (cap)
        what[0] = '\0';
    sqlite3_set_authorizer(s->db, note_read, &r);
    sqlite3_stmt *q = NULL;
    sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);
    sqlite3_finalize(q);
    sqlite3_set_authorizer(s->db, NULL, NULL);
    return r.hit;
}
