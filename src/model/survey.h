/*
 * model/survey.h: what one ACSCallSurvey record means, independent of the
 * format it came in.
 *
 * A record has survey-level identity (SurveyId, time, resource, call,
 * participant) and up to four ratings (overall, audio, video, screenshare).
 * A rating has a score, an optional scale (lower, upper, threshold: all three
 * or none in a valid record) and issue tags.  The tag catalogue, the aliases
 * and the web SDK's validation rules (FORMATS.md §4) live here, so loaders
 * only map fields and the store only stores.
 *
 * Strings are held in fixed-size arrays inside the record so that a batch of
 * records is one allocation and the hot path never mallocs; over-long values
 * are rejected with a reason rather than truncated.
 */
#ifndef CS_MODEL_SURVEY_H
#define CS_MODEL_SURVEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cs_category {
    CS_CAT_OVERALL = 0,
    CS_CAT_AUDIO,
    CS_CAT_VIDEO,
    CS_CAT_SCREENSHARE,
    CS_CAT__COUNT
};

#define CS_ID_MAX 128       /* longest SurveyId/CallId/ParticipantId kept */
#define CS_RESOURCE_MAX 512 /* longest resource id kept */
#define CS_ISSUES_MAX 1024  /* longest normalized issue list kept */
#define CS_OPNAME_MAX 64    /* longest OperationName kept */
#define CS_REASON_MAX 512   /* longest rejection reason */

/* Lower-case name used in SQL, file names and JSON: "overall", "audio", ... */
const char *cs_category_name(enum cs_category c);
/* Display name: "Overall", "Audio", "Video", "Screen share". */
const char *cs_category_title(enum cs_category c);
/* SDK property name: "overallRating", "audioRating", ... */
const char *cs_category_sdk(enum cs_category c);
/* Parse a lower-case category name; returns -1 if unknown. */
int cs_category_parse(const char *name);

/* The tag catalogue: the SDK enumerations, in SDK order. */
size_t cs_tags_count(enum cs_category c);
/* Tag i of category c (its bit in an issue mask is 1u << i). */
const char *cs_tag_name(enum cs_category c, size_t i);
/* One-sentence description of tag i, in the project's own words. */
const char *cs_tag_description(enum cs_category c, size_t i);
/* Index of tag `name` (len bytes) in category c after alias normalization
 * (CannotJoin -> CallCannotJoin, CannotInvite -> CallCannotInvite); -1 if
 * it is not a tag of c. */
int cs_tag_find(enum cs_category c, const char *name, size_t len);

struct cs_rating {
    bool present;                             /* the category was rated in this record */
    bool score_is_num;                        /* score parsed as a number */
    bool score_missing;                       /* rated (issues given) but no score at all: JS undefined */
    bool has_lower, has_upper, has_threshold; /* scale fields present */
    double score;                             /* valid when score_is_num */
    double lower, upper, threshold;           /* valid when has_* */
    uint32_t issue_mask;                      /* bit i = tag i of the catalogue */
    char issues[CS_ISSUES_MAX];               /* normalized tags, comma-joined, deduplicated,
                                   input order, aliases resolved, unknown kept */
    uint16_t n_unknown;                       /* tags not in any catalogue (kept, flagged) */
    uint16_t n_wrong_cat;                     /* tags of another category's list (SDK rejects) */
};

struct cs_record {
    int64_t time_us;                       /* TimeGenerated, µs since epoch */
    uint8_t time_sub;                      /* its 7th fractional digit (100 ns, 0..9):
                                             the order of records is time_us*10+time_sub */
    char survey_id[CS_ID_MAX + 1];         /* trimmed, lower-case */
    char call_id[CS_ID_MAX + 1];           /* trimmed, as given ("" if none) */
    char participant_id[CS_ID_MAX + 1];    /* as given ("" if none) */
    char correlation_id[CS_ID_MAX + 1];    /* as given ("" if none) */
    char resource_id[CS_RESOURCE_MAX + 1]; /* upper-cased ARM id, leading '/' */
    char operation[CS_OPNAME_MAX + 1];     /* OperationName ("" if none) */
    struct cs_rating rating[CS_CAT__COUNT];
    uint64_t line;              /* 1-based line of the record start */
    uint32_t index;             /* record index within that line (0-based) */
    char reason[CS_REASON_MAX]; /* non-empty: rejected, why */
};

/* Reset a record to "nothing present". */
void cs_record_clear(struct cs_record *r);

/* Apply the web SDK's validation (FORMATS.md §4) plus the log-level rules
 * (SurveyId present, time valid — those are set by the loader into
 * r->reason before calling).  On failure writes the SDK-form message into
 * r->reason and returns false. */
bool cs_record_validate(struct cs_record *r);

/* Split, trim, deduplicate and normalize an issue list for category c into
 * rt->issues / rt->issue_mask / counters.  Accepts "A,B", " A , ,B" and a
 * JSON-array string "[\"A\",\"B\"]".  Returns false if the normalized list
 * would exceed CS_ISSUES_MAX. */
bool cs_rating_set_issues(struct cs_rating *rt, enum cs_category c,
                          const char *text, size_t len);

/* Format a double as JavaScript's Number.prototype.toString does for the
 * values that occur here (integers, decimals, Infinity, NaN, -0 -> "0").
 * buf must hold 32 bytes.  Returns buf. */
char *cs_js_number(double v, char *buf);

#endif
