/* Unit tests for report/kql.c (the query text and its option checks) and
 * store/histograms.c (the same table from the local store). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctime.h"
#include "core/mem.h"
#include "model/survey.h"
#include "report/kql.h"
#include "store/histograms.h"
#include "store/store.h"

static void
test_columns(void **state)
{
    (void)state;
    /* the contract as issue 21 describes it, typed out here */
    const char *want = "row_kind\tstring\nperiod\tstring\nresource_id\tstring\n"
                       "custom_key\tstring\ncustom_value\tstring\ncategory\tstring\n"
                       "lower\treal\nupper\treal\nthreshold\treal\ndefault_scale\tbool\n"
                       "score\treal\ntags\tstring\nreason\tstring\nn\tlong\ncalls\tlong\n"
                       "participants\tlong\nfirst_time\tdatetime\nlast_time\tdatetime\n";
    char *got = cs_kql_columns_text(NULL);
    assert_string_equal(got, want);
    xfree(got);
}

static char *
build(const struct cs_kql_opts *o, cs_status want)
{
    char *q = NULL;
    struct cs_err e;
    cs_err_clear(&e);
    assert_int_equal(cs_kql_build(o, &q, &e), want);
    if (want != CS_OK)
        assert_null(q);
    return q;
}

static void
test_window_and_bucket(void **state)
{
    (void)state;
    struct cs_kql_opts o;
    cs_kql_opts_default(&o);
    char *q = build(&o, CS_OK);
    assert_null(strstr(q, "since_t")); /* no window: no time filter at all */
    assert_null(strstr(q, "merge_slack"));
    assert_non_null(strstr(q, "let default_threshold = real(2);"));
    assert_non_null(strstr(q, "\"-W\""));   /* ISO week labels */
    assert_null(strstr(q, "customEvents")); /* no custom keys: no events table */
    xfree(q);

    cs_kql_opts_default(&o);
    assert_true(cs_time_parse_iso("2026-11-16", 10, &o.since_us));
    assert_true(cs_time_parse_iso("2026-11-23T06:30:00.25Z", 23, &o.until_us));
    o.has_since = o.has_until = true;
    o.bucket_day = true;
    o.default_threshold = 3.5;
    q = build(&o, CS_OK);
    assert_non_null(strstr(q, "let since_t = datetime(2026-11-16T00:00:00Z);"));
    assert_non_null(strstr(q, "let until_t = datetime(2026-11-23T06:30:00.25Z);"));
    assert_non_null(strstr(q, "| where TimeGenerated >= since_t - merge_slack\n"));
    assert_non_null(strstr(q, "| where SurveyTime < until_t\n"));
    assert_non_null(strstr(q, "format_datetime(t, \"yyyy-MM-dd\")"));
    assert_non_null(strstr(q, "let default_threshold = real(3.5);"));
    xfree(q);

    o.until_us = o.since_us; /* empty window */
    build(&o, CS_E_USAGE);
}

static void
test_values_and_refusals(void **state)
{
    (void)state;
    struct cs_kql_opts o;
    cs_kql_opts_default(&o);
    o.resources[o.n_resources++] = "acs-\"x\\y";
    o.custom_keys[o.n_custom_keys++] = "it's";
    o.app = "my app";
    o.command_line = "callsurvey kql --app 'a\nb'\xE2\x80\xA8x";
    char *q = build(&o, CS_OK);
    /* upper case, \ and " escaped */
    assert_non_null(strstr(q, "let resource_filter = dynamic([\"ACS-\\\"X\\\\Y\"]);"));
    assert_non_null(strstr(q, "let custom_keys = dynamic([\"it's\"]);"));
    assert_non_null(strstr(q, "let answers = app(\"my app\").customEvents\n"));
    /* the header comment stays one line */
    assert_non_null(strstr(q, "// command: callsurvey kql --app 'a?b'?x\n"));
    xfree(q);

    o.events_table = "AppEvents";
    build(&o, CS_E_USAGE); /* --app names customEvents' resource */
    o.app = NULL;
    q = build(&o, CS_OK);
    assert_non_null(strstr(q, "let answers = AppEvents\n"));
    assert_non_null(strstr(q, "tostring(Properties[id_key])"));
    xfree(q);

    cs_kql_opts_default(&o);
    o.custom_keys[o.n_custom_keys++] = "k";
    build(&o, CS_E_USAGE); /* customEvents without --app */
    cs_kql_opts_default(&o);
    o.resources[o.n_resources++] = "a\tb";
    build(&o, CS_E_USAGE); /* a control character */
    cs_kql_opts_default(&o);
    o.events_table = "traces";
    build(&o, CS_E_USAGE);
}

static void
test_by(void **state)
{
    (void)state;
    struct cs_kql_opts o;
    cs_kql_opts_default(&o);
    o.by[o.n_by++] = "call-type";
    o.by[o.n_by++] = "sdk-version";
    char *cols = cs_kql_columns_text(&o);
    /* the dimensions, in the order given, right after resource_id */
    assert_non_null(strstr(cols, "resource_id\tstring\ncall_type\tstring\nsdk_version\tstring\n"
                                 "custom_key\tstring\n"));
    xfree(cols);
    char *q = build(&o, CS_OK);
    assert_non_null(strstr(q, "let legs = ACSCallSummary\n"));
    assert_non_null(strstr(q, "| summarize arg_max(TimeGenerated, EndpointType, ParticipantType, CallType, "
                              "SdkVersion) by LegCall, LegPart, LegEndpoint, LegStart\n"));
    /* the join of store/calls_join.c: by participant, else a call's lone VoIP/ACS leg */
    assert_non_null(strstr(q, "| extend LegOrder = iff(LegStart <= SurveyTime, LegStart, LegStart - 200000d)\n"));
    assert_non_null(strstr(q, "    | where named == 0 and lone == 1\n"));
    assert_non_null(strstr(q, "let survey_legs = union by_participant, by_call;\n"));
    assert_non_null(strstr(q, "| join kind=leftouter survey_legs on SurveyKey | project-away SurveyKey1\n"));
    assert_non_null(strstr(q, "let sdk_group = (v: string) {\n"));
    assert_non_null(strstr(q, "| extend call_type = dim_value(CallType),\n        sdk_version = sdk_group(SdkVersion);\n"));
    assert_null(strstr(q, "let os_group")); /* only the functions the dimensions use */
    assert_non_null(strstr(q, "let keyed = surveys_by |"));
    assert_non_null(strstr(q, "by period, resource_id, call_type, sdk_version\n"));
    xfree(q);
    o.by[o.n_by++] = "call-type";
    build(&o, CS_E_USAGE); /* twice */
    assert_null(cs_kql_columns_text(&o));
    o.n_by = 0;
    o.by[o.n_by++] = "browser";
    build(&o, CS_E_USAGE); /* the custom events' dimensions need an events source */
    o.events_table = "AppEvents";
    o.by[o.n_by++] = "os";
    q = build(&o, CS_OK);
    assert_non_null(strstr(q, "let app_context = AppEvents\n"));
    assert_non_null(strstr(q, "        browser = ctx_value(ClientBrowser);\n"));
    assert_non_null(strstr(q, "let browser_of = app_context | where browser != \"\"\n"));
    assert_non_null(strstr(q, "| join kind=leftouter browser_of on SurveyKey | project-away SurveyKey1\n"));
    assert_non_null(strstr(q, "| extend browser = browser_group(browser),\n        os = os_group(OsVersion);\n"));
    assert_non_null(strstr(q, "let event_name = \"CallSurvey\";"));
    xfree(q);
    o.n_by = 0;
    o.by[o.n_by++] = "os";
    o.by[o.n_by++] = "os-version";
    q = build(&o, CS_OK);
    /* one source column for two dimensions */
    assert_non_null(strstr(q, "| summarize arg_max(TimeGenerated, EndpointType, ParticipantType, OsVersion) "
                              "by LegCall, LegPart, LegEndpoint, LegStart\n"));
    assert_null(strstr(q, "let app_context"));
    xfree(q);
}

/* ---- store/histograms.c ------------------------------------------------ */

struct got {
    char line[64][256];
    size_t n;
};

static cs_status
collect(void *ctx, const struct cs_hist_row *r, struct cs_err *err)
{
    (void)err;
    struct got *g = ctx;
    assert_true(g->n < 64);
    char f[32], l[32];
    snprintf(g->line[g->n++], 256, "%s|%s|%s|%s|%g|%g|%g|%d|%g|%s|%s|%llu|%llu|%llu|%s|%s",
             r->kind, r->period, r->resource_id,
             r->cat >= 0 ? cs_category_name((enum cs_category)r->cat) : "", r->lower,
             r->upper, r->threshold, r->default_scale, r->score, r->tags, r->reason,
             (unsigned long long)r->n, (unsigned long long)r->calls,
             (unsigned long long)r->participants,
             r->first_us ? cs_time_format(r->first_us, f) : "",
             r->last_us ? cs_time_format(r->last_us, l) : "");
    return CS_OK;
}

static struct cs_record
rec(const char *sid, const char *time, const char *call, int cat, double score,
    const char *issues)
{
    struct cs_record r;
    cs_record_clear(&r);
    snprintf(r.survey_id, sizeof r.survey_id, "%s", sid);
    snprintf(r.call_id, sizeof r.call_id, "%s", call);
    snprintf(r.participant_id, sizeof r.participant_id, "p-%s", sid);
    snprintf(r.resource_id, sizeof r.resource_id, "/SUBS/X/COMMUNICATIONSERVICES/ACS-A");
    assert_true(cs_time_parse_iso(time, strlen(time), &r.time_us));
    r.rating[cat].present = r.rating[cat].score_is_num = true;
    r.rating[cat].score = score;
    assert_true(cs_rating_set_issues(&r.rating[cat], (enum cs_category)cat, issues,
                                     strlen(issues)));
    return r;
}

/* kind|period|first dimension|custom key|custom value|n */
static cs_status
collect_split(void *ctx, const struct cs_hist_row *r, struct cs_err *err)
{
    (void)err;
    struct got *g = ctx;
    assert_true(g->n < 64);
    snprintf(g->line[g->n++], 256, "%s|%s|%s|%s|%s|%llu", r->kind, r->period, r->dims[0],
             r->custom_key, r->custom_value, (unsigned long long)r->n);
    return CS_OK;
}

static void
test_histograms_scan(void **state)
{
    (void)state;
    struct cs_store_opts so = {.default_threshold = 2};
    struct cs_store *s;
    struct cs_err e;
    assert_int_equal(cs_store_open(&so, &s, &e), CS_OK);
    struct cs_store_counts c = {0};
    assert_int_equal(cs_store_input_begin(s, "in", &e), CS_OK);
    struct cs_record r[5];
    /* s1 and s2: one tag set listed in two orders, one call; W47 */
    r[0] = rec("s1", "2026-11-16T10:00:00Z", "c1", CS_CAT_OVERALL, 2, "OtherIssues, CannotJoin");
    r[1] = rec("s2", "2026-11-22T23:59:59Z", "c1", CS_CAT_OVERALL, 2, "CallCannotJoin,OtherIssues");
    /* s3: a 0..10 audio rating, W48 (Monday 2026-11-23) */
    r[2] = rec("s3", "2026-11-23T00:00:00Z", "c2", CS_CAT_AUDIO, 7, "");
    r[2].rating[CS_CAT_AUDIO].has_lower = r[2].rating[CS_CAT_AUDIO].has_upper = true;
    r[2].rating[CS_CAT_AUDIO].has_threshold = true;
    r[2].rating[CS_CAT_AUDIO].lower = 0;
    r[2].rating[CS_CAT_AUDIO].upper = 10;
    r[2].rating[CS_CAT_AUDIO].threshold = 5;
    r[3] = r[0]; /* a repeat: merged */
    r[4] = rec("s4", "2026-11-23T01:00:00Z", "", CS_CAT_OVERALL, 5, "");
    assert_int_equal(cs_store_put(s, r, 5, &c, &e), CS_OK);
    struct cs_input_summary sum = {.read = 5, .stored = c.stored, .duplicates = c.duplicates, .updated = c.updated};
    assert_int_equal(cs_store_input_end(s, true, &sum, &e), CS_OK);

    struct got g = {0};
    assert_int_equal(cs_histograms_scan(s, NULL, CS_BUCKET_WEEK, collect, &g, &e), CS_OK);
    const char *res = "/SUBS/X/COMMUNICATIONSERVICES/ACS-A";
    char want[8][256];
    snprintf(want[0], 256, "merged||||0|0|0|0|0|||1|0|0||");
    snprintf(want[1], 256, "rating|2026-W47|%s|overall|1|5|2|1|2|CallCannotJoin,OtherIssues||2|0|0||", res);
    snprintf(want[2], 256, "rating|2026-W48|%s|audio|0|10|5|0|7|||1|0|0||", res);
    snprintf(want[3], 256, "rating|2026-W48|%s|overall|1|5|2|1|5|||1|0|0||", res);
    snprintf(want[4], 256, "total|2026-W47|%s||0|0|0|0|0|||2|1|2|2026-11-16T10:00:00Z|2026-11-22T23:59:59Z", res);
    snprintf(want[5], 256, "total|2026-W48|%s||0|0|0|0|0|||2|1|2|2026-11-23T00:00:00Z|2026-11-23T01:00:00Z", res);
    assert_int_equal(g.n, 6);
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(g.line[i], want[i]);

    /* day buckets and a window: only s3 and s4 */
    struct cs_filter f = {.has_since = true};
    assert_true(cs_time_parse_iso("2026-11-23", 10, &f.since_us));
    memset(&g, 0, sizeof g);
    assert_int_equal(cs_histograms_scan(s, &f, CS_BUCKET_DAY, collect, &g, &e), CS_OK);
    assert_int_equal(g.n, 4); /* merged, two ratings, one total */
    assert_string_equal(g.line[3], "total|2026-11-23|/SUBS/X/COMMUNICATIONSERVICES/ACS-A||0|0|0|0|0|||2|1|2|2026-11-23T00:00:00Z|2026-11-23T01:00:00Z");

    /* --by without call summaries: every survey "unknown"; no events: the
     * custom key's rows have no answers; the plain rows come first */
    const char *by[] = {"os"}, *keys[] = {"nps"};
    struct cs_hist_split sp = {.by = by, .n_by = 1, .custom_keys = keys, .n_custom_keys = 1};
    memset(&g, 0, sizeof g);
    assert_int_equal(cs_histograms_scan_by(s, NULL, CS_BUCKET_WEEK, &sp, collect_split, &g, &e), CS_OK);
    assert_int_equal(g.n, 11); /* merged, 2 x 3 ratings, 2 x 2 totals */
    assert_string_equal(g.line[0], "merged|||||1");
    assert_string_equal(g.line[1], "rating|2026-W47|unknown|||2");
    assert_string_equal(g.line[2], "rating|2026-W47|unknown|nps||2");
    assert_string_equal(g.line[10], "total|2026-W48|unknown|nps||2");
    /* a name that is no dimension, or one given twice */
    const char *bad[] = {"os", "colour"}, *twice[] = {"os", "os"};
    sp = (struct cs_hist_split){.by = bad, .n_by = 2};
    assert_int_equal(cs_histograms_scan_by(s, NULL, CS_BUCKET_WEEK, &sp, collect_split, &g, &e), CS_E_USAGE);
    sp.by = twice;
    assert_int_equal(cs_histograms_scan_by(s, NULL, CS_BUCKET_WEEK, &sp, collect_split, &g, &e), CS_E_USAGE);
    cs_store_close(&s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_columns),
        cmocka_unit_test(test_window_and_bucket),
        cmocka_unit_test(test_values_and_refusals),
        cmocka_unit_test(test_by),
        cmocka_unit_test(test_histograms_scan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
