/*
 * render/chart_layout.c: text layout rules of the chart frame (issue 18):
 * titles wrap with balanced lines (no word left alone on the last line
 * when that can be avoided), footers wrap at their " · " separators and
 * are never cut short; and the hatched box that marks a baseline column.
 * See chart_draw.h.
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
#define HATCH_STEP 4.0        /* between hatch lines, points */
#define HATCH_WIDTH 1.1       /* a hatch line */
#define HATCH_OUTLINE 1.4     /* the outline of a hatched box */

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

void
chart_hatch_box(cairo_t *cr, struct box b, struct rgb c)
{
    cairo_save(cr);
    cairo_rectangle(cr, b.x, b.y, b.w, b.h);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_fill_preserve(cr);
    cairo_clip(cr);
    set_rgb(cr, c);
    cairo_set_line_width(cr, HATCH_WIDTH);
    /* 45° lines, HATCH_STEP apart along x, covering the box */
    for (double x = b.x - b.h; x < b.x + b.w; x += HATCH_STEP) {
        cairo_move_to(cr, x, b.y + b.h);
        cairo_line_to(cr, x + b.h, b.y);
    }
    cairo_stroke(cr);
    cairo_restore(cr);
    cairo_rectangle(cr, b.x + HATCH_OUTLINE / 2, b.y + HATCH_OUTLINE / 2,
                    fmax(b.w - HATCH_OUTLINE, 0), fmax(b.h - HATCH_OUTLINE, 0));
    set_rgb(cr, c);
    cairo_set_line_width(cr, HATCH_OUTLINE);
    cairo_stroke(cr);
}
