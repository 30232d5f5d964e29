/*
 * core/utf8.h: strict UTF-8 checks and cleaning for text that leaves the
 * program (JSON, CSV, the --rejects file, the terminal).
 *
 * Strict means RFC 3629: no overlong forms, no surrogates (U+D800..DFFF),
 * nothing above U+10FFFF.  Cleaning replaces each byte that does not
 * begin a valid sequence by one U+FFFD and goes on with the next byte, so
 * a valid sequence after garbage is kept.
 */
#ifndef CS_CORE_UTF8_H
#define CS_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Decode one sequence at s (n >= 1 bytes left).  Returns the code point and
 * sets *adv to its length, or returns -1 for an invalid sequence (*adv = 1). */
long cs_utf8_decode(const unsigned char *s, size_t n, size_t *adv);

/* Flags of cs_utf8_clean. */
#define CS_UTF8_CONTROLS 1u  /* also replace control characters: C0 but tab, LF
                               and CR, DEL, C1 */
#define CS_UTF8_NO_BREAKS 2u /* with CS_UTF8_CONTROLS: LF and CR too (one line) */
#define CS_UTF8_NO_CR 4u     /* with CS_UTF8_CONTROLS: CR too, LF kept (terminal
                                text: a CR would let text overwrite a line) */

/* True when s (len bytes) is valid UTF-8 and, with CS_UTF8_CONTROLS, holds
 * no control character the flags replace. */
bool cs_utf8_clean_already(const char *s, size_t len, unsigned flags);

/* s (len bytes) with invalid sequences (and, per flags, control
 * characters) replaced by U+FFFD.  Returns owned text (free with xfree),
 * or NULL when s needs no change: use s as it is.  *n_replaced (may be
 * NULL) gets the number of replacements. */
char *cs_utf8_clean(const char *s, size_t len, unsigned flags, size_t *n_replaced);

#endif
