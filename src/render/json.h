/*
 * render/json.h: summary.json (DESIGN.md §6) from the report model.
 * Figures at full precision (shortest round-trip); NaN becomes null.
 */
#ifndef CS_RENDER_JSON_H
#define CS_RENDER_JSON_H

#include "core/err.h"
#include "report/model.h"

struct cJSON;

/* Build the summary document; returns owned cJSON (free with cJSON_Delete).
 * extra: borrowed object whose members are moved in (custom, steps), or NULL. */
struct cJSON *cs_json_summary(const struct cs_report_model *m);

/* The JSON object of one group (as in "categories"), owned by the caller. */
struct cJSON *cs_json_group(const struct cs_report_model *m,
                            const struct rep_group *g);

/* Write doc to path atomically (pretty-printed, trailing newline). */
cs_status cs_json_write(const struct cJSON *doc, const char *path,
                        struct cs_err *err);

#endif
