/*
 * cmd/cmd_templates.c: `callsurvey templates`: the templates found and their
 * parameters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/mem.h"
#include "report/template.h"

/* The parameters a template declares, as `--param` lines. */
static void
print_template_params(const char *path)
{
    struct cs_template *t = NULL;
    struct cs_err e;
    cs_err_clear(&e);
    if (cs_template_load(path, &t, &e) != CS_OK)
        return; /* listed as valid a moment ago: nothing more to say */
    for (size_t k = 0; k < t->n_params; k++) {
        const struct cs_template_param *p = &t->params[k];
        printf("%-18s --param %s=%s (%s%s%s)%s%s\n", "", p->name,
               p->type == CS_PARAM_NUMBER ? "N" : p->type == CS_PARAM_TIME ? "TIME"
                                                                           : "TEXT",
               cs_param_type_name(p->type), p->default_value ? ", default " : "",
               p->default_value ? p->default_value : "", p->description[0] ? ": " : "",
               p->description);
    }
    cs_template_free(&t);
}

int
cs_cmd_templates(struct cs_config *cfg)
{
    char **dirs;
    size_t n_dirs;
    cs_template_dirs(getenv("CALLSURVEY_TEMPLATES"), NULL, &dirs, &n_dirs);
    struct cs_template_info *infos = NULL;
    size_t n = 0;
    struct cs_err err;
    cs_err_clear(&err);
    cs_status s = cs_template_list(dirs, n_dirs, &infos, &n, &err);
    if (s == CS_OK) {
        if (n == 0)
            cs_cmd_msg(cfg, "warning", "no templates found (searched $CALLSURVEY_TEMPLATES, "
                                       "share/callsurvey/templates and ./templates)");
        for (size_t i = 0; i < n; i++) {
            if (infos[i].error)
                printf("%-18s INVALID: %s\n", infos[i].name, infos[i].error);
            else {
                printf("%-18s %s\n%-18s %s\n", infos[i].name, infos[i].title, "",
                       infos[i].path);
                print_template_params(infos[i].path);
            }
        }
    } else {
        cs_cmd_err(cfg, &err);
    }
    cs_template_infos_free(&infos, n);
    cs_template_dirs_free(&dirs, n_dirs);
    return s == CS_OK ? EXIT_DONE : EXIT_FAILED;
}
