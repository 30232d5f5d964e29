/*
 * tests/tools/lib/chart_pngdiff.h: decoded-pixel comparison of two PNG
 * files, the golden-image check of STYLE.md rule 11, shared by the chart
 * unit tests and the tests/tools/pngdiff command.  Test tooling: it is built
 * into build/libcstest.a, which only the test and tool binaries link, so the
 * library (build/libcallsurvey.a) carries no test code.  Include it as
 * "../tools/lib/chart_pngdiff.h" from tests/unit, "lib/chart_pngdiff.h" from
 * tests/tools.
 */
#ifndef CS_TESTS_CHART_PNGDIFF_H
#define CS_TESTS_CHART_PNGDIFF_H

#include <stdbool.h>

#include "core/err.h"

struct chart_pngdiff {
    int width, height;  /* size of the first image */
    bool size_mismatch; /* the images differ in size (nothing compared) */
    long long changed;  /* pixels where any channel differs */
    int max_diff;       /* largest channel difference, 0..255 */
};

/* Decode a and b (borrowed paths) and compare them pixel by pixel on the
 * four 8-bit channels cairo decodes them to (an opaque RGB PNG counts as
 * alpha 255).  The images "differ" when chart_pngdiff_fails(out, tol).
 * When they differ, sizes match and diff_path is not NULL, a diff image
 * is written there: unchanged pixels as a faint grey copy of a, changed
 * pixels in red, brighter the larger the difference (orange when within
 * tol).  Errors: CS_E_IO when a file cannot be read or decoded, or the
 * diff cannot be written; the comparison itself is not an error. */
cs_status chart_png_compare(const char *a, const char *b, int tol,
                            const char *diff_path, struct chart_pngdiff *out,
                            struct cs_err *err);

/* The rule: size mismatch, or changed > 0 && max_diff > tol. */
bool chart_pngdiff_fails(const struct chart_pngdiff *d, int tol);

#endif
