/*
 * render/xlsx_cells.h: the cells of a streamed (constant-memory) sheet
 * written as XML here instead of through libxlsxwriter's per-cell calls.
 *
 * In constant-memory mode libxlsxwriter 1.1.4 callocs a cell for every
 * value, copies and escapes each string twice (callocs again), and prints
 * every cell with fprintf ("%.16G" for numbers) into the sheet's temporary
 * file.  At a million surveys the Custom sheet's 4.7 million cells kept
 * the writer thread busy 3.4 s, longer than the join that feeds it.
 *
 * This writes the very bytes libxlsxwriter would (the same <row> and <c>
 * elements, inline strings escaped the same way, numbers as "%.16G"
 * prints them) into the same temporary file, and keeps the worksheet's
 * dimensions and current row as its own calls do, so that the rest of the
 * workbook (tables, widths, the copy into the zip at workbook_close) goes
 * on unchanged.  tests/unit/test_xlsx.c writes workbooks both ways and
 * compares the sheets byte for byte: a libxlsxwriter that wrote its cells
 * differently would fail there.
 *
 * The worksheet struct's fields used (file, optimize_row, dim_*,
 * col_formats, excel_version, default_row_height) are public in
 * libxlsxwriter's worksheet.h; xl_cells_begin declines (NULL) a sheet
 * whose rows libxlsxwriter would write with more attributes than the plain
 * <row r="N">.
 *
 * Not thread-safe: one thread writes a sheet's cells, as with
 * libxlsxwriter's calls.
 */
#ifndef CS_RENDER_XLSX_CELLS_H
#define CS_RENDER_XLSX_CELLS_H

#include <stddef.h>
#include <stdbool.h>
#include <xlsxwriter.h>

struct xl_cells;

/* Take over the cell writing of constant-memory sheet ws from the next
 * row on: libxlsxwriter's pending row (the header) is written first.
 * With bodies, the rows go into a body of that set (render/xlsx_body.h:
 * deflated as they come, spliced in at workbook_close; the sheet then
 * takes no more rows after xl_cells_end); NULL: into the sheet's
 * temporary file.  NULL when the sheet is not in constant-memory mode or
 * its rows carry attributes this does not write; the caller then uses
 * libxlsxwriter.  The result is the caller's until xl_cells_end. */
struct xl_bodies;
struct xl_cells *xl_cells_begin(lxw_worksheet *ws, struct xl_bodies *bodies);

/* As worksheet_write_number/_string/_boolean/_blank on ws, with the same
 * checks and the same errors (a row before the current one, a string over
 * 32,767 characters, ...).  Strings are UTF-8 without a NUL inside. */
lxw_error xl_cells_number(struct xl_cells *c, lxw_row_t row, lxw_col_t col, double v,
                          lxw_format *f);
lxw_error xl_cells_string(struct xl_cells *c, lxw_row_t row, lxw_col_t col,
                          const char *s, lxw_format *f);
/* s (len bytes, no NUL needed) as xl_cells_string writes it when it needs
 * no escape, no xml:space and no check of its characters: printable ASCII
 * but '_' (Excel's _xHHHH_ form), '&', '<' and '>', neither starting nor
 * ending with a space, 1 to 32,767 bytes (GUIDs, versions, most names).
 * False, nothing written, for any other text; true when written, or when
 * the cell cannot be (*e: the error xl_cells_string gives then). */
bool xl_cells_plain(struct xl_cells *c, lxw_row_t row, lxw_col_t col, const char *s, size_t len,
                    lxw_format *f, lxw_error *e);
lxw_error xl_cells_boolean(struct xl_cells *c, lxw_row_t row, lxw_col_t col, int v,
                           lxw_format *f);
lxw_error xl_cells_blank(struct xl_cells *c, lxw_row_t row, lxw_col_t col, lxw_format *f);

/* Write the row in progress, give the sheet back to libxlsxwriter (its
 * current row is the last one written here) and free c.  NULL: no-op. */
void xl_cells_end(struct xl_cells *c);

/* Free c without writing anything (the workbook is being discarded and
 * its worksheet may be gone).  NULL: no-op. */
void xl_cells_discard(struct xl_cells *c);

/* v as printf's "%.16G" writes it (what libxlsxwriter 1.1.4 writes for a
 * number), into out (at least 32 bytes); returns the length.  Integers
 * and values from 1 to 1e15 are converted exactly without printf. */
size_t xl_cells_dbl(char *out, double v);

#endif
