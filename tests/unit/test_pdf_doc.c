/*
 * Unit tests for render/pdf_doc (issue 18): paper names, page size, a
 * table that continues across pages under its repeated header, "Page N of
 * M" footers on every page, charts placed by name (unknown names skipped),
 * the contents page, an empty document, abort and the atomic file.  The
 * PDF is read back with poppler's pdfinfo and pdftotext.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/mem.h"
#include "render/chart.h"
#include "render/pdf_doc.h"

static char *
tmp_path(const char *name)
{
    mkdir("tests/out", 0777);
    char *p = xasprintf("tests/out/pdf_doc_%s.pdf", name);
    unlink(p); /* a failed earlier run may have left it */
    return p;
}

/* stdout of cmd, owned */
static char *
run(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char *buf = xcalloc(1, 1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, p);
    buf[n] = '\0';
    pclose(p);
    return buf;
}

/* does pdfinfo output `info` give field (e.g. "Title:") the value want? */
static bool
info_is(const char *info, const char *field, const char *want)
{
    const char *p = strstr(info, field);
    if (!p)
        return false;
    p += strlen(field);
    while (*p == ' ')
        p++;
    return strncmp(p, want, strlen(want)) == 0;
}

static int
pdf_pages(const char *path)
{
    char *cmd = xasprintf("pdfinfo '%s' 2>/dev/null", path);
    char *out = run(cmd);
    const char *p = strstr(out, "Pages:");
    int n = p ? atoi(p + 6) : -1;
    xfree(cmd);
    xfree(out);
    return n;
}

static char *
page_text(const char *path, int page)
{
    char *cmd = xasprintf("pdftotext -layout -f %d -l %d '%s' - 2>/dev/null", page, page, path);
    char *out = run(cmd);
    xfree(cmd);
    return out;
}

static void
test_paper_parse(void **state)
{
    (void)state;
    enum pdf_paper p = PDF_PAPER_LETTER;
    assert_true(pdf_paper_parse("A4", &p));
    assert_int_equal(p, PDF_PAPER_A4);
    assert_true(pdf_paper_parse("letter", &p));
    assert_int_equal(p, PDF_PAPER_LETTER);
    assert_false(pdf_paper_parse("a5", &p));
    assert_false(pdf_paper_parse(NULL, &p));
}

static void
column_spec(struct chart_spec *s, const double *v, const char *const *cats)
{
    static struct chart_series ser;
    ser = (struct chart_series){.name = "Share", .values = v};
    chart_spec_init(s, CHART_COLUMN);
    s->title = "A column chart";
    s->categories = cats;
    s->n_categories = 3;
    s->series = &ser;
    s->n_series = 1;
    s->axis.fmt = CHART_FMT_PERCENT;
}

static void
test_document(void **state)
{
    (void)state;
    char *p = tmp_path("doc");
    struct pdf_doc *d;
    struct cs_err err;
    struct pdf_doc_meta meta = {.title = "Test document", .period = "2026-W47", .creator = "callsurvey test"};
    assert_int_equal(pdf_doc_open(p, PDF_PAPER_A4, &meta, &d, &err), CS_OK);
    /* A4 minus two 50 pt margins */
    assert_true(pdf_doc_column_width(d) > 494 && pdf_doc_column_width(d) < 496);
    double v[3] = {0.1, 0.5, 0.4};
    const char *cats[3] = {"1", "2", "3"};
    struct chart_spec s;
    column_spec(&s, v, cats);
    assert_int_equal(pdf_doc_stash_chart(d, "col", &s, 495, 300, &err), CS_OK);
    assert_true(pdf_doc_has_chart(d, "col"));
    assert_false(pdf_doc_has_chart(d, "nope"));
    pdf_doc_text(d, "First page", 18, true, false);
    pdf_doc_contents_page(d);
    pdf_doc_heading(d, 0, "Big table", 40);
    /* 150 rows of about 16 pt cannot fit one page of ~720 pt */
    enum { ROWS = 150 };
    const char *hdr[2] = {"Name column", "Count"};
    char **cells = xcalloc(ROWS * 2, sizeof *cells);
    for (int r = 0; r < ROWS; r++) {
        cells[2 * r] = xasprintf("row %d", r);
        cells[2 * r + 1] = xasprintf("%d", r * 10);
    }
    struct pdf_table t = {.n_cols = 2, .header = hdr, .n_rows = ROWS, .cells = (const char *const *)cells};
    pdf_doc_table(d, &t);
    for (int r = 0; r < ROWS * 2; r++)
        xfree(cells[r]);
    xfree(cells);
    pdf_doc_new_page(d);
    pdf_doc_heading(d, 0, "Charts", 0);
    const char *names[3] = {"col", "missing", "col"};
    assert_int_equal(pdf_doc_charts(d, names, 3, 1), 2);
    int pages = pdf_doc_page_count(d);
    assert_true(pages >= 6);               /* first, contents, >= 3 of table, charts */
    assert_int_equal(access(p, F_OK), -1); /* nothing at the final name yet */
    assert_int_equal(pdf_doc_close(&d, &err), CS_OK);
    assert_null(d);
    assert_int_equal(pdf_pages(p), pages);
    for (int i = 1; i <= pages; i++) {
        char *txt = page_text(p, i);
        char want[64];
        snprintf(want, sizeof want, "Page %d of %d", i, pages);
        assert_non_null(strstr(txt, want));
        assert_non_null(strstr(txt, "Test document"));
        assert_non_null(strstr(txt, "2026-W47"));
        xfree(txt);
    }
    char *c = page_text(p, 2);
    assert_non_null(strstr(c, "Contents"));
    assert_non_null(strstr(c, "Big table"));
    xfree(c);
    /* the table's third page repeats the header and goes on with the rows */
    c = page_text(p, 4);
    assert_non_null(strstr(c, "Name column"));
    assert_non_null(strstr(c, "row 60")); /* ~45 rows a page: 45..89 here */
    assert_null(strstr(c, "row 0 "));
    xfree(c);
    char *cmd = xasprintf("pdfinfo '%s'", p);
    c = run(cmd);
    assert_true(info_is(c, "Title:", "Test document"));
    assert_true(info_is(c, "Creator:", "callsurvey test"));
    assert_true(info_is(c, "Page size:", "595.276 x 841.89 pts (A4)"));
    xfree(c);
    xfree(cmd);
    unlink(p);
    xfree(p);
}

static void
test_empty_letter_and_abort(void **state)
{
    (void)state;
    char *p = tmp_path("empty");
    struct pdf_doc *d;
    struct cs_err err;
    struct pdf_doc_meta meta = {.title = "Empty"};
    assert_int_equal(pdf_doc_open(p, PDF_PAPER_LETTER, &meta, &d, &err), CS_OK);
    assert_int_equal(pdf_doc_page_count(d), 0);
    assert_int_equal(pdf_doc_close(&d, &err), CS_OK);
    assert_int_equal(pdf_pages(p), 1);
    char *cmd = xasprintf("pdfinfo '%s'", p);
    char *c = run(cmd);
    assert_true(info_is(c, "Page size:", "612 x 792 pts (letter)"));
    xfree(c);
    xfree(cmd);
    unlink(p);
    assert_int_equal(pdf_doc_open(p, PDF_PAPER_A4, &meta, &d, &err), CS_OK);
    pdf_doc_text(d, "gone", 10, false, false);
    pdf_doc_abort(&d);
    assert_null(d);
    assert_int_equal(access(p, F_OK), -1);
    struct pdf_doc_meta none = {.title = NULL};
    assert_int_equal(pdf_doc_open(p, PDF_PAPER_A4, &none, &d, &err), CS_E_USAGE);
    xfree(p);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paper_parse),
        cmocka_unit_test(test_document),
        cmocka_unit_test(test_empty_letter_and_abort),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    chart_cleanup();
    return rc;
}
