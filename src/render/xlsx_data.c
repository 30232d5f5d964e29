/*
 * render/xlsx_data.c: the workbook sections read row by row from the store:
 * Data (one row per survey), Custom (the joined custom answers) and Data
 * Quality (checks, rejected records, unknown tags, orphan events).
 *
 * Data and Custom can hold millions of rows, so they are streamed: their
 * sheets stay in libxlsxwriter's constant-memory mode and rows go out
 * strictly in order, one callback of store/export.h or store/join.h at a
 * time.  A stream starts a continuation sheet ("Data (2)", ...) when a
 * sheet is full, closes each sheet with its Excel table once its last row
 * is known, and sets the column widths seen on it.  Data Quality is an
 * ordinary sheet: its lists are capped (CS_XLSX_MAX_LISTED), and its
 * counts of replaced and truncated cells are filled in at close, when the
 * whole workbook has been written.
 */
#include "render/xlsx_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctime.h"
#include "core/mem.h"
#include "ingest/answers.h"
#include "model/privacy.h"
#include "model/survey.h"
#include "render/json_split.h"
#include "render/xlsx_cells.h"
#include "render/xlsx_pipe.h"

/* ---- Streams ------------------------------------------------------------ */

struct xl_stream {
    struct cs_xlsx *x;
    struct xl_sheet *sh;     /* current sheet; NULL before the first */
    const char *base;        /* "Data" */
    const char *desc;        /* table-of-contents text of the first sheet */
    const char *const *cols; /* header names (borrowed) */
    size_t n_cols;
    char **names;    /* owned: cleaned header of the current sheet */
    lxw_row_t row;   /* last row written on the current sheet */
    uint64_t total;  /* data rows written on all sheets */
    size_t n_sheets; /* sheets of the stream */
};

static void
stream_sheet(struct xl_stream *s)
{
    struct cs_xlsx *x = s->x;
    char name[64], desc[640];
    s->n_sheets++;
    if (s->n_sheets == 1) {
        snprintf(name, sizeof name, "%s", s->base);
        snprintf(desc, sizeof desc, "%s", s->desc);
    } else {
        snprintf(name, sizeof name, "%s (%zu)", s->base, s->n_sheets);
        snprintf(desc, sizeof desc, "%s, continued: rows %llu and on", s->base,
                 (unsigned long long)s->total + 1);
    }
    s->sh = xl_sheet_add(x, name, true, desc);
    if (!s->sh)
        return;
    s->sh->first_row = (uint32_t)(s->total + 1);
    snprintf(s->sh->base, sizeof s->sh->base, "%s", s->base);
    s->names = xl_header(x, s->sh, 0, 0, s->cols, s->n_cols);
    worksheet_freeze_panes(s->sh->ws, 1, 0);
    /* the rows' cells written by render/xlsx_cells.h */
    if (!x->lib_cells && !x->lerr)
        s->sh->cells = xl_cells_begin(s->sh->ws, x->bodies);
    s->row = 0;
}

static void
stream_end_sheet(struct xl_stream *s)
{
    if (!s->sh)
        return;
    xl_cells_end(s->sh->cells);
    s->sh->cells = NULL;
    s->sh->last_row = (uint32_t)s->total;
    xl_table(s->x, s->sh, 0, 0, s->row, s->names, s->n_cols);
    xl_sheet_finish(s->x, s->sh);
    xl_names_free(s->names, s->n_cols);
    s->names = NULL;
}

/* The row to write next, starting a continuation sheet when needed. */
static lxw_row_t
stream_row(struct xl_stream *s)
{
    if (!s->sh || s->row + 1 >= s->x->rows_per_sheet) {
        stream_end_sheet(s);
        stream_sheet(s);
    }
    s->total++;
    return ++s->row;
}

static void
stream_begin(struct xl_stream *s)
{
    stream_sheet(s);
}

static void
stream_end(struct xl_stream *s)
{
    stream_end_sheet(s);
    if (s->sh && s->n_sheets == 1)
        s->sh->first_row = 0; /* not a continuation: nothing to say on About */
}

/* ---- Data ----------------------------------------------------------------- */

#define DATA_HEAD 12
static const char *const data_head[DATA_HEAD] = {
    "Survey id", "Time (UTC)", "Week", "Day", "Resource", "Resource id",
    "Call id", "Participant id", "Correlation id", "Operation", "Source", "Line"};
static const char *const data_rating[6] = {"score", "lower", "upper",
                                           "threshold", "poor", "issues"};

struct data_ctx {
    struct xl_stream st;
};

static cs_status
data_row(void *ctx, const struct cs_export_survey *r, struct cs_err *err)
{
    struct data_ctx *d = ctx;
    struct cs_xlsx *x = d->st.x;
    lxw_row_t row = stream_row(&d->st);
    struct xl_sheet *sh = d->st.sh;
    if (x->lerr || !sh)
        return xl_status(x, err);
    char wk[16];
    snprintf(wk, sizeof wk, "%d-W%02d", r->week / 100, r->week % 100);
    xl_id(x, sh, row, 0, r->survey_id);
    xl_time(x, sh, row, 1, r->time_us);
    xl_text(x, sh, row, 2, wk, SIZE_MAX, XF_NONE);
    xl_day(x, sh, row, 3, r->day);
    xl_text(x, sh, row, 4, r->resource, SIZE_MAX, XF_NONE);
    xl_text(x, sh, row, 5, r->resource_id, SIZE_MAX, XF_NONE);
    xl_id(x, sh, row, 6, r->call_id);
    xl_id(x, sh, row, 7, r->participant_id);
    xl_id(x, sh, row, 8, r->correlation_id);
    xl_text(x, sh, row, 9, r->operation, SIZE_MAX, XF_NONE);
    xl_text(x, sh, row, 10, r->source, SIZE_MAX, XF_NONE);
    if (r->has_line)
        xl_num(x, sh, row, 11, (double)r->line, XF_NONE);
    for (int c = 0; c < CS_CAT__COUNT; c++) {
        const struct cs_export_rating *rt = &r->rating[c];
        lxw_col_t k = (lxw_col_t)(DATA_HEAD + 6 * c);
        if (!rt->present)
            continue;
        xl_num(x, sh, row, k, rt->score, XF_NONE);
        xl_num(x, sh, row, k + 1, rt->lower, XF_NONE);
        xl_num(x, sh, row, k + 2, rt->upper, XF_NONE);
        xl_num(x, sh, row, k + 3, rt->threshold, XF_NONE);
        xl_num(x, sh, row, k + 4, rt->poor ? 1 : 0, XF_NONE);
        xl_text(x, sh, row, k + 5, rt->issues, SIZE_MAX, XF_NONE);
    }
    x->data_rows++;
    return xl_status(x, err);
}

cs_status
cs_xlsx_data(struct cs_xlsx *x, const struct cs_xlsx_input *in, struct cs_err *err)
{
    x->privacy = in->privacy;
    enum { NCOL = DATA_HEAD + 6 * CS_CAT__COUNT };
    char rating_names[6 * CS_CAT__COUNT][48];
    const char *cols[NCOL];
    for (size_t i = 0; i < DATA_HEAD; i++)
        cols[i] = data_head[i];
    for (int c = 0; c < CS_CAT__COUNT; c++)
        for (int k = 0; k < 6; k++) {
            snprintf(rating_names[6 * c + k], sizeof rating_names[0], "%s %s",
                     cs_category_title((enum cs_category)c), data_rating[k]);
            cols[DATA_HEAD + 6 * c + k] = rating_names[6 * c + k];
        }
    char desc[640];
    struct data_ctx d = {.st = {.x = x, .base = xl_sec_name(in, "Data"), .desc = xl_sec_desc(in, "One row per survey with every column, "
                                                                                                 "for pivoting (poor: 1 = poor, 0 = not).",
                                                                                             desc, sizeof desc),
                                .cols = cols,
                                .n_cols = NCOL}};
    stream_begin(&d.st);
    if (x->lerr) {
        xl_names_free(d.st.names, NCOL);
        return xl_status(x, err);
    }
    cs_status rc = in->rows->surveys(in->rows->ctx, data_row, &d, err);
    stream_end(&d.st);
    xl_names_free(d.st.names, NCOL);
    x->data_written = true;
    x->data_sheets = d.st.n_sheets;
    if (rc)
        return rc;
    return xl_status(x, err);
}

/* ---- Custom --------------------------------------------------------------- */

struct custom_ctx {
    struct xl_stream st;
    enum cs_merge kind;
    struct cs_custom_cols cols; /* the keys given a column (capped) */
    struct cs_custom_split sp;  /* the current row's answers */
};

static void
answer_cell(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r, lxw_col_t c,
            const struct cs_answer *a)
{
    switch (a->type) {
    case CS_ANSWER_NONE:
    case CS_ANSWER_NULL: break;
    case CS_ANSWER_NUMBER: xl_num(x, sh, r, c, a->num, XF_NONE); break;
    case CS_ANSWER_BOOL: xl_bool(x, sh, r, c, a->b); break;
    default: xl_text(x, sh, r, c, a->text, SIZE_MAX, XF_NONE); break;
    }
}

static cs_status
custom_row(void *ctx, const struct cs_join_row *r, struct cs_err *err)
{
    struct custom_ctx *cx = ctx;
    struct cs_xlsx *x = cx->st.x;
    lxw_row_t row = stream_row(&cx->st);
    struct xl_sheet *sh = cx->st.sh;
    if (x->lerr || !sh)
        return xl_status(x, err);
    lxw_col_t c = 0;
    if (cs_merge_has_left(cx->kind)) {
        if (r->has_left) {
            xl_id(x, sh, row, c, r->survey_id);
            xl_time(x, sh, row, c + 1, r->time_us);
            xl_text(x, sh, row, c + 2, r->resource, SIZE_MAX, XF_NONE);
            xl_id(x, sh, row, c + 3, r->call_id);
            xl_id(x, sh, row, c + 4, r->participant_id);
            for (int k = 0; k < 4; k++)
                if (r->has_score[k])
                    xl_num(x, sh, row, (lxw_col_t)(c + 5 + k), r->score[k], XF_NONE);
        }
        c += 9;
    }
    if (cs_merge_has_right(cx->kind) && r->has_right) {
        xl_id(x, sh, row, c, r->event_survey_id);
        if (r->has_event_time)
            xl_time(x, sh, row, c + 1, r->event_time_us);
        /* each member once, its column found through a hash of the keys:
         * an event can have thousands of keys; properties win over
         * measurements, the first of repeated members wins, and free text
         * is left out in privacy mode (counted) */
        uint64_t dropped = 0;
        cs_custom_split_row(&cx->cols, r->props, r->measurements, x->privacy, &dropped,
                            &cx->sp);
        x->n_text_dropped += dropped;
        for (size_t k = 0; k < cx->cols.n_keys; k++)
            answer_cell(x, sh, row, (lxw_col_t)(c + 2 + k), &cx->sp.vals[k]);
        if (cx->sp.other)
            xl_text(x, sh, row, (lxw_col_t)(c + 2 + cx->cols.n_keys), cx->sp.other, SIZE_MAX,
                    XF_NONE);
    }
    return xl_status(x, err);
}

cs_status
cs_xlsx_custom(struct cs_xlsx *x, const struct cs_xlsx_input *in, struct cs_err *err)
{
    x->privacy = in->privacy;
    struct custom_ctx cx = {.kind = (enum cs_merge)in->merge};
    if (in->merge < 0 || in->merge >= CS_MERGE__COUNT)
        return cs_fail(err, CS_E_USAGE, NULL, "unknown merge kind %d", in->merge);
    /* Excel has 16,384 columns: 11 go to the survey and event, one to 'other' */
    size_t cap = in->custom_columns ? in->custom_columns : CS_CUSTOM_COLUMNS;
    if (cap > LXW_COL_MAX - 12)
        cap = LXW_COL_MAX - 12;
    cs_status rc = in->rows->custom_cols(in->rows->ctx, cap, &cx.cols, err);
    if (rc)
        return rc;
    bool other = cx.cols.n_keys < cx.cols.n_all;
    size_t n = 0;
    const char **cols = xcalloc(12 + cx.cols.n_keys, sizeof *cols);
    if (cs_merge_has_left(cx.kind)) {
        static const char *const lh[] = {"Survey id", "Time (UTC)", "Resource", "Call id",
                                         "Participant id", "Overall score", "Audio score",
                                         "Video score", "Screen share score"};
        for (size_t i = 0; i < 9; i++)
            cols[n++] = lh[i];
    }
    if (cs_merge_has_right(cx.kind)) {
        cols[n++] = "Event survey id";
        cols[n++] = "Event time (UTC)";
        for (size_t k = 0; k < cx.cols.n_keys; k++)
            cols[n++] = cx.cols.keys[k];
        if (other)
            cols[n++] = "other";
    }
    /* The sheet lists answers: with leftouter and fullouter the surveys
     * without any answer (most of them, typically) are left out here, as
     * the description says; they are counted in About and Data Quality and
     * listed in the Data sheet (--data-sheet).  The rows are those of inner
     * and rightouter, in the same order. */
    enum cs_merge qk = cs_merge_listed(cx.kind);
    const char *omit = qk != cx.kind ? "; surveys without answers are not listed here"
                                     : "";
    char desc[240];
    if (other && cs_merge_has_right(cx.kind))
        snprintf(desc, sizeof desc,
                 "Custom answers joined to surveys (%s): a column for each of the %zu most "
                 "used of %llu keys, the others as JSON in 'other'%s",
                 cs_merge_name(cx.kind), cx.cols.n_keys, (unsigned long long)cx.cols.n_all,
                 omit);
    else if (cs_merge_has_right(cx.kind))
        snprintf(desc, sizeof desc,
                 "Custom answers joined to surveys (%s), one column per key%s",
                 cs_merge_name(cx.kind), omit);
    else
        snprintf(desc, sizeof desc, "Surveys the %s merge keeps (no answer columns)",
                 cs_merge_name(cx.kind));
    char desc2[640];
    cx.st = (struct xl_stream){.x = x, .base = xl_sec_name(in, "Custom"), .desc = xl_sec_desc(in, desc, desc2, sizeof desc2), .cols = cols, .n_cols = n};
    stream_begin(&cx.st);
    if (!x->lerr) {
        /* the rows written on a second thread while the join reads on
         * (render/xlsx_pipe.h); on this one when no thread starts */
        struct xl_pipe *pipe = xl_pipe_start(custom_row, &cx);
        if (pipe) {
            rc = in->rows->join(in->rows->ctx, qk, xl_pipe_push, pipe, err);
            struct cs_err werr = {0};
            cs_status wrc = xl_pipe_finish(pipe, &werr);
            if (rc == CS_OK && wrc != CS_OK) {
                rc = wrc;
                if (err)
                    *err = werr;
            }
        } else {
            rc = in->rows->join(in->rows->ctx, qk, custom_row, &cx, err);
        }
    }
    cs_custom_split_free(&cx.sp);
    stream_end(&cx.st);
    xl_names_free(cx.st.names, n);
    xfree(cols);
    cs_custom_cols_free(&cx.cols);
    if (rc)
        return rc;
    return xl_status(x, err);
}

/* ---- Data Quality --------------------------------------------------------- */

/* The lists start in column A, each below the one before with a heading
 * (issue 18: tables stacked, never side by side, so a printed page is one
 * table wide). */
#define DQ_REJ 0  /* Source, Line, Record, Reason, Raw */
#define DQ_UNK 0  /* Category, Tag, Responses */
#define DQ_ORPH 0 /* Survey id, Time, Answers, Measurements */
#define DQ_CONF 0 /* Survey id, Category, Time, Kept, Not kept, Source, Line */
#define DQ_UNM 0  /* Survey id, Call id, Participant id, Time, Join */
#define DQ_GAP 3  /* from a table's last row to the next header row */
#define DQ_RAW_CHARS 1024

struct dq_ctx {
    struct cs_xlsx *x;
    struct xl_sheet *sh;
    lxw_row_t row;
    uint64_t seen;
};

static cs_status
dq_reject(void *ctx, const struct cs_export_reject *r, struct cs_err *err)
{
    struct dq_ctx *d = ctx;
    struct cs_xlsx *x = d->x;
    lxw_row_t row = ++d->row;
    xl_text(x, d->sh, row, DQ_REJ, r->source, SIZE_MAX, XF_NONE);
    if (r->has_line)
        xl_num(x, d->sh, row, DQ_REJ + 1, (double)r->line, XF_NONE);
    xl_num(x, d->sh, row, DQ_REJ + 2, (double)r->record, XF_NONE);
    xl_text(x, d->sh, row, DQ_REJ + 3, r->reason, SIZE_MAX, XF_NONE);
    if (x->privacy)
        return xl_status(x, err); /* raw text holds ids: left out */
    /* the raw record, cut to a readable size (not an Excel truncation) */
    size_t chars;
    const char *t = xl_clean(x, r->raw, r->raw_len, XL_COUNT_REPLACED, DQ_RAW_CHARS, &chars);
    char *copy = xstrdup(t);
    xl_text(x, d->sh, row, DQ_REJ + 4, copy, SIZE_MAX, XF_NONE);
    xfree(copy);
    return xl_status(x, err);
}

static cs_status
dq_conflict(void *ctx, const struct cs_export_conflict *r, struct cs_err *err)
{
    struct dq_ctx *d = ctx;
    struct cs_xlsx *x = d->x;
    lxw_row_t row = ++d->row;
    xl_id(x, d->sh, row, DQ_CONF, r->survey_id);
    xl_text(x, d->sh, row, DQ_CONF + 1,
            r->cat >= 0 && r->cat < CS_CAT__COUNT ? cs_category_title((enum cs_category)r->cat)
                                                  : "",
            SIZE_MAX, XF_NONE);
    xl_text(x, d->sh, row, DQ_CONF + 2, r->time, SIZE_MAX, XF_NONE);
    xl_text(x, d->sh, row, DQ_CONF + 3, r->kept, SIZE_MAX, XF_NONE);
    xl_text(x, d->sh, row, DQ_CONF + 4, r->other, SIZE_MAX, XF_NONE);
    xl_text(x, d->sh, row, DQ_CONF + 5, r->source ? r->source : "", SIZE_MAX, XF_NONE);
    xl_num(x, d->sh, row, DQ_CONF + 6, (double)r->line, XF_NONE);
    return xl_status(x, err);
}

static cs_status
dq_orphan(void *ctx, const struct cs_join_row *r, struct cs_err *err)
{
    struct dq_ctx *d = ctx;
    struct cs_xlsx *x = d->x;
    if (!r->has_right || d->seen++ >= CS_XLSX_MAX_LISTED)
        return CS_OK;
    lxw_row_t row = ++d->row;
    xl_id(x, d->sh, row, DQ_ORPH, r->event_survey_id);
    if (r->has_event_time)
        xl_time(x, d->sh, row, DQ_ORPH + 1, r->event_time_us);
    const char *docs[2] = {r->props, r->measurements};
    for (int k = 0; k < 2; k++) {
        size_t dropped = 0;
        char *kept = cs_privacy_answers(x->privacy, docs[k], &dropped);
        x->n_text_dropped += dropped;
        xl_text(x, d->sh, row, (lxw_col_t)(DQ_ORPH + 2 + k), kept ? kept : docs[k], SIZE_MAX,
                XF_NONE);
        xfree(kept);
    }
    return xl_status(x, err);
}

struct unk {
    int cat;
    const char *name; /* borrowed from the model */
    uint64_t count;
};

static int
cmp_unk(const void *a, const void *b)
{
    const struct unk *x = a, *y = b;
    if (x->cat != y->cat)
        return x->cat - y->cat;
    return strcmp(x->name, y->name);
}

static void
check_row(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t *row, const char *what,
          uint64_t n, const char *meaning)
{
    (*row)++;
    xl_text(x, sh, *row, 0, what, SIZE_MAX, XF_NONE);
    xl_count(x, sh, *row, 1, n);
    xl_text(x, sh, *row, 2, meaning, SIZE_MAX, XF_NONE);
}

/* The unknown tags in the window, over all scales of a category, in the
 * DQ_UNK columns of sh, header at row h (heading above); returns the last
 * row. */
static lxw_row_t
dq_unknown_tags(struct cs_xlsx *x, struct xl_sheet *sh,
                const struct cs_report_model *m, lxw_row_t h)
{
    size_t n = 0, cap = 0;
    struct unk *u = NULL;
    for (size_t i = 0; i < m->n_groups; i++)
        for (size_t j = 0; j < m->groups[i].n_issues; j++) {
            const struct rep_issue *is = &m->groups[i].issues[j];
            if (is->known)
                continue;
            if (n == cap)
                u = xreallocarray(u, cap = cap ? 2 * cap : 16, sizeof *u);
            u[n++] = (struct unk){m->groups[i].cat, is->name, is->surveys};
        }
    if (n)
        qsort(u, n, sizeof *u, cmp_unk);
    static const char *const uh[] = {"Category", "Unknown tag", "Responses"};
    xl_title(x, sh, h - 1, 0, "Unknown tags in the window", XF_BOLD);
    char **names = xl_header(x, sh, h, DQ_UNK, uh, 3);
    lxw_row_t ur = h;
    for (size_t i = 0; i < n; i++) {
        if (ur > h && u[i].cat == u[i - 1].cat && strcmp(u[i].name, u[i - 1].name) == 0) {
            u[i].count += u[i - 1].count; /* same tag on another scale */
            ur--;
        }
        ur++;
        xl_text(x, sh, ur, DQ_UNK, cs_category_title((enum cs_category)u[i].cat), SIZE_MAX,
                XF_NONE);
        xl_text(x, sh, ur, DQ_UNK + 1, u[i].name, SIZE_MAX, XF_NONE);
        xl_count(x, sh, ur, DQ_UNK + 2, u[i].count);
    }
    xfree(u);
    xl_table(x, sh, h, DQ_UNK, ur, names, 3);
    xl_names_free(names, 3);
    return ur > h ? ur : h + 1;
}

/* The checks of the custom-answer join (Data Quality's first table). */
static void
dq_custom_checks(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t *rowp,
                 const struct cs_xlsx_input *in)
{
    char b[256];
    lxw_row_t row = *rowp;
    const struct cs_join_audit *a = in->audit;
    check_row(x, sh, &row, "Custom events in the window", a->events,
              "Custom-question events whose time is in the window.");
    check_row(x, sh, &row, "Surveys with custom answers", a->matched_surveys,
              "Surveys with at least one custom event.");
    check_row(x, sh, &row, "Surveys without custom answers", a->unanswered,
              "Surveys in the window that no custom event names.");
    check_row(x, sh, &row, "Orphan custom events", a->orphan_events,
              "Events whose survey id matches no survey in the window; listed "
              "below.");
    check_row(x, sh, &row, "Duplicate custom events", a->duplicate_events,
              "Events beyond the latest one for the same survey id.");
    size_t cap = in->custom_columns ? in->custom_columns : CS_CUSTOM_COLUMNS;
    if (cap > LXW_COL_MAX - 12)
        cap = LXW_COL_MAX - 12;
    if (a->keys > cap) {
        snprintf(b, sizeof b,
                 "Custom keys past the %zu most used (of %llu): their answers are in the "
                 "column 'other' of the Custom sheet and custom.csv, as JSON "
                 "(--custom-columns N).",
                 cap, (unsigned long long)a->keys);
        check_row(x, sh, &row, "Custom keys folded into 'other'", a->keys - cap, b);
    }
    *rowp = row;
}

static cs_status
dq_unmatched(void *ctx, const struct cs_call_unmatched *u, struct cs_err *err)
{
    struct dq_ctx *d = ctx;
    struct cs_xlsx *x = d->x;
    lxw_row_t row = ++d->row;
    xl_id(x, d->sh, row, DQ_UNM, u->survey_id);
    xl_id(x, d->sh, row, DQ_UNM + 1, u->call_id);
    xl_id(x, d->sh, row, DQ_UNM + 2, u->participant_id);
    xl_time(x, d->sh, row, DQ_UNM + 3, u->time_us);
    xl_text(x, d->sh, row, DQ_UNM + 4, u->ambiguous ? "ambiguous" : "unmatched", SIZE_MAX,
            XF_NONE);
    return xl_status(x, err);
}

/* Call summaries (--calls): the join's outcome (checks rows after *rowp),
 * or (table) its unmatched surveys with their header at row *rowp + DQ_GAP
 * (*rowp becomes their last row). */
static cs_status
dq_calls(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t *rowp,
         const struct cs_xlsx_input *in, bool table, struct cs_err *err)
{
    struct cs_call_join a;
    if (!in->rows)
        return CS_OK;
    cs_status rc = in->rows->calls_audit(in->rows->ctx, &a, err);
    if (rc != CS_OK || a.legs == 0)
        return rc;
    if (!table) {
        check_row(x, sh, rowp, "Surveys without a call leg", a.unmatched,
                  "Surveys whose call id and participant id match no ACSCallSummary leg "
                  "(--calls; all inputs): their release dimensions are 'unknown'.");
        check_row(x, sh, rowp, "Surveys with several possible legs", a.ambiguous,
                  "Surveys of a call whose legs carry no participant id, with more than one "
                  "ACS VoIP leg: not guessed, counted as 'unknown'.");
        return CS_OK;
    }
    static const char *const uh[] = {"Unjoined survey id", "Call id", "Participant id",
                                     "Survey time (UTC)", "Join"};
    lxw_row_t h = *rowp + DQ_GAP;
    xl_title(x, sh, h - 1, 0, "Surveys without a call leg", XF_BOLD);
    char **names = xl_header(x, sh, h, DQ_UNM, uh, 5);
    struct dq_ctx u = {.x = x, .sh = sh, .row = h};
    rc = in->rows->calls_unmatched(in->rows->ctx, CS_XLSX_MAX_LISTED, dq_unmatched, &u, err);
    xl_table(x, sh, h, DQ_UNM, u.row, names, 5);
    xl_names_free(names, 5);
    *rowp = u.row > h ? u.row : h + 1;
    return rc;
}

cs_status
cs_xlsx_data_quality(struct cs_xlsx *x, const struct cs_xlsx_input *in,
                     struct cs_err *err)
{
    x->privacy = in->privacy;
    const struct cs_report_model *m = in->m;
    char desc[640];
    struct xl_sheet *sh = xl_sheet_add(
        x, xl_sec_name(in, "Data Quality"), false,
        xl_sec_desc(in, "Rejected records, duplicates, unknown tags, orphan custom events, "
                        "cleaned cells.",
                    desc, sizeof desc));
    if (!sh)
        return xl_status(x, err);
    char b[256];

    /* checks */
    static const char *const ch[] = {"Check", "Count", "What it means"};
    char **names = xl_header(x, sh, 0, 0, ch, 3);
    lxw_row_t row = 0;
    check_row(x, sh, &row, "Surveys in the window", m->totals.surveys,
              "Surveys the report's figures are computed from.");
    snprintf(b, sizeof b,
             "Records that failed validation (all inputs); the first %u are listed "
             "below with their reason.",
             CS_XLSX_MAX_LISTED);
    check_row(x, sh, &row, "Rejected records", m->totals.rejected, b);
    check_row(x, sh, &row, "Duplicate records", m->totals.duplicates,
              "Records that added nothing new to a survey already stored (all inputs).");
    check_row(x, sh, &row, "Updated records", m->totals.updated,
              "Records that added or replaced a category of a stored survey (all inputs).");
    snprintf(b, sizeof b,
             "Records that rated a category at exactly the stored time (to 100 ns) with "
             "another content, decided by content (all inputs); the first %u are listed "
             "below with both versions.",
             CS_XLSX_MAX_LISTED);
    check_row(x, sh, &row, "Conflicting records", m->acct.db_surveys.conflicts, b);
    check_row(x, sh, &row, "Repeated custom events", m->acct.db_events.duplicates,
              "Custom events read again (the same survey, name, answers and millisecond, "
              "in any export form), stored once (all inputs).");
    check_row(x, sh, &row, "Unknown tags", m->totals.unknown_tags,
              "Issue tags not in the web SDK's list for their category, kept as given "
              "(all inputs); listed below for the window.");
    if (in->audit && in->audit->events)
        dq_custom_checks(x, sh, &row, in);
    cs_status crc = dq_calls(x, sh, &row, in, false, err);
    if (crc != CS_OK)
        return crc;
    check_row(x, sh, &row, "Text cells cleaned", 0,
              "Cells of this workbook whose text held invalid UTF-8 or control "
              "characters, shown as U+FFFD.");
    xl_late(x, sh, row, 1, XL_LATE_REPLACED);
    check_row(x, sh, &row, "Text cells truncated", 0,
              "Cells of this workbook cut at Excel's limit of 32,767 characters.");
    xl_late(x, sh, row, 1, XL_LATE_TRUNCATED);
    if (cs_privacy_drops_text(in->privacy)) {
        check_row(x, sh, &row, "Free-text answers left out", 0,
                  "Custom answers of this workbook that are text, not numbers: left out "
                  "in privacy mode (--pseudonymize without --keep-text).");
        xl_late(x, sh, row, 1, XL_LATE_TEXT_DROPPED);
    }
    xl_table(x, sh, 0, 0, row, names, 3);
    xl_names_free(names, 3);

    /* rejected records */
    const char *const rh[] = {"Source", "Line", "Record", "Reason",
                              in->privacy ? "Raw (left out: --pseudonymize)"
                                          : "Raw (first 1,024 characters)"};
    lxw_row_t h = row + DQ_GAP;
    xl_title(x, sh, h - 1, 0, "Rejected records", XF_BOLD);
    names = xl_header(x, sh, h, DQ_REJ, rh, 5);
    struct dq_ctx d = {.x = x, .sh = sh, .row = h};
    cs_status rc = CS_OK;
    if (in->rows)
        rc = in->rows->rejects(in->rows->ctx, CS_XLSX_MAX_LISTED, dq_reject, &d, err);
    xl_table(x, sh, h, DQ_REJ, d.row, names, 5);
    xl_names_free(names, 5);
    if (rc)
        return rc;
    row = d.row > h ? d.row : h + 1;

    row = dq_unknown_tags(x, sh, m, row + DQ_GAP);

    /* conflicts: both versions */
    static const char *const fh[] = {"Conflict survey id", "Category", "Time (UTC, 100 ns)",
                                     "Kept", "Not kept", "Conflict source", "Conflict line"};
    h = row + DQ_GAP;
    xl_title(x, sh, h - 1, 0, "Conflicting records", XF_BOLD);
    names = xl_header(x, sh, h, DQ_CONF, fh, 7);
    struct dq_ctx cf = {.x = x, .sh = sh, .row = h};
    if (in->rows)
        rc = in->rows->conflicts(in->rows->ctx, CS_XLSX_MAX_LISTED, dq_conflict, &cf, err);
    xl_table(x, sh, h, DQ_CONF, cf.row, names, 7);
    xl_names_free(names, 7);
    if (rc)
        return rc;
    row = cf.row > h ? cf.row : h + 1;

    /* orphan custom events */
    static const char *const oh[] = {"Orphan event survey id", "Event time (UTC)",
                                     "Answers", "Measurements"};
    h = row + DQ_GAP;
    xl_title(x, sh, h - 1, 0, "Orphan custom events", XF_BOLD);
    names = xl_header(x, sh, h, DQ_ORPH, oh, 4);
    struct dq_ctx o = {.x = x, .sh = sh, .row = h};
    if (in->rows && in->audit && in->audit->orphan_events)
        rc = in->rows->join(in->rows->ctx, CS_MERGE_RIGHTANTI, dq_orphan, &o, err);
    xl_table(x, sh, h, DQ_ORPH, o.row, names, 4);
    xl_names_free(names, 4);
    row = o.row > h ? o.row : h + 1;
    if (rc == CS_OK)
        rc = dq_calls(x, sh, &row, in, true, err);
    if (rc)
        return rc;
    /* lists of different columns follow the checks: no frozen header, no
     * header repeated on printed pages */
    sh->no_repeat = true;
    return xl_status(x, err);
}
