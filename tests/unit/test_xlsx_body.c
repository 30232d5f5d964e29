/*
 * tests/unit/test_xlsx_body.c: a body's rows spliced into its sheet's zip
 * member (render/xlsx_body.h) through libxlsxwriter's own workbook_close:
 * the member inflates to the sheet's text with the rows in place of the
 * ones libxlsxwriter would have copied; a sheet without rows keeps its
 * text; rows with nowhere to go fail the workbook instead of vanishing.
 * (test_xlsx compares whole workbooks written both ways.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "render/deflate.h"
#include "render/xlsx_body.h"
#include "render/xlsx_tmpfile.h"

static char dir[] = "/tmp/cs-test-xlsx-body-XXXXXX";

/* The text of member `member` of the workbook at path, from unzip (which
 * checks its CRC): malloc'd, or NULL when unzip fails. */
static char *
member_text(const char *path, const char *member)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "unzip -p '%s' '%s' 2>/dev/null", path, member);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 20, n = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    size_t k;
    while ((k = fread(s + n, 1, cap - n - 1, p)) > 0) {
        n += k;
        if (n + 1 == cap) {
            cap *= 2;
            s = realloc(s, cap);
            assert_non_null(s);
        }
    }
    s[n] = '\0';
    if (pclose(p) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

/* A constant-memory workbook at path with sheets "A" (a header cell
 * written by libxlsxwriter, then a body's rows) and "B" (no cell; its
 * body gets `b_rows`), closed with the bodies spliced.  Returns
 * workbook_close's answer; *lost: the bodies with rows left out.  late:
 * libxlsxwriter is given a row of A after its body is closed. */
static lxw_error
write_book(const char *path, const char *a_rows, const char *b_rows, bool late, size_t *lost)
{
    lxw_workbook_options o = {.constant_memory = LXW_TRUE, .tmpdir = dir};
    lxw_workbook *wb = workbook_new_opt(path, &o);
    assert_non_null(wb);
    lxw_worksheet *a = workbook_add_worksheet(wb, "A");
    lxw_worksheet *b = workbook_add_worksheet(wb, "B");
    assert_int_equal(worksheet_write_string(a, 0, 0, "head", NULL), LXW_NO_ERROR);
    lxw_worksheet_write_single_row(a); /* the header row into its file, as xl_cells_begin */
    struct xl_bodies *set = xl_bodies_new(dir);
    struct xl_body *ba = xl_body_open(set, a), *bb = xl_body_open(set, b);
    assert_non_null(ba);
    assert_non_null(bb);
    /* rows 2.. of A, as render/xlsx_cells.c writes them, in pieces */
    size_t n = strlen(a_rows);
    for (size_t off = 0; off < n; off += 7)
        xl_body_write(ba, a_rows + off, n - off < 7 ? n - off : 7);
    a->dim_rowmax = 1 + (lxw_row_t)(n > 0); /* A's <dimension> covers the rows */
    xl_body_write(bb, b_rows, strlen(b_rows));
    xl_body_close(ba);
    xl_body_close(bb);
    if (late)
        assert_int_equal(worksheet_write_string(a, 50000, 0, "late", NULL), LXW_NO_ERROR);
    xl_tmpfile_reset();
    cs_deflate_xlsx_begin();
    xl_bodies_splice_begin(set, wb);
    lxw_error e = workbook_close(wb);
    *lost = xl_bodies_splice_end(set);
    cs_deflate_xlsx_end();
    xl_bodies_free(set);
    return e;
}

static void
test_rows_spliced(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/ok.xlsx", dir);
    /* rows long enough to span several of deflate.c's 1 MB blocks */
    size_t n_rows = 40000;
    char *rows = malloc(n_rows * 64 + 1);
    assert_non_null(rows);
    size_t len = 0;
    for (size_t i = 0; i < n_rows; i++)
        len += (size_t)sprintf(rows + len, "<row r=\"%zu\"><c r=\"A%zu\"><v>%zu</v></c></row>",
                               i + 2, i + 2, i * 7919 % 100003);
    unsigned long before = xl_bodies_spliced_count();
    size_t lost = 9;
    assert_int_equal(write_book(path, rows, "", false, &lost), LXW_NO_ERROR);
    assert_int_equal(lost, 0);
    assert_int_equal(xl_tmpfile_errno(), 0);
    assert_int_equal(xl_bodies_spliced_count() - before, 2);
    char *a = member_text(path, "xl/worksheets/sheet1.xml");
    assert_non_null(a);
    /* the header row, then every body row, then the end of sheetData */
    const char *sd = strstr(a, "<sheetData>");
    assert_non_null(sd);
    const char *r1 = strstr(sd, "<row r=\"1\"");
    assert_non_null(r1);
    const char *r2 = strstr(r1, "</row>");
    assert_non_null(r2);
    r2 += strlen("</row>");
    assert_memory_equal(r2, rows, len);
    assert_string_equal(strstr(r2 + len, "</sheetData>"), strstr(a, "</sheetData>"));
    assert_non_null(strstr(r2 + len, "</worksheet>"));
    char *b = member_text(path, "xl/worksheets/sheet2.xml");
    assert_non_null(b);
    assert_non_null(strstr(b, "<sheetData/>")); /* no row: its own text alone */
    free(a);
    free(b);
    free(rows);
}

/* Rows for a sheet whose text has no place for them ("<sheetData/>"): the
 * member, hence the workbook, fails; nothing is dropped silently. */
static void
test_rows_without_place_fail(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/bad.xlsx", dir);
    size_t lost = 0;
    lxw_error e =
        write_book(path, "", "<row r=\"2\"><c r=\"A2\"><v>1</v></c></row>", false, &lost);
    assert_int_not_equal(e, LXW_NO_ERROR);
    assert_int_not_equal(xl_tmpfile_errno(), 0);
    assert_int_equal(lost, 1);
}

/* A row given to libxlsxwriter after the body's would land before the
 * body's rows: the body is left out, and counted, so the caller fails the
 * workbook (cs_xlsx_close) instead of writing rows out of order. */
static void
test_late_row_leaves_body_out(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/late.xlsx", dir);
    size_t lost = 0;
    unsigned long before = xl_bodies_spliced_count();
    assert_int_equal(write_book(path, "<row r=\"2\"><c r=\"A2\"><v>1</v></c></row>", "", true,
                                &lost),
                     LXW_NO_ERROR);
    assert_int_equal(lost, 1);
    assert_int_equal(xl_bodies_spliced_count() - before, 1); /* B's, empty */
}

static int
setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_spliced),
        cmocka_unit_test(test_rows_without_place_fail),
        cmocka_unit_test(test_late_row_leaves_body_out),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
