/*
 * cmd/cmd_report.c: `callsurvey report`: template, store, load, the report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/mem.h"
#include "report/html_report.h"
#include "report/template.h"

int
cs_cmd_report(struct cs_config *cfg)
{
    struct cs_err err;
    cs_err_clear(&err);
    if (cfg->n_inputs == 0 && !cfg->db) {
        cs_cmd_msg(cfg, "error", "report needs INPUT files or --db FILE");
        cs_cmd_usage_line();
        return EXIT_USAGE;
    }
    if (cfg->kopts.n_custom_keys) { /* the rows `kql --custom-keys` returns, from local data */
        if (!cfg->ropts.formats || !cs_formats_has(cfg->ropts.formats, "histograms")) {
            cs_cmd_msg(cfg, "error", "--custom-keys: report counts custom answers only in the "
                                     "histograms table (--formats histograms)");
            cs_cmd_usage_line();
            return EXIT_USAGE;
        }
        cfg->ropts.hist_custom_keys = cfg->kopts.custom_keys;
        cfg->ropts.n_hist_custom_keys = cfg->kopts.n_custom_keys;
    }
    struct cs_template *tmpl = cs_cmd_load_template(
        cfg->ropts.template_name ? cfg->ropts.template_name : "weekly-review", &err);
    if (!tmpl) {
        cs_cmd_err(cfg, &err);
        return cs_cmd_exit_for(err.code);
    }
    struct cs_template_params *params = NULL;
    if (cs_template_params_build(tmpl, &cfg->ropts, (const char *const *)cfg->params,
                                 cfg->n_params, &params, &err) != CS_OK) {
        cs_cmd_err(cfg, &err);
        cs_template_free(&tmpl);
        return cs_cmd_exit_for(err.code);
    }
    struct cs_store *store = cs_cmd_open_store(cfg, &err);
    if (!store || cs_template_check_queries(store, tmpl, params, &err) != CS_OK) {
        /* SQL and column errors surface before any input is read */
        cs_cmd_err(cfg, &err);
        cs_store_close(&store);
        cs_template_params_free(&params);
        cs_template_free(&tmpl);
        return EXIT_FAILED;
    }
    int rc = EXIT_DONE;
    struct cs_accounting tot = {0};
    if (cfg->n_inputs > 0) {
        /* a private store's calls join is made beside the statistics */
        cfg->ropts.join_calls = cfg->db == NULL && !cfg->hist_inputs;
        /* and its statistics are counted as it loads (store/load_cube.h) */
        if (cfg->ropts.join_calls)
            cs_store_keep_cube(store, CS_STORE_CUBE_MAX);
        rc = cs_cmd_load(cfg, store, &tot);
        if (rc == EXIT_FAILED) {
            cs_store_close(&store);
            cs_template_params_free(&params);
            cs_template_free(&tmpl);
            return rc;
        }
    }
    struct cs_report_result res;
    cfg->ropts.on_stage = cs_cmd_on_stage;
    cfg->ropts.stage_ctx = cfg;
    struct cs_run_info ri;
    cs_cmd_run_info(cfg, cfg->ropts.template_name ? cfg->ropts.template_name : "weekly-review", &ri);
    cfg->ropts.run_info = &ri;
    cs_status s = cs_report_run(store, &cfg->ropts, tmpl, params, &res, &err);
    cs_cmd_progress_clear(cfg);
    cs_template_params_free(&params);
    cs_template_free(&tmpl);
    if (s == CS_OK && res.calls_joined)
        cs_cmd_print_call_join(cfg, &res.calls);
    if (s == CS_OK)
        cs_cmd_msg(cfg, "note", "timings: load %.3f s (parse and store on two threads), "
                                "statistics %.3f s, review %.3f s, json %.3f s, csv %.3f s, charts %.3f s, "
                                "xlsx %.3f s",
                   tot.seconds, res.seconds_stats, res.seconds_review, res.seconds_json, res.seconds_csv,
                   res.seconds_charts, res.seconds_xlsx);
    if (s != CS_OK) {
        cs_cmd_err(cfg, &err);
        cs_store_close(&store);
        return cs_cmd_exit_for(s);
    }
    for (size_t i = 0; i < res.n_notes; i++)
        cs_cmd_msg(cfg, "warning", "%s", res.notes[i]);
    if (!cfg->quiet) {
        cs_cmd_text(res.terminal_text, stdout);
        for (size_t i = 0; i < res.n_files; i++)
            printf("wrote %s\n", res.files[i]);
    }
    if (cfg->ropts.fail_on_regression && res.n_worse > 0) {
        cs_cmd_msg(cfg, "error", "%zu review rows are worse than the comparison period (--fail-on-regression):",
                   res.n_worse);
        cs_cmd_text(res.worse_text, stderr);
        if (rc == EXIT_DONE)
            rc = EXIT_REGRESSION;
    }
    cs_report_result_free(&res);
    cs_store_close(&store);
    return rc;
}
