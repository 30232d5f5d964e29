/*
 * tests/fuzz/fuzz_events.c: libFuzzer harness for Application Insights
 * customEvents exports (the custom-question answers).
 *
 * The input is one file, CSV (the portal's customEvents export with
 * customDimensions as JSON text in doubled quotes, AppEvents' Properties,
 * or the tutorial's SurveyId,<answer>... query) or JSON (rows with a
 * customDimensions object or string, a {"tables":[...]} response), read by
 * the real ingest path: event rows are told from survey rows by their
 * columns, names other than --event-name are skipped, the --id-key
 * property is taken out of the bag (ingest/events.c, cJSON).  The input is
 * also handed whole to cs_event_emit as a customDimensions bag, so cJSON's
 * side of the bag is fuzzed without the container around it.  JSON Lines
 * input must give, line by line, what each line gives alone.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "ingest/ingest_int.h"

/* The bag alone: one event named CallSurvey with data as customDimensions
 * and as customMeasurements. */
static void
emit_bag(const uint8_t *data, size_t size, const struct cs_ingest_opts *o)
{
    static struct cs_record batch[1];
    struct fuzz_sink fs = {0};
    struct cs_ingest_sink sink = {
        .ctx = &fs, .records = fuzz_records, .reject = fuzz_reject, .event = fuzz_event};
    struct cs_ingest_stats st = {0};
    struct cs_err err;
    cs_err_clear(&err);
    struct cs_ingest_run run = {
        .name = "fuzz-bag", .opts = o, .sink = &sink, .stats = &st, .err = &err, .batch = batch};
    const char *d = (const char *)data;
    cs_status s = cs_event_emit(&run, "CallSurvey", 10, "2026-11-16T08:00:00Z",
                                20, d, size, d, size, d, size, 1, 0, NULL);
    FUZZ_CHECK(s == CS_OK);
    FUZZ_CHECK(st.events_read == 1 && st.events_skipped == 0);
    FUZZ_CHECK(st.events_valid + st.events_rejected == 1);
    FUZZ_CHECK(fs.n_events == st.events_valid && fs.n_rejects == st.rejected);
    FUZZ_CHECK(run.n_batch == 0); /* a rejected event takes no batch slot */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cs_ingest_opts o;
    cs_ingest_opts_default(&o);
    uint32_t h = fuzz_hash(data, size);
    if (h & 2)
        o.id_key = "surveyId"; /* --id-key, matched case-insensitively */
    if (h & 4)
        o.date_order = CS_DATE_DMY;
    struct cs_ingest_stats st;
    cs_status s = fuzz_ingest(data, size, &o, &st);
    FUZZ_CHECK(s == CS_OK || s == CS_E_DB || s == CS_E_PARSE ||
               s == CS_E_NODATA);
    if (s == CS_OK && st.content == CS_CONTENT_EVENTS)
        FUZZ_CHECK(st.events_valid + st.events_skipped <= st.events_read);
    fuzz_check_lines_independent(data, size, &o); /* JSON Lines events */
    emit_bag(data, size, &o);
    return 0;
}
