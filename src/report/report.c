/*
 * report/report.c: placeholder-free minimal report until the summary
 * (issue 4) lands: per-category response counts straight from the store.
 */
#include "report/report.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"

void
cs_report_opts_default(struct cs_report_opts *o)
{
    memset(o, 0, sizeof *o);
    o->out_dir = "out";
    o->formats = "json,csv,png,xlsx";
    o->merge = "leftouter";
    o->min_n = 30;
    o->default_threshold = 2;
}

cs_status
cs_report_run(struct cs_store *store, const struct cs_report_opts *o,
              struct cs_report_result *res, struct cs_err *err)
{
    (void)o;
    memset(res, 0, sizeof *res);
    sqlite3 *db = cs_store_db(store);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db,
                           "SELECT category, lower, upper, threshold, count(*),"
                           " avg(score), sum(is_poor) FROM ratings GROUP BY cat,"
                           " lower, upper, threshold ORDER BY cat, lower, upper,"
                           " threshold",
                           -1, &q, NULL) != SQLITE_OK)
        return cs_fail(err, CS_E_DB, NULL, "%s", sqlite3_errmsg(db));
    size_t cap = 4096, n = 0;
    char *t = xmalloc(cap);
    n += (size_t)snprintf(t, cap, "%-12s %-9s %9s %7s %9s\n", "category",
                          "scale", "responses", "mean", "poor rate");
    while (sqlite3_step(q) == SQLITE_ROW) {
        char scale[64];
        snprintf(scale, sizeof scale, "%g-%g/%g", sqlite3_column_double(q, 1),
                 sqlite3_column_double(q, 2), sqlite3_column_double(q, 3));
        double cnt = sqlite3_column_double(q, 4);
        if (n + 256 > cap)
            t = xrealloc(t, cap *= 2);
        n += (size_t)snprintf(t + n, cap - n, "%-12s %-9s %9.0f %7.3f %8.2f%%\n",
                              sqlite3_column_text(q, 0), scale, cnt,
                              sqlite3_column_double(q, 5),
                              100.0 * sqlite3_column_double(q, 6) / cnt);
    }
    sqlite3_finalize(q);
    res->terminal_text = t;
    return CS_OK;
}

void
cs_report_result_free(struct cs_report_result *res)
{
    xfree(res->terminal_text);
    for (size_t i = 0; i < res->n_files; i++)
        xfree(res->files[i]);
    xfree(res->files);
    memset(res, 0, sizeof *res);
}
