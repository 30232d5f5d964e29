/*
 * ingest/calls.c: ACSCallSummary exports to struct cs_call (see calls.h).
 *
 * A call-summary export is read whole (cJSON for JSON, libcsv for CSV):
 * legs are small and an export of them is a fraction of the surveys'
 * size.  Keys match case-insensitively, so the storage form's camelCase
 * "properties" and Log Analytics' column names map to the same fields.
 */
#include "ingest/calls.h"

#include <cjson/cJSON.h>
#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/mem.h"

enum cf {
    CF_NONE = -1,
    CF_TIME,
    CF_CORR,
    CF_PART,
    CF_ENDPOINT,
    CF_IDENT,
    CF_ETYPE,
    CF_PTYPE,
    CF_CTYPE,
    CF_CSTART,
    CF_PSTART,
    CF_CDUR,
    CF_PDUR,
    CF_REASON,
    CF_SUB,
    CF_RESULT,
    CF_SDK,
    CF_OS,
    CF_OPNAME,
    CF_PROPS,
};

static const struct {
    const char *key;
    enum cf f;
} keys[] = {
    {"timegenerated", CF_TIME},
    {"time", CF_TIME},
    {"correlationid", CF_CORR},
    {"participantid", CF_PART},
    {"endpointid", CF_ENDPOINT},
    {"identifier", CF_IDENT},
    {"endpointtype", CF_ETYPE},
    {"participanttype", CF_PTYPE},
    {"calltype", CF_CTYPE},
    {"callstarttime", CF_CSTART},
    {"participantstarttime", CF_PSTART},
    {"callduration", CF_CDUR},
    {"participantduration", CF_PDUR},
    {"participantendreason", CF_REASON},
    {"participantendsubcode", CF_SUB},
    {"resultcategory", CF_RESULT},
    {"sdkversion", CF_SDK},
    {"osversion", CF_OS},
    {"operationname", CF_OPNAME},
    {"properties", CF_PROPS},
};

static const char *const field_names[] = {
    "TimeGenerated", "CorrelationId", "ParticipantId", "EndpointId", "Identifier",
    "EndpointType", "ParticipantType", "CallType", "CallStartTime",
    "ParticipantStartTime", "CallDuration", "ParticipantDuration",
    "ParticipantEndReason", "ParticipantEndSubCode", "ResultCategory", "SdkVersion",
    "OsVersion", "operationName", "properties"};

/* key (a trailing " [UTC]", spaces and quotes ignored) -> field */
static enum cf
lookup(const char *k, size_t n)
{
    while (n && (*k == ' ' || *k == '"')) {
        k++;
        n--;
    }
    while (n && (k[n - 1] == ' ' || k[n - 1] == '"' || k[n - 1] == '\r'))
        n--;
    if (n >= 6 && strncasecmp(k + n - 6, " [UTC]", 6) == 0)
        n -= 6;
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (strlen(keys[i].key) == n && strncasecmp(k, keys[i].key, n) == 0)
            return keys[i].f;
    return CF_NONE;
}

struct build {
    struct cs_call *c;
    enum cs_date_order order;
    bool have_corr;
    char opname[64];
};

static void
reason(struct cs_call *c, const char *field, const char *v, size_t n, const char *what)
{
    if (c->reason[0])
        return;
    snprintf(c->reason, sizeof c->reason, "%s: '%.*s' is not %s.", field,
             (int)(n > 60 ? 60 : n), v, what);
}

/* copy trimmed; lower-case for ids; "null" is missing */
static void
copy(char *dst, size_t cap, const char *s, size_t n, bool lower)
{
    while (n && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    if (n == 4 && strncasecmp(s, "null", 4) == 0)
        n = 0;
    if (n >= cap)
        n = cap - 1;
    for (size_t i = 0; i < n; i++)
        dst[i] = lower && s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] + 32) : s[i];
    dst[n] = '\0';
}

/* only white space (or the string null: a missing value) */
static bool
blank(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    return n == 0 || (n == 4 && strncasecmp(s, "null", 4) == 0);
}

static void
set_time(struct build *b, enum cf f, const char *s, size_t n, int64_t *out, bool *has)
{
    if (blank(s, n))
        return;
    while (n && *s == ' ') {
        s++;
        n--;
    }
    if (cs_time_parse_any(s, n, b->order, out))
        *has = true;
    else
        reason(b->c, field_names[f], s, n, "a valid time");
}

static void
set_number(struct build *b, enum cf f, const char *s, size_t n, double *out, bool *has)
{
    char t[64];
    copy(t, sizeof t, s, n, false);
    if (!t[0])
        return;
    char *end;
    errno = 0;
    double v = strtod(t, &end);
    if (end == t || *end || errno == ERANGE || v != v) {
        reason(b->c, field_names[f], s, n, "a number of seconds");
        return;
    }
    *out = v;
    *has = true;
}

/* One (field, value) pair; value text s[0..n) (a JSON number's text, a
 * string's contents, NULL for JSON null). */
static void
set(struct build *b, enum cf f, const char *s, size_t n)
{
    struct cs_call *c = b->c;
    if (!s)
        return;
    bool has_dummy;
    switch (f) {
    case CF_TIME: set_time(b, f, s, n, &c->time_us, &has_dummy); break;
    case CF_CORR:
        copy(c->call_id, sizeof c->call_id, s, n, true);
        b->have_corr = c->call_id[0] != '\0';
        break;
    case CF_PART: copy(c->participant_id, sizeof c->participant_id, s, n, true); break;
    case CF_ENDPOINT: copy(c->endpoint_id, sizeof c->endpoint_id, s, n, true); break;
    case CF_IDENT: copy(c->identifier, sizeof c->identifier, s, n, false); break;
    case CF_ETYPE: copy(c->endpoint_type, sizeof c->endpoint_type, s, n, false); break;
    case CF_PTYPE: copy(c->participant_type, sizeof c->participant_type, s, n, false); break;
    case CF_CTYPE: copy(c->call_type, sizeof c->call_type, s, n, false); break;
    case CF_CSTART: set_time(b, f, s, n, &c->call_start_us, &c->has_call_start); break;
    case CF_PSTART: set_time(b, f, s, n, &c->part_start_us, &c->has_part_start); break;
    case CF_CDUR: set_number(b, f, s, n, &c->call_duration, &c->has_call_duration); break;
    case CF_PDUR: set_number(b, f, s, n, &c->part_duration, &c->has_part_duration); break;
    case CF_REASON: copy(c->end_reason, sizeof c->end_reason, s, n, false); break;
    case CF_SUB: copy(c->end_sub_code, sizeof c->end_sub_code, s, n, false); break;
    case CF_RESULT: copy(c->result_category, sizeof c->result_category, s, n, false); break;
    case CF_SDK: copy(c->sdk_version, sizeof c->sdk_version, s, n, false); break;
    case CF_OS: copy(c->os_version, sizeof c->os_version, s, n, false); break;
    case CF_OPNAME: copy(b->opname, sizeof b->opname, s, n, false); break;
    default: break;
    }
}

static bool
finish(struct build *b)
{
    struct cs_call *c = b->c;
    if (!c->reason[0] && b->opname[0] && strcasecmp(b->opname, "CallSummary") != 0)
        snprintf(c->reason, sizeof c->reason,
                 "operationName: '%.60s' is not CallSummary (another ACS log category).",
                 b->opname);
    if (!c->reason[0] && !b->have_corr)
        snprintf(c->reason, sizeof c->reason,
                 "CorrelationId (the call id) is missing.");
    return c->reason[0] == '\0';
}

struct run {
    const char *name;
    enum cs_date_order order;
    const struct cs_calls_sink *sink;
    struct cs_calls_stats *st;
    struct cs_err *err;
    cs_status status;
};

static void
emit(struct run *r, struct cs_call *c, bool ok)
{
    if (r->status != CS_OK)
        return;
    r->st->read++;
    if (ok) {
        r->st->valid++;
        if (r->sink->leg)
            r->status = r->sink->leg(r->sink->ctx, c, r->err);
    } else {
        r->st->rejected++;
        if (r->sink->reject)
            r->status = r->sink->reject(r->sink->ctx, c, r->err);
    }
}

/* ---- JSON ---- */

static void
json_value(struct build *b, enum cf f, const cJSON *v)
{
    char num[64];
    if (cJSON_IsString(v))
        set(b, f, v->valuestring, strlen(v->valuestring));
    else if (cJSON_IsNumber(v)) {
        snprintf(num, sizeof num, "%.17g", v->valuedouble);
        set(b, f, num, strlen(num));
    } else if (cJSON_IsBool(v))
        set(b, f, cJSON_IsTrue(v) ? "true" : "false", cJSON_IsTrue(v) ? 4 : 5);
}

static void
json_object(struct build *b, const cJSON *o, int depth)
{
    for (const cJSON *it = o->child; it; it = it->next) {
        if (!it->string)
            continue;
        enum cf f = lookup(it->string, strlen(it->string));
        if (f == CF_PROPS && cJSON_IsObject(it) && depth == 0)
            json_object(b, it, 1);
        else if (f != CF_NONE && f != CF_PROPS)
            json_value(b, f, it);
    }
}

static void
json_record(struct run *r, const cJSON *o, uint64_t line, uint32_t index)
{
    struct cs_call c;
    memset(&c, 0, sizeof c);
    c.line = line;
    c.index = index;
    struct build b = {.c = &c, .order = r->order};
    if (!cJSON_IsObject(o))
        snprintf(c.reason, sizeof c.reason, "expected a JSON object (a call-summary row).");
    else
        json_object(&b, o, 0);
    emit(r, &c, !c.reason[0] && finish(&b));
}

/* {"tables":[{"columns":[{"name":..}],"rows":[[..]]}]} */
static void
json_tables(struct run *r, const cJSON *tables, uint64_t line)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, tables)
    {
        const cJSON *cols = cJSON_GetObjectItemCaseSensitive(t, "columns");
        const cJSON *rows = cJSON_GetObjectItemCaseSensitive(t, "rows");
        int ncol = cJSON_GetArraySize(cols);
        uint32_t q = 0;
        const cJSON *row;
        cJSON_ArrayForEach(row, rows)
        {
            struct cs_call c;
            memset(&c, 0, sizeof c);
            c.line = line;
            c.index = q++;
            struct build b = {.c = &c, .order = r->order};
            int k = 0;
            const cJSON *v;
            cJSON_ArrayForEach(v, row)
            {
                const cJSON *col = cJSON_GetArrayItem(cols, k++);
                const cJSON *nm = cJSON_GetObjectItemCaseSensitive(col, "name");
                if (cJSON_IsString(nm)) {
                    enum cf f = lookup(nm->valuestring, strlen(nm->valuestring));
                    if (f != CF_NONE && f != CF_PROPS)
                        json_value(&b, f, v);
                }
            }
            if (k != ncol && !c.reason[0])
                snprintf(c.reason, sizeof c.reason,
                         "the row has %d values but the table has %d columns.", k, ncol);
            emit(r, &c, !c.reason[0] && finish(&b));
        }
    }
}

static void
json_document(struct run *r, const cJSON *doc, uint64_t line)
{
    if (cJSON_IsArray(doc)) {
        uint32_t i = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, doc) json_record(r, e, line, i++);
        return;
    }
    const cJSON *recs = cJSON_GetObjectItem(doc, "records");
    const cJSON *tables = cJSON_GetObjectItem(doc, "tables");
    if (cJSON_IsArray(recs)) {
        uint32_t i = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, recs) json_record(r, e, line, i++);
    } else if (cJSON_IsArray(tables)) {
        json_tables(r, tables, line);
    } else {
        json_record(r, doc, line, 0);
    }
}

static void
json_text(struct run *r, const char *text, size_t len)
{
    const char *stop = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(text, len, &stop, false);
    if (doc && stop && !blank(stop, len - (size_t)(stop - text))) {
        cJSON_Delete(doc); /* more after the first value: JSON Lines */
        doc = NULL;
    }
    if (doc) { /* one document (possibly pretty-printed) */
        json_document(r, doc, 1);
        cJSON_Delete(doc);
        return;
    }
    /* JSON Lines: one value per line */
    uint64_t line = 1;
    size_t pos = 0;
    while (pos < len && r->status == CS_OK) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) : len;
        if (!blank(text + pos, end - pos)) {
            cJSON *v = cJSON_ParseWithLength(text + pos, end - pos);
            if (v) {
                json_document(r, v, line);
                cJSON_Delete(v);
            } else {
                struct cs_call c;
                memset(&c, 0, sizeof c);
                c.line = line;
                snprintf(c.reason, sizeof c.reason, "malformed JSON on this line.");
                emit(r, &c, false);
            }
        }
        pos = end + 1;
        line++;
    }
}

/* ---- CSV ---- */

struct csvst {
    struct run *r;
    enum cf *fmap;
    size_t n_cols, col;
    bool header_done, any_known;
    struct cs_call c;
    struct build b;
    uint64_t row_line;
};

static void
csv_field(void *data, size_t len, void *ctx)
{
    struct csvst *s = ctx;
    const char *d = data ? data : "";
    if (!s->header_done) {
        if (s->n_cols == 0 && len >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0) {
            d += 3;
            len -= 3;
        }
        s->fmap = xreallocarray(s->fmap, s->n_cols + 1, sizeof *s->fmap);
        s->fmap[s->n_cols] = lookup(d, len);
        s->any_known |= s->fmap[s->n_cols] == CF_CORR;
        s->n_cols++;
        return;
    }
    if (s->col == 0) {
        memset(&s->c, 0, sizeof s->c);
        s->b = (struct build){.c = &s->c, .order = s->r->order};
        s->c.line = s->row_line;
    }
    if (s->col < s->n_cols && s->fmap[s->col] != CF_NONE && s->fmap[s->col] != CF_PROPS)
        set(&s->b, s->fmap[s->col], d, len);
    s->col++;
}

static void
csv_row(int term, void *ctx)
{
    (void)term;
    struct csvst *s = ctx;
    if (!s->header_done) {
        s->header_done = true;
        return;
    }
    if (s->col != s->n_cols && !s->c.reason[0])
        snprintf(s->c.reason, sizeof s->c.reason,
                 "expected %zu fields (as in the header), got %zu.", s->n_cols, s->col);
    emit(s->r, &s->c, !s->c.reason[0] && finish(&s->b));
    s->col = 0;
}

static cs_status
csv_text(struct run *r, const char *text, size_t len)
{
    struct csv_parser p;
    if (csv_init(&p, 0) != 0)
        return cs_fail(r->err, CS_E_NOMEM, r->name, "csv_init failed");
    struct csvst s = {.r = r};
    uint64_t line = 1;
    size_t pos = 0;
    cs_status st = CS_OK;
    while (pos < len && r->status == CS_OK) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - text) + 1 : len;
        if (p.pstate == 0)
            s.row_line = line;
        if (csv_parse(&p, text + pos, end - pos, csv_field, csv_row, &s) != end - pos) {
            st = cs_fail(r->err, CS_E_PARSE, r->name, "line %llu: %s",
                         (unsigned long long)line, csv_strerror(csv_error(&p)));
            break;
        }
        if (s.header_done && !s.any_known) {
            st = cs_fail(r->err, CS_E_PARSE, r->name,
                         "line 1: not an ACSCallSummary export (no CorrelationId column)");
            break;
        }
        pos = end;
        line++;
    }
    if (st == CS_OK)
        csv_fini(&p, csv_field, csv_row, &s);
    csv_free(&p);
    xfree(s.fmap);
    return st != CS_OK ? st : r->status;
}

/* ---- files ---- */

static cs_status
slurp(const char *path, struct cs_buf *b, struct cs_err *err)
{
    int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return cs_fail(err, CS_E_IO, path, "cannot open: %s", strerror(errno));
    char chunk[65536];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) > 0)
        cs_buf_add(b, chunk, (size_t)n);
    int e = errno;
    if (fd != 0)
        close(fd);
    if (n < 0)
        return cs_fail(err, CS_E_IO, path, "read error: %s", strerror(e));
    return CS_OK;
}

bool
cs_calls_sniff(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    char buf[65537];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return false;
    buf[n] = '\0';
    for (ssize_t i = 0; i < n; i++)
        buf[i] = buf[i] >= 'A' && buf[i] <= 'Z' ? (char)(buf[i] + 32) : (buf[i] ? buf[i] : ' ');
    /* columns only ACSCallSummary has (an AppEvents export has SDKVersion) */
    bool calls = strstr(buf, "participantstarttime") || strstr(buf, "endpointtype") ||
                 strstr(buf, "participantendreason") || strstr(buf, "\"callsummary\"");
    bool other = strstr(buf, "overallratingscore") || strstr(buf, "surveyid") ||
                 strstr(buf, "customdimensions") || strstr(buf, "ratingscore");
    return calls && !other;
}

cs_status
cs_calls_read(const char *path, enum cs_date_order order,
              const struct cs_calls_sink *sink, struct cs_calls_stats *stats,
              struct cs_err *err)
{
    memset(stats, 0, sizeof *stats);
    struct cs_buf b = {0};
    cs_status st = slurp(path, &b, err);
    if (st != CS_OK) {
        cs_buf_free(&b);
        return st;
    }
    stats->bytes = b.n;
    const char *t = b.s ? b.s : "";
    size_t len = b.n, off = 0;
    if (len >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0)
        off = 3;
    while (off < len && (t[off] == ' ' || t[off] == '\t' || t[off] == '\r' || t[off] == '\n'))
        off++;
    struct run r = {.name = path, .order = order, .sink = sink, .st = stats, .err = err};
    if (off == len)
        st = cs_fail(err, CS_E_NODATA, path, "the file is empty");
    else if (t[off] == '{' || t[off] == '[')
        json_text(&r, t, len), st = r.status;
    else if (memchr(t, '\0', len))
        st = cs_fail(err, CS_E_PARSE, path, "not a call-summary export (binary data)");
    else
        st = csv_text(&r, t + (off == 3 ? 3 : 0), len - (off == 3 ? 3 : 0));
    cs_buf_free(&b);
    return st;
}
