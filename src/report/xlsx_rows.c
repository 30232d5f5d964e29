/*
 * report/xlsx_rows.c: the workbook's row sources over the store's exports
 * (store/export.h, store/join.h).
 */
#include "report/xlsx_rows.h"

#include "store/call_legs.h"
#include "store/export.h"
#include "store/join.h"

static cs_status
surveys(void *ctx, cs_export_survey_cb cb, void *cb_ctx, struct cs_err *err)
{
    struct cs_xlsx_store_rows *s = ctx;
    return cs_export_surveys(s->store, s->filter, cb, cb_ctx, err);
}

static cs_status
rejects(void *ctx, uint64_t limit, cs_export_reject_cb cb, void *cb_ctx, struct cs_err *err)
{
    struct cs_xlsx_store_rows *s = ctx;
    return cs_export_rejects(s->store, limit, cb, cb_ctx, err);
}

static cs_status
conflicts(void *ctx, uint64_t limit, cs_export_conflict_cb cb, void *cb_ctx, struct cs_err *err)
{
    struct cs_xlsx_store_rows *s = ctx;
    return cs_export_conflicts(s->store, limit, cb, cb_ctx, err);
}

static cs_status
inputs(void *ctx, cs_export_input_cb cb, void *cb_ctx, struct cs_err *err)
{
    struct cs_xlsx_store_rows *s = ctx;
    return cs_export_inputs(s->store, cb, cb_ctx, err);
}

static cs_status
custom_cols(void *ctx, size_t cap, struct cs_custom_cols *c, struct cs_err *err)
{
    struct cs_xlsx_store_rows *s = ctx;
    return cs_custom_cols_load(s->store, s->filter, cap, c, err);
}

enum { N_READERS = 3 }; /* the sheet and the two others */

struct tee {
    enum cs_merge pass;
    size_t n;
    struct cs_xlsx_reader r[N_READERS];
};

static cs_status
tee_row(void *ctx, const struct cs_join_row *r, struct cs_err *err)
{
    const struct tee *t = ctx;
    cs_status rc = CS_OK;
    for (size_t i = 0; rc == CS_OK && i < t->n; i++)
        if (cs_merge_row_in(t->pass, t->r[i].kind, r->has_left, r->has_right))
            rc = t->r[i].cb(t->r[i].ctx, r, err);
    return rc;
}

static cs_status
join(void *ctx, enum cs_merge kind, cs_join_cb cb, void *cb_ctx, struct cs_err *err)
{
    struct cs_xlsx_store_rows *s = ctx;
    struct cs_xlsx_reader *a = s->also;
    if (s->also_used || (!a[0].cb && !a[1].cb))
        return cs_join_rows(s->store, s->filter, kind, cb, cb_ctx, err);
    s->also_used = true;
    struct tee t = {.pass = a[0].cb && kind == cs_merge_listed(a[0].kind) ? a[0].kind : kind};
    t.r[t.n++] = (struct cs_xlsx_reader){.cb = cb, .ctx = cb_ctx, .kind = kind};
    for (size_t i = 0; i < 2; i++)
        if (a[i].cb && cs_merge_within(t.pass, a[i].kind)) {
            a[i].done = true;
            t.r[t.n++] = a[i];
        }
    if (t.n == 1)
        return cs_join_rows(s->store, s->filter, kind, cb, cb_ctx, err);
    return cs_join_rows(s->store, s->filter, t.pass, tee_row, &t, err);
}

static cs_status
calls_audit(void *ctx, struct cs_call_join *a, struct cs_err *err)
{
    struct cs_xlsx_store_rows *s = ctx;
    return cs_calls_audit(s->store, a, err);
}

static cs_status
calls_unmatched(void *ctx, size_t max,
                cs_status (*fn)(void *fn_ctx, const struct cs_call_unmatched *u,
                                struct cs_err *err),
                void *fn_ctx, struct cs_err *err)
{
    struct cs_xlsx_store_rows *s = ctx;
    return cs_calls_unmatched(s->store, max, fn, fn_ctx, err);
}

void
cs_xlsx_rows_from_store(struct cs_xlsx_rows *rows, struct cs_xlsx_store_rows *src)
{
    *rows = (struct cs_xlsx_rows){.ctx = src,
                                  .surveys = surveys,
                                  .rejects = rejects,
                                  .conflicts = conflicts,
                                  .inputs = inputs,
                                  .custom_cols = custom_cols,
                                  .join = join,
                                  .calls_audit = calls_audit,
                                  .calls_unmatched = calls_unmatched};
}
