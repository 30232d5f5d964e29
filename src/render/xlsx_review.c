/*
 * render/xlsx_review.c: the workbook's Review sheet (issue 17): the period
 * and its comparison period named, one headline row per category on its
 * primary scale with the verdict coloured by conditional formatting (the
 * word is always there too, so the colour only repeats it), then the tags
 * and resources that moved most.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "model/survey.h"
#include "render/xlsx_internal.h"

/* Verdict colours (fill, font): Okabe-Ito vermillion and bluish green,
 * lightened for a fill; grey for "too small to judge". */
void
xl_verdict_formats(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r0, lxw_row_t r1,
                   lxw_col_t c)
{
    static const struct {
        const char *text;
        lxw_color_t fill, font;
    } v[] = {
        {"\"worse\"", 0xF9D3C2, 0x8A2A00},
        {"\"better\"", 0xCDEBE0, 0x00573F},
        {"\"too small to judge\"", 0xE6E6E6, 0x555555},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        lxw_format *f = workbook_add_format(x->wb);
        format_set_bg_color(f, v[i].fill);
        format_set_font_color(f, v[i].font);
        format_set_bold(f);
        lxw_conditional_format cf = {.type = LXW_CONDITIONAL_TYPE_CELL,
                                     .criteria = LXW_CONDITIONAL_CRITERIA_EQUAL_TO,
                                     .value_string = (char *)(uintptr_t)v[i].text,
                                     .format = f};
        xl_check(x, worksheet_conditional_format_range(sh->ws, r0, c, r1, c, &cf),
                 "conditional format", sh, r0, c);
    }
}

static void
scale_text(const struct stats_scale *sc, char *b, size_t n)
{
    cs_scale_label(sc, b, n);
}

static const char *
verdict_text(const struct cs_judgement *j, bool judged, char *b, size_t n)
{
    if (!judged)
        return "";
    if (j->adjusted_away)
        snprintf(b, n, "no evidence: not significant after adjusting for %zu comparisons",
                 j->n_compared);
    else if (j->below_min_effect)
        snprintf(b, n, "no evidence: smaller than --min-effect");
    else
        return cs_verdict_name(j->verdict);
    return b;
}

/* Difference and interval as points, e.g. +2.4 pt */
static void
points(struct cs_xlsx *x, struct xl_sheet *sh, lxw_row_t r, lxw_col_t c,
       const struct cs_judgement *j, bool judged)
{
    xl_num(x, sh, r, c, judged ? 100 * j->cmp.diff : (double)NAN, XF_MEAN);
    xl_num(x, sh, r, c + 1, judged ? 100 * j->cmp.diff_ci_lo : (double)NAN, XF_MEAN);
    xl_num(x, sh, r, c + 2, judged ? 100 * j->cmp.diff_ci_hi : (double)NAN, XF_MEAN);
    xl_num(x, sh, r, c + 3, judged ? j->cmp.p : (double)NAN, XF_NORM);
    xl_num(x, sh, r, c + 4, judged ? j->p_holm : (double)NAN, XF_NORM);
}

/* The movers below the headline table, from row m0 (its heading above),
 * in the headline's columns. */
static void
movers_table(struct cs_xlsx *x, struct xl_sheet *sh, const struct cs_review *rv, lxw_row_t m0)
{
    bool judged = rv->has_previous;
    char vb[128];
    xl_title(x, sh, m0 - 1, 0, "What moved most (at most 5 per category, significant first)",
             XF_BOLD);
    static const char *const mh[] = {
        "Category", "Tag, resource or version", "Verdict", "Now", "Previous", "Difference (pt)",
        "Difference 95% CI low (pt)", "Difference 95% CI high (pt)", "p", "p (Holm)",
        "Responses", "Previous responses", "What moved"};
    const size_t nmh = sizeof mh / sizeof *mh;
    char **names = xl_header(x, sh, m0, 0, mh, nmh);
    size_t k = 0;
    for (int kind = 0; kind < 3; kind++) {
        const struct cs_review_mover *mv = kind == 2 ? rv->versions
                                           : kind    ? rv->resources
                                                     : rv->tags;
        size_t n = kind == 2 ? rv->n_version_movers : kind ? rv->n_resource_movers
                                                           : rv->n_tags;
        for (size_t i = 0; i < n; i++, k++) {
            lxw_row_t r = m0 + 1 + (lxw_row_t)k;
            xl_text(x, sh, r, 0, cs_category_title((enum cs_category)mv[i].cat), SIZE_MAX,
                    XF_NONE);
            /* the columns of the headline table above: verdict in C,
             * rates in D and E, the difference from F on */
            xl_text(x, sh, r, 1, mv[i].name, SIZE_MAX, XF_NONE);
            xl_text(x, sh, r, 2, verdict_text(&mv[i].j, judged, vb, sizeof vb), SIZE_MAX,
                    XF_NONE);
            xl_num(x, sh, r, 3, mv[i].now.poor_rate, XF_RATE);
            xl_num(x, sh, r, 4, mv[i].before.poor_rate, XF_RATE);
            points(x, sh, r, 5, &mv[i].j, judged);
            xl_count(x, sh, r, 10, mv[i].now.responses);
            xl_count(x, sh, r, 11, mv[i].before.responses);
            xl_text(x, sh, r, 12,
                    kind == 2 ? "version: poor rate"
                    : kind    ? "resource: poor rate"
                              : "tag: share of responses",
                    SIZE_MAX, XF_NONE);
        }
    }
    lxw_row_t m1 = m0 + (lxw_row_t)(k ? k : 1);
    xl_table(x, sh, m0, 0, m1, names, nmh);
    xl_names_free(names, nmh);
    if (k)
        xl_verdict_formats(x, sh, m0 + 1, m1, 2);
}

cs_status
cs_xlsx_review(struct cs_xlsx *x, const struct cs_review *rv, struct cs_err *err)
{
    struct xl_sheet *sh = xl_sheet_add(
        x, "Review", false,
        "What changed: the review period against its comparison period, per category "
        "on its primary scale, and what moved most.");
    if (!sh)
        return xl_status(x, err);
    char b[256], vb[128];
    bool judged = rv->has_previous;
    if (rv->period.label[0] == '\0') {
        xl_title(x, sh, 0, 0, "Review: no surveys in the data", XF_TITLE);
        xl_sheet_finish(x, sh);
        return xl_status(x, err);
    }
    /* the title lines run across the columns: they must not widen column A */
    if (judged)
        snprintf(b, sizeof b, "Review %s vs %s", rv->period.label, rv->previous.label);
    else if (rv->vs == CS_VS_NONE)
        snprintf(b, sizeof b, "Review %s (no comparison period: --vs none)", rv->period.label);
    else
        snprintf(b, sizeof b, "Review %s (no surveys in %s to compare with)", rv->period.label,
                 rv->previous.label);
    xl_title(x, sh, 0, 0, b, XF_TITLE);
    snprintf(b, sizeof b,
             "%llu surveys in %s. Verdicts at alpha %.2g after Holm adjustment across the rows "
             "of each table; fewer than %llu responses on either side: too small to judge%s.",
             (unsigned long long)rv->surveys_now, rv->period.label, rv->alpha,
             (unsigned long long)rv->min_n,
             rv->min_effect > 0 ? "; differences under --min-effect get no verdict" : "");
    xl_title(x, sh, 1, 0, b, XF_NONE);
    if (judged) {
        snprintf(b, sizeof b, "Comparison period: %s, %llu surveys", rv->previous.label,
                 (unsigned long long)rv->surveys_before);
        xl_title(x, sh, 2, 0, b, XF_NONE);
    }

    static const char *const h[] = {
        "Category", "Scale", "Verdict", "Poor rate", "Previous poor rate", "Difference (pt)",
        "Difference 95% CI low (pt)", "Difference 95% CI high (pt)", "p", "p (Holm)",
        "Responses", "Previous responses", "Mean", "Previous mean", "Minor scales"};
    const size_t nh = sizeof h / sizeof *h;
    lxw_row_t r0 = 4;
    char **names = xl_header(x, sh, r0, 0, h, nh);
    for (size_t i = 0; i < rv->n_rows; i++) {
        const struct cs_review_row *row = &rv->rows[i];
        lxw_row_t r = r0 + 1 + (lxw_row_t)i;
        xl_text(x, sh, r, 0, cs_category_title((enum cs_category)row->cat), SIZE_MAX, XF_NONE);
        scale_text(&row->scale, b, sizeof b);
        xl_text(x, sh, r, 1, b, SIZE_MAX, XF_NONE);
        xl_text(x, sh, r, 2, verdict_text(&row->j, judged, vb, sizeof vb), SIZE_MAX, XF_NONE);
        xl_num(x, sh, r, 3, row->now.poor_rate, XF_RATE);
        xl_num(x, sh, r, 4, judged ? row->before.poor_rate : (double)NAN, XF_RATE);
        points(x, sh, r, 5, &row->j, judged);
        xl_count(x, sh, r, 10, row->now.responses);
        if (judged)
            xl_count(x, sh, r, 11, row->before.responses);
        xl_num(x, sh, r, 12, row->now.mean, XF_MEAN);
        xl_num(x, sh, r, 13, judged ? row->before.mean : (double)NAN, XF_MEAN);
        xl_count(x, sh, r, 14, row->n_minor_scales);
    }
    lxw_row_t r1 = r0 + (lxw_row_t)(rv->n_rows ? rv->n_rows : 1);
    xl_table(x, sh, r0, 0, r1, names, nh);
    xl_names_free(names, nh);
    if (rv->n_rows)
        xl_verdict_formats(x, sh, r0 + 1, r1, 2);
    worksheet_freeze_panes(sh->ws, r0 + 1, 0);

    movers_table(x, sh, rv, r1 + 3);
    xl_sheet_finish(x, sh);
    return xl_status(x, err);
}
