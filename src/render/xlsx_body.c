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

/* ---- a deflating writer: the body's stream, and the head's and foot's ---- */

/* A cs_pz stream with its output buffer: counts the text it takes (CRC-32,
 * length) and hands its output to emit, which says false on a failure it
 * has noted itself. */
struct zw {
    z_stream io;
    struct cs_pz *pz;   /* owned while open */
    unsigned char *out; /* owned while open */
    uint64_t n;         /* bytes of text taken */
    uint32_t crc;       /* their CRC-32 */
    bool failed;
    bool (*emit)(void *ctx, const unsigned char *p, size_t n);
    void *ctx;
};

static void
zw_open(struct zw *w, bool (*emit)(void *, const unsigned char *, size_t), void *ctx)
{
    memset(w, 0, sizeof *w);
    w->emit = emit;
    w->ctx = ctx;
    w->out = xmalloc(OUT_CAP);
    w->io.next_out = w->out;
    w->io.avail_out = OUT_CAP;
    w->pz = cs_pz_new(&w->io);
}

/* The output so far to emit; the buffer is free again. */
static void
zw_emit(struct zw *w)
{
    size_t k = OUT_CAP - w->io.avail_out;
    if (k && !w->failed && !w->emit(w->ctx, w->out, k))
        w->failed = true;
    w->io.next_out = w->out;
    w->io.avail_out = OUT_CAP;
}

/* Drive the stream with flush until it has taken all input and, for a
 * flush other than Z_NO_FLUSH, given all its output. */
static void
zw_pump(struct zw *w, int flush)
{
    for (;;) {
        int rc = cs_pz_deflate(w->pz, flush);
        if (rc != Z_OK && rc != Z_STREAM_END) {
            w->failed = true;
            xl_tmpfile_note(ENOMEM);
            return;
        }
        if (w->io.avail_out == 0) {
            zw_emit(w);
            continue;
        }
        if (w->io.avail_in == 0)
            break;
    }
    if (flush != Z_NO_FLUSH)
        zw_emit(w);
}

static void
zw_feed(struct zw *w, const char *p, size_t n)
{
    while (n && !w->failed && w->pz) {
        uInt k = n > (1u << 30) ? (1u << 30) : (uInt)n;
        w->crc = (uint32_t)crc32(w->crc, (const Bytef *)p, k);
        w->n += k;
        w->io.next_in = (Bytef *)(uintptr_t)p;
        w->io.avail_in = k;
        zw_pump(w, Z_NO_FLUSH);
        p += k;
        n -= k;
    }
}

/* End the stream with flush (Z_SYNC_FLUSH: it may be followed; Z_FINISH;
 * Z_NO_FLUSH: dropped, its output unwritten) and free it; its counts stay. */
static void
zw_end(struct zw *w, int flush)
{
    if (w->pz && !w->failed && flush != Z_NO_FLUSH)
        zw_pump(w, flush);
    cs_pz_free(w->pz);
    w->pz = NULL;
    xfree(w->out);
    w->out = NULL;
}

/* ---- the bodies ------------------------------------------------------------ */

struct xl_body {
    lxw_worksheet *ws; /* borrowed: the sheet */
    char member[48];   /* "xl/worksheets/sheetN.xml" (xl_bodies_splice_begin),
                          "" when not to be spliced */
    FILE *f;           /* owned: the compressed bytes (xlsx_tmpfile.c's) */
    struct zw z;       /* the rows' stream (open until xl_body_close) */
    uint64_t n_z;      /* compressed bytes written to f */
    off_t sheet_end;   /* the sheet's own file's length at xl_body_close */
    bool spliced;      /* its member was written with it */
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

void
xl_bodies_free(struct xl_bodies *set)
{
    if (!set)
        return;
    while (set->head) {
        struct xl_body *b = set->head;
        set->head = b->next;
        zw_end(&b->z, Z_NO_FLUSH); /* a stream never closed: dropped */
        if (b->f)
            fclose(b->f);
        xfree(b);
    }
    pthread_mutex_destroy(&set->mu);
    xfree(set->tmpdir);
    xfree(set);
}

/* The body's compressed bytes into its file. */
static bool
body_emit(void *ctx, const unsigned char *p, size_t n)
{
    struct xl_body *b = ctx;
    b->n_z += n;
    if (fwrite(p, 1, n, b->f) == n)
        return true;
    xl_tmpfile_note(errno ? errno : EIO);
    return false;
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
    zw_open(&b->z, body_emit, b);
    pthread_mutex_lock(&set->mu);
    b->next = set->head;
    set->head = b;
    pthread_mutex_unlock(&set->mu);
    return b;
}

void
xl_body_write(struct xl_body *b, const char *p, size_t n)
{
    zw_feed(&b->z, p, n);
}

void
xl_body_close(struct xl_body *b)
{
    if (!b || !b->z.pz)
        return;
    zw_end(&b->z, Z_SYNC_FLUSH);
    if (!b->z.failed && fflush(b->f) != 0) {
        b->z.failed = true;
        xl_tmpfile_note(errno ? errno : EIO);
    }
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
    size_t n_hold;        /* bytes held back: they may start the mark */
    struct zw head, foot; /* the text before the mark, and from it on */
    int err;              /* the first failure of minizip's, a ZIP_ code */
};
static _Thread_local struct splice sp;

static void
sp_reset(void)
{
    zw_end(&sp.head, Z_NO_FLUSH);
    zw_end(&sp.foot, Z_NO_FLUSH);
    xfree(sp.text);
    memset(&sp, 0, sizeof sp);
}

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
        if (sh && !b->z.pz && !b->z.failed && !rows_after(b))
            snprintf(b->member, sizeof b->member, "xl/worksheets/sheet%u.xml", n);
    }
}

size_t
xl_bodies_splice_end(struct xl_bodies *set)
{
    splicing = NULL;
    sp_reset();
    size_t lost = 0;
    for (struct xl_body *b = set ? set->head : NULL; b; b = b->next)
        lost += b->z.n > 0 && !b->spliced;
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

/* Compressed bytes, as they are, into the member. */
static bool
sp_emit(void *ctx, const unsigned char *p, size_t n)
{
    (void)ctx;
    int rc = sp.err == ZIP_OK ? real_write(sp.zf, p, (unsigned)n) : sp.err;
    if (rc != ZIP_OK)
        sp_fail(rc, EIO);
    return rc == ZIP_OK;
}

/* The member's state: minizip's first failure, or a stream's. */
static int
sp_status(void)
{
    if (sp.err == ZIP_OK && (sp.head.failed || sp.foot.failed))
        return ZIP_INTERNALERROR; /* a deflate failed (noted) */
    return sp.err;
}

/* The body's compressed bytes into the member. */
static void
sp_copy_body(struct xl_body *b)
{
    if (b->z.failed || b->z.pz) { /* failed, or never closed */
        sp_fail(ZIP_INTERNALERROR, b->z.failed ? EIO : EINVAL);
        return;
    }
    if (fseeko(b->f, 0, SEEK_SET) != 0) {
        sp_fail(ZIP_ERRNO, errno ? errno : EIO);
        return;
    }
    unsigned char *buf = xmalloc(OUT_CAP);
    size_t k;
    uint64_t copied = 0;
    while (sp.err == ZIP_OK && (k = fread(buf, 1, OUT_CAP, b->f)) > 0) {
        sp_emit(NULL, buf, k);
        copied += k;
    }
    xfree(buf);
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
        zw_feed(&sp.head, sp.text, len - keep);
        memmove(sp.text, sp.text + len - keep, keep);
        sp.n_hold = keep;
        return;
    }
    size_t k = (size_t)(at - sp.text);
    zw_feed(&sp.head, sp.text, k);
    zw_end(&sp.head, Z_SYNC_FLUSH);
    sp_copy_body(sp.b);
    zw_open(&sp.foot, sp_emit, NULL);
    sp.in_foot = true;
    sp.n_hold = 0;
    zw_feed(&sp.foot, sp.text + k, len - k);
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
        sp_reset();
        sp.zf = file;
        sp.b = b;
        zw_open(&sp.head, sp_emit, NULL);
    }
    return rc;
}

int
zipWriteInFileInZip(zipFile file, const void *buf, unsigned len)
{
    if (!sp.b || sp.zf != file)
        return real_write(file, buf, len);
    if (sp.in_foot)
        zw_feed(&sp.foot, buf, len);
    else
        sp_head(buf, len);
    return sp_status();
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
    if (!sp.in_foot && sp.b->z.n == 0 && !sp.b->z.failed) {
        /* no rows in the body and no "</sheetData>" (a sheet without any
         * row is "<sheetData/>"): the member is its own text alone */
        zw_feed(&sp.head, sp.text, sp.n_hold);
        zw_end(&sp.head, Z_FINISH);
    } else if (!sp.in_foot)
        sp_fail(ZIP_INTERNALERROR, EINVAL); /* rows, and nowhere to put them */
    else
        zw_end(&sp.foot, Z_FINISH);
    const struct zw *body = &sp.b->z;
    uint64_t total = sp.head.n + body->n + sp.foot.n;
    uLong crc = crc32_combine(sp.head.crc, body->crc, (z_off_t)body->n);
    crc = crc32_combine(crc, sp.foot.crc, (z_off_t)sp.foot.n);
    static _Atomic(void *) slot;
    void *sym = cs_deflate_real_sym(&slot, "zipCloseFileInZipRaw64");
    close_raw_fn f;
    memcpy(&f, &sym, sizeof f);
    int rc = f(file, (ZPOS64_T)total, crc);
    int err = sp_status() != ZIP_OK ? sp_status() : rc;
    if (err == ZIP_OK) {
        sp.b->spliced = true;
        atomic_fetch_add(&n_spliced, 1);
    }
    sp_reset();
    return err;
}
