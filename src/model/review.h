/*
 * model/review.h: the weekly review as plain data (issue 17): the review
 * period against its comparison period, one headline row per category on
 * its primary scale, and the tags and resources that moved most.  Filled
 * by report/review_build.c, read by every renderer (terminal, summary.json,
 * report.xlsx, report.pdf, report.html); it holds no pointer into the
 * store.  cs_review_free (report/review_build.h) frees it and everything in it.
 */
#ifndef CS_MODEL_REVIEW_H
#define CS_MODEL_REVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats/stats.h"

/* The verdict of one comparison row (compare and the review alike). */
enum cs_verdict {
    CS_VERDICT_NO_EVIDENCE = 0,
    CS_VERDICT_BETTER,
    CS_VERDICT_WORSE,
    CS_VERDICT_TOO_SMALL,
};

/* "better", "worse", "no evidence", "too small to judge" (static). */
const char *cs_verdict_name(enum cs_verdict v);

/* How the comparison period is chosen (--vs). */
enum cs_review_vs {
    CS_VS_PREVIOUS = 0, /* the preceding window of the same length (default) */
    CS_VS_NONE,         /* no comparison */
    CS_VS_POOLED,       /* the N preceding windows pooled (--vs N) */
};

/* A time window [since_us, until_us) with its label: "2026-W47" for one ISO
 * week, "2026-W44 to 2026-W47" for several whole weeks, else
 * "2026-11-16 to 2026-11-22" (until - 1 µs's day, inclusive). */
struct cs_review_window {
    int64_t since_us, until_us;
    char label[48];
};

/* One side of a comparison. */
struct cs_review_side {
    uint64_t responses;
    uint64_t poor;
    double poor_rate; /* NaN when responses == 0 */
    double mean;      /* NaN when responses == 0 */
};

/* The outcome of judging one difference (shared with compare). */
struct cs_judgement {
    struct stats_poor_cmp cmp; /* diff (now - before), Newcombe CI, z or Fisher p */
    double p_holm;             /* Holm over the table; NaN when not judged */
    enum cs_verdict verdict;
    bool adjusted_away;    /* the unadjusted CI excludes 0 but the Holm p is
                                  >= alpha: "not significant after adjusting
                                  for N comparisons" */
    bool below_min_effect; /* significant, but |diff| < --min-effect */
    size_t n_compared;     /* rows of the table in the Holm adjustment */
};

/* A headline row: one category on its primary scale. */
struct cs_review_row {
    int cat; /* enum cs_category */
    struct stats_scale scale;
    struct cs_review_side now, before;
    struct cs_judgement j;
    size_t n_minor_scales;    /* other scales of the category in the period */
    uint64_t minor_responses; /* their responses */
};

enum cs_mover_kind { CS_MOVER_TAG = 0,
                     CS_MOVER_RESOURCE,
                     CS_MOVER_VERSION /* a version of a release dimension (issue 20) */ };

/* A tag whose share of responses moved, or a resource whose poor rate moved,
 * within one category's primary scale. */
struct cs_review_mover {
    enum cs_mover_kind kind;
    int cat;
    struct stats_scale scale;
    char name[128];                    /* tag ("HadToRejoin"), resource short name or version */
    char id[512];                      /* resource: full ARM id; version: its dimension
                                          ("sdk-version"); tag: "" */
    struct cs_review_side now, before; /* tag: poor = responses with the tag,
                                          poor_rate = its share of responses */
    struct cs_judgement j;             /* Holm over the tags (or resources) of the category */
};

struct cs_review {
    struct cs_review_window period;
    bool has_previous; /* false with --vs none or no earlier window */
    struct cs_review_window previous;
    enum cs_review_vs vs;
    unsigned vs_periods; /* windows pooled into `previous` (1 for previous) */
    bool default_period; /* no window given: the last complete ISO week */
    double min_effect;   /* points (0.5 = half a point) */
    uint64_t min_n;
    double alpha; /* 0.05 */
    uint64_t surveys_now, surveys_before;
    size_t n_resources;         /* distinct resources in the period */
    struct cs_review_row *rows; /* owned, in category order */
    size_t n_rows;
    struct cs_review_mover *tags; /* owned: at most 5 per category */
    size_t n_tags;
    struct cs_review_mover *resources; /* owned: at most 5 per category */
    size_t n_resource_movers;
    struct cs_review_mover *versions; /* owned: at most 5 per category and version
                                         dimension of report --by (sdk-version,
                                         app-version): versions whose poor rate changed */
    size_t n_version_movers;
};

/* "1–5, poor ≤ 2" into buf (at least 96 bytes). */
char *cs_scale_label(const struct stats_scale *sc, char *buf, size_t n);

#endif
