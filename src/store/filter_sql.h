/*
 * store/filter_sql.h: the one SQL form of a survey filter (model/filter.h)
 * over survey_data aliased d, shared by every query of the store, so that
 * all of them select the same surveys.  Parameters: ?99 the default
 * threshold, ?100 since, ?101 until, ?102... the resources.
 */
#ifndef CS_STORE_FILTER_SQL_H
#define CS_STORE_FILTER_SQL_H

#include <sqlite3.h>
#include <stddef.h>

#include "model/filter.h"

/* The WHERE condition of f (NULL = all: "1") into buf (cap bytes; the
 * resource list is cut when it does not fit). */
void cs_filter_where(const struct cs_filter *f, char *buf, size_t cap);
/* Bind f's parameters to q, and ?99 to def_thr when q has it.  The
 * filter's strings must outlive the statement (bound SQLITE_STATIC). */
void cs_filter_bind(sqlite3_stmt *q, const struct cs_filter *f, double def_thr);

#endif
