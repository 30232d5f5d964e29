/*
 * store/call_legs.c: call-summary legs into call_data, and the survey-to-leg
 * join (see calls.h).
 *
 * A leg's content (every field but its identity) is hashed: the same
 * identity with the same hash is a duplicate, with another hash an update
 * (the later input's row replaces the stored one).  Times count to the
 * millisecond, as a portal CSV gives them, so the CSV and the JSON export
 * of one leg are one leg.
 *
 * The join, per survey (call id and participant id trimmed, lower-case):
 * legs of the same call with the same participant id -> matched (several:
 * a participant who rejoined; the latest leg started by the survey's time,
 * else the latest); when no leg of the call carries a participant id at
 * all: exactly one VoIP leg of an ACS participant -> matched to it,
 * several -> ambiguous; otherwise unmatched.  Never guessed.
 */
#include "store/call_legs.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/mem.h"
#include "model/dims.h"

/* ---- loading ---------------------------------------------------------- */

static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* A time to the millisecond: a portal CSV gives milliseconds, the JSON
 * forms 100 ns, and one leg must be one leg in both. */
static int64_t
ms_floor(int64_t us)
{
    return (us / 1000 - (us % 1000 < 0)) * 1000;
}

static uint64_t
content_hash(const struct cs_call *c)
{
    uint64_t h = 14695981039346656037ull;
    const char *txt[] = {c->identifier, c->endpoint_type, c->participant_type, c->call_type,
                         c->end_reason, c->end_sub_code, c->result_category,
                         c->sdk_version, c->os_version};
    for (size_t i = 0; i < sizeof txt / sizeof *txt; i++)
        h = fnv(h, txt[i], strlen(txt[i]) + 1);
    double d[2] = {c->has_call_duration ? c->call_duration : -1,
                   c->has_part_duration ? c->part_duration : -1};
    int64_t t[2] = {c->has_call_start ? ms_floor(c->call_start_us) : -1, ms_floor(c->time_us)};
    h = fnv(h, d, sizeof d);
    return fnv(h, t, sizeof t);
}

struct load {
    sqlite3 *db;
    sqlite3_stmt *find, *ins, *upd;
    struct cs_calls_counts *n;
    const char *path;
};

static void
bind_text(sqlite3_stmt *q, int i, const char *s)
{
    if (s[0])
        sqlite3_bind_text(q, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, i);
}

static cs_status
db_err(sqlite3 *db, struct cs_err *err, const char *what)
{
    return cs_fail(err, CS_E_DB, NULL, "%s: %s", what, sqlite3_errmsg(db));
}

/* bind the content columns ?5..?20 */
static void
bind_content(sqlite3_stmt *q, const struct cs_call *c, const char *path, uint64_t h)
{
    bind_text(q, 5, c->identifier);
    bind_text(q, 6, c->endpoint_type);
    bind_text(q, 7, c->participant_type);
    bind_text(q, 8, c->call_type);
    if (c->has_call_start)
        sqlite3_bind_int64(q, 9, c->call_start_us);
    else
        sqlite3_bind_null(q, 9);
    if (c->has_call_duration)
        sqlite3_bind_double(q, 10, c->call_duration);
    else
        sqlite3_bind_null(q, 10);
    if (c->has_part_duration)
        sqlite3_bind_double(q, 11, c->part_duration);
    else
        sqlite3_bind_null(q, 11);
    bind_text(q, 12, c->end_reason);
    bind_text(q, 13, c->end_sub_code);
    bind_text(q, 14, c->result_category);
    bind_text(q, 15, c->sdk_version);
    bind_text(q, 16, c->os_version);
    sqlite3_bind_int64(q, 17, c->time_us);
    sqlite3_bind_text(q, 18, path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 19, (sqlite3_int64)c->line);
    sqlite3_bind_int64(q, 20, (sqlite3_int64)h);
}

static cs_status
on_leg(void *ctx, const struct cs_call *c, struct cs_err *err)
{
    struct load *l = ctx;
    if (!l->db) {
        l->n->stored++;
        return CS_OK;
    }
    int64_t ps = c->has_part_start ? ms_floor(c->part_start_us) : -1;
    uint64_t h = content_hash(c);
    sqlite3_reset(l->find);
    sqlite3_bind_text(l->find, 1, c->call_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(l->find, 2, c->participant_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(l->find, 3, c->endpoint_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(l->find, 4, ps);
    int rc = sqlite3_step(l->find);
    sqlite3_stmt *q;
    if (rc == SQLITE_ROW) {
        if ((uint64_t)sqlite3_column_int64(l->find, 1) == h) {
            l->n->duplicates++;
            return CS_OK;
        }
        q = l->upd;
        l->n->updated++;
    } else if (rc == SQLITE_DONE) {
        q = l->ins;
        l->n->stored++;
    } else {
        return db_err(l->db, err, l->path);
    }
    sqlite3_reset(q);
    sqlite3_bind_text(q, 1, c->call_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, c->participant_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, c->endpoint_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, ps);
    bind_content(q, c, l->path, h);
    if (sqlite3_step(q) != SQLITE_DONE)
        return db_err(l->db, err, l->path);
    return CS_OK;
}

static cs_status
on_reject(void *ctx, const struct cs_call *c, struct cs_err *err)
{
    (void)err;
    struct load *l = ctx;
    l->n->rejected++;
    if (!l->n->first_reject[0]) {
        if (c->line)
            snprintf(l->n->first_reject, sizeof l->n->first_reject, "line %llu%s: %s",
                     (unsigned long long)c->line, c->index ? " (a record of it)" : "",
                     c->reason);
        else
            snprintf(l->n->first_reject, sizeof l->n->first_reject, "record %u: %s",
                     c->index + 1, c->reason);
    }
    return CS_OK;
}

#define LEG_COLS                                                                        \
    "call_key, part_key, endpoint_key, part_start, identifier, endpoint_type,"          \
    " participant_type, call_type, call_start_us, call_duration, participant_duration," \
    " end_reason, end_sub_code, result_category, sdk_version, os_version, time_us,"     \
    " source, line, chash"

cs_status
cs_calls_load(struct cs_store *store, const char *path, enum cs_date_order order,
              struct cs_calls_counts *counts, struct cs_err *err)
{
    memset(counts, 0, sizeof *counts);
    struct load l = {.n = counts, .path = path};
    if (store) {
        l.db = cs_store_db(store);
        if (sqlite3_exec(l.db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
            return db_err(l.db, err, path);
        if (sqlite3_prepare_v2(l.db,
                               "SELECT id, chash FROM call_data WHERE call_key = ?1 AND"
                               " part_key = ?2 AND endpoint_key = ?3 AND part_start = ?4",
                               -1, &l.find, NULL) != SQLITE_OK ||
            sqlite3_prepare_v2(l.db,
                               "INSERT INTO call_data(" LEG_COLS ") VALUES (?1, ?2, ?3, ?4,"
                               " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
                               " ?17, ?18, ?19, ?20)",
                               -1, &l.ins, NULL) != SQLITE_OK ||
            sqlite3_prepare_v2(l.db,
                               "UPDATE call_data SET identifier = ?5, endpoint_type = ?6,"
                               " participant_type = ?7, call_type = ?8, call_start_us = ?9,"
                               " call_duration = ?10, participant_duration = ?11,"
                               " end_reason = ?12, end_sub_code = ?13, result_category = ?14,"
                               " sdk_version = ?15, os_version = ?16, time_us = ?17,"
                               " source = ?18, line = ?19, chash = ?20 WHERE call_key = ?1"
                               " AND part_key = ?2 AND endpoint_key = ?3 AND part_start = ?4",
                               -1, &l.upd, NULL) != SQLITE_OK) {
            cs_status s = db_err(l.db, err, "preparing the call-summary statements");
            sqlite3_finalize(l.find);
            sqlite3_finalize(l.ins);
            sqlite3_exec(l.db, "ROLLBACK", NULL, NULL, NULL);
            return s;
        }
    }
    struct cs_calls_sink sink = {.ctx = &l, .leg = on_leg, .reject = on_reject};
    struct cs_calls_stats st;
    cs_status s = cs_calls_read(path, order, &sink, &st, err);
    counts->read = st.read;
    counts->bytes = st.bytes;
    if (l.db) {
        sqlite3_finalize(l.find);
        sqlite3_finalize(l.ins);
        sqlite3_finalize(l.upd);
        if (s == CS_OK && sqlite3_exec(l.db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
            s = db_err(l.db, err, path);
        if (s != CS_OK)
            sqlite3_exec(l.db, "ROLLBACK", NULL, NULL, NULL);
    }
    if (s != CS_OK) {
        if (!err->where[0])
            snprintf(err->where, sizeof err->where, "%s", path);
        counts->stored = counts->duplicates = counts->updated = 0;
        counts->rejected = counts->read;
    }
    return s;
}
