/*
 * model/dims.c: release dimensions, groups and their order (see dims.h).
 * The OS rules follow FORMATS.md section 8's real OsVersion strings:
 * "Windows 10.0.17763 Arch: x64", "Android 11.0; Manufacturer: Google;
 * ...", "Darwin Kernel Version 18.7.0: ...".
 */
#include "model/dims.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name, *column;
} dims[CS_DIM__COUNT] = {
    {"sdk-version", "sdk_version"},
    {"os", "os"},
    {"os-version", "os_version"},
    {"endpoint-type", "endpoint_type"},
    {"participant-type", "participant_type"},
    {"call-type", "call_type"},
    {"end-reason", "end_reason"},
    {"app-version", "app_version"},
    {"browser", "browser"},
    {"client-os", "client_os"},
};

enum cs_dim
cs_dim_parse(const char *name)
{
    for (int d = 0; name && d < CS_DIM__COUNT; d++)
        if (strcmp(name, dims[d].name) == 0)
            return (enum cs_dim)d;
    return CS_DIM_NONE;
}

const char *
cs_dim_name(enum cs_dim d)
{
    return d >= 0 && d < CS_DIM__COUNT ? dims[d].name : "";
}

const char *
cs_dim_column(enum cs_dim d)
{
    return d >= 0 && d < CS_DIM__COUNT ? dims[d].column : "";
}

bool
cs_dim_is_version(enum cs_dim d)
{
    return d == CS_DIM_SDK_VERSION || d == CS_DIM_APP_VERSION;
}

/* raw trimmed of blanks: [*s, *s + return) */
static size_t
trimmed(const char **s)
{
    const char *p = *s;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    size_t n = strlen(p);
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r' || p[n - 1] == '\n'))
        n--;
    *s = p;
    return n;
}

bool
cs_dim_missing(const char *s)
{
    if (!s)
        return true;
    size_t n = trimmed(&s);
    return n == 0 || (n == 4 && strncasecmp(s, "null", 4) == 0);
}

static bool
is_redacted(const char *s)
{
    size_t n = trimmed(&s);
    return n == 8 && strncasecmp(s, "redacted", 8) == 0;
}

static const char *
put(char *out, size_t cap, const char *s, size_t n)
{
    if (cap == 0)
        return out;
    if (n >= cap)
        n = cap - 1;
    memcpy(out, s, n);
    out[n] = '\0';
    return out;
}

/* first case-insensitive occurrence of needle in hay, or NULL */
static const char *
find_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return hay;
    return NULL;
}

/* the number starting at or after p (first digit run); -1 if none */
static long
number_after(const char *p)
{
    while (*p && !isdigit((unsigned char)*p))
        p++;
    return *p ? strtol(p, NULL, 10) : -1;
}

/* Windows: "Windows 10.0.22631 Arch: x64" -> build 22631 -> Windows 11. */
static const char *
windows(const char *s, char *out, size_t cap)
{
    const char *v = s + 7;
    long major = number_after(v);
    const char *dot = strstr(v, "10.0.");
    if (dot) {
        long build = strtol(dot + 5, NULL, 10);
        snprintf(out, cap, "Windows %d", build >= 22000 ? 11 : 10);
    } else if (major > 0) {
        snprintf(out, cap, "Windows %ld", major);
    } else {
        snprintf(out, cap, "Windows");
    }
    return out;
}

/* Apple: iOS/iPadOS/macOS with a version when the string gives one; a
 * Darwin kernel string maps to iOS (Darwin N = iOS N-6) or macOS (Darwin
 * N >= 20 = macOS N-9, older = macOS 10) only when it says which device. */
static const char *
apple(const char *s, char *out, size_t cap)
{
    const char *p;
    if ((p = find_ci(s, "iPadOS")) || (p = find_ci(s, "iOS ")) == s ||
        (p = find_ci(s, "iPhone OS"))) {
        long v = number_after(p);
        if (v > 0 && !find_ci(s, "Darwin"))
            return snprintf(out, cap, "iOS %ld", v), out;
    }
    if ((p = find_ci(s, "macOS")) || (p = find_ci(s, "Mac OS X"))) {
        long v = number_after(p);
        if (v > 0 && !find_ci(s, "Darwin"))
            return snprintf(out, cap, "macOS %ld", v), out;
    }
    const char *dk = find_ci(s, "Darwin");
    if (!dk)
        return NULL;
    long dv = number_after(dk);
    if (dv <= 0)
        return snprintf(out, cap, "Apple (Darwin)"), out;
    bool ios = find_ci(s, "iPhone") || find_ci(s, "iPad") || find_ci(s, "iOS");
    bool mac = find_ci(s, "Macintosh") || find_ci(s, "macOS") || find_ci(s, "X86_64") ||
               find_ci(s, "Mac OS");
    if (ios && !mac && dv > 6)
        snprintf(out, cap, "iOS %ld", dv - 6);
    else if (mac && !ios)
        snprintf(out, cap, "macOS %ld", dv >= 20 ? dv - 9 : 10);
    else
        snprintf(out, cap, "Apple (Darwin %ld)", dv);
    return out;
}

/* A missing or Redacted value is a group of its own ("unknown",
 * "Redacted") whatever the dimension: true when raw is one, written to out. */
static bool
special_group(const char *raw, char *out, size_t cap)
{
    if (cs_dim_missing(raw))
        put(out, cap, CS_DIM_UNKNOWN, strlen(CS_DIM_UNKNOWN));
    else if (is_redacted(raw))
        put(out, cap, CS_DIM_REDACTED, strlen(CS_DIM_REDACTED));
    else
        return false;
    return true;
}

const char *
cs_os_family(const char *raw, char *out, size_t cap)
{
    if (special_group(raw, out, cap))
        return out;
    const char *s = raw;
    size_t n = trimmed(&s);
    char buf[512];
    put(buf, sizeof buf, s, n);
    if (strncasecmp(buf, "Windows", 7) == 0)
        return windows(buf, out, cap);
    if (strncasecmp(buf, "Android", 7) == 0) {
        long v = number_after(buf + 7);
        if (v > 0)
            snprintf(out, cap, "Android %ld", v);
        else
            snprintf(out, cap, "Android");
        return out;
    }
    if (apple(buf, out, cap))
        return out;
    if (find_ci(buf, "Linux") || find_ci(buf, "Ubuntu"))
        return put(out, cap, "Linux", 5);
    if (find_ci(buf, "Chrome OS") || find_ci(buf, "ChromeOS") || find_ci(buf, "CrOS"))
        return put(out, cap, "ChromeOS", 8);
    /* something else: the text before its details */
    size_t k = strcspn(buf, ";(");
    const char *arch = strstr(buf, " Arch:");
    if (arch && (size_t)(arch - buf) < k)
        k = (size_t)(arch - buf);
    while (k && buf[k - 1] == ' ')
        k--;
    return put(out, cap, buf, k ? k : strlen(buf));
}

const char *
cs_browser_family(const char *raw, char *out, size_t cap)
{
    if (special_group(raw, out, cap))
        return out;
    const char *s = raw;
    size_t n = trimmed(&s);
    /* the name: text up to the first digit (its trailing spaces cut) */
    size_t k = 0;
    while (k < n && !isdigit((unsigned char)s[k]))
        k++;
    size_t name_end = k;
    while (name_end && (s[name_end - 1] == ' ' || s[name_end - 1] == '/'))
        name_end--;
    char name[96];
    put(name, sizeof name, s, name_end);
    if (strcasecmp(name, "Edg") == 0 || strcasecmp(name, "Microsoft Edge") == 0)
        snprintf(name, sizeof name, "Edge");
    if (k == n)
        return put(out, cap, name, strlen(name));
    long major = strtol(s + k, NULL, 10);
    snprintf(out, cap, "%s%s%ld", name, name[0] ? " " : "", major);
    return out;
}

const char *
cs_dim_group(enum cs_dim d, const char *raw, char *out, size_t cap)
{
    if (special_group(raw, out, cap))
        return out;
    const char *s = raw;
    size_t n = trimmed(&s);
    switch (d) {
    case CS_DIM_SDK_VERSION: {
        const char *u = memchr(s, '_', n);
        return put(out, cap, s, u ? (size_t)(u - s) : n);
    }
    case CS_DIM_OS: return cs_os_family(raw, out, cap);
    case CS_DIM_BROWSER: return cs_browser_family(raw, out, cap);
    default: return put(out, cap, s, n);
    }
}

static int
rank(const char *s)
{
    if (strcmp(s, CS_DIM_REDACTED) == 0)
        return 1;
    if (strcmp(s, CS_DIM_OTHER) == 0)
        return 2;
    if (strcmp(s, CS_DIM_UNKNOWN) == 0)
        return 3;
    return 0;
}

const char *
cs_dim_sort_key(const char *g, char *out, size_t cap)
{
    size_t o = 0;
    if (cap < 4)
        return cap ? (out[0] = '\0', out) : out;
    out[o++] = (char)('0' + rank(g));
    while (*g && o + 4 < cap) {
        if (isdigit((unsigned char)*g)) {
            while (*g == '0' && isdigit((unsigned char)g[1]))
                g++;
            size_t n = 0;
            while (isdigit((unsigned char)g[n]))
                n++;
            if (n > 99 || o + 2 + n + 1 > cap)
                break;
            out[o++] = (char)('0' + n / 10);
            out[o++] = (char)('0' + n % 10);
            memcpy(out + o, g, n);
            o += n;
            g += n;
        } else {
            out[o++] = (char)tolower((unsigned char)*g++);
        }
    }
    out[o] = '\0';
    return out;
}

int
cs_dim_cmp(const char *a, const char *b)
{
    char ka[4 * CS_DIM_GROUP_MAX], kb[4 * CS_DIM_GROUP_MAX];
    int c = strcmp(cs_dim_sort_key(a, ka, sizeof ka), cs_dim_sort_key(b, kb, sizeof kb));
    return c < 0 ? -1 : c > 0;
}
