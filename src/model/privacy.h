/*
 * model/privacy.h: privacy mode (--pseudonymize KEYFILE, --keep-text).
 *
 * Participant ids, call ids and survey ids become keyed pseudonyms:
 *
 *     pseudonym(id) = lower-case hex of HMAC-SHA-256(key, normalize(id)),
 *                     cut to its first CS_PRIVACY_HEX (32) digits (128 bits)
 *
 * where key is the key file's exact bytes (no newline is stripped) and
 * normalize() is how the store compares ids: ASCII white space trimmed at
 * both ends, ASCII letters lower-cased (GUIDs compare case-insensitively).
 * The same id gives the same pseudonym in every output, run and command
 * that uses the same key, so joins, counts and cross-file lookups still
 * work; without the key a pseudonym cannot be turned back into the id (or
 * checked against a guessed id).  An empty id stays empty.
 *
 * Free text is dropped unless keep_text: a custom-question answer is text
 * when it is a string that is neither a number ("4", "-2.5e1") nor a
 * boolean ("true"/"false", any case); arrays and objects count as text.
 * Rejected records' raw text is always dropped (it holds ids that cannot
 * be found reliably in a record that failed to parse).
 *
 * The only user of nettle.  No state beyond the key: every function is
 * safe to call from several threads on the same struct.
 */
#ifndef CS_MODEL_PRIVACY_H
#define CS_MODEL_PRIVACY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

#define CS_PRIVACY_HEX 32              /* hex digits of a pseudonym (128 bits) */
#define CS_PRIVACY_KEY_MIN 16          /* shortest key file accepted, bytes */
#define CS_PRIVACY_KEY_MAX (64 * 1024) /* longest key file accepted, bytes */

struct cs_privacy {
    unsigned char *key; /* owned: the key file's bytes */
    size_t key_len;     /* CS_PRIVACY_KEY_MIN .. CS_PRIVACY_KEY_MAX */
    char key_name[256]; /* the key file's name, without its directory (for
                             About); never the key */
    bool keep_text;     /* --keep-text: free-text answers are kept */
};

/* Read the key from key_path.  Returns owned privacy settings in *out (free
 * with cs_privacy_free).  Errors, where = "--pseudonymize":
 *   CS_E_IO     the file is missing, unreadable or a directory;
 *   CS_E_USAGE  it is empty, shorter than CS_PRIVACY_KEY_MIN bytes or
 *               longer than CS_PRIVACY_KEY_MAX (the message says how to
 *               make a good one). */
cs_status cs_privacy_load(const char *key_path, bool keep_text,
                          struct cs_privacy **out, struct cs_err *err);

/* The same from key bytes in memory (borrowed; copied).  key_name: borrowed,
 * shown in About.  Errors as above (CS_E_USAGE). */
cs_status cs_privacy_from_key(const void *key, size_t key_len, const char *key_name,
                              bool keep_text, struct cs_privacy **out,
                              struct cs_err *err);

/* Free; *p becomes NULL.  The key bytes are wiped first.  NULL is a no-op. */
void cs_privacy_free(struct cs_privacy **p);

/* Pseudonym of the id s (len bytes; SIZE_MAX = strlen) into out, which
 * holds CS_PRIVACY_HEX + 1 bytes.  An id that is empty after trimming
 * gives "".  Returns out. */
char *cs_privacy_id(const struct cs_privacy *p, const char *s, size_t len,
                    char out[CS_PRIVACY_HEX + 1]);

/* What a renderer writes for an id: s itself when p is NULL (privacy mode
 * off) or s is NULL or empty, else its pseudonym in buf.  Returns s or buf. */
const char *cs_privacy_show_id(const struct cs_privacy *p, const char *s,
                               char buf[CS_PRIVACY_HEX + 1]);

/* True when the string value s (len bytes) is free text: not empty, not a
 * decimal number, not true/false (surrounding spaces ignored). */
bool cs_privacy_is_text(const char *s, size_t len);

/* True when privacy mode drops free text (p set and not keep_text). */
bool cs_privacy_drops_text(const struct cs_privacy *p);


/* One line for About and summary.json: what was done, e.g. "participant,
 * call and survey ids replaced by HMAC-SHA-256 pseudonyms (32 hex digits,
 * key file keys/report.key); free-text answers dropped".  Returns owned
 * text (xfree); NULL p gives NULL. */
char *cs_privacy_describe(const struct cs_privacy *p);

#endif
