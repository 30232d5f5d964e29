/*
 * report/hist_notes.c: the notes of a report from histograms (see
 * hist_notes.h).
 */
#include "report/hist_notes.h"

#include "core/mem.h"
#include "report/report_int.h"
#include "store/hist_load.h"

#define NOT_FROM "not available from histograms (it needs per-survey rows)"

void
rep_hist_no_data(struct rep_hist *h, struct cs_report_result *res)
{
    if (!h->on || h->data)
        return;
    h->data = true;
    rep_push_note(res, "the Data sheet is " NOT_FROM);
}

bool
rep_hist_skip(struct rep_hist *h, struct cs_store *s, const struct cs_template_step *st,
              bool xlsx, bool csv, struct cs_report_result *res)
{
    if (!h->on)
        return false;
    switch (st->section) {
    case CS_SECTION_DATA:
        if (xlsx)
            rep_hist_no_data(h, res);
        return true;
    case CS_SECTION_CUSTOM:
        if ((xlsx || csv) && !h->custom)
            rep_push_note(res, "step '%s': the Custom sheet and custom.csv are " NOT_FROM,
                          st->title);
        h->custom = true;
        return true;
    case CS_SECTION_DATA_QUALITY:
        if (xlsx && !h->dq)
            rep_push_note(res, "step '%s': the Data Quality sheet has the counts but not the "
                               "lists of rejected records, conflicts and inputs: " NOT_FROM,
                          st->title);
        h->dq = true;
        return false;
    case CS_SECTION_QUERY: {
        char what[128];
        if (!st->query || !cs_hist_reads_surveys(s, st->query, what, sizeof what))
            return false;
        rep_push_note(res, "step '%s' reads '%s': " NOT_FROM "; template steps may read the "
                           "view 'histograms'",
                      st->title, what);
        return true;
    }
    default: return false;
    }
}

char *
rep_hist_about(const char *filters)
{
    return xasprintf("%s%sfrom histograms: counts only (distinct calls and participants "
                     "are sums over periods and resources, an upper bound when a call spans "
                     "two); not available: the Data sheet, the Custom sheet and custom.csv, "
                     "the per-record lists of Data Quality, template steps over per-survey views",
                     filters && *filters ? filters : "", filters && *filters ? "; " : "");
}
