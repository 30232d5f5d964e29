/*
 * render/csvout.c: CSV tables (see csvout.h).  CRLF line ends as RFC 4180
 * and spreadsheet importers expect.
 */
#include "render/csvout.h"

#include "core/buf.h"
#include "core/mem.h"
#include "core/utf8.h"
#include "model/survey.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

/* Hand the buffered bytes to the file (an error is kept by stdio and by
 * af.write_errno, and reported by cs_afile_commit). */
static void
write_out(struct cs_csv *c, const char *p, size_t n)
{
    errno = 0;
    if (n && fwrite(p, 1, n, c->af.fp) != n && !c->af.write_errno)
        c->af.write_errno = errno ? errno : EIO;
}

static void
flush_out(struct cs_csv *c)
{
    write_out(c, c->out, c->n_out);
    c->n_out = 0;
}

static void
put(struct cs_csv *c, const char *p, size_t n)
{
    if (c->n_out + n > sizeof c->out) {
        flush_out(c);
        if (n > sizeof c->out) {
            write_out(c, p, n);
            return;
        }
    }
    memcpy(c->out + c->n_out, p, n);
    c->n_out += n;
}

static void
put_c(struct cs_csv *c, char ch)
{
    if (c->n_out == sizeof c->out)
        flush_out(c);
    c->out[c->n_out++] = ch;
}

/* v in decimal, as printf's %lld writes it */
static void
put_ll(struct cs_csv *c, long long v)
{
    char b[24];
    size_t n = v < 0;
    b[0] = '-';
    n += cs_u64_dec(b + n, v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v);
    put(c, b, n);
}

cs_status
cs_csv_open(struct cs_csv *c, const char *path, bool bom, struct cs_err *err)
{
    memset(c, 0, offsetof(struct cs_csv, out));
    cs_status rc = cs_afile_open(&c->af, path, err);
    if (rc == CS_OK && bom)
        put(c, "\xEF\xBB\xBF", 3); /* Excel on Windows reads UTF-8 only after a BOM */
    return rc;
}

static void
sep(struct cs_csv *c)
{
    if (c->row_open)
        put_c(c, ',');
    c->row_open = true;
}

void
cs_csv_text(struct cs_csv *c, const char *s)
{
    sep(c);
    if (!s)
        return;
    size_t n_bad = 0, n = strlen(s);
    char *clean = cs_utf8_clean(s, n, CS_UTF8_CONTROLS, &n_bad);
    if (clean) {
        c->replaced++;
        s = clean;
        n = strlen(s);
    }
    bool formula = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
                   s[0] == '\t' || s[0] == '\r';
    bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    if (formula)
        c->neutralized++;
    if (!quote) {
        put(c, s, n);
        xfree(clean);
        return;
    }
    put_c(c, '"');
    if (formula)
        put_c(c, '\'');
    for (; *s; s++) {
        if (*s == '"')
            put_c(c, '"');
        put_c(c, *s);
    }
    put_c(c, '"');
    xfree(clean);
}

void
cs_csv_empty(struct cs_csv *c, size_t n)
{
    char commas[256];
    if (n == 0)
        return;
    memset(commas, ',', sizeof commas);
    sep(c);
    for (n--; n > 0;) {
        size_t k = n < sizeof commas ? n : sizeof commas;
        put(c, commas, k);
        n -= k;
    }
}

void
cs_csv_num(struct cs_csv *c, double v)
{
    char buf[32];
    sep(c);
    if (!isfinite(v))
        return;
    if (v == floor(v) && fabs(v) < 1e15) { /* as "%.0f" writes it, -0 too */
        if (v == 0 && signbit(v))
            put(c, "-0", 2);
        else
            put_ll(c, (long long)v);
    } else {
        const char *t = cs_js_number(v, buf); /* shortest round-trip */
        put(c, t, strlen(t));
    }
}

void
cs_csv_int(struct cs_csv *c, long long v)
{
    sep(c);
    put_ll(c, v);
}

void
cs_csv_endrow(struct cs_csv *c)
{
    put(c, "\r\n", 2);
    c->row_open = false;
}

cs_status
cs_csv_close(struct cs_csv *c, struct cs_err *err)
{
    if (c->af.fp)
        flush_out(c);
    return cs_afile_commit(&c->af, err);
}
