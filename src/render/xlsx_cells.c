/*
 * render/xlsx_cells.c: see xlsx_cells.h.
 *
 * A row's cells are formatted as they come, each into the row's text with
 * its place kept per column (libxlsxwriter keeps one cell per column and
 * writes them in column order, a later write replacing an earlier one);
 * a finished row goes into an output buffer written to the sheet's
 * temporary file 256 KB at a time.  The byte-for-byte references are
 * libxlsxwriter 1.1.4's worksheet.c (_write_row, _write_cell,
 * _write_number_cell, _write_inline_string_cell, _check_dimensions,
 * worksheet_write_*) and xmlwriter.c (lxw_escape_data,
 * lxw_escape_control_characters, whose lxw_has_control_characters test is
 * always true, so every string goes through it).
 */
#include "render/xlsx_cells.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/buf.h"
#include "core/mem.h"
#include "render/xlsx_body.h"

#define OUT_FLUSH (256u * 1024u)

/* worksheet.c's limit on a string's characters (not in its headers) */
#define STR_MAX 32767

struct slot {
    size_t off, len; /* the cell's XML in the row's text; len 0: none */
};

struct xl_cells {
    lxw_worksheet *ws; /* borrowed */
    lxw_row_t row;     /* the current row (libxlsxwriter's optimize_row) */
    char rownum[16];   /* its number as written, 1-based */
    size_t rownum_len;
    bool dirty;        /* it has cells */
    struct slot *slot; /* owned: per column */
    size_t n_slot;
    lxw_col_t cmin, cmax; /* columns set in the current row */
    char *cell;           /* owned: the row's cells' XML */
    size_t n_cell, cap_cell;
    char *out; /* owned: rows not yet written to the file */
    size_t n_out, cap_out;
    struct xl_body *body; /* the rows' destination, NULL: the sheet's file */
};

/* ---- numbers -------------------------------------------------------------- */

static const uint64_t pow10u[] = {1ull,
                                  10ull,
                                  100ull,
                                  1000ull,
                                  10000ull,
                                  100000ull,
                                  1000000ull,
                                  10000000ull,
                                  100000000ull,
                                  1000000000ull,
                                  10000000000ull,
                                  100000000000ull,
                                  1000000000000ull,
                                  10000000000000ull,
                                  100000000000000ull,
                                  1000000000000000ull,
                                  10000000000000000ull};

/* a * b as a 128-bit hi:lo pair (32-bit limbs) */
static void
mul64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
    uint64_t al = a & 0xffffffffu, ah = a >> 32, bl = b & 0xffffffffu, bh = b >> 32;
    uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
    *lo = (mid << 32) | (ll & 0xffffffffu);
    *hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
}

/* a in [1, 1e15), not an integer: "%.16G" exactly.  a = m / 2^sh; with k
 * fraction digits, D = a * 10^k rounded half to even (printf's rounding
 * in the default mode) comes from the exact product m * 10^k: m < 2^53,
 * 10^k < 2^50, sh < 64, and D < 10^16. */
static size_t
dbl_mid(char *o, double a)
{
    int e;
    double fr = frexp(a, &e); /* a = fr * 2^e, fr in [0.5, 1), e in [1, 50] */
    uint64_t m = (uint64_t)ldexp(fr, 53);
    int sh = 53 - e; /* 3..52 */
    uint64_t ip = m >> sh;
    int X = 0; /* the decimal exponent: digits of the integer part - 1 */
    while (X < 15 && ip >= pow10u[X + 1])
        X++;
    int k = 15 - X; /* fraction digits of 16 significant */
    uint64_t hi, lo;
    mul64(m, pow10u[k], &hi, &lo);
    uint64_t D = (hi << (64 - sh)) | (lo >> sh);
    uint64_t rem = lo & ((UINT64_C(1) << sh) - 1), half = UINT64_C(1) << (sh - 1);
    if (rem > half || (rem == half && (D & 1)))
        D++;
    if (D == pow10u[16]) { /* rounded up to the next power of ten */
        D = pow10u[15];
        k--;
    }
    uint64_t ipart = D / pow10u[k], frac = D % pow10u[k];
    size_t n = cs_u64_dec(o, ipart);
    if (frac) {
        int digits = k;
        while (frac % 10 == 0) {
            frac /= 10;
            digits--;
        }
        o[n++] = '.';
        char t[24];
        size_t fl = cs_u64_dec(t, frac);
        for (size_t z = fl; z < (size_t)digits; z++)
            o[n++] = '0';
        memcpy(o + n, t, fl);
        n += fl;
    }
    return n;
}

size_t
xl_cells_dbl(char *out, double v)
{
    double a = fabs(v);
    if (isfinite(v) && a < 1e15 && (a == 0 || a >= 1)) {
        size_t n = 0;
        if (signbit(v))
            out[n++] = '-';
        if (a == floor(a))
            n += cs_u64_dec(out + n, (uint64_t)a);
        else
            n += dbl_mid(out + n, a);
        out[n] = '\0';
        return n;
    }
    int n = snprintf(out, 32, "%.16G", v);
    return n > 0 ? (size_t)n : 0;
}

/* ---- buffers -------------------------------------------------------------- */

static char *
reserve(char **b, size_t *n, size_t *cap, size_t more)
{
    if (*n + more > *cap) {
        size_t c = *cap ? *cap : 4096;
        while (c < *n + more)
            c *= 2;
        *b = xrealloc(*b, c);
        *cap = c;
    }
    return *b + *n;
}

static void
out_flush(struct xl_cells *c)
{
    if (c->n_out && c->body)
        xl_body_write(c->body, c->out, c->n_out); /* errors: xlsx_body.h */
    else if (c->n_out)
        (void)fwrite(c->out, 1, c->n_out, c->ws->file); /* errors: xlsx_tmpfile.h */
    c->n_out = 0;
}

/* <row r="N">, the cells in column order, </row> */
static void
row_flush(struct xl_cells *c)
{
    if (!c->dirty)
        return;
    size_t need = 16 + c->rownum_len + 6 + c->n_cell;
    char *o = reserve(&c->out, &c->n_out, &c->cap_out, need);
    size_t n = 0;
    memcpy(o, "<row r=\"", 8);
    n += 8;
    memcpy(o + n, c->rownum, c->rownum_len);
    n += c->rownum_len;
    memcpy(o + n, "\">", 2);
    n += 2;
    for (lxw_col_t k = c->cmin; k <= c->cmax; k++) {
        struct slot *s = &c->slot[k];
        if (!s->len)
            continue;
        memcpy(o + n, c->cell + s->off, s->len);
        n += s->len;
        s->len = 0;
    }
    memcpy(o + n, "</row>", 6);
    c->n_out += n + 6;
    c->n_cell = 0;
    c->dirty = false;
    if (c->n_out >= OUT_FLUSH)
        out_flush(c);
}

/* _check_dimensions and _get_row: the row may not go back; a later row
 * ends the current one. */
static lxw_error
dims(struct xl_cells *c, lxw_row_t row, lxw_col_t col)
{
    lxw_worksheet *ws = c->ws;
    if (row >= LXW_ROW_MAX || col >= LXW_COL_MAX || row < c->row)
        return LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE;
    if (row < ws->dim_rowmin)
        ws->dim_rowmin = row;
    if (row > ws->dim_rowmax)
        ws->dim_rowmax = row;
    if (col < ws->dim_colmin)
        ws->dim_colmin = col;
    if (col > ws->dim_colmax)
        ws->dim_colmax = col;
    return LXW_NO_ERROR;
}

static void
to_row(struct xl_cells *c, lxw_row_t row)
{
    if (row == c->row && c->rownum_len)
        return;
    row_flush(c);
    c->row = row;
    c->rownum_len = cs_u64_dec(c->rownum, (uint64_t)row + 1);
}

/* _write_cell's style: the cell's format, else the column's */
static int32_t
style(const struct xl_cells *c, lxw_col_t col, lxw_format *f)
{
    if (f)
        return lxw_format_get_xf_index(f);
    const lxw_worksheet *ws = c->ws;
    if (col < ws->col_formats_max && ws->col_formats[col])
        return lxw_format_get_xf_index(ws->col_formats[col]);
    return 0;
}

/* Start cell col of the current row: '<c r="A7"' and, with a style,
 * ' s="N"'; at most `more` bytes follow. */
static char *
cell_open(struct xl_cells *c, lxw_col_t col, int32_t st, size_t more, size_t *n)
{
    if (col >= c->n_slot) {
        size_t ns = c->n_slot ? c->n_slot : 64;
        while (ns <= col)
            ns *= 2;
        c->slot = xreallocarray(c->slot, ns, sizeof *c->slot);
        memset(c->slot + c->n_slot, 0, (ns - c->n_slot) * sizeof *c->slot);
        c->n_slot = ns;
    }
    if (!c->dirty) {
        c->cmin = c->cmax = col;
        c->dirty = true;
    } else if (col < c->cmin)
        c->cmin = col;
    else if (col > c->cmax)
        c->cmax = col;
    char *o = reserve(&c->cell, &c->n_cell, &c->cap_cell, 48 + c->rownum_len + more);
    c->slot[col].off = c->n_cell;
    size_t k = 0;
    memcpy(o, "<c r=\"", 6);
    k = 6;
    char name[4];
    size_t nl = 0;
    for (unsigned v = (unsigned)col + 1; v; v = (v - 1) / 26)
        name[nl++] = (char)('A' + (v - 1) % 26);
    while (nl)
        o[k++] = name[--nl];
    memcpy(o + k, c->rownum, c->rownum_len);
    k += c->rownum_len;
    o[k++] = '"';
    if (st) {
        memcpy(o + k, " s=\"", 4);
        k += 4;
        k += cs_u64_dec(o + k, (uint64_t)st);
        o[k++] = '"';
    }
    *n = k;
    return o;
}

static void
cell_close(struct xl_cells *c, lxw_col_t col, size_t n)
{
    c->n_cell += n;
    c->slot[col].len = c->n_cell - c->slot[col].off;
}

/* ---- the calls ------------------------------------------------------------ */

struct xl_cells *
xl_cells_begin(lxw_worksheet *ws, struct xl_bodies *bodies)
{
    if (!ws || !ws->optimize || !ws->optimize_row || !ws->file ||
        ws->excel_version == 2010 || ws->default_row_height != LXW_DEF_ROW_HEIGHT)
        return NULL;
    lxw_worksheet_write_single_row(ws);
    struct xl_cells *c = xcalloc(1, sizeof *c);
    c->ws = ws;
    c->row = ws->optimize_row->row_num;
    c->body = xl_body_open(bodies, ws);
    return c;
}

void
xl_cells_discard(struct xl_cells *c)
{
    if (!c)
        return;
    xfree(c->slot);
    xfree(c->cell);
    xfree(c->out);
    xfree(c);
}

void
xl_cells_end(struct xl_cells *c)
{
    if (!c)
        return;
    row_flush(c);
    out_flush(c);
    xl_body_close(c->body); /* the set keeps it for workbook_close */
    c->ws->optimize_row->row_num = c->row;
    xl_cells_discard(c);
}

/* The checks, the row and the cell's opening (cell_open); NULL with *e
 * set when the checks fail. */
static char *
cell_begin(struct xl_cells *c, lxw_row_t row, lxw_col_t col, lxw_format *f, size_t more,
           size_t *n, lxw_error *e)
{
    *e = dims(c, row, col);
    if (*e)
        return NULL;
    to_row(c, row);
    return cell_open(c, col, style(c, col, f), more, n);
}

lxw_error
xl_cells_number(struct xl_cells *c, lxw_row_t row, lxw_col_t col, double v, lxw_format *f)
{
    lxw_error e;
    size_t n;
    char *o = cell_begin(c, row, col, f, 48, &n, &e);
    if (!o)
        return e;
    memcpy(o + n, "><v>", 4);
    n += 4;
    n += xl_cells_dbl(o + n, v);
    memcpy(o + n, "</v></c>", 8);
    cell_close(c, col, n + 8);
    return LXW_NO_ERROR;
}

lxw_error
xl_cells_boolean(struct xl_cells *c, lxw_row_t row, lxw_col_t col, int v, lxw_format *f)
{
    lxw_error e;
    size_t n;
    char *o = cell_begin(c, row, col, f, 24, &n, &e);
    if (!o)
        return e;
    const char *t = v ? " t=\"b\"><v>1</v></c>" : " t=\"b\"><v>0</v></c>";
    memcpy(o + n, t, 19);
    cell_close(c, col, n + 19);
    return LXW_NO_ERROR;
}

lxw_error
xl_cells_blank(struct xl_cells *c, lxw_row_t row, lxw_col_t col, lxw_format *f)
{
    if (!f)
        return LXW_NO_ERROR;
    lxw_error e;
    size_t n;
    char *o = cell_begin(c, row, col, f, 2, &n, &e);
    if (!o)
        return e;
    memcpy(o + n, "/>", 2);
    cell_close(c, col, n + 2);
    return LXW_NO_ERROR;
}

/* Escape s as lxw_escape_control_characters then lxw_escape_data do (the
 * first escapes 0x01-0x08 and 0x0B-0x1F as _xHHHH_, the second & < >) into
 * o; returns the length. */
static size_t
escape(char *o, const unsigned char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char b = s[i];
        if (b < 0x20 && b != '\t' && b != '\n') {
            static const char hex[] = "0123456789ABCDEF";
            memcpy(o + n, "_x00", 4);
            o[n + 4] = hex[b >> 4];
            o[n + 5] = hex[b & 15];
            o[n + 6] = '_';
            n += 7;
        } else if (b == '&') {
            memcpy(o + n, "&amp;", 5);
            n += 5;
        } else if (b == '<') {
            memcpy(o + n, "&lt;", 4);
            n += 4;
        } else if (b == '>') {
            memcpy(o + n, "&gt;", 4);
            n += 4;
        } else
            o[n++] = (char)b;
    }
    return n;
}

/* isspace() in the C locale, of a byte left as it is by escape() */
static bool
c_space(unsigned char b)
{
    return b == ' ' || b == '\t' || b == '\n';
}

/* Is byte b kept as it is by xl_clean and escape()?  Printable ASCII but
 * '_' (the _xHHHH_ form), '&', '<' and '>'. */
static bool
plain_byte(unsigned char b)
{
    return b >= 0x20 && b <= 0x7E && b != '_' && b != '&' && b != '<' && b != '>';
}

/* Are the len bytes at u all plain_byte()?  16 at a time with SSE2 (a
 * byte-at-a-time test was 0.14 s of 4M ids at 1M surveys). */
static bool
plain_bytes(const unsigned char *u, size_t len)
{
    size_t i = 0;
#ifdef __SSE2__
    const __m128i lo = _mm_set1_epi8(0x1F), hi = _mm_set1_epi8(0x7F);
    const __m128i us = _mm_set1_epi8('_'), amp = _mm_set1_epi8('&');
    const __m128i lt = _mm_set1_epi8('<'), gt = _mm_set1_epi8('>');
    for (; i + 16 <= len; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(u + i));
        /* signed: bytes of 0x80 and up are negative, not above 0x1F */
        __m128i ok = _mm_and_si128(_mm_cmpgt_epi8(v, lo), _mm_cmplt_epi8(v, hi));
        __m128i bad = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, us), _mm_cmpeq_epi8(v, amp)),
                                   _mm_or_si128(_mm_cmpeq_epi8(v, lt), _mm_cmpeq_epi8(v, gt)));
        if (_mm_movemask_epi8(_mm_andnot_si128(bad, ok)) != 0xFFFF)
            return false;
    }
#endif
    for (; i < len; i++)
        if (!plain_byte(u[i]))
            return false;
    return true;
}

bool
xl_cells_plain(struct xl_cells *c, lxw_row_t row, lxw_col_t col, const char *s, size_t len,
               lxw_format *f, lxw_error *e)
{
    const unsigned char *u = (const unsigned char *)s;
    if (len == 0 || len > STR_MAX || u[0] == ' ' || u[len - 1] == ' ' || !plain_bytes(u, len))
        return false;
    if ((*e = dims(c, row, col)) != LXW_NO_ERROR)
        return true;
    to_row(c, row);
    size_t n;
    char *o = cell_open(c, col, style(c, col, f), 64 + len, &n);
    static const char open_plain[] = " t=\"inlineStr\"><is><t>";
    memcpy(o + n, open_plain, sizeof open_plain - 1);
    n += sizeof open_plain - 1;
    memcpy(o + n, s, len);
    n += len;
    memcpy(o + n, "</t></is></c>", 13);
    cell_close(c, col, n + 13);
    return true;
}

lxw_error
xl_cells_string(struct xl_cells *c, lxw_row_t row, lxw_col_t col, const char *s,
                lxw_format *f)
{
    if (!s || !*s)
        return xl_cells_blank(c, row, col, f);
    lxw_error e = dims(c, row, col);
    if (e)
        return e;
    size_t len = strlen(s), chars = 0;
    for (size_t i = 0; i < len; i++)
        chars += ((unsigned char)s[i] & 0xC0) != 0x80;
    if (chars > STR_MAX)
        return LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED;
    to_row(c, row);
    size_t n;
    char *o = cell_open(c, col, style(c, col, f), 64 + 7 * len, &n);
    /* the escaped text starts and ends as s does unless escaped, and an
     * escape starts with '_' or '&' and ends with '_' or ';' */
    const unsigned char *u = (const unsigned char *)s;
    bool keep = c_space(u[0]) || c_space(u[len - 1]);
    static const char open_keep[] = " t=\"inlineStr\"><is><t xml:space=\"preserve\">";
    static const char open_plain[] = " t=\"inlineStr\"><is><t>";
    const char *op = keep ? open_keep : open_plain;
    size_t ol = keep ? sizeof open_keep - 1 : sizeof open_plain - 1;
    memcpy(o + n, op, ol);
    n += ol;
    n += escape(o + n, u, len);
    memcpy(o + n, "</t></is></c>", 13);
    cell_close(c, col, n + 13);
    return LXW_NO_ERROR;
}
