/*
 * model/report_model.h: the computed report as plain data, shared by the
 * renderers (JSON, CSV, terminal, charts, XLSX).  Built by
 * cs_report_model_build (report/model.h) and freed by
 * cs_report_model_free: the model owns every array in it.
 */
#ifndef CS_MODEL_REPORT_MODEL_H
#define CS_MODEL_REPORT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/filter.h"
#include "model/review.h"
#include "stats/stats.h"

#define REP_TAG_MAX 64

struct rep_issue {
    char name[REP_TAG_MAX];    /* tag as normalized ("Echo") */
    const char *description;   /* static text; NULL for unknown tags */
    bool known;                /* in the SDK list of the category */
    uint64_t surveys;          /* responses reporting the tag */
    uint64_t poor;             /* poor responses reporting it */
    double share_of_surveys;   /* surveys / all surveys in the window */
    double share_of_responses; /* surveys / responses of the group */
    double share_of_poor;      /* poor / poor responses of the group (NaN if none) */
};

struct rep_pair {
    size_t a, b;    /* indices into the group's issues (a < b) */
    uint64_t count; /* responses reporting both */
};

/* One (category, scale) actually present. */
struct rep_group {
    int cat;                  /* enum cs_category */
    struct stats_scale scale; /* lower, upper, threshold */
    bool default_scale;       /* some ratings came without a scale */
    struct stats_summary sum; /* n, mean, median, sd, poor rate, ... */
    double share_of_surveys;  /* responses / surveys in the window */
    bool small_sample;        /* n < min_n */
    struct stats_bin *bins;   /* owned: the histogram */
    size_t n_bins;
    struct stats_bin *dist; /* owned: full distribution (zeros included) */
    size_t n_dist;
    struct rep_issue *issues; /* owned: every tag of the category, then unknown ones */
    size_t n_issues;
    uint64_t any_issue;     /* responses with at least one tag */
    double any_issue_rate;  /* any_issue / n */
    struct rep_pair *pairs; /* owned: co-occurring known tag pairs, count > 0 */
    size_t n_pairs;
};

/* Normalized figures pooled over the scales of one category (only when a
 * category has more than one scale; labelled "pooled normalized"). */
struct rep_pooled {
    int cat;
    size_t n_scales;
    struct stats_pooled p;
};

struct rep_trend {
    int64_t bucket; /* week code (202647) or day number */
    char label[16]; /* "2026-W47" or "2026-11-16" */
    bool partial;   /* the window does not cover the whole bucket */
    int cat;
    struct stats_scale scale;
    struct stats_summary sum;
    bool small_sample;
};

struct cs_report_model {
    struct cs_filter filter; /* as given (borrowed strings) */
    bool has_week;
    char week_label[16];
    int64_t window_start_us; /* effective [start, end) used for "partial" */
    int64_t window_end_us;
    struct cs_window_totals totals;
    struct cs_accounting_totals acct; /* this run's and the database's inputs */
    uint64_t min_n;
    double default_threshold;
    enum cs_bucket bucket;
    struct rep_group *groups; /* owned, ordered by category then scale */
    size_t n_groups;
    struct rep_pooled *pooled; /* owned */
    size_t n_pooled;
    struct rep_trend *trend; /* owned, ordered by category, scale, bucket */
    size_t n_trend;
    /* the trend the charts draw when the review reaches before the window
     * (--week W: its comparison weeks), same order; NULL = charts use trend.
     * Owned (cs_report_context_trend fills it). */
    struct rep_trend *chart_trend;
    size_t n_chart_trend;
    /* set by the report after the build (borrowed, not freed with the model): */
    const struct cs_review *review; /* the review, for marking its periods; NULL = none */
    bool scales_all;                /* --scales all: charts for every scale */
};

/* The up to k tags most responses of g report (surveys > 0), most first
 * (ties: list order), as indices into g->issues written to idx.  Returns
 * how many. */
size_t rep_top_issues(const struct rep_group *g, size_t k, size_t *idx);

/* "Overall rating, 1–5, poor ≤ 2" style label (cs_scale_label) of a group; buf
 * holds at least 96 bytes. */
char *cs_group_label(int cat, const struct stats_scale *sc, char *buf, size_t n);

/* The file stem of g's charts in buf (n bytes): its category ("overall"),
 * with the scale ("overall-0-10") when m has several scales of it. */
void cs_group_stem(const struct cs_report_model *m, const struct rep_group *g, char *buf,
                   size_t n);

#endif
