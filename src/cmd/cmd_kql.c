/*
 * cmd/cmd_kql.c: `callsurvey kql`: the KQL query that counts in Log
 * Analytics what report counts here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/buf.h"
#include "core/mem.h"

/* One argument for the kql header as a shell would need it. */
static void
append_arg(struct cs_buf *line, const char *a)
{
    bool plain = *a != '\0';
    for (const char *p = a; *p && plain; p++)
        plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                       "_-./:=,@%+",
                       *p) != NULL;
    cs_buf_puts(line, plain ? " " : " '");
    for (const char *p = a; *p; p++) {
        if (*p == '\'' && !plain)
            cs_buf_puts(line, "'\\''");
        else
            cs_buf_add(line, p, 1);
    }
    if (!plain)
        cs_buf_puts(line, "'");
}

int
cs_cmd_kql(struct cs_config *cfg)
{
    if (cfg->n_inputs > 0) {
        cs_cmd_msg(cfg, "error", "kql takes no INPUT ('%s'): it reads the workspace's ACSCallSurvey table",
                   cfg->inputs[0]);
        cs_cmd_usage_line();
        return EXIT_USAGE;
    }
    struct cs_kql_opts *k = &cfg->kopts;
    const struct cs_report_opts *r = &cfg->ropts;
    k->has_since = r->has_since || r->has_week;
    k->since_us = r->has_week ? r->week_start_us : r->since_us;
    k->has_until = r->has_until || r->has_week;
    k->until_us = r->has_week ? r->week_end_us : r->until_us;
    k->bucket_day = r->bucket_day;
    for (size_t i = 0; i < r->n_resources; i++)
        k->resources[i] = r->resources[i];
    k->n_resources = r->n_resources;
    k->default_threshold = cfg->default_threshold;
    if (cfg->iopts.event_name)
        k->event_name = cfg->iopts.event_name;
    if (cfg->iopts.id_key)
        k->id_key = cfg->iopts.id_key;
    k->version = "callsurvey " CS_VERSION;
    struct cs_buf cl = {0};
    cs_buf_puts(&cl, "callsurvey");
    for (int i = 1; i < cfg->argc; i++)
        append_arg(&cl, cfg->argv[i]);
    char *line = cs_buf_take(&cl);
    k->command_line = line;
    char *q = NULL;
    struct cs_err err;
    cs_err_clear(&err);
    cs_status s = cs_kql_build(k, &q, &err);
    xfree(line);
    if (s == CS_OK && cfg->print_columns) { /* the options checked, the columns they give */
        xfree(q);
        q = cs_kql_columns_text(k);
    }
    if (s != CS_OK) {
        cs_cmd_err(cfg, &err);
        if (s == CS_E_USAGE)
            cs_cmd_usage_line();
        return cs_cmd_exit_for(s);
    }
    fputs(q, stdout);
    xfree(q);
    return EXIT_DONE;
}
