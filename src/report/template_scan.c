/*
 * report/template_scan.c: pass 1 of loading a template: libyaml's event
 * stream walked into the line index, rejecting what the schema cannot see.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "core/mem.h"
#include "report/template_int.h"

/* ---- Line index (pass 1: libyaml events) ------------------------------ */

const struct lentry *
tpl_lindex_find(const struct lindex *ix, const char *path)
{
    for (size_t i = 0; i < ix->n; i++)
        if (strcmp(ix->e[i].path, path) == 0)
            return &ix->e[i];
    return NULL;
}

static void
lindex_add(struct lindex *ix, char *path_owned, unsigned line)
{
    if (ix->n == ix->cap) {
        ix->cap = ix->cap ? ix->cap * 2 : 64;
        ix->e = xreallocarray(ix->e, ix->cap, sizeof *ix->e);
    }
    ix->e[ix->n++] = (struct lentry){path_owned, line};
}

void
tpl_lindex_free(struct lindex *ix)
{
    for (size_t i = 0; i < ix->n; i++)
        xfree(ix->e[i].path);
    xfree(ix->e);
    *ix = (struct lindex){0};
}

unsigned
tpl_line_of(const struct lindex *ix, const char *fmt, ...)
{
    char path[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    const struct lentry *e = tpl_lindex_find(ix, path);
    return e ? e->line : 0;
}

cs_status
tpl_fail_at(struct cs_err *err, const char *file, unsigned line, const char *fmt, ...)
{
    char where[256], msg[512];
    if (line)
        snprintf(where, sizeof where, "%s:%u", file, line);
    else
        snprintf(where, sizeof where, "%s", file);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cs_fail(err, CS_E_TEMPLATE, where, "%s", msg);
}

#define SCAN_MAX_DEPTH 32

struct frame {
    bool map;        /* mapping (else sequence) */
    bool want_value; /* mapping: a key was read, its value comes next */
    char *path;      /* owned */
    char *key_path;  /* owned: path of the current key's value */
    size_t idx;      /* sequence: next entry's index */
};

static const char *
anchor_of(const yaml_event_t *ev)
{
    const yaml_char_t *a = NULL;
    if (ev->type == YAML_SCALAR_EVENT)
        a = ev->data.scalar.anchor;
    else if (ev->type == YAML_MAPPING_START_EVENT)
        a = ev->data.mapping_start.anchor;
    else if (ev->type == YAML_SEQUENCE_START_EVENT)
        a = ev->data.sequence_start.anchor;
    return (const char *)a;
}

static char *
join_path(const char *base, const char *part)
{
    return base[0] ? xasprintf("%s.%s", base, part) : xstrdup(part);
}

/* Handle one node event; *node_path gets the owned path of a value node
 * (NULL when the event was a mapping key). */
static cs_status
scan_node(struct frame *st, int depth, const yaml_event_t *ev,
          struct lindex *ix, const char *file, char **node_path,
          struct cs_err *err)
{
    unsigned line = (unsigned)ev->start_mark.line + 1;
    *node_path = NULL;
    if (ev->type == YAML_ALIAS_EVENT)
        return tpl_fail_at(err, file, line,
                           "aliases (*%s) are not supported in templates",
                           (const char *)ev->data.alias.anchor);
    const char *anchor = anchor_of(ev);
    if (anchor)
        return tpl_fail_at(err, file, line,
                           "anchors (&%s) are not supported in templates", anchor);
    if (depth == 0) {
        *node_path = xstrdup("");
        lindex_add(ix, xstrdup(""), line);
        return CS_OK;
    }
    struct frame *f = &st[depth - 1];
    if (f->map && !f->want_value) {
        if (ev->type != YAML_SCALAR_EVENT)
            return tpl_fail_at(err, file, line, "mapping keys must be plain text");
        const char *key = (const char *)ev->data.scalar.value;
        char *p = join_path(f->path, key);
        const struct lentry *dup = tpl_lindex_find(ix, p);
        if (dup) {
            cs_status s = tpl_fail_at(err, file, line,
                                      "duplicate key '%s' (first at line %u)", key,
                                      dup->line);
            xfree(p);
            return s;
        }
        lindex_add(ix, xstrdup(p), line);
        xfree(f->key_path);
        f->key_path = p;
        f->want_value = true;
        return CS_OK;
    }
    if (f->map) {
        *node_path = xstrdup(f->key_path);
        f->want_value = false;
        return CS_OK;
    }
    char idx[32];
    snprintf(idx, sizeof idx, "%zu", f->idx++);
    *node_path = join_path(f->path, idx);
    lindex_add(ix, xstrdup(*node_path), line);
    return CS_OK;
}

cs_status
tpl_scan(const char *file, const char *yaml, size_t len, struct lindex *ix,
         struct cs_err *err)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return cs_fail(err, CS_E_NOMEM, file, "cannot start the YAML parser");
    yaml_parser_set_input_string(&p, (const unsigned char *)yaml, len);
    struct frame st[SCAN_MAX_DEPTH];
    int depth = 0, docs = 0;
    cs_status s = CS_OK;
    for (bool done = false; !done && s == CS_OK;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            unsigned line = (unsigned)p.problem_mark.line + 1;
            if (p.context && p.context_mark.line != p.problem_mark.line)
                s = tpl_fail_at(err, file, line,
                                "YAML syntax error: %s %s (which starts at line %u)",
                                p.problem ? p.problem : "invalid YAML", p.context,
                                (unsigned)p.context_mark.line + 1);
            else
                s = tpl_fail_at(err, file, line, "YAML syntax error: %s%s%s",
                                p.problem ? p.problem : "invalid YAML",
                                p.context ? " " : "", p.context ? p.context : "");
            break;
        }
        char *np = NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1)
                s = tpl_fail_at(err, file, (unsigned)ev.start_mark.line + 1,
                                "a template file holds one YAML document; "
                                "a second one starts here");
            break;
        case YAML_SCALAR_EVENT:
        case YAML_ALIAS_EVENT:
            s = scan_node(st, depth, &ev, ix, file, &np, err);
            xfree(np);
            break;
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT:
            s = scan_node(st, depth, &ev, ix, file, &np, err);
            if (s != CS_OK)
                break;
            if (np == NULL) { /* unreachable: keys are scalars */
                s = tpl_fail_at(err, file, (unsigned)ev.start_mark.line + 1,
                                "mapping keys must be plain text");
                break;
            }
            if (depth == SCAN_MAX_DEPTH) {
                xfree(np);
                s = tpl_fail_at(err, file, (unsigned)ev.start_mark.line + 1,
                                "nested too deeply");
                break;
            }
            st[depth++] = (struct frame){.map = ev.type == YAML_MAPPING_START_EVENT,
                                         .path = np};
            break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            if (depth > 0) {
                depth--;
                xfree(st[depth].path);
                xfree(st[depth].key_path);
            }
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    while (depth > 0) {
        depth--;
        xfree(st[depth].path);
        xfree(st[depth].key_path);
    }
    yaml_parser_delete(&p);
    return s;
}
