/*
 * contain_cmd - containment from the command line: spamtop block and
 * spamtop unblock (an account by a Postfix table; trusted relays by one
 * mynetworks edit).
 */
#ifndef SPAMTOP_CONTAIN_CMD_H
#define SPAMTOP_CONTAIN_CMD_H

#define CONTAIN_NOT_A_COMMAND (-1)

/* argv[0] is "block" or "unblock"; the exit status, or CONTAIN_NOT_A_COMMAND. */
int contain_command(int argc, char **argv);

#endif
