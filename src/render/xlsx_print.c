/*
 * render/xlsx_print.c: the page setup of every sheet (issue 18), so that a
 * printed workbook reads like a document: landscape A4, scaled to one page
 * wide (as many pages tall as needed), the header row of the sheet's first
 * table repeated on every page, a header naming the report and the sheet
 * (Excel's &A) and a footer "Page N of M" (&P, &N), and a print area over
 * the columns the sheet's cells and native charts use, so nothing to the
 * right spills onto pages of its own.
 */
#include <xlsxwriter.h>

#include "render/xlsx_internal.h"

#define PAPER_A4 9 /* Excel's paper code */

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
    if (sh->head_row > 0)
        xl_check(x, worksheet_repeat_rows(ws, sh->head_row - 1, sh->head_row - 1),
                 "worksheet_repeat_rows", sh, 0, 0);
    lxw_col_t last = sh->n_width > 0 ? (lxw_col_t)(sh->n_width - 1) : 0;
    /* and the native charts: a chart is 480 x 288 px times its scale, and
     * the columns right of the tables keep the default 64 px */
    lxw_object_properties *o;
    if (ws->chart_data)
        STAILQ_FOREACH(o, ws->chart_data, list_pointers)
        {
            double px = (o->x_offset > 0 ? o->x_offset : 0) +
                        480.0 * (o->x_scale > 0 ? o->x_scale : 1.0);
            lxw_col_t end = (lxw_col_t)(o->col + (lxw_col_t)(px / 64.0) + 1);
            if (end > last)
                last = end;
        }
    xl_check(x, worksheet_print_area(ws, 0, 0, LXW_ROW_MAX - 1, last), "worksheet_print_area", sh,
             0, 0);
}
