/*
 * store/store_int.h: what store.c (opening, inputs, events, rejects) and
 * store_put.c (survey records: upsert by SurveyId, merge, conflicts)
 * share: the store's private struct and its SurveyId index (and, for
 * join_merge.c, the join memo it keeps).  Not for other modules.
 */
#ifndef CS_STORE_STORE_INT_H
#define CS_STORE_STORE_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/survey.h"
#include "store/idset.h"
#include "store/put_batch.h"
#include "store/store.h"

struct cs_load_cube; /* store/load_cube.h */

/* ---- hash index: SurveyId hash -> rid -------------------------------- */

struct slot {
    uint64_t h;  /* hash of the SurveyId; 0 = empty slot */
    int64_t rid; /* survey_data rowid */
};

struct hindex {
    struct slot *slots; /* owned */
    size_t cap;         /* power of two */
    size_t n;           /* used slots */
};

enum stmt_id {
    ST_INSERT,
    ST_GET,
    ST_UPD_CAT0, /* + category */
    ST_UPD_HEAD = ST_UPD_CAT0 + CS_CAT__COUNT,
    ST_UNK_DEL,
    ST_UNK_INS,
    ST_REJECT,
    ST_RES_FIND,
    ST_RES_INS,
    ST_INPUT_INS,
    ST_INPUT_UPD,
    ST_EVENT,
    ST_EVENT_DUP,
    ST_REJECT_DUP,
    ST_CONFLICT,
    ST_CONFLICT_DUP,
    ST_LC_ROW, /* store/load_cube.h: a survey's counted columns */
    ST__COUNT
};

/* What reads keep for the next read of the same window (cs_store_memo).
 * Every memo begins with its struct store_stamp (cs_store_take_memos
 * stamps it anew). */
enum store_memo {
    STORE_MEMO_JOIN,  /* store/join_merge.c: the merge's key passes */
    STORE_MEMO_KEYS,  /* store/join.c: the answers' member keys and counts */
    STORE_MEMO_CALLS, /* store/calls_join.c: the calls join's audit */
    STORE_MEMO__COUNT
};

/* The resources met in the open input and their resource_data ids: a few
 * resources alternate from row to row (a one-entry cache missed two rows
 * in three at 1M surveys over three resources: 0.4 s of lookups). */
#define RES_CACHE_MAX 8
struct res_cache {
    char id[RES_CACHE_MAX][CS_RESOURCE_MAX + 1];
    size_t len[RES_CACHE_MAX];
    int64_t rowid[RES_CACHE_MAX];
    unsigned n, next; /* entries used; the one replaced next when full */
};

struct cs_store {
    sqlite3 *db;                    /* owned connection */
    sqlite3_stmt *st[ST__COUNT];    /* owned prepared statements */
    struct put_batch pb;            /* new surveys not yet inserted (ST_INSERT
                                       reads them: store/put_batch.h) */
    struct hindex idx;              /* SurveyId -> rid */
    int64_t next_rid;               /* next rowid to assign */
    int64_t input_id;               /* inputs.id of the open input, 0 = none */
    bool in_tx;                     /* an input transaction is open */
    struct res_cache res;           /* resource id -> resource_data id */
    char *tmp_path;                 /* owned: private temp file to unlink */
    int tmp_handle;                 /* its entry in core/afile's cleanup table */
    char *source;                   /* owned: name of the open input */
    double default_threshold;       /* for default-scale ratings */
    bool index_loaded;              /* idx reflects the table */
    int64_t data_version;           /* PRAGMA data_version when idx was checked */
    bool in_read;                   /* a read transaction (snapshot) is open */
    struct cs_input_summary run[2]; /* committed this run: surveys, events */
    uint64_t run_inputs[2];
    bool hist;                                    /* histograms-backed (store/hist_load.h) */
    bool priv;                                    /* a private store: no other connection writes */
    bool wal_later;                               /* a database file this run created: WAL at cs_store_load_over */
    struct cs_idset ev_keys;                      /* owned: the keys of the stored events
                                       (store_put.c cs_store_event) */
    int ev_keys_state;                            /* 0 not checked, 1 complete, -1 not used */
    int64_t held_cache_size;                      /* PRAGMA cache_size before
                                       cs_calls_join_held (0: none) */
    struct cs_load_cube *lc;                      /* owned unless lc_lent: store/load_cube.h; NULL: none */
    bool lc_lent;                                 /* lc is the store's this twin was opened from */
    int64_t lc_input;                             /* the input that last counted surveys into lc (a rollback of
                         another leaves lc as it is) */
    void *memo[STORE_MEMO__COUNT];                /* owned: what a read kept for the next */
    void (*memo_free[STORE_MEMO__COUNT])(void *); /* ... and how to free each */
};

/* The store's memo k, NULL when none; setting one frees the previous with
 * its free function. */
void *cs_store_memo(struct cs_store *s, enum store_memo k);
void cs_store_set_memo(struct cs_store *s, enum store_memo k, void *mo, void (*free_fn)(void *));

/* When a memo was kept: the window it is for, and the connection's and
 * the database's change counters then. */
struct store_stamp {
    char *key; /* owned */
    int64_t changes, data_version;
};
/* Stamp st with key (taken) and the counters now. */
void store_stamp_set(struct cs_store *s, struct store_stamp *st, char *key);
/* Was st made for key with nothing changed since? */
bool store_stamp_same(struct cs_store *s, const struct store_stamp *st, const char *key);

/* FNV-1a of a SurveyId with a final mix; never 0. */
uint64_t store_hash_id(const char *s);
/* Remember rid under hash h (grows the index). */
void store_hindex_put(struct hindex *x, uint64_t h, int64_t rid);
/* Fail with SQLite's message for what was being done (CS_E_DB). */
cs_status store_db_fail(struct cs_store *s, struct cs_err *err, const char *what);

#endif
