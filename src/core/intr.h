/*
 * core/intr.h: what SIGINT, SIGTERM and SIGHUP do.
 *
 * Normally a signal ends the process at once: the handler removes the
 * temporary files of unfinished outputs (core/afile.h), writes
 * "callsurvey: error: interrupted by SIGINT" and ends by the signal's
 * default action, so a shell sees 128+N (130 for SIGINT, 143 for SIGTERM,
 * 129 for SIGHUP) and a script running callsurvey in a loop stops too.
 * Nothing under a final name is ever partial: outputs are renamed into
 * place only when complete, and an open database transaction is rolled
 * back by SQLite's journal when the database is next opened.
 *
 * While deferred (an ingest is writing to the store) the handler only
 * records the signal.  The ingest polls cs_intr_pending() between batches,
 * rolls the current input back and returns CS_E_INTERRUPTED, and main ends
 * with cs_intr_exit() once the store is closed.  A second signal while
 * deferred ends the process at once, as above.
 *
 * Signals ignored when the program starts (nohup, a background job of a
 * non-interactive shell) stay ignored.
 */
#ifndef CS_INTR_H
#define CS_INTR_H

#include <stdbool.h>

/* Install the handlers; call once, early in main. */
void cs_intr_install(void);

/* Enter (true) or leave (false) deferred mode.  Not nested. */
void cs_intr_defer(bool on);

/* The signal received in deferred mode, 0 when none. */
int cs_intr_pending(void);

/* "SIGINT", "SIGTERM", "SIGHUP" or "a signal". */
const char *cs_intr_name(int sig);

/* When a signal is pending: end the process by it (default action, so the
 * exit status is 128+N), after a leak check in sanitizer builds.  Returns
 * when none is pending. */
void cs_intr_exit(void);

#endif
