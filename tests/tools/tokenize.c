/*
 * tests/tools/tokenize.c FILE: the bare cost of tokenizing a JSON Lines
 * file with jsmn on one core, the floor `make bench` compares ingest with
 * (issue 9: ingest within 3x of it).  Reads the file in 4 MiB blocks,
 * tokenizes every line with the same jsmn build flags as src/ingest/json_read.c
 * (strict, static), and prints "lines tokens seconds".  Nothing is stored
 * or validated.
 */
#define JSMN_STRICT
#define JSMN_STATIC
#include <jsmn_cs.h> /* <jsmn.h> with mk/jsmn-skip.patch (Makefile) */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: tokenize FILE\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    size_t cap = 4u << 20, have = 0;
    char *buf = malloc(cap);
    size_t ntok = 4096;
    jsmntok_t *tok = malloc(ntok * sizeof *tok);
    unsigned long long lines = 0, tokens = 0;
    if (!buf || !tok)
        return 1;
    for (;;) {
        size_t got = fread(buf + have, 1, cap - have, f);
        have += got;
        size_t start = 0;
        for (;;) {
            char *nl = memchr(buf + start, '\n', have - start);
            if (!nl && !(got == 0 && start < have))
                break;
            size_t end = nl ? (size_t)(nl - buf) : have;
            jsmn_parser p;
            for (;;) {
                jsmn_init(&p);
                int r = jsmn_parse(&p, buf + start, end - start, tok, (unsigned)ntok);
                if (r == JSMN_ERROR_NOMEM) {
                    ntok *= 2;
                    tok = realloc(tok, ntok * sizeof *tok);
                    if (!tok)
                        return 1;
                    continue;
                }
                if (r > 0)
                    tokens += (unsigned long long)r;
                break;
            }
            lines++;
            start = end + 1;
            if (!nl)
                break;
        }
        if (got == 0)
            break;
        if (start > have)
            start = have;
        memmove(buf, buf + start, have - start);
        have -= start;
        if (have == cap) { /* a line longer than the buffer: grow */
            cap *= 2;
            buf = realloc(buf, cap);
            if (!buf)
                return 1;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%llu %llu %.3f\n", lines, tokens,
           (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    fclose(f);
    free(buf);
    free(tok);
    return 0;
}
