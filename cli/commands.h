/*
 * commands - the command table of the command line (see commands.c).
 */
#ifndef SPAMTOP_COMMANDS_H
#define SPAMTOP_COMMANDS_H

#include <stdio.h>

struct command {
	const char *names;	/* "hold|release|requeue|delete"; "" for the console */
	const char *summary;	/* one line, for spamtop help */
	const char *synopsis;	/* its usage lines */
	const char *words;	/* what it does and its options */
	int (*run)(int argc, char **argv);	/* argv[0]: the command word; the exit status */
};

/* The command a word names, or NULL. */
const struct command *command_find(const char *word);
/* The console: no command word. */
const struct command *command_console(void);
/* Its usage (NULL: every command's, as spamtop --help). */
void command_usage(FILE *out, const struct command *c);
/* The bash completion script, from the table. */
void command_bash_completion(FILE *out);

/* The front ends the table runs (main.c, and the *_cmd.c files' own). */
int run_console_command(int argc, char **argv);
int run_cleanup_command(int argc, char **argv);
int run_report_command(int argc, char **argv);
int queue_command(int argc, char **argv);
int monitor_command(int argc, char **argv);
int contain_command(int argc, char **argv);

#endif
