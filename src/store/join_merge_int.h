/*
 * store/join_merge_int.h: what the merge of store/join_merge.c and its key
 * passes (store/join_keys.c) share: the state of one merge (struct jm),
 * the groups of events by survey id.  Internal to those two files.
 */
#ifndef CS_STORE_JOIN_MERGE_INT_H
#define CS_STORE_JOIN_MERGE_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "store/join_answers.h"
#include "store/join_left.h"
#include "store/join_merge.h"

#define NONE UINT32_MAX
#define TAG 0xffffffff00000000ull

/* One answered survey id: the events of the window with that id (R1 of
 * the SQL form: its id is the first event's, its time the latest's). */
struct grp {
    uint64_t h;   /* cs_keyhash of the id */
    uint64_t off; /* the id in the arena, NUL-terminated */
    uint32_t len;
    uint32_t n; /* events */
    int64_t id; /* min(id) */
    int64_t t;  /* max(time_us), when has_t */
    bool has_t; /* some event has a time */
    bool in_l;  /* some survey of L has this id */
};

/* The answers of single-event groups are read by one scan of the events
 * in id order (reseeked on a jump ahead) whose last EV_RING rows are kept:
 * the rows come in survey order, which is nearly the events' own order
 * (an event follows its survey by a minute or so), and a step of the scan
 * costs less than a lookup by id (1M surveys, 316k answered: the lookups
 * were 0.77 s of the Custom sheet's join).  An event further back is read
 * by id. */
#define EV_RING 256
#define RING_DENSE 8 /* right-only rows read through the ring: one event in this many */
#define G_AHEAD 8    /* rows ahead whose group is prefetched */
#define EV_SKIP 64   /* rows stepped over at most to reach an event */
#define EV_MISSES 4  /* events in a row not in reach before a seek */
struct ev_slot {
    int64_t id;
    struct cs_buf t; /* props, NUL, measurements, NUL */
    size_t meas;     /* measurements' offset in t */
    bool has_p, has_m;
};
struct ev_ring {
    sqlite3_stmt *q;      /* owned: the events from id ?1 on, in id order */
    struct ev_slot *slot; /* owned: EV_RING, the newest at head - 1 */
    size_t n, head;
    int64_t last; /* the id read last */
    bool started, end;
    int misses; /* events in a row not found in the ring */
};

struct jm {
    sqlite3 *db;
    const struct cs_filter *f;
    const char *lw, *rw;
    struct grp *g; /* owned */
    size_t ng, cg;
    char *ar; /* owned: the groups' ids */
    size_t nar, car;
    uint64_t *tab; /* owned: the hash's high half | group index + 1; 0 empty */
    size_t ctab;
    struct cs_join_lkey *k; /* owned: the surveys to list, in order */
    size_t nk, ck;
    uint64_t nl;   /* surveys in L */
    bool unsorted; /* L's rowid order is not its (time, id) order */
    int64_t seq_rid;
    bool seq_done;
    sqlite3_stmt *lseq, *lrow, *one, *multi, *group; /* owned */
    struct cs_join_answers ja;                       /* multi's rows merged in C */
    struct ev_ring ev;                               /* the single events' answers, read in id order */
    bool by_id;                                      /* single events read by id, not through ev */
    int64_t *res_id;                                 /* owned: resource_data's ids, ascending */
    char **res_name;                                 /* owned (each owned): their names */
    size_t n_res;
    cs_join_cb cb;
    void *ctx;
    const char *what;        /* errors: "<what>: <SQLite's message>" */
    bool nomem;              /* a NOT NULL column came back NULL: out of memory */
    uint64_t n_ev;           /* events read */
    bool borrowed;           /* g, ar and tab are the store's memo's */
    struct cs_join_lkey *mk; /* owned: the answered surveys of the rowid pass,
                                 for the memo; NULL = not kept */
    size_t nmk, cmk;
    struct cs_join_audit *au; /* W_AUDIT: the counts */
    double *skew;             /* W_AUDIT: owned, the latest event - survey, s */
    size_t n_skew, c_skew;
};

/* the surveys a pass keeps: none, answered, unanswered, all; W_AUDIT
 * keeps none but counts them into m->au */
enum want { W_NONE,
            W_MATCHED,
            W_UNMATCHED,
            W_ALL,
            W_AUDIT };

/* "<m->what>: <SQLite's message>" (out of memory when m->nomem) into err. */
cs_status jm_fail(struct jm *m, struct cs_err *err);
/* Prepare sql on m's connection into *q with the filter's parameters
 * bound; jm_fail on error. */
cs_status jm_prep(struct jm *m, const char *sql, sqlite3_stmt **q, struct cs_err *err);

/* The right side: the events of the window in survey id order (the index
 * alone), grouped into m->g (equal ids are neighbours) and hashed into
 * m->tab. */
cs_status jm_r_load(struct jm *m, struct cs_err *err);
/* The left side: the surveys of L by rowid (first pass: marks the groups L
 * answers, notes whether rowid order is (time, id) order) or by (time, id)
 * (the second pass, when it is not), keeping in m->k the keys of the
 * surveys w asks for, in the pass's order (W_AUDIT: counted into m->au). */
cs_status jm_l_keys(struct jm *m, bool by_time, enum want w, struct cs_err *err);
/* jm_l_keys's rowid pass from the heads of the load's aggregate lc
 * (store/load_cube.h: time, resource and survey id hash by rid) instead
 * of survey_data: at 1M surveys 0.15 s of SQLite rows on the audit's
 * thread (issue 22).  A survey's group is found by its id's hash alone;
 * surveys of equal time mark L unsorted (their ids are not at hand). */
struct cs_load_cube;
cs_status jm_l_keys_mem(struct jm *m, const struct cs_load_cube *lc, enum want w,
                        struct cs_err *err);

#endif
