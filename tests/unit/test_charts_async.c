/* Unit tests for report/charts_async.c (issue 22): chart sections drawn on
 * a second thread give the same files, byte for byte, listed in the same
 * order as sections drawn in line; files are listed only when the caller
 * waits; a section's error comes back from the wait, naming the file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ctime.h"
#include "core/mem.h"
#include "report/charts.h"
#include "report/charts_async.h"
#include "report/model.h"
#include "store/store.h"

static struct cs_store *S;
static struct cs_report_model *M;
static char tmp[64];

/* 40 overall ratings on the default scale over two weeks; every fifth
 * reports HadToRejoin. */
static int
setup(void **state)
{
    (void)state;
    struct cs_store_opts o = {.default_threshold = 2};
    struct cs_err e;
    if (cs_store_open(&o, &S, &e))
        return -1;
    int64_t w47 = cs_days_from_civil(2026, 11, 16) * CS_US_PER_DAY;
    struct cs_record r[40];
    for (int i = 0; i < 40; i++) {
        cs_record_clear(&r[i]);
        snprintf(r[i].survey_id, sizeof r[i].survey_id, "s%d", i);
        snprintf(r[i].call_id, sizeof r[i].call_id, "c%d", i);
        snprintf(r[i].participant_id, sizeof r[i].participant_id, "p%d", i);
        snprintf(r[i].resource_id, sizeof r[i].resource_id, "/SUBS/1/COMMUNICATIONSERVICES/ACS-A");
        r[i].time_us = w47 + (int64_t)i * 8 * 3600 * CS_US_PER_S; /* 13 days */
        struct cs_rating *rt = &r[i].rating[CS_CAT_OVERALL];
        rt->present = rt->score_is_num = true;
        rt->score = 1 + i % 5;
        if (i % 5 == 0)
            cs_rating_set_issues(rt, CS_CAT_OVERALL, "HadToRejoin", 11);
    }
    struct cs_store_counts c = {0};
    cs_store_input_begin(S, "fixture", &e);
    if (cs_store_put(S, r, 40, &c, &e) || cs_store_input_end(S, true, NULL, &e))
        return -1;
    struct cs_model_opts mo = {.bucket = CS_BUCKET_WEEK, .min_n = 30};
    if (cs_report_model_build(S, &mo, &M, &e))
        return -1;
    snprintf(tmp, sizeof tmp, "/tmp/test_charts_async.XXXXXX");
    return mkdtemp(tmp) ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
    if (system(cmd) != 0)
        return -1;
    cs_report_model_free(&M);
    cs_store_close(&S);
    return 0;
}

struct list {
    char *names[40]; /* the file names (after the last '/') */
    size_t n;
};

static void
record(void *ctx, const char *path)
{
    struct list *l = ctx;
    const char *b = strrchr(path, '/');
    assert_true(l->n < 40);
    l->names[l->n++] = xstrdup(b ? b + 1 : path);
}

static void
list_free(struct list *l)
{
    for (size_t i = 0; i < l->n; i++)
        xfree(l->names[i]);
    l->n = 0;
}

static const enum cs_chart_section sections[3] = {CS_CHARTS_DISTRIBUTION, CS_CHARTS_ISSUES,
                                                  CS_CHARTS_TREND};

static char *
slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *b = xmalloc(1 << 20);
    *n = fread(b, 1, 1 << 20, f);
    fclose(f);
    return b;
}

/* n sections (the three in turn) into tmp/NAME, in line: files in *l. */
static void
draw_inline(const char *name, int n, struct list *l, char *dir, size_t dn)
{
    struct cs_err e;
    snprintf(dir, dn, "%s/%s", tmp, name);
    assert_int_equal(mkdir(dir, 0755), 0);
    struct cs_charts *c = NULL;
    assert_int_equal(cs_charts_open(M, dir, CS_CHART_PNG, NULL, record, l, &c, &e), CS_OK);
    for (int i = 0; i < n; i++)
        assert_int_equal(cs_charts_section(c, sections[i % 3], -1, &e), CS_OK);
    assert_int_equal(cs_charts_close(&c, true, NULL, &e), CS_OK);
}

/* The same by the workers: nothing is listed before the wait. */
static void
draw_async(const char *name, int n, struct list *l, char *dir, size_t dn)
{
    struct cs_err e;
    snprintf(dir, dn, "%s/%s", tmp, name);
    assert_int_equal(mkdir(dir, 0755), 0);
    struct cs_charts *c = NULL;
    struct cs_charts_async *a = cs_charts_async_new(record, l);
    assert_int_equal(cs_charts_open(M, dir, CS_CHART_PNG, NULL, cs_charts_async_on_file, a, &c, &e),
                     CS_OK);
    assert_true(cs_charts_concurrent(c));
    cs_charts_async_start(a, c);
    for (int i = 0; i < n; i++)
        assert_int_equal(cs_charts_async_section(a, sections[i % 3], -1, &e), CS_OK);
    assert_int_equal(l->n, 0);
    assert_int_equal(cs_charts_async_wait(a, &e), CS_OK);
    assert_true(cs_charts_async_seconds(a) > 0);
    assert_int_equal(cs_charts_close(&c, true, NULL, &e), CS_OK);
    assert_int_equal(cs_charts_async_end(&a, &e), CS_OK);
    assert_null(a);
}

static void
test_same_files_same_order(void **state)
{
    (void)state;
    char da[128], db[128];
    struct list la = {0}, lb = {0};
    draw_inline("inline", 3, &la, da, sizeof da);
    draw_async("async", 3, &lb, db, sizeof db);
    /* the order charts.c draws a group in: distribution, issue bars, issue
     * pie (HadToRejoin was mentioned), poor-rate trend, mean trend; one
     * scale, so the stems name only the category */
    static const char *want[] = {"overall-distribution.png", "overall-issues.png",
                                 "overall-issues-pie.png", "trend-poor-rate-overall.png",
                                 "trend-mean-overall.png"};
    assert_int_equal(la.n, 5);
    assert_int_equal(lb.n, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(la.names[i], want[i]);
        assert_string_equal(lb.names[i], want[i]);
        char pa[256], pb[256];
        snprintf(pa, sizeof pa, "%s/charts/%s", da, want[i]);
        snprintf(pb, sizeof pb, "%s/charts/%s", db, want[i]);
        size_t na, nb;
        char *ba = slurp(pa, &na), *bb = slurp(pb, &nb);
        assert_true(na > 1000);
        assert_int_equal(na, nb);
        assert_memory_equal(ba, bb, na);
        xfree(ba);
        xfree(bb);
    }
    list_free(&la);
    list_free(&lb);
}

/* Twenty-one sections queued at once (more than the queue first holds, so
 * it grows while the two workers draw): the files in the order drawn in
 * line, and the charts identical. */
static void
test_many_sections_in_order(void **state)
{
    (void)state;
    char da[128], db[128];
    struct list la = {0}, lb = {0};
    draw_inline("inline21", 21, &la, da, sizeof da);
    draw_async("async21", 21, &lb, db, sizeof db);
    assert_int_equal(la.n, 35);
    assert_int_equal(lb.n, 35);
    char pa[300], pb[300];
    for (size_t i = 0; i < 35; i++) {
        assert_string_equal(la.names[i], lb.names[i]);
        snprintf(pa, sizeof pa, "%s/charts/%s", da, la.names[i]);
        snprintf(pb, sizeof pb, "%s/charts/%s", db, lb.names[i]);
        size_t n1, n2;
        char *b1 = slurp(pa, &n1), *b2 = slurp(pb, &n2);
        assert_int_equal(n1, n2);
        assert_memory_equal(b1, b2, n1);
        xfree(b1);
        xfree(b2);
    }
    list_free(&la);
    list_free(&lb);
}

static void
test_error_comes_back(void **state)
{
    (void)state;
    struct cs_err e;
    char d[128], cd[160];
    snprintf(d, sizeof d, "%s/broken", tmp);
    assert_int_equal(mkdir(d, 0755), 0);
    struct list l = {0};
    struct cs_charts_async *a = cs_charts_async_new(record, &l);
    struct cs_charts *c = NULL;
    assert_int_equal(cs_charts_open(M, d, CS_CHART_PNG, NULL, cs_charts_async_on_file, a, &c, &e),
                     CS_OK);
    /* charts/ replaced by a file: no chart can be created in it */
    snprintf(cd, sizeof cd, "%s/charts", d);
    assert_int_equal(rmdir(cd), 0);
    FILE *f = fopen(cd, "w");
    assert_non_null(f);
    fclose(f);
    cs_charts_async_start(a, c);
    assert_int_equal(cs_charts_async_section(a, CS_CHARTS_DISTRIBUTION, -1, &e), CS_OK);
    assert_int_equal(cs_charts_async_section(a, CS_CHARTS_TREND, -1, &e) == CS_OK ||
                         e.code == CS_E_IO,
                     1); /* the first may have failed already */
    assert_int_equal(cs_charts_async_wait(a, &e), CS_E_IO);
    assert_non_null(strstr(e.where, "overall-distribution.png"));
    assert_int_equal(l.n, 0);
    assert_int_equal(cs_charts_close(&c, false, NULL, &e), CS_OK);
    assert_int_equal(cs_charts_async_end(&a, &e), CS_E_IO); /* still the first error */
    assert_non_null(strstr(e.where, "overall-distribution.png"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_files_same_order),
        cmocka_unit_test(test_many_sections_in_order),
        cmocka_unit_test(test_error_comes_back),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
