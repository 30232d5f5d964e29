/*
 * core/afile.h: atomic output files.  Data is written to a temporary file
 * in the destination's directory and renamed over the final name only when
 * complete, so a reader never sees a partial file under the final name.
 *
 * The temporary names of all open afiles are also kept in a small table
 * that cs_afile_cleanup() can empty from a signal handler or the
 * out-of-memory path, so an interrupted run leaves no "NAME.tmp.XXXXXX"
 * behind either.
 *
 * In a TEST_FAULTS build cs_afile_open is a macro passing the caller's
 * __FILE__ and __LINE__: that call site is then the fault site of the kinds
 * "create", "write" and "rename" of this file (see core/fault.h).
 */
#ifndef CS_AFILE_H
#define CS_AFILE_H

#include <stdio.h>
#include <sys/types.h>

#include "core/err.h"

struct cs_afile {
    FILE *fp;         /* write here; NULL when not open */
    char *path;       /* owned: final path */
    char *tmp;        /* owned: temporary path; NULL when writing directly */
    int slot;         /* index in the cleanup table + 1, 0 when not in it */
    const char *site; /* TEST_FAULTS: the opening call's __FILE__, else NULL */
    int site_line;    /* and its __LINE__ */
    int write_errno;  /* errno of the first failed cs_afile_write, 0 if none */
};

/* Open path for writing through a temporary file "path.tmp.XXXXXX" in the
 * same directory, created with cs_output_mode(path); a path that exists
 * and is a device, FIFO or socket
 * (/dev/stdout, /dev/full) is written directly.  Errors:
 * CS_E_IO naming path ("cannot create: ..."). */
cs_status cs_afile_open(struct cs_afile *af, const char *path,
                        struct cs_err *err);
/* Write n bytes of p (borrowed).  A short write keeps its errno for
 * cs_afile_commit to report (stdio's later flush no longer knows it once
 * the failed buffer was dropped: ENOSPC read as EIO).  Returns CS_OK or
 * CS_E_IO naming the path; the file stays open either way (commit or
 * abort it). */
cs_status cs_afile_write(struct cs_afile *af, const void *p, size_t n, struct cs_err *err);

/* Flush, close and rename into place.  On any failure (a write error that
 * stdio recorded earlier included) the temporary file is removed and the
 * error names the path (e.g. "write failed: No space left on device").
 * af is closed either way. */
cs_status cs_afile_commit(struct cs_afile *af, struct cs_err *err);
/* Close and remove the temporary file; no-op when not open. */
void cs_afile_abort(struct cs_afile *af);

/* Remove the temporary file of every afile still open, and the files
 * remembered below; an afile another thread is opening is waited for (at
 * most 0.2 s), and no afile can be opened afterwards (ECANCELED).
 * Async-signal-safe (atomics, nanosleep, unlink); meant for a process that
 * is about to end abnormally (out of memory, a signal). */
void cs_afile_cleanup(void);

/* Have cs_afile_cleanup remove another temporary file of the caller's (the
 * path is copied).  Returns a handle for cs_tmp_forget, 0 when the table is
 * full (the file is then only not cleaned up). */
int cs_tmp_remember(const char *path);
/* Forget a remembered file (call after removing it); 0 is a no-op. */
void cs_tmp_forget(int handle);

/* The mode of a new output file: 0666 less the process's umask, and, when
 * `replacing` names an existing regular file, no bit that file lacks (an
 * output never widens the mode of the file it replaces).  replacing may be
 * NULL.  cs_afile_open applies it to every file it creates. */
mode_t cs_output_mode(const char *replacing);

/* mkdir -p (mode 0777 less the umask); errors name the path. */
cs_status cs_mkdirs(const char *path, struct cs_err *err);

#ifdef TEST_FAULTS
cs_status cs_afile_open_at(struct cs_afile *af, const char *path,
                           struct cs_err *err, const char *file, int line);
#define cs_afile_open(af, path, err) cs_afile_open_at((af), (path), (err), __FILE__, __LINE__)
#endif

#endif
