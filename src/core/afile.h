/*
 * core/afile.h: atomic output files.  Data is written to a temporary file
 * in the destination's directory and renamed over the final name only when
 * complete, so a reader never sees a partial file under the final name.
 */
#ifndef CS_AFILE_H
#define CS_AFILE_H

#include <stdio.h>

#include "core/err.h"

struct cs_afile {
    FILE *fp;        /* write here; NULL when not open */
    char *path;      /* owned: final path */
    char *tmp;       /* owned: temporary path */
};

/* Open path for writing through a temporary file. */
cs_status cs_afile_open(struct cs_afile *af, const char *path,
                        struct cs_err *err);
/* Flush, close and rename into place.  On any failure the temporary file
 * is removed and the error names the path (e.g. "No space left on device"). */
cs_status cs_afile_commit(struct cs_afile *af, struct cs_err *err);
/* Close and remove the temporary file; no-op when not open. */
void cs_afile_abort(struct cs_afile *af);

/* mkdir -p; errors name the path. */
cs_status cs_mkdirs(const char *path, struct cs_err *err);

#endif
