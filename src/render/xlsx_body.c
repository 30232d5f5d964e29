/*
 * render/xlsx_body.c: see xlsx_body.h.
 *
 * The member of a body's sheet is written raw: minizip neither deflates
 * nor checks it, and closing it takes the length and CRC-32 given.  Its
 * deflate data is three streams end to end: the sheet's text up to
 * "</sheetData>" (the head and the header row, a few kilobytes) ended by a
 * sync flush, the body's (its blocks also end with sync flushes), and the
 * rest (the foot) ended by a final block.  A stream after a sync flush
 * starts on a byte boundary, and none of them refers back past its own
 * start (the body's first block and the foot's stream start without a
 * dictionary), so an inflater reads the three as one stream of the whole
 * text.  "</sheetData>" cannot come earlier in the text: libxlsxwriter
 * writes it once, after the rows, and a cell's "<" is written "&lt;".
 */
#include "render/xlsx_body.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <string.h>
#include <xlsxwriter/third_party/zip.h>
#include <xlsxwriter/utility.h>
#include <zlib.h>

#include "core/mem.h"
#include "render/deflate.h"
#include "render/xlsx_tmpfile.h"

#define OUT_CAP (256u * 1024u)
static const char MARK[] = "</sheetData>";
#define MARK_LEN (sizeof MARK - 1)

struct xl_body {
    lxw_worksheet *ws;  /* borrowed: the sheet */
    char member[48];    /* "xl/worksheets/sheetN.xml" (xl_bodies_splice_begin),
                          "" when not to be spliced */
    FILE *f;            /* owned: the compressed bytes (xlsx_tmpfile.c's) */
    z_stream io;        /* the pz stream's buffers */
    struct cs_pz *pz;   /* owned until xl_body_close */
    unsigned char *out; /* owned until xl_body_close: compressed bytes not yet in f */
    uint64_t n;         /* bytes of text taken */
    uint32_t crc;       /* their CRC-32 */
    uint64_t n_z;       /* compressed bytes written to f */
    off_t sheet_end;    /* the sheet's own file's length at xl_body_close */
    bool failed;
    bool spliced; /* its member was written with it */
    struct xl_body *next;
};

struct xl_bodies {
    char *tmpdir; /* owned; NULL: libxlsxwriter's rule */
    pthread_mutex_t mu;
    struct xl_body *head;
};

struct xl_bodies *
xl_bodies_new(const char *tmpdir)
{
    struct xl_bodies *set = xcalloc(1, sizeof *set);
    set->tmpdir = tmpdir ? xstrdup(tmpdir) : NULL;
    pthread_mutex_init(&set->mu, NULL);
    return set;
}

static void
body_free(struct xl_body *b)
{
    cs_pz_free(b->pz);
    if (b->f)
        fclose(b->f);
    xfree(b->out);
    xfree(b);
}

void
xl_bodies_free(struct xl_bodies *set)
{
    if (!set)
        return;
    while (set->head) {
        struct xl_body *b = set->head;
        set->head = b->next;
        body_free(b);
    }
    pthread_mutex_destroy(&set->mu);
    xfree(set->tmpdir);
    xfree(set);
}

struct xl_body *
xl_body_open(struct xl_bodies *set, lxw_worksheet *ws)
{
    if (!set || !ws)
        return NULL;
    FILE *f = lxw_tmpfile(set->tmpdir); /* render/xlsx_tmpfile.c's */
    if (!f)
        return NULL;
    struct xl_body *b = xcalloc(1, sizeof *b);
    b->ws = ws;
    b->f = f;
    b->out = xmalloc(OUT_CAP);
    b->io.next_out = b->out;
    b->io.avail_out = OUT_CAP;
    b->pz = cs_pz_new(&b->io);
    pthread_mutex_lock(&set->mu);
    b->next = set->head;
    set->head = b;
    pthread_mutex_unlock(&set->mu);
    return b;
}

static void
body_fail(struct xl_body *b, int e)
{
    b->failed = true;
    xl_tmpfile_note(e);
}

/* Compressed bytes out of b->out into its file. */
static void
body_spill(struct xl_body *b)
{
    size_t k = OUT_CAP - b->io.avail_out;
    if (k && !b->failed && fwrite(b->out, 1, k, b->f) != k)
        body_fail(b, errno ? errno : EIO);
    b->n_z += k;
    b->io.next_out = b->out;
    b->io.avail_out = OUT_CAP;
}

/* Drive the stream with flush until it has taken all input and, for a
 * flush other than Z_NO_FLUSH, given all its output. */
static void
body_pump(struct xl_body *b, int flush)
{
    for (;;) {
        int rc = cs_pz_deflate(b->pz, flush);
        if (rc != Z_OK && rc != Z_STREAM_END) {
            body_fail(b, ENOMEM);
            return;
        }
        if (b->io.avail_out == 0) {
            body_spill(b);
            continue;
        }
        if (b->io.avail_in == 0)
            return;
    }
}

void
xl_body_write(struct xl_body *b, const char *p, size_t n)
{
    while (n && !b->failed && b->pz) {
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        b->crc = (uint32_t)crc32(b->crc, (const Bytef *)p, k);
        b->n += k;
        b->io.next_in = (Bytef *)(uintptr_t)p;
        b->io.avail_in = k;
        body_pump(b, Z_NO_FLUSH);
        p += k;
        n -= k;
    }
}

void
xl_body_close(struct xl_body *b)
{
    if (!b || !b->pz)
        return;
    if (!b->failed) {
        body_pump(b, Z_SYNC_FLUSH);
        body_spill(b);
        if (!b->failed && fflush(b->f) != 0)
            body_fail(b, errno ? errno : EIO);
    }
    cs_pz_free(b->pz);
    b->pz = NULL;
    xfree(b->out);
    b->out = NULL;
    /* the sheet's own rows end here: the header (xlsx_body.h's rules) */
    fflush(b->ws->file);
    b->sheet_end = ftello(b->ws->file);
}

/* ---- the splice, on the thread closing the workbook ------------------------- */

static _Thread_local struct xl_bodies *splicing;
static atomic_ulong n_spliced;

unsigned long
xl_bodies_spliced_count(void)
{
    return atomic_load(&n_spliced);
}

/* The member being written, when it is a body's. */
struct splice {
    zipFile zf;
    struct xl_body *b;
    bool in_foot; /* past "</sheetData>" */
    char *text;   /* owned: held bytes and the new ones */
    size_t cap;
    size_t n_hold; /* bytes held back: they may start the mark */
    z_stream io;   /* the head's, then the foot's stream */
    struct cs_pz *pz;
    unsigned char *out; /* owned */
    uint32_t crc_head, crc_foot;
    uint64_t n_head, n_foot;
    int err; /* the first failure, a ZIP_ code */
};
static _Thread_local struct splice sp;

/* Has libxlsxwriter taken rows for b's sheet since xl_body_close (in its
 * file, or pending in its current row)?  They would land before the body's
 * rows: the body is then not spliced, and the workbook fails. */
static bool
rows_after(const struct xl_body *b)
{
    const lxw_worksheet *ws = b->ws;
    if (ws->optimize_row && (ws->optimize_row->data_changed || ws->optimize_row->row_changed))
        return true;
    fflush(ws->file);
    return ftello(ws->file) != b->sheet_end;
}

void
xl_bodies_splice_begin(struct xl_bodies *set, lxw_workbook *wb)
{
    splicing = set;
    if (!set)
        return;
    /* each body's member: its sheet's place among the worksheets, counted
     * as libxlsxwriter's packager counts them (chartsheets apart) */
    for (struct xl_body *b = set->head; b; b = b->next) {
        b->member[0] = '\0';
        unsigned n = 0;
        lxw_sheet *sh;
        STAILQ_FOREACH(sh, wb->sheets, list_pointers)
        {
            if (sh->is_chartsheet)
                continue;
            n++;
            if (sh->u.worksheet == b->ws)
                break;
        }
        if (sh && !b->pz && !b->failed && !rows_after(b))
            snprintf(b->member, sizeof b->member, "xl/worksheets/sheet%u.xml", n);
    }
}

size_t
xl_bodies_splice_end(struct xl_bodies *set)
{
    splicing = NULL;
    cs_pz_free(sp.pz);
    xfree(sp.text);
    xfree(sp.out);
    memset(&sp, 0, sizeof sp);
    size_t lost = 0;
    for (struct xl_body *b = set ? set->head : NULL; b; b = b->next)
        lost += b->n > 0 && !b->spliced;
    return lost;
}

typedef int (*open4_fn)(zipFile, const char *, const zip_fileinfo *, const void *, uInt,
                        const void *, uInt, const char *, int, int, int, int, int, int,
                        const char *, uLong, uLong, uLong, int);
typedef int (*write_fn)(zipFile, const void *, unsigned);
typedef int (*close_fn)(zipFile);
typedef int (*close_raw_fn)(zipFile, ZPOS64_T, uLong);

static int
real_write(zipFile zf, const void *p, unsigned n)
{
    static _Atomic(void *) slot;
    void *sym = cs_deflate_real_sym(&slot, "zipWriteInFileInZip");
    write_fn f;
    memcpy(&f, &sym, sizeof f);
    return f(zf, p, n);
}

static void
sp_fail(int zerr, int e)
{
    if (sp.err == ZIP_OK) {
        sp.err = zerr;
        xl_tmpfile_note(e);
    }
}

/* The stream's output so far into the member. */
static void
sp_emit(void)
{
    size_t k = OUT_CAP - sp.io.avail_out;
    if (k && sp.err == ZIP_OK) {
        int rc = real_write(sp.zf, sp.out, (unsigned)k);
        if (rc != ZIP_OK)
            sp_fail(rc, EIO);
    }
    sp.io.next_out = sp.out;
    sp.io.avail_out = OUT_CAP;
}

static void
sp_pump(int flush)
{
    for (;;) {
        int rc = cs_pz_deflate(sp.pz, flush);
        if (rc != Z_OK && rc != Z_STREAM_END) {
            sp_fail(ZIP_INTERNALERROR, ENOMEM);
            return;
        }
        if (sp.io.avail_out == 0) {
            sp_emit();
            continue;
        }
        if (sp.io.avail_in == 0)
            break;
    }
    if (flush != Z_NO_FLUSH)
        sp_emit();
}

static void
sp_stream_start(void)
{
    memset(&sp.io, 0, sizeof sp.io);
    sp.io.next_out = sp.out;
    sp.io.avail_out = OUT_CAP;
    sp.pz = cs_pz_new(&sp.io);
}

static void
sp_feed(const char *p, size_t n, uint32_t *crc, uint64_t *total)
{
    if (!n)
        return;
    *crc = (uint32_t)crc32(*crc, (const Bytef *)p, (uInt)n);
    *total += n;
    sp.io.next_in = (Bytef *)(uintptr_t)p;
    sp.io.avail_in = (uInt)n;
    sp_pump(Z_NO_FLUSH);
}

/* The body's compressed bytes, as they are, into the member. */
static void
sp_copy_body(struct xl_body *b)
{
    if (b->failed || b->pz) { /* failed, or never closed */
        sp_fail(ZIP_INTERNALERROR, b->failed ? EIO : EINVAL);
        return;
    }
    if (fseeko(b->f, 0, SEEK_SET) != 0) {
        sp_fail(ZIP_ERRNO, errno ? errno : EIO);
        return;
    }
    size_t k;
    uint64_t copied = 0;
    while (sp.err == ZIP_OK && (k = fread(sp.out, 1, OUT_CAP, b->f)) > 0) {
        int rc = real_write(sp.zf, sp.out, (unsigned)k);
        if (rc != ZIP_OK)
            sp_fail(rc, EIO);
        copied += k;
    }
    if (ferror(b->f) || (sp.err == ZIP_OK && copied != b->n_z))
        sp_fail(ZIP_ERRNO, EIO);
}

/* Text of the member before the mark is found: the head's stream takes
 * it, but for the last bytes that may begin the mark; at the mark the
 * head ends, the body follows and the foot's stream starts. */
static void
sp_head(const char *p, size_t n)
{
    if (n == 0)
        return;
    if (sp.n_hold + n > sp.cap) {
        sp.cap = sp.n_hold + n;
        sp.text = xrealloc(sp.text, sp.cap);
    }
    memcpy(sp.text + sp.n_hold, p, n);
    size_t len = sp.n_hold + n;
    const char *at = memmem(sp.text, len, MARK, MARK_LEN);
    if (!at) {
        size_t keep = len < MARK_LEN - 1 ? len : MARK_LEN - 1;
        sp_feed(sp.text, len - keep, &sp.crc_head, &sp.n_head);
        memmove(sp.text, sp.text + len - keep, keep);
        sp.n_hold = keep;
        return;
    }
    size_t k = (size_t)(at - sp.text);
    sp_feed(sp.text, k, &sp.crc_head, &sp.n_head);
    sp_pump(Z_SYNC_FLUSH);
    cs_pz_free(sp.pz);
    sp_copy_body(sp.b);
    sp_stream_start();
    sp.in_foot = true;
    sp.n_hold = 0;
    sp_feed(sp.text + k, len - k, &sp.crc_foot, &sp.n_foot);
}

int
zipOpenNewFileInZip4_64(zipFile file, const char *filename, const zip_fileinfo *zipfi,
                        const void *extrafield_local, uInt size_extrafield_local,
                        const void *extrafield_global, uInt size_extrafield_global,
                        const char *comment, int method, int level, int raw, int windowBits,
                        int memLevel, int strategy, const char *password, uLong crcForCrypting,
                        uLong versionMadeBy, uLong flagBase, int zip64)
{
    static _Atomic(void *) slot;
    void *sym = cs_deflate_real_sym(&slot, "zipOpenNewFileInZip4_64");
    open4_fn f;
    memcpy(&f, &sym, sizeof f);
    struct xl_body *b = NULL;
    if (splicing && filename && method == Z_DEFLATED && !raw && !password)
        for (b = splicing->head; b && (!b->member[0] || strcmp(b->member, filename) != 0);
             b = b->next)
            ;
    int rc = f(file, filename, zipfi, extrafield_local, size_extrafield_local, extrafield_global,
               size_extrafield_global, comment, method, level, b ? 1 : raw, windowBits, memLevel,
               strategy, password, crcForCrypting, versionMadeBy, flagBase, zip64);
    if (rc == ZIP_OK && b) {
        xfree(sp.text);
        xfree(sp.out);
        cs_pz_free(sp.pz);
        memset(&sp, 0, sizeof sp);
        sp.zf = file;
        sp.b = b;
        sp.out = xmalloc(OUT_CAP);
        sp_stream_start();
    }
    return rc;
}

int
zipWriteInFileInZip(zipFile file, const void *buf, unsigned len)
{
    if (!sp.b || sp.zf != file)
        return real_write(file, buf, len);
    if (sp.in_foot)
        sp_feed(buf, len, &sp.crc_foot, &sp.n_foot);
    else
        sp_head(buf, len);
    return sp.err;
}

int
zipCloseFileInZip(zipFile file)
{
    if (!sp.b || sp.zf != file) {
        static _Atomic(void *) slot;
        void *sym = cs_deflate_real_sym(&slot, "zipCloseFileInZip");
        close_fn f;
        memcpy(&f, &sym, sizeof f);
        return f(file);
    }
    if (!sp.in_foot && sp.b->n == 0 && !sp.b->failed) {
        /* no rows in the body and no "</sheetData>" (a sheet without any
         * row is "<sheetData/>"): the member is its own text alone */
        sp_feed(sp.text, sp.n_hold, &sp.crc_head, &sp.n_head);
        sp_pump(Z_FINISH);
    } else if (!sp.in_foot)
        sp_fail(ZIP_INTERNALERROR, EINVAL); /* rows, and nowhere to put them */
    else
        sp_pump(Z_FINISH);
    uint64_t total = sp.n_head + sp.b->n + sp.n_foot;
    uLong crc = crc32_combine(sp.crc_head, sp.b->crc, (z_off_t)sp.b->n);
    crc = crc32_combine(crc, sp.crc_foot, (z_off_t)sp.n_foot);
    static _Atomic(void *) slot;
    void *sym = cs_deflate_real_sym(&slot, "zipCloseFileInZipRaw64");
    close_raw_fn f;
    memcpy(&f, &sym, sizeof f);
    int rc = f(file, (ZPOS64_T)total, crc);
    int err = sp.err != ZIP_OK ? sp.err : rc;
    if (err == ZIP_OK) {
        sp.b->spliced = true;
        atomic_fetch_add(&n_spliced, 1);
    }
    cs_pz_free(sp.pz);
    xfree(sp.text);
    xfree(sp.out);
    memset(&sp, 0, sizeof sp);
    return err;
}
