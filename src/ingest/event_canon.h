/*
 * ingest/event_canon.h: a custom event's answers in canonical form without
 * building a libcjson tree, for the simple objects nearly every app sends.
 *
 * ingest/events.c keeps an event's customDimensions (less its id) and
 * customMeasurements as libcjson prints them with the keys sorted (the
 * store's duplicate key).  Parsing each object into a libcjson tree, sorting
 * and printing it took most of the reading of an event (at 1M surveys,
 * 335k events).  These functions print the same text directly when the
 * object is simple: members of one kind only (strings; integers of at
 * most nine digits), no backslash and no byte below 0x20 in any key or
 * string, nothing around the object but JSON whitespace, at most
 * CS_CANON_MAX members.  Anything else returns false, and the caller
 * takes the libcjson path, which decides what the text is.  Nothing is
 * rejected here.
 */
#ifndef CS_INGEST_EVENT_CANON_H
#define CS_INGEST_EVENT_CANON_H

#include <stdbool.h>
#include <stddef.h>

#define CS_CANON_MAX 64 /* members of an object taken without libcjson */

/* customDimensions text (len bytes) of string members only: *props (owned,
 * free with xfree) the members but the first whose key equals id_key case
 * insensitively (ASCII), sorted by key in byte order (members of equal
 * keys in input order), printed as libcjson's unformatted print prints them;
 * *id / *id_len the removed member's value (borrowed from text; NULL, 0
 * when no member has the key).  False when the object is not simple. */
bool cs_canon_props(const char *text, size_t len, const char *id_key, char **props,
                    const char **id, size_t *id_len);

/* customMeasurements text of integer members only (-?[0-9]{1,9}, no
 * leading zero): *out (owned, free with xfree) the members sorted and
 * printed as above, NULL for an empty object.  False when not simple. */
bool cs_canon_measurements(const char *text, size_t len, char **out);

#endif
