/*
 * Unit tests for ingest/calls (ACSCallSummary in every container) and
 * store/calls (legs, accounting, the audited join).  Expected values are
 * worked out by hand from the fixtures below and the rules of issue 20.
 *
 * Join fixture (surveys s1..s6 at t = 1000 s; legs in LEGS):
 *   s1 C1/P1   legs " c1"/" p1"                      -> matched (trim, case)
 *   s2 c2/p2   three legs of p2 starting 100, 500, 5000 s
 *                                                    -> matched, the 500 s leg
 *   s3 c3/p3   one leg, participant "null", VoIP ACS -> matched (the only leg)
 *   s4 c4/p4   two "null" VoIP ACS legs              -> ambiguous
 *   s5 c5/p5   a leg of p6 and a "null" leg          -> unmatched (ids named)
 *   s6 c9/p9   no leg                                -> unmatched
 *   c7/p7      a leg without a survey
 * So N 6 = M 3 + U 2 + A 1; legs 10, of which 3 are some survey's: 7 without.
 */
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

#include "ingest/calls.h"
#include "ingest/ingest.h"
#include "store/call_legs.h"
#include "store/store.h"
#include "testutil.h"

#define LEG(c, p, e, start, sdk, os, dur)                                                     \
    "{\"time\":\"2026-11-16T00:20:00Z\",\"operationName\":\"CallSummary\",\"correlationId\":" \
    "\"" c "\",\"properties\":{\"participantId\":\"" p "\",\"endpointId\":\"" e               \
    "\",\"endpointType\":\"VoIP\",\"participantType\":\"ACS\",\"callType\":\"Group\","        \
    "\"participantStartTime\":\"" start "\",\"callDuration\":" dur                            \
    ",\"sdkVersion\":\"" sdk "\",\"osVersion\":\"" os "\",\"participantEndReason\":\"0\"}}\n"

/* 2026-11-16T00:00:00Z = 1794787200 s; surveys at +1000 s */
static const char LEGS[] =
    LEG(" c1", " p1", "e1", "2026-11-16T00:01:40Z", "1.30.1.1_x", "Windows 10.0.22631 Arch: x64",
        "\"60\"")
        LEG("c2", "p2", "e2a", "2026-11-16T00:01:40Z", "1.29.0.1", "Android 14.0; Model: P", "60")
            LEG("c2", "p2", "e2b", "2026-11-16T00:08:20Z", "1.30.2.1", "Android 14.0; Model: P", "60")
                LEG("c2", "p2", "e2c", "2026-11-16T01:23:20Z", "9.9.9.9", "Android 14.0; Model: P", "60")
                    LEG("c3", "null", "e3", "2026-11-16T00:01:40Z", "Redacted", "Redacted", "60")
                        LEG("c4", "null", "e4a", "2026-11-16T00:01:40Z", "1.30.2.1", "null", "60")
                            LEG("c4", "null", "e4b", "2026-11-16T00:01:40Z", "1.30.2.1", "null", "60")
                                LEG("c5", "p6", "e5a", "2026-11-16T00:01:40Z", "1.30.2.1", "Linux", "60")
                                    LEG("c5", "null", "e5b", "2026-11-16T00:01:40Z", "1.30.2.1", "Linux", "60")
                                        LEG("c7", "p7", "e7", "2026-11-16T00:01:40Z", "1.30.2.1", "Linux", "60");

/* ---- the loader ----------------------------------------------------- */

struct got {
    struct cs_call legs[16];
    size_t n;
    char rejects[4][CS_REASON_MAX + 32];
    size_t n_rej;
};

static cs_status
on_leg(void *ctx, const struct cs_call *c, struct cs_err *err)
{
    (void)err;
    struct got *g = ctx;
    if (g->n < 16)
        g->legs[g->n++] = *c;
    return CS_OK;
}

static cs_status
on_rej(void *ctx, const struct cs_call *c, struct cs_err *err)
{
    (void)err;
    struct got *g = ctx;
    if (g->n_rej < 4)
        snprintf(g->rejects[g->n_rej++], sizeof g->rejects[0], "%llu:%s",
                 (unsigned long long)c->line, c->reason);
    return CS_OK;
}

static void
read_text(const char *text, struct got *g, struct cs_calls_stats *st)
{
    memset(g, 0, sizeof *g);
    const char *path = tu_tmpfile(text, strlen(text));
    struct cs_calls_sink sink = {.ctx = g, .leg = on_leg, .reject = on_rej};
    struct cs_err e;
    assert_int_equal(cs_calls_read(path, CS_DATE_MDY, &sink, st, &e), CS_OK);
    unlink(path);
}

/* one leg: " C1 " upper-case with spaces, participant " P1", durations as
 * a string and a number, "null" identifier */
static void
check_leg(const struct cs_call *c)
{
    assert_string_equal(c->call_id, "c1");
    assert_string_equal(c->participant_id, "p1");
    assert_string_equal(c->identifier, "");
    assert_string_equal(c->endpoint_type, "VoIP");
    assert_string_equal(c->sdk_version, "1.31.0.1_beta");
    assert_string_equal(c->os_version, "Android 11.0; Manufacturer: Google");
    assert_true(c->has_call_duration && c->has_part_duration);
    assert_true(c->call_duration == 5.0);
    assert_true(c->part_duration == 7.0);
    assert_true(c->has_part_start);
    /* 2026-11-16T00:01:40Z */
    assert_int_equal(c->part_start_us, (int64_t)(1794787200 + 100) * 1000000);
}

static void
test_containers(void **state)
{
    (void)state;
    static const char *const forms[] = {
        /* storage JSON Lines, camelCase under properties */
        "{\"time\":\"2026-11-16T00:20:00Z\",\"correlationId\":\" C1 \",\"operationName\":"
        "\"CallSummary\",\"properties\":{\"participantId\":\" P1\",\"identifier\":\"null\","
        "\"endpointType\":\"VoIP\",\"participantStartTime\":\"2026-11-16T00:01:40Z\","
        "\"callDuration\":\"5\",\"participantDuration\":7,\"sdkVersion\":\"1.31.0.1_beta\","
        "\"osVersion\":\"Android 11.0; Manufacturer: Google\"}}\n"
        "\n",
        /* {"records":[...]} with Log Analytics names */
        "{\"records\":[{\"TimeGenerated\":\"2026-11-16T00:20:00Z\",\"CorrelationId\":\" C1 \","
        "\"ParticipantId\":\" P1\",\"Identifier\":\"null\",\"EndpointType\":\"VoIP\","
        "\"ParticipantStartTime\":\"2026-11-16T00:01:40Z\",\"CallDuration\":\"5\","
        "\"ParticipantDuration\":7,\"SdkVersion\":\"1.31.0.1_beta\","
        "\"OsVersion\":\"Android 11.0; Manufacturer: Google\"}]}",
        /* a pretty-printed array */
        "[\n {\"CorrelationId\": \" C1 \",\n  \"ParticipantId\": \" P1\", \"Identifier\": "
        "\"null\",\n  \"EndpointType\": \"VoIP\", \"ParticipantStartTime\": "
        "\"2026-11-16T00:01:40Z\",\n  \"CallDuration\": \"5\", \"ParticipantDuration\": 7,\n"
        "  \"SdkVersion\": \"1.31.0.1_beta\", \"OsVersion\": \"Android 11.0; Manufacturer: "
        "Google\"}\n]\n",
        /* the REST {"tables":[...]} response */
        "{\"tables\":[{\"name\":\"PrimaryResult\",\"columns\":[{\"name\":\"CorrelationId\"},"
        "{\"name\":\"ParticipantId\"},{\"name\":\"Identifier\"},{\"name\":\"EndpointType\"},"
        "{\"name\":\"ParticipantStartTime\"},{\"name\":\"CallDuration\"},"
        "{\"name\":\"ParticipantDuration\"},{\"name\":\"SdkVersion\"},{\"name\":\"OsVersion\"}],"
        "\"rows\":[[\" C1 \",\" P1\",\"null\",\"VoIP\",\"2026-11-16T00:01:40Z\",\"5\",7,"
        "\"1.31.0.1_beta\",\"Android 11.0; Manufacturer: Google\"]]}]}",
        /* portal CSV: BOM, [UTC] suffixes, en-US dates */
        "\xEF\xBB\xBF\"TimeGenerated [UTC]\",CorrelationId,ParticipantId,Identifier,EndpointType,"
        "\"ParticipantStartTime [UTC]\",CallDuration,ParticipantDuration,SdkVersion,OsVersion\r\n"
        "\"11/16/2026, 12:20:00.000 AM\",\" C1 \",\" P1\",null,VoIP,"
        "\"11/16/2026, 12:01:40.000 AM\",5,7,1.31.0.1_beta,\"Android 11.0; Manufacturer: Google\"\r\n",
    };
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        struct got g;
        struct cs_calls_stats st;
        read_text(forms[i], &g, &st);
        assert_int_equal(st.read, 1);
        assert_int_equal(st.rejected, 0);
        assert_int_equal(g.n, 1);
        check_leg(&g.legs[0]);
    }
}

static void
test_rejects_name_field_and_line(void **state)
{
    (void)state;
    struct got g;
    struct cs_calls_stats st;
    read_text("{\"CorrelationId\":\"c1\",\"CallDuration\":\"abc\",\"EndpointType\":\"VoIP\"}\n"
              "{\"CorrelationId\":\"c1\",\"ParticipantStartTime\":\"2026-13-45\"}\n"
              "{\"ParticipantId\":\"p\",\"EndpointType\":\"VoIP\"}\n"
              "{\"CorrelationId\":\"c1\",\"operationName\":\"CallDiagnostics\"}\n"
              "{not json\n",
              &g, &st);
    assert_int_equal(st.read, 5);
    assert_int_equal(st.rejected, 5);
    assert_int_equal(g.n_rej, 4);
    assert_string_equal(g.rejects[0], "1:CallDuration: 'abc' is not a number of seconds.");
    assert_string_equal(g.rejects[1],
                        "2:ParticipantStartTime: '2026-13-45' is not a valid time.");
    assert_string_equal(g.rejects[2], "3:CorrelationId (the call id) is missing.");
    assert_string_equal(g.rejects[3], "4:operationName: 'CallDiagnostics' is not CallSummary "
                                      "(another ACS log category).");
}

static void
test_sniff(void **state)
{
    (void)state;
    const char *p = tu_tmpfile(LEGS, strlen(LEGS));
    assert_true(cs_calls_sniff(p));
    unlink(p);
    static const char survey[] = "{\"SurveyId\":\"s\",\"CallId\":\"c\",\"OverallRatingScore\":4,"
                                 "\"EndpointType\":\"VoIP\"}\n";
    p = tu_tmpfile(survey, strlen(survey));
    assert_false(cs_calls_sniff(p));
    unlink(p);
    /* an AppEvents export has SDKVersion but is no call summary */
    static const char ev[] = "{\"Name\":\"CallSurvey\",\"Properties\":{\"id\":\"s\"},"
                             "\"SDKVersion\":\"javascript:3.3.4\"}\n";
    p = tu_tmpfile(ev, strlen(ev));
    assert_false(cs_calls_sniff(p));
    unlink(p);
}

/* ---- the store and the join ------------------------------------------ */

static struct cs_store *S;

static void
put_survey(const char *sid, const char *call, const char *part, double score)
{
    struct cs_record r;
    cs_record_clear(&r);
    snprintf(r.survey_id, sizeof r.survey_id, "%s", sid);
    snprintf(r.call_id, sizeof r.call_id, "%s", call);
    snprintf(r.participant_id, sizeof r.participant_id, "%s", part);
    r.time_us = (int64_t)(1794787200 + 1000) * 1000000;
    r.rating[0].present = r.rating[0].score_is_num = true;
    r.rating[0].score = score;
    struct cs_store_counts c = {0};
    struct cs_err e;
    assert_int_equal(cs_store_put(S, &r, 1, &c, &e), CS_OK);
}

static void
load(const char *text, struct cs_calls_counts *n)
{
    const char *p = tu_tmpfile(text, strlen(text));
    struct cs_err e;
    assert_int_equal(cs_calls_load(S, p, CS_DATE_MDY, n, &e), CS_OK);
    unlink(p);
}

static int
setup(void **state)
{
    (void)state;
    struct cs_store_opts o = {.default_threshold = 2};
    struct cs_err e;
    if (cs_store_open(&o, &S, &e))
        return -1;
    cs_store_input_begin(S, "fixture", &e);
    put_survey("s1", "C1", "P1", 1);
    put_survey("s2", "c2", "p2", 5);
    put_survey("s3", "c3", "p3", 2);
    put_survey("s4", "c4", "p4", 4);
    put_survey("s5", "c5", "p5", 3);
    put_survey("s6", "c9", "p9", 5);
    /* custom events of s1: app version from the latest event that has one */
    struct cs_store_counts c = {0};
    struct cs_event ev = {.time_us = (int64_t)(1794787200 + 1100) * 1000000, .props = "{\"q\":1}", .props_len = 7, .app_version = "2.15.0", .browser = "Chrome 121.0", .client_os = "Windows 10"};
    snprintf(ev.survey_id, sizeof ev.survey_id, "s1");
    assert_int_equal(cs_store_event(S, &ev, &c, &e), CS_OK);
    struct cs_event ev2 = {.time_us = (int64_t)(1794787200 + 1200) * 1000000, .props = "{\"q\":2}", .props_len = 7};
    snprintf(ev2.survey_id, sizeof ev2.survey_id, "s1");
    assert_int_equal(cs_store_event(S, &ev2, &c, &e), CS_OK);
    return cs_store_input_end(S, true, NULL, &e) == CS_OK ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    cs_store_close(&S);
    return 0;
}

/* Before any call summary is loaded (issue 22's one-pass path): every
 * survey unmatched, without a leg or an OS; the app version, browser and
 * client OS still come from the custom events, each from the latest event
 * that has it: s1's first event (its later one has none); for s2, two
 * events at the same time, the later stored (higher id) wins the app
 * version and the earlier alone has a browser; for s3, stored in this
 * order: a timed event (app 3.0), an untimed one (app 9.9, the only
 * browser: an untimed event is older than any timed one) and an earlier
 * timed one (app 2.0, the only client OS). */
static void
test_join_without_legs(void **state)
{
    (void)state;
    struct cs_call_join a;
    struct cs_err e;
    struct cs_store_counts c = {0};
    int64_t t = (int64_t)(1794787200 + 1000) * 1000000;
    struct cs_event e1 = {.time_us = t, .props = "{\"q\":3}", .props_len = 7, .app_version = "1.0", .browser = "Firefox 120.0"};
    struct cs_event e2 = {.time_us = t, .props = "{\"q\":4}", .props_len = 7, .app_version = "1.1"};
    snprintf(e1.survey_id, sizeof e1.survey_id, "s2");
    snprintf(e2.survey_id, sizeof e2.survey_id, "s2");
    struct cs_event e3[3] = {
        {.time_us = t + 50, .props = "{\"q\":5}", .props_len = 7, .app_version = "3.0"},
        {.time_us = 0, .props = "{\"q\":6}", .props_len = 7, .app_version = "9.9", .browser = "Edge 120.0"},
        {.time_us = t, .props = "{\"q\":7}", .props_len = 7, .app_version = "2.0", .client_os = "Linux"}};
    cs_store_input_begin(S, "events", &e);
    assert_int_equal(cs_store_event(S, &e1, &c, &e), CS_OK);
    assert_int_equal(cs_store_event(S, &e2, &c, &e), CS_OK);
    for (size_t i = 0; i < 3; i++) {
        snprintf(e3[i].survey_id, sizeof e3[i].survey_id, "s3");
        assert_int_equal(cs_store_event(S, &e3[i], &c, &e), CS_OK);
    }
    assert_int_equal(cs_store_input_end(S, true, NULL, &e), CS_OK);
    memset(&a, 0xff, sizeof a);
    assert_int_equal(cs_calls_join(S, &a, &e), CS_OK);
    /* no call summaries: no join to audit (all zeros; the surveys are not
     * counted), from the join and from the audit asked again */
    for (int k = 0; k < 2; k++) {
        if (k)
            assert_int_equal(cs_calls_audit(S, &a, &e), CS_OK);
        assert_int_equal(a.surveys + a.unmatched + a.matched + a.ambiguous + a.legs +
                             a.legs_without_survey,
                         0);
    }
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(cs_store_db(S),
                                        "SELECT d.survey_id, coalesce(j.status, 0), j.leg IS NULL,"
                                        " j.os IS NULL, coalesce(j.app_version, '-'),"
                                        " coalesce(j.browser, '-'), coalesce(j.client_os, '-')"
                                        " FROM survey_data d LEFT JOIN survey_leg j"
                                        " ON j.rid = d.rid ORDER BY d.rid",
                                        -1, &q, NULL),
                     SQLITE_OK);
    static const char *const sid[] = {"s1", "s2", "s3", "s4", "s5", "s6"};
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(q, 0), sid[i]);
        assert_int_equal(sqlite3_column_int(q, 1), 0);
        assert_int_equal(sqlite3_column_int(q, 2), 1);
        assert_int_equal(sqlite3_column_int(q, 3), 1);
        static const char *const app[] = {"2.15.0", "1.1", "3.0", "-", "-", "-"};
        static const char *const br[] = {"Chrome 121.0", "Firefox 120.0", "Edge 120.0", "-", "-", "-"};
        static const char *const os[] = {"Windows 10", "-", "Linux", "-", "-", "-"};
        assert_string_equal((const char *)sqlite3_column_text(q, 4), app[i]);
        assert_string_equal((const char *)sqlite3_column_text(q, 5), br[i]);
        assert_string_equal((const char *)sqlite3_column_text(q, 6), os[i]);
    }
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
    /* without legs, rows only for the surveys with app values (s1-s3) */
    assert_int_equal(sqlite3_prepare_v2(cs_store_db(S), "SELECT count(*) FROM survey_leg", -1,
                                        &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 3);
    sqlite3_finalize(q);
}

static void
test_accounting(void **state)
{
    (void)state;
    struct cs_calls_counts n;
    load(LEGS, &n);
    assert_int_equal(n.read, 10);
    assert_int_equal(n.stored, 10);
    assert_int_equal(n.duplicates + n.updated + n.rejected, 0);
    /* the same legs again: duplicates; one changed SdkVersion: an update */
    load(LEGS, &n);
    assert_int_equal(n.read, 10);
    assert_int_equal(n.duplicates, 10);
    static const char changed[] =
        LEG("c7", "p7", "e7", "2026-11-16T00:01:40Z", "1.31.0.1", "Linux", "60")
        /* same identity with another spelling of the ids: still a duplicate */
        LEG(" C5 ", " P6", "E5A", "2026-11-16T00:01:40Z", "1.30.2.1", "Linux", "60") "{\"CorrelationId\":\"c8\",\"ParticipantDuration\":\"x\"}\n";
    load(changed, &n);
    assert_int_equal(n.read, 3);
    assert_int_equal(n.stored, 0);
    assert_int_equal(n.updated, 1);
    assert_int_equal(n.duplicates, 1);
    assert_int_equal(n.rejected, 1);
    assert_int_equal(n.read, n.stored + n.duplicates + n.updated + n.rejected);
    assert_string_equal(n.first_reject,
                        "line 3: ParticipantDuration: 'x' is not a number of seconds.");
}

static void
test_join(void **state)
{
    (void)state;
    struct cs_call_join a;
    struct cs_err e;
    assert_int_equal(cs_calls_join(S, &a, &e), CS_OK);
    assert_int_equal(a.surveys, 6);
    assert_int_equal(a.matched, 3);
    assert_int_equal(a.unmatched, 2);
    assert_int_equal(a.ambiguous, 1);
    assert_int_equal(a.surveys, a.matched + a.unmatched + a.ambiguous);
    assert_int_equal(a.legs, 10);
    assert_int_equal(a.legs_without_survey, 7);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(cs_store_db(S),
                                        "SELECT survey_id, coalesce(sdk_version, '-'),"
                                        " coalesce(os, '-'), coalesce(app_version, '-'),"
                                        " coalesce(browser, '-'), coalesce(client_os, '-')"
                                        " FROM surveys ORDER BY survey_id",
                                        -1, &q, NULL),
                     SQLITE_OK);
    static const char *const want[][6] = {
        {"s1", "1.30.1.1_x", "Windows 11", "2.15.0", "Chrome 121.0", "Windows 10"},
        /* the leg started by 1000 s; the app values (app_sql, one UPDATE) as
         * test_join_without_legs found them (app_latest.c) */
        {"s2", "1.30.2.1", "Android 14", "1.1", "Firefox 120.0", "-"},
        {"s3", "Redacted", "Redacted", "3.0", "Edge 120.0", "Linux"},
        {"s4", "-", "-", "-", "-", "-"},
        {"s5", "-", "-", "-", "-", "-"},
        {"s6", "-", "-", "-", "-", "-"},
    };
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        for (int k = 0; k < 6; k++)
            assert_string_equal((const char *)sqlite3_column_text(q, k), want[i][k]);
    }
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
    /* the calls view: one row per leg, the "null" participant as NULL */
    assert_int_equal(sqlite3_prepare_v2(cs_store_db(S),
                                        "SELECT count(*), count(participant_id), sum(surveys)"
                                        " FROM calls",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 10);
    assert_int_equal(sqlite3_column_int(q, 1), 6);
    assert_int_equal(sqlite3_column_int(q, 2), 3);
    sqlite3_finalize(q);
}

static cs_status
count_unmatched(void *ctx, const struct cs_call_unmatched *u, struct cs_err *err)
{
    (void)err;
    char *s = ctx;
    strcat(s, u->survey_id);
    strcat(s, u->ambiguous ? "a " : "u ");
    return CS_OK;
}

static void
test_unmatched_list(void **state)
{
    (void)state;
    char got[64] = "";
    struct cs_err e;
    assert_int_equal(cs_calls_unmatched(S, 10, count_unmatched, got, &e), CS_OK);
    assert_string_equal(got, "s4a s5u s6u ");
}

/* survey_leg's rows as a connection sees them */
static int
leg_rows(struct cs_store *st)
{
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(cs_store_db(st), "SELECT count(*) FROM survey_leg", -1,
                                        &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    int n = sqlite3_column_int(q, 0);
    sqlite3_finalize(q);
    return n;
}

/* FNV-1a of the file's bytes (its size mixed in by the bytes themselves) */
static uint64_t
file_digest(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint64_t h = 1469598103934665603ULL;
    int ch;
    while ((ch = getc(f)) != EOF)
        h = (h ^ (uint64_t)ch) * 1099511628211ULL;
    fclose(f);
    return h;
}

/* The join held beside a twin (issue 22): a private store on disk with
 * N surveys, each with an event whose app version is 2,000 bytes, so the
 * held survey_leg (about 6 MB) outgrows the 4 MB cache of the hold: a
 * pager allowed to spill would write part of it to the file.  Held, the
 * connection sees N rows, a twin none, and the file is unchanged to the
 * byte; committed,
 * a new twin sees N; rolled back, none.  No call summaries: no audit line
 * (legs 0), every survey unmatched. */
/* SQLITE_TRACE_STMT callback: counts into *ctx the statements that count
 * the calls join's audit (store/calls_join.c count_audit). */
static int
count_trace(unsigned type, void *ctx, void *p, void *x)
{
    (void)type;
    (void)x;
    const char *sql = sqlite3_sql((sqlite3_stmt *)p);
    if (sql && strstr(sql, "FROM survey_leg WHERE status = 1"))
        (*(int *)ctx)++;
    return 0;
}

static void
test_join_held_beside_twin(void **state)
{
    (void)state;
    enum { N = 3000 };
    struct cs_store *s0 = S;
    struct cs_store_opts o = {.default_threshold = 2, .expected_bytes = 100u << 20};
    struct cs_err e;
    assert_int_equal(cs_store_open(&o, &S, &e), CS_OK);
    char app[2001];
    memset(app, 'v', 2000);
    app[2000] = '\0';
    cs_store_input_begin(S, "held", &e);
    struct cs_store_counts c = {0};
    for (int i = 0; i < N; i++) {
        char sid[16], call[16];
        snprintf(sid, sizeof sid, "h%d", i);
        snprintf(call, sizeof call, "c%d", i);
        put_survey(sid, call, "p", 4);
        struct cs_event ev = {.time_us = (int64_t)(1794787200 + 1100) * 1000000, .props = "{\"q\":1}", .props_len = 7, .app_version = app, .browser = "Edge 120.0"};
        snprintf(ev.survey_id, sizeof ev.survey_id, "%s", sid);
        assert_int_equal(cs_store_event(S, &ev, &c, &e), CS_OK);
    }
    assert_int_equal(cs_store_input_end(S, true, NULL, &e), CS_OK);
    struct cs_store *twin = NULL;
    struct cs_call_join a;
    for (int commit = 0; commit < 2; commit++) {
        assert_int_equal(cs_store_open_twin(S, &twin, &e), CS_OK);
        const char *path = sqlite3_db_filename(cs_store_db(S), "main");
        assert_true(path && path[0]);
        uint64_t before = file_digest(path);
        assert_int_equal(cs_calls_join_held(S, &e), CS_OK);
        assert_int_equal(leg_rows(S), N);
        assert_int_equal(leg_rows(twin), 0);
        assert_true(file_digest(path) == before); /* not a byte written */
        cs_store_close(&twin);
        memset(&a, 0xff, sizeof a);
        assert_int_equal(cs_calls_join_end(S, commit, &a, &e), CS_OK);
        assert_int_equal(cs_store_open_twin(S, &twin, &e), CS_OK);
        assert_int_equal(leg_rows(twin), commit ? N : 0);
        assert_int_equal(leg_rows(S), commit ? N : 0);
        cs_store_close(&twin);
        /* no call summaries: no join to audit, zeros either way */
        assert_int_equal(a.surveys + a.unmatched + a.legs + a.matched + a.ambiguous, 0);
    }
    /* the values as the one-transaction join stores them */
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(cs_store_db(S),
                                        "SELECT count(*) FROM survey_leg WHERE app_version = ?1"
                                        " AND browser = 'Edge 120.0' AND client_os IS NULL",
                                        -1, &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(q, 1, app, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), N);
    sqlite3_finalize(q);
    /* the audit is kept for the next reader, and recounted after a change
     * (a leg of a call no survey has: a join to audit, every survey
     * unmatched) */
    assert_int_equal(sqlite3_exec(cs_store_db(S),
                                  "INSERT INTO call_data(call_key, part_key, endpoint_key,"
                                  " part_start, chash) VALUES ('c-none', 'p', '', -1, 1)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    int counts = 0; /* the audit's counting statements run (count_trace) */
    sqlite3_trace_v2(cs_store_db(S), SQLITE_TRACE_STMT, count_trace, &counts);
    assert_int_equal(cs_calls_audit(S, &a, &e), CS_OK);
    assert_int_equal(a.surveys, N);
    assert_int_equal(a.legs, 1);
    assert_int_equal(a.legs_without_survey, 1);
    assert_int_equal(counts, 1);
    assert_int_equal(cs_calls_audit(S, &a, &e), CS_OK);
    assert_int_equal(a.surveys, N);
    assert_int_equal(counts, 1); /* kept: not counted again */
    cs_store_input_begin(S, "one more", &e);
    put_survey("h-new", "c-new", "p", 3);
    assert_int_equal(cs_store_input_end(S, true, NULL, &e), CS_OK);
    assert_int_equal(cs_calls_audit(S, &a, &e), CS_OK);
    assert_int_equal(a.surveys, N + 1);
    assert_int_equal(a.unmatched, N + 1);
    assert_int_equal(counts, 2);
    sqlite3_trace_v2(cs_store_db(S), 0, NULL, NULL);
    cs_store_close(&S);
    S = s0;
}

/* survey_leg's rows in rid order as text ("rid status app browser os;") */
static void
leg_text(struct cs_store *st, char *out, size_t n)
{
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(cs_store_db(st),
                                        "SELECT group_concat(rid || ' ' || status || ' ' ||"
                                        " coalesce(app_version, '-') || ' ' ||"
                                        " coalesce(browser, '-') || ' ' || coalesce(client_os, '-'),"
                                        " ';') FROM (SELECT * FROM survey_leg ORDER BY rid)",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    const char *t = (const char *)sqlite3_column_text(q, 0);
    snprintf(out, n, "%s", t ? t : "");
    sqlite3_finalize(q);
}

/* The app values read on a twin beforehand (cs_calls_app_read, issue 22:
 * beside the model) give survey_leg the rows the join's own read gives:
 * surveys answered several times (latest event per value, an untimed one
 * older than any), values missing from the latest event, a survey without
 * events, events without any value; and no values at all (the map NULL).
 * The rows of the one-transaction join are the reference. */
static void
test_join_held_given_app(void **state)
{
    (void)state;
    struct cs_store *s0 = S;
    for (int with_values = 0; with_values < 2; with_values++) {
        struct cs_store_opts o = {.default_threshold = 2, .expected_bytes = 100u << 20};
        struct cs_err e;
        assert_int_equal(cs_store_open(&o, &S, &e), CS_OK);
        cs_store_input_begin(S, "given", &e);
        struct cs_store_counts c = {0};
        /* survey, time (0: none), app version, browser, client OS */
        const char *ev[][5] = {{"g1", "1100", "1.0", "Edge", "Linux"}, {"g1", "1200", "1.1", NULL, NULL}, {"g2", "0", "2.0", "Firefox", NULL}, {"g2", "1050", NULL, NULL, "macOS"}, {"g3", "1300", NULL, NULL, NULL}, {"gx", "1400", "9.9", "Safari", "iOS"}, {"g5", "1500", "5.0", NULL, NULL}, {"g5", "1500", "5.1", NULL, NULL}};
        for (int i = 1; i <= 6; i++) {
            char sid[16];
            snprintf(sid, sizeof sid, "g%d", i);
            put_survey(sid, "", "", 3);
        }
        for (size_t i = 0; i < sizeof ev / sizeof *ev; i++) {
            char props[32];
            snprintf(props, sizeof props, "{\"q\":%zu}", i);
            struct cs_event x = {.time_us = (int64_t)(1794787200 + atoi(ev[i][1])) * 1000000 *
                                            (ev[i][1][0] != '0'),
                                 .props = props,
                                 .props_len = strlen(props),
                                 .app_version = with_values ? ev[i][2] : NULL,
                                 .browser = with_values ? ev[i][3] : NULL,
                                 .client_os = with_values ? ev[i][4] : NULL};
            snprintf(x.survey_id, sizeof x.survey_id, "%s", ev[i][0]);
            assert_int_equal(cs_store_event(S, &x, &c, &e), CS_OK);
        }
        assert_int_equal(cs_store_input_end(S, true, NULL, &e), CS_OK);
        struct cs_call_join a;
        assert_int_equal(cs_calls_join(S, &a, &e), CS_OK);
        char want[512], got[512];
        leg_text(S, want, sizeof want);
        if (with_values) /* by hand: g1 1.1 (latest), Edge and Linux from 1100; g2 2.0
                          * Firefox (untimed: older), macOS; g5 5.1 (equal times: the later
                          * stored) */
            assert_string_equal(want, "1 0 1.1 Edge Linux;2 0 2.0 Firefox macOS;5 0 5.1 - -");
        else
            assert_string_equal(want, "");
        struct cs_store *twin = NULL;
        assert_int_equal(cs_store_open_twin(S, &twin, &e), CS_OK);
        struct cs_app_latest *app = (struct cs_app_latest *)1;
        assert_int_equal(cs_calls_app_read(twin, &app, &e), CS_OK);
        assert_true(with_values ? app != NULL : app == NULL);
        assert_int_equal(cs_calls_join_held_given(S, app, &e), CS_OK);
        cs_store_close(&twin);
        assert_int_equal(cs_calls_join_end(S, true, &a, &e), CS_OK);
        leg_text(S, got, sizeof got);
        assert_string_equal(got, want);
        /* with call summaries the values come from SQL: the map is freed */
        struct cs_calls_counts n;
        load(LEG("c1", "p1", "E1", "2026-11-16T00:01:40Z", "1.30.1.1", "Linux", "60"), &n);
        assert_int_equal(cs_store_open_twin(S, &twin, &e), CS_OK);
        assert_int_equal(cs_calls_app_read(twin, &app, &e), CS_OK);
        cs_store_close(&twin);
        assert_int_equal(cs_calls_join_held_given(S, app, &e), CS_OK);
        assert_int_equal(cs_calls_join_end(S, false, &a, &e), CS_OK);
        cs_store_close(&S);
    }
    S = s0;
}

int
main(void)
{
    const struct CMUnitTest loader[] = {
        cmocka_unit_test(test_containers),
        cmocka_unit_test(test_rejects_name_field_and_line),
        cmocka_unit_test(test_sniff),
    };
    const struct CMUnitTest store[] = {
        cmocka_unit_test(test_join_without_legs),
        cmocka_unit_test(test_accounting),
        cmocka_unit_test(test_join),
        cmocka_unit_test(test_unmatched_list),
        cmocka_unit_test(test_join_held_beside_twin),
        cmocka_unit_test(test_join_held_given_app),
    };
    int rc = cmocka_run_group_tests(loader, NULL, NULL);
    return rc | cmocka_run_group_tests(store, setup, teardown);
}
