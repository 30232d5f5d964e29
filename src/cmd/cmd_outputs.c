/*
 * cmd/cmd_outputs.c: before anything is opened for writing, no output of
 * the run (--rejects, --db, what -o DIR may replace) is one of its inputs.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "core/mem.h"
#include "core/outdir.h"

/* ---- an output is never an input (issue 15 item 1) -------------------- */

/* A file the run reads or writes, for the clash check. */
struct io_file {
    const char *what; /* "--db", "--rejects", "input", "-o" */
    char *path;       /* owned */
    bool exists;      /* stat succeeded */
    struct stat st;
    char *canon; /* owned: realpath of its directory + "/" + its name */
};

static void
io_add(struct io_file **v, size_t *n, const char *what, const char *path)
{
    *v = xreallocarray(*v, *n + 1, sizeof **v);
    struct io_file *f = &(*v)[(*n)++];
    memset(f, 0, sizeof *f);
    f->what = what;
    f->path = xstrdup(path);
    f->exists = stat(path, &f->st) == 0;
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xstrndup(path, (size_t)(slash - path) + (slash == path)) : xstrdup(".");
    char *real = realpath(dir, NULL);
    f->canon = xasprintf("%s/%s", real ? real : dir, slash ? slash + 1 : path);
    free(real);
    xfree(dir);
}

/* Two names of one file: the same inode when both exist, else (an output
 * not yet created) the same canonical path.  Devices, FIFOs and sockets
 * (/dev/stdout, /dev/null) are streams, not files to protect. */
static bool
io_same(const struct io_file *a, const struct io_file *b)
{
    if (a->exists && b->exists)
        return (S_ISREG(a->st.st_mode) || S_ISDIR(a->st.st_mode)) &&
               a->st.st_dev == b->st.st_dev && a->st.st_ino == b->st.st_ino;
    if (a->exists != b->exists)
        return false;
    return strcmp(a->canon, b->canon) == 0;
}

/* Compare every output path (--rejects, --db, the files -o DIR may replace
 * or remove, DIR itself) with every input (files found in input
 * directories too), the database and each other, before anything is
 * opened for writing.  Returns -1 when no two are one file, else prints
 * the clash and returns EXIT_USAGE. */
int
cs_cmd_check_outputs(struct cs_config *cfg)
{
    struct io_file *in = NULL, *out = NULL;
    size_t n_in = 0, n_out = 0;
    char **list = NULL;
    size_t n_list = 0;
    struct cs_err e;
    if (cfg->n_inputs &&
        cs_inputs_expand(cfg->inputs, cfg->n_inputs, &list, &n_list, &e) == CS_OK) {
        for (size_t i = 0; i < n_list; i++)
            if (strcmp(list[i], "-") != 0)
                io_add(&in, &n_in, "input", list[i]);
        cs_inputs_free(list, n_list);
    }
    /* the other files a run reads: the key and a template given as a file */
    if (cfg->key_file)
        io_add(&in, &n_in, "--pseudonymize", cfg->key_file);
    struct stat tst;
    if (cfg->ropts.template_name && stat(cfg->ropts.template_name, &tst) == 0 &&
        S_ISREG(tst.st_mode))
        io_add(&in, &n_in, "--template", cfg->ropts.template_name);
    if (cfg->rejects) {
        io_add(&in, &n_in, "--rejects", cfg->rejects);
        io_add(&out, &n_out, "--rejects", cfg->rejects);
    }
    if (cfg->db) {
        io_add(&in, &n_in, "--db", cfg->db);
        io_add(&out, &n_out, "--db", cfg->db);
    }
    if ((cfg->cmd & (CMD_REPORT | CMD_COMPARE)) && cfg->ropts.out_dir) {
        char **owned;
        size_t n_owned;
        cs_outdir_owned(cfg->ropts.out_dir, &owned, &n_owned);
        io_add(&out, &n_out, "-o", cfg->ropts.out_dir);
        for (size_t i = 0; i < n_owned; i++)
            io_add(&out, &n_out, "-o", owned[i]);
        cs_outdir_list_free(owned, n_owned);
    }
    int rc = -1;
    for (size_t i = 0; i < n_out && rc < 0; i++)
        for (size_t j = 0; j < n_in && rc < 0; j++) {
            /* --db is read and written: only another role can clash with it */
            if (out[i].what == in[j].what)
                continue;
            if (!io_same(&out[i], &in[j]))
                continue;
            bool is_dir = strcmp(out[i].what, "-o") == 0 &&
                          strcmp(out[i].path, cfg->ropts.out_dir) == 0;
            if (is_dir)
                cs_cmd_msg(cfg, "error", "-o %s is the %s %s, not a directory to write the report into",
                           out[i].path, strcmp(in[j].what, "input") == 0 ? "input" : in[j].what,
                           in[j].path);
            else if (strcmp(out[i].what, "-o") == 0)
                cs_cmd_msg(cfg, "error", "-o %s may replace or remove %s, which is %s %s: an output "
                                         "must never be an input; choose another -o directory",
                           cfg->ropts.out_dir, out[i].path, in[j].what, in[j].path);
            else
                cs_cmd_msg(cfg, "error", "%s %s is the same file as %s %s: an output must never be an "
                                         "input",
                           out[i].what, out[i].path, in[j].what, in[j].path);
            cs_cmd_usage_line();
            rc = EXIT_USAGE;
        }
    for (size_t i = 0; i < n_in; i++) {
        xfree(in[i].path);
        xfree(in[i].canon);
    }
    for (size_t i = 0; i < n_out; i++) {
        xfree(out[i].path);
        xfree(out[i].canon);
    }
    xfree(in);
    xfree(out);
    return rc;
}
