/*
 * cmd/cmd_calls.c: the loading commands' inputs split between the survey
 * loader and the call-summary loader (issue 20), then the audited join of
 * surveys to call legs, with their accounting lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/calls_job.h"
#include "cmd/cmd.h"
#include "core/mem.h"
#include "ingest/calls.h"

static void
on_calls_file(void *ctx, const char *path, const struct cs_calls_counts *n, cs_status s,
              const struct cs_err *err)
{
    struct cs_config *cfg = ctx;
    if (s != CS_OK) {
        cs_cmd_err(cfg, err);
        cs_cmd_msg(cfg, "error", "%s: nothing of this input was stored", path);
    } else if (n->rejected) {
        cs_cmd_msg(cfg, "warning", "%s: %llu call-summary rows rejected; the first: %s", path,
                   (unsigned long long)n->rejected, n->first_reject);
    }
}

/* The call summaries among the inputs (and --calls), then the join. */
static int
run_calls(struct cs_config *cfg, struct cs_store *store)
{
    struct cs_calls_job cj = {.inputs = cfg->inputs, .n_inputs = cfg->n_inputs, .forced = cfg->calls, .n_forced = cfg->n_calls, .order = cfg->iopts.date_order, .on_file = on_calls_file, .ctx = cfg};
    struct cs_calls_counts n;
    size_t files = 0;
    struct cs_err err;
    cs_err_clear(&err);
    cs_status s = cs_app_calls(&cj, store, &n, &files, &err);
    if (files && !cfg->quiet) {
        if (cfg->cmd == CMD_VALIDATE)
            printf("calls: read %llu, valid %llu, rejected %llu\n", (unsigned long long)n.read,
                   (unsigned long long)(n.read - n.rejected), (unsigned long long)n.rejected);
        else
            printf("calls: read %llu, stored %llu, duplicates %llu, updated %llu, rejected %llu\n",
                   (unsigned long long)n.read, (unsigned long long)n.stored,
                   (unsigned long long)n.duplicates, (unsigned long long)n.updated,
                   (unsigned long long)n.rejected);
    }
    if (s != CS_OK && files == 0)
        cs_cmd_err(cfg, &err); /* a missing --calls path */
    if (s != CS_OK)
        return EXIT_FAILED;
    if (cfg->strict && n.rejected > 0) {
        cs_cmd_msg(cfg, "error", "%llu call-summary rows rejected (--strict)",
                   (unsigned long long)n.rejected);
        return EXIT_REJECTS;
    }
    if (!store || cfg->ropts.join_calls) /* a report joins beside its statistics */
        return EXIT_DONE;
    struct cs_call_join audit;
    if (cs_calls_join(store, &audit, &err) != CS_OK) {
        cs_cmd_err(cfg, &err);
        return EXIT_FAILED;
    }
    cs_cmd_print_call_join(cfg, &audit);
    return EXIT_DONE;
}

void
cs_cmd_print_call_join(const struct cs_config *cfg, const struct cs_call_join *audit)
{
    if (audit->legs && !cfg->quiet)
        printf("call join: surveys %llu, matched %llu, unmatched %llu, ambiguous %llu;"
               " legs without a survey %llu\n",
               (unsigned long long)audit->surveys, (unsigned long long)audit->matched,
               (unsigned long long)audit->unmatched, (unsigned long long)audit->ambiguous,
               (unsigned long long)audit->legs_without_survey);
}

int
cs_cmd_load(struct cs_config *cfg, struct cs_store *store, struct cs_accounting *tot)
{
    if (cfg->hist_inputs) /* report/compare --histograms */
        return cs_cmd_load_histograms(cfg, store);
    /* the survey loader reads every input but the --calls ones */
    char **sv = xcalloc(cfg->n_inputs + 1, sizeof *sv);
    size_t n_sv = 0;
    for (size_t i = 0; i < cfg->n_inputs; i++) {
        bool forced = false;
        for (size_t k = 0; k < cfg->n_calls; k++)
            forced |= strcmp(cfg->calls[k], cfg->inputs[i]) == 0;
        /* a call-summary file named as an input is the calls loader's */
        struct stat st;
        if (!forced && strcmp(cfg->inputs[i], "-") != 0 && stat(cfg->inputs[i], &st) == 0 &&
            S_ISREG(st.st_mode) && cs_calls_sniff(cfg->inputs[i]))
            forced = true;
        if (!forced)
            sv[n_sv++] = cfg->inputs[i];
    }
    int rc = n_sv ? cs_cmd_load_surveys(cfg, store, tot, sv, n_sv) : EXIT_DONE;
    xfree(sv);
    if (rc == EXIT_DONE || rc == EXIT_REJECTS) {
        int rc2 = run_calls(cfg, store);
        if (rc2 != EXIT_DONE)
            rc = rc2;
    }
    if (store) /* a database file this run created goes to WAL */
        cs_store_load_over(store);
    return rc;
}
