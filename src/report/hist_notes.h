/*
 * report/hist_notes.h: what a report from histograms (`report
 * --histograms`, store/hist_load.h) cannot write, said once per output:
 * the Data sheet, the Custom sheet and custom.csv, the per-record lists of
 * Data Quality, and template SQL steps over the per-survey views need
 * survey rows the histograms do not have.  Template steps over the view
 * `histograms` run as usual.
 */
#ifndef CS_REPORT_HIST_NOTES_H
#define CS_REPORT_HIST_NOTES_H

#include <stdbool.h>

#include "report/report.h"
#include "report/template.h"
#include "store/store.h"

struct rep_hist {
    bool on;               /* the store is histograms-backed */
    bool data, custom, dq; /* the note was pushed */
};

/* Is step st one the histograms cannot give?  Pushes its note into res
 * (once per kind; a query step each time, naming the view it reads).
 * Data Quality is written (its counts are there) with a note that its
 * per-record lists are empty.  Always false when !h->on. */
bool rep_hist_skip(struct rep_hist *h, struct cs_store *s, const struct cs_template_step *st,
                   bool xlsx, bool csv, struct cs_report_result *res);

/* The Data sheet (--data-sheet) is not written: its note (once). */
void rep_hist_no_data(struct rep_hist *h, struct cs_report_result *res);

/* About's filters line for a report from histograms: `filters` (may be
 * NULL) and what is not available.  Owned by the caller (xfree). */
char *rep_hist_about(const char *filters);

#endif
