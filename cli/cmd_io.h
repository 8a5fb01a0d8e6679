/*
 * cmd_io - what the non-interactive commands share with their user: text
 * from the log printed safely, a yes/no question asked on the terminal, and
 * the options they read alike.
 */
#ifndef SPAMTOP_CMD_IO_H
#define SPAMTOP_CMD_IO_H

#include <stdio.h>

/* Prints s with control characters and invalid UTF-8 made visible. */
void say_text(FILE *f, const char *s);
/* Each line of text (len bytes), after indent, made safe as say_text does. */
void say_lines(FILE *f, const char *text, size_t len, const char *indent);
/* Asks on /dev/tty: 1 yes, 0 no, -1 no terminal to ask on. */
int ask(const char *question);
/* --throttle N/SECS: step 6's batches of N messages every SECS seconds; -1 said on stderr. */
int throttle_arg(const char *s, size_t *batch, int *seconds);

#endif
