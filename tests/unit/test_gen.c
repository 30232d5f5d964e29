/* Unit tests for gen/: determinism, exact counts in every export form,
 * the documented shares, the built-in regression, every valid record
 * passing the SDK rules (an independent checker below, with the tag lists
 * copied from FORMATS.md §4), every invalid record failing exactly its one
 * rule, and CSV quoting round trips of the free text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/ctime.h"
#include "gen/gen.h"
#include "gen/gen_int.h"

/* ---- files ------------------------------------------------------------ */

static char *
mktmpdir(void)
{
    char tmpl[] = "/tmp/cs-gen-XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return strdup(d);
}

typedef void (*walk_fn)(const char *path, const char *rel, void *ctx);

/* Visit the regular files under dir in sorted order (depth first). */
static void
walk(const char *dir, size_t root_len, walk_fn fn, void *ctx)
{
    struct dirent **ents;
    int n = scandir(dir, &ents, NULL, alphasort);
    assert_true(n >= 0);
    for (int i = 0; i < n; i++) {
        const char *nm = ents[i]->d_name;
        if (strcmp(nm, ".") && strcmp(nm, "..")) {
            size_t len = strlen(dir) + strlen(nm) + 2;
            char *p = malloc(len);
            snprintf(p, len, "%s/%s", dir, nm);
            struct stat st;
            assert_int_equal(lstat(p, &st), 0);
            if (S_ISDIR(st.st_mode))
                walk(p, root_len, fn, ctx);
            else
                fn(p, p + root_len + 1, ctx);
            free(p);
        }
        free(ents[i]);
    }
    free(ents);
}

static void
rmdirs(const char *dir)
{
    struct dirent **ents;
    int n = scandir(dir, &ents, NULL, alphasort);
    for (int i = 0; i < n; i++) {
        const char *nm = ents[i]->d_name;
        if (strcmp(nm, ".") && strcmp(nm, "..")) {
            char p[4096];
            snprintf(p, sizeof p, "%s/%s", dir, nm);
            struct stat st;
            if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
                rmdirs(p);
            else
                unlink(p);
        }
        free(ents[i]);
    }
    free(ents);
    rmdir(dir);
}

static void
rmtree(char *dir)
{
    rmdirs(dir);
    free(dir);
}

static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return b;
}

static char *
path2(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static size_t
count_lines(const char *b, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += b[i] == '\n';
    return k;
}

static struct gen_result
run(struct gen_opts *o, const char *dir)
{
    struct gen_result res;
    struct cs_err err;
    cs_err_clear(&err);
    o->out_dir = dir;
    cs_status st = gen_run(o, &res, &err);
    if (st != CS_OK)
        fail_msg("gen_run: %s: %s", err.where, err.msg);
    /* identities every run must satisfy */
    assert_int_equal(res.surveys + res.invalid, o->n_surveys);
    assert_int_equal(res.records, o->n_surveys + res.duplicates);
    assert_int_equal(res.dup_exact + res.dup_split, res.duplicates);
    uint64_t k = 0;
    for (int i = 0; i < GEN_INV__COUNT; i++)
        k += res.invalid_by_kind[i];
    assert_int_equal(k, res.invalid);
    assert_int_equal(res.custom_events,
                     res.custom_matched + res.custom_retries + res.custom_orphans);
    return res;
}

/* ---- a tiny RFC 4180 reader ------------------------------------------- */

#define MAXF 64

struct csvrow {
    char *buf;         /* unescaped fields, NUL-separated */
    size_t cap;        /* bytes allocated */
    size_t off[MAXF];  /* field starts in buf */
    size_t flen[MAXF]; /* field lengths */
    int n;             /* fields */
};

/* Read one record at *p (< end); returns false at the end. */
static bool
csv_next(const char **p, const char *end, struct csvrow *row)
{
    const char *s = *p;
    if (s >= end)
        return false;
    if (row->cap < (size_t)(end - s) + 1) {
        row->cap = (size_t)(end - s) + 1;
        row->buf = realloc(row->buf, row->cap);
    }
    size_t w = 0;
    row->n = 0;
    for (;;) {
        assert_true(row->n < MAXF);
        row->off[row->n] = w;
        if (s < end && *s == '"') {
            s++;
            for (;;) {
                assert_true(s < end); /* unterminated quote */
                if (*s == '"') {
                    if (s + 1 < end && s[1] == '"') {
                        row->buf[w++] = '"';
                        s += 2;
                        continue;
                    }
                    s++;
                    break;
                }
                row->buf[w++] = *s++;
            }
        } else {
            while (s < end && *s != ',' && *s != '\r' && *s != '\n')
                row->buf[w++] = *s++;
        }
        row->flen[row->n] = w - row->off[row->n];
        row->buf[w++] = '\0';
        row->n++;
        if (s < end && *s == ',') {
            s++;
            continue;
        }
        if (s < end && *s == '\r')
            s++;
        if (s < end && *s == '\n')
            s++;
        break;
    }
    *p = s;
    return true;
}

static const char *
fld(const struct csvrow *r, int i)
{
    return r->buf + r->off[i];
}

static int
col(const struct csvrow *hdr, const char *name)
{
    for (int i = 0; i < hdr->n; i++)
        if (strcmp(fld(hdr, i), name) == 0)
            return i;
    fail_msg("no column %s", name);
    return -1;
}

/* ---- an independent checker of the SDK / loader rules ----------------- */

/* FORMATS.md §4, copied by hand (not from the generator). */
static const char *const t_overall[] = {"CallCannotJoin", "CallCannotInvite",
                                        "HadToRejoin", "CallEndedUnexpectedly", "OtherIssues", NULL};
static const char *const t_audio[] = {"NoLocalAudio", "NoRemoteAudio", "Echo",
                                      "AudioNoise", "LowVolume", "AudioStoppedUnexpectedly", "DistortedSpeech",
                                      "AudioInterruption", "OtherIssues", NULL};
static const char *const t_video[] = {"NoVideoReceived", "NoVideoSent",
                                      "LowQuality", "Freezes", "StoppedUnexpectedly", "DarkVideoReceived",
                                      "AudioVideoOutOfSync", "OtherIssues", NULL};
static const char *const t_screen[] = {"NoContentLocal", "NoContentRemote",
                                       "CannotPresent", "LowQuality", "Freezes", "StoppedUnexpectedly",
                                       "LargeDelay", "OtherIssues", NULL};
static const char *const *const t_lists[4] = {t_overall, t_audio, t_video,
                                              t_screen};
static const char *const cat_pfx[4] = {"Overall", "Audio", "Video",
                                       "Screenshare"};
static const char *const cat_iss[4] = {"OverallCallIssues", "AudioIssues",
                                       "VideoIssues", "ScreenshareIssues"};

static bool
in_list(const char *const *l, const char *s, size_t n)
{
    for (; *l; l++)
        if (strlen(*l) == n && memcmp(*l, s, n) == 0)
            return true;
    return false;
}

enum tkind { TV_ABSENT = 0,
             TV_NULL,
             TV_NUM,
             TV_STR };

struct tval {
    int kind;      /* enum tkind */
    double num;    /* TV_NUM */
    char str[256]; /* TV_STR, unescaped (no escapes occur in survey records) */
};

struct trec {
    struct tval time, sid, res;
    struct tval v[4][5]; /* score, lower, upper, threshold, issues */
};

static bool
tv_missing(const struct tval *v)
{
    return v->kind == TV_ABSENT || v->kind == TV_NULL ||
           (v->kind == TV_STR && (!v->str[0] || strcmp(v->str, "null") == 0));
}

/* The value as a number (a numeric string counts); NaN otherwise. */
static double
tv_num(const struct tval *v)
{
    if (v->kind == TV_NUM)
        return v->num;
    if (v->kind == TV_STR && v->str[0]) {
        char *end;
        double d = strtod(v->str, &end);
        if (*end == '\0')
            return d;
    }
    return (double)NAN;
}

/* Find "key": in [s, e) and read its value. */
static void
jget(const char *s, const char *e, const char *key, struct tval *v)
{
    char pat[96];
    int n = snprintf(pat, sizeof pat, "\"%s\":", key);
    memset(v, 0, sizeof *v);
    const char *p = memmem(s, (size_t)(e - s), pat, (size_t)n);
    if (p == NULL)
        return;
    p += n;
    if (*p == '"') {
        const char *q = memchr(p + 1, '"', (size_t)(e - p - 1));
        assert_non_null(q);
        size_t len = (size_t)(q - p - 1);
        assert_true(len < sizeof v->str);
        memcpy(v->str, p + 1, len);
        v->str[len] = '\0';
        v->kind = TV_STR;
    } else if (strncmp(p, "null", 4) == 0) {
        v->kind = TV_NULL;
    } else {
        char *end;
        v->num = strtod(p, &end);
        assert_true(end > p);
        v->kind = TV_NUM;
    }
}

static const char *const sfx[4] = {"", "LowerBound", "UpperBound",
                                   "Threshold"};

/* Nested storage form or flat Event Hubs form: the category keys are the
 * same; only the time and resource keys differ. */
static void
trec_json(const char *s, const char *e, struct trec *r)
{
    jget(s, e, "time", &r->time);
    if (r->time.kind == TV_ABSENT)
        jget(s, e, "TimeGenerated", &r->time);
    jget(s, e, "resourceId", &r->res);
    if (r->res.kind == TV_ABSENT)
        jget(s, e, "_ResourceId", &r->res);
    jget(s, e, "SurveyId", &r->sid);
    for (int c = 0; c < 4; c++) {
        char key[64];
        for (int k = 0; k < 4; k++) {
            snprintf(key, sizeof key, "%sRatingScore%s", cat_pfx[c], sfx[k]);
            jget(s, e, key, &r->v[c][k]);
        }
        jget(s, e, cat_iss[c], &r->v[c][4]);
    }
}

static void
tv_csv(const struct csvrow *row, int i, struct tval *v)
{
    memset(v, 0, sizeof *v);
    if (row->flen[i] == 0)
        return; /* a null int and an empty string both export as empty */
    assert_true(row->flen[i] < sizeof v->str);
    memcpy(v->str, fld(row, i), row->flen[i] + 1);
    v->kind = TV_STR;
}

struct csvmap {
    int time, sid, res, v[4][5];
};

static void
csvmap_make(const struct csvrow *hdr, struct csvmap *m)
{
    m->time = col(hdr, "TimeGenerated [UTC]");
    m->sid = col(hdr, "SurveyId");
    m->res = col(hdr, "_ResourceId");
    for (int c = 0; c < 4; c++) {
        char key[64];
        for (int k = 0; k < 4; k++) {
            snprintf(key, sizeof key, "%sRatingScore%s", cat_pfx[c], sfx[k]);
            m->v[c][k] = col(hdr, key);
        }
        m->v[c][4] = col(hdr, cat_iss[c]);
    }
}

static void
trec_csv(const struct csvrow *row, const struct csvmap *m, struct trec *r)
{
    tv_csv(row, m->time, &r->time);
    tv_csv(row, m->sid, &r->sid);
    tv_csv(row, m->res, &r->res);
    for (int c = 0; c < 4; c++)
        for (int k = 0; k < 5; k++)
            tv_csv(row, m->v[c][k], &r->v[c][k]);
}

static bool
rated(const struct trec *r, int c)
{
    return !tv_missing(&r->v[c][0]) || !tv_missing(&r->v[c][4]);
}

/* Returns -1 for a valid record, else the gen_invalid kind of the first
 * broken rule.  *n_unknown counts unknown tags (kept, not a reject). */
static int
check(const struct trec *r, bool csv_time, int *n_unknown)
{
    if (tv_missing(&r->sid))
        return GEN_INV_NO_SURVEY_ID;
    int64_t us;
    if (tv_missing(&r->time) ||
        !(csv_time ? cs_time_parse_any(r->time.str, strlen(r->time.str),
                                       CS_DATE_MDY, &us)
                   : cs_time_parse_iso(r->time.str, strlen(r->time.str), &us)))
        return GEN_INV_BAD_TIME;
    bool any = false;
    for (int c = 0; c < 4; c++) {
        if (!rated(r, c))
            continue;
        any = true;
        double s = tv_num(&r->v[c][0]);
        bool has_scale = !tv_missing(&r->v[c][1]) ||
                         !tv_missing(&r->v[c][2]) || !tv_missing(&r->v[c][3]);
        if (!has_scale) {
            if (!(1 <= s && s <= 5))
                return GEN_INV_DEFAULT_RANGE;
            continue;
        }
        double lo = tv_num(&r->v[c][1]), hi = tv_num(&r->v[c][2]),
               th = tv_num(&r->v[c][3]);
        if (!(lo <= s && s <= hi))
            return GEN_INV_CUSTOM_RANGE;
        if (!(lo <= th && th <= hi))
            return GEN_INV_THRESHOLD;
        if (!(lo >= 0 && hi <= 100))
            return GEN_INV_BOUNDS;
    }
    if (!any)
        return GEN_INV_NO_RATING;
    for (int c = 0; c < 4; c++) {
        if (!rated(r, c) || tv_missing(&r->v[c][4]))
            continue;
        const char *s = r->v[c][4].str;
        assert_null(strchr(s, ' ')); /* comma-separated, no spaces */
        while (*s) {
            size_t n = strcspn(s, ",");
            assert_true(n > 0); /* no empty tokens */
            bool alias = c == 0 && ((n == 10 && !memcmp(s, "CannotJoin", 10)) ||
                                    (n == 12 && !memcmp(s, "CannotInvite", 12)));
            if (!in_list(t_lists[c], s, n) && !alias) {
                bool other = false;
                for (int d = 0; d < 4; d++)
                    other |= in_list(t_lists[d], s, n);
                if (other)
                    return GEN_INV_WRONG_TAG;
                /* the generator's deliberate unknown tags, nothing else: a
                 * misspelt catalogue tag would land here */
                static const char *const unknown[] = {"PoorConnection", "Lag",
                                                      "BackgroundNoise", NULL};
                if (!in_list(unknown, s, n))
                    fail_msg("tag '%.*s' is in no catalogue", (int)n, s);
                (*n_unknown)++;
            }
            s += n;
            if (*s == ',')
                s++;
        }
    }
    return -1;
}

/* ---- walking an output in any form ------------------------------------ */

struct tally {
    uint64_t records, valid, unknown_tags;
    uint64_t by_kind[GEN_INV__COUNT];
};

static void
tally_rec(struct tally *t, const struct trec *r, bool csv)
{
    int n_unknown = 0;
    int k = check(r, csv, &n_unknown);
    t->records++;
    if (k < 0)
        t->valid++;
    else
        t->by_kind[k]++;
    t->unknown_tags += (uint64_t)n_unknown;
}

/* JSON Lines: one record per line. */
static void
tally_jsonl(struct tally *t, const char *b, size_t n)
{
    const char *p = b, *end = b + n;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        assert_non_null(nl);
        struct trec r;
        trec_json(p, nl, &r);
        tally_rec(t, &r, false);
        p = nl + 1;
    }
}

static void
tally_tree_file(const char *path, const char *rel, void *ctx)
{
    if (strstr(rel, "PT1H.json") == NULL)
        return;
    assert_non_null(strstr(rel, "insights-logs-callsurvey/resourceId=/SUBSCRIPTIONS/"));
    assert_non_null(strstr(rel, "/m=00/PT1H.json"));
    size_t n;
    char *b = slurp(path, &n);
    tally_jsonl(ctx, b, n);
    free(b);
}

/* Event Hubs form: objects {"records":[...]} one per line, 50-200 each. */
static void
tally_records(struct tally *t, const char *b, size_t n)
{
    const char *p = b, *end = b + n;
    static const char head[] = "{\"records\":[";
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        assert_non_null(nl);
        assert_memory_equal(p, head, sizeof head - 1);
        assert_memory_equal(nl - 2, "]}", 2);
        int k = 0;
        const char *s = p + sizeof head - 1;
        while (s < nl - 2) {
            assert_memory_equal(s, "{\"TimeGenerated\"", 16);
            const char *nx = memmem(s + 1, (size_t)(nl - s - 1),
                                    "},{\"TimeGenerated\"", 18);
            const char *re = nx ? nx + 1 : nl - 2;
            struct trec r;
            trec_json(s, re, &r);
            tally_rec(t, &r, false);
            k++;
            s = nx ? nx + 2 : nl;
        }
        if (nl + 1 < end && !(k >= 50 && k <= 200))
            fail_msg("a records object holds %d records", k);
        assert_true(k >= 1 && k <= 200);
        p = nl + 1;
    }
}

static void
tally_csv(struct tally *t, const char *b, size_t n)
{
    assert_true(n >= 3 && memcmp(b, "\xef\xbb\xbf", 3) == 0); /* BOM */
    const char *p = b + 3, *end = b + n;
    struct csvrow hdr = {0}, row = {0};
    assert_true(csv_next(&p, end, &hdr));
    assert_string_equal(fld(&hdr, 1), "TimeGenerated [UTC]");
    struct csvmap m;
    csvmap_make(&hdr, &m);
    while (csv_next(&p, end, &row)) {
        assert_int_equal(row.n, hdr.n);
        struct trec r;
        trec_csv(&row, &m, &r);
        tally_rec(t, &r, true);
    }
    assert_true(memcmp(end - 2, "\r\n", 2) == 0); /* CRLF */
    free(hdr.buf);
    free(row.buf);
}

static void
check_tally(const struct tally *t, const struct gen_result *res)
{
    assert_int_equal(t->records, res->records);
    assert_int_equal(t->valid, res->records - res->invalid);
    for (int k = 0; k < GEN_INV__COUNT; k++)
        if (t->by_kind[k] != res->invalid_by_kind[k])
            fail_msg("invalid kind %s: checker found %llu, generator wrote %llu",
                     gen_invalid_name((enum gen_invalid)k),
                     (unsigned long long)t->by_kind[k],
                     (unsigned long long)res->invalid_by_kind[k]);
}

/* ---- tests ------------------------------------------------------------ */

struct filelist {
    char **rel;  /* relative paths */
    char **data; /* contents */
    size_t *len; /* sizes */
    size_t n;    /* files */
    uint64_t bytes;
};

static void
collect(const char *path, const char *rel, void *ctx)
{
    struct filelist *l = ctx;
    l->rel = realloc(l->rel, (l->n + 1) * sizeof *l->rel);
    l->data = realloc(l->data, (l->n + 1) * sizeof *l->data);
    l->len = realloc(l->len, (l->n + 1) * sizeof *l->len);
    l->rel[l->n] = strdup(rel);
    l->data[l->n] = slurp(path, &l->len[l->n]);
    l->bytes += l->len[l->n];
    l->n++;
}

static void
filelist_free(struct filelist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->rel[i]);
        free(l->data[i]);
    }
    free(l->rel);
    free(l->data);
    free(l->len);
}

static void
test_deterministic(void **state)
{
    (void)state;
    for (int f = 0; f < 3; f++) {
        struct gen_opts o;
        gen_opts_default(&o);
        o.n_surveys = 2500;
        o.seed = 42;
        o.format = (enum gen_format)f;
        o.invalid_share = 0.03;
        o.duplicate_share = 0.03;
        char *d1 = mktmpdir(), *d2 = mktmpdir(), *d3 = mktmpdir();
        struct gen_result r1 = run(&o, d1), r2 = run(&o, d2);
        o.seed = 43;
        run(&o, d3);
        struct filelist a = {0}, b = {0}, c = {0};
        walk(d1, strlen(d1), collect, &a);
        walk(d2, strlen(d2), collect, &b);
        walk(d3, strlen(d3), collect, &c);
        assert_memory_equal(&r1, &r2, sizeof r1);
        assert_int_equal(a.n, b.n);
        assert_int_equal(a.n, (size_t)r1.files);
        assert_int_equal(a.bytes, r1.bytes);
        for (size_t i = 0; i < a.n; i++) {
            assert_string_equal(a.rel[i], b.rel[i]);
            assert_int_equal(a.len[i], b.len[i]);
            if (memcmp(a.data[i], b.data[i], a.len[i]) != 0)
                fail_msg("%s differs between two runs", a.rel[i]);
            assert_null(strstr(a.rel[i], ".tmp.")); /* no temp file left */
        }
        /* another seed gives other data */
        bool same = c.n == a.n;
        for (size_t i = 0; same && i < a.n; i++)
            same = a.len[i] == c.len[i] && !memcmp(a.data[i], c.data[i], a.len[i]);
        assert_false(same);
        filelist_free(&a);
        filelist_free(&b);
        filelist_free(&c);
        rmtree(d1);
        rmtree(d2);
        rmtree(d3);
    }
}

/* Every form: the records counted in the files are the result's counts,
 * every valid record passes the rules, every invalid one fails its rule. */
static void
test_counts_and_rules(void **state)
{
    (void)state;
    struct gen_opts o;
    gen_opts_default(&o);
    o.n_surveys = 6000;
    o.seed = 7;
    o.invalid_share = 0.05;
    o.duplicate_share = 0.05;
    for (int form = 0; form < 4; form++) {
        char *d = mktmpdir();
        o.format = form == 3 ? GEN_JSONL : (enum gen_format)form;
        o.single_file = form == 3;
        struct gen_result res = run(&o, d);
        assert_true(res.invalid > 0 && res.dup_exact > 0 && res.dup_split > 0);
        for (int k = 0; k < GEN_INV__COUNT; k++)
            assert_true(res.invalid_by_kind[k] > 0);
        struct tally t = {0};
        size_t n;
        char *p, *b;
        switch (form) {
        case 0:
            walk(d, strlen(d), tally_tree_file, &t);
            break;
        case 1:
            p = path2(d, "surveys.csv");
            b = slurp(p, &n);
            tally_csv(&t, b, n);
            free(b);
            free(p);
            break;
        case 2:
            p = path2(d, "eventhub-records.json");
            b = slurp(p, &n);
            tally_records(&t, b, n);
            free(b);
            free(p);
            break;
        default:
            p = path2(d, "surveys.jsonl");
            b = slurp(p, &n);
            assert_int_equal(count_lines(b, n), res.records);
            tally_jsonl(&t, b, n);
            free(b);
            free(p);
            break;
        }
        check_tally(&t, &res);
        assert_true(t.unknown_tags < res.records / 50); /* rare */
        struct filelist l = {0};
        walk(d, strlen(d), collect, &l);
        assert_int_equal(l.n, (size_t)res.files);
        assert_int_equal(l.bytes, res.bytes);
        filelist_free(&l);
        rmtree(d);
    }
}

/* Lower-case 36-char v4 GUID. */
static bool
is_guid_v4(const char *s)
{
    if (strlen(s) != 36 || s[14] != '4' || !strchr("89ab", s[19]))
        return false;
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !strchr("0123456789abcdef", s[i]))
            return false;
    }
    return true;
}

struct stats {
    uint64_t n, rated[4], custom, dflt, dflt_explicit, non_integer, alias;
    uint64_t poor_n[2], poor_k[2];    /* overall: [0] baseline, [1] regressed */
    uint64_t apoor_n[2], apoor_k[2];  /* audio */
    uint64_t atags[2], echo_noise[2]; /* audio tags, of them Echo/AudioNoise */
    uint64_t tagged_poor, rated_poor, tagged_good, rated_good;
    uint64_t canary_early_n, canary_early_k;
};

static bool
poor_of(const struct trec *r, int c)
{
    double s = tv_num(&r->v[c][0]);
    double th = tv_missing(&r->v[c][3]) ? 2 : tv_num(&r->v[c][3]);
    return s <= th;
}

static void
stats_line(struct stats *st, const struct trec *r, int64_t regress_from_us)
{
    st->n++;
    assert_true(is_guid_v4(r->sid.str));
    bool canary = strstr(r->res.str, "/ACS-CANARY-WUS2") != NULL;
    int64_t us;
    assert_true(cs_time_parse_iso(r->time.str, strlen(r->time.str), &us));
    int reg = canary && us >= regress_from_us;
    bool custom = false, explicit_ = false;
    for (int c = 0; c < 4; c++) {
        if (!rated(r, c))
            continue;
        st->rated[c]++;
        double s = tv_num(&r->v[c][0]);
        if (s != floor(s))
            st->non_integer++;
        if (!tv_missing(&r->v[c][2])) {
            if (tv_num(&r->v[c][2]) == 5 && tv_num(&r->v[c][1]) == 1)
                explicit_ = true;
            else
                custom = true;
        }
        bool poor = poor_of(r, c);
        bool tagged = !tv_missing(&r->v[c][4]);
        if (poor) {
            st->rated_poor++;
            st->tagged_poor += tagged;
        } else {
            st->rated_good++;
            st->tagged_good += tagged;
        }
        if (c == 0 && tagged && (strstr(r->v[0][4].str, "CannotJoin") == r->v[0][4].str || strstr(r->v[0][4].str, ",CannotJoin") || strstr(r->v[0][4].str, "CannotInvite") == r->v[0][4].str || strstr(r->v[0][4].str, ",CannotInvite")))
            st->alias++;
    }
    if (custom)
        st->custom++;
    else {
        st->dflt++;
        st->dflt_explicit += explicit_;
    }
    if (custom)
        return; /* poor rates per scale: the default one */
    if (rated(r, 0)) {
        st->poor_n[reg]++;
        st->poor_k[reg] += poor_of(r, 0);
        if (canary && !reg) {
            st->canary_early_n++;
            st->canary_early_k += poor_of(r, 0);
        }
    }
    if (rated(r, 1)) {
        st->apoor_n[reg]++;
        st->apoor_k[reg] += poor_of(r, 1);
        const char *s = r->v[1][4].str;
        while (*s) {
            size_t n = strcspn(s, ",");
            st->atags[reg]++;
            if ((n == 4 && !memcmp(s, "Echo", 4)) ||
                (n == 10 && !memcmp(s, "AudioNoise", 10)))
                st->echo_noise[reg]++;
            s += n + (s[n] == ',');
        }
    }
}

static double
pct(uint64_t k, uint64_t n)
{
    return n ? 100.0 * (double)k / (double)n : 0;
}

#define NEAR(v, want, tol)                                       \
    do {                                                         \
        double v_ = (v);                                         \
        if (!(fabs(v_ - (want)) <= (tol)))                       \
            fail_msg("%s = %.2f, expected %.2f +- %.2f", #v, v_, \
                     (double)(want), (double)(tol));             \
    } while (0)

/* One survey per line (no invalid, no duplicates): the shares of gen.h. */
static void
test_shares_and_regression(void **state)
{
    (void)state;
    struct gen_opts o;
    gen_opts_default(&o);
    o.n_surveys = 20000;
    o.invalid_share = 0;
    o.duplicate_share = 0;
    o.custom_share = 0;
    o.single_file = 1;
    char *d = mktmpdir();
    struct gen_result res = run(&o, d);
    assert_int_equal(res.records, 20000);
    assert_int_equal(res.files, 1);
    assert_int_equal(res.custom_events, 0);
    char *p = path2(d, "surveys.jsonl");
    size_t n;
    char *b = slurp(p, &n);
    struct stats st = {0};
    int64_t from = (o.start_s + 2 * 7 * 86400) * 1000000; /* last 2 of 4 weeks */
    const char *s = b, *end = b + n;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        struct trec r;
        trec_json(s, nl, &r);
        stats_line(&st, &r, from);
        s = nl + 1;
    }
    free(b);
    free(p);
    rmtree(d);

    assert_int_equal(st.n, 20000);
    NEAR(pct(st.rated[0], st.n), 98, 1);   /* ~2 % audio-only */
    NEAR(pct(st.rated[1], st.n), 70.6, 2); /* 70 % + the audio-only ones */
    NEAR(pct(st.rated[2], st.n), 39.2, 2);
    NEAR(pct(st.rated[3], st.n), 9.8, 2);
    NEAR(pct(st.custom, st.n), 3, 1);
    NEAR(pct(st.dflt_explicit, st.dflt), 50, 3);
    assert_true(st.non_integer > 0 && st.non_integer < 100);
    assert_true(st.alias > 0);
    assert_true(pct(st.tagged_poor, st.rated_poor) > 70);
    assert_true(pct(st.tagged_good, st.rated_good) < 12);

    /* the regression: ACS-CANARY-WUS2, last two weeks, against the rest */
    double base = pct(st.poor_k[0], st.poor_n[0]);
    double regr = pct(st.poor_k[1], st.poor_n[1]);
    double early = pct(st.canary_early_k, st.canary_early_n);
    double abase = pct(st.apoor_k[0], st.apoor_n[0]);
    double aregr = pct(st.apoor_k[1], st.apoor_n[1]);
    double ebase = pct(st.echo_noise[0], st.atags[0]);
    double eregr = pct(st.echo_noise[1], st.atags[1]);
    print_message("overall poor %.1f%% -> %.1f%% (canary before: %.1f%%), "
                  "audio poor %.1f%% -> %.1f%%, Echo+AudioNoise among audio "
                  "tags %.1f%% -> %.1f%% (n=%llu regressed)\n",
                  base, regr, early, abase, aregr, ebase, eregr,
                  (unsigned long long)st.poor_n[1]);
    assert_true(st.poor_n[1] > 1500);
    NEAR(base, 12, 1.5);
    NEAR(regr, 30, 3);
    NEAR(early, 12, 3); /* no regression before */
    assert_true(aregr > 2 * abase);
    assert_true(eregr > 1.5 * ebase);
}

/* The counters follow the requested shares. */
static void
test_requested_shares(void **state)
{
    (void)state;
    struct gen_opts o;
    gen_opts_default(&o);
    o.n_surveys = 20000;
    o.invalid_share = 0.05;
    o.duplicate_share = 0.04;
    o.custom_share = 0.25;
    o.single_file = 1;
    o.seed = 99;
    char *d = mktmpdir();
    struct gen_result res = run(&o, d);
    NEAR(pct(res.invalid, o.n_surveys), 5, 0.6);
    NEAR(pct(res.duplicates, res.surveys), 4, 0.6);
    NEAR(pct(res.custom_matched, res.surveys), 25, 1.5);
    NEAR(pct(res.custom_orphans, res.custom_matched), 3, 1);
    NEAR(pct(res.custom_retries, res.custom_matched), 3, 1);
    NEAR(pct(res.custom_other, res.custom_matched), 5, 1.5);
    rmtree(d);
}

/* ---- custom events ---------------------------------------------------- */

static int
cmp_id(const void *a, const void *b)
{
    return memcmp(a, b, 36);
}

/* Unescape the JSON string value of "key" in [s, e) into out; false if
 * the key is absent. */
static bool
json_str(const char *s, const char *e, const char *key, char *out, size_t cap)
{
    char pat[64];
    int n = snprintf(pat, sizeof pat, "\"%s\":\"", key);
    const char *p = memmem(s, (size_t)(e - s), pat, (size_t)n);
    if (p == NULL)
        return false;
    p += n;
    size_t w = 0;
    while (*p != '"') {
        assert_true(p < e && w + 1 < cap);
        char c = *p++;
        if (c == '\\') {
            c = *p++;
            c = c == 'n' ? '\n' : c == 'r' ? '\r'
                              : c == 't'   ? '\t'
                                           : c;
        }
        assert_true((unsigned char)c >= 0x20 || c == '\n' || c == '\r' || c == '\t');
        out[w++] = c;
    }
    out[w] = '\0';
    return true;
}

static bool
known_phrase(const char *s, const char *const *l, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(s, l[i]) == 0)
            return true;
    return false;
}

struct evcheck {
    uint64_t callsurvey, other, upper, padded, orphans;
    uint64_t matched; /* distinct survey ids with an event */
    bool nl, quote, comma, non_ascii;
};

/* Check one customDimensions JSON text of a CallSurvey event. */
static void
check_dims(struct evcheck *ec, const char *j, size_t jn, char (*ids)[36],
           size_t n_ids, unsigned char *seen)
{
    char id[64], text[1024];
    assert_true(json_str(j, j + jn, "id", id, sizeof id));
    const char *g = id;
    size_t gl = strlen(id);
    if (id[0] == ' ') {
        ec->padded++;
        assert_int_equal(id[gl - 1], ' ');
        g++;
        gl -= 2;
    }
    assert_int_equal(gl, 36);
    char low[37];
    bool up = false;
    for (int i = 0; i < 36; i++) {
        up |= g[i] >= 'A' && g[i] <= 'F';
        low[i] = (g[i] >= 'A' && g[i] <= 'F') ? (char)(g[i] + 32) : g[i];
    }
    low[36] = '\0';
    ec->upper += up;
    assert_true(is_guid_v4(low));
    char(*hit)[36] = bsearch(low, ids, n_ids, 36, cmp_id);
    if (hit == NULL) {
        ec->orphans++;
    } else if (!seen[hit - ids]) {
        seen[hit - ids] = 1;
        ec->matched++;
    }
    bool any = false;
    if (json_str(j, j + jn, "improvementSuggestion", text, sizeof text)) {
        any = true;
        if (!known_phrase(text, gen_phrases_poor, gen_n_phrases_poor) &&
            !known_phrase(text, gen_phrases_fine, gen_n_phrases_fine))
            fail_msg("suggestion did not round-trip: [%s]", text);
        ec->nl |= strchr(text, '\n') != NULL;
        ec->quote |= strchr(text, '"') != NULL;
        ec->comma |= strchr(text, ',') != NULL;
        for (const char *c = text; *c; c++)
            ec->non_ascii |= (unsigned char)*c >= 0x80;
    }
    if (json_str(j, j + jn, "rating_reason", text, sizeof text)) {
        any = true;
        assert_true(known_phrase(text, gen_phrases_reason, gen_n_phrases_reason));
    }
    assert_true(any);
}

static void
test_custom_events(void **state)
{
    (void)state;
    struct gen_opts o;
    gen_opts_default(&o);
    o.n_surveys = 8000;
    o.custom_share = 0.4;
    o.single_file = 1;
    o.seed = 5;
    char *d = mktmpdir();
    struct gen_result res = run(&o, d);

    /* the survey ids of the valid records, sorted */
    size_t n;
    char *p = path2(d, "surveys.jsonl");
    char *b = slurp(p, &n);
    char(*ids)[36] = malloc(res.records * 36);
    size_t n_ids = 0;
    for (const char *s = b; s < b + n;) {
        const char *nl = memchr(s, '\n', (size_t)(b + n - s));
        struct trec r;
        trec_json(s, nl, &r);
        int nu = 0;
        if (check(&r, false, &nu) < 0)
            memcpy(ids[n_ids++], r.sid.str, 36);
        s = nl + 1;
    }
    qsort(ids, n_ids, 36, cmp_id);
    free(b);
    free(p);
    unsigned char *seen = calloc(n_ids, 1);

    /* customEvents.csv: BOM, header, time-ordered rows, every cell parsed */
    p = path2(d, "customEvents.csv");
    b = slurp(p, &n);
    assert_memory_equal(b, "\xef\xbb\xbf", 3);
    const char *s = b + 3;
    struct csvrow hdr = {0}, row = {0};
    assert_true(csv_next(&s, b + n, &hdr));
    int c_ts = col(&hdr, "timestamp [UTC]"), c_name = col(&hdr, "name"),
        c_dims = col(&hdr, "customDimensions"),
        c_meas = col(&hdr, "customMeasurements");
    col(&hdr, "operation_Id");
    col(&hdr, "session_Id");
    col(&hdr, "client_Browser");
    struct evcheck ec = {0};
    int64_t last = INT64_MIN;
    while (csv_next(&s, b + n, &row)) {
        assert_int_equal(row.n, hdr.n);
        int64_t us;
        assert_true(cs_time_parse_any(fld(&row, c_ts), row.flen[c_ts],
                                      CS_DATE_MDY, &us));
        assert_true(us >= last); /* time-ordered */
        last = us;
        assert_int_equal(fld(&row, c_meas)[0], '{');
        if (strcmp(fld(&row, c_name), "CallSurvey") != 0) {
            ec.other++;
            continue;
        }
        ec.callsurvey++;
        check_dims(&ec, fld(&row, c_dims), row.flen[c_dims], ids, n_ids, seen);
    }
    free(hdr.buf);
    free(row.buf);
    free(b);
    free(p);
    assert_int_equal(ec.callsurvey, res.custom_events);
    assert_int_equal(ec.other, res.custom_other);
    assert_int_equal(ec.orphans, res.custom_orphans);
    assert_int_equal(ec.matched, res.custom_matched);
    assert_true(ec.upper > 0 && ec.padded > 0);
    assert_true(ec.nl && ec.quote && ec.comma && ec.non_ascii);

    /* one form per directory: the default is the CSV alone */
    p = path2(d, "customEvents.jsonl");
    assert_int_equal(access(p, F_OK), -1);
    free(p);

    /* customEvents.jsonl (--events-format jsonl): the same events, alone */
    char *d2 = mktmpdir();
    o.events_format = GEN_EV_JSONL;
    struct gen_result res2 = run(&o, d2);
    assert_int_equal(res2.custom_events, res.custom_events);
    assert_int_equal(res2.files, res.files);
    p = path2(d2, "customEvents.csv");
    assert_int_equal(access(p, F_OK), -1);
    free(p);
    struct evcheck ej = {0};
    memset(seen, 0, n_ids);
    p = path2(d2, "customEvents.jsonl");
    b = slurp(p, &n);
    assert_int_equal(count_lines(b, n), res.custom_events + res.custom_other);
    for (const char *q = b; q < b + n;) {
        const char *nl = memchr(q, '\n', (size_t)(b + n - q));
        if (memmem(q, (size_t)(nl - q), "\"Name\":\"CallSurvey\"", 19)) {
            const char *props = memmem(q, (size_t)(nl - q), "\"Properties\":{", 14);
            assert_non_null(props);
            const char *pe = memchr(props, '}', (size_t)(nl - props));
            ej.callsurvey++;
            check_dims(&ej, props + 13, (size_t)(pe - props - 12), ids, n_ids, seen);
        }
        q = nl + 1;
    }
    assert_int_equal(ej.callsurvey, res.custom_events);
    assert_int_equal(ej.orphans, res.custom_orphans);
    assert_int_equal(ej.matched, res.custom_matched);
    free(b);
    free(p);
    free(seen);
    free(ids);
    rmtree(d);
    rmtree(d2);
}

/* gen_buf_csv quotes what FORMATS.md §3 says and round-trips. */
static void
test_csv_cells(void **state)
{
    (void)state;
    const char *cells[] = {
        "plain",
        "two words",
        "a,b",
        "say \"hi\"",
        "line1\nline2",
        "crlf\r\nend",
        "\"",
        ("\xc3\x89"
         "cho"),
        "3.5",
        "",
        "\"\"quoted\"\",",
    };
    const bool quoted[] = {false, true, true, true, true, true, true, false,
                           true, false, true};
    size_t nc = sizeof cells / sizeof *cells;
    struct cs_buf b;
    gen_buf_init(&b, 16);
    for (size_t i = 0; i < nc; i++) {
        if (i)
            gen_buf_put(&b, ",", 1);
        size_t at = b.n;
        gen_buf_csv(&b, cells[i], strlen(cells[i]));
        assert_int_equal(b.n > at && b.s[at] == '"', quoted[i]);
    }
    gen_buf_put(&b, "\r\n", 2);
    const char *s = b.s;
    struct csvrow row = {0};
    assert_true(csv_next(&s, b.s + b.n, &row));
    assert_int_equal(row.n, (int)nc);
    for (size_t i = 0; i < nc; i++)
        assert_string_equal(fld(&row, (int)i), cells[i]);
    assert_ptr_equal(s, b.s + b.n);
    free(row.buf);

    /* a JSON string inside a quoted CSV cell, as customDimensions */
    cs_buf_clear(&b);
    struct cs_buf j;
    gen_buf_init(&j, 8);
    gen_buf_put(&j, "{\"t\":", 5);
    const char *txt = "He said \"echo\",\nthen\tleft \\ \x01";
    gen_buf_json_str(&j, txt, strlen(txt));
    gen_buf_put(&j, "}", 1);
    gen_buf_csv_quoted(&b, j.s, j.n);
    gen_buf_put(&b, "\r\n", 2);
    s = b.s;
    memset(&row, 0, sizeof row);
    assert_true(csv_next(&s, b.s + b.n, &row));
    assert_int_equal(row.n, 1);
    assert_int_equal(row.flen[0], j.n);
    assert_memory_equal(fld(&row, 0), j.s, j.n);
    assert_non_null(strstr(fld(&row, 0), "\\u0001"));
    free(row.buf);
    gen_buf_free(&j);
    gen_buf_free(&b);
}

static void
test_time_forms(void **state)
{
    (void)state;
    struct cs_buf b;
    gen_buf_init(&b, 8);
    /* 2026-11-16T09:09:00.7301234Z in ticks */
    int64_t t = (INT64_C(1794787200) + 9 * 3600 + 9 * 60) * 10000000 + 7301234;
    gen_buf_iso(&b, t);
    gen_buf_put(&b, "|", 1);
    gen_buf_enus(&b, t);
    gen_buf_put(&b, "|", 1);
    gen_buf_enus(&b, t + INT64_C(3) * 3600 * 10000000); /* 12 PM */
    gen_buf_put(&b, "|", 1);
    gen_buf_enus(&b, t - INT64_C(9) * 3600 * 10000000); /* 12 AM */
    gen_buf_put(&b, "", 1);
    assert_string_equal(b.s, "2026-11-16T09:09:00.7301234Z|"
                             "11/16/2026, 9:09:00.730 AM|"
                             "11/16/2026, 12:09:00.730 PM|"
                             "11/16/2026, 12:09:00.730 AM");
    gen_buf_free(&b);

    struct gen_resource r;
    gen_resource_make(2, &r);
    assert_string_equal(r.name, "ACS-CANARY-WUS2");
    assert_non_null(strstr(r.id_upper, "/RESOURCEGROUPS/RG-CALLING/PROVIDERS/"
                                       "MICROSOFT.COMMUNICATION/"
                                       "COMMUNICATIONSERVICES/ACS-CANARY-WUS2"));
    gen_resource_make(3, &r);
    assert_string_equal(r.name, "ACS-RES-4");
}

static void
test_bad_options(void **state)
{
    (void)state;
    struct gen_opts o;
    struct gen_result res;
    struct cs_err err;
    gen_opts_default(&o);
    o.out_dir = "/tmp";
    o.n_surveys = 0;
    assert_int_equal(gen_run(&o, &res, &err), CS_E_USAGE);
    o.n_surveys = 10;
    o.custom_share = 1.5;
    assert_int_equal(gen_run(&o, &res, &err), CS_E_USAGE);
    o.custom_share = (double)NAN;
    assert_int_equal(gen_run(&o, &res, &err), CS_E_USAGE);
    o.custom_share = 0.3;
    o.start_s += 86400; /* a Tuesday */
    assert_int_equal(gen_run(&o, &res, &err), CS_E_USAGE);
    gen_opts_default(&o);
    o.n_surveys = 10;
    o.n_resources = 0;
    o.out_dir = "/tmp";
    assert_int_equal(gen_run(&o, &res, &err), CS_E_USAGE);
    gen_opts_default(&o);
    o.n_surveys = 10;
    o.out_dir = "/dev/null/sub";
    cs_err_clear(&err);
    assert_int_equal(gen_run(&o, &res, &err), CS_E_IO);
    assert_non_null(strstr(err.where, "/dev/null"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_forms),
        cmocka_unit_test(test_csv_cells),
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_counts_and_rules),
        cmocka_unit_test(test_shares_and_regression),
        cmocka_unit_test(test_requested_shares),
        cmocka_unit_test(test_custom_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
