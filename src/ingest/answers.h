/*
 * ingest/answers.h: the custom answers' JSON object text as stored, read
 * back and filtered for privacy mode (model/privacy.h).
 */
#ifndef CS_INGEST_ANSWERS_H
#define CS_INGEST_ANSWERS_H

#include <stddef.h>

struct cs_privacy;

/* Custom answers as a renderer may show them: the JSON object text json
 * without its free-text members (arrays, objects and text strings), when
 * cs_privacy_drops_text(p); *n_dropped (may be NULL) gets the number of
 * members removed.  Returns owned JSON text (free with xfree), or NULL when
 * nothing is dropped (p NULL, keep_text, json NULL): show json as it is.
 * Text that is not a JSON object gives "{}" (all of it dropped, counted 1). */
char *cs_privacy_answers(const struct cs_privacy *p, const char *json,
                         size_t *n_dropped);

/* Each member of the JSON text json (an object's members; nothing when it
 * is not JSON) that is not null, in order: cb(ctx, key, value) with the key
 * ("" when none) and the value as text: a string's own text, anything else
 * its compact JSON.  Both borrowed for the call. */
typedef void (*cs_answer_cb)(void *ctx, const char *key, const char *value);
void cs_answers_each(const char *json, cs_answer_cb cb, void *ctx);

#endif
