/*
 * render/xlsx_internal.h: what the files of the XLSX renderer share (the
 * context, sheets, formats and cell writers).  Not part of the module's
 * contract: only src/render/xlsx*.c include it.
 *
 * Cell writers never fail on their own: the first libxlsxwriter error is
 * kept in the context (sticky, as cairo does) with the sheet and cell it
 * happened in, later writes become no-ops, and each section ends with
 * xl_status() to turn it into a cs_err.
 */
#ifndef CS_RENDER_XLSX_INTERNAL_H
#define CS_RENDER_XLSX_INTERNAL_H

#include <xlsxwriter.h>

#include "core/afile.h"
#include "render/xlsx.h"

/* The workbook's formats, created once at open. */
enum xl_fmt {
    XF_NONE = 0, /* General */
    XF_TITLE,    /* bold, larger: sheet titles */
    XF_BOLD,     /* section headings, labels */
    XF_COUNT,    /* #,##0 */
    XF_RATE,     /* 0.0% */
    XF_SHARE,    /* 0.0%: issue shares (same as rates since issue 18) */
    XF_MEAN,     /* 0.00 */
    XF_NORM,     /* 0.000: normalized (fraction of the scale) */
    XF_DATETIME, /* yyyy-mm-dd hh:mm:ss */
    XF_DATE,     /* yyyy-mm-dd */
    XF_LINK,     /* hyperlink look */
    XF_WRAP,     /* wrapped text, top aligned */
    XF__COUNT
};

/* Characters number v takes in format f (an estimate for column widths:
 * "%.0f" with thousands separators for counts, "%.10g" for General). */
size_t xl_num_chars(double v, enum xl_fmt f);

struct xl_sheet {
    lxw_worksheet *ws;      /* owned by the workbook */
    size_t index;           /* position in the workbook (0 = first) */
    char name[128];         /* valid, unique sheet name (UTF-8) */
    char *desc;             /* owned: table-of-contents text */
    bool streamed;          /* constant-memory: rows strictly in order */
    struct xl_cells *cells; /* owned: streamed rows written by
                               render/xlsx_cells.h; NULL = libxlsxwriter's calls */
    uint16_t *width;        /* owned: widest content per column, characters */
    size_t n_width;         /* columns tracked */
    char base[64];          /* streamed: the first sheet of the stream ("Data") */
    uint32_t first_row;     /* streamed continuation: first data row number
                            (1-based, over all the sheets of the stream) */
    uint32_t last_row;      /* ... and last */
    uint32_t head_row;      /* 1 + header row of the sheet's first table, to
                           repeat on printed pages; 0 = none */
    bool no_repeat;         /* tables of different columns follow one another:
                           no header row repeated on printed pages */
    uint32_t wrap_row;      /* 1 + the last row given a height for wrapped text */
    size_t wrap_lines;      /* ... and its lines */
};

/* Cells whose values are only known at close (counts over the whole
 * workbook). */
enum xl_late_what { XL_LATE_REPLACED,
                    XL_LATE_TRUNCATED,
                    XL_LATE_TEXT_DROPPED };
struct xl_late {
    size_t sheet; /* index into sheets */
    lxw_row_t row;
    lxw_col_t col;
    enum xl_late_what what;
};

struct cs_xlsx {
    lxw_workbook *wb;   /* owned */
    struct cs_afile af; /* the temporary file libxlsxwriter writes */
    char *tool_version; /* owned */
    char *tmpdir;       /* owned: libxlsxwriter's temporary files */
    int64_t run_time_s;
    bool lib_cells;             /* cs_xlsx_opts.lib_cells */
    struct xl_bodies *bodies;   /* owned: the streamed sheets' rows,
                                   deflated (render/xlsx_body.h) */
    uint32_t rows_per_sheet;    /* including the header row */
    lxw_format *fmt[XF__COUNT]; /* owned by the workbook; [XF_NONE] = NULL */
    struct xl_sheet **sheets;   /* owned, each owned */
    size_t n_sheets, cap_sheets;
    lxw_error lerr;       /* first libxlsxwriter error (sticky) */
    char lerr_where[200]; /* "Summary!B7" or the call that failed */
    char *buf;            /* owned: cleaned-text scratch */
    size_t buf_cap;
    uint64_t n_replaced;              /* text cells with replaced bytes */
    uint64_t n_truncated;             /* text cells cut at 32,767 characters */
    uint64_t n_text_dropped;          /* free-text answers left out (privacy mode) */
    const struct cs_privacy *privacy; /* borrowed from the section's input:
                                  ids written as pseudonyms (xl_id); NULL = off */
    uint64_t data_rows;               /* rows on the Data sheets */
    size_t data_sheets;
    bool data_written;                    /* the Data section ran */
    const struct cs_xlsx_input *about_in; /* borrowed until close; NULL = no About */
    size_t about_sheet;                   /* index of the About sheet */
    struct xl_late late[8];
    size_t n_late;
};

/* ---- Sheets (xlsx.c) -------------------------------------------------- */

/* Add a sheet named after `name` (made valid and unique) at the end.
 * streamed: constant-memory (rows in order, no charts over it).  desc: the
 * table-of-contents text (copied).  Returns NULL after a sticky error. */
/* A template section's sheet: in->sheet_name over def, and its contents
 * line "<step title>: <def_desc> <note>" into buf (def_desc alone without a
 * step). */
const char *xl_sec_name(const struct cs_xlsx_input *in, const char *def);
const char *xl_sec_desc(const struct cs_xlsx_input *in, const char *def_desc, char *buf,
                        size_t n);

struct xl_sheet *xl_sheet_add(struct cs_xlsx *x, const char *name,
                              bool streamed, const char *desc);
/* Index of a sheet in x->sheets (its position in the workbook). */
size_t xl_sheet_index(const struct cs_xlsx *x, const struct xl_sheet *sh);
/* Set column widths from the content seen (call when a sheet is done). */
void xl_sheet_finish(struct cs_xlsx *x, struct xl_sheet *sh);

/* ---- Cells (xlsx.c) --------------------------------------------------- */

/* Text cell: cleaned (xl_clean), always a string, never a formula.  len
 * SIZE_MAX = strlen.  NULL or empty text writes nothing. */
void xl_text(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r, lxw_col_t c,
             const char *s, size_t len, enum xl_fmt f);
/* A title, heading or note alone in its row (outside every table): written
 * as xl_text does, but it never widens its column (column widths come from
 * the cells of the tables and fact lists, note_width in xlsx.c); a long
 * title overflows into the empty cells to its right. */
void xl_title(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r, lxw_col_t c, const char *s,
              enum xl_fmt f);
/* An id (survey, call, participant): as text, or its pseudonym when
 * x->privacy is set (model/privacy.h).  NULL or empty writes nothing. */
void xl_id(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r, lxw_col_t c,
           const char *s);
/* Number; NaN and infinities become an empty (formatted) cell. */
void xl_num(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r, lxw_col_t c,
            double v, enum xl_fmt f);
void xl_count(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r, lxw_col_t c,
              uint64_t v);
void xl_bool(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r, lxw_col_t c,
             bool v);
/* A time in µs since the epoch as an Excel date-time (UTC). */
void xl_time(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r, lxw_col_t c,
             int64_t time_us);
/* A day number (days since 1970-01-01) as an Excel date. */
void xl_day(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r, lxw_col_t c,
            int64_t day);
/* Internal hyperlink to cell A1 of sheet `target`, showing its name. */
void xl_link(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r, lxw_col_t c,
             const struct xl_sheet *target);

/* Header row of a table: names cleaned to one line, at most 255
 * characters, made unique (case-insensitively) with " (2)"...; written at
 * (r, c0..).  Returns the cleaned names, owned (free with xl_names_free). */
char **xl_header(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r,
                 lxw_col_t c0, const char *const *names, size_t n);
void xl_names_free(char **names, size_t n);
/* Page setup for printing (render/xlsx_print.c, issue 18): landscape A4,
 * one page wide, the first table's header row repeated, header with the
 * workbook title and the sheet name, footer "Page N of M", print area
 * over the sheet's used columns.  Called for every sheet at close. */
void xl_print_setup(struct cs_xlsx *x, struct xl_sheet *sh);

/* Make the range an Excel table whose header row is r0 (names from
 * xl_header) and whose last data row is r1 (r1 == r0: no data: one empty
 * row is added).  Works on streamed sheets too, once their rows are done. */
void xl_table(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r0,
              lxw_col_t c0, lxw_row_t r1, char **names, size_t n);

/* Flags of xl_clean. */
#define XL_ONELINE 1u        /* tabs and line breaks become spaces */
#define XL_NOESCAPE 2u       /* no _xHHHH_ escaping (chart text is not ST_Xstring) */
#define XL_COUNT 4u          /* count replacements and truncations in the totals */
#define XL_COUNT_REPLACED 8u /* count replacements only (a deliberate cut) */

/* Clean text into x->buf, valid until the next call: invalid UTF-8,
 * control characters (C0 but tab and line breaks, DEL, C1) and U+FFFE/FFFF
 * become U+FFFD; a literal "_xHHHH_" gets Excel's escape "_x005F_" so it
 * shows as typed; at most max_units UTF-16 units (Excel counts those).
 * len SIZE_MAX = strlen.  *out_chars (may be NULL): characters kept. */
const char *xl_clean(struct cs_xlsx *x, const char *s, size_t len,
                     unsigned flags, size_t max_units, size_t *out_chars);

/* Chart and series text: cleaned, one line, and never a formula (a leading
 * '=' gets a space before it).  Returns owned (xfree). */
char *xl_chart_text(struct cs_xlsx *x, const char *s);

/* Record the first libxlsxwriter error with where it happened. */
void xl_check(struct cs_xlsx *x, lxw_error e, const char *what,
              const struct xl_sheet *sh, lxw_row_t r, lxw_col_t c);
/* The sticky status as a cs_status (CS_E_RENDER naming the cell). */
cs_status xl_status(struct cs_xlsx *x, struct cs_err *err);

/* ---- Native charts (xlsx_charts.c) -------------------------------------- */

/* Where a native chart goes: its top-left corner at cell (row, col) plus
 * x_px pixels to the right, at x_scale, y_scale times Excel's default
 * 480 x 288 px (0 = 1). */
struct xl_anchor {
    lxw_row_t row;
    lxw_col_t col;
    uint32_t x_px;
    double x_scale, y_scale;
};
/* Rows (20 px) a chart covers at y_scale 1, and a gap. */
#define XL_CHART_ROWS 16
/* Pixels from one chart to the next beside it at x_scale 1. */
#define XL_CHART_STEP_PX 500
/* More score levels than this get no native distribution chart: the drawn
 * charts bin them (report/chart_bins.h), a native chart would show one
 * column per level (101 for a 0-100 scale). */
#define XL_MAX_DIST_COLUMNS 21

/* A native chart of kind over sheet sh: categories from column cat_col,
 * one series per value column, data rows r0+1 .. r1 (r0 is the header row:
 * series are named by reference to it), coloured from render/palette.h in
 * series order (pie slices likewise); inserted at *at.  title is cleaned
 * (xl_chart_text) and set in 11 pt so that it is not clipped;
 * value_format: the value axis format or NULL.  Returns the chart (owned by
 * the workbook) for more settings, or NULL (sticky error, or no rows). */
lxw_chart *xl_chart(struct cs_xlsx *x, struct xl_sheet *sh, enum cs_xlsx_chart_kind kind,
                    lxw_row_t r0, lxw_row_t r1, lxw_col_t cat_col, const lxw_col_t *val_cols,
                    size_t n_vals, const char *title, const char *value_format,
                    const struct xl_anchor *at);
/* A group's short name for chart titles: "Overall 1–5" (the threshold is
 * in the axis title or colours).  Returns b. */
const char *xl_scale_short(const struct rep_group *g, char *b, size_t n);
/* Plain value labels in num_format on every series of ch (no cell
 * references: LibreOffice shows those as percentages). */
void xl_chart_value_labels(lxw_chart *ch, const char *num_format);
/* The distribution chart of group g whose table (Score, Responses, Share)
 * has its header at row h, column c0: share of responses per score, poor
 * scores in vermillion, value labels. */
void xl_dist_chart(struct cs_xlsx *x, struct xl_sheet *sh, const struct rep_group *g,
                   lxw_row_t h, lxw_col_t c0, const struct xl_anchor *at);
/* Trend charts (issue 18): one line chart of the poor rate per bucket for
 * each category's primary scale (its scale with the most responses), from
 * the pivot whose header row is h (bucket in column 0, one poor-rate
 * column per group of prim, in order), n_buckets rows; none for a group of
 * fewer than two buckets with rows (n_points), as the drawn charts; placed
 * two abreast from row ar.  Returns the rows they take. */
lxw_row_t xl_trend_charts(struct cs_xlsx *x, struct xl_sheet *sh,
                          const struct rep_group *const *prim, const size_t *n_points, size_t n,
                          lxw_row_t h, size_t n_buckets, const char *unit, lxw_row_t ar);

/* Record a cell to fill at close. */
void xl_late(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r, lxw_col_t c,
             enum xl_late_what what);

/* Colour the verdicts in column c of rows r0..r1 by conditional formatting
 * (the word stays: colour only repeats it): worse vermillion, better
 * bluish green, too small to judge grey (xlsx_review.c). */
void xl_verdict_formats(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r0, lxw_row_t r1,
                        lxw_col_t c);

/* Write About (deferred to close; xlsx_about.c). */
cs_status xl_about_write(struct cs_xlsx *x, struct cs_err *err);

/* ---- Inputs (xlsx_about.c) -------------------------------------------- */

struct cs_buf;
struct xl_inputs; /* the inputs grouped by directory or file pattern */
/* The pattern of an input path into b (cleared first): a directory
 * "name=digits" becomes "name=*", an all-digit directory "*", a run of two
 * or more digits in the file name "*". */
void xl_input_pattern(const char *path, struct cs_buf *b);
/* Add the Inputs sheet (every input of in->rows, one row each) and group
 * them; *out is owned (xl_inputs_free), set even on failure.  No rows
 * source: no sheet, no groups. */
cs_status xl_inputs_sheet(struct cs_xlsx *x, const struct cs_xlsx_input *in,
                          struct xl_inputs **out, struct cs_err *err);
/* About's table of the groups from *row (its heading above); *row
 * becomes the row after the table. */
cs_status xl_inputs_summary(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t *row,
                            const struct xl_inputs *in, struct cs_err *err);
void xl_inputs_free(struct xl_inputs *in);

#endif
