/* Unit test for core/afile's end of a run (cs_afile_cleanup, called when
 * the process is about to end: out of memory, a signal): the temporary
 * file of an open afile is removed, and no afile can be opened after it
 * (a chart worker must not leave a new temporary file while the main
 * thread ends the run).  A binary of its own: the cleanup is for good. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/afile.h"

static void
test_cleanup_ends_opening(void **state)
{
    (void)state;
    char dir[] = "/tmp/cs-afile-end.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256], path2[256];
    snprintf(path, sizeof path, "%s/a.txt", dir);
    snprintf(path2, sizeof path2, "%s/b.txt", dir);
    struct cs_afile af;
    struct cs_err e;
    assert_int_equal(cs_afile_open(&af, path, &e), CS_OK);
    assert_int_equal(cs_afile_write(&af, "x", 1, &e), CS_OK);
    assert_int_equal(access(af.tmp, F_OK), 0);
    cs_afile_cleanup();
    assert_int_not_equal(access(af.tmp, F_OK), 0); /* removed */
    cs_afile_abort(&af);
    struct cs_afile bf;
    assert_int_equal(cs_afile_open(&bf, path2, &e), CS_E_IO);
    assert_non_null(strstr(e.msg, "cannot create"));
    assert_int_not_equal(access(path2, F_OK), 0);
    assert_int_equal(rmdir(dir), 0); /* nothing left in it */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cleanup_ends_opening),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
