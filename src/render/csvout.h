/*
 * render/csvout.h: RFC 4180 CSV output for the report's tables.
 * Text cells that a spreadsheet would run as a formula (starting with
 * = + - @ tab or CR) get a leading apostrophe; text is valid UTF-8 without
 * control characters (invalid sequences and controls other than tab and
 * line breaks become U+FFFD); numbers are written as numbers (full
 * precision, NaN as an empty cell).  Both kinds of change are counted.
 */
#ifndef CS_RENDER_CSVOUT_H
#define CS_RENDER_CSVOUT_H

#include <stdbool.h>
#include <stdio.h>

#include "core/afile.h"
#include "core/err.h"

struct cs_csv {
    struct cs_afile af;        /* the file being written */
    bool row_open;             /* a cell was written on the current row */
    unsigned long neutralized; /* text cells that were neutralized */
    unsigned long replaced;    /* text cells with invalid UTF-8 or control
                                  characters replaced */
    /* the bytes not yet handed to af.fp (written a block at a time: a
     * million-row custom.csv spent a third of its 3 s in stdio's per-call
     * locking and printf's format parsing) */
    size_t n_out;
    char out[16384];
};

/* Open path for writing (atomically, at close).  bom (--csv-excel, issue
 * 18): start with a UTF-8 byte order mark, so Excel on Windows reads it as
 * UTF-8 (without one it assumes the ANSI code page: "1â€"5"); off by
 * default: other readers (Python's csv, awk, the ingest of histograms.csv)
 * see the BOM as part of the first header. */
cs_status cs_csv_open(struct cs_csv *c, const char *path, bool bom, struct cs_err *err);
void cs_csv_text(struct cs_csv *c, const char *s);
void cs_csv_num(struct cs_csv *c, double v);
/* n empty cells at once (a wide, sparse row: custom answers). */
void cs_csv_empty(struct cs_csv *c, size_t n);
void cs_csv_int(struct cs_csv *c, long long v);
void cs_csv_endrow(struct cs_csv *c);
cs_status cs_csv_close(struct cs_csv *c, struct cs_err *err);

#endif
