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
};

/* Fill *rows with callbacks over src (borrowed: it must outlive rows). */
void cs_xlsx_rows_from_store(struct cs_xlsx_rows *rows, struct cs_xlsx_store_rows *src);

#endif
