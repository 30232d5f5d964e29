/*
 * core/json_plain.h: the JSON objects ingest stores for custom answers,
 * read without a JSON library (issue 22).  "Plain" is the narrow form
 * event_canon.c and libcjson print for nearly every app's answers: an
 * object with no blanks whose members are strings without escapes or
 * control bytes and whole numbers (-?(0|[1-9][0-9]*), at most 15 digits,
 * no fraction or exponent).  A reader meeting anything else hands the text
 * to its JSON library, which decides what it is: this is a fast path,
 * never a validator.
 */
#ifndef CS_CORE_JSON_PLAIN_H
#define CS_CORE_JSON_PLAIN_H

#include <stdbool.h>
#include <stddef.h>

/* One member, as written: a string's value without its quotes, a
 * number's digits. */
struct cs_plain_member {
    const char *key, *val; /* into the text */
    size_t key_len, val_len;
    bool is_string;
};

/* A reading position in a text of len bytes. */
struct cs_plain_iter {
    const char *p, *end;
    bool started;
    bool escaped_values; /* string values may hold JSON's escapes */
};

/* Start reading t (len bytes; NUL not needed).  escaped_values: string
 * values may also hold JSON's escapes (\" \\ \/ \b \f \n \r \t and \u
 * with four hex digits: what RFC 8259 and SQLite's JSON accept), a
 * member's val then as written, escapes and all: for a reader that needs
 * only the keys, which stay escape-free. */
void cs_plain_begin(struct cs_plain_iter *it, const char *t, size_t len, bool escaped_values);

/* The next member into *m: 1; 0 after the last one (the object closed the
 * text); -1 when the text is not plain (from here on). */
int cs_plain_next(struct cs_plain_iter *it, struct cs_plain_member *m);

#endif
