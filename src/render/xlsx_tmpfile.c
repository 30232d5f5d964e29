/*
 * render/xlsx_tmpfile.c: libxlsxwriter's temporary files, with their
 * write errors kept.
 *
 * libxlsxwriter 1.1.4 writes every part of a workbook (each sheet's XML,
 * the streamed rows of a constant-memory sheet) to a temporary file from
 * lxw_tmpfile() and copies it into the zip at workbook_close, and it never
 * checks a write to such a file.  On a full disk a sheet came out cut short
 * inside a workbook that workbook_close reported as written: the zip itself
 * still fit once the part's temporary file was gone (2026-11, found by
 * tests/cli/102-full-disk-xlsx).  The library calls lxw_tmpfile through
 * its PLT, so this definition takes the place of its own: the same kind of
 * unlinked file in tmpdir, behind a fopencookie stream that records the
 * first failed read or write; cs_xlsx_close fails the workbook when there
 * was one.  Should a later libxlsxwriter stop calling through the PLT,
 * 102-full-disk-xlsx fails again rather than this passing silently.
 *
 * In a TEST_FAULTS build each such file is also a "write" fault site:
 * every write to it then fails with ENOSPC, as on a full disk.  (Not by
 * pointing it at /dev/full, as core/afile does: libxlsxwriter reads these
 * files back, and /dev/full reads as endless zeros.)
 */
#include "render/xlsx_tmpfile.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#include <xlsxwriter/utility.h>

#include "core/fault.h"
#include "core/mem.h"

static _Atomic int first_errno; /* the first failure since xl_tmpfile_reset */

/* The cookie of a temporary file is its descriptor times two, plus one
 * when (TEST_FAULTS) every write must fail with ENOSPC.  No allocation:
 * libxlsxwriter does not close the temporary files of a workbook freed
 * without being written (lxw_workbook_free), and a heap cookie would then
 * be a leak report in the sanitizer builds. */
static void *
tf_cookie(int fd, bool full)
{
    return (void *)(intptr_t)(fd * 2 + (full ? 1 : 0));
}

static int
tf_fd(void *cookie)
{
    return (int)((intptr_t)cookie / 2);
}

static bool
tf_full(void *cookie)
{
    return (intptr_t)cookie % 2 != 0;
}

void
xl_tmpfile_note(int e)
{
    int none = 0; /* the first failure stays, from whichever thread */
    atomic_compare_exchange_strong(&first_errno, &none, e ? e : EIO);
}

void
xl_tmpfile_reset(void)
{
    atomic_store(&first_errno, 0);
}

int
xl_tmpfile_errno(void)
{
    return atomic_load(&first_errno);
}

static ssize_t
tf_read(void *cookie, char *buf, size_t n)
{
    int fd = tf_fd(cookie);
    ssize_t r;
    do {
        r = read(fd, buf, n);
    } while (r < 0 && errno == EINTR);
    if (r < 0)
        xl_tmpfile_note(errno);
    return r;
}

static ssize_t
tf_write(void *cookie, const char *buf, size_t n)
{
    if (tf_full(cookie)) {
        xl_tmpfile_note(ENOSPC);
        errno = ENOSPC;
        return -1;
    }
    int fd = tf_fd(cookie);
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, buf + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            xl_tmpfile_note(w < 0 ? errno : EIO);
            return -1;
        }
        done += (size_t)w;
    }
    return (ssize_t)n;
}

static int
tf_seek(void *cookie, off64_t *pos, int whence)
{
    off_t r = lseek(tf_fd(cookie), (off_t)*pos, whence);
    if (r < 0)
        return -1;
    *pos = r;
    return 0;
}

static int
tf_close(void *cookie)
{
    return close(tf_fd(cookie));
}

FILE *
lxw_tmpfile(char *tmpdir)
{
    const char *dir = tmpdir;
    if (!dir || !*dir)
        dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    char *name = xasprintf("%s/.callsurvey-xlsx.XXXXXX", dir);
    int fd = mkstemp(name);
    if (fd < 0) {
        xl_tmpfile_note(errno);
        xfree(name);
        return NULL; /* libxlsxwriter reports LXW_ERROR_CREATING_TMPFILE */
    }
    unlink(name);
    xfree(name);
    bool full = false;
#ifdef TEST_FAULTS
    full = CS_FAULT_AT("write", __FILE__, __LINE__);
#endif
    cookie_io_functions_t io = {tf_read, tf_write, tf_seek, tf_close};
    FILE *fp = fopencookie(tf_cookie(fd, full), "w+", io);
    if (fp == NULL) {
        xl_tmpfile_note(errno);
        close(fd);
    }
    return fp;
}
