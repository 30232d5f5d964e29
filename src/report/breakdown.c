/*
 * report/breakdown.c: the cube of a release dimension with --top pooling
 * (see breakdown.h).  Pooling needs the groups' sizes first, so a
 * dimension with more than N value groups is scanned twice: once to rank
 * the groups, once with the kept list (cs_dim_group maps the rest to
 * "other" in SQL, so the cells of pooled groups add up in the cube).
 */
#include "report/breakdown.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "model/dims.h"
#include "report/template.h"

bool
cs_breakdown_special(const char *label)
{
    return strcmp(label, CS_DIM_UNKNOWN) == 0 || strcmp(label, CS_DIM_REDACTED) == 0 ||
           strcmp(label, CS_DIM_OTHER) == 0;
}

struct ranked {
    const char *label;
    uint64_t n;
    size_t order;
};

static int
by_size(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order; /* ties: natural order */
}

cs_status
cs_breakdown_cube(struct cs_store *s, const struct cs_filter *f, enum cs_bucket bucket,
                  const char *dim, size_t top, struct cs_cube *cube, struct cs_err *err)
{
    if (top == 0)
        top = CS_BREAKDOWN_TOP;
    cs_status rc = cs_query_cube_dim(s, f, bucket, dim, NULL, cube, err);
    if (rc != CS_OK)
        return rc;
    struct ranked *r = xcalloc(cube->n_groups + 1, sizeof *r);
    size_t n = 0;
    for (size_t g = 0; g < cube->n_groups; g++)
        if (!cs_breakdown_special(cube->groups[g].label))
            r[n++] = (struct ranked){cube->groups[g].label, cube->groups[g].surveys, g};
    if (n <= top) {
        xfree(r);
        return CS_OK;
    }
    qsort(r, n, sizeof *r, by_size);
    struct cs_buf keep = {0};
    for (size_t i = 0; i < top; i++) {
        if (i)
            cs_buf_add(&keep, "\x1f", 1);
        cs_buf_puts(&keep, r[i].label);
    }
    xfree(r);
    char *k = cs_buf_take(&keep);
    cs_cube_free(cube);
    rc = cs_query_cube_dim(s, f, bucket, dim, k, cube, err);
    xfree(k);
    return rc;
}

size_t
cs_breakdown_dims(const struct cs_template *t, const char *const *given, size_t n_given,
                  const char **out, size_t cap)
{
    size_t n = 0;
    for (size_t pass = 0; pass < 2; pass++) {
        size_t m = pass == 0 ? n_given : t ? t->n_steps
                                           : 0;
        for (size_t i = 0; i < m && n < cap; i++) {
            const char *d = pass == 0                                     ? given[i]
                            : t->steps[i].section == CS_SECTION_BREAKDOWN ? t->steps[i].x
                                                                          : NULL;
            bool dup = d == NULL;
            for (size_t k = 0; k < n && !dup; k++)
                dup = strcmp(out[k], d) == 0;
            if (!dup)
                out[n++] = d;
        }
    }
    return n;
}
