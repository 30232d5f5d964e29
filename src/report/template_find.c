/*
 * report/template_find.c: where templates come from.
 *
 * `--template NAME|FILE`: a value that looks like a file (contains '/' or
 * ends in .yaml/.yml) is used as given; anything else is a name looked up
 * as NAME.yaml along a search path: $CALLSURVEY_TEMPLATES, the installed
 * share directory next to the binary (make install puts the built-ins in
 * PREFIX/share/callsurvey/templates), the source tree's templates/ beside
 * build/, and ./templates.  The environment is read by the caller (main.c)
 * and passed in, so this file has no hidden inputs besides /proc/self/exe.
 */
#include "report/template.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"

/* ---- Private helpers ------------------------------------------------- */

static void
push(char ***v, size_t *n, char *s)
{
    *v = xreallocarray(*v, *n + 1, sizeof **v);
    (*v)[(*n)++] = s;
}

static bool
is_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static bool
ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n > k && strcmp(s + n - k, suffix) == 0;
}

static bool
looks_like_file(const char *v)
{
    return strchr(v, '/') || ends_with(v, ".yaml") || ends_with(v, ".yml");
}

static bool
valid_name(const char *v)
{
    if (*v == '\0' || *v == '-')
        return false;
    for (; *v; v++)
        if (!((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') ||
              (*v >= '0' && *v <= '9') || *v == '-' || *v == '_'))
            return false;
    return true;
}

static int
info_cmp(const void *a, const void *b)
{
    const struct cs_template_info *x = a, *y = b;
    return strcmp(x->name, y->name);
}

/* ---- Public API ------------------------------------------------------ */

void
cs_template_dirs(const char *env_dirs, const char *exe_path, char ***dirs,
                 size_t *n_dirs)
{
    *dirs = NULL;
    *n_dirs = 0;
    for (const char *p = env_dirs; p && *p;) {
        size_t len = strcspn(p, ":");
        if (len)
            push(dirs, n_dirs, xstrndup(p, len));
        p += len + (p[len] == ':');
    }
    char exe[4096];
    if (exe_path == NULL) {
        ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
        exe[k > 0 ? k : 0] = '\0';
    } else {
        snprintf(exe, sizeof exe, "%s", exe_path);
    }
    char *slash = strrchr(exe, '/');
    if (slash) {
        *slash = '\0';
        const char *dir = exe[0] ? exe : "/";
        push(dirs, n_dirs, xasprintf("%s/../share/callsurvey/templates", dir));
        push(dirs, n_dirs, xasprintf("%s/../templates", dir));
    }
    push(dirs, n_dirs, xstrdup("templates"));
}

void
cs_template_dirs_free(char ***dirs, size_t n_dirs)
{
    if (dirs == NULL || *dirs == NULL)
        return;
    for (size_t i = 0; i < n_dirs; i++)
        xfree((*dirs)[i]);
    xfree(*dirs);
    *dirs = NULL;
}

cs_status
cs_template_find(const char *v, char *const *dirs, size_t n_dirs, char **path,
                 struct cs_err *err)
{
    *path = NULL;
    if (looks_like_file(v)) {
        struct stat sb;
        if (stat(v, &sb) != 0)
            return cs_fail(err, CS_E_IO, v, "cannot open template: %s",
                           strerror(errno));
        if (!S_ISREG(sb.st_mode))
            return cs_fail(err, CS_E_IO, v, "the template is not a regular file");
        *path = xstrdup(v);
        return CS_OK;
    }
    if (!valid_name(v))
        return cs_fail(err, CS_E_USAGE, "--template",
                       "'%s' is neither a template name (letters, digits, '-', "
                       "'_') nor a .yaml file",
                       v);
    char searched[400] = "";
    size_t used = 0;
    for (size_t i = 0; i < n_dirs; i++) {
        char *p = xasprintf("%s/%s.yaml", dirs[i], v);
        if (is_file(p)) {
            *path = p;
            return CS_OK;
        }
        xfree(p);
        if (used < sizeof searched)
            used += (size_t)snprintf(searched + used, sizeof searched - used,
                                     "%s%s", i ? ", " : "", dirs[i]);
    }
    return cs_fail(err, CS_E_IO, "--template",
                   "no template named '%s' (searched %s); 'callsurvey "
                   "templates' lists them",
                   v, n_dirs ? searched : "nowhere");
}

cs_status
cs_template_list(char *const *dirs, size_t n_dirs,
                 struct cs_template_info **out, size_t *n_out,
                 struct cs_err *err)
{
    (void)err;
    struct cs_template_info *v = NULL;
    size_t n = 0;
    for (size_t i = 0; i < n_dirs; i++) {
        DIR *d = opendir(dirs[i]);
        if (d == NULL)
            continue;
        /* collect this directory's names first: readdir order is arbitrary */
        char **names = NULL;
        size_t n_names = 0;
        for (struct dirent *e; (e = readdir(d));)
            if (ends_with(e->d_name, ".yaml") && e->d_name[0] != '.')
                push(&names, &n_names, xstrdup(e->d_name));
        closedir(d);
        for (size_t k = 0; k < n_names; k++) {
            char *name = xstrndup(names[k], strlen(names[k]) - 5);
            bool seen = false;
            for (size_t j = 0; j < n && !seen; j++)
                seen = strcmp(v[j].name, name) == 0;
            char *path = xasprintf("%s/%s", dirs[i], names[k]);
            if (seen || !is_file(path)) {
                xfree(name);
                xfree(path);
                continue;
            }
            v = xreallocarray(v, n + 1, sizeof *v);
            struct cs_template_info *info = &v[n++];
            *info = (struct cs_template_info){.name = name, .path = path};
            struct cs_template *t = NULL;
            struct cs_err e;
            cs_err_clear(&e);
            if (cs_template_load(path, &t, &e) == CS_OK) {
                info->title = xstrdup(t->title);
                info->description = xstrdup(t->description);
                cs_template_free(&t);
            } else {
                char buf[800];
                info->error = xstrdup(cs_err_format(&e, buf, sizeof buf));
            }
        }
        for (size_t k = 0; k < n_names; k++)
            xfree(names[k]);
        xfree(names);
    }
    if (n > 1)
        qsort(v, n, sizeof *v, info_cmp);
    *out = v;
    *n_out = n;
    return CS_OK;
}

void
cs_template_infos_free(struct cs_template_info **infos, size_t n)
{
    if (infos == NULL || *infos == NULL)
        return;
    for (size_t i = 0; i < n; i++) {
        xfree((*infos)[i].name);
        xfree((*infos)[i].path);
        xfree((*infos)[i].title);
        xfree((*infos)[i].description);
        xfree((*infos)[i].error);
    }
    xfree(*infos);
    *infos = NULL;
}
