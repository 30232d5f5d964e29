/*
 * report/template_int.h: what the files of the template loader share
 * (template.c: conversion and checks; template_scan.c: pass 1, the line
 * index; template_cyaml.c: pass 2, libcyaml).  Not for other modules.
 */
#ifndef CS_REPORT_TEMPLATE_INT_H
#define CS_REPORT_TEMPLATE_INT_H

#include <cyaml/cyaml.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

/* The 1-based line of every mapping key and sequence entry under a dotted
 * path ("steps.1.sheet", 0-based entries). */
struct lentry {
    char *path;    /* owned: "steps.1.sheet"; "" is the document */
    unsigned line; /* 1-based */
};

struct lindex {
    struct lentry *e; /* owned */
    size_t n, cap;
};

/* The entry of path, or NULL. */
const struct lentry *tpl_lindex_find(const struct lindex *ix, const char *path);
void tpl_lindex_free(struct lindex *ix);
/* Line of a formatted path, 0 when absent. */
unsigned tpl_line_of(const struct lindex *ix, const char *fmt, ...) CS_PRINTF(2, 3);
/* Fail (CS_E_TEMPLATE) with where = "file:line" (line 0: file alone). */
cs_status tpl_fail_at(struct cs_err *err, const char *file, unsigned line, const char *fmt,
                      ...) CS_PRINTF(4, 5);
/* Pass 1: build *ix from libyaml's events of yaml (len bytes), rejecting
 * syntax errors, duplicate keys, anchors and aliases, several documents. */
cs_status tpl_scan(const char *file, const char *yaml, size_t len, struct lindex *ix,
                   struct cs_err *err);
/* Pass 2: libcyaml loads yaml with schema into *out (owned, free with
 * cyaml_free and the same schema); errors in our words, at the index's lines. */
cs_status tpl_cyaml_load(const char *file, const char *yaml, size_t len,
                         const cyaml_schema_value_t *schema, const struct lindex *ix,
                         void **out, struct cs_err *err);
void tpl_cyaml_free(const cyaml_schema_value_t *schema, void *data);

#endif
