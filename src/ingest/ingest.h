/*
 * ingest/ingest.h: read survey exports (and Application Insights custom
 * events) in every container FORMATS.md lists, one record at a time, into
 * normalized struct cs_record values.  No SQL here: records are handed to a
 * sink in batches.
 *
 * Containers are told apart by content, never by file name: after an
 * optional UTF-8 BOM and white space, '{' or '[' means JSON (JSON Lines when
 * the first value ends on its first line, otherwise one streamed document:
 * a top-level array, a {"records":[...]} object or a {"tables":[...]} REST
 * response), anything else printable means CSV with a header row.
 *
 * Memory is bounded: one read buffer (grown only up to CS_INGEST_SPAN_MAX
 * for a single record), one token array, one batch of records.
 */
#ifndef CS_INGEST_H
#define CS_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctime.h"
#include "core/err.h"
#include "model/event.h"
#include "model/survey.h"

#define CS_INGEST_SPAN_MAX (64u << 20) /* longest single record/line kept: 64 MiB */
#define CS_INGEST_BATCH 1024           /* records per batch handed to the sink */
#define CS_INGEST_MAX_COLS 4096        /* widest CSV header accepted */
#define CS_INGEST_PARSERS_MAX 8        /* JSON Lines parser threads at most */


enum cs_content {
    CS_CONTENT_UNKNOWN = 0,
    CS_CONTENT_SURVEYS,
    CS_CONTENT_EVENTS,
    CS_CONTENT_CALLS, /* ACSCallSummary legs: read by ingest/calls.h, skipped here */
};

/* Where records go.  All callbacks borrow their arguments for the duration
 * of the call.  A non-CS_OK return stops the ingest of that input with that
 * status (the callback fills err). */
struct cs_ingest_sink {
    void *ctx;
    /* A batch of valid, normalized survey records (reason empty).  When
     * get_buffer is set, recs is a buffer that get_buffer lent and this call
     * gives it back (n may then be 0: the loader returning an unused
     * buffer at the end). */
    cs_status (*records)(void *ctx, struct cs_record *recs, size_t n,
                         struct cs_err *err);
    /* Optional: lend the loader a buffer of CS_INGEST_BATCH records to fill
     * (lets a sink hand full batches to another thread without copying).
     * NULL: the loader uses one buffer of its own.  With opts->parsers > 1
     * it is called from the parser threads, concurrently, and must be
     * thread-safe; the parsers then hold at most 2 lent buffers beyond the
     * one the oldest unfinished part of the input is filled into and those
     * handed back through `records`, so a sink lending from a pool of 4 or
     * more, refilled as it stores, never leaves them all waiting.  Every
     * other callback is always called from the thread that called
     * cs_ingest_path, in input order. */
    struct cs_record *(*get_buffer)(void *ctx);
    /* Optional, with get_buffer: valid record batch[i] of a lent buffer was
     * just made (it is still in the cache): the sink may work out now what
     * it will need of it.  Called on the thread that made it, before
     * `records` has the buffer; concurrently with opts->parsers > 1. */
    void (*made)(void *ctx, struct cs_record *batch, size_t i);
    /* One rejected record (rec->reason says why; rec->line/index where),
     * with its raw text (may be truncated to 64 KiB by the loader). */
    cs_status (*reject)(void *ctx, const struct cs_record *rec,
                        const char *raw, size_t raw_len, struct cs_err *err);
    /* One valid custom event (rejected ones go to `reject` like survey
     * records).  NULL: valid events are counted (events_valid, read) and
     * not kept, as `validate` does. */
    cs_status (*event)(void *ctx, const struct cs_event *ev, const char *raw,
                       size_t raw_len, struct cs_err *err);
};

/* --format: the container, when not told from the content. */
enum cs_input_format {
    CS_FORMAT_AUTO = 0, /* from the first bytes (the default) */
    CS_FORMAT_JSONL,    /* one JSON value per line (storage account, Event Hubs capture) */
    CS_FORMAT_JSON,     /* one JSON document: an array, {"records"}, {"tables"}, or pretty-printed */
    CS_FORMAT_CSV,      /* CSV with a header (Log Analytics or App Insights export) */
};

/* "auto", "jsonl", "json", "csv" -> the format; -1 when unknown. */
int cs_input_format_parse(const char *s);

struct cs_ingest_opts {
    enum cs_input_format format;   /* CS_FORMAT_AUTO: told from the content */
    enum cs_date_order date_order; /* day/month order of CSV locale dates */
    const char *event_name;        /* custom events kept: name == this ("CallSurvey") */
    const char *id_key;            /* property holding the survey id ("id") */
    /* Threads parsing JSON Lines (ingest/lines_par.c): 1 = the caller's
     * thread alone (the default).  More: the input is cut at line ends
     * into parts of chunk_lines lines that the threads parse at once; the
     * sink still sees every record, reject and event in input order, with
     * the same line numbers.  Other containers are parsed by the caller. */
    int parsers;
    unsigned chunk_lines; /* lines per part; 0 = 1024 (tests cut smaller) */
};

/* What one input produced.  read = records + rejected (+ events_*). */
struct cs_ingest_stats {
    uint64_t read;            /* survey records seen (valid + rejected) */
    uint64_t valid;           /* survey records handed to sink->records */
    uint64_t rejected;        /* survey records handed to sink->reject */
    uint64_t events_read;     /* custom-event rows seen (matching name or not) */
    uint64_t events_skipped;  /* rows of other event names (PageView...): not read, reported */
    uint64_t events_rejected; /* event rows rejected (bad JSON, no id, other names) */
    uint64_t events_valid;    /* events handed to sink->event */
    uint64_t unknown_tags;    /* tags in no SDK list, kept */
    uint64_t bytes;           /* bytes read */
    enum cs_content content;  /* what the input turned out to hold */
    bool truncated;           /* input ended inside a record */
};

void cs_ingest_opts_default(struct cs_ingest_opts *opts);

/* Ingest one input: a regular file path or "-" (standard input).  `name` is
 * what messages call it (usually the path).  Errors: CS_E_IO (unreadable),
 * CS_E_PARSE (not a survey or event export at all: binary, UTF-16, no
 * header), CS_E_NODATA (empty file), or the sink's status.  Per-record
 * problems are not errors: they go to sink->reject. */
cs_status cs_ingest_path(const char *path, const char *name,
                         const struct cs_ingest_opts *opts,
                         const struct cs_ingest_sink *sink,
                         struct cs_ingest_stats *stats, struct cs_err *err);

/* Expand inputs: files kept, directories searched recursively (sorted,
 * symlink loops detected, hidden files skipped), "-" kept.  Returns owned
 * array of owned strings in *out (free with cs_inputs_free).  Errors:
 * CS_E_IO naming a missing path. */
cs_status cs_inputs_expand(char *const *inputs, size_t n_inputs, char ***out,
                           size_t *n_out, struct cs_err *err);
void cs_inputs_free(char **list, size_t n);

#endif
