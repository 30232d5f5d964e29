/*
 * store/join_answers.c: see join_answers.h.
 */
#include "store/join_answers.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_plain.h"
#include "core/mem.h"

bool cs_join_answers_on = true;

/* One event as read: its rank (latest first) by time, then id. */
struct ja_event {
    int64_t id, t;
    bool has_t;
};

/* One member of an event's answers (d 0) or measurements (d 1), its
 * texts as offsets into ja->text. */
struct ja_member {
    size_t key, key_len, val, val_len;
    bool is_string;
    unsigned char d;
    uint32_t ev; /* its event */
};

/* Is event a later than b in "ORDER BY time_us DESC, id DESC" (SQLite
 * puts NULL, the smallest value, last)? */
static bool
later(const struct ja_event *a, const struct ja_event *b)
{
    if (a->has_t != b->has_t)
        return a->has_t;
    if (a->has_t && a->t != b->t)
        return a->t > b->t;
    return a->id > b->id;
}

/* By d, then key (BINARY: bytes, then length), then latest event first;
 * text: the members' texts. */
static int
cmp_member(const void *pa, const void *pb, void *text)
{
    const struct ja_member *a = pa, *b = pb;
    const char *sort_text = text;
    if (a->d != b->d)
        return a->d < b->d ? -1 : 1;
    size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
    int c = memcmp(sort_text + a->key, sort_text + b->key, n);
    if (c)
        return c;
    if (a->key_len != b->key_len)
        return a->key_len < b->key_len ? -1 : 1;
    return (a->ev > b->ev) - (a->ev < b->ev); /* ev: the event's rank, latest 0 */
}

/* Event e's object text (d) into the members; false when not plain or a
 * key repeats within it (SQL's order between the two is not defined). */
static bool
read_object(struct cs_join_answers *ja, const char *t, size_t len, unsigned char d, uint32_t e)
{
    size_t first = ja->n_mb, base = ja->text.n;
    cs_buf_add(&ja->text, t, len);
    const char *b = ja->text.s + base;
    struct cs_plain_iter it;
    struct cs_plain_member m;
    int r;
    cs_plain_begin(&it, b, len, false);
    while ((r = cs_plain_next(&it, &m)) > 0) {
        if (!m.is_string && m.val_len == 2 && m.val[0] == '-' && m.val[1] == '0')
            return false; /* -0: as SQLite prints it, not decided here */
        for (size_t i = first; i < ja->n_mb; i++)
            if (ja->mb[i].key_len == m.key_len &&
                memcmp(ja->text.s + ja->mb[i].key, m.key, m.key_len) == 0)
                return false;
        if (ja->n_mb == ja->cap_mb) {
            ja->cap_mb = ja->cap_mb ? 2 * ja->cap_mb : 32;
            ja->mb = xreallocarray(ja->mb, ja->cap_mb, sizeof *ja->mb);
        }
        ja->mb[ja->n_mb++] = (struct ja_member){
            .key = base + (size_t)(m.key - b),
            .key_len = m.key_len,
            .val = base + (size_t)(m.val - b),
            .val_len = m.val_len,
            .is_string = m.is_string,
            .d = d,
            .ev = e,
        };
    }
    return r == 0;
}

/* The latest member of each key of d (members sorted), printed as
 * json_group_object prints them into out; false when d has none. */
static bool
print_merged(struct cs_join_answers *ja, unsigned char d, struct cs_buf *out)
{
    out->n = 0;
    size_t n = 0;
    for (size_t i = 0; i < ja->n_mb; i++) {
        const struct ja_member *m = &ja->mb[i];
        if (m->d != d ||
            (i > 0 && ja->mb[i - 1].d == d && ja->mb[i - 1].key_len == m->key_len &&
             memcmp(ja->text.s + ja->mb[i - 1].key, ja->text.s + m->key, m->key_len) == 0))
            continue; /* another key, or an older member of this one */
        cs_buf_add(out, n++ ? ",\"" : "{\"", 2);
        cs_buf_add(out, ja->text.s + m->key, m->key_len);
        cs_buf_add(out, "\":", 2);
        if (m->is_string)
            cs_buf_add(out, "\"", 1);
        cs_buf_add(out, ja->text.s + m->val, m->val_len);
        if (m->is_string)
            cs_buf_add(out, "\"", 1);
    }
    cs_buf_add(out, n ? "}" : "", n ? 2 : 1); /* with the NUL */
    return n > 0;
}

/* The events ranked latest first: ja->ev reordered, each member's ev its
 * event's rank. */
static void
rank_events(struct cs_join_answers *ja)
{
    size_t n = ja->n_ev;
    uint32_t rank[64];
    /* few events per survey: insertion order by "later" */
    uint32_t order[64];
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        while (j > 0 && later(&ja->ev[i], &ja->ev[order[j - 1]])) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = (uint32_t)i;
    }
    for (size_t r = 0; r < n; r++)
        rank[order[r]] = (uint32_t)r;
    for (size_t i = 0; i < ja->n_mb; i++)
        ja->mb[i].ev = rank[ja->mb[i].ev];
}

int
cs_join_answers_merge(struct cs_join_answers *ja, sqlite3_stmt *q, const char *sid, size_t len,
                      const char **props, const char **meas)
{
    if (!cs_join_answers_on)
        return 0;
    ja->text.n = 0;
    ja->n_mb = ja->n_ev = 0;
    sqlite3_reset(q);
    sqlite3_bind_text(q, 1, sid, (int)len, SQLITE_STATIC);
    int rc, plain = 1;
    while (plain && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (ja->n_ev == 64) {
            plain = 0; /* many answers: the SQL */
            break;
        }
        if (ja->n_ev == ja->cap_ev) {
            ja->cap_ev = ja->cap_ev ? 2 * ja->cap_ev : 8;
            ja->ev = xreallocarray(ja->ev, ja->cap_ev, sizeof *ja->ev);
        }
        uint32_t e = (uint32_t)ja->n_ev;
        ja->ev[ja->n_ev++] = (struct ja_event){
            .id = sqlite3_column_int64(q, 0),
            .t = sqlite3_column_int64(q, 1),
            .has_t = sqlite3_column_type(q, 1) != SQLITE_NULL,
        };
        for (int c = 0; plain && c < 2; c++) {
            int type = sqlite3_column_type(q, 2 + c);
            if (type == SQLITE_NULL && c == 1)
                continue;
            const char *t = (const char *)sqlite3_column_text(q, 2 + c);
            if (!t) { /* NOT NULL props read as NULL: out of memory */
                sqlite3_reset(q);
                return -1;
            }
            plain = type == SQLITE_TEXT &&
                    read_object(ja, t, (size_t)sqlite3_column_bytes(q, 2 + c), (unsigned char)c, e);
        }
    }
    if (plain && rc != SQLITE_DONE) {
        sqlite3_reset(q);
        return -1;
    }
    sqlite3_reset(q);
    if (!plain)
        return 0;
    rank_events(ja);
    qsort_r(ja->mb, ja->n_mb, sizeof *ja->mb, cmp_member, ja->text.s);
    print_merged(ja, 0, &ja->props);
    if (!ja->props.n || !ja->props.s[0]) {
        ja->props.n = 0;
        cs_buf_add(&ja->props, "{}", 3);
    }
    *props = ja->props.s;
    *meas = print_merged(ja, 1, &ja->meas) ? ja->meas.s : NULL;
    return 1;
}

void
cs_join_answers_free(struct cs_join_answers *ja)
{
    cs_buf_free(&ja->text);
    cs_buf_free(&ja->props);
    cs_buf_free(&ja->meas);
    xfree(ja->mb);
    xfree(ja->ev);
    memset(ja, 0, sizeof *ja);
}
