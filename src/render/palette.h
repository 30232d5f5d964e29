/*
 * render/palette.h: the colours of every chart callsurvey draws, PNG, SVG,
 * PDF and the workbook's native charts alike: the Okabe-Ito palette
 * (Okabe & Ito 2008, distinguishable with the common colour-vision
 * deficiencies), as 0xRRGGBB, and the order in which series take them.
 * render/chart_draw.h (the drawn charts) and render/xlsx_charts.c (the
 * native ones) both read them from here, so the two cannot drift.
 */
#ifndef CS_RENDER_PALETTE_H
#define CS_RENDER_PALETTE_H

#include <stddef.h>

#define CS_PAL_BLACK 0x000000u
#define CS_PAL_BLUE 0x0072B2u
#define CS_PAL_ORANGE 0xE69F00u
#define CS_PAL_GREEN 0x009E73u /* bluish green */
#define CS_PAL_VERMILLION 0xD55E00u
#define CS_PAL_SKY 0x56B4E9u    /* sky blue */
#define CS_PAL_PURPLE 0xCC79A7u /* reddish purple */
#define CS_PAL_YELLOW 0xF0E442u
#define CS_PAL_GREY 0x999999u

/* Series i's colour when none is chosen: blue, orange, bluish green,
 * vermillion, sky blue, reddish purple, yellow, then again. */
#define CS_PAL_SERIES_N 7u
static inline unsigned
cs_palette_series(size_t i)
{
    switch (i % CS_PAL_SERIES_N) {
    case 0: return CS_PAL_BLUE;
    case 1: return CS_PAL_ORANGE;
    case 2: return CS_PAL_GREEN;
    case 3: return CS_PAL_VERMILLION;
    case 4: return CS_PAL_SKY;
    case 5: return CS_PAL_PURPLE;
    default: return CS_PAL_YELLOW;
    }
}

#endif
