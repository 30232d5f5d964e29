/*
 * render/json_summary.c: summary.json assembled as the report runs (the
 * model first, the template's steps in order, the text-cleaning counts
 * last), so no caller needs cJSON.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>

#include "core/mem.h"
#include "model/survey.h"
#include "render/json.h"

struct cs_summary_doc {
    cJSON *doc;
    cJSON *steps;      /* borrowed from doc */
    cJSON *breakdowns; /* borrowed from doc; NULL until the first breakdown */
};

static cJSON *
custom_json(const struct cs_join_audit *a, enum cs_merge kind, size_t max_cols)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "merge", cs_merge_name(kind));
    cJSON_AddNumberToObject(o, "surveys", (double)a->surveys);
    cJSON_AddNumberToObject(o, "events", (double)a->events);
    cJSON_AddNumberToObject(o, "matched_surveys", (double)a->matched_surveys);
    cJSON_AddNumberToObject(o, "surveys_without_answers", (double)a->unanswered);
    cJSON_AddNumberToObject(o, "matched_events", (double)a->matched_events);
    cJSON_AddNumberToObject(o, "orphan_events", (double)a->orphan_events);
    cJSON_AddNumberToObject(o, "duplicate_events", (double)a->duplicate_events);
    cJSON_AddNumberToObject(o, "keys", (double)a->keys);
    cJSON_AddNumberToObject(o, "keys_in_other",
                            (double)(a->keys > max_cols ? a->keys - max_cols : 0));
    cJSON *sk = cJSON_AddObjectToObject(o, "skew_seconds");
    cJSON_AddNumberToObject(sk, "median", a->skew_median_s);
    cJSON_AddNumberToObject(sk, "max", a->skew_max_s);
    cJSON_AddNumberToObject(sk, "min", a->skew_min_s);
    return o;
}

struct cs_summary_doc *
cs_summary_doc_new(const struct cs_summary_head *h)
{
    struct cs_summary_doc *d = xcalloc(1, sizeof *d);
    d->doc = cs_json_summary(h->m);
    if (h->run_info && cJSON_GetObjectItem(d->doc, "run"))
        cs_json_run_info(cJSON_GetObjectItem(d->doc, "run"), h->run_info);
    if (h->review)
        cJSON_AddItemToObject(d->doc, "review", cs_json_review(h->review));
    cJSON_AddItemToObject(d->doc, "custom", custom_json(h->audit, h->merge, h->max_cols));
    cJSON_AddStringToObject(d->doc, "template", h->template_name ? h->template_name : "");
    d->steps = cJSON_AddArrayToObject(d->doc, "steps");
    return d;
}

void
cs_summary_doc_step(struct cs_summary_doc *d, const char *title, const char *section)
{
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "title", title);
    cJSON_AddStringToObject(e, "section", section);
    cJSON_AddItemToArray(d->steps, e);
}

void
cs_summary_doc_result(struct cs_summary_doc *d, const char *title, const char *render,
                      const struct cs_json_table *t)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "title", title);
    cJSON_AddStringToObject(o, "render", render);
    cJSON *cols = cJSON_AddArrayToObject(o, "columns");
    for (size_t c = 0; c < t->n_cols; c++)
        cJSON_AddItemToArray(cols, cJSON_CreateString(t->columns[c]));
    cJSON *rows = cJSON_AddArrayToObject(o, "rows");
    for (size_t i = 0; i < t->n_rows; i++) {
        cJSON *row = cJSON_CreateArray();
        for (size_t c = 0; c < t->n_cols; c++) {
            struct cs_json_cell x = {0};
            t->cell(t->ctx, i, c, &x);
            switch (x.type) {
            case CS_JSON_NUMBER: cJSON_AddItemToArray(row, cJSON_CreateNumber(x.num)); break;
            case CS_JSON_TEXT: cJSON_AddItemToArray(row, cJSON_CreateString(x.text)); break;
            default: cJSON_AddItemToArray(row, cJSON_CreateNull()); break;
            }
        }
        cJSON_AddItemToArray(rows, row);
    }
    cJSON_AddItemToArray(d->steps, o);
}

size_t
cs_summary_doc_invalid_strings(const struct cs_summary_doc *d)
{
    return cs_json_invalid_strings(d->doc);
}

cs_status
cs_summary_doc_write(struct cs_summary_doc *d, const struct cs_privacy *privacy,
                     uint64_t text_dropped, const struct cs_text_cleaning *tc,
                     const char *path, struct cs_err *err)
{
    cJSON *meta = cJSON_AddObjectToObject(d->doc, "meta");
    cJSON_AddItemToObject(meta, "privacy", cs_json_privacy(privacy, text_dropped));
    cJSON *o = cJSON_AddObjectToObject(meta, "text_cleaning");
    cJSON_AddNumberToObject(o, "json_strings_replaced", (double)tc->json_strings_replaced);
    cJSON_AddNumberToObject(o, "csv_cells_replaced", (double)tc->csv_cells_replaced);
    cJSON_AddNumberToObject(o, "csv_cells_neutralized", (double)tc->csv_cells_neutralized);
    cJSON_AddNumberToObject(o, "xlsx_cells_replaced", (double)tc->xlsx_cells_replaced);
    cJSON_AddNumberToObject(o, "xlsx_cells_truncated", (double)tc->xlsx_cells_truncated);
    return cs_json_write(d->doc, path, err);
}

void
cs_summary_doc_free(struct cs_summary_doc **d)
{
    if (!d || !*d)
        return;
    cJSON_Delete((*d)->doc);
    xfree(*d);
    *d = NULL;
}

void
cs_summary_doc_call_join(struct cs_summary_doc *d, const struct cs_call_join *a)
{
    cJSON *j = cJSON_AddObjectToObject(d->doc, "call_join");
    cJSON_AddNumberToObject(j, "surveys", (double)a->surveys);
    cJSON_AddNumberToObject(j, "matched", (double)a->matched);
    cJSON_AddNumberToObject(j, "unmatched", (double)a->unmatched);
    cJSON_AddNumberToObject(j, "ambiguous", (double)a->ambiguous);
    cJSON_AddNumberToObject(j, "legs_without_survey", (double)a->legs_without_survey);
    cJSON_AddNumberToObject(j, "legs", (double)a->legs);
}

static cJSON *
num_or_null(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

void
cs_summary_doc_breakdown(struct cs_summary_doc *d, const char *dim, size_t n_groups,
                         const char *const *labels, const uint64_t *surveys,
                         struct rep_group *const *cats, const size_t *n_cats)
{
    if (!d->breakdowns)
        d->breakdowns = cJSON_AddArrayToObject(d->doc, "breakdowns");
    if (!dim)
        return;
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "by", dim);
    cJSON *rows = cJSON_AddArrayToObject(b, "rows");
    for (size_t g = 0; g < n_groups; g++)
        for (size_t k = 0; k < n_cats[g]; k++) {
            const struct rep_group *rg = &cats[g][k];
            cJSON *r = cJSON_CreateObject();
            cJSON_AddStringToObject(r, "value", labels[g]);
            cJSON_AddStringToObject(r, "category", cs_category_name((enum cs_category)rg->cat));
            cJSON *sc = cJSON_AddObjectToObject(r, "scale");
            cJSON_AddNumberToObject(sc, "lower", rg->scale.lower);
            cJSON_AddNumberToObject(sc, "upper", rg->scale.upper);
            cJSON_AddNumberToObject(sc, "threshold", rg->scale.threshold);
            cJSON_AddNumberToObject(r, "surveys", (double)surveys[g]);
            cJSON_AddNumberToObject(r, "responses", (double)rg->sum.n);
            cJSON_AddNumberToObject(r, "poor", (double)rg->sum.n_poor);
            cJSON_AddItemToObject(r, "poor_rate", num_or_null(rg->sum.poor_rate));
            cJSON *ci = cJSON_AddArrayToObject(r, "poor_rate_ci95");
            cJSON_AddItemToArray(ci, num_or_null(rg->sum.poor_ci_lo));
            cJSON_AddItemToArray(ci, num_or_null(rg->sum.poor_ci_hi));
            cJSON_AddItemToObject(r, "mean", num_or_null(rg->sum.mean));
            cJSON_AddBoolToObject(r, "small_sample", rg->small_sample);
            cJSON_AddItemToArray(rows, r);
        }
    cJSON_AddItemToArray(d->breakdowns, b);
}
