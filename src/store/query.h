/*
 * store/query.h: the aggregate queries behind the report, as C callbacks.
 *
 * Statistics are computed from histograms that SQLite builds with GROUP BY
 * (issue 9: never a row scan in C), one row per (category, scale[, bucket],
 * score).  Default-scale ratings come back with the default bounds 1..5 and
 * the store's default threshold, flagged default_scale.
 */
#ifndef CS_STORE_QUERY_H
#define CS_STORE_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "store/store.h"

/* Which surveys count.  Times in µs; [since, until). */
struct cs_filter {
    bool has_since, has_until;
    int64_t since_us, until_us;
    const char *const *resources; /* borrowed: full ARM ids or last segments */
    size_t n_resources;
};

enum cs_bucket {
    CS_BUCKET_NONE = 0,
    CS_BUCKET_WEEK, /* bucket = iso_year*100 + week */
    CS_BUCKET_DAY,  /* bucket = days since 1970-01-01 */
};

/* One histogram bin of one (category, scale[, bucket]). */
struct cs_hist_row {
    int cat;               /* enum cs_category */
    double lower, upper, threshold; /* effective scale */
    bool default_scale;    /* some ratings of this scale carried no scale */
    int64_t bucket;        /* per enum cs_bucket; 0 with CS_BUCKET_NONE */
    double score;
    uint64_t count;
};

/* Issue masks: surveys per (category, scale, tag bit mask, poor). */
struct cs_mask_row {
    int cat;
    double lower, upper, threshold;
    bool default_scale;
    uint32_t mask;   /* bit i = tag i of the catalogue */
    bool poor;
    bool any_tag;    /* the rating carried some tag (known or unknown) */
    uint64_t count;
};

/* Unknown tags (kept, not in any SDK list) per (category, scale, poor). */
struct cs_unknown_row {
    int cat;
    double lower, upper, threshold;
    bool default_scale;
    const char *issue; /* borrowed for the callback */
    bool poor;
    uint64_t count;
};

struct cs_window_totals {
    uint64_t surveys;      /* surveys in the filter */
    uint64_t calls;        /* distinct CallId among them */
    uint64_t participants; /* distinct ParticipantId among them */
    int64_t first_us, last_us; /* first and last TimeGenerated (0 when none) */
    uint64_t rejected;     /* rejected records in the store (all inputs) */
    uint64_t duplicates;   /* duplicate records seen (all inputs) */
    uint64_t updated;      /* records that updated a survey (all inputs) */
    uint64_t unknown_tags; /* unknown tags kept (all inputs) */
};

typedef cs_status (*cs_hist_cb)(void *ctx, const struct cs_hist_row *row,
                                struct cs_err *err);
typedef cs_status (*cs_mask_cb)(void *ctx, const struct cs_mask_row *row,
                                struct cs_err *err);
typedef cs_status (*cs_unknown_cb)(void *ctx, const struct cs_unknown_row *row,
                                   struct cs_err *err);

/* Histograms, ordered by category, scale (lower, upper, threshold,
 * default_scale), bucket, score. */
cs_status cs_query_histograms(struct cs_store *s, const struct cs_filter *f,
                              enum cs_bucket bucket, cs_hist_cb cb, void *ctx,
                              struct cs_err *err);
/* Issue masks, ordered by category, scale, mask, poor; rows with mask 0
 * are included (surveys without known tags). */
cs_status cs_query_issue_masks(struct cs_store *s, const struct cs_filter *f,
                               cs_mask_cb cb, void *ctx, struct cs_err *err);
cs_status cs_query_unknown_tags(struct cs_store *s, const struct cs_filter *f,
                                cs_unknown_cb cb, void *ctx, struct cs_err *err);
cs_status cs_query_window_totals(struct cs_store *s, const struct cs_filter *f,
                                 struct cs_window_totals *t, struct cs_err *err);

/* Resource names present (short names, ordered) in the filter: for the
 * About text and for checking --resource values.  Calls cb once per
 * resource with its full id and short name. */
cs_status cs_query_resources(struct cs_store *s, const struct cs_filter *f,
                             void (*cb)(void *ctx, const char *id,
                                        const char *name, uint64_t surveys),
                             void *ctx, struct cs_err *err);

/* The default threshold the store applies to default-scale ratings. */
double cs_store_default_threshold(struct cs_store *s);

#endif
