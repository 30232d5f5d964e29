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

#endif
