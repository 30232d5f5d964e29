/*
 * render/json_compare.c: compare.json (DESIGN.md §6) from a built
 * comparison: groups, rows, window, run and privacy.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "core/ctime.h"
#include "model/survey.h"
#include "render/json.h"
#include "model/comparison.h"
#include "model/review.h"

static cJSON *
pair(double a, double b)
{
    cJSON *x = cJSON_CreateArray();
    cJSON_AddItemToArray(x, cJSON_CreateNumber(a));
    cJSON_AddItemToArray(x, cJSON_CreateNumber(b));
    return x;
}

static cJSON *
compare_json(const struct cs_compare *c)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "by", c->by);
    cJSON_AddStringToObject(doc, "baseline",
                            c->baseline_previous ? "previous" : c->groups[c->baseline].label);
    cJSON_AddStringToObject(doc, "baseline_rule",
                            c->baseline_previous ? "each group against the one before it"
                            : c->baseline_given  ? "given with --baseline"
                            : (strcmp(c->by, "week") == 0 || strcmp(c->by, "day") == 0)
                                ? "the earliest group"
                                : "the group with the most surveys");
    cJSON_AddNumberToObject(doc, "min_n", (double)c->min_n);
    cJSON_AddNumberToObject(doc, "alpha", CS_COMPARE_ALPHA);
    cJSON_AddNumberToObject(doc, "min_effect", c->min_effect);
    cJSON *gs = cJSON_AddArrayToObject(doc, "groups");
    for (size_t g = 0; g < c->n_groups; g++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "group", c->groups[g].label);
        cJSON_AddStringToObject(o, "id", c->groups[g].key);
        cJSON_AddNumberToObject(o, "surveys", (double)c->groups[g].surveys);
        cJSON *cats = cJSON_AddArrayToObject(o, "categories");
        for (size_t k = 0; k < c->groups[g].n_cats; k++)
            cJSON_AddItemToArray(cats, cs_json_group(NULL, &c->groups[g].cats[k]));
        cJSON_AddItemToArray(gs, o);
    }
    cJSON *rows = cJSON_AddArrayToObject(doc, "rows");
    for (size_t i = 0; i < c->n_rows; i++) {
        const struct cmp_row *r = &c->rows[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "category", cs_category_name((enum cs_category)r->cat));
        cJSON *sc = cJSON_AddObjectToObject(o, "scale");
        cJSON_AddNumberToObject(sc, "lower", r->scale.lower);
        cJSON_AddNumberToObject(sc, "upper", r->scale.upper);
        cJSON_AddNumberToObject(sc, "threshold", r->scale.threshold);
        cJSON_AddStringToObject(o, "group", c->groups[r->group].label);
        cJSON_AddStringToObject(o, "baseline", c->groups[r->baseline].label);
        cJSON_AddNumberToObject(o, "n", (double)r->n);
        cJSON_AddNumberToObject(o, "n_baseline", (double)r->n_base);
        cJSON_AddNumberToObject(o, "mean", r->mean);
        cJSON_AddNumberToObject(o, "mean_baseline", r->mean_base);
        cJSON_AddNumberToObject(o, "poor_rate", r->poor_rate);
        cJSON_AddNumberToObject(o, "poor_rate_baseline", r->poor_rate_base);
        cJSON_AddNumberToObject(o, "poor_rate_diff", r->poor_cmp.diff);
        cJSON_AddItemToObject(o, "poor_rate_diff_ci95",
                              pair(r->poor_cmp.diff_ci_lo, r->poor_cmp.diff_ci_hi));
        cJSON_AddStringToObject(o, "poor_test", r->poor_cmp.exact ? "fisher" : "z");
        cJSON_AddNumberToObject(o, "z", r->poor_cmp.z);
        cJSON_AddNumberToObject(o, "p_poor", r->poor_cmp.p);
        cJSON_AddNumberToObject(o, "mann_whitney_u", r->mwu.u);
        cJSON_AddNumberToObject(o, "p_mann_whitney", r->mwu.p);
        cJSON_AddNumberToObject(o, "rank_biserial", r->mwu.r);
        cJSON_AddNumberToObject(o, "chi2", r->chi2.chi2);
        cJSON_AddNumberToObject(o, "chi2_df", r->chi2.df);
        cJSON_AddNumberToObject(o, "p_chi2", r->chi2.p);
        cJSON_AddNumberToObject(o, "p_poor_holm", r->p_poor_holm);
        cJSON_AddStringToObject(o, "verdict", cs_verdict_name(r->verdict));
        cJSON_AddBoolToObject(o, "not_significant_after_adjusting", r->j.adjusted_away);
        cJSON_AddBoolToObject(o, "below_min_effect", r->j.below_min_effect);
        cJSON_AddNumberToObject(o, "min_detectable_diff", r->min_detectable_diff);
        cJSON_AddItemToArray(rows, o);
    }
    return doc;
}

cs_status
cs_json_compare_write(const struct cs_compare *c, const char *template_name,
                      const struct cs_run_info *ri, const struct cs_privacy *privacy,
                      const char *path, struct cs_err *err)
{
    cJSON *doc = compare_json(c);
    cJSON_AddStringToObject(doc, "template", template_name);
    cJSON *w = cJSON_AddObjectToObject(doc, "window");
    char tb[32];
    if (ri->has_since)
        cJSON_AddStringToObject(w, "since", cs_time_format(ri->since_us, tb));
    else
        cJSON_AddNullToObject(w, "since");
    if (ri->has_until)
        cJSON_AddStringToObject(w, "until", cs_time_format(ri->until_us, tb));
    else
        cJSON_AddNullToObject(w, "until");
    cs_json_run_info(cJSON_AddObjectToObject(doc, "run"), ri);
    cJSON_AddItemToObject(doc, "privacy", cs_json_privacy(privacy, 0));
    cs_status rc = cs_json_write(doc, path, err);
    cJSON_Delete(doc);
    return rc;
}
