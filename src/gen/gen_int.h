/*
 * gen/gen_int.h: internals of the generator shared by its files and its unit
 * test (not part of the contract; see gen.h for that).
 *
 * The generator is three layers:
 *   gen_model.c  the PRNG and the synthesis of one survey record (struct
 *                gen_rec) and one custom event (struct gen_event): what the
 *                data means, no text;
 *   gen_fmt.c    text: growable byte buffers, GUIDs, ISO and en-US times,
 *                JSON and CSV cells, and one formatter per export form;
 *   gen.c        gen_run: the clock (hours, sorted times), the output files,
 *                delayed duplicates, and the time-ordered custom events.
 * Time is kept in 100 ns ticks since the epoch ("t"), the resolution of the
 * 7 fractional digits Azure writes.
 */
#ifndef CS_GEN_INT_H
#define CS_GEN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "gen/gen.h"

#define GEN_TICKS_PER_S INT64_C(10000000)
#define GEN_TICKS_PER_HOUR (INT64_C(3600) * GEN_TICKS_PER_S)
#define GEN_MAX_ISSUES 4 /* tags one generated rating carries at most */

/* ---- PRNG: xoshiro256** seeded through splitmix64 --------------------- */

struct gen_rng {
    uint64_t s[4]; /* xoshiro256** state, never all zero */
};

void gen_rng_seed(struct gen_rng *r, uint64_t seed);
uint64_t gen_rng_next(struct gen_rng *r);
/* Uniform double in [0, 1), 53 random bits. */
double gen_rng_unit(struct gen_rng *r);
/* Uniform integer in [0, n), n > 0 (bias below 2^-32 for the n used here). */
uint64_t gen_rng_below(struct gen_rng *r, uint64_t n);
/* True with probability p. */
bool gen_rng_chance(struct gen_rng *r, double p);
/* A random version-4 GUID (variant bits 10xx), as 16 bytes. */
void gen_rng_guid(struct gen_rng *r, uint8_t out[16]);

/* ---- one survey record ------------------------------------------------ */

/* How a rating's scale reaches the export. */
enum gen_scale {
    GS_ABSENT = 0, /* default scale, bound keys absent (CSV: empty cells) */
    GS_NULL,       /* default scale, bound keys present as null (or "null") */
    GS_EXPLICIT,   /* default scale written out: 1, 5, threshold 2 */
    GS_CUSTOM,     /* a custom scale, bounds written */
};

struct gen_rating {
    bool present;                       /* the category was rated in this record */
    uint8_t scale;                      /* enum gen_scale */
    uint8_t n_issues;                   /* tags in issues[] */
    double score;                       /* integer except the rare 2.5 */
    int lower, upper;                   /* bounds (GS_EXPLICIT, GS_CUSTOM) */
    int threshold;                      /* low-score threshold (GS_EXPLICIT, GS_CUSTOM) */
    const char *issues[GEN_MAX_ISSUES]; /* static tag spellings, in order */
};

struct gen_rec {
    int64_t t;               /* TimeGenerated, ticks */
    int res;                 /* resource index, 0..n_resources-1 */
    uint8_t survey[16];      /* SurveyId */
    uint8_t call[16];        /* CallId, shared by the participants of a call */
    uint8_t part[16];        /* ParticipantId == CorrelationId */
    bool no_survey_id;       /* GEN_INV_NO_SURVEY_ID: SurveyId left out */
    int8_t bad_time;         /* -1, or which unparseable time text to write */
    int8_t invalid;          /* -1 valid, else enum gen_invalid */
    bool poor;               /* overall (or audio-only) class was "poor": picks phrases */
    uint64_t style;          /* seeds per-format spelling choices, so an exact
                               repeat formats to the same bytes */
    struct gen_rating rt[4]; /* overall, audio, video, screenshare */
};

/* Survey synthesis state. */
struct gen_model {
    struct gen_rng rng;   /* the one stream every random choice comes from */
    int n_res;            /* resources */
    int64_t regress_from; /* ticks: resource GEN_REGRESSION_RESOURCE is
                                 regressed from here on (INT64_MAX: never) */
    struct gen_call {
        uint8_t id[16]; /* CallId of the open call */
        int left;       /* further participants still to answer */
        int64_t until;  /* ticks after which the call is over */
    } * calls;          /* owned, one per resource */
};

void gen_model_init(struct gen_model *m, const struct gen_opts *o);
void gen_model_free(struct gen_model *m);
/* Synthesize a valid survey at time t for resource res into *r. */
void gen_model_survey(struct gen_model *m, int64_t t, int res,
                      struct gen_rec *r);
/* Turn the freshly synthesized *r into an invalid record of kind k (one
 * rule broken, everything else as valid). */
void gen_model_invalidate(struct gen_model *m, struct gen_rec *r,
                          enum gen_invalid k);
/* Split r (>= 2 rated categories) into r (first rated category) and *b (the
 * others, a new style, the same ids, up to 2 s later). */
void gen_model_split(struct gen_model *m, struct gen_rec *r,
                     struct gen_rec *b);
/* Rated categories of r. */
int gen_rec_n_rated(const struct gen_rec *r);

/* ---- custom events ---------------------------------------------------- */

enum gen_event_kind {
    GE_ANSWER = 0, /* CallSurvey event for a survey */
    GE_RETRY,      /* a repeat of an answer, seconds later */
    GE_ORPHAN,     /* CallSurvey event whose id is no survey's */
    GE_OTHER,      /* an unrelated event name (PageView, ...) */
};

struct gen_event {
    int64_t t;      /* timestamp, ticks */
    uint64_t seq;   /* creation order: tie-break, so the order is total */
    uint64_t salt;  /* seeds the text and the columns of the row */
    uint8_t id[16]; /* survey id (ANSWER/RETRY/ORPHAN) or call id (OTHER) */
    uint8_t kind;   /* enum gen_event_kind */
    bool poor;      /* the survey was poor: complaint phrases */
};

/* Free-text phrases of improvementSuggestion (poor and fine surveys) and
 * rating_reason; tests read them to check the CSV round trip. */
extern const char *const gen_phrases_poor[];
extern const char *const gen_phrases_fine[];
extern const char *const gen_phrases_reason[];
extern const size_t gen_n_phrases_poor, gen_n_phrases_fine,
    gen_n_phrases_reason;

/* ---- text ------------------------------------------------------------- */

/* The generator writes into core/buf's growable buffer (struct cs_buf). */

void gen_buf_init(struct cs_buf *b, size_t cap);
void gen_buf_free(struct cs_buf *b);
void gen_buf_put(struct cs_buf *b, const void *s, size_t n);
void gen_buf_puts(struct cs_buf *b, const char *s);
/* A CSV cell per FORMATS.md §3: quoted ("" escapes) when s holds a space,
 * '.', ',', '"', CR or LF; empty for s == NULL or "". */
void gen_buf_csv(struct cs_buf *b, const char *s, size_t n);
/* A CSV cell always quoted (dynamic JSON cells). */
void gen_buf_csv_quoted(struct cs_buf *b, const char *s, size_t n);
/* A JSON string literal with escapes (UTF-8 passed through). */
void gen_buf_json_str(struct cs_buf *b, const char *s, size_t n);
/* Lower-case GUID text, 36 chars; upper-case when upper. */
void gen_buf_guid(struct cs_buf *b, const uint8_t g[16], bool upper);
/* "2026-10-26T09:15:03.1234567Z" */
void gen_buf_iso(struct cs_buf *b, int64_t t);
/* "10/26/2026, 9:15:03.123 AM" (en-US portal form, not quoted) */
void gen_buf_enus(struct cs_buf *b, int64_t t);

/* Static resource facts. */
struct gen_resource {
    char name[32];      /* ACS-PROD-EUS ... */
    char id_upper[192]; /* /SUBSCRIPTIONS/<SUB>/.../COMMUNICATIONSERVICES/NAME */
    char id_lower[192]; /* the same, lower-case (Log Analytics _ResourceId) */
};
void gen_resource_make(int i, struct gen_resource *r);
/* Subscription GUID text (lower-case), the same for every resource. */
const char *gen_subscription(void);

/* Formatters: append one record (and its line end) to b. */
void gen_fmt_jsonl(struct cs_buf *b, const struct gen_rec *r,
                   const struct gen_resource *res);
void gen_fmt_csv_header(struct cs_buf *b);
void gen_fmt_csv(struct cs_buf *b, const struct gen_rec *r,
                 const struct gen_resource *res);
/* One record of a {"records":[...]} object, no separator. */
void gen_fmt_ehrec(struct cs_buf *b, const struct gen_rec *r,
                   const struct gen_resource *res);
/* Custom events; scratch is a caller-owned buffer reused for the JSON text
 * of the dynamic cells (no allocation per event). */
/* ---- call summaries (gen_calls.c) ---------------------------------- */

/* The portal CSV header of ACSCallSummary (with its BOM). */
void gen_calls_csv_header(struct cs_buf *b);
/* The call-summary legs of valid survey r (none for about 3 %: counted in
 * out->calls_unmatched), appended to b in format (enum gen_calls_format);
 * start: the first Monday (unix seconds) and n_weeks, for the rollout. */
void gen_calls_survey(struct cs_buf *b, int format, const struct gen_rec *r,
                      const struct gen_resource *res, int64_t start, int n_weeks,
                      struct gen_result *out);

void gen_fmt_event_csv_header(struct cs_buf *b);
void gen_fmt_event_csv(struct cs_buf *b, struct cs_buf *scratch,
                       const struct gen_event *e);
void gen_fmt_event_jsonl(struct cs_buf *b, struct cs_buf *scratch,
                         const struct gen_event *e);

#endif
