/*
 * ingest/ingest.c: open an input, tell what it holds, and frame it into
 * records for the JSON and CSV loaders.
 *
 * The reader keeps one buffer that grows only while a single record is
 * longer than the buffer (up to CS_INGEST_SPAN_MAX); bytes before the
 * current record are discarded on refill, so memory does not grow with the
 * file.  JSON Lines are split on newlines (a JSON text cannot contain a raw
 * newline); a multi-line document is framed by a bracket scanner that
 * streams the elements of a top-level array or of {"records":[...]}, and
 * hands any other top-level value whole to the JSON loader.
 */
#include "ingest/ingest_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"

#define READ_CHUNK (1u << 20)

void
cs_ingest_opts_default(struct cs_ingest_opts *opts)
{
    opts->format = CS_FORMAT_AUTO;
    opts->date_order = CS_DATE_MDY;
    opts->event_name = "CallSurvey";
    opts->id_key = "id";
    opts->parsers = 1;
    opts->chunk_lines = 0;
}

/* ---- reader ---------------------------------------------------------- */

bool
cs_reader_fill(struct cs_reader *rd, size_t want)
{
    while (!rd->eof && rd->len - rd->pos < want) {
        if (rd->keep > 0) { /* compact */
            memmove(rd->buf, rd->buf + rd->keep, rd->len - rd->keep);
            rd->len -= rd->keep;
            rd->pos -= rd->keep;
            rd->keep = 0;
        }
        if (rd->cap - rd->len < READ_CHUNK / 2) {
            size_t ncap = rd->cap ? rd->cap * 2 : READ_CHUNK * 2;
            rd->buf = xrealloc(rd->buf, ncap);
            rd->cap = ncap;
        }
        size_t room = rd->cap - rd->len;
        if (room > 4 * READ_CHUNK) /* small reads keep the line cap effective */
            room = 4 * READ_CHUNK;
        ssize_t n = cs_reader_read(rd, rd->buf + rd->len, room);
        if (n < 0)
            return false;
        rd->len += (size_t)n;
    }
    return true;
}

ssize_t
cs_reader_read(struct cs_reader *rd, char *dst, size_t n)
{
    ssize_t k;
    do {
        k = read(rd->fd, dst, n);
    } while (k < 0 && errno == EINTR);
    if (k < 0) {
        rd->read_errno = errno;
        return -1;
    }
    if (k == 0)
        rd->eof = true;
    rd->bytes += (size_t)k;
    return k;
}

/* ---- run helpers ----------------------------------------------------- */

struct cs_record *
cs_run_slot(struct cs_ingest_run *run)
{
    /* a parser thread takes its next lent buffer when it needs one
     * (ingest/lines_par.c); a run of the caller's thread always has one */
    if (!run->batch && run->sink->get_buffer)
        run->batch = run->sink->get_buffer(run->sink->ctx);
    return &run->batch[run->n_batch];
}

cs_status
cs_run_reject_overlong(struct cs_ingest_run *run, uint64_t line)
{
    return cs_run_reject_raw(run, line, 0, "", 0, "line is longer than %u MiB.",
                             CS_INGEST_SPAN_MAX >> 20);
}

cs_status
cs_run_flush(struct cs_ingest_run *run)
{
    if (run->status != CS_OK || run->n_batch == 0)
        return run->status;
    if (run->sink->records)
        run->status =
            run->sink->records(run->sink->ctx, run->batch, run->n_batch, run->err);
    run->n_batch = 0;
    if (run->sink->get_buffer) {
        run->batch = NULL;
        if (run->status == CS_OK)
            run->batch = run->sink->get_buffer(run->sink->ctx);
    }
    return run->status;
}

cs_status
cs_run_emit(struct cs_ingest_run *run, bool valid, const char *raw,
            size_t raw_len)
{
    if (run->status != CS_OK)
        return run->status;
    struct cs_record *r = &run->batch[run->n_batch];
    run->stats->read++;
    if (valid) {
        for (int c = 0; c < CS_CAT__COUNT; c++) /* kept only with the record */
            run->stats->unknown_tags += r->rating[c].n_unknown;
        run->stats->valid++;
        if (run->sink->made && run->sink->get_buffer) /* a lent buffer only */
            run->sink->made(run->sink->ctx, run->batch, run->n_batch);
        if (++run->n_batch == CS_INGEST_BATCH)
            return cs_run_flush(run);
        return CS_OK;
    }
    run->stats->rejected++;
    if (run->sink->reject)
        run->status = run->sink->reject(run->sink->ctx, r, raw,
                                        raw_len > CS_RAW_MAX ? CS_RAW_MAX : raw_len,
                                        run->err);
    return run->status;
}

cs_status
cs_run_reject_raw(struct cs_ingest_run *run, uint64_t line, uint32_t index,
                  const char *raw, size_t raw_len, const char *fmt, ...)
{
    struct cs_record *r = cs_run_slot(run);
    cs_record_clear(r);
    r->line = line;
    r->index = index;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof r->reason, fmt, ap);
    va_end(ap);
    return cs_run_emit(run, false, raw, raw_len);
}

/* ---- JSON framing ---------------------------------------------------- */

static bool
is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Skip white space (and commas between streamed elements when `commas`).
 * Returns the next byte or -1 at EOF, -2 on read error. */
static int
skip_ws(struct cs_reader *rd, bool commas)
{
    for (;;) {
        if (rd->pos >= rd->len) {
            rd->keep = rd->pos;
            if (!cs_reader_fill(rd, 1))
                return -2;
            if (rd->pos >= rd->len)
                return -1;
        }
        char c = rd->buf[rd->pos];
        if (c == '\n')
            rd->line++;
        if (is_ws(c) || (commas && c == ',')) {
            rd->pos++;
            continue;
        }
        return (unsigned char)c;
    }
}

enum span_result { SPAN_OK,
                   SPAN_EOF,
                   SPAN_TOO_LONG,
                   SPAN_IOERR };

/* Scan one JSON value starting at rd->pos (after white space).  On SPAN_OK
 * the value is buf[*start .. *start+*len) and rd->keep == *start so it stays
 * valid until the next fill.  A value longer than CS_INGEST_SPAN_MAX is
 * skipped (SPAN_TOO_LONG).  Stops at depth 0 for primitives at , ] } or ws. */
static enum span_result
scan_span(struct cs_reader *rd, size_t *start, size_t *len)
{
    int depth = 0;
    bool in_str = false, esc = false, prim = false, too_long = false;
    rd->keep = rd->pos;
    size_t s0 = rd->pos;
    for (;;) {
        if (rd->pos >= rd->len) {
            if (rd->pos - rd->keep > CS_INGEST_SPAN_MAX) {
                too_long = true;
                rd->keep = rd->pos;
            }
            size_t before = rd->keep;
            if (!cs_reader_fill(rd, 1))
                return SPAN_IOERR;
            s0 -= before - rd->keep; /* compaction moved the buffer */
            if (rd->pos >= rd->len) {
                if (prim && !too_long) {
                    *start = rd->keep;
                    *len = rd->pos - rd->keep;
                    return SPAN_OK;
                }
                return SPAN_EOF;
            }
        }
        char c = rd->buf[rd->pos];
        if (in_str) {
            rd->pos++;
            if (esc)
                esc = false;
            else if (c == '\\')
                esc = true;
            else if (c == '"')
                in_str = false;
            else if (c == '\n')
                rd->line++;
            if (!in_str && depth == 0)
                goto done;
            continue;
        }
        if (prim && (c == ',' || c == ']' || c == '}' || is_ws(c)))
            goto done;
        rd->pos++;
        switch (c) {
        case '"': in_str = true; break;
        case '{':
        case '[': depth++; break;
        case '}':
        case ']':
            if (--depth <= 0)
                goto done;
            break;
        case '\n': rd->line++; break;
        default:
            if (depth == 0)
                prim = true;
        }
    }
done:
    (void)s0;
    if (too_long)
        return SPAN_TOO_LONG;
    *start = rd->keep;
    *len = rd->pos - rd->keep;
    return SPAN_OK;
}

/* Peek the first key of an object at rd->pos ('{'); lower-cased into key.
 * Does not consume anything. */
static void
peek_first_key(struct cs_reader *rd, char *key, size_t cap)
{
    key[0] = '\0';
    rd->keep = rd->pos;
    cs_reader_fill(rd, 4096);
    size_t i = rd->pos + 1;
    while (i < rd->len && is_ws(rd->buf[i]))
        i++;
    if (i >= rd->len || rd->buf[i] != '"')
        return;
    size_t n = 0;
    for (i++; i < rd->len && rd->buf[i] != '"' && n + 1 < cap; i++)
        key[n++] = (char)(rd->buf[i] | 0x20);
    key[n] = '\0';
}

/* Stream the elements of an array whose '[' is at rd->pos. */
static cs_status
stream_array(struct cs_ingest_run *run, struct cs_reader *rd)
{
    rd->pos++; /* '[' */
    uint32_t index = 0;
    for (;;) {
        int c = skip_ws(rd, true);
        if (c == -2)
            return cs_fail(run->err, CS_E_IO, run->name, "read error: %s",
                           strerror(rd->read_errno));
        if (c == -1) {
            run->stats->truncated = true;
            return cs_run_reject_raw(run, rd->line, index, "", 0,
                                     "the file ends inside the JSON array "
                                     "(truncated?): no closing ']'.");
        }
        if (c == ']') {
            rd->pos++;
            return CS_OK;
        }
        uint64_t line = rd->line;
        size_t st, ln;
        enum span_result sr = scan_span(rd, &st, &ln);
        if (sr == SPAN_IOERR)
            return cs_fail(run->err, CS_E_IO, run->name, "read error: %s",
                           strerror(rd->read_errno));
        if (sr == SPAN_TOO_LONG) {
            if (cs_run_reject_raw(run, line, index++, "", 0,
                                  "the record is longer than %u MiB.",
                                  CS_INGEST_SPAN_MAX >> 20))
                return run->status;
            continue;
        }
        if (sr == SPAN_EOF) {
            run->stats->truncated = true;
            size_t have = rd->len - rd->keep;
            return cs_run_reject_raw(run, line, index, rd->buf + rd->keep, have,
                                     "the file ends inside this record "
                                     "(truncated?).");
        }
        if (rd->buf[st] != '{') {
            if (cs_run_reject_raw(run, line, index++, rd->buf + st, ln,
                                  "expected a JSON object (a record) in the "
                                  "array."))
                return run->status;
            continue;
        }
        if (cs_json_handle(run, rd->buf + st, ln, line))
            return run->status;
        index++;
    }
}

/* A multi-line JSON document (or several): stream arrays and records
 * wrappers, hand every other value whole to the JSON loader. */
static cs_status
json_stream(struct cs_ingest_run *run, struct cs_reader *rd)
{
    for (;;) {
        int c = skip_ws(rd, false);
        if (c == -2)
            return cs_fail(run->err, CS_E_IO, run->name, "read error: %s",
                           strerror(rd->read_errno));
        if (c == -1)
            return CS_OK;
        uint64_t line = rd->line;
        if (c == '[') {
            if (stream_array(run, rd))
                return run->status;
            continue;
        }
        if (c == '{') {
            char key[16];
            peek_first_key(rd, key, sizeof key);
            if (strcmp(key, "records") == 0) {
                /* consume  { "records" :  then stream the array */
                rd->pos++;
                int q = skip_ws(rd, false);
                (void)q;
                size_t st, ln;
                scan_span(rd, &st, &ln); /* the key string */
                int colon = skip_ws(rd, false);
                if (colon == ':') {
                    rd->pos++;
                    if (skip_ws(rd, false) == '[') {
                        if (stream_array(run, rd))
                            return run->status;
                        /* rest of the wrapper object: other keys, then '}' */
                        for (;;) {
                            int d = skip_ws(rd, true);
                            if (d < 0 || d == '}') {
                                if (d == '}')
                                    rd->pos++;
                                break;
                            }
                            if (scan_span(rd, &st, &ln) != SPAN_OK)
                                break;
                            if (skip_ws(rd, false) == ':')
                                rd->pos++;
                            skip_ws(rd, false);
                            if (scan_span(rd, &st, &ln) != SPAN_OK)
                                break;
                        }
                        continue;
                    }
                }
                return cs_run_reject_raw(run, line, 0, "", 0,
                                         "\"records\" is not followed by a "
                                         "JSON array.");
            }
        }
        size_t st, ln;
        enum span_result sr = scan_span(rd, &st, &ln);
        if (sr == SPAN_IOERR)
            return cs_fail(run->err, CS_E_IO, run->name, "read error: %s",
                           strerror(rd->read_errno));
        if (sr == SPAN_TOO_LONG) {
            if (cs_run_reject_raw(run, line, 0, "", 0,
                                  "the JSON value is longer than %u MiB; "
                                  "export it as JSON Lines.",
                                  CS_INGEST_SPAN_MAX >> 20))
                return run->status;
            continue;
        }
        if (sr == SPAN_EOF) {
            run->stats->truncated = true;
            return cs_run_reject_raw(run, line, 0, rd->buf + rd->keep,
                                     rd->len - rd->keep,
                                     "the file ends inside this JSON value "
                                     "(truncated?).");
        }
        if (cs_json_handle(run, rd->buf + st, ln, line))
            return run->status;
    }
}

/* JSON Lines: one JSON text per line.  A line longer than
 * CS_INGEST_SPAN_MAX is rejected whole, without keeping it in memory: once
 * that many bytes have no newline, the reader drops them as they come. */
cs_status
cs_json_lines(struct cs_ingest_run *run, struct cs_reader *rd)
{
    bool skipping = false; /* inside an over-long line */
    uint64_t skip_line = 0;
    size_t scanned = 0; /* bytes after pos already searched for '\n' */
    for (;;) {
        char *nl = memchr(rd->buf + rd->pos + scanned, '\n',
                          rd->len - rd->pos - scanned);
        if (nl == NULL) {
            scanned = rd->len - rd->pos;
            if (rd->eof) {
                if (rd->pos >= rd->len) /* an over-long last line dropped whole */
                    return skipping ? cs_run_reject_overlong(run, skip_line) : CS_OK;
                nl = rd->buf + rd->len; /* last line without newline */
            } else {
                if (scanned > CS_INGEST_SPAN_MAX) {
                    if (!skipping)
                        skip_line = rd->line;
                    skipping = true;
                    rd->pos = rd->len; /* drop what we have of it */
                    scanned = 0;
                }
                rd->keep = rd->pos;
                if (!cs_reader_fill(rd, rd->len - rd->pos + READ_CHUNK))
                    return cs_fail(run->err, CS_E_IO, run->name,
                                   "read error: %s", strerror(rd->read_errno));
                continue;
            }
        }
        scanned = 0;
        size_t start = rd->pos, end = (size_t)(nl - rd->buf);
        uint64_t line = rd->line;
        rd->pos = end < rd->len ? end + 1 : end;
        rd->line++;
        if (skipping || end - start > CS_INGEST_SPAN_MAX) {
            if (!skipping)
                skip_line = line;
            skipping = false;
            if (cs_run_reject_overlong(run, skip_line))
                return run->status;
            continue;
        }
        while (start < end && is_ws(rd->buf[start]))
            start++;
        size_t e = end;
        while (e > start && is_ws(rd->buf[e - 1]))
            e--;
        if (e == start)
            continue;
        if (rd->buf[start] != '{' && rd->buf[start] != '[') {
            if (cs_run_reject_raw(run, line, 0, rd->buf + start, e - start,
                                  "malformed JSON: a line must hold a JSON "
                                  "object."))
                return run->status;
            continue;
        }
        if (cs_json_handle(run, rd->buf + start, e - start, line))
            return run->status;
        if (rd->eof && rd->pos >= rd->len)
            return CS_OK;
    }
}

/* Does the first JSON value end on its first line? */
static bool
first_value_is_one_line(const char *p, size_t n)
{
    int depth = 0;
    bool in_str = false, esc = false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
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

int
cs_input_format_parse(const char *s)
{
    static const char *const names[] = {"auto", "jsonl", "json", "csv"};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

cs_status
cs_ingest_path(const char *path, const char *name,
               const struct cs_ingest_opts *opts,
               const struct cs_ingest_sink *sink, struct cs_ingest_stats *stats,
               struct cs_err *err)
{
    memset(stats, 0, sizeof *stats);
    struct cs_reader rd = {.fd = -1, .line = 1};
    if (strcmp(path, "-") == 0) {
        rd.fd = STDIN_FILENO;
    } else {
        rd.fd = open(path, O_RDONLY | O_CLOEXEC);
        if (rd.fd < 0)
            return cs_fail(err, CS_E_IO, name, "cannot open: %s",
                           strerror(errno));
        struct stat st;
        if (fstat(rd.fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            close(rd.fd);
            return cs_fail(err, CS_E_IO, name, "is a directory");
        }
    }
    struct cs_ingest_run run = {
        .name = name,
        .opts = opts,
        .sink = sink,
        .stats = stats,
        .err = err,
        .batch = sink->get_buffer
                     ? sink->get_buffer(sink->ctx)
                     : xmalloc(sizeof(struct cs_record) * CS_INGEST_BATCH),
        .scratch = xmalloc(CS_RAW_MAX),
    };
    cs_status st = CS_OK;
    if (!cs_reader_fill(&rd, 64 * 1024)) {
        st = cs_fail(err, CS_E_IO, name, "read error: %s",
                     strerror(rd.read_errno));
        goto out;
    }
    if (rd.len >= 3 && memcmp(rd.buf, "\xEF\xBB\xBF", 3) == 0)
        rd.pos = 3;
    if (rd.len >= 2 && ((unsigned char)rd.buf[0] == 0xFF || (unsigned char)rd.buf[0] == 0xFE) &&
        ((unsigned char)rd.buf[1] == 0xFE || (unsigned char)rd.buf[1] == 0xFF)) {
        st = cs_fail(err, CS_E_PARSE, name,
                     "the file is UTF-16; convert it to UTF-8 first "
                     "(iconv -f UTF-16 -t UTF-8)");
        goto out;
    }
    size_t p = rd.pos;
    while (p < rd.len && is_ws(rd.buf[p]))
        p++;
    if (p >= rd.len) {
        st = cs_fail(err, CS_E_NODATA, name, "the file is empty");
        goto out;
    }
    size_t probe = rd.len < 4096 ? rd.len : 4096;
    if (memchr(rd.buf, '\0', probe) != NULL) {
        st = cs_fail(err, CS_E_PARSE, name,
                     "binary data (NUL bytes): not a CSV or JSON export");
        goto out;
    }
    bool json = rd.buf[p] == '{' || rd.buf[p] == '[';
    enum cs_input_format f = opts->format;
    if ((f == CS_FORMAT_JSONL || f == CS_FORMAT_JSON) && !json) {
        st = cs_fail(err, CS_E_PARSE, name,
                     "--format %s, but the file does not start with '{' or '[' "
                     "(is it CSV? --format auto tells them apart)",
                     f == CS_FORMAT_JSONL ? "jsonl" : "json");
        goto out;
    }
    if (f == CS_FORMAT_CSV || (f == CS_FORMAT_AUTO && !json))
        st = cs_csv_ingest(&run, &rd);
    else if (f == CS_FORMAT_JSONL ||
             (f == CS_FORMAT_AUTO && first_value_is_one_line(rd.buf + p, rd.len - p))) {
        if (opts->parsers <= 1 || !cs_json_lines_par(&run, &rd, &st))
            st = cs_json_lines(&run, &rd);
    } else
        st = json_stream(&run, &rd);
    if (st == CS_OK)
        st = cs_run_flush(&run);
out:
    stats->bytes = rd.bytes;
    if (stats->content == CS_CONTENT_UNKNOWN && stats->read > 0)
        stats->content = CS_CONTENT_SURVEYS;
    if (rd.fd > STDIN_FILENO)
        close(rd.fd);
    xfree(rd.buf);
    if (sink->get_buffer) {
        if (run.batch) { /* give the lent buffer back, unused */
            struct cs_err e2;
            sink->records(sink->ctx, run.batch, 0, &e2);
        }
    } else {
        xfree(run.batch);
    }
    xfree(run.toks);
    xfree(run.scratch);
    return st;
}

/* ---- input expansion ------------------------------------------------- */

struct strlist {
    char **v;
    size_t n, cap;
};

static void
strlist_push(struct strlist *l, char *s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
    }
    l->v[l->n++] = s;
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

struct visited {
    dev_t dev[64];
    ino_t ino[64];
    int depth;
};

static cs_status
walk_dir(const char *dir, struct strlist *out, struct visited *vis,
         struct cs_err *err)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        return cs_fail(err, CS_E_IO, dir, "cannot read: %s", strerror(errno));
    for (int i = 0; i < vis->depth; i++)
        if (vis->dev[i] == st.st_dev && vis->ino[i] == st.st_ino)
            return CS_OK; /* a symlink loop: this directory is being walked */
    if (vis->depth >= 64)
        return cs_fail(err, CS_E_IO, dir, "directories nested more than 64 deep");
    vis->dev[vis->depth] = st.st_dev;
    vis->ino[vis->depth] = st.st_ino;
    vis->depth++;
    DIR *d = opendir(dir);
    if (d == NULL) {
        vis->depth--;
        return cs_fail(err, CS_E_IO, dir, "cannot open directory: %s",
                       strerror(errno));
    }
    struct strlist names = {0};
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue; /* ., .. and hidden files */
        strlist_push(&names, xasprintf("%s/%s", dir, de->d_name));
    }
    closedir(d);
    qsort(names.v, names.n, sizeof *names.v, cmp_str);
    cs_status rc = CS_OK;
    for (size_t i = 0; i < names.n; i++) {
        if (rc != CS_OK) {
            xfree(names.v[i]);
            continue;
        }
        if (stat(names.v[i], &st) != 0) {
            xfree(names.v[i]); /* dangling symlink: nothing to read */
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            rc = walk_dir(names.v[i], out, vis, err);
            xfree(names.v[i]);
        } else if (S_ISREG(st.st_mode)) {
            const char *base = strrchr(names.v[i], '/');
            base = base ? base + 1 : names.v[i];
            size_t bl = strlen(base);
            /* documentation next to data is not data */
            if (bl > 3 && strcmp(base + bl - 3, ".md") == 0)
                xfree(names.v[i]);
            else
                strlist_push(out, names.v[i]);
        } else {
            xfree(names.v[i]);
        }
    }
    xfree(names.v);
    vis->depth--;
    return rc;
}

cs_status
cs_inputs_expand(char *const *inputs, size_t n_inputs, char ***out,
                 size_t *n_out, struct cs_err *err)
{
    struct strlist l = {0};
    for (size_t i = 0; i < n_inputs; i++) {
        const char *in = inputs[i];
        struct stat st;
        if (strcmp(in, "-") == 0) {
            strlist_push(&l, xstrdup(in));
            continue;
        }
        if (stat(in, &st) != 0) {
            cs_inputs_free(l.v, l.n);
            return cs_fail(err, CS_E_IO, in, "cannot open: %s", strerror(errno));
        }
        if (S_ISDIR(st.st_mode)) {
            struct visited vis = {.depth = 0};
            size_t before = l.n;
            cs_status rc = walk_dir(in, &l, &vis, err);
            if (rc != CS_OK) {
                cs_inputs_free(l.v, l.n);
                return rc;
            }
            if (l.n == before) {
                cs_inputs_free(l.v, l.n);
                return cs_fail(err, CS_E_NODATA, in,
                               "the directory holds no files to read");
            }
        } else {
            strlist_push(&l, xstrdup(in));
        }
    }
    *out = l.v;
    *n_out = l.n;
    return CS_OK;
}

void
cs_inputs_free(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        xfree(list[i]);
    xfree(list);
}
