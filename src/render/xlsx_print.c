/*
 * render/xlsx_print.c: the page setup of every sheet (issue 18), so that a
 * printed workbook reads like a document: landscape A4, scaled to one page
 * wide (as many pages tall as needed), the header row of the sheet's first
 * table repeated on every page, a header naming the report and the sheet
 * (Excel's &A) and a footer "Page N of M" (&P, &N), and a print area over
 * the columns the sheet's cells and native charts use (from the widths the
 * sheet sets), so nothing to the right spills onto pages of its own and no
 * empty column shrinks the page.  Sheets whose tables of different columns
 * follow one another (no_repeat) repeat no header row.
 */
#include <xlsxwriter.h>

#include "render/xlsx_internal.h"

#define PAPER_A4 9 /* Excel's paper code */

/* Pixels of column c as xl_sheet_finish sets it (Excel: 7 px a character
 * plus 5 of padding), 64 for a column left at the default width. */
static double
col_px(const struct xl_sheet *sh, lxw_col_t c)
{
    if (c >= sh->n_width || !sh->width[c])
        return 64;
    double w = sh->width[c] + 1.5;
    if (w > CS_XLSX_MAX_WIDTH - 1)
        w = CS_XLSX_MAX_WIDTH - 1;
    return 7 * w + 5;
}

void
xl_print_setup(struct cs_xlsx *x, struct xl_sheet *sh)
{
    if (x->lerr || !sh->ws)
        return;
    lxw_worksheet *ws = sh->ws;
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, PAPER_A4);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_set_margins(ws, 0.5, 0.5, 0.75, 0.75);
    xl_check(x, worksheet_set_header(ws, "&L&\"-,Bold\"End of Call Survey&R&A"),
             "worksheet_set_header", sh, 0, 0);
    xl_check(x, worksheet_set_footer(ws, "&CPage &P of &N"), "worksheet_set_footer", sh, 0, 0);
    if (sh->head_row > 0 && !sh->no_repeat)
        xl_check(x, worksheet_repeat_rows(ws, sh->head_row - 1, sh->head_row - 1),
                 "worksheet_repeat_rows", sh, 0, 0);
    lxw_col_t last = 0;
    for (size_t c = 0; c < sh->n_width; c++)
        if (sh->width[c])
            last = (lxw_col_t)c;
    /* and the native charts: a chart is 480 x 288 px times its scale, from
     * its anchor cell plus its offset */
    lxw_object_properties *o;
    if (ws->chart_data)
        STAILQ_FOREACH(o, ws->chart_data, list_pointers)
        {
            double end = o->x_offset + 480.0 * (o->x_scale > 0 ? o->x_scale : 1.0);
            for (lxw_col_t k = 0; k < o->col; k++)
                end += col_px(sh, k);
            lxw_col_t c = 0;
            for (double left = col_px(sh, 0); left < end && c < LXW_COL_MAX - 1;
                 left += col_px(sh, ++c))
                ;
            if (c > last)
                last = c;
        }
    xl_check(x, worksheet_print_area(ws, 0, 0, LXW_ROW_MAX - 1, last), "worksheet_print_area", sh,
             0, 0);
}
