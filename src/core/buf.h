/*
 * core/buf.h: the one growable text buffer of callsurvey.  A buffer starts
 * zeroed (struct cs_buf b = {0}); appends grow it through the x-allocators
 * (out of memory ends the program, core/mem.h); the text is always
 * NUL-terminated once anything was appended.  The buffer owns its text
 * until cs_buf_take hands it to the caller.
 */
#ifndef CS_BUF_H
#define CS_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct cs_buf {
    char *s;    /* owned text, NUL-terminated; NULL before the first append */
    size_t n;   /* bytes of text, without the NUL */
    size_t cap; /* bytes allocated */
};

/* Room for n more bytes (and the NUL) at the end: returns where they go.
 * A writer fills k <= n of them and calls cs_buf_commit(b, k). */
char *cs_buf_reserve(struct cs_buf *b, size_t n);
void cs_buf_commit(struct cs_buf *b, size_t k);
/* Empty the buffer, keeping its memory (text "" once allocated). */
void cs_buf_clear(struct cs_buf *b);
/* Append n bytes of s (borrowed; may hold any byte but NUL). */
void cs_buf_add(struct cs_buf *b, const char *s, size_t n);
/* Append a C string. */
void cs_buf_puts(struct cs_buf *b, const char *s);
/* Append printf-formatted text. */
void cs_buf_printf(struct cs_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cs_buf_vprintf(struct cs_buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Append s (UTF-8, borrowed) left-aligned in a column of `width`
 * characters: spaces follow it up to that many code points (none when it is
 * wider).  printf's %-16s counts bytes, so "1–5, poor ≤ 2" came out short. */
void cs_buf_pad(struct cs_buf *b, const char *s, size_t width);
/* v with "," thousands separators ("2,177") into buf (at least 32 bytes);
 * returns buf. */
char *cs_thousands(uint64_t v, char *buf);
/* v in decimal at out (room for 20 bytes; no NUL written); its length.
 * The one digit loop of the writers that avoid printf on hot paths (the
 * workbook's cells, the CSV tables, the generator). */
size_t cs_u64_dec(char *out, uint64_t v);
/* cs_u64_dec's digits appended to b. */
void cs_buf_u64(struct cs_buf *b, uint64_t v);
/* The text, owned by the caller (free with xfree); "" for an empty buffer.
 * The buffer is empty again afterwards. */
char *cs_buf_take(struct cs_buf *b);
/* Free the text; the buffer is empty again. */
void cs_buf_free(struct cs_buf *b);

#endif
