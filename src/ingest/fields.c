/*
 * ingest/fields.c: from (key, value) pairs to a normalized cs_record.
 *
 * Every loader (JSON object keys, CSV headers, REST "columns") funnels
 * through cs_field_lookup and cs_recbuild_set, so the name aliases
 * (TimeGenerated/time, _ResourceId/resourceId, ScreenshareLowerBound ...),
 * the missing-value rules (null, "", "null" and absent are missing; 0 is
 * a value) and the per-field checks exist exactly once.
 */
#include "ingest/ingest_int.h"

#include <ctype.h>
#include <pthread.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct name {
    const char *key; /* lower-case */
    int field;
};

#define CAT_NAMES(pfx, issues, c)                            \
    {pfx "ratingscore", F_CAT0 + 5 * (c)},                   \
        {pfx "ratingscorelowerbound", F_CAT0 + 5 * (c) + 1}, \
        {pfx "ratingscoreupperbound", F_CAT0 + 5 * (c) + 2}, \
        {pfx "ratingscorethreshold", F_CAT0 + 5 * (c) + 3},  \
        {pfx "lowerbound", F_CAT0 + 5 * (c) + 1},            \
        {pfx "upperbound", F_CAT0 + 5 * (c) + 2},            \
        {pfx "ratingthreshold", F_CAT0 + 5 * (c) + 3},       \
    {                                                        \
        issues, F_CAT0 + 5 * (c) + 4                         \
    }

static const struct name names[] = {
    {"timegenerated", F_TIME},
    {"time", F_TIME},
    {"timestamp", F_TIME},
    {"surveyid", F_SURVEY},
    {"callid", F_CALL},
    {"correlationid", F_CORR},
    {"participantid", F_PART},
    {"operationname", F_OPNAME},
    {"_resourceid", F_RESOURCE},
    {"resourceid", F_RESOURCE},
    {"properties", F_PROPERTIES},
    {"name", F_NAME},
    {"customdimensions", F_CUSTOMDIM},
    {"custommeasurements", F_CUSTOMMEAS},
    {"measurements", F_CUSTOMMEAS},
    {"improvementsuggestion", F_SUGGESTION},
    {"application_version", F_APPVER},
    {"appversion", F_APPVER},
    {"client_os", F_CLIENTOS},
    {"clientos", F_CLIENTOS},
    {"client_browser", F_BROWSER},
    {"clientbrowser", F_BROWSER},
    CAT_NAMES("overall", "overallcallissues", 0),
    {"overallissues", F_CAT0 + 4},
    CAT_NAMES("audio", "audioissues", 1),
    CAT_NAMES("video", "videoissues", 2),
    CAT_NAMES("screenshare", "screenshareissues", 3),
};

/* Names hashed once into a small open-addressing table: the lookup runs
 * for every key of every record, and a linear strcmp scan was 10% of ingest. */
#define NAME_SLOTS 256
static struct {
    uint32_t h;
    int idx; /* into names[], -1 = empty */
} name_tab[NAME_SLOTS];
static pthread_once_t name_tab_once = PTHREAD_ONCE_INIT;

static uint32_t
name_hash(const char *low, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)low[i]) * 16777619u;
    return h;
}

static void
name_tab_init(void)
{
    for (int i = 0; i < NAME_SLOTS; i++)
        name_tab[i].idx = -1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        uint32_t h = name_hash(names[i].key, strlen(names[i].key));
        size_t k = h & (NAME_SLOTS - 1);
        while (name_tab[k].idx >= 0)
            k = (k + 1) & (NAME_SLOTS - 1);
        name_tab[k].h = h;
        name_tab[k].idx = (int)i;
    }
}

static inline char
ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static inline char
ascii_upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
}

static int field_lookup_slow(const char *key, size_t len);

/* Exports repeat the same few dozen keys in every record: an exact table
 * of raw key bytes -> field skips the trimming, lower-casing and hashing
 * of field_lookup_slow.  Open addressing on a hash of every byte, a word at
 * a time (the direct-mapped cache it replaces hashed 5 bytes, so
 * ...LowerBound and ...UpperBound shared a slot and evicted each other on
 * every record).  It never evicts: once KEY_TAB_MAX raw keys are in, new
 * ones take the slow path (an input of ever-new keys cannot fill it up or
 * make probes long).  Each entry also remembers the entry looked up right
 * after it: records repeat their keys in the same order, so the next key is
 * first compared with that guess, without hashing.  Thread-local, so
 * loaders on any thread may use it. */
#define KEY_TAB_SLOTS 512
#define KEY_TAB_MAX 256
#define KEY_CACHE_LEN 48
static _Thread_local struct {
    uint32_t h;
    uint16_t next; /* slot + 1 of the key that followed this one; 0: none */
    uint8_t len;   /* 0: empty */
    char key[KEY_CACHE_LEN];
    int field;
} key_tab[KEY_TAB_SLOTS];
static _Thread_local unsigned key_tab_n;
static _Thread_local size_t key_prev; /* slot + 1 of the last key; 0: none */

static inline uint32_t
key_hash(const char *k, size_t len)
{
    uint64_t h = (uint64_t)len * 0x9E3779B97F4A7C15ull;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, k + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
    }
    uint64_t w = 0;
    for (size_t j = 0; i + j < len; j++)
        w |= (uint64_t)(unsigned char)k[i + j] << (8 * j);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    return (uint32_t)(h >> 16);
}

int
cs_field_lookup(const char *key, size_t len)
{
    if (len == 0 || len >= KEY_CACHE_LEN) {
        key_prev = 0;
        return field_lookup_slow(key, len);
    }
    if (key_prev) {
        size_t g = key_tab[key_prev - 1].next;
        if (g && key_tab[g - 1].len == len && memcmp(key_tab[g - 1].key, key, len) == 0) {
            key_prev = g;
            return key_tab[g - 1].field;
        }
    }
    uint32_t h = key_hash(key, len);
    size_t k = h & (KEY_TAB_SLOTS - 1);
    for (; key_tab[k].len; k = (k + 1) & (KEY_TAB_SLOTS - 1))
        if (key_tab[k].h == h && key_tab[k].len == len &&
            memcmp(key_tab[k].key, key, len) == 0)
            break;
    if (!key_tab[k].len) {
        int f = field_lookup_slow(key, len);
        if (key_tab_n >= KEY_TAB_MAX) {
            key_prev = 0;
            return f;
        }
        key_tab[k].h = h;
        key_tab[k].len = (uint8_t)len;
        memcpy(key_tab[k].key, key, len);
        key_tab[k].field = f;
        key_tab_n++;
    }
    if (key_prev)
        key_tab[key_prev - 1].next = (uint16_t)(k + 1);
    key_prev = k + 1;
    return key_tab[k].field;
}

static int
field_lookup_slow(const char *key, size_t len)
{
    /* The table is built on first use, once: JSON Lines parsers may look
     * up their first keys at the same time (ingest/lines_par.c). */
    pthread_once(&name_tab_once, name_tab_init);
    while (len && (*key == ' ' || *key == '"' || *key == '\t')) {
        key++;
        len--;
    }
    while (len && (key[len - 1] == ' ' || key[len - 1] == '"' ||
                   key[len - 1] == '\r'))
        len--;
    if (len > 6 && memcmp(key + len - 6, " [UTC]", 6) == 0)
        len -= 6;
    if (len == 0 || len > 40)
        return F_NONE;
    char low[41];
    for (size_t i = 0; i < len; i++)
        low[i] = ascii_lower(key[i]);
    low[len] = '\0';
    uint32_t h = name_hash(low, len);
    for (size_t k = h & (NAME_SLOTS - 1); name_tab[k].idx >= 0;
         k = (k + 1) & (NAME_SLOTS - 1))
        if (name_tab[k].h == h && strcmp(names[name_tab[k].idx].key, low) == 0)
            return names[name_tab[k].idx].field;
    return F_NONE;
}

bool
cs_parse_number(const char *s, size_t len, double *out)
{
    while (len && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len == 0 || len > 64)
        return false;
    /* fast path: small non-negative integers */
    if (len <= 9) {
        uint32_t v = 0;
        size_t i = 0;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            v = v * 10 + (uint32_t)(s[i] - '0');
        if (i == len) {
            *out = v;
            return true;
        }
    }
    /* validate JSON number grammar (plus a leading '+'), then strtod */
    size_t i = 0;
    if (s[i] == '-' || s[i] == '+')
        i++;
    size_t d0 = i;
    while (i < len && isdigit((unsigned char)s[i]))
        i++;
    size_t nint = i - d0;
    size_t nfrac = 0;
    if (i < len && s[i] == '.') {
        i++;
        size_t f0 = i;
        while (i < len && isdigit((unsigned char)s[i]))
            i++;
        nfrac = i - f0;
    }
    if (nint + nfrac == 0)
        return false;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t e0 = i;
        while (i < len && isdigit((unsigned char)s[i]))
            i++;
        if (i == e0)
            return false;
    }
    if (i != len)
        return false;
    char buf[72];
    memcpy(buf, s, len);
    buf[len] = '\0';
    *out = strtod(buf, NULL); /* the C locale: callsurvey never calls setlocale */
    if (*out == 0)
        *out = 0; /* -0 is 0, as JavaScript prints it */
    return true;
}

static void
put_utf8(char *out, size_t *o, unsigned cp)
{
    if (cp < 0x80) {
        out[(*o)++] = (char)cp;
    } else if (cp < 0x800) {
        out[(*o)++] = (char)(0xC0 | (cp >> 6));
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out[(*o)++] = (char)(0xE0 | (cp >> 12));
        out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        out[(*o)++] = (char)(0xF0 | (cp >> 18));
        out[(*o)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[(*o)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*o)++] = (char)(0x80 | (cp & 0x3F));
    }
}

static int
hex4(const char *s, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return -1;
        *v = *v * 16 + d;
    }
    return 0;
}

size_t
cs_json_unescape(const char *s, size_t len, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (o + 4 >= cap)
            return (size_t)-1;
        char c = s[i];
        if (c != '\\') {
            out[o++] = c;
            continue;
        }
        if (++i >= len)
            return (size_t)-1;
        switch (s[i]) {
        case '"': out[o++] = '"'; break;
        case '\\': out[o++] = '\\'; break;
        case '/': out[o++] = '/'; break;
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        case 'u': {
            unsigned cp;
            if (i + 4 >= len || hex4(s + i + 1, &cp))
                return (size_t)-1;
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo;
                /* a high surrogate needs "\uDC00".."\uDFFF" right after it */
                if (i + 6 < len && s[i + 1] == '\\' && s[i + 2] == 'u' &&
                    hex4(s + i + 3, &lo) == 0 && lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                } else {
                    cp = 0xFFFD;
                }
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                cp = 0xFFFD;
            }
            put_utf8(out, &o, cp);
            break;
        }
        default:
            return (size_t)-1;
        }
    }
    if (o >= cap)
        return (size_t)-1;
    out[o] = '\0';
    return o;
}

void
cs_recbuild_begin(struct cs_recbuild *b, struct cs_record *r,
                  enum cs_date_order order)
{
    memset(b, 0, sizeof *b);
    b->r = r;
    b->order = order;
    cs_record_clear(r);
}

static bool
is_missing(const char *s, size_t len, enum cs_vkind kind)
{
    if (kind == V_NULL)
        return true;
    if (kind != V_STRING)
        return false;
    while (len && (*s == ' ' || *s == '\t')) {
        s++;
        len--;
    }
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    return len == 0 || (len == 4 && memcmp(s, "null", 4) == 0);
}

/* isspace() of the C locale (main sets it), without a call per byte
 * into the locale table. */
static inline bool
c_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Copy a trimmed identifier; false if too long.  Words of 8 bytes: the
 * plain copy of a short id compiled to `rep movsq`, whose start-up cost
 * made this 7.5% of the parser (issue 22). */
static bool
copy_id(char *dst, size_t cap, const char *s, size_t len, bool lower,
        bool upper)
{
    while (len && c_space((unsigned char)*s)) {
        s++;
        len--;
    }
    while (len && c_space((unsigned char)s[len - 1]))
        len--;
    if (len + 1 > cap)
        return false;
    /* ASCII case change 8 bytes at a time: the high bit of each byte of m
     * marks a byte in 'A'..'Z' (lower) or 'a'..'z' (upper), m >> 2 is its
     * 0x20; bytes >= 0x80 (UTF-8) are never in range.  Neither: m = 0. */
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    const uint64_t from = lower ? 'A' : 'a', to = lower ? 'Z' : 'z';
    const bool change = lower || upper;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (change) {
            uint64_t low7 = w & ~highs;
            uint64_t m = (low7 + (0x80 - from) * ones) & ~(low7 + (0x7f - to) * ones) & ~w & highs;
            w ^= m >> 2;
        }
        memcpy(dst + i, &w, 8);
    }
    for (; i < len; i++)
        dst[i] = lower ? ascii_lower(s[i]) : upper ? ascii_upper(s[i])
                                                   : s[i];
    dst[len] = '\0';
    return true;
}

static const char *
field_label(int field)
{
    switch (field) {
    case F_SURVEY: return "SurveyId";
    case F_CALL: return "CallId";
    case F_CORR: return "CorrelationId";
    case F_PART: return "ParticipantId";
    case F_OPNAME: return "OperationName";
    case F_RESOURCE: return "ResourceId";
    case F_TIME: return "TimeGenerated";
    default: break;
    }
    static const char *const cat_fields[CS_CAT__COUNT][5] = {
        {"OverallRatingScore", "OverallRatingScoreLowerBound", "OverallRatingScoreUpperBound",
         "OverallRatingScoreThreshold", "OverallCallIssues"},
        {"AudioRatingScore", "AudioRatingScoreLowerBound", "AudioRatingScoreUpperBound",
         "AudioRatingScoreThreshold", "AudioIssues"},
        {"VideoRatingScore", "VideoRatingScoreLowerBound", "VideoRatingScoreUpperBound",
         "VideoRatingScoreThreshold", "VideoIssues"},
        {"ScreenshareRatingScore", "ScreenshareRatingScoreLowerBound",
         "ScreenshareRatingScoreUpperBound", "ScreenshareRatingScoreThreshold",
         "ScreenshareIssues"}};
    if (field >= F_CAT0 && field < F__COUNT)
        return cat_fields[(field - F_CAT0) / 5][(field - F_CAT0) % 5];
    return "value";
}

static void
too_long(struct cs_recbuild *b, int field, size_t len)
{
    if (!b->field_problem[0])
        snprintf(b->field_problem, sizeof b->field_problem,
                 "%s is %zu characters long, more than the %d allowed.",
                 field_label(field), len,
                 field == F_RESOURCE ? CS_RESOURCE_MAX
                 : field == F_OPNAME ? CS_OPNAME_MAX
                                     : CS_ID_MAX);
}

void
cs_recbuild_set(struct cs_recbuild *b, int field, const char *s, size_t len,
                enum cs_vkind kind)
{
    struct cs_record *r = b->r;
    if (field < 0 || field >= F__COUNT)
        return;
    if (is_missing(s, len, kind))
        return;
    b->n_fields++;
    /* a NUL ("\u0000" in JSON, a raw byte in CSV) would cut the text where
     * it is kept as a C string: "r3\u0000x" and "r3\u0000y" would both be
     * survey r3.  The record is rejected, naming the field. */
    if (memchr(s, '\0', len)) {
        if (!b->field_problem[0])
            snprintf(b->field_problem, sizeof b->field_problem,
                     "%s contains a NUL character (\\u0000).", field_label(field));
        if (field == F_SURVEY)
            b->have_survey = true; /* present, not missing: the NUL is the reason */
        return;
    }
    switch (field) {
    case F_TIME:
        b->have_time = true;
        int sub = 0;
        bool ok = cs_time_parse_any_sub(s, len, b->order, &r->time_us, &sub);
        r->time_sub = (uint8_t)sub;
        if (!ok) {
            b->time_bad = true;
            size_t n = len < sizeof b->bad_time - 4 ? len : sizeof b->bad_time - 4;
            memcpy(b->bad_time, s, n);
            strcpy(b->bad_time + n, n < len ? "..." : "");
        }
        return;
    case F_SURVEY:
        if (!copy_id(r->survey_id, sizeof r->survey_id, s, len, true, false))
            too_long(b, field, len);
        else
            b->have_survey = r->survey_id[0] != '\0';
        return;
    case F_CALL:
        if (!copy_id(r->call_id, sizeof r->call_id, s, len, false, false))
            too_long(b, field, len);
        return;
    case F_CORR:
        if (!copy_id(r->correlation_id, sizeof r->correlation_id, s, len, false,
                     false))
            too_long(b, field, len);
        return;
    case F_PART:
        if (!copy_id(r->participant_id, sizeof r->participant_id, s, len, false,
                     false))
            too_long(b, field, len);
        return;
    case F_OPNAME:
        if (!copy_id(r->operation, sizeof r->operation, s, len, false, false))
            too_long(b, field, len);
        return;
    case F_RESOURCE: {
        size_t off = 0;
        while (len && c_space((unsigned char)*s)) {
            s++;
            len--;
        }
        if (len && *s != '/') {
            r->resource_id[0] = '/';
            off = 1;
        }
        if (!copy_id(r->resource_id + off, sizeof r->resource_id - off, s, len,
                     false, true)) {
            r->resource_id[0] = '\0';
            too_long(b, field, len);
        }
        return;
    }
    default:
        break;
    }
    if (field < F_CAT0) {
        b->n_fields--;
        return;
    }
    int c = (field - F_CAT0) / 5, k = (field - F_CAT0) % 5;
    struct cs_rating *rt = &r->rating[c];
    double v = NAN;
    bool num = kind == V_NUMBER || kind == V_STRING
                   ? cs_parse_number(s, len, &v)
                   : false;
    switch (k) {
    case 0:
        b->have_score[c] = true;
        rt->score_is_num = num;
        rt->score = num ? v : (double)NAN;
        return;
    case 1:
        rt->has_lower = true;
        rt->lower = num ? v : (double)NAN;
        b->have_any_scale[c] = true;
        return;
    case 2:
        rt->has_upper = true;
        rt->upper = num ? v : (double)NAN;
        b->have_any_scale[c] = true;
        return;
    case 3:
        rt->has_threshold = true;
        rt->threshold = num ? v : (double)NAN;
        b->have_any_scale[c] = true;
        return;
    default:
        if (!cs_rating_set_issues(rt, (enum cs_category)c, s, len) &&
            !b->field_problem[0])
            snprintf(b->field_problem, sizeof b->field_problem,
                     "%s.issues: the list is longer than %d characters.",
                     cs_category_sdk((enum cs_category)c), CS_ISSUES_MAX);
        if (rt->issues[0])
            b->have_issues[c] = true;
        return;
    }
}

bool
cs_recbuild_finish(struct cs_recbuild *b)
{
    struct cs_record *r = b->r;
    size_t n = 0;
#define ADD(...)                                                       \
    do {                                                               \
        if (n < sizeof r->reason)                                      \
            n += (size_t)snprintf(r->reason + n, sizeof r->reason - n, \
                                  __VA_ARGS__);                        \
    } while (0)
    if (!b->have_survey)
        ADD("%sSurveyId is missing.", n ? " " : "");
    if (!b->have_time)
        ADD("%sTimeGenerated is missing.", n ? " " : "");
    else if (b->time_bad)
        ADD("%sTimeGenerated: '%s' is not a valid time.", n ? " " : "",
            b->bad_time);
    if (b->field_problem[0])
        ADD("%s%s", n ? " " : "", b->field_problem);
#undef ADD
    for (int c = 0; c < CS_CAT__COUNT; c++) {
        struct cs_rating *rt = &r->rating[c];
        if (b->have_score[c]) {
            rt->present = true;
        } else if (b->have_issues[c]) {
            /* tags without a score: the SDK sees score undefined */
            rt->present = true;
            rt->score_missing = true;
        } else {
            /* bounds alone (no score, no tags) are not a rating: the service
             * may fill default bounds for unrated categories */
            rt->has_lower = rt->has_upper = rt->has_threshold = false;
        }
    }
    return cs_record_validate(r);
}
