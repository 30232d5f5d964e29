/*
 * tests/fuzz/replay.c: run a fuzz harness once on given inputs, without
 * libFuzzer.
 *
 * Linked with one harness and the ASan+UBSan build of the library (gcc, no
 * clang needed), this is what `make fuzz-regress` runs: every file of the
 * harness's corpus and regress directories, each through
 * LLVMFuzzerTestOneInput exactly once, from an exact-size heap copy so a
 * read past the input is caught.  A directory argument means its regular
 * files, sorted.  Exit 0 when all ran; a failure aborts (sanitizer report
 * or a harness invariant), and the file is named on stderr.
 */
#include <dirent.h>
#include <sanitizer/common_interface_defs.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_common.h"

static const char *current; /* the input being run, for the failure note */

static void
say_current(void)
{
    if (current == NULL)
        return;
    /* async-signal-safe: called from the SIGABRT handler too */
    const char pre[] = "replay: failed on input ";
    if (write(2, pre, sizeof pre - 1) < 0 ||
        write(2, current, strlen(current)) < 0 || write(2, "\n", 1) < 0)
        return;
}

static void
on_abort(int sig)
{
    say_current();
    signal(sig, SIG_DFL);
    raise(sig);
}

static int
run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return 1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    size_t k;
    while (buf && (k = fread(buf + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (buf == NULL) {
        fprintf(stderr, "replay: out of memory reading %s\n", path);
        return 1;
    }
    uint8_t *exact = malloc(n ? n : 1);
    if (exact == NULL) {
        free(buf);
        return 1;
    }
    memcpy(exact, buf, n);
    free(buf);
    current = path;
    LLVMFuzzerTestOneInput(exact, n);
    current = NULL;
    free(exact);
    return 0;
}

static int
cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
run_dir(const char *dir, size_t *count)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        perror(dir);
        return 1;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char **nn = realloc(names, (n + 1) * sizeof *names);
        if (nn == NULL)
            break;
        names = nn;
        size_t len = strlen(dir) + strlen(de->d_name) + 2;
        names[n] = malloc(len);
        if (names[n] == NULL)
            break;
        snprintf(names[n++], len, "%s/%s", dir, de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_name);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (rc == 0 && stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            rc = run_file(names[i]);
            ++*count;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int
main(int argc, char **argv)
{
    size_t count = 0;
    __sanitizer_set_death_callback(say_current);
    signal(SIGABRT, on_abort);
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            return 1;
        }
        int rc = S_ISDIR(st.st_mode) ? run_dir(argv[i], &count)
                                     : (count++, run_file(argv[i]));
        if (rc)
            return 1;
    }
    printf("%s: %zu inputs replayed\n", argv[0], count);
    return 0;
}
