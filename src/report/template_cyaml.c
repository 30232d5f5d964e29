/*
 * report/template_cyaml.c: pass 2 of loading a template: libcyaml with the
 * schema, its errors turned into our words.  libcyaml's log is not printed
 * and not parsed: each log call is recognised by its format, and its
 * arguments (key names, kinds, counts, backtrace entries and lines) are
 * read as the typed values they are; the line comes from the index of
 * pass 1 (libcyaml's own marks point at the end of the previous event).
 */
#include <cyaml/cyaml.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "report/template_int.h"

static const char keys_template[] = "title, description, parameters, steps";
static const char keys_param[] = "name, type, default, description";
static const char keys_step[] = "title, section, query, category, render, x, y, "
                                "y2, series, formats, sheet, chart, note";
static const char keys_format[] = "column, format";

/* libcyaml allocates through our x-allocators: out of memory aborts. */
static void *
cy_mem(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    if (size == 0) {
        xfree(ptr);
        return NULL;
    }
    return xrealloc(ptr, size);
}

/* ---- Turning libcyaml's log into our message -------------------------- */

#define MAX_COMPS 16

/* A path parsed from libcyaml's backtrace, outermost first. */
struct cypath {
    char comp[MAX_COMPS][64]; /* field names, or 0-based entry indexes */
    bool is_index[MAX_COMPS];
    size_t n;
    unsigned line; /* libcyaml's own line of the innermost entry */
};

static void
cypath_str(const struct cypath *p, size_t n, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < cap; i++)
        used += (size_t)snprintf(buf + used, cap - used, "%s%s", i ? "." : "",
                                 p->comp[i]);
}

/* What libcyaml logged, taken from its log calls' arguments (each call's
 * format names the event, the arguments are its fields): the first load
 * error and the backtrace of where it happened. */
enum cy_kind {
    CY_NONE = 0,
    CY_OTHER,   /* a load error not reworded: msg holds its text */
    CY_KEY,     /* unexpected key: arg */
    CY_MISSING, /* missing required mapping field: arg */
    CY_EXPECT,  /* expecting want, got event got */
    CY_ENTRIES, /* too few sequence entries: have of min */
};

struct cylog {
    enum cy_kind kind;
    char msg[256];
    char arg[128];
    char want[32], got[32];
    unsigned have, min;
    struct cypath p; /* innermost first while logging; outermost first after */
};

static void
cy_log(cyaml_log_t level, void *ctx, const char *fmt, va_list args) CS_PRINTF(3, 0);

static void
cy_log(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
{
    (void)level;
    struct cylog *l = ctx;
    struct cypath *p = &l->p;
    va_list ap;
    va_copy(ap, args);
    if (strcmp(fmt, "  in mapping field '%s' (line: %zu, column: %zu)\n") == 0) {
        const char *name = va_arg(ap, const char *);
        size_t line = va_arg(ap, size_t);
        if (p->n < MAX_COMPS) {
            snprintf(p->comp[p->n], sizeof p->comp[p->n], "%s", name);
            p->is_index[p->n++] = false;
        }
        if (p->line == 0)
            p->line = (unsigned)line;
    } else if (strcmp(fmt, "  in sequence entry '%u' (line: %zu, column: %zu)\n") == 0) {
        unsigned u = va_arg(ap, unsigned);
        size_t line = va_arg(ap, size_t);
        if (p->n < MAX_COMPS) {
            snprintf(p->comp[p->n], sizeof p->comp[p->n], "%u", u ? u - 1 : 0);
            p->is_index[p->n++] = true;
        }
        if (p->line == 0)
            p->line = (unsigned)line;
    } else if (strcmp(fmt, "  in mapping (line: %zu, column: %zu)\n") == 0) {
        size_t line = va_arg(ap, size_t);
        if (p->line == 0)
            p->line = (unsigned)line;
    } else if (l->kind == CY_NONE && strncmp(fmt, "Load: ", 6) == 0 &&
               strcmp(fmt, "Load: Backtrace:\n") != 0) {
        if (strcmp(fmt, "Load: Unexpected key: %s\n") == 0) {
            l->kind = CY_KEY;
            snprintf(l->arg, sizeof l->arg, "%s", va_arg(ap, const char *));
        } else if (strcmp(fmt, "Load: Missing required mapping field: %s\n") == 0) {
            l->kind = CY_MISSING;
            snprintf(l->arg, sizeof l->arg, "%s", va_arg(ap, const char *));
        } else if (strcmp(fmt, "Load: Expecting %s, got event: %s\n") == 0) {
            l->kind = CY_EXPECT;
            snprintf(l->want, sizeof l->want, "%s", va_arg(ap, const char *));
            snprintf(l->got, sizeof l->got, "%s", va_arg(ap, const char *));
        } else if (strcmp(fmt, "Load: Insufficient entries (%u of %u min) in sequence.\n") == 0) {
            l->kind = CY_ENTRIES;
            l->have = va_arg(ap, unsigned);
            l->min = va_arg(ap, unsigned);
        } else { /* shown as libcyaml words it */
            l->kind = CY_OTHER;
            char text[512];
            vsnprintf(text, sizeof text, fmt, ap);
            text[strcspn(text, "\n")] = '\0';
            snprintf(l->msg, sizeof l->msg, "%.*s", (int)(sizeof l->msg - 1), text + 6);
        }
    }
    va_end(ap);
}

/* The backtrace lists the innermost first: turn it outermost first. */
static void
cypath_reverse(struct cypath *p)
{
    for (size_t i = 0; i < p->n / 2; i++) {
        size_t j = p->n - 1 - i;
        char c[64];
        memcpy(c, p->comp[i], sizeof c);
        memcpy(p->comp[i], p->comp[j], sizeof c);
        memcpy(p->comp[j], c, sizeof c);
        bool b = p->is_index[i];
        p->is_index[i] = p->is_index[j];
        p->is_index[j] = b;
    }
}

/* "step 2", "parameter 1", "step 3, format 2" or "" for a path prefix of
 * n components; *keys gets the keys that mapping takes. */
static void
describe(const struct cypath *p, size_t n, char *buf, size_t cap,
         const char **keys)
{
    buf[0] = '\0';
    *keys = keys_template;
    if (n >= 2 && p->is_index[1]) {
        unsigned i = (unsigned)strtoul(p->comp[1], NULL, 10) + 1;
        if (strcmp(p->comp[0], "steps") == 0) {
            *keys = keys_step;
            if (n >= 4 && p->is_index[3] && strcmp(p->comp[2], "formats") == 0) {
                snprintf(buf, cap, "step %u, format %lu", i,
                         strtoul(p->comp[3], NULL, 10) + 1);
                *keys = keys_format;
            } else {
                snprintf(buf, cap, "step %u", i);
            }
        } else if (strcmp(p->comp[0], "parameters") == 0) {
            snprintf(buf, cap, "parameter %u", i);
            *keys = keys_param;
        }
    }
}

static const char *
kind_text(const char *cy)
{
    if (strncmp(cy, "STRING", 6) == 0 || strncmp(cy, "SCALAR", 6) == 0)
        return "text";
    if (strncmp(cy, "SEQUENCE", 8) == 0)
        return "a list";
    if (strncmp(cy, "MAPPING", 7) == 0)
        return "a mapping";
    return cy;
}

/* Report a libcyaml load failure with our words and the index's line. */
static cs_status
cyaml_failure(const char *file, struct cylog *log, cyaml_err_t e, const struct lindex *ix,
              struct cs_err *err)
{
    char ctx[64], path[512], pfx[80];
    const char *keys;
    cypath_reverse(&log->p);
    const struct cypath p = log->p;
    /* the innermost mapping: the path up to its last entry index (or root) */
    size_t nmap = 0;
    for (size_t i = 0; i < p.n; i++)
        if (p.is_index[i])
            nmap = i + 1;
    describe(&p, nmap, ctx, sizeof ctx, &keys);
    snprintf(pfx, sizeof pfx, "%s%s", ctx, ctx[0] ? ": " : "");
    const char *arg = log->arg;
    const struct lentry *le;

    if (log->kind == CY_KEY) {
        cypath_str(&p, nmap, path, sizeof path);
        char kp[700];
        snprintf(kp, sizeof kp, "%s%s%s", path, path[0] ? "." : "", arg);
        le = tpl_lindex_find(ix, kp);
        return tpl_fail_at(err, file, le ? le->line : p.line,
                           "%sunknown key '%s' (known keys: %s)", pfx, arg, keys);
    }
    if (log->kind == CY_MISSING) {
        cypath_str(&p, nmap, path, sizeof path);
        le = tpl_lindex_find(ix, path);
        return tpl_fail_at(err, file, le ? le->line : p.line,
                           "%smissing required key '%s'", pfx, arg);
    }
    if (log->kind == CY_EXPECT) {
        const char *want = log->want, *got = log->got;
        cypath_str(&p, p.n, path, sizeof path);
        le = tpl_lindex_find(ix, path);
        unsigned line = le ? le->line : p.line;
        if (p.n == 0)
            return tpl_fail_at(err, file, line,
                               "a template must be a mapping of keys (%s), not %s",
                               keys_template, kind_text(got));
        if (p.is_index[p.n - 1]) /* a sequence entry of the wrong kind */
            return tpl_fail_at(err, file, line, "%s must be %s of keys (%s), not %s",
                               ctx, kind_text(want),
                               strcmp(p.comp[0], "steps") ? keys_param : keys,
                               kind_text(got));
        return tpl_fail_at(err, file, line, "%s'%s' must be %s, not %s", pfx,
                           p.comp[p.n - 1], kind_text(want), kind_text(got));
    }
    if (log->kind == CY_ENTRIES) {
        unsigned min = log->min;
        size_t n = p.n;
        while (n && p.is_index[n - 1])
            n--;
        cypath_str(&p, n, path, sizeof path);
        le = tpl_lindex_find(ix, path);
        /* the context is the mapping that holds the list */
        nmap = 0;
        for (size_t i = 0; i + 1 < n; i++)
            if (p.is_index[i])
                nmap = i + 1;
        describe(&p, nmap, ctx, sizeof ctx, &keys);
        snprintf(pfx, sizeof pfx, "%s%s", ctx, ctx[0] ? ": " : "");
        return tpl_fail_at(err, file, le ? le->line : p.line,
                           "%s'%s' needs at least %u entr%s", pfx,
                           n ? p.comp[n - 1] : "?", min, min == 1 ? "y" : "ies");
    }
    return tpl_fail_at(err, file, p.line, "%s%s", pfx,
                       log->msg[0] ? log->msg : cyaml_strerror(e));
}


cs_status
tpl_cyaml_load(const char *file, const char *yaml, size_t len,
               const cyaml_schema_value_t *schema, const struct lindex *ix, void **out,
               struct cs_err *err)
{
    struct cylog log = {.kind = CY_NONE};
    cyaml_config_t cfg = {
        .log_fn = cy_log,
        .log_ctx = &log,
        .mem_fn = cy_mem,
        .log_level = CYAML_LOG_WARNING,
        .flags = CYAML_CFG_NO_ALIAS,
    };
    cyaml_data_t *data = NULL;
    cyaml_err_t ce = cyaml_load_data((const uint8_t *)yaml, len, &cfg, schema, &data, NULL);
    *out = data;
    if (ce != CYAML_OK)
        return cyaml_failure(file, &log, ce, ix, err);
    return CS_OK;
}

void
tpl_cyaml_free(const cyaml_schema_value_t *schema, void *data)
{
    cyaml_config_t cfg = {.mem_fn = cy_mem, .log_level = CYAML_LOG_WARNING};
    cyaml_free(&cfg, schema, data, 0);
}
