/*
 * tests/fuzz/fuzz_common.h: what the libFuzzer harnesses share (header-only).
 *
 * The ingest API reads paths, not buffers, so each input is written into an
 * anonymous in-memory file (memfd_create, created once per process) and
 * handed to cs_ingest_path as /proc/self/fd/N: the real reader, container
 * detection and loaders run, with no disk I/O per execution.
 *
 * The sink checks the contract of ingest/ingest.h on every callback (a
 * failed check aborts, so the fuzzer reports it like a crash): valid
 * records have no reason and a survey id, rejects have a reason, borrowed
 * texts are readable to their stated length, lent batch buffers come back,
 * and the counters add up (read = valid + rejected + events_valid).  It can
 * also be told to fail on its Nth callback, so that the loaders' "the sink
 * said stop" paths are fuzzed too (the store's errors take those paths).
 *
 * JSON Lines input is also checked line by line against each line alone
 * (fuzz_check_lines_independent), which catches state leaking between
 * lines that no sanitizer sees.
 *
 * Everything a harness allocates is freed per execution (LeakSanitizer is
 * on in libFuzzer and in the replay driver), except what is kept for the
 * process on purpose: the memfd, the lent batch, fuzz_template's store.
 */
#ifndef CS_FUZZ_COMMON_H
#define CS_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ingest/ingest.h"
#include "model/survey.h"

/* The entry point libFuzzer (or tests/fuzz/replay.c) calls. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A failed invariant: print it and abort (a "crash" for the fuzzer). */
#define FUZZ_CHECK(cond)                                                       \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "fuzz: invariant failed at %s:%d: %s\n", __FILE__, \
                    __LINE__, #cond);                                          \
            abort();                                                           \
        }                                                                      \
    } while (0)

/* ---- input as a file ------------------------------------------------- */

/* Replace the contents of this process's memfd with data; returns its
 * /proc path (static). */
static inline const char *
fuzz_file(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("callsurvey-fuzz", MFD_CLOEXEC);
        if (fd < 0) {
            perror("fuzz: memfd_create");
            abort();
        }
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 ||
        (size && pwrite(fd, data, size, 0) != (ssize_t)size)) {
        perror("fuzz: writing the memfd");
        abort();
    }
    return path;
}

/* FNV-1a of the input: picks the harness's variations deterministically. */
static inline uint32_t
fuzz_hash(const uint8_t *data, size_t size)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 16777619u;
    return h;
}

/* ---- a checking sink --------------------------------------------------- */

#define FUZZ_TALLY_LINES 64
/* Outcomes per input line (1-based; 0 = line 64 or later). */
struct fuzz_tally {
    uint32_t valid[FUZZ_TALLY_LINES];    /* records and events handed on */
    uint32_t rejected[FUZZ_TALLY_LINES]; /* rejects */
};

static inline size_t
fuzz_tally_slot(uint64_t line)
{
    return line < FUZZ_TALLY_LINES ? (size_t)line : 0;
}

struct fuzz_sink {
    struct cs_record *buf;    /* the one buffer lent through get_buffer */
    bool lent;                /* buf is with the loader */
    uint64_t calls;           /* callbacks so far */
    uint64_t fail_at;         /* fail the callback with this number (0 = never) */
    uint64_t n_records;       /* valid records received */
    uint64_t n_rejects;       /* rejects received */
    uint64_t n_events;        /* events received */
    uint64_t sum;             /* something derived from every byte read, so
                                the reads are not optimized away */
    struct fuzz_tally *tally; /* per-line outcomes, or NULL */
};

static inline bool
fuzz_sink_fail(struct fuzz_sink *fs, struct cs_err *err)
{
    if (++fs->calls != fs->fail_at)
        return false;
    cs_fail(err, CS_E_DB, "fuzz", "the sink fails on call %llu",
            (unsigned long long)fs->calls);
    return true;
}

/* A NUL-terminated field of at most cap bytes (cap includes the NUL). */
static inline size_t
fuzz_strnlen_checked(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    FUZZ_CHECK(n < cap);
    return n;
}

static inline void
fuzz_check_record(struct fuzz_sink *fs, const struct cs_record *r, bool valid)
{
    size_t idn = fuzz_strnlen_checked(r->survey_id, sizeof r->survey_id);
    fuzz_strnlen_checked(r->call_id, sizeof r->call_id);
    fuzz_strnlen_checked(r->participant_id, sizeof r->participant_id);
    fuzz_strnlen_checked(r->correlation_id, sizeof r->correlation_id);
    size_t rn = fuzz_strnlen_checked(r->resource_id, sizeof r->resource_id);
    fuzz_strnlen_checked(r->operation, sizeof r->operation);
    size_t why = fuzz_strnlen_checked(r->reason, sizeof r->reason);
    for (int c = 0; c < CS_CAT__COUNT; c++) {
        const char *is = r->rating[c].issues;
        size_t n = fuzz_strnlen_checked(is, sizeof r->rating[c].issues);
        /* comma-joined, no empty tags */
        FUZZ_CHECK(n == 0 || (is[0] != ',' && is[n - 1] != ','));
        FUZZ_CHECK(strstr(is, ",,") == NULL);
        fs->sum += n;
    }
    fs->sum += idn + rn + (uint64_t)r->line + r->index;
    if (!valid) {
        FUZZ_CHECK(why > 0); /* a reject says why */
        return;
    }
    FUZZ_CHECK(why == 0);
    FUZZ_CHECK(idn > 0); /* SurveyId is required */
    for (size_t i = 0; i < idn; i++)
        FUZZ_CHECK(!(r->survey_id[i] >= 'A' && r->survey_id[i] <= 'Z'));
    FUZZ_CHECK(rn == 0 || r->resource_id[0] == '/');
    bool any = false;
    for (int c = 0; c < CS_CAT__COUNT; c++)
        any |= r->rating[c].present;
    FUZZ_CHECK(any); /* "At least one survey rating is required." */
    /* validation is a function of the record: a valid record stays valid */
    struct cs_record *copy = malloc(sizeof *copy);
    FUZZ_CHECK(copy != NULL);
    memcpy(copy, r, sizeof *copy);
    FUZZ_CHECK(cs_record_validate(copy));
    FUZZ_CHECK(copy->reason[0] == '\0');
    free(copy);
}

static inline cs_status
fuzz_records(void *ctx, struct cs_record *recs, size_t n, struct cs_err *err)
{
    struct fuzz_sink *fs = ctx;
    if (fs->buf) { /* this call gives the lent buffer back */
        FUZZ_CHECK(fs->lent && recs == fs->buf);
        fs->lent = false;
    }
    FUZZ_CHECK(n <= CS_INGEST_BATCH);
    for (size_t i = 0; i < n; i++) {
        fuzz_check_record(fs, &recs[i], true);
        if (fs->tally)
            fs->tally->valid[fuzz_tally_slot(recs[i].line)]++;
    }
    fs->n_records += n;
    if (n && fuzz_sink_fail(fs, err))
        return CS_E_DB;
    return CS_OK;
}

static inline struct cs_record *
fuzz_get_buffer(void *ctx)
{
    struct fuzz_sink *fs = ctx;
    FUZZ_CHECK(!fs->lent); /* one batch at a time */
    fs->lent = true;
    return fs->buf;
}

static inline cs_status
fuzz_reject(void *ctx, const struct cs_record *rec, const char *raw,
            size_t raw_len, struct cs_err *err)
{
    struct fuzz_sink *fs = ctx;
    fuzz_check_record(fs, rec, false);
    FUZZ_CHECK(raw_len <= (64u << 10)); /* CS_RAW_MAX */
    FUZZ_CHECK(raw != NULL || raw_len == 0);
    for (size_t i = 0; i < raw_len; i++) /* borrowed bytes are readable */
        fs->sum += (unsigned char)raw[i];
    fs->n_rejects++;
    if (fs->tally)
        fs->tally->rejected[fuzz_tally_slot(rec->line)]++;
    return fuzz_sink_fail(fs, err) ? CS_E_DB : CS_OK;
}

static inline cs_status
fuzz_event(void *ctx, const struct cs_event *ev, const char *raw, size_t raw_len,
           struct cs_err *err)
{
    struct fuzz_sink *fs = ctx;
    size_t idn = fuzz_strnlen_checked(ev->survey_id, sizeof ev->survey_id);
    FUZZ_CHECK(idn > 0);
    for (size_t i = 0; i < idn; i++)
        FUZZ_CHECK(!(ev->survey_id[i] >= 'A' && ev->survey_id[i] <= 'Z'));
    FUZZ_CHECK(ev->reason[0] == '\0');
    FUZZ_CHECK(ev->props != NULL && strlen(ev->props) == ev->props_len);
    FUZZ_CHECK(ev->props_len >= 2 && ev->props[0] == '{' &&
               ev->props[ev->props_len - 1] == '}');
    if (ev->measurements)
        FUZZ_CHECK(strlen(ev->measurements) == ev->measurements_len);
    else
        FUZZ_CHECK(ev->measurements_len == 0);
    for (size_t i = 0; i < raw_len; i++)
        fs->sum += (unsigned char)raw[i];
    fs->sum += ev->props_len + ev->measurements_len + (uint64_t)ev->time_us;
    fs->n_events++;
    if (fs->tally)
        fs->tally->valid[fuzz_tally_slot(ev->line)]++;
    return fuzz_sink_fail(fs, err) ? CS_E_DB : CS_OK;
}

/* Ingest data as one input and check the accounting.  The input's hash
 * picks the variations: the lent-buffer path (as `ingest` into a store)
 * or the loader's own buffer (as `validate`), and now and then a sink that
 * fails on one of its first callbacks. */
static inline cs_status fuzz_ingest_as(const uint8_t *data, size_t size,
                                       const struct cs_ingest_opts *opts,
                                       struct cs_ingest_stats *st, uint32_t h,
                                       struct fuzz_tally *tally);

static inline cs_status
fuzz_ingest(const uint8_t *data, size_t size, const struct cs_ingest_opts *opts,
            struct cs_ingest_stats *st)
{
    return fuzz_ingest_as(data, size, opts, st, fuzz_hash(data, size), NULL);
}

/* As fuzz_ingest, with the variations picked by h (h = 1: the lent-buffer
 * path and a sink that never fails), counting outcomes per line into
 * tally (when not NULL). */
static inline cs_status
fuzz_ingest_as(const uint8_t *data, size_t size,
               const struct cs_ingest_opts *opts, struct cs_ingest_stats *st,
               uint32_t h, struct fuzz_tally *tally)
{
    static struct cs_record *batch; /* lent buffer, kept for the process */
    if (batch == NULL) {
        batch = calloc(CS_INGEST_BATCH, sizeof *batch);
        FUZZ_CHECK(batch != NULL);
    }
    struct fuzz_sink fs = {
        .buf = (h % 16) ? batch : NULL,
        .fail_at = ((h >> 1) & 7) == 7 ? 1 + (h >> 4) % 4 : 0,
        .tally = tally,
    };
    struct cs_ingest_sink sink = {
        .ctx = &fs,
        .records = fuzz_records,
        .get_buffer = fs.buf ? fuzz_get_buffer : NULL,
        .reject = fuzz_reject,
        .event = fuzz_event,
    };
    struct cs_err err;
    cs_err_clear(&err);
    cs_status s = cs_ingest_path(fuzz_file(data, size), "fuzz-input", opts,
                                 &sink, st, &err);
    FUZZ_CHECK(!fs.lent); /* the lent buffer came back */
    FUZZ_CHECK(s == err.code);
    FUZZ_CHECK(s != CS_E_INTERNAL);
    if (s == CS_OK) {
        FUZZ_CHECK(st->bytes == size); /* read to the end */
        FUZZ_CHECK(fs.n_records == st->valid);
        FUZZ_CHECK(fs.n_rejects == st->rejected);
        FUZZ_CHECK(fs.n_events == st->events_valid);
        FUZZ_CHECK(st->read == st->valid + st->rejected + st->events_valid);
        FUZZ_CHECK(st->events_rejected <= st->rejected);
    }
    fuzz_strnlen_checked(err.where, sizeof err.where);
    fuzz_strnlen_checked(err.msg, sizeof err.msg);
    return s;
}

/* ---- JSON Lines: lines are independent ------------------------------ */

/* Does the first JSON value of p[0..n) end on its first line?  (As
 * ingest.c decides JSON Lines.) */
static inline bool
fuzz_one_line_value(const uint8_t *p, size_t n)
{
    int depth = 0;
    bool in_str = false, esc = false;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (in_str) {
            if (esc)
                esc = false;
            else if (c == '\\')
                esc = true;
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '\n')
            return false;
        if (c == '"')
            in_str = true;
        else if (c == '{' || c == '[')
            depth++;
        else if ((c == '}' || c == ']') && --depth == 0)
            return true;
    }
    return false;
}

/* JSON Lines: every line is read on its own, so each line must give in
 * the whole file what it gives alone (no state, such as the token array,
 * may leak from one line into the next), line by line.  Only when every
 * non-blank line is a JSON value that closes on it (so that each line
 * alone is JSON Lines too), and for the first FUZZ_TALLY_LINES - 1 lines. */
static inline void
fuzz_check_lines_independent(const uint8_t *data, size_t size,
                             const struct cs_ingest_opts *o)
{
    if (memchr(data, 0, size) != NULL || memchr(data, '\n', size) == NULL)
        return;
    size_t p = 0;
    if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        p = 3;
    size_t starts[FUZZ_TALLY_LINES], lens[FUZZ_TALLY_LINES];
    size_t line = 1, n = 0;
    for (; p < size; line++) {
        const uint8_t *nl = memchr(data + p, '\n', size - p);
        size_t e = nl ? (size_t)(nl - data) : size;
        if (line >= FUZZ_TALLY_LINES)
            return;
        size_t a = p;
        while (a < e && (data[a] == ' ' || data[a] == '\t' || data[a] == '\r'))
            a++;
        starts[line] = a;
        lens[line] = e - a;
        if (a < e) {
            if ((data[a] != '{' && data[a] != '[') ||
                !fuzz_one_line_value(data + a, e - a))
                return;
            n++;
        }
        p = e + 1;
    }
    if (n < 2)
        return;
    struct cs_ingest_stats st;
    struct fuzz_tally whole, alone;
    memset(&whole, 0, sizeof whole);
    memset(&alone, 0, sizeof alone);
    if (fuzz_ingest_as(data, size, o, &st, 1, &whole) != CS_OK)
        return;
    for (size_t i = 1; i < line; i++) {
        if (lens[i] == 0)
            continue;
        struct fuzz_tally one;
        memset(&one, 0, sizeof one);
        FUZZ_CHECK(fuzz_ingest_as(data + starts[i], lens[i], o, &st, 1, &one) ==
                   CS_OK);
        FUZZ_CHECK(one.valid[0] == 0 && one.rejected[0] == 0);
        for (size_t k = 2; k < FUZZ_TALLY_LINES; k++) /* all on its line 1 */
            FUZZ_CHECK(one.valid[k] == 0 && one.rejected[k] == 0);
        alone.valid[i] = one.valid[1];
        alone.rejected[i] = one.rejected[1];
    }
    for (size_t k = 0; k < FUZZ_TALLY_LINES; k++) {
        FUZZ_CHECK(whole.valid[k] == alone.valid[k]);
        FUZZ_CHECK(whole.rejected[k] == alone.rejected[k]);
    }
}

/* After an optional UTF-8 BOM and white space: does the input start like
 * JSON ('{' or '[')?  Mirrors the detection in ingest/ingest.c. */
static inline bool
fuzz_looks_json(const uint8_t *data, size_t size)
{
    size_t p = 0;
    if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        p = 3;
    while (p < size && (data[p] == ' ' || data[p] == '\t' || data[p] == '\r' ||
                        data[p] == '\n'))
        p++;
    return p < size && (data[p] == '{' || data[p] == '[');
}

#endif
