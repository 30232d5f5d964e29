/*
 * tests/fuzz/fuzz_template.c: libFuzzer harness for report templates.
 *
 * The input is one YAML template file.  cs_template_load_data runs both of
 * its passes (the libyaml line index with its duplicate-key and alias
 * checks, then libcyaml with the schema) and every validation rule of
 * report/template.h.  A template that loads then goes through what `report`
 * does with it before reading data: the effective sheet and chart names of
 * every step and category, the parameter values (defaults, and each
 * declared parameter overridden with its own description as the value, so
 * the number and time checks see arbitrary text), and the preparation of
 * every query step on an in-memory store (opened once per process; nothing
 * is written to it, the runner is read-only).
 *
 * Checked: errors are CS_E_TEMPLATE with where = "fuzz.yaml[:line]" (the
 * contract: every error names the file and line), names fit their limits.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "fuzz_common.h"
#include "report/report.h"
#include "report/template.h"
#include "store/store.h"

#define PATH "fuzz.yaml"

static struct cs_store *
store_once(void)
{
    static struct cs_store *s;
    if (s == NULL) {
        struct cs_store_opts so = {.default_threshold = 2};
        struct cs_err err;
        cs_err_clear(&err);
        if (cs_store_open(&so, &s, &err) != CS_OK) {
            fprintf(stderr, "fuzz: cannot open the store: %s\n", err.msg);
            abort();
        }
    }
    return s;
}

static void
check_names(const struct cs_template *t)
{
    for (size_t i = 0; i < t->n_steps; i++) {
        for (int c = -1; c < CS_CAT__COUNT; c++) {
            char sheet[128], chart[CS_CHART_NAME_MAX + 32];
            cs_template_sheet_name(&t->steps[i], c, sheet, sizeof sheet);
            cs_template_chart_name(&t->steps[i], c, chart, sizeof chart);
            FUZZ_CHECK(strnlen(sheet, sizeof sheet) < sizeof sheet);
            FUZZ_CHECK(strnlen(chart, sizeof chart) < sizeof chart);
            if (!cs_render_is_chart(t->steps[i].render))
                FUZZ_CHECK(chart[0] == '\0');
        }
    }
}

static void
check_params(const struct cs_template *t, uint32_t h)
{
    struct cs_report_opts o;
    cs_report_opts_default(&o);
    if (h & 1) {
        o.has_week = cs_week_parse("2026-W47", &o.week_start_us, &o.week_end_us);
        o.resources[0] = "acs-\"a\"\\\x01";
        o.n_resources = 1;
    }
    struct cs_err err;
    cs_err_clear(&err);
    struct cs_template_params *p = NULL;
    cs_status s = cs_template_params_build(t, &o, NULL, 0, &p, &err);
    /* defaults were checked against their types when the file loaded */
    FUZZ_CHECK(s == CS_OK && p != NULL);
    cs_err_clear(&err);
    s = cs_template_check_queries(store_once(), t, p, &err);
    FUZZ_CHECK(s == CS_OK || s == CS_E_TEMPLATE || s == CS_E_DB);
    FUZZ_CHECK(s == err.code);
    cs_template_params_free(&p);
    FUZZ_CHECK(p == NULL);

    /* every declared parameter overridden with arbitrary text */
    char **ov = calloc(t->n_params + 1, sizeof *ov);
    FUZZ_CHECK(ov != NULL);
    for (size_t i = 0; i < t->n_params; i++) {
        size_t n = strlen(t->params[i].name) + strlen(t->params[i].description) + 2;
        ov[i] = malloc(n);
        FUZZ_CHECK(ov[i] != NULL);
        snprintf(ov[i], n, "%s=%s", t->params[i].name, t->params[i].description);
    }
    cs_err_clear(&err);
    s = cs_template_params_build(t, &o, (const char *const *)ov, t->n_params,
                                 &p, &err);
    FUZZ_CHECK(s == CS_OK || s == CS_E_USAGE);
    FUZZ_CHECK((s == CS_OK) == (p != NULL));
    cs_template_params_free(&p);
    for (size_t i = 0; i < t->n_params; i++)
        free(ov[i]);
    free(ov);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cs_template *t = NULL;
    struct cs_err err;
    cs_err_clear(&err);
    cs_status s = cs_template_load_data(PATH, (const char *)data, size, &t, &err);
    if (s != CS_OK) {
        FUZZ_CHECK(t == NULL);
        FUZZ_CHECK(s == CS_E_TEMPLATE && err.code == CS_E_TEMPLATE);
        FUZZ_CHECK(strncmp(err.where, PATH, strlen(PATH)) == 0);
        FUZZ_CHECK(err.msg[0] != '\0');
        return 0;
    }
    FUZZ_CHECK(t != NULL && t->n_steps >= 1 && t->title && t->title[0]);
    FUZZ_CHECK(strcmp(t->path, PATH) == 0 && strcmp(t->name, "fuzz") == 0);
    check_names(t);
    check_params(t, fuzz_hash(data, size));
    cs_template_free(&t);
    FUZZ_CHECK(t == NULL);
    return 0;
}
