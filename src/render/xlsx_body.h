/*
 * render/xlsx_body.h: a streamed sheet's rows deflated while they are
 * written, and spliced into the workbook's zip at workbook_close.
 *
 * libxlsxwriter 1.1.4 writes a constant-memory sheet's rows to a temporary
 * file; at workbook_close it copies them into a second temporary file
 * between the sheet's head and foot (<sheetData>...</sheetData>), reads
 * that back and deflates it into the zip, all on the closing thread.  At a
 * million surveys the Custom sheet is 235 MB of XML: the copy, the read
 * and the deflate were ~0.55 s of workbook_close with one core idle
 * (issue 22).  Here the rows render/xlsx_cells.h writes go instead into a
 * body: deflated as they come (render/deflate.h's parallel blocks, on the
 * writing thread's spare time), the compressed bytes kept in a temporary
 * file of render/xlsx_tmpfile.h (its write errors kept, its fault sites),
 * their CRC-32 and length counted.  The sheet's own temporary file then
 * holds only its head, its first row (the header, written by
 * libxlsxwriter) and its foot.
 *
 * At workbook_close (between xl_bodies_splice_begin and _end on the
 * closing thread) this file's definitions of minizip's
 * zipOpenNewFileInZip4_64, zipWriteInFileInZip and zipCloseFileInZip
 * (interposed as deflate.c's are: the link exports them) open a body's
 * member ("xl/worksheets/sheetN.xml") raw, deflate the sheet's bytes up to
 * its "</sheetData>" as one stream ended by a sync flush, copy the body's
 * compressed bytes, deflate the rest as a last stream, and close the
 * member with the whole text's length and CRC-32 (zlib's crc32_combine).
 * The member inflates to the very bytes libxlsxwriter would have zipped;
 * only its compressed bytes differ.  Every other member goes to minizip
 * untouched.  A failure (a member without "</sheetData>", the body's file
 * unreadable, a deflate error) fails the member, hence workbook_close.
 *
 * Rules the callers keep: a body's sheet gets no rows from libxlsxwriter
 * after the body's (they would land before them: such a body is left out
 * and the workbook fails); a body is written by one thread at a time.
 */
#ifndef CS_RENDER_XLSX_BODY_H
#define CS_RENDER_XLSX_BODY_H

#include <stddef.h>
#include <xlsxwriter.h>

struct xl_bodies; /* the bodies of one workbook */
struct xl_body;   /* one sheet's */

/* An empty set whose bodies keep their bytes in temporary files in tmpdir
 * (NULL: libxlsxwriter's rule).  The caller frees it with xl_bodies_free
 * after workbook_close (or after discarding the workbook). */
struct xl_bodies *xl_bodies_new(const char *tmpdir);
void xl_bodies_free(struct xl_bodies *set);

/* A body for worksheet ws's rows from now on, owned by set; NULL when its
 * temporary file cannot be made (the caller then writes the rows into the
 * sheet's file as before; that failure is one of xlsx_tmpfile.h's, so the
 * workbook fails at close).  Thread-safe against other bodies of set. */
struct xl_body *xl_body_open(struct xl_bodies *set, lxw_worksheet *ws);
/* Deflate n more bytes of rows.  Errors (out of memory in a block, a
 * failed write) are kept: render/xlsx_tmpfile.h's xl_tmpfile_errno, and
 * the member fails at workbook_close. */
void xl_body_write(struct xl_body *b, const char *p, size_t n);
/* The last rows are in: deflate what is left (ending with a sync flush).
 * The sheet takes no more rows: any it takes later (libxlsxwriter's) keep
 * the body out of the workbook, and xl_bodies_splice_end counts it. */
void xl_body_close(struct xl_body *b);

/* Around workbook_close(wb) on the thread that calls it: set's closed
 * bodies are spliced into their members.  _end returns how many bodies
 * with rows were not (a sheet given rows after its body, a member the
 * hooks did not see, a body that failed): the caller fails the workbook,
 * whose sheets then lack those rows. */
void xl_bodies_splice_begin(struct xl_bodies *set, lxw_workbook *wb);
size_t xl_bodies_splice_end(struct xl_bodies *set);

/* Members spliced on any thread since start (tests). */
unsigned long xl_bodies_spliced_count(void);

#endif
