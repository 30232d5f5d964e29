/*
 * model/comparison.h: a built comparison (`callsurvey compare`) as plain
 * data: the groups, and each (category, scale) of each group against its
 * baseline.  Built and freed by report/compare_run.h; read by the renderers.
 */
#ifndef CS_MODEL_COMPARISON_H
#define CS_MODEL_COMPARISON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/report_model.h"
#include "model/review.h"
#include "stats/stats.h"

/* The significance level of every test of a comparison. */
#define CS_COMPARE_ALPHA 0.05

struct cmp_group {
    char *key;   /* owned: full resource id, week, day, answer */
    char *label; /* owned: short name */
    uint64_t surveys;
    struct rep_group *cats; /* owned: per (category, scale) */
    size_t n_cats;
};

/* One (category, scale) of one group against the baseline. */
struct cmp_row {
    int cat;
    struct stats_scale scale;
    size_t group, baseline; /* indices into groups */
    uint64_t n, n_base;     /* responses */
    uint64_t poor, poor_base;
    double poor_rate, poor_rate_base;
    struct stats_poor_cmp poor_cmp; /* diff (group - baseline), Newcombe CI, z or Fisher p */
    struct stats_mwu mwu;           /* U of the group, p, rank-biserial (+ = group higher) */
    struct stats_chi2 chi2;         /* homogeneity of the distributions */
    double p_poor_holm;             /* Holm over the table's poor-rate p-values */
    struct cs_judgement j;          /* the whole judgement (report/review_build.h cs_judge_table),
                                       of which p_poor_holm and verdict are copies */
    double mean, mean_base;
    double min_detectable_diff; /* smallest poor-rate rise detectable at 80% power */
    enum cs_verdict verdict;
};

struct cs_compare {
    const char *by; /* "resource", "week", "day", "custom:KEY" (borrowed) */
    struct cmp_group *groups;
    size_t n_groups;
    size_t baseline;        /* index of the baseline group (with previous: 0,
                                the first period, which has no row) */
    bool baseline_previous; /* --baseline previous: each row's baseline is the
                                group before it (rows carry their baseline) */
    bool baseline_given;    /* --baseline given (else the default rule) */
    struct cmp_row *rows;
    size_t n_rows;
    uint64_t min_n;
    double min_effect; /* points: smaller differences get no verdict */
    size_t n_worse, n_better;
};

#endif
