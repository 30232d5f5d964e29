/*
 * cmd/cmd_compare.c: `callsurvey compare`: groups against a baseline:
 * compare.json, the terminal table, charts and compare.xlsx.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/mem.h"
#include "core/outdir.h"
#include "render/json.h"
#include "report/charts.h"
#include "report/compare_run.h"
#include "report/hist_notes.h"
#include "report/html_report.h"
#include "report/report.h"
#include "report/template.h"

/* What one compare run holds; released by run_free whatever the outcome. */
struct run {
    struct cs_config *cfg;
    struct cs_template *tmpl;
    struct cs_template_params *params;
    struct cs_store *store;
    struct cs_compare_opts co;
    struct cs_compare *c;
    struct cs_report_model *m;
    struct cs_outdir *od; /* written into a staging directory, moved into DIR at the end */
};

static void
run_free(struct run *r)
{
    cs_outdir_abort(&r->od);
    cs_report_model_free(&r->m);
    cs_compare_free(&r->c);
    cs_store_close(&r->store);
    cs_template_params_free(&r->params);
    cs_template_free(&r->tmpl);
}

static void
compare_file(void *ctx, const char *path)
{
    struct run *r = ctx;
    char final[4096];
    if (!r->cfg->quiet) /* the path it has once moved into place */
        printf("wrote %s\n", cs_outdir_final(r->od, path, final, sizeof final));
}

static void
compare_note(void *ctx, const char *text)
{
    struct run *r = ctx;
    cs_cmd_msg(r->cfg, "warning", "%s", text);
}

/* Template, parameters, store and inputs, before any comparison: -1 to go
 * on, else the exit code. */
static int
prepare(struct run *r)
{
    struct cs_config *cfg = r->cfg;
    struct cs_err err;
    cs_err_clear(&err);
    /* the template is found, loaded and checked before any data is read */
    r->tmpl = cs_cmd_load_template(
        cfg->ropts.template_name ? cfg->ropts.template_name : "release-compare", &err);
    if (!r->tmpl || cs_compare_template_check(r->tmpl, &err) != CS_OK ||
        cs_template_params_build(r->tmpl, &cfg->ropts, (const char *const *)cfg->params,
                                 cfg->n_params, &r->params, &err) != CS_OK) {
        cs_cmd_err(cfg, &err);
        return cs_cmd_exit_for(err.code);
    }
    r->store = cs_cmd_open_store(cfg, &err);
    if (!r->store || cs_template_check_queries(r->store, r->tmpl, r->params, &err) != CS_OK) {
        cs_cmd_err(cfg, &err);
        return EXIT_FAILED;
    }
    if (cfg->n_inputs > 0) {
        struct cs_accounting tot = {0};
        int rc = cs_cmd_load(cfg, r->store, &tot);
        if (rc == EXIT_FAILED)
            return rc;
    }
    return -1;
}

/* The comparison and the whole window's model: -1 to go on, else the exit code. */
static int
build(struct run *r)
{
    struct cs_config *cfg = r->cfg;
    const struct cs_report_opts *o = &cfg->ropts;
    struct cs_err err;
    cs_err_clear(&err);
    r->co = (struct cs_compare_opts){
        .filter = cs_report_opts_filter(o),
        .by = o->compare_by,
        .baseline = o->baseline,
        .min_n = o->min_n,
        .min_effect = o->min_effect,
        .top = cfg->top,
    };
    struct cs_model_opts mo = {.filter = r->co.filter, .has_week = o->has_week, .week_start_us = o->week_start_us, .bucket = o->bucket_day ? CS_BUCKET_DAY : CS_BUCKET_WEEK, .min_n = o->min_n};
    /* one snapshot for every read: groups, About and the rendered steps */
    cs_status s = cs_store_read_begin(r->store, &err);
    if (s == CS_OK)
        s = cs_compare_build(r->store, &r->co, &r->c, &err);
    if (s == CS_OK && cs_compare_apply_privacy(r->c, cfg->privacy) > 0)
        cs_cmd_msg(cfg, "note", "answers of %s that are text are shown as pseudonyms (--pseudonymize)",
                   o->compare_by);
    if (s == CS_OK) /* the whole window: About, Data Quality, query-step charts */
        s = cs_report_model_build(r->store, &mo, &r->m, &err);
    if (s != CS_OK) {
        cs_cmd_err(cfg, &err);
        return cs_cmd_exit_for(s);
    }
    if (cs_report_check_chart_names(r->tmpl, r->m, r->c, &err) != CS_OK) {
        cs_cmd_err(cfg, &err);
        return cs_cmd_exit_for(err.code);
    }
    return -1;
}

/* compare.json, the terminal table, then the template's charts and
 * compare.xlsx; returns the exit code. */
static int
write_outputs(struct run *r)
{
    struct cs_config *cfg = r->cfg;
    const struct cs_report_opts *o = &cfg->ropts;
    struct cs_err err;
    cs_err_clear(&err);
    int rc = EXIT_DONE;
    char path[4096];
    struct cs_run_info ri;
    cs_cmd_run_info(cfg, r->tmpl->name, &ri);
    if (cs_outdir_open(o->out_dir, &r->od, &err) == CS_OK)
        snprintf(path, sizeof path, "%s/compare.json", cs_outdir_stage(r->od));
    if (!r->od ||
        cs_json_compare_write(r->c, r->tmpl->name, &ri, cfg->privacy, path, &err) != CS_OK) {
        cs_outdir_fix_err(r->od, &err);
        cs_cmd_err(cfg, &err);
        return EXIT_FAILED;
    }
    char *txt = cs_compare_text(r->c, false);
    if (!cfg->quiet) {
        cs_cmd_text(txt, stdout);
        compare_file(r, path);
    }
    xfree(txt);
    char *about = cfg->hist_inputs ? rep_hist_about(o->filters_text) : NULL; /* About */
    struct cs_compare_out out = {
        .dir = cs_outdir_stage(r->od), .run_time_s = o->run_time_s, .tool_version = o->tool_version, .surfaces = CS_CHART_PNG, .chart_size = o->chart_size, .m = r->m, .filter = &r->co.filter, .filters_text = about ? about : o->filters_text, .privacy = cfg->privacy, .on_file = compare_file, .ctx = r, .on_note = compare_note, .html = cs_formats_has(o->formats, "html")};
    /* compare.xlsx and the charts, then compare.html (issue 19) */
    if (cs_compare_render(r->c, r->store, r->tmpl, r->params, &out, &err) != CS_OK ||
        (out.html && cs_html_compare(r->c, &out, r->tmpl->name, &err) != CS_OK)) {
        cs_outdir_fix_err(r->od, &err);
        cs_cmd_err(cfg, &err);
        rc = cs_cmd_exit_for(err.code);
    } else if (cs_outdir_commit(&r->od, &err) != CS_OK) {
        cs_cmd_err(cfg, &err);
        rc = cs_cmd_exit_for(err.code);
    }
    if (o->fail_on_regression && r->c->n_worse > 0) {
        char *w = cs_compare_text(r->c, true);
        cs_cmd_msg(cfg, "error", "%zu rows are worse than the baseline (--fail-on-regression):",
                   r->c->n_worse);
        cs_cmd_text(w, stderr);
        xfree(w);
        if (rc == EXIT_DONE)
            rc = EXIT_REGRESSION;
    }
    xfree(about);
    return rc;
}

int
cs_cmd_compare(struct cs_config *cfg)
{
    if (!cfg->ropts.compare_by) {
        cs_cmd_msg(cfg, "error", "compare needs --by resource|week|day|custom:KEY|DIM");
        cs_cmd_usage_line();
        return EXIT_USAGE;
    }
    if (cfg->n_inputs == 0 && !cfg->db) {
        cs_cmd_msg(cfg, "error", "compare needs INPUT files or --db FILE");
        cs_cmd_usage_line();
        return EXIT_USAGE;
    }
    struct run r = {.cfg = cfg};
    int rc = prepare(&r);
    if (rc < 0)
        rc = build(&r);
    if (rc < 0)
        rc = write_outputs(&r);
    run_free(&r);
    return rc;
}
