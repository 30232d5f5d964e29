/*
 * core/intr.c: interruption handling (see intr.h).
 *
 * The handler is async-signal-safe: it stores the signal number, or
 * unlinks the cleanup table's names, write()s a fixed message and
 * re-raises with the default action.  Handlers run with SA_RESTART, so
 * reads of inputs and SQLite's I/O are not cut short by EINTR.
 */
#include "core/intr.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "core/afile.h"

#ifdef CS_SANITIZED
#include <sanitizer/lsan_interface.h>
#endif

static volatile sig_atomic_t deferred; /* 1 while an ingest defers signals */
static volatile sig_atomic_t pending;  /* the deferred signal, 0 when none */

static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};

const char *
cs_intr_name(int sig)
{
    switch (sig) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGHUP: return "SIGHUP";
    default: return "a signal";
    }
}

static void
die_by(int sig)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    _exit(128 + sig); /* not reached */
}

static void
handler(int sig)
{
    if (deferred && !pending) {
        pending = sig;
        return;
    }
    cs_afile_cleanup();
    static const char head[] = "callsurvey: error: interrupted by ";
    const char *name = cs_intr_name(sig);
    if (write(STDERR_FILENO, head, sizeof head - 1) < 0 ||
        write(STDERR_FILENO, name, strlen(name)) < 0 ||
        write(STDERR_FILENO, "\n", 1) < 0) {
        /* nothing more can be done */
    }
    die_by(sig);
}

void
cs_intr_install(void)
{
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old;
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue; /* ignored by whoever started us: keep it so */
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = handler;
        sigfillset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        sigaction(sigs[i], &sa, NULL);
    }
}

void
cs_intr_defer(bool on)
{
    deferred = on;
}

int
cs_intr_pending(void)
{
    return pending;
}

void
cs_intr_exit(void)
{
    int sig = pending;
    if (!sig)
        return;
#ifdef CS_SANITIZED
    __lsan_do_leak_check(); /* dying by a signal skips LeakSanitizer's own check */
#endif
    die_by(sig);
}
