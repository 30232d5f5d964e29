/*
 * model/dims.h: the release dimensions of issue 20 (pure functions, no
 * SQL, no allocation).  A survey's raw value of a dimension (its call
 * leg's SdkVersion or OsVersion, its custom event's application_Version...)
 * becomes a group: the SDK version without its build suffix, an OS family
 * with its major version, a browser family with its major version.
 * Redacted is a group of its own; a missing value (NULL, "", "null") or an
 * unmatched survey is the group "unknown".  Groups sort in natural order
 * (digit runs as numbers: 1.9.0 < 1.10.0, Windows 10 < Windows 11), with
 * Redacted, other and unknown last.
 */
#ifndef CS_MODEL_DIMS_H
#define CS_MODEL_DIMS_H

#include <stdbool.h>
#include <stddef.h>

enum cs_dim {
    CS_DIM_NONE = -1,
    CS_DIM_SDK_VERSION = 0, /* ACSCallSummary SdkVersion, suffix after '_' cut */
    CS_DIM_OS,              /* OsVersion as family + major */
    CS_DIM_OS_VERSION,      /* OsVersion as given (trimmed) */
    CS_DIM_ENDPOINT_TYPE,   /* EndpointType */
    CS_DIM_PARTICIPANT_TYPE,
    CS_DIM_CALL_TYPE,
    CS_DIM_END_REASON,  /* ParticipantEndReason code */
    CS_DIM_APP_VERSION, /* customEvents application_Version */
    CS_DIM_BROWSER,     /* customEvents client_Browser as family + major */
    CS_DIM_CLIENT_OS,   /* customEvents client_OS as given (trimmed) */
    CS_DIM__COUNT
};

#define CS_DIM_GROUP_MAX 128 /* longest group name kept (bytes, with NUL) */
#define CS_DIM_UNKNOWN "unknown"
#define CS_DIM_REDACTED "Redacted"
#define CS_DIM_OTHER "other"

/* "sdk-version" -> CS_DIM_SDK_VERSION; CS_DIM_NONE when unknown. */
enum cs_dim cs_dim_parse(const char *name);
/* The command-line name ("sdk-version"); "" for CS_DIM_NONE. */
const char *cs_dim_name(enum cs_dim d);
/* The column of the `surveys` view holding the raw value ("sdk_version"). */
const char *cs_dim_column(enum cs_dim d);
/* Is this a version-like dimension (sdk-version, app-version): baseline
 * "previous" compares each version with the one before it. */
bool cs_dim_is_version(enum cs_dim d);

/* NULL, empty, blank or the string "null" (any case). */
bool cs_dim_missing(const char *s);

/* The group of raw value `raw` (NULL = missing) under dimension d, written
 * to out (cap bytes, at least CS_DIM_GROUP_MAX is enough); returns out. */
const char *cs_dim_group(enum cs_dim d, const char *raw, char *out, size_t cap);

/* The OS family of an OsVersion or client_OS string: "Windows 10",
 * "Windows 11" (build >= 22000), "Android 14", "iOS 17", "macOS 14",
 * "Apple (Darwin 23)" when a Darwin kernel string does not say which,
 * "Linux"; otherwise the text before its first ';' or ' Arch:'. */
const char *cs_os_family(const char *raw, char *out, size_t cap);
/* "Chrome 119.0.6045" -> "Chrome 119"; "Edg 119" -> "Edge 119". */
const char *cs_browser_family(const char *raw, char *out, size_t cap);

/* A key whose byte order is the natural order below: a rank digit
 * (0 values, 1 Redacted, 2 other, 3 unknown), then the group lower-cased
 * with every digit run written as its length (two digits) and its digits
 * without leading zeros.  Written to out (cap bytes; 4x the group is
 * enough); returns out. */
const char *cs_dim_sort_key(const char *group, char *out, size_t cap);

/* Natural order of two groups: digit runs compare as numbers, other text
 * byte-wise (case-insensitively), and Redacted < other < unknown after
 * every real value.  Returns <0, 0, >0. */
int cs_dim_cmp(const char *a, const char *b);

#endif
