/*
 * gen/gen.h: `callsurvey generate`, deterministic realistic synthetic data.
 *
 * Writes ACSCallSurvey records (and Application Insights customEvents for a
 * share of the surveys) in one of the Azure export forms of FORMATS.md, from
 * a seeded PRNG only: the same options give byte-identical files on any
 * machine.  Used by users to try the tool, by `make bench`, by the tests, and
 * to build sample-data/.
 *
 * What the data looks like (all shares are expectations, the counts in
 * struct gen_result are exact):
 * - Resources: ACS-PROD-EUS, ACS-PROD-WEU, ACS-CANARY-WUS2, then ACS-RES-4,
 *   ... in resource group RG-CALLING of one fixed subscription (resource ids
 *   do not depend on the seed).  Traffic shares about 40/35/25 % (further
 *   resources weigh 20 each), each with its own busy hours (UTC peaks 17h,
 *   12h, 20h), weekdays busier than weekends.
 * - Scores on the default 1-5 scale are skewed high: 12 % of surveys are
 *   poor (overall 1 or 2), the others 3/4/5 in about 14/34/52 %.  Coverage:
 *   overall in every survey but about 2 % audio-only ones; audio 70 %, video
 *   40 %, screen share 10 %.  Half of the default-scale surveys write the
 *   bounds 1/5/2, the other half leave them absent or null.  About 3 % use
 *   a custom scale (0-10 thr 5, 0-100 thr 50, 0-1 thr 0); about 0.1 % of
 *   default-scale ratings score 2.5.  Issue tags (the SDK enumerations of
 *   FORMATS.md §4, comma-joined) are on about 80 % of poor ratings and rare
 *   on good ones; about 10 % of CallCannotJoin/CallCannotInvite are spelled
 *   CannotJoin/CannotInvite; about 0.3 % of tagged ratings add an unknown tag
 *   (kept by the loader as a warning, not a reject).
 * - THE REGRESSION: resource index GEN_REGRESSION_RESOURCE (ACS-CANARY-WUS2)
 *   in its last GEN_REGRESSION_WEEKS ISO weeks (all weeks when n_weeks <= 2)
 *   has an overall poor rate of 30 % instead of 12 % (2.5x), an audio poor
 *   rate of about 30 % instead of 11 %, and Echo/AudioNoise are six and four
 *   times as likely among its audio tags.  Video and screen share are
 *   unchanged.  Nothing else differs between resources or weeks.
 * - Invalid records (invalid_share of the n_surveys slots), one broken rule
 *   each, see enum gen_invalid.  Duplicates (duplicate_share of the valid
 *   surveys): exact repeats of the record delivered 1-40 records later (an
 *   Event Hubs retry; the loader counts it as a duplicate), and, for a third
 *   of the surveys with two or more rated categories (about 27 % of the
 *   duplicates), a survey split into two records with different categories
 *   and the same SurveyId, up to 2 s apart (the loader counts the second as
 *   updated).
 * - Custom events (when custom_share > 0): customEvents.csv, the portal
 *   export of App Insights customEvents, or (events_format GEN_EV_JSONL)
 *   customEvents.jsonl, the AppEvents form: one form per directory, since
 *   both are the same events and a directory is read as one data set; one
 *   CallSurvey event for custom_share of the valid
 *   surveys, 3 s to 15 min after the survey; about 3 % retries (1-30 s
 *   later, a third with other text), orphans about 3 % of the answers, and
 *   unrelated event names (PageView, CallStarted, CallEnded, SurveySkipped)
 *   about 5 % of the answers.  The id is upper-case in about 4 % of events
 *   and padded with spaces in about 2 %.
 * - Determinism: the same options give the same bytes; the same options but
 *   another format give the same surveys (format-only choices use their own
 *   PRNG stream).  No clock, locale or libm result is consulted.
 */
#ifndef CS_GEN_H
#define CS_GEN_H

#include <stdint.h>

#include "core/err.h"

enum gen_format {
    GEN_JSONL = 0, /* storage-account tree: resourceId=/.../y=/m=/d=/h=/m=00/PT1H.json, nested properties{} shape */
    GEN_CSV,       /* Log Analytics portal CSV: BOM, " [UTC]" header suffix, locale dates, CRLF */
    GEN_RECORDS,   /* Event Hubs: one {"records":[...]} object per line, batches of records */
};

/* The form of the custom events (one per directory). */
enum gen_events_format {
    GEN_EV_CSV = 0, /* customEvents.csv, the portal export (the default) */
    GEN_EV_JSONL,   /* customEvents.jsonl, the Log Analytics AppEvents form */
};

/* The form of the call summaries (issue 20; none unless asked). */
enum gen_calls_format {
    GEN_CALLS_NONE = 0, /* no call summaries (the default) */
    GEN_CALLS_JSONL,    /* ACSCallSummary.jsonl, the storage form (properties{}) */
    GEN_CALLS_CSV,      /* ACSCallSummary.csv, the portal export */
};

struct gen_opts {
    uint64_t n_surveys;                   /* surveys to generate (valid + invalid), > 0 */
    uint64_t seed;                        /* PRNG seed; default 1 */
    double custom_share;                  /* share of surveys with a customEvents answer, 0..1; default 0.3 */
    double invalid_share;                 /* share of deliberately invalid records, 0..1; default 0.01 */
    double duplicate_share;               /* share of surveys delivered twice (exact repeat or split categories); default 0.01 */
    enum gen_format format;               /* default GEN_JSONL */
    int n_resources;                      /* ACS resources, >= 1; default 3 (the 3rd has a regression) */
    int n_weeks;                          /* ISO weeks covered, >= 1; default 4 */
    int64_t start_s;                      /* first Monday 00:00 UTC, unix seconds; default 2026-10-26 (2026-W44) */
    const char *out_dir;                  /* borrowed; created if missing */
    int single_file;                      /* GEN_JSONL only: nonzero writes one JSON Lines
                                file out_dir/surveys.jsonl instead of the tree
                                (for large N); default 0 */
    enum gen_events_format events_format; /* default GEN_EV_CSV */
    enum gen_calls_format calls_format;   /* default GEN_CALLS_NONE (gen_calls.c says what
                                             the legs look like) */
};

/* The resource with the built-in regression and its length (see above). */
#define GEN_REGRESSION_RESOURCE 2
#define GEN_REGRESSION_WEEKS 2

/* The ways an invalid record breaks the rules (the loader's reason in
 * brackets; <cat> is the category that carries the fault). */
enum gen_invalid {
    GEN_INV_DEFAULT_RANGE = 0, /* score 7, no bounds [In default scale overallRating.score should be 1 to 5.] */
    GEN_INV_CUSTOM_RANGE,      /* 0-10 scale, score 11..13 [<cat>.score: 12 should be between 0 and 10.] */
    GEN_INV_THRESHOLD,         /* 0-10 scale, threshold 12 [<cat>.scale.lowScoreThreshold: 12 should be between 0 and 10.] */
    GEN_INV_BOUNDS,            /* scale 0-200 threshold 100 [<cat>.scale lowerBound: 0 and upperBound: 200 should be between 0 and 100.] */
    GEN_INV_NO_RATING,         /* ids and time but no category [At least one survey rating is required.] */
    GEN_INV_NO_SURVEY_ID,      /* SurveyId left out [SurveyId is missing.] */
    GEN_INV_BAD_TIME,          /* "2026-13-45T25:00:00Z", Feb 30 [TimeGenerated: '...' is not a valid time.] */
    GEN_INV_WRONG_TAG,         /* a tag of another category's list, e.g. AudioIssues "Freezes" [<cat>.issues array should be of type AudioIssue.] */
    GEN_INV__COUNT
};

/* Short name of an invalid kind ("default-range", ...); never NULL. */
const char *gen_invalid_name(enum gen_invalid k);

struct gen_result {
    uint64_t surveys;                         /* distinct valid surveys written */
    uint64_t records;                         /* survey records written (incl. duplicates, invalid) */
    uint64_t invalid;                         /* invalid records written */
    uint64_t duplicates;                      /* repeated records written */
    uint64_t custom_events;                   /* CallSurvey customEvents rows written (incl.
                                orphans, retries) = matched+retries+orphans */
    uint64_t bytes;                           /* bytes written, all files */
    int files;                                /* files written */
    uint64_t dup_exact;                       /* of duplicates: exact repeats of a record */
    uint64_t dup_split;                       /* of duplicates: second records of split surveys */
    uint64_t invalid_by_kind[GEN_INV__COUNT]; /* invalid records per kind */
    uint64_t custom_matched;                  /* surveys with at least one CallSurvey event */
    uint64_t custom_retries;                  /* of custom_events: repeats of an answer */
    uint64_t custom_orphans;                  /* of custom_events: ids that are no survey's */
    uint64_t custom_other;                    /* rows with another event name (not in custom_events) */
    uint64_t calls_legs;                      /* ACSCallSummary rows written */
    uint64_t calls_unmatched;                 /* valid surveys given no leg */
};

/* Fill opts with the defaults above (out_dir NULL). */
void gen_opts_default(struct gen_opts *opts);

/* Generate into opts->out_dir.  Files are written atomically (temp + rename).
 * Files: GEN_JSONL: out_dir/insights-logs-callsurvey/resourceId=/SUBSCRIPTIONS/
 * .../COMMUNICATIONSERVICES/NAME/y=YYYY/m=MM/d=DD/h=HH/m=00/PT1H.json (or
 * out_dir/surveys.jsonl with single_file); GEN_CSV: out_dir/surveys.csv;
 * GEN_RECORDS: out_dir/eventhub-records.json (50-200 records per line,
 * the last line may hold fewer);
 * with custom_share > 0 also out_dir/customEvents.csv or (GEN_EV_JSONL)
 * out_dir/customEvents.jsonl.  Existing files of those names are replaced;
 * other files in out_dir are left alone.  Memory holds one hour's survey
 * times and a quarter hour of custom events, not the whole output.
 * res is filled on success (zeroed first).
 * Errors: CS_E_USAGE for bad options (n_surveys 0, a share outside 0..1,
 * n_resources outside 1..100, n_weeks outside 1..520, start_s not a Monday
 * 00:00 UTC, out_dir NULL), CS_E_IO naming the path.  A file is either
 * complete under its final name or absent: on error the files being written
 * are removed (hourly files of the tree already completed stay). */
cs_status gen_run(const struct gen_opts *opts, struct gen_result *res,
                  struct cs_err *err);

#endif
