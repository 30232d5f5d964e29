/*
 * store/join_answers.h: the answers of a survey answered in several custom
 * events, merged in C as the merge's SQL rule (join_merge.c's R1_SQL,
 * the survey_custom view's) merges them: per key, the member of the
 * latest event (by time, an event without one older than any with one,
 * then by event id), the keys in byte order, printed as SQLite's
 * json_group_object prints them.  Issue 22: that SQL (json_each, a window
 * function, two sorts, for answers and measurements) took about 80,000
 * instructions per survey, a fifth of the Custom sheet's reading at 1M
 * surveys.
 *
 * Only for answers as ingest stores them: objects whose members are
 * strings without escapes or control bytes and whole numbers of at most 15
 * digits (not -0), no key repeated within one object, no blanks.  Any
 * other answer of the survey's events and the caller uses the SQL.
 * Internal to the store module.
 */
#ifndef CS_STORE_JOIN_ANSWERS_H
#define CS_STORE_JOIN_ANSWERS_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* The merger's state, reused from survey to survey (zero it to start). */
struct cs_join_answers {
    sqlite3_stmt *q;      /* borrowed: the events of one survey id (?1) */
    struct cs_buf text;   /* owned: the events' answers as read */
    struct cs_buf props;  /* owned: the merged answers */
    struct cs_buf meas;   /* owned: the merged measurements */
    struct ja_member *mb; /* owned: the members read */
    size_t n_mb, cap_mb;
    struct ja_event *ev; /* owned */
    size_t n_ev, cap_ev;
};

/* Merge the answers of the events q gives for survey id sid (len bytes):
 * q (borrowed, prepared by the caller) is "SELECT id, time_us, props,
 * measurements FROM custom_events e WHERE <the window> AND e.survey_id =
 * ?1", its window's parameters bound; it is reset here.  1: merged,
 * *props (never NULL) and *meas (NULL: no measurement) valid until the next
 * call; 0: an answer is not plain (use the SQL); -1: reading failed
 * (SQLite's error on q's connection). */
int cs_join_answers_merge(struct cs_join_answers *ja, sqlite3_stmt *q, const char *sid,
                          size_t len, const char **props, const char **meas);

/* Free what ja owns (not q). */
void cs_join_answers_free(struct cs_join_answers *ja);

/* Merge in C (true; tests compare it with the SQL by turning it off). */
extern bool cs_join_answers_on;

#endif
