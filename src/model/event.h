/*
 * model/event.h: one custom-question answer event as the loaders give it
 * to the store (plain data).
 */
#ifndef CS_MODEL_EVENT_H
#define CS_MODEL_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "model/survey.h"

/* One custom-question answer event (Application Insights customEvents). */
struct cs_event {
    int64_t time_us;               /* timestamp / TimeGenerated; 0 if none */
    char survey_id[CS_ID_MAX + 1]; /* the --id-key property, trimmed, lower-case */
    const char *props;             /* JSON object text of the other properties
                                        (borrowed, valid during the callback) */
    size_t props_len;
    const char *measurements; /* JSON object text of customMeasurements or NULL */
    size_t measurements_len;
    uint64_t line;              /* 1-based line of the event */
    const char *name;           /* event name (borrowed; NULL if the form has none) */
    char reason[CS_REASON_MAX]; /* non-empty: rejected, why */
    /* the app's context columns of the row (FORMATS.md section 9):
     * application_Version/AppVersion, client_OS/ClientOS,
     * client_Browser/ClientBrowser; trimmed, NULL when absent (borrowed) */
    const char *app_version, *client_os, *browser;
};

#endif
