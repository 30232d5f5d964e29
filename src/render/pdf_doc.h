/*
 * render/pdf_doc.h: a paged PDF document (issue 18): A4 or US Letter pages
 * with margins, a running header (title left, period right) and a footer
 * "Page N of M" on every page, headings that become outline entries
 * (bookmarks) and lines of a contents page whose entries link to their
 * pages, text, tables that continue across pages with their header
 * repeated, and charts scaled into the text column.
 *
 * How it works: content is laid out top to bottom into one cairo recording
 * surface per page; the page count M, the header/footer and the contents
 * page are only drawn at pdf_doc_close, when every page exists.  Charts are
 * first "stashed" under a name (drawn into a recording surface at a canvas
 * size chosen by the caller) and placed later by name, so the document
 * order need not follow the order charts are built in.
 *
 * Determinism: the creation date is the one given in the metadata (from
 * SOURCE_DATE_EPOCH by the caller) or none; the same calls give the same
 * bytes.  Ownership: every function borrows its arguments and copies what
 * it keeps; the document owns everything until pdf_doc_close/abort.
 * Errors are sticky (as cairo's are): after the first failure, further
 * calls do nothing and close returns it.
 */
#ifndef CS_RENDER_PDF_DOC_H
#define CS_RENDER_PDF_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "render/chart.h"

enum pdf_paper {
    PDF_PAPER_A4 = 0, /* 595 x 842 pt (210 x 297 mm) */
    PDF_PAPER_LETTER, /* 612 x 792 pt (8.5 x 11 in) */
};

/* "a4" or "letter" (any case) into *out; false otherwise. */
bool pdf_paper_parse(const char *s, enum pdf_paper *out);

struct pdf_doc_meta {
    const char *title;   /* header left, /Title; required */
    const char *period;  /* header right ("2026-W47"); NULL = none */
    const char *subject; /* /Subject; NULL = none */
    const char *creator; /* /Creator ("callsurvey 1.2.0"); NULL = "callsurvey" */
    const char *date;    /* /CreationDate as ISO 8601 "2026-11-23T00:00:00Z";
                            NULL = no date */
};

struct pdf_doc; /* opaque */

/* Open a document at path (a temporary file until close).  Returns owned
 * *out (finish with pdf_doc_close or pdf_doc_abort). */
cs_status pdf_doc_open(const char *path, enum pdf_paper paper,
                       const struct pdf_doc_meta *meta, struct pdf_doc **out,
                       struct cs_err *err);

/* Replace /Creator (copied; NULL = "callsurvey"). */
void pdf_doc_set_creator(struct pdf_doc *doc, const char *creator);

/* Width of the text column in points (charts stashed at this width are
 * placed unscaled). */
double pdf_doc_column_width(const struct pdf_doc *doc);
/* Height left on the current page, in points. */
double pdf_doc_space_left(const struct pdf_doc *doc);

/* Draw spec into a canvas of w x h points and keep it under name (an
 * existing name is replaced).  Sticky errors. */
cs_status pdf_doc_stash_chart(struct pdf_doc *doc, const char *name,
                              const struct chart_spec *spec, double w, double h,
                              struct cs_err *err);
bool pdf_doc_has_chart(const struct pdf_doc *doc, const char *name);

/* Start a new page (a no-op on an empty current page). */
void pdf_doc_new_page(struct pdf_doc *doc);
/* Reserve the current (new) page for the contents, drawn at close from the
 * level-0 and level-1 headings that follow it. */
void pdf_doc_contents_page(struct pdf_doc *doc);
/* A heading: level 0 (section: bold 15 pt, outline entry, contents line),
 * 1 (subsection: 12 pt, outline child, indented contents line) or 2 (11 pt,
 * text only).  Moves to a new page first when less than keep points would
 * be left under it. */
void pdf_doc_heading(struct pdf_doc *doc, int level, const char *text, double keep);
/* A paragraph of wrapped text at size points, bold or not, grey or black. */
void pdf_doc_text(struct pdf_doc *doc, const char *text, double size, bool bold,
                  bool grey);
/* Vertical space. */
void pdf_doc_skip(struct pdf_doc *doc, double pt);

/* A table across the text column.  widths are relative column weights
 * (NULL = equal); cells that look numeric are right-aligned; rows that do
 * not fit continue on the next page under the repeated header.  A row whose
 * mark is set is drawn in bold (e.g. verdict "worse"). */
struct pdf_table {
    size_t n_cols;
    const char *const *header; /* n_cols */
    const double *widths;      /* n_cols weights, or NULL */
    size_t n_rows;
    const char *const *cells; /* n_rows * n_cols, row-major; NULL = "" */
    const bool *bold_rows;    /* n_rows, or NULL */
    double size;              /* font size; 0 = 8.5 pt */
};
void pdf_doc_table(struct pdf_doc *doc, const struct pdf_table *t);

/* Place the stashed charts names[0..n) in a grid of per_row columns, each
 * cell scaled to the column width / per_row (never above 1:1).  Unknown
 * names are skipped; returns how many were placed.  A row that does not
 * fit goes to the next page. */
size_t pdf_doc_charts(struct pdf_doc *doc, const char *const *names, size_t n,
                      size_t per_row);

/* Pages so far (the current one included when it has content). */
int pdf_doc_page_count(const struct pdf_doc *doc);

/* Draw headers, footers, contents, outline; write the file and rename it
 * into place.  Frees the document, *doc = NULL (NULL is a no-op). */
cs_status pdf_doc_close(struct pdf_doc **doc, struct cs_err *err);
/* Discard: remove the temporary file, free, *doc = NULL. */
void pdf_doc_abort(struct pdf_doc **doc);

#endif
