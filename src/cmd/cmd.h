/*
 * cmd/cmd.h: the orchestration layer: one run function per command, each
 * taking the options main.c parsed (struct cs_config) and returning the
 * exit code.  Commands print through cs_cmd_msg (standard error, honouring
 * --quiet and --verbose) and cs_cmd_text (standard output); no option
 * lives in a global.  The pipeline below them: ingest -> store -> report
 * (statistics, review, template steps) -> render.
 */
#ifndef CS_CMD_CMD_H
#define CS_CMD_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cmd/ingest_job.h"
#include "core/err.h"
#include "gen/gen.h"
#include "model/run.h"
#include "report/kql.h"
#include "report/report.h"

#define CS_VERSION "0.1.0"

enum exit_code {
    EXIT_DONE = 0,       /* done (rejected records are reported, not fatal) */
    EXIT_FAILED = 1,     /* could not do what was asked */
    EXIT_USAGE = 2,      /* usage error */
    EXIT_REJECTS = 3,    /* --strict and some record was rejected */
    EXIT_REGRESSION = 4, /* compare --fail-on-regression found a worse row */
};

enum cmd {
    CMD_NONE = 0,
    CMD_INGEST = 1 << 0,
    CMD_REPORT = 1 << 1,
    CMD_COMPARE = 1 << 2,
    CMD_VALIDATE = 1 << 3,
    CMD_GENERATE = 1 << 4,
    CMD_TEMPLATES = 1 << 5,
    CMD_KQL = 1 << 6,
};
#define LOADING (CMD_INGEST | CMD_REPORT | CMD_COMPARE | CMD_VALIDATE)
#define ALL 0x7f

struct cs_config {
    enum cmd cmd;
    const char *cmd_name;
    const char *db;
    const char *rejects;
    bool strict, quiet, verbose, progress;
    bool progress_given;             /* --progress typed */
    bool progress_tty;               /* standard error is a terminal: redraw one line */
    bool parsers_exact;              /* iopts.parsers from CALLSURVEY_PARSERS: as told */
    uint64_t total_bytes;            /* inputs' size, for the load's percentage */
    double t_stage;                  /* when the current stage started (seconds) */
    const char *stage;               /* the stage shown */
    bool drawn;                      /* a progress line is on the terminal */
    struct cs_run_input *run_inputs; /* owned: each argument's accounting (strings owned) */
    size_t n_run_inputs;
    const char *vs_text;   /* --vs as typed */
    const char *week_text; /* --week as typed */
    struct cs_ingest_opts iopts;
    double default_threshold;
    char **inputs;
    size_t n_inputs;
    char **custom;
    size_t n_custom;
    size_t top;   /* --top N (0 = the default) */
    char **calls; /* --calls INPUT (also pushed to inputs) */
    size_t n_calls;
    char **params; /* --param NAME=VALUE, as typed */
    size_t n_params;
    struct cs_report_opts ropts;
    struct gen_opts gopts;
    bool have_surveys;
    size_t n_inputs_failed;     /* inputs whose error on_input already printed */
    char *filters_text;         /* owned: filter options as typed */
    const char *key_file;       /* --pseudonymize KEYFILE */
    bool keep_text;             /* --keep-text */
    struct cs_privacy *privacy; /* owned: loaded from key_file after parsing */
    struct cs_kql_opts kopts;   /* kql: custom keys, events table, app */
    char *custom_keys;          /* owned: --custom-keys text, cut at its commas */
    bool print_columns;         /* kql --print-columns */
    bool hist_inputs;           /* --histograms: the INPUTs are histograms tables */
    int stdout_errno;           /* errno of the first failed flush of stdout */
    int argc;                   /* the command line, for the kql header */
    char **argv;
};

/* The commands (each returns an exit code; cfg is the parsed command line,
 * whose run_inputs and progress state they update). */
int cs_cmd_ingest(struct cs_config *cfg); /* ingest and validate */
int cs_cmd_report(struct cs_config *cfg);
int cs_cmd_compare(struct cs_config *cfg);
int cs_cmd_kql(struct cs_config *cfg);
int cs_cmd_generate(struct cs_config *cfg);
int cs_cmd_templates(struct cs_config *cfg);

/* Compare every output path (--rejects, --db, the files -o DIR may
 * replace or remove, DIR itself) with every input, the database and each
 * other; -1 when no two are one file, else prints the clash and returns
 * EXIT_USAGE (cmd_outputs.c). */
int cs_cmd_check_outputs(struct cs_config *cfg);

/* ---- the terminal (cmd_ui.c) ---- */
/* "callsurvey: LEVEL: ..." on standard error; warnings and notes are
 * silenced by --quiet, notes shown only with --verbose; the text is made
 * safe for a terminal (no control sequence, valid UTF-8). */
void cs_cmd_msg(struct cs_config *cfg, const char *level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Text that may hold input, on fp with controls but tab and LF replaced. */
void cs_cmd_text(const char *s, FILE *fp);
void cs_cmd_err(struct cs_config *cfg, const struct cs_err *e);
int cs_cmd_exit_for(cs_status s);
void cs_cmd_usage_line(void);
/* Flush standard output, keeping the errno of the first failure in cfg. */
void cs_cmd_flush_stdout(struct cs_config *cfg);

/* ---- shared by the loading commands (cmd_load.c) ---- */
struct cs_store;
struct cs_template;
/* Open the store of the run (--db or a private one); NULL with *err set. */
struct cs_store *cs_cmd_open_store(const struct cs_config *cfg, struct cs_err *err);
/* Load cfg->inputs into store (NULL: validate only), printing the
 * accounting: the survey and event inputs, then the call summaries among
 * them and --calls, and the join (cmd_calls.c; not when cfg->ropts.join_calls
 * leaves it to the report); *tot receives the surveys' sum.  Returns an exit
 * code. */
int cs_cmd_load(struct cs_config *cfg, struct cs_store *store, struct cs_accounting *tot);
/* The "call join:" line of an audit with call summaries (not --quiet). */
void cs_cmd_print_call_join(const struct cs_config *cfg, const struct cs_call_join *audit);
/* --histograms: cfg->inputs as histograms tables into a store opened by
 * cs_cmd_open_store (cmd_hist.c).  Returns an exit code. */
int cs_cmd_load_histograms(struct cs_config *cfg, struct cs_store *store);
/* The options --histograms cannot go with: -1 when fine, else the exit
 * code after the message (cmd_hist.c). */
int cs_cmd_check_hist_options(struct cs_config *cfg);
/* The survey and custom-event inputs alone (cmd_load.c). */
int cs_cmd_load_surveys(struct cs_config *cfg, struct cs_store *store, struct cs_accounting *tot,
                        char **inputs, size_t n_inputs);
/* What this run was, for summary.json's and compare.json's "run" (borrows
 * from cfg). */
void cs_cmd_run_info(const struct cs_config *cfg, const char *template_name,
                     struct cs_run_info *ri);
/* Find, load and validate a template; owned result or NULL with *err. */
struct cs_template *cs_cmd_load_template(const char *name, struct cs_err *err);
/* Progress of the report's stages (ctx: the struct cs_config). */
void cs_cmd_on_stage(void *ctx, const char *stage, size_t step, size_t n_steps);
void cs_cmd_progress_clear(struct cs_config *cfg);

#endif
