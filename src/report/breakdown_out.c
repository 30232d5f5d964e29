/*
 * report/breakdown_out.c: the outputs of `report --by DIM` (see
 * breakdown.h): summary.json rows, a CSV table, poor-rate charts and the
 * release timeline.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/afile.h"
#include "core/ctime.h"
#include "core/mem.h"
#include "model/dims.h"
#include "model/review.h"
#include "model/survey.h"
#include "render/chart.h"
#include "render/csvout.h"
#include "render/xlsx.h"
#include "report/breakdown.h"
#include "report/chart_context.h"
#include "render/json.h"
#include "report/model.h"
#include "store/call_legs.h"

#define TIMELINE_LINES 4 /* versions drawn in the poor-rate timeline */

struct dim_groups {
    struct rep_group **cats; /* per cube group: its (category, scale) groups */
    size_t *n_cats;
    size_t n;
};

static void
dim_groups_free(struct dim_groups *d)
{
    for (size_t g = 0; g < d->n; g++)
        cs_rep_groups_free(d->cats[g], d->n_cats[g]);
    xfree(d->cats);
    xfree(d->n_cats);
}

/* The dimension's rows in summary.json. */
static void
rows_json(const struct cs_cube *cube, const struct dim_groups *dg, const char *dim,
          struct cs_summary_doc *doc)
{
    const char **labels = xcalloc(dg->n ? dg->n : 1, sizeof *labels);
    uint64_t *surveys = xcalloc(dg->n ? dg->n : 1, sizeof *surveys);
    for (size_t g = 0; g < dg->n; g++) {
        labels[g] = cube->groups[g].label;
        surveys[g] = cube->groups[g].surveys;
    }
    cs_summary_doc_breakdown(doc, dim, dg->n, labels, surveys, dg->cats, dg->n_cats);
    xfree(labels);
    xfree(surveys);
}

static cs_status
rows_csv(const struct cs_cube *cube, const struct dim_groups *dg, const char *dim,
         const struct cs_breakdown_out *o, struct cs_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/tables", o->dir);
    if (cs_mkdirs(path, err))
        return err->code;
    snprintf(path, sizeof path, "%s/tables/breakdown-%s.csv", o->dir, dim);
    struct cs_csv c;
    if (cs_csv_open(&c, path, o->csv_bom, err))
        return err->code;
    static const char *const head[] = {"by", "value", "category", "lower", "upper", "threshold",
                                       "surveys", "responses", "poor", "poor_rate",
                                       "poor_ci_lo", "poor_ci_hi", "mean", "scale"};
    for (size_t i = 0; i < sizeof head / sizeof *head; i++)
        cs_csv_text(&c, head[i]);
    cs_csv_endrow(&c);
    for (size_t g = 0; g < dg->n; g++)
        for (size_t k = 0; k < dg->n_cats[g]; k++) {
            const struct rep_group *rg = &dg->cats[g][k];
            cs_csv_text(&c, dim);
            cs_csv_text(&c, cube->groups[g].label);
            cs_csv_text(&c, cs_category_name((enum cs_category)rg->cat));
            cs_csv_num(&c, rg->scale.lower);
            cs_csv_num(&c, rg->scale.upper);
            cs_csv_num(&c, rg->scale.threshold);
            cs_csv_int(&c, (long long)cube->groups[g].surveys);
            cs_csv_int(&c, (long long)rg->sum.n);
            cs_csv_int(&c, (long long)rg->sum.n_poor);
            cs_csv_num(&c, rg->sum.poor_rate);
            cs_csv_num(&c, rg->sum.poor_ci_lo);
            cs_csv_num(&c, rg->sum.poor_ci_hi);
            cs_csv_num(&c, rg->sum.mean);
            char sl[128]; /* "1–5, poor ≤ 2", as every output names a scale */
            cs_csv_text(&c, cs_scale_label(&rg->scale, sl, sizeof sl));
            cs_csv_endrow(&c);
        }
    if (cs_csv_close(&c, err))
        return err->code;
    if (o->on_file)
        o->on_file(o->ctx, path);
    return CS_OK;
}

static cs_status
render(const struct cs_breakdown_out *o, const struct chart_spec *spec, const char *name,
       struct cs_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/charts", o->dir);
    if (cs_mkdirs(path, err))
        return err->code;
    snprintf(path, sizeof path, "%s/charts/%s.png", o->dir, name);
    struct chart_spec cx = *spec; /* the footer names window and filters (issue 18) */
    struct cs_chart_context_hold hold = {0};
    cs_chart_context_apply(o->m, NULL, &cx, &hold);
    cs_status rc = chart_render(&cx, CHART_PNG, path, err);
    cs_chart_context_release(&hold);
    if (rc == CS_OK && o->on_file)
        o->on_file(o->ctx, path);
    return rc;
}

/* Poor rate by group of one category (every scale's responses of that
 * category: one column per group with its Wilson interval). */
static cs_status
poor_chart(const struct cs_cube *cube, const struct dim_groups *dg, const char *dim, int cat,
           const struct cs_breakdown_out *o, struct cs_err *err)
{
    size_t n = dg->n;
    const char **labels = xcalloc(n, sizeof *labels);
    double *v = xcalloc(n, sizeof *v), *lo = xcalloc(n, sizeof *lo), *hi = xcalloc(n, sizeof *hi);
    uint64_t total = 0;
    const struct rep_group *first = NULL;
    for (size_t g = 0; g < n; g++) {
        labels[g] = cube->groups[g].label;
        v[g] = lo[g] = hi[g] = NAN;
        /* the group's largest scale of this category */
        const struct rep_group *best = NULL;
        for (size_t k = 0; k < dg->n_cats[g]; k++)
            if (dg->cats[g][k].cat == cat && (!best || dg->cats[g][k].sum.n > best->sum.n))
                best = &dg->cats[g][k];
        if (best) {
            v[g] = best->sum.poor_rate;
            lo[g] = best->sum.poor_ci_lo;
            hi[g] = best->sum.poor_ci_hi;
            total += best->sum.n;
            if (!first)
                first = best;
        }
    }
    char title[256], scale[160], name[160], sl[128];
    snprintf(title, sizeof title, "%s rating: poor rate by %s", cs_category_title((enum cs_category)cat),
             dim);
    if (first)
        snprintf(scale, sizeof scale, "scale %s", cs_scale_label(&first->scale, sl, sizeof sl));
    struct chart_series s = {.name = "Poor rate", .values = v, .lo = lo, .hi = hi};
    struct chart_spec spec;
    chart_spec_init(&spec, CHART_COLUMN);
    spec.title = title;
    spec.subtitle = cs_dim_is_version(cs_dim_parse(dim))
                        ? "Groups in version order; Redacted, other and unknown last"
                        : "Groups in natural order; Redacted, other and unknown last";
    spec.categories = labels;
    spec.n_categories = n;
    spec.series = &s;
    spec.n_series = 1;
    spec.category_title = dim;
    spec.axis = (struct chart_axis){.title = "Poor rate", .fmt = CHART_FMT_PERCENT, .decimals = 1};
    spec.interval_label = "95% interval (Wilson)";
    spec.footnote.n = (long long)total;
    spec.footnote.scale = first ? scale : NULL;
    snprintf(name, sizeof name, "breakdown-%s-%s", dim, cs_category_name((enum cs_category)cat));
    cs_status rc = render(o, &spec, name, err);
    xfree(labels);
    xfree(v);
    xfree(lo);
    xfree(hi);
    return rc;
}

/* Per (group, week): overall responses and poor ones, every scale pooled. */
static cs_status
timeline(struct cs_store *st, const char *dim, const struct cs_breakdown_out *o,
         struct cs_err *err)
{
    struct cs_cube cube;
    cs_status rc = cs_breakdown_cube(st, o->filter, CS_BUCKET_WEEK, dim, o->top, &cube, err);
    if (rc)
        return rc;
    int64_t *weeks = NULL;
    size_t nw = 0;
    for (size_t i = 0; i < cube.n_cells; i++) {
        const struct cs_cube_cell *c = &cube.cells[i];
        if (c->cat != CS_CAT_OVERALL)
            continue;
        size_t w = 0;
        while (w < nw && weeks[w] != c->bucket)
            w++;
        if (w == nw) {
            weeks = xreallocarray(weeks, nw + 1, sizeof *weeks);
            weeks[nw++] = c->bucket;
        }
    }
    for (size_t a = 1; a < nw; a++) /* few weeks: insertion sort */
        for (size_t b = a; b > 0 && weeks[b - 1] > weeks[b]; b--) {
            int64_t t = weeks[b];
            weeks[b] = weeks[b - 1];
            weeks[b - 1] = t;
        }
    size_t ng = cube.n_groups;
    double *n = xcalloc(ng * (nw ? nw : 1), sizeof *n), *poor = xcalloc(ng * (nw ? nw : 1), sizeof *poor);
    uint64_t total = 0;
    for (size_t i = 0; i < cube.n_cells; i++) {
        const struct cs_cube_cell *c = &cube.cells[i];
        if (c->cat != CS_CAT_OVERALL)
            continue;
        size_t w = 0;
        while (weeks[w] != c->bucket)
            w++;
        n[(size_t)c->group * nw + w] += (double)c->count;
        if (c->poor)
            poor[(size_t)c->group * nw + w] += (double)c->count;
        total += c->count;
    }
    char(*wl)[48] = xcalloc(nw ? nw : 1, sizeof *wl);
    const char **cats = xcalloc(nw ? nw : 1, sizeof *cats);
    for (size_t w = 0; w < nw; w++) {
        snprintf(wl[w], sizeof wl[w], "%d-W%02d", (int)(weeks[w] / 100),
                 (int)(weeks[w] % 100));
        cats[w] = wl[w];
    }
    struct chart_series *ser = xcalloc(ng ? ng : 1, sizeof *ser);
    for (size_t g = 0; g < ng; g++)
        ser[g] = (struct chart_series){.name = cube.groups[g].label, .values = n + g * nw};
    struct chart_spec spec;
    chart_spec_init(&spec, CHART_STACKED);
    char title[200], name[160];
    snprintf(title, sizeof title, "Release timeline: share of overall ratings by %s per week", dim);
    spec.title = title;
    spec.subtitle = "The week a version rolled out shows as its segment growing";
    spec.categories = cats;
    spec.n_categories = nw;
    spec.series = ser;
    spec.n_series = ng;
    spec.show_totals = true;
    spec.footnote.n = (long long)total;
    snprintf(name, sizeof name, "timeline-%s-share", dim);
    rc = render(o, &spec, name, err);
    /* the poor rate of the largest versions per week */
    size_t *big = xcalloc(ng ? ng : 1, sizeof *big), nb = 0;
    for (size_t g = 0; g < ng; g++)
        if (!cs_breakdown_special(cube.groups[g].label))
            big[nb++] = g;
    for (size_t a = 1; a < nb; a++)
        for (size_t b = a; b > 0 && cube.groups[big[b - 1]].surveys < cube.groups[big[b]].surveys; b--) {
            size_t t = big[b];
            big[b] = big[b - 1];
            big[b - 1] = t;
        }
    if (nb > TIMELINE_LINES)
        nb = TIMELINE_LINES;
    for (size_t a = 1; a < nb; a++) /* drawn in version order */
        for (size_t b = a; b > 0 && big[b - 1] > big[b]; b--) {
            size_t t = big[b];
            big[b] = big[b - 1];
            big[b - 1] = t;
        }
    double *rate = xcalloc(nb * (nw ? nw : 1) + 1, sizeof *rate);
    for (size_t i = 0; i < nb; i++) {
        for (size_t w = 0; w < nw; w++) {
            double k = n[big[i] * nw + w];
            rate[i * nw + w] = k > 0 ? poor[big[i] * nw + w] / k : (double)NAN;
        }
        ser[i] = (struct chart_series){.name = cube.groups[big[i]].label, .values = rate + i * nw};
    }
    if (rc == CS_OK) {
        chart_spec_init(&spec, CHART_LINE);
        snprintf(title, sizeof title, "Release timeline: overall poor rate of the largest %s groups per week", dim);
        spec.title = title;
        spec.subtitle = "Each line one version; a gap is a week without its ratings";
        spec.categories = cats;
        spec.n_categories = nw;
        spec.series = ser;
        spec.n_series = nb;
        spec.category_title = "ISO week";
        spec.axis = (struct chart_axis){.title = "Poor rate", .fmt = CHART_FMT_PERCENT, .decimals = 1};
        spec.footnote.n = (long long)total;
        snprintf(name, sizeof name, "timeline-%s-poor-rate", dim);
        rc = render(o, &spec, name, err);
    }
    xfree(rate);
    xfree(big);
    xfree(ser);
    xfree(cats);
    xfree(wl);
    xfree(n);
    xfree(poor);
    xfree(weeks);
    cs_cube_free(&cube);
    return rc;
}

static cs_status
one_dim(struct cs_store *s, const char *dim, const struct cs_breakdown_out *o,
        struct cs_summary_doc *doc,
        struct cs_err *err)
{
    struct cs_cube cube;
    cs_status rc = cs_breakdown_cube(s, o->filter, CS_BUCKET_NONE, dim, o->top, &cube, err);
    if (rc)
        return rc;
    struct dim_groups dg = {.n = cube.n_groups};
    dg.cats = xcalloc(dg.n ? dg.n : 1, sizeof *dg.cats);
    dg.n_cats = xcalloc(dg.n ? dg.n : 1, sizeof *dg.n_cats);
    for (size_t g = 0; rc == CS_OK && g < dg.n; g++)
        rc = cs_rep_groups_build(&cube, (int)g, cube.groups[g].surveys, o->min_n, &dg.cats[g],
                                 &dg.n_cats[g], err);
    if (rc == CS_OK)
        rows_json(&cube, &dg, dim, doc);
    if (rc == CS_OK && o->csv)
        rc = rows_csv(&cube, &dg, dim, o, err);
    for (int cat = 0; rc == CS_OK && o->png && cat < CS_CAT__COUNT; cat++) {
        bool any = false;
        for (size_t g = 0; g < dg.n; g++)
            for (size_t k = 0; k < dg.n_cats[g]; k++)
                any |= dg.cats[g][k].cat == cat && dg.cats[g][k].sum.n > 0;
        if (any)
            rc = poor_chart(&cube, &dg, dim, cat, o, err);
    }
    if (rc == CS_OK && o->png && cs_dim_is_version(cs_dim_parse(dim)))
        rc = timeline(s, dim, o, err);
    dim_groups_free(&dg);
    cs_cube_free(&cube);
    return rc;
}

cs_status
cs_breakdowns_write(struct cs_store *s, const struct cs_breakdown_out *o,
                    struct cs_summary_doc *doc,
                    struct cs_err *err)
{
    struct cs_call_join a;
    cs_status rc = cs_calls_audit(s, &a, err);
    if (rc)
        return rc;
    if (a.legs) {
        cs_summary_doc_call_join(doc, &a);
    }
    if (o->n_dims == 0)
        return CS_OK;
    for (size_t i = 0; i < o->n_dims; i++)
        if (cs_dim_parse(o->dims[i]) == CS_DIM_NONE)
            return cs_fail(err, CS_E_USAGE, "--by",
                           "'%s' is not a release dimension (sdk-version, os, os-version, "
                           "endpoint-type, participant-type, call-type, end-reason, "
                           "app-version, browser, client-os)",
                           o->dims[i]);
    cs_summary_doc_breakdown(doc, NULL, 0, NULL, NULL, NULL, NULL);
    for (size_t i = 0; rc == CS_OK && i < o->n_dims; i++)
        rc = one_dim(s, o->dims[i], o, doc, err);
    return rc;
}

static cs_status
dim_sheet(struct cs_store *s, const char *dim, const struct cs_breakdown_out *o,
          struct cs_xlsx *xl, struct cs_err *err)
{
    struct cs_cube cube;
    cs_status rc = cs_breakdown_cube(s, o->filter, CS_BUCKET_NONE, dim, o->top, &cube, err);
    if (rc)
        return rc;
    struct dim_groups dg = {.n = cube.n_groups};
    dg.cats = xcalloc(dg.n ? dg.n : 1, sizeof *dg.cats);
    dg.n_cats = xcalloc(dg.n ? dg.n : 1, sizeof *dg.n_cats);
    size_t n_rows = 0;
    for (size_t g = 0; rc == CS_OK && g < dg.n; g++) {
        rc = cs_rep_groups_build(&cube, (int)g, cube.groups[g].surveys, o->min_n, &dg.cats[g],
                                 &dg.n_cats[g], err);
        n_rows += dg.n_cats[g];
    }
    static const char *const cols[] = {"Value", "Category", "Lower", "Upper", "Threshold",
                                       "Surveys", "Responses", "Poor", "Poor rate",
                                       "Poor rate 95% low", "Poor rate 95% high", "Mean"};
    static const char *const fmts[] = {NULL, NULL, NULL, NULL, NULL, "#,##0", "#,##0", "#,##0",
                                       "0.0%", "0.0%", "0.0%", "0.00"};
    enum { NC = sizeof cols / sizeof *cols };
    struct cs_xlsx_cell *cells = xcalloc((n_rows ? n_rows : 1) * NC, sizeof *cells);
    size_t i = 0;
    for (size_t g = 0; rc == CS_OK && g < dg.n; g++)
        for (size_t k = 0; k < dg.n_cats[g]; k++, i++) {
            const struct rep_group *rg = &dg.cats[g][k];
            struct cs_xlsx_cell *c = &cells[i * NC];
            double v[] = {rg->scale.lower, rg->scale.upper, rg->scale.threshold,
                          (double)cube.groups[g].surveys, (double)rg->sum.n,
                          (double)rg->sum.n_poor, rg->sum.poor_rate, rg->sum.poor_ci_lo,
                          rg->sum.poor_ci_hi, rg->sum.mean};
            c[0] = (struct cs_xlsx_cell){.type = CS_XLSX_TEXT, .text = cube.groups[g].label};
            c[1] = (struct cs_xlsx_cell){.type = CS_XLSX_TEXT,
                                         .text = cs_category_name((enum cs_category)rg->cat)};
            for (size_t j = 0; j < sizeof v / sizeof *v; j++)
                if (isfinite(v[j]))
                    c[2 + j] = (struct cs_xlsx_cell){.type = CS_XLSX_NUMBER, .num = v[j]};
        }
    char title[64];
    snprintf(title, sizeof title, "By %s", dim);
    struct cs_xlsx_table_spec t = {.title = title, .columns = cols, .n_cols = NC, .num_formats = fmts, .cells = cells, .n_rows = n_rows};
    if (rc == CS_OK)
        rc = cs_xlsx_table(xl, &t, err);
    xfree(cells);
    dim_groups_free(&dg);
    cs_cube_free(&cube);
    return rc;
}

cs_status
cs_breakdowns_xlsx(struct cs_store *s, const struct cs_breakdown_out *o, struct cs_xlsx *xl,
                   struct cs_err *err)
{
    cs_status rc = CS_OK;
    for (size_t i = 0; rc == CS_OK && i < o->n_dims; i++)
        rc = dim_sheet(s, o->dims[i], o, xl, err);
    return rc;
}
