/*
 * render/chart_layout.c: text layout rules of the chart frame (issue 18):
 * titles wrap with balanced lines (no word left alone on the last line
 * when that can be avoided), footers wrap at their " · " separators and
 * are never cut short.  See chart_draw.h.
 */
#include <glib.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "core/mem.h"
#include "render/chart.h"
#include "render/chart_draw.h"
#include "render/chart_internal.h"

#define TITLE_SEARCH_STEPS 16 /* bisection steps of the balanced width */
#define FOOT_LINES_PER_PART 8 /* one footer part wraps to at most this */

static const char FOOT_SEP[] = " \xC2\xB7 "; /* " · " */

/* The widest word of text at size (bold). */
static double
widest_word(struct rc *rc, const char *text, double size, bool bold)
{
    double best = 0;
    char *t = xstrdup(text ? text : "");
    char *save = NULL;
    for (char *w = strtok_r(t, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
        double ww = chart_text_width(rc, w, size, bold);
        best = ww > best ? ww : best;
    }
    xfree(t);
    return best;
}

PangoLayout *
chart_title_layout(struct rc *rc, const char *text, double size, bool bold,
                   double width, int max_lines)
{
    PangoLayout *l = chart_text_layout(rc, text, size, bold, width, max_lines,
                                       PANGO_ALIGN_LEFT);
    int n = pango_layout_get_line_count(l);
    if (n < 2 || n > max_lines || pango_layout_is_ellipsized(l))
        return l;
    /* the narrowest width with the same number of lines, never narrower
     * than a word (pango would break inside it) */
    double lo = fmax(width / n, widest_word(rc, text, size, bold)), hi = width;
    if (lo >= hi)
        return l;
    for (int i = 0; i < TITLE_SEARCH_STEPS; i++) {
        double mid = (lo + hi) / 2;
        PangoLayout *t = chart_text_layout(rc, text, size, bold, mid, max_lines,
                                           PANGO_ALIGN_LEFT);
        bool ok = pango_layout_get_line_count(t) == n && !pango_layout_is_ellipsized(t);
        g_object_unref(t);
        if (ok)
            hi = mid;
        else
            lo = mid;
    }
    g_object_unref(l);
    return chart_text_layout(rc, text, size, bold, hi, max_lines, PANGO_ALIGN_LEFT);
}

static void
push_line(struct rc *rc, const char *text, double width, PangoLayout ***out, size_t *n)
{
    *out = xreallocarray(*out, *n + 1, sizeof **out);
    (*out)[(*n)++] = chart_text_layout(rc, text, FS_FOOT, false, width,
                                       FOOT_LINES_PER_PART, PANGO_ALIGN_LEFT);
}

void
chart_footer_layouts(struct rc *rc, const char *text, double width,
                     PangoLayout ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (text == NULL || !*text)
        return;
    char *cur = xstrdup("");
    const char *p = text;
    while (p) {
        const char *e = strstr(p, FOOT_SEP);
        size_t k = e ? (size_t)(e - p) : strlen(p);
        char *part = xstrndup(p, k);
        char *cand = *cur ? xasprintf("%s%s%s", cur, FOOT_SEP, part) : xstrdup(part);
        if (!*cur || chart_text_width(rc, cand, FS_FOOT, false) <= width) {
            xfree(cur);
            cur = cand;
        } else {
            push_line(rc, cur, width, out, n);
            xfree(cur);
            xfree(cand);
            cur = xstrdup(part);
        }
        xfree(part);
        p = e ? e + strlen(FOOT_SEP) : NULL;
    }
    if (*cur)
        push_line(rc, cur, width, out, n);
    xfree(cur);
}

int
chart_layout_line_words(PangoLayout *l, int *words, int max)
{
    const char *text = pango_layout_get_text(l);
    int n = pango_layout_get_line_count(l);
    for (int i = 0; i < n && i < max; i++) {
        PangoLayoutLine *line = pango_layout_get_line_readonly(l, i);
        int w = 0;
        bool in = false;
        for (int b = line->start_index; b < line->start_index + line->length; b++) {
            bool sp = text[b] == ' ';
            if (!sp && !in)
                w++;
            in = !sp;
        }
        words[i] = w;
    }
    return n;
}
