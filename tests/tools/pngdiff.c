/*
 * tests/tools/pngdiff.c: compare two PNG files by decoded pixels.
 *
 *   pngdiff [--tol N] A.png B.png [DIFF.png]
 *
 * Prints one line "changed=C max_diff=M tol=N (WxH)" and exits 0 when the
 * images are the same within the tolerance (changed == 0 or max_diff <= N;
 * default N 0), 1 when they differ (writing DIFF.png if given), 2 on a usage
 * or read error.  The rule and the diff image are those of STYLE.md rule 11,
 * implemented once in tests/tools/lib/chart_pngdiff.c for this tool and the
 * tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "lib/chart_pngdiff.h"

static int
usage(void)
{
    fprintf(stderr, "usage: pngdiff [--tol N] A.png B.png [DIFF.png]\n");
    return 2;
}

int
main(int argc, char **argv)
{
    int tol = 0, i = 1;
    if (i < argc && strcmp(argv[i], "--tol") == 0) {
        char *end;
        if (i + 1 >= argc)
            return usage();
        long v = strtol(argv[i + 1], &end, 10);
        if (*argv[i + 1] == '\0' || *end != '\0' || v < 0 || v > 255)
            return usage();
        tol = (int)v;
        i += 2;
    }
    if (argc - i != 2 && argc - i != 3)
        return usage();
    const char *diff = argc - i == 3 ? argv[i + 2] : NULL;
    struct chart_pngdiff d;
    struct cs_err err;
    cs_err_clear(&err);
    if (chart_png_compare(argv[i], argv[i + 1], tol, diff, &d, &err) != CS_OK) {
        char buf[1024];
        fprintf(stderr, "pngdiff: error: %s\n",
                cs_err_format(&err, buf, sizeof buf));
        return 2;
    }
    if (d.size_mismatch) {
        printf("size mismatch: %s is %dx%d\n", argv[i], d.width, d.height);
        return 1;
    }
    printf("changed=%lld max_diff=%d tol=%d (%dx%d)\n", d.changed, d.max_diff,
           tol, d.width, d.height);
    return chart_pngdiff_fails(&d, tol) ? 1 : 0;
}
