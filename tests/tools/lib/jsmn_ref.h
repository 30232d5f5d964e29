/*
 * tests/tools/lib/jsmn_ref.h: jsmn as Debian ships it (<jsmn.h>, with
 * src/ingest/json_read.c's flags), the reference test_jsmn_skip holds the
 * patched build (mk/jsmn-skip.patch) to.
 */
#ifndef CS_TESTS_JSMN_REF_H
#define CS_TESTS_JSMN_REF_H

#include <stddef.h>

/* One token as plain ints (the two builds' jsmntok_t are different types). */
struct jsmn_ref_tok {
    int type, start, end, size, parent;
};

/* The stock jsmn_parse of js[0..len) into at most cap tokens: its result
 * (a token count or a JSMN_ERROR_*), the parser's final position, next token
 * and enclosing token in *pos, *toknext, *toksuper; the tokens it filled
 * (up to toknext) in out. */
int jsmn_ref_parse(const char *js, size_t len, struct jsmn_ref_tok *out, unsigned cap,
                   unsigned *pos, unsigned *toknext, int *toksuper);

#endif
