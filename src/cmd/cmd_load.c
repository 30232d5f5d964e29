/*
 * cmd/cmd_load.c: what the loading commands share: the store opened for
 * the run, the inputs loaded with progress and per-input accounting, the
 * run's description for summary.json and compare.json, the template.
 */
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/mem.h"
#include "core/utf8.h"
#include "report/template.h"
#include "store/hist_load.h"

static double
mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Progress goes to standard error: on a terminal one line redrawn in place
 * (stage, percentage, rate, time left); elsewhere, with --progress, one
 * plain line when a stage starts, never an escape code. */
static void
progress_line(struct cs_config *cfg, const char *stage, double fraction, const char *detail)
{
    if (!cfg->progress || cfg->quiet)
        return;
    double now = mono_s();
    bool new_stage = !cfg->stage || strcmp(cfg->stage, stage) != 0;
    if (new_stage) {
        cfg->stage = stage;
        cfg->t_stage = now;
    }
    if (!cfg->progress_tty) {
        if (new_stage)
            fprintf(stderr, "callsurvey: %s...\n", stage);
        return;
    }
    char left[48] = "";
    double spent = now - cfg->t_stage;
    if (fraction > 0.02 && fraction < 1 && spent > 1)
        snprintf(left, sizeof left, ", about %.0f s left", spent * (1 - fraction) / fraction);
    cfg->drawn = true;
    if (fraction >= 0)
        fprintf(stderr, "\r\033[K  %s %3.0f%%%s%s%s", stage, 100 * fraction, detail ? " \xC2\xB7 " : "",
                detail ? detail : "", left);
    else
        fprintf(stderr, "\r\033[K  %s%s%s", stage, detail ? " \xC2\xB7 " : "", detail ? detail : "");
    fflush(stderr);
}

void
cs_cmd_progress_clear(struct cs_config *cfg)
{
    if (cfg->drawn) {
        fprintf(stderr, "\r\033[K");
        fflush(stderr);
    }
    cfg->drawn = false;
    cfg->stage = NULL;
}

static void
on_progress(void *ctx, uint64_t records, uint64_t bytes, double seconds)
{
    struct cs_config *cfg = ctx;
    char d[96];
    snprintf(d, sizeof d, "%llu records, %.0f records/s, %.1f MB/s", (unsigned long long)records,
             seconds > 0 ? (double)records / seconds : 0,
             seconds > 0 ? (double)bytes / 1e6 / seconds : 0);
    progress_line(cfg, "load", cfg->total_bytes ? (double)bytes / (double)cfg->total_bytes : -1,
                  d);
}

void
cs_cmd_on_stage(void *ctx, const char *stage, size_t step, size_t n_steps)
{
    struct cs_config *cfg = ctx;
    char d[64];
    snprintf(d, sizeof d, "step %zu of %zu", step + 1, n_steps);
    progress_line(cfg, stage, n_steps ? (double)step / (double)n_steps : -1, d);
}

static void
print_accounting(const struct cs_config *cfg, const struct cs_accounting *a, bool total)
{
    char *name = cs_utf8_clean(a->name, strlen(a->name), CS_UTF8_CONTROLS | CS_UTF8_NO_BREAKS,
                               NULL);
    if ((cfg->cmd == CMD_VALIDATE)) /* read = valid + rejected */
        printf("%s%s: read %llu, valid %llu, rejected %llu", total ? "" : "  ",
               name ? name : a->name, (unsigned long long)a->read,
               (unsigned long long)(a->read - a->rejected), (unsigned long long)a->rejected);
    else
        printf("%s%s: read %llu, stored %llu, duplicates %llu, updated %llu, conflicts %llu,"
               " rejected %llu",
               total ? "" : "  ", name ? name : a->name, (unsigned long long)a->read,
               (unsigned long long)a->stored, (unsigned long long)a->duplicates,
               (unsigned long long)a->updated, (unsigned long long)a->conflicts,
               (unsigned long long)a->rejected);
    xfree(name);
    if (a->unknown_tags)
        printf(" (%llu unknown tag%s (%llu distinct) in %llu record%s, kept)",
               (unsigned long long)a->unknown_tags, a->unknown_tags == 1 ? "" : "s",
               (unsigned long long)a->unknown_tags_distinct,
               (unsigned long long)a->unknown_tag_records,
               a->unknown_tag_records == 1 ? "" : "s");
    if (a->skipped)
        printf(" (%llu rows of other event names skipped)", (unsigned long long)a->skipped);
    printf("\n");
}

static void
on_input(void *ctx, const struct cs_accounting *acc)
{
    struct cs_config *cfg = ctx;
    if (acc->status != CS_OK)
        cfg->n_inputs_failed++;
    cs_cmd_progress_clear(cfg);
    if (acc->status == CS_E_NODATA) {
        cs_cmd_msg(cfg, "warning", "%s: %s", acc->name, acc->err.msg[0] ? acc->err.msg : "no data");
    } else if (acc->status != CS_OK) {
        cs_cmd_err(cfg, &acc->err);
        cs_cmd_msg(cfg, "error", "%s: nothing of this input was stored", acc->name);
    }
    if (acc->truncated)
        cs_cmd_msg(cfg, "warning", "%s: the input ends inside a record (truncated file?); "
                                   "that record is in the rejects",
                   acc->name);
    if (cfg->verbose)
        print_accounting(cfg, acc, false);
}

/* One line per command-line input (a directory sums its files). */
static void
on_arg(void *ctx, const struct cs_accounting *acc)
{
    struct cs_config *cfg = ctx;
    /* kept for summary.json's run.inputs */
    cfg->run_inputs = xreallocarray(cfg->run_inputs, cfg->n_run_inputs + 1,
                                    sizeof *cfg->run_inputs);
    bool events = strcmp(acc->format, "events") == 0;
    cfg->run_inputs[cfg->n_run_inputs++] = (struct cs_run_input){
        .path = xstrdup(acc->name), .kind = events ? "events" : "surveys", .format = xstrdup(acc->format), .bytes = acc->bytes, .read = acc->read, .stored = acc->stored, .duplicates = acc->duplicates, .updated = acc->updated, .conflicts = acc->conflicts, .rejected = acc->rejected};
    if (cfg->quiet || cfg->verbose)
        return;
    if (strcmp(acc->format, "events") == 0) {
        char name[600];
        snprintf(name, sizeof name, "%s (custom events)", acc->name);
        struct cs_accounting a = *acc;
        a.name = name;
        print_accounting(cfg, &a, false);
    } else {
        print_accounting(cfg, acc, false);
    }
}

/* What this run was, for summary.json's and compare.json's "run". */
void
cs_cmd_run_info(const struct cs_config *cfg, const char *template_name, struct cs_run_info *ri)
{
    const struct cs_report_opts *r = &cfg->ropts;
    *ri = (struct cs_run_info){
        .version = r->tool_version,
        .generated_s = r->run_time_s,
        .inputs = cfg->run_inputs,
        .n_inputs = cfg->n_run_inputs,
        .db = cfg->db,
        .template_name = template_name,
        .has_since = r->has_since || r->has_week,
        .has_until = r->has_until || r->has_week,
        .since_us = r->has_week ? r->week_start_us : r->since_us,
        .until_us = r->has_week ? r->week_end_us : r->until_us,
        .week = cfg->week_text,
        .resources = r->resources,
        .n_resources = r->n_resources,
        .merge = cfg->cmd == CMD_REPORT ? (r->merge ? r->merge : "leftouter") : NULL,
        .bucket = cfg->cmd == CMD_REPORT ? (r->bucket_day ? "day" : "week") : NULL,
        .default_threshold = cfg->default_threshold,
        .min_n = r->min_n,
        .vs = cfg->cmd == CMD_REPORT ? (cfg->vs_text ? cfg->vs_text : "previous") : NULL,
        .min_effect = r->min_effect,
        .scales = cfg->cmd == CMD_REPORT ? (r->scales_all ? "all" : "primary") : NULL,
        .by = cfg->cmd == CMD_COMPARE ? r->compare_by : NULL,
        .baseline = cfg->cmd == CMD_COMPARE ? r->baseline : NULL,
    };
}

struct cs_store *
cs_cmd_open_store(const struct cs_config *cfg, struct cs_err *err)
{
    struct cs_store_opts so = {
        .path = cfg->db,
        .expected_bytes = cs_app_inputs_size(cfg->inputs, cfg->n_inputs),
        .default_threshold = cfg->default_threshold,
        /* a report or compare of a --db alone writes nothing: it opens the
         * file read-only, and a missing one is an error, not a new file */
        .read_only = cfg->db && cfg->n_inputs == 0 &&
                     (cfg->cmd == CMD_REPORT || cfg->cmd == CMD_COMPARE),
    };
    struct cs_store *s = NULL;
    if (cs_store_open(&so, &s, err) != CS_OK)
        return NULL;
    if (cfg->hist_inputs && cs_hist_prepare_store(s, err) != CS_OK)
        cs_store_close(&s); /* --histograms: before the template's queries are checked */
    return s;
}

int
cs_cmd_load_surveys(struct cs_config *cfg, struct cs_store *store, struct cs_accounting *tot,
                    char **inputs, size_t n_inputs)
{
    struct cs_ingest_job job = {
        .inputs = inputs,
        .n_inputs = n_inputs,
        .rejects_path = cfg->rejects,
        .rejects_without_raw = cfg->privacy != NULL, /* raw records hold ids */
        .opts = cfg->iopts,
        .parsers_exact = cfg->parsers_exact,
        .on_input = on_input,
        .on_arg = on_arg,
        .on_progress = on_progress,
        .ctx = cfg,
    };
    cfg->total_bytes = cs_app_inputs_size(inputs, n_inputs);
    char d[64];
    snprintf(d, sizeof d, "%.1f MB in %zu input%s", (double)cfg->total_bytes / 1e6, n_inputs,
             n_inputs == 1 ? "" : "s");
    progress_line(cfg, "load", cfg->total_bytes ? 0 : -1, d);
    struct cs_err err;
    cs_err_clear(&err);
    struct cs_accounting evt;
    tot->ev = &evt;
    cs_status s = cs_app_ingest(&job, store, tot, &err);
    if (s != CS_OK && cfg->n_inputs_failed == 0) {
        /* failed before any input was read (a missing path, an empty
         * directory, the rejects file): nothing to account for */
        cs_cmd_err(cfg, &err);
        return EXIT_FAILED;
    }
    if (!cfg->quiet) {
        print_accounting(cfg, tot, true);
        if (evt.read)
            print_accounting(cfg, &evt, true);
    }
    if (s != CS_OK && s != CS_E_NODATA)
        return EXIT_FAILED;
    if (tot->read == 0 && evt.read == 0) {
        if (evt.skipped) /* custom events all of another name */
            cs_cmd_msg(cfg, "error", "no survey records in the input; %llu custom-event rows were "
                                     "skipped because their name is not '%s' (see --event-name)",
                       (unsigned long long)evt.skipped,
                       cfg->iopts.event_name ? cfg->iopts.event_name : "CallSurvey");
        else
            cs_cmd_msg(cfg, "error", "no survey records in the input");
        return EXIT_FAILED;
    }
    uint64_t rejected = tot->rejected + evt.rejected;
    if (cfg->strict && rejected > 0) {
        cs_cmd_msg(cfg, "error", "%llu records rejected (--strict)", (unsigned long long)rejected);
        return EXIT_REJECTS;
    }
    if (rejected > 0 && !cfg->quiet)
        cs_cmd_msg(cfg, "warning", "%llu records rejected%s%s", (unsigned long long)rejected,
                   cfg->rejects ? "; see " : "; keep them with --rejects FILE",
                   cfg->rejects ? cfg->rejects : "");
    return EXIT_DONE;
}

/* Find, load and validate the template before any data is read. */
struct cs_template *
cs_cmd_load_template(const char *name, struct cs_err *err)
{
    char **dirs;
    size_t n_dirs;
    cs_template_dirs(getenv("CALLSURVEY_TEMPLATES"), NULL, &dirs, &n_dirs);
    char *path = NULL;
    struct cs_template *t = NULL;
    if (cs_template_find(name, dirs, n_dirs, &path, err) == CS_OK)
        cs_template_load(path, &t, err);
    xfree(path);
    cs_template_dirs_free(&dirs, n_dirs);
    return t;
}
