/*
 * report/kql_dims.c: `callsurvey kql --by DIM` (see kql_int.h): each
 * survey's release dimensions, with the groups of model/dims.c restated in
 * KQL, one `let` function per rule:
 *   dim_special    a missing value ("", blank, "null" in any case) is
 *                  "unknown", "Redacted" in any case is "Redacted"
 *                                           model/dims.c special_group
 *   dim_value      any other value trimmed  cs_dim_group (default)
 *   sdk_group      SdkVersion without its "_suffix"  cs_dim_group
 *   os_group       OS family and major      cs_os_family (windows, apple)
 *   browser_group  browser family and major cs_browser_family
 * and the sources the local path joins (store/calls_join.c): a survey's leg
 * in ACSCallSummary for sdk-version, os, os-version, endpoint-type,
 * participant-type, call-type and end-reason; its latest custom event that
 * has a value for app-version, browser and client-os (the events' context
 * as ingest/events.c keeps it: trimmed, "null" missing, 128 characters).
 */
#include <string.h>

#include "report/kql_int.h"

static const struct cs_kql_dim dims[] = {
    {"sdk-version", "sdk_version", "SdkVersion", NULL, NULL, "sdk_group",
     "ACSCallSummary SdkVersion of the survey's leg (build suffix cut)"},
    {"os", "os", "OsVersion", NULL, NULL, "os_group",
     "ACSCallSummary OsVersion of the survey's leg as family and major version"},
    {"os-version", "os_version", "OsVersion", NULL, NULL, "dim_value",
     "ACSCallSummary OsVersion of the survey's leg"},
    {"endpoint-type", "endpoint_type", "EndpointType", NULL, NULL, "dim_value",
     "ACSCallSummary EndpointType of the survey's leg"},
    {"participant-type", "participant_type", "ParticipantType", NULL, NULL, "dim_value",
     "ACSCallSummary ParticipantType of the survey's leg"},
    {"call-type", "call_type", "CallType", NULL, NULL, "dim_value",
     "ACSCallSummary CallType of the survey's leg"},
    {"end-reason", "end_reason", "ParticipantEndReason", NULL, NULL, "dim_value",
     "ACSCallSummary ParticipantEndReason of the survey's leg"},
    {"app-version", "app_version", NULL, "application_Version", "AppVersion", "dim_value",
     "application_Version of the survey's latest custom event that has one"},
    {"browser", "browser", NULL, "client_Browser", "ClientBrowser", "browser_group",
     "client_Browser of the survey's latest custom event that has one, family and major"},
    {"client-os", "client_os", NULL, "client_OS", "ClientOS", "dim_value",
     "client_OS of the survey's latest custom event that has one"},
};
#define N_DIMS (sizeof dims / sizeof dims[0])

static const struct cs_kql_dim *
lookup(const char *name)
{
    for (size_t i = 0; i < N_DIMS; i++)
        if (strcmp(dims[i].name, name) == 0)
            return &dims[i];
    return NULL;
}

const struct cs_kql_dim *
cs_kql_dim_find(const char *name)
{
    static const struct cs_kql_dim unknown = {"unknown", "unknown_dimension", "''", NULL, NULL,
                                              "dim_value", ""};
    const struct cs_kql_dim *d = lookup(name);
    return d ? d : &unknown;
}

cs_status
cs_kql_dims_check(const struct cs_kql_opts *o, struct cs_err *err)
{
    for (size_t i = 0; i < o->n_by; i++) {
        if (!lookup(o->by[i]))
            return cs_fail(err, CS_E_USAGE, "--by",
                           "'%s' is not sdk-version, os, os-version, endpoint-type, "
                           "participant-type, call-type, end-reason, app-version, browser "
                           "or client-os",
                           o->by[i]);
        for (size_t j = 0; j < i; j++)
            if (strcmp(o->by[i], o->by[j]) == 0)
                return cs_fail(err, CS_E_USAGE, "--by", "%s given twice", o->by[i]);
    }
    return CS_OK;
}

bool
cs_kql_dims_need_events(const struct cs_kql_opts *o)
{
    for (size_t i = 0; i < o->n_by; i++)
        if (cs_kql_dim_find(o->by[i])->event)
            return true;
    return false;
}

static bool
uses(const struct cs_kql_opts *o, const char *group)
{
    for (size_t i = 0; i < o->n_by; i++)
        if (strcmp(cs_kql_dim_find(o->by[i])->group, group) == 0)
            return true;
    return false;
}

/* ---- the groups (model/dims.c) ---------------------------------------- */

static const char fn_common[] =
    "// ---- 3b. --by: the release dimensions' groups (model/dims.c) --------------------\n"
    "// a missing value (\"\", blank, \"null\" in any case) is the group \"unknown\" (so is a\n"
    "// survey without a leg or event), \"Redacted\" in any case is \"Redacted\"; \"\" otherwise\n"
    "// (special_group)\n"
    "let dim_special = (v: string) {\n"
    "    let t = trim(ws, v);\n"
    "    case(isempty(t) or t =~ \"null\", \"unknown\", t =~ \"redacted\", \"Redacted\", \"\")\n"
    "};\n"
    "// a value given as is: trimmed (cs_dim_group)\n"
    "let dim_value = (v: string) { iff(dim_special(v) != \"\", dim_special(v), trim(ws, v)) };\n";

static const char fn_sdk[] =
    "// sdk-version: the SdkVersion up to its first \"_\" (a build suffix; cs_dim_group)\n"
    "let sdk_group = (v: string) {\n"
    "    iff(dim_special(v) != \"\", dim_special(v), extract(@\"^[^_]*\", 0, trim(ws, v)))\n"
    "};\n";

/* cs_os_family, windows and apple of model/dims.c, in their order */
static const char fn_os[] =
    "// os: family and major version of an OsVersion (cs_os_family; FORMATS.md section 8)\n"
    "let os_group = (v: string) {\n"
    "    let s = trim(ws, v);\n"
    "    let l = tolower(s);\n"
    "    // the first digit run at or after a place, as a number (number_after)\n"
    "    let num = (x: string) { coalesce(tolong(extract(@\"[0-9]+\", 0, x)), 0) };\n"
    "    // \"Windows 10.0.BUILD ...\": 11 from build 22000, else 10; else its major (windows)\n"
    "    let w = substring(s, 7);\n"
    "    let build = coalesce(tolong(extract(@\"10\\.0\\.\\s*([+-]?[0-9]+)?\", 1, w)), 0);\n"
    "    let windows = case(indexof(w, \"10.0.\") >= 0, iff(build >= 22000, \"Windows 11\", \"Windows 10\"),\n"
    "        num(w) > 0, strcat(\"Windows \", num(w)), \"Windows\");\n"
    "    let android = iff(num(substring(s, 7)) > 0, strcat(\"Android \", num(substring(s, 7))), \"Android\");\n"
    "    // Apple (apple): iOS/iPadOS/macOS with the version the string gives, unless it is a\n"
    "    // Darwin kernel string, which says iOS (Darwin N = iOS N-6) or macOS (N >= 20:\n"
    "    // macOS N-9, older: macOS 10) only when it names the device\n"
    "    let ios_at = case(indexof(l, \"ipados\") >= 0, indexof(l, \"ipados\"), l startswith \"ios \", 0,\n"
    "        indexof(l, \"iphone os\"));\n"
    "    let ios_v = iff(ios_at >= 0, num(substring(l, ios_at)), 0);\n"
    "    let mac_at = iff(indexof(l, \"macos\") >= 0, indexof(l, \"macos\"), indexof(l, \"mac os x\"));\n"
    "    let mac_v = iff(mac_at >= 0, num(substring(l, mac_at)), 0);\n"
    "    let darwin_at = indexof(l, \"darwin\");\n"
    "    let dv = iff(darwin_at >= 0, num(substring(l, darwin_at)), 0);\n"
    "    let on_ios = indexof(l, \"iphone\") >= 0 or indexof(l, \"ipad\") >= 0 or indexof(l, \"ios\") >= 0;\n"
    "    let on_mac = indexof(l, \"macintosh\") >= 0 or indexof(l, \"macos\") >= 0\n"
    "        or indexof(l, \"x86_64\") >= 0 or indexof(l, \"mac os\") >= 0;\n"
    "    let apple = case(ios_v > 0 and darwin_at < 0, strcat(\"iOS \", ios_v),\n"
    "        mac_v > 0 and darwin_at < 0, strcat(\"macOS \", mac_v),\n"
    "        darwin_at < 0, \"\",\n"
    "        dv <= 0, \"Apple (Darwin)\",\n"
    "        on_ios and not(on_mac) and dv > 6, strcat(\"iOS \", dv - 6),\n"
    "        on_mac and not(on_ios), strcat(\"macOS \", iff(dv >= 20, dv - 9, 10)),\n"
    "        strcat(\"Apple (Darwin \", dv, \")\"));\n"
    "    // anything else: the text before its first \";\", \"(\" or \" Arch:\"\n"
    "    let head = extract(@\"^[^;(]*\", 0, s);\n"
    "    let cut = trim_end(@\" +\", iff(indexof(head, \" Arch:\") >= 0,\n"
    "        substring(head, 0, indexof(head, \" Arch:\")), head));\n"
    "    case(dim_special(v) != \"\", dim_special(v),\n"
    "        l startswith \"windows\", windows,\n"
    "        l startswith \"android\", android,\n"
    "        apple != \"\", apple,\n"
    "        indexof(l, \"linux\") >= 0 or indexof(l, \"ubuntu\") >= 0, \"Linux\",\n"
    "        indexof(l, \"chrome os\") >= 0 or indexof(l, \"chromeos\") >= 0 or indexof(l, \"cros\") >= 0,\n"
    "            \"ChromeOS\",\n"
    "        iff(isempty(cut), s, cut))\n"
    "};\n";

static const char fn_browser[] =
    "// browser: the name (text before the first digit, trailing \" \" and \"/\" cut; Edg and\n"
    "// Microsoft Edge are Edge) and the major version (cs_browser_family)\n"
    "let browser_group = (v: string) {\n"
    "    let s = trim(ws, v);\n"
    "    let name0 = trim_end(@\"[ /]+\", extract(@\"^[^0-9]*\", 0, s));\n"
    "    let name = iff(name0 =~ \"edg\" or name0 =~ \"microsoft edge\", \"Edge\", name0);\n"
    "    let major = extract(@\"[0-9]+\", 0, s);\n"
    "    case(dim_special(v) != \"\", dim_special(v),\n"
    "        isempty(major), name,\n"
    "        strcat(name, iff(isempty(name), \"\", \" \"), tolong(major)))\n"
    "};\n";

/* ---- the sources (store/calls_join.c) --------------------------------- */

/* ", EndpointType, ParticipantType, SdkVersion": the legs' columns the
 * join and the dimensions read, each once */
static void
put_sources(struct cs_buf *t, const struct cs_kql_opts *o)
{
    const char *seen[N_DIMS + 2] = {"EndpointType", "ParticipantType"};
    size_t n_seen = 2;
    cs_buf_printf(t, ", EndpointType, ParticipantType");
    for (size_t k = 0; k < o->n_by; k++) {
        const char *src = cs_kql_dim_find(o->by[k])->leg;
        bool dup = !src;
        for (size_t j = 0; j < n_seen && !dup; j++)
            dup = strcmp(seen[j], src) == 0;
        if (dup)
            continue;
        seen[n_seen++] = src;
        cs_buf_printf(t, ", %s", src);
    }
}

/* survey_legs: each survey's leg, the audited join of store/calls_join.c */
static void
put_legs(struct cs_buf *t, const struct cs_kql_opts *o)
{
    cs_buf_printf(t, "// each survey's leg in ACSCallSummary (FORMATS.md section 8; store/calls_join.c\n"
                     "// pick).  A leg is (call, participant, endpoint, start to the millisecond), ids\n"
                     "// trimmed, any case; repeated, its latest record counts (locally: the last loaded)\n"
                     "// (ingest/calls.c copy: trimmed, lower case, \"null\" in any case missing)\n"
                     "let leg_id = (s: string) { let t = tolower(trim(ws, s)); iff(t == \"null\", \"\", t) };\n"
                     "let legs = ACSCallSummary\n");
    cs_kql_put_window(t, o, "TimeGenerated", true);
    cs_buf_printf(t, "    | extend LegCall = leg_id(CorrelationId), LegPart = leg_id(ParticipantId),\n"
                     "        LegEndpoint = leg_id(EndpointId),\n"
                     "        LegStart = coalesce(bin(ParticipantStartTime, 1ms), datetime(1601-01-01))\n"
                     "    | where LegCall != \"\"\n"
                     "    | summarize arg_max(TimeGenerated");
    put_sources(t, o);
    cs_buf_printf(t, ") by LegCall, LegPart, LegEndpoint, LegStart\n"
                     "    | project-away TimeGenerated;\n"
                     "let survey_calls = surveys\n"
                     "    | project SurveyKey, SurveyTime, LegCall = tolower(CallKey), LegPart = tolower(PartKey)\n"
                     "    | where LegCall != \"\";\n"
                     "// the legs of the same call and participant; several (a participant who rejoined):\n"
                     "// the latest started by the survey's time, else the latest (a leg without a start\n"
                     "// time counts as the earliest)\n"
                     "let by_participant = survey_calls\n"
                     "    | where LegPart != \"\"\n"
                     "    | join kind=inner (legs | where LegPart != \"\") on LegCall, LegPart\n"
                     "    | extend LegOrder = iff(LegStart <= SurveyTime, LegStart, LegStart - 200000d)\n"
                     "    | summarize arg_max(LegOrder");
    put_sources(t, o);
    cs_buf_printf(t, ") by SurveyKey\n"
                     "    | project-away LegOrder;\n"
                     "// a call none of whose legs names its participant: its one VoIP leg of an ACS\n"
                     "// participant (several: ambiguous, the survey stays unknown; never guessed)\n"
                     "let voip_acs = legs\n"
                     "    | where trim(ws, EndpointType) =~ \"VoIP\" and trim(ws, ParticipantType) =~ \"ACS\";\n"
                     "let lone_leg = legs\n"
                     "    | summarize named = countif(LegPart != \"\"),\n"
                     "        lone = countif(LegPart == \"\" and trim(ws, EndpointType) =~ \"VoIP\"\n"
                     "            and trim(ws, ParticipantType) =~ \"ACS\") by LegCall\n"
                     "    | where named == 0 and lone == 1\n"
                     "    | join kind=inner (voip_acs | where LegPart == \"\") on LegCall\n"
                     "    | project-away LegCall1;\n"
                     "let by_call = survey_calls\n"
                     "    | join kind=inner lone_leg on LegCall\n"
                     "    | project SurveyKey");
    put_sources(t, o);
    cs_buf_printf(t, ";\n"
                     "let survey_legs = union by_participant, by_call;\n");
}

/* the events' context: per dimension, each survey's latest event with a value */
static void
put_events(struct cs_buf *t, const struct cs_kql_opts *o, bool app_events)
{
    const char *tcol = app_events ? "TimeGenerated" : "timestamp";
    cs_buf_printf(t, "// the app's context of the custom events (FORMATS.md section 9), as the loader keeps\n"
                     "// it (ingest/events.c): trimmed of spaces and tabs, at most 128 characters, \"null\"\n"
                     "// (any case) missing\n"
                     "let ctx_value = (v: string) {\n"
                     "    let x = substring(trim(@\"[ \\t]+\", v), 0, 128);\n"
                     "    iff(x =~ \"null\", \"\", x)\n"
                     "};\n"
                     "let app_context = ");
    cs_kql_put_events(t, o, app_events);
    cs_kql_put_window(t, o, tcol, true);
    cs_buf_printf(t,
                  "    | where %s == event_name\n"
                  "    | extend SurveyKey = tolower(trim(@\"[ \\t]+\", tostring(%s[id_key])))\n"
                  "    | where SurveyKey != \"\" and strlen(SurveyKey) <= 128\n"
                  "    | project SurveyKey, EventTime = %s",
                  app_events ? "Name" : "name", app_events ? "Properties" : "customDimensions", tcol);
    for (size_t k = 0; k < o->n_by; k++) {
        const struct cs_kql_dim *d = cs_kql_dim_find(o->by[k]);
        if (d->event)
            cs_buf_printf(t, ",\n        %s = ctx_value(%s)", d->column, app_events ? d->app : d->event);
    }
    cs_buf_printf(t, ";\n"
                     "// each survey's latest event that has the value (store/calls_join.c app_sql; a tie\n"
                     "// of times goes to any one, locally to the event loaded last)\n");
    for (size_t k = 0; k < o->n_by; k++) {
        const struct cs_kql_dim *d = cs_kql_dim_find(o->by[k]);
        if (d->event)
            cs_buf_printf(t,
                          "let %s_of = app_context | where %s != \"\"\n"
                          "    | summarize arg_max(EventTime, %s) by SurveyKey | project-away EventTime;\n",
                          d->column, d->column, d->column);
    }
}

void
cs_kql_dims_step(struct cs_buf *t, const struct cs_kql_opts *o, bool app_events)
{
    cs_buf_printf(t, "%s", fn_common);
    if (uses(o, "sdk_group"))
        cs_buf_printf(t, "%s", fn_sdk);
    if (uses(o, "os_group"))
        cs_buf_printf(t, "%s", fn_os);
    if (uses(o, "browser_group"))
        cs_buf_printf(t, "%s", fn_browser);
    bool legs = false;
    for (size_t k = 0; k < o->n_by; k++)
        legs |= cs_kql_dim_find(o->by[k])->leg != NULL;
    if (legs)
        put_legs(t, o);
    if (cs_kql_dims_need_events(o))
        put_events(t, o, app_events);
    cs_buf_printf(t, "// the surveys with their groups\nlet surveys_by = surveys\n");
    if (legs)
        cs_buf_printf(t, "    | join kind=leftouter survey_legs on SurveyKey | project-away SurveyKey1\n");
    for (size_t k = 0; k < o->n_by; k++) {
        const struct cs_kql_dim *d = cs_kql_dim_find(o->by[k]);
        if (d->event)
            cs_buf_printf(t, "    | join kind=leftouter %s_of on SurveyKey | project-away SurveyKey1\n",
                          d->column);
    }
    for (size_t k = 0; k < o->n_by; k++) {
        const struct cs_kql_dim *d = cs_kql_dim_find(o->by[k]);
        cs_buf_printf(t, "%s%s = %s(%s)", k ? ",\n        " : "    | extend ", d->column, d->group,
                      d->leg ? d->leg : d->column);
    }
    cs_buf_printf(t, ";\n");
}
