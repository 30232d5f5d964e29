/*
 * report/histograms_csv.c: histograms.csv from store/histograms.c's rows,
 * one CSV row per result row of the `callsurvey kql` query.
 */
#include "report/histograms_csv.h"

#include <math.h>
#include <string.h>

#include "core/ctime.h"
#include "model/dims.h"
#include "model/survey.h"
#include "render/csvout.h"
#include "report/kql.h"
#include "store/histograms.h"

struct put {
    struct cs_csv *c;
    size_t n_by;
};

static cs_status
put_row(void *ctx, const struct cs_hist_row *r, struct cs_err *err)
{
    (void)err;
    const struct put *pu = ctx;
    struct cs_csv *c = pu->c;
    bool rating = strcmp(r->kind, "rating") == 0;
    bool total = strcmp(r->kind, "total") == 0;
    char b1[32], b2[32];
    /* in cs_kql_columns order */
    cs_csv_text(c, r->kind);
    cs_csv_text(c, r->period);
    cs_csv_text(c, r->resource_id);
    for (size_t k = 0; k < pu->n_by; k++) /* --by: after resource_id, as the query's */
        cs_csv_text(c, r->dims[k]);
    cs_csv_text(c, r->custom_key);
    cs_csv_text(c, r->custom_value);
    cs_csv_text(c, rating ? cs_category_name((enum cs_category)r->cat) : "");
    cs_csv_num(c, rating ? r->lower : (double)NAN);
    cs_csv_num(c, rating ? r->upper : (double)NAN);
    cs_csv_num(c, rating ? r->threshold : (double)NAN);
    cs_csv_text(c, rating ? (r->default_scale ? "true" : "false") : "");
    cs_csv_num(c, rating ? r->score : (double)NAN);
    cs_csv_text(c, r->tags);
    cs_csv_text(c, r->reason);
    cs_csv_int(c, (long long)r->n);
    cs_csv_num(c, total ? (double)r->calls : (double)NAN);
    cs_csv_num(c, total ? (double)r->participants : (double)NAN);
    cs_csv_text(c, total ? cs_time_format(r->first_us, b1) : "");
    cs_csv_text(c, total ? cs_time_format(r->last_us, b2) : "");
    cs_csv_endrow(c);
    return CS_OK;
}

cs_status
cs_histograms_write_csv(struct cs_store *s, const struct cs_filter *f, enum cs_bucket bucket,
                        const struct cs_hist_split *sp, const char *path, bool bom, unsigned long *replaced, unsigned long *neutralized,
                        struct cs_err *err)
{
    struct cs_csv c;
    if (cs_csv_open(&c, path, bom, err))
        return CS_E_IO;
    for (size_t i = 0; i < cs_kql_n_columns; i++) {
        cs_csv_text(&c, cs_kql_columns[i].name);
        if (strcmp(cs_kql_columns[i].name, "resource_id") == 0)
            for (size_t k = 0; sp && k < sp->n_by; k++)
                cs_csv_text(&c, cs_dim_column(cs_dim_parse(sp->by[k])));
    }
    cs_csv_endrow(&c);
    struct put pu = {&c, sp ? sp->n_by : 0};
    cs_status rc = cs_histograms_scan_by(s, f, bucket, sp, put_row, &pu, err);
    *replaced = c.replaced;
    *neutralized = c.neutralized;
    if (rc) {
        cs_afile_abort(&c.af); /* no partial file under the name */
        return rc;
    }
    return cs_csv_close(&c, err);
}
