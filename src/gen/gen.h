/*
 * gen/gen.h: `callsurvey generate`, deterministic realistic synthetic data.
 *
 * Writes ACSCallSurvey records (and Application Insights customEvents for a
 * share of the surveys) in one of the Azure export forms of FORMATS.md, from
 * a seeded PRNG only: the same options give byte-identical files on any
 * machine.  Used by users to try the tool, by `make bench`, by the tests, and
 * to build sample-data/.
 */
#ifndef CS_GEN_H
#define CS_GEN_H

#include <stdint.h>

#include "core/err.h"

enum gen_format {
    GEN_JSONL = 0,   /* storage-account tree: resourceId=/.../y=/m=/d=/h=/m=00/PT1H.json, nested properties{} shape */
    GEN_CSV,         /* Log Analytics portal CSV: BOM, " [UTC]" header suffix, locale dates, CRLF */
    GEN_RECORDS,     /* Event Hubs: one {"records":[...]} object per line, batches of records */
};

struct gen_opts {
    uint64_t n_surveys;      /* surveys to generate (valid + invalid), > 0 */
    uint64_t seed;           /* PRNG seed; default 1 */
    double custom_share;     /* share of surveys with a customEvents answer, 0..1; default 0.3 */
    double invalid_share;    /* share of deliberately invalid records, 0..1; default 0.01 */
    double duplicate_share;  /* share of surveys delivered twice (exact repeat or split categories); default 0.01 */
    enum gen_format format;  /* default GEN_JSONL */
    int n_resources;         /* ACS resources, >= 1; default 3 (the 3rd has a regression) */
    int n_weeks;             /* ISO weeks covered, >= 1; default 4 */
    int64_t start_s;         /* first Monday 00:00 UTC, unix seconds; default 2026-10-26 (2026-W44) */
    const char *out_dir;     /* borrowed; created if missing */
};

struct gen_result {
    uint64_t surveys;        /* distinct valid surveys written */
    uint64_t records;        /* survey records written (incl. duplicates, invalid) */
    uint64_t invalid;        /* invalid records written */
    uint64_t duplicates;     /* repeated records written */
    uint64_t custom_events;  /* customEvents rows written (incl. orphans, duplicates) */
    uint64_t bytes;          /* bytes written, all files */
    int files;               /* files written */
};

/* Fill opts with the defaults above (out_dir NULL). */
void gen_opts_default(struct gen_opts *opts);

/* Generate into opts->out_dir.  Files are written atomically (temp + rename).
 * Errors: CS_E_USAGE for bad options, CS_E_IO naming the path. */
cs_status gen_run(const struct gen_opts *opts, struct gen_result *res,
                  struct cs_err *err);

#endif
