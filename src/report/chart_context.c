/*
 * report/chart_context.c: the footer text of a chart's context (window,
 * filters, template parameters).  See chart_context.h.
 */
#include "report/chart_context.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/ctime.h"
#include "core/mem.h"
#include "model/survey.h"
#include "render/chart.h"
#include "report/template.h"
#include "store/runner.h"

/* "2026-11-01" for a midnight, else the full time. */
static void
add_time(struct cs_buf *b, int64_t us)
{
    char t[40];
    if (us % CS_US_PER_DAY == 0)
        cs_day_format(cs_time_day(us), t);
    else
        cs_time_format(us, t);
    cs_buf_puts(b, t);
}

char *
cs_chart_filters_text(const struct cs_filter *f, bool has_week, const char *week_label)
{
    struct cs_buf b = {0};
    const char *sep = "filtered: ";
    if (f && f->n_resources > 0) {
        cs_buf_printf(&b, "%s%s ", sep, f->n_resources > 1 ? "resources" : "resource");
        size_t shown = f->n_resources > CS_CHART_CONTEXT_MAX_RESOURCES
                           ? CS_CHART_CONTEXT_MAX_RESOURCES - 1
                           : f->n_resources;
        for (size_t i = 0; i < shown; i++) {
            /* an ARM id's last segment names the resource */
            const char *r = f->resources[i], *slash = strrchr(r, '/');
            cs_buf_printf(&b, "%s%s", i ? ", " : "", slash && slash[1] ? slash + 1 : r);
        }
        if (shown < f->n_resources)
            cs_buf_printf(&b, " +%zu more", f->n_resources - shown);
        sep = "; ";
    }
    if (has_week && week_label && *week_label) {
        cs_buf_printf(&b, "%sweek %s", sep, week_label);
    } else if (f) {
        if (f->has_since) {
            cs_buf_printf(&b, "%ssince ", sep);
            add_time(&b, f->since_us);
            sep = "; ";
        }
        if (f->has_until) {
            cs_buf_printf(&b, "%sbefore ", sep);
            add_time(&b, f->until_us);
        }
    }
    return cs_buf_take(&b);
}

char *
cs_chart_window_text(const struct cs_report_model *m)
{
    char a[16], b[16];
    if (m == NULL || m->totals.surveys == 0)
        return xstrdup(m ? "no data" : "");
    int64_t end = m->filter.has_until ? m->filter.until_us - 1 : m->totals.last_us;
    int64_t start = m->filter.has_since ? m->filter.since_us : m->totals.first_us;
    return xasprintf("%s to %s", cs_day_format(cs_time_day(start), a),
                     cs_day_format(cs_time_day(end), b));
}

/* The bound value of parameter name in p, as text; false when p has none. */
static bool
param_value(const struct cs_template_params *p, const char *name, struct cs_buf *b)
{
    for (size_t i = 0; p && i < p->n; i++) {
        const struct cs_sql_param *q = &p->items[i];
        if (strcmp(q->name, name) != 0)
            continue;
        char num[32];
        switch (q->type) {
        case CS_SQL_INT:
            cs_buf_printf(b, "%" PRId64, q->i);
            break;
        case CS_SQL_REAL:
            cs_buf_puts(b, cs_js_number(q->r, num));
            break;
        case CS_SQL_TEXT:
            cs_buf_puts(b, q->s ? q->s : "");
            break;
        default:
            cs_buf_puts(b, "null");
            break;
        }
        return true;
    }
    return false;
}

char *
cs_chart_template_text(const struct cs_template *t, const struct cs_template_params *p)
{
    struct cs_buf b = {0};
    if (t == NULL)
        return cs_buf_take(&b);
    cs_buf_printf(&b, "template %s", t->name ? t->name : "");
    for (size_t i = 0; i < t->n_params; i++) {
        const struct cs_template_param *d = &t->params[i];
        cs_buf_printf(&b, "%s%s=", i ? ", " : ": ", d->name);
        if (!param_value(p, d->name, &b))
            cs_buf_puts(&b, d->default_value ? d->default_value : "null");
    }
    return cs_buf_take(&b);
}

void
cs_chart_context_apply(const struct cs_report_model *m, const char *template_text,
                       struct chart_spec *spec, struct cs_chart_context_hold *hold)
{
    if (m == NULL)
        return;
    if (spec->footnote.window == NULL) {
        hold->window = cs_chart_window_text(m);
        spec->footnote.window = hold->window;
    }
    char *filt = cs_chart_filters_text(&m->filter, m->has_week, m->week_label);
    const char *parts[3] = {filt, template_text, spec->footnote.source};
    struct cs_buf b = {0};
    for (size_t i = 0; i < 3; i++)
        if (parts[i] && *parts[i])
            cs_buf_printf(&b, "%s%s", b.n ? " \xC2\xB7 " : "", parts[i]);
    xfree(filt);
    if (b.n == 0)
        return;
    hold->source = cs_buf_take(&b);
    spec->footnote.source = hold->source;
}

void
cs_chart_context_release(struct cs_chart_context_hold *hold)
{
    xfree(hold->window);
    xfree(hold->source);
    hold->window = hold->source = NULL;
}
