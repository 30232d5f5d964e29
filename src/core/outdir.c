/*
 * core/outdir.c: one run per output directory (see outdir.h).
 *
 * Everything in DIR is reached through a descriptor of DIR and *at()
 * calls, one path component at a time with O_NOFOLLOW, so a symbolic link
 * planted at DIR/tables or DIR/summary.json is refused (or, for a file
 * the previous run wrote and someone replaced by a link, only the link is
 * removed), never followed.  The manifest and the journal are small text
 * files: a header line, then one relative path per line ("+ " and "- "
 * prefixes in the journal).
 */
#include "core/outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/afile.h"
#include "core/fault.h"
#include "core/mem.h"

/* A test build's kill points (core/fault.h, kind "die"): the run ends as
 * by SIGKILL at this step of the commit when CS_FAULT names it, so that
 * tests/faults/die.sh can stop a commit at each step in turn and check
 * what the next run finds.  Nothing in other builds. */
#define DIE_HERE()                                  \
    do {                                            \
        if (CS_FAULT_AT("die", __FILE__, __LINE__)) \
            raise(SIGKILL);                         \
    } while (0)

#define MANIFEST_HEAD "callsurvey-manifest 1"
#define PENDING_HEAD "callsurvey-pending 1"

struct list {
    char **v;
    size_t n;
};

struct cs_outdir {
    char *dir;       /* owned: DIR as given */
    char *stage;     /* owned: DIR/.callsurvey-staging.XXXXXX */
    char *sname;     /* borrowed from stage: the staging directory's name */
    int dfd;         /* DIR, locked */
    struct list old; /* the previous run's manifest */
};

static void
list_push(struct list *l, const char *s)
{
    l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
    l->v[l->n++] = xstrdup(s);
}

static void
list_free(struct list *l)
{
    for (size_t i = 0; i < l->n; i++)
        xfree(l->v[i]);
    xfree(l->v);
    memset(l, 0, sizeof *l);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* In a list sorted by strcmp. */
static bool
sorted_has(const struct list *l, const char *s)
{
    return l->n && bsearch(&s, l->v, l->n, sizeof *l->v, cmp_str) != NULL;
}

static bool
list_has(const struct list *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return true;
    return false;
}

/* A relative path a manifest may name: components without "." / "..",
 * not empty, no newline, nothing of callsurvey's own bookkeeping. */
static bool
rel_ok(const char *rel)
{
    if (!*rel || *rel == '/' || strchr(rel, '\n') || strncmp(rel, ".callsurvey-", 12) == 0)
        return false;
    const char *p = rel;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        p += n + (e ? 1 : 0);
        if (e && !*p)
            return false;
    }
    return true;
}

/* The directories of the previous path, still open: the lists are sorted,
 * so consecutive paths share most of their directories (the tree of
 * `generate` has thousands of files, one per hour directory). */
#define PC_DEPTH 48

struct pcache {
    int root;     /* borrowed: DIR or the staging directory */
    bool create;  /* make missing directories */
    size_t depth; /* levels open */
    char comp[PC_DEPTH][256];
    int fd[PC_DEPTH]; /* fd[i]: the directory comp[0]/.../comp[i] */
    size_t fail_len;  /* after a failure: rel's prefix up to the failing part */
};

/* The directory holding rel, one component at a time without following
 * links.  Returns a descriptor owned by the cache (valid until the next
 * call) or -1 with errno (ENOTDIR when a link or a file is in the way,
 * ENOENT when missing and !create) and c->fail_len; *base points into rel. */
static int
pc_parent(struct pcache *c, const char *rel, const char **base)
{
    int cur = c->root;
    size_t k = 0;
    const char *p = rel;
    for (const char *e; (e = strchr(p, '/')) != NULL; p = e + 1, k++) {
        size_t n = (size_t)(e - p);
        c->fail_len = (size_t)(e - rel);
        if (n >= sizeof c->comp[0] || k >= PC_DEPTH) {
            errno = ENAMETOOLONG;
            return -1;
        }
        if (k < c->depth && strlen(c->comp[k]) == n && memcmp(c->comp[k], p, n) == 0) {
            cur = c->fd[k];
            continue;
        }
        while (c->depth > k)
            close(c->fd[--c->depth]);
        char comp[256];
        memcpy(comp, p, n);
        comp[n] = '\0';
        if (c->create && mkdirat(cur, comp, 0777) != 0 && errno != EEXIST)
            return -1;
        int nfd = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (nfd < 0) {
            if (errno == ELOOP)
                errno = ENOTDIR;
            return -1;
        }
        memcpy(c->comp[k], comp, n + 1);
        c->fd[k] = nfd;
        c->depth = k + 1;
        cur = nfd;
    }
    *base = p;
    return cur;
}

static void
pc_close(struct pcache *c)
{
    while (c->depth > 0)
        close(c->fd[--c->depth]);
}

/* Remove name under pfd and everything in it, following no link. */
static void
rm_tree(int pfd, const char *name)
{
    int fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        unlinkat(pfd, name, 0);
        return;
    }
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        struct stat st;
        if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
            rm_tree(fd, de->d_name);
        else
            unlinkat(fd, de->d_name, 0);
    }
    closedir(d);
    unlinkat(pfd, name, AT_REMOVEDIR);
}

/* Every regular file under fd, as "prefix/name", sorted by the caller. */
static void
walk(int fd, const char *prefix, struct list *out)
{
    int f2 = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* its own offset */
    DIR *d = f2 >= 0 ? fdopendir(f2) : NULL;
    if (!d) {
        if (f2 >= 0)
            close(f2);
        return;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        struct stat st;
        if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        char *rel = *prefix ? xasprintf("%s/%s", prefix, de->d_name) : xstrdup(de->d_name);
        if (S_ISREG(st.st_mode)) {
            list_push(out, rel);
        } else if (S_ISDIR(st.st_mode)) {
            int sub = openat(fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0) {
                walk(sub, rel, out);
                close(sub);
            }
        }
        xfree(rel);
    }
    closedir(d);
}

/* Read a small text file of dfd into lines; false when absent/unreadable
 * or without the expected first line. */
static bool
read_lines(int dfd, const char *name, const char *head, struct list *out)
{
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return false;
    struct stat st;
    FILE *f = NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (f = fdopen(fd, "r")) == NULL) {
        close(fd);
        return false;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t k;
    bool first = true, ok = false;
    while ((k = getline(&line, &cap, f)) > 0) {
        if (line[k - 1] == '\n')
            line[--k] = '\0';
        if (first) {
            ok = strcmp(line, head) == 0;
            first = false;
            if (!ok)
                break;
            continue;
        }
        if (k > 0)
            list_push(out, line);
    }
    free(line);
    fclose(f);
    return ok;
}

/* Write text as dfd/name through a temporary name and rename. */
static cs_status
write_atomic(const struct cs_outdir *o, const char *name, const char *text,
             struct cs_err *err)
{
    char tmp[128];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", name, (long)getpid());
    unlinkat(o->dfd, tmp, 0);
    int fd = openat(o->dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    size_t len = strlen(text);
    bool ok = fd >= 0 && write(fd, text, len) == (ssize_t)len;
    int e = errno;
    if (fd >= 0 && close(fd) != 0 && ok) {
        ok = false;
        e = errno;
    }
    DIE_HERE(); /* the temporary file written, not renamed */
    if (ok && renameat(o->dfd, tmp, o->dfd, name) != 0) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        unlinkat(o->dfd, tmp, 0);
        return cs_fail(err, CS_E_IO, o->dir, "cannot write %s: %s", name, strerror(e));
    }
    return CS_OK;
}

static char *
join_lines(const char *head, const char *pfx, const struct list *a, const char *pfx2,
           const struct list *b)
{
    size_t n = strlen(head) + 2;
    for (size_t i = 0; i < a->n; i++)
        n += strlen(pfx) + strlen(a->v[i]) + 1;
    for (size_t i = 0; b && i < b->n; i++)
        n += strlen(pfx2) + strlen(b->v[i]) + 1;
    char *s = xmalloc(n), *p = s;
    p += sprintf(p, "%s\n", head);
    for (size_t i = 0; i < a->n; i++)
        p += sprintf(p, "%s%s\n", pfx, a->v[i]);
    for (size_t i = 0; b && i < b->n; i++)
        p += sprintf(p, "%s%s\n", pfx2, b->v[i]);
    return s;
}

/* Move the staged files `add` (sorted) from sname into DIR, remove `del`
 * (but what add names), write the manifest, drop the journal and the staging
 * directory.  Idempotent: a file no longer staged was moved already. */
struct moves {
    char *manifest;    /* owned: the new manifest's text */
    struct pcache *pc; /* owned: three caches */
};

/* Allocated before the journal is written: from there to the end nothing
 * allocates, so running out of memory cannot stop a commit half-way. */
static struct moves
moves_new(const struct list *add)
{
    return (struct moves){join_lines(MANIFEST_HEAD, "", add, NULL, NULL),
                          xcalloc(3, sizeof(struct pcache))};
}

static cs_status
apply(struct cs_outdir *o, const char *sname, const struct list *add,
      const struct list *del, struct moves mv, struct cs_err *err)
{
    char *m = mv.manifest;
    struct pcache *sc = mv.pc, *dc = sc + 1, *xc = sc + 2;
    cs_status rc = CS_OK;
    int sfd = openat(o->dfd, sname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    sc->root = sfd;
    dc->root = xc->root = o->dfd;
    dc->create = true;
    for (size_t i = 0; i < add->n && sfd >= 0 && rc == CS_OK; i++) {
        const char *sb, *db;
        int sp = pc_parent(sc, add->v[i], &sb);
        struct stat ss, ts;
        if (sp < 0 || fstatat(sp, sb, &ss, AT_SYMLINK_NOFOLLOW) != 0)
            continue; /* moved already */
        int dp = pc_parent(dc, add->v[i], &db);
        if (dp < 0) {
            int e = errno;
            rc = cs_fail(err, CS_E_IO, o->dir, "cannot move %s into place: %s%s", add->v[i],
                         strerror(e),
                         e == ENOTDIR ? " (a file or symbolic link is in the way)" : "");
            break;
        }
        if (fstatat(dp, db, &ts, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(ts.st_mode))
            fchmodat(sp, sb, ss.st_mode & ts.st_mode & 0777, 0); /* never wider */
        if (renameat(sp, sb, dp, db) != 0)
            rc = cs_fail(err, CS_E_IO, o->dir, "cannot move %s into place: %s", add->v[i],
                         strerror(errno));
        DIE_HERE(); /* after each file moved in */
    }
    /* the previous run's files this one did not write */
    for (size_t i = 0; i < del->n && rc == CS_OK; i++) {
        if (sorted_has(add, del->v[i]) || !rel_ok(del->v[i]))
            continue;
        const char *b;
        int p = pc_parent(xc, del->v[i], &b);
        struct stat st;
        if (p >= 0 && fstatat(p, b, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
            unlinkat(p, b, 0);
        DIE_HERE(); /* after each old file's turn */
    }
    for (int k = 0; k < 3; k++)
        pc_close(&sc[k]);
    xfree(sc);
    if (sfd >= 0)
        close(sfd);
    if (rc == CS_OK)
        rc = write_atomic(o, CS_OUTDIR_MANIFEST, m, err);
    xfree(m);
    if (rc)
        return rc;
    DIE_HERE(); /* the manifest written, the journal still there */
    unlinkat(o->dfd, CS_OUTDIR_PENDING, 0);
    DIE_HERE(); /* the journal gone, the staging directory not yet */
    rm_tree(o->dfd, sname);
    return CS_OK;
}

/* Finish the commit of a run killed half-way through it. */
static cs_status
recover(struct cs_outdir *o, struct cs_err *err)
{
    struct list all = {0}, add = {0}, del = {0};
    if (!read_lines(o->dfd, CS_OUTDIR_PENDING, PENDING_HEAD, &all)) {
        unlinkat(o->dfd, CS_OUTDIR_PENDING, 0); /* unreadable: nothing to finish */
        list_free(&all);
        return CS_OK;
    }
    const char *sname = NULL;
    for (size_t i = 0; i < all.n; i++) {
        const char *l = all.v[i];
        if (strncmp(l, "staging ", 8) == 0 &&
            strncmp(l + 8, CS_OUTDIR_STAGING, strlen(CS_OUTDIR_STAGING)) == 0 &&
            !strchr(l + 8, '/'))
            sname = l + 8;
        else if (strncmp(l, "+ ", 2) == 0 && rel_ok(l + 2))
            list_push(&add, l + 2);
        else if (strncmp(l, "- ", 2) == 0 && rel_ok(l + 2))
            list_push(&del, l + 2);
    }
    cs_status rc = CS_OK;
    if (add.n)
        qsort(add.v, add.n, sizeof *add.v, cmp_str);
    if (sname)
        rc = apply(o, sname, &add, &del, moves_new(&add), err);
    else
        unlinkat(o->dfd, CS_OUTDIR_PENDING, 0);
    list_free(&all);
    list_free(&add);
    list_free(&del);
    return rc;
}

static void
outdir_free(struct cs_outdir *o)
{
    if (o->dfd >= 0)
        close(o->dfd); /* releases the lock */
    list_free(&o->old);
    xfree(o->dir);
    xfree(o->stage);
    xfree(o);
}

cs_status
cs_outdir_open(const char *dir, struct cs_outdir **out, struct cs_err *err)
{
    *out = NULL;
    if (cs_mkdirs(dir, err))
        return CS_E_IO;
    struct cs_outdir *o = xcalloc(1, sizeof *o);
    o->dir = xstrdup(dir);
    o->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (o->dfd < 0) {
        cs_fail(err, CS_E_IO, dir, "cannot open the output directory: %s", strerror(errno));
        outdir_free(o);
        return CS_E_IO;
    }
    /* one run at a time per DIR: a second one waits */
    while (flock(o->dfd, LOCK_EX) != 0 && errno == EINTR) {
    }
    cs_status rc = recover(o, err);
    if (rc) {
        outdir_free(o);
        return rc;
    }
    /* staging directories and temporary manifests of runs that died (the
     * lock says none is live) */
    int f2 = openat(o->dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = f2 >= 0 ? fdopendir(f2) : NULL;
    struct list stale = {0};
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL)
        if (strncmp(de->d_name, CS_OUTDIR_STAGING, strlen(CS_OUTDIR_STAGING)) == 0 ||
            (strncmp(de->d_name, ".callsurvey-", 12) == 0 && strstr(de->d_name, ".tmp.")))
            list_push(&stale, de->d_name);
    if (d)
        closedir(d);
    else if (f2 >= 0)
        close(f2);
    for (size_t i = 0; i < stale.n; i++)
        rm_tree(o->dfd, stale.v[i]);
    list_free(&stale);
    read_lines(o->dfd, CS_OUTDIR_MANIFEST, MANIFEST_HEAD, &o->old);
    o->stage = xasprintf("%s/" CS_OUTDIR_STAGING "XXXXXX", dir);
    if (!mkdtemp(o->stage)) {
        cs_fail(err, CS_E_IO, dir, "cannot create a staging directory: %s", strerror(errno));
        outdir_free(o);
        return CS_E_IO;
    }
    o->sname = strrchr(o->stage, '/') + 1;
    *out = o;
    return CS_OK;
}

const char *
cs_outdir_stage(const struct cs_outdir *o)
{
    return o->stage;
}

char *
cs_outdir_final(const struct cs_outdir *o, const char *staged, char *buf, size_t n)
{
    size_t k = strlen(o->stage);
    if (strncmp(staged, o->stage, k) == 0 && (staged[k] == '/' || staged[k] == '\0'))
        snprintf(buf, n, "%s%s", o->dir, staged + k);
    else
        snprintf(buf, n, "%s", staged);
    return buf;
}

static void
fix_text(const struct cs_outdir *o, char *s, size_t n)
{
    char *p = strstr(s, o->stage);
    if (!p)
        return;
    char *tail = xstrdup(p + strlen(o->stage));
    snprintf(p, n - (size_t)(p - s), "%s%s", o->dir, tail);
    xfree(tail);
}

void
cs_outdir_fix_err(const struct cs_outdir *o, struct cs_err *err)
{
    if (!o || !err)
        return;
    fix_text(o, err->where, sizeof err->where);
    fix_text(o, err->msg, sizeof err->msg);
}

cs_status
cs_outdir_commit(struct cs_outdir **op, struct cs_err *err)
{
    struct cs_outdir *o = *op;
    *op = NULL;
    int sfd = openat(o->dfd, o->sname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sfd < 0) {
        cs_fail(err, CS_E_IO, o->stage, "staging directory gone: %s", strerror(errno));
        outdir_free(o);
        return CS_E_IO;
    }
    struct list add = {0};
    walk(sfd, "", &add);
    close(sfd);
    if (add.n)
        qsort(add.v, add.n, sizeof *add.v, cmp_str);
    cs_status rc = CS_OK;
    /* check every target before anything moves: real directories on the
     * way, and a regular file (or nothing) at the end */
    struct pcache *pc = xcalloc(1, sizeof *pc);
    pc->root = o->dfd;
    for (size_t i = 0; i < add.n && rc == CS_OK; i++) {
        if (!rel_ok(add.v[i])) {
            rc = cs_fail(err, CS_E_INTERNAL, o->stage, "unexpected output name '%s'", add.v[i]);
            break;
        }
        const char *base;
        int p = pc_parent(pc, add.v[i], &base);
        struct stat st;
        int e = errno;
        if (p < 0 && e != ENOENT) {
            char *w = xasprintf("%s/%.*s", o->dir, (int)pc->fail_len, add.v[i]);
            bool link = lstat(w, &st) == 0 && S_ISLNK(st.st_mode);
            if (e == ENOTDIR)
                rc = cs_fail(err, CS_E_IO, w,
                             "is %s, not a directory; callsurvey writes only into real "
                             "directories: remove or rename it",
                             link ? "a symbolic link" : "a file");
            else
                rc = cs_fail(err, CS_E_IO, w, "cannot open the directory: %s", strerror(e));
            xfree(w);
        } else if (p >= 0 && fstatat(p, base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                   !S_ISREG(st.st_mode)) {
            char *w = xasprintf("%s/%s", o->dir, add.v[i]);
            rc = cs_fail(err, CS_E_IO, w,
                         "is %s, not a regular file; refusing to replace it: remove or "
                         "rename it",
                         S_ISLNK(st.st_mode)    ? "a symbolic link"
                         : S_ISFIFO(st.st_mode) ? "a FIFO"
                         : S_ISDIR(st.st_mode)  ? "a directory"
                                                : "a device or socket");
            xfree(w);
        }
    }
    pc_close(pc);
    xfree(pc);
    struct moves mv = {0};
    if (rc == CS_OK) {
        /* the journal: a run killed from here on is finished by the next */
        char *head = xasprintf(PENDING_HEAD "\nstaging %s", o->sname);
        char *j = join_lines(head, "+ ", &add, "- ", &o->old);
        xfree(head);
        mv = moves_new(&add);
        DIE_HERE(); /* everything staged, no journal yet */
        rc = write_atomic(o, CS_OUTDIR_PENDING, j, err);
        xfree(j);
    }
    if (rc == CS_OK) {
        DIE_HERE(); /* the journal written, nothing moved */
        rc = apply(o, o->sname, &add, &o->old, mv, err);
    } else {
        xfree(mv.manifest);
        xfree(mv.pc);
        rm_tree(o->dfd, o->sname);
    }
    list_free(&add);
    outdir_free(o);
    return rc;
}

void
cs_outdir_abort(struct cs_outdir **op)
{
    struct cs_outdir *o = *op;
    if (!o)
        return;
    *op = NULL;
    rm_tree(o->dfd, o->sname);
    outdir_free(o);
}

void
cs_outdir_owned(const char *dir, char ***list, size_t *n)
{
    static const char *const fixed[] = {"summary.json", "report.xlsx", "report.pdf",
                                        "compare.json", "compare.xlsx", CS_OUTDIR_MANIFEST};
    struct list l = {0};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) {
        char *p = xasprintf("%s/%s", dir, fixed[i]);
        list_push(&l, p);
        xfree(p);
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        struct list m = {0};
        read_lines(dfd, CS_OUTDIR_MANIFEST, MANIFEST_HEAD, &m);
        static const char *const subs[] = {"tables", "charts"};
        for (size_t s = 0; s < 2; s++) {
            int sub = openat(dfd, subs[s], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub >= 0) {
                struct list f = {0};
                walk(sub, subs[s], &f);
                for (size_t i = 0; i < f.n; i++)
                    if (!list_has(&m, f.v[i]))
                        list_push(&m, f.v[i]);
                list_free(&f);
                close(sub);
            }
        }
        for (size_t i = 0; i < m.n; i++)
            if (rel_ok(m.v[i])) {
                char *p = xasprintf("%s/%s", dir, m.v[i]);
                list_push(&l, p);
                xfree(p);
            }
        list_free(&m);
        close(dfd);
    }
    *list = l.v;
    *n = l.n;
}

void
cs_outdir_list_free(char **list, size_t n)
{
    struct list l = {list, n};
    list_free(&l);
}
