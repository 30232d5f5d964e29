/* Unit tests for ingest/: every container, both record shapes, keys in any
 * case, aliases, missing values, CSV portal quirks, malformed lines and
 * the per-record line numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "core/mem.h"
#include "ingest/ingest.h"
#include "ingest/ingest_int.h"
#include "render/json.h"
#include "testutil.h"

#define MAXR 64
struct cap {
    struct cs_record ok[MAXR];
    size_t n_ok;
    struct cs_record bad[MAXR];
    char raw[MAXR][256];
    size_t n_bad;
};

static cs_status
cap_records(void *ctx, struct cs_record *recs, size_t n, struct cs_err *err)
{
    (void)err;
    struct cap *c = ctx;
    for (size_t i = 0; i < n && c->n_ok < MAXR; i++)
        c->ok[c->n_ok++] = recs[i];
    return CS_OK;
}

static cs_status
cap_reject(void *ctx, const struct cs_record *rec, const char *raw, size_t len,
           struct cs_err *err)
{
    (void)err;
    struct cap *c = ctx;
    if (c->n_bad < MAXR) {
        c->bad[c->n_bad] = *rec;
        snprintf(c->raw[c->n_bad], 256, "%.*s", (int)len, raw);
        c->n_bad++;
    }
    return CS_OK;
}

static struct cap *C;
static struct cs_ingest_stats ST;

static cs_status
load(const char *text, enum cs_date_order order, struct cs_err *err)
{
    memset(C, 0, sizeof *C);
    const char *p = tu_tmpfile(text, strlen(text));
    struct cs_ingest_opts o;
    cs_ingest_opts_default(&o);
    o.date_order = order;
    struct cs_ingest_sink sink = {.ctx = C, .records = cap_records, .reject = cap_reject};
    cs_err_clear(err);
    cs_status s = cs_ingest_path(p, "in", &o, &sink, &ST, err);
    unlink(p);
    return s;
}

static int
setup(void **s)
{
    (void)s;
    C = xcalloc(1, sizeof *C);
    return 0;
}
static int
teardown(void **s)
{
    (void)s;
    xfree(C);
    return 0;
}

#define NESTED(sid, extra)                                                                                                                                           \
    "{\"time\":\"2026-11-16T10:15:03.1234567Z\",\"resourceId\":\"/SUBSCRIPTIONS/S/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.COMMUNICATION/COMMUNICATIONSERVICES/ACS1\"," \
    "\"operationName\":\"CallSurvey\",\"category\":\"CallSurvey\",\"correlationId\":\"p1\",\"properties\":{\"CallId\":\"c1\",\"SurveyId\":\"" sid "\","              \
    "\"ParticipantId\":\"p1\",\"OverallRatingScore\":2,\"OverallRatingScoreLowerBound\":1,\"OverallRatingScoreUpperBound\":5,"                                       \
    "\"OverallRatingScoreThreshold\":2,\"OverallCallIssues\":\"HadToRejoin\"" extra "}}"
#define FLAT(sid, extra) \
    "{\"TimeGenerated\":\"2026-11-16T11:00:00Z\",\"SurveyId\":\"" sid "\",\"_ResourceId\":\"/subscriptions/s/acs2\"" extra "}"

static void
test_jsonl_nested_and_flat(void **state)
{
    (void)state;
    struct cs_err e;
    const char *in = NESTED("A1", ",\"AudioRatingScore\":\"2\",\"AudioIssues\":\"Echo,AudioNoise\"") "\n" FLAT("a2", ",\"overallratingscore\":4,\"VIDEORATINGSCORE\":3") "\r\n"
                                                                                                                                                                         "\n";
    assert_int_equal(load(in, CS_DATE_MDY, &e), CS_OK);
    assert_int_equal(C->n_ok, 2);
    assert_int_equal(ST.read, 2);
    const struct cs_record *r = &C->ok[0];
    assert_string_equal(r->survey_id, "a1"); /* lower-cased */
    assert_string_equal(r->call_id, "c1");
    assert_string_equal(r->participant_id, "p1");
    assert_true(strstr(r->resource_id, "/COMMUNICATIONSERVICES/ACS1") != NULL);
    assert_true(r->rating[0].present && r->rating[0].score == 2);
    assert_true(r->rating[0].has_threshold && r->rating[0].threshold == 2);
    assert_true(r->rating[1].present && r->rating[1].score == 2); /* numeric string */
    assert_string_equal(r->rating[1].issues, "Echo,AudioNoise");
    assert_false(r->rating[2].present);
    assert_int_equal(r->line, 1);
    r = &C->ok[1];
    assert_int_equal(r->line, 2);
    assert_true(r->rating[0].score == 4 && r->rating[2].score == 3);
    assert_string_equal(r->resource_id, "/SUBSCRIPTIONS/S/ACS2"); /* upper-cased */
}

static void
test_missing_values(void **state)
{
    (void)state;
    struct cs_err e;
    /* null, "", "null" and absent are missing; 0 is a value */
    const char *in =
        FLAT("m1", ",\"OverallRatingScore\":3,\"AudioRatingScore\":null,\"VideoRatingScore\":\"\","
                   "\"ScreenshareRatingScore\":\"null\",\"OverallCallIssues\":\"\"") "\n" FLAT("m2", ",\"OverallRatingScore\":0,\"OverallRatingScoreLowerBound\":0,"
                                                                                                     "\"OverallRatingScoreUpperBound\":10,\"OverallRatingScoreThreshold\":0") "\n"
        /* bounds alone (no score, no tags) are not a rating */
        FLAT("m3", ",\"OverallRatingScore\":5,\"AudioRatingScoreLowerBound\":1,\"AudioRatingScoreUpperBound\":5,"
                   "\"AudioRatingScoreThreshold\":2") "\n";
    assert_int_equal(load(in, CS_DATE_MDY, &e), CS_OK);
    assert_int_equal(C->n_ok, 3);
    for (int c = 1; c < 4; c++)
        assert_false(C->ok[0].rating[c].present);
    assert_true(C->ok[1].rating[0].present);
    assert_true(C->ok[1].rating[0].score == 0);
    assert_false(C->ok[2].rating[1].present);
}

static void
test_screenshare_aliases(void **state)
{
    (void)state;
    struct cs_err e;
    const char *in = FLAT("s1", ",\"ScreenshareRatingScore\":7,\"ScreenshareLowerBound\":0,"
                                "\"ScreenshareUpperBound\":10,\"ScreenshareRatingThreshold\":5,"
                                "\"ScreenshareIssues\":\"CannotPresent\"") "\n";
    assert_int_equal(load(in, CS_DATE_MDY, &e), CS_OK);
    assert_int_equal(C->n_ok, 1);
    const struct cs_rating *rt = &C->ok[0].rating[3];
    assert_true(rt->has_lower && rt->lower == 0 && rt->upper == 10 && rt->threshold == 5);
    assert_int_equal(rt->issue_mask, 1u << 2);
}

static void
test_malformed_line_rejects_only_it(void **state)
{
    (void)state;
    struct cs_err e;
    const char *in = FLAT("l1", ",\"OverallRatingScore\":4") "\n"
                                                             "{\"SurveyId\":\"l2\",\"OverallRatingScore\":4,\n"
                                                             "not json at all\n" FLAT("l4", ",\"OverallRatingScore\":5") "\n";
    assert_int_equal(load(in, CS_DATE_MDY, &e), CS_OK);
    assert_int_equal(C->n_ok, 2);
    assert_int_equal(C->n_bad, 2);
    assert_int_equal(C->bad[0].line, 2);
    assert_string_equal(C->bad[0].reason, "malformed JSON: incomplete (truncated?).");
    assert_int_equal(C->bad[1].line, 3);
    assert_int_equal(C->ok[1].line, 4);
    assert_int_equal(ST.read, ST.valid + ST.rejected);
}

static void
test_log_level_reasons(void **state)
{
    (void)state;
    struct cs_err e;
    const char *in =
        "{\"TimeGenerated\":\"2026-11-16T11:00:00Z\",\"OverallRatingScore\":4}\n"
        "{\"TimeGenerated\":\"2026-13-45T25:00:00Z\",\"SurveyId\":\"t2\",\"OverallRatingScore\":4}\n"
        "{\"SurveyId\":\"t3\",\"OverallRatingScore\":4}\n"
        "{\"TimeGenerated\":\"2026-11-16T11:00:00Z\",\"SurveyId\":\"t4\",\"OverallRatingScore\":1e999}\n"
        "{\"TimeGenerated\":\"2026-11-16T11:00:00Z\",\"SurveyId\":\"t5\",\"OverallRatingScore\":\"abc\"}\n";
    assert_int_equal(load(in, CS_DATE_MDY, &e), CS_OK);
    assert_int_equal(C->n_bad, 5);
    assert_string_equal(C->bad[0].reason, "SurveyId is missing.");
    assert_string_equal(C->bad[1].reason, "TimeGenerated: '2026-13-45T25:00:00Z' is not a valid time.");
    assert_string_equal(C->bad[2].reason, "TimeGenerated is missing.");
    assert_string_equal(C->bad[3].reason, "In default scale overallRating.score should be 1 to 5.");
    assert_string_equal(C->bad[4].reason, "overallRating.score should be of type number.");
}

static void
test_records_wrapper_per_line(void **state)
{
    (void)state;
    struct cs_err e;
    const char *in = "{\"records\":[" FLAT("r1", ",\"OverallRatingScore\":4") "," FLAT("r2", ",\"OverallRatingScore\":9") "]}\n{\"records\":[" FLAT("r3", ",\"AudioRatingScore\":\"5\"") "]}\n";
    assert_int_equal(load(in, CS_DATE_MDY, &e), CS_OK);
    assert_int_equal(C->n_ok, 2);
    assert_int_equal(C->n_bad, 1);
    assert_int_equal(C->bad[0].line, 1);
    assert_int_equal(C->bad[0].index, 1);
    assert_string_equal(C->ok[1].survey_id, "r3");
    assert_int_equal(C->ok[1].line, 2);
}

static void
test_pretty_records_and_array(void **state)
{
    (void)state;
    struct cs_err e;
    const char *in = "{\n  \"records\": [\n    " FLAT("p1", ",\"OverallRatingScore\":4") ",\n    " NESTED("p2", "") "\n  ]\n}\n";
    assert_int_equal(load(in, CS_DATE_MDY, &e), CS_OK);
    assert_int_equal(C->n_ok, 2);
    assert_int_equal(C->ok[0].line, 3);
    assert_int_equal(C->ok[1].line, 4);
    const char *arr = "[\n " FLAT("q1", ",\"OverallRatingScore\":4") ",\n " FLAT("q2", ",\"OverallRatingScore\":0") "\n]\n";
    assert_int_equal(load(arr, CS_DATE_MDY, &e), CS_OK);
    assert_int_equal(C->n_ok, 1);
    assert_int_equal(C->n_bad, 1);
    assert_int_equal(C->bad[0].line, 3);
    /* truncated array: the partial record is rejected, earlier ones kept */
    const char *tr = "[\n " FLAT("q1", ",\"OverallRatingScore\":4") ",\n {\"SurveyId\":\"q2\",";
    assert_int_equal(load(tr, CS_DATE_MDY, &e), CS_OK);
    assert_int_equal(C->n_ok, 1);
    assert_int_equal(C->n_bad, 1);
    assert_true(ST.truncated);
}

static void
test_tables_form(void **state)
{
    (void)state;
    struct cs_err e;
    const char *in =
        "{\"tables\":[{\"name\":\"PrimaryResult\",\"columns\":[{\"name\":\"TimeGenerated\",\"type\":\"datetime\"},"
        "{\"name\":\"SurveyId\",\"type\":\"string\"},{\"name\":\"OverallRatingScore\",\"type\":\"int\"},"
        "{\"name\":\"AudioRatingScore\",\"type\":\"int\"},{\"name\":\"AudioIssues\",\"type\":\"string\"}],"
        "\"rows\":[[\"2026-11-16T10:00:00Z\",\"t1\",5,null,\"\"],\n"
        "[\"2026-11-16T10:00:00Z\",\"t2\",2,1,\"NoRemoteAudio\"],\n[\"2026-11-16T10:00:00Z\",\"t3\",3]]}]}";
    assert_int_equal(load(in, CS_DATE_MDY, &e), CS_OK);
    assert_int_equal(C->n_ok, 2);
    assert_false(C->ok[0].rating[1].present);
    assert_int_equal(C->ok[1].rating[1].issue_mask, 1u << 1);
    assert_int_equal(C->n_bad, 1);
    assert_string_equal(C->bad[0].reason, "the row has 3 values but the table has 5 columns.");
    assert_int_equal(C->bad[0].line, 3);
}

static void
test_portal_csv(void **state)
{
    (void)state;
    struct cs_err e;
    const char *in =
        "\xEF\xBB\xBF\"TimeGenerated [UTC]\",SurveyId,OverallRatingScore,OverallCallIssues,AudioRatingScore,"
        "AudioIssues,_ResourceId,TenantId\r\n"
        "\"11/16/2026, 9:09:00.730 AM\",c1,2,\"HadToRejoin,CallEndedUnexpectedly\",,,/S/ACS1,t\r\n"
        "\"11/16/2026, 1:00:00.000 PM\",c2,5,,4,\"Echo,\r\nLowVolume\",/S/ACS1,t\r\n"
        "\"11/16/2026, 1:00:00.000 PM\",c3,5\r\n"
        "\"11/31/2026, 1:00:00.000 PM\",c4,5,,,,/S/ACS1,t\r\n";
    assert_int_equal(load(in, CS_DATE_MDY, &e), CS_OK);
    assert_int_equal(C->n_ok, 2);
    assert_int_equal(C->ok[0].line, 2);
    assert_string_equal(C->ok[0].rating[0].issues, "HadToRejoin,CallEndedUnexpectedly");
    assert_false(C->ok[0].rating[1].present);
    int64_t t;
    assert_true(cs_time_parse_iso("2026-11-16T09:09:00.730Z", 24, &t));
    assert_int_equal(C->ok[0].time_us, t);
    assert_int_equal(C->ok[1].line, 3);
    assert_string_equal(C->ok[1].rating[1].issues, "Echo,LowVolume"); /* newline inside quotes */
    assert_int_equal(C->n_bad, 2);
    assert_int_equal(C->bad[0].line, 5);
    assert_string_equal(C->bad[0].reason, "expected 8 fields (as in the header), got 3.");
    assert_string_equal(C->bad[1].reason,
                        "TimeGenerated: '11/31/2026, 1:00:00.000 PM' is not a valid time.");
    /* day-first order */
    const char *dmy = "TimeGenerated [UTC],SurveyId,OverallRatingScore\n10/02/2026 11:00:12,d1,4\n";
    assert_int_equal(load(dmy, CS_DATE_DMY, &e), CS_OK);
    assert_true(cs_time_parse_iso("2026-02-10T11:00:12Z", 20, &t));
    assert_int_equal(C->ok[0].time_us, t);
}

static void
test_whole_file_errors(void **state)
{
    (void)state;
    struct cs_err e;
    assert_int_equal(load("", CS_DATE_MDY, &e), CS_E_NODATA);
    assert_string_equal(e.msg, "the file is empty");
    assert_int_equal(load("  \n\n", CS_DATE_MDY, &e), CS_E_NODATA);
    char bin[64] = "\x7f"
                   "ELF\x02\x01";
    memset(bin + 6, 0, 20);
    memset(C, 0, sizeof *C);
    const char *p = tu_tmpfile(bin, 40);
    struct cs_ingest_opts o;
    cs_ingest_opts_default(&o);
    struct cs_ingest_sink sink = {.ctx = C, .records = cap_records, .reject = cap_reject};
    assert_int_equal(cs_ingest_path(p, "bin", &o, &sink, &ST, &e), CS_E_PARSE);
    assert_string_equal(e.msg, "binary data (NUL bytes): not a CSV or JSON export");
    unlink(p);
    assert_int_equal(load("\xFF\xFE{\0", CS_DATE_MDY, &e), CS_E_PARSE);
    assert_int_equal(load("name,value\nx,1\n", CS_DATE_MDY, &e), CS_E_PARSE);
    assert_true(strstr(e.msg, "neither an ACSCallSurvey export") != NULL);
    assert_int_equal(cs_ingest_path("/nonexistent/x.json", "/nonexistent/x.json", &o, &sink, &ST, &e),
                     CS_E_IO);
    assert_string_equal(e.where, "/nonexistent/x.json");
}

static void
test_numbers_and_escapes(void **state)
{
    (void)state;
    double v;
    assert_true(cs_parse_number("4", 1, &v) && v == 4);
    assert_true(cs_parse_number(" 2.5 ", 5, &v) && v == 2.5);
    assert_true(cs_parse_number("-0", 2, &v) && v == 0 && !signbit(v));
    assert_true(cs_parse_number("1e999", 5, &v) && isinf(v));
    assert_false(cs_parse_number("4abc", 4, &v));
    assert_false(cs_parse_number("", 0, &v));
    assert_false(cs_parse_number(".", 1, &v));
    char out[64];
    const char *s = "a\\\"b\\u00e9\\ud83d\\ude00\\n";
    size_t n = cs_json_unescape(s, strlen(s), out, sizeof out);
    assert_int_equal(n, 10);
    assert_memory_equal(out, "a\"b\xC3\xA9\xF0\x9F\x98\x80\n", 10);
    assert_int_equal(cs_field_lookup("\"TimeGenerated [UTC]\"", 21), F_TIME);
    assert_int_equal(cs_field_lookup("overallcallissues", 17), F_ISSUES(0));
    assert_int_equal(cs_field_lookup("Bogus", 5), F_NONE);
}

/* cs_field_lookup's table of raw keys: exact answers for 100,000 generated
 * keys (known names in random letter case, padded or suffixed as CSV
 * headers are, and unknown ids), long after the table stopped taking new
 * keys; names that differ only past their fifth byte (the old cache's
 * LowerBound/UpperBound collision); the next-key guess across records that
 * change their key order.  Expected fields are written out here, not read
 * from the table. */
static void
test_field_lookup_table(void **state)
{
    (void)state;
    static const struct {
        const char *key;
        int field;
    } known[] = {
        {"OverallRatingScoreLowerBound", F_CAT0 + 1},
        {"OverallRatingScoreUpperBound", F_CAT0 + 2},
        {"OverallRatingScoreThreshold", F_CAT0 + 3},
        {"OverallCallIssues", F_CAT0 + 4},
        {"AudioRatingScoreLowerBound", F_CAT0 + 6},
        {"AudioRatingScoreUpperBound", F_CAT0 + 7},
        {"VideoRatingScore", F_CAT0 + 10},
        {"ScreenshareRatingScoreLowerBound", F_CAT0 + 16},
        {"ScreenshareRatingScoreUpperBound", F_CAT0 + 17},
        {"ScreenshareIssues", F_CAT0 + 19},
        {"SurveyId", F_SURVEY},
        {"ParticipantId", F_PART},
        {"improvementSuggestion", F_SUGGESTION},
        {"TimeGenerated", F_TIME},
        {"_ResourceId", F_RESOURCE},
        {"Measurements", F_CUSTOMMEAS},
        {"client_OS", F_CLIENTOS},
    };
    const size_t nk = sizeof known / sizeof known[0];
    /* near misses: unknown */
    assert_int_equal(cs_field_lookup("SurveyIdx", 9), F_NONE);
    assert_int_equal(cs_field_lookup("OverallRatingScoreLowerBounds", 29), F_NONE);
    assert_int_equal(cs_field_lookup("AudioRatingScoreLowerBoun", 25), F_NONE);
    uint64_t x = 88172645463325252ull;
    char key[96];
    for (int round = 0; round < 2; round++) {
        x = 88172645463325252ull; /* the same 100,000 keys twice */
        for (int i = 0; i < 100000; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            int want;
            size_t len;
            if (x % 2) {
                size_t k = (size_t)(x >> 8) % nk;
                len = strlen(known[k].key);
                for (size_t j = 0; j < len; j++) {
                    char c = known[k].key[j];
                    bool flip = (x >> (16 + j % 40)) & 1;
                    key[j] = flip && c >= 'a' && c <= 'z'   ? (char)(c - 32)
                             : flip && c >= 'A' && c <= 'Z' ? (char)(c + 32)
                                                            : c;
                }
                if ((x >> 60) == 0) { /* a CSV header: "  Key [UTC]" */
                    memmove(key + 2, key, len);
                    key[0] = key[1] = ' ';
                    memcpy(key + len + 2, " [UTC]", 6);
                    len += 8;
                }
                want = known[k].field;
            } else {
                len = (size_t)snprintf(key, sizeof key, "zz%llx%s", (unsigned long long)(x >> 20),
                                       (x >> 62) == 0 ? "-a-rather-long-key-past-the-cache-limit" : "");
                want = F_NONE;
            }
            assert_int_equal(cs_field_lookup(key, len), want);
        }
    }
    /* records of the same keys, then one in another order and one with an
     * extra key: the guessed next key is checked, never trusted */
    const char *rec[] = {"time", "SurveyId", "OverallRatingScoreLowerBound",
                         "OverallRatingScoreUpperBound"};
    const int rec_f[] = {F_TIME, F_SURVEY, F_CAT0 + 1, F_CAT0 + 2};
    for (int r = 0; r < 3; r++)
        for (int j = 0; j < 4; j++)
            assert_int_equal(cs_field_lookup(rec[j], strlen(rec[j])), rec_f[j]);
    for (int j = 3; j >= 0; j--)
        assert_int_equal(cs_field_lookup(rec[j], strlen(rec[j])), rec_f[j]);
    assert_int_equal(cs_field_lookup("time", 4), F_TIME);
    assert_int_equal(cs_field_lookup("zzextra", 7), F_NONE);
    assert_int_equal(cs_field_lookup("SurveyId", 8), F_SURVEY);
    assert_int_equal(cs_field_lookup("", 0), F_NONE);
    assert_int_equal(cs_field_lookup("SurveyId", 8), F_SURVEY);
}

/* SurveyId is lower-cased and the resource id upper-cased 8 bytes at a
 * time: every printable ASCII byte and the bytes of a UTF-8 letter at every
 * position of ids of every length up to 40, against a byte-by-byte rule
 * written here ('@' '[' '`' '{' are the neighbours of the letter ranges). */
static void
test_id_case(void **state)
{
    (void)state;
    unsigned char bytes[100];
    int nb = 0;
    for (int c = 0x21; c <= 0x7e; c++)
        bytes[nb++] = (unsigned char)c;
    bytes[nb++] = 0xC3; /* lead and continuation bytes of "É" and "é" */
    bytes[nb++] = 0x89;
    bytes[nb++] = 0xA9;
    for (int len = 1; len <= 40; len++)
        for (int p = 0; p < len; p++)
            for (int k = 0; k < nb; k++) {
                char in[41], low[41], up[42];
                for (int j = 0; j < len; j++)
                    in[j] = (char)(j == p ? bytes[k] : "aZ9-Qx"[j % 6]);
                in[len] = '\0';
                up[0] = '/';
                for (int j = 0; j < len; j++) {
                    unsigned char c = (unsigned char)in[j];
                    low[j] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
                    up[j + 1] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
                }
                low[len] = '\0';
                up[len + 1] = '\0';
                struct cs_record r;
                struct cs_recbuild b;
                cs_recbuild_begin(&b, &r, CS_DATE_MDY);
                cs_recbuild_set(&b, F_SURVEY, in, (size_t)len, V_STRING);
                cs_recbuild_set(&b, F_RESOURCE, in, (size_t)len, V_STRING);
                assert_string_equal(r.survey_id, low);
                /* a leading '/' is the resource id's own, not added */
                assert_string_equal(r.resource_id, in[0] == '/' ? up + 1 : up);
            }
}

/* Custom-event accounting: a ragged CSV row, bad JSON, a missing id and an
 * event of another name each land in exactly one counter, and
 * events_read = events_valid + events_rejected + events_skipped (the
 * ragged row used to be rejected without being counted as read). */
static void
test_event_accounting(void **state)
{
    (void)state;
    struct cs_err e;
    const char *in =
        "timestamp [UTC],name,customDimensions\n"
        "2026-11-16T10:00:00Z,CallSurvey,\"{\"\"id\"\":\"\"S1\"\",\"\"q\"\":\"\"fine\"\"}\"\n"
        "2026-11-16T10:01:00Z,CallSurvey\n"
        "2026-11-16T10:02:00Z,CallSurvey,{not json\n"
        "2026-11-16T10:03:00Z,CallSurvey,\"{\"\"q\"\":\"\"no id\"\"}\"\n"
        "2026-11-16T10:04:00Z,PageView,\"{\"\"id\"\":\"\"S2\"\"}\"\n";
    assert_int_equal(load(in, CS_DATE_MDY, &e), CS_OK);
    assert_int_equal(ST.content, CS_CONTENT_EVENTS);
    assert_int_equal(ST.events_valid, 1);
    assert_int_equal(ST.events_rejected, 3);
    assert_int_equal(ST.events_skipped, 1);
    assert_int_equal(ST.events_read, 5);
    assert_int_equal(ST.events_read, ST.events_valid + ST.events_rejected + ST.events_skipped);
    assert_int_equal(ST.read, 4); /* the PageView row is not survey data */
    assert_int_equal(ST.rejected, 3);
    assert_int_equal(C->n_bad, 3);
    assert_int_equal(C->bad[0].line, 3);
    assert_true(strstr(C->bad[0].reason, "expected 3 fields") != NULL);
    assert_int_equal(C->bad[1].line, 4);
    assert_int_equal(C->bad[2].line, 5);
}

/* "\u0000" would cut the text where it is kept as a C string: two
 * different SurveyIds would become one survey.  Such a record is rejected,
 * naming the field. */
static void
test_nul_escape_rejected(void **state)
{
    (void)state;
    struct cs_err e;
    const char *in =
        "{\"TimeGenerated\":\"2026-11-16T10:00:00Z\",\"SurveyId\":\"r3\\u0000x\",\"OverallRatingScore\":4}\n"
        "{\"TimeGenerated\":\"2026-11-16T10:00:00Z\",\"SurveyId\":\"r4\",\"CallId\":\"a\\u0000b\",\"OverallRatingScore\":4}\n"
        "{\"TimeGenerated\":\"2026-11-16T10:00:00Z\",\"SurveyId\":\"r5\",\"OverallCallIssues\":\"HadToRejoin\\u0000Evil\",\"OverallRatingScore\":2}\n"
        "{\"TimeGenerated\":\"2026-11-16T10:00:00Z\",\"SurveyId\":\"r6\\u0041\",\"OverallRatingScore\":4}\n";
    assert_int_equal(load(in, CS_DATE_MDY, &e), CS_OK);
    assert_int_equal(ST.read, 4);
    assert_int_equal(C->n_ok, 1);
    assert_string_equal(C->ok[0].survey_id, "r6a");
    assert_int_equal(C->n_bad, 3);
    assert_string_equal(C->bad[0].reason, "SurveyId contains a NUL character (\\u0000).");
    assert_string_equal(C->bad[1].reason, "CallId contains a NUL character (\\u0000).");
    assert_string_equal(C->bad[2].reason, "OverallCallIssues contains a NUL character (\\u0000).");
}

/* A NUL byte ends the text for jsmn: "{...}\0{...}" on one line read its
 * first object and dropped the second unread.  The line is rejected whole,
 * and the rejects file shows all of it (the NUL as U+FFFD). */
static void
test_nul_byte_in_line(void **state)
{
    (void)state;
    char buf[8192];
    size_t n = 0;
    for (int i = 0; i < 55; i++) /* past the 4 KB the binary check reads */
        n += (size_t)snprintf(buf + n, sizeof buf - n,
                              "{\"TimeGenerated\":\"2026-11-16T10:00:00Z\",\"SurveyId\":\"v%d\","
                              "\"OverallRatingScore\":4}\n",
                              i);
    assert_true(n > 4096);
    const char a[] = "{\"TimeGenerated\":\"2026-11-16T10:00:00Z\",\"SurveyId\":\"first\","
                     "\"OverallRatingScore\":4}";
    const char b[] = "{\"TimeGenerated\":\"2026-11-16T10:00:00Z\",\"SurveyId\":\"second\","
                     "\"OverallRatingScore\":4}\nnext";
    memcpy(buf + n, a, sizeof a - 1);
    n += sizeof a - 1;
    buf[n++] = '\0';
    memcpy(buf + n, b, sizeof b - 1);
    n += sizeof b - 1;
    memset(C, 0, sizeof *C);
    const char *p = tu_tmpfile(buf, n);
    struct cs_ingest_opts o;
    cs_ingest_opts_default(&o);
    struct cs_ingest_sink sink = {.ctx = C, .records = cap_records, .reject = cap_reject};
    struct cs_err e;
    cs_err_clear(&e);
    assert_int_equal(cs_ingest_path(p, "in", &o, &sink, &ST, &e), CS_OK);
    unlink(p);
    assert_int_equal(ST.read, 57); /* 55 records, the NUL line, "next" */
    assert_int_equal(C->n_ok, 55);
    assert_int_equal(C->n_bad, 2);
    assert_int_equal(C->bad[0].line, 56);
    assert_string_equal(C->bad[0].reason, "malformed JSON: a NUL byte (character 83 of the text).");
    /* the rejects file's record: the whole text, the NUL as U+FFFD */
    char raw[256];
    memcpy(raw, a, sizeof a - 1);
    raw[sizeof a - 1] = '\0';
    memcpy(raw + sizeof a, b, 30);
    struct cs_reject_line rl = {.source = "in", .line = 56, .reason = "r", .raw = raw, .raw_len = sizeof a + 30};
    char *txt = cs_json_reject_line(&rl);
    assert_non_null(strstr(txt, "\"OverallRatingScore\\\":4}\xEF\xBF\xBD{\\\"TimeGenerated"));
    xfree(txt);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jsonl_nested_and_flat),
        cmocka_unit_test(test_missing_values),
        cmocka_unit_test(test_screenshare_aliases),
        cmocka_unit_test(test_malformed_line_rejects_only_it),
        cmocka_unit_test(test_log_level_reasons),
        cmocka_unit_test(test_records_wrapper_per_line),
        cmocka_unit_test(test_pretty_records_and_array),
        cmocka_unit_test(test_tables_form),
        cmocka_unit_test(test_portal_csv),
        cmocka_unit_test(test_whole_file_errors),
        cmocka_unit_test(test_numbers_and_escapes),
        cmocka_unit_test(test_field_lookup_table),
        cmocka_unit_test(test_id_case),
        cmocka_unit_test(test_event_accounting),
        cmocka_unit_test(test_nul_escape_rejected),
        cmocka_unit_test(test_nul_byte_in_line),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
