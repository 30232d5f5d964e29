/*
 * main.c: the command line.  Options come from one table that also
 * generates --help (curl's approach), the getopt loop only records into
 * struct cs_config (cmd/cmd.h), conflicts are checked afterwards (OpenBSD
 * style), then the command's run function (src/cmd/) does the work and
 * main maps its result to the exit code.
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

#include "cmd/cmd.h"
#include "core/ctime.h"
#include "core/intr.h"
#include "core/mem.h"
#include "core/outdir.h"
#include "gen/gen.h"
#include "model/privacy.h"
#include "render/chart.h"
#include "render/csvout.h"
#include "render/json.h"
#include "report/pdf_report.h"

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
    O_HISTOGRAMS,
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
    {"histograms", no_argument, O_HISTOGRAMS, CMD_REPORT | CMD_COMPARE, NULL,
     "the INPUTs are histograms tables (`callsurvey kql` results as the portal's CSV, the REST "
     "API's {\"tables\"} JSON or `az monitor log-analytics query -o json`, or histograms.csv), "
     "added together"},
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
    {"custom-keys", required_argument, O_CUSTOM_KEYS, CMD_KQL | CMD_REPORT, "K1,K2",
     "also count each survey's latest answer to these custom-question keys (report: in --formats histograms)"},
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

/* ---- help ------------------------------------------------------------ */


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
            "\nEnvironment: SOURCE_DATE_EPOCH=SECONDS is the report's \"now\" (outputs then\n"
            "reproducible); CALLSURVEY_PARSERS=N parses JSON Lines on N threads, 1 to 8\n"
            "(default: one per core; ingest and report leave one to the thread storing).\n"
            "\nExamples:\n"
            "  callsurvey report -o out sample-data\n"
            "  callsurvey ingest --db surveys.db insights-logs-callsurvey/\n"
            "  callsurvey report --db surveys.db --week 2026-W47 -o week47\n"
            "  callsurvey validate --rejects bad.jsonl export.csv\n"
            "  callsurvey report --pseudonymize team.key -o shareable exports/\n"
            "  callsurvey generate --surveys 100000 --seed 7 -o /tmp/gen\n");
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
bad_value(struct cs_config *cfg, const char *opt, const char *val, const char *want)
{
    cs_cmd_msg(cfg, "error", "--%s: '%s' is not %s", opt, val, want);
    cs_cmd_usage_line();
    return EXIT_USAGE;
}

#define NOT_MINE (-2)

/* Options of every command, of loading, and the filters.
 * Returns -1 when done, NOT_MINE when o is another group's, else the exit code. */
static int
opt_common(struct cs_config *cfg, const struct opt *o, const char *a)
{
    switch (o->id) {
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
            return bad_value(cfg, o->name, a, "mdy or dmy");
        break;
    case O_DEFAULT_THRESHOLD:
        if (!parse_double(a, 0, 100, &cfg->default_threshold))
            return bad_value(cfg, o->name, a, "a number from 0 to 100");
        cfg->ropts.default_threshold = cfg->default_threshold;
        break;
    case O_EVENT_NAME: cfg->iopts.event_name = a; break;
    case O_ID_KEY: cfg->iopts.id_key = a; break;
    case O_CUSTOM: push(&cfg->custom, &cfg->n_custom, (char *)(uintptr_t)a); break;
    case O_CALLS: push(&cfg->calls, &cfg->n_calls, (char *)(uintptr_t)a); break;
    case O_TOP: {
        double v;
        if (!parse_double(a, 1, 1000, &v) || v != (double)(size_t)v)
            return bad_value(cfg, o->name, a, "a whole number from 1 to 1000");
        cfg->top = cfg->ropts.top = (size_t)v;
        break;
    }
    case O_PARAM: push(&cfg->params, &cfg->n_params, (char *)(uintptr_t)a); break;
    case O_MERGE: cfg->ropts.merge = a; break;
    case O_TEMPLATE: cfg->ropts.template_name = a; break;
    case O_SINCE:
        if (!parse_time_opt(a, &cfg->ropts.since_us))
            return bad_value(cfg, o->name, a, "an ISO 8601 time (2026-11-16 or 2026-11-16T08:00:00Z)");
        cfg->ropts.has_since = true;
        break;
    case O_UNTIL:
        if (!parse_time_opt(a, &cfg->ropts.until_us))
            return bad_value(cfg, o->name, a, "an ISO 8601 time (2026-11-16 or 2026-11-16T08:00:00Z)");
        cfg->ropts.has_until = true;
        break;
    case O_WEEK:
        if (!cs_week_parse(a, &cfg->ropts.week_start_us, &cfg->ropts.week_end_us))
            return bad_value(cfg, o->name, a, "an ISO week such as 2026-W47");
        cfg->ropts.has_week = true;
        cfg->week_text = a;
        break;
    case O_RESOURCE:
        if (cfg->ropts.n_resources >= CS_REPORT_MAX_RESOURCES)
            return bad_value(cfg, o->name, a, "allowed: too many --resource options");
        cfg->ropts.resources[cfg->ropts.n_resources++] = a;
        break;
    case O_FORMATS: cfg->ropts.formats = a; break;
    case O_DATA_SHEET: cfg->ropts.data_sheet = true; break;
    case O_PSEUDONYMIZE: cfg->key_file = a; break;
    case O_KEEP_TEXT: cfg->keep_text = true; break;
    case O_BUCKET:
        if (strcmp(a, "week") && strcmp(a, "day"))
            return bad_value(cfg, o->name, a, "week or day");
        cfg->ropts.bucket_day = strcmp(a, "day") == 0;
        break;
    default: return NOT_MINE;
    }
    return -1;
}

/* Outputs, sizes and the generator.
 * Returns -1 when done, NOT_MINE when o is another group's, else the exit code. */
static int
opt_output(struct cs_config *cfg, const struct opt *o, const char *a)
{
    switch (o->id) {
    case O_SIZE: {
        unsigned w, h;
        char end;
        if (sscanf(a, "%ux%u%c", &w, &h, &end) != 2 || w < 100 || h < 100 || w > 10000 ||
            h > 10000)
            return bad_value(cfg, o->name, a, "WIDTHxHEIGHT in pixels, 100..10000 each (1200x700)");
        cfg->ropts.chart_size.width_px = (int)w;
        cfg->ropts.chart_size.height_px = (int)h;
        break;
    }
    case O_CSV_EXCEL: cfg->ropts.csv_excel = true; break;
    case O_HISTOGRAMS: cfg->hist_inputs = true; break;
    case O_PAPER: {
        enum pdf_paper paper;
        if (!pdf_paper_parse(a, &paper))
            return bad_value(cfg, o->name, a, "a4 or letter");
        cfg->ropts.chart_size.paper = (int)paper;
        break;
    }
    case O_DPI: {
        uint64_t v;
        if (!parse_u64(a, &v) || v < 36 || v > 1200)
            return bad_value(cfg, o->name, a, "a whole number from 36 to 1200");
        cfg->ropts.chart_size.dpi = (int)v;
        break;
    }
    case O_CUSTOM_COLUMNS: {
        uint64_t v;
        if (!parse_u64(a, &v) || v < 1 || v > 16372)
            return bad_value(cfg, o->name, a, "a whole number from 1 to 16372");
        cfg->ropts.custom_columns = (size_t)v;
        break;
    }
    case O_QUERY_MEMORY:
        if (!parse_size(a, &cfg->ropts.query_memory) ||
            cfg->ropts.query_memory < (UINT64_C(1) << 20) ||
            cfg->ropts.query_memory > (UINT64_C(1) << 40))
            return bad_value(cfg, o->name, a, "a size from 1M to 1T, such as 512M or 4G");
        break;
    case O_MIN_N: {
        uint64_t v;
        if (!parse_u64(a, &v) || v > 1000000000)
            return bad_value(cfg, o->name, a, "a whole number");
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
            return bad_value(cfg, o->name, a, "a whole number from 1 to 100000000");
        cfg->have_surveys = true;
        break;
    case O_SEED:
        if (!parse_u64(a, &cfg->gopts.seed))
            return bad_value(cfg, o->name, a, "a whole number");
        break;
    case O_CUSTOM_SHARE:
        if (!parse_double(a, 0, 1, &cfg->gopts.custom_share))
            return bad_value(cfg, o->name, a, "a share from 0 to 1");
        break;
    case O_INVALID_SHARE:
        if (!parse_double(a, 0, 1, &cfg->gopts.invalid_share))
            return bad_value(cfg, o->name, a, "a share from 0 to 1");
        break;
    default: return NOT_MINE;
    }
    return -1;
}

/* Input forms, the review, compare and kql.
 * Returns -1 when done, NOT_MINE when o is another group's, else the exit code. */
static int
opt_compare(struct cs_config *cfg, const struct opt *o, const char *a)
{
    switch (o->id) {
    case O_IN_FORMAT: {
        int f = cs_input_format_parse(a);
        if (f < 0)
            return bad_value(cfg, o->name, a, "auto, jsonl, json or csv");
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
            return bad_value(cfg, o->name, a, "jsonl, csv or records");
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
            return bad_value(cfg, o->name, a, "none, jsonl or csv");
        break;
    case O_EVENTS_FORMAT:
        if (strcmp(a, "csv") == 0)
            cfg->gopts.events_format = GEN_EV_CSV;
        else if (strcmp(a, "jsonl") == 0)
            cfg->gopts.events_format = GEN_EV_JSONL;
        else
            return bad_value(cfg, o->name, a, "csv or jsonl");
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
            return bad_value(cfg, o->name, a, "previous, none, or a number of periods from 1 to 52");
        }
        break;
    }
    case O_MIN_EFFECT: {
        char *end;
        double v = strtod(a, &end);
        if (end == a || *end || !(v >= 0 && v <= 100))
            return bad_value(cfg, o->name, a, "percentage points from 0 to 100 (e.g. 1.5)");
        cfg->ropts.min_effect = v;
        break;
    }
    case O_SCALES:
        if (strcmp(a, "all") == 0)
            cfg->ropts.scales_all = true;
        else if (strcmp(a, "primary") == 0)
            cfg->ropts.scales_all = false;
        else
            return bad_value(cfg, o->name, a, "primary or all");
        break;
    case O_BY:
        if (cfg->cmd == CMD_KQL) {
            if (cfg->kopts.n_by >= CS_KQL_MAX_BY)
                return bad_value(cfg, o->name, a, "allowed: more than 10 --by dimensions");
            cfg->kopts.by[cfg->kopts.n_by++] = a;
        }
        if (cfg->cmd == CMD_REPORT) {
            if (cfg->ropts.n_by_dims >= sizeof cfg->ropts.by_dims / sizeof *cfg->ropts.by_dims)
                return bad_value(cfg, o->name, a, "allowed: more than 8 --by dimensions");
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
                return bad_value(cfg, o->name, a, "a comma-separated list of keys (K1,K2)");
            if (cfg->kopts.n_custom_keys >= CS_KQL_MAX_LIST)
                return bad_value(cfg, o->name, a, "allowed: more than 64 keys");
            cfg->kopts.custom_keys[cfg->kopts.n_custom_keys++] = p;
        }
        break;
    }
    case O_EVENTS_TABLE:
        if (strcmp(a, "customEvents") && strcmp(a, "AppEvents"))
            return bad_value(cfg, o->name, a, "customEvents or AppEvents");
        cfg->kopts.events_table = a;
        break;
    case O_APP: cfg->kopts.app = a; break;
    case O_PRINT_COLUMNS: cfg->print_columns = true; break;
    default: return NOT_MINE;
    }
    return -1;
}

/* The command (or --help, --version): -1 to go on, else the exit code. */
static int
parse_command(int argc, char **argv, struct cs_config *cfg)
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
        cs_cmd_msg(cfg, "error", "unknown command '%s'", c);
        cs_cmd_usage_line();
        return EXIT_USAGE;
    }
    return -1;
}

/* The options and inputs after the command: -1 to go on, else the exit code. */
static int
parse_options(int argc, char **argv, struct cs_config *cfg)
{
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
                cs_cmd_msg(cfg, "error", "%s: unknown option '-%c' or missing value", cfg->cmd_name,
                           optopt);
            else
                cs_cmd_msg(cfg, "error", "%s: unknown option '%s' or missing value", cfg->cmd_name,
                           argv[optind - 1]);
            cs_cmd_usage_line();
            return EXIT_USAGE;
        }
        if (!(o->cmds & cfg->cmd)) {
            cs_cmd_msg(cfg, "error", "%s does not take --%s", cfg->cmd_name, o->name);
            cs_cmd_usage_line();
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
        int rc = opt_common(cfg, o, a);
        if (rc == NOT_MINE)
            rc = opt_output(cfg, o, a);
        if (rc == NOT_MINE)
            rc = opt_compare(cfg, o, a);
        if (rc >= 0)
            return rc;
    }
    return -1;
}

/* Conflicts between options, checked after all were read. */
static int
check_options(struct cs_config *cfg)
{
    /* checks after the loop */
    if ((cfg->cmd & (CMD_INGEST | CMD_VALIDATE)) && cfg->n_inputs == 0 && cfg->n_calls == 0) {
        cs_cmd_msg(cfg, "error", "%s needs at least one INPUT (a file, a directory or -)",
                   cfg->cmd_name);
        cs_cmd_usage_line();
        return EXIT_USAGE;
    }
    if (cfg->ropts.has_week && (cfg->ropts.has_since || cfg->ropts.has_until)) {
        cs_cmd_msg(cfg, "error", "--week cannot be combined with --since/--until");
        cs_cmd_usage_line();
        return EXIT_USAGE;
    }
    if (cfg->quiet && cfg->progress_given) {
        cs_cmd_msg(cfg, "error", "--quiet and --progress contradict each other: choose one");
        cs_cmd_usage_line();
        return EXIT_USAGE;
    }
    if (cfg->keep_text && !cfg->key_file) {
        cs_cmd_msg(cfg, "error", "--keep-text only applies with --pseudonymize KEYFILE");
        cs_cmd_usage_line();
        return EXIT_USAGE;
    }
    int hrc = cfg->hist_inputs ? cs_cmd_check_hist_options(cfg) : -1;
    if (hrc >= 0)
        return hrc;
    if ((cfg->cmd & (CMD_GENERATE | CMD_TEMPLATES)) && cfg->n_inputs > 0) {
        cs_cmd_msg(cfg, "error", "%s takes no INPUT ('%s')", cfg->cmd_name, cfg->inputs[0]);
        cs_cmd_usage_line();
        return EXIT_USAGE;
    }
    return -1;
}

/* Returns -1 to go on, or an exit code. */
static int
parse_args(int argc, char **argv, struct cs_config *cfg)
{
    int rc = parse_command(argc, argv, cfg);
    if (rc < 0)
        rc = parse_options(argc, argv, cfg);
    if (rc < 0)
        rc = check_options(cfg);
    return rc;
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
    /* the JSON library allocates with the x-allocators too: a NULL from its malloc
     * would read as "not valid JSON" and reject a good record */
    cs_json_use_xalloc();
    struct cs_config config = {.default_threshold = 2, .argc = argc, .argv = argv};
    struct cs_config *cfg = &config;
    cs_kql_opts_default(&cfg->kopts);
    cs_ingest_opts_default(&cfg->iopts);
    /* JSON Lines parsed on every core (but a store thread's); the
     * environment may say how many threads, as told (1: one) */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    cfg->iopts.parsers = cpus > 1 ? (int)cpus : 1;
    const char *pe = getenv("CALLSURVEY_PARSERS");
    if (pe && *pe) {
        char *end;
        long n = strtol(pe, &end, 10);
        if (*end || n < 1 || n > CS_INGEST_PARSERS_MAX) {
            fprintf(stderr, "callsurvey: error: CALLSURVEY_PARSERS=%s: expected a number of "
                            "threads, 1 to %d\n",
                    pe, CS_INGEST_PARSERS_MAX);
            return EXIT_USAGE;
        }
        cfg->iopts.parsers = (int)n;
        cfg->parsers_exact = true;
    }
    cs_report_opts_default(&cfg->ropts);
    gen_opts_default(&cfg->gopts);
    /* the report's "now": SOURCE_DATE_EPOCH makes outputs reproducible */
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    cfg->ropts.run_time_s = sde && *sde ? strtoll(sde, NULL, 10) : (int64_t)time(NULL);
    cfg->ropts.tool_version = "callsurvey " CS_VERSION;
    cfg->progress_tty = isatty(STDERR_FILENO);
    cfg->progress = cfg->progress_tty;
    int rc = parse_args(argc, argv, cfg);
    if (rc < 0 && cfg->key_file) {
        /* the key is read before any input: a bad key file costs nothing */
        struct cs_err err;
        cs_err_clear(&err);
        if (cs_privacy_load(cfg->key_file, cfg->keep_text, &cfg->privacy, &err) != CS_OK) {
            cs_cmd_err(cfg, &err);
            if (err.code == CS_E_USAGE)
                cs_cmd_usage_line();
            rc = cs_cmd_exit_for(err.code);
        }
        cfg->ropts.privacy = cfg->privacy;
    }
    if (rc < 0) {
        if (cfg->n_custom) {
            for (size_t i = 0; i < cfg->n_custom; i++)
                push(&cfg->inputs, &cfg->n_inputs, cfg->custom[i]);
        }
        for (size_t i = 0; i < cfg->n_calls; i++)
            push(&cfg->inputs, &cfg->n_inputs, cfg->calls[i]);
        if (cfg->cmd & LOADING)
            rc = cs_cmd_check_outputs(cfg);
    }
    if (rc < 0) {
        switch (cfg->cmd) {
        case CMD_INGEST:
        case CMD_VALIDATE: rc = cs_cmd_ingest(cfg); break;
        case CMD_REPORT: rc = cs_cmd_report(cfg); break;
        case CMD_GENERATE: rc = cs_cmd_generate(cfg); break;
        case CMD_COMPARE: rc = cs_cmd_compare(cfg); break;
        case CMD_TEMPLATES: rc = cs_cmd_templates(cfg); break;
        case CMD_KQL: rc = cs_cmd_kql(cfg); break;
        default: rc = EXIT_USAGE;
        }
    }
    xfree(cfg->inputs);
    for (size_t i = 0; i < cfg->n_run_inputs; i++) {
        xfree(cfg->run_inputs[i].path);
        xfree(cfg->run_inputs[i].format);
    }
    xfree(cfg->run_inputs);
    xfree(cfg->custom);
    xfree(cfg->calls);
    xfree(cfg->params);
    xfree(cfg->filters_text);
    xfree(cfg->custom_keys);
    cs_privacy_free(&cfg->privacy);
#ifdef CS_SANITIZED
    /* release pango's font map so the leak checker sees only ours; release
     * builds leave the font caches to the exit (fontconfig's teardown
     * asserted there now and then: issue 16) */
    chart_cleanup();
#endif
    /* the accounting and the list of files written go to stdout: a failed
     * write (a full disk, /dev/full) must not pass for success */
    cs_cmd_flush_stdout(cfg);
    int e = cfg->stdout_errno ? cfg->stdout_errno : ferror(stdout) ? EIO
                                                                   : 0;
    if (e) {
        cs_cmd_msg(cfg, "error", "standard output: write failed: %s", strerror(e));
        if (rc != EXIT_USAGE)
            rc = EXIT_FAILED;
    }
    if (cs_intr_pending()) {
        if (!cfg->n_inputs_failed) /* else on_input named the input */
            cs_cmd_msg(cfg, "error", "interrupted by %s", cs_intr_name(cs_intr_pending()));
        cs_intr_exit();
    }
    return rc;
}
