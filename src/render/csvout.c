/*
 * render/csvout.c: CSV tables (see csvout.h).  CRLF line ends as RFC 4180
 * and spreadsheet importers expect.
 */
#include "render/csvout.h"

#include "core/mem.h"
#include "core/utf8.h"
#include "model/survey.h"

#include <math.h>
#include <string.h>

cs_status
cs_csv_open(struct cs_csv *c, const char *path, bool bom, struct cs_err *err)
{
    memset(c, 0, sizeof *c);
    cs_status rc = cs_afile_open(&c->af, path, err);
    if (rc == CS_OK && bom)
        fputs("\xEF\xBB\xBF", c->af.fp); /* Excel on Windows reads UTF-8 only after a BOM */
    return rc;
}

static void
sep(struct cs_csv *c)
{
    if (c->row_open)
        fputc(',', c->af.fp);
    c->row_open = true;
}

void
cs_csv_text(struct cs_csv *c, const char *s)
{
    sep(c);
    if (!s)
        return;
    size_t n_bad = 0;
    char *clean = cs_utf8_clean(s, strlen(s), CS_UTF8_CONTROLS, &n_bad);
    if (clean) {
        c->replaced++;
        s = clean;
    }
    bool formula = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' ||
                   s[0] == '\t' || s[0] == '\r';
    bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    if (formula)
        c->neutralized++;
    if (!quote) {
        fputs(s, c->af.fp);
        xfree(clean);
        return;
    }
    fputc('"', c->af.fp);
    if (formula)
        fputc('\'', c->af.fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', c->af.fp);
        fputc(*s, c->af.fp);
    }
    fputc('"', c->af.fp);
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
        fwrite(commas, 1, k, c->af.fp);
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
    if (v == floor(v) && fabs(v) < 1e15)
        fprintf(c->af.fp, "%.0f", v);
    else
        fputs(cs_js_number(v, buf), c->af.fp); /* shortest round-trip */
}

void
cs_csv_int(struct cs_csv *c, long long v)
{
    sep(c);
    fprintf(c->af.fp, "%lld", v);
}

void
cs_csv_endrow(struct cs_csv *c)
{
    fputs("\r\n", c->af.fp);
    c->row_open = false;
}

cs_status
cs_csv_close(struct cs_csv *c, struct cs_err *err)
{
    return cs_afile_commit(&c->af, err);
}
