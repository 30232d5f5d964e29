/*
 * gen/gen_model.c: what a generated survey means, before any text.
 *
 * One xoshiro256** stream (seeded through splitmix64) makes every random
 * choice, in a fixed order, so the same options give the same records on
 * any machine.  Nothing here calls libm: probabilities are compared with
 * uniform doubles and distributions are small weight tables, because
 * exp()/log() may round differently across C libraries and would break the
 * byte-identical promise.
 *
 * A survey is drawn as a latent "poor call" class for the survey (12 %, or
 * 30 % on the regressed resource), then a class per rated category that
 * follows the survey's class, then a score for the class on the survey's
 * scale, then issue tags that are common on poor ratings and rare on good
 * ones.  The numbers are documented in gen.h.
 */
#include "gen/gen_int.h"

#include <string.h>

#include "core/mem.h"

/* ---- PRNG ------------------------------------------------------------- */

static uint64_t
splitmix64(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

void
gen_rng_seed(struct gen_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
        r->s[0] = 1; /* cannot happen with splitmix64, kept as the invariant */
}

static inline uint64_t
rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t
gen_rng_next(struct gen_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

double
gen_rng_unit(struct gen_rng *r)
{
    return (double)(gen_rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t
gen_rng_below(struct gen_rng *r, uint64_t n)
{
    uint64_t x = gen_rng_next(r);
    if (n <= UINT32_MAX)
        return ((x >> 32) * n) >> 32; /* multiply-shift: no division */
    return x % n;
}

bool
gen_rng_chance(struct gen_rng *r, double p)
{
    return gen_rng_unit(r) < p;
}

void
gen_rng_guid(struct gen_rng *r, uint8_t out[16])
{
    uint64_t a = gen_rng_next(r), b = gen_rng_next(r);
    for (int i = 0; i < 8; i++) {
        out[i] = (uint8_t)(a >> (8 * i));
        out[8 + i] = (uint8_t)(b >> (8 * i));
    }
    out[6] = (uint8_t)((out[6] & 0x0f) | 0x40); /* version 4 */
    out[8] = (uint8_t)((out[8] & 0x3f) | 0x80); /* variant 10xx */
}

/* ---- private helpers: weighted tables --------------------------------- */

struct tagw {
    const char *name; /* exact SDK spelling (FORMATS.md §4) */
    unsigned w;       /* relative weight among the category's tags */
};

static const struct tagw tags_overall[] = {
    {"CallCannotJoin", 8},
    {"CallCannotInvite", 3},
    {"HadToRejoin", 20},
    {"CallEndedUnexpectedly", 15},
    {"OtherIssues", 10},
};
static const struct tagw tags_audio[] = {
    {"NoLocalAudio", 6},
    {"NoRemoteAudio", 10},
    {"Echo", 12},
    {"AudioNoise", 14},
    {"LowVolume", 10},
    {"AudioStoppedUnexpectedly", 6},
    {"DistortedSpeech", 10},
    {"AudioInterruption", 16},
    {"OtherIssues", 6},
};
static const struct tagw tags_video[] = {
    {"NoVideoReceived", 8},
    {"NoVideoSent", 5},
    {"LowQuality", 18},
    {"Freezes", 20},
    {"StoppedUnexpectedly", 8},
    {"DarkVideoReceived", 4},
    {"AudioVideoOutOfSync", 10},
    {"OtherIssues", 5},
};
static const struct tagw tags_screen[] = {
    {"NoContentLocal", 5},
    {"NoContentRemote", 8},
    {"CannotPresent", 10},
    {"LowQuality", 14},
    {"Freezes", 14},
    {"StoppedUnexpectedly", 6},
    {"LargeDelay", 12},
    {"OtherIssues", 5},
};
static const struct {
    const struct tagw *t;
    size_t n;
} tag_tables[4] = {
    {tags_overall, sizeof tags_overall / sizeof *tags_overall},
    {tags_audio, sizeof tags_audio / sizeof *tags_audio},
    {tags_video, sizeof tags_video / sizeof *tags_video},
    {tags_screen, sizeof tags_screen / sizeof *tags_screen},
};

/* Tags of another category's list only (never in the named category's). */
static const char *const wrong_tags[4][3] = {
    {"Echo", "Freezes", "NoContentLocal"},
    {"Freezes", "CannotPresent", "HadToRejoin"},
    {"Echo", "CannotPresent", "CallEndedUnexpectedly"},
    {"Echo", "NoVideoSent", "HadToRejoin"},
};

/* In no catalogue: the loader keeps and flags them. */
static const char *const unknown_tags[] = {"PoorConnection", "Lag",
                                           "BackgroundNoise"};

/* Default 1-5 scale: poor scores 1,2; good scores 3,4,5. */
static const unsigned w_poor5[] = {45, 55};
static const unsigned w_good5[] = {14, 34, 52};
/* 0-10 scale: poor 0..5, good 6..10. */
static const unsigned w_poor10[] = {10, 8, 12, 20, 22, 28};
static const unsigned w_good10[] = {8, 15, 25, 25, 27};

static size_t
pick(struct gen_rng *rng, const unsigned *w, size_t n)
{
    unsigned total = 0;
    for (size_t i = 0; i < n; i++)
        total += w[i];
    uint64_t x = gen_rng_below(rng, total);
    for (size_t i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1;
}

/* Survey-wide scale choice. */
enum scale_pick { SP_DEFAULT,
                  SP_10,
                  SP_100,
                  SP_1 };

static void
set_scale(struct gen_rating *rt, uint8_t how, enum scale_pick sp)
{
    rt->scale = how;
    switch (sp) {
    case SP_10: rt->lower = 0, rt->upper = 10, rt->threshold = 5; break;
    case SP_100: rt->lower = 0, rt->upper = 100, rt->threshold = 50; break;
    case SP_1: rt->lower = 0, rt->upper = 1, rt->threshold = 0; break;
    default: rt->lower = 1, rt->upper = 5, rt->threshold = 2; break;
    }
}

static double
draw_score(struct gen_rng *rng, enum scale_pick sp, bool poor)
{
    switch (sp) {
    case SP_10:
        return poor ? (double)pick(rng, w_poor10, 6)
                    : (double)(6 + pick(rng, w_good10, 5));
    case SP_100:
        /* a slider: poor 0..50 in tens, good 56..100 */
        if (poor)
            return 10.0 * (double)pick(rng, w_poor10, 6);
        return 10.0 * (double)(6 + pick(rng, w_good10, 5)) -
               (double)gen_rng_below(rng, 5);
    case SP_1:
        return poor ? 0.0 : 1.0; /* thumbs down / up */
    default:
        if (gen_rng_chance(rng, 0.001))
            return 2.5; /* the web SDK accepts non-integers */
        return poor ? (double)(1 + pick(rng, w_poor5, 2))
                    : (double)(3 + pick(rng, w_good5, 3));
    }
}

static void
draw_issues(struct gen_rng *rng, struct gen_rating *rt, int cat, bool poor,
            bool regressed)
{
    double p = poor ? 0.80 : rt->score < rt->upper ? 0.12
                                                   : 0.02;
    if (!gen_rng_chance(rng, p))
        return;
    size_t want = 1;
    if (poor) {
        unsigned w_n[] = {60, 30, 10};
        want = 1 + pick(rng, w_n, 3);
    }
    const struct tagw *t = tag_tables[cat].t;
    size_t n = tag_tables[cat].n;
    unsigned w[16];
    for (size_t i = 0; i < n; i++) {
        w[i] = t[i].w;
        if (regressed && cat == 1 && strcmp(t[i].name, "Echo") == 0)
            w[i] *= 6;
        if (regressed && cat == 1 && strcmp(t[i].name, "AudioNoise") == 0)
            w[i] *= 4;
    }
    for (size_t k = 0; k < want; k++) {
        size_t i = pick(rng, w, n);
        w[i] = 0; /* without replacement */
        const char *name = t[i].name;
        if (cat == 0 && gen_rng_chance(rng, 0.10)) {
            if (strcmp(name, "CallCannotJoin") == 0)
                name = "CannotJoin"; /* native SDK spelling */
            else if (strcmp(name, "CallCannotInvite") == 0)
                name = "CannotInvite";
        }
        rt->issues[rt->n_issues++] = name;
    }
    if (rt->n_issues < GEN_MAX_ISSUES && gen_rng_chance(rng, 0.003))
        rt->issues[rt->n_issues++] =
            unknown_tags[gen_rng_below(rng, sizeof unknown_tags /
                                                sizeof *unknown_tags)];
}

/* ---- Public API ------------------------------------------------------- */

void
gen_model_init(struct gen_model *m, const struct gen_opts *o)
{
    memset(m, 0, sizeof *m);
    gen_rng_seed(&m->rng, o->seed);
    m->n_res = o->n_resources;
    m->calls = xcalloc((size_t)o->n_resources, sizeof *m->calls);
    int weeks_before = o->n_weeks > GEN_REGRESSION_WEEKS
                           ? o->n_weeks - GEN_REGRESSION_WEEKS
                           : 0;
    m->regress_from = o->n_resources > GEN_REGRESSION_RESOURCE
                          ? (o->start_s + (int64_t)weeks_before * 7 * 86400) *
                                GEN_TICKS_PER_S
                          : INT64_MAX;
}

void
gen_model_free(struct gen_model *m)
{
    xfree(m->calls);
    m->calls = NULL;
}

int
gen_rec_n_rated(const struct gen_rec *r)
{
    int n = 0;
    for (int c = 0; c < 4; c++)
        n += r->rt[c].present;
    return n;
}

void
gen_model_survey(struct gen_model *m, int64_t t, int res, struct gen_rec *r)
{
    struct gen_rng *rng = &m->rng;
    memset(r, 0, sizeof *r);
    r->t = t;
    r->res = res;
    r->bad_time = -1;
    r->invalid = -1;
    bool regressed = res == GEN_REGRESSION_RESOURCE && t >= m->regress_from;

    gen_rng_guid(rng, r->survey);
    gen_rng_guid(rng, r->part);
    struct gen_call *call = &m->calls[res];
    if (call->left > 0 && t <= call->until) {
        call->left--; /* another participant of the same call */
    } else {
        gen_rng_guid(rng, call->id);
        call->left = gen_rng_chance(rng, 0.30) ? 1 + (int)gen_rng_below(rng, 3)
                                               : 0;
        call->until = t + GEN_TICKS_PER_HOUR / 2;
    }
    memcpy(r->call, call->id, 16);

    /* scale, once per survey: apps configure one */
    enum scale_pick sp = SP_DEFAULT;
    uint8_t how;
    if (gen_rng_chance(rng, 0.03)) {
        unsigned w_sp[] = {50, 30, 20};
        sp = (enum scale_pick)(1 + pick(rng, w_sp, 3));
        how = GS_CUSTOM;
    } else if (gen_rng_chance(rng, 0.5)) {
        how = GS_EXPLICIT;
    } else {
        how = gen_rng_chance(rng, 0.15) ? GS_NULL : GS_ABSENT;
    }

    /* which categories */
    bool audio_only = gen_rng_chance(rng, 0.02);
    bool rated[4];
    rated[0] = !audio_only;
    rated[1] = gen_rng_chance(rng, 0.70) || audio_only;
    rated[2] = gen_rng_chance(rng, 0.40) && !audio_only;
    rated[3] = gen_rng_chance(rng, 0.10) && !audio_only;

    /* classes: the survey's, then each category's following it */
    bool poor = gen_rng_chance(rng, regressed ? 0.30 : 0.12);
    r->poor = poor;
    double p_cat[4];
    p_cat[0] = poor ? 1.0 : 0.0;
    p_cat[1] = poor ? (regressed ? 0.85 : 0.55) : (regressed ? 0.06 : 0.05);
    p_cat[2] = poor ? 0.45 : 0.05;
    p_cat[3] = poor ? 0.40 : 0.04;
    for (int c = 0; c < 4; c++) {
        bool cpoor = gen_rng_chance(rng, p_cat[c]);
        if (!rated[c])
            continue;
        struct gen_rating *rt = &r->rt[c];
        rt->present = true;
        set_scale(rt, how, sp);
        rt->score = draw_score(rng, sp, cpoor);
        draw_issues(rng, rt, c, cpoor, regressed);
    }
    r->style = gen_rng_next(rng);
}

void
gen_model_invalidate(struct gen_model *m, struct gen_rec *r, enum gen_invalid k)
{
    struct gen_rng *rng = &m->rng;
    r->invalid = (int8_t)k;
    /* the category that carries the fault: audio when rated ("audioRating
     * ... should be between"), else the first rated one */
    int target = r->rt[1].present ? 1 : r->rt[0].present ? 0
                                                         : 2;
    switch (k) {
    case GEN_INV_DEFAULT_RANGE:
        for (int c = 0; c < 4; c++) {
            struct gen_rating *rt = &r->rt[c];
            if (!rt->present)
                continue;
            if (rt->scale == GS_CUSTOM)
                rt->score = 4;
            set_scale(rt, GS_ABSENT, SP_DEFAULT);
        }
        target = r->rt[0].present ? 0 : 1;
        r->rt[target].score = 7;
        break;
    case GEN_INV_CUSTOM_RANGE:
    case GEN_INV_THRESHOLD:
    case GEN_INV_BOUNDS:
        for (int c = 0; c < 4; c++) {
            struct gen_rating *rt = &r->rt[c];
            if (!rt->present)
                continue;
            double s = rt->score;
            if (rt->scale != GS_CUSTOM)
                s = (double)(int)((s - 1) * 2.5 + 0.5); /* 1..5 -> 0..10 */
            else if (rt->upper == 100)
                s = (double)(int)(s / 10);
            else if (rt->upper == 1)
                s = s * 10;
            rt->score = s;
            set_scale(rt, GS_CUSTOM, SP_10);
        }
        if (k == GEN_INV_CUSTOM_RANGE)
            r->rt[target].score = (double)(11 + gen_rng_below(rng, 3));
        else if (k == GEN_INV_THRESHOLD)
            r->rt[target].threshold = 12;
        else
            r->rt[target].upper = 200, r->rt[target].threshold = 100;
        break;
    case GEN_INV_NO_RATING:
        for (int c = 0; c < 4; c++)
            r->rt[c].present = false;
        break;
    case GEN_INV_NO_SURVEY_ID:
        r->no_survey_id = true;
        break;
    case GEN_INV_BAD_TIME:
        r->bad_time = (int8_t)gen_rng_below(rng, 2);
        break;
    case GEN_INV_WRONG_TAG: {
        struct gen_rating *rt = &r->rt[target];
        const char *tag = wrong_tags[target][gen_rng_below(rng, 3)];
        if (rt->n_issues < GEN_MAX_ISSUES)
            rt->issues[rt->n_issues++] = tag;
        else
            rt->issues[0] = tag;
        break;
    }
    default:
        break;
    }
}

void
gen_model_split(struct gen_model *m, struct gen_rec *r, struct gen_rec *b)
{
    *b = *r;
    int first = 0;
    while (first < 4 && !r->rt[first].present)
        first++;
    for (int c = 0; c < 4; c++) {
        if (c == first)
            b->rt[c].present = false;
        else
            r->rt[c].present = false;
    }
    b->t = r->t + 1 + (int64_t)gen_rng_below(&m->rng, 2 * GEN_TICKS_PER_S);
    b->style = gen_rng_next(&m->rng);
}

const char *
gen_invalid_name(enum gen_invalid k)
{
    static const char *const names[GEN_INV__COUNT] = {
        "default-range",
        "custom-range",
        "threshold",
        "bounds",
        "no-rating",
        "no-survey-id",
        "bad-time",
        "wrong-tag",
    };
    return (unsigned)k < GEN_INV__COUNT ? names[k] : "unknown";
}
