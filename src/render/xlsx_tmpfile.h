/*
 * render/xlsx_tmpfile.h: the write errors of libxlsxwriter's temporary
 * files (see xlsx_tmpfile.c).  Only src/render/xlsx*.c include it.
 */
#ifndef CS_RENDER_XLSX_TMPFILE_H
#define CS_RENDER_XLSX_TMPFILE_H

/* Forget earlier errors; call when a workbook is started. */
void xl_tmpfile_reset(void);

/* errno of the first failed read or write of a libxlsxwriter temporary
 * file since the reset, 0 when none. */
int xl_tmpfile_errno(void);

/* Keep e (0: EIO) as such a failure, unless one is kept: a write of the
 * workbook's own that libxlsxwriter cannot see (render/xlsx_body.c). */
void xl_tmpfile_note(int e);

#endif
