/*
 * render/pdf_doc.c: paged PDF documents (see pdf_doc.h).  Part of the chart
 * module: it shares chart_draw.h's text helpers, so document text and chart
 * text use the same font, options and colours.
 *
 * Layout happens into recording surfaces, one per page; pdf_doc_close
 * replays them onto the PDF surface, adding what needs the page count
 * (footers "Page N of M", the contents page with its links, the outline).
 */
#include "render/pdf_doc.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/afile.h"
#include "core/mem.h"
#include "render/chart_draw.h"

#define M_SIDE 50.0   /* left and right margins, points (17.6 mm) */
#define M_TOP 64.0    /* top of the text column */
#define M_BOTTOM 58.0 /* bottom margin under the text column */
#define HEAD_Y 30.0   /* running header baseline area */
#define GAP 8.0

struct page {
    cairo_surface_t *rec; /* owned recording surface; NULL for contents */
};

struct stash {
    char *name;           /* owned */
    cairo_surface_t *rec; /* owned */
    double w, h;
};

struct entry {
    int level;  /* 0 or 1 */
    char *text; /* owned */
    int page;   /* 1-based */
    double y;   /* top of the heading on its page */
};

struct pdf_doc {
    struct cs_afile af;
    int sink_errno;
    double pw, ph;
    char *title, *period, *subject, *creator, *date; /* owned */
    struct page *pages;
    size_t n_pages;
    int contents; /* 1-based page of the contents, 0 = none */
    cairo_t *cr;  /* current page, NULL when none is open */
    struct rc rc;
    double y;   /* layout cursor on the current page */
    bool dirty; /* the current page has content */
    struct stash *stash;
    size_t n_stash;
    struct entry *entries;
    size_t n_entries;
    struct cs_err first;
};

bool
pdf_paper_parse(const char *s, enum pdf_paper *out)
{
    if (s && strcasecmp(s, "a4") == 0)
        *out = PDF_PAPER_A4;
    else if (s && strcasecmp(s, "letter") == 0)
        *out = PDF_PAPER_LETTER;
    else
        return false;
    return true;
}

static cairo_status_t
doc_write(void *closure, const unsigned char *data, unsigned int len)
{
    struct pdf_doc *d = closure;
    if (d->sink_errno)
        return CAIRO_STATUS_WRITE_ERROR;
    if (len > 0 && fwrite(data, 1, len, d->af.fp) != len) {
        d->sink_errno = errno ? errno : EIO;
        return CAIRO_STATUS_WRITE_ERROR;
    }
    return CAIRO_STATUS_SUCCESS;
}

static void
doc_fail_cairo(struct pdf_doc *d, cairo_status_t st)
{
    if (st == CAIRO_STATUS_SUCCESS || d->first.code != CS_OK)
        return;
    if (st == CAIRO_STATUS_WRITE_ERROR && d->sink_errno)
        cs_fail(&d->first, CS_E_IO, d->af.path, "write failed: %s", strerror(d->sink_errno));
    else
        cs_fail(&d->first, CS_E_RENDER, d->af.path, "cairo: %s", cairo_status_to_string(st));
}

static char *
dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

cs_status
pdf_doc_open(const char *path, enum pdf_paper paper, const struct pdf_doc_meta *meta,
             struct pdf_doc **out, struct cs_err *err)
{
    *out = NULL;
    if (path == NULL || meta == NULL || meta->title == NULL)
        return cs_fail(err, CS_E_USAGE, path, "no PDF path or title");
    struct pdf_doc *d = xcalloc(1, sizeof *d);
    cs_status rc = cs_afile_open(&d->af, path, err);
    if (rc != CS_OK) {
        xfree(d);
        return rc;
    }
    d->pw = paper == PDF_PAPER_LETTER ? 612 : 595.2756;
    d->ph = paper == PDF_PAPER_LETTER ? 792 : 841.8898;
    d->title = xstrdup(meta->title);
    d->period = dup_or_null(meta->period);
    d->subject = dup_or_null(meta->subject);
    d->creator = xstrdup(meta->creator ? meta->creator : "callsurvey");
    d->date = dup_or_null(meta->date);
    cs_err_clear(&d->first);
    *out = d;
    return CS_OK;
}

void
pdf_doc_set_creator(struct pdf_doc *d, const char *creator)
{
    xfree(d->creator);
    d->creator = xstrdup(creator ? creator : "callsurvey");
}

double
pdf_doc_column_width(const struct pdf_doc *d)
{
    return d->pw - 2 * M_SIDE;
}

static double
bottom(const struct pdf_doc *d)
{
    return d->ph - M_BOTTOM;
}

double
pdf_doc_space_left(const struct pdf_doc *d)
{
    return d->cr ? bottom(d) - d->y : bottom(d) - M_TOP;
}

static void
page_end(struct pdf_doc *d)
{
    if (!d->cr)
        return;
    chart_rc_close(&d->rc);
    doc_fail_cairo(d, cairo_status(d->cr));
    cairo_destroy(d->cr);
    d->cr = NULL;
}

static void
page_begin(struct pdf_doc *d)
{
    cairo_rectangle_t ext = {0, 0, d->pw, d->ph};
    cairo_surface_t *rec = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &ext);
    d->pages = xreallocarray(d->pages, d->n_pages + 1, sizeof *d->pages);
    d->pages[d->n_pages++].rec = rec;
    d->cr = cairo_create(rec);
    chart_rc_open(&d->rc, d->cr, d->pw, d->ph);
    d->y = M_TOP;
    d->dirty = false;
}

void
pdf_doc_new_page(struct pdf_doc *d)
{
    if (d->cr && !d->dirty)
        return;
    page_end(d);
    page_begin(d);
}

/* a page with room for h more points (a new one unless the page is empty) */
static void
ensure(struct pdf_doc *d, double h)
{
    if (!d->cr)
        page_begin(d);
    else if (d->dirty && d->y + h > bottom(d))
        pdf_doc_new_page(d);
    d->dirty = true;
}

void
pdf_doc_contents_page(struct pdf_doc *d)
{
    pdf_doc_new_page(d);
    d->contents = (int)d->n_pages;
    d->dirty = true;
    pdf_doc_new_page(d);
}

int
pdf_doc_page_count(const struct pdf_doc *d)
{
    return (int)d->n_pages - (d->cr && !d->dirty ? 1 : 0);
}

cs_status
pdf_doc_stash_chart(struct pdf_doc *d, const char *name, const struct chart_spec *spec,
                    double w, double h, struct cs_err *err)
{
    if (d->first.code != CS_OK) {
        if (err)
            *err = d->first;
        return d->first.code;
    }
    cairo_rectangle_t ext = {0, 0, w, h};
    cairo_surface_t *rec = cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &ext);
    cairo_t *cr = cairo_create(rec);
    struct cs_err e;
    cs_err_clear(&e);
    cs_status rc = chart_draw(cr, spec, w, h, &e);
    cairo_destroy(cr);
    if (rc != CS_OK) {
        cairo_surface_destroy(rec);
        d->first = e;
        if (err)
            *err = e;
        return rc;
    }
    for (size_t i = 0; i < d->n_stash; i++)
        if (strcmp(d->stash[i].name, name) == 0) {
            cairo_surface_destroy(d->stash[i].rec);
            d->stash[i] = (struct stash){d->stash[i].name, rec, w, h};
            return CS_OK;
        }
    d->stash = xreallocarray(d->stash, d->n_stash + 1, sizeof *d->stash);
    d->stash[d->n_stash++] = (struct stash){xstrdup(name), rec, w, h};
    return CS_OK;
}

static const struct stash *
find_stash(const struct pdf_doc *d, const char *name)
{
    for (size_t i = 0; name && i < d->n_stash; i++)
        if (strcmp(d->stash[i].name, name) == 0)
            return &d->stash[i];
    return NULL;
}

bool
pdf_doc_has_chart(const struct pdf_doc *d, const char *name)
{
    return find_stash(d, name) != NULL;
}

void
pdf_doc_skip(struct pdf_doc *d, double pt)
{
    if (d->cr && d->dirty)
        d->y += pt;
}

static const struct rgb INK = {0.1, 0.1, 0.1};
static const struct rgb GREY = {0.4, 0.4, 0.4};

void
pdf_doc_text(struct pdf_doc *d, const char *text, double size, bool bold, bool grey)
{
    if (!d->cr)
        page_begin(d);
    PangoLayout *l = chart_text_layout(&d->rc, text, size, bold, pdf_doc_column_width(d), 40,
                                       PANGO_ALIGN_LEFT);
    double h;
    chart_text_size(l, NULL, &h);
    ensure(d, h);
    chart_text_show(&d->rc, l, M_SIDE, d->y, grey ? GREY : INK, false);
    g_object_unref(l);
    d->y += h + size * 0.35;
}

void
pdf_doc_heading(struct pdf_doc *d, int level, const char *text, double keep)
{
    static const double sizes[3] = {15, 12, 10.5};
    int lv = level < 0 ? 0 : level > 2 ? 2
                                       : level;
    if (!d->cr)
        page_begin(d);
    PangoLayout *l = chart_text_layout(&d->rc, text, sizes[lv], true, pdf_doc_column_width(d), 3,
                                       PANGO_ALIGN_LEFT);
    double h;
    chart_text_size(l, NULL, &h);
    if (d->dirty)
        d->y += lv == 0 ? 6 : 3;
    ensure(d, h + keep);
    if (lv < 2) {
        d->entries = xreallocarray(d->entries, d->n_entries + 1, sizeof *d->entries);
        d->entries[d->n_entries++] = (struct entry){lv, xstrdup(text), (int)d->n_pages, d->y};
    }
    chart_text_show(&d->rc, l, M_SIDE, d->y, INK, false);
    g_object_unref(l);
    d->y += h + 4;
    if (lv == 0) {
        cairo_set_source_rgb(d->cr, 0.6, 0.6, 0.6);
        cairo_set_line_width(d->cr, 0.6);
        cairo_move_to(d->cr, M_SIDE, d->y);
        cairo_line_to(d->cr, d->pw - M_SIDE, d->y);
        cairo_stroke(d->cr);
        d->y += 6;
    }
}

/* digits with separators, a sign, %, "pts", ranges: right-aligned */
static bool
looks_numeric(const char *s)
{
    if (!s || !*s)
        return false;
    const unsigned char *p = (const unsigned char *)s;
    bool digit = false;
    for (; *p; p++) {
        if (*p >= '0' && *p <= '9')
            digit = true;
        else if (strchr(" .,%+-<>*()", *p) || *p >= 0x80)
            continue;
        else if (strncmp((const char *)p, "pts", 3) == 0)
            p += 2;
        else
            return false;
    }
    return digit;
}

static double
table_row(struct pdf_doc *d, const struct pdf_table *t, const char *const *cells,
          const double *cw, bool bold, bool header)
{
    double size = t->size > 0 ? t->size : 8.5;
    double rh = chart_line_height(&d->rc, size, true) + 5;
    if (header) {
        cairo_set_source_rgb(d->cr, 0.92, 0.92, 0.92);
        cairo_rectangle(d->cr, M_SIDE, d->y, pdf_doc_column_width(d), rh);
        cairo_fill(d->cr);
    }
    double x = M_SIDE;
    for (size_t c = 0; c < t->n_cols; c++) {
        const char *s = cells[c] ? cells[c] : "";
        PangoLayout *l = chart_text_layout(&d->rc, s, size, bold || header, cw[c] - 6, 1,
                                           PANGO_ALIGN_LEFT);
        double w;
        chart_text_size(l, &w, NULL);
        /* a header is aligned as the first row's cell under it */
        const char *probe = header && t->n_rows > 0 ? t->cells[c] : s;
        double tx = looks_numeric(probe) ? x + cw[c] - 3 - w : x + 3;
        chart_text_show(&d->rc, l, tx, d->y + 2.5, INK, false);
        g_object_unref(l);
        x += cw[c];
    }
    cairo_set_source_rgb(d->cr, 0.8, 0.8, 0.8);
    cairo_set_line_width(d->cr, 0.4);
    cairo_move_to(d->cr, M_SIDE, d->y + rh);
    cairo_line_to(d->cr, d->pw - M_SIDE, d->y + rh);
    cairo_stroke(d->cr);
    d->y += rh;
    return rh;
}

void
pdf_doc_table(struct pdf_doc *d, const struct pdf_table *t)
{
    if (t->n_cols == 0)
        return;
    if (!d->cr)
        page_begin(d);
    double *cw = xcalloc(t->n_cols, sizeof *cw), sum = 0;
    for (size_t c = 0; c < t->n_cols; c++)
        sum += t->widths ? t->widths[c] : 1;
    for (size_t c = 0; c < t->n_cols; c++)
        cw[c] = pdf_doc_column_width(d) * (t->widths ? t->widths[c] : 1) / (sum > 0 ? sum : 1);
    double rh = chart_line_height(&d->rc, t->size > 0 ? t->size : 8.5, true) + 5;
    ensure(d, 2 * rh);
    if (t->header)
        table_row(d, t, t->header, cw, true, true);
    for (size_t r = 0; r < t->n_rows; r++) {
        if (d->y + rh > bottom(d)) {
            pdf_doc_new_page(d);
            d->dirty = true;
            if (t->header)
                table_row(d, t, t->header, cw, true, true);
        }
        table_row(d, t, t->cells + r * t->n_cols, cw, t->bold_rows && t->bold_rows[r], false);
    }
    d->y += GAP;
    xfree(cw);
}

size_t
pdf_doc_charts(struct pdf_doc *d, const char *const *names, size_t n, size_t per_row)
{
    if (per_row == 0)
        per_row = 1;
    double cell = (pdf_doc_column_width(d) - GAP * (double)(per_row - 1)) / (double)per_row;
    size_t placed = 0, col = 0;
    double row_h = 0;
    for (size_t i = 0; i < n; i++) {
        const struct stash *s = find_stash(d, names[i]);
        if (!s)
            continue;
        double k = cell / s->w < 1 ? cell / s->w : 1;
        if (col == 0) {
            /* the height of this row: its tallest chart */
            row_h = 0;
            size_t seen = 0;
            for (size_t j = i; j < n && seen < per_row; j++) {
                const struct stash *t = find_stash(d, names[j]);
                if (!t)
                    continue;
                double kj = cell / t->w < 1 ? cell / t->w : 1;
                row_h = row_h > t->h * kj ? row_h : t->h * kj;
                seen++;
            }
            ensure(d, row_h);
        }
        double x = M_SIDE + (double)col * (cell + GAP);
        cairo_save(d->cr);
        cairo_translate(d->cr, x, d->y);
        cairo_scale(d->cr, k, k);
        cairo_set_source_surface(d->cr, s->rec, 0, 0);
        cairo_rectangle(d->cr, 0, 0, s->w, s->h);
        cairo_fill(d->cr);
        cairo_restore(d->cr);
        placed++;
        if (++col == per_row) {
            col = 0;
            d->y += row_h + GAP;
        }
    }
    if (col != 0)
        d->y += row_h + GAP;
    return placed;
}

static void
draw_running(struct pdf_doc *d, cairo_t *cr, struct rc *rc, int page, int pages)
{
    double cw = pdf_doc_column_width(d);
    PangoLayout *l = chart_text_layout(rc, d->title, 8.5, true, cw * 0.6, 1, PANGO_ALIGN_LEFT);
    chart_text_show(rc, l, M_SIDE, HEAD_Y, GREY, false);
    g_object_unref(l);
    if (d->period) {
        l = chart_text_layout(rc, d->period, 8.5, false, 0, 1, PANGO_ALIGN_LEFT);
        double w;
        chart_text_size(l, &w, NULL);
        chart_text_show(rc, l, d->pw - M_SIDE - w, HEAD_Y, GREY, false);
        g_object_unref(l);
    }
    cairo_set_source_rgb(cr, 0.7, 0.7, 0.7);
    cairo_set_line_width(cr, 0.5);
    cairo_move_to(cr, M_SIDE, HEAD_Y + 14);
    cairo_line_to(cr, d->pw - M_SIDE, HEAD_Y + 14);
    cairo_stroke(cr);
    char foot[64];
    snprintf(foot, sizeof foot, "Page %d of %d", page, pages);
    l = chart_text_layout(rc, foot, 8.5, false, 0, 1, PANGO_ALIGN_LEFT);
    double w;
    chart_text_size(l, &w, NULL);
    chart_text_show(rc, l, (d->pw - w) / 2, d->ph - M_BOTTOM + 22, GREY, false);
    g_object_unref(l);
}

static void
draw_contents(struct pdf_doc *d, cairo_t *cr, struct rc *rc)
{
    double y = M_TOP, cw = pdf_doc_column_width(d);
    chart_text_draw(rc, "Contents", 15, true, 0, 1, PANGO_ALIGN_LEFT, M_SIDE, y, INK, false,
                    NULL, NULL);
    y += 30;
    for (size_t i = 0; i < d->n_entries; i++) {
        const struct entry *e = &d->entries[i];
        if (e->page <= d->contents)
            continue;
        double size = e->level == 0 ? 11 : 9.5, ind = e->level == 0 ? 0 : 16;
        double lh = chart_line_height(rc, size, e->level == 0) + (e->level == 0 ? 6 : 3);
        if (y + lh > bottom(d))
            break;
        char link[96], num[16];
        snprintf(link, sizeof link, "page=%d pos=[%.0f %.0f]", e->page, M_SIDE, e->y);
        snprintf(num, sizeof num, "%d", e->page);
        cairo_tag_begin(cr, CAIRO_TAG_LINK, link);
        chart_text_draw(rc, e->text, size, e->level == 0, cw - ind - 40, 1, PANGO_ALIGN_LEFT,
                        M_SIDE + ind, y, INK, false, NULL, NULL);
        double w = chart_text_width(rc, num, size, e->level == 0);
        chart_text_draw(rc, num, size, e->level == 0, 0, 1, PANGO_ALIGN_LEFT,
                        d->pw - M_SIDE - w, y, INK, false, NULL, NULL);
        cairo_tag_end(cr, CAIRO_TAG_LINK);
        y += lh;
    }
}

static void
add_outline(struct pdf_doc *d, cairo_surface_t *surf)
{
    int parent = CAIRO_PDF_OUTLINE_ROOT;
    if (d->contents > 0)
        cairo_pdf_surface_add_outline(surf, CAIRO_PDF_OUTLINE_ROOT, "Contents", "page=2", 0);
    for (size_t i = 0; i < d->n_entries; i++) {
        const struct entry *e = &d->entries[i];
        char link[96];
        snprintf(link, sizeof link, "page=%d pos=[%.0f %.0f]", e->page, M_SIDE, e->y);
        if (e->level == 0)
            parent = cairo_pdf_surface_add_outline(surf, CAIRO_PDF_OUTLINE_ROOT, e->text, link,
                                                   CAIRO_PDF_OUTLINE_FLAG_OPEN);
        else
            cairo_pdf_surface_add_outline(surf, parent, e->text, link, 0);
    }
}

static void
free_doc(struct pdf_doc *d)
{
    for (size_t i = 0; i < d->n_pages; i++)
        if (d->pages[i].rec)
            cairo_surface_destroy(d->pages[i].rec);
    for (size_t i = 0; i < d->n_stash; i++) {
        cairo_surface_destroy(d->stash[i].rec);
        xfree(d->stash[i].name);
    }
    for (size_t i = 0; i < d->n_entries; i++)
        xfree(d->entries[i].text);
    xfree(d->pages);
    xfree(d->stash);
    xfree(d->entries);
    xfree(d->title);
    xfree(d->period);
    xfree(d->subject);
    xfree(d->creator);
    xfree(d->date);
    xfree(d);
}

static void
set_metadata(struct pdf_doc *d, cairo_surface_t *surf)
{
    /* cairo stamps the clock unless a date is set; "" leaves it out */
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATE_DATE, d->date ? d->date : "");
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_MOD_DATE, d->date ? d->date : "");
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATOR, d->creator);
    cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, d->title);
    if (d->subject)
        cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_SUBJECT, d->subject);
}

cs_status
pdf_doc_close(struct pdf_doc **pd, struct cs_err *err)
{
    struct pdf_doc *d = *pd;
    if (!d)
        return CS_OK;
    *pd = NULL;
    if (d->cr && !d->dirty && d->n_pages > 1) {
        page_end(d);
        cairo_surface_destroy(d->pages[--d->n_pages].rec);
    }
    page_end(d);
    if (d->n_pages == 0)
        page_begin(d), page_end(d);
    cairo_surface_t *surf = cairo_pdf_surface_create_for_stream(doc_write, d, d->pw, d->ph);
    doc_fail_cairo(d, cairo_surface_status(surf));
    if (d->first.code == CS_OK) {
        set_metadata(d, surf);
        int pages = (int)d->n_pages;
        for (int i = 0; i < pages && d->first.code == CS_OK; i++) {
            cairo_t *cr = cairo_create(surf);
            struct rc rc;
            chart_rc_open(&rc, cr, d->pw, d->ph);
            if (i + 1 == d->contents) {
                draw_contents(d, cr, &rc);
            } else {
                cairo_set_source_surface(cr, d->pages[i].rec, 0, 0);
                cairo_paint(cr);
            }
            draw_running(d, cr, &rc, i + 1, pages);
            chart_rc_close(&rc);
            cairo_show_page(cr);
            doc_fail_cairo(d, cairo_status(cr));
            cairo_destroy(cr);
        }
        add_outline(d, surf);
    }
    cairo_surface_finish(surf);
    doc_fail_cairo(d, cairo_surface_status(surf));
    cairo_surface_destroy(surf);
    cs_status rc = d->first.code;
    if (rc != CS_OK) {
        if (err)
            *err = d->first;
        cs_afile_abort(&d->af);
    } else {
        rc = cs_afile_commit(&d->af, err);
    }
    free_doc(d);
    return rc;
}

void
pdf_doc_abort(struct pdf_doc **pd)
{
    struct pdf_doc *d = *pd;
    if (!d)
        return;
    *pd = NULL;
    page_end(d);
    cs_afile_abort(&d->af);
    free_doc(d);
}
