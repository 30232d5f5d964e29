/*
 * ingest/answers.c: custom answers without their free text (cJSON).
 */
#include "ingest/answers.h"

#include <cjson/cJSON.h>
#include <string.h>

#include "core/mem.h"
#include "model/privacy.h"

static bool
json_is_text(const cJSON *it)
{
    return cJSON_IsArray(it) || cJSON_IsObject(it) ||
           (cJSON_IsString(it) && cs_privacy_is_text(it->valuestring, strlen(it->valuestring)));
}

char *
cs_privacy_answers(const struct cs_privacy *p, const char *json, size_t *n_dropped)
{
    if (n_dropped)
        *n_dropped = 0;
    if (!cs_privacy_drops_text(p) || !json)
        return NULL;
    cJSON *o = cJSON_Parse(json);
    if (!o || !cJSON_IsObject(o)) {
        cJSON_Delete(o);
        if (n_dropped)
            *n_dropped = 1;
        return xstrdup("{}");
    }
    size_t dropped = 0;
    for (cJSON *it = o->child; it;) {
        cJSON *next = it->next;
        if (json_is_text(it)) {
            cJSON_Delete(cJSON_DetachItemViaPointer(o, it));
            dropped++;
        }
        it = next;
    }
    char *t = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    char *r = xstrdup(t ? t : "{}");
    cJSON_free(t);
    if (n_dropped)
        *n_dropped = dropped;
    return r;
}

void
cs_answers_each(const char *json, cs_answer_cb cb, void *ctx)
{
    cJSON *doc = cJSON_Parse(json);
    for (const cJSON *it = doc ? doc->child : NULL; it; it = it->next) {
        if (cJSON_IsNull(it))
            continue;
        if (cJSON_IsString(it)) {
            cb(ctx, it->string ? it->string : "", it->valuestring);
            continue;
        }
        char *t = cJSON_PrintUnformatted(it);
        cb(ctx, it->string ? it->string : "", t ? t : "");
        cJSON_free(t);
    }
    cJSON_Delete(doc);
}
