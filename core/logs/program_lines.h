/*
 * program_lines - a program's standard output read as a line source (a
 * history read of journalctl merged by time with log files), and its exit
 * as an error value: "journalctl ended with status 1: No journal files
 * were found."
 *
 * Its error output goes to an unlinked file, not a pipe, so that a program
 * that writes much there never blocks while its output is being read.
 */
#ifndef SPAMTOP_PROGRAM_LINES_H
#define SPAMTOP_PROGRAM_LINES_H

#include "core/base/error.h"
#include "core/logs/source.h"

struct program_lines;

/* Starts argv (never through a shell). NULL with err when it cannot run. */
struct program_lines *program_lines_start(char *const argv[], struct error *err);
/* Its output; whoever reads it closes it (source_close), before program_lines_end. */
struct line_source *program_lines_source(const struct program_lines *p);
/* Waits for it: 0 when it exited with status 0; -1 with err (its status and
 * the first of what it wrote to its error output) otherwise. Frees p. */
int program_lines_end(struct program_lines *p, struct error *err);

#endif
