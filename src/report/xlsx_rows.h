/*
 * report/xlsx_rows.h: the workbook's row sources (render/xlsx.h struct
 * cs_xlsx_rows) read from the store, for one filter.
 */
#ifndef CS_REPORT_XLSX_ROWS_H
#define CS_REPORT_XLSX_ROWS_H

#include "model/filter.h"
#include "render/xlsx.h"
#include "store/store.h"

/* The context the callbacks read: both borrowed, for as long as rows is used. */
struct cs_xlsx_store_rows {
    struct cs_store *store;
    const struct cs_filter *filter; /* NULL = all */
    /* Optional: a second reader of the merge also_kind (custom.csv).  The
     * first join the workbook asks for of cs_merge_listed(also_kind) (the
     * Custom sheet's) is then made as also_kind instead: every row goes to
     * also, the rows of the asked kind to the sheet too, and also_done is
     * set; one pass over the surveys and events instead of two (at 1M
     * surveys the join read was about 1 s of each). */
    cs_join_cb also;
    void *also_ctx;
    enum cs_merge also_kind;
    bool also_done;
};

/* Fill *rows with callbacks over src (borrowed: it must outlive rows). */
void cs_xlsx_rows_from_store(struct cs_xlsx_rows *rows, struct cs_xlsx_store_rows *src);

#endif
