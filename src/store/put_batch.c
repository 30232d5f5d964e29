/*
 * store/put_batch.c: see put_batch.h.  The virtual table is eponymous
 * only (no CREATE VIRTUAL TABLE: the connection that registers it reads
 * it as cs_put_batch), like SQLite's own carray.
 */
#include "store/put_batch.h"

#include <string.h>

#include "core/ctime.h"
#include "core/mem.h"
#include "store/load_cube.h"

/* the columns, in survey_data's order (PUT_BATCH_INSERT_SQL) */
#define COLS                                                                                \
    "CREATE TABLE x(rid, survey_id, time_us, day, week, resource, call_id, participant_id," \
    " correlation_id, operation, input, line,"                                              \
    " o_t, o_s, o_lo, o_hi, o_th, o_iss, o_m, a_t, a_s, a_lo, a_hi, a_th, a_iss, a_m,"      \
    " v_t, v_s, v_lo, v_hi, v_th, v_iss, v_m, s_t, s_s, s_lo, s_hi, s_th, s_iss, s_m, time_sub)"
enum { C_CAT0 = 12, /* the first category's first column */
       C_TIME_SUB = C_CAT0 + 7 * CS_CAT__COUNT };

struct pb_vtab {
    sqlite3_vtab base;
    struct put_batch *b; /* borrowed */
};

struct pb_cursor {
    sqlite3_vtab_cursor base;
    size_t i;
};

static int
pb_connect(sqlite3 *db, void *aux, int argc, const char *const *argv, sqlite3_vtab **out,
           char **err)
{
    (void)argc;
    (void)argv;
    (void)err;
    int rc = sqlite3_declare_vtab(db, COLS);
    if (rc != SQLITE_OK)
        return rc;
    sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY); /* not from a schema's views or triggers */
    struct pb_vtab *v = sqlite3_malloc(sizeof *v);
    if (!v)
        return SQLITE_NOMEM;
    memset(v, 0, sizeof *v);
    v->b = aux;
    *out = &v->base;
    return SQLITE_OK;
}

static int
pb_disconnect(sqlite3_vtab *v)
{
    sqlite3_free(v);
    return SQLITE_OK;
}

static int
pb_best_index(sqlite3_vtab *v, sqlite3_index_info *ii)
{
    ii->estimatedCost = 1;
    ii->estimatedRows = (sqlite3_int64)((struct pb_vtab *)v)->b->n;
    return SQLITE_OK;
}

static int
pb_open(sqlite3_vtab *v, sqlite3_vtab_cursor **out)
{
    (void)v;
    struct pb_cursor *c = sqlite3_malloc(sizeof *c);
    if (!c)
        return SQLITE_NOMEM;
    memset(c, 0, sizeof *c);
    *out = &c->base;
    return SQLITE_OK;
}

static int
pb_close(sqlite3_vtab_cursor *c)
{
    sqlite3_free(c);
    return SQLITE_OK;
}

/* the rows PB_AHEAD on asked into the cache (put_prefetch_record) */
enum { PB_AHEAD = 6 };

static int
pb_filter(sqlite3_vtab_cursor *c, int idx, const char *idx_str, int argc, sqlite3_value **argv)
{
    (void)idx;
    (void)idx_str;
    (void)argc;
    (void)argv;
    const struct pb_vtab *v = (const struct pb_vtab *)c->pVtab;
    ((struct pb_cursor *)c)->i = 0;
    for (size_t i = 0; i < v->b->n && i < PB_AHEAD; i++)
        put_prefetch_record(v->b->rows[i].r, v->b->rows[i].pre->present, true);
    return SQLITE_OK;
}

static int
pb_next(sqlite3_vtab_cursor *c)
{
    const struct pb_vtab *v = (const struct pb_vtab *)c->pVtab;
    size_t i = ++((struct pb_cursor *)c)->i;
    if (i + PB_AHEAD < v->b->n) {
        const struct put_row *p = &v->b->rows[i + PB_AHEAD];
        put_prefetch_record(p->r, p->pre->present, true);
    }
    return SQLITE_OK;
}

static int
pb_eof(sqlite3_vtab_cursor *c)
{
    const struct pb_vtab *v = (const struct pb_vtab *)c->pVtab;
    return ((struct pb_cursor *)c)->i >= v->b->n;
}

static int
pb_rowid(sqlite3_vtab_cursor *c, sqlite3_int64 *rowid)
{
    *rowid = (sqlite3_int64)((struct pb_cursor *)c)->i;
    return SQLITE_OK;
}

struct put_value
put_text(const char *t)
{
    return t && *t ? (struct put_value){.type = SQLITE_TEXT, .t = t}
                   : (struct put_value){.type = SQLITE_NULL};
}

struct put_value
put_nonzero(int64_t v)
{
    return v ? (struct put_value){.type = SQLITE_INTEGER, .i = v}
             : (struct put_value){.type = SQLITE_NULL};
}

struct put_value
put_num(double v)
{
    if (cs_num_binds_as_int(v))
        return (struct put_value){.type = SQLITE_INTEGER, .i = (int64_t)v};
    return (struct put_value){.type = SQLITE_FLOAT, .d = v};
}

struct put_value
put_category(const struct cs_rating *rt, int k)
{
    struct put_value none = {.type = SQLITE_NULL};
    if (!rt->present)
        return none;
    switch (k) {
    case 1: return put_num(rt->score);
    case 2: return rt->has_lower ? put_num(rt->lower) : none;
    case 3: return rt->has_lower ? put_num(rt->upper) : none;
    case 4: return rt->has_lower ? put_num(rt->threshold) : none;
    case 5: return put_text(rt->issues);
    case 6: return put_nonzero(rt->issue_mask);
    default: return none; /* 0: the time */
    }
}

/* v as the column's value */
static void
result(sqlite3_context *ctx, struct put_value v)
{
    switch (v.type) {
    case SQLITE_INTEGER: sqlite3_result_int64(ctx, v.i); break;
    case SQLITE_FLOAT: sqlite3_result_double(ctx, v.d); break;
    case SQLITE_TEXT: sqlite3_result_text(ctx, v.t, -1, SQLITE_STATIC); break;
    default: break; /* NULL: a column left unset is NULL */
    }
}

/* Text t of n bytes (its length known: no strlen by SQLite), "" as NULL. */
static void
result_text(sqlite3_context *ctx, const char *t, uint16_t n)
{
    if (n)
        sqlite3_result_text(ctx, t, n, SQLITE_STATIC);
}

static int
pb_column(sqlite3_vtab_cursor *c, sqlite3_context *ctx, int col)
{
    const struct pb_vtab *v = (const struct pb_vtab *)c->pVtab;
    const struct put_row *p = &v->b->rows[((struct pb_cursor *)c)->i];
    const struct cs_record *r = p->r;
    switch (col) {
    case 0: sqlite3_result_int64(ctx, p->rid); break;
    case 1: sqlite3_result_text(ctx, r->survey_id, p->pre->n_sid, SQLITE_STATIC); break;
    case 2: sqlite3_result_int64(ctx, r->time_us); break;
    case 3: sqlite3_result_int64(ctx, p->pre->day); break;
    case 4: sqlite3_result_int(ctx, cs_iso_week(p->pre->day, NULL, NULL)); break;
    case 5: result(ctx, put_nonzero(p->res)); break;
    case 6: result_text(ctx, r->call_id, p->pre->n_call); break;
    case 7: result_text(ctx, r->participant_id, p->pre->n_part); break;
    case 8:
        /* CorrelationId is the participant id in ACSCallSurvey: kept only
         * when it says something else */
        if (!p->pre->corr_is_part)
            result_text(ctx, r->correlation_id, p->pre->n_corr);
        break;
    case 9: result_text(ctx, r->operation, p->pre->n_op); break;
    case 10: sqlite3_result_int64(ctx, p->input); break;
    case 11: sqlite3_result_int64(ctx, (int64_t)r->line); break;
    case C_TIME_SUB: result(ctx, put_nonzero(r->time_sub)); break;
    default:
        if (col >= C_CAT0 && col < C_TIME_SUB) {
            int cat = (col - C_CAT0) / 7, k = (col - C_CAT0) % 7;
            if (!(p->pre->present >> cat & 1))
                break; /* not rated: every column NULL, the rating not read */
            if (k == 5)
                result_text(ctx, r->rating[cat].issues, p->pre->n_iss[cat]);
            else
                result(ctx, put_category(&r->rating[cat], k));
        }
        break;
    }
    return SQLITE_OK;
}

static const sqlite3_module pb_module = {
    .iVersion = 0,
    .xConnect = pb_connect,
    .xBestIndex = pb_best_index,
    .xDisconnect = pb_disconnect,
    .xOpen = pb_open,
    .xClose = pb_close,
    .xFilter = pb_filter,
    .xNext = pb_next,
    .xEof = pb_eof,
    .xColumn = pb_column,
    .xRowid = pb_rowid,
};

int
put_batch_register(sqlite3 *db, struct put_batch *b)
{
    return sqlite3_create_module(db, "cs_put_batch", &pb_module, b);
}

void
put_batch_add(struct put_batch *b, const struct put_row *row)
{
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 1024;
        b->rows = xreallocarray(b->rows, b->cap, sizeof *b->rows);
    }
    b->rows[b->n++] = *row;
}

void
put_batch_free(struct put_batch *b)
{
    xfree(b->rows);
    memset(b, 0, sizeof *b);
}
