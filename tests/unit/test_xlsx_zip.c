/*
 * tests/unit/test_xlsx_zip.c: the workbook's zip is deflated at level 1
 * (render/xlsx_zip.h) and stays a valid workbook; zlib users outside
 * cs_xlsx_close keep their own level.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "render/xlsx.h"
#include "render/xlsx_zip.h"

static void
test_level_one_inside_close_only(void **state)
{
    (void)state;
    char dir[] = "/tmp/cs-xlsx-zip-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/w.xlsx", dir);

    /* outside the window: zlib's default level, and it is what we asked */
    unsigned long before = cs_xlsx_zip_fast_count();
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    assert_int_equal(deflateInit(&zs, Z_BEST_COMPRESSION), Z_OK);
    deflateEnd(&zs);
    assert_int_equal(cs_xlsx_zip_fast_count(), before);

    /* a workbook of 2,000 rows of repetitive text */
    static const char *const cols[] = {"Key", "Value"};
    enum { N = 2000 };
    struct cs_xlsx_cell *cells = calloc(N * 2, sizeof *cells);
    assert_non_null(cells);
    for (size_t i = 0; i < N; i++) {
        cells[i * 2] = (struct cs_xlsx_cell){.type = CS_XLSX_TEXT, .text = "survey answer"};
        cells[i * 2 + 1] = (struct cs_xlsx_cell){.type = CS_XLSX_NUMBER, .num = (double)i};
    }
    struct cs_err e;
    cs_err_clear(&e);
    struct cs_xlsx *x = NULL;
    assert_int_equal(cs_xlsx_open(path, NULL, &x, &e), CS_OK);
    struct cs_xlsx_table_spec t = {.title = "T", .columns = cols, .n_cols = 2, .cells = cells, .n_rows = N};
    assert_int_equal(cs_xlsx_table(x, &t, &e), CS_OK);
    assert_int_equal(cs_xlsx_close(&x, &e), CS_OK);
    free(cells);
    /* every member of the container was deflated at level 1 */
    assert_true(cs_xlsx_zip_fast_count() > before + 5);

    /* and the file is a zip whose sheet inflates back: unzip -t checks
     * every member's CRC */
    char cmd[512];
    snprintf(cmd, sizeof cmd, "unzip -tq '%s' >/dev/null 2>&1", path);
    assert_int_equal(system(cmd), 0);
    unlink(path);
    rmdir(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_level_one_inside_close_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
