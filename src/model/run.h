/*
 * model/run.h: what a run was (issue 17's summary.json "run" object): the
 * tool's version, when it ran, each command-line input with its
 * accounting, the filters and options that shaped the figures, and the
 * template.  Plain data filled by the command layer; every string is
 * borrowed for as long as the struct is used.
 */
#ifndef CS_MODEL_RUN_H
#define CS_MODEL_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One command-line input (a directory sums its files). */
struct cs_run_input {
    char *path;       /* as typed (the filler owns it) */
    const char *kind; /* "surveys" or "events" (static) */
    char *format;     /* "jsonl", "csv", ... (the filler owns it) */
    uint64_t bytes, read, stored, duplicates, updated, conflicts, rejected;
};

struct cs_run_info {
    const char *version;               /* "callsurvey 0.4.0" */
    int64_t generated_s;               /* the run's time (SOURCE_DATE_EPOCH, else now) */
    const struct cs_run_input *inputs; /* this run's inputs; none for a --db alone */
    size_t n_inputs;
    const char *db;            /* --db path, NULL = a private database */
    const char *template_name; /* NULL = none */
    /* filters and options */
    bool has_since, has_until;
    int64_t since_us, until_us; /* the window as given ([since, until)) */
    const char *week;           /* --week as typed, NULL = none */
    const char *const *resources;
    size_t n_resources;
    const char *merge;  /* custom-answer merge kind */
    const char *bucket; /* "week" or "day" */
    double default_threshold;
    uint64_t min_n;
    const char *vs; /* "previous", "none", "N" */
    double min_effect;
    const char *scales;        /* "primary" or "all" */
    const char *by, *baseline; /* compare only; NULL for a report */
};

/* The size of every chart (--size WxH, --dpi N): width_px x height_px
 * pixels (0 x 0 = 1200 x 700) at dpi (0 = 144); the ranges are checked by
 * the caller (chart.h: 100..10000 px, 36..1200 dpi).  A NULL size pointer
 * means the defaults. */
struct cs_chart_size {
    int width_px, height_px, dpi;
    int paper; /* --paper: report.pdf's page (render/pdf_doc.h enum pdf_paper; 0 = A4) */
};

#endif
