/* Unit tests for report templates (report/template*.c) and the read-only
 * SQL runner (store/runner.c): the built-in templates load and validate;
 * every bad template in tests/templates/ gives the exact message and line
 * its first line announces ("# expect: LINE: MESSAGE"; adding a case is
 * adding a file); default sheet and chart names; finding and listing
 * templates; parameter values; and the runner on a small in-memory store:
 * right rows and numbers, writes and tricks refused with a clear message,
 * and a quoted parameter value that cannot change the query.
 *
 * Run from the repository root, or set CS_SRCDIR to it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ctime.h"
#include "core/mem.h"
#include "ingest/ingest.h"
#include "report/report.h"
#include "report/template.h"
#include "store/runner.h"
#include "store/store.h"

static char *root; /* "" or "$CS_SRCDIR/" */

static char *
src_path(const char *rel)
{
    return xasprintf("%s%s", root, rel);
}

static struct cs_template *
load_ok(const char *rel)
{
    char *p = src_path(rel);
    struct cs_template *t = NULL;
    struct cs_err e;
    cs_err_clear(&e);
    char buf[1024];
    if (cs_template_load(p, &t, &e) != CS_OK)
        fail_msg("%s: %s", rel, cs_err_format(&e, buf, sizeof buf));
    xfree(p);
    return t;
}

static struct cs_template *
load_text(const char *yaml)
{
    struct cs_template *t = NULL;
    struct cs_err e;
    cs_err_clear(&e);
    char buf[1024];
    if (cs_template_load_data("t.yaml", yaml, strlen(yaml), &t, &e) != CS_OK)
        fail_msg("%s", cs_err_format(&e, buf, sizeof buf));
    return t;
}

/* ==== built-in templates ================================================ */

static void
test_builtins_load(void **state)
{
    (void)state;
    struct cs_template *t = load_ok("templates/weekly-review.yaml");
    assert_string_equal(t->name, "weekly-review");
    assert_int_equal(t->n_steps, 6);
    const enum cs_section want[] = {CS_SECTION_SUMMARY, CS_SECTION_DISTRIBUTION,
                                    CS_SECTION_ISSUES, CS_SECTION_TREND,
                                    CS_SECTION_CUSTOM, CS_SECTION_DATA_QUALITY};
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(t->steps[i].section, want[i]);
        assert_int_equal(t->steps[i].category, -1);
        assert_non_null(t->steps[i].title);
        assert_true(t->steps[i].line > 0);
    }
    assert_int_equal(t->steps[3].render, CS_RENDER_LINE);
    assert_true(t->description[0] != '\0');
    cs_template_free(&t);
    assert_null(t);

    t = load_ok("templates/release-compare.yaml");
    assert_int_equal(t->steps[0].section, CS_SECTION_COMPARE);
    bool has_dist = false;
    for (size_t i = 0; i < t->n_steps; i++)
        has_dist |= t->steps[i].section == CS_SECTION_DISTRIBUTION;
    assert_true(has_dist);
    cs_template_free(&t);

    /* release-review: breakdown steps name their dimension, with its own
     * sheet and chart stem */
    t = load_ok("templates/release-review.yaml");
    static const char *const dims[] = {"sdk-version", "app-version", "os", "end-reason",
                                       "call-type", "endpoint-type"};
    size_t k = 0;
    for (size_t i = 0; i < t->n_steps; i++) {
        const struct cs_template_step *st = &t->steps[i];
        if (st->section != CS_SECTION_BREAKDOWN)
            continue;
        assert_true(k < 6);
        assert_string_equal(st->x, dims[k++]);
        char b[128];
        snprintf(b, sizeof b, "By %s", st->x);
        char got[128];
        assert_string_equal(cs_template_sheet_name(st, -1, got, sizeof got), b);
        snprintf(b, sizeof b, "breakdown-%s", st->x);
        assert_string_equal(cs_template_chart_name(st, -1, got, sizeof got), b);
    }
    assert_int_equal(k, 6);
    cs_template_free(&t);

    t = load_ok("templates/export.yaml");
    assert_int_equal(t->n_steps, 3);
    for (size_t i = 0; i < t->n_steps; i++) {
        enum cs_section s = t->steps[i].section;
        assert_true(s == CS_SECTION_DATA || s == CS_SECTION_CUSTOM ||
                    s == CS_SECTION_DATA_QUALITY);
        assert_false(cs_render_is_chart(t->steps[i].render));
    }
    cs_template_free(&t);

    t = load_ok("templates/examples/custom-breakdown.yaml");
    assert_int_equal(t->n_params, 1);
    assert_string_equal(t->params[0].name, "question");
    assert_string_equal(t->params[0].default_value, "rating_reason");
    const struct cs_template_step *q = &t->steps[1];
    assert_int_equal(q->section, CS_SECTION_QUERY);
    assert_int_equal(q->render, CS_RENDER_COLUMN2Y);
    assert_string_equal(q->x, "answer");
    assert_string_equal(q->y2, "responses");
    assert_int_equal(q->n_formats, 3);
    assert_string_equal(q->formats[0].format, "0.0%");
    assert_true(q->lines.x > q->lines.query);
    cs_template_free(&t);
    cs_template_free(&t); /* NULL: no-op */
}

/* ==== bad templates: data-driven ======================================== */

static void
test_bad_templates(void **state)
{
    (void)state;
    char *dir = src_path("tests/templates");
    DIR *d = opendir(dir);
    assert_non_null(d);
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".yaml") == 0) {
            names = xreallocarray(names, n + 1, sizeof *names);
            names[n++] = xstrdup(e->d_name);
        }
    }
    closedir(d);
    /* the cases the issue names must be among them */
    const char *required[] = {"bad-unknown-key.yaml", "bad-wrong-type.yaml",
                              "bad-unknown-render.yaml", "bad-sheet-chars.yaml",
                              "bad-duplicate-sheet.yaml", "bad-missing-query.yaml",
                              "bad-both.yaml", "bad-yaml-syntax.yaml"};
    for (size_t r = 0; r < sizeof required / sizeof *required; r++) {
        bool found = false;
        for (size_t i = 0; i < n; i++)
            found |= strcmp(names[i], required[r]) == 0;
        if (!found)
            fail_msg("tests/templates/%s is missing", required[r]);
    }
    size_t failures = 0;
    for (size_t i = 0; i < n; i++) {
        char *path = xasprintf("%s/%s", dir, names[i]);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        char first[1024] = "";
        if (!fgets(first, sizeof first, f))
            first[0] = '\0';
        fclose(f);
        first[strcspn(first, "\n")] = '\0';
        unsigned line;
        int off = 0;
        if (sscanf(first, "# expect: %u: %n", &line, &off) != 1 || off == 0)
            fail_msg("%s: first line must be '# expect: LINE: MESSAGE'", path);
        char *want = xasprintf("%s:%u: %s", path, line, first + off);
        struct cs_template *t = NULL;
        struct cs_err e;
        cs_err_clear(&e);
        cs_status s = cs_template_load(path, &t, &e);
        char got[1024];
        cs_err_format(&e, got, sizeof got);
        if (s != CS_E_TEMPLATE || strcmp(got, want) != 0) {
            print_error("%s\n  want: %s\n  got:  %s (status %d)\n", names[i],
                        want, s == CS_OK ? "(loaded)" : got, (int)s);
            failures++;
        }
        assert_null(t);
        cs_template_free(&t);
        xfree(want);
        xfree(path);
        xfree(names[i]);
    }
    xfree(names);
    xfree(dir);
    assert_true(n >= 20);
    assert_int_equal(failures, 0);
}

static void
test_load_errors(void **state)
{
    (void)state;
    struct cs_template *t = NULL;
    struct cs_err e;
    char buf[1024];
    /* unreadable file: an I/O error naming it */
    cs_err_clear(&e);
    assert_int_equal(cs_template_load("/nonexistent/x.yaml", &t, &e), CS_E_IO);
    assert_string_equal(e.where, "/nonexistent/x.yaml");
    assert_null(t);
    /* in-memory text uses the given name */
    const char *y = "title: T\nsteps:\n  - title: a\n    query: SELECT 1\n"
                    "    render: line\n    x: a\n    y: b\n    y2: c\n";
    cs_err_clear(&e);
    assert_int_equal(cs_template_load_data("mem.yaml", y, strlen(y), &t, &e),
                     CS_E_TEMPLATE);
    assert_string_equal(cs_err_format(&e, buf, sizeof buf),
                        "mem.yaml:8: step 1 'a': y2 applies only to render column2y");
    /* a title that makes an invalid sheet name needs sheet: */
    y = "title: T\nsteps:\n  - title: History\n    query: SELECT 1\n";
    assert_int_equal(cs_template_load_data("m.yaml", y, strlen(y), &t, &e),
                     CS_E_TEMPLATE);
    assert_string_equal(cs_err_format(&e, buf, sizeof buf),
                        "m.yaml:3: step 1 'History': the sheet name 'History' "
                        "taken from the title is reserved by Excel; set sheet:");
    /* a second document */
    y = "title: T\nsteps: [{title: a, section: summary}]\n---\ntitle: U\n";
    assert_int_equal(cs_template_load_data("m.yaml", y, strlen(y), &t, &e),
                     CS_E_TEMPLATE);
    assert_string_equal(e.where, "m.yaml:3");
    /* nested unknown key */
    y = "title: T\nsteps:\n  - title: a\n    query: SELECT 1 AS n\n"
        "    formats:\n      - {column: n, fmt: x}\n";
    assert_int_equal(cs_template_load_data("m.yaml", y, strlen(y), &t, &e),
                     CS_E_TEMPLATE);
    assert_string_equal(cs_err_format(&e, buf, sizeof buf),
                        "m.yaml:6: step 1, format 1: unknown key 'fmt' "
                        "(known keys: column, format)");
    assert_null(t);
    /* a breakdown step needs x:, a release dimension */
    y = "title: T\nsteps:\n  - title: b\n    section: breakdown\n";
    assert_int_equal(cs_template_load_data("m.yaml", y, strlen(y), &t, &e), CS_E_TEMPLATE);
    assert_string_equal(cs_err_format(&e, buf, sizeof buf),
                        "m.yaml:3: step 1 'b': section breakdown needs x: (the release "
                        "dimension, e.g. sdk-version)");
    y = "title: T\nsteps:\n  - title: b\n    section: breakdown\n    x: sdk\n";
    assert_int_equal(cs_template_load_data("m.yaml", y, strlen(y), &t, &e), CS_E_TEMPLATE);
    assert_string_equal(cs_err_format(&e, buf, sizeof buf),
                        "m.yaml:5: step 1 'b': x: 'sdk' is not a release dimension "
                        "(sdk-version, os, os-version, endpoint-type, participant-type, "
                        "call-type, end-reason, app-version, browser, client-os)");
    assert_null(t);
}

/* ==== default names ===================================================== */

static void
test_names(void **state)
{
    (void)state;
    struct cs_template *t = load_text(
        "title: Names\n"
        "steps:\n"
        "  - {title: Scores, section: distribution}\n"
        "  - {title: Audio issues, section: issues, category: audio}\n"
        "  - {title: Tags, section: issues, chart: tags}\n"
        "  - {title: Trend, section: trend}\n"
        "  - {title: 'Q3: poor/fine [all] ééééééééééééééééééééé', query: SELECT 1 AS a, render: pie, x: a, y: a}\n"
        "  - {title: Rows, query: SELECT 1}\n");
    char sheet[128], chart[80];
    const struct cs_template_step *s = t->steps;
    assert_string_equal(cs_template_sheet_name(&s[0], CS_CAT_SCREENSHARE, sheet, sizeof sheet),
                        "Screen share");
    assert_string_equal(cs_template_chart_name(&s[0], CS_CAT_AUDIO, chart, sizeof chart),
                        "audio-distribution");
    assert_string_equal(cs_template_sheet_name(&s[1], -1, sheet, sizeof sheet),
                        "Audio issues");
    assert_string_equal(cs_template_chart_name(&s[1], -1, chart, sizeof chart),
                        "audio-issues");
    assert_string_equal(cs_template_sheet_name(&s[2], CS_CAT_VIDEO, sheet, sizeof sheet),
                        "Issues");
    assert_string_equal(cs_template_chart_name(&s[2], CS_CAT_VIDEO, chart, sizeof chart),
                        "tags-video");
    assert_string_equal(cs_template_chart_name(&s[3], CS_CAT_VIDEO, chart, sizeof chart),
                        "trend-poor-rate");
    /* forbidden characters become '-', cut at 31 characters (not bytes) */
    cs_template_sheet_name(&s[4], -1, sheet, sizeof sheet);
    assert_string_equal(sheet, "Q3- poor-fine -all- ééééééééééé");
    assert_int_equal(strlen(sheet), 20 + 2 * 11);
    assert_string_equal(cs_template_chart_name(&s[4], -1, chart, sizeof chart),
                        "q3-poor-fine-all");
    /* a table draws no chart */
    assert_string_equal(cs_template_chart_name(&s[5], -1, chart, sizeof chart), "");
    assert_string_equal(cs_render_name(CS_RENDER_COLUMN2Y), "column2y");
    assert_string_equal(cs_section_name(CS_SECTION_DATA_QUALITY), "data_quality");
    assert_string_equal(cs_param_type_name(CS_PARAM_TIME), "time");
    cs_template_free(&t);
}

/* ==== finding and listing =============================================== */

static void
test_dirs_and_find(void **state)
{
    (void)state;
    char **dirs;
    size_t n;
    cs_template_dirs("/a::/b", "/opt/cs/bin/callsurvey", &dirs, &n);
    assert_int_equal(n, 5);
    assert_string_equal(dirs[0], "/a");
    assert_string_equal(dirs[1], "/b");
    assert_string_equal(dirs[2], "/opt/cs/bin/../share/callsurvey/templates");
    assert_string_equal(dirs[3], "/opt/cs/bin/../templates");
    assert_string_equal(dirs[4], "templates");
    cs_template_dirs_free(&dirs, n);
    assert_null(dirs);
    cs_template_dirs(NULL, NULL, &dirs, &n); /* /proc/self/exe */
    assert_true(n >= 1);
    assert_string_equal(dirs[n - 1], "templates");
    cs_template_dirs_free(&dirs, n);

    char *tdir = src_path("templates");
    char *const search[] = {(char *)"/nonexistent-dir", tdir};
    char *path = NULL;
    struct cs_err e;
    cs_err_clear(&e);
    assert_int_equal(cs_template_find("weekly-review", search, 2, &path, &e), CS_OK);
    char *want = xasprintf("%s/weekly-review.yaml", tdir);
    assert_string_equal(path, want);
    xfree(want);
    xfree(path);
    /* a file path is used as given */
    char *file = src_path("templates/examples/custom-breakdown.yaml");
    assert_int_equal(cs_template_find(file, search, 2, &path, &e), CS_OK);
    assert_string_equal(path, file);
    xfree(path);
    xfree(file);
    assert_int_equal(cs_template_find("missing.yaml", search, 2, &path, &e), CS_E_IO);
    assert_null(path);
    /* unknown names list where they were looked for */
    assert_int_equal(cs_template_find("nightly", search, 2, &path, &e), CS_E_IO);
    assert_non_null(strstr(e.msg, "no template named 'nightly' (searched /nonexistent-dir, "));
    assert_int_equal(cs_template_find("../etc/x", search, 0, &path, &e), CS_E_IO);
    assert_int_equal(cs_template_find("we$ird", search, 2, &path, &e), CS_E_USAGE);
    xfree(tdir);
}

static void
test_list(void **state)
{
    (void)state;
    char tmp[] = "/tmp/cs-tpl-XXXXXX";
    assert_non_null(mkdtemp(tmp));
    char *p1 = xasprintf("%s/weekly-review.yaml", tmp); /* shadows the built-in */
    char *p2 = xasprintf("%s/broken.yaml", tmp);
    FILE *f = fopen(p1, "w");
    fputs("title: Mine\nsteps: [{title: S, section: summary}]\n", f);
    fclose(f);
    f = fopen(p2, "w");
    fputs("title: Broken\nsteps: 3\n", f);
    fclose(f);
    char *tdir = src_path("templates");
    char *const dirs[] = {tmp, tdir, (char *)"/nonexistent-dir"};
    struct cs_template_info *v = NULL;
    size_t n = 0;
    struct cs_err e;
    assert_int_equal(cs_template_list(dirs, 3, &v, &n, &e), CS_OK);
    assert_int_equal(n, 5);
    assert_string_equal(v[0].name, "broken");
    assert_null(v[0].title);
    char *want = xasprintf("%s:2: 'steps' must be a list, not text", p2);
    assert_string_equal(v[0].error, want);
    xfree(want);
    assert_string_equal(v[1].name, "export");
    assert_string_equal(v[1].title, "Export");
    assert_null(v[1].error);
    assert_string_equal(v[2].name, "release-compare");
    assert_string_equal(v[3].name, "release-review");
    assert_string_equal(v[4].name, "weekly-review");
    assert_string_equal(v[4].title, "Mine"); /* the first directory wins */
    assert_string_equal(v[4].path, p1);
    cs_template_infos_free(&v, n);
    assert_null(v);
    unlink(p1);
    unlink(p2);
    rmdir(tmp);
    xfree(p1);
    xfree(p2);
    xfree(tdir);
}

/* ==== parameters ======================================================== */

static const struct cs_sql_param *
param(const struct cs_template_params *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->items[i].name, name) == 0)
            return &p->items[i];
    fail_msg("no parameter %s", name);
    return NULL;
}

static void
test_params(void **state)
{
    (void)state;
    struct cs_template *t = load_text(
        "title: P\n"
        "parameters:\n"
        "  - {name: question, default: rating_reason}\n"
        "  - {name: top, type: number, default: '10'}\n"
        "  - {name: share, type: number, default: '0.25'}\n"
        "  - {name: from, type: time, default: '2026-11-16T08:30:00.5Z'}\n"
        "  - {name: note, description: no default}\n"
        "steps: [{title: S, section: summary}]\n");
    struct cs_report_opts o;
    cs_report_opts_default(&o);
    o.has_week = true;
    assert_true(cs_week_parse("2026-W47", &o.week_start_us, &o.week_end_us));
    o.resources[0] = "acs-prod-eus";
    o.resources[1] = "/subs/1/x\"y";
    o.n_resources = 2;
    o.min_n = 50;
    struct cs_template_params *p = NULL;
    struct cs_err e;
    cs_err_clear(&e);
    assert_int_equal(cs_template_params_build(t, &o, NULL, 0, &p, &e), CS_OK);
    assert_string_equal(param(p, "since")->s, "2026-11-16T00:00:00.000Z");
    assert_string_equal(param(p, "until")->s, "2026-11-23T00:00:00.000Z");
    assert_int_equal(param(p, "since_us")->i, o.week_start_us);
    assert_string_equal(param(p, "week")->s, "2026-W47");
    assert_string_equal(param(p, "week_end")->s, "2026-11-23T00:00:00.000Z");
    assert_string_equal(param(p, "resource")->s, "ACS-PROD-EUS");
    assert_string_equal(param(p, "resources")->s, "[\"ACS-PROD-EUS\",\"/SUBS/1/X\\\"Y\"]");
    assert_int_equal(param(p, "min_n")->i, 50);
    assert_string_equal(param(p, "question")->s, "rating_reason");
    assert_int_equal(param(p, "top")->type, CS_SQL_INT);
    assert_int_equal(param(p, "top")->i, 10);
    assert_int_equal(param(p, "share")->type, CS_SQL_REAL);
    assert_true(param(p, "share")->r == 0.25);
    assert_string_equal(param(p, "from")->s, "2026-11-16T08:30:00.500Z");
    int64_t us;
    assert_true(cs_time_parse_iso("2026-11-16T08:30:00.5Z", 22, &us));
    assert_int_equal(param(p, "from_us")->i, us);
    assert_int_equal(param(p, "note")->type, CS_SQL_NULL);
    cs_template_params_free(&p);
    assert_null(p);

    /* open window, no week, no resource; overrides */
    cs_report_opts_default(&o);
    const char *ov[] = {"top=3", "question=x' OR '1'='1", "from=2026-01-01"};
    assert_int_equal(cs_template_params_build(t, &o, ov, 3, &p, &e), CS_OK);
    assert_string_equal(param(p, "since")->s, "0000-01-01T00:00:00.000Z");
    assert_string_equal(param(p, "until")->s, "9999-12-31T23:59:59.999Z");
    assert_int_equal(param(p, "since_us")->i, INT64_MIN);
    assert_int_equal(param(p, "week")->type, CS_SQL_NULL);
    assert_int_equal(param(p, "resources")->type, CS_SQL_NULL);
    assert_int_equal(param(p, "top")->i, 3);
    assert_string_equal(param(p, "question")->s, "x' OR '1'='1");
    assert_string_equal(param(p, "from")->s, "2026-01-01T00:00:00.000Z");
    cs_template_params_free(&p);

    const char *bad1[] = {"top=many"};
    assert_int_equal(cs_template_params_build(t, &o, bad1, 1, &p, &e), CS_E_USAGE);
    assert_string_equal(e.where, "--param top");
    assert_string_equal(e.msg, "'many' is not a number");
    const char *bad2[] = {"since=2026-01-01"};
    assert_int_equal(cs_template_params_build(t, &o, bad2, 1, &p, &e), CS_E_USAGE);
    assert_non_null(strstr(e.msg, "'since=2026-01-01' names no parameter"));
    const char *bad3[] = {"from=yesterday"};
    assert_int_equal(cs_template_params_build(t, &o, bad3, 1, &p, &e), CS_E_USAGE);
    assert_null(p);
    cs_template_free(&t);
}

/* ==== the runner ======================================================== */

static struct cs_store *S;

static struct cs_record
rec(const char *sid, int64_t t_s, double score)
{
    struct cs_record r;
    cs_record_clear(&r);
    snprintf(r.survey_id, sizeof r.survey_id, "%s", sid);
    snprintf(r.resource_id, sizeof r.resource_id, "/SUBS/X/COMMUNICATIONSERVICES/ACS-A");
    snprintf(r.participant_id, sizeof r.participant_id, "p-%s", sid);
    r.time_us = t_s * 1000000;
    r.rating[CS_CAT_OVERALL].present = r.rating[CS_CAT_OVERALL].score_is_num = true;
    r.rating[CS_CAT_OVERALL].score = score;
    return r;
}

static void
event(const char *sid, int64_t t_s, const char *props)
{
    struct cs_event ev = {.time_us = t_s * 1000000, .props = props, .props_len = strlen(props)};
    snprintf(ev.survey_id, sizeof ev.survey_id, "%s", sid);
    struct cs_store_counts c = {0};
    struct cs_err e;
    assert_int_equal(cs_store_event(S, &ev, &c, &e), CS_OK);
}

static int64_t T0; /* 2026-11-16T00:00:00Z in seconds */

static int
setup_store(void **state)
{
    (void)state;
    struct cs_err e;
    if (cs_store_open(&(struct cs_store_opts){.default_threshold = 2}, &S, &e))
        return -1;
    T0 = cs_days_from_civil(2026, 11, 16) * 86400;
    struct cs_record r[5] = {
        rec("s1", T0 + 3600, 1),  /* poor, answer A */
        rec("s2", T0 + 7200, 4),  /* fine, answer A */
        rec("s3", T0 + 10800, 2), /* poor (= threshold), answer B */
        rec("s4", T0 + 14400, 5), /* fine, no answer */
        rec("s5", T0 - 86400, 1), /* poor, answer B, before the window */
    };
    struct cs_store_counts c = {0};
    if (cs_store_input_begin(S, "test", &e) || cs_store_put(S, r, 5, &c, &e))
        return -1;
    event("s1", T0 + 3700, "{\"rating_reason\":\"A\"}");
    event("s2", T0 + 7300, "{\"rating_reason\":\"A\"}");
    event("s3", T0 + 10900, "{\"rating_reason\":\"B\",\"other\":\"x\"}");
    event("s5", T0 - 86000, "{\"rating_reason\":\"B\"}");
    return cs_store_input_end(S, true, NULL, &e) ? -1 : 0;
}

static int
teardown_store(void **state)
{
    (void)state;
    cs_store_close(&S);
    return 0;
}

static cs_status
run_sql(const char *sql, const struct cs_sql_param *p, size_t n_p,
        struct cs_result **r, struct cs_err *e)
{
    struct cs_query q = {.sql = sql, .where = "t.yaml:7", .label = "step 1 'X'", .params = p, .n_params = n_p};
    cs_err_clear(e);
    return cs_runner_run(S, &q, r, e);
}

static void
test_runner_rows(void **state)
{
    (void)state;
    struct cs_result *r = NULL;
    struct cs_err e;
    assert_int_equal(run_sql("SELECT survey_id, score, norm, NULL AS empty, "
                             "x'41' AS blob FROM ratings ORDER BY survey_id;",
                             NULL, 0, &r, &e),
                     CS_OK);
    assert_int_equal(r->n_rows, 5);
    assert_int_equal(r->n_cols, 5);
    assert_string_equal(r->cols[0].name, "survey_id");
    assert_int_equal(r->cols[0].type, CS_SQL_TEXT);
    assert_int_equal(r->cols[1].type, CS_SQL_INT);
    assert_int_equal(r->cols[2].type, CS_SQL_REAL);
    assert_null(r->cols[3].decl_type);
    assert_int_equal(r->cols[3].type, CS_SQL_NULL);
    assert_string_equal(cs_result_cell(r, 0, 0)->t.s, "s1");
    assert_int_equal(cs_result_cell(r, 1, 1)->i, 4);
    assert_true(cs_result_cell(r, 1, 2)->r == 0.75);
    assert_int_equal(cs_result_cell(r, 4, 3)->type, CS_SQL_NULL);
    assert_string_equal(cs_result_cell(r, 4, 4)->t.s, "A");
    assert_int_equal(cs_result_column(r, "SCORE"), 1);
    assert_int_equal(cs_result_column(r, "nope"), -1);
    cs_result_free(&r);
    assert_null(r);
    /* mixed integer and real values observe as real */
    assert_int_equal(run_sql("SELECT 1 AS v UNION ALL SELECT 2.5", NULL, 0, &r, &e), CS_OK);
    assert_int_equal(r->cols[0].type, CS_SQL_REAL);
    assert_true(r->cols[0].mixed);
    cs_result_free(&r);
    /* no rows */
    assert_int_equal(run_sql("SELECT * FROM surveys WHERE 0 -- nothing\n", NULL, 0, &r, &e),
                     CS_OK);
    assert_int_equal(r->n_rows, 0);
    assert_true(r->n_cols > 5);
    cs_result_free(&r);
}

/* The example template's custom SQL step on the store: the right numbers. */
static void
test_runner_custom_step(void **state)
{
    (void)state;
    struct cs_template *t = load_ok("templates/examples/custom-breakdown.yaml");
    struct cs_report_opts o;
    cs_report_opts_default(&o);
    o.has_since = true;
    o.since_us = T0 * 1000000; /* s5 (the day before) is outside */
    struct cs_template_params *p = NULL;
    struct cs_err e;
    cs_err_clear(&e);
    assert_int_equal(cs_template_params_build(t, &o, NULL, 0, &p, &e), CS_OK);
    assert_int_equal(cs_template_check_queries(S, t, p, &e), CS_OK);
    struct cs_result *r = NULL;
    char buf[1024];
    if (cs_template_run_step(S, t, 1, p, 5000, &r, &e) != CS_OK)
        fail_msg("%s", cs_err_format(&e, buf, sizeof buf));
    /* answer, responses, poor, poor_rate ordered by poor_rate DESC */
    assert_int_equal(r->n_rows, 2);
    assert_int_equal(r->n_cols, 4);
    assert_string_equal(r->cols[3].name, "poor_rate");
    assert_string_equal(cs_result_cell(r, 0, 0)->t.s, "B");
    assert_int_equal(cs_result_cell(r, 0, 1)->i, 1);
    assert_int_equal(cs_result_cell(r, 0, 2)->i, 1);
    assert_true(cs_result_cell(r, 0, 3)->r == 1.0);
    assert_string_equal(cs_result_cell(r, 1, 0)->t.s, "A");
    assert_int_equal(cs_result_cell(r, 1, 1)->i, 2);
    assert_int_equal(cs_result_cell(r, 1, 2)->i, 1);
    assert_true(cs_result_cell(r, 1, 3)->r == 0.5);
    cs_result_free(&r);
    cs_template_params_free(&p);

    /* a resource filter that matches nothing; another question */
    o.resources[0] = "acs-b";
    o.n_resources = 1;
    assert_int_equal(cs_template_params_build(t, &o, NULL, 0, &p, &e), CS_OK);
    assert_int_equal(cs_template_run_step(S, t, 1, p, 0, &r, &e), CS_OK);
    assert_int_equal(r->n_rows, 0);
    cs_result_free(&r);
    cs_template_params_free(&p);
    o.resources[0] = "acs-a";
    const char *ov[] = {"question=other"};
    assert_int_equal(cs_template_params_build(t, &o, ov, 1, &p, &e), CS_OK);
    assert_int_equal(cs_template_run_step(S, t, 1, p, 0, &r, &e), CS_OK);
    assert_int_equal(r->n_rows, 1);
    assert_string_equal(cs_result_cell(r, 0, 0)->t.s, "x");
    cs_result_free(&r);
    cs_template_params_free(&p);
    /* a section step is not a query */
    assert_int_equal(cs_template_run_step(S, t, 0, NULL, 0, &r, &e), CS_E_INTERNAL);
    cs_template_free(&t);
}

/* Each refused statement and its exact message. */
static void
test_runner_refuses(void **state)
{
    (void)state;
    static const struct {
        const char *sql;
        const char *msg;
    } cases[] = {
        {"DELETE FROM survey_data",
         "refused: DELETE on survey_data"},
        {"INSERT INTO meta VALUES ('k', 'v')",
         "refused: INSERT on meta"},
        {"UPDATE settings SET default_threshold = 4",
         "refused: UPDATE on settings"},
        {"CREATE TABLE t(x)",
         "refused: CREATE TABLE on t"},
        {"CREATE TEMP VIEW v AS SELECT 1",
         "refused: CREATE TEMP VIEW on v"},
        {"DROP VIEW surveys",
         "refused: DROP VIEW on surveys"},
        {"ATTACH DATABASE '/tmp/cs-evil.db' AS evil",
         "refused: ATTACH '/tmp/cs-evil.db'"},
        {"DETACH DATABASE temp",
         "refused: DETACH temp"},
        {"PRAGMA writable_schema = 1",
         "refused: PRAGMA writable_schema = 1"},
        {"PRAGMA table_info(surveys)",
         "refused: PRAGMA table_info = surveys"},
        {"SELECT * FROM pragma_table_info('surveys')",
         "refused: PRAGMA table_info"},
        {"SELECT load_extension('x')",
         "refused: function load_extension()"},
        {"SELECT LOAD_EXTENSION('/tmp/x.so', 'init')",
         "refused: function load_extension()"},
        {"BEGIN",
         "refused: BEGIN (transaction)"},
        {"SAVEPOINT s",
         "refused: SAVEPOINT s"},
        {"ANALYZE",
         "refused: CREATE TABLE on sqlite_stat1"},
        /* no authorizer action exists for VACUUM: sqlite3_stmt_readonly
         * (the second check) refuses it */
        {"VACUUM",
         "refused: a statement that writes"},
        {"WITH x AS (SELECT 1) DELETE FROM reject_data",
         "refused: DELETE on reject_data"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct cs_result *r = NULL;
        struct cs_err e;
        cs_status s = run_sql(cases[i].sql, NULL, 0, &r, &e);
        char *want = xasprintf("step 1 'X': only reading is allowed in a "
                               "template query, %s",
                               cases[i].msg);
        if (s != CS_E_TEMPLATE || strcmp(e.msg, want) != 0)
            fail_msg("%s\n  want: %s\n  got:  %s (%d)", cases[i].sql, want, e.msg,
                     (int)s);
        assert_string_equal(e.where, "t.yaml:7");
        assert_null(r);
        xfree(want);
    }
    struct cs_result *r = NULL;
    struct cs_err e;
    /* two statements: nothing runs, not even the first */
    assert_int_equal(run_sql("SELECT 1; DELETE FROM survey_data", NULL, 0, &r, &e),
                     CS_E_TEMPLATE);
    assert_string_equal(e.msg, "step 1 'X': only one SQL statement is allowed "
                               "per query, but more follows: 'DELETE FROM survey_data'");
    assert_int_equal(run_sql("SELECT 1; /* c */ ; -- d\n SELECT 2", NULL, 0, &r, &e),
                     CS_E_TEMPLATE);
    assert_int_equal(run_sql("SELECT 1; -- only a comment\n/* and another */;", NULL,
                             0, &r, &e),
                     CS_OK);
    cs_result_free(&r);
    /* empty, SQL errors, parameters */
    assert_int_equal(run_sql("  -- nothing\n", NULL, 0, &r, &e), CS_E_TEMPLATE);
    assert_string_equal(e.msg, "step 1 'X': the query is empty");
    assert_int_equal(run_sql("SELECT nope FROM surveys", NULL, 0, &r, &e), CS_E_DB);
    assert_string_equal(e.msg, "step 1 'X': SQL error: no such column: nope");
    assert_int_equal(run_sql("SELECT ?", NULL, 0, &r, &e), CS_E_TEMPLATE);
    assert_string_equal(e.msg, "step 1 'X': positional parameter '?' is not "
                               "allowed; use named parameters such as :since");
    struct cs_sql_param p[] = {{.name = "since", .type = CS_SQL_TEXT, .s = "2026"}};
    assert_int_equal(run_sql("SELECT :since, :foo, @bar, :foo", p, 1, &r, &e),
                     CS_E_TEMPLATE);
    assert_string_equal(e.msg, "step 1 'X': no value for parameters :foo, @bar "
                               "(known: :since)");
    assert_null(r);

    /* the store is untouched and still works after all this */
    assert_int_equal(run_sql("SELECT count(*) FROM surveys", NULL, 0, &r, &e), CS_OK);
    assert_int_equal(cs_result_cell(r, 0, 0)->i, 5);
    cs_result_free(&r);
    struct cs_record extra = rec("s6", T0 + 20000, 3);
    struct cs_store_counts c = {0};
    assert_int_equal(cs_store_input_begin(S, "more", &e), CS_OK);
    assert_int_equal(cs_store_put(S, &extra, 1, &c, &e), CS_OK);
    assert_int_equal(cs_store_input_end(S, false, NULL, &e), CS_OK); /* roll back */
    struct cs_store_totals tot;
    assert_int_equal(cs_store_totals(S, &tot, &e), CS_OK);
    assert_int_equal(tot.surveys, 5);
}

/* A quoted value is a value, not SQL. */
static void
test_runner_injection(void **state)
{
    (void)state;
    const char *sql = "SELECT survey_id FROM surveys WHERE survey_id = :id";
    struct cs_sql_param p = {.name = "id", .type = CS_SQL_TEXT, .s = "s1"};
    struct cs_result *r = NULL;
    struct cs_err e;
    assert_int_equal(run_sql(sql, &p, 1, &r, &e), CS_OK);
    assert_int_equal(r->n_rows, 1);
    cs_result_free(&r);
    p.s = "x' OR '1'='1";
    assert_int_equal(run_sql(sql, &p, 1, &r, &e), CS_OK);
    assert_int_equal(r->n_rows, 0);
    cs_result_free(&r);
    p.s = "s1'; DELETE FROM survey_data; --";
    assert_int_equal(run_sql(sql, &p, 1, &r, &e), CS_OK);
    assert_int_equal(r->n_rows, 0);
    cs_result_free(&r);
    assert_int_equal(run_sql("SELECT count(*) FROM surveys", NULL, 0, &r, &e), CS_OK);
    assert_int_equal(cs_result_cell(r, 0, 0)->i, 5);
    cs_result_free(&r);

    /* through a template parameter too */
    struct cs_template *t = load_text(
        "title: I\nparameters: [{name: answer}]\nsteps:\n"
        "  - title: Q\n    query: SELECT survey_id FROM custom WHERE key = "
        "'rating_reason' AND value = :answer\n");
    const char *ov[] = {"answer=A"};
    struct cs_template_params *tp = NULL;
    assert_int_equal(cs_template_params_build(t, NULL, ov, 1, &tp, &e), CS_OK);
    assert_int_equal(cs_template_run_step(S, t, 0, tp, 0, &r, &e), CS_OK);
    assert_int_equal(r->n_rows, 2);
    cs_result_free(&r);
    cs_template_params_free(&tp);
    const char *ov2[] = {"answer=x' OR '1'='1"};
    assert_int_equal(cs_template_params_build(t, NULL, ov2, 1, &tp, &e), CS_OK);
    assert_int_equal(cs_template_run_step(S, t, 0, tp, 0, &r, &e), CS_OK);
    assert_int_equal(r->n_rows, 0);
    cs_result_free(&r);
    cs_template_params_free(&tp);
    cs_template_free(&t);
}

static void
test_runner_limits(void **state)
{
    (void)state;
    const char *ten = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                      "FROM c WHERE x < 10) SELECT x, printf('%0100d', x) FROM c";
    struct cs_query q = {.sql = ten, .where = "t.yaml:3", .label = "step 2 'Big'", .max_rows = 10};
    struct cs_result *r = NULL;
    struct cs_err e;
    assert_int_equal(cs_runner_run(S, &q, &r, &e), CS_OK);
    assert_int_equal(r->n_rows, 10);
    assert_int_equal(cs_result_cell(r, 9, 0)->i, 10);
    assert_int_equal(cs_result_cell(r, 9, 1)->t.len, 100);
    cs_result_free(&r);
    q.max_rows = 9;
    assert_int_equal(cs_runner_run(S, &q, &r, &e), CS_E_TEMPLATE);
    assert_string_equal(e.msg, "step 2 'Big': the query returns more than 9 rows; "
                               "aggregate or add a LIMIT");
    assert_null(r);
    /* a query that never ends stops at the timeout */
    struct cs_query forever = {
        .sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
               "SELECT count(*) FROM c",
        .label = "step 3 'Forever'",
        .timeout_ms = 50,
    };
    assert_int_equal(cs_runner_run(S, &forever, &r, &e), CS_E_DB);
    assert_string_equal(e.msg, "step 3 'Forever': the query was stopped after 50 ms");
    /* one giant value is refused by SQLite before it is allocated */
    struct cs_query big = {.sql = "SELECT length(zeroblob(200000000))", .label = "b"};
    assert_int_equal(cs_runner_run(S, &big, &r, &e), CS_E_DB);
    assert_string_equal(e.msg, "b: SQL error: string or blob too big");
    /* ... and many small ones by the runner's own count */
    struct cs_query many = {.sql = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
                                   "SELECT x + 1 FROM c WHERE x < 80) "
                                   "SELECT zeroblob(1000000) FROM c",
                            .label = "m"};
    assert_int_equal(cs_runner_run(S, &many, &r, &e), CS_E_TEMPLATE);
    assert_string_equal(e.msg, "m: the result holds more than 64 MiB of text; "
                               "select fewer columns or rows");
    assert_null(r);
    /* the connection's own limit is back afterwards */
    assert_true(sqlite3_limit(cs_store_db(S), SQLITE_LIMIT_LENGTH, -1) > 200000000);
    /* check prepares only: columns, no rows */
    q.max_rows = 0;
    assert_int_equal(cs_runner_check(S, &q, &r, &e), CS_OK);
    assert_int_equal(r->n_cols, 2);
    assert_int_equal(r->n_rows, 0);
    assert_string_equal(r->cols[0].name, "x");
    cs_result_free(&r);
    assert_int_equal(cs_runner_check(S, &forever, &r, &e), CS_OK);
    cs_result_free(&r);
    cs_result_free(NULL);
}

/* Column options are checked against the query's result, before data. */
static void
test_check_queries(void **state)
{
    (void)state;
    struct cs_store *empty = NULL;
    struct cs_err e;
    assert_int_equal(cs_store_open(&(struct cs_store_opts){.default_threshold = 2},
                                   &empty, &e),
                     CS_OK);
    struct cs_template *t = load_text(
        "title: C\n"
        "steps:\n"
        "  - title: By week\n"
        "    query: SELECT week, avg(is_poor) AS poor_rate FROM ratings GROUP BY week\n"
        "    render: line\n"
        "    x: week\n"
        "    y: poor_rte\n");
    struct cs_template_params *p = NULL;
    assert_int_equal(cs_template_params_build(t, NULL, NULL, 0, &p, &e), CS_OK);
    assert_int_equal(cs_template_check_queries(empty, t, p, &e), CS_E_TEMPLATE);
    char buf[1024];
    assert_string_equal(cs_err_format(&e, buf, sizeof buf),
                        "t.yaml:7: step 1 'By week': y column 'poor_rte' is not in "
                        "the query's result (columns: week, poor_rate)");
    cs_template_params_free(&p);
    cs_template_free(&t);

    t = load_text("title: C\nsteps:\n  - title: Bad\n    query: |\n"
                  "      SELECT 1 FROM ratings WHERE week = :wek\n");
    assert_int_equal(cs_template_params_build(t, NULL, NULL, 0, &p, &e), CS_OK);
    assert_int_equal(cs_template_check_queries(empty, t, p, &e), CS_E_TEMPLATE);
    assert_string_equal(cs_err_format(&e, buf, sizeof buf),
                        "t.yaml:4: step 1 'Bad': no value for parameter :wek (known: "
                        ":since, :since_us, :until, :until_us, :week_start, "
                        ":week_start_us, :week_end, :week_end_us, :week, :resource, "
                        ":resources, :min_n)");
    cs_template_params_free(&p);
    cs_template_free(&t);

    t = load_text("title: C\nsteps:\n  - title: Sneaky\n"
                  "    query: SELECT 1; DROP VIEW ratings\n");
    assert_int_equal(cs_template_check_queries(empty, t, NULL, &e), CS_E_TEMPLATE);
    assert_string_equal(e.where, "t.yaml:4");
    cs_template_free(&t);
    cs_store_close(&empty);
}

int
main(void)
{
    const char *env = getenv("CS_SRCDIR");
    root = env && *env ? xasprintf("%s/", env) : xstrdup("");
    char *probe = src_path("tests/templates");
    struct stat sb;
    if (stat(probe, &sb) != 0) {
        fprintf(stderr, "test_template: %s not found: run from the repository "
                        "root or set CS_SRCDIR\n",
                probe);
        return 1;
    }
    xfree(probe);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtins_load),
        cmocka_unit_test(test_bad_templates),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_dirs_and_find),
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_runner_rows),
        cmocka_unit_test(test_runner_custom_step),
        cmocka_unit_test(test_runner_refuses),
        cmocka_unit_test(test_runner_injection),
        cmocka_unit_test(test_runner_limits),
        cmocka_unit_test(test_check_queries),
    };
    int rc = cmocka_run_group_tests(tests, setup_store, teardown_store);
    xfree(root);
    return rc;
}
