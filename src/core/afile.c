/*
 * core/afile.c: write-then-rename output files (see afile.h).
 *
 * The cleanup table holds copies of the temporary names in fixed buffers,
 * so a signal handler can read it at any moment without touching the heap:
 * a slot is claimed with a compare-and-swap (free -> filling), filled, then
 * published (ready); the handler unlinks ready slots only.  A name too long
 * for a slot, or a full table, only loses that cleanup, never the output.
 *
 * A final name that exists and is a device, FIFO or socket (/dev/full,
 * /dev/stdout) is written directly: there is nothing to replace atomically, and
 * a temporary file renamed over it would replace the device node itself
 * when run as root.  Write errors are still reported at commit.
 *
 * TEST_FAULTS builds can fail the creation, every write (the descriptor is
 * pointed at /dev/full and the temporary name at a symbolic link to it, so
 * writers that reopen the file by name fail too) or the rename of a file
 * opened at a given call site.
 */
#include "core/afile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/fault.h"
#include "core/mem.h"

#undef cs_afile_open

/* ---- the cleanup table ------------------------------------------------ */

#define N_SLOTS 32
#define SLOT_LEN 4096

enum { SLOT_FREE = 0,
       SLOT_FILLING = 1,
       SLOT_READY = 2 };

static int slot_state[N_SLOTS];           /* SLOT_*, accessed atomically */
static int closing;                       /* 1 once cs_afile_cleanup began: no new temporary file */
static int opening;                       /* opens between creating a temporary file and listing it */
static char slot_name[N_SLOTS][SLOT_LEN]; /* the temporary names */

static int
slot_claim(const char *name)
{
    size_t n = strlen(name);
    if (n >= SLOT_LEN)
        return 0;
    cs_mem_on_oom(cs_afile_cleanup); /* out of memory: no temporary left behind */
    for (int i = 0; i < N_SLOTS; i++) {
        int want = SLOT_FREE;
        if (__atomic_compare_exchange_n(&slot_state[i], &want, SLOT_FILLING, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
            memcpy(slot_name[i], name, n + 1);
            __atomic_store_n(&slot_state[i], SLOT_READY, __ATOMIC_RELEASE);
            return i + 1;
        }
    }
    return 0;
}

static void
slot_release(int slot)
{
    if (slot > 0)
        __atomic_store_n(&slot_state[slot - 1], SLOT_FREE, __ATOMIC_RELEASE);
}

int
cs_tmp_remember(const char *path)
{
    return slot_claim(path);
}

void
cs_tmp_forget(int handle)
{
    slot_release(handle);
}

void
cs_afile_cleanup(void)
{
    /* another thread's open that has created its file but not listed it
     * yet finishes first (at most 0.2 s), and none starts after this */
    __atomic_store_n(&closing, 1, __ATOMIC_SEQ_CST);
    for (int k = 0; k < 2000 && __atomic_load_n(&opening, __ATOMIC_SEQ_CST) > 0; k++) {
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
    }
    for (int i = 0; i < N_SLOTS; i++)
        if (__atomic_load_n(&slot_state[i], __ATOMIC_ACQUIRE) == SLOT_READY)
            unlink(slot_name[i]);
}

/* ---- afiles ----------------------------------------------------------- */

static void
afile_free(struct cs_afile *af)
{
    slot_release(af->slot);
    xfree(af->path);
    xfree(af->tmp);
    memset(af, 0, sizeof *af);
}

#ifdef TEST_FAULTS
#define FAULT(kind, af) cs_fault_hit(kind, (af)->site, (af)->site_line)
#else
#define FAULT(kind, af) false
#endif

/* The process's umask, read without changing it (umask(2) can only be
 * read by setting it, which would race with other threads creating
 * files): Linux reports it in /proc/self/status since 4.7. */
static mode_t
current_umask(void)
{
    static int cached = -1;
    int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (v >= 0)
        return (mode_t)v;
    FILE *f = fopen("/proc/self/status", "re");
    char line[256];
    while (f && v < 0 && fgets(line, sizeof line, f))
        if (strncmp(line, "Umask:", 6) == 0)
            v = (int)(strtol(line + 6, NULL, 8) & 0777);
    if (f)
        fclose(f);
    if (v < 0) { /* no /proc: read it the old way (single-threaded callers) */
        mode_t m = umask(022);
        umask(m);
        v = (int)(m & 0777);
    }
    __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    return (mode_t)v;
}

mode_t
cs_output_mode(const char *replacing)
{
    mode_t mode = 0666 & ~current_umask();
    struct stat st;
    if (replacing && stat(replacing, &st) == 0 && S_ISREG(st.st_mode))
        mode &= st.st_mode & 0777; /* never wider than the file it replaces */
    return mode;
}

static cs_status
afile_open(struct cs_afile *af, const char *path, struct cs_err *err)
{
    /* (a directory in the way makes the rename fail, as before) */
    struct stat st;
    bool direct = stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
    mode_t mode = direct ? 0 : cs_output_mode(path);
    af->path = xstrdup(path);
    if (!direct)
        af->tmp = xasprintf("%s.tmp.XXXXXX", path);
    int fd = -1;
    if (FAULT("create", af)) {
        errno = ENOSPC;
    } else if (direct) {
        fd = open(path, O_WRONLY | O_CLOEXEC | O_TRUNC);
    } else {
        /* counted from before the file exists until it is in the table,
         * which cs_afile_cleanup waits for (chart workers write files
         * while the main thread may run out of memory) */
        __atomic_add_fetch(&opening, 1, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&closing, __ATOMIC_SEQ_CST))
            errno = ECANCELED; /* the process is ending */
        else if ((fd = mkstemp(af->tmp)) >= 0)
            af->slot = slot_claim(af->tmp);
        __atomic_sub_fetch(&opening, 1, __ATOMIC_SEQ_CST);
    }
    if (fd < 0) {
        cs_fail(err, CS_E_IO, path, "cannot create: %s", strerror(errno));
        afile_free(af);
        return CS_E_IO;
    }
    if ((!direct && fchmod(fd, mode) != 0) || (af->fp = fdopen(fd, "w")) == NULL) {
        int e = errno;
        close(fd);
        if (!direct)
            unlink(af->tmp);
        cs_fail(err, CS_E_IO, path, "cannot create: %s", strerror(e));
        afile_free(af);
        return CS_E_IO;
    }
#ifdef TEST_FAULTS
    if (FAULT("write", af)) {
        int full = open("/dev/full", O_WRONLY | O_CLOEXEC);
        if (full >= 0) {
            dup2(full, fd);
            close(full);
        }
        if (!direct) {
            unlink(af->tmp);
            if (symlink("/dev/full", af->tmp) != 0) {
                /* the descriptor still fails every write */
            }
        }
    }
#endif
    return CS_OK;
}

cs_status
cs_afile_open(struct cs_afile *af, const char *path, struct cs_err *err)
{
    memset(af, 0, sizeof *af);
    return afile_open(af, path, err);
}

#ifdef TEST_FAULTS
cs_status
cs_afile_open_at(struct cs_afile *af, const char *path, struct cs_err *err,
                 const char *file, int line)
{
    memset(af, 0, sizeof *af);
    af->site = file;
    af->site_line = line;
    return afile_open(af, path, err);
}
#endif

cs_status
cs_afile_write(struct cs_afile *af, const void *p, size_t n, struct cs_err *err)
{
    if (af->fp == NULL)
        return cs_fail(err, CS_E_INTERNAL, af->path, "file not open");
    errno = 0;
    if (n > 0 && fwrite(p, 1, n, af->fp) != n) {
        if (!af->write_errno)
            af->write_errno = errno ? errno : EIO;
        return cs_fail(err, CS_E_IO, af->path, "write failed: %s", strerror(af->write_errno));
    }
    return CS_OK;
}

cs_status
cs_afile_commit(struct cs_afile *af, struct cs_err *err)
{
    if (af->fp == NULL)
        return cs_fail(err, CS_E_INTERNAL, af->path, "file not open");
    /* fflush first: when an earlier write failed, stdio retries the rest of
     * its buffer here and errno names the real reason (ENOSPC, EIO) */
    int bad = 0, e = 0;
    if (fflush(af->fp) != 0) {
        bad = 1;
        e = af->write_errno ? af->write_errno : errno;
    } else if (ferror(af->fp)) {
        bad = 1;
        e = af->write_errno ? af->write_errno : EIO;
    }
    if (fclose(af->fp) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    af->fp = NULL;
    cs_status rc = CS_OK;
    if (bad) {
        if (af->tmp)
            unlink(af->tmp);
        rc = cs_fail(err, CS_E_IO, af->path, "write failed: %s",
                     strerror(e ? e : EIO));
    } else if (af->tmp) {
        int r;
        if (FAULT("rename", af)) {
            errno = EIO;
            r = -1;
        } else {
            r = rename(af->tmp, af->path);
        }
        if (r != 0) {
            e = errno;
            unlink(af->tmp);
            rc = cs_fail(err, CS_E_IO, af->path, "cannot rename into place: %s",
                         strerror(e));
        }
    }
    afile_free(af);
    return rc;
}

void
cs_afile_abort(struct cs_afile *af)
{
    if (af->fp) {
        fclose(af->fp);
        if (af->tmp)
            unlink(af->tmp);
    }
    afile_free(af);
}

cs_status
cs_mkdirs(const char *path, struct cs_err *err)
{
    char *p = xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) { /* less the umask */
            cs_fail(err, CS_E_IO, p, "cannot create directory: %s",
                    strerror(errno));
            xfree(p);
            return CS_E_IO;
        }
        *s = '/';
    }
    if (mkdir(p, 0777) != 0 && errno != EEXIST) {
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
