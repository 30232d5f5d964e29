/*
 * tests/tools/lib/jsmn_ref.c: see jsmn_ref.h.
 */
#define JSMN_STRICT
#define JSMN_STATIC
#define JSMN_PARENT_LINKS
#include <jsmn.h>

#include <stdlib.h>

#include "jsmn_ref.h"

int
jsmn_ref_parse(const char *js, size_t len, struct jsmn_ref_tok *out, unsigned cap,
               unsigned *pos, unsigned *toknext, int *toksuper)
{
    jsmntok_t *t = calloc(cap ? cap : 1, sizeof *t);
    if (!t)
        abort();
    jsmn_parser p;
    jsmn_init(&p);
    int r = jsmn_parse(&p, js, len, t, cap);
    *pos = p.pos;
    *toknext = p.toknext;
    *toksuper = p.toksuper;
    for (unsigned i = 0; i < p.toknext && i < cap; i++)
        out[i] = (struct jsmn_ref_tok){t[i].type, t[i].start, t[i].end, t[i].size, t[i].parent};
    free(t);
    return r;
}
