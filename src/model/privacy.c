/*
 * model/privacy.c: keyed pseudonyms and the free-text rule (see privacy.h).
 *
 * HMAC-SHA-256 from nettle: the keyed context is set up once per call from
 * the key (hmac_sha256_set_key hashes a long key and pads it), so the
 * struct stays read-only and shareable between threads; at a microsecond
 * per id this is far below the cost of writing the id into a workbook.
 * The key is read whole with a size cap; its bytes are wiped before they
 * are freed.
 */
#include "model/privacy.h"

#include <errno.h>
#include <nettle/hmac.h>
#include <nettle/sha2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/mem.h"

/* ---- Private helpers ---------------------------------------------------- */

static bool
is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* A strict decimal number: [+-] digits [. digits] [e [+-] digits], with at
 * least one digit before the exponent (no hex, inf or nan as strtod has). */
static bool
is_number(const char *s, size_t n)
{
    size_t i = 0, digits = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, digits++;
    }
    if (digits == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t ed = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, ed++;
        if (ed == 0)
            return false;
    }
    return i == n;
}

static bool
word_ci(const char *s, size_t n, const char *w)
{
    if (strlen(w) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (c != w[i])
            return false;
    }
    return true;
}

/* ---- Public API --------------------------------------------------------- */

cs_status
cs_privacy_from_key(const void *key, size_t key_len, const char *key_name,
                    bool keep_text, struct cs_privacy **out, struct cs_err *err)
{
    *out = NULL;
    const char *name = key_name ? key_name : "";
    if (key_len == 0)
        return cs_fail(err, CS_E_USAGE, "--pseudonymize",
                       "the key file '%s' is empty; make one with: "
                       "head -c 32 /dev/urandom > %s",
                       name, name);
    if (key_len < CS_PRIVACY_KEY_MIN)
        return cs_fail(err, CS_E_USAGE, "--pseudonymize",
                       "the key file '%s' holds %zu bytes; a key needs at least %d "
                       "(make one with: head -c 32 /dev/urandom > KEYFILE)",
                       name, key_len, CS_PRIVACY_KEY_MIN);
    if (key_len > CS_PRIVACY_KEY_MAX)
        return cs_fail(err, CS_E_USAGE, "--pseudonymize",
                       "the key file '%s' is longer than %d bytes; is it really a key?",
                       name, CS_PRIVACY_KEY_MAX);
    struct cs_privacy *p = xcalloc(1, sizeof *p);
    p->key = xmalloc(key_len);
    memcpy(p->key, key, key_len);
    p->key_len = key_len;
    snprintf(p->key_name, sizeof p->key_name, "%s", name);
    p->keep_text = keep_text;
    *out = p;
    return CS_OK;
}

cs_status
cs_privacy_load(const char *key_path, bool keep_text, struct cs_privacy **out,
                struct cs_err *err)
{
    *out = NULL;
    FILE *fp = fopen(key_path, "rb");
    if (!fp)
        return cs_fail(err, CS_E_IO, "--pseudonymize", "cannot read the key file '%s': %s",
                       key_path, strerror(errno));
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(fp);
        return cs_fail(err, CS_E_IO, "--pseudonymize",
                       "the key file '%s' is a directory", key_path);
    }
    /* read at most one byte past the cap, so "too long" is known */
    unsigned char *buf = xmalloc(CS_PRIVACY_KEY_MAX + 1);
    size_t n = fread(buf, 1, CS_PRIVACY_KEY_MAX + 1, fp);
    int rerr = ferror(fp) ? errno : 0;
    fclose(fp);
    cs_status s;
    if (rerr)
        s = cs_fail(err, CS_E_IO, "--pseudonymize", "cannot read the key file '%s': %s",
                    key_path, strerror(rerr));
    else if ((s = cs_privacy_from_key(buf, n, key_path, keep_text, out, err)) == CS_OK) {
        /* About names the file, not its directory */
        const char *slash = strrchr(key_path, '/');
        if (slash && slash[1])
            snprintf((*out)->key_name, sizeof(*out)->key_name, "%s", slash + 1);
    }
    memset(buf, 0, CS_PRIVACY_KEY_MAX + 1);
    xfree(buf);
    return s;
}

void
cs_privacy_free(struct cs_privacy **pp)
{
    if (!pp || !*pp)
        return;
    struct cs_privacy *p = *pp;
    if (p->key) {
        /* volatile: the wipe must not be optimized away before free */
        volatile unsigned char *k = p->key;
        for (size_t i = 0; i < p->key_len; i++)
            k[i] = 0;
    }
    xfree(p->key);
    xfree(p);
    *pp = NULL;
}

char *
cs_privacy_id(const struct cs_privacy *p, const char *s, size_t len,
              char out[CS_PRIVACY_HEX + 1])
{
    out[0] = '\0';
    if (!s)
        return out;
    if (len == SIZE_MAX)
        len = strlen(s);
    while (len && is_space((unsigned char)*s))
        s++, len--;
    while (len && is_space((unsigned char)s[len - 1]))
        len--;
    if (len == 0)
        return out;
    struct hmac_sha256_ctx ctx;
    hmac_sha256_set_key(&ctx, p->key_len, p->key);
    /* lower-case in chunks: ids are short, but nothing here assumes it */
    uint8_t chunk[256];
    for (size_t i = 0; i < len;) {
        size_t k = 0;
        for (; k < sizeof chunk && i < len; k++, i++) {
            unsigned char c = (unsigned char)s[i];
            chunk[k] = c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
        }
        hmac_sha256_update(&ctx, k, chunk);
    }
    uint8_t digest[SHA256_DIGEST_SIZE];
    hmac_sha256_digest(&ctx, sizeof digest, digest);
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < CS_PRIVACY_HEX / 2; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[CS_PRIVACY_HEX] = '\0';
    memset(&ctx, 0, sizeof ctx);
    return out;
}

const char *
cs_privacy_show_id(const struct cs_privacy *p, const char *s,
                   char buf[CS_PRIVACY_HEX + 1])
{
    if (!p || !s || !*s)
        return s;
    return cs_privacy_id(p, s, SIZE_MAX, buf);
}

bool
cs_privacy_is_text(const char *s, size_t len)
{
    if (!s)
        return false;
    while (len && is_space((unsigned char)*s))
        s++, len--;
    while (len && is_space((unsigned char)s[len - 1]))
        len--;
    if (len == 0)
        return false;
    return !is_number(s, len) && !word_ci(s, len, "true") && !word_ci(s, len, "false");
}

bool
cs_privacy_drops_text(const struct cs_privacy *p)
{
    return p && !p->keep_text;
}

char *
cs_privacy_describe(const struct cs_privacy *p)
{
    if (!p)
        return NULL;
    return xasprintf("participant, call and survey ids replaced by keyed pseudonyms "
                     "(HMAC-SHA-256 of the trimmed, lower-cased id, first %d hex digits; "
                     "key file %s); free-text answers %s; raw text of rejected records "
                     "dropped",
                     CS_PRIVACY_HEX, p->key_name,
                     p->keep_text ? "kept (--keep-text)" : "dropped");
}
