/* Unit tests for the XLSX workbook (render/xlsx*.c, store/export.c).
 *
 * A hand-made store (the report fixture: two overall scales, audio tags
 * with an unknown one, a video rating of one response so that deviations
 * are undefined, custom answers holding a formula, invalid UTF-8, an
 * escape-like text and 40,000 characters, an orphan event and a rejected
 * record with NUL bytes) is written to a workbook, which
 * tests/tools/xlsx_check.py then opens with openpyxl and unzips: every
 * figure against the model, number formats, empty cells for NaN, text never
 * a formula, tables and frozen headers, chart ranges, continuation sheets.
 * Also: byte-identical output for the same run time, sheet-name rules, the
 * generic table section, and failures leaving nothing behind.
 *
 * CS_XLSX_BIG=1 adds the 1,000,000-survey measurement (not part of make
 * test): it prints the file size and the time to write it.  CS_XLSX_KEEP=1
 * keeps the workbooks (and expected.json) and prints where. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/ctime.h"
#include "ingest/ingest.h"
#include "model/survey.h"
#include "render/xlsx.h"
#include "render/xlsx_body.h"
#include "report/model.h"
#include "report/xlsx_rows.h"
#include "store/join.h"
#include "store/store.h"

#define RUN_TIME 1763856000 /* 2025-11-23T00:00:00Z */

static int64_t w47; /* Monday 2026-11-16 00:00:00Z in µs */
static struct cs_store *S;
static char dir[256];
static char long_answer[40000 + 32];

/* ---- fixture ------------------------------------------------------------- */

static struct cs_record
rec(const char *sid, int64_t t_us, const char *res)
{
    struct cs_record r;
    cs_record_clear(&r);
    snprintf(r.survey_id, sizeof r.survey_id, "%s", sid);
    snprintf(r.call_id, sizeof r.call_id, "call-%s", sid);
    snprintf(r.participant_id, sizeof r.participant_id, "p-%s", sid);
    snprintf(r.resource_id, sizeof r.resource_id, "/SUBS/1/COMMUNICATIONSERVICES/%s", res);
    r.time_us = t_us;
    r.line = 1;
    return r;
}

static void
rate(struct cs_record *r, int c, double score)
{
    r->rating[c].present = r->rating[c].score_is_num = true;
    r->rating[c].score = score;
}

static void
add_event(const char *sid, int64_t t_us, const char *props)
{
    struct cs_event ev = {.time_us = t_us, .props = props, .props_len = strlen(props)};
    snprintf(ev.survey_id, sizeof ev.survey_id, "%s", sid);
    struct cs_store_counts c = {0};
    struct cs_err e;
    assert_int_equal(cs_store_event(S, &ev, &c, &e), CS_OK);
}

static int
setup(void **state)
{
    (void)state;
    w47 = cs_days_from_civil(2026, 11, 16) * CS_US_PER_DAY;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/cs-xlsx-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return -1;
    struct cs_store_opts o = {.default_threshold = 2};
    struct cs_err e;
    if (cs_store_open(&o, &S, &e))
        return -1;
    struct cs_record r[7];
    const double sc[5] = {1, 2, 4, 5, 5};
    for (int i = 0; i < 5; i++) {
        char id[16];
        snprintf(id, sizeof id, "s%d", i);
        int64_t t = i == 4 ? w47 + 7 * CS_US_PER_DAY : w47 + i * 3600 * CS_US_PER_S;
        r[i] = rec(id, t, i < 3 ? "ACS-A" : "ACS-B");
        r[i].line = (uint64_t)i + 1;
        rate(&r[i], CS_CAT_OVERALL, sc[i]);
    }
    for (int i = 5; i < 7; i++) {
        char id[16];
        snprintf(id, sizeof id, "s%d", i);
        r[i] = rec(id, w47 + CS_US_PER_DAY, "ACS-A");
        rate(&r[i], CS_CAT_OVERALL, i == 5 ? 7 : 3);
        struct cs_rating *rt = &r[i].rating[CS_CAT_OVERALL];
        rt->has_lower = rt->has_upper = rt->has_threshold = true;
        rt->lower = 0;
        rt->upper = 10;
        rt->threshold = 5;
    }
    rate(&r[0], CS_CAT_AUDIO, 1);
    cs_rating_set_issues(&r[0].rating[1], CS_CAT_AUDIO, "Echo,AudioNoise", 15);
    rate(&r[1], CS_CAT_AUDIO, 4);
    cs_rating_set_issues(&r[1].rating[1], CS_CAT_AUDIO, "Echo,Whistle", 12);
    rate(&r[2], CS_CAT_AUDIO, 5);
    rate(&r[3], CS_CAT_VIDEO, 3); /* one response: no deviation, no interval */
    /* a participant id that looks like a formula must stay text */
    snprintf(r[2].participant_id, sizeof r[2].participant_id, "=HYPERLINK(\"x\")");
    struct cs_store_counts c = {0};
    cs_store_input_begin(S, "fixture.jsonl", &e);
    if (cs_store_put(S, r, 7, &c, &e))
        return -1;
    add_event("s1", w47 + 3600 * CS_US_PER_S + 60 * CS_US_PER_S,
              "{\"comment\":\"=HYPERLINK(\\\"x\\\")\",\"nps\":9,\"flag\":true}");
    add_event("s2", w47 + 3 * 3600 * CS_US_PER_S,
              "{\"comment\":\"bad\xff\\u0001x\",\"esc\":\"_x0041_\"}");
    memset(long_answer, 0, sizeof long_answer);
    strcpy(long_answer, "{\"comment\":\"");
    memset(long_answer + strlen(long_answer), 'a', 40000);
    strcat(long_answer, "\"}");
    add_event("s3", w47 + 4 * 3600 * CS_US_PER_S, long_answer);
    add_event("x9", w47 + 5 * 3600 * CS_US_PER_S, "{\"comment\":\"orphan\"}");
    struct cs_record bad;
    cs_record_clear(&bad);
    bad.line = 12;
    snprintf(bad.reason, sizeof bad.reason, "overallRating.score must be a number");
    static const char raw[] = "{\"bad\":\0\xff}";
    if (cs_store_reject(S, &bad, raw, sizeof raw - 1, &e))
        return -1;
    struct cs_input_summary sum = {.format = "jsonl", .bytes = 1234, .read = 8, .stored = 7, .rejected = 1};
    return cs_store_input_end(S, true, &sum, &e) == CS_OK ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    cs_store_close(&S);
    if (getenv("CS_XLSX_KEEP")) { /* for a look at the workbooks */
        printf("test_xlsx: workbooks kept in %s\n", dir);
        return 0;
    }
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static struct cs_report_model *
build(void)
{
    struct cs_model_opts o = {.bucket = CS_BUCKET_WEEK, .min_n = 30};
    struct cs_report_model *m = NULL;
    struct cs_err e;
    if (cs_report_model_build(S, &o, &m, &e) != CS_OK)
        fail_msg("build: %s", e.msg);
    return m;
}

/* ---- helpers --------------------------------------------------------------- */

static const char *
python(void)
{
    const char *p = getenv("CS_PYTHON");
    if (p && *p)
        return p;
    /* Debian's python3 has python3-openpyxl; a pyenv python3 first on PATH
     * may not */
    return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

static void
run_checker(const char *xlsx, cJSON *expected)
{
    char jpath[512], cmd[2048];
    snprintf(jpath, sizeof jpath, "%s/expected.json", dir);
    char *text = cJSON_Print(expected);
    FILE *f = fopen(jpath, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    cJSON_free(text);
    const char *checker = "tests/tools/xlsx_check.py";
    if (access(checker, R_OK) != 0)
        fail_msg("%s not found: run the test from the repository root", checker);
    snprintf(cmd, sizeof cmd, "%s %s '%s' '%s'", python(), checker, xlsx, jpath);
    int rc = system(cmd);
    if (rc != 0)
        fail_msg("xlsx_check.py failed on %s (expected values in %s)", xlsx, jpath);
}

static cJSON *
row(cJSON *rows, const char *sheet, const char *table, int nth)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "sheet", sheet);
    cJSON_AddStringToObject(r, "table", table);
    if (nth >= 0)
        cJSON_AddNumberToObject(r, "nth", nth);
    cJSON_AddObjectToObject(r, "key");
    cJSON_AddObjectToObject(r, "values");
    cJSON_AddObjectToObject(r, "formats");
    cJSON_AddItemToArray(rows, r);
    return r;
}

static void
num(cJSON *r, const char *part, const char *col, double v)
{
    /* NaN prints as null: the checker then wants an empty cell */
    cJSON_AddItemToObject(cJSON_GetObjectItem(r, part), col, cJSON_CreateNumber(v));
}

static void
str(cJSON *r, const char *part, const char *col, const char *v)
{
    cJSON_AddItemToObject(cJSON_GetObjectItem(r, part), col,
                          v ? cJSON_CreateString(v) : cJSON_CreateNull());
}

static void
boolean(cJSON *r, const char *col, bool v)
{
    cJSON_AddItemToObject(cJSON_GetObjectItem(r, "values"), col, cJSON_CreateBool(v));
}

static void
chart(cJSON *charts, const char *sheet, const char *table, int nth, const char *kind,
      const char *cats, const char *vals, const char *labels)
{
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "sheet", sheet);
    cJSON_AddStringToObject(c, "table", table);
    cJSON_AddNumberToObject(c, "nth", nth);
    cJSON_AddStringToObject(c, "kind", kind);
    cJSON_AddStringToObject(c, "categories", cats);
    cJSON_AddStringToObject(c, "values", vals);
    if (labels)
        cJSON_AddStringToObject(c, "labels", labels);
    cJSON_AddItemToArray(charts, c);
}

static double
frac(uint64_t a, uint64_t b)
{
    return b ? (double)a / (double)b : (double)NAN;
}

/* The category's scale with the most responses (the first of a tie). */
static const struct rep_group *
primary_of(const struct cs_report_model *m, int cat)
{
    const struct rep_group *best = NULL;
    for (size_t i = 0; i < m->n_groups; i++)
        if (m->groups[i].cat == cat && m->groups[i].sum.n > 0 &&
            (!best || m->groups[i].sum.n > best->sum.n))
            best = &m->groups[i];
    return best;
}

static bool
same_scale(const struct stats_scale *a, const struct stats_scale *b)
{
    return a->lower == b->lower && a->upper == b->upper && a->threshold == b->threshold;
}

/* Every figure of the model, as the workbook should show it. */
static cJSON *
expected_from_model(const struct cs_report_model *m)
{
    cJSON *x = cJSON_CreateObject();
    cJSON *rows = cJSON_AddArrayToObject(x, "rows");
    cJSON *charts = cJSON_AddArrayToObject(x, "charts");
    char lbl[160];
    int nth_in_cat[CS_CAT__COUNT] = {0};
    size_t n_charts = 0;
    for (size_t i = 0; i < m->n_groups; i++) {
        const struct rep_group *g = &m->groups[i];
        const struct stats_summary *s = &g->sum;
        const char *title = cs_category_title((enum cs_category)g->cat);
        cs_group_label(g->cat, &g->scale, lbl, sizeof lbl);
        cJSON *r = row(rows, "Summary", "Scale", -1);
        str(r, "key", "Scale", lbl);
        str(r, "values", "Category", title);
        num(r, "values", "Lower", g->scale.lower);
        num(r, "values", "Upper", g->scale.upper);
        num(r, "values", "Threshold", g->scale.threshold);
        boolean(r, "Default scale", g->default_scale);
        num(r, "values", "Responses", (double)s->n);
        num(r, "values", "Share of surveys", g->share_of_surveys);
        boolean(r, "Small sample", g->small_sample);
        num(r, "values", "Mean", s->mean);
        num(r, "values", "Mean 95% CI low", s->mean_ci_lo);
        num(r, "values", "Mean 95% CI high", s->mean_ci_hi);
        num(r, "values", "Median", s->median);
        str(r, "formats", "Median", "0.00");
        num(r, "values", "Std dev", s->sd);
        num(r, "values", "Min", s->min);
        num(r, "values", "Max", s->max);
        num(r, "values", "Normalized mean", s->norm_mean);
        num(r, "values", "Poor", (double)s->n_poor);
        num(r, "values", "Poor rate", s->poor_rate);
        num(r, "values", "Poor rate 95% CI low", s->poor_ci_lo);
        num(r, "values", "Poor rate 95% CI high", s->poor_ci_hi);
        num(r, "values", "Any issue", (double)g->any_issue);
        num(r, "values", "Any issue rate", g->any_issue_rate);
        str(r, "formats", "Responses", "#,##0");
        str(r, "formats", "Share of surveys", "0.0%");
        str(r, "formats", "Mean", "0.00");
        str(r, "formats", "Std dev", "0.00");
        str(r, "formats", "Poor rate", "0.0%");
        str(r, "formats", "Poor rate 95% CI low", "0.0%");
        str(r, "formats", "Poor rate 95% CI high", "0.0%");
        str(r, "formats", "Poor", "#,##0");

        int nth = nth_in_cat[g->cat]++;
        for (size_t j = 0; j < g->n_dist; j++) {
            /* a scale of more than 21 levels lists the scores given only */
            if (g->n_dist > 21 && g->dist[j].count == 0)
                continue;
            r = row(rows, title, "Score", nth);
            num(r, "key", "Score", g->dist[j].score);
            num(r, "values", "Responses", (double)g->dist[j].count);
            num(r, "values", "Share", frac(g->dist[j].count, s->n));
            str(r, "formats", "Share", "0.0%");
            str(r, "formats", "Responses", "#,##0");
        }
        for (size_t j = 0; j < g->n_issues; j++) {
            const struct rep_issue *is = &g->issues[j];
            r = row(rows, title, "Issue", nth);
            str(r, "key", "Issue", is->name);
            boolean(r, "Known", is->known);
            num(r, "values", "Responses", (double)is->surveys);
            num(r, "values", "Poor", (double)is->poor);
            num(r, "values", "Share of surveys", is->share_of_surveys);
            num(r, "values", "Share of responses", is->share_of_responses);
            num(r, "values", "Share of poor", is->share_of_poor);
            str(r, "formats", "Share of responses", "0.0%");
            str(r, "formats", "Share of surveys", "0.0%");

            r = row(rows, "Issues", "Issue", -1);
            str(r, "key", "Scale", lbl);
            str(r, "key", "Issue", is->name);
            num(r, "values", "Responses", (double)is->surveys);
            num(r, "values", "Share of poor", is->share_of_poor);
            str(r, "formats", "Share of poor", "0.0%");
        }
        /* native charts as the PNGs (issue 18): none for a scale under
         * --min-n unless it is the largest of its category */
        bool largest = true;
        for (size_t k = 0; k < m->n_groups; k++)
            if (m->groups[k].cat == g->cat && m->groups[k].sum.n > g->sum.n)
                largest = false;
        if (!g->small_sample || largest || m->scales_all) {
            /* no distribution chart of more than 21 levels (0-100: the
             * drawn chart bins them); plain value labels, no cell ones */
            if (g->n_dist <= 21) {
                chart(charts, title, "Score", nth, "barChart", "Score", "Share", NULL);
                n_charts++;
            }
            chart(charts, title, "Issue", nth, "barChart", "Issue", "Share of responses", NULL);
            n_charts++;
        }
    }
    for (size_t i = 0; i < m->n_trend; i++) {
        const struct rep_trend *t = &m->trend[i];
        cs_group_label(t->cat, &t->scale, lbl, sizeof lbl);
        cJSON *r = row(rows, "Trend data", "Bucket", -1);
        str(r, "key", "Bucket", t->label);
        str(r, "key", "Scale", lbl);
        boolean(r, "Partial", t->partial);
        num(r, "values", "Responses", (double)t->sum.n);
        num(r, "values", "Mean", t->sum.mean);
        num(r, "values", "Poor rate", t->sum.poor_rate);
        num(r, "values", "Poor rate 95% CI low", t->sum.poor_ci_lo);
        str(r, "formats", "Poor rate", "0.0%");
        /* the pivot: each category's primary (largest) scale only */
        if (primary_of(m, t->cat) != NULL && same_scale(&primary_of(m, t->cat)->scale, &t->scale)) {
            char col[200], lo[32], hi[32];
            snprintf(col, sizeof col, "%s %s\xE2\x80\x93%s poor rate",
                     cs_category_title((enum cs_category)t->cat), cs_js_number(t->scale.lower, lo),
                     cs_js_number(t->scale.upper, hi));
            r = row(rows, "Trend", "Week", -1);
            str(r, "key", "Week", t->label);
            num(r, "values", col, t->sum.poor_rate);
        }
    }
    /* one line chart per category on its primary scale (issue 18) */
    for (int cat = 0; cat < CS_CAT__COUNT; cat++) {
        const struct rep_group *p = primary_of(m, cat);
        size_t points = 0; /* a chart from two buckets on, as the PNGs */
        for (size_t i = 0; p && i < m->n_trend; i++)
            points += m->trend[i].cat == cat && same_scale(&m->trend[i].scale, &p->scale);
        if (points < 2)
            continue;
        char col[200], lo[32], hi[32];
        snprintf(col, sizeof col, "%s %s\xE2\x80\x93%s poor rate",
                 cs_category_title((enum cs_category)cat), cs_js_number(p->scale.lower, lo),
                 cs_js_number(p->scale.upper, hi));
        chart(charts, "Trend", "Week", 0, "lineChart", "Week", col, NULL);
        n_charts++;
    }
    cJSON_AddNumberToObject(x, "n_charts", (double)n_charts);
    return x;
}

/* ---- tests ----------------------------------------------------------------- */

static void
fill_input(struct cs_xlsx_input *in, const struct cs_report_model *m,
           const struct cs_join_audit *a)
{
    static struct cs_xlsx_store_rows src;
    static struct cs_xlsx_rows rows;
    src = (struct cs_xlsx_store_rows){.store = S};
    cs_xlsx_rows_from_store(&rows, &src);
    memset(in, 0, sizeof *in);
    in->m = m;
    in->rows = &rows;
    in->merge = CS_MERGE_LEFTOUTER;
    in->audit = a;
    in->include_data = true;
    in->tool_version = "callsurvey test";
    in->run_time_s = RUN_TIME;
    in->template_name = "weekly-review";
    in->filters_text = "(none)";
}

/* The model of store S, its join audit in *a and the sections' input in
 * *in (borrowing both); the model is the caller's to free. */
static struct cs_report_model *
audited_input(struct cs_join_audit *a, struct cs_xlsx_input *in)
{
    struct cs_report_model *m = build();
    struct cs_err e;
    assert_int_equal(cs_join_audit(S, NULL, a, &e), CS_OK);
    fill_input(in, m, a);
    return m;
}

static void
test_report_workbook(void **state)
{
    (void)state;
    struct cs_report_model *m = build();
    struct cs_join_audit a;
    struct cs_err e;
    assert_int_equal(cs_join_audit(S, NULL, &a, &e), CS_OK);
    /* the fixture has what the checks below rely on */
    const struct rep_group *video = NULL;
    for (size_t i = 0; i < m->n_groups; i++)
        if (m->groups[i].cat == CS_CAT_VIDEO)
            video = &m->groups[i];
    assert_non_null(video);
    if (video == NULL)
        return;
    assert_true(isnan(video->sum.sd) && isnan(video->issues[0].share_of_poor));
    assert_int_equal(a.orphan_events, 1);

    struct cs_xlsx_input in;
    fill_input(&in, m, &a);
    char path[512];
    snprintf(path, sizeof path, "%s/report.xlsx", dir);
    /* three rows per streamed sheet: Data continues twice; Custom has
     * three answered rows (s0 is left out), so it fits one sheet */
    struct cs_xlsx_opts o = {.tool_version = "callsurvey test", .run_time_s = RUN_TIME, .rows_per_sheet = 4};
    struct cs_xlsx *x;
    assert_int_equal(cs_xlsx_open(path, &o, &x, &e), CS_OK);
    const char *order[] = {"about", "summary", "categories", "issues", "trend",
                           "custom", "data_quality", "data"};
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        cs_xlsx_section_fn fn = cs_xlsx_section_find(order[i]);
        assert_non_null(fn);
        if (fn(x, &in, &e) != CS_OK)
            fail_msg("section %s: %s: %s", order[i], e.where, e.msg);
    }
    struct cs_xlsx_stats st;
    cs_xlsx_get_stats(x, &st);
    assert_int_equal(st.data_rows, 7);
    assert_int_equal(st.data_sheets, 3);
    assert_int_equal(st.cells_replaced, 2);  /* custom answer, rejected raw text */
    assert_int_equal(st.cells_truncated, 1); /* the 40,000-character answer */
    if (cs_xlsx_close(&x, &e) != CS_OK)
        fail_msg("close: %s: %s", e.where, e.msg);
    assert_null(x);

    cJSON *exp = expected_from_model(m);
    cJSON *sheets = cJSON_AddArrayToObject(exp, "sheets");
    const char *names[] = {"About", "Summary", "Overall", "Audio", "Video", "Issues", "Issue pairs",
                           "Trend", "Trend data", "Custom", "Data Quality",
                           "Data", "Data (2)", "Data (3)", "Inputs"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        cJSON_AddItemToArray(sheets, cJSON_CreateString(names[i]));
    cJSON *fr = cJSON_AddObjectToObject(exp, "frozen");
    cJSON_AddStringToObject(fr, "Summary", "A2");
    cJSON_AddNullToObject(fr, "Overall"); /* stacked tables: nothing frozen */
    cJSON_AddStringToObject(fr, "Issues", "A2");
    cJSON_AddStringToObject(fr, "Issue pairs", "A2");
    cJSON_AddStringToObject(fr, "Trend", "A3");
    cJSON_AddStringToObject(fr, "Trend data", "A2");
    cJSON_AddNullToObject(fr, "Data Quality");
    cJSON_AddStringToObject(fr, "Data (3)", "A2");
    cJSON_AddStringToObject(exp, "toc", "About");

    cJSON *rows = cJSON_GetObjectItem(exp, "rows");
    /* Data: one row per survey over three sheets, times as dates */
    cJSON *r = row(rows, "Data", "Survey id", -1);
    str(r, "key", "Survey id", "s0");
    num(r, "values", "Overall score", 1);
    num(r, "values", "Overall poor", 1);
    num(r, "values", "Overall threshold", 2);
    str(r, "values", "Audio issues", "Echo,AudioNoise");
    str(r, "values", "Week", "2026-W47");
    str(r, "values", "Resource", "ACS-A");
    str(r, "values", "Source", "fixture.jsonl");
    num(r, "values", "Line", 1);
    str(r, "values", "Video score", NULL);
    cJSON_AddItemToObject(cJSON_GetObjectItem(r, "values"), "Time (UTC)",
                          cJSON_CreateRaw("{\"datetime\": \"2026-11-16T00:00:00\"}"));
    str(r, "formats", "Time (UTC)", "yyyy-mm-dd hh:mm:ss");
    str(r, "formats", "Day", "yyyy-mm-dd");
    r = row(rows, "Data", "Survey id", -1);
    str(r, "key", "Survey id", "s2"); /* on "Data (2)" */
    str(r, "values", "Participant id", "=HYPERLINK(\"x\")");
    r = row(rows, "Data", "Survey id", -1);
    str(r, "key", "Survey id", "s6"); /* on "Data (3)" */
    num(r, "values", "Overall score", 3);
    num(r, "values", "Overall upper", 10);
    num(r, "values", "Overall poor", 1);
    /* Custom: formulas stay text, bad bytes replaced, escapes kept, cut */
    r = row(rows, "Custom", "Survey id", -1);
    str(r, "key", "Survey id", "s1");
    str(r, "values", "comment", "=HYPERLINK(\"x\")");
    num(r, "values", "nps", 9);
    boolean(r, "flag", true);
    r = row(rows, "Custom", "Survey id", -1);
    str(r, "key", "Survey id", "s2");
    str(r, "values", "comment", "bad\xEF\xBF\xBD\xEF\xBF\xBDx");
    str(r, "values", "esc", "_x005F_x0041_");
    r = row(rows, "Custom", "Survey id", -1);
    str(r, "key", "Survey id", "s3");
    cJSON_AddItemToObject(cJSON_GetObjectItem(r, "values"), "comment",
                          cJSON_CreateRaw("{\"len\": 32767}"));
    /* s0 has no answer: leftouter leaves it out of the Custom sheet */
    /* Data Quality */
    r = row(rows, "Data Quality", "Check", -1);
    str(r, "key", "Check", "Text cells cleaned");
    num(r, "values", "Count", 2);
    r = row(rows, "Data Quality", "Check", -1);
    str(r, "key", "Check", "Text cells truncated");
    num(r, "values", "Count", 1);
    r = row(rows, "Data Quality", "Check", -1);
    str(r, "key", "Check", "Orphan custom events");
    num(r, "values", "Count", 1);
    r = row(rows, "Data Quality", "Reason", -1);
    str(r, "key", "Source", "fixture.jsonl");
    num(r, "values", "Line", 12);
    str(r, "values", "Reason", "overallRating.score must be a number");
    str(r, "values", "Raw (first 1,024 characters)", "{\"bad\":\xEF\xBF\xBD\xEF\xBF\xBD}");
    r = row(rows, "Data Quality", "Unknown tag", -1);
    str(r, "key", "Unknown tag", "Whistle");
    str(r, "values", "Category", "Audio");
    num(r, "values", "Responses", 1);
    r = row(rows, "Data Quality", "Orphan event survey id", -1);
    str(r, "key", "Orphan event survey id", "x9");
    /* Inputs: every input with its counts; About: one row per pattern */
    r = row(rows, "About", "Directory or file pattern", -1);
    str(r, "key", "Directory or file pattern", "fixture.jsonl");
    num(r, "values", "Files", 1);
    num(r, "values", "Stored", 7);
    num(r, "values", "Rejected", 1);
    r = row(rows, "Inputs", "Source", -1);
    str(r, "key", "Source", "fixture.jsonl");
    num(r, "values", "Stored", 7);
    num(r, "values", "Rejected", 1);
    num(r, "values", "Bytes", 1234);
    str(r, "values", "Status", "done");

    cJSON *count = cJSON_AddArrayToObject(exp, "count");
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "sheet", "Data");
    cJSON_AddStringToObject(c, "table", "Survey id");
    cJSON_AddNumberToObject(c, "rows", 7);
    cJSON_AddItemToArray(count, c);
    c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "sheet", "Custom");
    cJSON_AddStringToObject(c, "table", "Survey id");
    cJSON_AddNumberToObject(c, "rows", 3); /* leftouter: the answered surveys */
    cJSON_AddItemToArray(count, c);
    cJSON *texts = cJSON_AddArrayToObject(exp, "texts");
    c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "sheet", "About");
    cJSON_AddStringToObject(c, "substring", "Data (2) to Data (3)");
    cJSON_AddItemToArray(texts, c);
    c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "sheet", "About");
    cJSON_AddStringToObject(c, "substring", "Wilson");
    cJSON_AddItemToArray(texts, c);

    run_checker(path, exp);
    cJSON_Delete(exp);
    cs_report_model_free(&m);
}

static bool
same_file(const char *a, const char *b)
{
    FILE *f = fopen(a, "rb"), *g = fopen(b, "rb");
    bool same = f && g;
    while (same) {
        int x = fgetc(f), y = fgetc(g);
        if (x != y)
            same = false;
        if (x == EOF || y == EOF)
            break;
    }
    if (f)
        fclose(f);
    if (g)
        fclose(g);
    return same;
}

static void
test_byte_identical(void **state)
{
    (void)state;
    struct cs_join_audit a;
    struct cs_xlsx_input in;
    struct cs_report_model *m = audited_input(&a, &in);
    struct cs_err e;
    char p1[512], p2[512], p3[512];
    snprintf(p1, sizeof p1, "%s/one.xlsx", dir);
    snprintf(p2, sizeof p2, "%s/two.xlsx", dir);
    snprintf(p3, sizeof p3, "%s/three.xlsx", dir);
    assert_int_equal(cs_xlsx_write_report(&in, p1, &e), CS_OK);
    struct timespec ts = {1, 100000000}; /* past a second: "now" would differ */
    nanosleep(&ts, NULL);
    assert_int_equal(cs_xlsx_write_report(&in, p2, &e), CS_OK);
    assert_true(same_file(p1, p2));
    in.run_time_s = RUN_TIME + 1;
    assert_int_equal(cs_xlsx_write_report(&in, p3, &e), CS_OK);
    assert_false(same_file(p1, p3));
    /* SOURCE_DATE_EPOCH=0 must be reproducible too (libxlsxwriter reads a
     * zero creation time as "now") */
    in.run_time_s = 0;
    assert_int_equal(cs_xlsx_write_report(&in, p1, &e), CS_OK);
    nanosleep(&ts, NULL);
    assert_int_equal(cs_xlsx_write_report(&in, p2, &e), CS_OK);
    assert_true(same_file(p1, p2));
    cs_report_model_free(&m);
}

static void
test_sheet_names(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"Summary", "Summary"},
        {"a[b]:c*d?e/f\\g", "a_b__c_d_e_f_g"},
        {"This title is much longer than thirty-one characters", "This title is much longer than"},
        {"history", "History_"},
        {"", "Sheet"},
        {"  \x01\x02  ", "Sheet"},
        {"'quoted'", "\xE2\x80\x99quoted\xE2\x80\x99"},
        {"bad\xff utf8", "bad utf8"},
        {"\xC3\xA9t\xC3\xA9", "\xC3\xA9t\xC3\xA9"},
    };
    char out[128];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cs_xlsx_sheet_name(cases[i].in, out, sizeof out);
        if (strcmp(out, cases[i].out) != 0)
            fail_msg("case %zu: '%s' -> '%s', expected '%s'", i, cases[i].in, out,
                     cases[i].out);
    }
    /* 31 characters, not bytes */
    cs_xlsx_sheet_name("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
                       "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
                       "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
                       "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9",
                       out, sizeof out);
    assert_int_equal(strlen(out), 62);
}

/* Sheet names decode UTF-8 with core/utf8's strict decoder (xlsx.c had its
 * own copy): each byte of an overlong form, a surrogate, a code point above
 * U+10FFFF or a cut sequence is dropped on its own, so an overlong "/" does
 * not become "_"; a 4-byte character counts as two of the 31 UTF-16 units;
 * only ASCII []:*?/\ become "_" (not every character whose low byte is one
 * of them, as before). */
static void
test_sheet_names_strict_utf8(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"a\xC0\xAF"
         "b",
         "ab"}, /* overlong U+002F */
        {"a\xE0\x80\xAF"
         "b",
         "ab"}, /* overlong, 3 bytes */
        {"a\xED\xA0\x80"
         "b",
         "ab"}, /* surrogate U+D800 */
        {"a\xF4\x90\x80\x80"
         "b",
         "ab"},                               /* U+110000 */
        {"ab\xE2\x82", "ab"},                 /* cut at the end */
        {"\xE2\x82\xAC 5", "\xE2\x82\xAC 5"}, /* U+20AC kept */
        {"\xC2\x85x", "x"},                   /* U+0085 (C1 control) dropped */
        /* characters whose low byte is one of []:*?/\ or NUL are no
         * forbidden characters: U+015B, U+012F, U+0100 */
        {"\xC5\x9B\xC4\xAF\xC4\x80", "\xC5\x9B\xC4\xAF\xC4\x80"},
        /* 30 + 2 units would be 32: the emoji does not fit */
        {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\xF0\x9F\x98\x80",
         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},
        /* 29 + 2 = 31: it does */
        {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxx\xF0\x9F\x98\x80",
         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxx\xF0\x9F\x98\x80"},
    };
    char out[128];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cs_xlsx_sheet_name(cases[i].in, out, sizeof out);
        if (strcmp(out, cases[i].out) != 0)
            fail_msg("case %zu: -> '%s', expected '%s'", i, out, cases[i].out);
    }
}

static void
test_generic_table(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/steps.xlsx", dir);
    struct cs_xlsx *x;
    struct cs_err e;
    struct cs_xlsx_opts o = {.run_time_s = RUN_TIME};
    assert_int_equal(cs_xlsx_open(path, &o, &x, &e), CS_OK);
    const char *cols[] = {"week", "responses", "poor rate", "note", "Responses"};
    const char *fmts[] = {NULL, "#,##0", "0.00%", NULL, "0.0"};
    const struct cs_xlsx_cell cells[] = {
        {CS_XLSX_TEXT, 0, "2026-W46"},
        {CS_XLSX_NUMBER, 120, NULL},
        {CS_XLSX_NUMBER, 0.125, NULL},
        {CS_XLSX_TEXT, 0, "=1+1"},
        {CS_XLSX_NUMBER, 1.25, NULL},
        {CS_XLSX_TEXT, 0, "2026-W47"},
        {CS_XLSX_NUMBER, 95, NULL},
        {CS_XLSX_NUMBER, (double)NAN, NULL},
        {CS_XLSX_NULL, 0, NULL},
        {CS_XLSX_NUMBER, (double)INFINITY, NULL},
        {CS_XLSX_TEXT, 0, "2026-W48"},
        {CS_XLSX_NUMBER, 101, NULL},
        {CS_XLSX_NUMBER, 0.25, NULL},
        {CS_XLSX_TEXT, 0, NULL},
        {CS_XLSX_NUMBER, -0.0, NULL},
    };
    const size_t vals[] = {2};
    struct cs_xlsx_chart_spec ch = {.kind = CS_XLSX_CHART_LINE, .category_col = 0, .value_cols = vals, .n_value_cols = 1, .title = "=poor rate", .value_format = "0%"};
    struct cs_xlsx_table_spec t = {.title = "Poor rate: by week?", .columns = cols, .n_cols = 5, .num_formats = fmts, .cells = cells, .n_rows = 3, .chart = &ch};
    assert_int_equal(cs_xlsx_table(x, &t, &e), CS_OK);
    /* same title again: a unique name; a pie chart; no rows at all */
    const size_t pv[] = {1};
    struct cs_xlsx_chart_spec pie = {.kind = CS_XLSX_CHART_PIE, .category_col = 0, .value_cols = pv, .n_value_cols = 1};
    t.chart = &pie;
    assert_int_equal(cs_xlsx_table(x, &t, &e), CS_OK);
    t.n_rows = 0;
    t.cells = NULL;
    assert_int_equal(cs_xlsx_table(x, &t, &e), CS_OK);
    /* a bad spec is a usage error, and the context still aborts cleanly */
    const size_t bad[] = {9};
    struct cs_xlsx_chart_spec bc = {.kind = CS_XLSX_CHART_BAR, .value_cols = bad, .n_value_cols = 1};
    t.chart = &bc;
    assert_int_equal(cs_xlsx_table(x, &t, &e), CS_E_USAGE);
    t.chart = NULL;
    t.n_cols = 0;
    assert_int_equal(cs_xlsx_table(x, &t, &e), CS_E_USAGE);
    assert_int_equal(cs_xlsx_close(&x, &e), CS_OK);

    cJSON *exp = cJSON_CreateObject();
    cJSON *sheets = cJSON_AddArrayToObject(exp, "sheets");
    cJSON_AddItemToArray(sheets, cJSON_CreateString("Poor rate_ by week_"));
    cJSON_AddItemToArray(sheets, cJSON_CreateString("Poor rate_ by week_ (2)"));
    cJSON_AddItemToArray(sheets, cJSON_CreateString("Poor rate_ by week_ (3)"));
    cJSON *rows = cJSON_AddArrayToObject(exp, "rows");
    cJSON *r = row(rows, "Poor rate_ by week_", "week", -1);
    str(r, "key", "week", "2026-W46");
    num(r, "values", "responses", 120);
    num(r, "values", "poor rate", 0.125);
    str(r, "values", "note", "=1+1");
    num(r, "values", "Responses (2)", 1.25); /* names unique, case-insensitively */
    str(r, "formats", "responses", "#,##0");
    str(r, "formats", "poor rate", "0.00%");
    str(r, "formats", "Responses (2)", "0.0");
    r = row(rows, "Poor rate_ by week_", "week", -1);
    str(r, "key", "week", "2026-W47");
    num(r, "values", "poor rate", (double)NAN); /* empty, not 0 or #NUM! */
    str(r, "values", "note", NULL);
    num(r, "values", "Responses (2)", (double)NAN);
    r = row(rows, "Poor rate_ by week_", "week", -1);
    str(r, "key", "week", "2026-W48");
    num(r, "values", "Responses (2)", 0);
    cJSON *charts = cJSON_AddArrayToObject(exp, "charts");
    chart(charts, "Poor rate_ by week_", "week", 0, "lineChart", "week", "poor rate", NULL);
    chart(charts, "Poor rate_ by week_ (2)", "week", 0, "pieChart", "week", "responses", NULL);
    cJSON_AddNumberToObject(exp, "n_charts", 2);
    run_checker(path, exp);
    cJSON_Delete(exp);
}

static size_t
files_in(const char *d)
{
    DIR *dp = opendir(d);
    assert_non_null(dp);
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(dp)))
        n += de->d_name[0] != '.';
    closedir(dp);
    return n;
}

static void
test_failures_leave_nothing(void **state)
{
    (void)state;
    char sub[512], path[600];
    snprintf(sub, sizeof sub, "%s/fail", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    struct cs_xlsx *x;
    struct cs_err e;
    /* abort after a section: no file, no temporary file */
    snprintf(path, sizeof path, "%s/report.xlsx", sub);
    assert_int_equal(cs_xlsx_open(path, NULL, &x, &e), CS_OK);
    struct cs_report_model *m = build();
    struct cs_xlsx_input in;
    fill_input(&in, m, NULL);
    assert_int_equal(cs_xlsx_summary(x, &in, &e), CS_OK);
    cs_xlsx_abort(&x);
    assert_null(x);
    cs_xlsx_abort(&x); /* no-op */
    assert_int_equal(files_in(sub), 0);
    /* a directory that does not exist: an I/O error naming the path */
    snprintf(path, sizeof path, "%s/missing/report.xlsx", sub);
    assert_int_equal(cs_xlsx_open(path, NULL, &x, &e), CS_E_IO);
    assert_non_null(strstr(e.where, "missing/report.xlsx"));
    /* the output name taken by a directory: close fails, nothing is left */
    snprintf(path, sizeof path, "%s/taken.xlsx", sub);
    assert_int_equal(mkdir(path, 0755), 0);
    assert_int_equal(cs_xlsx_open(path, NULL, &x, &e), CS_OK);
    assert_int_equal(cs_xlsx_summary(x, &in, &e), CS_OK);
    assert_int_equal(cs_xlsx_close(&x, &e), CS_E_IO);
    assert_null(x);
    assert_int_equal(files_in(sub), 1); /* just the directory */
    cs_report_model_free(&m);
}

/* No surveys at all: every table still has its (empty) data row, no chart
 * points at nothing. */
static void
test_empty_store(void **state)
{
    (void)state;
    struct cs_store *s0 = S;
    struct cs_store_opts so = {.default_threshold = 2};
    struct cs_err e;
    assert_int_equal(cs_store_open(&so, &S, &e), CS_OK);
    struct cs_join_audit a;
    struct cs_xlsx_input in;
    struct cs_report_model *m = audited_input(&a, &in);
    char path[512];
    snprintf(path, sizeof path, "%s/empty.xlsx", dir);
    if (cs_xlsx_write_report(&in, path, &e) != CS_OK)
        fail_msg("%s: %s", e.where, e.msg);
    cJSON *exp = cJSON_CreateObject();
    cJSON *sheets = cJSON_AddArrayToObject(exp, "sheets");
    const char *names[] = {"About", "Summary", "Issues", "Issue pairs",
                           "Trend", "Trend data", "Data Quality", "Data",
                           "Inputs"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        cJSON_AddItemToArray(sheets, cJSON_CreateString(names[i]));
    cJSON_AddNumberToObject(exp, "n_charts", 0);
    cJSON *rows = cJSON_AddArrayToObject(exp, "rows");
    cJSON *r = row(rows, "Data Quality", "Check", -1);
    str(r, "key", "Check", "Surveys in the window");
    num(r, "values", "Count", 0);
    run_checker(path, exp);
    cJSON_Delete(exp);
    cs_report_model_free(&m);
    cs_store_close(&S);
    S = s0;
}

/* More custom keys than Excel has columns, with the cap at its largest
 * (--custom-columns 16372): 11 columns + 16,372 keys + 'other' = 16,384, and
 * 'other' holds the answers under the 28 keys left (all keys are used once:
 * the first in byte order keep a column).  Nothing is left out. */
static void
test_custom_key_cap(void **state)
{
    (void)state;
#ifdef CS_SANITIZED
    /* libxlsxwriter makes a large allocation per table column: 16,384 of
     * them take 17 s under ASan; the code under test also runs (without
     * the cut) in test_report_workbook */
    skip();
#endif
    struct cs_store *s0 = S;
    struct cs_store_opts so = {.default_threshold = 2};
    struct cs_err e;
    assert_int_equal(cs_store_open(&so, &S, &e), CS_OK);
    struct cs_record r = rec("s1", w47, "ACS-A");
    rate(&r, CS_CAT_OVERALL, 4);
    struct cs_store_counts c = {0};
    cs_store_input_begin(S, "wide.jsonl", &e);
    assert_int_equal(cs_store_put(S, &r, 1, &c, &e), CS_OK);
    size_t cap = 16400 * 20 + 16, n = 0;
    char *props = malloc(cap);
    assert_non_null(props);
    n += (size_t)snprintf(props + n, cap - n, "{");
    for (int k = 0; k < 16400; k++)
        n += (size_t)snprintf(props + n, cap - n, "%s\"k%05d\":%d", k ? "," : "", k, k);
    snprintf(props + n, cap - n, "}");
    add_event("s1", w47 + CS_US_PER_S, props);
    free(props);
    assert_int_equal(cs_store_input_end(S, true, NULL, &e), CS_OK);
    struct cs_report_model *m = build();
    struct cs_xlsx_input in;
    fill_input(&in, m, NULL);
    in.custom_columns = 16372;
    char path[512];
    snprintf(path, sizeof path, "%s/wide.xlsx", dir);
    struct cs_xlsx *x;
    assert_int_equal(cs_xlsx_open(path, NULL, &x, &e), CS_OK);
    assert_int_equal(cs_xlsx_custom(x, &in, &e), CS_OK);
    assert_int_equal(cs_xlsx_close(&x, &e), CS_OK);
    cJSON *exp = cJSON_CreateObject();
    cJSON *rows = cJSON_AddArrayToObject(exp, "rows");
    cJSON *rw = row(rows, "Custom", "Survey id", -1);
    str(rw, "key", "Survey id", "s1");
    num(rw, "values", "k00000", 0);
    num(rw, "values", "k16371", 16371);
    char other[1024];
    size_t on = (size_t)snprintf(other, sizeof other, "{");
    for (int k = 16372; k < 16400; k++)
        on += (size_t)snprintf(other + on, sizeof other - on, "%s\"k%05d\":%d",
                               k > 16372 ? "," : "", k, k);
    snprintf(other + on, sizeof other - on, "}");
    str(rw, "values", "other", other);
    run_checker(path, exp);
    cJSON_Delete(exp);
    cs_report_model_free(&m);
    cs_store_close(&S);
    S = s0;
}

/* The streamed sheets' cells written by render/xlsx_cells.h come out byte
 * for byte as libxlsxwriter's own calls write them: the whole workbook is
 * the same file (the run time is fixed).  Answers added here cover what
 * the fixture lacks: spaces at either end, & < >, tabs, CR and LF,
 * fractions, negatives, large and small magnitudes; and around the plain
 * texts written as they are (xl_cells_plain): '_' and the _xHHHH_ form,
 * '~' and '!' (the printable ends), DEL, a space at the end only, and
 * texts of 16 bytes and more (checked 16 at a time) with such a byte, a
 * control or a non-ASCII one inside a block of 16 or at either end of one
 * (the last len % 16 bytes are checked one at a time). */
static void
test_cells_as_libxlsxwriter(void **state)
{
    (void)state;
    add_event("s4", w47 + 7 * CS_US_PER_DAY + 90 * CS_US_PER_S,
              "{\"comment\":\" lead & <trail> \",\"t\":\"a\\tb\\r\\nc\\n\",\"x\":-1.25,"
              "\"big\":1e300,\"small\":1.5e-7,\"frac\":12345.678901234567,"
              "\"neg\":-987654321.123,\"int\":-42,\"no\":false,\"q\":\"\\\"&amp;\\\"\","
              "\"u\":\"a_b\",\"esc\":\"_x0041_\",\"tilde\":\"!~x y~\",\"del\":\"a\\u007fb\","
              "\"end\":\"end \",\"gt\":\"1>0\","
              "\"l1\":\"abcdefghijklmnopqrstuvwxyz_0123456789\","
              "\"l2\":\"0123456789abcdef0123456789ab<de\","
              "\"l3\":\"0123456789abcdef\\u00e9xyz\","
              "\"l4\":\"0123456789abcdef0123456789abcde\\u007f\","
              "\"l5\":\"~0123456789abcdef0123456789abcd!\","
              "\"l6\":\"0123456789abcde>xyz\",\"l7\":\"0123456789abcdef0123456789abcde \","
              "\"l8\":\"0123456789abcdef0_x0041_89abcdef\","
              "\"l9\":\"0123456789abcdef0123<56789abcdef0123\","
              "\"l10\":\"0123&56789abcdef0123456789abcdef\","
              "\"l11\":\"0123456789\\u00e9bcdef0123456789abcdef\","
              "\"l12\":\"0123456789abcdef01234\\u000156789abcdef\"}");
    struct cs_join_audit a;
    struct cs_xlsx_input in;
    struct cs_report_model *m = audited_input(&a, &in);
    struct cs_err e;
    char path[2][512];
    unsigned long spliced[2];
    size_t streamed = 0; /* sheets of Custom and Data */
    for (int lib = 0; lib < 2; lib++) {
        snprintf(path[lib], sizeof path[lib], "%s/cells-%s.xlsx", dir, lib ? "lib" : "own");
        struct cs_xlsx_opts o = {.tool_version = "callsurvey test", .run_time_s = RUN_TIME, .rows_per_sheet = 4, .lib_cells = lib};
        struct cs_xlsx *x;
        unsigned long before = xl_bodies_spliced_count();
        assert_int_equal(cs_xlsx_open(path[lib], &o, &x, &e), CS_OK);
        assert_int_equal(cs_xlsx_custom(x, &in, &e), CS_OK);
        struct cs_xlsx_stats st;
        cs_xlsx_get_stats(x, &st);
        size_t custom_sheets = st.sheets; /* the only sheets so far */
        assert_int_equal(cs_xlsx_data(x, &in, &e), CS_OK);
        cs_xlsx_get_stats(x, &st);
        streamed = custom_sheets + st.data_sheets;
        assert_int_equal(cs_xlsx_close(&x, &e), CS_OK);
        spliced[lib] = xl_bodies_spliced_count() - before;
    }
    /* own cells: each streamed sheet's rows were deflated while written and
     * spliced in (render/xlsx_body.h); libxlsxwriter's: none */
    assert_true(streamed >= 3);
    assert_int_equal(spliced[0], streamed);
    assert_int_equal(spliced[1], 0);
    /* the Custom sheet holds the new answers (so the comparison covers them) */
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "unzip -p '%s' 'xl/worksheets/sheet*.xml' > '%s/cells.xml' && "
             "grep -q '<t xml:space=\"preserve\"> lead &amp; &lt;trail&gt; </t>' '%s/cells.xml' && "
             "grep -q '<v>-1.25</v>' '%s/cells.xml' && grep -q '<v>1.5E-07</v>' '%s/cells.xml' && "
             "grep -q 'b_x000D_$' '%s/cells.xml'",
             path[0], dir, dir, dir, dir, dir);
    assert_int_equal(system(cmd), 0);
    /* every member inflates to the same bytes (unzip checks each CRC) */
    snprintf(cmd, sizeof cmd,
             "rm -rf '%s/own' '%s/lib' && unzip -q -d '%s/own' '%s' && "
             "unzip -q -d '%s/lib' '%s' && diff -r '%s/own' '%s/lib' && "
             "[ $(unzip -Z1 '%s' | wc -l) = $(unzip -Z1 '%s' | wc -l) ]",
             dir, dir, dir, path[0], dir, path[1], dir, dir, path[0], path[1]);
    assert_int_equal(system(cmd), 0);
    cs_report_model_free(&m);
}

/* CS_XLSX_BIG=1: 1,000,000 surveys with everything filled in. */
static void
test_big(void **state)
{
    (void)state;
    const char *env = getenv("CS_XLSX_BIG");
    if (!env || !*env || strcmp(env, "0") == 0)
        skip();
    uint64_t n = strtoull(env, NULL, 10);
    if (n < 1000)
        n = 1000000;
    struct cs_store *s0 = S;
    struct cs_store_opts so = {.default_threshold = 2};
    const char *dbp = getenv("CS_XLSX_BIG_DB");
    so.path = dbp && *dbp ? dbp : NULL;
    so.expected_bytes = 1u << 30; /* a temporary file, as the CLI would */
    struct cs_err e;
    assert_int_equal(cs_store_open(&so, &S, &e), CS_OK);
    struct timespec t0, t1, t2;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct cs_store_totals tot;
    assert_int_equal(cs_store_totals(S, &tot, &e), CS_OK);
    if (tot.surveys == 0) {
        static struct cs_record r[1000];
        static const char *const tags[] = {"Echo", "AudioNoise", "LowVolume", "", "Echo,LowVolume"};
        cs_store_input_begin(S, "big.jsonl", &e);
        struct cs_store_counts c = {0};
        uint64_t seed = 42;
        for (uint64_t i = 0; i < n; i += 1000) {
            for (int k = 0; k < 1000; k++) {
                uint64_t j = i + (uint64_t)k;
                seed = seed * 6364136223846793005u + 1442695040888963407u;
                char id[40];
                snprintf(id, sizeof id, "%08llx-%04llx-4000-8000-%012llx",
                         (unsigned long long)(j * 2654435761u & 0xffffffffu),
                         (unsigned long long)(j & 0xffff), (unsigned long long)j);
                r[k] = rec(id, w47 + (int64_t)(j % (28 * 86400)) * CS_US_PER_S,
                           (j % 3) ? "ACS-PROD-EUS" : "ACS-PROD-WEU");
                r[k].line = j + 1;
                rate(&r[k], CS_CAT_OVERALL, (double)(1 + (seed >> 33) % 5));
                if (j % 2) {
                    rate(&r[k], CS_CAT_AUDIO, (double)(1 + (seed >> 40) % 5));
                    const char *t = tags[(seed >> 20) % 5];
                    cs_rating_set_issues(&r[k].rating[1], CS_CAT_AUDIO, t, strlen(t));
                }
                if (j % 5 == 0)
                    rate(&r[k], CS_CAT_VIDEO, (double)(1 + (seed >> 45) % 5));
            }
            assert_int_equal(cs_store_put(S, r, 1000, &c, &e), CS_OK);
        }
        struct cs_input_summary sum = {.format = "jsonl", .read = n, .stored = c.stored};
        assert_int_equal(cs_store_input_end(S, true, &sum, &e), CS_OK);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    struct cs_join_audit a;
    struct cs_xlsx_input in;
    struct cs_report_model *m = audited_input(&a, &in);
    char path[512];
    const char *out = getenv("CS_XLSX_BIG_OUT");
    snprintf(path, sizeof path, "%s", out && *out ? out : "");
    if (!*path)
        snprintf(path, sizeof path, "%s/big.xlsx", dir);
    if (cs_xlsx_write_report(&in, path, &e) != CS_OK)
        fail_msg("%s: %s", e.where, e.msg);
    clock_gettime(CLOCK_MONOTONIC, &t2);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    printf("big: %llu surveys; store %.1f s; model + workbook %.1f s; %s %.1f MB\n",
           (unsigned long long)m->totals.surveys,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
           (double)(t2.tv_sec - t1.tv_sec) + (double)(t2.tv_nsec - t1.tv_nsec) / 1e9, path,
           (double)st.st_size / 1e6);
    cs_report_model_free(&m);
    cs_store_close(&S);
    S = s0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_workbook),
        cmocka_unit_test(test_byte_identical),
        cmocka_unit_test(test_sheet_names),
        cmocka_unit_test(test_sheet_names_strict_utf8),
        cmocka_unit_test(test_generic_table),
        cmocka_unit_test(test_failures_leave_nothing),
        cmocka_unit_test(test_empty_store),
        cmocka_unit_test(test_custom_key_cap),
        cmocka_unit_test(test_cells_as_libxlsxwriter),
        cmocka_unit_test(test_big),
    };
    const char *only = getenv("CS_XLSX_ONLY"); /* e.g. test_generic_table */
    if (only && *only)
        cmocka_set_test_filter(only);
    return cmocka_run_group_tests(tests, setup, teardown);
}
