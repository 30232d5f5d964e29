/*
 * store/dim_sql.h: the SQL functions of the release dimensions (issue 20),
 * registered on every connection the store opens.
 */
#ifndef CS_STORE_DIM_SQL_H
#define CS_STORE_DIM_SQL_H

struct sqlite3;

/* Register the SQL functions cs_dim_group(dim, raw, keep) and
 * cs_dim_key(dim, raw, keep) on db: the group of a raw value under a
 * dimension name, or "other" when keep (a list of groups separated by
 * U+001F, NULL = all) does not hold it; the key sorts groups in their
 * natural order by byte comparison. */
void cs_calls_register(struct sqlite3 *db);

#endif
