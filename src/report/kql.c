/*
 * report/kql.c: the text of the `callsurvey kql` query (see kql.h).
 *
 * The query restates, in KQL, the rules the local loader applies, so the
 * counts it returns are the ones `callsurvey report` would compute from an
 * export of the same rows.  Where each rule lives locally:
 *   - ids trimmed, "null" missing, SurveyId lower-cased, resource id upper
 *     case with a leading '/':              ingest/fields.c cs_recbuild_set
 *   - tags split on commas, trimmed, empty dropped, JSON-array strings,
 *     CannotJoin/CannotInvite, duplicates: model/survey.c cs_rating_set_issues
 *   - a category is rated when it has a score or tags; bounds alone are
 *     not a rating:                          ingest/fields.c cs_recbuild_finish
 *   - the SDK's range checks, first failure per rating, messages joined,
 *     type step only when no range check failed, "At least one survey
 *     rating is required.":                 model/survey.c cs_record_validate
 *   - repeated SurveyIds merged category by category, the later
 *     TimeGenerated winning; the survey's time is its earliest record's:
 *                                            store/store.c merge
 *   - default scale 1..5 with --default-threshold: store/query.c cs_query_cube
 *   - a custom key's latest answer per survey: store/query.c CS_GROUP_CUSTOM
 *   - --by: the survey's leg and events, and each dimension's groups:
 *     report/kql_dims.c (store/calls_join.c, model/dims.c)
 * Deviations, each stated in the query's comments: a tie of TimeGenerated
 * within one category is resolved by arg_max (locally: the record loaded
 * first); records of one survey further than merge_slack outside the window
 * are not merged; Kusto's strlen counts characters where the loader counts
 * bytes (the too-long checks); the events' id key is matched exactly (the
 * loader ignores its case).
 *
 * User text (resource ids, custom keys, names) is written as KQL string
 * literals with \ and " escaped; control characters are refused, so no
 * value can end a literal or a comment line.
 */
#include "report/kql.h"
#include "report/kql_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/ctime.h"
#include "core/buf.h"
#include "core/mem.h"
#include "model/survey.h"

const struct cs_kql_column cs_kql_columns[] = {
    {"row_kind", "string", "rating, total, merged or reject"},
    {"period", "string", "ISO week (2026-W47) or day (2026-11-16) of the survey (of the record: reject)"},
    {"resource_id", "string", "ARM id of the ACS resource, upper case, leading /"},
    {"custom_key", "string", "empty on the plain rows; on rows repeated per --custom-keys key, the key"},
    {"custom_value", "string", "the survey's latest answer to custom_key (empty: no answer)"},
    {"category", "string", "rating: overall, audio, video or screenshare"},
    {"lower", "real", "rating: scale lower bound (1 when the rating had no scale)"},
    {"upper", "real", "rating: scale upper bound (5 when the rating had no scale)"},
    {"threshold", "real", "rating: low-score threshold (--default-threshold when no scale)"},
    {"default_scale", "bool", "rating: the rating came without a scale"},
    {"score", "real", "rating: the score"},
    {"tags", "string", "rating: the response's tag set, normalized, sorted, comma-joined (empty: none)"},
    {"reason", "string", "reject: the SDK-style message"},
    {"n", "long", "rating: responses; total: surveys; merged: records merged into a survey "
                  "counted elsewhere (duplicates and updates); reject: rejected records"},
    {"calls", "long", "total: distinct CallId (exact) per period and resource"},
    {"participants", "long", "total: distinct ParticipantId (exact) per period and resource"},
    {"first_time", "datetime", "total: earliest survey time"},
    {"last_time", "datetime", "total: latest survey time"},
};
const size_t cs_kql_n_columns = sizeof cs_kql_columns / sizeof cs_kql_columns[0];

void
cs_kql_opts_default(struct cs_kql_opts *o)
{
    memset(o, 0, sizeof *o);
    o->events_table = "customEvents";
    o->event_name = "CallSurvey";
    o->id_key = "id";
    o->default_threshold = 2;
}

/* A KQL string literal: "..." with \ and " escaped. */
void
cs_kql_put_lit(struct cs_buf *t, const char *v)
{
    cs_buf_printf(t, "\"");
    for (const char *p = v; *p; p++) {
        if (*p == '\\' || *p == '"')
            cs_buf_printf(t, "\\%c", *p);
        else
            cs_buf_printf(t, "%c", *p);
    }
    cs_buf_printf(t, "\"");
}

/* The custom events' table: the workspace's AppEvents, or the Application
 * Insights resource's customEvents (--app), and a newline. */
void
cs_kql_put_events(struct cs_buf *t, const struct cs_kql_opts *o, bool app_events)
{
    if (app_events) {
        cs_buf_printf(t, "AppEvents\n");
    } else {
        cs_buf_printf(t, "app(");
        cs_kql_put_lit(t, o->app);
        cs_buf_printf(t, ").customEvents\n");
    }
}

/* dynamic(["a", "b"]) of a list, upper-cased when asked. */
static void
put_list(struct cs_buf *t, const char *const *v, size_t n, bool upper)
{
    cs_buf_printf(t, "dynamic([");
    for (size_t i = 0; i < n; i++) {
        cs_buf_printf(t, "%s", i ? ", " : "");
        if (!upper) {
            cs_kql_put_lit(t, v[i]);
            continue;
        }
        char *u = xstrdup(v[i]);
        for (char *p = u; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 32);
        cs_kql_put_lit(t, u);
        xfree(u);
    }
    cs_buf_printf(t, "])");
}

/* The command line for the header comment: one line, whatever was typed
 * (control characters and Unicode line breaks become '?'). */
static void
put_comment_text(struct cs_buf *t, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        if (*p < 0x20 || *p == 0x7f) {
            cs_buf_printf(t, "?");
            p++;
        } else if (p[0] == 0xC2 && p[1] == 0x85) { /* NEL */
            cs_buf_printf(t, "?");
            p += 2;
        } else if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) {
            cs_buf_printf(t, "?"); /* LINE / PARAGRAPH SEPARATOR */
            p += 3;
        } else {
            cs_buf_printf(t, "%c", (char)*p++);
        }
    }
}

static bool
has_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return true;
    return false;
}

static cs_status
check_value(const char *opt, const char *v, struct cs_err *err)
{
    if (!v || !*v)
        return cs_fail(err, CS_E_USAGE, opt, "an empty value is not allowed");
    if (has_control(v))
        return cs_fail(err, CS_E_USAGE, opt, "'%s' holds a control character", v);
    return CS_OK;
}

static void
put_tag_list(struct cs_buf *t, const char *var, enum cs_category c)
{
    cs_buf_printf(t, "let %s = dynamic([", var);
    for (size_t i = 0; i < cs_tags_count(c); i++)
        cs_buf_printf(t, "%s\"%s\"", i ? ", " : "", cs_tag_name(c, i));
    cs_buf_printf(t, "]);\n");
}

/* ---- the query -------------------------------------------------------- */

static const char helpers[] =
    "// ---- helpers ----------------------------------------------------------------\n"
    "let ws = @\"[ \\t\\r\\n]+\";               // the loader's white space\n"
    "// an id as the loader keeps it: trimmed; \"null\" is missing (\"\")\n"
    "let clean_id = (s: string) { let t = trim(ws, s); iff(t == \"null\", \"\", t) };\n"
    "// the resource id: upper case, with a leading \"/\"\n"
    "let clean_resource = (s: string) {\n"
    "    let t = toupper(clean_id(s));\n"
    "    iff(t == \"\" or t startswith \"/\", t, strcat(\"/\", t))\n"
    "};\n"
    "// its name: the last segment (the whole id when it ends in \"/\")\n"
    "let resource_name = (r: string) { let tail = extract(@\"[^/]+$\", 0, r); iff(tail == \"\", r, tail) };\n"
    "// an issue list as a set (model/survey.c cs_rating_set_issues): split on commas, tokens\n"
    "// trimmed, empty ones dropped, a JSON-array string [\"A\",\"B\"] accepted, CannotJoin and\n"
    "// CannotInvite mapped to CallCannotJoin and CallCannotInvite (overall), duplicates dropped;\n"
    "// sorted, so one tag set is one value.  Unknown tags are kept.  (Each replace runs twice:\n"
    "// a match consumes the comma the next token would need.)\n"
    "let tag_set = (issues: string, overall: bool) {\n"
    "    let t = iff(trim(ws, issues) == \"null\", \"\", trim(ws, issues));   // \"null\" is missing\n"
    "    let is_array = strlen(t) >= 2 and t startswith \"[\" and t endswith \"]\";\n"
    "    let u = replace_regex(strcat(\",\", iff(is_array, substring(t, 1, strlen(t) - 2), t), \",\"),\n"
    "        @\"[ \\t\\r\\n]*,[ \\t\\r\\n]*\", \",\");\n"
    "    let unquote = (x: string) { replace_regex(x, @\",\"\"([^,]*)\"\",\", @\",\\1,\") };\n"
    "    let v = iff(is_array, unquote(unquote(u)), u);\n"
    "    let join_ = (x: string) { replace_regex(x, @\",CannotJoin,\", \",CallCannotJoin,\") };\n"
    "    let invite = (x: string) { replace_regex(x, @\",CannotInvite,\", \",CallCannotInvite,\") };\n"
    "    let w = iff(overall, invite(invite(join_(join_(v)))), v);\n"
    "    array_sort_asc(set_difference(split(w, \",\"), dynamic([\"\"])))\n"
    "};\n"
    "// a number as the SDK's messages print it; \"undefined\" when absent\n"
    "let js = (v: long) { iff(isnull(v), \"undefined\", tostring(v)) };\n"
    "// the SDK's range checks of one rating, first failure only (model/survey.c\n"
    "// cs_record_validate); a missing bound fails as JavaScript's undefined does\n"
    "let range_msg = (cat: string, rated: bool, s: long, lo: long, hi: long, th: long) {\n"
    "    case(not(rated), \"\",\n"
    "        isnull(lo) and isnull(hi) and isnull(th),\n"
    "            iff(isnotnull(s) and s >= 1 and s <= 5, \"\",\n"
    "                strcat(\"In default scale \", cat, \".score should be 1 to 5. \")),\n"
    "        not(isnotnull(s) and isnotnull(lo) and isnotnull(hi) and lo <= s and s <= hi),\n"
    "            strcat(cat, \".score: \", js(s), \" should be between \", js(lo), \" and \", js(hi), \". \"),\n"
    "        not(isnotnull(th) and isnotnull(lo) and isnotnull(hi) and lo <= th and th <= hi),\n"
    "            strcat(cat, \".scale.lowScoreThreshold: \", js(th), \" should be between \", js(lo),\n"
    "                \" and \", js(hi), \". \"),\n"
    "        not(lo >= 0 and hi <= 100),\n"
    "            strcat(cat, \".scale lowerBound: \", js(lo), \" and upperBound: \", js(hi),\n"
    "                \" should be between 0 and 100. \"),\n"
    "        \"\")\n"
    "};\n"
    "// the SDK's type step: a tag of another category's list\n"
    "let type_msg = (cat: string, type_name: string, rated: bool, tags: dynamic, wrong: dynamic) {\n"
    "    iff(rated and array_length(set_intersect(tags, wrong)) > 0,\n"
    "        strcat(cat, \".issues array should be of type \", type_name, \". \"), \"\")\n"
    "};\n"
    "// the loader's length limits (ingest/fields.c; Kusto counts characters, the loader bytes)\n"
    "let too_long = (name: string, v: string, limit: long) {\n"
    "    iff(strlen(v) > limit, strcat(name, \" is \", tostring(strlen(v)),\n"
    "        \" characters long, more than the \", tostring(limit), \" allowed. \"), \"\")\n"
    "};\n"
    "let list_too_long = (cat: string, tags: dynamic) {\n"
    "    iff(strlen(strcat_array(tags, \",\")) > 1023,\n"
    "        strcat(cat, \".issues: the list is longer than 1024 characters. \"), \"\")\n"
    "};\n";

static const char period_week[] =
    "// the trend bucket of a time: its ISO week, \"2026-W47\" (weeks start Monday 00:00 UTC;\n"
    "// the year is the year of the week's Thursday)\n"
    "let period_of = (t: datetime) {\n"
    "    let thursday = startofday(t) + 1d * (3 - (toint(dayofweek(t) / 1d) + 6) % 7);\n"
    "    let week = (dayofyear(thursday) - 1) / 7 + 1;\n"
    "    strcat(tostring(getyear(thursday)), \"-W\", iff(week < 10, \"0\", \"\"), tostring(week))\n"
    "};\n";

static const char period_day[] =
    "// the trend bucket of a time: its UTC day, \"2026-11-16\" (--bucket day)\n"
    "let period_of = (t: datetime) { format_datetime(t, \"yyyy-MM-dd\") };\n";

static const char checked_body[] =
    "    | extend SurveyKey = tolower(clean_id(SurveyId)), CallKey = clean_id(CallId),\n"
    "        PartKey = clean_id(ParticipantId), ResourceKey = clean_resource(_ResourceId)\n"
    "    | extend OTags = tag_set(OverallCallIssues, true), ATags = tag_set(AudioIssues, false),\n"
    "        VTags = tag_set(VideoIssues, false), STags = tag_set(ScreenshareIssues, false)\n"
    "    // a category is rated when it has a score or tags; bounds alone are not a rating\n"
    "    // (the service may fill default bounds for categories nobody rated)\n"
    "    | extend OP = isnotnull(OverallRatingScore) or array_length(OTags) > 0,\n"
    "        AP = isnotnull(AudioRatingScore) or array_length(ATags) > 0,\n"
    "        VP = isnotnull(VideoRatingScore) or array_length(VTags) > 0,\n"
    "        SP = isnotnull(ScreenshareRatingScore) or array_length(STags) > 0\n"
    "    // the log-level reasons first, as the loader writes them\n"
    "    | extend Head = strcat(iff(SurveyKey == \"\", \"SurveyId is missing. \", \"\"),\n"
    "        iff(isnull(TimeGenerated), \"TimeGenerated is missing. \", \"\"),\n"
    "        coalesce(too_long(\"SurveyId\", SurveyKey, 128), too_long(\"CallId\", CallKey, 128),\n"
    "            too_long(\"CorrelationId\", clean_id(CorrelationId), 128),\n"
    "            too_long(\"ParticipantId\", PartKey, 128),\n"
    "            too_long(\"OperationName\", clean_id(OperationName), 64),\n"
    "            too_long(\"ResourceId\", ResourceKey, 512),\n"
    "            list_too_long(\"overallRating\", OTags), list_too_long(\"audioRating\", ATags),\n"
    "            list_too_long(\"videoRating\", VTags), list_too_long(\"screenshareRating\", STags)))\n"
    "    | extend Range = strcat(\n"
    "        range_msg(\"overallRating\", OP, OverallRatingScore, OverallRatingScoreLowerBound,\n"
    "            OverallRatingScoreUpperBound, OverallRatingScoreThreshold),\n"
    "        range_msg(\"audioRating\", AP, AudioRatingScore, AudioRatingScoreLowerBound,\n"
    "            AudioRatingScoreUpperBound, AudioRatingScoreThreshold),\n"
    "        range_msg(\"videoRating\", VP, VideoRatingScore, VideoRatingScoreLowerBound,\n"
    "            VideoRatingScoreUpperBound, VideoRatingScoreThreshold),\n"
    "        range_msg(\"screenshareRating\", SP, ScreenshareRatingScore,\n"
    "            ScreenshareRatingScoreLowerBound, ScreenshareRatingScoreUpperBound,\n"
    "            ScreenshareRatingScoreThreshold))\n"
    "    // the type step runs only when every range check passed\n"
    "    | extend Reason = trim_end(@\" +\", strcat(Head, Range,\n"
    "        iff(Range != \"\", \"\", strcat(\n"
    "            type_msg(\"overallRating\", \"OverallIssue\", OP, OTags, overall_wrong),\n"
    "            type_msg(\"audioRating\", \"AudioIssue\", AP, ATags, audio_wrong),\n"
    "            type_msg(\"videoRating\", \"VideoIssue\", VP, VTags, video_wrong),\n"
    "            type_msg(\"screenshareRating\", \"ScreenshareIssue\", SP, STags, screenshare_wrong))),\n"
    "        iff(OP or AP or VP or SP, \"\", \"At least one survey rating is required.\")));\n";

static const char ratings_body[] =
    "// each category from the latest record that rated it: a later TimeGenerated wins\n"
    "// (a tie goes to any one of them; locally, to the record loaded first)\n"
    "let ratings = valid\n"
    "    | mv-expand r = pack_array(\n"
    "        bag_pack(\"category\", \"overall\", \"rated\", OP, \"score\", OverallRatingScore,\n"
    "            \"lo\", OverallRatingScoreLowerBound, \"hi\", OverallRatingScoreUpperBound,\n"
    "            \"th\", OverallRatingScoreThreshold, \"tags\", OTags),\n"
    "        bag_pack(\"category\", \"audio\", \"rated\", AP, \"score\", AudioRatingScore,\n"
    "            \"lo\", AudioRatingScoreLowerBound, \"hi\", AudioRatingScoreUpperBound,\n"
    "            \"th\", AudioRatingScoreThreshold, \"tags\", ATags),\n"
    "        bag_pack(\"category\", \"video\", \"rated\", VP, \"score\", VideoRatingScore,\n"
    "            \"lo\", VideoRatingScoreLowerBound, \"hi\", VideoRatingScoreUpperBound,\n"
    "            \"th\", VideoRatingScoreThreshold, \"tags\", VTags),\n"
    "        bag_pack(\"category\", \"screenshare\", \"rated\", SP, \"score\", ScreenshareRatingScore,\n"
    "            \"lo\", ScreenshareRatingScoreLowerBound, \"hi\", ScreenshareRatingScoreUpperBound,\n"
    "            \"th\", ScreenshareRatingScoreThreshold, \"tags\", STags))\n"
    "    | where tobool(r.rated)\n"
    "    | project SurveyKey, TimeGenerated, category = tostring(r.category), score = toreal(r.score),\n"
    "        lo = toreal(r.lo), hi = toreal(r.hi), th = toreal(r.th), tags = strcat_array(r.tags, \",\")\n"
    "    | summarize arg_max(TimeGenerated, score, lo, hi, th, tags) by SurveyKey, category\n"
    "    // no scale (a valid rating has all three bounds or none): 1..5 and the default threshold\n"
    "    | extend default_scale = isnull(lo), lower = coalesce(lo, real(1)), upper = coalesce(hi, real(5)),\n"
    "        threshold = coalesce(th, default_threshold);\n";

/* The result column of a --by dimension. */
static const char *
dim_column(const char *name)
{
    return cs_kql_dim_find(name)->column;
}

/* ", sdk_version, call_type" (each dimension column, with a leading
 * comma). */
static void
put_dim_cols(struct cs_buf *t, const struct cs_kql_opts *o)
{
    for (size_t i = 0; i < o->n_by; i++)
        cs_buf_printf(t, ", %s", dim_column(o->by[i]));
}

static void
put_counts(struct cs_buf *t, const struct cs_kql_opts *o, const char *sv)
{
    cs_buf_printf(t, "// ---- 6. the counts ----------------------------------------------------------\n"
                     "let rating_rows = keyed\n"
                     "    | join kind=inner ratings on SurveyKey\n"
                     "    | summarize n = count() by period, resource_id");
    put_dim_cols(t, o);
    cs_buf_printf(t, ", custom_key, custom_value,\n"
                     "        category, lower, upper, threshold, default_scale, score, tags\n"
                     "    | extend row_kind = \"rating\";\n"
                     "let total_rows = keyed\n"
                     "    | summarize n = count(),\n"
                     "        calls = count_distinctif(CallKey, CallKey != \"\"),\n"
                     "        participants = count_distinctif(PartKey, PartKey != \"\"),\n"
                     "        first_time = min(SurveyTime), last_time = max(SurveyTime)\n"
                     "        by period, resource_id");
    put_dim_cols(t, o);
    cs_buf_printf(t, ", custom_key, custom_value\n"
                     "    | extend row_kind = \"total\";\n"
                     "let merged_rows = %s\n"
                     "    | where records > 1\n"
                     "    | summarize n = sum(records - 1) by period, resource_id",
                  sv);
    put_dim_cols(t, o);
    cs_buf_printf(t, "\n"
                     "    | extend row_kind = \"merged\";\n"
                     "union rating_rows, total_rows, merged_rows, rejects\n"
                     "| project row_kind, period, resource_id");
    put_dim_cols(t, o);
    cs_buf_printf(t, ", custom_key, custom_value, category, lower,\n"
                     "    upper, threshold, default_scale, score, tags, reason, n, calls, participants,\n"
                     "    first_time, last_time\n"
                     "| order by row_kind asc, period asc, resource_id asc");
    for (size_t i = 0; i < o->n_by; i++)
        cs_buf_printf(t, ", %s asc", dim_column(o->by[i]));
    cs_buf_printf(t, ", custom_key asc,\n"
                     "    custom_value asc, category asc, lower asc, upper asc, threshold asc,\n"
                     "    default_scale asc, score asc, tags asc, reason asc\n");
}

/* "| where <col> >= since_t - merge_slack" and/or the until side. */
void
cs_kql_put_window(struct cs_buf *t, const struct cs_kql_opts *o, const char *col, bool slack)
{
    if (o->has_since)
        cs_buf_printf(t, "    | where %s >= since_t%s\n", col, slack ? " - merge_slack" : "");
    if (o->has_until)
        cs_buf_printf(t, "    | where %s < until_t%s\n", col, slack ? " + merge_slack" : "");
}

static void
put_resource_filter(struct cs_buf *t, const struct cs_kql_opts *o, const char *col)
{
    if (o->n_resources)
        cs_buf_printf(t,
                      "    | where %s in (resource_filter) or resource_name(%s) in (resource_filter)\n",
                      col, col);
}

char *
cs_kql_columns_text(const struct cs_kql_opts *o)
{
    struct cs_kql_opts none;
    if (!o) {
        cs_kql_opts_default(&none);
        o = &none;
    }
    struct cs_err e;
    if (cs_kql_dims_check(o, &e))
        return NULL;
    struct cs_buf t = {0};
    cs_buf_printf(&t, "%s", "");
    for (size_t i = 0; i < cs_kql_n_columns; i++) {
        cs_buf_printf(&t, "%s\t%s\n", cs_kql_columns[i].name, cs_kql_columns[i].type);
        if (strcmp(cs_kql_columns[i].name, "resource_id") == 0)
            for (size_t k = 0; k < o->n_by; k++)
                cs_buf_printf(&t, "%s\tstring\n", dim_column(o->by[k]));
    }
    return cs_buf_take(&t);
}

/* The options' checks (before any text). */
static cs_status
kql_check(const struct cs_kql_opts *o, bool app_events, struct cs_err *err)
{
    if (o->events_table && !app_events && strcmp(o->events_table, "customEvents") != 0)
        return cs_fail(err, CS_E_USAGE, "--events-table",
                       "'%s' is not customEvents or AppEvents", o->events_table);
    if (o->app && app_events)
        return cs_fail(err, CS_E_USAGE, "--app",
                       "names an Application Insights resource for customEvents; "
                       "AppEvents is the workspace's own table");
    if (o->n_custom_keys && !app_events && !o->app)
        return cs_fail(err, CS_E_USAGE, "--custom-keys",
                       "needs --app NAME (the Application Insights resource, read as "
                       "app(\"NAME\").customEvents) or --events-table AppEvents");
    if (cs_kql_dims_need_events(o) && !app_events && !o->app)
        return cs_fail(err, CS_E_USAGE, "--by",
                       "app-version, browser and client-os come from the custom events: they "
                       "need --app NAME or --events-table AppEvents");
    if (o->has_since && o->has_until && o->until_us <= o->since_us)
        return cs_fail(err, CS_E_USAGE, "--until", "the window is empty (until <= since)");
    for (size_t i = 0; i < o->n_resources; i++)
        if (check_value("--resource", o->resources[i], err))
            return CS_E_USAGE;
    for (size_t i = 0; i < o->n_custom_keys; i++)
        if (check_value("--custom-keys", o->custom_keys[i], err))
            return CS_E_USAGE;
    if ((o->app && check_value("--app", o->app, err)) ||
        check_value("--event-name", o->event_name, err) ||
        check_value("--id-key", o->id_key, err))
        return CS_E_USAGE;
    if (cs_kql_dims_check(o, err))
        return CS_E_USAGE;
    if (!(o->default_threshold >= 0 && o->default_threshold <= 100))
        return cs_fail(err, CS_E_USAGE, "--default-threshold", "not a number from 0 to 100");
    return CS_OK;
}

/* The header: what the query returns, its columns. */
static void
kql_header(struct cs_buf *t, const struct cs_kql_opts *o)
{
    cs_buf_printf(t, "// %s: the counts behind `callsurvey report`, computed where the data is\n",
                  o->version ? o->version : "callsurvey");
    cs_buf_printf(t, "// command: ");
    put_comment_text(t, o->command_line ? o->command_line : "callsurvey kql");
    cs_buf_printf(t, "\n//\n"
                     "// Returns one table (columns below); every row adds up across periods, resources and\n"
                     "// result files:\n"
                     "//   row_kind \"rating\": n = responses with this score and exactly this tag set\n"
                     "//   row_kind \"total\":  n = surveys, with distinct calls and participants (per\n"
                     "//                      period and resource) and first and last survey time\n"
                     "//   row_kind \"merged\": n = records merged into a survey of another row (repeats and\n"
                     "//                      updates of one SurveyId)\n"
                     "//   row_kind \"reject\": n = records the web SDK's rules reject, per reason\n"
                     "// The rules are those of `callsurvey report`; the C function named beside each step\n"
                     "// holds the local one.  Columns:\n");
    for (size_t i = 0; i < cs_kql_n_columns; i++) {
        cs_buf_printf(t, "//   %-14s %-9s %s\n", cs_kql_columns[i].name, cs_kql_columns[i].type,
                      cs_kql_columns[i].what);
        if (strcmp(cs_kql_columns[i].name, "resource_id") == 0)
            for (size_t k = 0; k < o->n_by; k++) {
                const struct cs_kql_dim *d = cs_kql_dim_find(o->by[k]);
                cs_buf_printf(t, "//   %-14s %-9s --by %s: %s\n", d->column, "string", d->name,
                              d->what);
            }
    }
}

/* The parameters (window, threshold, resources, custom keys). */
static void
kql_params(struct cs_buf *t, const struct cs_kql_opts *o)
{
    char b1[32], b2[32];
    cs_buf_printf(t, "//\n// ---- parameters ---------------------------------------------------------------\n");
    if (o->has_since)
        cs_buf_printf(t, "let since_t = datetime(%s);   // surveys at or after this time\n",
                      cs_time_format(o->since_us, b1));
    if (o->has_until)
        cs_buf_printf(t, "let until_t = datetime(%s);   // surveys before this time\n",
                      cs_time_format(o->until_us, b2));
    if (o->has_since || o->has_until)
        cs_buf_printf(t, "// the records of one survey this far outside the window still merge with it\n"
                         "let merge_slack = 2d;\n");
    else
        cs_buf_printf(t, "// no --since/--until/--week: every row the caller's time range lets through\n");
    cs_buf_printf(t, "let default_threshold = real(%s);   // for ratings sent without a scale\n",
                  cs_js_number(o->default_threshold, b1));
    if (o->n_resources) {
        cs_buf_printf(t, "// --resource: full ARM ids or their last segment, compared in upper case\n"
                         "let resource_filter = ");
        put_list(t, o->resources, o->n_resources, true);
        cs_buf_printf(t, ";\n");
    }
    if (o->n_custom_keys) {
        cs_buf_printf(t, "let custom_keys = ");
        put_list(t, o->custom_keys, o->n_custom_keys, false);
        cs_buf_printf(t, ";   // --custom-keys\n");
    }
    if (o->n_custom_keys || cs_kql_dims_need_events(o)) {
        cs_buf_printf(t, "let event_name = ");
        cs_kql_put_lit(t, o->event_name);
        cs_buf_printf(t, ";   // the custom events read (--event-name)\nlet id_key = ");
        cs_kql_put_lit(t, o->id_key);
        cs_buf_printf(t, ";   // their property holding the survey id (--id-key)\n");
    }
}

/* The issue lists, helpers and steps 1 to 3 (records, rejects, surveys). */
static void
kql_steps(struct cs_buf *t, const struct cs_kql_opts *o)
{
    cs_buf_printf(t, "// ---- the web SDK's issue lists (FORMATS.md section 4) ---------------------------\n");
    put_tag_list(t, "overall_tags", CS_CAT_OVERALL);
    put_tag_list(t, "audio_tags", CS_CAT_AUDIO);
    put_tag_list(t, "video_tags", CS_CAT_VIDEO);
    put_tag_list(t, "screenshare_tags", CS_CAT_SCREENSHARE);
    cs_buf_printf(t,
                  "let overall_aliases = dynamic([\"CannotJoin\", \"CannotInvite\"]);   // native SDK spellings\n"
                  "// tags only another category's list has: the SDK rejects them\n"
                  "let overall_wrong = set_difference(array_concat(audio_tags, video_tags, screenshare_tags),\n"
                  "    overall_tags);\n"
                  "let audio_wrong = set_difference(array_concat(overall_tags, overall_aliases, video_tags,\n"
                  "    screenshare_tags), audio_tags);\n"
                  "let video_wrong = set_difference(array_concat(overall_tags, overall_aliases, audio_tags,\n"
                  "    screenshare_tags), video_tags);\n"
                  "let screenshare_wrong = set_difference(array_concat(overall_tags, overall_aliases,\n"
                  "    audio_tags, video_tags), screenshare_tags);\n");
    cs_buf_printf(t, "%s%s", helpers, o->bucket_day ? period_day : period_week);

    cs_buf_printf(t, "// ---- 1. every record, normalised and checked (ingest/fields.c, model/survey.c) --\n"
                     "let checked = ACSCallSurvey\n");
    cs_kql_put_window(t, o, "TimeGenerated", true);
    cs_buf_printf(t, "%s", checked_body);

    cs_buf_printf(t, "// ---- 2. rejected records, per reason (each at its own time and resource) -------\n"
                     "let rejects = checked\n"
                     "    | where Reason != \"\"\n");
    cs_kql_put_window(t, o, "TimeGenerated", false);
    put_resource_filter(t, o, "ResourceKey");
    cs_buf_printf(t, "    | summarize n = count() by period = iff(isnull(TimeGenerated), \"\",\n"
                     "        period_of(TimeGenerated)), resource_id = ResourceKey, reason = Reason\n"
                     "    | extend row_kind = \"reject\";\n");

    cs_buf_printf(t, "// ---- 3. surveys: the valid records of one SurveyId merged (store/store.c merge) --\n"
                     "let valid = checked | where Reason == \"\";\n"
                     "// a survey's time is its earliest record's; its call, participant and resource the\n"
                     "// first given\n"
                     "let surveys = valid\n"
                     "    | summarize SurveyTime = min(TimeGenerated), records = count(),\n"
                     "        CallKey = take_anyif(CallKey, CallKey != \"\"), PartKey = take_anyif(PartKey, PartKey != \"\"),\n"
                     "        resource_id = take_anyif(ResourceKey, ResourceKey != \"\") by SurveyKey\n");
    cs_kql_put_window(t, o, "SurveyTime", false);
    put_resource_filter(t, o, "resource_id");
    cs_buf_printf(t, "    | extend period = period_of(SurveyTime);\n");
    cs_buf_printf(t, "%s", ratings_body);
}

/* Steps 4 and 5: the custom answers, or every survey once. */
static void
kql_custom(struct cs_buf *t, const struct cs_kql_opts *o, bool app_events, const char *sv)
{
    if (o->n_custom_keys) {
        const char *tcol = app_events ? "TimeGenerated" : "timestamp";
        const char *ncol = app_events ? "Name" : "name";
        const char *pcol = app_events ? "Properties" : "customDimensions";
        cs_buf_printf(t, "// ---- 4. custom answers: each survey's latest answer per key (store/query.c) -----\n"
                         "let answers = ");
        cs_kql_put_events(t, o, app_events);
        if (o->has_since || o->has_until)
            cs_buf_printf(t, "    // answers come right after the survey; this far is searched\n");
        cs_kql_put_window(t, o, tcol, true);
        cs_buf_printf(t,
                      "    | where %s == event_name\n"
                      "    | extend SurveyKey = tolower(trim(@\"[ \\t]+\", tostring(%s[id_key])))\n"
                      "    | where SurveyKey != \"\" and strlen(SurveyKey) <= 128\n"
                      "    | mv-expand custom_key = custom_keys to typeof(string)\n"
                      "    | where isnotnull(%s[custom_key])\n"
                      "    | extend custom_value = tostring(%s[custom_key]), AnswerTime = %s\n"
                      "    | summarize arg_max(AnswerTime, custom_value) by SurveyKey, custom_key;\n",
                      ncol, pcol, pcol, pcol, tcol);
        cs_buf_printf(t, "// ---- 5. every survey once as itself (custom_key \"\") and once per custom key ----\n"
                         "let keyed = union\n"
                         "    (%s | extend custom_key = \"\", custom_value = \"\"),\n"
                         "    (%s | mv-expand custom_key = custom_keys to typeof(string)\n"
                         "        | join kind=leftouter answers on SurveyKey, custom_key\n"
                         "        | project-away SurveyKey1, custom_key1, AnswerTime);\n",
                      sv, sv);
    } else {
        cs_buf_printf(t, "// ---- 4./5. no --custom-keys: every survey once, custom_key \"\" ------------------\n"
                         "let keyed = %s | extend custom_key = \"\", custom_value = \"\";\n",
                      sv);
    }
}

cs_status
cs_kql_build(const struct cs_kql_opts *o, char **out, struct cs_err *err)
{
    *out = NULL;
    bool app_events = o->events_table && strcmp(o->events_table, "AppEvents") == 0;
    cs_status rc = kql_check(o, app_events, err);
    if (rc)
        return rc;
    struct cs_buf t = {0};
    kql_header(&t, o);
    kql_params(&t, o);
    kql_steps(&t, o);
    const char *sv = "surveys";
    if (o->n_by) {
        sv = "surveys_by";
        cs_kql_dims_step(&t, o, app_events);
    }
    kql_custom(&t, o, app_events, sv);
    put_counts(&t, o, sv);
    *out = cs_buf_take(&t);
    return CS_OK;
}
