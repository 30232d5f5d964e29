/*
 * cmd/cmd_hist.c: `report --histograms` and `compare --histograms`: the
 * INPUTs are histograms tables (ingest/hist_read.h) added together into
 * the run's private store (store/hist_load.h), from which every statistic
 * is computed (store/hist_cube.h).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/mem.h"
#include "ingest/hist_read.h"
#include "report/html_report.h"
#include "report/kql.h"
#include "store/hist_load.h"

int
cs_cmd_check_hist_options(struct cs_config *cfg)
{
    const char *bad = cfg->db         ? "--db"
                      : cfg->n_custom ? "--custom"
                      : cfg->n_calls  ? "--calls"
                      : cfg->rejects  ? "--rejects"
                      : cfg->strict   ? "--strict"
                                      : NULL;
    if (bad) {
        cs_cmd_msg(cfg, "error",
                   "--histograms reads counts, not surveys: %s does not apply (the custom "
                   "answers and release dimensions come as columns of the histograms: "
                   "`callsurvey kql --custom-keys`, `--by`)",
                   bad);
        cs_cmd_usage_line();
        return EXIT_USAGE;
    }
    if (cfg->ropts.formats && cs_formats_has(cfg->ropts.formats, "histograms")) {
        cs_cmd_msg(cfg, "error", "--formats histograms writes the histograms of surveys; with "
                                 "--histograms they are the input");
        cs_cmd_usage_line();
        return EXIT_USAGE;
    }
    if (cfg->n_inputs == 0) {
        cs_cmd_msg(cfg, "error", "--histograms needs at least one histograms file");
        cs_cmd_usage_line();
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < cfg->n_inputs; i++) { /* one file twice would count twice */
        char a[PATH_MAX], b[PATH_MAX];
        for (size_t j = 0; j < i; j++)
            if (realpath(cfg->inputs[i], a) && realpath(cfg->inputs[j], b) && strcmp(a, b) == 0) {
                cs_cmd_msg(cfg, "error", "%s is given twice: its counts would be added twice",
                           cfg->inputs[i]);
                cs_cmd_usage_line();
                return EXIT_USAGE;
            }
    }
    return -1;
}

static cs_status
put_row(void *ctx, const struct cs_hist_row_in *r, struct cs_err *err)
{
    return cs_hist_load_row(ctx, r, err);
}

int
cs_cmd_load_histograms(struct cs_config *cfg, struct cs_store *store)
{
    struct cs_hist_colspec cols[64];
    size_t n = cs_kql_n_columns < 64 ? cs_kql_n_columns : 64;
    for (size_t i = 0; i < n; i++)
        cols[i] = (struct cs_hist_colspec){cs_kql_columns[i].name, cs_kql_columns[i].type};
    struct cs_hist_read_opts ro = {.cols = cols, .n_cols = n, .date_order = cfg->iopts.date_order};
    struct cs_err err;
    cs_err_clear(&err);
    for (size_t i = 0; i < cfg->n_inputs; i++) {
        struct cs_hist_load *l = NULL;
        struct cs_hist_file_info info;
        cs_status st = cs_hist_load_begin(store, cfg->inputs[i], &l, &err);
        if (st == CS_OK)
            st = cs_hist_read(cfg->inputs[i], &ro, put_row, l, &info, &err);
        cs_status st2 = cs_hist_load_end(&l, st == CS_OK, &info, st ? NULL : &err);
        if (st == CS_OK)
            st = st2;
        if (st) {
            cs_cmd_err(cfg, &err);
            return EXIT_FAILED;
        }
        if (!cfg->quiet)
            printf("%s: %llu histograms rows (%s)\n", cfg->inputs[i],
                   (unsigned long long)info.rows, info.form);
    }
    struct cs_hist_summary sum;
    if (cs_hist_finish(store, &sum, &err) != CS_OK) {
        cs_cmd_err(cfg, &err);
        return EXIT_FAILED;
    }
    if (sum.overlaps)
        cs_cmd_msg(cfg, "warning",
                   "%llu (period, resource) totals are in several files: their surveys add up, "
                   "but their distinct calls and participants are sums, an upper bound",
                   (unsigned long long)sum.overlaps);
    if (sum.dims)
        cs_cmd_msg(cfg, "warning",
                   "the histograms are split by release dimensions: distinct calls and "
                   "participants are summed over them, an upper bound");
    return EXIT_DONE;
}
