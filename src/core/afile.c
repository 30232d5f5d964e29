/*
 * core/afile.c: write-then-rename output files (see afile.h).
 */
#include "core/afile.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"

cs_status
cs_afile_open(struct cs_afile *af, const char *path, struct cs_err *err)
{
    memset(af, 0, sizeof *af);
    af->path = xstrdup(path);
    af->tmp = xasprintf("%s.tmp.XXXXXX", path);
    int fd = mkstemp(af->tmp);
    if (fd < 0) {
        cs_fail(err, CS_E_IO, path, "cannot create: %s", strerror(errno));
        xfree(af->path);
        xfree(af->tmp);
        memset(af, 0, sizeof *af);
        return CS_E_IO;
    }
    fchmod(fd, 0644);
    af->fp = fdopen(fd, "w");
    if (af->fp == NULL) {
        close(fd);
        unlink(af->tmp);
        cs_fail(err, CS_E_IO, path, "cannot create: %s", strerror(errno));
        xfree(af->path);
        xfree(af->tmp);
        memset(af, 0, sizeof *af);
        return CS_E_IO;
    }
    return CS_OK;
}

cs_status
cs_afile_commit(struct cs_afile *af, struct cs_err *err)
{
    if (af->fp == NULL)
        return cs_fail(err, CS_E_INTERNAL, af->path, "file not open");
    int bad = ferror(af->fp);
    int e = bad ? errno : 0;
    if (fflush(af->fp) != 0) {
        bad = 1;
        e = errno;
    }
    if (fclose(af->fp) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    af->fp = NULL;
    cs_status rc = CS_OK;
    if (bad) {
        unlink(af->tmp);
        rc = cs_fail(err, CS_E_IO, af->path, "write failed: %s",
                     strerror(e ? e : EIO));
    } else if (rename(af->tmp, af->path) != 0) {
        e = errno;
        unlink(af->tmp);
        rc = cs_fail(err, CS_E_IO, af->path, "cannot rename into place: %s",
                     strerror(e));
    }
    xfree(af->path);
    xfree(af->tmp);
    af->path = af->tmp = NULL;
    return rc;
}

void
cs_afile_abort(struct cs_afile *af)
{
    if (af->fp) {
        fclose(af->fp);
        unlink(af->tmp);
    }
    xfree(af->path);
    xfree(af->tmp);
    memset(af, 0, sizeof *af);
}

cs_status
cs_mkdirs(const char *path, struct cs_err *err)
{
    char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST) {
            cs_fail(err, CS_E_IO, p, "cannot create directory: %s",
                    strerror(errno));
            xfree(p);
            return CS_E_IO;
        }
        *s = '/';
    }
    if (mkdir(p, 0755) != 0 && errno != EEXIST) {
        cs_fail(err, CS_E_IO, p, "cannot create directory: %s", strerror(errno));
        xfree(p);
        return CS_E_IO;
    }
    struct stat st;
    if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
        cs_fail(err, CS_E_IO, p, "not a directory");
        xfree(p);
        return CS_E_IO;
    }
    xfree(p);
    return CS_OK;
}
