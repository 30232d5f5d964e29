/*
 * cmd/cmd_ui.c: the terminal side of every command: messages on standard
 * error (quoted input made safe), text on standard output, exit codes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "core/mem.h"
#include "core/utf8.h"

void
cs_cmd_flush_stdout(struct cs_config *cfg)
{
    if (fflush(stdout) != 0 && cfg->stdout_errno == 0)
        cfg->stdout_errno = errno ? errno : EIO;
}

void
cs_cmd_msg(struct cs_config *cfg, const char *level, const char *fmt, ...)
{
    if (cfg->quiet && strcmp(level, "error") != 0)
        return;
    if (!cfg->verbose && strcmp(level, "note") == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    char buf[4096];
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    /* messages quote input (file names, values): no terminal control
     * sequence or invalid UTF-8 gets through to the terminal */
    char *clean = cs_utf8_clean(buf, strlen(buf), CS_UTF8_CONTROLS | CS_UTF8_NO_BREAKS, NULL);
    cs_cmd_flush_stdout(cfg); /* keep the two streams in order on a terminal */
    fprintf(stderr, "callsurvey: %s: %s\n", level, clean ? clean : buf);
    xfree(clean);
}

/* Text for the terminal that may hold input (tags, answers, names):
 * control characters but tab and line feed, and invalid UTF-8, become
 * U+FFFD, so no escape sequence or carriage return reaches the terminal. */
void
cs_cmd_text(const char *s, FILE *fp)
{
    char *clean = cs_utf8_clean(s, strlen(s), CS_UTF8_CONTROLS | CS_UTF8_NO_CR, NULL);
    fputs(clean ? clean : s, fp);
    xfree(clean);
}

void
cs_cmd_err(struct cs_config *cfg, const struct cs_err *e)
{
    char buf[1024];
    cs_cmd_msg(cfg, "error", "%s", cs_err_format(e, buf, sizeof buf));
}

int
cs_cmd_exit_for(cs_status s)
{
    switch (s) {
    case CS_OK: return EXIT_DONE;
    case CS_E_USAGE: return EXIT_USAGE;
    default: return EXIT_FAILED;
    }
}

void
cs_cmd_usage_line(void)
{
    fprintf(stderr, "callsurvey: try 'callsurvey --help'\n");
}
