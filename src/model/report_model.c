/*
 * model/report_model.c: labels and rankings over the report model.
 */
#include "model/report_model.h"

#include <stdint.h>
#include <stdio.h>

#include "model/review.h"
#include "model/survey.h"

char *
cs_group_label(int cat, const struct stats_scale *sc, char *buf, size_t n)
{
    char scale[96];
    snprintf(buf, n, "%s rating, %s", cs_category_title((enum cs_category)cat),
             cs_scale_label(sc, scale, sizeof scale));
    return buf;
}

size_t
rep_top_issues(const struct rep_group *g, size_t k, size_t *idx)
{
    size_t n = 0;
    while (n < k) {
        size_t best = SIZE_MAX;
        for (size_t j = 0; j < g->n_issues; j++) {
            bool taken = false;
            for (size_t t = 0; t < n && !taken; t++)
                taken = idx[t] == j;
            if (!taken && g->issues[j].surveys > 0 &&
                (best == SIZE_MAX || g->issues[j].surveys > g->issues[best].surveys))
                best = j;
        }
        if (best == SIZE_MAX)
            break;
        idx[n++] = best;
    }
    return n;
}

void
cs_group_stem(const struct cs_report_model *m, const struct rep_group *g, char *buf, size_t n)
{
    int k = 0;
    for (size_t i = 0; i < m->n_groups; i++)
        k += m->groups[i].cat == g->cat;
    char lo[32], hi[32];
    if (k > 1)
        snprintf(buf, n, "%s-%s-%s", cs_category_name((enum cs_category)g->cat),
                 cs_js_number(g->scale.lower, lo), cs_js_number(g->scale.upper, hi));
    else
        snprintf(buf, n, "%s", cs_category_name((enum cs_category)g->cat));
}
