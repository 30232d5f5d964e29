/*
 * store/app_latest.h: each survey id's latest app version, browser and
 * client OS from its custom events, held in memory (issue 22).  Internal to
 * the store module (store/calls_join.c).
 *
 * For each of the three columns, a survey's value is that of its latest
 * event having the column (not NULL): latest by time, then by event id, an
 * event without a time counting as older than any with one; the rule of
 * the survey_leg columns (store/call_legs.h).  One pass over the events in
 * id order (the rowid's: no sort), where ORDER BY survey_id, time_us DESC, id DESC sorted every
 * event with its values (about 2 s of a million surveys' load).
 *
 * The map owns its ids and values (each distinct value once); free it with cs_app_latest_free.
 */
#ifndef CS_STORE_APP_LATEST_H
#define CS_STORE_APP_LATEST_H

#include <stddef.h>

struct sqlite3;
struct cs_app_latest;

/* One value: len bytes at p, SQLite type (SQLITE_TEXT or SQLITE_BLOB);
 * p NULL when the survey has no such value. */
struct cs_app_value {
    const char *p;
    int len;
    int type;
};

/* Read the events of db into *out (NULL when none has any of the three
 * values).  SQLite's result code: SQLITE_OK, or the failing step's code
 * with *out NULL and nothing to free. */
int cs_app_latest_load(struct sqlite3 *db, struct cs_app_latest **out);

/* The three values (app version, browser, client OS) of each of n survey
 * ids (len[i] bytes at id[i]) into v[i][0..2]; all NULL when m is NULL or
 * the id has none.  The ids are looked up together (store/keymap.h's
 * cs_keymap_find_many: their cache misses overlap).  The pointers stay
 * valid until cs_app_latest_free. */
void cs_app_latest_get_many(const struct cs_app_latest *m, size_t n, const char *const *id,
                            const size_t *len, struct cs_app_value (*v)[3]);

/* Free m (NULL is fine). */
void cs_app_latest_free(struct cs_app_latest *m);

#endif
