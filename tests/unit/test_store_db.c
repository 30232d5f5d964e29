/* Unit tests for store/ as a database file shared by runs (issue 15):
 * the private database file (mkstemp, 0600, stale files of dead runs),
 * two connections writing one file (the SurveyId index follows the other
 * writer), one snapshot per report, per-connection settings, and what a
 * file must be before anything is written to it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ingest/ingest.h"
#include "store/query.h"
#include "store/store.h"

static struct cs_record
rec(const char *sid, int64_t t_s, int cat, double score)
{
    struct cs_record r;
    cs_record_clear(&r);
    snprintf(r.survey_id, sizeof r.survey_id, "%s", sid);
    snprintf(r.participant_id, sizeof r.participant_id, "p-%s", sid);
    r.time_us = t_s * 1000000;
    r.rating[cat].present = r.rating[cat].score_is_num = true;
    r.rating[cat].score = score;
    return r;
}

static int64_t
q1(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    int64_t v = -1;
    if (sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

/* A scratch directory and a database path in it. */
struct scratch {
    char dir[64];
    char db[96];
};

static void
scratch_make(struct scratch *sc)
{
    snprintf(sc->dir, sizeof sc->dir, "/tmp/cs-storedb-XXXXXX");
    assert_non_null(mkdtemp(sc->dir));
    snprintf(sc->db, sizeof sc->db, "%s/s.db", sc->dir);
}

static void
scratch_remove(struct scratch *sc)
{
    DIR *d = opendir(sc->dir);
    assert_non_null(d);
    struct dirent *e;
    char p[512];
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", sc->dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(sc->dir);
}

static struct cs_store *
open_db(const char *path, double thr, bool read_only)
{
    struct cs_store_opts o = {.path = path, .default_threshold = thr, .read_only = read_only};
    struct cs_store *s = NULL;
    struct cs_err e;
    if (cs_store_open(&o, &s, &e) != CS_OK)
        fail_msg("open %s: %s", path, e.msg);
    return s;
}

/* One input of n records, committed; returns its counts. */
static struct cs_store_counts
ingest(struct cs_store *s, const struct cs_record *r, size_t n)
{
    struct cs_err e;
    struct cs_store_counts c = {0};
    if (cs_store_input_begin(s, "in", &e) != CS_OK)
        fail_msg("begin: %s", e.msg);
    if (cs_store_put(s, r, n, &c, &e) != CS_OK)
        fail_msg("put: %s", e.msg);
    if (cs_store_input_end(s, true, NULL, &e) != CS_OK)
        fail_msg("commit: %s", e.msg);
    return c;
}

static bool
exists(const char *dir, const char *name)
{
    char p[512];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return lstat(p, &st) == 0;
}

static void
touch(const char *dir, const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs("planted", f);
    fclose(f);
}

/* Item 2: the private database is a new 0600 file named after our pid,
 * removed on close; stale private files of a dead pid (and their journal)
 * go on open, a live pid's, a symlink and other files stay. */
static void
test_private_file(void **state)
{
    (void)state;
    struct scratch sc;
    scratch_make(&sc);
    char *old_tmp = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
    setenv("TMPDIR", sc.dir, 1);
    pid_t dead = fork();
    assert_true(dead >= 0);
    if (dead == 0)
        _exit(0);
    assert_int_equal(waitpid(dead, NULL, 0), dead);
    char n_dead[64], n_dead_j[64], n_legacy[64], n_live[64], n_link[64];
    snprintf(n_dead, sizeof n_dead, "callsurvey-%ld-aB3xYz.db", (long)dead);
    snprintf(n_dead_j, sizeof n_dead_j, "callsurvey-%ld-aB3xYz.db-journal", (long)dead);
    snprintf(n_legacy, sizeof n_legacy, "callsurvey-%ld.db", (long)dead);
    snprintf(n_live, sizeof n_live, "callsurvey-%ld-qQ7rRs.db", (long)getppid());
    snprintf(n_link, sizeof n_link, "callsurvey-%ld-lnk000.db", (long)dead);
    touch(sc.dir, n_dead);
    touch(sc.dir, n_dead_j);
    touch(sc.dir, n_legacy);
    touch(sc.dir, n_live);
    touch(sc.dir, "other.db");
    char lp[512];
    snprintf(lp, sizeof lp, "%s/%s", sc.dir, n_link);
    assert_int_equal(symlink("other.db", lp), 0);

    struct cs_store_opts o = {.expected_bytes = UINT64_MAX, .default_threshold = 2};
    struct cs_store *s = NULL;
    struct cs_err e;
    assert_int_equal(cs_store_open(&o, &s, &e), CS_OK);
    assert_false(exists(sc.dir, n_dead));
    assert_false(exists(sc.dir, n_dead_j));
    assert_false(exists(sc.dir, n_legacy));
    assert_true(exists(sc.dir, n_live));
    assert_true(exists(sc.dir, n_link));
    assert_true(exists(sc.dir, "other.db"));
    /* exactly one new file: callsurvey-<our pid>-XXXXXX.db, mode 0600 */
    char prefix[64], mine[600] = "";
    snprintf(prefix, sizeof prefix, "callsurvey-%ld-", (long)getpid());
    int n_mine = 0;
    DIR *d = opendir(sc.dir);
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strncmp(de->d_name, prefix, strlen(prefix)) == 0) {
            n_mine++;
            snprintf(mine, sizeof mine, "%s/%s", sc.dir, de->d_name);
            assert_int_equal(strlen(de->d_name), strlen(prefix) + 6 + 3);
            assert_string_equal(de->d_name + strlen(de->d_name) - 3, ".db");
        }
    closedir(d);
    assert_int_equal(n_mine, 1);
    struct stat st;
    assert_int_equal(lstat(mine, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0600);
    struct cs_record r = rec("p1", 1000, CS_CAT_OVERALL, 4);
    assert_int_equal(ingest(s, &r, 1).stored, 1);
    /* nothing of the planted files was counted */
    assert_int_equal(q1(cs_store_db(s), "SELECT count(*) FROM survey_data"), 1);
    cs_store_close(&s);
    assert_int_not_equal(lstat(mine, &st), 0); /* removed on close */
    if (old_tmp) {
        setenv("TMPDIR", old_tmp, 1);
        free(old_tmp);
    } else {
        unsetenv("TMPDIR");
    }
    scratch_remove(&sc);
}

/* Item 5: two connections take turns writing one file.  Each one's
 * SurveyId index must follow the other's commits: A knew only s1 when B
 * stored s2 and s3; A then meets s2 again (a duplicate, not a second row
 * and not a "UNIQUE constraint failed: survey_data.rid"). */
static void
test_two_writers_index(void **state)
{
    (void)state;
    struct scratch sc;
    scratch_make(&sc);
    struct cs_store *a = open_db(sc.db, 2, false), *b = open_db(sc.db, 2, false);
    struct cs_record r1 = rec("s1", 1000, CS_CAT_OVERALL, 4);
    struct cs_record r23[2] = {rec("s2", 1000, CS_CAT_OVERALL, 3),
                               rec("s3", 1000, CS_CAT_OVERALL, 5)};
    assert_int_equal(ingest(a, &r1, 1).stored, 1);
    assert_int_equal(ingest(b, r23, 2).stored, 2);
    struct cs_record again[2] = {rec("s2", 1000, CS_CAT_OVERALL, 3),
                                 rec("s4", 1000, CS_CAT_OVERALL, 1)};
    struct cs_store_counts c = ingest(a, again, 2);
    assert_int_equal(c.stored, 1);
    assert_int_equal(c.duplicates, 1);
    /* and B in turn knows A's s4 */
    struct cs_record r4 = rec("s4", 1000, CS_CAT_OVERALL, 1);
    c = ingest(b, &r4, 1);
    assert_int_equal(c.stored, 0);
    assert_int_equal(c.duplicates, 1);
    sqlite3 *db = cs_store_db(a);
    assert_int_equal(q1(db, "SELECT count(*) FROM survey_data"), 4);
    assert_int_equal(q1(db, "SELECT count(DISTINCT survey_id) FROM survey_data"), 4);
    cs_store_close(&a);
    cs_store_close(&b);
    scratch_remove(&sc);
}

/* Item 5: a writer waits for another one's transaction (the busy timeout)
 * instead of failing at once with "database is locked". */
static void
test_writer_waits(void **state)
{
    (void)state;
    struct scratch sc;
    scratch_make(&sc);
    struct cs_store *a = open_db(sc.db, 2, false);
    struct cs_record r1 = rec("w1", 1000, CS_CAT_OVERALL, 4);
    assert_int_equal(ingest(a, &r1, 1).stored, 1);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        /* hold the write lock for 300 ms */
        sqlite3 *db;
        sqlite3_open(sc.db, &db);
        sqlite3_exec(db, "BEGIN IMMEDIATE; INSERT INTO inputs(source) VALUES ('x')", NULL,
                     NULL, NULL);
        usleep(300000);
        sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
        sqlite3_close(db);
        _exit(0);
    }
    usleep(100000);
    /* opening (which checks the schema and then writes) and an input both
     * wait for the lock; before, the open read first and then failed at
     * once on upgrading to a write */
    struct cs_store *b = open_db(sc.db, 2, false);
    struct cs_record r2 = rec("w2", 1000, CS_CAT_OVERALL, 4);
    assert_int_equal(ingest(b, &r2, 1).stored, 1);
    assert_int_equal(waitpid(child, NULL, 0), child);
    assert_int_equal(q1(cs_store_db(a), "SELECT count(*) FROM inputs WHERE source = 'x'"), 1);
    assert_int_equal(q1(cs_store_db(a), "SELECT count(*) FROM survey_data"), 2);
    cs_store_close(&a);
    cs_store_close(&b);
    scratch_remove(&sc);
}

/* Item 6: inside cs_store_read_begin .. _end every query (the statistics
 * of store/query.c and a plain template-style SELECT) sees the snapshot
 * taken at begin, although another connection commits meanwhile. */
static void
test_read_snapshot(void **state)
{
    (void)state;
    struct scratch sc;
    scratch_make(&sc);
    struct cs_store *a = open_db(sc.db, 2, false), *b = open_db(sc.db, 2, false);
    struct cs_record r[3] = {rec("r1", 1000, CS_CAT_OVERALL, 4), rec("r2", 1000, CS_CAT_OVERALL, 1),
                             rec("r3", 1000, CS_CAT_OVERALL, 5)};
    ingest(b, r, 2);
    struct cs_err e;
    assert_int_equal(cs_store_read_begin(a, &e), CS_OK);
    ingest(b, r + 2, 1); /* commits after the snapshot */
    struct cs_filter f = {0};
    struct cs_window_totals t;
    assert_int_equal(cs_query_window_totals(a, &f, &t, &e), CS_OK);
    assert_int_equal(t.surveys, 2);
    assert_int_equal(q1(cs_store_db(a), "SELECT count(*) FROM ratings"), 2);
    cs_store_read_end(a);
    assert_int_equal(cs_query_window_totals(a, &f, &t, &e), CS_OK);
    assert_int_equal(t.surveys, 3);
    assert_int_equal(q1(cs_store_db(a), "SELECT count(*) FROM ratings"), 3);
    cs_store_close(&a);
    cs_store_close(&b);
    scratch_remove(&sc);
}

/* Item 7: two connections on one file with thresholds 2 and 3 each see
 * their own in the views (ratings.is_poor, rating_issues.is_poor), in
 * whichever order they were opened. */
static void
test_settings_per_connection(void **state)
{
    (void)state;
    struct scratch sc;
    scratch_make(&sc);
    struct cs_store *a = open_db(sc.db, 3, false);
    struct cs_record r[2] = {rec("t2", 1000, CS_CAT_AUDIO, 2), rec("t3", 1000, CS_CAT_AUDIO, 3)};
    cs_rating_set_issues(&r[1].rating[CS_CAT_AUDIO], CS_CAT_AUDIO, "Echo", 4);
    ingest(a, r, 2);
    struct cs_store *b = open_db(sc.db, 2, true); /* opened last, read-only */
    const char *poor = "SELECT count(*) FROM ratings WHERE is_poor";
    const char *poor_iss = "SELECT count(*) FROM rating_issues WHERE is_poor";
    const char *thr = "SELECT max(threshold) FROM ratings";
    assert_int_equal(q1(cs_store_db(a), poor), 2); /* 2 and 3 are <= 3 */
    assert_int_equal(q1(cs_store_db(a), poor_iss), 1);
    assert_int_equal(q1(cs_store_db(a), thr), 3);
    assert_int_equal(q1(cs_store_db(b), poor), 1); /* only 2 is <= 2 */
    assert_int_equal(q1(cs_store_db(b), poor_iss), 0);
    assert_int_equal(q1(cs_store_db(b), thr), 2);
    /* SQLite drops the temp schema when sorts are let spill (the Data
     * sheet): the settings are there again */
    struct cs_err e;
    assert_int_equal(cs_store_spill_sorts(a, &e), CS_OK);
    assert_int_equal(q1(cs_store_db(a), "PRAGMA temp_store"), 1);
    assert_int_equal(q1(cs_store_db(a), thr), 3);
    assert_int_equal(q1(cs_store_db(a), poor_iss), 1);
    /* the shared row is not the run's: it was never changed */
    assert_int_equal(q1(cs_store_db(a), "SELECT default_threshold FROM main.settings"), 2);
    cs_store_close(&a);
    cs_store_close(&b);
    scratch_remove(&sc);
}

/* Item 8: read-only opens read; nothing is written (the file's bytes and
 * its journal mode stay). */
static void
test_read_only_open(void **state)
{
    (void)state;
    struct scratch sc;
    scratch_make(&sc);
    struct cs_store *a = open_db(sc.db, 2, false);
    struct cs_record r = rec("ro1", 1000, CS_CAT_OVERALL, 2);
    ingest(a, &r, 1);
    cs_store_close(&a);
    struct stat before, after;
    assert_int_equal(stat(sc.db, &before), 0);
    struct cs_store *b = open_db(sc.db, 2, true);
    assert_int_equal(q1(cs_store_db(b), "SELECT count(*) FROM ratings WHERE is_poor"), 1);
    assert_int_equal(sqlite3_exec(cs_store_db(b), "INSERT INTO inputs(source) VALUES ('x')",
                                  NULL, NULL, NULL) &
                         0xff,
                     SQLITE_READONLY);
    cs_store_close(&b);
    assert_int_equal(stat(sc.db, &after), 0);
    assert_int_equal(before.st_size, after.st_size);
    assert_true(before.st_mtim.tv_sec == after.st_mtim.tv_sec &&
                before.st_mtim.tv_nsec == after.st_mtim.tv_nsec);
    scratch_remove(&sc);
}

static void
file_bytes(const char *path, char *buf, size_t cap, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    *n = fread(buf, 1, cap, f);
    fclose(f);
}

/* Item 9: a missing file opened read-only is "no such database" and is not
 * created; another application's SQLite file is refused before anything
 * is written; a newer callsurvey's file says so; an older callsurvey
 * file without the ids is recognised by its tables and gets them. */
static void
test_what_the_file_is(void **state)
{
    (void)state;
    struct scratch sc;
    scratch_make(&sc);
    struct cs_store_opts o = {.path = sc.db, .default_threshold = 2, .read_only = true};
    struct cs_store *s = NULL;
    struct cs_err e;
    assert_int_equal(cs_store_open(&o, &s, &e), CS_E_DB);
    assert_string_equal(e.msg, "no such database");
    assert_string_equal(e.where, sc.db);
    assert_false(exists(sc.dir, "s.db"));

    sqlite3 *db;
    assert_int_equal(sqlite3_open(sc.db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE notes(t); INSERT INTO notes VALUES ('hi')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    static char b1[1 << 16], b2[1 << 16];
    size_t n1, n2;
    file_bytes(sc.db, b1, sizeof b1, &n1);
    o.read_only = false;
    assert_int_equal(cs_store_open(&o, &s, &e), CS_E_DB);
    assert_null(s);
    assert_non_null(strstr(e.msg, "not a callsurvey database (it holds tables notes)"));
    file_bytes(sc.db, b2, sizeof b2, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(b1, b2, n1);
    assert_false(exists(sc.dir, "s.db-wal"));
    o.read_only = true; /* nor read as one */
    assert_int_equal(cs_store_open(&o, &s, &e), CS_E_DB);
    assert_non_null(strstr(e.msg, "not a callsurvey database"));
    unlink(sc.db);

    /* ours, then marked as made by a newer version */
    o.read_only = false;
    s = open_db(sc.db, 2, false);
    assert_int_equal(q1(cs_store_db(s), "PRAGMA application_id"), 0x43537276);
    assert_int_equal(q1(cs_store_db(s), "PRAGMA user_version"), 1);
    assert_int_equal(sqlite3_exec(cs_store_db(s), "PRAGMA user_version = 7", NULL, NULL, NULL),
                     SQLITE_OK);
    cs_store_close(&s);
    for (int ro = 0; ro < 2; ro++) {
        o.read_only = ro;
        assert_int_equal(cs_store_open(&o, &s, &e), CS_E_DB);
        assert_non_null(strstr(e.msg, "made by a newer callsurvey, schema 7"));
    }
    /* an older callsurvey's file: no ids, our tables */
    assert_int_equal(sqlite3_open(sc.db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 0; PRAGMA application_id = 0",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    o.read_only = false;
    assert_int_equal(cs_store_open(&o, &s, &e), CS_OK);
    assert_int_equal(q1(cs_store_db(s), "PRAGMA application_id"), 0x43537276);
    cs_store_close(&s);
    scratch_remove(&sc);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_private_file),
        cmocka_unit_test(test_two_writers_index),
        cmocka_unit_test(test_writer_waits),
        cmocka_unit_test(test_read_snapshot),
        cmocka_unit_test(test_settings_per_connection),
        cmocka_unit_test(test_read_only_open),
        cmocka_unit_test(test_what_the_file_is),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
