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

/* Is slice x inside [since, until) (1), outside (0), or cut (-1)? */
static int
slice_in(const struct cs_cube_slice *x, int64_t since, int64_t until)
{
    if (x->first_us >= since && x->last_us < until)
        return 1;
    if (x->last_us < since || x->first_us >= until)
        return 0;
    return -1;
}

/* The slice of (group, bucket) in in's sorted slices, or NULL. */
static const struct cs_cube_slice *
find_slice(const struct cs_cube *in, int group, int64_t bucket)
{
    size_t lo = 0, hi = in->n_slices;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct cs_cube_slice *x = &in->slices[mid];
        if (x->group < group || (x->group == group && x->bucket < bucket))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < in->n_slices && in->slices[lo].group == group && in->slices[lo].bucket == bucket
               ? &in->slices[lo]
               : NULL;
}

bool
cs_cube_window(const struct cs_cube *in, int64_t since, int64_t until, struct cs_cube *out)
{
    memset(out, 0, sizeof *out);
    if (!in->sliced)
        return false;
    for (size_t i = 0; i < in->n_slices; i++)
        if (slice_in(&in->slices[i], since, until) < 0)
            return false;
    size_t ng = in->n_groups ? in->n_groups : 1;
    uint64_t *surveys = xcalloc(ng, sizeof *surveys);
    int *new_of_old = xcalloc(ng, sizeof *new_of_old);
    struct cs_window_totals *t = &out->totals;
    *t = in->totals;
    t->surveys = t->calls = t->participants = 0;
    t->first_us = t->last_us = 0;
    out->sliced = true;
    out->slices = xmalloc((in->n_slices ? in->n_slices : 1) * sizeof *out->slices);
    for (size_t i = 0; i < in->n_slices; i++) {
        const struct cs_cube_slice *x = &in->slices[i];
        if (!slice_in(x, since, until))
            continue;
        if (t->surveys == 0 || x->first_us < t->first_us)
            t->first_us = x->first_us;
        if (t->surveys == 0 || x->last_us > t->last_us)
            t->last_us = x->last_us;
        t->surveys += x->surveys;
        surveys[x->group] += x->surveys;
        out->slices[out->n_slices++] = *x;
    }
    if (in->n_groups) {
        out->groups = xcalloc(in->n_groups, sizeof *out->groups);
        for (size_t g = 0; g < in->n_groups; g++) {
            if (!surveys[g])
                continue;
            new_of_old[g] = (int)out->n_groups;
            struct cs_cube_group *y = &out->groups[out->n_groups++];
            y->key = xstrdup(in->groups[g].key);
            y->label = xstrdup(in->groups[g].label);
            y->surveys = surveys[g];
        }
    }
    for (size_t i = 0; i < out->n_slices; i++)
        out->slices[i].group = new_of_old[out->slices[i].group];
    out->cells = xmalloc((in->n_cells ? in->n_cells : 1) * sizeof *out->cells);
    for (size_t i = 0; i < in->n_cells; i++) {
        const struct cs_cube_cell *c = &in->cells[i];
        const struct cs_cube_slice *x = find_slice(in, c->group, c->bucket);
        if (!x || !slice_in(x, since, until))
            continue;
        out->cells[out->n_cells] = *c;
        out->cells[out->n_cells++].group = new_of_old[c->group];
    }
    xfree(surveys);
    xfree(new_of_old);
    if (!out->n_groups) {
        xfree(out->groups);
        out->groups = NULL;
    }
    if (!out->n_cells) {
        xfree(out->cells);
        out->cells = NULL;
    }
    if (!out->n_slices) {
        xfree(out->slices);
        out->slices = NULL;
    }
    return true;
}
