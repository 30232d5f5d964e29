/* tests/unit/test_outdir.c: core/outdir (one run per output directory) and
 * the modes of core/afile (issue 15 items 3, 4, 10). */
#include <fcntl.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/afile.h"
#include "core/mem.h"
#include "core/outdir.h"

static char g_dir[64];

static void
put(const char *rel, const char *text)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", g_dir, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* "" when absent */
static const char *
get(const char *rel)
{
    static char buf[256];
    char p[256];
    snprintf(p, sizeof p, "%s/%s", g_dir, rel);
    buf[0] = '\0';
    FILE *f = fopen(p, "r");
    if (f) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
    }
    return buf;
}

static bool
exists(const char *rel)
{
    char p[256];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", g_dir, rel);
    return lstat(p, &st) == 0;
}

/* Write the files of one run: name=text pairs, NULL-terminated. */
static cs_status
run(struct cs_err *err, ...)
{
    struct cs_outdir *o = NULL;
    cs_status rc = cs_outdir_open(g_dir, &o, err);
    if (rc)
        return rc;
    va_list ap;
    va_start(ap, err);
    const char *name;
    while ((name = va_arg(ap, const char *)) != NULL) {
        const char *text = va_arg(ap, const char *);
        char p[512];
        snprintf(p, sizeof p, "%s/%s", cs_outdir_stage(o), name);
        char *slash = strrchr(p, '/');
        *slash = '\0';
        assert_int_equal(cs_mkdirs(p, err), CS_OK);
        *slash = '/';
        struct cs_afile af;
        assert_int_equal(cs_afile_open(&af, p, err), CS_OK);
        fputs(text, af.fp);
        assert_int_equal(cs_afile_commit(&af, err), CS_OK);
    }
    va_end(ap);
    return cs_outdir_commit(&o, err);
}

static int
setup(void **state)
{
    (void)state;
    snprintf(g_dir, sizeof g_dir, "/tmp/cs-outdir-XXXXXX");
    assert_non_null(mkdtemp(g_dir));
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* The second run replaces the first: files it did not write again go,
 * the user's files stay, the manifest lists exactly the second run. */
static void
test_one_run(void **state)
{
    (void)state;
    struct cs_err err;
    cs_err_clear(&err);
    assert_int_equal(run(&err, "summary.json", "w44", "charts/a.png", "A44", "charts/old.png",
                         "old", NULL),
                     CS_OK);
    put("mine.txt", "user");
    put("charts/user.png", "user chart");
    assert_int_equal(run(&err, "summary.json", "w45", "charts/a.png", "A45", "charts/new.png",
                         "new", NULL),
                     CS_OK);
    assert_string_equal(get("summary.json"), "w45");
    assert_string_equal(get("charts/a.png"), "A45");
    assert_string_equal(get("charts/new.png"), "new");
    assert_false(exists("charts/old.png"));
    assert_string_equal(get("mine.txt"), "user");
    assert_string_equal(get("charts/user.png"), "user chart");
    assert_string_equal(get(CS_OUTDIR_MANIFEST),
                        "callsurvey-manifest 1\ncharts/a.png\ncharts/new.png\nsummary.json\n");
    assert_false(exists(CS_OUTDIR_PENDING));
}

/* A run that fails (abort) or dies before the commit leaves DIR as it was;
 * its staging directory goes with the next run. */
static void
test_abort_and_stale(void **state)
{
    (void)state;
    struct cs_err err;
    cs_err_clear(&err);
    assert_int_equal(run(&err, "summary.json", "one", NULL), CS_OK);
    struct cs_outdir *o = NULL;
    assert_int_equal(cs_outdir_open(g_dir, &o, &err), CS_OK);
    char p[512];
    snprintf(p, sizeof p, "%s/summary.json", cs_outdir_stage(o));
    FILE *f = fopen(p, "w");
    fputs("half", f);
    fclose(f);
    cs_outdir_abort(&o);
    assert_null(o);
    assert_string_equal(get("summary.json"), "one");
    /* a dead run's staging directory, with a subdirectory */
    char stale[256];
    snprintf(stale, sizeof stale, "%s/" CS_OUTDIR_STAGING "dead12/charts", g_dir);
    assert_int_equal(cs_mkdirs(stale, &err), CS_OK);
    put(CS_OUTDIR_STAGING "dead12/charts/x.png", "x");
    put(CS_OUTDIR_MANIFEST ".tmp.999", "half a manifest");
    assert_int_equal(run(&err, "summary.json", "two", NULL), CS_OK);
    assert_false(exists(CS_OUTDIR_STAGING "dead12"));
    assert_false(exists(CS_OUTDIR_MANIFEST ".tmp.999"));
    assert_string_equal(get("summary.json"), "two");
}

/* A run killed half-way through its moves: the journal says what to move
 * and remove; the next open finishes it before its own run. */
static void
test_recover(void **state)
{
    (void)state;
    struct cs_err err;
    cs_err_clear(&err);
    assert_int_equal(run(&err, "summary.json", "old", "charts/gone.png", "old", NULL), CS_OK);
    /* the state after moving summary.json but not charts/b.png */
    char sdir[256];
    snprintf(sdir, sizeof sdir, "%s/" CS_OUTDIR_STAGING "killed/charts", g_dir);
    assert_int_equal(cs_mkdirs(sdir, &err), CS_OK);
    put(CS_OUTDIR_STAGING "killed/charts/b.png", "new b");
    put("summary.json", "new");
    put(CS_OUTDIR_PENDING, "callsurvey-pending 1\nstaging " CS_OUTDIR_STAGING "killed\n"
                           "+ charts/b.png\n+ summary.json\n- charts/gone.png\n"
                           "- summary.json\n- ../escape-probe\n");
    put("../escape-probe", "x"); /* a "- ../..." line must not reach outside DIR */
    struct cs_outdir *o = NULL;
    assert_int_equal(cs_outdir_open(g_dir, &o, &err), CS_OK);
    /* finished before the new run starts */
    assert_string_equal(get("summary.json"), "new");
    assert_string_equal(get("charts/b.png"), "new b");
    assert_false(exists("charts/gone.png"));
    assert_false(exists(CS_OUTDIR_PENDING));
    assert_false(exists(CS_OUTDIR_STAGING "killed"));
    assert_string_equal(get(CS_OUTDIR_MANIFEST),
                        "callsurvey-manifest 1\ncharts/b.png\nsummary.json\n");
    cs_outdir_abort(&o);
    assert_string_equal(get("../escape-probe"), "x");
    char probe[256];
    snprintf(probe, sizeof probe, "%s/../escape-probe", g_dir);
    unlink(probe);
}

/* Only real directories and regular files: nothing moves when one target
 * is a symbolic link or a FIFO, and the staging directory goes. */
static void
test_not_regular(void **state)
{
    (void)state;
    struct cs_err err;
    cs_err_clear(&err);
    char p[512], elsewhere[128];
    snprintf(elsewhere, sizeof elsewhere, "%s-elsewhere", g_dir);
    assert_int_equal(mkdir(elsewhere, 0700), 0);
    snprintf(p, sizeof p, "%s/tables", g_dir);
    assert_int_equal(symlink(elsewhere, p), 0);
    assert_int_equal(run(&err, "summary.json", "s", "tables/t.csv", "t", NULL), CS_E_IO);
    assert_non_null(strstr(err.where, "/tables"));
    assert_non_null(strstr(err.msg, "symbolic link"));
    assert_false(exists("summary.json")); /* nothing moved */
    snprintf(p, sizeof p, "%s/t.csv", elsewhere);
    assert_int_not_equal(access(p, F_OK), 0);
    rmdir(elsewhere);
    snprintf(p, sizeof p, "%s/tables", g_dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/summary.json", g_dir);
    assert_int_equal(mkfifo(p, 0600), 0);
    cs_err_clear(&err);
    assert_int_equal(run(&err, "summary.json", "s", NULL), CS_E_IO);
    assert_non_null(strstr(err.msg, "FIFO"));
    struct stat st;
    assert_int_equal(lstat(p, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    /* no staging directory is left */
    char cmd[300];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | grep -q staging", g_dir);
    assert_int_not_equal(system(cmd), 0);
}

/* Modes: 0666 less the umask, never wider than the file replaced (also
 * across the move into DIR). */
static void
test_modes(void **state)
{
    (void)state;
    struct cs_err err;
    cs_err_clear(&err);
    mode_t old = umask(077);
    assert_int_equal(run(&err, "summary.json", "a", NULL), CS_OK);
    umask(022);
    struct stat st;
    char p[256];
    snprintf(p, sizeof p, "%s/summary.json", g_dir);
    assert_int_equal(stat(p, &st), 0);
    /* the umask was read once per process: 077 here */
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(chmod(p, 0400), 0);
    assert_int_equal(run(&err, "summary.json", "b", "new.json", "c", NULL), CS_OK);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0400); /* kept narrower */
    assert_string_equal(get("summary.json"), "b");
    snprintf(p, sizeof p, "%s/new.json", g_dir);
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(cs_output_mode(NULL), 0600);
    snprintf(p, sizeof p, "%s/summary.json", g_dir);
    assert_int_equal(cs_output_mode(p), 0400);
    umask(old);
}

int
main(void)
{
    /* the umask is read once: before any output, as in a real run */
    umask(077);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_one_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_abort_and_stale, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recover, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_regular, setup, teardown),
        cmocka_unit_test_setup_teardown(test_modes, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
