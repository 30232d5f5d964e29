/*
 * store/filter_sql.h: the one SQL form of a survey filter (model/filter.h)
 * over survey_data aliased d, shared by every query of the store, so that
 * all of them select the same surveys.  Parameters: ?99 the default
 * threshold, ?100 since, ?101 until, ?102... the resources.
 */
#ifndef CS_STORE_FILTER_SQL_H
#define CS_STORE_FILTER_SQL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/filter.h"

/* The WHERE condition of f (NULL = all: "1") into buf (cap bytes; the
 * resource list is cut when it does not fit). */
void cs_filter_where(const struct cs_filter *f, char *buf, size_t cap);
/* The SELECT of the resource_data ids that f's resources name (?102...;
 * none: no row) into buf (cap bytes), as cs_filter_where's IN list. */
void cs_filter_resource_ids(const struct cs_filter *f, char *buf, size_t cap);
/* The resource_data ids f's resources name, ascending, into *ids (owned:
 * xfree; NULL and 0 when f names none).  SQLite's result code. */
int cs_filter_resource_id_list(sqlite3 *db, const struct cs_filter *f, int64_t **ids, size_t *n);
/* The index of id among the n ascending ids, n when it is not there. */
size_t cs_ids_find(const int64_t *ids, size_t n, int64_t id);
/* Is id among the n ascending ids? */
bool cs_ids_has(const int64_t *ids, size_t n, int64_t id);
/* Bind f's parameters to q, and ?99 to def_thr when q has it.  The
 * filter's strings must outlive the statement (bound SQLITE_STATIC). */
void cs_filter_bind(sqlite3_stmt *q, const struct cs_filter *f, double def_thr);

#endif
