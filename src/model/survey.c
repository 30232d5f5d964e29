/*
 * model/survey.c: categories, the issue-tag catalogue and the web SDK's
 * survey validation, re-implemented from FORMATS.md §4 because the SDK does
 * not export its validator.
 *
 * Validation mirrors CallSurveyFeatureImplOverTsCall.validateSurvey: each
 * rating runs one else-if chain that stops at its first failure; the
 * messages of all ratings are concatenated; "At least one survey rating is
 * required." when none is present; the type step (score is a number, tags
 * are of the category's type) runs only when the range steps passed.
 * Deviation, on purpose: a tag that is in no SDK list at all is kept and
 * flagged (issue 2: "unknown tags are kept and counted as warnings"); a tag
 * of another category's list still fails, as in the SDK, because it means a
 * column mix-up rather than a newer SDK.
 */
#include "model/survey.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tag {
    const char *name;
    const char *desc;
};

static const struct tag overall_tags[] = {
    {"CallCannotJoin", "The participant could not join the call."},
    {"CallCannotInvite", "The participant could not add someone to the call."},
    {"HadToRejoin", "The participant dropped out and had to join again."},
    {"CallEndedUnexpectedly", "The call ended without anyone hanging up."},
    {"OtherIssues", "Some other problem with the call as a whole."},
};
static const struct tag audio_tags[] = {
    {"NoLocalAudio", "Others could not hear the participant."},
    {"NoRemoteAudio", "The participant could not hear the others."},
    {"Echo", "The participant heard their own voice coming back."},
    {"AudioNoise", "Background noise, hiss or crackle on the line."},
    {"LowVolume", "Others were too quiet to hear comfortably."},
    {"AudioStoppedUnexpectedly", "Sound cut out part way through the call."},
    {"DistortedSpeech", "Voices sounded robotic, garbled or distorted."},
    {"AudioInterruption", "Sound kept dropping in and out."},
    {"OtherIssues", "Some other problem with the sound."},
};
static const struct tag video_tags[] = {
    {"NoVideoReceived", "The participant saw no video from the others."},
    {"NoVideoSent", "Others could not see the participant's video."},
    {"LowQuality", "Video was blurry, blocky or pixelated."},
    {"Freezes", "Video kept freezing or stuttering."},
    {"StoppedUnexpectedly", "Video stopped part way through the call."},
    {"DarkVideoReceived", "Incoming video was too dark to see."},
    {"AudioVideoOutOfSync", "Lips and voice did not match."},
    {"OtherIssues", "Some other problem with the video."},
};
static const struct tag screenshare_tags[] = {
    {"NoContentLocal", "The participant's shared screen did not show."},
    {"NoContentRemote", "The participant could not see a shared screen."},
    {"CannotPresent", "The participant could not start presenting."},
    {"LowQuality", "The shared screen was blurry or hard to read."},
    {"Freezes", "The shared screen kept freezing."},
    {"StoppedUnexpectedly", "Screen sharing stopped by itself."},
    {"LargeDelay", "The shared screen lagged well behind."},
    {"OtherIssues", "Some other problem with screen sharing."},
};

static const struct {
    const char *name, *title, *sdk, *issue_type;
    const struct tag *tags;
    size_t n_tags;
} cats[CS_CAT__COUNT] = {
    {"overall", "Overall", "overallRating", "OverallIssue", overall_tags,
     sizeof overall_tags / sizeof overall_tags[0]},
    {"audio", "Audio", "audioRating", "AudioIssue", audio_tags,
     sizeof audio_tags / sizeof audio_tags[0]},
    {"video", "Video", "videoRating", "VideoIssue", video_tags,
     sizeof video_tags / sizeof video_tags[0]},
    {"screenshare", "Screen share", "screenshareRating", "ScreenshareIssue",
     screenshare_tags, sizeof screenshare_tags / sizeof screenshare_tags[0]},
};

const char *
cs_category_name(enum cs_category c)
{
    return cats[c].name;
}

const char *
cs_category_title(enum cs_category c)
{
    return cats[c].title;
}

const char *
cs_category_sdk(enum cs_category c)
{
    return cats[c].sdk;
}


int
cs_category_parse(const char *name)
{
    for (int c = 0; c < CS_CAT__COUNT; c++)
        if (strcmp(name, cats[c].name) == 0)
            return c;
    return -1;
}

size_t
cs_tags_count(enum cs_category c)
{
    return cats[c].n_tags;
}

const char *
cs_tag_name(enum cs_category c, size_t i)
{
    return i < cats[c].n_tags ? cats[c].tags[i].name : NULL;
}

const char *
cs_tag_description(enum cs_category c, size_t i)
{
    return i < cats[c].n_tags ? cats[c].tags[i].desc : NULL;
}

static bool
span_eq(const char *s, size_t len, const char *lit)
{
    return strlen(lit) == len && memcmp(s, lit, len) == 0;
}

int
cs_tag_find(enum cs_category c, const char *name, size_t len)
{
    if (c == CS_CAT_OVERALL) {
        if (span_eq(name, len, "CannotJoin"))
            return 0;
        if (span_eq(name, len, "CannotInvite"))
            return 1;
    }
    for (size_t i = 0; i < cats[c].n_tags; i++)
        if (span_eq(name, len, cats[c].tags[i].name))
            return (int)i;
    return -1;
}

void
cs_record_clear(struct cs_record *r)
{
    r->time_us = 0;
    r->time_sub = 0;
    r->survey_id[0] = r->call_id[0] = r->participant_id[0] = '\0';
    r->correlation_id[0] = r->resource_id[0] = r->operation[0] = '\0';
    for (int c = 0; c < CS_CAT__COUNT; c++) {
        struct cs_rating *rt = &r->rating[c];
        rt->present = rt->score_is_num = rt->score_missing = false;
        rt->has_lower = rt->has_upper = rt->has_threshold = false;
        rt->score = rt->lower = rt->upper = rt->threshold = 0;
        rt->issue_mask = 0;
        rt->issues[0] = '\0';
        rt->n_unknown = rt->n_wrong_cat = 0;
    }
    r->line = 0;
    r->index = 0;
    r->reason[0] = '\0';
}

static bool
is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

bool
cs_rating_set_issues(struct cs_rating *rt, enum cs_category c,
                     const char *text, size_t len)
{
    size_t out = 0;
    rt->issues[0] = '\0';
    rt->issue_mask = 0;
    rt->n_unknown = rt->n_wrong_cat = 0;
    const char *p = text, *end = text + len;
    while (p < end && is_space(*p))
        p++;
    while (end > p && is_space(end[-1]))
        end--;
    bool json_array = end - p >= 2 && p[0] == '[' && end[-1] == ']';
    if (json_array) {
        p++;
        end--;
    }
    while (p < end) {
        const char *tok = p;
        while (p < end && *p != ',')
            p++;
        const char *tend = p;
        if (p < end)
            p++; /* skip comma */
        while (tok < tend && is_space(*tok))
            tok++;
        while (tend > tok && is_space(tend[-1]))
            tend--;
        if (json_array && tend - tok >= 2 && *tok == '"' && tend[-1] == '"') {
            tok++;
            tend--;
        }
        size_t tl = (size_t)(tend - tok);
        /* a tag holding a NUL byte ("\u0000" in JSON, a raw one in CSV) would
         * cut rt->issues short and hide the tags after it (fuzz_csv) */
        if (tl == 0 || memchr(tok, '\0', tl) != NULL)
            continue;
        const char *name = tok;
        int idx = cs_tag_find(c, tok, tl);
        if (idx >= 0) {
            if (rt->issue_mask & (1u << idx))
                continue; /* duplicate within the record */
            rt->issue_mask |= 1u << idx;
            name = cats[c].tags[idx].name;
            tl = strlen(name);
        } else {
            /* duplicate unknown/wrong tag? compare against what we kept */
            bool dup = false;
            for (const char *q = rt->issues; *q;) {
                const char *qe = strchr(q, ',');
                size_t ql = qe ? (size_t)(qe - q) : strlen(q);
                if (ql == tl && memcmp(q, tok, tl) == 0) {
                    dup = true;
                    break;
                }
                q += ql + (qe ? 1 : 0);
            }
            if (dup)
                continue;
            bool other = false;
            for (int oc = 0; oc < CS_CAT__COUNT && !other; oc++)
                if (oc != (int)c && cs_tag_find((enum cs_category)oc, tok, tl) >= 0)
                    other = true;
            if (other)
                rt->n_wrong_cat++;
            else
                rt->n_unknown++;
        }
        if (out + tl + 2 > sizeof rt->issues)
            return false;
        if (out)
            rt->issues[out++] = ',';
        memcpy(rt->issues + out, name, tl);
        out += tl;
        rt->issues[out] = '\0';
    }
    return true;
}

char *
cs_js_number(double v, char *buf)
{
    if (isnan(v))
        return strcpy(buf, "NaN");
    if (isinf(v))
        return strcpy(buf, v < 0 ? "-Infinity" : "Infinity");
    if (v == 0)
        return strcpy(buf, "0");
    /* Shortest representation that round-trips, as JavaScript prints. */
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, 32, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    /* %g may use an exponent where JS would not (JS switches at 1e21). */
    if (strchr(buf, 'e') && fabs(v) < 1e21 && fabs(v) >= 1e-6) {
        char tmp[64];
        snprintf(tmp, sizeof tmp, "%.6f", v);
        size_t n = strlen(tmp);
        while (n && tmp[n - 1] == '0')
            tmp[--n] = '\0';
        if (n && tmp[n - 1] == '.')
            tmp[--n] = '\0';
        if (n > 31) /* cannot happen below 1e21: 22 digits + '.' + 6 */
            n = 31;
        memcpy(buf, tmp, n);
        buf[n] = '\0';
    }
    return buf;
}

/* Append to r->reason, SDK style ("msg. " pieces, trimmed at the end). */
static void
reason_add(struct cs_record *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#include <stdarg.h>
static void
reason_add(struct cs_record *r, const char *fmt, ...)
{
    size_t n = strlen(r->reason);
    if (n >= sizeof r->reason - 1)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason + n, sizeof r->reason - n, fmt, ap);
    va_end(ap);
}

static bool
in_range(double lo, double x, double hi)
{
    return lo <= x && x <= hi; /* NaN fails, as in JavaScript */
}

bool
cs_record_validate(struct cs_record *r)
{
    /* Log-level reasons (SurveyId, time) set by the loader come first; the
     * SDK's messages are appended after them. */
    if (r->reason[0])
        reason_add(r, " ");
    bool any = false, range_failed = false;
    for (int c = 0; c < CS_CAT__COUNT; c++) {
        const struct cs_rating *rt = &r->rating[c];
        if (!rt->present)
            continue;
        any = true;
        const char *cat = cats[c].sdk;
        bool has_scale = rt->has_lower || rt->has_upper || rt->has_threshold;
        /* a non-numeric score compares like NaN in JavaScript */
        double s = rt->score_is_num ? rt->score : (double)NAN;
        char a[32], b[32], t[32], sc[32];
        if (!has_scale) {
            if (!rt->score_is_num && !rt->score_missing)
                continue; /* a string score: reported by the type step */
            if (!in_range(1, s, 5)) {
                reason_add(r, "In default scale %s.score should be 1 to 5. ",
                           cat);
                range_failed = true;
            }
            continue;
        }
        double lo = rt->has_lower ? rt->lower : (double)NAN;
        double hi = rt->has_upper ? rt->upper : (double)NAN;
        double th = rt->has_threshold ? rt->threshold : (double)NAN;
#define JSNUM(buf, has, v) ((has) ? cs_js_number((v), (buf)) : "undefined")
        if ((rt->score_is_num || rt->score_missing) && !in_range(lo, s, hi)) {
            reason_add(r, "%s.score: %s should be between %s and %s. ", cat,
                       JSNUM(sc, rt->score_is_num, s), JSNUM(a, rt->has_lower, lo),
                       JSNUM(b, rt->has_upper, hi));
            range_failed = true;
        } else if (!in_range(lo, th, hi)) {
            reason_add(r,
                       "%s.scale.lowScoreThreshold: %s should be between %s "
                       "and %s. ",
                       cat, JSNUM(t, rt->has_threshold, th),
                       JSNUM(a, rt->has_lower, lo), JSNUM(b, rt->has_upper, hi));
            range_failed = true;
        } else if (!(lo >= 0 && hi <= 100)) {
            reason_add(r,
                       "%s.scale lowerBound: %s and upperBound: %s should be "
                       "between 0 and 100. ",
                       cat, JSNUM(a, rt->has_lower, lo),
                       JSNUM(b, rt->has_upper, hi));
            range_failed = true;
        }
#undef JSNUM
    }
    if (!any) {
        reason_add(r, "At least one survey rating is required.");
        return false;
    }
    if (!range_failed) {
        for (int c = 0; c < CS_CAT__COUNT; c++) {
            const struct cs_rating *rt = &r->rating[c];
            if (!rt->present)
                continue;
            if (!rt->score_is_num && !rt->score_missing)
                reason_add(r, "%s.score should be of type number. ",
                           cats[c].sdk);
            if (rt->n_wrong_cat)
                reason_add(r, "%s.issues array should be of type %s. ",
                           cats[c].sdk, cats[c].issue_type);
        }
    }
    size_t n = strlen(r->reason);
    while (n && r->reason[n - 1] == ' ')
        r->reason[--n] = '\0';
    return n == 0;
}
