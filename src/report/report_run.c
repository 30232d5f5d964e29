/*
 * report/report_run.c: one `callsurvey report` run: the model and review
 * from one snapshot of the store, then each output the template's steps
 * ask for (charts, CSV tables, workbook sheets, query steps), summary.json
 * last, all in a staging directory moved into place at the end.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h> /* malloc_trim */
#endif

#include "core/buf.h"
#include "core/ctime.h"
#include "core/mem.h"
#include "core/outdir.h"
#include "model/survey.h"
#include "render/json.h"
#include "render/xlsx.h"
#include "report/breakdown.h"
#include "report/charts.h"
#include "report/charts_async.h"
#include "report/hist_notes.h"
#include "report/histograms_csv.h"
#include "report/html_report.h"
#include "report/pdf_report.h"
#include "report/model.h"
#include "report/report_int.h"
#include "report/review_build.h"
#include "report/template.h"
#include "report/xlsx_rows.h"
#include "store/hist_load.h"
#include "store/call_legs.h"
#include "store/join.h"
#include "store/query.h"
#include "store/runner.h"

/* Everything one run holds. */
struct audit_thread;

struct run {
    struct cs_store *store;
    const struct cs_report_opts *o;
    const struct cs_template *tmpl;
    const struct cs_template_params *params;
    struct cs_report_result *res;
    unsigned fmts;
    int kind; /* enum cs_merge */
    struct cs_model_opts mo;
    bool join_calls, join_held;           /* the calls join is this run's; held (run_beside) */
    bool audit_twin;                      /* the join audit runs on a twin of its own */
    bool keys_apart;                      /* ... but for its answer keys, counted in halves */
    struct cs_join_key_half *key_half[2]; /* owned: 0 counted here, 1 on the twin */
    struct audit_thread *at;              /* its thread, during run_beside */
    size_t n_stages;
    struct cs_report_model *m;
    struct cs_review *review;
    struct cs_cube by_res; /* the model's scan by resource, for the review */
    struct cs_cube wide;   /* the scan reaching back over the comparison periods */
    struct cs_join_audit audit;
    size_t max_cols;
    struct cs_outdir *od;
    const char *dir; /* the staging directory */
    struct cs_summary_doc *doc;
    struct cs_charts *charts;
    struct cs_charts_async *charts_q; /* the sections' charts, on a second thread */
    struct cs_xlsx *xl;
    struct cs_xlsx_store_rows xsrc;
    struct cs_xlsx_rows xrows;
    struct cs_xlsx_input xin;
    bool data_written, custom_written;
    struct cs_xlsx_stats xs;
    const char *dims[CS_BREAKDOWN_MAX]; /* report --by and breakdown steps */
    size_t n_dims;
    struct cs_breakdown_out bo; /* report --by DIM: release breakdowns */
    struct rep_hist hist;       /* report --histograms: what is not written */
    char *about;                /* owned: About's filters line from histograms */
    /* owned: report.html's answers, read with the Custom sheet's pass */
    struct cs_html_answers *html_answers;
    bool html_tried; /* a Custom sheet's pass was offered them */
};

/* Formats, filter and merge kind from the options. */
static cs_status
run_options(struct run *r, struct cs_err *err)
{
    const struct cs_report_opts *o = r->o;
    if (rep_parse_formats(o->formats, &r->fmts, err))
        return CS_E_USAGE;
    r->mo = (struct cs_model_opts){
        .filter = cs_report_opts_filter(o),
        .has_week = o->has_week,
        .week_start_us = o->week_start_us,
        .bucket = o->bucket_day ? CS_BUCKET_DAY : CS_BUCKET_WEEK,
        .min_n = o->min_n,
    };
    r->kind = cs_merge_parse(o->merge ? o->merge : "leftouter");
    if (r->kind < 0)
        return cs_fail(err, CS_E_USAGE, "--merge",
                       "unknown merge kind '%s' (innerunique, inner, leftouter, "
                       "rightouter, fullouter, leftsemi, rightsemi, leftanti, rightanti)",
                       o->merge);
    r->n_stages = (r->tmpl ? r->tmpl->n_steps : 0) + 4;
    r->hist.on = cs_store_is_hist(r->store);
    return CS_OK;
}

/* Is t on a boundary of bucket b (midnight UTC; a Monday's for weeks)? */
static bool
on_bucket(enum cs_bucket b, int64_t t)
{
    int64_t day = t / CS_US_PER_DAY - (t % CS_US_PER_DAY < 0);
    if (t != day * CS_US_PER_DAY)
        return false;
    /* 1970-01-05, day 4, was a Monday */
    return b == CS_BUCKET_DAY || ((day - 4) % 7 + 7) % 7 == 0;
}

/* A window with both ends on bucket boundaries (--week): one scan reaching
 * back over the review's comparison periods serves the model and both
 * sides (report/model.h, wide_out); off the boundaries a bucket would
 * straddle the window, and the window and the sides are scanned apart. */
static void
plan_wide_scan(struct run *r)
{
    const struct cs_filter *f = &r->mo.filter;
    const struct cs_report_opts *o = r->o;
    if (r->hist.on || !f->has_since || !f->has_until || o->vs == CS_VS_NONE ||
        !on_bucket(r->mo.bucket, f->since_us) || !on_bucket(r->mo.bucket, f->until_us))
        return;
    int64_t k = o->vs == CS_VS_POOLED ? (o->vs_periods ? o->vs_periods : 1) : 1, back;
    if (__builtin_mul_overflow(k, f->until_us - f->since_us, &back) ||
        __builtin_sub_overflow(f->since_us, back, &r->mo.wide_since_us))
        return;
    r->mo.wide_out = &r->wide;
}

/* The join audit on a twin of its own (the thread's), which first reads
 * the calls join's app values when the report makes the join
 * (cs_calls_app_read: 0.17 s at 1M surveys, read while this thread builds
 * the model). */
struct audit_thread {
    struct run *r;
    struct cs_store *twin; /* owned */
    cs_status rc;
    struct cs_err err;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool app_ready;            /* read (or failed: app_ok false) */
    bool app_ok;               /* app is the values */
    struct cs_app_latest *app; /* owned until the join takes it */
};

static void *
audit_main(void *arg)
{
    struct audit_thread *a = arg;
    if (a->r->join_calls) {
        struct cs_app_latest *app = NULL;
        struct cs_err e;
        bool ok = cs_calls_app_read(a->twin, &app, &e) == CS_OK; /* else read by the join */
        pthread_mutex_lock(&a->mu);
        a->app = app;
        a->app_ok = ok;
        a->app_ready = true;
        pthread_cond_signal(&a->cv);
        pthread_mutex_unlock(&a->mu);
    }
    a->rc = a->r->keys_apart
                ? cs_join_audit_events(a->twin, &a->r->mo.filter, &a->r->audit, &a->err)
                : cs_join_audit(a->twin, &a->r->mo.filter, &a->r->audit, &a->err);
    if (a->rc == CS_OK && a->r->keys_apart)
        a->rc = cs_join_key_half(a->twin, &a->r->mo.filter, 1, &a->r->key_half[1], &a->err);
    return NULL;
}

/* The calls join, held, with the app values the audit's thread read when
 * it reads them. */
static cs_status
join_calls_held(struct run *r, struct cs_err *err)
{
    struct audit_thread *a = r->audit_twin ? r->at : NULL;
    if (!a)
        return cs_calls_join_held(r->store, err);
    pthread_mutex_lock(&a->mu);
    while (!a->app_ready)
        pthread_cond_wait(&a->cv, &a->mu);
    struct cs_app_latest *app = a->app;
    bool ok = a->app_ok;
    a->app = NULL;
    pthread_mutex_unlock(&a->mu);
    return ok ? cs_calls_join_held_given(r->store, app, err) : cs_calls_join_held(r->store, err);
}

/* Beside the model's scans, on this thread: the calls join, when the
 * report makes it (held: the file stays as the twins read it), and the
 * join audit unless a second twin makes it; without the join, the first
 * half of the audit's answer keys (the twin's thread counts the second
 * after its merge audit: at 1M surveys 0.08 s whole, which kept this
 * thread busy 0.06 s after the twin's was done). */
static cs_status
run_side(void *ctx, struct cs_err *err)
{
    struct run *r = ctx;
    cs_status rc = CS_OK;
    if (r->join_calls) {
        rc = join_calls_held(r, err);
        r->join_held = rc == CS_OK;
    }
    if (rc == CS_OK && !r->audit_twin)
        rc = cs_join_audit(r->store, &r->mo.filter, &r->audit, err);
    if (rc == CS_OK && r->keys_apart)
        rc = cs_join_key_half(r->store, &r->mo.filter, 0, &r->key_half[0], err);
    return rc;
}

/* The model's scans (on a twin) beside the calls join (when the report
 * makes it) and the join audit (on a second twin when events are stored):
 * issue 22, at 1M surveys 1.0 s of scans, 0.9 s of join (one core idle
 * when the load made it) and 0.9 s of audit.  The join is committed once
 * the twins are closed; the audit's key passes, kept by its twin, go to
 * the store for the workbook's Custom sheet. */
static cs_status
run_beside(struct run *r, struct cs_err *err)
{
    struct audit_thread at = {.r = r};
    pthread_t th;
    pthread_mutex_init(&at.mu, NULL);
    pthread_cond_init(&at.cv, NULL);
    r->at = &at;
    /* the private store holds this run's events only: without any, the
     * audit reads nothing and needs no connection of its own */
    struct cs_input_summary ev;
    uint64_t n_ev_inputs;
    cs_store_run_totals(r->store, true, &ev, &n_ev_inputs);
    r->keys_apart = !r->join_calls; /* read by the thread */
    /* the audit reads the surveys' keys from the load's aggregate, kept
     * until the thread is done (at 1M surveys 0.15 s of SQLite rows) */
    r->audit_twin = ev.stored > 0 &&
                    cs_store_open_twin(r->store, &at.twin, &at.err) == CS_OK &&
                    (cs_store_lend_cube(r->store, at.twin),
                     pthread_create(&th, NULL, audit_main, &at) == 0);
    if (!r->audit_twin) /* the audit is this thread's, whole (no write while the thread reads) */
        r->keys_apart = false;
    cs_status rc;
    /* the model's scans: the report's window and, with --week, the wide
     * one, which starts a whole number of weeks before it */
    if (cs_query_cube_from_load(r->store, &r->mo.filter)) {
        /* the model from the load's aggregate (store/load_cube.h): a tenth
         * of a second at 1M surveys, here, while the audit starts */
        rc = cs_report_model_build(r->store, &r->mo, &r->m, err);
        if (rc == CS_OK)
            rc = run_side(r, err);
    } else { /* a window off midnight: the model scans */
        rc = cs_report_model_build_beside(r->store, &r->mo, &r->m, run_side, r, err);
    }
    if (r->audit_twin) {
        pthread_join(th, NULL);
        if (rc == CS_OK && at.rc != CS_OK) {
            *err = at.err;
            rc = at.rc;
        }
        if (rc == CS_OK)
            cs_store_take_memos(r->store, at.twin);
        if (rc == CS_OK && r->keys_apart)
            rc = cs_join_key_halves_keep(r->store, &r->mo.filter, r->key_half, &r->audit.keys, err);
    }
    for (int i = 0; i < 2; i++) {
        cs_join_key_half_free(r->key_half[i]);
        r->key_half[i] = NULL;
    }
    cs_store_close(&at.twin);
    /* the aggregate (45 MB at 1M surveys), lent to the twin, freed before
     * the workbook grows */
    cs_store_drop_cube(r->store);
    cs_calls_app_free(at.app); /* not taken: the join failed before */
    pthread_cond_destroy(&at.cv);
    pthread_mutex_destroy(&at.mu);
    r->at = NULL;
#ifdef __GLIBC__
    /* what the twins' threads freed stays in their malloc arenas, which the
     * workbook's allocations on this thread do not reuse: back to the
     * system (at 1M surveys the peak RSS was 40-50 MB higher without) */
    if (r->audit_twin)
        malloc_trim(0);
#endif
    if (r->join_held) {
        struct cs_err e2;
        cs_status rc2 = cs_calls_join_end(r->store, rc == CS_OK, &r->res->calls, &e2);
        r->res->calls_joined = rc2 == CS_OK && rc == CS_OK;
        r->join_held = false;
        if (rc == CS_OK && rc2 != CS_OK) {
            *err = e2;
            rc = rc2;
        }
    }
    return rc;
}

/* Does anything of this run read survey_leg, the calls join's rows?  The
 * release dimensions (report --by, the template's breakdown steps), the
 * template's queries (the surveys and calls views), and the audit of the
 * call summaries when any is stored.  Without them the join of a private
 * store (gone at the end of the run) is not made: at 1M surveys with
 * custom events its app values and rows were 0.3 s of the statistics
 * stage (issue 22); without call summaries its audit is zeros and the
 * list of unmatched surveys is not made, with or without its rows. */
static cs_status
join_wanted(const struct run *r, bool *want, struct cs_err *err)
{
    *want = true;
    if (r->n_dims > 0)
        return CS_OK;
    for (size_t i = 0; r->tmpl && i < r->tmpl->n_steps; i++)
        if (r->tmpl->steps[i].query)
            return CS_OK;
    return cs_calls_any(r->store, want, err);
}

/* The model and the join audit, from a snapshot begun here (ended by the
 * caller whatever happens once *began is set). */
static cs_status
run_model(struct run *r, bool *began, struct cs_err *err)
{
    const struct cs_report_opts *o = r->o;
    rep_stage(o, "statistics", 0, r->n_stages);
    double t0 = rep_now_s();
    /* one snapshot for every read of the report: statistics, template
     * steps and sheets agree although another run commits meanwhile */
    cs_status rc = o->data_sheet && !r->hist.on ? cs_store_spill_sorts(r->store, err) : CS_OK;
    if (rc)
        return rc;
    cs_store_load_over(r->store);
    /* the calls join writes: the snapshot begins after it (a private
     * store: no other run writes meanwhile) */
    r->join_calls = o->join_calls && !r->hist.on;
    /* report --by and breakdown steps: the release dimensions */
    r->n_dims = cs_breakdown_dims(r->tmpl, o->by_dims, o->n_by_dims, r->dims, CS_BREAKDOWN_MAX);
    if (r->join_calls && (rc = join_wanted(r, &r->join_calls, err)))
        return rc;
    if (!r->join_calls) {
        if ((rc = cs_store_read_begin(r->store, err)))
            return rc;
        *began = true;
    }
    rc = cs_query_check_resources(r->store, &r->mo.filter, err); /* a typo is an error */
    /* a window with both ends is the review's period: one scan for both;
     * without, the review's sides are cut from the scan by its slices */
    if ((r->mo.filter.has_since && r->mo.filter.has_until) || !r->hist.on)
        r->mo.by_resource_out = &r->by_res;
    plan_wide_scan(r);
    if (rc == CS_OK)
        rc = run_beside(r, err);
    if (rc == CS_OK && r->join_calls && (rc = cs_store_read_begin(r->store, err)) == CS_OK)
        *began = true;
    if (rc)
        return rc;
    if (r->audit.events == 0) { /* the audit skipped its scans */
        r->audit.surveys = r->m->totals.surveys;
        r->audit.unanswered = r->m->totals.surveys;
    }
    r->res->seconds_stats = rep_now_s() - t0;
    if (r->m->totals.surveys == 0)
        rep_push_note(r->res, "no surveys match the filters (%s%s%s)",
                      o->has_week ? "--week" : "",
                      o->has_since || o->has_until ? " --since/--until" : "",
                      o->n_resources ? " --resource" : "");
    if (rep_surf_of(r->fmts) && r->tmpl &&
        (rc = cs_report_check_chart_names(r->tmpl, r->m, NULL, err)))
        return rc;
    return CS_OK;
}

/* The staging directory and the review. */
static cs_status
run_review(struct run *r, struct cs_err *err)
{
    const struct cs_report_opts *o = r->o;
    /* every file goes to a staging directory inside out_dir, moved into
     * place only when all are written (core/outdir.h) */
    cs_status rc = cs_outdir_open(o->out_dir, &r->od, err);
    if (rc)
        return rc;
    r->dir = cs_outdir_stage(r->od);
    struct cs_review_opts rvo = {.dims = r->dims,
                                 .n_dims = r->n_dims,
                                 .filter = r->mo.filter,
                                 .data_first_us = r->m->totals.first_us,
                                 .data_last_us = r->m->totals.last_us,
                                 .vs = (enum cs_review_vs)o->vs,
                                 .vs_periods = o->vs_periods,
                                 .min_n = o->min_n,
                                 .min_effect_pts = o->min_effect,
                                 .bucket = r->m->bucket,
                                 .period_by_resource = r->mo.by_resource_out};
    if (r->wide.sliced) { /* the sides are cut from the wide scan */
        rvo.scanned = &r->wide;
        rvo.scanned_filter = r->mo.filter;
        rvo.scanned_filter.since_us = r->mo.wide_since_us;
    }
    struct cs_cube sides; /* the review's two sides per bucket, for the trend */
    rvo.trend_out = &sides;
    memset(&sides, 0, sizeof sides);
    rep_stage(o, "review", 1, r->n_stages);
    double t0 = rep_now_s();
    if (r->m->totals.surveys > 0 && (rc = cs_review_build(r->store, &rvo, &r->review, err))) {
        cs_cube_free(&sides);
        return rc;
    }
    r->m->review = r->review;
    r->m->scales_all = o->scales_all;
    /* the charts' trend reaches back over the comparison periods when they
     * lie before the window (--week W: the weeks before W), so the trend
     * shows both marked and is not a single point */
    const struct cs_review *rv = r->review;
    if (rv && rv->has_previous && rv->previous.since_us < r->m->window_start_us) {
        int64_t until = rv->period.until_us > r->m->window_end_us ? rv->period.until_us
                                                                  : r->m->window_end_us;
        if (until == rv->period.until_us) /* the sides cover it: no scan */
            cs_report_context_trend_cube(r->m, &sides, rv->previous.since_us, until);
        else
            rc = cs_report_context_trend(r->store, r->m, rv->previous.since_us, until, err);
    }
    cs_cube_free(&sides);
    r->res->seconds_review = rep_now_s() - t0;
    return rc;
}

/* summary.json's head, the charts, the built-in CSV tables, histograms.csv,
 * and the workbook's Review and About. */
static cs_status
run_open_outputs(struct run *r, struct cs_err *err)
{
    const struct cs_report_opts *o = r->o;
    struct cs_report_result *res = r->res;
    r->max_cols = o->custom_columns ? o->custom_columns : CS_CUSTOM_COLUMNS;
    if (r->hist.on)
        r->about = rep_hist_about(o->filters_text);
    struct cs_summary_head head = {.m = r->m, .run_info = o->run_info, .review = r->review, .audit = &r->audit, .merge = (enum cs_merge)r->kind, .max_cols = r->max_cols, .template_name = r->tmpl ? r->tmpl->name : NULL};
    r->doc = cs_summary_doc_new(&head);
    if (r->audit.keys > r->max_cols)
        rep_push_note(res, "%llu custom keys: the %zu most used have a column in custom.csv "
                           "and the Custom sheet, the other %llu are in the column 'other' "
                           "(--custom-columns N)",
                      (unsigned long long)r->audit.keys, r->max_cols,
                      (unsigned long long)(r->audit.keys - r->max_cols));
    char path[4096];
    cs_status rc;
    unsigned surf = rep_surf_of(r->fmts);
    /* report --by DIM: release breakdowns (report/breakdown.h) */
    r->bo = (struct cs_breakdown_out){.dir = r->dir, .dims = r->dims, .n_dims = r->n_dims, .top = o->top, .min_n = o->min_n, .csv = (r->fmts & F_CSV) != 0, .csv_bom = o->csv_excel, .png = (surf & CS_CHART_PNG) != 0, .filter = &r->mo.filter, .m = r->m, .on_file = rep_on_file, .ctx = res};
    if ((rc = cs_breakdowns_write(r->store, &r->bo, r->doc, err)))
        return rc;
    if (surf) { /* drawn on a second thread while the workbook is written (issue 22) */
        r->charts_q = cs_charts_async_new(rep_on_file, res);
        if ((rc = cs_charts_open(r->m, r->dir, surf, &o->chart_size, cs_charts_async_on_file,
                                 r->charts_q, &r->charts, err)))
            return rc;
        cs_charts_set_template(r->charts, r->tmpl, r->params);
        cs_charts_async_start(r->charts_q, r->charts);
    }
    if (r->charts) { /* what report.pdf shows beyond the model */
        struct cs_pdf_info pi = {.tool_version = o->tool_version, .filters_text = r->about ? r->about : o->filters_text, .has_custom = true, .custom_events = r->audit.events, .custom_matched_surveys = r->audit.matched_surveys, .custom_surveys = r->audit.surveys, .custom_keys = r->audit.keys, .custom_orphans = r->audit.orphan_events, .custom_duplicates = r->audit.duplicate_events};
        cs_charts_pdf_info(r->charts, &pi);
    }
    if ((r->fmts & F_CSV) && (rc = rep_write_csv_tables(r->m, r->dir, o->csv_excel, res, err)))
        return rc;
    if (r->fmts & F_HISTOGRAMS) { /* the `callsurvey kql` table, from the store */
        unsigned long repl = 0, neut = 0;
        snprintf(path, sizeof path, "%s/histograms.csv", o->out_dir);
        struct cs_hist_split sp = {.by = o->by_dims, .n_by = o->n_by_dims, .custom_keys = o->hist_custom_keys, .n_custom_keys = o->n_hist_custom_keys};
        rc = cs_histograms_write_csv(r->store, &r->mo.filter, r->mo.bucket, &sp, path, o->csv_excel,
                                     &repl, &neut, err);
        res->csv_cells_replaced += repl;
        res->csv_cells_neutralized += neut;
        if (rc)
            return rc;
        rep_push_file(res, path);
    }
    r->xsrc = (struct cs_xlsx_store_rows){.store = r->store, .filter = &r->mo.filter};
    cs_xlsx_rows_from_store(&r->xrows, &r->xsrc);
    r->xin = (struct cs_xlsx_input){
        .m = r->m, .rows = &r->xrows, .filter = &r->mo.filter, .merge = r->kind, .audit = r->audit.events > 0 ? &r->audit : NULL, .include_data = o->data_sheet, .tool_version = o->tool_version, .run_time_s = o->run_time_s, .template_name = r->tmpl ? r->tmpl->name : NULL, .filters_text = o->filters_text, .privacy = o->privacy, .custom_columns = r->max_cols};
    if (r->hist.on) { /* report --histograms: About says what is not there */
        r->xin.filters_text = r->about;
        r->xin.include_data = false;
    }
    if (r->fmts & F_XLSX) {
        double ts = rep_now_s();
        struct cs_xlsx_opts xo = {.tool_version = o->tool_version, .run_time_s = o->run_time_s};
        snprintf(path, sizeof path, "%s/report.xlsx", r->dir);
        rc = cs_xlsx_open(path, &xo, &r->xl, err);
        if (rc == CS_OK && r->review)
            rc = cs_xlsx_review(r->xl, r->review, err);
        if (rc == CS_OK)
            rc = cs_xlsx_about(r->xl, &r->xin, err);
        res->seconds_xlsx += rep_now_s() - ts;
        if (rc)
            return rc;
    }
    return CS_OK;
}

/* The workbook sheet of a section step (the template names and describes it). */
static cs_status
step_sheet(struct run *r, const struct cs_template_step *st, struct cs_err *err)
{
    struct cs_xlsx_input *xin = &r->xin;
    cs_status rc = CS_OK;
    double ts = rep_now_s();
    xin->sheet_name = st->sheet;
    xin->step_title = st->title;
    xin->step_note = st->note;
    xin->tables_only = !cs_render_is_chart(st->render);
    switch (st->section) {
    case CS_SECTION_SUMMARY: rc = cs_xlsx_summary(r->xl, xin, err); break;
    case CS_SECTION_DISTRIBUTION:
        rc = st->category >= 0 ? cs_xlsx_category(r->xl, xin, st->category, err)
                               : cs_xlsx_categories(r->xl, xin, err);
        break;
    case CS_SECTION_ISSUES: rc = cs_xlsx_issues(r->xl, xin, err); break;
    case CS_SECTION_TREND: rc = cs_xlsx_trend(r->xl, xin, err); break;
    case CS_SECTION_CUSTOM:
        if (xin->audit)
            rc = cs_xlsx_custom(r->xl, xin, err);
        break;
    case CS_SECTION_DATA_QUALITY: rc = cs_xlsx_data_quality(r->xl, xin, err); break;
    case CS_SECTION_DATA:
        rc = cs_xlsx_data(r->xl, xin, err);
        r->data_written = true;
        break;
    default: break;
    }
    xin->sheet_name = xin->step_title = xin->step_note = NULL;
    xin->tables_only = false;
    r->res->seconds_xlsx += rep_now_s() - ts;
    return rc;
}

/* A query step's cell for summary.json. */
static void
result_cell(void *ctx, size_t row, size_t col, struct cs_json_cell *out)
{
    const struct cs_cell *x = cs_result_cell(ctx, row, col);
    switch (x->type) {
    case CS_SQL_INT: *out = (struct cs_json_cell){.type = CS_JSON_NUMBER, .num = (double)x->i}; break;
    case CS_SQL_REAL: *out = (struct cs_json_cell){.type = CS_JSON_NUMBER, .num = x->r}; break;
    case CS_SQL_TEXT: *out = (struct cs_json_cell){.type = CS_JSON_TEXT, .text = x->t.s}; break;
    default: *out = (struct cs_json_cell){.type = CS_JSON_NULL}; break;
    }
}

/* A query step's result in summary.json (columns borrowed from r). */
static void
result_json(struct run *run, const struct cs_template_step *st, const struct cs_result *r)
{
    const char **cols = xcalloc(r->n_cols ? r->n_cols : 1, sizeof *cols);
    for (size_t c = 0; c < r->n_cols; c++)
        cols[c] = r->cols[c].name;
    struct cs_json_table t = {.columns = cols, .n_cols = r->n_cols, .n_rows = r->n_rows, .cell = result_cell, .ctx = (void *)(uintptr_t)r};
    cs_summary_doc_result(run->doc, st->title, cs_render_name(st->render), &t);
    xfree(cols);
}

/* A query step: summary.json, its CSV table, its chart and its sheet. */
static cs_status
step_query(struct run *run, size_t i, struct cs_err *err)
{
    const struct cs_template *tmpl = run->tmpl;
    const struct cs_template_step *st = &tmpl->steps[i];
    struct cs_report_result *res = run->res;
    struct cs_result *r = NULL;
    cs_status rc = cs_template_run_step(run->store, tmpl, i, run->params, 60000, &r, err);
    if (rc)
        return rc;
    result_json(run, st, r);
    char name[256], path[4096];
    cs_template_chart_name(st, -1, name, sizeof name);
    if (run->fmts & F_CSV) {
        char stem[300];
        rep_step_csv_stem(tmpl, i, stem, sizeof stem);
        snprintf(path, sizeof path, "%s/tables/%s.csv", run->dir, stem);
        if ((rc = rep_result_csv(r, path, run->o->csv_excel, res, err)) == CS_OK)
            rep_push_file(res, path);
    }
    long sc = -1;
    bool implied = false;
    if (rc == CS_OK && ((run->charts && name[0]) || run->xl)) {
        char where[300];
        snprintf(where, sizeof where, "%s:%u", tmpl->path, st->line);
        rc = cs_template_chart_series(st, where, r, &sc, &implied, err);
    }
    char msg[2048];
    if (rc == CS_OK && implied)
        rep_push_note(res, "%s", cs_template_series_note(st, r, sc, msg, sizeof msg));
    if (rc == CS_OK && run->charts && name[0])
        rc = cs_charts_result(run->charts, st, r, name, err);
    if (rc == CS_OK && run->xl) {
        double tx = rep_now_s();
        rc = cs_report_step_xlsx(run->xl, st, r, err);
        res->seconds_xlsx += rep_now_s() - tx;
    }
    cs_result_free(&r);
    return rc;
}

/* Before a Custom sheet: custom.csv (csv_custom: opened into *cc) and
 * report.html's answers (collected into r->html_answers) set to read the
 * sheet's pass over the join (report/xlsx_rows.h, also) instead of a pass
 * each; the caller sees afterwards which did. */
static cs_status
custom_readers(struct run *r, const struct cs_template_step *st, bool csv_custom,
               struct rep_custom_csv **cc, struct cs_err *err)
{
    *cc = NULL;
    memset(r->xsrc.also, 0, sizeof r->xsrc.also);
    r->xsrc.also_used = false;
    if (st->section != CS_SECTION_CUSTOM || !r->xin.audit)
        return CS_OK;
    if (csv_custom) {
        double tc = rep_now_s();
        cs_status rc = rep_custom_csv_open(r->store, &r->mo.filter, (enum cs_merge)r->kind,
                                           r->o->privacy, r->max_cols, r->o->csv_excel, r->dir,
                                           cc, err);
        r->res->seconds_csv += rep_now_s() - tc;
        if (rc)
            return rc;
        r->xsrc.also[0] = (struct cs_xlsx_reader){.cb = rep_custom_csv_row, .ctx = *cc, .kind = (enum cs_merge)r->kind};
    }
    if ((r->fmts & F_HTML) && !r->html_tried) { /* the first Custom sheet's pass only */
        r->html_tried = true;
        r->html_answers = cs_html_answers_new(r->o->privacy);
        r->xsrc.also[1] = (struct cs_xlsx_reader){.cb = cs_html_answers_row, .ctx = r->html_answers, .kind = CS_MERGE_INNER};
    }
    return CS_OK;
}

/* Template step i: its sheet, then its charts, table or query. */
static cs_status
run_step(struct run *r, size_t i, struct cs_err *err)
{
    const struct cs_template_step *st = &r->tmpl->steps[i];
    struct cs_report_result *res = r->res;
    rep_stage(r->o, st->title && st->title[0] ? st->title : "template step", 2 + i, r->n_stages);
    cs_status rc = CS_OK;
    if (rep_hist_skip(&r->hist, r->store, st, r->xl != NULL, (r->fmts & F_CSV) != 0, res)) {
        if (st->section != CS_SECTION_QUERY)
            cs_summary_doc_step(r->doc, st->title, cs_section_name(st->section));
        return CS_OK;
    }
    bool csv_custom = st->section == CS_SECTION_CUSTOM && (r->fmts & F_CSV) &&
                      r->audit.events > 0 && !r->custom_written;
    struct rep_custom_csv *cc = NULL;
    bool csv_read = false; /* custom.csv's rows came with the sheet's */
    if (r->xl && st->section != CS_SECTION_QUERY) {
        if ((rc = custom_readers(r, st, csv_custom, &cc, err)))
            return rc;
        rc = step_sheet(r, st, err);
        csv_read = r->xsrc.also[0].done;
        if (r->xsrc.also[1].cb && !r->xsrc.also[1].done) /* report.html reads its own */
            cs_html_answers_free(&r->html_answers);
        memset(r->xsrc.also, 0, sizeof r->xsrc.also);
        if (rc) {
            rep_custom_csv_close(&cc, false, res, NULL);
            return rc;
        }
    }
    double ts = rep_now_s();
    switch (st->section) {
    case CS_SECTION_DISTRIBUTION:
    case CS_SECTION_ISSUES:
    case CS_SECTION_TREND:
        if (r->charts && cs_render_is_chart(st->render)) /* render: table draws none */
            rc = cs_charts_async_section(r->charts_q,
                                         st->section == CS_SECTION_DISTRIBUTION ? CS_CHARTS_DISTRIBUTION
                                         : st->section == CS_SECTION_ISSUES     ? CS_CHARTS_ISSUES
                                                                                : CS_CHARTS_TREND,
                                         st->category, err);
        res->seconds_charts += rep_now_s() - ts;
        break;
    case CS_SECTION_CUSTOM:
        if (csv_custom) {
            /* the charts queued so far are listed before custom.csv */
            if (r->charts_q && (rc = cs_charts_async_wait(r->charts_q, err))) {
                rep_custom_csv_close(&cc, false, res, NULL);
                break;
            }
            if (cc && csv_read)
                rc = rep_custom_csv_close(&cc, true, res, err);
            else {
                rep_custom_csv_close(&cc, false, res, NULL);
                rc = rep_write_custom_csv(r->store, &r->mo.filter, (enum cs_merge)r->kind,
                                          r->o->privacy, r->max_cols, r->o->csv_excel, r->dir,
                                          res, err);
            }
            r->custom_written = true;
        }
        res->seconds_csv += rep_now_s() - ts;
        break;
    case CS_SECTION_COMPARE:
        rep_push_note(res, "step '%s': the compare section is written by `callsurvey compare`",
                      st->title);
        break;
    case CS_SECTION_QUERY: /* draws a chart and lists files: after the queued charts */
        if (!r->charts_q || (rc = cs_charts_async_wait(r->charts_q, err)) == CS_OK)
            rc = step_query(r, i, err);
        break;
    default: break;
    }
    if (st->section != CS_SECTION_QUERY)
        cs_summary_doc_step(r->doc, st->title, cs_section_name(st->section));
    return rc;
}

/* DIR/report.html (issue 19) */
static cs_status
write_html(struct run *r, struct cs_err *err)
{
    const struct cs_report_opts *o = r->o;
    char path[4096];
    snprintf(path, sizeof path, "%s/report.html", r->dir);
    struct cs_html_report_in in = {.store = r->store, .filter = &r->mo.filter, .m = r->m, .review = r->review, .privacy = o->privacy, .with_answers = r->audit.events > 0, .tool_version = o->tool_version, .run_time_s = o->run_time_s, .filters_text = r->about ? r->about : o->filters_text, .template_name = o->template_name, .run = o->run_info, .answers_read = r->html_answers};
    double ts = rep_now_s();
    cs_status rc = cs_html_report(&in, path, err);
    r->res->seconds_charts += rep_now_s() - ts;
    if (rc == CS_OK)
        rep_push_file(r->res, path);
    return rc;
}

/* Wait for the queued charts and close them (report.pdf): their files are
 * listed here, before report.html's and the workbook's. */
static cs_status
close_charts(struct run *r, struct cs_err *err)
{
    if (!r->charts)
        return CS_OK;
    cs_status rc = cs_charts_async_wait(r->charts_q, err);
    double ts = rep_now_s();
    int n_charts = 0;
    if (rc == CS_OK)
        rc = cs_charts_close(&r->charts, true, &n_charts, err);
    r->res->seconds_charts += rep_now_s() - ts + cs_charts_async_seconds(r->charts_q);
    struct cs_err e2;
    cs_status rc2 = cs_charts_async_end(&r->charts_q, &e2); /* report.pdf's path */
    return rc ? rc : rc2;
}

/* Close the charts, write report.html, and close the workbook (the Data
 * sheet when no step wrote it). */
static cs_status
run_close_outputs(struct run *r, struct cs_err *err)
{
    const struct cs_report_opts *o = r->o;
    struct cs_report_result *res = r->res;
    cs_status rc = CS_OK;
    if (r->xl && (rc = cs_breakdowns_xlsx(r->store, &r->bo, r->xl, err)))
        return rc;
    /* report.html draws charts itself: the queued ones first; else the
     * workbook is closed (zipped) while the queued charts are drawn */
    if ((r->fmts & F_HTML) && (rc = close_charts(r, err)))
        return rc;
    if ((r->fmts & F_HTML) && (rc = write_html(r, err)))
        return rc;
    if (r->xl && o->data_sheet && r->hist.on)
        rep_hist_no_data(&r->hist, res);
    if (r->xl) {
        rep_stage(o, o->data_sheet && !r->data_written ? "Data sheet and workbook" : "workbook",
                  r->n_stages - 2, r->n_stages);
        double ts = rep_now_s();
        if (o->data_sheet && !r->data_written && !r->hist.on)
            rc = cs_xlsx_data(r->xl, &r->xin, err);
        cs_xlsx_get_stats(r->xl, &r->xs);
        if (rc == CS_OK)
            rc = cs_xlsx_close(&r->xl, err);
        res->seconds_xlsx += rep_now_s() - ts;
        if (rc || (rc = close_charts(r, err)))
            return rc;
        char path[4096];
        snprintf(path, sizeof path, "%s/report.xlsx", r->dir);
        rep_push_file(res, path);
        if (r->xs.cells_replaced)
            rep_push_note(res, "report.xlsx: %llu text cells had invalid UTF-8 or control "
                               "characters, replaced (see Data Quality)",
                          (unsigned long long)r->xs.cells_replaced);
        if (r->xs.cells_truncated)
            rep_push_note(res, "report.xlsx: %llu text cells were longer than Excel's 32,767 "
                               "characters and were cut (see Data Quality)",
                          (unsigned long long)r->xs.cells_truncated);
    }
    if ((rc = close_charts(r, err)))
        return rc;
    if (res->csv_cells_replaced)
        rep_push_note(res, "tables/*.csv: %llu text cells had invalid UTF-8 or control "
                           "characters, replaced with U+FFFD",
                      (unsigned long long)res->csv_cells_replaced);
    return CS_OK;
}

/* summary.json last, so it can count what the other files changed. */
static cs_status
run_summary_json(struct run *r, struct cs_err *err)
{
    struct cs_report_result *res = r->res;
    if (!(r->fmts & F_JSON))
        return CS_OK;
    rep_stage(r->o, "summary.json", r->n_stages - 1, r->n_stages);
    double ts = rep_now_s();
    res->json_strings_replaced = cs_summary_doc_invalid_strings(r->doc);
    if (r->xs.text_dropped > res->text_dropped)
        res->text_dropped = r->xs.text_dropped; /* the same answers, when both */
    struct cs_text_cleaning tc = {.json_strings_replaced = res->json_strings_replaced,
                                  .csv_cells_replaced = res->csv_cells_replaced,
                                  .csv_cells_neutralized = res->csv_cells_neutralized,
                                  .xlsx_cells_replaced = r->xs.cells_replaced,
                                  .xlsx_cells_truncated = r->xs.cells_truncated};
    char path[4096];
    snprintf(path, sizeof path, "%s/summary.json", r->dir);
    cs_status rc = cs_summary_doc_write(r->doc, r->o->privacy, res->text_dropped, &tc, path, err);
    if (rc)
        return rc;
    rep_push_file(res, path);
    res->seconds_json = rep_now_s() - ts;
    if (res->json_strings_replaced)
        rep_push_note(res, "summary.json: %llu strings had invalid UTF-8, replaced with U+FFFD",
                      (unsigned long long)res->json_strings_replaced);
    return CS_OK;
}

/* Every output into the staging directory, then the directory into place
 * (or nothing left of it on failure). */
static cs_status
run_outputs(struct run *r, struct cs_err *err)
{
    cs_status rc = run_open_outputs(r, err);
    for (size_t i = 0; rc == CS_OK && r->tmpl && i < r->tmpl->n_steps; i++)
        rc = run_step(r, i, err);
    if (rc == CS_OK)
        rc = run_close_outputs(r, err);
    if (rc == CS_OK)
        rc = run_summary_json(r, err);
    if (r->xl)
        cs_xlsx_abort(&r->xl);
    if (r->charts_q) { /* stop drawing first */
        struct cs_err e3;
        cs_charts_async_end(&r->charts_q, &e3);
    }
    if (r->charts) {
        struct cs_err e2;
        cs_charts_close(&r->charts, false, NULL, &e2);
    }
    cs_summary_doc_free(&r->doc);
    if (rc == CS_OK) {
        /* the paths written, as they are once in place */
        char path[4096];
        for (size_t i = 0; i < r->res->n_files; i++) {
            cs_outdir_final(r->od, r->res->files[i], path, sizeof path);
            xfree(r->res->files[i]);
            r->res->files[i] = xstrdup(path);
        }
        rc = cs_outdir_commit(&r->od, err);
    } else {
        cs_outdir_fix_err(r->od, err);
    }
    cs_outdir_abort(&r->od);
    return rc;
}

/* The terminal text: the review (and its worse rows for
 * --fail-on-regression), the per-scale table, the custom answers' line. */
static void
run_terminal(struct run *r)
{
    struct cs_report_result *res = r->res;
    struct cs_buf t = {0};
    if (r->review) {
        char *rt = cs_review_text(r->review);
        cs_buf_printf(&t, "%s", rt);
        xfree(rt);
        struct cs_buf w = {0};
        for (size_t i = 0; i < r->review->n_rows; i++) {
            const struct cs_review_row *row = &r->review->rows[i];
            if (row->j.verdict != CS_VERDICT_WORSE)
                continue;
            char sc[96];
            cs_buf_printf(&w, "%s %s: poor rate %.1f%% against %.1f%% (%+.1f pt, Holm p %.4g)\n",
                          cs_category_title((enum cs_category)row->cat),
                          cs_scale_label(&row->scale, sc, sizeof sc), 100 * row->now.poor_rate,
                          100 * row->before.poor_rate, 100 * row->j.cmp.diff, row->j.p_holm);
            res->n_worse++;
        }
        res->worse_text = cs_buf_take(&w);
    }
    if (!r->review || r->o->full_table || r->o->scales_all)
        rep_terminal_table(r->m, &t);
    if (r->audit.events > 0) {
        char e[32], m[32], u[32], o[32], d[32];
        cs_buf_printf(&t,
                      "Custom answers (%s): %s events, %s surveys answered, %s without "
                      "answers, %s orphan events, %s duplicate events\n",
                      cs_merge_name((enum cs_merge)r->kind), cs_thousands(r->audit.events, e),
                      cs_thousands(r->audit.matched_surveys, m), cs_thousands(r->audit.unanswered, u),
                      cs_thousands(r->audit.orphan_events, o),
                      cs_thousands(r->audit.duplicate_events, d));
    }
    char *s = cs_buf_take(&t);
    res->terminal_text = s ? s : xstrdup("");
}

cs_status
cs_report_run(struct cs_store *store, const struct cs_report_opts *o,
              const struct cs_template *tmpl, const struct cs_template_params *params,
              struct cs_report_result *res, struct cs_err *err)
{
    memset(res, 0, sizeof *res);
    struct run r = {.store = store, .o = o, .tmpl = tmpl, .params = params, .res = res};
    cs_status rc = run_options(&r, err);
    if (rc)
        return rc;
    bool began = false;
    rc = run_model(&r, &began, err);
    if (rc == CS_OK)
        rc = run_review(&r, err);
    cs_store_drop_cube(store); /* kept only for the statistics (run_beside) */
    if (rc == CS_OK)
        rc = run_outputs(&r, err);
    if (rc == CS_OK)
        run_terminal(&r);
    if (began)
        cs_store_read_end(store);
    cs_review_free(&r.review);
    cs_cube_free(&r.by_res);
    cs_cube_free(&r.wide);
    cs_report_model_free(&r.m);
    xfree(r.about);
    cs_html_answers_free(&r.html_answers);
    if (rc)
        cs_report_result_free(res); /* nothing for the caller to free */
    return rc;
}
