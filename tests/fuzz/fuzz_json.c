/*
 * tests/fuzz/fuzz_json.c: libFuzzer harness for JSON survey exports.
 *
 * The input is one file as `callsurvey ingest` would read it: container
 * detection (BOM, UTF-16, NUL bytes, JSON Lines versus one streamed
 * document), the framing of arrays and {"records":[...]} wrappers, jsmn
 * tokens to records for flat, nested ("properties") and {"tables":[...]}
 * shapes, and the SDK validation of every record (model/survey.c).  Inputs
 * that do not start like JSON are left to fuzz_csv.c (returning -1 keeps
 * them out of this corpus).  The JSON helpers the loader uses on string
 * values are also driven directly with tight buffers.
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

/* Does the first JSON value of p[0..n) end on its first line?  (As
 * ingest.c decides JSON Lines.) */
static bool
one_line_value(const uint8_t *p, size_t n)
{
    int depth = 0;
    bool in_str = false, esc = false;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (in_str) {
            if (esc)
                esc = false;
            else if (c == '\\')
                esc = true;
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '\n')
            return false;
        if (c == '"')
            in_str = true;
        else if (c == '{' || c == '[')
            depth++;
        else if ((c == '}' || c == ']') && --depth == 0)
            return true;
    }
    return false;
}

/* JSON Lines: every line is read on its own, so each line must give in
 * the whole file what it gives alone (no state, such as the token array,
 * may leak from one line into the next), line by line.  Only when every
 * non-blank line is a JSON value that closes on it (so that each line
 * alone is JSON Lines too), and for the first FUZZ_TALLY_LINES - 1 lines. */
static void
check_lines_independent(const uint8_t *data, size_t size,
                        const struct cs_ingest_opts *o)
{
    if (memchr(data, 0, size) != NULL || memchr(data, '\n', size) == NULL)
        return;
    size_t p = 0;
    if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        p = 3;
    size_t starts[FUZZ_TALLY_LINES], lens[FUZZ_TALLY_LINES];
    size_t line = 1, n = 0;
    for (; p < size; line++) {
        const uint8_t *nl = memchr(data + p, '\n', size - p);
        size_t e = nl ? (size_t)(nl - data) : size;
        if (line >= FUZZ_TALLY_LINES)
            return;
        size_t a = p;
        while (a < e && (data[a] == ' ' || data[a] == '\t' || data[a] == '\r'))
            a++;
        starts[line] = a;
        lens[line] = e - a;
        if (a < e) {
            if ((data[a] != '{' && data[a] != '[') ||
                !one_line_value(data + a, e - a))
                return;
            n++;
        }
        p = e + 1;
    }
    if (n < 2)
        return;
    struct cs_ingest_stats st;
    struct fuzz_tally whole, alone;
    memset(&whole, 0, sizeof whole);
    memset(&alone, 0, sizeof alone);
    if (fuzz_ingest_as(data, size, o, &st, 1, &whole) != CS_OK)
        return;
    for (size_t i = 1; i < line; i++) {
        if (lens[i] == 0)
            continue;
        struct fuzz_tally one;
        memset(&one, 0, sizeof one);
        FUZZ_CHECK(fuzz_ingest_as(data + starts[i], lens[i], o, &st, 1, &one) ==
                   CS_OK);
        FUZZ_CHECK(one.valid[0] == 0 && one.rejected[0] == 0);
        for (size_t k = 2; k < FUZZ_TALLY_LINES; k++) /* all on its line 1 */
            FUZZ_CHECK(one.valid[k] == 0 && one.rejected[k] == 0);
        alone.valid[i] = one.valid[1];
        alone.rejected[i] = one.rejected[1];
    }
    for (size_t k = 0; k < FUZZ_TALLY_LINES; k++) {
        FUZZ_CHECK(whole.valid[k] == alone.valid[k]);
        FUZZ_CHECK(whole.rejected[k] == alone.rejected[k]);
    }
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

    check_lines_independent(data, size, &o);

    /* the helpers, on a bounded prefix, with a tight and a roomy buffer */
    size_t n = size < 512 ? size : 512;
    unescape_tight(data, n, 1 + fuzz_hash(data, n) % 16);
    unescape_tight(data, n, n + 1);
    double v;
    if (cs_parse_number((const char *)data, n < 80 ? n : 80, &v))
        FUZZ_CHECK(v == v && !(v == 0 && 1 / v < 0)); /* no NaN, no -0 */
    return 0;
}
