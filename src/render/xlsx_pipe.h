/*
 * render/xlsx_pipe.h: the rows of a join (model/rows.h cs_join_row)
 * handed, in order, to a second thread that writes them.
 *
 * The Custom sheet's rows come from a SQLite join on one thread, and
 * writing them (splitting each event's JSON, cleaning the cells,
 * libxlsxwriter's XML) took as long again on the same thread.  A pipe
 * copies each row into a batch and lets a writer thread run the sheet's
 * callback on it while the join reads the next rows.  The callback sees
 * the rows in the join's order, one at a time, exactly as when it is
 * called directly, so the sheet comes out the same.
 *
 * Everything the callback touches belongs to the writer thread from
 * xl_pipe_start until xl_pipe_finish returns.
 *
 * It pays because the join streams its rows (store/join.c merges in C):
 * at 1M surveys the first batch is handed over 0.4 s into a 3.9 s Custom
 * section, and the writer was busy 2.7 s, the slower side, while it wrote
 * through libxlsxwriter's calls; with render/xlsx_cells.h it is busy about
 * 1.1 s and the join (1.5 s) is the slower side.  Over a
 * join that sorts every row before the first (main before the merge in
 * C) the rows came in one burst at the end and the pipe saved nothing.
 */
#ifndef CS_RENDER_XLSX_PIPE_H
#define CS_RENDER_XLSX_PIPE_H

#include "core/err.h"
#include "model/rows.h"

struct xl_pipe;

/* Start a writer thread that calls cb(ctx, row, err) for each row pushed.
 * NULL when no thread could be started: the caller then calls cb itself.
 * The pipe is owned by the caller until xl_pipe_finish frees it. */
struct xl_pipe *xl_pipe_start(cs_join_cb cb, void *ctx);

/* A cs_join_cb (ctx = the pipe): copies the row (its strings included)
 * and hands it over.  Returns the writer's first failure so far, with its
 * error copied into err, so that the join stops; CS_OK otherwise. */
cs_status xl_pipe_push(void *pipe, const struct cs_join_row *r, struct cs_err *err);

/* Write the rows still queued, stop the thread and free the pipe (NULL is
 * a no-op).  Returns the writer's first failure (its error copied into
 * err), CS_OK otherwise. */
cs_status xl_pipe_finish(struct xl_pipe *p, struct cs_err *err);

#endif
