/*
 * report/charts_async.h: the report's chart sections drawn on worker
 * threads while the main thread writes the workbook (issue 22).
 *
 * Sections are queued in template order and drawn by two worker threads
 * (one when report.pdf collects the charts: cs_charts_concurrent), each
 * taking the next section; the chart files a section writes are kept with
 * it and handed to the caller's file callback only on the caller's
 * thread, in queue order, at cs_charts_async_wait and cs_charts_async_end,
 * so the report's list of files is the same as when drawn in line (and
 * the first error is the first in queue order).  The caller waits before
 * anything that writes charts itself (a query step's chart) or lists a
 * file of its own (a CSV of a later step), so the order of files and of
 * report.pdf's pages stays that of the template.  When no thread can be
 * started, sections are drawn in line at queueing.
 *
 * The workers read the report model (const) and draw through cairo and
 * pango (a font map each: pango's default is per thread), and
 * nothing else: the caller must not draw charts while sections are
 * queued and not yet waited for.
 */
#ifndef CS_REPORT_CHARTS_ASYNC_H
#define CS_REPORT_CHARTS_ASYNC_H

#include "core/err.h"
#include "report/charts.h"

struct cs_charts_async;

/* A queue whose files go to on_file(ctx, path) (on the caller's thread).
 * Free with cs_charts_async_end. */
struct cs_charts_async *cs_charts_async_new(cs_file_cb on_file, void *ctx);

/* The file callback to give cs_charts_open (ctx: the queue): buffers. */
void cs_charts_async_on_file(void *ctx, const char *path);

/* Start the worker for the charts c (borrowed until cs_charts_async_end).
 * Without a worker (it could not start) sections are drawn in line. */
void cs_charts_async_start(struct cs_charts_async *a, struct cs_charts *c);

/* Queue a section (see cs_charts_section).  Returns the error of an
 * earlier section, if one failed, else CS_OK. */
cs_status cs_charts_async_section(struct cs_charts_async *a, enum cs_chart_section section,
                                  int category, struct cs_err *err);

/* Block until every queued section is drawn, then pass the files written
 * so far to the callback.  The first error of a section, else CS_OK. */
cs_status cs_charts_async_wait(struct cs_charts_async *a, struct cs_err *err);

/* Seconds during which a section was drawing, so far (for the timings). */
double cs_charts_async_seconds(const struct cs_charts_async *a);

/* Wait, stop the worker, pass the remaining files, free *ap (NULL is
 * fine) and set it to NULL.  The first error of a section, else CS_OK. */
cs_status cs_charts_async_end(struct cs_charts_async **ap, struct cs_err *err);

#endif
