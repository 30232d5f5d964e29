/*
 * tests/fuzz/fuzz_csv.c: libFuzzer harness for CSV survey exports.
 *
 * The input is one file as the Log Analytics portal exports it: a header
 * row (columns mapped by name, " [UTC]" suffixes, a BOM), then rows fed to
 * libcsv one physical line at a time (quotes, embedded newlines, CRLF),
 * locale times ("10/26/2026, 1:15:54.092 AM") in either day order, and the
 * SDK validation of every record.  Inputs that start like JSON belong to
 * fuzz_json.c and are refused (-1).  The issue-list normalizer the loader
 * calls on *Issues cells is also driven directly for every category.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fuzz_looks_json(data, size))
        return -1;
    struct cs_ingest_opts o;
    cs_ingest_opts_default(&o);
    if (size && (data[size - 1] & 1)) /* locale dates: both day orders */
        o.date_order = CS_DATE_DMY;
    struct cs_ingest_stats st;
    cs_status s = fuzz_ingest(data, size, &o, &st);
    FUZZ_CHECK(s == CS_OK || s == CS_E_DB || s == CS_E_PARSE ||
               s == CS_E_NODATA);

    /* issue lists: bounded, deduplicated, comma-joined, no empty tokens */
    static struct cs_rating rt;
    for (int c = 0; c < CS_CAT__COUNT; c++) {
        bool ok = cs_rating_set_issues(&rt, (enum cs_category)c,
                                       (const char *)data, size);
        size_t n = strnlen(rt.issues, sizeof rt.issues);
        FUZZ_CHECK(n < sizeof rt.issues);
        if (ok && n) {
            FUZZ_CHECK(rt.issues[0] != ',' && rt.issues[n - 1] != ',');
            FUZZ_CHECK(strstr(rt.issues, ",,") == NULL);
        }
    }
    return 0;
}
