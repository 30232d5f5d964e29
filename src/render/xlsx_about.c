/*
 * render/xlsx_about.c: the workbook's About sheet (written at close, so its
 * contents list every sheet) and the Inputs sheet (issue 18).
 *
 * About names the tool, the run, the window and filters, the accounting of
 * this run and of the database, and summarises the inputs in one row per
 * directory or file pattern: the hourly folders of a diagnostic-settings
 * export (.../y=2026/m=11/d=03/h=14/m=00/PT1H.json, hundreds of files) are
 * one row, with a star for each partition's value (xl_input_pattern), its
 * file count and the summed figures.  The full per-file list goes to the Inputs sheet, after
 * every other sheet.
 */
#include "render/xlsx_internal.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/ctime.h"
#include "core/mem.h"
#include "model/privacy.h"
#include "model/survey.h"

/* ---- Inputs --------------------------------------------------------------- */

/* One directory or file pattern of one format. */
struct xl_input_group {
    char *pattern; /* owned */
    char *format;  /* owned */
    uint64_t files, bytes, read, stored, duplicates, updated, conflicts, rejected, unknown_tags;
};

struct xl_inputs {
    struct xl_input_group *g; /* owned, in order of first appearance */
    size_t n, cap;
    size_t *slot; /* owned: open addressing over g, index + 1; 0 = empty */
    size_t mask;
    struct cs_xlsx *x;
    struct xl_sheet *sh;
    lxw_row_t row;
    struct cs_buf key;
};

static bool
all_digits(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* The pattern of an input path into b: a directory component "name=digits"
 * (Azure's partitions y=2026, m=11, d=03, h=14) becomes "name=*", an
 * all-digit directory "*", and in the file name every run of two or more
 * digits "*" (export-0001.json: export-*.json; PT1H.json stays). */
void
xl_input_pattern(const char *path, struct cs_buf *b)
{
    cs_buf_clear(b);
    cs_buf_add(b, "", 0);
    const char *p = path ? path : "";
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t n = slash ? (size_t)(slash - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        if (slash && eq && eq > p && all_digits(eq + 1, n - (size_t)(eq + 1 - p))) {
            cs_buf_add(b, p, (size_t)(eq + 1 - p));
            cs_buf_puts(b, "*");
        } else if (slash && all_digits(p, n))
            cs_buf_puts(b, "*");
        else if (slash)
            cs_buf_add(b, p, n);
        else
            for (size_t i = 0; i < n;) {
                size_t k = i;
                while (k < n && p[k] >= '0' && p[k] <= '9')
                    k++;
                if (k - i >= 2) {
                    cs_buf_puts(b, "*");
                    i = k;
                } else if (k > i) {
                    cs_buf_add(b, p + i, k - i);
                    i = k;
                } else
                    cs_buf_add(b, p + i++, 1);
            }
        if (!slash)
            break;
        cs_buf_puts(b, "/");
        p = slash + 1;
    }
}

static uint64_t
str_hash(const char *a, const char *b)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a over a, a NUL, and b */
    for (; *a; a++)
        h = (h ^ (unsigned char)*a) * 1099511628211u;
    h *= 1099511628211u;
    for (; *b; b++)
        h = (h ^ (unsigned char)*b) * 1099511628211u;
    return h;
}

static struct xl_input_group *
group_of(struct xl_inputs *in, const char *pattern, const char *format)
{
    if (2 * (in->n + 1) > in->mask + 1 || !in->slot) {
        size_t cap = in->slot ? 2 * (in->mask + 1) : 64;
        xfree(in->slot);
        in->slot = xcalloc(cap, sizeof *in->slot);
        in->mask = cap - 1;
        for (size_t i = 0; i < in->n; i++) {
            size_t s = str_hash(in->g[i].pattern, in->g[i].format) & in->mask;
            while (in->slot[s])
                s = (s + 1) & in->mask;
            in->slot[s] = i + 1;
        }
    }
    size_t s = str_hash(pattern, format) & in->mask;
    for (; in->slot[s]; s = (s + 1) & in->mask) {
        struct xl_input_group *g = &in->g[in->slot[s] - 1];
        if (strcmp(g->pattern, pattern) == 0 && strcmp(g->format, format) == 0)
            return g;
    }
    if (in->n == in->cap)
        in->g = xreallocarray(in->g, in->cap = in->cap ? 2 * in->cap : 16, sizeof *in->g);
    struct xl_input_group *g = &in->g[in->n++];
    memset(g, 0, sizeof *g);
    g->pattern = xstrdup(pattern);
    g->format = xstrdup(format);
    in->slot[s] = in->n;
    return g;
}

static const char *const input_cols[] = {"Source", "Format", "Bytes", "Read", "Stored",
                                         "Duplicates", "Updated", "Conflicts", "Rejected",
                                         "Unknown tags", "Status"};
#define N_INPUT_COLS (sizeof input_cols / sizeof *input_cols)

/* Columns 2.. of a row (bytes to unknown tags): a file or a group. */
static void
input_figures(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t row, lxw_col_t c,
              const uint64_t v[8])
{
    for (int i = 0; i < 8; i++)
        xl_count(x, sh, row, c + (lxw_col_t)i, v[i]);
}

static cs_status
input_row(void *ctx, const struct cs_export_input *r, struct cs_err *err)
{
    struct xl_inputs *in = ctx;
    struct cs_xlsx *x = in->x;
    lxw_row_t row = ++in->row;
    const char *format = r->format ? r->format : "";
    xl_text(x, in->sh, row, 0, r->source, SIZE_MAX, XF_NONE);
    xl_text(x, in->sh, row, 1, format, SIZE_MAX, XF_NONE);
    uint64_t v[8] = {r->bytes, r->read, r->stored, r->duplicates,
                     r->updated, r->conflicts, r->rejected, r->unknown_tags};
    input_figures(x, in->sh, row, 2, v);
    xl_text(x, in->sh, row, 10, r->status, SIZE_MAX, XF_NONE);
    xl_input_pattern(r->source, &in->key);
    struct xl_input_group *g = group_of(in, in->key.s ? in->key.s : "", format);
    g->files++;
    g->bytes += r->bytes;
    g->read += r->read;
    g->stored += r->stored;
    g->duplicates += r->duplicates;
    g->updated += r->updated;
    g->conflicts += r->conflicts;
    g->rejected += r->rejected;
    g->unknown_tags += r->unknown_tags;
    return xl_status(x, err);
}

cs_status
xl_inputs_sheet(struct cs_xlsx *x, const struct cs_xlsx_input *in, struct xl_inputs **out,
                struct cs_err *err)
{
    struct xl_inputs *s = xcalloc(1, sizeof *s);
    *out = s;
    s->x = x;
    if (!in->rows)
        return CS_OK;
    s->sh = xl_sheet_add(x, "Inputs", false,
                         "Every input file of the database, one row each, with its accounting");
    if (!s->sh)
        return xl_status(x, err);
    char **names = xl_header(x, s->sh, 0, 0, input_cols, N_INPUT_COLS);
    cs_status rc = in->rows->inputs(in->rows->ctx, input_row, s, err);
    xl_table(x, s->sh, 0, 0, s->row, names, N_INPUT_COLS);
    xl_names_free(names, N_INPUT_COLS);
    worksheet_freeze_panes(s->sh->ws, 1, 0);
    return rc ? rc : xl_status(x, err);
}

cs_status
xl_inputs_summary(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t *rowp,
                  const struct xl_inputs *in, struct cs_err *err)
{
    lxw_row_t row = *rowp;
    xl_title(x, sh, row++, 0, "Inputs (one row per directory or file pattern)", XF_BOLD);
    if (in->sh) {
        xl_text(x, sh, row, 0, "Every file, one row each:", SIZE_MAX, XF_NONE);
        xl_link(x, sh, row++, 1, in->sh);
    }
    static const char *const h[] = {"Directory or file pattern", "Format", "Files", "Bytes",
                                    "Read", "Stored", "Duplicates", "Updated", "Conflicts",
                                    "Rejected", "Unknown tags"};
    const size_t nh = sizeof h / sizeof *h;
    lxw_row_t r0 = row;
    char **names = xl_header(x, sh, r0, 0, h, nh);
    for (size_t i = 0; i < in->n; i++) {
        const struct xl_input_group *g = &in->g[i];
        lxw_row_t r = r0 + 1 + (lxw_row_t)i;
        xl_text(x, sh, r, 0, g->pattern, SIZE_MAX, XF_WRAP); /* paths run long */
        xl_text(x, sh, r, 1, g->format, SIZE_MAX, XF_NONE);
        xl_count(x, sh, r, 2, g->files);
        uint64_t v[8] = {g->bytes, g->read, g->stored, g->duplicates,
                         g->updated, g->conflicts, g->rejected, g->unknown_tags};
        input_figures(x, sh, r, 3, v);
    }
    xl_table(x, sh, r0, 0, r0 + (lxw_row_t)in->n, names, nh);
    xl_names_free(names, nh);
    *rowp = r0 + (lxw_row_t)(in->n ? in->n : 1) + 1;
    return xl_status(x, err);
}

void
xl_inputs_free(struct xl_inputs *in)
{
    if (!in)
        return;
    for (size_t i = 0; i < in->n; i++) {
        xfree(in->g[i].pattern);
        xfree(in->g[i].format);
    }
    xfree(in->g);
    xfree(in->slot);
    cs_buf_free(&in->key);
    xfree(in);
}

/* ---- About ---------------------------------------------------------------- */

cs_status
cs_xlsx_about(struct cs_xlsx *x, const struct cs_xlsx_input *in, struct cs_err *err)
{
    struct xl_sheet *sh = xl_sheet_add(
        x, "About", false, "What this workbook holds, its window, inputs and definitions");
    if (!sh)
        return xl_status(x, err);
    x->about_in = in;
    x->about_sheet = xl_sheet_index(x, sh);
    x->privacy = in->privacy;
    return CS_OK;
}

static void
fact_text(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t *row, const char *k,
          const char *v)
{
    xl_text(x, sh, *row, 0, k, SIZE_MAX, XF_BOLD);
    xl_text(x, sh, *row, 1, v, SIZE_MAX, XF_NONE);
    (*row)++;
}

static void
fact_count(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t *row, const char *k,
           uint64_t v)
{
    xl_text(x, sh, *row, 0, k, SIZE_MAX, XF_BOLD);
    xl_count(x, sh, *row, 1, v);
    (*row)++;
}

/* "read 5, stored 2, duplicates 1, updated 0, conflicts 0, rejected 2 (2 inputs)" */
static void
fact_acct(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t *row, const char *k,
          const struct cs_acct *a)
{
    char b[320];
    if (a->inputs == 0)
        snprintf(b, sizeof b, "no inputs");
    else
        snprintf(b, sizeof b,
                 "read %llu, stored %llu, duplicates %llu, updated %llu, conflicts %llu, "
                 "rejected %llu (%llu input%s)",
                 (unsigned long long)a->read, (unsigned long long)a->stored,
                 (unsigned long long)a->duplicates, (unsigned long long)a->updated,
                 (unsigned long long)a->conflicts, (unsigned long long)a->rejected,
                 (unsigned long long)a->inputs, a->inputs == 1 ? "" : "s");
    fact_text(x, sh, row, k, b);
}

static const char *const definitions[][2] = {
    {"Survey", "One SurveyId. Records with the same SurveyId are merged category by "
               "category; the later TimeGenerated wins where both rate a category."},
    {"Responses", "Surveys with a score for the category."},
    {"Scale", "The lower and upper bound and the poor threshold of a rating. A rating "
              "without them is on the default scale 1-5 with the run's default "
              "threshold. Figures are never pooled across scales."},
    {"Poor", "A score at or below the threshold of its scale."},
    {"Poor rate", "Poor responses divided by responses, with a 95% Wilson interval "
                  "(low and high columns)."},
    {"Mean, median, standard deviation",
     "Of the scores of one category and scale. The median of an even number of "
     "scores is the mean of the two middle ones. The standard deviation divides by "
     "n-1 and is empty below two responses. The mean's 95% interval is Student's t, cut at the ends of the scale."},
    {"Normalized mean", "The mean of (score - lower) / (upper - lower): where the "
                        "scores sit on their scale, from 0 (lowest) to 1 (highest). "
                        "Only normalized figures and poor rates are pooled across "
                        "scales, in rows labelled pooled normalized."},
    {"Share of surveys", "Responses (or surveys reporting an issue) divided by all "
                         "surveys in the window."},
    {"Issue shares", "Surveys reporting an issue tag divided by all surveys, by the "
                     "responses of the category, and by its poor responses."},
    {"Distribution", "Every whole score from the lower to the upper bound, zeros "
                     "included, plus any other score present; share is of the "
                     "responses. On a scale of more than 21 levels (0-100) the "
                     "category sheets list the scores given only."},
    {"Small sample", "Fewer responses than the minimum for judging (min n): read the "
                     "rates with care."},
    {"Trend bucket", "An ISO week (Monday 00:00 UTC) or a day (UTC). Partial: the "
                     "window does not cover the whole bucket."},
    {"Unknown tag", "An issue tag that is not in the web SDK's list for its "
                    "category: kept as given and counted on Data Quality."},
    {"Duplicate, updated record", "A record that added nothing new to its survey; a "
                                  "record that added or replaced a category."},
    {"Conflict", "A record that rates a category at exactly the time (to 100 ns) of the "
                 "stored rating, with another score, scale or issues. The version with "
                 "the lower score (then scale, then issues) is kept whatever the input "
                 "order; both are listed on Data Quality."},
    {"This run, database", "This run: the inputs this run loaded. Database: every "
                           "input the database holds, from all runs. Survey records "
                           "and custom events are counted apart: read = stored + "
                           "duplicates + updated + conflicts + rejected."},
    {"Custom answers", "Custom-question events joined to surveys by survey id with "
                       "the Workbooks merge kind shown; orphan events match no survey "
                       "in the window."},
    {"Empty cell", "A figure that the data leave undefined (a mean of nothing, a "
                   "deviation of one value): never written as 0."},
};

/* The About sheet's facts of the report window and its surveys. */
static void
about_window_facts(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t *rowp,
                   const struct cs_report_model *m)
{
    char b[512], t1[32], t2[32];
    lxw_row_t row = *rowp;
    fact_text(x, sh, &row, "Window from (inclusive)",
              m->filter.has_since ? cs_time_format(m->filter.since_us, t1)
                                  : "the first survey");
    fact_text(x, sh, &row, "Window until (exclusive)",
              m->filter.has_until ? cs_time_format(m->filter.until_us, t1)
                                  : "after the last survey");
    if (m->has_week)
        fact_text(x, sh, &row, "Week", m->week_label);
    fact_text(x, sh, &row, "First survey",
              m->totals.surveys ? cs_time_format(m->totals.first_us, t1) : "none");
    fact_text(x, sh, &row, "Last survey",
              m->totals.surveys ? cs_time_format(m->totals.last_us, t2) : "none");
    size_t n = 0;
    b[0] = '\0';
    for (size_t i = 0; i < m->filter.n_resources; i++)
        n += (size_t)snprintf(b + n, n < sizeof b ? sizeof b - n : 0, "%s%s",
                              i ? ", " : "", m->filter.resources[i]);
    fact_text(x, sh, &row, "Resources", m->filter.n_resources ? b : "all");
    *rowp = row;
}

/* The About sheet's table of definitions, from row on. */
static void
about_definitions(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t row)
{
    xl_title(x, sh, row++, 0, "Definitions", XF_BOLD);
    static const char *const dh[] = {"Term", "Definition"};
    lxw_row_t r0 = row;
    char **names = xl_header(x, sh, r0, 0, dh, 2);
    size_t nd = sizeof definitions / sizeof *definitions;
    for (size_t i = 0; i < nd; i++) {
        xl_text(x, sh, r0 + 1 + (lxw_row_t)i, 0, definitions[i][0], SIZE_MAX, XF_BOLD);
        xl_text(x, sh, r0 + 1 + (lxw_row_t)i, 1, definitions[i][1], SIZE_MAX, XF_WRAP);
    }
    xl_table(x, sh, r0, 0, r0 + (lxw_row_t)nd, names, 2);
    xl_names_free(names, 2);
}

cs_status
xl_about_write(struct cs_xlsx *x, struct cs_err *err)
{
    const struct cs_xlsx_input *in = x->about_in;
    const struct cs_report_model *m = in->m;
    struct xl_sheet *sh = x->sheets[x->about_sheet];
    char b[512], t1[32];
    lxw_row_t row = 0;
    const char *tool = in->tool_version ? in->tool_version : x->tool_version;
    int64_t run_s = in->run_time_s ? in->run_time_s : x->run_time_s;
    xl_title(x, sh, row++, 0, in->title ? in->title : "Call survey report", XF_TITLE);
    snprintf(b, sizeof b, "Written by %s at %s.", tool,
             cs_time_format(run_s * CS_US_PER_S, t1));
    xl_title(x, sh, row++, 0, b, XF_NONE);
    row++;

    /* the Inputs sheet first, so that the contents list it */
    struct xl_inputs *inputs = NULL;
    cs_status irc = xl_inputs_sheet(x, in, &inputs, err);
    if (irc) {
        xl_inputs_free(inputs);
        return irc;
    }

    /* contents */
    xl_title(x, sh, row++, 0, "Contents", XF_BOLD);
    for (size_t i = 0; i < x->n_sheets; i++) {
        xl_link(x, sh, row, 0, x->sheets[i]);
        xl_text(x, sh, row, 1, x->sheets[i]->desc, SIZE_MAX, XF_NONE);
        row++;
    }
    row++;

    /* facts */
    xl_title(x, sh, row++, 0, "Report", XF_BOLD);
    fact_text(x, sh, &row, "Tool", tool);
    fact_text(x, sh, &row, "Run time (UTC)", cs_time_format(run_s * CS_US_PER_S, t1));
    if (m)
        about_window_facts(x, sh, &row, m);
    fact_text(x, sh, &row, "Filters",
              in->filters_text && *in->filters_text ? in->filters_text : "none");
    fact_text(x, sh, &row, "Template",
              in->template_name && *in->template_name ? in->template_name : "none");
    if (m) {
        fact_text(x, sh, &row, "Trend buckets",
                  m->bucket == CS_BUCKET_DAY ? "days (UTC)" : "ISO weeks (Monday 00:00 UTC)");
        fact_count(x, sh, &row, "Minimum responses for judging (min n)", m->min_n);
        xl_text(x, sh, row, 0, "Default poor threshold", SIZE_MAX, XF_BOLD);
        xl_num(x, sh, row++, 1, m->default_threshold, XF_NONE);
        fact_count(x, sh, &row, "Surveys", m->totals.surveys);
        fact_count(x, sh, &row, "Calls", m->totals.calls);
        fact_count(x, sh, &row, "Participants", m->totals.participants);
        fact_acct(x, sh, &row, "This run: survey records", &m->acct.run_surveys);
        fact_acct(x, sh, &row, "This run: custom events", &m->acct.run_events);
        fact_acct(x, sh, &row, "Database (all runs): survey records", &m->acct.db_surveys);
        fact_acct(x, sh, &row, "Database (all runs): custom events", &m->acct.db_events);
        fact_count(x, sh, &row, "Unknown tags (survey records, all runs)",
                   m->acct.db_surveys.unknown_tags);
    }
    if (in->audit && in->audit->events) {
        snprintf(b, sizeof b,
                 "%s merge: %llu events, %llu surveys answered, %llu orphan events",
                 cs_merge_name((enum cs_merge)in->merge),
                 (unsigned long long)in->audit->events,
                 (unsigned long long)in->audit->matched_surveys,
                 (unsigned long long)in->audit->orphan_events);
        fact_text(x, sh, &row, "Custom answers", b);
    } else
        fact_text(x, sh, &row, "Custom answers", "none in the window");
    if (in->privacy) {
        char *d = cs_privacy_describe(in->privacy);
        fact_text(x, sh, &row, "Privacy", d);
        xfree(d);
        if (cs_privacy_drops_text(in->privacy)) {
            xl_text(x, sh, row, 0, "Free-text answers left out", SIZE_MAX, XF_BOLD);
            xl_late(x, sh, row++, 1, XL_LATE_TEXT_DROPPED);
        }
    } else {
        fact_text(x, sh, &row, "Privacy",
                  "ids and answers as stored (--pseudonymize KEYFILE replaces ids)");
    }
    xl_text(x, sh, row, 0, "Text cells cleaned (invalid UTF-8, control characters)",
            SIZE_MAX, XF_BOLD);
    xl_late(x, sh, row++, 1, XL_LATE_REPLACED);
    if (!x->data_written)
        fact_text(x, sh, &row, "Data", "not included in this workbook");
    else if (x->data_sheets <= 1)
        fact_text(x, sh, &row, "Data", "one row per survey on the Data sheet");
    else {
        snprintf(b, sizeof b,
                 "%llu surveys, more than one sheet holds (%u rows each): the Data sheet "
                 "continues on Data (2) to Data (%zu)",
                 (unsigned long long)x->data_rows, x->rows_per_sheet - 1, x->data_sheets);
        fact_text(x, sh, &row, "Data", b);
    }
    for (size_t i = 0; i < x->n_sheets; i++)
        if (x->sheets[i]->first_row > 1) {
            snprintf(b, sizeof b, "continues %s: rows %u to %u", x->sheets[i]->base,
                     x->sheets[i]->first_row, x->sheets[i]->last_row);
            fact_text(x, sh, &row, x->sheets[i]->name, b);
        }
    row++;

    /* inputs: one row per directory or file pattern; every file on Inputs */
    cs_status rc = xl_inputs_summary(x, sh, &row, inputs, err);
    xl_inputs_free(inputs);
    if (rc)
        return rc;
    row++;

    about_definitions(x, sh, row);
    /* the inputs and the definitions: no one header to repeat */
    sh->no_repeat = true;
    worksheet_activate(sh->ws);
    return xl_status(x, err);
}
