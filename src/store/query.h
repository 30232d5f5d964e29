/*
 * store/query.h: the aggregate queries behind the report, as C callbacks.
 *
 * Statistics are computed from histograms, never from rows held in C: one
 * pass over the filtered surveys aggregates them into a small cube (see
 * cs_query_cube) from which every histogram of the report is summed.
 * Default-scale ratings come back with the default bounds 1..5 and the
 * store's default threshold, flagged default_scale.
 */
#ifndef CS_STORE_QUERY_H
#define CS_STORE_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "model/filter.h"
#include "store/store.h"


/* Unknown tags (kept, not in any SDK list) per (category, scale, poor). */
struct cs_unknown_row {
    int cat;
    double lower, upper, threshold;
    bool default_scale;
    const char *issue; /* borrowed for the callback */
    bool poor;
    uint64_t count;
};


/* Fill *t from the inputs table (inputs that were committed). */
cs_status cs_query_accounting(struct cs_store *s, struct cs_accounting_totals *t,
                              struct cs_err *err);

typedef cs_status (*cs_unknown_cb)(void *ctx, const struct cs_unknown_row *row,
                                   struct cs_err *err);

cs_status cs_query_unknown_tags(struct cs_store *s, const struct cs_filter *f,
                                cs_unknown_cb cb, void *ctx, struct cs_err *err);
cs_status cs_query_window_totals(struct cs_store *s, const struct cs_filter *f,
                                 struct cs_window_totals *t, struct cs_err *err);


/* Every --resource value of f names a resource of the store (its full id or
 * short name, any case); else CS_E_NODATA naming the value and listing the
 * resource names the data has.  f may be NULL. */
cs_status cs_query_check_resources(struct cs_store *s, const struct cs_filter *f,
                                   struct cs_err *err);

/* Some custom event has an answer under `key` (a non-null property); else
 * CS_E_NODATA listing the keys the events do have. */
cs_status cs_query_check_custom_key(struct cs_store *s, const char *key,
                                    struct cs_err *err);


/* ---- the one-pass cube ------------------------------------------------ */

/* One cell of the histogram cube: responses per (category, scale, bucket,
 * score, tag mask, poor, any tag).  Every histogram, trend and tag figure
 * of the report is a sum over cells. */
struct cs_cube_cell {
    int cat;
    double lower, upper, threshold;
    bool default_scale; /* the ratings of this cell carried no scale */
    int group;          /* index into cs_cube.groups (0 when not grouped) */
    int64_t bucket;     /* per the scan's enum cs_bucket */
    double score;
    uint32_t mask; /* known tags, bit i = tag i */
    bool poor;     /* score <= threshold */
    bool any_tag;  /* some tag, known or not */
    uint64_t count;
};

struct cs_cube_group {
    char *key;   /* owned: full resource id, week, day or custom answer */
    char *label; /* owned: what to show (a resource's short name) */
    uint64_t surveys;
};

/* The surveys of one (group, bucket) of a scan and their first and last
 * time: what lets a cube of a narrower window be cut from the cube without
 * a scan (report/cube_sum.h, cs_cube_window). */
struct cs_cube_slice {
    int group;
    int64_t bucket;
    uint64_t surveys;
    int64_t first_us, last_us;
};

struct cs_cube {
    struct cs_cube_cell *cells; /* owned, sorted by cat, lower, upper,
                                   threshold, group, bucket, score, mask, poor, any_tag */
    size_t n_cells;
    struct cs_cube_group *groups; /* owned, in order of first label (see grouped scan) */
    size_t n_groups;
    struct cs_window_totals totals; /* surveys, distinct calls/participants,
                                       first/last, store-wide counters */
    struct cs_cube_slice *slices;   /* owned, sorted by group, bucket; only the
                                       survey scan fills them (sliced) */
    size_t n_slices;
    bool sliced; /* slices cover every survey of the cube */
};

/* Scan the filtered surveys once and aggregate them into a cube.  A single
 * pass with an in-memory aggregate replaced twelve GROUP BY sorts and two
 * count(DISTINCT) (14 s -> under a second for a million surveys); distinct
 * calls and participants are counted by 64-bit hashes of the ids (a
 * collision, about 3e-8 for a million ids, would undercount by one). */
cs_status cs_query_cube(struct cs_store *s, const struct cs_filter *f,
                        enum cs_bucket bucket, struct cs_cube *cube,
                        struct cs_err *err);
void cs_cube_free(struct cs_cube *cube);
/* qsort order of a cube's cells (struct cs_cube's), over all their keys. */
int cs_cube_cell_cmp(const void *a, const void *b);

enum cs_group_by {
    CS_GROUP_NONE = 0,
    CS_GROUP_RESOURCE, /* key: full ARM id, label: last segment */
    CS_GROUP_WEEK,     /* "2026-W47" */
    CS_GROUP_DAY,      /* "2026-11-16" */
    CS_GROUP_CUSTOM,   /* the latest answer to custom key `custom_key` ("" = no answer) */
    CS_GROUP_DIM,      /* a release dimension (model/dims.h): cs_query_cube_dim */
};

#define CS_CUBE_MAX_GROUPS 1000

/* The cube with one more dimension, the group.  Groups are sorted by key
 * (weeks and days chronologically).  More than CS_CUBE_MAX_GROUPS groups is
 * an error (CS_E_USAGE) naming the count. */
cs_status cs_query_cube_grouped(struct cs_store *s, const struct cs_filter *f,
                                enum cs_bucket bucket, enum cs_group_by by,
                                const char *custom_key, struct cs_cube *cube,
                                struct cs_err *err);

/* Are the cubes of filter f (grouped by nothing or by resource) cut from
 * the aggregate s kept while loading (store/load_cube.h, cs_store_keep_cube)
 * rather than scanned?  Yes when it has one and f's window starts and
 * ends on midnight UTC (or is open). */
bool cs_query_cube_from_load(const struct cs_store *s, const struct cs_filter *f);

/* cs_query_cube_grouped by resource, but the totals' distinct calls and
 * participants count only the surveys of [ids_since, ids_until) (the
 * cells, groups, slices and the rest of the totals cover all of f): a cube
 * from which that narrower window is cut (report/cube_sum.h,
 * cs_cube_window) with its distinct ids, and the windows before it too. */
cs_status cs_query_cube_ids_in(struct cs_store *s, const struct cs_filter *f,
                               enum cs_bucket bucket, int64_t ids_since, int64_t ids_until,
                               struct cs_cube *cube, struct cs_err *err);

/* The cube grouped by release dimension `dim` ("sdk-version", ...; see
 * model/dims.h): keys sort in the dimension's natural order (versions as
 * versions, Redacted, other and unknown last), labels are the groups.
 * keep: groups kept, separated by U+001F (the rest pooled as "other");
 * NULL keeps every group. */
cs_status cs_query_cube_dim(struct cs_store *s, const struct cs_filter *f,
                            enum cs_bucket bucket, const char *dim, const char *keep,
                            struct cs_cube *cube, struct cs_err *err);

/* The SQL expression of a release dimension's raw value over the aliases
 * survey_leg sl and call_data cl ("cl.os_version"); "NULL" for a name
 * model/dims.h does not know.  Static text. */
const char *cs_query_dim_raw(const char *dim);

#endif
