/*
 * tests/fuzz/fuzz_json.c: libFuzzer harness for JSON survey exports.
 *
 * The input is one file as `callsurvey ingest` would read it: container
 * detection (BOM, UTF-16, NUL bytes, JSON Lines versus one streamed
 * document), the framing of arrays and {"records":[...]} wrappers, jsmn
 * tokens to records for flat, nested ("properties") and {"tables":[...]}
 * shapes, and the SDK validation of every record (model/survey.c).  Inputs
 * that do not start like JSON are left to fuzz_csv.c (returning -1 keeps
 * them out of this corpus).  JSON Lines input must give, line by line,
 * what each line gives alone (fuzz_check_lines_independent).  The JSON
 * helpers the loader uses on string values are also driven directly with
 * tight buffers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "ingest/ingest_int.h"

/* cs_json_unescape into a buffer of exactly cap bytes (ASan sees a byte
 * past it); on success the text is NUL-terminated and shorter than cap. */
static void
unescape_tight(const uint8_t *data, size_t size, size_t cap)
{
    char *out = malloc(cap);
    FUZZ_CHECK(out != NULL);
    size_t n = cs_json_unescape((const char *)data, size, out, cap);
    if (n != (size_t)-1) {
        FUZZ_CHECK(n < cap);
        FUZZ_CHECK(out[n] == '\0');
    }
    free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fuzz_looks_json(data, size))
        return -1;
    struct cs_ingest_opts o;
    cs_ingest_opts_default(&o);
    struct cs_ingest_stats st;
    cs_status s = fuzz_ingest(data, size, &o, &st);
    /* JSON input is refused whole only for NUL bytes in its first 4 KiB;
     * other problems are per-record rejects (or the sink's own failure) */
    bool nul = memchr(data, 0, size < 4096 ? size : 4096) != NULL;
    FUZZ_CHECK(s == (nul ? CS_E_PARSE : CS_OK) || (!nul && s == CS_E_DB));
    if (s == CS_OK)
        FUZZ_CHECK(st.content != CS_CONTENT_UNKNOWN || st.read == 0);

    fuzz_check_lines_independent(data, size, &o);

    /* the helpers, on a bounded prefix, with a tight and a roomy buffer */
    size_t n = size < 512 ? size : 512;
    unescape_tight(data, n, 1 + fuzz_hash(data, n) % 16);
    unescape_tight(data, n, n + 1);
    double v;
    if (cs_parse_number((const char *)data, n < 80 ? n : 80, &v))
        FUZZ_CHECK(v == v && !(v == 0 && 1 / v < 0)); /* no NaN, no -0 */
    return 0;
}
