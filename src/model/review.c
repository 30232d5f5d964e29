/*
 * model/review.c: the names of the review model's enumerations.
 */
#include "model/review.h"

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
