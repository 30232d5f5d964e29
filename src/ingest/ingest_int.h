/*
 * ingest/ingest_int.h: internals shared by the ingest loaders (not part of
 * the public contract; tests may include it).
 */
#ifndef CS_INGEST_INT_H
#define CS_INGEST_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ingest/ingest.h"

/* Known column/key names.  Per category c: F_CAT0 + 5*c + {0 score, 1 lower,
 * 2 upper, 3 threshold, 4 issues}. */
enum cs_field {
    F_NONE = -1,
    F_TIME = 0,   /* TimeGenerated, time, timestamp */
    F_SURVEY,     /* SurveyId */
    F_CALL,       /* CallId */
    F_CORR,       /* CorrelationId */
    F_PART,       /* ParticipantId */
    F_OPNAME,     /* OperationName */
    F_RESOURCE,   /* _ResourceId, ResourceId, resourceId */
    F_PROPERTIES, /* properties (nested record body, or AppEvents Properties) */
    F_NAME,       /* name / Name (custom events) */
    F_CUSTOMDIM,  /* customDimensions */
    F_CUSTOMMEAS, /* customMeasurements / Measurements */
    F_SUGGESTION, /* ImprovementSuggestion (tutorial query CSV) */
    F_APPVER,     /* application_Version, AppVersion (custom events) */
    F_CLIENTOS,   /* client_OS, ClientOS */
    F_BROWSER,    /* client_Browser, ClientBrowser */
    F_CAT0,
    F__COUNT = F_CAT0 + 5 * CS_CAT__COUNT
};
#define F_SCORE(c) (F_CAT0 + 5 * (c))
#define F_ISSUES(c) (F_CAT0 + 5 * (c) + 4)

enum cs_vkind {
    V_STRING,   /* string contents, escapes already resolved */
    V_NUMBER,   /* a JSON number token */
    V_NULL,     /* JSON null */
    V_BOOL,     /* true/false */
    V_COMPOUND, /* object or array text (raw JSON) */
};

/* Case-insensitive lookup of a key or CSV header (a trailing " [UTC]" and
 * surrounding spaces/quotes ignored).  Returns F_NONE when unknown. */
int cs_field_lookup(const char *key, size_t len);

/* Builds one cs_record from (field, value) pairs. */
struct cs_recbuild {
    struct cs_record *r;
    enum cs_date_order order;
    bool have_time, time_bad, have_survey;
    bool have_score[CS_CAT__COUNT], have_issues[CS_CAT__COUNT];
    bool have_any_scale[CS_CAT__COUNT];
    char bad_time[48];       /* the unparseable time text (shortened) */
    char field_problem[160]; /* first over-long value: "CallId is longer than ..." */
    uint32_t n_fields;       /* known fields set */
};

void cs_recbuild_begin(struct cs_recbuild *b, struct cs_record *r,
                       enum cs_date_order order);
/* Set a field from a value.  `s` need not be NUL-terminated. */
void cs_recbuild_set(struct cs_recbuild *b, int field, const char *s,
                     size_t len, enum cs_vkind kind);
/* Resolve presence, log-level reasons and the SDK validation.  Returns true
 * when the record is valid. */
bool cs_recbuild_finish(struct cs_recbuild *b);

/* Parse a number as JSON or a numeric string: optional spaces, sign,
 * digits, fraction, exponent.  Returns false for anything else (including
 * empty).  1e999 parses as infinity (as JavaScript's Number would). */
bool cs_parse_number(const char *s, size_t len, double *out);

/* Resolve JSON string escapes of s[0..len) into out (capacity cap); returns
 * the decoded length, or (size_t)-1 if it does not fit or is malformed.
 * Invalid \u surrogates become U+FFFD. */
size_t cs_json_unescape(const char *s, size_t len, char *out, size_t cap);

/* ---- the per-input run shared by the loaders ------------------------- */

#define CS_RAW_MAX (64u << 10) /* raw text kept with a rejected record */

struct cs_reader {
    int fd;         /* input descriptor */
    char *buf;      /* owned read buffer */
    size_t cap;     /* bytes allocated */
    size_t keep;    /* first byte that must survive a refill */
    size_t pos;     /* next byte to look at */
    size_t len;     /* bytes valid in buf */
    bool eof;       /* no more bytes after len */
    uint64_t line;  /* 1-based line number at pos */
    uint64_t bytes; /* bytes read so far */
    int read_errno; /* errno of a failed read, 0 if none */
};

struct cs_ingest_run {
    const char *name;                  /* input as messages name it */
    const struct cs_ingest_opts *opts; /* borrowed */
    const struct cs_ingest_sink *sink; /* borrowed */
    struct cs_ingest_stats *stats;     /* borrowed, filled */
    struct cs_err *err;                /* borrowed */
    struct cs_record *batch;           /* owned, CS_INGEST_BATCH records */
    size_t n_batch;                    /* records filled in batch */
    void *toks;                        /* owned jsmntok_t array */
    size_t n_toks;                     /* capacity of toks */
    char *scratch;                     /* owned unescape buffer, CS_RAW_MAX */
    cs_status status;                  /* sticky: first failure */
};

/* The record to build next (slot in the batch). */
struct cs_record *cs_run_slot(struct cs_ingest_run *run);
/* Emit the slot record after cs_recbuild_finish: valid ones stay in the
 * batch (flushed when full), rejected ones go to sink->reject with raw. */
cs_status cs_run_emit(struct cs_ingest_run *run, bool valid, const char *raw,
                      size_t raw_len);
/* Reject something that is not even a record (malformed JSON, a line too
 * long): builds a reason-only record at line/index. */
cs_status cs_run_reject_raw(struct cs_ingest_run *run, uint64_t line,
                            uint32_t index, const char *raw, size_t raw_len,
                            const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
cs_status cs_run_flush(struct cs_ingest_run *run);
/* Reject a line longer than CS_INGEST_SPAN_MAX (dropped unread) at line. */
cs_status cs_run_reject_overlong(struct cs_ingest_run *run, uint64_t line);

/* JSON: handle one complete top-level JSON text (object or array; may hold
 * several values) that starts at `line`. */
cs_status cs_json_handle(struct cs_ingest_run *run, const char *text,
                         size_t len, uint64_t line);
/* JSON Lines: one JSON text per line, from the reader's position to its
 * end (a reader over memory: fd -1, eof set, line its first line). */
cs_status cs_json_lines(struct cs_ingest_run *run, struct cs_reader *rd);
/* JSON Lines on run->opts->parsers threads (ingest/lines_par.c): false
 * when fewer than two could be started (nothing read: the caller parses
 * alone); else the input is read to its end or first failure, *st set. */
bool cs_json_lines_par(struct cs_ingest_run *run, struct cs_reader *rd,
                       cs_status *st);
/* CSV: the whole input from the reader's current position (BOM skipped). */
cs_status cs_csv_ingest(struct cs_ingest_run *run, struct cs_reader *rd);

/* Reader: make at least `want` bytes available after pos (fewer at EOF).
 * Returns false on a read error. Bytes before rd->keep may be discarded. */
bool cs_reader_fill(struct cs_reader *rd, size_t want);
/* One read(2) of up to n bytes of rd's descriptor into dst (EINTR
 * retried), counted in rd->bytes; 0 sets rd->eof.  Returns the bytes read,
 * or -1 with rd->read_errno set. */
ssize_t cs_reader_read(struct cs_reader *rd, char *dst, size_t n);

/* Custom events (ingest/events.c).  Emit one Application Insights event
 * row: name (NULL when the export has no name column: the tutorial's
 * two-column CSV), time text, customDimensions as JSON object text,
 * customMeasurements as JSON object text (or NULL).  Checks the name
 * against --event-name, finds the --id-key property, and hands the event
 * to sink->event or a reason to sink->reject. */
/* The app's context values of an event row (application_Version,
 * client_OS, client_Browser): text and length each, NULL when absent. */
struct cs_event_ctx {
    const char *s[3];
    size_t len[3];
};
cs_status cs_event_emit(struct cs_ingest_run *run, const char *name,
                        size_t name_len, const char *time_s, size_t time_len,
                        const char *dims, size_t dims_len, const char *meas,
                        size_t meas_len, const char *raw, size_t raw_len,
                        uint64_t line, uint32_t index, const struct cs_event_ctx *cx);

#endif
