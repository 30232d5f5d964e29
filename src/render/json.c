/*
 * render/json.c: summary.json.  cJSON prints doubles with the shortest of
 * %.15g/%.17g that round-trips, so the file carries full precision and
 * rounding stays a presentation matter; NaN and infinities print as null.
 */
#include "render/json.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/afile.h"
#include "core/buf.h"
#include "core/ctime.h"
#include "core/mem.h"
#include "core/utf8.h"
#include "model/privacy.h"
#include "model/survey.h"

static void
add_time(cJSON *o, const char *k, bool has, int64_t us)
{
    if (!has) {
        cJSON_AddNullToObject(o, k);
        return;
    }
    char b[32];
    cJSON_AddStringToObject(o, k, cs_time_format(us, b));
}

static cJSON *
scale_obj(const struct stats_scale *sc)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "lower", sc->lower);
    cJSON_AddNumberToObject(o, "upper", sc->upper);
    cJSON_AddNumberToObject(o, "threshold", sc->threshold);
    return o;
}

static cJSON *
pair_arr(double a, double b)
{
    cJSON *x = cJSON_CreateArray();
    cJSON_AddItemToArray(x, cJSON_CreateNumber(a));
    cJSON_AddItemToArray(x, cJSON_CreateNumber(b));
    return x;
}

cJSON *
cs_json_group(const struct cs_report_model *m, const struct rep_group *g)
{
    (void)m;
    cJSON *o = cJSON_CreateObject();
    char label[128];
    cJSON_AddStringToObject(o, "category", cs_category_name((enum cs_category)g->cat));
    cJSON_AddStringToObject(o, "label", cs_group_label(g->cat, &g->scale, label, sizeof label));
    cJSON_AddItemToObject(o, "scale", scale_obj(&g->scale));
    cJSON_AddBoolToObject(o, "default_scale", g->default_scale);
    const struct stats_summary *s = &g->sum;
    cJSON_AddNumberToObject(o, "responses", (double)s->n);
    cJSON_AddNumberToObject(o, "share_of_surveys", g->share_of_surveys);
    cJSON_AddBoolToObject(o, "small_sample", g->small_sample);
    cJSON_AddNumberToObject(o, "mean", s->mean);
    cJSON_AddItemToObject(o, "mean_ci95", pair_arr(s->mean_ci_lo, s->mean_ci_hi));
    cJSON_AddNumberToObject(o, "median", s->median);
    cJSON_AddNumberToObject(o, "stddev", s->sd);
    cJSON_AddNumberToObject(o, "min", s->min);
    cJSON_AddNumberToObject(o, "max", s->max);
    cJSON_AddNumberToObject(o, "normalized_mean", s->norm_mean);
    cJSON_AddNumberToObject(o, "poor", (double)s->n_poor);
    cJSON_AddNumberToObject(o, "poor_rate", s->poor_rate);
    cJSON_AddItemToObject(o, "poor_rate_ci95", pair_arr(s->poor_ci_lo, s->poor_ci_hi));
    cJSON *dist = cJSON_AddArrayToObject(o, "distribution");
    for (size_t i = 0; i < g->n_dist; i++) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddNumberToObject(d, "score", g->dist[i].score);
        cJSON_AddNumberToObject(d, "responses", (double)g->dist[i].count);
        cJSON_AddNumberToObject(d, "share", s->n ? (double)g->dist[i].count / (double)s->n : (double)NAN);
        cJSON_AddItemToArray(dist, d);
    }
    cJSON_AddNumberToObject(o, "any_issue", (double)g->any_issue);
    cJSON_AddNumberToObject(o, "any_issue_rate", g->any_issue_rate);
    cJSON *iss = cJSON_AddArrayToObject(o, "issues");
    for (size_t i = 0; i < g->n_issues; i++) {
        const struct rep_issue *is = &g->issues[i];
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "issue", is->name);
        if (is->description)
            cJSON_AddStringToObject(d, "description", is->description);
        else
            cJSON_AddStringToObject(d, "description",
                                    "Not a tag of the web SDK's list: kept as given.");
        cJSON_AddBoolToObject(d, "known", is->known);
        cJSON_AddNumberToObject(d, "surveys", (double)is->surveys);
        cJSON_AddNumberToObject(d, "poor", (double)is->poor);
        cJSON_AddNumberToObject(d, "share_of_surveys", is->share_of_surveys);
        cJSON_AddNumberToObject(d, "share_of_responses", is->share_of_responses);
        cJSON_AddNumberToObject(d, "share_of_poor", is->share_of_poor);
        cJSON_AddItemToArray(iss, d);
    }
    cJSON *pairs = cJSON_AddArrayToObject(o, "issue_pairs");
    for (size_t i = 0; i < g->n_pairs; i++) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "a", g->issues[g->pairs[i].a].name);
        cJSON_AddStringToObject(d, "b", g->issues[g->pairs[i].b].name);
        cJSON_AddNumberToObject(d, "surveys", (double)g->pairs[i].count);
        cJSON_AddItemToArray(pairs, d);
    }
    return o;
}

/* One accounting: read = stored + duplicates + updated + conflicts + rejected. */
static cJSON *
acct_obj(const struct cs_acct *a)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "inputs", (double)a->inputs);
    cJSON_AddNumberToObject(o, "read", (double)a->read);
    cJSON_AddNumberToObject(o, "stored", (double)a->stored);
    cJSON_AddNumberToObject(o, "duplicates", (double)a->duplicates);
    cJSON_AddNumberToObject(o, "updated", (double)a->updated);
    cJSON_AddNumberToObject(o, "conflicts", (double)a->conflicts);
    cJSON_AddNumberToObject(o, "rejected", (double)a->rejected);
    cJSON_AddNumberToObject(o, "unknown_tags", (double)a->unknown_tags);
    return o;
}

cJSON *
cs_json_summary(const struct cs_report_model *m)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON *w = cJSON_AddObjectToObject(doc, "window");
    add_time(w, "since", m->filter.has_since, m->filter.since_us);
    add_time(w, "until", m->filter.has_until, m->filter.until_us);
    if (m->has_week)
        cJSON_AddStringToObject(w, "week", m->week_label);
    add_time(w, "first", m->totals.surveys > 0, m->totals.first_us);
    add_time(w, "last", m->totals.surveys > 0, m->totals.last_us);
    cJSON *res = cJSON_AddArrayToObject(w, "resources");
    for (size_t i = 0; i < m->filter.n_resources; i++)
        cJSON_AddItemToArray(res, cJSON_CreateString(m->filter.resources[i]));
    cJSON *t = cJSON_AddObjectToObject(doc, "totals");
    cJSON_AddNumberToObject(t, "surveys", (double)m->totals.surveys);
    cJSON_AddNumberToObject(t, "calls", (double)m->totals.calls);
    cJSON_AddNumberToObject(t, "participants", (double)m->totals.participants);
    /* the accounting of the inputs: this run's and the database's, survey
     * records and custom events apart (a sum of the two would count
     * different things as one) */
    cJSON *run = cJSON_AddObjectToObject(doc, "run");
    cJSON_AddStringToObject(run, "label", "the inputs this run loaded");
    cJSON_AddItemToObject(run, "surveys", acct_obj(&m->acct.run_surveys));
    cJSON_AddItemToObject(run, "events", acct_obj(&m->acct.run_events));
    cJSON *db = cJSON_AddObjectToObject(doc, "database");
    cJSON_AddStringToObject(db, "label", "every input the database holds, all runs");
    cJSON_AddItemToObject(db, "surveys", acct_obj(&m->acct.db_surveys));
    cJSON_AddItemToObject(db, "events", acct_obj(&m->acct.db_events));
    cJSON_AddNumberToObject(db, "rejected_records_kept", (double)m->totals.rejected);
    cJSON_AddNumberToObject(db, "conflicts_kept", (double)m->totals.conflicts);
    cJSON_AddNumberToObject(doc, "min_n", (double)m->min_n);
    cJSON *cats = cJSON_AddArrayToObject(doc, "categories");
    for (size_t i = 0; i < m->n_groups; i++)
        cJSON_AddItemToArray(cats, cs_json_group(m, &m->groups[i]));
    cJSON *pooled = cJSON_AddArrayToObject(doc, "pooled");
    for (size_t i = 0; i < m->n_pooled; i++) {
        const struct rep_pooled *p = &m->pooled[i];
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "category", cs_category_name((enum cs_category)p->cat));
        cJSON_AddStringToObject(d, "label", "pooled normalized (all scales)");
        cJSON_AddNumberToObject(d, "scales", (double)p->n_scales);
        cJSON_AddNumberToObject(d, "responses", (double)p->p.n);
        cJSON_AddNumberToObject(d, "normalized_mean", p->p.norm_mean);
        cJSON_AddNumberToObject(d, "poor", (double)p->p.n_poor);
        cJSON_AddNumberToObject(d, "poor_rate", p->p.poor_rate);
        cJSON_AddItemToObject(d, "poor_rate_ci95", pair_arr(p->p.poor_ci_lo, p->p.poor_ci_hi));
        cJSON_AddItemToArray(pooled, d);
    }
    cJSON_AddStringToObject(doc, "trend_bucket", m->bucket == CS_BUCKET_DAY ? "day" : "week");
    cJSON *tr = cJSON_AddArrayToObject(doc, "trend");
    for (size_t i = 0; i < m->n_trend; i++) {
        const struct rep_trend *r = &m->trend[i];
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "bucket", r->label);
        cJSON_AddBoolToObject(d, "partial", r->partial);
        cJSON_AddStringToObject(d, "category", cs_category_name((enum cs_category)r->cat));
        cJSON_AddItemToObject(d, "scale", scale_obj(&r->scale));
        cJSON_AddNumberToObject(d, "responses", (double)r->sum.n);
        cJSON_AddBoolToObject(d, "small_sample", r->small_sample);
        cJSON_AddNumberToObject(d, "mean", r->sum.mean);
        cJSON_AddNumberToObject(d, "poor", (double)r->sum.n_poor);
        cJSON_AddNumberToObject(d, "poor_rate", r->sum.poor_rate);
        cJSON_AddItemToObject(d, "poor_rate_ci95", pair_arr(r->sum.poor_ci_lo, r->sum.poor_ci_hi));
        cJSON_AddItemToArray(tr, d);
    }
    return doc;
}

cs_status
cs_json_write(const cJSON *doc, const char *path, struct cs_err *err)
{
    char *txt = cJSON_Print(doc);
    if (!txt)
        return cs_fail(err, CS_E_NOMEM, path, "cannot format JSON");
    /* cJSON copies string bytes as they are: a byte of an invalid sequence
     * is >= 0x80, never a quote or backslash, so replacing it in the
     * printed text keeps the document's structure */
    char *clean = cs_utf8_clean(txt, strlen(txt), 0, NULL);
    struct cs_afile af;
    if (cs_afile_open(&af, path, err)) {
        cJSON_free(txt);
        xfree(clean);
        return CS_E_IO;
    }
    fputs(clean ? clean : txt, af.fp);
    fputc('\n', af.fp);
    cJSON_free(txt);
    xfree(clean);
    return cs_afile_commit(&af, err);
}

size_t
cs_json_invalid_strings(const cJSON *doc)
{
    if (!doc)
        return 0;
    size_t n = 0;
    if (doc->string && !cs_utf8_clean_already(doc->string, strlen(doc->string), 0))
        n++;
    if (cJSON_IsString(doc) && doc->valuestring &&
        !cs_utf8_clean_already(doc->valuestring, strlen(doc->valuestring), 0))
        n++;
    for (const cJSON *c = doc->child; c; c = c->next)
        n += cs_json_invalid_strings(c);
    return n;
}

cJSON *
cs_json_privacy(const struct cs_privacy *p, uint64_t text_dropped)
{
    if (!p)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "ids", "pseudonymized");
    cJSON_AddStringToObject(o, "method", "HMAC-SHA-256");
    cJSON_AddNumberToObject(o, "pseudonym_hex_digits", CS_PRIVACY_HEX);
    cJSON_AddStringToObject(o, "normalization", "trimmed, ASCII lower-cased");
    cJSON_AddStringToObject(o, "key_file", p->key_name);
    cJSON_AddStringToObject(o, "free_text", p->keep_text ? "kept" : "dropped");
    cJSON_AddNumberToObject(o, "free_text_dropped", (double)text_dropped);
    cJSON_AddStringToObject(o, "rejected_raw_text", "dropped");
    char *d = cs_privacy_describe(p);
    cJSON_AddStringToObject(o, "description", d);
    xfree(d);
    return o;
}

/* ---- the review ------------------------------------------------------- */

static cJSON *
window_obj(const struct cs_review_window *w)
{
    cJSON *o = cJSON_CreateObject();
    add_time(o, "since", true, w->since_us);
    add_time(o, "until", true, w->until_us);
    cJSON_AddStringToObject(o, "label", w->label);
    return o;
}

static cJSON *
side_obj(const struct cs_review_side *x)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "responses", (double)x->responses);
    cJSON_AddNumberToObject(o, "poor", (double)x->poor);
    cJSON_AddNumberToObject(o, "poor_rate", x->poor_rate);
    cJSON_AddNumberToObject(o, "mean", x->mean);
    return o;
}

static void
add_judgement(cJSON *o, const struct cs_judgement *j, bool judged)
{
    if (!judged) {
        cJSON_AddNullToObject(o, "diff_ci95");
        cJSON_AddNullToObject(o, "verdict");
        return;
    }
    cJSON_AddItemToObject(o, "diff_ci95", pair_arr(j->cmp.diff_ci_lo, j->cmp.diff_ci_hi));
    cJSON_AddStringToObject(o, "test", j->cmp.exact ? "fisher" : "z");
    cJSON_AddNumberToObject(o, "p", j->cmp.p);
    cJSON_AddNumberToObject(o, "p_holm", j->p_holm);
    cJSON_AddStringToObject(o, "verdict", cs_verdict_name(j->verdict));
    cJSON_AddBoolToObject(o, "not_significant_after_adjusting", j->adjusted_away);
    cJSON_AddBoolToObject(o, "below_min_effect", j->below_min_effect);
}

static cJSON *
mover_obj(const struct cs_review_mover *m, bool judged)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "category", cs_category_name((enum cs_category)m->cat));
    cJSON_AddItemToObject(o, "scale", scale_obj(&m->scale));
    if (m->kind == CS_MOVER_TAG) {
        cJSON_AddStringToObject(o, "tag", m->name);
        cJSON_AddNumberToObject(o, "responses", (double)m->now.responses);
        cJSON_AddNumberToObject(o, "count", (double)m->now.poor);
        cJSON_AddNumberToObject(o, "share", m->now.poor_rate);
        cJSON_AddNumberToObject(o, "previous_responses", (double)m->before.responses);
        cJSON_AddNumberToObject(o, "previous_count", (double)m->before.poor);
        cJSON_AddNumberToObject(o, "previous_share", m->before.poor_rate);
    } else {
        if (m->kind == CS_MOVER_VERSION) {
            cJSON_AddStringToObject(o, "version", m->name);
            cJSON_AddStringToObject(o, "by", m->id);
        } else {
            cJSON_AddStringToObject(o, "resource", m->name);
            cJSON_AddStringToObject(o, "id", m->id);
        }
        cJSON_AddNumberToObject(o, "responses", (double)m->now.responses);
        cJSON_AddNumberToObject(o, "poor", (double)m->now.poor);
        cJSON_AddNumberToObject(o, "poor_rate", m->now.poor_rate);
        cJSON_AddNumberToObject(o, "previous_responses", (double)m->before.responses);
        cJSON_AddNumberToObject(o, "previous_poor", (double)m->before.poor);
        cJSON_AddNumberToObject(o, "previous_poor_rate", m->before.poor_rate);
    }
    cJSON_AddNumberToObject(o, "diff", m->j.cmp.diff);
    add_judgement(o, &m->j, judged);
    return o;
}

cJSON *
cs_json_review(const struct cs_review *r)
{
    cJSON *o = cJSON_CreateObject();
    if (r->period.label[0])
        cJSON_AddItemToObject(o, "period", window_obj(&r->period));
    else
        cJSON_AddNullToObject(o, "period");
    if (r->has_previous)
        cJSON_AddItemToObject(o, "previous", window_obj(&r->previous));
    else
        cJSON_AddNullToObject(o, "previous");
    cJSON_AddStringToObject(o, "vs", r->vs == CS_VS_NONE ? "none" : r->vs == CS_VS_POOLED ? "pooled"
                                                                                          : "previous");
    cJSON_AddNumberToObject(o, "vs_periods", r->vs_periods);
    cJSON_AddBoolToObject(o, "default_period", r->default_period);
    cJSON_AddNumberToObject(o, "min_effect", r->min_effect);
    cJSON_AddNumberToObject(o, "min_n", (double)r->min_n);
    cJSON_AddNumberToObject(o, "alpha", r->alpha);
    cJSON_AddNumberToObject(o, "surveys", (double)r->surveys_now);
    cJSON_AddNumberToObject(o, "previous_surveys", (double)r->surveys_before);
    cJSON *rows = cJSON_AddArrayToObject(o, "rows");
    for (size_t i = 0; i < r->n_rows; i++) {
        const struct cs_review_row *x = &r->rows[i];
        cJSON *ro = cJSON_CreateObject();
        cJSON_AddStringToObject(ro, "category", cs_category_name((enum cs_category)x->cat));
        cJSON_AddItemToObject(ro, "scale", scale_obj(&x->scale));
        cJSON_AddNumberToObject(ro, "responses", (double)x->now.responses);
        cJSON_AddNumberToObject(ro, "poor", (double)x->now.poor);
        cJSON_AddNumberToObject(ro, "poor_rate", x->now.poor_rate);
        cJSON_AddNumberToObject(ro, "mean", x->now.mean);
        if (r->has_previous)
            cJSON_AddItemToObject(ro, "previous", side_obj(&x->before));
        else
            cJSON_AddNullToObject(ro, "previous");
        cJSON_AddNumberToObject(ro, "poor_rate_diff", x->j.cmp.diff);
        if (r->has_previous) {
            cJSON_AddItemToObject(ro, "poor_rate_diff_ci95",
                                  pair_arr(x->j.cmp.diff_ci_lo, x->j.cmp.diff_ci_hi));
            cJSON_AddStringToObject(ro, "poor_test", x->j.cmp.exact ? "fisher" : "z");
            cJSON_AddNumberToObject(ro, "p_poor", x->j.cmp.p);
            cJSON_AddNumberToObject(ro, "p_poor_holm", x->j.p_holm);
            cJSON_AddStringToObject(ro, "verdict", cs_verdict_name(x->j.verdict));
            cJSON_AddBoolToObject(ro, "not_significant_after_adjusting", x->j.adjusted_away);
            cJSON_AddBoolToObject(ro, "below_min_effect", x->j.below_min_effect);
        } else {
            cJSON_AddNullToObject(ro, "poor_rate_diff_ci95");
            cJSON_AddNullToObject(ro, "poor_test");
            cJSON_AddNullToObject(ro, "p_poor");
            cJSON_AddNullToObject(ro, "p_poor_holm");
            cJSON_AddNullToObject(ro, "verdict");
        }
        cJSON_AddNumberToObject(ro, "minor_scales", (double)x->n_minor_scales);
        cJSON_AddNumberToObject(ro, "minor_responses", (double)x->minor_responses);
        cJSON_AddItemToArray(rows, ro);
    }
    cJSON *mv = cJSON_AddObjectToObject(o, "movers");
    cJSON *tags = cJSON_AddArrayToObject(mv, "tags");
    for (size_t i = 0; i < r->n_tags; i++)
        cJSON_AddItemToArray(tags, mover_obj(&r->tags[i], r->has_previous));
    cJSON *res = cJSON_AddArrayToObject(mv, "resources");
    for (size_t i = 0; i < r->n_resource_movers; i++)
        cJSON_AddItemToArray(res, mover_obj(&r->resources[i], r->has_previous));
    if (r->n_version_movers) { /* report --by sdk-version / app-version */
        cJSON *ver = cJSON_AddArrayToObject(mv, "versions");
        for (size_t i = 0; i < r->n_version_movers; i++)
            cJSON_AddItemToArray(ver, mover_obj(&r->versions[i], r->has_previous));
    }
    return o;
}

/* ---- the run ---------------------------------------------------------- */

void
cs_json_run_info(cJSON *run, const struct cs_run_info *ri)
{
    char b[32];
    cJSON_AddStringToObject(run, "version", ri->version ? ri->version : "");
    cJSON_AddStringToObject(run, "generated",
                            cs_time_format(ri->generated_s * CS_US_PER_S, b));
    if (ri->db)
        cJSON_AddStringToObject(run, "db", ri->db);
    else
        cJSON_AddNullToObject(run, "db");
    cJSON *in = cJSON_AddArrayToObject(run, "inputs");
    for (size_t i = 0; i < ri->n_inputs; i++) {
        const struct cs_run_input *x = &ri->inputs[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "path", x->path);
        cJSON_AddStringToObject(o, "kind", x->kind);
        cJSON_AddStringToObject(o, "format", x->format ? x->format : "");
        cJSON_AddNumberToObject(o, "bytes", (double)x->bytes);
        cJSON_AddNumberToObject(o, "read", (double)x->read);
        cJSON_AddNumberToObject(o, "stored", (double)x->stored);
        cJSON_AddNumberToObject(o, "duplicates", (double)x->duplicates);
        cJSON_AddNumberToObject(o, "updated", (double)x->updated);
        cJSON_AddNumberToObject(o, "conflicts", (double)x->conflicts);
        cJSON_AddNumberToObject(o, "rejected", (double)x->rejected);
        cJSON_AddItemToArray(in, o);
    }
    cJSON *f = cJSON_AddObjectToObject(run, "filters");
    add_time(f, "since", ri->has_since, ri->since_us);
    add_time(f, "until", ri->has_until, ri->until_us);
    if (ri->week)
        cJSON_AddStringToObject(f, "week", ri->week);
    else
        cJSON_AddNullToObject(f, "week");
    cJSON *res = cJSON_AddArrayToObject(f, "resources");
    for (size_t i = 0; i < ri->n_resources; i++)
        cJSON_AddItemToArray(res, cJSON_CreateString(ri->resources[i]));
    if (ri->merge)
        cJSON_AddStringToObject(f, "merge", ri->merge);
    if (ri->bucket)
        cJSON_AddStringToObject(f, "bucket", ri->bucket);
    cJSON_AddNumberToObject(f, "default_threshold", ri->default_threshold);
    cJSON_AddNumberToObject(f, "min_n", (double)ri->min_n);
    if (ri->vs)
        cJSON_AddStringToObject(f, "vs", ri->vs);
    cJSON_AddNumberToObject(f, "min_effect", ri->min_effect);
    if (ri->scales)
        cJSON_AddStringToObject(f, "scales", ri->scales);
    if (ri->by)
        cJSON_AddStringToObject(f, "by", ri->by);
    if (ri->baseline)
        cJSON_AddStringToObject(f, "baseline", ri->baseline);
    if (ri->template_name)
        cJSON_AddStringToObject(run, "template", ri->template_name);
    else
        cJSON_AddNullToObject(run, "template");
}

void
cs_json_use_xalloc(void)
{
    cJSON_InitHooks(&(cJSON_Hooks){.malloc_fn = xmalloc, .free_fn = xfree});
}

char *
cs_json_reject_line(const struct cs_reject_line *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "source", r->source);
    cJSON_AddNumberToObject(o, "line", (double)r->line);
    if (r->survey_id && !r->without_raw)
        cJSON_AddStringToObject(o, "survey_id", r->survey_id);
    else if (r->survey_id)
        cJSON_AddNullToObject(o, "survey_id"); /* privacy mode: an id */
    cJSON_AddStringToObject(o, "reason", r->reason);
    if (r->without_raw) {
        cJSON_AddNullToObject(o, "record"); /* privacy mode: the text holds ids */
    } else {
        /* a NUL byte would end the text in a C string (and JSON parsing
         * there): such a record is its text, each NUL as U+FFFD */
        bool nul = r->raw && memchr(r->raw, '\0', r->raw_len);
        cJSON *v = r->raw && r->raw_len && !nul ? cJSON_ParseWithLength(r->raw, r->raw_len) : NULL;
        if (!v) {
            struct cs_buf b = {0};
            const char *p = r->raw ? r->raw : "", *end = p + r->raw_len;
            while (p < end) {
                const char *z = memchr(p, '\0', (size_t)(end - p));
                cs_buf_add(&b, p, (size_t)((z ? z : end) - p));
                if (z)
                    cs_buf_add(&b, "\xEF\xBF\xBD", 3);
                p = z ? z + 1 : end;
            }
            v = cJSON_CreateString(b.s ? b.s : "");
            cs_buf_free(&b);
        }
        cJSON_AddItemToObject(o, "record", v);
    }
    char *txt = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    /* one line of valid JSON: invalid UTF-8 of the input as U+FFFD */
    char *clean = cs_utf8_clean(txt, strlen(txt), 0, NULL);
    char *line = clean ? clean : xstrdup(txt);
    cJSON_free(txt);
    return line;
}
