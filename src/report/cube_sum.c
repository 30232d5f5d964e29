/*
 * report/cube_sum.c: cubes derived from other cubes (report/cube_sum.h).
 */
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "report/cube_sum.h"

/* Cells c[0..n) with their groups dropped, sorted, equal cells summed:
 * returns the count left (in place). */
static size_t
merge_cells(struct cs_cube_cell *c, size_t n_in)
{
    for (size_t i = 0; i < n_in; i++)
        c[i].group = 0;
    if (n_in > 1)
        qsort(c, n_in, sizeof *c, cs_cube_cell_cmp);
    size_t n = 0;
    for (size_t i = 0; i < n_in; i++) {
        if (n && cs_cube_cell_cmp(&c[n - 1], &c[i]) == 0)
            c[n - 1].count += c[i].count;
        else
            c[n++] = c[i];
    }
    return n;
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
    out->cells = c;
    out->n_cells = merge_cells(c, in->n_cells);
}

void
cs_cube_union(const struct cs_cube *a, const struct cs_cube *b, struct cs_cube *out)
{
    memset(out, 0, sizeof *out);
    const struct cs_window_totals *x = &a->totals, *y = &b->totals;
    struct cs_window_totals *t = &out->totals;
    t->surveys = x->surveys + y->surveys;
    if (x->surveys && y->surveys) {
        t->first_us = x->first_us < y->first_us ? x->first_us : y->first_us;
        t->last_us = x->last_us > y->last_us ? x->last_us : y->last_us;
    } else if (x->surveys || y->surveys) {
        t->first_us = x->surveys ? x->first_us : y->first_us;
        t->last_us = x->surveys ? x->last_us : y->last_us;
    }
    size_t n = a->n_cells + b->n_cells;
    if (n == 0)
        return;
    struct cs_cube_cell *c = xmalloc(n * sizeof *c);
    if (a->n_cells)
        memcpy(c, a->cells, a->n_cells * sizeof *c);
    if (b->n_cells)
        memcpy(c + a->n_cells, b->cells, b->n_cells * sizeof *c);
    out->cells = c;
    out->n_cells = merge_cells(c, n);
}
