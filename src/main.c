/*
 * main.c: the command line, and the only place that prints or chooses an
 * exit code.  Options come from one table that also generates --help
 * (curl's approach), the getopt loop only records into struct cs_config,
 * and conflicts are checked afterwards (OpenBSD style).
 */
#include <errno.h>
#include <getopt.h>
#include <time.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app.h"
#include "app_calls.h"
#include "ingest/calls.h"
#include "core/ctime.h"
#include "core/intr.h"
#include "core/mem.h"
#include "core/utf8.h"
#include "gen/gen.h"
#include "model/privacy.h"
#include "core/afile.h"
#include "core/outdir.h"
#include "render/json.h"
#include "render/chart.h"
#include "render/csvout.h"
#include "report/charts.h"
#include "report/compare.h"
#include "report/html_report.h"
#include "report/kql.h"
#include "report/report.h"
#include "report/pdf_report.h"
#include "report/template.h"
#include <cjson/cJSON.h>

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

enum opt_id {
    O_HELP = 'h',
    O_VERSION = 'V',
    O_OUT = 'o',
    O_QUIET = 'q',
    O_VERBOSE = 'v',
    O_DB = 256,
    O_FORMAT,
    O_REJECTS,
    O_STRICT,
    O_DATE_ORDER,
    O_DEFAULT_THRESHOLD,
    O_CUSTOM,
    O_MERGE,
    O_TEMPLATE,
    O_SINCE,
    O_UNTIL,
    O_WEEK,
    O_RESOURCE,
    O_FORMATS,
    O_BUCKET,
    O_MIN_N,
    O_BY,
    O_BASELINE,
    O_FAIL_ON_REGRESSION,
    O_VS,
    O_MIN_EFFECT,
    O_SCALES,
    O_SURVEYS,
    O_SEED,
    O_CUSTOM_SHARE,
    O_INVALID_SHARE,
    O_SINGLE_FILE,
    O_EVENTS_FORMAT,
    O_EVENT_NAME,
    O_ID_KEY,
    O_PROGRESS,
    O_DATA_SHEET,
    O_PSEUDONYMIZE,
    O_KEEP_TEXT,
    O_PARAM,
    O_SIZE,
    O_DPI,
    O_IN_FORMAT,
    O_CUSTOM_KEYS,
    O_EVENTS_TABLE,
    O_APP,
    O_PRINT_COLUMNS,
    O_QUERY_MEMORY,
    O_CUSTOM_COLUMNS,
    O_CALLS,
    O_TOP,
    O_CALLS_FORMAT,
    O_PAPER,
    O_CSV_EXCEL,
};

struct opt {
    const char *name; /* long name */
    int has_arg;      /* no_argument / required_argument */
    int id;           /* short letter or enum opt_id */
    unsigned cmds;    /* commands that take it */
    const char *arg;  /* argument name for help */
    const char *help; /* one line */
};

static const struct opt opts[] = {
    {"db", required_argument, O_DB, LOADING, "FILE",
     "SQLite database to load into and read from; runs accumulate (default: a private database for this run)"},
    {"format", required_argument, O_IN_FORMAT, LOADING, "auto|jsonl|json|csv",
     "the inputs' form when not told from their content: jsonl (one record per line), "
     "json (an array, {\"records\"} or {\"tables\"} document), csv (default auto)"},
    {"rejects", required_argument, O_REJECTS, LOADING, "FILE",
     "also write every rejected record as JSON Lines (source, line, record, reason, raw)"},
    {"strict", no_argument, O_STRICT, LOADING, NULL,
     "exit 3 when any record was rejected"},
    {"date-order", required_argument, O_DATE_ORDER, LOADING, "mdy|dmy",
     "day/month order of locale dates in CSV exports (default mdy, as en-US portals write)"},
    {"default-threshold", required_argument, O_DEFAULT_THRESHOLD, LOADING | CMD_REPORT | CMD_KQL, "T",
     "low-score threshold for ratings without a scale (default 2; Android docs say 3)"},
    {"event-name", required_argument, O_EVENT_NAME, LOADING | CMD_KQL, "NAME",
     "custom events to read (default CallSurvey)"},
    {"id-key", required_argument, O_ID_KEY, LOADING | CMD_KQL, "KEY",
     "customDimensions property holding the survey id (default id)"},
    {"custom", required_argument, O_CUSTOM, CMD_REPORT | CMD_COMPARE, "INPUT",
     "custom-question data (Application Insights customEvents); repeatable"},
    {"top", required_argument, O_TOP, CMD_COMPARE | CMD_REPORT, "N",
     "with --by a release dimension: keep the N largest groups, pool the rest as 'other' (default 10)"},
    {"calls", required_argument, O_CALLS, LOADING, "INPUT",
     "call summaries (Log Analytics ACSCallSummary) for the release dimensions; repeatable"},
    {"merge", required_argument, O_MERGE, CMD_REPORT, "KIND",
     "join of surveys and custom answers: innerunique, inner, leftouter (default), rightouter, fullouter, leftsemi, rightsemi, leftanti, rightanti"},
    {"custom-columns", required_argument, O_CUSTOM_COLUMNS, CMD_REPORT, "N",
     "custom keys given a column in custom.csv and the Custom sheet, the most used first "
     "(default 1000; 1..16372); the others go, as JSON, to the column 'other'"},
    {"template", required_argument, O_TEMPLATE, CMD_REPORT | CMD_COMPARE, "NAME|FILE",
     "report template (default weekly-review; compare: release-compare)"},
    {"param", required_argument, O_PARAM, CMD_REPORT | CMD_COMPARE, "NAME=VALUE",
     "set a parameter the template declares ('callsurvey templates' lists them); repeatable"},
    {"since", required_argument, O_SINCE, CMD_REPORT | CMD_COMPARE | CMD_KQL, "TIME",
     "only surveys at or after TIME (ISO 8601, UTC)"},
    {"until", required_argument, O_UNTIL, CMD_REPORT | CMD_COMPARE | CMD_KQL, "TIME",
     "only surveys before TIME (exclusive)"},
    {"week", required_argument, O_WEEK, CMD_REPORT | CMD_COMPARE | CMD_KQL, "YYYY-Www",
     "only surveys of that ISO week (Monday 00:00 UTC to the next Monday)"},
    {"resource", required_argument, O_RESOURCE, CMD_REPORT | CMD_COMPARE | CMD_KQL, "ID",
     "only this ACS resource (full ARM id or its last segment); repeatable"},
    {"formats", required_argument, O_FORMATS, CMD_REPORT | CMD_COMPARE, "LIST",
     "outputs to write, comma-separated from json,csv,png,svg,pdf,xlsx,histograms,html (default json,csv,png,xlsx,html; compare: html adds compare.html)"},
    {"data-sheet", no_argument, O_DATA_SHEET, CMD_REPORT, NULL,
     "add the per-survey Data sheet to report.xlsx (for pivoting; slow on millions)"},
    {"pseudonymize", required_argument, O_PSEUDONYMIZE, LOADING, "KEYFILE",
     "privacy mode: ids become keyed pseudonyms, free text and raw rejected records are "
     "left out (see Privacy below)"},
    {"keep-text", no_argument, O_KEEP_TEXT, CMD_REPORT | CMD_COMPARE, NULL,
     "with --pseudonymize: keep free-text answers (ids are still replaced)"},
    {"size", required_argument, O_SIZE, CMD_REPORT | CMD_COMPARE, "WxH",
     "chart size in pixels (default 1200x700; 100..10000 each)"},
    {"dpi", required_argument, O_DPI, CMD_REPORT | CMD_COMPARE, "N",
     "chart resolution: pixels per inch, so text and lines scale with it (default 144; 36..1200)"},
    {"csv-excel", no_argument, O_CSV_EXCEL, CMD_REPORT | CMD_COMPARE, NULL,
     "start every CSV with a UTF-8 byte order mark, so Excel on Windows reads it as UTF-8"},
    {"paper", required_argument, O_PAPER, CMD_REPORT | CMD_COMPARE, "a4|letter",
     "page size of report.pdf (default a4)"},
    {"query-memory", required_argument, O_QUERY_MEMORY, CMD_REPORT | CMD_COMPARE, "SIZE",
     "memory one template query may use, e.g. 512M or 4G (default 1G); past it the step fails"},
    {"bucket", required_argument, O_BUCKET, CMD_REPORT | CMD_KQL, "week|day",
     "trend bucket (default week)"},
    {"min-n", required_argument, O_MIN_N, CMD_REPORT | CMD_COMPARE, "N",
     "groups with fewer responses are flagged as small samples (default 30)"},
    {"by", required_argument, O_BY, CMD_COMPARE | CMD_KQL | CMD_REPORT, "resource|week|day|custom:KEY|DIM",
     "what to compare; DIM a release dimension from --calls and the custom events: sdk-version, "
     "os, os-version, endpoint-type, participant-type, call-type, end-reason, app-version, "
     "browser, client-os (report: a breakdown per DIM, repeatable; kql: sdk-version, "
     "endpoint-type, participant-type, call-type or end-reason; repeatable)"},
    {"baseline", required_argument, O_BASELINE, CMD_COMPARE, "VALUE|previous",
     "group the others are compared with (default: the earliest week or day; the resource "
     "or answer with the most surveys); previous: each week or day against the one before"},
    {"fail-on-regression", no_argument, O_FAIL_ON_REGRESSION, CMD_REPORT | CMD_COMPARE, NULL,
     "exit 4 when any row is worse than the baseline (report: a review headline row is worse "
     "than the comparison period)"},
    {"vs", required_argument, O_VS, CMD_REPORT, "previous|none|N",
     "the review's comparison period: the preceding window of the same length (default), "
     "none, or the N preceding windows pooled"},
    {"min-effect", required_argument, O_MIN_EFFECT, CMD_REPORT | CMD_COMPARE, "PTS",
     "a poor-rate difference smaller than PTS percentage points is never called worse or "
     "better, whatever its p-value (default 0)"},
    {"scales", required_argument, O_SCALES, CMD_REPORT, "primary|all",
     "charts for each category's primary scale and minor scales with at least --min-n "
     "responses (primary, default), or for every scale (all; also the full terminal table)"},
    {"out", required_argument, O_OUT, CMD_REPORT | CMD_COMPARE | CMD_GENERATE, "DIR",
     "output directory (default out)"},
    {"surveys", required_argument, O_SURVEYS, CMD_GENERATE, "N",
     "number of surveys to generate"},
    {"seed", required_argument, O_SEED, CMD_GENERATE, "S",
     "random seed (default 1); the same seed gives the same files"},
    {"custom-share", required_argument, O_CUSTOM_SHARE, CMD_GENERATE, "P",
     "share of surveys with a custom-question answer (default 0.3)"},
    {"invalid-share", required_argument, O_INVALID_SHARE, CMD_GENERATE, "P",
     "share of deliberately invalid records (default 0.01)"},
    {"format", required_argument, O_FORMAT, CMD_GENERATE, "jsonl|csv|records",
     "export form to write (default jsonl: a storage-account tree)"},
    {"calls-format", required_argument, O_CALLS_FORMAT, CMD_GENERATE, "none|jsonl|csv",
     "also write the surveys' call summaries (ACSCallSummary.jsonl or .csv) with SDK "
     "versions, OS and end reasons (default none)"},
    {"events-format", required_argument, O_EVENTS_FORMAT, CMD_GENERATE, "csv|jsonl",
     "form of the custom events, one per directory (default csv: customEvents.csv;"
     " jsonl: customEvents.jsonl)"},
    {"single-file", no_argument, O_SINGLE_FILE, CMD_GENERATE, NULL,
     "with jsonl: one surveys.jsonl instead of the hourly PT1H.json tree"},
    {"custom-keys", required_argument, O_CUSTOM_KEYS, CMD_KQL, "K1,K2",
     "also count each survey's latest answer to these custom-question keys"},
    {"events-table", required_argument, O_EVENTS_TABLE, CMD_KQL, "customEvents|AppEvents",
     "where the custom answers are: app(NAME).customEvents (default, with --app) or the workspace's AppEvents"},
    {"app", required_argument, O_APP, CMD_KQL, "NAME",
     "the Application Insights resource whose customEvents hold the custom answers"},
    {"print-columns", no_argument, O_PRINT_COLUMNS, CMD_KQL, NULL,
     "print the result table's columns (name and Kusto type) instead of the query"},
    {"progress", no_argument, O_PROGRESS, ALL, NULL,
     "show progress even when standard error is not a terminal"},
    {"quiet", no_argument, O_QUIET, ALL, NULL, "print errors only"},
    {"verbose", no_argument, O_VERBOSE, ALL, NULL, "print notes as well"},
    {"help", no_argument, O_HELP, ALL, NULL, "show this help and exit"},
    {"version", no_argument, O_VERSION, ALL, NULL, "show the version and exit"},
};
#define N_OPTS (sizeof opts / sizeof opts[0])

struct cs_config {
    enum cmd cmd;
    const char *cmd_name;
    const char *db;
    const char *rejects;
    bool strict, quiet, verbose, progress;
    bool progress_given;             /* --progress typed */
    bool progress_tty;               /* standard error is a terminal: redraw one line */
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
    int chart_w, chart_h, chart_dpi; /* --size, --dpi (0 = defaults) */
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
    int argc;                   /* the command line, for the kql header */
    char **argv;
};

static const struct {
    const char *name;
    enum cmd cmd;
    const char *synopsis;
    const char *what;
} commands[] = {
    {"ingest", CMD_INGEST, "ingest [--db FILE] [--rejects FILE] INPUT...",
     "load survey exports (and custom events) into a database"},
    {"report", CMD_REPORT,
     "report [--db FILE] [INPUT...] [--custom INPUT...] [--week YYYY-Www] [-o DIR]",
     "compute the summary and write the report files"},
    {"compare", CMD_COMPARE,
     "compare [--db FILE] [INPUT...] --by resource|week|day|custom:KEY [-o DIR]",
     "compare groups (resources, weeks) against a baseline"},
    {"validate", CMD_VALIDATE, "validate [--rejects FILE] INPUT...",
     "check exports against the SDK's rules without storing them"},
    {"generate", CMD_GENERATE,
     "generate --surveys N [--seed S] [--format F] -o DIR",
     "write realistic synthetic exports, for trying the tool"},
    {"templates", CMD_TEMPLATES, "templates", "list the built-in report templates"},
    {"kql", CMD_KQL,
     "kql [--week YYYY-Www | --since T --until T] [--resource ID]... [--bucket week|day] [--custom-keys K,...]",
     "print a KQL query that counts in Log Analytics what report counts here"},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

/* ---- printing (only here) -------------------------------------------- */

static bool g_quiet, g_verbose;
static bool g_validate;    /* validate stores nothing: "valid" replaces stored etc. */
static int g_stdout_errno; /* errno of the first failed flush of stdout */

static void
flush_stdout(void)
{
    if (fflush(stdout) != 0 && g_stdout_errno == 0)
        g_stdout_errno = errno ? errno : EIO;
}

static void
msg(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
msg(const char *level, const char *fmt, ...)
{
    if (g_quiet && strcmp(level, "error") != 0)
        return;
    if (!g_verbose && strcmp(level, "note") == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    char buf[4096];
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    /* messages quote input (file names, values): no terminal control
     * sequence or invalid UTF-8 gets through to the terminal */
    char *clean = cs_utf8_clean(buf, strlen(buf), CS_UTF8_CONTROLS | CS_UTF8_NO_BREAKS, NULL);
    flush_stdout(); /* keep the two streams in order on a terminal */
    fprintf(stderr, "callsurvey: %s: %s\n", level, clean ? clean : buf);
    xfree(clean);
}

/* Text for the terminal that may hold input (tags, answers, names):
 * control characters but tab and line feed, and invalid UTF-8, become
 * U+FFFD, so no escape sequence or carriage return reaches the terminal. */
static void
put_text(const char *s, FILE *fp)
{
    char *clean = cs_utf8_clean(s, strlen(s), CS_UTF8_CONTROLS | CS_UTF8_NO_CR, NULL);
    fputs(clean ? clean : s, fp);
    xfree(clean);
}

static void
print_err(const struct cs_err *e)
{
    char buf[1024];
    msg("error", "%s", cs_err_format(e, buf, sizeof buf));
}

static int
exit_for(cs_status s)
{
    switch (s) {
    case CS_OK: return EXIT_DONE;
    case CS_E_USAGE: return EXIT_USAGE;
    default: return EXIT_FAILED;
    }
}

static void
usage_line(void)
{
    fprintf(stderr, "callsurvey: try 'callsurvey --help'\n");
}

static void
help(FILE *fp, enum cmd only)
{
    if (!only) {
        fprintf(fp,
                "callsurvey " CS_VERSION
                " - reports on Azure Communication Services End of Call Survey data\n\n"
                "Usage:\n");
        for (size_t i = 0; i < N_COMMANDS; i++)
            fprintf(fp, "  callsurvey %-70s\n      %s\n", commands[i].synopsis,
                    commands[i].what);
        fprintf(fp, "\n'callsurvey COMMAND --help' lists the options of one command.\n");
    } else {
        for (size_t i = 0; i < N_COMMANDS; i++)
            if (commands[i].cmd == only)
                fprintf(fp, "Usage: callsurvey %s\n  %s\n", commands[i].synopsis,
                        commands[i].what);
    }
    fprintf(fp, "\nOptions:\n");
    for (size_t i = 0; i < N_OPTS; i++) {
        if (only && !(opts[i].cmds & only))
            continue;
        char left[64];
        if (opts[i].id < 256)
            snprintf(left, sizeof left, "-%c, --%s%s%s", opts[i].id, opts[i].name,
                     opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", opts[i].name,
                     opts[i].arg ? " " : "", opts[i].arg ? opts[i].arg : "");
        fprintf(fp, "  %-34s %s\n", left, opts[i].help);
    }
    fprintf(fp,
            "\nINPUT is a file, a directory (searched recursively, e.g. a downloaded\n"
            "insights-logs-callsurvey tree) or - for standard input. JSON Lines,\n"
            "{\"records\":[...]}, JSON arrays, {\"tables\":[...]} and portal CSV are\n"
            "recognised by content. Custom-event exports are told apart from surveys\n"
            "by content too.\n"
            "\nEvery run ends with one accounting line per input and a total:\n"
            "  read R, stored S, duplicates D, updated U, conflicts C, rejected X\n"
            "  (R = S+D+U+C+X; a conflict is a record rating a category at exactly the\n"
            "  stored time with another content: the lower score is kept, whatever\n"
            "  the order of the inputs)\n"
            "\nExit codes: 0 done (rejected records are reported, not fatal); 1 could not\n"
            "do what was asked (unreadable input, bad template, I/O error); 2 usage\n"
            "error; 3 with --strict when any record was rejected; 4 with compare\n"
            "--fail-on-regression when a row is worse than its baseline; 130 (143,\n"
            "129) interrupted by SIGINT (SIGTERM, SIGHUP): the input being loaded is\n"
            "rolled back, and no partial file is left under an output's name.\n"
            "\nPrivacy: with --pseudonymize KEYFILE every participant, call and survey id\n"
            "in every output (JSON, CSV, workbooks, template query results, --rejects,\n"
            "the terminal) is the first 32 hex digits of HMAC-SHA-256 keyed with the\n"
            "bytes of KEYFILE (at least 16; e.g. head -c 32 /dev/urandom > KEYFILE) over\n"
            "the id trimmed and lower-cased, so the same id always gets the same\n"
            "pseudonym. Custom answers that are text, not numbers, are left out unless\n"
            "--keep-text; raw rejected records always are. About and summary.json say so.\n"
            "\nExamples:\n"
            "  callsurvey report -o out sample-data\n"
            "  callsurvey ingest --db surveys.db insights-logs-callsurvey/\n"
            "  callsurvey report --db surveys.db --week 2026-W47 -o week47\n"
            "  callsurvey validate --rejects bad.jsonl export.csv\n"
            "  callsurvey report --pseudonymize team.key -o shareable exports/\n"
            "  callsurvey generate --surveys 100000 --seed 7 -o /tmp/gen\n");
}

/* ---- progress and accounting ----------------------------------------- */

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
    if (!cfg->progress || g_quiet)
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

static void
progress_clear(struct cs_config *cfg)
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

static void
on_stage(void *ctx, const char *stage, size_t step, size_t n_steps)
{
    struct cs_config *cfg = ctx;
    char d[64];
    snprintf(d, sizeof d, "step %zu of %zu", step + 1, n_steps);
    progress_line(cfg, stage, n_steps ? (double)step / (double)n_steps : -1, d);
}

static void
print_accounting(const struct cs_accounting *a, bool total)
{
    char *name = cs_utf8_clean(a->name, strlen(a->name), CS_UTF8_CONTROLS | CS_UTF8_NO_BREAKS,
                               NULL);
    if (g_validate) /* read = valid + rejected */
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
    progress_clear(cfg);
    if (acc->status == CS_E_NODATA) {
        msg("warning", "%s: %s", acc->name, acc->err.msg[0] ? acc->err.msg : "no data");
    } else if (acc->status != CS_OK) {
        print_err(&acc->err);
        msg("error", "%s: nothing of this input was stored", acc->name);
    }
    if (acc->truncated)
        msg("warning", "%s: the input ends inside a record (truncated file?); "
                       "that record is in the rejects",
            acc->name);
    if (g_verbose)
        print_accounting(acc, false);
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
    if (g_quiet || g_verbose)
        return;
    if (strcmp(acc->format, "events") == 0) {
        char name[600];
        snprintf(name, sizeof name, "%s (custom events)", acc->name);
        struct cs_accounting a = *acc;
        a.name = name;
        print_accounting(&a, false);
    } else {
        print_accounting(acc, false);
    }
}

/* ---- commands -------------------------------------------------------- */

/* What this run was, for summary.json's and compare.json's "run". */
static void
fill_run_info(const struct cs_config *cfg, const char *template_name, struct cs_run_info *ri)
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

static struct cs_store *
open_store(const struct cs_config *cfg, struct cs_err *err)
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
    return s;
}

static int run_load_surveys(struct cs_config *cfg, struct cs_store *store,
                            struct cs_accounting *tot, char **inputs, size_t n_inputs);

static void
on_calls_file(void *ctx, const char *path, const struct cs_calls_counts *n, cs_status s,
              const struct cs_err *err)
{
    (void)ctx;
    if (s != CS_OK) {
        print_err(err);
        msg("error", "%s: nothing of this input was stored", path);
    } else if (n->rejected) {
        msg("warning", "%s: %llu call-summary rows rejected; the first: %s", path,
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
    if (files && !g_quiet) {
        if (g_validate)
            printf("calls: read %llu, valid %llu, rejected %llu\n", (unsigned long long)n.read,
                   (unsigned long long)(n.read - n.rejected), (unsigned long long)n.rejected);
        else
            printf("calls: read %llu, stored %llu, duplicates %llu, updated %llu, rejected %llu\n",
                   (unsigned long long)n.read, (unsigned long long)n.stored,
                   (unsigned long long)n.duplicates, (unsigned long long)n.updated,
                   (unsigned long long)n.rejected);
    }
    if (s != CS_OK && files == 0)
        print_err(&err); /* a missing --calls path */
    if (s != CS_OK)
        return EXIT_FAILED;
    if (cfg->strict && n.rejected > 0) {
        msg("error", "%llu call-summary rows rejected (--strict)", (unsigned long long)n.rejected);
        return EXIT_REJECTS;
    }
    struct cs_call_join audit;
    if (store && cs_calls_join(store, &audit, &err) != CS_OK) {
        print_err(&err);
        return EXIT_FAILED;
    }
    if (store && audit.legs && !g_quiet)
        printf("call join: surveys %llu, matched %llu, unmatched %llu, ambiguous %llu;"
               " legs without a survey %llu\n",
               (unsigned long long)audit.surveys, (unsigned long long)audit.matched,
               (unsigned long long)audit.unmatched, (unsigned long long)audit.ambiguous,
               (unsigned long long)audit.legs_without_survey);
    return EXIT_DONE;
}

static int
run_load(struct cs_config *cfg, struct cs_store *store, struct cs_accounting *tot)
{
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
    int rc = n_sv ? run_load_surveys(cfg, store, tot, sv, n_sv) : EXIT_DONE;
    xfree(sv);
    if (rc == EXIT_DONE || rc == EXIT_REJECTS) {
        int rc2 = run_calls(cfg, store);
        if (rc2 != EXIT_DONE)
            rc = rc2;
    }
    return rc;
}

static int
run_load_surveys(struct cs_config *cfg, struct cs_store *store, struct cs_accounting *tot,
                 char **inputs, size_t n_inputs)
{
    struct cs_ingest_job job = {
        .inputs = inputs,
        .n_inputs = n_inputs,
        .rejects_path = cfg->rejects,
        .rejects_without_raw = cfg->privacy != NULL, /* raw records hold ids */
        .opts = cfg->iopts,
        .on_input = on_input,
        .on_arg = on_arg,
        .on_progress = on_progress,
        .ctx = cfg,
    };
    cfg->total_bytes = cs_app_inputs_size(inputs, n_inputs);
    char d[64];
    snprintf(d, sizeof d, "%.1f MB in %zu input%s", (double)cfg->total_bytes / 1e6,
             n_inputs, n_inputs == 1 ? "" : "s");
    progress_line(cfg, "load", cfg->total_bytes ? 0 : -1, d);
    struct cs_err err;
    cs_err_clear(&err);
    struct cs_accounting evt;
    tot->ev = &evt;
    cs_status s = cs_app_ingest(&job, store, tot, &err);
    if (s != CS_OK && cfg->n_inputs_failed == 0) {
        /* failed before any input was read (a missing path, an empty
         * directory, the rejects file): nothing to account for */
        print_err(&err);
        return EXIT_FAILED;
    }
    if (!g_quiet) {
        print_accounting(tot, true);
        if (evt.read)
            print_accounting(&evt, true);
    }
    if (s != CS_OK && s != CS_E_NODATA)
        return EXIT_FAILED;
    if (tot->read == 0 && evt.read == 0) {
        if (evt.skipped) /* custom events all of another name */
            msg("error", "no survey records in the input; %llu custom-event rows were "
                         "skipped because their name is not '%s' (see --event-name)",
                (unsigned long long)evt.skipped,
                cfg->iopts.event_name ? cfg->iopts.event_name : "CallSurvey");
        else
            msg("error", "no survey records in the input");
        return EXIT_FAILED;
    }
    uint64_t rejected = tot->rejected + evt.rejected;
    if (cfg->strict && rejected > 0) {
        msg("error", "%llu records rejected (--strict)", (unsigned long long)rejected);
        return EXIT_REJECTS;
    }
    if (rejected > 0 && !g_quiet)
        msg("warning", "%llu records rejected%s%s", (unsigned long long)rejected,
            cfg->rejects ? "; see " : "; keep them with --rejects FILE",
            cfg->rejects ? cfg->rejects : "");
    return EXIT_DONE;
}

static int
cmd_ingest(struct cs_config *cfg)
{
    struct cs_err err;
    cs_err_clear(&err);
    struct cs_store *store = NULL;
    if (cfg->cmd != CMD_VALIDATE) {
        store = open_store(cfg, &err);
        if (!store) {
            print_err(&err);
            return EXIT_FAILED;
        }
    }
    struct cs_accounting tot;
    int rc = run_load(cfg, store, &tot);
    if (store && cfg->db && rc != EXIT_FAILED && !g_quiet) {
        struct cs_store_totals t;
        if (cs_store_totals(store, &t, &err) == CS_OK)
            printf("%s now holds %llu surveys and %llu rejected records\n", cfg->db,
                   (unsigned long long)t.surveys, (unsigned long long)t.rejects);
    }
    cs_store_close(&store);
    return rc;
}

/* Find, load and validate the template before any data is read. */
static struct cs_template *
load_template(const char *name, struct cs_err *err)
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

/* The parameters a template declares, as `--param` lines. */
static void
print_template_params(const char *path)
{
    struct cs_template *t = NULL;
    struct cs_err e;
    cs_err_clear(&e);
    if (cs_template_load(path, &t, &e) != CS_OK)
        return; /* listed as valid a moment ago: nothing more to say */
    for (size_t k = 0; k < t->n_params; k++) {
        const struct cs_template_param *p = &t->params[k];
        printf("%-18s --param %s=%s (%s%s%s)%s%s\n", "", p->name,
               p->type == CS_PARAM_NUMBER ? "N" : p->type == CS_PARAM_TIME ? "TIME"
                                                                           : "TEXT",
               cs_param_type_name(p->type), p->default_value ? ", default " : "",
               p->default_value ? p->default_value : "", p->description[0] ? ": " : "",
               p->description);
    }
    cs_template_free(&t);
}

static int
cmd_templates(void)
{
    char **dirs;
    size_t n_dirs;
    cs_template_dirs(getenv("CALLSURVEY_TEMPLATES"), NULL, &dirs, &n_dirs);
    struct cs_template_info *infos = NULL;
    size_t n = 0;
    struct cs_err err;
    cs_err_clear(&err);
    cs_status s = cs_template_list(dirs, n_dirs, &infos, &n, &err);
    if (s == CS_OK) {
        if (n == 0)
            msg("warning", "no templates found (searched $CALLSURVEY_TEMPLATES, "
                           "share/callsurvey/templates and ./templates)");
        for (size_t i = 0; i < n; i++) {
            if (infos[i].error)
                printf("%-18s INVALID: %s\n", infos[i].name, infos[i].error);
            else {
                printf("%-18s %s\n%-18s %s\n", infos[i].name, infos[i].title, "",
                       infos[i].path);
                print_template_params(infos[i].path);
            }
        }
    } else {
        print_err(&err);
    }
    cs_template_infos_free(&infos, n);
    cs_template_dirs_free(&dirs, n_dirs);
    return s == CS_OK ? EXIT_DONE : EXIT_FAILED;
}

static int
cmd_report(struct cs_config *cfg)
{
    struct cs_err err;
    cs_err_clear(&err);
    if (cfg->n_inputs == 0 && !cfg->db) {
        msg("error", "report needs INPUT files or --db FILE");
        usage_line();
        return EXIT_USAGE;
    }
    struct cs_template *tmpl = load_template(
        cfg->ropts.template_name ? cfg->ropts.template_name : "weekly-review", &err);
    if (!tmpl) {
        print_err(&err);
        return exit_for(err.code);
    }
    struct cs_template_params *params = NULL;
    if (cs_template_params_build(tmpl, &cfg->ropts, (const char *const *)cfg->params,
                                 cfg->n_params, &params, &err) != CS_OK) {
        print_err(&err);
        cs_template_free(&tmpl);
        return exit_for(err.code);
    }
    struct cs_store *store = open_store(cfg, &err);
    if (!store || cs_template_check_queries(store, tmpl, params, &err) != CS_OK) {
        /* SQL and column errors surface before any input is read */
        print_err(&err);
        cs_store_close(&store);
        cs_template_params_free(&params);
        cs_template_free(&tmpl);
        return EXIT_FAILED;
    }
    int rc = EXIT_DONE;
    struct cs_accounting tot = {0};
    if (cfg->n_inputs > 0) {
        rc = run_load(cfg, store, &tot);
        if (rc == EXIT_FAILED) {
            cs_store_close(&store);
            cs_template_params_free(&params);
            cs_template_free(&tmpl);
            return rc;
        }
    }
    struct cs_report_result res;
    cfg->ropts.on_stage = on_stage;
    cfg->ropts.stage_ctx = cfg;
    struct cs_run_info ri;
    fill_run_info(cfg, cfg->ropts.template_name ? cfg->ropts.template_name : "weekly-review", &ri);
    cfg->ropts.run_info = &ri;
    cs_status s = cs_report_run(store, &cfg->ropts, tmpl, params, &res, &err);
    progress_clear(cfg);
    cs_template_params_free(&params);
    cs_template_free(&tmpl);
    if (s == CS_OK)
        msg("note", "timings: load %.3f s (parse and store on two threads), "
                    "statistics %.3f s, json %.3f s, csv %.3f s, charts %.3f s, xlsx %.3f s",
            tot.seconds, res.seconds_stats, res.seconds_json, res.seconds_csv,
            res.seconds_charts, res.seconds_xlsx);
    if (s != CS_OK) {
        print_err(&err);
        cs_store_close(&store);
        return exit_for(s);
    }
    for (size_t i = 0; i < res.n_notes; i++)
        msg("warning", "%s", res.notes[i]);
    if (!g_quiet) {
        put_text(res.terminal_text, stdout);
        for (size_t i = 0; i < res.n_files; i++)
            printf("wrote %s\n", res.files[i]);
    }
    if (cfg->ropts.fail_on_regression && res.n_worse > 0) {
        msg("error", "%zu review rows are worse than the comparison period (--fail-on-regression):",
            res.n_worse);
        put_text(res.worse_text, stderr);
        if (rc == EXIT_DONE)
            rc = EXIT_REGRESSION;
    }
    cs_report_result_free(&res);
    cs_store_close(&store);
    return rc;
}

static void
compare_file(void *ctx, const char *path)
{
    char final[4096];
    if (!g_quiet) /* the path it has once moved into place */
        printf("wrote %s\n", cs_outdir_final(ctx, path, final, sizeof final));
}

static void
compare_note(void *ctx, const char *text)
{
    (void)ctx;
    msg("warning", "%s", text);
}

static int
cmd_compare(struct cs_config *cfg)
{
    struct cs_err err;
    cs_err_clear(&err);
    if (!cfg->ropts.compare_by) {
        msg("error", "compare needs --by resource|week|day|custom:KEY|DIM");
        usage_line();
        return EXIT_USAGE;
    }
    if (cfg->n_inputs == 0 && !cfg->db) {
        msg("error", "compare needs INPUT files or --db FILE");
        usage_line();
        return EXIT_USAGE;
    }
    /* the template is found, loaded and checked before any data is read */
    struct cs_template *tmpl = load_template(
        cfg->ropts.template_name ? cfg->ropts.template_name : "release-compare", &err);
    struct cs_template_params *params = NULL;
    if (!tmpl || cs_compare_template_check(tmpl, &err) != CS_OK ||
        cs_template_params_build(tmpl, &cfg->ropts, (const char *const *)cfg->params,
                                 cfg->n_params, &params, &err) != CS_OK) {
        print_err(&err);
        cs_template_free(&tmpl);
        return exit_for(err.code);
    }
    struct cs_store *store = open_store(cfg, &err);
    if (!store || cs_template_check_queries(store, tmpl, params, &err) != CS_OK) {
        print_err(&err);
        cs_store_close(&store);
        cs_template_params_free(&params);
        cs_template_free(&tmpl);
        return EXIT_FAILED;
    }
    if (cfg->n_inputs > 0) {
        struct cs_accounting tot = {0};
        int rc = run_load(cfg, store, &tot);
        if (rc == EXIT_FAILED) {
            cs_store_close(&store);
            cs_template_params_free(&params);
            cs_template_free(&tmpl);
            return rc;
        }
    }
    const struct cs_report_opts *r = &cfg->ropts;
    struct cs_compare_opts co = {
        .filter = {.has_since = r->has_since || r->has_week,
                   .has_until = r->has_until || r->has_week,
                   .since_us = r->has_week ? r->week_start_us : r->since_us,
                   .until_us = r->has_week ? r->week_end_us : r->until_us,
                   .resources = r->resources,
                   .n_resources = r->n_resources},
        .by = r->compare_by,
        .baseline = r->baseline,
        .min_n = r->min_n,
        .min_effect = r->min_effect,
        .top = cfg->top,
    };
    struct cs_compare *c = NULL;
    struct cs_report_model *m = NULL;
    struct cs_model_opts mo = {.filter = co.filter, .has_week = r->has_week, .week_start_us = r->week_start_us, .bucket = r->bucket_day ? CS_BUCKET_DAY : CS_BUCKET_WEEK, .min_n = r->min_n};
    /* one snapshot for every read: groups, About and the rendered steps */
    cs_status s = cs_store_read_begin(store, &err);
    if (s == CS_OK)
        s = cs_compare_build(store, &co, &c, &err);
    if (s == CS_OK && cs_compare_apply_privacy(c, cfg->privacy) > 0)
        msg("note", "answers of %s that are text are shown as pseudonyms (--pseudonymize)",
            r->compare_by);
    if (s == CS_OK) /* the whole window: About, Data Quality, query-step charts */
        s = cs_report_model_build(store, &mo, &m, &err);
    if (s != CS_OK) {
        print_err(&err);
        cs_compare_free(&c);
        cs_store_close(&store);
        cs_template_params_free(&params);
        cs_template_free(&tmpl);
        return exit_for(s);
    }
    if (cs_report_check_chart_names(tmpl, m, c, &err) != CS_OK) {
        print_err(&err);
        cs_report_model_free(&m);
        cs_compare_free(&c);
        cs_store_close(&store);
        cs_template_params_free(&params);
        cs_template_free(&tmpl);
        return exit_for(err.code);
    }
    int rc = EXIT_DONE;
    char path[4096];
    /* written into a staging directory, moved into DIR at the end */
    struct cs_outdir *od = NULL;
    cJSON *doc = cs_compare_json(c);
    cJSON_AddStringToObject(doc, "template", tmpl->name);
    {
        struct cs_run_info ri;
        fill_run_info(cfg, tmpl->name, &ri);
        cJSON *w = cJSON_AddObjectToObject(doc, "window");
        char tb[32];
        if (ri.has_since)
            cJSON_AddStringToObject(w, "since", cs_time_format(ri.since_us, tb));
        else
            cJSON_AddNullToObject(w, "since");
        if (ri.has_until)
            cJSON_AddStringToObject(w, "until", cs_time_format(ri.until_us, tb));
        else
            cJSON_AddNullToObject(w, "until");
        cs_json_run_info(cJSON_AddObjectToObject(doc, "run"), &ri);
    }
    cJSON_AddItemToObject(doc, "privacy", cs_json_privacy(cfg->privacy, 0));
    if (cs_outdir_open(r->out_dir, &od, &err) == CS_OK)
        snprintf(path, sizeof path, "%s/compare.json", cs_outdir_stage(od));
    if (!od || cs_json_write(doc, path, &err) != CS_OK) {
        cs_outdir_fix_err(od, &err);
        print_err(&err);
        rc = EXIT_FAILED;
    }
    cJSON_Delete(doc);
    if (rc == EXIT_DONE) {
        char *txt = cs_compare_text(c, false);
        if (!g_quiet) {
            put_text(txt, stdout);
            compare_file(od, path);
        }
        xfree(txt);
        struct cs_compare_out out = {
            .dir = cs_outdir_stage(od), .run_time_s = r->run_time_s, .tool_version = r->tool_version, .surfaces = CS_CHART_PNG, .m = m, .filter = &co.filter, .filters_text = r->filters_text, .privacy = cfg->privacy, .on_file = compare_file, .ctx = od, .on_note = compare_note, .html = cs_formats_has(r->formats, "html")};
        if (cs_compare_render(c, store, tmpl, params, &out, &err) != CS_OK) {
            cs_outdir_fix_err(od, &err);
            print_err(&err);
            rc = exit_for(err.code);
        } else if (cs_outdir_commit(&od, &err) != CS_OK) {
            print_err(&err);
            rc = exit_for(err.code);
        }
        if (r->fail_on_regression && c->n_worse > 0) {
            char *w = cs_compare_text(c, true);
            msg("error", "%zu rows are worse than the baseline (--fail-on-regression):",
                c->n_worse);
            put_text(w, stderr);
            xfree(w);
            if (rc == EXIT_DONE)
                rc = EXIT_REGRESSION;
        }
    }
    cs_outdir_abort(&od);
    cs_report_model_free(&m);
    cs_compare_free(&c);
    cs_store_close(&store);
    cs_template_params_free(&params);
    cs_template_free(&tmpl);
    return rc;
}

/* One argument for the kql header as a shell would need it. */
static void
append_arg(char **line, const char *a)
{
    bool plain = *a != '\0';
    for (const char *p = a; *p && plain; p++)
        plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                       "_-./:=,@%+",
                       *p) != NULL;
    size_t n = strlen(*line), cap = n + 4 * strlen(a) + 4;
    *line = xrealloc(*line, cap);
    char *o = *line + n;
    *o++ = ' ';
    if (!plain)
        *o++ = '\'';
    for (const char *p = a; *p; p++) {
        if (*p == '\'' && !plain) {
            memcpy(o, "'\\''", 4);
            o += 4;
        } else {
            *o++ = *p;
        }
    }
    if (!plain)
        *o++ = '\'';
    *o = '\0';
}

static int
cmd_kql(struct cs_config *cfg)
{
    if (cfg->n_inputs > 0) {
        msg("error", "kql takes no INPUT ('%s'): it reads the workspace's ACSCallSurvey table",
            cfg->inputs[0]);
        usage_line();
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
    char *line = xstrdup("callsurvey");
    for (int i = 1; i < cfg->argc; i++)
        append_arg(&line, cfg->argv[i]);
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
        print_err(&err);
        if (s == CS_E_USAGE)
            usage_line();
        return exit_for(s);
    }
    fputs(q, stdout);
    xfree(q);
    return EXIT_DONE;
}

static int
cmd_generate(struct cs_config *cfg)
{
    if (!cfg->have_surveys) {
        msg("error", "generate needs --surveys N");
        usage_line();
        return EXIT_USAGE;
    }
    if (!cfg->gopts.out_dir) {
        msg("error", "generate needs -o DIR");
        usage_line();
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
        print_err(&err);
        return exit_for(s);
    }
    if (!g_quiet)
        printf("generated %llu surveys in %llu records (%llu invalid, %llu repeated) "
               "and %llu custom events: %d files, %.1f MB in %s\n",
               (unsigned long long)res.surveys, (unsigned long long)res.records,
               (unsigned long long)res.invalid, (unsigned long long)res.duplicates,
               (unsigned long long)res.custom_events, res.files,
               (double)res.bytes / 1e6, cfg->gopts.out_dir);
    if (!g_quiet && cfg->gopts.calls_format != GEN_CALLS_NONE)
        printf("generated %llu call-summary legs (%llu surveys have none)\n",
               (unsigned long long)res.calls_legs, (unsigned long long)res.calls_unmatched);
    return EXIT_DONE;
}

/* ---- an output is never an input (issue 15 item 1) -------------------- */

/* A file the run reads or writes, for the clash check. */
struct io_file {
    const char *what; /* "--db", "--rejects", "input", "-o" */
    char *path;       /* owned */
    bool exists;      /* stat succeeded */
    struct stat st;
    char *canon; /* owned: realpath of its directory + "/" + its name */
};

static void
io_add(struct io_file **v, size_t *n, const char *what, const char *path)
{
    *v = xreallocarray(*v, *n + 1, sizeof **v);
    struct io_file *f = &(*v)[(*n)++];
    memset(f, 0, sizeof *f);
    f->what = what;
    f->path = xstrdup(path);
    f->exists = stat(path, &f->st) == 0;
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xstrndup(path, (size_t)(slash - path) + (slash == path)) : xstrdup(".");
    char *real = realpath(dir, NULL);
    f->canon = xasprintf("%s/%s", real ? real : dir, slash ? slash + 1 : path);
    free(real);
    xfree(dir);
}

/* Two names of one file: the same inode when both exist, else (an output
 * not yet created) the same canonical path.  Devices, FIFOs and sockets
 * (/dev/stdout, /dev/null) are streams, not files to protect. */
static bool
io_same(const struct io_file *a, const struct io_file *b)
{
    if (a->exists && b->exists)
        return (S_ISREG(a->st.st_mode) || S_ISDIR(a->st.st_mode)) &&
               a->st.st_dev == b->st.st_dev && a->st.st_ino == b->st.st_ino;
    if (a->exists != b->exists)
        return false;
    return strcmp(a->canon, b->canon) == 0;
}

/* Compare every output path (--rejects, --db, the files -o DIR may replace
 * or remove, DIR itself) with every input (files found in input
 * directories too), the database and each other, before anything is
 * opened for writing.  Returns -1 when no two are one file, else prints
 * the clash and returns EXIT_USAGE. */
static int
check_outputs(const struct cs_config *cfg)
{
    struct io_file *in = NULL, *out = NULL;
    size_t n_in = 0, n_out = 0;
    char **list = NULL;
    size_t n_list = 0;
    struct cs_err e;
    if (cfg->n_inputs &&
        cs_inputs_expand(cfg->inputs, cfg->n_inputs, &list, &n_list, &e) == CS_OK) {
        for (size_t i = 0; i < n_list; i++)
            if (strcmp(list[i], "-") != 0)
                io_add(&in, &n_in, "input", list[i]);
        cs_inputs_free(list, n_list);
    }
    /* the other files a run reads: the key and a template given as a file */
    if (cfg->key_file)
        io_add(&in, &n_in, "--pseudonymize", cfg->key_file);
    struct stat tst;
    if (cfg->ropts.template_name && stat(cfg->ropts.template_name, &tst) == 0 &&
        S_ISREG(tst.st_mode))
        io_add(&in, &n_in, "--template", cfg->ropts.template_name);
    if (cfg->rejects) {
        io_add(&in, &n_in, "--rejects", cfg->rejects);
        io_add(&out, &n_out, "--rejects", cfg->rejects);
    }
    if (cfg->db) {
        io_add(&in, &n_in, "--db", cfg->db);
        io_add(&out, &n_out, "--db", cfg->db);
    }
    if ((cfg->cmd & (CMD_REPORT | CMD_COMPARE)) && cfg->ropts.out_dir) {
        char **owned;
        size_t n_owned;
        cs_outdir_owned(cfg->ropts.out_dir, &owned, &n_owned);
        io_add(&out, &n_out, "-o", cfg->ropts.out_dir);
        for (size_t i = 0; i < n_owned; i++)
            io_add(&out, &n_out, "-o", owned[i]);
        cs_outdir_list_free(owned, n_owned);
    }
    int rc = -1;
    for (size_t i = 0; i < n_out && rc < 0; i++)
        for (size_t j = 0; j < n_in && rc < 0; j++) {
            /* --db is read and written: only another role can clash with it */
            if (out[i].what == in[j].what)
                continue;
            if (!io_same(&out[i], &in[j]))
                continue;
            bool is_dir = strcmp(out[i].what, "-o") == 0 &&
                          strcmp(out[i].path, cfg->ropts.out_dir) == 0;
            if (is_dir)
                msg("error", "-o %s is the %s %s, not a directory to write the report into",
                    out[i].path, strcmp(in[j].what, "input") == 0 ? "input" : in[j].what,
                    in[j].path);
            else if (strcmp(out[i].what, "-o") == 0)
                msg("error", "-o %s may replace or remove %s, which is %s %s: an output "
                             "must never be an input; choose another -o directory",
                    cfg->ropts.out_dir, out[i].path, in[j].what, in[j].path);
            else
                msg("error", "%s %s is the same file as %s %s: an output must never be an "
                             "input",
                    out[i].what, out[i].path, in[j].what, in[j].path);
            usage_line();
            rc = EXIT_USAGE;
        }
    for (size_t i = 0; i < n_in; i++) {
        xfree(in[i].path);
        xfree(in[i].canon);
    }
    for (size_t i = 0; i < n_out; i++) {
        xfree(out[i].path);
        xfree(out[i].canon);
    }
    xfree(in);
    xfree(out);
    return rc;
}

/* ---- option parsing -------------------------------------------------- */

static bool
parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= lo && v <= hi))
        return false;
    *out = v;
    return true;
}

static bool
parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (!*s || *s == '-')
        return false;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end)
        return false;
    *out = v;
    return true;
}

/* "20M", "4G", "1048576": bytes, with K, M, G or T as powers of 1024
 * (an optional trailing B or iB). */
static bool
parse_size(const char *s, uint64_t *out)
{
    char *end;
    if (!*s || *s < '0' || *s > '9')
        return false;
    unsigned long long v = strtoull(s, &end, 10);
    unsigned shift = 0;
    switch (*end) {
    case 'k':
    case 'K':
        shift = 10;
        end++;
        break;
    case 'm':
    case 'M':
        shift = 20;
        end++;
        break;
    case 'g':
    case 'G':
        shift = 30;
        end++;
        break;
    case 't':
    case 'T':
        shift = 40;
        end++;
        break;
    default: break;
    }
    if (shift && *end == 'i')
        end++;
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end || v > (UINT64_MAX >> shift))
        return false;
    *out = (uint64_t)v << shift;
    return true;
}

static bool
parse_time_opt(const char *s, int64_t *out)
{
    return cs_time_parse_iso(s, strlen(s), out);
}

static void
push(char ***v, size_t *n, char *s)
{
    *v = xreallocarray(*v, *n + 1, sizeof **v);
    (*v)[(*n)++] = s;
}

static int
bad_value(const char *opt, const char *val, const char *want)
{
    msg("error", "--%s: '%s' is not %s", opt, val, want);
    usage_line();
    return EXIT_USAGE;
}

/* Returns -1 to go on, or an exit code. */
static int
parse_args(int argc, char **argv, struct cs_config *cfg)
{
    if (argc < 2) {
        help(stderr, CMD_NONE);
        return EXIT_USAGE;
    }
    const char *c = argv[1];
    if (strcmp(c, "--help") == 0 || strcmp(c, "-h") == 0 || strcmp(c, "help") == 0) {
        help(stdout, CMD_NONE);
        return EXIT_DONE;
    }
    if (strcmp(c, "--version") == 0 || strcmp(c, "-V") == 0) {
        printf("callsurvey %s\n", CS_VERSION);
        return EXIT_DONE;
    }
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (strcmp(c, commands[i].name) == 0) {
            cfg->cmd = commands[i].cmd;
            cfg->cmd_name = commands[i].name;
        }
    if (!cfg->cmd) {
        msg("error", "unknown command '%s'", c);
        usage_line();
        return EXIT_USAGE;
    }
    struct option lo[N_OPTS + 1];
    char shorts[64] = "+";
    /* this command's options first: getopt_long takes the first of a name
     * (--format is the input form for loading, the export form for
     * generate); the others stay, for "does not take" */
    size_t nlo = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < N_OPTS; i++)
            if (((opts[i].cmds & cfg->cmd) != 0) == (pass == 0))
                lo[nlo++] = (struct option){opts[i].name, opts[i].has_arg, NULL, opts[i].id};
    for (size_t i = 0; i < N_OPTS; i++) {
        if (opts[i].id < 256) {
            size_t n = strlen(shorts);
            shorts[n] = (char)opts[i].id;
            shorts[n + 1] = '\0';
            if (opts[i].has_arg)
                strcat(shorts, ":");
        }
    }
    lo[N_OPTS] = (struct option){0};
    optind = 2;
    opterr = 0;
    int ch;
    /* permute so options may follow inputs: parse in a loop over leftovers */
    for (;;) {
        int li = -1;
        ch = getopt_long(argc, argv, shorts, lo, &li);
        if (ch == -1) {
            if (optind >= argc)
                break;
            push(&cfg->inputs, &cfg->n_inputs, argv[optind++]);
            continue;
        }
        const struct opt *o = NULL;
        for (size_t i = 0; i < N_OPTS; i++)
            if (opts[i].id == ch)
                o = &opts[i];
        if (ch == '?' || ch == ':' || o == NULL) {
            if (optopt && optopt < 256)
                msg("error", "%s: unknown option '-%c' or missing value", cfg->cmd_name,
                    optopt);
            else
                msg("error", "%s: unknown option '%s' or missing value", cfg->cmd_name,
                    argv[optind - 1]);
            usage_line();
            return EXIT_USAGE;
        }
        if (!(o->cmds & cfg->cmd)) {
            msg("error", "%s does not take --%s", cfg->cmd_name, o->name);
            usage_line();
            return EXIT_USAGE;
        }
        const char *a = optarg;
        if (ch == O_SINCE || ch == O_UNTIL || ch == O_WEEK || ch == O_RESOURCE ||
            ch == O_MERGE || ch == O_TEMPLATE) {
            /* the filters as typed, for the workbook's About sheet */
            char *prev = cfg->filters_text;
            cfg->filters_text = xasprintf("%s%s--%s %s", prev ? prev : "", prev ? " " : "",
                                          o->name, a);
            xfree(prev);
            cfg->ropts.filters_text = cfg->filters_text;
        }
        switch (ch) {
        case O_HELP: help(stdout, cfg->cmd); return EXIT_DONE;
        case O_VERSION: printf("callsurvey %s\n", CS_VERSION); return EXIT_DONE;
        case O_QUIET: cfg->quiet = true; break;
        case O_VERBOSE:
            cfg->verbose = true;
            cfg->ropts.full_table = true;
            break;
        case O_PROGRESS:
            cfg->progress = true;
            cfg->progress_given = true;
            break;
        case O_DB: cfg->db = a; break;
        case O_REJECTS: cfg->rejects = a; break;
        case O_STRICT: cfg->strict = true; break;
        case O_DATE_ORDER:
            if (strcmp(a, "mdy") == 0)
                cfg->iopts.date_order = CS_DATE_MDY;
            else if (strcmp(a, "dmy") == 0)
                cfg->iopts.date_order = CS_DATE_DMY;
            else
                return bad_value(o->name, a, "mdy or dmy");
            break;
        case O_DEFAULT_THRESHOLD:
            if (!parse_double(a, 0, 100, &cfg->default_threshold))
                return bad_value(o->name, a, "a number from 0 to 100");
            cfg->ropts.default_threshold = cfg->default_threshold;
            break;
        case O_EVENT_NAME: cfg->iopts.event_name = a; break;
        case O_ID_KEY: cfg->iopts.id_key = a; break;
        case O_CUSTOM: push(&cfg->custom, &cfg->n_custom, optarg); break;
        case O_CALLS: push(&cfg->calls, &cfg->n_calls, optarg); break;
        case O_TOP: {
            double v;
            if (!parse_double(a, 1, 1000, &v) || v != (double)(size_t)v)
                return bad_value(o->name, a, "a whole number from 1 to 1000");
            cfg->top = cfg->ropts.top = (size_t)v;
            break;
        }
        case O_PARAM: push(&cfg->params, &cfg->n_params, optarg); break;
        case O_MERGE: cfg->ropts.merge = a; break;
        case O_TEMPLATE: cfg->ropts.template_name = a; break;
        case O_SINCE:
            if (!parse_time_opt(a, &cfg->ropts.since_us))
                return bad_value(o->name, a, "an ISO 8601 time (2026-11-16 or 2026-11-16T08:00:00Z)");
            cfg->ropts.has_since = true;
            break;
        case O_UNTIL:
            if (!parse_time_opt(a, &cfg->ropts.until_us))
                return bad_value(o->name, a, "an ISO 8601 time (2026-11-16 or 2026-11-16T08:00:00Z)");
            cfg->ropts.has_until = true;
            break;
        case O_WEEK:
            if (!cs_week_parse(a, &cfg->ropts.week_start_us, &cfg->ropts.week_end_us))
                return bad_value(o->name, a, "an ISO week such as 2026-W47");
            cfg->ropts.has_week = true;
            cfg->week_text = a;
            break;
        case O_RESOURCE:
            if (cfg->ropts.n_resources >= CS_REPORT_MAX_RESOURCES)
                return bad_value(o->name, a, "allowed: too many --resource options");
            cfg->ropts.resources[cfg->ropts.n_resources++] = a;
            break;
        case O_FORMATS: cfg->ropts.formats = a; break;
        case O_DATA_SHEET: cfg->ropts.data_sheet = true; break;
        case O_CSV_EXCEL: cs_csv_set_excel(true); break;
        case O_PSEUDONYMIZE: cfg->key_file = a; break;
        case O_KEEP_TEXT: cfg->keep_text = true; break;
        case O_BUCKET:
            if (strcmp(a, "week") && strcmp(a, "day"))
                return bad_value(o->name, a, "week or day");
            cfg->ropts.bucket_day = strcmp(a, "day") == 0;
            break;
        case O_SIZE: {
            unsigned w, h;
            char end;
            if (sscanf(a, "%ux%u%c", &w, &h, &end) != 2 || w < 100 || h < 100 || w > 10000 ||
                h > 10000)
                return bad_value(o->name, a, "WIDTHxHEIGHT in pixels, 100..10000 each (1200x700)");
            cfg->chart_w = (int)w;
            cfg->chart_h = (int)h;
            break;
        }
        case O_PAPER: {
            enum pdf_paper paper;
            if (!pdf_paper_parse(a, &paper))
                return bad_value(o->name, a, "a4 or letter");
            cs_pdf_report_set_paper(paper);
            break;
        }
        case O_DPI: {
            uint64_t v;
            if (!parse_u64(a, &v) || v < 36 || v > 1200)
                return bad_value(o->name, a, "a whole number from 36 to 1200");
            cfg->chart_dpi = (int)v;
            break;
        }
        case O_CUSTOM_COLUMNS: {
            uint64_t v;
            if (!parse_u64(a, &v) || v < 1 || v > 16372)
                return bad_value(o->name, a, "a whole number from 1 to 16372");
            cfg->ropts.custom_columns = (size_t)v;
            break;
        }
        case O_QUERY_MEMORY:
            if (!parse_size(a, &cfg->ropts.query_memory) ||
                cfg->ropts.query_memory < (UINT64_C(1) << 20) ||
                cfg->ropts.query_memory > (UINT64_C(1) << 40))
                return bad_value(o->name, a, "a size from 1M to 1T, such as 512M or 4G");
            break;
        case O_MIN_N: {
            uint64_t v;
            if (!parse_u64(a, &v) || v > 1000000000)
                return bad_value(o->name, a, "a whole number");
            cfg->ropts.min_n = v;
            break;
        }
        case O_OUT:
            cfg->ropts.out_dir = a;
            cfg->gopts.out_dir = a;
            break;
        case O_SURVEYS:
            if (!parse_u64(a, &cfg->gopts.n_surveys) || cfg->gopts.n_surveys == 0 ||
                cfg->gopts.n_surveys > 100000000)
                return bad_value(o->name, a, "a whole number from 1 to 100000000");
            cfg->have_surveys = true;
            break;
        case O_SEED:
            if (!parse_u64(a, &cfg->gopts.seed))
                return bad_value(o->name, a, "a whole number");
            break;
        case O_CUSTOM_SHARE:
            if (!parse_double(a, 0, 1, &cfg->gopts.custom_share))
                return bad_value(o->name, a, "a share from 0 to 1");
            break;
        case O_INVALID_SHARE:
            if (!parse_double(a, 0, 1, &cfg->gopts.invalid_share))
                return bad_value(o->name, a, "a share from 0 to 1");
            break;
        case O_IN_FORMAT: {
            int f = cs_input_format_parse(a);
            if (f < 0)
                return bad_value(o->name, a, "auto, jsonl, json or csv");
            cfg->iopts.format = (enum cs_input_format)f;
            break;
        }
        case O_FORMAT:
            if (strcmp(a, "jsonl") == 0)
                cfg->gopts.format = GEN_JSONL;
            else if (strcmp(a, "csv") == 0)
                cfg->gopts.format = GEN_CSV;
            else if (strcmp(a, "records") == 0)
                cfg->gopts.format = GEN_RECORDS;
            else
                return bad_value(o->name, a, "jsonl, csv or records");
            break;
        case O_SINGLE_FILE: cfg->gopts.single_file = 1; break;
        case O_CALLS_FORMAT:
            if (strcmp(a, "none") == 0)
                cfg->gopts.calls_format = GEN_CALLS_NONE;
            else if (strcmp(a, "jsonl") == 0)
                cfg->gopts.calls_format = GEN_CALLS_JSONL;
            else if (strcmp(a, "csv") == 0)
                cfg->gopts.calls_format = GEN_CALLS_CSV;
            else
                return bad_value(o->name, a, "none, jsonl or csv");
            break;
        case O_EVENTS_FORMAT:
            if (strcmp(a, "csv") == 0)
                cfg->gopts.events_format = GEN_EV_CSV;
            else if (strcmp(a, "jsonl") == 0)
                cfg->gopts.events_format = GEN_EV_JSONL;
            else
                return bad_value(o->name, a, "csv or jsonl");
            break;
        case O_VS: {
            uint64_t v;
            cfg->vs_text = a;
            if (strcmp(a, "previous") == 0) {
                cfg->ropts.vs = CS_VS_PREVIOUS;
                cfg->ropts.vs_periods = 1;
            } else if (strcmp(a, "none") == 0) {
                cfg->ropts.vs = CS_VS_NONE;
            } else if (parse_u64(a, &v) && v >= 1 && v <= 52) {
                cfg->ropts.vs = v == 1 ? CS_VS_PREVIOUS : CS_VS_POOLED;
                cfg->ropts.vs_periods = (unsigned)v;
            } else {
                return bad_value(o->name, a, "previous, none, or a number of periods from 1 to 52");
            }
            break;
        }
        case O_MIN_EFFECT: {
            char *end;
            double v = strtod(a, &end);
            if (end == a || *end || !(v >= 0 && v <= 100))
                return bad_value(o->name, a, "percentage points from 0 to 100 (e.g. 1.5)");
            cfg->ropts.min_effect = v;
            break;
        }
        case O_SCALES:
            if (strcmp(a, "all") == 0)
                cfg->ropts.scales_all = true;
            else if (strcmp(a, "primary") == 0)
                cfg->ropts.scales_all = false;
            else
                return bad_value(o->name, a, "primary or all");
            break;
        case O_BY:
            if (cfg->cmd == CMD_KQL) {
                if (cfg->kopts.n_by >= CS_KQL_MAX_BY)
                    return bad_value(o->name, a, "allowed: more than 5 --by dimensions");
                cfg->kopts.by[cfg->kopts.n_by++] = a;
            }
            if (cfg->cmd == CMD_REPORT) {
                if (cfg->ropts.n_by_dims >= sizeof cfg->ropts.by_dims / sizeof *cfg->ropts.by_dims)
                    return bad_value(o->name, a, "allowed: more than 8 --by dimensions");
                cfg->ropts.by_dims[cfg->ropts.n_by_dims++] = a;
            }
            cfg->ropts.compare_by = a;
            break;
        case O_BASELINE: cfg->ropts.baseline = a; break;
        case O_FAIL_ON_REGRESSION: cfg->ropts.fail_on_regression = true; break;
        case O_CUSTOM_KEYS: {
            xfree(cfg->custom_keys);
            cfg->custom_keys = xstrdup(a);
            cfg->kopts.n_custom_keys = 0;
            for (char *p = cfg->custom_keys, *e; p; p = e) {
                e = strchr(p, ',');
                if (e)
                    *e++ = '\0';
                if (!*p)
                    return bad_value(o->name, a, "a comma-separated list of keys (K1,K2)");
                if (cfg->kopts.n_custom_keys >= CS_KQL_MAX_LIST)
                    return bad_value(o->name, a, "allowed: more than 64 keys");
                cfg->kopts.custom_keys[cfg->kopts.n_custom_keys++] = p;
            }
            break;
        }
        case O_EVENTS_TABLE:
            if (strcmp(a, "customEvents") && strcmp(a, "AppEvents"))
                return bad_value(o->name, a, "customEvents or AppEvents");
            cfg->kopts.events_table = a;
            break;
        case O_APP: cfg->kopts.app = a; break;
        case O_PRINT_COLUMNS: cfg->print_columns = true; break;
        default: break;
        }
    }
    /* checks after the loop */
    if ((cfg->cmd & (CMD_INGEST | CMD_VALIDATE)) && cfg->n_inputs == 0 && cfg->n_calls == 0) {
        msg("error", "%s needs at least one INPUT (a file, a directory or -)",
            cfg->cmd_name);
        usage_line();
        return EXIT_USAGE;
    }
    if (cfg->ropts.has_week && (cfg->ropts.has_since || cfg->ropts.has_until)) {
        msg("error", "--week cannot be combined with --since/--until");
        usage_line();
        return EXIT_USAGE;
    }
    if (cfg->quiet && cfg->progress_given) {
        msg("error", "--quiet and --progress contradict each other: choose one");
        usage_line();
        return EXIT_USAGE;
    }
    if (cfg->keep_text && !cfg->key_file) {
        msg("error", "--keep-text only applies with --pseudonymize KEYFILE");
        usage_line();
        return EXIT_USAGE;
    }
    if ((cfg->cmd & (CMD_GENERATE | CMD_TEMPLATES)) && cfg->n_inputs > 0) {
        msg("error", "%s takes no INPUT ('%s')", cfg->cmd_name, cfg->inputs[0]);
        usage_line();
        return EXIT_USAGE;
    }
    return -1;
}

int
main(int argc, char **argv)
{
    /* Numbers are read and written in the C locale, whatever the user's. */
    setlocale(LC_ALL, "C");
    /* a pipe or file gets stdout in one block at the end, so that a failed
     * write is seen by our own flush, with its errno (--help outgrew
     * stdio's 4 KiB buffer, whose automatic flush loses it) */
    static char outbuf[1 << 16]; /* glibc ignores the size of a NULL buffer */
    if (!isatty(STDOUT_FILENO))
        setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
    cs_intr_install();
    /* cJSON allocates with the x-allocators too: a NULL from its malloc
     * would read as "not valid JSON" and reject a good record */
    cJSON_InitHooks(&(cJSON_Hooks){.malloc_fn = xmalloc, .free_fn = xfree});
    struct cs_config cfg = {.default_threshold = 2, .argc = argc, .argv = argv};
    cs_kql_opts_default(&cfg.kopts);
    cs_ingest_opts_default(&cfg.iopts);
    cs_report_opts_default(&cfg.ropts);
    gen_opts_default(&cfg.gopts);
    /* the report's "now": SOURCE_DATE_EPOCH makes outputs reproducible */
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    cfg.ropts.run_time_s = sde && *sde ? strtoll(sde, NULL, 10) : (int64_t)time(NULL);
    cfg.ropts.tool_version = "callsurvey " CS_VERSION;
    cfg.progress_tty = isatty(STDERR_FILENO);
    cfg.progress = cfg.progress_tty;
    int rc = parse_args(argc, argv, &cfg);
    g_quiet = cfg.quiet;
    g_validate = cfg.cmd == CMD_VALIDATE;
    cs_charts_set_size(cfg.chart_w, cfg.chart_h, cfg.chart_dpi);
    g_verbose = cfg.verbose;
    if (rc < 0 && cfg.key_file) {
        /* the key is read before any input: a bad key file costs nothing */
        struct cs_err err;
        cs_err_clear(&err);
        if (cs_privacy_load(cfg.key_file, cfg.keep_text, &cfg.privacy, &err) != CS_OK) {
            print_err(&err);
            if (err.code == CS_E_USAGE)
                usage_line();
            rc = exit_for(err.code);
        }
        cfg.ropts.privacy = cfg.privacy;
    }
    if (rc < 0) {
        if (cfg.n_custom) {
            for (size_t i = 0; i < cfg.n_custom; i++)
                push(&cfg.inputs, &cfg.n_inputs, cfg.custom[i]);
        }
        for (size_t i = 0; i < cfg.n_calls; i++)
            push(&cfg.inputs, &cfg.n_inputs, cfg.calls[i]);
        if (cfg.cmd & LOADING)
            rc = check_outputs(&cfg);
    }
    if (rc < 0) {
        switch (cfg.cmd) {
        case CMD_INGEST:
        case CMD_VALIDATE: rc = cmd_ingest(&cfg); break;
        case CMD_REPORT: rc = cmd_report(&cfg); break;
        case CMD_GENERATE: rc = cmd_generate(&cfg); break;
        case CMD_COMPARE: rc = cmd_compare(&cfg); break;
        case CMD_TEMPLATES: rc = cmd_templates(); break;
        case CMD_KQL: rc = cmd_kql(&cfg); break;
        default: rc = EXIT_USAGE;
        }
    }
    xfree(cfg.inputs);
    for (size_t i = 0; i < cfg.n_run_inputs; i++) {
        xfree(cfg.run_inputs[i].path);
        xfree(cfg.run_inputs[i].format);
    }
    xfree(cfg.run_inputs);
    xfree(cfg.custom);
    xfree(cfg.calls);
    xfree(cfg.params);
    xfree(cfg.filters_text);
    xfree(cfg.custom_keys);
    cs_privacy_free(&cfg.privacy);
#ifdef CS_SANITIZED
    /* release pango's font map so the leak checker sees only ours; release
     * builds leave the font caches to the exit (fontconfig's teardown
     * asserted there now and then: issue 16) */
    chart_cleanup();
#endif
    /* the accounting and the list of files written go to stdout: a failed
     * write (a full disk, /dev/full) must not pass for success */
    flush_stdout();
    int e = g_stdout_errno ? g_stdout_errno : ferror(stdout) ? EIO
                                                             : 0;
    if (e) {
        msg("error", "standard output: write failed: %s", strerror(e));
        if (rc != EXIT_USAGE)
            rc = EXIT_FAILED;
    }
    if (cs_intr_pending()) {
        if (!cfg.n_inputs_failed) /* else on_input named the input */
            msg("error", "interrupted by %s", cs_intr_name(cs_intr_pending()));
        cs_intr_exit();
    }
    return rc;
}
