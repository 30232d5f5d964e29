/* Unit tests for store/: upsert outcomes of DESIGN.md §5 (new, duplicate,
 * category added, later time replaces, earlier time ignored), rollback,
 * persistence across opens, and the contract views. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    snprintf(r.resource_id, sizeof r.resource_id, "/SUBS/X/COMMUNICATIONSERVICES/ACS-A");
    snprintf(r.participant_id, sizeof r.participant_id, "p-%s", sid);
    r.time_us = t_s * 1000000;
    r.rating[cat].present = r.rating[cat].score_is_num = true;
    r.rating[cat].score = score;
    return r;
}

static int64_t
q1(struct cs_store *s, const char *sql)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(cs_store_db(s), sql, -1, &q, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(cs_store_db(s)));
    int64_t v = -1;
    if (sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

static double
qd(struct cs_store *s, const char *sql)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(cs_store_db(s), sql, -1, &q, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(cs_store_db(s)));
    double v = -1;
    if (sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_double(q, 0);
    sqlite3_finalize(q);
    return v;
}

static struct cs_store *
open_mem(void)
{
    struct cs_store_opts o = {.default_threshold = 2};
    struct cs_store *s;
    struct cs_err e;
    assert_int_equal(cs_store_open(&o, &s, &e), CS_OK);
    return s;
}

static void
test_merge_outcomes(void **state)
{
    (void)state;
    struct cs_store *s = open_mem();
    struct cs_err e;
    struct cs_store_counts c = {0};
    assert_int_equal(cs_store_input_begin(s, "in", &e), CS_OK);
    struct cs_record r[6];
    r[0] = rec("s1", 1000, CS_CAT_OVERALL, 4);
    r[1] = rec("s1", 1000, CS_CAT_OVERALL, 4); /* exact repeat: duplicate */
    r[2] = rec("s1", 1100, CS_CAT_AUDIO, 2);   /* new category: updated */
    r[3] = rec("s1", 1200, CS_CAT_OVERALL, 1); /* later and different: updated */
    r[4] = rec("s1", 900, CS_CAT_OVERALL, 5);  /* earlier: stored one wins: duplicate */
    r[5] = rec("s2", 1000, CS_CAT_VIDEO, 3);   /* new survey */
    assert_int_equal(cs_store_put(s, r, 6, &c, &e), CS_OK);
    assert_int_equal(c.stored, 2);
    assert_int_equal(c.duplicates, 2);
    assert_int_equal(c.updated, 2);
    struct cs_input_summary sum = {.read = 6};
    assert_int_equal(cs_store_input_end(s, true, &sum, &e), CS_OK);
    assert_int_equal(q1(s, "SELECT score FROM ratings WHERE survey_id='s1' AND category='overall'"), 1);
    assert_int_equal(q1(s, "SELECT score FROM ratings WHERE survey_id='s1' AND category='audio'"), 2);
    assert_int_equal(q1(s, "SELECT count(*) FROM ratings"), 3);
    /* survey time is the earliest record's */
    assert_int_equal(q1(s, "SELECT time_us FROM surveys WHERE survey_id='s1'"), 900000000);
    cs_store_close(&s);
    assert_null(s);
}

static void
test_views(void **state)
{
    (void)state;
    struct cs_store *s = open_mem();
    struct cs_err e;
    struct cs_store_counts c = {0};
    cs_store_input_begin(s, "in", &e);
    struct cs_record r[3];
    r[0] = rec("v1", 1794787200, CS_CAT_OVERALL, 2); /* default scale: poor at threshold 2 */
    r[1] = rec("v2", 1794787200, CS_CAT_OVERALL, 7);
    struct cs_rating *rt = &r[1].rating[0];
    rt->has_lower = rt->has_upper = rt->has_threshold = true;
    rt->lower = 0;
    rt->upper = 10;
    rt->threshold = 5;
    r[2] = rec("v3", 1794787200, CS_CAT_AUDIO, 3);
    cs_rating_set_issues(&r[2].rating[1], CS_CAT_AUDIO, "Echo,Whistle", 12);
    assert_int_equal(cs_store_put(s, r, 3, &c, &e), CS_OK);
    cs_store_input_end(s, true, NULL, &e);
    assert_int_equal(q1(s, "SELECT is_poor FROM ratings WHERE survey_id='v1'"), 1);
    assert_int_equal(q1(s, "SELECT lower*100+upper*10+threshold FROM ratings WHERE survey_id='v1'"), 152);
    assert_int_equal(q1(s, "SELECT is_poor FROM ratings WHERE survey_id='v2'"), 0);
    /* norm = (7-0)/(10-0) */
    assert_true(qd(s, "SELECT norm FROM ratings WHERE survey_id='v2'") == 0.7);
    assert_int_equal(q1(s, "SELECT count(*) FROM surveys WHERE week='2026-W47' AND day='2026-11-16'"), 3);
    assert_int_equal(q1(s, "SELECT count(*) FROM surveys WHERE resource='ACS-A'"), 3);
    assert_int_equal(q1(s, "SELECT count(*) FROM rating_issues WHERE survey_id='v3'"), 2);
    assert_int_equal(q1(s, "SELECT known FROM rating_issues WHERE issue='Whistle'"), 0);
    assert_int_equal(q1(s, "SELECT count(*) FROM rating_issues WHERE issue='Echo' AND category='audio'"), 1);
    cs_store_close(&s);
}

static void
test_rollback_restores_index(void **state)
{
    (void)state;
    struct cs_store *s = open_mem();
    struct cs_err e;
    struct cs_store_counts c = {0};
    struct cs_record r = rec("rb1", 1000, CS_CAT_OVERALL, 4);
    cs_store_input_begin(s, "a", &e);
    cs_store_put(s, &r, 1, &c, &e);
    cs_store_input_end(s, false, NULL, &e); /* roll back */
    assert_int_equal(q1(s, "SELECT count(*) FROM survey_data"), 0);
    memset(&c, 0, sizeof c);
    cs_store_input_begin(s, "b", &e);
    assert_int_equal(cs_store_put(s, &r, 1, &c, &e), CS_OK);
    assert_int_equal(c.stored, 1); /* not mistaken for a duplicate */
    cs_store_input_end(s, true, NULL, &e);
    cs_store_close(&s);
}

static void
test_persistent_db_reingest(void **state)
{
    (void)state;
    char path[] = "/tmp/cs-store-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    struct cs_store_opts o = {.path = path, .default_threshold = 2};
    struct cs_err e;
    for (int run = 0; run < 2; run++) {
        struct cs_store *s;
        assert_int_equal(cs_store_open(&o, &s, &e), CS_OK);
        struct cs_store_counts c = {0};
        struct cs_record r[2] = {rec("x1", 1000, CS_CAT_OVERALL, 4), rec("x2", 1000, CS_CAT_AUDIO, 1)};
        struct cs_record bad = rec("x3", 1000, CS_CAT_OVERALL, 9);
        snprintf(bad.reason, sizeof bad.reason, "In default scale overallRating.score should be 1 to 5.");
        bad.line = 3;
        cs_store_input_begin(s, "same-file", &e);
        assert_int_equal(cs_store_put(s, r, 2, &c, &e), CS_OK);
        assert_int_equal(cs_store_reject(s, &bad, "{...}", 5, &e), CS_OK);
        cs_store_input_end(s, true, NULL, &e);
        assert_int_equal(c.stored, run == 0 ? 2 : 0);
        assert_int_equal(c.duplicates, run == 0 ? 0 : 2);
        assert_int_equal(q1(s, "SELECT count(*) FROM rejects"), 1);
        cs_store_close(&s);
    }
    unlink(path);
    char wal[64];
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
}

static struct cs_store_counts
put_event(struct cs_store *s, const char *sid, int64_t t_us, const char *props)
{
    struct cs_event ev = {.time_us = t_us, .props = props, .props_len = strlen(props)};
    snprintf(ev.survey_id, sizeof ev.survey_id, "%s", sid);
    struct cs_store_counts c = {0};
    struct cs_err e;
    assert_int_equal(cs_store_event(s, &ev, &c, &e), CS_OK);
    return c;
}

/* An event is a duplicate when survey, time and answers are all equal
 * (answers compared as text, not only by their hash); without a time,
 * equal answers of one survey are the same event (the tutorial's
 * two-column CSV loaded twice stores nothing new). */
static void
test_event_duplicates(void **state)
{
    (void)state;
    struct cs_store *s = open_mem();
    assert_int_equal(put_event(s, "s1", 5000000, "{\"q\":\"a\"}").stored, 1);
    assert_int_equal(put_event(s, "s1", 5000000, "{\"q\":\"a\"}").duplicates, 1);
    assert_int_equal(put_event(s, "s1", 5000000, "{\"q\":\"b\"}").stored, 1);
    assert_int_equal(put_event(s, "s1", 6000000, "{\"q\":\"a\"}").stored, 1);
    assert_int_equal(put_event(s, "s2", 5000000, "{\"q\":\"a\"}").stored, 1);
    assert_int_equal(put_event(s, "s3", 0, "{\"q\":\"x\"}").stored, 1);
    assert_int_equal(put_event(s, "s3", 0, "{\"q\":\"x\"}").duplicates, 1);
    assert_int_equal(put_event(s, "s3", 0, "{\"q\":\"y\"}").stored, 1);
    assert_int_equal(q1(s, "SELECT count(*) FROM custom_events"), 6);
    /* a forged hash collision: give the "b" answer the hash of "a", drop
     * "a" and store it again; the text comparison keeps it */
    assert_int_equal(sqlite3_exec(cs_store_db(s),
                                  "UPDATE custom_events SET phash = (SELECT phash FROM"
                                  " custom_events WHERE survey_id = 's1' AND time_us = 5000000"
                                  " AND props = '{\"q\":\"a\"}') WHERE survey_id = 's1' AND"
                                  " time_us = 5000000 AND props = '{\"q\":\"b\"}';"
                                  "DELETE FROM custom_events WHERE survey_id = 's1' AND"
                                  " time_us = 5000000 AND props = '{\"q\":\"a\"}'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(q1(s, "SELECT count(DISTINCT phash) FROM custom_events"
                           " WHERE survey_id = 's1' AND time_us = 5000000"),
                     1);
    assert_int_equal(put_event(s, "s1", 5000000, "{\"q\":\"a\"}").stored, 1);
    assert_int_equal(q1(s, "SELECT count(*) FROM custom_events"), 6);
    cs_store_close(&s);
}

/* A database whose custom_events predates the phash column is refused
 * with a message that says what to do, not a SQL error. */
static void
test_old_events_schema(void **state)
{
    (void)state;
    char path[] = "/tmp/cs-store-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    /* the tables that make it a callsurvey database (no application_id
     * yet), and the old custom_events */
    assert_int_equal(sqlite3_exec(db,
                                  "CREATE TABLE settings(id); CREATE TABLE inputs(id);"
                                  " CREATE TABLE survey_data(rid); CREATE TABLE reject_data(id);"
                                  "CREATE TABLE custom_events(id INTEGER PRIMARY KEY, survey_id TEXT"
                                  " NOT NULL, time_us INTEGER, props TEXT NOT NULL, measurements TEXT,"
                                  " input INTEGER, line INTEGER, UNIQUE(survey_id, time_us, props))",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    struct cs_store_opts o = {.path = path, .default_threshold = 2};
    struct cs_store *s = NULL;
    struct cs_err e;
    assert_int_equal(cs_store_open(&o, &s, &e), CS_E_DB);
    assert_null(s);
    assert_non_null(strstr(e.msg, "earlier development build"));
    assert_string_equal(e.where, path);
    unlink(path);
}

/* A later record that brings the resource (or call) id the stored one
 * lacked fills it in and counts as updated; one that only repeats is a
 * duplicate, and a different resource never replaces a stored one. */
static void
test_fill_resource(void **state)
{
    (void)state;
    struct cs_store *s = open_mem();
    struct cs_err e;
    struct cs_store_counts c = {0};
    struct cs_record a = rec("f1", 1000, CS_CAT_OVERALL, 4);
    a.resource_id[0] = '\0';
    struct cs_record b = rec("f1", 1000, CS_CAT_OVERALL, 4);
    snprintf(b.call_id, sizeof b.call_id, "c1");
    struct cs_record d = rec("f1", 1000, CS_CAT_OVERALL, 4);
    snprintf(d.resource_id, sizeof d.resource_id, "/SUBS/X/COMMUNICATIONSERVICES/ACS-B");
    assert_int_equal(cs_store_input_begin(s, "fill", &e), CS_OK);
    assert_int_equal(cs_store_put(s, &a, 1, &c, &e), CS_OK);
    assert_int_equal(q1(s, "SELECT count(*) FROM surveys WHERE resource IS NULL"), 1);
    assert_int_equal(cs_store_put(s, &b, 1, &c, &e), CS_OK);
    assert_int_equal(cs_store_put(s, &b, 1, &c, &e), CS_OK);
    assert_int_equal(cs_store_put(s, &d, 1, &c, &e), CS_OK);
    assert_int_equal(cs_store_input_end(s, true, NULL, &e), CS_OK);
    assert_int_equal(c.stored, 1);
    assert_int_equal(c.updated, 1);
    assert_int_equal(c.duplicates, 2);
    assert_int_equal(q1(s, "SELECT count(*) FROM surveys WHERE resource = 'ACS-A'"
                           " AND call_id = 'c1'"),
                     1);
    cs_store_close(&s);
}

/* Rejected records: the same one again (same source, line, reason and raw
 * text: the file loaded twice) is kept once; another record at the same
 * place (a second stdin input, "-" line 1) is kept too. */
static void
test_reject_identity(void **state)
{
    (void)state;
    struct cs_store *s = open_mem();
    struct cs_err e;
    struct cs_record bad = rec("r1", 1000, CS_CAT_OVERALL, 9);
    snprintf(bad.reason, sizeof bad.reason, "In default scale overallRating.score should be 1 to 5.");
    bad.line = 1;
    for (int run = 0; run < 3; run++) {
        assert_int_equal(cs_store_input_begin(s, "-", &e), CS_OK);
        const char *raw = run == 2 ? "{\"SurveyId\":\"p2\"}" : "{\"SurveyId\":\"p1\"}";
        assert_int_equal(cs_store_reject(s, &bad, raw, strlen(raw), &e), CS_OK);
        assert_int_equal(cs_store_input_end(s, true, NULL, &e), CS_OK);
    }
    assert_int_equal(q1(s, "SELECT count(*) FROM rejects"), 2);
    assert_int_equal(q1(s, "SELECT count(DISTINCT raw) FROM rejects"), 2);
    cs_store_close(&s);
}

/* survey_custom: one row per survey, each key's latest answer (a survey
 * answered in two events keeps both events' questions), JSON types kept. */
/* Store recs[order[0..n)] in a new store, one input; returns the store
 * (open) and the counts. */
static struct cs_store *
store_in_order(const struct cs_record *recs, const int *order, size_t n,
               struct cs_store_counts *c)
{
    struct cs_store *s = open_mem();
    struct cs_err e;
    memset(c, 0, sizeof *c);
    assert_int_equal(cs_store_input_begin(s, "in", &e), CS_OK);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(cs_store_put(s, &recs[order[i]], 1, c, &e), CS_OK);
    struct cs_input_summary sum = {.read = n};
    assert_int_equal(cs_store_input_end(s, true, &sum, &e), CS_OK);
    return s;
}

static char *
q_text(struct cs_store *s, const char *sql)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(cs_store_db(s), sql, -1, &q, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(cs_store_db(s)));
    char *v = NULL;
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
        v = strdup((const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    return v;
}

/* Issue 15 item 12: two records of one survey at the same TimeGenerated
 * (to 100 ns) with different scores.  The outcome is decided by content
 * (the lower score is kept), the same in both input orders; the second
 * one read counts as a conflict, not a duplicate, and both versions are
 * kept in conflict_data. */
static void
test_tie_by_content(void **state)
{
    (void)state;
    struct cs_record r[2];
    r[0] = rec("t1", 1000, CS_CAT_OVERALL, 4);
    r[1] = rec("t1", 1000, CS_CAT_OVERALL, 2);
    r[0].time_sub = r[1].time_sub = 7;
    cs_rating_set_issues(&r[1].rating[0], CS_CAT_OVERALL, "HadToRejoin", 11);
    static const int ab[] = {0, 1}, ba[] = {1, 0};
    char *kept[2], *other[2];
    for (int k = 0; k < 2; k++) {
        struct cs_store_counts c;
        struct cs_store *s = store_in_order(r, k ? ba : ab, 2, &c);
        assert_int_equal(c.stored, 1);
        assert_int_equal(c.conflicts, 1);
        assert_int_equal(c.duplicates, 0);
        assert_int_equal(c.updated, 0);
        assert_int_equal(q1(s, "SELECT score FROM ratings WHERE survey_id='t1'"), 2);
        char *iss = q_text(s, "SELECT issues FROM ratings WHERE survey_id='t1'");
        assert_string_equal(iss, "HadToRejoin");
        free(iss);
        assert_int_equal(q1(s, "SELECT count(*) FROM conflict_data"), 1);
        kept[k] = q_text(s, "SELECT kept FROM conflict_data");
        other[k] = q_text(s, "SELECT other FROM conflict_data");
        char *t = q_text(s, "SELECT time FROM conflict_data");
        assert_string_equal(t, "1970-01-01T00:16:40.0000007Z");
        free(t);
        cs_store_close(&s);
    }
    assert_string_equal(kept[0], "score 2, issues HadToRejoin");
    assert_string_equal(other[0], "score 4");
    assert_string_equal(kept[1], kept[0]);
    assert_string_equal(other[1], other[0]);
    for (int k = 0; k < 2; k++) {
        free(kept[k]);
        free(other[k]);
    }
}

/* The 7th fractional digit orders records: .0000003 before .0000004 in the
 * same microsecond, so the later one wins in either input order and the
 * survey keeps the earlier time's digit. */
static void
test_seventh_digit_orders(void **state)
{
    (void)state;
    struct cs_record r[2];
    r[0] = rec("u1", 1000, CS_CAT_OVERALL, 5);
    r[1] = rec("u1", 1000, CS_CAT_OVERALL, 1);
    r[0].time_sub = 3;
    r[1].time_sub = 4; /* 100 ns later */
    static const int ab[] = {0, 1}, ba[] = {1, 0};
    for (int k = 0; k < 2; k++) {
        struct cs_store_counts c;
        struct cs_store *s = store_in_order(r, k ? ba : ab, 2, &c);
        assert_int_equal(c.stored, 1);
        assert_int_equal(c.conflicts, 0);
        assert_int_equal(c.updated + c.duplicates, 1);
        assert_int_equal(q1(s, "SELECT score FROM ratings WHERE survey_id='u1'"), 1);
        assert_int_equal(q1(s, "SELECT time_sub FROM survey_data"), 3);
        assert_int_equal(q1(s, "SELECT time_us FROM surveys"), 1000000000);
        assert_int_equal(q1(s, "SELECT count(*) FROM conflict_data"), 0);
        cs_store_close(&s);
    }
}

/* A database written before the 100 ns order (no time_sub column, category
 * times in microseconds) is brought up to date on open: its category times
 * become ticks, so a later record still compares right. */
static void
test_upgrade_ticks(void **state)
{
    (void)state;
    char path[] = "/tmp/cs-store-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    struct cs_store_opts o = {.path = path, .default_threshold = 2};
    struct cs_store *s = NULL;
    struct cs_err e;
    struct cs_store_counts c = {0};
    assert_int_equal(cs_store_open(&o, &s, &e), CS_OK);
    assert_int_equal(cs_store_input_begin(s, "in", &e), CS_OK);
    struct cs_record r[2] = {rec("w1", 1000, CS_CAT_OVERALL, 4), rec("w1", 1100, CS_CAT_AUDIO, 3)};
    r[1].rating[CS_CAT_OVERALL] = r[0].rating[CS_CAT_OVERALL];
    r[1].rating[CS_CAT_OVERALL].score = 5; /* later: replaces, overall gets its own time */
    assert_int_equal(cs_store_put(s, r, 2, &c, &e), CS_OK);
    struct cs_input_summary sum0 = {.format = "surveys", .read = 2, .stored = 1, .updated = 1};
    assert_int_equal(cs_store_input_end(s, true, &sum0, &e), CS_OK);
    cs_store_close(&s);
    /* make it look like an old database: µs category times, no columns */
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
                                  "UPDATE survey_data SET o_t = o_t / 10, a_t = a_t / 10;"
                                  "ALTER TABLE survey_data DROP COLUMN time_sub;"
                                  "ALTER TABLE inputs DROP COLUMN conflicts;"
                                  "ALTER TABLE custom_events DROP COLUMN name;"
                                  "DROP INDEX survey_leg_leg;"
                                  "CREATE INDEX survey_leg_leg ON survey_leg(leg);",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    /* read-only, it is not upgraded, and the readers do without the columns */
    struct cs_store_opts ro = o;
    ro.read_only = true;
    assert_int_equal(cs_store_open(&ro, &s, &e), CS_OK);
    struct cs_accounting_totals acct;
    assert_int_equal(cs_query_accounting(s, &acct, &e), CS_OK);
    assert_int_equal(acct.db_surveys.read, 2);
    assert_int_equal(acct.db_surveys.updated, 1);
    assert_int_equal(acct.db_surveys.inputs, 1);
    assert_int_equal(acct.run_surveys.inputs, 0); /* this store loaded nothing */
    assert_int_equal(acct.db_surveys.conflicts, 0);
    struct cs_window_totals wt;
    assert_int_equal(cs_query_window_totals(s, NULL, &wt, &e), CS_OK);
    assert_int_equal(wt.surveys, 1);
    assert_int_equal(wt.conflicts, 0);
    assert_int_equal(q1(s, "SELECT o_t FROM survey_data"), 1100000000);
    cs_store_close(&s);
    assert_int_equal(cs_store_open(&o, &s, &e), CS_OK);
    assert_int_equal(q1(s, "SELECT o_t FROM survey_data"), 11000000000);
    /* the index of survey_leg's legs becomes partial (NULL legs left out) */
    assert_int_equal(q1(s, "SELECT count(*) FROM sqlite_master WHERE name = 'survey_leg_leg'"
                           " AND sql LIKE '%WHERE leg IS NOT NULL'"),
                     1);
    /* a record between the two times is earlier than the stored overall */
    assert_int_equal(cs_store_input_begin(s, "in2", &e), CS_OK);
    memset(&c, 0, sizeof c);
    struct cs_record m = rec("w1", 1050, CS_CAT_OVERALL, 1);
    assert_int_equal(cs_store_put(s, &m, 1, &c, &e), CS_OK);
    assert_int_equal(c.duplicates, 1);
    struct cs_input_summary sum = {.read = 1, .duplicates = 1};
    assert_int_equal(cs_store_input_end(s, true, &sum, &e), CS_OK);
    assert_int_equal(q1(s, "SELECT score FROM ratings WHERE category='overall'"), 5);
    assert_int_equal(q1(s, "SELECT conflicts FROM inputs WHERE source='in2'"), 0);
    cs_store_close(&s);
    unlink(path);
}

/* Issue 15 item 11: the same event in the portal CSV (milliseconds) and
 * the JSON export (100 ns) is one event: the key truncates to the
 * millisecond.  Another millisecond or another event name is another
 * event. */
static void
test_event_forms(void **state)
{
    (void)state;
    struct cs_store *s = open_mem();
    const char *a = "{\"q\":\"a\",\"r\":\"b\"}";
    struct cs_event ev = {.time_us = 1794787200101153, .props = a, .props_len = strlen(a), .name = "CallSurvey"};
    snprintf(ev.survey_id, sizeof ev.survey_id, "e1");
    struct cs_store_counts c = {0};
    struct cs_err e;
    assert_int_equal(cs_store_event(s, &ev, &c, &e), CS_OK);
    ev.time_us = 1794787200101000; /* the CSV's .101 */
    assert_int_equal(cs_store_event(s, &ev, &c, &e), CS_OK);
    ev.time_us = 1794787200101999;
    assert_int_equal(cs_store_event(s, &ev, &c, &e), CS_OK);
    assert_int_equal(c.stored, 1);
    assert_int_equal(c.duplicates, 2);
    ev.time_us = 1794787200102000; /* the next millisecond */
    assert_int_equal(cs_store_event(s, &ev, &c, &e), CS_OK);
    ev.name = "OtherSurvey";
    assert_int_equal(cs_store_event(s, &ev, &c, &e), CS_OK);
    assert_int_equal(c.stored, 3);
    assert_int_equal(q1(s, "SELECT count(*) FROM custom_events"), 3);
    cs_store_close(&s);
}

static void
test_survey_custom_view(void **state)
{
    (void)state;
    struct cs_store *s = open_mem();
    put_event(s, "s7", 1000000, "{\"q1\":\"early-only\",\"q2\":\"early\"}");
    put_event(s, "s7", 2000000, "{\"q2\":\"late\",\"n\":{\"x\":1},\"b\":true,\"k\":5}");
    put_event(s, "s8", 0, "{\"q1\":\"untimed\"}");
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(cs_store_db(s),
                                        "SELECT survey_id, answers, measurements, events"
                                        " FROM survey_custom ORDER BY survey_id",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "s7");
    assert_string_equal((const char *)sqlite3_column_text(q, 1),
                        "{\"b\":true,\"k\":5,\"n\":{\"x\":1},\"q1\":\"early-only\",\"q2\":\"late\"}");
    assert_int_equal(sqlite3_column_type(q, 2), SQLITE_NULL);
    assert_int_equal(sqlite3_column_int(q, 3), 2);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 1), "{\"q1\":\"untimed\"}");
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
    cs_store_close(&s);
}

/* Rows that leave out what the row before had (a category, a custom
 * scale, issues, a resource) store NULL there, and ten resources met in
 * turn (more than the store's cache holds) each keep their own id, also
 * after a rolled-back input added one that a later input adds again. */
static void
test_rows_alternate(void **state)
{
    (void)state;
    struct cs_store *s = open_mem();
    struct cs_err e;
    struct cs_store_counts c = {0};
    assert_int_equal(cs_store_input_begin(s, "in", &e), CS_OK);
    struct cs_record r[40];
    for (int i = 0; i < 40; i++) {
        char id[16];
        snprintf(id, sizeof id, "a%02d", i);
        r[i] = rec(id, 1000 + i, CS_CAT_OVERALL, 1 + i % 5);
        snprintf(r[i].resource_id, sizeof r[i].resource_id,
                 "/SUBS/X/COMMUNICATIONSERVICES/ACS-%d", i % 10);
        if (i % 4 == 3)
            r[i].resource_id[0] = '\0';
        if (i % 2 == 0) { /* audio on a 0-10 scale with issues, every other row */
            struct cs_rating *a = &r[i].rating[CS_CAT_AUDIO];
            a->present = a->score_is_num = a->has_lower = a->has_upper = a->has_threshold = true;
            a->score = 7;
            a->lower = 0;
            a->upper = 10;
            a->threshold = 5;
            cs_rating_set_issues(a, CS_CAT_AUDIO, "Echo", 4);
        }
    }
    assert_int_equal(cs_store_put(s, r, 40, &c, &e), CS_OK);
    assert_int_equal(c.stored, 40);
    assert_int_equal(cs_store_input_end(s, true, NULL, &e), CS_OK);
    assert_int_equal(q1(s, "SELECT count(*) FROM resource_data"), 10);
    /* every row's resource is its own: ACS-(i % 10), none for i % 4 == 3 */
    assert_int_equal(q1(s, "SELECT count(*) FROM survey_data d LEFT JOIN resource_data r"
                           " ON r.id = d.resource WHERE (CAST(substr(d.survey_id, 2) AS INTEGER) % 4"
                           " = 3 AND d.resource IS NULL) OR r.name = 'ACS-' ||"
                           " (CAST(substr(d.survey_id, 2) AS INTEGER) % 10)"),
                     40);
    /* audio and its scale, issues and mask only on the even rows */
    assert_int_equal(q1(s, "SELECT count(*) FROM survey_data WHERE a_s IS NOT NULL"), 20);
    assert_int_equal(q1(s, "SELECT count(*) FROM survey_data WHERE a_s = 7 AND a_lo = 0 AND"
                           " a_hi = 10 AND a_th = 5 AND a_iss = 'Echo' AND a_m IS NOT NULL AND"
                           " CAST(substr(survey_id, 2) AS INTEGER) % 2 = 0"),
                     20);
    assert_int_equal(q1(s, "SELECT count(*) FROM survey_data WHERE CAST(substr(survey_id, 2) AS"
                           " INTEGER) % 2 = 1 AND a_lo IS NULL AND a_hi IS NULL AND a_th IS NULL"
                           " AND a_iss IS NULL AND a_m IS NULL AND o_lo IS NULL"),
                     20);
    /* a resource added inside a rolled-back input is added again later */
    struct cs_record x = rec("b1", 2000, CS_CAT_OVERALL, 3);
    snprintf(x.resource_id, sizeof x.resource_id, "/SUBS/X/COMMUNICATIONSERVICES/ACS-NEW");
    assert_int_equal(cs_store_input_begin(s, "undone", &e), CS_OK);
    assert_int_equal(cs_store_put(s, &x, 1, &c, &e), CS_OK);
    assert_int_equal(cs_store_input_end(s, false, NULL, &e), CS_OK);
    assert_int_equal(q1(s, "SELECT count(*) FROM resource_data"), 10);
    assert_int_equal(cs_store_input_begin(s, "again", &e), CS_OK);
    assert_int_equal(cs_store_put(s, &x, 1, &c, &e), CS_OK);
    assert_int_equal(cs_store_input_end(s, true, NULL, &e), CS_OK);
    assert_int_equal(q1(s, "SELECT count(*) FROM survey_data d JOIN resource_data r"
                           " ON r.id = d.resource WHERE d.survey_id = 'b1' AND r.name = 'ACS-NEW'"),
                     1);
    cs_store_close(&s);
}

/* After cs_store_load_over (a report frees the survey ids' index and the
 * events' keys before its statistics) another input is still counted
 * exactly: a repeated survey is a duplicate, a later rating of it an
 * update, a new one stored; a repeated event a duplicate, a new one
 * stored. */
static void
test_input_after_load_over(void **state)
{
    (void)state;
    struct cs_store *s = open_mem();
    struct cs_err e;
    struct cs_store_counts c = {0};
    struct cs_record r[2] = {rec("a", 1000, 0, 4), rec("b", 1000, 0, 2)};
    cs_store_input_begin(s, "first", &e);
    assert_int_equal(cs_store_put(s, r, 2, &c, &e), CS_OK);
    assert_int_equal(put_event(s, "a", 1100000000, "{\"q\":1}").stored, 1);
    assert_int_equal(cs_store_input_end(s, true, NULL, &e), CS_OK);
    cs_store_load_over(s);
    struct cs_record r2[3] = {rec("a", 1000, 0, 4), rec("b", 2000, 0, 5), rec("c", 1000, 0, 3)};
    struct cs_store_counts c2 = {0};
    cs_store_input_begin(s, "second", &e);
    assert_int_equal(cs_store_put(s, r2, 3, &c2, &e), CS_OK);
    assert_int_equal(put_event(s, "a", 1100000000, "{\"q\":1}").duplicates, 1);
    assert_int_equal(put_event(s, "c", 1100000000, "{\"q\":1}").stored, 1);
    assert_int_equal(cs_store_input_end(s, true, NULL, &e), CS_OK);
    assert_int_equal(c2.stored, 1);
    assert_int_equal(c2.duplicates, 1);
    assert_int_equal(c2.updated, 1);
    assert_int_equal(q1(s, "SELECT count(*) FROM survey_data"), 3);
    assert_int_equal(q1(s, "SELECT o_s FROM survey_data WHERE survey_id = 'b'"), 5);
    assert_int_equal(q1(s, "SELECT count(*) FROM custom_events"), 2);
    cs_store_close(&s);
}

/* Runs of one resource in a batch: the parser's thread marks a record
 * whose resource repeats the record's before it (cs_put_pre.res_as_prev)
 * and the store reuses that one's id, unless the record before was merged
 * into a survey stored earlier (its resource never looked up). */
static void
test_resource_runs(void **state)
{
    (void)state;
    struct cs_store *s = open_mem();
    struct cs_err e;
    struct cs_store_counts c = {0};
    assert_int_equal(cs_store_input_begin(s, "runs", &e), CS_OK);
    static const char *const ids[] = {"r0", "r1", "r0", "r3", "r4", "r5", "r6", "r7"};
    static const char *const res[] = {"A", "A", "B", "B", "B", "", "", "A"};
    struct cs_record r[8];
    for (int i = 0; i < 8; i++) {
        /* r0 again with its audio rating: an update */
        r[i] = rec(ids[i], 1000 + i, i == 2 ? CS_CAT_AUDIO : CS_CAT_OVERALL, 3);
        if (res[i][0])
            snprintf(r[i].resource_id, sizeof r[i].resource_id,
                     "/SUBS/X/COMMUNICATIONSERVICES/ACS-%s", res[i]);
        else
            r[i].resource_id[0] = '\0';
    }
    assert_int_equal(cs_store_put(s, r, 8, &c, &e), CS_OK);
    assert_int_equal(c.stored, 7);
    assert_int_equal(c.updated, 1);
    assert_int_equal(cs_store_input_end(s, true, NULL, &e), CS_OK);
    /* r0 keeps A (the merge's B does not replace it); r3 is B although the
     * record before it (r0 again, merged) was looked up as nothing */
    assert_int_equal(q1(s, "SELECT count(*) FROM survey_data d LEFT JOIN resource_data r"
                           " ON r.id = d.resource WHERE (d.survey_id IN ('r0', 'r1', 'r7')"
                           " AND r.name = 'ACS-A') OR (d.survey_id IN ('r3', 'r4')"
                           " AND r.name = 'ACS-B') OR (d.survey_id IN ('r5', 'r6')"
                           " AND d.resource IS NULL)"),
                     7);
    cs_store_close(&s);
}

/* Issue 22: new surveys are inserted a batch at a time through the
 * cs_put_batch virtual table (store/put_batch.h).  Every kind of column,
 * its value and its type, written by hand: ids, a correlation id kept only
 * when it differs from the participant id, no resource, the 7th digit,
 * whole scores as integers and decimal ones as reals, -0, a scale without
 * bounds (NULL), issues with their mask, a category's own time NULL; and a
 * record of a survey still in the batch (compared in memory, the batch
 * inserted before the merge). */
static void
test_batch_columns(void **state)
{
    (void)state;
    struct cs_store *s = open_mem();
    struct cs_err e;
    struct cs_store_counts c = {0};
    assert_int_equal(cs_store_input_begin(s, "batch", &e), CS_OK);
    struct cs_record r[4];
    r[0] = rec("b1", 1000, CS_CAT_OVERALL, 4);
    snprintf(r[0].call_id, sizeof r[0].call_id, "call-1");
    snprintf(r[0].correlation_id, sizeof r[0].correlation_id, "p-b1"); /* = participant */
    snprintf(r[0].operation, sizeof r[0].operation, "CallSurvey");
    r[0].line = 7;
    r[0].time_sub = 3;
    struct cs_rating *a = &r[0].rating[CS_CAT_AUDIO];
    a->present = a->score_is_num = a->has_lower = a->has_upper = a->has_threshold = true;
    a->score = 7.5;
    a->lower = 0;
    a->upper = 10;
    a->threshold = 5;
    snprintf(a->issues, sizeof a->issues, "Echo,AudioNoise");
    a->issue_mask = 5;
    r[1] = rec("b2", 2000, CS_CAT_VIDEO, -0.0);
    r[1].resource_id[0] = '\0';
    snprintf(r[1].correlation_id, sizeof r[1].correlation_id, "corr-2"); /* differs: kept */
    r[2] = rec("b1", 1100, CS_CAT_SCREENSHARE, 3);                       /* b1 again, in the batch: merged */
    r[3] = rec("b3", 3000, CS_CAT_OVERALL, 1);
    assert_int_equal(cs_store_put(s, r, 4, &c, &e), CS_OK);
    assert_int_equal(c.stored, 3);
    assert_int_equal(c.updated, 1);
    struct cs_input_summary sum = {.read = 4, .stored = 3, .updated = 1};
    assert_int_equal(cs_store_input_end(s, true, &sum, &e), CS_OK);
    assert_int_equal(q1(s, "SELECT count(*) FROM survey_data"), 3);
    /* b1: rid 1, its own columns */
    assert_int_equal(q1(s, "SELECT count(*) FROM survey_data WHERE rid = 1 AND survey_id = 'b1'"
                           " AND time_us = 1000000000 AND day = 0 AND week = 197001"
                           " AND resource IS NOT NULL AND call_id = 'call-1'"
                           " AND participant_id = 'p-b1' AND correlation_id IS NULL"
                           " AND operation = 'CallSurvey' AND input IS NOT NULL AND line = 7"
                           " AND time_sub = 3"),
                     1);
    assert_int_equal(q1(s, "SELECT count(*) FROM survey_data WHERE rid = 1"
                           " AND o_t IS NULL AND typeof(o_s) = 'integer' AND o_s = 4"
                           " AND o_lo IS NULL AND o_hi IS NULL AND o_th IS NULL"
                           " AND o_iss IS NULL AND o_m IS NULL"
                           " AND a_t IS NULL AND typeof(a_s) = 'real' AND a_s = 7.5"
                           " AND typeof(a_lo) = 'integer' AND a_lo = 0 AND a_hi = 10 AND a_th = 5"
                           " AND a_iss = 'Echo,AudioNoise' AND a_m = 5"
                           " AND v_s IS NULL AND v_iss IS NULL"),
                     1);
    /* the merge gave b1 its screen share rating at its own time */
    assert_int_equal(q1(s, "SELECT s_s FROM survey_data WHERE rid = 1"), 3);
    assert_int_equal(q1(s, "SELECT s_t IS NOT NULL FROM survey_data WHERE rid = 1"), 1);
    /* b2: no resource, correlation kept, -0 stored as the integer 0 */
    assert_int_equal(q1(s, "SELECT count(*) FROM survey_data WHERE rid = 2 AND survey_id = 'b2'"
                           " AND resource IS NULL AND call_id IS NULL"
                           " AND correlation_id = 'corr-2' AND operation IS NULL"
                           " AND time_sub IS NULL AND typeof(v_s) = 'integer' AND v_s = 0"
                           " AND o_s IS NULL"),
                     1);
    assert_int_equal(q1(s, "SELECT rid FROM survey_data WHERE survey_id = 'b3'"), 3);
    cs_store_close(&s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_outcomes),
        cmocka_unit_test(test_batch_columns),
        cmocka_unit_test(test_resource_runs),
        cmocka_unit_test(test_rows_alternate),
        cmocka_unit_test(test_views),
        cmocka_unit_test(test_rollback_restores_index),
        cmocka_unit_test(test_persistent_db_reingest),
        cmocka_unit_test(test_event_duplicates),
        cmocka_unit_test(test_old_events_schema),
        cmocka_unit_test(test_fill_resource),
        cmocka_unit_test(test_reject_identity),
        cmocka_unit_test(test_survey_custom_view),
        cmocka_unit_test(test_tie_by_content),
        cmocka_unit_test(test_seventh_digit_orders),
        cmocka_unit_test(test_upgrade_ticks),
        cmocka_unit_test(test_event_forms),
        cmocka_unit_test(test_input_after_load_over),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
