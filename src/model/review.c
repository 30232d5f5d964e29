/*
 * model/review.c: the names of the review model's enumerations.
 */
#include "model/review.h"

#include <stdio.h>

#include "model/survey.h"

const char *
cs_verdict_name(enum cs_verdict v)
{
    switch (v) {
    case CS_VERDICT_BETTER: return "better";
    case CS_VERDICT_WORSE: return "worse";
    case CS_VERDICT_TOO_SMALL: return "too small to judge";
    default: return "no evidence";
    }
}

char *
cs_scale_label(const struct stats_scale *sc, char *buf, size_t n)
{
    char lo[32], hi[32], th[32];
    snprintf(buf, n, "%s\xE2\x80\x93%s, poor \xE2\x89\xA4 %s", cs_js_number(sc->lower, lo),
             cs_js_number(sc->upper, hi), cs_js_number(sc->threshold, th));
    return buf;
}
