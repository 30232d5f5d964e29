/*
 * store/store.h: the survey store, the only user of SQLite.
 *
 * One row per survey in a rowid table (appends stay cheap: no random-order
 * TEXT primary key), found again by SurveyId through an in-memory hash
 * index the store keeps beside the database (loaded from it on open).  The
 * four ratings are columns of that row; the contract views of DESIGN.md §7
 * (surveys, ratings, rating_issues, rejects, custom) expand them for
 * templates and statistics.  Records with the same SurveyId merge category
 * by category (DESIGN.md §5): a category only one record has is kept, the
 * later TimeGenerated (to Azure's 100 ns) wins where both have it (updated),
 * a record that rates a category at exactly the stored time with another
 * content is a conflict (the version that sorts first by score, scale and
 * issues is kept, whatever the input order, and both are kept in
 * conflict_data), and a record that adds nothing is a duplicate.
 *
 * Every input is one transaction: cs_store_input_begin .. _end(commit).
 */
#ifndef CS_STORE_H
#define CS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "model/survey.h"
#include "store/put_pre.h"

struct cs_store;

struct cs_store_opts {
    const char *path;         /* database file; NULL = private database for the run */
    uint64_t expected_bytes;  /* input size hint: a private store goes to a
                                  temporary file above 64 MiB, memory below */
    double default_threshold; /* threshold for default-scale ratings (2) */
    bool read_only;           /* open an existing --db for reading only: a
                                  missing file is "no such database" */
};

/* What a batch of records did to the store. */
struct cs_store_counts {
    uint64_t stored;     /* new surveys */
    uint64_t duplicates; /* records that added nothing */
    uint64_t updated;    /* records that added or replaced a category */
    uint64_t conflicts;  /* records that disagreed with a stored category at
                            the same time (decided by content) */
};

/* Open (creating the schema if needed; an existing file must be a
 * callsurvey database of this schema or an older one, checked before
 * anything is written).  The run's default threshold lives in a TEMP
 * table of the connection, never in a row another run can change.  A
 * private database on disk is a new mode-0600 file from mkstemp in
 * $TMPDIR (default /tmp), removed on close; stale ones of dead runs are
 * removed on open.  Returns owned store in *out (close
 * with cs_store_close).  Errors: CS_E_DB / CS_E_IO naming the path. */
cs_status cs_store_open(const struct cs_store_opts *opts, struct cs_store **out,
                        struct cs_err *err);
/* Close and free; *s becomes NULL.  An open input transaction is rolled
 * back.  cs_store_close(NULL) and a NULL *s are no-ops. */
void cs_store_close(struct cs_store **s);

/* How long a connection waits for another run's lock on a --db (ms). */
#define CS_STORE_BUSY_MS 60000

/* A second, read-only connection to private store s for reading on
 * another thread (issue 22: the statistics' scans and the join audit side
 * by side): a store of its own, opened immutable (no locks), with the
 * run's settings.  Only for a private store on disk with no input
 * transaction open; CS_E_USAGE otherwise, err untouched.  s's file must
 * not be written nor s closed while the twin is open (a transaction whose
 * pages stay in memory, cs_calls_join_held, writes nothing to it).  Returns owned store in *out
 * (close with cs_store_close).  Errors: CS_E_DB. */
cs_status cs_store_open_twin(struct cs_store *s, struct cs_store **out, struct cs_err *err);

/* The loading is over: free what only speeds up adding records (the
 * survey ids' index and the stored events' keys: about 40 MB at a million
 * surveys, which a report's statistics and workbook then have for
 * themselves).  A later input still works: it reloads the index and
 * checks its events against the table.  A database file this run created,
 * whose first load was written without WAL (each page once, not to the log
 * and again at the checkpoint), goes to WAL now, so that a reader never
 * waits for a later writer; without waiting: when another connection has
 * the file open it stays as it is, and the next writable open sets WAL.
 * (During that first load a reader may wait for the writer: SQLite's busy
 * timeout, CS_STORE_BUSY_MS.)  A no-op inside an input. */
void cs_store_load_over(struct cs_store *s);

/* Keep the statistics' aggregate while this private store loads
 * (store/load_cube.h): the model's scans of whole-day windows then read it
 * instead of every survey.  A no-op unless s is private, not histograms,
 * and holds no survey yet; dropped by a rolled-back input, and given up
 * past max_surveys surveys (CS_STORE_CUBE_MAX: 4M, 144 MB).  Costs 36
 * bytes per survey until cs_store_drop_cube or cs_store_close. */
#define CS_STORE_CUBE_MAX 4000000
void cs_store_keep_cube(struct cs_store *s, size_t max_surveys);
/* Free the aggregate (scans read SQLite from then on); a twin forgets the
 * one it borrowed. */
void cs_store_drop_cube(struct cs_store *s);
/* Lend s's aggregate, when it keeps one, to its twin (cs_store_open_twin),
 * whose join audit then reads the surveys' keys from it instead of
 * survey_data (store/join_keys.c).  s must neither change nor drop it
 * while the twin reads (until the twin is closed or drops it). */
void cs_store_lend_cube(struct cs_store *s, struct cs_store *twin);
/* Does s keep (or borrow) that aggregate now? */
bool cs_store_has_cube(const struct cs_store *s);

/* Give s what twin's reads kept for the next read (the join audit's key
 * passes, which the workbook's Custom sheet reads again), as if s had read
 * it: only when s's tables are those twin read, but for survey_leg (the
 * calls join, cs_calls_join_held, writes nothing else).  twin keeps none. */
void cs_store_take_memos(struct cs_store *s, struct cs_store *twin);

/* Open a read transaction: every query until cs_store_read_end sees one
 * snapshot of the database (a report's statistics, template steps and
 * sheets agree although another run commits meanwhile).  A no-op while
 * one is open or an input transaction is.  Errors: CS_E_DB. */
cs_status cs_store_read_begin(struct cs_store *s, struct cs_err *err);
/* End it (no-op when none is open or s is NULL). */
void cs_store_read_end(struct cs_store *s);

/* Let sorts larger than the page cache spill to temporary files instead
 * of memory (the Data sheet's export of every survey: 137 MB instead of
 * 325 MB per million).  SQLite drops the temp schema on this switch and
 * refuses it inside a transaction, so call it before cs_store_read_begin;
 * the run's settings are made again.  Errors: CS_E_DB. */
cs_status cs_store_spill_sorts(struct cs_store *s, struct cs_err *err);

/* Is name one of the views the store shadows with a TEMP copy per
 * connection (they read the run's settings)?  store/privacy_views.c keeps them. */
bool cs_store_temp_view(const char *name);

/* Start the transaction of one input named `source` (as messages name it). */
cs_status cs_store_input_begin(struct cs_store *s, const char *source,
                               struct cs_err *err);
/* Add valid records (borrowed), adding to *counts. */
cs_status cs_store_put(struct cs_store *s, const struct cs_record *recs,
                       size_t n, struct cs_store_counts *counts,
                       struct cs_err *err);

/* pre[i] for batch[i], from the records batch[0..i] alone (no store);
 * the ids' hashes for the load's aggregate only when cube (a store that
 * keeps one, cs_store_has_cube before the load: it may drop it, never gain
 * one; without them they are 0: about 0.06 s of a million-survey
 * `ingest --db`, the parser's thread its bottleneck). */
void cs_store_put_prepare(const struct cs_record *batch, struct cs_put_pre *pre, size_t i,
                          bool cube);
/* cs_store_put with pre as cs_store_put_prepare made it from recs (both
 * borrowed; the records unchanged since). */
cs_status cs_store_put_prepared(struct cs_store *s, const struct cs_record *recs,
                                const struct cs_put_pre *pre, size_t n,
                                struct cs_store_counts *counts, struct cs_err *err);
/* Add one custom event (borrowed).  A repeat (same survey id, event name,
 * answers, and time to the millisecond, the coarsest precision of the
 * export forms) is counted as a duplicate and not stored again: the
 * portal CSV and the JSON export of one event are one event.  ev->props
 * must be canonical (cs_event_emit sorts the keys). */
struct cs_event;
cs_status cs_store_event(struct cs_store *s, const struct cs_event *ev,
                         struct cs_store_counts *counts, struct cs_err *err);

/* Keep one rejected record with its reason and raw text (borrowed).
 * Re-ingesting the same rejected record does not add a second row. */
cs_status cs_store_reject(struct cs_store *s, const struct cs_record *rec,
                          const char *raw, size_t raw_len, struct cs_err *err);

/* Accounting of one input, recorded in the inputs table. */
struct cs_input_summary {
    const char *format; /* "jsonl", "csv", ... (borrowed) */
    uint64_t bytes, read, stored, duplicates, updated, rejected, unknown_tags;
    uint64_t conflicts;
};
/* Commit (commit=true) or roll back the input's transaction.  A rollback
 * also restores the in-memory SurveyId index. */
cs_status cs_store_input_end(struct cs_store *s, bool commit,
                             const struct cs_input_summary *sum,
                             struct cs_err *err);

/* Totals over the store. */
struct cs_store_totals {
    uint64_t surveys, rejects;
};
cs_status cs_store_totals(struct cs_store *s, struct cs_store_totals *t,
                          struct cs_err *err);

/* Whether table has column (column NULL: whether the table exists); true
 * when the check itself fails, so the caller's query reports the error.  A
 * database opened read-only is not upgraded (cs_store_open does that on a
 * read-write open), so readers ask before naming a newer column. */
bool cs_store_has_column(struct cs_store *s, const char *table, const char *column);

/* The same check where a failure must end the run: SQLite may have rolled
 * back the connection's transaction with it (an allocation failing in a
 * statement does), taking what the caller made in it.  *yes; CS_E_DB
 * ("checking the table T: ...") when the check failed. */
cs_status cs_store_column_check(struct cs_store *s, const char *table, const char *column,
                                bool *yes, struct cs_err *err);

/* The sum of the inputs this store (this run) committed, survey inputs
 * (events false) or custom-event inputs (format "events"); *n_inputs gets
 * how many.  Kept in memory: another process's inputs committed to the
 * same database meanwhile are not this run's. */
void cs_store_run_totals(struct cs_store *s, bool events,
                         struct cs_input_summary *sum, uint64_t *n_inputs);

/* The SQLite handle, for the read-only query runner and the statistics
 * queries of this module's siblings (store/query.c).  Borrowed. */
struct sqlite3 *cs_store_db(struct cs_store *s);

/* The default threshold the store applies to default-scale ratings. */
double cs_store_default_threshold(struct cs_store *s);

#endif
