/*
 * store/store_put.c: survey records into the store: each one appended with
 * a rowid we assign or merged into the stored survey of its SurveyId (found
 * through the in-memory hash index, confirmed on the stored id), with the
 * conflicts of equal times decided by content; custom events and rejected
 * records, each stored once.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctime.h"
#include "core/keyhash.h"
#include "core/mem.h"
#include "model/event.h"
#include "store/idset.h"
#include "store/load_cube.h"
#include "store/store_int.h"

/* The cached id of resource rid_text (len bytes), -1 when not cached. */
static int
res_cached(const struct res_cache *c, const char *rid_text, size_t len)
{
    for (unsigned i = 0; i < c->n; i++) {
        /* ids share a long prefix and differ at the end: compare there */
        size_t tail = len < 16 ? len : 16;
        if (c->len[i] == len && memcmp(c->id[i] + len - tail, rid_text + len - tail, tail) == 0 &&
            memcmp(c->id[i], rid_text, len - tail) == 0)
            return (int)i;
    }
    return -1;
}

/* resource id (len bytes) -> resource_data.id (0 = none) */
static cs_status
resource_rowid(struct cs_store *s, const char *rid_text, size_t len, int64_t *out,
               struct cs_err *err)
{
    *out = 0;
    if (!rid_text[0])
        return CS_OK;
    int hit = res_cached(&s->res, rid_text, len);
    if (hit >= 0) {
        *out = s->res.rowid[hit];
        return CS_OK;
    }
    sqlite3_stmt *q = s->st[ST_RES_FIND];
    sqlite3_bind_text(q, 1, rid_text, (int)len, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(q, 0);
    sqlite3_reset(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_db_fail(s, err, "resource lookup");
    if (rc == SQLITE_DONE) {
        const char *slash = strrchr(rid_text, '/');
        const char *name = slash && slash[1] ? slash + 1 : rid_text;
        q = s->st[ST_RES_INS];
        sqlite3_bind_text(q, 1, rid_text, (int)len, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, name, (int)(rid_text + len - name), SQLITE_STATIC);
        rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc != SQLITE_DONE)
            return store_db_fail(s, err, "resource insert");
        *out = sqlite3_last_insert_rowid(s->db);
    }
    if (len <= CS_RESOURCE_MAX) {
        struct res_cache *c = &s->res;
        unsigned i = c->n < RES_CACHE_MAX ? c->n++ : c->next++ % RES_CACHE_MAX;
        memcpy(c->id[i], rid_text, len + 1);
        c->len[i] = len;
        c->rowid[i] = *out;
    }
    return CS_OK;
}

/* Parameter i of q to v (store/put_batch.h's rule). */
static void
bind_value(sqlite3_stmt *q, int i, struct put_value v)
{
    switch (v.type) {
    case SQLITE_INTEGER: sqlite3_bind_int64(q, i, v.i); break;
    case SQLITE_FLOAT: sqlite3_bind_double(q, i, v.d); break;
    case SQLITE_TEXT: sqlite3_bind_text(q, i, v.t, -1, SQLITE_STATIC); break;
    default: sqlite3_bind_null(q, i); break;
    }
}

/* Bind category c of r at parameters base.. base+6 (t s lo hi th iss m),
 * the values a new survey's row gets. */
static void
bind_category(sqlite3_stmt *q, int base, const struct cs_record *r, int c)
{
    for (int k = 0; k < 7; k++)
        bind_value(q, base + k, put_category(&r->rating[c], k));
}

static cs_status
put_unknown_tags(struct cs_store *s, int64_t rid, const struct cs_record *r,
                 int c, struct cs_err *err)
{
    const struct cs_rating *rt = &r->rating[c];
    if (rt->n_unknown == 0)
        return CS_OK;
    const char *p = rt->issues;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (cs_tag_find((enum cs_category)c, p, n) < 0) {
            sqlite3_stmt *q = s->st[ST_UNK_INS];
            sqlite3_bind_int64(q, 1, rid);
            sqlite3_bind_int(q, 2, c);
            sqlite3_bind_text(q, 3, p, (int)n, SQLITE_STATIC);
            int rc = sqlite3_step(q);
            sqlite3_reset(q);
            if (rc != SQLITE_DONE)
                return store_db_fail(s, err, "unknown tags");
        }
        p += n + (e ? 1 : 0);
    }
    return CS_OK;
}

static bool
col_eq_num(sqlite3_stmt *q, int col, bool has, double v)
{
    if (sqlite3_column_type(q, col) == SQLITE_NULL)
        return !has;
    return has && sqlite3_column_double(q, col) == v;
}

/* A record's time in 100 ns ticks: the order of records of one survey. */
static int64_t
rec_ticks(const struct cs_record *r)
{
    return r->time_us * 10 + r->time_sub;
}

/* "2026-11-16T08:00:00.1234567Z": a time in ticks with all 7 digits. */
static void
format_ticks(int64_t ticks, char *buf)
{
    int64_t sub = ticks % 10;
    if (sub < 0)
        sub += 10;
    int64_t us = (ticks - sub) / 10;
    int64_t day = cs_time_day(us);
    int64_t rem = us - day * CS_US_PER_DAY;
    char d[16];
    snprintf(buf, 40, "%sT%02d:%02d:%02d.%06d%dZ", cs_day_format(day, d),
             (int)(rem / CS_US_PER_S / 3600), (int)(rem / CS_US_PER_S / 60 % 60),
             (int)(rem / CS_US_PER_S % 60), (int)(rem % CS_US_PER_S), (int)sub);
}

/* One category's content as compared for an exact tie: score, scale,
 * issues.  From a record (r) or from the stored row (q at column b+1..). */
struct cat_val {
    double score, lo, hi, th;
    bool has_scale;
    const char *issues;
};

static struct cat_val
cat_of_record(const struct cs_rating *rt)
{
    return (struct cat_val){rt->score, rt->lower, rt->upper, rt->threshold,
                            rt->has_lower, rt->issues};
}

static struct cat_val
cat_of_row(sqlite3_stmt *q, int b)
{
    const char *iss = (const char *)sqlite3_column_text(q, b + 5);
    bool scale = sqlite3_column_type(q, b + 2) != SQLITE_NULL;
    return (struct cat_val){sqlite3_column_double(q, b + 1),
                            scale ? sqlite3_column_double(q, b + 2) : 0,
                            scale ? sqlite3_column_double(q, b + 3) : 0,
                            scale ? sqlite3_column_double(q, b + 4) : 0, scale,
                            iss ? iss : ""};
}

static int
cmp_num(double a, double b)
{
    return (a > b) - (a < b);
}

/* The total order that decides an exact tie, the same in every run and
 * input order: lower score first, then default scale before a scale,
 * lower bounds and threshold, then the issue list in byte order.  The
 * version that sorts first is kept. */
static int
cat_cmp(const struct cat_val *a, const struct cat_val *b)
{
    int c = cmp_num(a->score, b->score);
    if (c == 0)
        c = (int)a->has_scale - (int)b->has_scale;
    if (c == 0 && a->has_scale) {
        if ((c = cmp_num(a->lo, b->lo)) == 0 && (c = cmp_num(a->hi, b->hi)) == 0)
            c = cmp_num(a->th, b->th);
    }
    if (c == 0)
        c = strcmp(a->issues, b->issues);
    return c;
}

/* "score 4, scale 1-5 threshold 2, issues Echo,AudioNoise" */
static void
cat_text(const struct cat_val *v, char *buf, size_t n)
{
    char a[32], b[32], c[32], d[32];
    int k = snprintf(buf, n, "score %s", cs_js_number(v->score, a));
    if (v->has_scale && k > 0 && (size_t)k < n)
        k += snprintf(buf + k, n - (size_t)k, ", scale %s-%s threshold %s",
                      cs_js_number(v->lo, b), cs_js_number(v->hi, c),
                      cs_js_number(v->th, d));
    if (v->issues[0] && k > 0 && (size_t)k < n)
        snprintf(buf + k, n - (size_t)k, ", issues %s", v->issues);
}

/* Keep both versions of a tie (once per survey, category, time, pair). */
static cs_status
put_conflict(struct cs_store *s, const struct cs_record *r, int c,
             const struct cat_val *kept, const struct cat_val *other,
             struct cs_err *err)
{
    char tb[40], kt[CS_ISSUES_MAX + 128], ot[CS_ISSUES_MAX + 128];
    int64_t t = rec_ticks(r);
    format_ticks(t, tb);
    cat_text(kept, kt, sizeof kt);
    cat_text(other, ot, sizeof ot);
    sqlite3_stmt *d = s->st[ST_CONFLICT_DUP];
    for (int k = 0; k < 2; k++) {
        sqlite3_stmt *q = k ? s->st[ST_CONFLICT] : d;
        sqlite3_bind_int64(q, 1, s->input_id);
        sqlite3_bind_text(q, 2, r->survey_id, -1, SQLITE_STATIC);
        sqlite3_bind_int(q, 3, c);
        sqlite3_bind_int64(q, 4, t);
        sqlite3_bind_text(q, 5, tb, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 6, kt, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 7, ot, -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 8, (int64_t)r->line);
    }
    int rc = sqlite3_step(d);
    sqlite3_reset(d);
    if (rc == SQLITE_DONE) {
        sqlite3_stmt *q = s->st[ST_CONFLICT];
        rc = sqlite3_step(q);
        sqlite3_reset(q);
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return store_db_fail(s, err, "recording a conflict");
    return CS_OK;
}

/* Merge record r into the stored survey rid. */
static cs_status
merge(struct cs_store *s, int64_t rid, const struct cs_record *r,
      struct cs_store_counts *counts, struct cs_err *err)
{
    sqlite3_stmt *g = s->st[ST_GET];
    sqlite3_bind_int64(g, 1, rid);
    if (sqlite3_step(g) != SQLITE_ROW) {
        sqlite3_reset(g);
        return store_db_fail(s, err, "reading a survey to merge");
    }
    int64_t old_time = sqlite3_column_int64(g, 1);
    int64_t old_ticks = old_time * 10 + sqlite3_column_int64(g, 29);
    int64_t r_ticks = rec_ticks(r);
    /* a record that brings a call, participant or resource id the stored
     * one lacks fills it in (and so is an update, not a duplicate) */
    bool fill_res = sqlite3_column_type(g, 28) == SQLITE_NULL && r->resource_id[0];
    bool fills = (sqlite3_column_type(g, 2) == SQLITE_NULL && r->call_id[0]) ||
                 (sqlite3_column_type(g, 3) == SQLITE_NULL && r->participant_id[0]) || fill_res;
    bool need_head = r_ticks < old_ticks || fills;
    bool replace[CS_CAT__COUNT] = {false};
    bool changed = fills, conflict = false;
    cs_status st = CS_OK;
    for (int c = 0; c < CS_CAT__COUNT && st == CS_OK; c++) {
        const struct cs_rating *rt = &r->rating[c];
        if (!rt->present)
            continue;
        int b = 4 + 6 * c; /* t s lo hi th iss */
        if (sqlite3_column_type(g, b + 1) == SQLITE_NULL) {
            replace[c] = changed = true; /* a category only this record has */
            continue;
        }
        int64_t old_t = sqlite3_column_type(g, b) == SQLITE_NULL
                            ? old_ticks
                            : sqlite3_column_int64(g, b);
        if (r_ticks < old_t)
            continue; /* the stored one is newer */
        const char *old_iss = (const char *)sqlite3_column_text(g, b + 5);
        bool same = col_eq_num(g, b + 1, true, rt->score) &&
                    col_eq_num(g, b + 2, rt->has_lower, rt->lower) &&
                    col_eq_num(g, b + 3, rt->has_lower, rt->upper) &&
                    col_eq_num(g, b + 4, rt->has_lower, rt->threshold) &&
                    strcmp(old_iss ? old_iss : "", rt->issues) == 0;
        if (same)
            continue;
        if (r_ticks > old_t) {
            replace[c] = changed = true; /* the later one wins */
            continue;
        }
        /* the same time to 100 ns, another content: decided by content,
         * never by which was read first */
        conflict = true;
        struct cat_val nv = cat_of_record(rt), ov = cat_of_row(g, b);
        bool take = cat_cmp(&nv, &ov) < 0;
        replace[c] = take;
        st = put_conflict(s, r, c, take ? &nv : &ov, take ? &ov : &nv, err);
    }
    sqlite3_reset(g);
    if (st != CS_OK)
        return st;
    for (int c = 0; c < CS_CAT__COUNT; c++) {
        if (!replace[c])
            continue;
        sqlite3_stmt *u = s->st[ST_UPD_CAT0 + c];
        sqlite3_bind_int64(u, 1, rid);
        bind_category(u, 2, r, c);
        sqlite3_bind_int64(u, 2, r_ticks); /* merged: keep its own time */
        int rc = sqlite3_step(u);
        sqlite3_reset(u);
        if (rc != SQLITE_DONE)
            return store_db_fail(s, err, "merging a survey");
        sqlite3_stmt *d = s->st[ST_UNK_DEL];
        sqlite3_bind_int64(d, 1, rid);
        sqlite3_bind_int(d, 2, c);
        rc = sqlite3_step(d);
        sqlite3_reset(d);
        if (rc != SQLITE_DONE)
            return store_db_fail(s, err, "merging a survey");
        if (put_unknown_tags(s, rid, r, c, err))
            return CS_E_DB;
    }
    if (need_head) {
        bool earlier = r_ticks < old_ticks;
        int64_t t = earlier ? r->time_us : old_time;
        int64_t day = cs_time_day(t);
        sqlite3_stmt *u = s->st[ST_UPD_HEAD];
        sqlite3_bind_int64(u, 1, rid);
        sqlite3_bind_int64(u, 2, t);
        sqlite3_bind_int64(u, 3, day);
        sqlite3_bind_int(u, 4, cs_iso_week(day, NULL, NULL));
        bind_value(u, 5, put_text(r->call_id));
        bind_value(u, 6, put_text(r->participant_id));
        int64_t sub = earlier ? r->time_sub : old_ticks - old_time * 10;
        if (sub)
            sqlite3_bind_int64(u, 8, sub);
        else
            sqlite3_bind_null(u, 8);
        int64_t res = 0; /* looked up (or added) only when it fills a gap */
        if (fill_res && resource_rowid(s, r->resource_id, strlen(r->resource_id), &res, err)) {
            sqlite3_reset(u);
            return CS_E_DB;
        }
        if (res)
            sqlite3_bind_int64(u, 7, res);
        else
            sqlite3_bind_null(u, 7);
        int rc = sqlite3_step(u);
        sqlite3_reset(u);
        if (rc != SQLITE_DONE)
            return store_db_fail(s, err, "merging a survey");
    }
    if (conflict)
        counts->conflicts++;
    else if (changed)
        counts->updated++;
    else
        counts->duplicates++;
    return CS_OK;
}

/* merge, with the survey taken out of the load's aggregate as stored
 * before and counted again as stored after (store/load_cube.h). */
static cs_status
merge_counted(struct cs_store *s, int64_t rid, const struct cs_record *r,
              struct cs_store_counts *counts, struct cs_err *err)
{
    if (s->lc && cs_load_cube_row(s->lc, s->st[ST_LC_ROW], rid, -1) != SQLITE_OK)
        return store_db_fail(s, err, "reading a survey to merge");
    s->lc_input = s->input_id; /* a rollback of this input undoes what it counts */
    if (merge(s, rid, r, counts, err))
        return CS_E_DB;
    if (s->lc && cs_load_cube_row(s->lc, s->st[ST_LC_ROW], rid, +1) != SQLITE_OK)
        return store_db_fail(s, err, "reading a merged survey");
    if (s->lc && !cs_load_cube_exact(s->lc))
        cs_load_cube_free(&s->lc); /* a resource id it cannot keep */
    return CS_OK;
}

/* Find the stored rid of survey_id (hash hit confirmed by the text). */
static cs_status
find_rid(struct cs_store *s, const char *sid, uint64_t h, int64_t *rid,
         struct cs_err *err)
{
    *rid = 0;
    if (s->idx.cap == 0)
        return CS_OK;
    size_t m = s->idx.cap - 1;
    for (size_t i = h & m; s->idx.slots[i].h; i = (i + 1) & m) {
        if (s->idx.slots[i].h != h)
            continue;
        int64_t first = s->pb.n ? s->pb.rows[0].rid : INT64_MAX;
        if (s->idx.slots[i].rid >= first) { /* in the batch, not inserted yet */
            if (strcmp(s->pb.rows[s->idx.slots[i].rid - first].r->survey_id, sid) == 0) {
                *rid = s->idx.slots[i].rid;
                return CS_OK;
            }
            continue;
        }
        sqlite3_stmt *g = s->st[ST_GET];
        sqlite3_bind_int64(g, 1, s->idx.slots[i].rid);
        int rc = sqlite3_step(g);
        bool same = rc == SQLITE_ROW &&
                    strcmp((const char *)sqlite3_column_text(g, 0), sid) == 0;
        sqlite3_reset(g);
        if (rc != SQLITE_ROW)
            return store_db_fail(s, err, "reading a survey");
        if (same) {
            *rid = s->idx.slots[i].rid;
            return CS_OK;
        }
    }
    return CS_OK;
}

/* Insert the new surveys collected (ST_INSERT reads them). */
static cs_status
put_flush(struct cs_store *s, struct cs_err *err)
{
    if (!s->pb.n)
        return CS_OK;
    sqlite3_stmt *q = s->st[ST_INSERT];
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    s->pb.n = 0;
    return rc == SQLITE_DONE ? CS_OK : store_db_fail(s, err, "storing a survey");
}

/* The records of cs_store_put: new surveys into the batch, the others
 * merged (the batch inserted first when the survey is in it). */
static cs_status
put_records(struct cs_store *s, const struct cs_record *recs, const struct cs_put_pre *pre,
            size_t n, struct cs_store_counts *counts, struct cs_err *err)
{
    /* the index slots of the ids PUT_AHEAD records ahead fetched into the
     * cache meanwhile: at a million surveys the index is 32 MB, and a
     * probe's cache miss per record was a tenth of the store thread */
    enum { PUT_AHEAD = 32 };
    if (s->idx.cap)
        for (size_t i = 0; i < n && i < PUT_AHEAD; i++)
            __builtin_prefetch(&s->idx.slots[pre[i].id_h & (s->idx.cap - 1)]);
    /* the resource of the record before, when it was looked up (a
     * merged record's is not) */
    int64_t prev_res = 0;
    size_t prev_k = SIZE_MAX;
    /* and the ratings of the records REC_AHEAD on, which the aggregate reads */
    enum { REC_AHEAD = 4 };
    for (size_t i = 0; s->lc && i < n && i < REC_AHEAD; i++)
        put_prefetch_record(&recs[i], pre[i].present, false);
    for (size_t k = 0; k < n; k++) {
        if (s->idx.cap && k + PUT_AHEAD < n)
            __builtin_prefetch(&s->idx.slots[pre[k + PUT_AHEAD].id_h & (s->idx.cap - 1)]);
        if (s->lc && k + REC_AHEAD < n)
            put_prefetch_record(&recs[k + REC_AHEAD], pre[k + REC_AHEAD].present, false);
        const struct cs_record *r = &recs[k];
        const struct cs_put_pre *p = &pre[k];
        int64_t rid;
        if (find_rid(s, r->survey_id, p->id_h, &rid, err))
            return CS_E_DB;
        if (rid) {
            if (s->pb.n && rid >= s->pb.rows[0].rid && put_flush(s, err))
                return CS_E_DB;
            if (merge_counted(s, rid, r, counts, err))
                return CS_E_DB;
            continue;
        }
        int64_t res = prev_res;
        if ((!p->res_as_prev || prev_k + 1 != k) &&
            resource_rowid(s, r->resource_id, p->n_res, &res, err))
            return CS_E_DB;
        prev_res = res;
        prev_k = k;
        rid = s->next_rid++;
        struct put_row row = {.r = r, .pre = p, .rid = rid, .res = res, .input = s->input_id};
        put_batch_add(&s->pb, &row);
        /* the tags of no catalogue, when the parser's thread saw any */
        for (int c = 0; p->unknown && c < CS_CAT__COUNT; c++)
            if (put_unknown_tags(s, rid, r, c, err))
                return CS_E_DB;
        store_hindex_put(&s->idx, p->id_h, rid);
        if (s->lc) {
            s->lc_input = s->input_id;
            cs_load_cube_record(s->lc, rid, r, res, p->day,
                                &(struct lc_ids){p->call_h, p->part_h, p->sid_h}, p->present);
            if (!cs_load_cube_exact(s->lc))
                cs_load_cube_free(&s->lc); /* too many, or an id it cannot keep */
        }
        counts->stored++;
    }
    return CS_OK;
}

void
cs_store_put_prepare(const struct cs_record *batch, struct cs_put_pre *pre, size_t i,
                     bool cube)
{
    const struct cs_record *r = &batch[i];
    struct cs_put_pre *p = &pre[i];
    p->id_h = store_hash_id(r->survey_id);
    p->day = cs_time_day(r->time_us);
    p->n_sid = (uint16_t)strlen(r->survey_id);
    p->n_call = (uint16_t)strlen(r->call_id);
    p->n_part = (uint16_t)strlen(r->participant_id);
    p->n_corr = (uint16_t)strlen(r->correlation_id);
    p->n_res = (uint16_t)strlen(r->resource_id);
    p->n_op = (uint16_t)strlen(r->operation);
    p->call_h = p->part_h = p->sid_h = 0;
    if (cube) {
        p->call_h = cs_idset_hash((const unsigned char *)r->call_id, p->n_call);
        p->part_h = cs_idset_hash((const unsigned char *)r->participant_id, p->n_part);
        p->sid_h = cs_keyhash((const unsigned char *)r->survey_id, p->n_sid);
    }
    p->corr_is_part =
        p->n_corr == p->n_part && memcmp(r->correlation_id, r->participant_id, p->n_part) == 0;
    p->res_as_prev = i > 0 && p->n_res == pre[i - 1].n_res &&
                     memcmp(r->resource_id, batch[i - 1].resource_id, p->n_res) == 0;
    p->present = p->unknown = 0;
    for (int c = 0; c < CS_CAT__COUNT; c++) {
        const struct cs_rating *rt = &r->rating[c];
        p->n_iss[c] = 0;
        if (!rt->present)
            continue;
        p->n_iss[c] = (uint16_t)strlen(rt->issues);
        p->present |= (uint8_t)(1u << c);
        p->unknown |= (uint8_t)((rt->n_unknown > 0) << c);
    }
}

cs_status
cs_store_put_prepared(struct cs_store *s, const struct cs_record *recs,
                      const struct cs_put_pre *pre, size_t n, struct cs_store_counts *counts,
                      struct cs_err *err)
{
    cs_status rc = put_records(s, recs, pre, n, counts, err);
    if (rc == CS_OK)
        rc = put_flush(s, err);
    s->pb.n = 0; /* the rows borrow recs: none kept past this call */
    return rc;
}

cs_status
cs_store_put(struct cs_store *s, const struct cs_record *recs, size_t n,
             struct cs_store_counts *counts, struct cs_err *err)
{
    struct cs_put_pre *pre = xreallocarray(NULL, n ? n : 1, sizeof *pre);
    for (size_t i = 0; i < n; i++)
        cs_store_put_prepare(recs, pre, i, s->lc != NULL);
    cs_status rc = cs_store_put_prepared(s, recs, pre, n, counts, err);
    xfree(pre);
    return rc;
}

/* 64-bit hash of a text (custom_events.phash, reject_data.rhash), a word at
 * a time: only an index key, every match is confirmed on the text. */
static uint64_t
hash_text(const char *p, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, p, n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

/* ?1 survey id, ?2 time (NULL when none), ?3 answers, ?7 their hash, ?8
 * the event name: the same numbers in ST_EVENT and ST_EVENT_DUP */
static void
bind_event_key(sqlite3_stmt *q, const struct cs_event *ev, int64_t ph)
{
    sqlite3_bind_text(q, 1, ev->survey_id, -1, SQLITE_STATIC);
    if (ev->time_us)
        sqlite3_bind_int64(q, 2, ev->time_us);
    else
        sqlite3_bind_null(q, 2);
    sqlite3_bind_text(q, 3, ev->props, (int)ev->props_len, SQLITE_STATIC);
    sqlite3_bind_int64(q, 7, ph);
    if (ev->name)
        sqlite3_bind_text(q, 8, ev->name, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 8);
}

/* Can ev_keys tell a new event without ST_EVENT_DUP?  Only in a private
 * store (nobody else inserts events) whose table was empty when its first
 * event came: then every stored event's key is in the set. */
static bool
ev_keys_usable(struct cs_store *s)
{
    if (s->ev_keys_state == 0) {
        s->ev_keys_state = -1;
        sqlite3_stmt *q;
        if (s->priv && sqlite3_prepare_v2(s->db, "SELECT EXISTS (SELECT 1 FROM custom_events)",
                                          -1, &q, NULL) == SQLITE_OK) {
            if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) == 0)
                s->ev_keys_state = 1;
            sqlite3_finalize(q);
        }
    }
    return s->ev_keys_state == 1;
}

cs_status
cs_store_event(struct cs_store *s, const struct cs_event *ev,
               struct cs_store_counts *counts, struct cs_err *err)
{
    /* an event already stored with the same survey, name, answers and
     * millisecond (the same file loaded twice, or the CSV and the JSON
     * export of one event: the CSV has milliseconds, JSON 100 ns) is a
     * duplicate; without a time, two events with the same answers are the
     * same event too */
    int64_t ph = (int64_t)hash_text(ev->props, ev->props_len);
    int64_t ms = ev->time_us / 1000 - (ev->time_us % 1000 < 0);
    /* what every duplicate shares (survey id, millisecond or no time,
     * answers' hash): a key not in the set is no duplicate, and the
     * index probe of ST_EVENT_DUP is skipped (at 1M surveys, 335k events:
     * most of the events' load on the store thread) */
    struct {
        uint64_t sid;
        int64_t ms, ph;
    } key = {hash_text(ev->survey_id, strlen(ev->survey_id)), ev->time_us ? ms : INT64_MIN,
             ph};
    bool keys = ev_keys_usable(s);
    int drc = SQLITE_DONE;
    if (!keys || cs_idset_has(&s->ev_keys, (const unsigned char *)&key, (int)sizeof key)) {
        sqlite3_stmt *d = s->st[ST_EVENT_DUP];
        bind_event_key(d, ev, ph);
        if (ev->time_us) /* ?9: the start of the millisecond; NULL: no time */
            sqlite3_bind_int64(d, 9, ms * 1000);
        else
            sqlite3_bind_null(d, 9);
        drc = sqlite3_step(d);
        sqlite3_reset(d);
    }
    if (drc == SQLITE_ROW) {
        counts->duplicates++;
        return CS_OK;
    }
    if (drc != SQLITE_DONE)
        return store_db_fail(s, err, "storing a custom event");
    sqlite3_stmt *q = s->st[ST_EVENT];
    bind_event_key(q, ev, ph);
    if (ev->measurements)
        sqlite3_bind_text(q, 4, ev->measurements, (int)ev->measurements_len,
                          SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 4);
    sqlite3_bind_int64(q, 5, s->input_id);
    sqlite3_bind_int64(q, 6, (int64_t)ev->line);
    const char *ctx[3] = {ev->app_version, ev->client_os, ev->browser};
    for (int k = 0; k < 3; k++)
        if (ctx[k] && ctx[k][0])
            sqlite3_bind_text(q, 10 + k, ctx[k], -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(q, 10 + k);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE)
        return store_db_fail(s, err, "storing a custom event");
    if (keys)
        cs_idset_add(&s->ev_keys, (const unsigned char *)&key, (int)sizeof key);
    counts->stored++;
    return CS_OK;
}

cs_status
cs_store_reject(struct cs_store *s, const struct cs_record *rec,
                const char *raw, size_t raw_len, struct cs_err *err)
{
    if (!raw)
        raw = "", raw_len = 0;
    int64_t h = (int64_t)(hash_text(raw, raw_len) ^
                          (hash_text(rec->reason, strlen(rec->reason)) * 0x9e3779b97f4a7c15ull));
    /* the same rejected record (same source, place, reason and text) is
     * kept once; anything else is kept */
    sqlite3_stmt *d = s->st[ST_REJECT_DUP];
    for (int k = 0; k < 2; k++) {
        sqlite3_stmt *q = k ? s->st[ST_REJECT] : d;
        sqlite3_bind_int64(q, 1, s->input_id);
        sqlite3_bind_text(q, 2, s->source ? s->source : "", -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 3, (int64_t)rec->line);
        sqlite3_bind_int64(q, 4, rec->index);
        sqlite3_bind_text(q, 5, rec->reason, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 6, raw, (int)raw_len, SQLITE_STATIC);
        sqlite3_bind_int64(q, 7, h);
    }
    int drc = sqlite3_step(d);
    sqlite3_reset(d);
    if (drc == SQLITE_ROW)
        return CS_OK;
    if (drc != SQLITE_DONE)
        return store_db_fail(s, err, "storing a rejected record");
    sqlite3_stmt *q = s->st[ST_REJECT];
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE)
        return store_db_fail(s, err, "storing a rejected record");
    return CS_OK;
}
