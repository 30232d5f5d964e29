/*
 * core/fault.h: fault injection for the error paths we promise to handle
 * (STYLE.md 14).  Only a build with -DTEST_FAULTS has it; in every other
 * build CS_FAULT() is the constant false and costs nothing.
 *
 * A fault site is a place in the source ("src/app.c:93") and a kind:
 *   alloc   an x-allocator call (core/mem.h): the allocation fails, which
 *           ends the program as real exhaustion would (message, exit 1)
 *   create  a cs_afile_open call: the temporary file cannot be created
 *   write   a cs_afile_open call: every write to that file fails with
 *           ENOSPC, as on a full disk (also for libraries that reopen the
 *           temporary file by name, such as libxlsxwriter)
 *   rename  a cs_afile_open call: the final rename fails
 *   sqlite  the Nth allocation made by SQLite (one site, "sqlite:0")
 *   die     a step of an output directory's commit (core/outdir.c): the
 *           run ends there as by SIGKILL (tests/faults/die.sh; the loop
 *           of tests/faults/run.sh leaves these sites out)
 *
 * Two environment variables drive it:
 *   CS_FAULTS_LIST=FILE  at exit, append one line per site the run passed:
 *                        "KIND FILE:LINE HITS"; when a fault fires, append
 *                        "fired KIND FILE:LINE" at once
 *   CS_FAULT="KIND FILE:LINE[#N]"
 *                        make the Nth (default first) hit of that site fail
 * tests/faults/run.sh enumerates the sites with the first and then runs
 * once per site with the second.  Thread-safe.
 */
#ifndef CS_FAULT_H
#define CS_FAULT_H

#include <stdbool.h>

#ifdef TEST_FAULTS
/* Count a hit of site (kind, file, line); true when this hit must fail.
 * kind and file are static strings. */
bool cs_fault_hit(const char *kind, const char *file, int line);
#define CS_FAULT_AT(kind, file, line) cs_fault_hit((kind), (file), (line))
#else
#define CS_FAULT_AT(kind, file, line) ((void)(file), (void)(line), false)
#endif

#endif
