/*
 * cmd/cmd_generate.c: `callsurvey generate`: synthetic exports into -o DIR.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/mem.h"
#include "core/outdir.h"

int
cs_cmd_generate(struct cs_config *cfg)
{
    if (!cfg->have_surveys) {
        cs_cmd_msg(cfg, "error", "generate needs --surveys N");
        cs_cmd_usage_line();
        return EXIT_USAGE;
    }
    if (!cfg->gopts.out_dir) {
        cs_cmd_msg(cfg, "error", "generate needs -o DIR");
        cs_cmd_usage_line();
        return EXIT_USAGE;
    }
    struct gen_result res;
    struct cs_err err;
    cs_err_clear(&err);
    /* like a report: written into a staging directory, moved into DIR at
     * the end, replacing what the previous run into DIR wrote */
    struct cs_outdir *od = NULL;
    cs_status s = cs_outdir_open(cfg->gopts.out_dir, &od, &err);
    if (s == CS_OK) {
        struct gen_opts go = cfg->gopts;
        go.out_dir = cs_outdir_stage(od);
        s = gen_run(&go, &res, &err);
        if (s == CS_OK)
            s = cs_outdir_commit(&od, &err);
        else
            cs_outdir_fix_err(od, &err);
        cs_outdir_abort(&od);
    }
    if (s != CS_OK) {
        cs_cmd_err(cfg, &err);
        return cs_cmd_exit_for(s);
    }
    if (!cfg->quiet)
        printf("generated %llu surveys in %llu records (%llu invalid, %llu repeated) "
               "and %llu custom events: %d files, %.1f MB in %s\n",
               (unsigned long long)res.surveys, (unsigned long long)res.records,
               (unsigned long long)res.invalid, (unsigned long long)res.duplicates,
               (unsigned long long)res.custom_events, res.files,
               (double)res.bytes / 1e6, cfg->gopts.out_dir);
    if (!cfg->quiet && cfg->gopts.calls_format != GEN_CALLS_NONE)
        printf("generated %llu call-summary legs (%llu surveys have none)\n",
               (unsigned long long)res.calls_legs, (unsigned long long)res.calls_unmatched);
    return EXIT_DONE;
}
