/*
 * core/fault.c: the fault injector of TEST_FAULTS builds (see fault.h).
 *
 * Sites live in a fixed open-addressing table (no allocation, so the
 * allocator can call in) guarded by one mutex; the environment is read
 * once.  The SQLite allocator is wrapped here too, from a constructor that
 * runs before main and so before SQLite initializes: that is the one place
 * outside store/ that names SQLite, and only in test builds.  In other
 * builds this file compiles to nothing.
 */
#include "core/fault.h"

#ifdef TEST_FAULTS

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_SITES 8192 /* distinct sites one run can pass; more are not counted */

struct site {
    const char *kind; /* static string, NULL when the slot is empty */
    const char *file; /* static string (__FILE__) */
    int line;
    unsigned long hits;
};

static struct site sites[N_SITES];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *list_path;  /* CS_FAULTS_LIST, or NULL */
static char want_kind[32];     /* CS_FAULT's kind, "" when none */
static char want_file[512];    /* its file */
static int want_line;          /* its line */
static unsigned long want_nth; /* which hit fails (1 = the first) */
static int active;             /* listing or injecting */

static void
append(const char *text)
{
    int fd = open(list_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    size_t n = strlen(text);
    /* one write per line: O_APPEND keeps lines of concurrent runs whole */
    if (write(fd, text, n) != (ssize_t)n) {
        /* nothing to do: the list is a test aid */
    }
    close(fd);
}

static void
dump(void)
{
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < N_SITES; i++) {
        if (!sites[i].kind)
            continue;
        char line[700];
        snprintf(line, sizeof line, "%s %s:%d %lu\n", sites[i].kind, sites[i].file,
                 sites[i].line, sites[i].hits);
        append(line);
    }
    pthread_mutex_unlock(&mu);
}

static void
init(void)
{
    const char *l = getenv("CS_FAULTS_LIST");
    if (l && *l) {
        list_path = l;
        atexit(dump);
        active = 1;
    }
    const char *f = getenv("CS_FAULT");
    if (f && *f) {
        /* "KIND FILE:LINE[#N]" */
        char file[sizeof want_file];
        unsigned long nth = 1;
        int line = 0;
        const char *sp = strchr(f, ' ');
        const char *colon = strrchr(f, ':');
        if (sp && colon && colon > sp && (size_t)(sp - f) < sizeof want_kind &&
            (size_t)(colon - sp - 1) < sizeof file) {
            memcpy(want_kind, f, (size_t)(sp - f));
            want_kind[sp - f] = '\0';
            memcpy(file, sp + 1, (size_t)(colon - sp - 1));
            file[colon - sp - 1] = '\0';
            char *end;
            line = (int)strtol(colon + 1, &end, 10);
            if (*end == '#')
                nth = strtoul(end + 1, NULL, 10);
            snprintf(want_file, sizeof want_file, "%s", file);
            want_line = line;
            want_nth = nth ? nth : 1;
            active = 1;
        } else {
            fprintf(stderr, "callsurvey: CS_FAULT='%s' is not \"KIND FILE:LINE[#N]\"\n", f);
            _exit(99);
        }
    }
}

bool
cs_fault_hit(const char *kind, const char *file, int line)
{
    pthread_once(&once, init);
    if (!active)
        return false;
    unsigned long h = 5381u * 33u + (unsigned long)line;
    for (const char *p = file; *p; p++)
        h = h * 33u + (unsigned char)*p;
    for (const char *p = kind; *p; p++)
        h = h * 33u + (unsigned char)*p;
    bool fire = false;
    pthread_mutex_lock(&mu);
    for (size_t i = 0, j = h % N_SITES; i < N_SITES; i++, j = (j + 1) % N_SITES) {
        struct site *s = &sites[j];
        if (s->kind == NULL) {
            s->kind = kind;
            s->file = file;
            s->line = line;
        } else if (s->line != line || strcmp(s->kind, kind) != 0 ||
                   strcmp(s->file, file) != 0) {
            continue;
        }
        s->hits++;
        fire = want_kind[0] && s->hits == want_nth && line == want_line &&
               strcmp(kind, want_kind) == 0 && strcmp(file, want_file) == 0;
        break;
    }
    pthread_mutex_unlock(&mu);
    if (fire && list_path) {
        char text[700];
        snprintf(text, sizeof text, "fired %s %s:%d\n", kind, file, line);
        append(text);
    }
    return fire;
}

/* ---- SQLite's allocator ---------------------------------------------- */

static sqlite3_mem_methods sq_orig;

static void *
sq_malloc(int n)
{
    if (cs_fault_hit("sqlite", "sqlite", 0))
        return NULL;
    return sq_orig.xMalloc(n);
}

static void *
sq_realloc(void *p, int n)
{
    if (cs_fault_hit("sqlite", "sqlite", 0))
        return NULL;
    return sq_orig.xRealloc(p, n);
}

static void
sq_free(void *p)
{
    sq_orig.xFree(p);
}

static int
sq_size(void *p)
{
    return sq_orig.xSize(p);
}

static int
sq_roundup(int n)
{
    return sq_orig.xRoundup(n);
}

static int
sq_init(void *x)
{
    return sq_orig.xInit(x);
}

static void
sq_shutdown(void *x)
{
    sq_orig.xShutdown(x);
}

__attribute__((constructor)) static void
hook_sqlite(void)
{
    if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &sq_orig) != SQLITE_OK)
        return;
    sqlite3_mem_methods m = {sq_malloc, sq_free, sq_realloc, sq_size,
                             sq_roundup, sq_init, sq_shutdown, sq_orig.pAppData};
    sqlite3_config(SQLITE_CONFIG_MALLOC, &m);
}

#else

/* ISO C wants at least one declaration in a translation unit. */
typedef int cs_fault_unused;

#endif
