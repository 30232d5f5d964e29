/*
 * render/json.h: summary.json (DESIGN.md §6) from the report model.
 * Figures at full precision (shortest round-trip); NaN becomes null.
 */
#ifndef CS_RENDER_JSON_H
#define CS_RENDER_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "model/review.h"
#include "model/run.h"
#include "model/report_model.h"

struct cJSON;

/* Build the summary document; returns owned cJSON (free with cJSON_Delete).
 * extra: borrowed object whose members are moved in (custom, steps), or NULL. */
struct cJSON *cs_json_summary(const struct cs_report_model *m);

/* The JSON object of one group (as in "categories"), owned by the caller. */
struct cJSON *cs_json_group(const struct cs_report_model *m,
                            const struct rep_group *g);

/* Write doc to path atomically (pretty-printed, trailing newline).  The
 * file is valid UTF-8 whatever the strings held: invalid sequences in
 * strings and keys are written as U+FFFD (control characters are escaped
 * by cJSON anyway). */
cs_status cs_json_write(const struct cJSON *doc, const char *path,
                        struct cs_err *err);

/* summary.json "review" (issue 17): period, previous (null with --vs none
 * or no earlier surveys), min_effect, rows (one per category with responses
 * in the period, on its primary scale) and movers {tags, resources}.
 * Returns owned cJSON. */
struct cJSON *cs_json_review(const struct cs_review *r);

/* Add to `run` (an object) what the run was: version, generated (ISO,
 * from ri->generated_s), db, inputs (one object per command-line input
 * with its accounting), filters and template.  ri: borrowed. */
void cs_json_run_info(struct cJSON *run, const struct cs_run_info *ri);

struct cs_privacy;
/* summary.json / compare.json "privacy": null when p is NULL (ids as
 * stored), else what was done: {"ids": "pseudonymized", "method":
 * "HMAC-SHA-256", "pseudonym_hex_digits": 32, "normalization": ...,
 * "key_file": NAME, "free_text": "dropped"|"kept", "free_text_dropped":
 * text_dropped, "rejected_raw_text": "dropped", "description": ...}.
 * Returns owned cJSON. */
struct cJSON *cs_json_privacy(const struct cs_privacy *p, uint64_t text_dropped);

/* How many strings (values and member names) of doc are not valid UTF-8,
 * i.e. will be changed by cs_json_write: for the document's own counts. */
size_t cs_json_invalid_strings(const struct cJSON *doc);

struct cs_compare;
/* compare.json at path (atomically, as cs_json_write): the comparison's
 * groups and rows, "template", "window" (since/until of ri, null when
 * open), "run" (cs_json_run_info) and "privacy" (cs_json_privacy).  All
 * arguments borrowed. */
cs_status cs_json_compare_write(const struct cs_compare *c, const char *template_name,
                                const struct cs_run_info *ri,
                                const struct cs_privacy *privacy, const char *path,
                                struct cs_err *err);

/* Make cJSON (the writer's and the readers') allocate with core/mem's
 * x-allocators: a NULL from its malloc would read as "not valid JSON" and
 * reject a good record.  Called once, at start. */
void cs_json_use_xalloc(void);

#endif
