/*
 * render/xlsx.c: the workbook context of the XLSX renderer (see xlsx.h):
 * opening and atomically closing the file, sheets with valid unique names,
 * the cell writers that clean text and keep NaN out, Excel tables, and the
 * generic table section that templates use for their SQL steps.
 *
 * libxlsxwriter writes a file by name, so the context reserves a unique
 * temporary name beside the output with core/afile (mkstemp), lets
 * libxlsxwriter write there at close, and renames it into place only when
 * workbook_close succeeded; otherwise the temporary file is removed.
 *
 * Constant memory (2026-11, libxlsxwriter 1.1.4): the option is per
 * workbook, but every decision inside the library is taken per worksheet
 * from lxw_worksheet.optimize, copied from the option when the sheet is
 * added.  Clearing that field right after adding a sheet, before any
 * write, gives an ordinary in-memory sheet (tables, charts with cached
 * values, any write order); streamed sheets keep it and are written row by
 * row.  worksheet_add_table refuses constant-memory sheets only because it
 * writes the header cells itself; for streamed sheets we write the header
 * row first and add the table after the last row with the flag briefly
 * cleared (its header writes then land in the unused in-memory table).
 * tests/unit/test_xlsx.c checks the result with openpyxl.
 */
#include "render/xlsx_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "core/utf8.h"
#include "render/xlsx_body.h"
#include "render/xlsx_cells.h"
#include "render/xlsx_tmpfile.h"
#include "render/deflate.h"
#include "model/privacy.h"

/* ---- Private helpers ---------------------------------------------------- */

static const char *const fmt_num[XF__COUNT] = {
    [XF_COUNT] = "#,##0",
    [XF_RATE] = "0.0%",
    [XF_SHARE] = "0.0%", /* one format per kind (issue 18): rates and shares alike */
    [XF_MEAN] = "0.00",
    [XF_NORM] = "0.000",
    [XF_DATETIME] = "yyyy-mm-dd hh:mm:ss",
    [XF_DATE] = "yyyy-mm-dd",
};

static size_t
utf8_encode(long cp, char *o)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static bool
is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* s[i..] starts "_xHHHH_" (Excel's escape form). */
static bool
is_escape_form(const char *s, size_t len, size_t i)
{
    if (i + 7 > len || s[i] != '_' || (s[i + 1] != 'x' && s[i + 1] != 'X'))
        return false;
    for (size_t k = 2; k < 6; k++)
        if (!is_hex(s[i + k]))
            return false;
    return s[i + 6] == '_';
}

static int
ascii_casecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = (unsigned char)*a, cb = (unsigned char)*b;
        if (ca >= 'A' && ca <= 'Z')
            ca += 32;
        if (cb >= 'A' && cb <= 'Z')
            cb += 32;
        if (ca != cb || !ca)
            return ca - cb;
    }
}

/* Cut UTF-8 text s after at most max_units UTF-16 units. */
static void
utf8_cut_units(char *s, size_t max_units)
{
    size_t units = 0, i = 0, len = strlen(s);
    while (i < len) {
        size_t adv;
        long cp = cs_utf8_decode((const unsigned char *)s + i, len - i, &adv);
        size_t u = cp > 0xFFFF ? 2 : 1;
        if (units + u > max_units)
            break;
        units += u;
        i += adv;
    }
    s[i] = '\0';
}

static size_t
utf8_units(const char *s)
{
    size_t units = 0, i = 0, len = strlen(s);
    while (i < len) {
        size_t adv;
        long cp = cs_utf8_decode((const unsigned char *)s + i, len - i, &adv);
        units += cp > 0xFFFF ? 2 : 1;
        i += adv;
    }
    return units;
}

static void
note_width(struct xl_sheet *sh, lxw_col_t c, size_t chars)
{
    if (c >= sh->n_width) {
        size_t n = sh->n_width ? sh->n_width : 16;
        while (n <= c)
            n *= 2;
        sh->width = xreallocarray(sh->width, n, sizeof *sh->width);
        memset(sh->width + sh->n_width, 0, (n - sh->n_width) * sizeof *sh->width);
        sh->n_width = n;
    }
    if (chars > CS_XLSX_MAX_WIDTH)
        chars = CS_XLSX_MAX_WIDTH;
    if (chars > sh->width[c])
        sh->width[c] = (uint16_t)chars;
}

/* Digits of v */
static size_t
digits(uint64_t v)
{
    size_t n = 1;
    for (; v >= 10; v /= 10)
        n++;
    return n;
}

size_t
xl_num_chars(double v, enum xl_fmt f)
{
    char b[64];
    /* a whole number below 10^10 prints as its digits in "%.0f" and
     * "%.10g" alike: counted without printf (issue 22: the Custom sheet's
     * 1.3 million scores at 1M surveys were 0.2 s of the writer thread) */
    bool whole = fabs(v) < 1e10 && v == floor(v);
    switch (f) {
    case XF_COUNT: {
        int n = whole ? (int)digits((uint64_t)fabs(v)) : snprintf(b, sizeof b, "%.0f", fabs(v));
        return (size_t)n + (size_t)(n - 1) / 3 + (v < 0);
    }
    case XF_RATE:
    case XF_SHARE: /* both 0.0% (fmt_num) */
        return (size_t)snprintf(b, sizeof b, "%.1f%%", 100 * v);
    case XF_MEAN:
        return (size_t)snprintf(b, sizeof b, "%.2f", v);
    case XF_NORM:
        return (size_t)snprintf(b, sizeof b, "%.3f", v);
    case XF_DATETIME:
        return 19;
    case XF_DATE:
        return 10;
    default:
        if (whole)
            return digits((uint64_t)fabs(v)) + (signbit(v) != 0);
        return (size_t)snprintf(b, sizeof b, "%.10g", v);
    }
}

static lxw_format *
fmt(struct cs_xlsx *x, enum xl_fmt f)
{
    return f > XF_NONE && f < XF__COUNT ? x->fmt[f] : NULL;
}

/* ---- Errors --------------------------------------------------------------- */

void
xl_check(struct cs_xlsx *x, lxw_error e, const char *what,
         const struct xl_sheet *sh, lxw_row_t r, lxw_col_t c)
{
    if (e == LXW_NO_ERROR || x->lerr != LXW_NO_ERROR)
        return;
    x->lerr = e;
    if (sh) {
        char cell[32];
        lxw_rowcol_to_cell(cell, r, c);
        snprintf(x->lerr_where, sizeof x->lerr_where, "%s!%s (%s)", sh->name,
                 cell, what);
    } else
        snprintf(x->lerr_where, sizeof x->lerr_where, "%s", what);
}

cs_status
xl_status(struct cs_xlsx *x, struct cs_err *err)
{
    if (x->lerr == LXW_NO_ERROR)
        return CS_OK;
    return cs_fail(err, CS_E_RENDER, x->lerr_where, "libxlsxwriter: %s",
                   lxw_strerror(x->lerr));
}

/* ---- Text ----------------------------------------------------------------- */

static void
buf_reserve(struct cs_xlsx *x, size_t n)
{
    if (n <= x->buf_cap)
        return;
    x->buf_cap = n + n / 2;
    x->buf = xrealloc(x->buf, x->buf_cap);
}

const char *
xl_clean(struct cs_xlsx *x, const char *s, size_t len, unsigned flags,
         size_t max_units, size_t *out_chars)
{
    if (!s)
        s = "";
    if (len == SIZE_MAX)
        len = strlen(s);
    /* output bytes: at most 4 per unit kept, plus one escape */
    size_t cap = len * 3 < max_units * 4 ? len * 3 : max_units * 4;
    buf_reserve(x, cap + 16);
    bool replaced = false, truncated = false;
    size_t units = 0, chars = 0, o = 0, i = 0;
    while (i < len) {
        /* fast path: a run of printable ASCII other than '_' is copied as it
         * is (one unit and one character a byte) */
        size_t run = 0, room = max_units - units;
        while (run < room && i + run < len) {
            unsigned char b = (unsigned char)s[i + run];
            if (b < 0x20 || b >= 0x7F || b == '_')
                break;
            run++;
        }
        if (run) {
            if (o + run + 16 > x->buf_cap)
                buf_reserve(x, o + run + 16 + (len - i - run) * 3 / 2);
            memcpy(x->buf + o, s + i, run);
            o += run;
            i += run;
            units += run;
            chars += run;
            continue;
        }
        size_t adv;
        long cp = cs_utf8_decode((const unsigned char *)s + i, len - i, &adv);
        if (cp < 0) {
            cp = 0xFFFD;
            replaced = true;
        } else if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
                   (cp >= 0x7F && cp <= 0x9F) || cp == 0xFFFE || cp == 0xFFFF) {
            cp = 0xFFFD;
            replaced = true;
        }
        if ((flags & XL_ONELINE) && (cp == '\t' || cp == '\n' || cp == '\r'))
            cp = ' ';
        bool esc = !(flags & XL_NOESCAPE) && cp == '_' && is_escape_form(s, len, i);
        /* the escape replaces the underscore: "_x005F_" reads as "_" */
        size_t need = esc ? 7 : cp > 0xFFFF ? 2
                                            : 1;
        if (units + need > max_units) {
            truncated = true;
            break;
        }
        if (o + 16 > x->buf_cap)
            buf_reserve(x, o + 16 + (len - i) * 3 / 2);
        if (esc) {
            memcpy(x->buf + o, "_x005F_", 7);
            o += 7;
        } else
            o += utf8_encode(cp, x->buf + o);
        units += need;
        chars++;
        i += adv;
    }
    x->buf[o] = '\0';
    if ((flags & (XL_COUNT | XL_COUNT_REPLACED)) && replaced)
        x->n_replaced++;
    if ((flags & XL_COUNT) && truncated)
        x->n_truncated++;
    if (out_chars)
        *out_chars = chars;
    return x->buf;
}

char *
xl_chart_text(struct cs_xlsx *x, const char *s)
{
    const char *c = xl_clean(x, s, SIZE_MAX, XL_ONELINE | XL_NOESCAPE, 255, NULL);
    return c[0] == '=' ? xasprintf(" %s", c) : xstrdup(c);
}

char *
cs_xlsx_sheet_name(const char *name, char *out, size_t n)
{
    size_t o = 0, units = 0, len = name ? strlen(name) : 0;
    for (size_t i = 0; i < len;) {
        size_t adv;
        long cp = cs_utf8_decode((const unsigned char *)name + i, len - i, &adv);
        i += adv;
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xFFFE || cp == 0xFFFF)
            continue; /* invalid or control: dropped */
        if (cp > 0 && cp < 0x80 && strchr("[]:*?/\\", (int)cp))
            cp = '_'; /* (strchr looks at (char)cp only: U+015B is no '[') */
        else if (cp == '\'')
            cp = 0x2019; /* Excel forbids a leading or trailing apostrophe, and
                            formulas would need it doubled */
        size_t u = cp > 0xFFFF ? 2 : 1;
        if (units + u > 31 || o + 5 > n)
            break;
        if (o == 0 && cp == ' ')
            continue;
        o += utf8_encode(cp, out + o);
        units += u;
    }
    while (o > 0 && out[o - 1] == ' ')
        o--;
    out[o] = '\0';
    if (o == 0)
        snprintf(out, n, "Sheet");
    else if (ascii_casecmp(out, "History") == 0)
        snprintf(out, n, "History_"); /* reserved by Excel */
    return out;
}

/* ---- Sheets --------------------------------------------------------------- */

static bool
name_taken(const struct cs_xlsx *x, const char *name)
{
    for (size_t i = 0; i < x->n_sheets; i++)
        if (ascii_casecmp(x->sheets[i]->name, name) == 0)
            return true;
    return false;
}

const char *
xl_sec_name(const struct cs_xlsx_input *in, const char *def)
{
    return in && in->sheet_name && *in->sheet_name ? in->sheet_name : def;
}

const char *
xl_sec_desc(const struct cs_xlsx_input *in, const char *def_desc, char *buf, size_t n)
{
    const char *t = in && in->step_title && *in->step_title ? in->step_title : NULL;
    const char *note = in && in->step_note && *in->step_note ? in->step_note : NULL;
    snprintf(buf, n, "%s%s%s%s%s", t ? t : "", t ? ": " : "", def_desc, note ? " " : "",
             note ? note : "");
    return buf;
}

struct xl_sheet *
xl_sheet_add(struct cs_xlsx *x, const char *name, bool streamed, const char *desc)
{
    if (x->lerr)
        return NULL;
    char base[128], nm[128];
    cs_xlsx_sheet_name(name, base, sizeof base);
    snprintf(nm, sizeof nm, "%s", base);
    for (unsigned k = 2; name_taken(x, nm); k++) {
        char suffix[16];
        int sl = snprintf(suffix, sizeof suffix, " (%u)", k);
        snprintf(nm, sizeof nm, "%s", base);
        utf8_cut_units(nm, 31 - (size_t)sl);
        strcat(nm, suffix);
    }
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, nm);
    if (!ws) {
        xl_check(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "workbook_add_worksheet", NULL, 0, 0);
        snprintf(x->lerr_where, sizeof x->lerr_where, "sheet '%s'", nm);
        return NULL;
    }
    if (!streamed)
        ws->optimize = 0; /* see the file comment */
    if (x->n_sheets == x->cap_sheets) {
        x->cap_sheets = x->cap_sheets ? 2 * x->cap_sheets : 16;
        x->sheets = xreallocarray(x->sheets, x->cap_sheets, sizeof *x->sheets);
    }
    /* one allocation per sheet: pointers to sheets stay valid */
    struct xl_sheet *sh = xcalloc(1, sizeof *sh);
    sh->index = x->n_sheets;
    x->sheets[x->n_sheets++] = sh;
    sh->ws = ws;
    snprintf(sh->name, sizeof sh->name, "%s", nm);
    sh->desc = xstrdup(desc ? desc : "");
    sh->streamed = streamed;
    return sh;
}

size_t
xl_sheet_index(const struct cs_xlsx *x, const struct xl_sheet *sh)
{
    (void)x;
    return sh->index;
}

void
xl_sheet_finish(struct cs_xlsx *x, struct xl_sheet *sh)
{
    for (size_t c = 0; c < sh->n_width; c++) {
        if (!sh->width[c])
            continue;
        /* libxlsxwriter stores width + 0.71 (Excel's padding): cap below */
        double w = sh->width[c] + 1.5;
        if (w > CS_XLSX_MAX_WIDTH - 1)
            w = CS_XLSX_MAX_WIDTH - 1;
        xl_check(x, worksheet_set_column(sh->ws, (lxw_col_t)c, (lxw_col_t)c, w, NULL),
                 "worksheet_set_column", sh, 0, (lxw_col_t)c);
    }
}

/* ---- Cells ---------------------------------------------------------------- */

/* Characters a wrapped line holds in a column at the width cap (a little
 * under it: a proportional font). */
#define WRAP_CHARS (CS_XLSX_MAX_WIDTH - 6)

/* Row r holds wrapped text of `lines` lines: its height, at least what an
 * earlier cell of the row needed.  Excel fits such rows when it opens the
 * file, LibreOffice does not: without a height its lines overlap the next
 * rows. */
static void
wrap_height(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r, size_t lines)
{
    if (sh->streamed || lines <= 1 || (sh->wrap_row == r + 1 && lines <= sh->wrap_lines))
        return;
    xl_check(x, worksheet_set_row(sh->ws, r, 15.0 * (double)lines, NULL), "worksheet_set_row",
             sh, r, 0);
    sh->wrap_row = r + 1;
    sh->wrap_lines = lines;
}

void
xl_text(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r, lxw_col_t c,
        const char *s, size_t len, enum xl_fmt f)
{
    if (x->lerr || !s || (len == SIZE_MAX ? !*s : len == 0))
        return;
    /* plain text of a streamed sheet as it is, nothing to clean (issue 22) */
    lxw_error e;
    size_t chars = len == SIZE_MAX ? strlen(s) : len;
    if (sh->cells && f != XF_WRAP && xl_cells_plain(sh->cells, r, c, s, chars, fmt(x, f), &e)) {
        xl_check(x, e, "worksheet_write_string", sh, r, c);
        note_width(sh, c, chars);
        return;
    }
    const char *t = xl_clean(x, s, chars, XL_COUNT, CS_XLSX_MAX_CELL_CHARS, &chars);
    if (!*t)
        return;
    /* worksheet_write_string: always a string, never parsed as a formula */
    xl_check(x,
             sh->cells ? xl_cells_string(sh->cells, r, c, t, fmt(x, f))
                       : worksheet_write_string(sh->ws, r, c, t, fmt(x, f)),
             "worksheet_write_string", sh, r, c);
    /* wrapped text: the width of its longest line is what shows */
    if (f == XF_WRAP || strchr(t, '\n')) {
        size_t best = 0, cur = 0, lines = 0;
        for (const char *p = t;; p++) {
            if (*p == '\n' || !*p) {
                lines += 1 + (cur ? (cur - 1) / WRAP_CHARS : 0);
                if (!*p)
                    break;
                cur = 0;
                continue;
            }
            if (((unsigned char)*p & 0xC0) != 0x80 && ++cur > best)
                best = cur;
        }
        chars = best;
        if (f == XF_WRAP)
            wrap_height(x, sh, r, lines);
    }
    note_width(sh, c, chars);
}

void
xl_title(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r, lxw_col_t c, const char *s,
         enum xl_fmt f)
{
    if (x->lerr || !s || !*s)
        return;
    const char *t = xl_clean(x, s, SIZE_MAX, XL_COUNT, CS_XLSX_MAX_CELL_CHARS, NULL);
    if (*t)
        xl_check(x, worksheet_write_string(sh->ws, r, c, t, fmt(x, f)),
                 "worksheet_write_string", sh, r, c);
    /* no note_width: a title overflows into the empty cells to its right */
}

void
xl_id(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r, lxw_col_t c, const char *s)
{
    char buf[CS_PRIVACY_HEX + 1];
    xl_text(x, sh, r, c, cs_privacy_show_id(x->privacy, s, buf), SIZE_MAX, XF_NONE);
}

void
xl_num(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r, lxw_col_t c,
       double v, enum xl_fmt f)
{
    if (x->lerr)
        return;
    if (!isfinite(v)) {
        /* Excel cannot store NaN/Inf: an empty cell, keeping the format
         * (worksheet_write_blank without a format writes nothing) */
        if (fmt(x, f))
            xl_check(x,
                     sh->cells ? xl_cells_blank(sh->cells, r, c, fmt(x, f))
                               : worksheet_write_blank(sh->ws, r, c, fmt(x, f)),
                     "worksheet_write_blank", sh, r, c);
        return;
    }
    if (v == 0)
        v = 0; /* -0 shows as 0 */
    xl_check(x,
             sh->cells ? xl_cells_number(sh->cells, r, c, v, fmt(x, f))
                       : worksheet_write_number(sh->ws, r, c, v, fmt(x, f)),
             "worksheet_write_number", sh, r, c);
    note_width(sh, c, xl_num_chars(v, f));
}

void
xl_count(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r, lxw_col_t c, uint64_t v)
{
    xl_num(x, sh, r, c, (double)v, XF_COUNT);
}

void
xl_bool(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r, lxw_col_t c, bool v)
{
    if (x->lerr)
        return;
    xl_check(x,
             sh->cells ? xl_cells_boolean(sh->cells, r, c, v, NULL)
                       : worksheet_write_boolean(sh->ws, r, c, v, NULL),
             "worksheet_write_boolean", sh, r, c);
    note_width(sh, c, 5);
}

void
xl_time(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r, lxw_col_t c, int64_t time_us)
{
    /* Excel serial date: days since 1899-12-30; 1970-01-01 is 25569 */
    xl_num(x, sh, r, c, (double)time_us / 86400e6 + 25569.0, XF_DATETIME);
}

void
xl_day(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r, lxw_col_t c, int64_t day)
{
    xl_num(x, sh, r, c, (double)day + 25569.0, XF_DATE);
}

void
xl_link(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r, lxw_col_t c,
        const struct xl_sheet *target)
{
    if (x->lerr)
        return;
    /* sheet names hold no apostrophe (cs_xlsx_sheet_name), so quoting is
     * just the two quotes */
    char url[192];
    snprintf(url, sizeof url, "internal:'%s'!A1", target->name);
    xl_check(x, worksheet_write_url_opt(sh->ws, r, c, url, fmt(x, XF_LINK), target->name, NULL),
             "worksheet_write_url", sh, r, c);
    note_width(sh, c, utf8_units(target->name));
}

void
xl_late(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r, lxw_col_t c, enum xl_late_what what)
{
    if (x->n_late < sizeof x->late / sizeof *x->late)
        x->late[x->n_late++] = (struct xl_late){xl_sheet_index(x, sh), r, c, what};
}

/* ---- Tables --------------------------------------------------------------- */

/* A set of names compared ASCII-case-insensitively (Excel's rule for
 * table column names), open addressing: headers can have 16,384 columns,
 * too many for comparing each name with all the others. */
struct name_set {
    char **slot; /* borrowed names; NULL = empty */
    size_t mask;
};

static uint64_t
fold_hash(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 'A' && c <= 'Z')
            c += 32;
        h = (h ^ c) * 1099511628211u;
    }
    return h;
}

static bool
name_set_has(const struct name_set *ns, const char *s)
{
    for (size_t i = fold_hash(s) & ns->mask; ns->slot[i]; i = (i + 1) & ns->mask)
        if (ascii_casecmp(ns->slot[i], s) == 0)
            return true;
    return false;
}

static void
name_set_add(struct name_set *ns, char *s)
{
    size_t i = fold_hash(s) & ns->mask;
    while (ns->slot[i])
        i = (i + 1) & ns->mask;
    ns->slot[i] = s;
}

char **
xl_header(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r, lxw_col_t c0,
          const char *const *names, size_t n)
{
    char **out = xcalloc(n ? n : 1, sizeof *out);
    struct name_set ns = {0};
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    ns.slot = xcalloc(cap, sizeof *ns.slot);
    ns.mask = cap - 1;
    for (size_t i = 0; i < n; i++) {
        const char *t = xl_clean(x, names[i], SIZE_MAX, XL_ONELINE | XL_COUNT, 255, NULL);
        char base[1100];
        snprintf(base, sizeof base, "%s", *t ? t : "Column");
        /* Excel table column names are unique, case-insensitively */
        char *nm = xstrdup(base);
        for (unsigned k = 2; name_set_has(&ns, nm); k++) {
            xfree(nm);
            char suffix[16];
            int sl = snprintf(suffix, sizeof suffix, " (%u)", k);
            char cut[1100];
            snprintf(cut, sizeof cut, "%s", base);
            utf8_cut_units(cut, 255 - (size_t)sl);
            nm = xasprintf("%s%s", cut, suffix);
        }
        out[i] = nm;
        name_set_add(&ns, nm);
        if (!x->lerr)
            xl_check(x, worksheet_write_string(sh->ws, r, (lxw_col_t)(c0 + i), nm, NULL),
                     "worksheet_write_string", sh, r, (lxw_col_t)(c0 + i));
        /* + room for the filter button */
        note_width(sh, (lxw_col_t)(c0 + i), utf8_units(nm) + 3);
    }
    xfree(ns.slot);
    return out;
}

void
xl_names_free(char **names, size_t n)
{
    if (!names)
        return;
    for (size_t i = 0; i < n; i++)
        xfree(names[i]);
    xfree(names);
}

void
xl_table(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r0, lxw_col_t c0,
         lxw_row_t r1, char **names, size_t n)
{
    if (x->lerr || n == 0)
        return;
    if (r1 <= r0)
        r1 = r0 + 1; /* Excel tables need a data row: an empty one */
    lxw_table_column *cols = xcalloc(n, sizeof *cols);
    lxw_table_column **ptrs = xcalloc(n + 1, sizeof *ptrs);
    for (size_t i = 0; i < n; i++) {
        cols[i].header = names[i];
        ptrs[i] = &cols[i];
    }
    lxw_table_options o = {.columns = ptrs};
    if (sh->head_row == 0)
        sh->head_row = (uint32_t)r0 + 1;
    uint8_t saved = sh->ws->optimize;
    sh->ws->optimize = 0; /* see the file comment */
    xl_check(x, worksheet_add_table(sh->ws, r0, c0, r1, (lxw_col_t)(c0 + n - 1), &o),
             "worksheet_add_table", sh, r0, c0);
    sh->ws->optimize = saved;
    xfree(ptrs);
    xfree(cols);
}

/* ---- Public API ----------------------------------------------------------- */

static void
ctx_free(struct cs_xlsx *x)
{
    for (size_t i = 0; i < x->n_sheets; i++) {
        xl_cells_discard(x->sheets[i]->cells);
        xfree(x->sheets[i]->desc);
        xfree(x->sheets[i]->width);
        xfree(x->sheets[i]);
    }
    xfree(x->sheets);
    xl_bodies_free(x->bodies);
    xfree(x->buf);
    xfree(x->tool_version);
    xfree(x->tmpdir);
    xfree(x);
}

cs_status
cs_xlsx_open(const char *path, const struct cs_xlsx_opts *opts,
             struct cs_xlsx **out, struct cs_err *err)
{
    *out = NULL;
    struct cs_xlsx_opts o = {0};
    if (opts)
        o = *opts;
    struct cs_xlsx *x = xcalloc(1, sizeof *x);
    if (cs_afile_open(&x->af, path, err)) {
        xfree(x);
        return CS_E_IO;
    }
    if (o.tmpdir)
        x->tmpdir = xstrdup(o.tmpdir);
    else {
        const char *slash = strrchr(path, '/');
        x->tmpdir = slash ? xstrndup(path, (size_t)(slash - path) + 1) : xstrdup(".");
    }
    x->tool_version = xstrdup(o.tool_version ? o.tool_version : "callsurvey");
    x->run_time_s = o.run_time_s;
    x->lib_cells = o.lib_cells;
    x->bodies = xl_bodies_new(x->tmpdir);
    x->rows_per_sheet = o.rows_per_sheet >= 2 && o.rows_per_sheet <= CS_XLSX_MAX_ROWS
                            ? o.rows_per_sheet
                            : CS_XLSX_MAX_ROWS;
    lxw_workbook_options wo = {.constant_memory = LXW_TRUE, .tmpdir = x->tmpdir, .use_zip64 = o.use_zip64 ? LXW_TRUE : LXW_FALSE};
    xl_tmpfile_reset();
    x->wb = workbook_new_opt(x->af.tmp, &wo);
    if (!x->wb) {
        cs_afile_abort(&x->af);
        ctx_free(x);
        return cs_fail(err, CS_E_RENDER, path, "libxlsxwriter could not start a workbook");
    }
    /* A fixed creation time makes the file byte-identical run to run.
     * libxlsxwriter 1.1.4 reads created == 0 as "now", so the epoch itself
     * (SOURCE_DATE_EPOCH=0) is written one second later. */
    lxw_doc_properties props = {
        .title = "Call survey report",
        .author = "callsurvey",
        .created = (time_t)(o.run_time_s > 0 ? o.run_time_s : 1),
    };
    xl_check(x, workbook_set_properties(x->wb, &props), "workbook_set_properties",
             NULL, 0, 0);
    for (int f = XF_NONE + 1; f < XF__COUNT; f++) {
        lxw_format *F = workbook_add_format(x->wb);
        if (fmt_num[f])
            format_set_num_format(F, fmt_num[f]);
        x->fmt[f] = F;
    }
    format_set_bold(x->fmt[XF_TITLE]);
    format_set_font_size(x->fmt[XF_TITLE], 14);
    format_set_bold(x->fmt[XF_BOLD]);
    /* labels beside wrapped text (About's definitions) stay on its first line */
    format_set_align(x->fmt[XF_BOLD], LXW_ALIGN_VERTICAL_TOP);
    format_set_underline(x->fmt[XF_LINK], LXW_UNDERLINE_SINGLE);
    format_set_font_color(x->fmt[XF_LINK], LXW_COLOR_BLUE);
    format_set_text_wrap(x->fmt[XF_WRAP]);
    format_set_align(x->fmt[XF_WRAP], LXW_ALIGN_VERTICAL_TOP);
    *out = x;
    return CS_OK;
}

void
cs_xlsx_abort(struct cs_xlsx **xp)
{
    if (!xp || !*xp)
        return;
    struct cs_xlsx *x = *xp;
    lxw_workbook_free(x->wb); /* frees without writing the file */
    cs_afile_abort(&x->af);
    ctx_free(x);
    *xp = NULL;
}

static bool
lxw_is_io(lxw_error e)
{
    switch (e) {
    case LXW_ERROR_CREATING_XLSX_FILE:
    case LXW_ERROR_CREATING_TMPFILE:
    case LXW_ERROR_READING_TMPFILE:
    case LXW_ERROR_ZIP_FILE_OPERATION:
    case LXW_ERROR_ZIP_PARAMETER_ERROR:
    case LXW_ERROR_ZIP_BAD_ZIP_FILE:
    case LXW_ERROR_ZIP_INTERNAL_ERROR:
    case LXW_ERROR_ZIP_FILE_ADD:
    case LXW_ERROR_ZIP_CLOSE:
        return true;
    default:
        return false;
    }
}

cs_status
cs_xlsx_close(struct cs_xlsx **xp, struct cs_err *err)
{
    if (!xp || !*xp)
        return cs_fail(err, CS_E_INTERNAL, NULL, "cs_xlsx_close: no workbook");
    struct cs_xlsx *x = *xp;
    if (x->about_in && !x->lerr) {
        cs_status rc = xl_about_write(x, err);
        if (rc) {
            cs_xlsx_abort(xp);
            return rc;
        }
    }
    for (size_t i = 0; i < x->n_late; i++) {
        struct xl_late *l = &x->late[i];
        struct xl_sheet *sh = x->sheets[l->sheet];
        xl_count(x, sh, l->row, l->col,
                 l->what == XL_LATE_REPLACED    ? x->n_replaced
                 : l->what == XL_LATE_TRUNCATED ? x->n_truncated
                                                : x->n_text_dropped);
    }
    for (size_t i = 0; i < x->n_sheets; i++)
        if (!x->sheets[i]->streamed)
            xl_sheet_finish(x, x->sheets[i]);
    for (size_t i = 0; i < x->n_sheets; i++)
        xl_print_setup(x, x->sheets[i]);
    cs_status rc = xl_status(x, err);
    if (rc) {
        cs_xlsx_abort(xp);
        return rc;
    }
    if (x->n_sheets == 0) /* an empty workbook is not a valid file */
        xl_sheet_add(x, "Sheet", false, NULL);
    errno = 0;
    cs_deflate_xlsx_begin();                  /* igzip, on every core: render/deflate.h */
    xl_bodies_splice_begin(x->bodies, x->wb); /* the streamed rows: render/xlsx_body.h */
    lxw_error e = workbook_close(x->wb);      /* frees the workbook */
    int saved_errno = errno;
    size_t lost = xl_bodies_splice_end(x->bodies);
    cs_deflate_xlsx_end();
    x->wb = NULL;
    /* a failed write to one of its temporary files, which libxlsxwriter
     * does not notice itself (render/xlsx_tmpfile.c) */
    int tmp_errno = xl_tmpfile_errno();
    if (e == LXW_NO_ERROR && !tmp_errno && !lost) {
        rc = cs_afile_commit(&x->af, err);
        ctx_free(x);
        *xp = NULL;
        return rc;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s", x->af.path);
    cs_afile_abort(&x->af);
    ctx_free(x);
    *xp = NULL;
    if (e == LXW_NO_ERROR && tmp_errno)
        return cs_fail(err, CS_E_IO, path, "cannot write the workbook: temporary file: %s",
                       strerror(tmp_errno));
    if (e == LXW_NO_ERROR) /* cannot happen: render/xlsx_body.h */
        return cs_fail(err, CS_E_INTERNAL, path,
                       "cannot write the workbook: the rows of %zu streamed sheet(s) did not "
                       "reach it (render/xlsx_body.c)",
                       lost);
    if (lxw_is_io(e)) {
        /* libxlsxwriter's messages end with a period; drop it before
         * the errno text ("...xlsx file: No space left on device") */
        const char *m = lxw_strerror(e);
        int mlen = (int)strlen(m);
        if (saved_errno && mlen > 0 && m[mlen - 1] == '.')
            mlen--;
        return cs_fail(err, CS_E_IO, path, "cannot write the workbook: %.*s%s%s", mlen, m,
                       saved_errno ? ": " : "", saved_errno ? strerror(saved_errno) : "");
    }
    return cs_fail(err, CS_E_RENDER, path, "libxlsxwriter: %s", lxw_strerror(e));
}

void
cs_xlsx_get_stats(const struct cs_xlsx *x, struct cs_xlsx_stats *st)
{
    memset(st, 0, sizeof *st);
    st->sheets = x->n_sheets;
    st->cells_replaced = x->n_replaced;
    st->cells_truncated = x->n_truncated;
    st->text_dropped = x->n_text_dropped;
    st->data_rows = x->data_rows;
    st->data_sheets = x->data_sheets;
}

/* ---- Generic table section -------------------------------------------- */

static enum xl_fmt
fmt_for(struct cs_xlsx *x, const char *f, lxw_format **custom)
{
    *custom = NULL;
    if (!f || !*f)
        return XF_NONE;
    for (int i = 0; i < XF__COUNT; i++)
        if (fmt_num[i] && strcmp(fmt_num[i], f) == 0)
            return (enum xl_fmt)i;
    /* a template's own format: one more workbook format */
    lxw_format *F = workbook_add_format(x->wb);
    format_set_num_format(F, f);
    *custom = F;
    return XF_NONE;
}

cs_status
cs_xlsx_table(struct cs_xlsx *x, const struct cs_xlsx_table_spec *t,
              struct cs_err *err)
{
    if (!t || t->n_cols == 0 || t->n_cols > 16384 || !t->columns)
        return cs_fail(err, CS_E_USAGE, t && t->title ? t->title : NULL,
                       "a table needs between 1 and 16,384 columns");
    if (t->n_rows >= CS_XLSX_MAX_ROWS)
        return cs_fail(err, CS_E_USAGE, t->title,
                       "%zu rows do not fit on one sheet (at most %u)", t->n_rows,
                       CS_XLSX_MAX_ROWS - 1);
    if (t->n_rows && !t->cells)
        return cs_fail(err, CS_E_USAGE, t->title, "rows without cells");
    const struct cs_xlsx_chart_spec *cs = t->chart;
    if (cs && cs->kind != CS_XLSX_CHART_NONE) {
        if (cs->category_col >= t->n_cols || cs->n_value_cols == 0 || !cs->value_cols)
            return cs_fail(err, CS_E_USAGE, t->title, "chart columns out of range");
        for (size_t i = 0; i < cs->n_value_cols; i++)
            if (cs->value_cols[i] >= t->n_cols)
                return cs_fail(err, CS_E_USAGE, t->title,
                               "chart column %zu out of range (the table has %zu)",
                               cs->value_cols[i], t->n_cols);
    }
    struct xl_sheet *sh = xl_sheet_add(x, t->title, false, t->title);
    if (!sh)
        return xl_status(x, err);
    char **names = xl_header(x, sh, 0, 0, t->columns, t->n_cols);
    enum xl_fmt *ff = xcalloc(t->n_cols, sizeof *ff);
    lxw_format **custom = xcalloc(t->n_cols, sizeof *custom);
    for (size_t c = 0; c < t->n_cols; c++)
        ff[c] = fmt_for(x, t->num_formats ? t->num_formats[c] : NULL, &custom[c]);
    for (size_t r = 0; r < t->n_rows && !x->lerr; r++)
        for (size_t c = 0; c < t->n_cols; c++) {
            const struct cs_xlsx_cell *cell = &t->cells[r * t->n_cols + c];
            lxw_row_t row = (lxw_row_t)(r + 1);
            if (cell->type == CS_XLSX_TEXT)
                xl_text(x, sh, row, (lxw_col_t)c, cell->text, SIZE_MAX, XF_NONE);
            else if (cell->type == CS_XLSX_NUMBER && custom[c] && isfinite(cell->num)) {
                xl_check(x, worksheet_write_number(sh->ws, row, (lxw_col_t)c, cell->num, custom[c]),
                         "worksheet_write_number", sh, row, (lxw_col_t)c);
                note_width(sh, (lxw_col_t)c, xl_num_chars(cell->num, XF_MEAN) + 2);
            } else if (cell->type == CS_XLSX_NUMBER)
                xl_num(x, sh, row, (lxw_col_t)c, cell->num, ff[c]);
        }
    xl_table(x, sh, 0, 0, (lxw_row_t)t->n_rows, names, t->n_cols);
    worksheet_freeze_panes(sh->ws, 1, 0);
    if (t->has_verdict_col && t->verdict_col < t->n_cols && t->n_rows > 0)
        xl_verdict_formats(x, sh, 1, (lxw_row_t)t->n_rows, (lxw_col_t)t->verdict_col);
    if (cs && cs->kind != CS_XLSX_CHART_NONE && t->n_rows > 0) {
        lxw_col_t *vc = xcalloc(cs->n_value_cols, sizeof *vc);
        for (size_t i = 0; i < cs->n_value_cols; i++)
            vc[i] = (lxw_col_t)cs->value_cols[i];
        struct xl_anchor at = {.row = 1, .col = (lxw_col_t)(t->n_cols + 1)};
        xl_chart(x, sh, cs->kind, 0, (lxw_row_t)t->n_rows, (lxw_col_t)cs->category_col, vc,
                 cs->n_value_cols, cs->title ? cs->title : t->title, cs->value_format, &at);
        xfree(vc);
    }
    xl_names_free(names, t->n_cols);
    xfree(ff);
    xfree(custom);
    return xl_status(x, err);
}
