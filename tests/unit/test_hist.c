/* Unit tests for ingest/hist_read.c (the three forms of a histograms table)
 * and store/hist_load.c + store/hist_cube.c (the cube from them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ctime.h"
#include "core/mem.h"
#include "ingest/hist_read.h"
#include "store/hist_load.h"
#include "store/query.h"
#include "store/store.h"
#include "testutil.h"

static const struct cs_hist_colspec cols[] = {
    {"row_kind", "string"}, {"period", "string"}, {"resource_id", "string"}, {"custom_key", "string"}, {"custom_value", "string"}, {"category", "string"}, {"lower", "real"}, {"upper", "real"}, {"threshold", "real"}, {"default_scale", "bool"}, {"score", "real"}, {"tags", "string"}, {"reason", "string"}, {"n", "long"}, {"calls", "long"}, {"participants", "long"}, {"first_time", "datetime"}, {"last_time", "datetime"}};
static const struct cs_hist_read_opts ro = {cols, sizeof cols / sizeof *cols, CS_DATE_MDY};

#define HEAD                                                                              \
    "row_kind,period,resource_id,custom_key,custom_value,category,lower,upper,threshold," \
    "default_scale,score,tags,reason,n,calls,participants,first_time,last_time\n"

struct got {
    struct cs_hist_row_in r[8];
    char period[8][16];
    size_t n;
};

static cs_status
keep(void *ctx, const struct cs_hist_row_in *r, struct cs_err *err)
{
    (void)err;
    struct got *g = ctx;
    if (g->n < 8) {
        g->r[g->n] = *r;
        snprintf(g->period[g->n], 16, "%s", r->period);
        g->n++;
    }
    return CS_OK;
}

static cs_status
read_text(const char *text, struct got *g, struct cs_err *e)
{
    memset(g, 0, sizeof *g);
    cs_err_clear(e);
    const char *p = tu_tmpfile(text, strlen(text));
    struct cs_hist_file_info info;
    cs_status st = cs_hist_read(p, &ro, keep, g, &info, e);
    unlink(p);
    return st;
}

static void
test_periods(void **state)
{
    (void)state;
    struct got g;
    struct cs_err e;
    /* 2020 has an ISO week 53 (it began on a Wednesday of a leap year);
     * W53 starts on Monday 2020-12-28 */
    assert_int_equal(read_text(HEAD "total,2020-W53,,,,,,,,,,,,4,2,4,2020-12-29T00:00:00Z,"
                                    "2020-12-30T00:00:00Z\n",
                               &g, &e),
                     CS_OK);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.r[0].p_start, cs_days_from_civil(2020, 12, 28) * CS_US_PER_DAY);
    assert_int_equal(g.r[0].p_end - g.r[0].p_start, 7 * CS_US_PER_DAY);
    assert_int_equal(g.r[0].bucket_week, 202053);
    assert_int_equal(g.r[0].calls, 2);
    /* 2021 has no week 53; February has no 30th */
    assert_int_equal(read_text(HEAD "total,2021-W53,,,,,,,,,,,,4,2,4,2021-12-29T00:00:00Z,"
                                    "2021-12-30T00:00:00Z\n",
                               &g, &e),
                     CS_E_PARSE);
    assert_non_null(strstr(e.msg, "line 2: column 'period'"));
    assert_int_equal(read_text(HEAD "rating,2026-02-30,,,,overall,1,5,2,true,1,,,1,,,,\n", &g, &e),
                     CS_E_PARSE);
    /* a day: its ISO week for weekly trends (Sunday 2026-11-22 is in W47) */
    assert_int_equal(read_text(HEAD "rating,2026-11-22,,,,audio,1,5,2,True,1,AudioEcho,,7,,,,\n",
                               &g, &e),
                     CS_OK);
    assert_true(g.r[0].period_day);
    assert_int_equal(g.r[0].bucket_week, 202647);
    assert_int_equal(g.r[0].bucket_day, cs_days_from_civil(2026, 11, 22));
    assert_int_equal(g.r[0].cat, CS_CAT_AUDIO);
    assert_true(g.r[0].default_scale);
    assert_int_equal(g.r[0].n, 7);
}

static void
test_json_forms(void **state)
{
    (void)state;
    struct got g;
    struct cs_err e;
    /* az -o json: strings everywhere, TableName ignored, a missing key is null */
    const char *arr =
        "[{\"row_kind\":\"total\",\"period\":\"2026-W47\",\"resource_id\":\"/R/ACS-A\","
        "\"custom_key\":\"\",\"custom_value\":\"\",\"category\":\"\",\"lower\":\"\","
        "\"upper\":\"\",\"threshold\":\"\",\"default_scale\":\"\",\"score\":\"\",\"tags\":\"\","
        "\"reason\":\"\",\"n\":\"12\",\"calls\":\"7\",\"participants\":\"12\","
        "\"first_time\":\"2026-11-17T10:00:00.1234567Z\",\"last_time\":\"2026-11-18T00:00:00Z\","
        "\"TableName\":\"PrimaryResult\"},"
        "{\"row_kind\":\"merged\",\"period\":\"\",\"resource_id\":\"\",\"custom_key\":\"\","
        "\"custom_value\":\"\",\"n\":\"3\"}]";
    assert_int_equal(read_text(arr, &g, &e), CS_OK);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.r[0].n, 12);
    assert_int_equal(g.r[0].calls, 7);
    int64_t t;
    assert_true(cs_time_parse_iso("2026-11-17T10:00:00.123456Z", 27, &t));
    assert_int_equal(g.r[0].first_us, t);
    assert_int_equal(g.r[1].kind, CS_HK_MERGED);
    assert_int_equal(g.r[1].n, 3);
    /* az's output for a query that found nothing: no rows, not an error */
    assert_int_equal(read_text("[]\n", &g, &e), CS_OK);
    assert_int_equal(g.n, 0);
    /* {"tables"}: typed values; a count that is not whole is named */
    const char *tab = "{\"tables\":[{\"name\":\"PrimaryResult\",\"columns\":["
                      "{\"name\":\"row_kind\",\"type\":\"string\"},{\"name\":\"period\",\"type\":\"string\"},"
                      "{\"name\":\"resource_id\",\"type\":\"string\"},{\"name\":\"custom_key\",\"type\":\"string\"},"
                      "{\"name\":\"custom_value\",\"type\":\"string\"},{\"name\":\"category\",\"type\":\"string\"},"
                      "{\"name\":\"lower\",\"type\":\"real\"},{\"name\":\"upper\",\"type\":\"real\"},"
                      "{\"name\":\"threshold\",\"type\":\"real\"},{\"name\":\"default_scale\",\"type\":\"bool\"},"
                      "{\"name\":\"score\",\"type\":\"real\"},{\"name\":\"tags\",\"type\":\"string\"},"
                      "{\"name\":\"reason\",\"type\":\"string\"},{\"name\":\"n\",\"type\":\"long\"},"
                      "{\"name\":\"calls\",\"type\":\"long\"},{\"name\":\"participants\",\"type\":\"long\"},"
                      "{\"name\":\"first_time\",\"type\":\"datetime\"},{\"name\":\"last_time\",\"type\":\"datetime\"}],"
                      "\"rows\":[[\"rating\",\"2026-W47\",\"\",\"\",\"\",\"video\",0,10,4,false,3.5,"
                      "\"VideoFrozen\",\"\",2.5,null,null,null,null]]}]}";
    assert_int_equal(read_text(tab, &g, &e), CS_E_PARSE);
    assert_non_null(strstr(e.msg, "row 0: column 'n': '2.5' is not a count"));
}

static cs_status
put(void *ctx, const struct cs_hist_row_in *r, struct cs_err *err)
{
    return cs_hist_load_row(ctx, r, err);
}

/* Two files with the same (period, resource) total: the surveys add, the
 * distinct calls add (an upper bound, counted as an overlap); the cube's
 * cells add per key.  Worked out by hand. */
static void
test_store_merge(void **state)
{
    (void)state;
    const char *a = HEAD "rating,2026-W47,/R/ACS-A,,,overall,1,5,2,true,1,CallCannotJoin,,2,,,,\n"
                         "rating,2026-W47,/R/ACS-A,,,overall,1,5,2,true,4,,,3,,,,\n"
                         "total,2026-W47,/R/ACS-A,,,,,,,,,,,5,4,5,2026-11-16T01:00:00Z,"
                         "2026-11-18T00:00:00Z\n";
    const char *b = HEAD "rating,2026-W47,/R/ACS-A,,,overall,1,5,2,true,1,CallCannotJoin,,1,,,,\n"
                         "total,2026-W47,/R/ACS-A,,,,,,,,,,,1,1,1,2026-11-19T00:00:00Z,"
                         "2026-11-20T00:00:00Z\n"
                         "reject,,,,,,,,,,,,At least one survey rating is required.,2,,,,\n";
    struct cs_store_opts so = {.default_threshold = 2};
    struct cs_store *s = NULL;
    struct cs_err e;
    cs_err_clear(&e);
    assert_int_equal(cs_store_open(&so, &s, &e), CS_OK);
    assert_int_equal(cs_hist_prepare_store(s, &e), CS_OK);
    assert_true(cs_store_is_hist(s));
    const char *texts[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        const char *p = tu_tmpfile(texts[i], strlen(texts[i]));
        struct cs_hist_load *l = NULL;
        struct cs_hist_file_info info;
        assert_int_equal(cs_hist_load_begin(s, p, &l, &e), CS_OK);
        assert_int_equal(cs_hist_read(p, &ro, put, l, &info, &e), CS_OK);
        assert_int_equal(cs_hist_load_end(&l, true, &info, &e), CS_OK);
        unlink(p);
    }
    struct cs_hist_summary sum;
    assert_int_equal(cs_hist_finish(s, &sum, &e), CS_OK);
    assert_int_equal(sum.files, 2);
    assert_int_equal(sum.surveys, 6);
    assert_int_equal(sum.overlaps, 1);
    struct cs_cube c;
    assert_int_equal(cs_query_cube(s, NULL, CS_BUCKET_WEEK, &c, &e), CS_OK);
    assert_int_equal(c.totals.surveys, 6);
    assert_int_equal(c.totals.calls, 5);
    assert_int_equal(c.totals.rejected, 2);
    assert_int_equal(c.n_cells, 2); /* score 1 (3 responses, poor, tagged), score 4 (3) */
    assert_true(c.cells[0].score == 1 && c.cells[0].count == 3 && c.cells[0].poor);
    assert_int_equal(c.cells[0].mask, 1u << cs_tag_find(CS_CAT_OVERALL, "CallCannotJoin", 14));
    assert_int_equal(c.cells[0].bucket, 202647);
    assert_true(c.cells[1].score == 4 && c.cells[1].count == 3 && !c.cells[1].poor);
    cs_cube_free(&c);
    /* the merged (W47, ACS-A) group's surveys run from Monday to Friday: a
     * window from Wednesday noon cuts them and is refused; from Monday
     * 00:00 the whole week counts */
    struct cs_filter f = {.has_since = true};
    assert_true(cs_time_parse_iso("2026-11-18T12:00:00Z", 20, &f.since_us));
    assert_int_equal(cs_query_cube(s, &f, CS_BUCKET_NONE, &c, &e), CS_E_USAGE);
    cs_cube_free(&c);
    assert_true(cs_time_parse_iso("2026-11-16T00:00:00Z", 20, &f.since_us));
    assert_int_equal(cs_query_cube(s, &f, CS_BUCKET_NONE, &c, &e), CS_OK);
    assert_int_equal(c.totals.surveys, 6);
    cs_cube_free(&c);
    cs_store_close(&s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_periods),
        cmocka_unit_test(test_json_forms),
        cmocka_unit_test(test_store_merge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
