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

struct tee {
    cs_join_cb cb, also;
    void *cb_ctx, *also_ctx;
    bool all; /* every row is the asked kind's (else: those with an answer) */
};

static cs_status
tee_row(void *ctx, const struct cs_join_row *r, struct cs_err *err)
{
    const struct tee *t = ctx;
    cs_status rc = t->all || r->has_right ? t->cb(t->cb_ctx, r, err) : CS_OK;
    return rc == CS_OK ? t->also(t->also_ctx, r, err) : rc;
}

static cs_status
join(void *ctx, enum cs_merge kind, cs_join_cb cb, void *cb_ctx, struct cs_err *err)
{
    struct cs_xlsx_store_rows *s = ctx;
    if (!s->also || s->also_done || kind != cs_merge_listed(s->also_kind))
        return cs_join_rows(s->store, s->filter, kind, cb, cb_ctx, err);
    s->also_done = true;
    struct tee t = {.cb = cb, .also = s->also, .cb_ctx = cb_ctx, .also_ctx = s->also_ctx, .all = kind == s->also_kind};
    return cs_join_rows(s->store, s->filter, s->also_kind, tee_row, &t, err);
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
