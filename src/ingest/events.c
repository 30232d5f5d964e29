/*
 * ingest/events.c: Application Insights customEvents rows to cs_event.
 *
 * The survey id lives inside customDimensions (a JSON bag: an object in
 * JSON exports, JSON text with doubled quotes in portal CSV).  cJSON parses
 * the bag (its nesting limit bounds hostile input); the id property is
 * taken out and the remaining properties are kept as the event's answers,
 * in canonical form: keys sorted (byte order, at every depth), numbers and
 * text as cJSON prints them, so the portal CSV and the JSON export of one
 * event give the same text (the store's duplicate key).  Rows of other event names (an export of all
 * customEvents holds PageView and the like) are not survey answers: they
 * are counted as skipped and reported on the accounting line, not read.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/mem.h"
#include "ingest/event_canon.h"
#include "ingest/ingest_int.h"

static bool
streq_ci(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if ((*a | 0x20) != (*b | 0x20))
            return false;
    return *a == *b;
}

struct member {
    cJSON *item;
    size_t pos; /* input order: equal keys keep it */
};

static int
cmp_member(const void *a, const void *b)
{
    const struct member *x = a, *y = b;
    int c = strcmp(x->item->string ? x->item->string : "",
                   y->item->string ? y->item->string : "");
    if (c == 0)
        c = (x->pos > y->pos) - (x->pos < y->pos);
    return c;
}

/* Sort the members of every object under v by key (byte order), in place. */
static void
canonicalize(cJSON *v)
{
    if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
        return;
    size_t n = 0;
    for (cJSON *it = v->child; it; it = it->next) {
        canonicalize(it);
        n++;
    }
    if (!cJSON_IsObject(v) || n < 2)
        return;
    struct member *m = xmalloc(n * sizeof *m);
    size_t i = 0;
    for (cJSON *it = v->child; it; it = it->next, i++)
        m[i] = (struct member){it, i};
    qsort(m, n, sizeof *m, cmp_member);
    for (i = 0; i < n; i++) {
        m[i].item->prev = i ? m[i - 1].item : m[n - 1].item; /* cJSON: head->prev = tail */
        m[i].item->next = i + 1 < n ? m[i + 1].item : NULL;
    }
    v->child = m[0].item;
    xfree(m);
}

/* A cJSON print as an xmalloc'd string (cJSON's allocator may be libc's
 * until render/json.c sets its hooks). */
static char *
print_owned(const cJSON *v)
{
    char *t = cJSON_PrintUnformatted(v);
    char *r = t ? xstrdup(t) : NULL;
    cJSON_free(t);
    return r;
}

/* The cJSON path of cs_canon_props for any customDimensions text: the
 * same outputs (*props owned, free with xfree; *id into it, the id's
 * value when a string, before trimming), or -1 when the text is not a
 * JSON object. */
static int
answers_cjson(const char *dims, size_t dims_len, const char *key, char **props,
              const char **id, size_t *id_len)
{
    *props = NULL;
    *id = NULL;
    *id_len = 0;
    cJSON *bag = dims ? cJSON_ParseWithLength(dims, dims_len) : NULL;
    if (!bag || !cJSON_IsObject(bag)) {
        cJSON_Delete(bag);
        return -1;
    }
    cJSON *idm = NULL;
    for (cJSON *it = bag->child; it; it = it->next)
        if (it->string && streq_ci(it->string, key)) {
            idm = it;
            break;
        }
    cJSON_DetachItemViaPointer(bag, idm);
    canonicalize(bag);
    char *p = cJSON_PrintUnformatted(bag);
    cJSON_Delete(bag);
    /* the id's text goes after the answers in one allocation */
    const char *v = idm && cJSON_IsString(idm) ? idm->valuestring : NULL;
    size_t pn = p ? strlen(p) : 0, vn = v ? strlen(v) : 0;
    *props = xmalloc(pn + vn + 2);
    memcpy(*props, p ? p : "", pn + 1);
    if (v) {
        memcpy(*props + pn + 1, v, vn + 1);
        *id = *props + pn + 1;
        *id_len = vn;
    }
    cJSON_free(p);
    cJSON_Delete(idm);
    return 0;
}

/* customMeasurements through cJSON: sorted and printed (owned), NULL when
 * not an object with members. */
static char *
measurements_cjson(const char *meas, size_t meas_len)
{
    char *t = NULL;
    cJSON *m = cJSON_ParseWithLength(meas, meas_len);
    if (m && cJSON_IsObject(m) && m->child) {
        canonicalize(m);
        t = print_owned(m);
    }
    cJSON_Delete(m);
    return t;
}

static cs_status
reject_event(struct cs_ingest_run *run, const char *raw, size_t raw_len,
             uint64_t line, uint32_t index, const char *reason)
{
    run->stats->events_rejected++;
    return cs_run_reject_raw(run, line, index, raw, raw_len, "%s", reason);
}

cs_status
cs_event_emit(struct cs_ingest_run *run, const char *name, size_t name_len,
              const char *time_s, size_t time_len, const char *dims,
              size_t dims_len, const char *meas, size_t meas_len,
              const char *raw, size_t raw_len, uint64_t line, uint32_t index,
              const struct cs_event_ctx *cx)
{
    run->stats->content = CS_CONTENT_EVENTS;
    run->stats->events_read++;
    char reason[CS_REASON_MAX];
    const char *want = run->opts->event_name ? run->opts->event_name : "CallSurvey";
    if (name && !(strlen(want) == name_len && memcmp(name, want, name_len) == 0)) {
        /* another event of the app (PageView...): not survey data, so not
         * read as a record and not rejected; counted and reported */
        run->stats->events_skipped++;
        return CS_OK;
    }
    struct cs_event ev = {.line = line, .name = want};
    if (time_s && time_len &&
        !cs_time_parse_any(time_s, time_len, run->opts->date_order, &ev.time_us)) {
        snprintf(reason, sizeof reason, "timestamp: '%.*s' is not a valid time.",
                 (int)(time_len > 40 ? 40 : time_len), time_s);
        return reject_event(run, raw, raw_len, line, index, reason);
    }
    const char *key = run->opts->id_key ? run->opts->id_key : "id";
    char *props = NULL, *mtext = NULL;
    const char *idv = NULL;
    size_t n = 0;
    /* the simple objects without a cJSON tree (ingest/event_canon.h) */
    bool fast = dims && cs_canon_props(dims, dims_len, key, &props, &idv, &n);
    if (!fast && answers_cjson(dims, dims_len, key, &props, &idv, &n))
        return reject_event(run, raw, raw_len, line, index,
                            "customDimensions is not a valid JSON object.");
    /* trim; GUIDs compare case-insensitively */
    while (n && (*idv == ' ' || *idv == '\t')) {
        idv++;
        n--;
    }
    while (n && (idv[n - 1] == ' ' || idv[n - 1] == '\t'))
        n--;
    if (!idv || n == 0 || n > CS_ID_MAX) {
        snprintf(reason, sizeof reason,
                 n > CS_ID_MAX ? "customDimensions.%s is longer than %d characters."
                               : "customDimensions has no '%s' (the survey id; see --id-key).",
                 key, CS_ID_MAX);
        xfree(props);
        return reject_event(run, raw, raw_len, line, index, reason);
    }
    for (size_t i = 0; i < n; i++)
        ev.survey_id[i] = idv[i] >= 'A' && idv[i] <= 'Z' ? (char)(idv[i] + 32) : idv[i];
    ev.survey_id[n] = '\0';
    if (meas && meas_len && !cs_canon_measurements(meas, meas_len, &mtext))
        mtext = measurements_cjson(meas, meas_len);
    char ctxv[3][CS_ID_MAX + 1];
    const char **dst[3] = {&ev.app_version, &ev.client_os, &ev.browser};
    for (int k = 0; k < 3; k++) {
        const char *v = cx ? cx->s[k] : NULL;
        size_t vl = cx ? cx->len[k] : 0;
        while (v && vl && (*v == ' ' || *v == '\t')) {
            v++;
            vl--;
        }
        while (v && vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
            vl--;
        if (vl > CS_ID_MAX)
            vl = CS_ID_MAX;
        if (v && vl && !(vl == 4 && strncasecmp(v, "null", 4) == 0)) {
            memcpy(ctxv[k], v, vl);
            ctxv[k][vl] = '\0';
            *dst[k] = ctxv[k];
        }
    }
    ev.props = props;
    ev.props_len = strlen(props);
    ev.measurements = mtext;
    ev.measurements_len = mtext ? strlen(mtext) : 0;
    cs_status s = CS_OK;
    if (run->sink->event)
        s = run->sink->event(run->sink->ctx, &ev, raw, raw_len, run->err);
    run->stats->events_valid++;
    run->stats->read++; /* rejected rows are counted by cs_run_reject_raw */
    xfree(props);
    xfree(mtext);
    if (s != CS_OK)
        run->status = s;
    return s;
}
