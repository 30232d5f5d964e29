/*
 * report/cube_sum.c: cubes derived from other cubes (report/cube_sum.h).
 */
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "report/cube_sum.h"

static int
cmp_num(double a, double b)
{
    return (a > b) - (a < b);
}

/* The order of store/query.c's cells (group last among the scale keys). */
static int
cell_cmp(const void *pa, const void *pb)
{
    const struct cs_cube_cell *a = pa, *b = pb;
    int r;
    if (a->cat != b->cat)
        return a->cat - b->cat;
    if ((r = cmp_num(a->lower, b->lower)) || (r = cmp_num(a->upper, b->upper)) ||
        (r = cmp_num(a->threshold, b->threshold)))
        return r;
    if (a->group != b->group)
        return a->group - b->group;
    if (a->bucket != b->bucket)
        return a->bucket < b->bucket ? -1 : 1;
    if ((r = cmp_num(a->score, b->score)))
        return r;
    if (a->mask != b->mask)
        return a->mask < b->mask ? -1 : 1;
    if (a->poor != b->poor)
        return a->poor - b->poor;
    if (a->any_tag != b->any_tag)
        return a->any_tag - b->any_tag;
    return a->default_scale - b->default_scale;
}

void
cs_cube_ungroup(const struct cs_cube *in, struct cs_cube *out)
{
    memset(out, 0, sizeof *out);
    out->totals = in->totals;
    if (in->n_cells == 0)
        return;
    struct cs_cube_cell *c = xmalloc(in->n_cells * sizeof *c);
    memcpy(c, in->cells, in->n_cells * sizeof *c);
    for (size_t i = 0; i < in->n_cells; i++)
        c[i].group = 0;
    qsort(c, in->n_cells, sizeof *c, cell_cmp);
    size_t n = 0;
    for (size_t i = 0; i < in->n_cells; i++) {
        if (n && cell_cmp(&c[n - 1], &c[i]) == 0)
            c[n - 1].count += c[i].count;
        else
            c[n++] = c[i];
    }
    out->cells = c;
    out->n_cells = n;
}
