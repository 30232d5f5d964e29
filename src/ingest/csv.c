/*
 * ingest/csv.c: Log Analytics portal CSV exports to records, with libcsv.
 *
 * libcsv handles RFC 4180 (quotes, "" escapes, newlines inside quotes,
 * CRLF).  We feed it one physical line at a time so that every row knows
 * the line it started on, and keep the row's raw text (up to CS_RAW_MAX)
 * for the rejects table.  Columns are mapped by header name, never by
 * position; " [UTC]" suffixes and a BOM are ignored; unknown columns
 * (TenantId, _BilledSize, ...) are skipped.
 */
#include <cjson/cJSON.h>
#include <csv.h>
#include <string.h>

#include "core/mem.h"
#include "ingest/ingest_int.h"

struct csv_state {
    struct cs_ingest_run *run;
    bool header_done;
    int *fmap;            /* owned: field id per column */
    size_t n_cols;        /* header width */
    bool too_wide;        /* header wider than CS_INGEST_MAX_COLS */
    size_t col;           /* column of the next field in the current row */
    struct cs_recbuild b; /* builder of the current row */
    bool row_open;        /* b has been begun for the current row */
    uint64_t row_line;    /* line the current row started on */
    char *raw;            /* owned: raw text of the current row */
    size_t raw_len;
    bool has_rating_col; /* the header names at least one rating column */
    /* custom-event exports (no rating column) */
    enum { MODE_SURVEYS,
           MODE_EVENTS,
           MODE_TUTORIAL } mode;
    char **cells; /* owned: the current row's cells (event modes) */
    size_t *cell_len;
    char **names; /* owned: header names (tutorial mode property keys) */
};

static void
classify_header(struct csv_state *cs)
{
    bool bag = false, survey = false;
    for (size_t i = 0; i < cs->n_cols; i++) {
        if (cs->fmap[i] == F_CUSTOMDIM || cs->fmap[i] == F_PROPERTIES)
            bag = true;
        if (cs->fmap[i] == F_SURVEY)
            survey = true;
    }
    if (cs->has_rating_col)
        cs->mode = MODE_SURVEYS;
    else if (bag)
        cs->mode = MODE_EVENTS;
    else if (survey)
        cs->mode = MODE_TUTORIAL; /* SurveyId,ImprovementSuggestion,... */
    else
        return;
    if (cs->mode != MODE_SURVEYS) {
        cs->cells = xcalloc(cs->n_cols, sizeof *cs->cells);
        cs->cell_len = xcalloc(cs->n_cols, sizeof *cs->cell_len);
    }
}

static size_t
col_of(const struct csv_state *cs, int field)
{
    for (size_t i = 0; i < cs->n_cols; i++)
        if (cs->fmap[i] == field)
            return i;
    return SIZE_MAX;
}

/* One row of a custom-event export. */
static void
event_row(struct csv_state *cs, const char *raw, size_t raw_len)
{
    struct cs_ingest_run *run = cs->run;
    if (cs->col != cs->n_cols) {
        run->stats->events_read++;
        run->stats->events_rejected++;
        cs_run_reject_raw(run, cs->row_line, 0, raw, raw_len,
                          "expected %zu fields (as in the header), got %zu.",
                          cs->n_cols, cs->col);
        return;
    }
    size_t cn = col_of(cs, F_NAME), ct = col_of(cs, F_TIME);
    if (cs->mode == MODE_EVENTS) {
        size_t cd = col_of(cs, F_CUSTOMDIM);
        if (cd == SIZE_MAX)
            cd = col_of(cs, F_PROPERTIES);
        size_t cm = col_of(cs, F_CUSTOMMEAS);
        struct cs_event_ctx cx = {0};
        for (int k = 0; k < 3; k++) {
            size_t ck = col_of(cs, F_APPVER + k);
            if (ck != SIZE_MAX) {
                cx.s[k] = cs->cells[ck];
                cx.len[k] = cs->cell_len[ck];
            }
        }
        cs_event_emit(run, cn != SIZE_MAX ? cs->cells[cn] : NULL,
                      cn != SIZE_MAX ? cs->cell_len[cn] : 0,
                      ct != SIZE_MAX ? cs->cells[ct] : NULL,
                      ct != SIZE_MAX ? cs->cell_len[ct] : 0, cs->cells[cd],
                      cs->cell_len[cd], cm != SIZE_MAX ? cs->cells[cm] : NULL,
                      cm != SIZE_MAX ? cs->cell_len[cm] : 0, raw, raw_len,
                      cs->row_line, 0, &cx);
        return;
    }
    /* the tutorial's query: SurveyId plus one column per answer */
    cJSON *bag = cJSON_CreateObject();
    const char *key = run->opts->id_key ? run->opts->id_key : "id";
    for (size_t i = 0; i < cs->n_cols; i++) {
        if (i == ct || i == cn)
            continue;
        char *v = xstrndup(cs->cells[i], cs->cell_len[i]);
        if (cs->fmap[i] == F_SURVEY)
            cJSON_AddStringToObject(bag, key, v);
        else if (cs->cell_len[i] > 0)
            cJSON_AddStringToObject(bag, cs->names[i], v);
        xfree(v);
    }
    char *txt = cJSON_PrintUnformatted(bag);
    cJSON_Delete(bag);
    cs_event_emit(run, NULL, 0, ct != SIZE_MAX ? cs->cells[ct] : NULL,
                  ct != SIZE_MAX ? cs->cell_len[ct] : 0, txt, strlen(txt), NULL, 0,
                  raw, raw_len, cs->row_line, 0, NULL);
    cJSON_free(txt);
}

static void
on_field(void *data, size_t len, void *ctx)
{
    struct csv_state *cs = ctx;
    if (cs->run->status != CS_OK)
        return;
    if (!cs->header_done) {
        if (cs->n_cols >= CS_INGEST_MAX_COLS) {
            cs->too_wide = true;
            return;
        }
        cs->fmap = xreallocarray(cs->fmap, cs->n_cols + 1, sizeof(int));
        const char *s = data;
        if (cs->n_cols == 0 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
            s += 3;
            len -= 3;
        }
        int f = cs_field_lookup(s, len);
        cs->names = xreallocarray(cs->names, cs->n_cols + 1, sizeof(char *));
        /* property key: the header as given, without quotes/spaces */
        size_t a = 0, z = len;
        while (a < z && (s[a] == ' ' || s[a] == '"'))
            a++;
        while (z > a && (s[z - 1] == ' ' || s[z - 1] == '"' || s[z - 1] == '\r'))
            z--;
        cs->names[cs->n_cols] = xstrndup(s + a, z - a);
        cs->fmap[cs->n_cols++] = f;
        if (f >= F_CAT0)
            cs->has_rating_col = true;
        return;
    }
    if (cs->mode != MODE_SURVEYS) {
        if (cs->col < cs->n_cols) {
            cs->cells[cs->col] = xrealloc(cs->cells[cs->col], len + 1);
            memcpy(cs->cells[cs->col], data ? data : "", len);
            cs->cells[cs->col][len] = '\0';
            cs->cell_len[cs->col] = len;
        }
        cs->col++;
        return;
    }
    if (!cs->row_open) {
        cs_recbuild_begin(&cs->b, cs_run_slot(cs->run), cs->run->opts->date_order);
        cs->row_open = true;
    }
    if (cs->col < cs->n_cols && cs->fmap[cs->col] != F_NONE &&
        cs->fmap[cs->col] != F_PROPERTIES)
        cs_recbuild_set(&cs->b, cs->fmap[cs->col], data ? data : "", len,
                        V_STRING);
    cs->col++;
}

static void
on_row(int term, void *ctx)
{
    (void)term;
    struct csv_state *cs = ctx;
    struct cs_ingest_run *run = cs->run;
    if (run->status != CS_OK)
        return;
    if (!cs->header_done) {
        cs->header_done = true;
        classify_header(cs);
        return;
    }
    if (cs->mode != MODE_SURVEYS) {
        size_t rl = cs->raw_len;
        while (rl && (cs->raw[rl - 1] == '\n' || cs->raw[rl - 1] == '\r'))
            rl--;
        event_row(cs, cs->raw, rl);
        cs->col = 0;
        return;
    }
    if (!cs->row_open) { /* a row of zero fields cannot happen in libcsv */
        cs_recbuild_begin(&cs->b, cs_run_slot(run), run->opts->date_order);
    }
    struct cs_record *r = cs->b.r;
    bool ok = cs_recbuild_finish(&cs->b);
    r->line = cs->row_line;
    if (cs->col != cs->n_cols) {
        ok = false;
        snprintf(r->reason, sizeof r->reason,
                 "expected %zu fields (as in the header), got %zu.", cs->n_cols,
                 cs->col);
    }
    size_t rl = cs->raw_len;
    while (rl && (cs->raw[rl - 1] == '\n' || cs->raw[rl - 1] == '\r'))
        rl--;
    cs_run_emit(run, ok, cs->raw, rl);
    cs->col = 0;
    cs->row_open = false;
}

cs_status
cs_csv_ingest(struct cs_ingest_run *run, struct cs_reader *rd)
{
    struct csv_parser p;
    if (csv_init(&p, 0) != 0)
        return cs_fail(run->err, CS_E_NOMEM, run->name, "csv_init failed");
    struct csv_state cs = {.run = run, .raw = xmalloc(CS_RAW_MAX)};
    cs_status st = CS_OK;
    for (;;) {
        char *nl = memchr(rd->buf + rd->pos, '\n', rd->len - rd->pos);
        if (nl == NULL && !rd->eof) {
            rd->keep = rd->pos;
            if (!cs_reader_fill(rd, rd->len - rd->pos + (1u << 20))) {
                st = cs_fail(run->err, CS_E_IO, run->name, "read error");
                break;
            }
            if (rd->len - rd->pos > CS_INGEST_SPAN_MAX) {
                st = cs_fail(run->err, CS_E_PARSE, run->name,
                             "line %llu is longer than %u MiB",
                             (unsigned long long)rd->line,
                             CS_INGEST_SPAN_MAX >> 20);
                break;
            }
            continue;
        }
        size_t end = nl ? (size_t)(nl - rd->buf) + 1 : rd->len;
        size_t n = end - rd->pos;
        if (n == 0)
            break;
        if (p.pstate == 0) { /* ROW_NOT_BEGUN: this line starts a row */
            cs.row_line = rd->line;
            cs.raw_len = 0;
        }
        size_t room = CS_RAW_MAX - cs.raw_len;
        size_t take = n < room ? n : room;
        memcpy(cs.raw + cs.raw_len, rd->buf + rd->pos, take);
        cs.raw_len += take;
        if (csv_parse(&p, rd->buf + rd->pos, n, on_field, on_row, &cs) != n) {
            st = cs_fail(run->err, CS_E_PARSE, run->name, "line %llu: %s",
                         (unsigned long long)rd->line,
                         csv_strerror(csv_error(&p)));
            break;
        }
        rd->pos = end;
        rd->line++;
        if (run->status != CS_OK) {
            st = run->status;
            break;
        }
        if (cs.too_wide) {
            st = cs_fail(run->err, CS_E_PARSE, run->name,
                         "line 1: the header has more than %d columns",
                         CS_INGEST_MAX_COLS);
            break;
        }
        if (cs.header_done && !cs.has_rating_col && cs.mode == MODE_SURVEYS) {
            st = cs_fail(run->err, CS_E_PARSE, run->name,
                         "line 1: neither an ACSCallSurvey export (no rating "
                         "column such as OverallRatingScore) nor custom events "
                         "(no customDimensions, Properties or SurveyId column)");
            break;
        }
    }
    if (st == CS_OK) {
        bool open_quote = p.pstate != 0 && p.quoted;
        csv_fini(&p, on_field, on_row, &cs);
        if (open_quote)
            run->stats->truncated = true;
        if (run->status != CS_OK)
            st = run->status;
        else if (!cs.header_done)
            st = cs_fail(run->err, CS_E_NODATA, run->name, "the file is empty");
    }
    csv_free(&p);
    for (size_t i = 0; i < cs.n_cols; i++) {
        if (cs.cells)
            xfree(cs.cells[i]);
        xfree(cs.names[i]);
    }
    xfree(cs.cells);
    xfree(cs.cell_len);
    xfree(cs.names);
    xfree(cs.fmap);
    xfree(cs.raw);
    return st;
}
