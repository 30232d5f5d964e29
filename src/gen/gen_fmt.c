/*
 * gen/gen_fmt.c: the text of generated exports.
 *
 * Everything is appended to a growable byte buffer (struct cs_buf) that
 * gen.c flushes to the output file in large blocks; numbers, GUIDs and times
 * are formatted by hand rather than with snprintf, because formatting is
 * the generator's hot path (a million records are about 600 MB of text).
 *
 * Spelling choices that vary between records (null or "null", a number as a
 * string, which optional columns appear) are drawn from a small PRNG seeded
 * by the record's own style value, not from the main stream: an exact
 * repeat of a record must format to the same bytes, and a formatter must
 * not change what the model draws next.
 *
 * Constants that identify the fictitious tenant (subscription, workspace,
 * Application Insights component) are fixed, so resource ids are the same
 * for every seed and templates or tests can name them.
 */
#include "gen/gen_int.h"

#include <stdio.h>
#include <string.h>

#include "core/ctime.h"
#include "core/mem.h"

#define PUTL(b, lit) gen_buf_put((b), (lit), sizeof(lit) - 1)

static const char SUBSCRIPTION[] = "3f2b8c1e-7a4d-4e29-9b6c-0d5e1f2a7c84";
static const char WORKSPACE[] = "b1c7e3a9-2f64-4d8e-a5b0-6c93d2e1f478";
static const char AI_APP_ID[] = "6d0e9f3b-41a8-4c57-8e2d-93b7a1c5f260";
static const char AI_IKEY[] = "c84f1a27-5b3e-4d90-a6c8-1e7f2b9d4a35";
static const char AI_NAME[] =
    "/subscriptions/3f2b8c1e-7a4d-4e29-9b6c-0d5e1f2a7c84/resourcegroups/"
    "rg-calling/providers/microsoft.insights/components/contoso-calling-ai";

/* ---- buffers ---------------------------------------------------------- */

void
gen_buf_init(struct cs_buf *b, size_t cap)
{
    *b = (struct cs_buf){0};
    cs_buf_reserve(b, cap);
}

void
gen_buf_free(struct cs_buf *b)
{
    cs_buf_free(b);
}

void
gen_buf_put(struct cs_buf *b, const void *s, size_t n)
{
    memcpy(cs_buf_reserve(b, n), s, n);
    cs_buf_commit(b, n);
}

void
gen_buf_puts(struct cs_buf *b, const char *s)
{
    gen_buf_put(b, s, strlen(s));
}

static void
put_ch(struct cs_buf *b, char c)
{
    *cs_buf_reserve(b, 1) = c;
    cs_buf_commit(b, 1);
}

/* Zero-padded decimal of exactly `width` digits. */
static void
put_pad(struct cs_buf *b, uint64_t v, int width)
{
    char *w = cs_buf_reserve(b, (size_t)width);
    for (int i = width - 1; i >= 0; i--) {
        w[i] = (char)('0' + v % 10);
        v /= 10;
    }
    cs_buf_commit(b, (size_t)width);
}

/* A score or bound: integers without a fraction; anything else (only 2.5
 * occurs) through printf, never locale-sensitive here because the program
 * never calls setlocale. */
static void
put_num(struct cs_buf *b, double v)
{
    if (v >= 0 && v < 1e15 && v == (double)(int64_t)v) {
        cs_buf_u64(b, (uint64_t)v);
        return;
    }
    if (v < 0 && v > -1e15 && v == (double)(int64_t)v) {
        put_ch(b, '-');
        cs_buf_u64(b, (uint64_t)-v);
        return;
    }
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%.15g", v);
    gen_buf_put(b, tmp, (size_t)n);
}

static bool
csv_needs_quotes(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == ' ' || c == '.' || c == ',' || c == '"' || c == '\n' ||
            c == '\r')
            return true;
    }
    return false;
}

void
gen_buf_csv_quoted(struct cs_buf *b, const char *s, size_t n)
{
    put_ch(b, '"');
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') {
            gen_buf_put(b, s + start, i + 1 - start);
            put_ch(b, '"'); /* "" escape */
            start = i + 1;
        }
    }
    gen_buf_put(b, s + start, n - start);
    put_ch(b, '"');
}

void
gen_buf_csv(struct cs_buf *b, const char *s, size_t n)
{
    if (s == NULL || n == 0)
        return;
    if (csv_needs_quotes(s, n))
        gen_buf_csv_quoted(b, s, n);
    else
        gen_buf_put(b, s, n);
}

static void
put_csvs(struct cs_buf *b, const char *s)
{
    gen_buf_csv(b, s, s ? strlen(s) : 0);
}

void
gen_buf_json_str(struct cs_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    put_ch(b, '"');
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        gen_buf_put(b, s + start, i - start);
        start = i + 1;
        switch (c) {
        case '"': PUTL(b, "\\\""); break;
        case '\\': PUTL(b, "\\\\"); break;
        case '\n': PUTL(b, "\\n"); break;
        case '\r': PUTL(b, "\\r"); break;
        case '\t': PUTL(b, "\\t"); break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            gen_buf_put(b, u, 6);
        }
        }
    }
    gen_buf_put(b, s + start, n - start);
    put_ch(b, '"');
}

static void
put_jstr(struct cs_buf *b, const char *s)
{
    gen_buf_json_str(b, s, strlen(s));
}

void
gen_buf_guid(struct cs_buf *b, const uint8_t g[16], bool upper)
{
    const char *hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char *w = cs_buf_reserve(b, 36);
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *w++ = '-';
        *w++ = hex[g[i] >> 4];
        *w++ = hex[g[i] & 15];
    }
    cs_buf_commit(b, 36);
}

/* Hex of n random bytes (W3C trace/span ids). */
static void
put_hex(struct cs_buf *b, struct gen_rng *r, int n)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < n; i++) {
        unsigned v = (unsigned)gen_rng_below(r, 256);
        put_ch(b, hex[v >> 4]);
        put_ch(b, hex[v & 15]);
    }
}

/* Application Insights JS session/user ids: 22 base64-ish characters. */
static void
put_aiid(struct cs_buf *b, struct gen_rng *r)
{
    static const char al[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    for (int i = 0; i < 22; i++)
        put_ch(b, al[gen_rng_below(r, 62)]);
}

struct civil {
    int64_t y;
    unsigned mo, d, h, mi, s;
    uint64_t frac; /* ticks within the second, 0..9999999 */
};

static void
civil_of(int64_t t, struct civil *c)
{
    int64_t ticks_day = 86400 * GEN_TICKS_PER_S;
    int64_t day = t / ticks_day, rem = t % ticks_day;
    if (rem < 0) {
        rem += ticks_day;
        day--;
    }
    cs_civil_from_days(day, &c->y, &c->mo, &c->d);
    int64_t sec = rem / GEN_TICKS_PER_S;
    c->frac = (uint64_t)(rem % GEN_TICKS_PER_S);
    c->h = (unsigned)(sec / 3600);
    c->mi = (unsigned)(sec / 60 % 60);
    c->s = (unsigned)(sec % 60);
}

static void
put_iso_civil(struct cs_buf *b, const struct civil *c, unsigned month,
              unsigned day)
{
    put_pad(b, (uint64_t)c->y, 4);
    put_ch(b, '-');
    put_pad(b, month, 2);
    put_ch(b, '-');
    put_pad(b, day, 2);
    put_ch(b, 'T');
    put_pad(b, c->h, 2);
    put_ch(b, ':');
    put_pad(b, c->mi, 2);
    put_ch(b, ':');
    put_pad(b, c->s, 2);
    put_ch(b, '.');
    put_pad(b, c->frac, 7);
    put_ch(b, 'Z');
}

void
gen_buf_iso(struct cs_buf *b, int64_t t)
{
    struct civil c;
    civil_of(t, &c);
    put_iso_civil(b, &c, c.mo, c.d);
}

static void
put_enus_civil(struct cs_buf *b, const struct civil *c, unsigned month,
               unsigned day)
{
    cs_buf_u64(b, month);
    put_ch(b, '/');
    cs_buf_u64(b, day);
    put_ch(b, '/');
    cs_buf_u64(b, (uint64_t)c->y);
    PUTL(b, ", ");
    unsigned h12 = c->h % 12 ? c->h % 12 : 12;
    cs_buf_u64(b, h12);
    put_ch(b, ':');
    put_pad(b, c->mi, 2);
    put_ch(b, ':');
    put_pad(b, c->s, 2);
    put_ch(b, '.');
    put_pad(b, c->frac / 10000, 3);
    if (c->h < 12)
        PUTL(b, " AM");
    else
        PUTL(b, " PM");
}

void
gen_buf_enus(struct cs_buf *b, int64_t t)
{
    struct civil c;
    civil_of(t, &c);
    put_enus_civil(b, &c, c.mo, c.d);
}

/* ---- resources -------------------------------------------------------- */

const char *
gen_subscription(void)
{
    return SUBSCRIPTION;
}

void
gen_resource_make(int i, struct gen_resource *r)
{
    static const char *const fixed[] = {"ACS-PROD-EUS", "ACS-PROD-WEU",
                                        "ACS-CANARY-WUS2"};
    if (i < 3)
        snprintf(r->name, sizeof r->name, "%s", fixed[i]);
    else
        snprintf(r->name, sizeof r->name, "ACS-RES-%d", i + 1);
    snprintf(r->id_lower, sizeof r->id_lower,
             "/subscriptions/%s/resourcegroups/rg-calling/providers/"
             "microsoft.communication/communicationservices/%s",
             SUBSCRIPTION, r->name);
    size_t n = strlen(r->id_lower);
    for (size_t k = 0; k < n; k++) {
        char c = r->id_lower[k];
        r->id_upper[k] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
        r->id_lower[k] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    r->id_upper[n] = '\0';
}

/* ---- survey records --------------------------------------------------- */

static const char *const cat_prefix[4] = {"Overall", "Audio", "Video",
                                          "Screenshare"};
static const char *const cat_issues_key[4] = {
    "OverallCallIssues", "AudioIssues", "VideoIssues", "ScreenshareIssues"};

/* The comma-joined tag list (no spaces) into out (at most
 * GEN_MAX_ISSUES tags of under 32 chars: 128 bytes suffice); returns length. */
static size_t
issues_text(const struct gen_rating *rt, char out[160])
{
    size_t n = 0;
    for (int i = 0; i < rt->n_issues; i++) {
        size_t k = strlen(rt->issues[i]);
        if (n + k + 2 > 160)
            break;
        if (i)
            out[n++] = ',';
        memcpy(out + n, rt->issues[i], k);
        n += k;
    }
    return n;
}

static void
put_issues(struct cs_buf *b, const struct gen_rating *rt)
{
    char tmp[160];
    gen_buf_put(b, tmp, issues_text(rt, tmp));
}

static void
put_bad_time_json(struct cs_buf *b, const struct gen_rec *r)
{
    if (r->bad_time == 0) {
        PUTL(b, "2026-13-45T25:00:00Z"); /* month 13, day 45, hour 25 */
        return;
    }
    struct civil c;
    civil_of(r->t, &c);
    put_iso_civil(b, &c, 2, 30); /* February 30th */
}

/* key of category c with suffix: "AudioRatingScoreLowerBound" */
static void
put_cat_key(struct cs_buf *b, int c, const char *suffix)
{
    put_ch(b, '"');
    gen_buf_puts(b, cat_prefix[c]);
    PUTL(b, "RatingScore");
    gen_buf_puts(b, suffix);
    PUTL(b, "\":");
}

void
gen_fmt_jsonl(struct cs_buf *b, const struct gen_rec *r,
              const struct gen_resource *res)
{
    PUTL(b, "{\"time\":\"");
    if (r->bad_time >= 0)
        put_bad_time_json(b, r);
    else
        gen_buf_iso(b, r->t);
    PUTL(b, "\",\"resourceId\":\"");
    gen_buf_puts(b, res->id_upper);
    PUTL(b, "\",\"operationName\":\"CallSurvey\",\"operationVersion\":\"0.0\","
            "\"category\":\"CallSurvey\",\"correlationId\":\"");
    gen_buf_guid(b, r->part, false);
    PUTL(b, "\",\"properties\":{\"CallId\":\"");
    gen_buf_guid(b, r->call, false);
    if (!r->no_survey_id) {
        PUTL(b, "\",\"SurveyId\":\"");
        gen_buf_guid(b, r->survey, false);
    }
    PUTL(b, "\",\"ParticipantId\":\"");
    gen_buf_guid(b, r->part, false);
    put_ch(b, '"');
    for (int c = 0; c < 4; c++) {
        const struct gen_rating *rt = &r->rt[c];
        if (!rt->present)
            continue;
        put_ch(b, ',');
        put_cat_key(b, c, "");
        put_num(b, rt->score);
        if (rt->scale != GS_ABSENT) {
            bool nul = rt->scale == GS_NULL;
            put_ch(b, ',');
            put_cat_key(b, c, "LowerBound");
            nul ? PUTL(b, "null") : put_num(b, rt->lower);
            put_ch(b, ',');
            put_cat_key(b, c, "UpperBound");
            nul ? PUTL(b, "null") : put_num(b, rt->upper);
            put_ch(b, ',');
            put_cat_key(b, c, "Threshold");
            nul ? PUTL(b, "null") : put_num(b, rt->threshold);
        }
        PUTL(b, ",\"");
        gen_buf_puts(b, cat_issues_key[c]);
        PUTL(b, "\":\"");
        put_issues(b, rt);
        put_ch(b, '"');
    }
    PUTL(b, "}}\n");
}

/* Column order of the portal CSV: the schema's grouping, not alphabetical
 * (the loader must map by header name). */
void
gen_fmt_csv_header(struct cs_buf *b)
{
    PUTL(b, "TenantId,\"TimeGenerated [UTC]\",OperationName,OperationVersion,"
            "CorrelationId,CallId,SurveyId,ParticipantId");
    for (int c = 0; c < 4; c++) {
        static const char *const sfx[4] = {"", "LowerBound", "UpperBound",
                                           "Threshold"};
        for (int k = 0; k < 4; k++) {
            put_ch(b, ',');
            gen_buf_puts(b, cat_prefix[c]);
            PUTL(b, "RatingScore");
            gen_buf_puts(b, sfx[k]);
        }
        put_ch(b, ',');
        gen_buf_puts(b, cat_issues_key[c]);
    }
    PUTL(b, ",SourceSystem,Type,_ResourceId,_SubscriptionId\r\n");
}

void
gen_fmt_csv(struct cs_buf *b, const struct gen_rec *r,
            const struct gen_resource *res)
{
    gen_buf_puts(b, WORKSPACE);
    PUTL(b, ",\"");
    if (r->bad_time >= 0) {
        struct civil c;
        civil_of(r->t, &c);
        if (r->bad_time == 0)
            put_enus_civil(b, &c, 13, 45); /* month 13 */
        else
            put_enus_civil(b, &c, 2, 30); /* February 30th */
    } else {
        gen_buf_enus(b, r->t);
    }
    PUTL(b, "\",CallSurvey,\"0.0\",");
    gen_buf_guid(b, r->part, false);
    put_ch(b, ',');
    gen_buf_guid(b, r->call, false);
    put_ch(b, ',');
    if (!r->no_survey_id)
        gen_buf_guid(b, r->survey, false);
    put_ch(b, ',');
    gen_buf_guid(b, r->part, false);
    for (int c = 0; c < 4; c++) {
        const struct gen_rating *rt = &r->rt[c];
        if (!rt->present) {
            PUTL(b, ",,,,,");
            continue;
        }
        put_ch(b, ',');
        put_num(b, rt->score);
        if (rt->scale == GS_EXPLICIT || rt->scale == GS_CUSTOM) {
            put_ch(b, ',');
            put_num(b, rt->lower);
            put_ch(b, ',');
            put_num(b, rt->upper);
            put_ch(b, ',');
            put_num(b, rt->threshold);
        } else {
            PUTL(b, ",,,"); /* a null int exports as an empty field */
        }
        put_ch(b, ',');
        char tmp[160];
        gen_buf_csv(b, tmp, issues_text(rt, tmp)); /* "A,B" is quoted */
    }
    PUTL(b, ",Azure,ACSCallSurvey,");
    put_csvs(b, res->id_lower);
    put_ch(b, ',');
    gen_buf_puts(b, SUBSCRIPTION);
    PUTL(b, "\r\n");
}

/* A number that the Event Hubs form sometimes writes as a string. */
static void
put_eh_num(struct cs_buf *b, double v, bool as_string)
{
    if (as_string)
        put_ch(b, '"');
    put_num(b, v);
    if (as_string)
        put_ch(b, '"');
}

static void
put_eh_null(struct cs_buf *b, struct gen_rng *st)
{
    if (gen_rng_chance(st, 0.5))
        PUTL(b, "null");
    else
        PUTL(b, "\"null\"");
}

void
gen_fmt_ehrec(struct cs_buf *b, const struct gen_rec *r,
              const struct gen_resource *res)
{
    struct gen_rng st;
    gen_rng_seed(&st, r->style);
    bool strings = gen_rng_chance(&st, 0.25);      /* this record quotes numbers */
    bool unrated_null = gen_rng_chance(&st, 0.30); /* writes unrated columns */

    PUTL(b, "{\"TimeGenerated\":\"");
    if (r->bad_time >= 0)
        put_bad_time_json(b, r);
    else
        gen_buf_iso(b, r->t);
    PUTL(b, "\",\"_ResourceId\":\"");
    gen_buf_puts(b, res->id_upper);
    PUTL(b, "\",");
    if (!r->no_survey_id) {
        PUTL(b, "\"SurveyId\":\"");
        gen_buf_guid(b, r->survey, false);
        PUTL(b, "\",");
    }
    PUTL(b, "\"CallId\":\"");
    gen_buf_guid(b, r->call, false);
    PUTL(b, "\",\"CorrelationId\":\"");
    gen_buf_guid(b, r->part, false);
    PUTL(b, "\",\"ParticipantId\":\"");
    gen_buf_guid(b, r->part, false);
    PUTL(b, "\",\"OperationName\":\"CallSurvey\",\"OperationVersion\":\"0.0\"");
    for (int c = 0; c < 4; c++) {
        const struct gen_rating *rt = &r->rt[c];
        if (!rt->present) {
            if (!unrated_null)
                continue;
            static const char *const sfx[4] = {"", "LowerBound", "UpperBound",
                                               "Threshold"};
            for (int k = 0; k < 4; k++) {
                put_ch(b, ',');
                put_cat_key(b, c, sfx[k]);
                put_eh_null(b, &st);
            }
            PUTL(b, ",\"");
            gen_buf_puts(b, cat_issues_key[c]);
            PUTL(b, "\":\"\"");
            continue;
        }
        put_ch(b, ',');
        put_cat_key(b, c, "");
        put_eh_num(b, rt->score, strings && gen_rng_chance(&st, 0.5));
        if (rt->scale == GS_NULL) {
            put_ch(b, ',');
            put_cat_key(b, c, "LowerBound");
            put_eh_null(b, &st);
            put_ch(b, ',');
            put_cat_key(b, c, "UpperBound");
            put_eh_null(b, &st);
            put_ch(b, ',');
            put_cat_key(b, c, "Threshold");
            put_eh_null(b, &st);
        } else if (rt->scale != GS_ABSENT) {
            put_ch(b, ',');
            put_cat_key(b, c, "LowerBound");
            put_eh_num(b, rt->lower, strings && gen_rng_chance(&st, 0.5));
            put_ch(b, ',');
            put_cat_key(b, c, "UpperBound");
            put_eh_num(b, rt->upper, strings && gen_rng_chance(&st, 0.5));
            put_ch(b, ',');
            put_cat_key(b, c, "Threshold");
            put_eh_num(b, rt->threshold, strings && gen_rng_chance(&st, 0.5));
        }
        PUTL(b, ",\"");
        gen_buf_puts(b, cat_issues_key[c]);
        PUTL(b, "\":\"");
        put_issues(b, rt);
        put_ch(b, '"');
    }
    PUTL(b, ",\"Type\":\"ACSCallSurvey\"}");
}

/* ---- custom events ---------------------------------------------------- */

/* Trimmed free text as users type it (App Insights trims property values).
 * Some hold commas, quotes, a newline, an emoji or non-ASCII letters. */
const char *const gen_phrases_poor[] = {
    "Constant echo when the other side spoke",
    "Audio kept cutting out, especially after 10 minutes",
    "Video froze, then the call dropped",
    "I could not share my screen",
    "Too much background noise, could not hear \"Anna\" at all",
    "The \"Join\" button did nothing; had to reload the page",
    "Echo, echo, echo.",
    "Sound was fine at first.\nThen it got choppy.",
    "\xc3\x89"
    "cho constant pendant tout l'appel",
    "\xe9\x9f\xb3\xe5\xa3\xb0\xe3\x81\x8c\xe9\x80\x94\xe5\x88\x87\xe3\x82\x8c"
    "\xe3\x81\x9f",
    "Der Ton war verz\xc3\xb6gert, sehr st\xc3\xb6rend",
    "Video was dark, audio OK",
    "They heard themselves twice (echo) - fix it please",
    "Mic stopped working after I unmuted",
};
const char *const gen_phrases_fine[] = {
    "Great call quality",
    "All good, thanks",
    "Worked perfectly \xf0\x9f\x91\x8d",
    "Clear audio, video a bit blurry",
    "No issues",
    "Perfeito, sem problemas",
    "Would like a \"raise hand\" button",
    "Fine.\nMaybe show who is speaking.",
};
const char *const gen_phrases_reason[] = {
    "audio",
    "video",
    "network",
    "screen share",
    "echo",
    "other",
    "app crashed",
    "\"mute\" button confusing",
};
const size_t gen_n_phrases_poor =
    sizeof gen_phrases_poor / sizeof *gen_phrases_poor;
const size_t gen_n_phrases_fine =
    sizeof gen_phrases_fine / sizeof *gen_phrases_fine;
const size_t gen_n_phrases_reason =
    sizeof gen_phrases_reason / sizeof *gen_phrases_reason;

static const char *const other_names[] = {"PageView", "CallStarted",
                                          "CallEnded", "SurveySkipped"};

static const struct {
    const char *os, *city, *state, *country, *browser;
} clients[] = {
    {"Windows 10", "Seattle", "Washington", "United States", "Edg 120.0"},
    {"Windows 10", "Ashburn", "Virginia", "United States", "Chrome 121.0"},
    {"Mac OS X 10.15", "San Jose", "California", "United States", "Safari 17.2"},
    {"Windows 10", "Dublin", "Dublin", "Ireland", "Chrome 121.0"},
    {"Linux", "M\xc3\xbcnchen", "Bavaria", "Germany", "Firefox 122.0"},
    {"Android 14", "S\xc3\xa3o Paulo", "Sao Paulo", "Brazil", "Chrome Mobile 121.0"},
    {"iOS 17.2", "Tokyo", "Tokyo", "Japan", "Mobile Safari 17.2"},
};

/* The row's derived facts, the same for the CSV and JSON Lines forms. */
struct evfacts {
    const char *name;       /* event name */
    bool upper, padded;     /* id spelling */
    const char *suggestion; /* improvementSuggestion or NULL */
    const char *reason;     /* rating_reason or NULL */
    int64_t submit_ms;      /* customMeasurements.timeToSubmitMs, -1 none */
    const char *version;    /* application version: application_Version and,
                               on survey answers, the appVersion property */
    int client;             /* index into clients[] */
    struct gen_rng ctx;     /* session/user/operation ids, seeded by the id */
    struct gen_rng item;    /* itemId, unique per row */
};

static uint64_t
id_hash(const uint8_t id[16])
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (int i = 0; i < 16; i++)
        h = (h ^ id[i]) * UINT64_C(1099511628211);
    return h;
}

static void
event_facts(const struct gen_event *e, struct evfacts *f)
{
    struct gen_rng tx;
    gen_rng_seed(&tx, e->salt);
    gen_rng_seed(&f->ctx, id_hash(e->id));
    gen_rng_seed(&f->item, e->salt ^ (e->seq * UINT64_C(0x9e3779b97f4a7c15)));
    f->client = (int)gen_rng_below(&f->ctx, sizeof clients / sizeof *clients);
    /* a third of the users run the newer release; taken from the id's hash,
     * not from a stream, so every other generated byte stays as it was */
    f->version = (id_hash(e->id) >> 40) % 3 == 0 ? "2.15.0" : "2.14.0";
    f->suggestion = f->reason = NULL;
    f->upper = f->padded = false;
    f->submit_ms = -1;
    if (e->kind == GE_OTHER) {
        f->name = other_names[gen_rng_below(&tx, sizeof other_names /
                                                     sizeof *other_names)];
        return;
    }
    f->name = "CallSurvey";
    double u = gen_rng_unit(&tx);
    f->upper = u < 0.04;
    f->padded = u >= 0.04 && u < 0.06;
    bool sugg = gen_rng_chance(&tx, 0.85), reas = gen_rng_chance(&tx, 0.40);
    if (!sugg && !reas)
        sugg = true;
    if (sugg)
        f->suggestion =
            e->poor ? gen_phrases_poor[gen_rng_below(&tx, gen_n_phrases_poor)]
                    : gen_phrases_fine[gen_rng_below(&tx, gen_n_phrases_fine)];
    if (reas)
        f->reason = gen_phrases_reason[gen_rng_below(&tx, gen_n_phrases_reason)];
    if (gen_rng_chance(&tx, 0.6))
        f->submit_ms = 800 + (int64_t)gen_rng_below(&tx, 60000);
}

/* customDimensions / Properties as JSON text. */
static void
put_dims(struct cs_buf *b, const struct gen_event *e, const struct evfacts *f)
{
    if (e->kind == GE_OTHER) {
        if (strcmp(f->name, "PageView") == 0) {
            PUTL(b, "{\"page\":\"/call\",\"refUri\":\"https://calls.contoso.example/lobby\"}");
            return;
        }
        PUTL(b, "{\"callId\":\"");
        gen_buf_guid(b, e->id, false);
        if (strcmp(f->name, "CallEnded") == 0) {
            PUTL(b, "\",\"durationS\":\"");
            cs_buf_u64(b, 30 + (e->salt >> 8) % 3000);
        }
        PUTL(b, "\"}");
        return;
    }
    PUTL(b, "{\"id\":\"");
    if (f->padded)
        put_ch(b, ' ');
    gen_buf_guid(b, e->id, f->upper);
    if (f->padded)
        put_ch(b, ' ');
    PUTL(b, "\",\"appVersion\":");
    put_jstr(b, f->version);
    if (f->suggestion) {
        PUTL(b, ",\"improvementSuggestion\":");
        put_jstr(b, f->suggestion);
    }
    if (f->reason) {
        PUTL(b, ",\"rating_reason\":");
        put_jstr(b, f->reason);
    }
    put_ch(b, '}');
}

static void
put_meas(struct cs_buf *b, const struct evfacts *f)
{
    if (f->submit_ms < 0) {
        PUTL(b, "{}");
        return;
    }
    PUTL(b, "{\"timeToSubmitMs\":");
    cs_buf_u64(b, (uint64_t)f->submit_ms);
    put_ch(b, '}');
}

void
gen_fmt_event_csv_header(struct cs_buf *b)
{
    PUTL(b, "\"timestamp [UTC]\",name,itemType,customDimensions,"
            "customMeasurements,operation_Name,operation_Id,operation_ParentId,"
            "operation_SyntheticSource,session_Id,user_Id,user_AuthenticatedId,"
            "user_AccountId,application_Version,client_Type,client_Model,"
            "client_OS,client_IP,client_City,client_StateOrProvince,"
            "client_CountryOrRegion,client_Browser,cloud_RoleName,"
            "cloud_RoleInstance,appId,appName,iKey,sdkVersion,itemId,itemCount\r\n");
}

void
gen_fmt_event_csv(struct cs_buf *b, struct cs_buf *scratch,
                  const struct gen_event *e)
{
    struct evfacts f;
    event_facts(e, &f);
    put_ch(b, '"');
    gen_buf_enus(b, e->t);
    PUTL(b, "\",");
    gen_buf_puts(b, f.name);
    PUTL(b, ",customEvent,");
    cs_buf_clear(scratch);
    put_dims(scratch, e, &f);
    gen_buf_csv_quoted(b, scratch->s, scratch->n);
    put_ch(b, ',');
    cs_buf_clear(scratch);
    put_meas(scratch, &f);
    gen_buf_csv_quoted(b, scratch->s, scratch->n);
    PUTL(b, ",\"Contoso Calling\",");
    put_hex(b, &f.ctx, 16); /* operation_Id: the page view's trace id */
    put_ch(b, ',');
    put_hex(b, &f.item, 8); /* operation_ParentId */
    PUTL(b, ",,");
    put_aiid(b, &f.ctx); /* session_Id */
    put_ch(b, ',');
    put_aiid(b, &f.ctx); /* user_Id */
    PUTL(b, ",,,\"");
    gen_buf_puts(b, f.version);
    PUTL(b, "\",Browser,,");
    put_csvs(b, clients[f.client].os);
    PUTL(b, ",\"0.0.0.0\",");
    put_csvs(b, clients[f.client].city);
    put_ch(b, ',');
    put_csvs(b, clients[f.client].state);
    put_ch(b, ',');
    put_csvs(b, clients[f.client].country);
    put_ch(b, ',');
    put_csvs(b, clients[f.client].browser);
    PUTL(b, ",contoso-calling-web,,");
    gen_buf_puts(b, AI_APP_ID);
    put_ch(b, ',');
    gen_buf_puts(b, AI_NAME);
    put_ch(b, ',');
    gen_buf_puts(b, AI_IKEY);
    PUTL(b, ",\"javascript:3.3.4\",");
    uint8_t item[16];
    gen_rng_guid(&f.item, item);
    gen_buf_guid(b, item, false);
    PUTL(b, ",1\r\n");
}

void
gen_fmt_event_jsonl(struct cs_buf *b, struct cs_buf *scratch,
                    const struct gen_event *e)
{
    (void)scratch;
    struct evfacts f;
    event_facts(e, &f);
    PUTL(b, "{\"TimeGenerated\":\"");
    gen_buf_iso(b, e->t);
    PUTL(b, "\",\"Name\":");
    put_jstr(b, f.name);
    PUTL(b, ",\"Properties\":");
    put_dims(b, e, &f);
    if (f.submit_ms >= 0) {
        PUTL(b, ",\"Measurements\":");
        put_meas(b, &f);
    }
    PUTL(b, ",\"OperationId\":\"");
    put_hex(b, &f.ctx, 16);
    PUTL(b, "\",\"ParentId\":\"");
    put_hex(b, &f.item, 8);
    PUTL(b, "\",\"SessionId\":\"");
    put_aiid(b, &f.ctx);
    PUTL(b, "\",\"UserId\":\"");
    put_aiid(b, &f.ctx);
    PUTL(b, "\",\"AppVersion\":");
    put_jstr(b, f.version);
    PUTL(b, ",\"ClientType\":\"Browser\",\"ClientOS\":");
    put_jstr(b, clients[f.client].os);
    PUTL(b, ",\"ClientCity\":");
    put_jstr(b, clients[f.client].city);
    PUTL(b, ",\"ClientCountryOrRegion\":");
    put_jstr(b, clients[f.client].country);
    PUTL(b, ",\"ClientBrowser\":");
    put_jstr(b, clients[f.client].browser);
    PUTL(b, ",\"AppRoleName\":\"contoso-calling-web\",\"ResourceGUID\":\"");
    gen_buf_puts(b, AI_APP_ID);
    PUTL(b, "\",\"SDKVersion\":\"javascript:3.3.4\",\"_ItemId\":\"");
    uint8_t item[16];
    gen_rng_guid(&f.item, item);
    gen_buf_guid(b, item, false);
    PUTL(b, "\",\"ItemCount\":1,\"Type\":\"AppEvents\"}\n");
}
