/*
 * ingest/calls.h: read ACSCallSummary exports (FORMATS.md section 8), one
 * participant leg at a time, in every container the survey loader reads:
 * JSON Lines (storage, camelCase under "properties"), {"records":[...]},
 * a top-level array, the REST {"tables":[...]} response, portal CSV.
 *
 * Values are normalized as the join needs them: ids trimmed and
 * lower-cased, the string "null" (any case) and "" are missing, durations
 * given as strings are numbers.  No SQL here: legs go to a sink.
 */
#ifndef CS_INGEST_CALLS_H
#define CS_INGEST_CALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctime.h"
#include "core/err.h"
#include "model/survey.h"

#define CS_CALL_TEXT_MAX 64  /* EndpointType, CallType, codes: longer is cut */
#define CS_CALL_LONG_MAX 512 /* SdkVersion, OsVersion: longer is cut */

/* One ACSCallSummary row.  Strings are "" when missing. */
struct cs_call {
    char call_id[CS_ID_MAX + 1];        /* CorrelationId: trimmed, lower-case */
    char participant_id[CS_ID_MAX + 1]; /* trimmed, lower-case; "" = none or "null" */
    char endpoint_id[CS_ID_MAX + 1];    /* trimmed, lower-case */
    char identifier[CS_ID_MAX + 1];     /* as given, trimmed */
    int64_t time_us;                    /* TimeGenerated / time; 0 when none */
    int64_t call_start_us, part_start_us;
    bool has_call_start, has_part_start;
    double call_duration, part_duration; /* seconds */
    bool has_call_duration, has_part_duration;
    char endpoint_type[CS_CALL_TEXT_MAX], participant_type[CS_CALL_TEXT_MAX];
    char call_type[CS_CALL_TEXT_MAX], end_reason[CS_CALL_TEXT_MAX];
    char end_sub_code[CS_CALL_TEXT_MAX], result_category[CS_CALL_TEXT_MAX];
    char sdk_version[CS_CALL_LONG_MAX], os_version[CS_CALL_LONG_MAX];
    uint64_t line;              /* 1-based line where the row starts (0: unknown) */
    uint32_t index;             /* 0-based record index within its JSON text or table */
    char reason[CS_REASON_MAX]; /* non-empty: rejected, why (names the field) */
};

/* Where legs go; callbacks borrow their argument.  A non-CS_OK return stops
 * the input with that status. */
struct cs_calls_sink {
    void *ctx;
    cs_status (*leg)(void *ctx, const struct cs_call *c, struct cs_err *err);
    cs_status (*reject)(void *ctx, const struct cs_call *c, struct cs_err *err);
};

struct cs_calls_stats {
    uint64_t read, valid, rejected, bytes;
};

/* Does the file look like call summaries (its first 64 KiB name a column
 * only ACSCallSummary has: ParticipantStartTime, EndpointType,
 * ParticipantEndReason, or the CallSummary operation; and no survey or
 * custom-event column)? */
bool cs_calls_sniff(const char *path);

/* Read one input ("-" = standard input).  Errors: CS_E_IO, CS_E_NODATA
 * (empty), CS_E_PARSE (not JSON or CSV with call-summary columns), or the
 * sink's status.  Bad rows are not errors: they go to sink->reject. */
cs_status cs_calls_read(const char *path, enum cs_date_order order,
                        const struct cs_calls_sink *sink,
                        struct cs_calls_stats *stats, struct cs_err *err);

#endif
