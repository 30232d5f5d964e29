/*
 * cmd/cmd_ingest.c: `callsurvey ingest` and `validate`: the inputs into the
 * store (validate: checked only).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/mem.h"

int
cs_cmd_ingest(struct cs_config *cfg)
{
    struct cs_err err;
    cs_err_clear(&err);
    struct cs_store *store = NULL;
    if (cfg->cmd != CMD_VALIDATE) {
        store = cs_cmd_open_store(cfg, &err);
        if (!store) {
            cs_cmd_err(cfg, &err);
            return EXIT_FAILED;
        }
    }
    struct cs_accounting tot;
    int rc = cs_cmd_load(cfg, store, &tot);
    if (store && cfg->db && rc != EXIT_FAILED && !cfg->quiet) {
        struct cs_store_totals t;
        if (cs_store_totals(store, &t, &err) == CS_OK)
            printf("%s now holds %llu surveys and %llu rejected records\n", cfg->db,
                   (unsigned long long)t.surveys, (unsigned long long)t.rejects);
    }
    cs_store_close(&store);
    return rc;
}
