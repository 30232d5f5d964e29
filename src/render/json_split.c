/*
 * render/json_split.c: custom answers split over the pivot's columns.
 */
#include "render/json_split.h"

#include <cjson/cJSON.h>
#include <string.h>

#include "core/json_plain.h"
#include "core/mem.h"
#include "model/privacy.h"
#include "model/rows.h"

/* True when privacy mode leaves the member out: free text (an array, an
 * object or a string that is not a number or true/false). */
static bool
drop_json(const struct cs_privacy *p, const cJSON *it)
{
    if (!cs_privacy_drops_text(p) || !it)
        return false;
    return cJSON_IsArray(it) || cJSON_IsObject(it) ||
           (cJSON_IsString(it) && cs_privacy_is_text(it->valuestring, strlen(it->valuestring)));
}

/* The answer of member it (texts borrowed from it, or kept by the split). */
static void
answer_of(struct cs_custom_split *sp, const cJSON *it, struct cs_answer *a)
{
    if (cJSON_IsNull(it)) {
        a->type = CS_ANSWER_NULL;
    } else if (cJSON_IsString(it)) {
        a->type = CS_ANSWER_STRING;
        a->text = it->valuestring;
    } else if (cJSON_IsNumber(it)) {
        a->type = CS_ANSWER_NUMBER;
        a->num = it->valuedouble;
    } else if (cJSON_IsBool(it)) {
        a->type = CS_ANSWER_BOOL;
        a->b = cJSON_IsTrue(it);
        a->text = a->b ? "true" : "false";
    } else {
        char *t = cJSON_PrintUnformatted(it);
        sp->texts = xreallocarray(sp->texts, sp->n_texts + 1, sizeof *sp->texts);
        sp->texts[sp->n_texts++] = xstrdup(t ? t : "");
        cJSON_free(t);
        a->type = CS_ANSWER_JSON;
        a->text = sp->texts[sp->n_texts - 1];
    }
}

/* Add key to the row's set of other keys (open addressing over borrowed
 * names); false when it is there already. */
static bool
seen_add(struct cs_custom_split *sp, const char *key)
{
    for (size_t j = cs_name_hash(key) & (sp->seen_cap - 1);; j = (j + 1) & (sp->seen_cap - 1)) {
        if (!sp->seen[j]) {
            sp->seen[j] = key;
            return true;
        }
        if (strcmp(sp->seen[j], key) == 0)
            return false;
    }
}

/* ---- the objects as ingest stores them, without a cJSON tree ----------- */

bool cs_custom_split_fast = true;

/* The whole number of digits v (plain: at most 15, core/json_plain.h):
 * exactly the double strtod gives cJSON, -0 included. */
static double
plain_number(const char *v, size_t n)
{
    bool neg = *v == '-';
    int64_t x = 0;
    for (size_t i = neg; i < n; i++)
        x = x * 10 + (v[i] - '0');
    return neg ? -(double)x : (double)x;
}

/* One object text t (len bytes, written in place) as ingest stores it
 * (core/json_plain.h), its members split into sp->vals as the cJSON path splits them (the
 * first member of a key wins, privacy's dropped text counted in *drops).
 * False when t is anything else or a member's key has no column (the
 * "other" object is printed by cJSON): the caller takes the cJSON path. */
static bool
split_plain(const struct cs_custom_cols *c, char *t, size_t len, const struct cs_privacy *p,
            uint64_t *drops, struct cs_custom_split *sp)
{
    struct cs_plain_iter it;
    struct cs_plain_member mb;
    int r;
    cs_plain_begin(&it, t, len, false);
    while ((r = cs_plain_next(&it, &mb)) > 0) {
        /* the closing quotes, read past, end the key and a string value */
        t[mb.key - t + (ptrdiff_t)mb.key_len] = '\0';
        struct cs_answer a = {.type = mb.is_string ? CS_ANSWER_STRING : CS_ANSWER_NUMBER};
        if (mb.is_string) {
            t[mb.val - t + (ptrdiff_t)mb.val_len] = '\0';
            a.text = mb.val;
        } else {
            a.num = plain_number(mb.val, mb.val_len);
        }
        long k = cs_custom_cols_find(c, mb.key);
        if (k < 0)
            return false;
        if (sp->vals[k].type != CS_ANSWER_NONE)
            continue; /* the first wins */
        if (a.type == CS_ANSWER_STRING && cs_privacy_drops_text(p) &&
            cs_privacy_is_text(a.text, mb.val_len))
            (*drops)++;
        else
            sp->vals[k] = a;
    }
    return r == 0;
}

/* Both texts through split_plain, copied into sp->plain; false (sp->vals
 * to be cleared) when either is not plain. */
static bool
split_row_plain(const struct cs_custom_cols *c, const char *const text[2],
                const struct cs_privacy *p, uint64_t *dropped, struct cs_custom_split *sp)
{
    size_t len[2], need = 0;
    for (int d = 0; d < 2; d++)
        need += (len[d] = text[d] ? strlen(text[d]) : 0) + 1;
    if (need > sp->plain_cap) {
        sp->plain_cap = need + need / 2;
        sp->plain = xrealloc(sp->plain, sp->plain_cap);
    }
    char *o = sp->plain;
    uint64_t drops = 0;
    for (int d = 0; d < 2; d++) {
        if (!text[d])
            continue;
        memcpy(o, text[d], len[d] + 1);
        if (!split_plain(c, o, len[d], p, &drops, sp))
            return false;
        o += len[d] + 1;
    }
    if (dropped)
        *dropped += drops;
    return true;
}

void
cs_custom_split_row(const struct cs_custom_cols *c, const char *props, const char *meas,
                    const struct cs_privacy *p, uint64_t *dropped, struct cs_custom_split *sp)
{
    size_t n_vals = c->n_keys ? c->n_keys : 1;
    if (!sp->vals)
        sp->vals = xcalloc(n_vals, sizeof *sp->vals);
    else
        memset(sp->vals, 0, n_vals * sizeof *sp->vals);
    for (size_t i = 0; i < sp->n_texts; i++)
        xfree(sp->texts[i]);
    sp->n_texts = 0;
    for (int d = 0; d < 2; d++) {
        cJSON_Delete(sp->docs[d]);
        sp->docs[d] = NULL;
    }
    xfree(sp->other);
    sp->other = NULL;
    const char *text[2] = {props, meas};
    /* nearly every event's answers: no cJSON tree (its parse and free were
     * a fifth of the Custom sheet's writer thread at 1M surveys) */
    if (cs_custom_split_fast && split_row_plain(c, text, p, dropped, sp))
        return;
    memset(sp->vals, 0, n_vals * sizeof *sp->vals);
    size_t members = 0;
    for (int d = 0; d < 2; d++) {
        sp->docs[d] = text[d] ? cJSON_Parse(text[d]) : NULL;
        if (sp->docs[d] && !cJSON_IsObject(sp->docs[d])) {
            cJSON_Delete(sp->docs[d]);
            sp->docs[d] = NULL;
        }
        const cJSON *it;
        cJSON_ArrayForEach(it, sp->docs[d]) members++;
    }
    cJSON *other = NULL;
    bool seen_clear = false;
    for (int d = 0; d < 2; d++) {
        const cJSON *it;
        cJSON_ArrayForEach(it, sp->docs[d])
        {
            if (!it->string)
                continue;
            long k = cs_custom_cols_find(c, it->string);
            if (k >= 0) {
                if (sp->vals[k].type != CS_ANSWER_NONE)
                    continue; /* the first wins */
                if (drop_json(p, it)) {
                    if (dropped)
                        (*dropped)++;
                    continue;
                }
                answer_of(sp, it, &sp->vals[k]);
                continue;
            }
            if (!seen_clear) { /* the set, sized for this row's members */
                size_t n = 16;
                while (n < 2 * members)
                    n *= 2;
                if (n > sp->seen_cap) {
                    xfree(sp->seen);
                    sp->seen = xcalloc(n, sizeof *sp->seen);
                    sp->seen_cap = n;
                } else {
                    memset(sp->seen, 0, sp->seen_cap * sizeof *sp->seen);
                }
                seen_clear = true;
            }
            if (!seen_add(sp, it->string))
                continue;
            if (drop_json(p, it)) {
                if (dropped)
                    (*dropped)++;
                continue;
            }
            if (!other)
                other = cJSON_CreateObject();
            cJSON_AddItemToObject(other, it->string, cJSON_Duplicate(it, true));
        }
    }
    if (other) {
        char *t = cJSON_PrintUnformatted(other);
        sp->other = xstrdup(t);
        cJSON_free(t);
        cJSON_Delete(other);
    }
}

void
cs_custom_split_free(struct cs_custom_split *sp)
{
    for (int d = 0; d < 2; d++)
        cJSON_Delete(sp->docs[d]);
    xfree(sp->vals);
    xfree(sp->other);
    xfree(sp->seen);
    xfree(sp->plain);
    for (size_t i = 0; i < sp->n_texts; i++)
        xfree(sp->texts[i]);
    xfree(sp->texts);
    memset(sp, 0, sizeof *sp);
}
