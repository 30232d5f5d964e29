/*
 * core/outdir.h: an output directory that holds one run (issue 15 items 4
 * and 10).
 *
 * A run writes every file under a fresh staging directory inside DIR
 * (DIR/.callsurvey-staging.XXXXXX, same filesystem) and cs_outdir_commit
 * moves them into place with rename(2), removes the files the previous run
 * wrote (listed in DIR/.callsurvey-manifest) that this run did not write,
 * and replaces the manifest.  Files in DIR that no manifest lists are never
 * touched.  A run that fails or is killed before the commit leaves DIR as
 * it was (its staging directory is removed by the next run into DIR).
 *
 * The commit itself is journaled: before the first rename it writes
 * DIR/.callsurvey-pending (the staging directory, the files to move in and
 * the files to remove); a process killed during the renames leaves the
 * journal, and the next cs_outdir_open of DIR finishes the move from the
 * staging directory before anything else, so DIR then holds the complete
 * new run.  Between the kill and that next open, DIR holds part of each
 * run with the journal saying so.  (No fsync: this covers a killed process,
 * not a power cut.)
 *
 * Runs into one DIR are serialized with flock(2) on DIR, so a second run
 * waits for the first and never removes a live run's staging directory.
 *
 * Only real directories and regular files: DIR itself may be given as a
 * symbolic link, but the directories inside it (tables/, charts/) are
 * opened with O_NOFOLLOW | O_DIRECTORY, and a target that exists and is
 * not a regular file (a symbolic link, a FIFO, a device) is refused before
 * anything moves.  Nothing in DIR is ever opened for writing by name.
 */
#ifndef CS_OUTDIR_H
#define CS_OUTDIR_H

#include <stddef.h>

#include "core/err.h"

/* The manifest's and the journal's names in DIR. */
#define CS_OUTDIR_MANIFEST ".callsurvey-manifest"
#define CS_OUTDIR_PENDING ".callsurvey-pending"
#define CS_OUTDIR_STAGING ".callsurvey-staging."

struct cs_outdir;

/* Create DIR (and its parents) when missing, lock it, finish a commit a
 * killed run left, remove stale staging directories and make a new one.
 * Returns owned *out (end with cs_outdir_commit or cs_outdir_abort).
 * Errors: CS_E_IO naming the path. */
cs_status cs_outdir_open(const char *dir, struct cs_outdir **out, struct cs_err *err);

/* The directory to write this run's files under (DIR/.callsurvey-staging.X),
 * borrowed; its subdirectories become DIR's. */
const char *cs_outdir_stage(const struct cs_outdir *o);

/* The final path of a path under the staging directory (DIR/...), into buf;
 * other paths are copied unchanged.  Returns buf. */
char *cs_outdir_final(const struct cs_outdir *o, const char *staged, char *buf, size_t n);

/* An error of a writer: the staging directory in err's where and message
 * becomes DIR, so the user reads the path the file would have had.  o may
 * be NULL (no-op). */
void cs_outdir_fix_err(const struct cs_outdir *o, struct cs_err *err);

/* Move the staged files into DIR (see above), then release *o.  On error
 * (CS_E_IO naming the path, a target that is not a regular file, a
 * directory in the way) nothing has moved unless the error says so, the
 * staging directory is removed and *o is released. */
cs_status cs_outdir_commit(struct cs_outdir **o, struct cs_err *err);

/* Remove the staging directory and release *o (NULL is a no-op). */
void cs_outdir_abort(struct cs_outdir **o);

/* The files under DIR that a run into DIR may replace or remove, as paths
 * "DIR/name": the names callsurvey writes at the top (summary.json,
 * report.xlsx, report.pdf, compare.json, compare.xlsx, the manifest), the
 * previous run's manifest, and every file in DIR/tables and DIR/charts.
 * Whether they exist or not.  Owned list; free with cs_outdir_list_free. */
void cs_outdir_owned(const char *dir, char ***list, size_t *n);
void cs_outdir_list_free(char **list, size_t n);

#endif
