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
    /* Optional: more readers of the join (custom.csv, report.html's
     * answers).  The first join the workbook asks for (the Custom sheet's)
     * is made once for them all: as the first reader's kind when the
     * asked one is cs_merge_listed of it, else as the asked one; each
     * reader whose rows can be picked out of that pass (cs_merge_within)
     * gets them and is marked done, the sheet gets its own.  At 1M surveys
     * reading the join was about 1 s a pass. */
    struct cs_xlsx_reader {
        cs_join_cb cb; /* NULL: none */
        void *ctx;
        enum cs_merge kind;
        bool done; /* it read its rows with the sheet's */
    } also[2];
    bool also_used; /* the sheet's pass was made (once) */
};

/* Fill *rows with callbacks over src (borrowed: it must outlive rows). */
void cs_xlsx_rows_from_store(struct cs_xlsx_rows *rows, struct cs_xlsx_store_rows *src);

#endif
