/*
 * cleanup_cmd - the cleanup without a screen: spamtop cleanup --plan.
 */
#ifndef SPAMTOP_CLEANUP_CMD_H
#define SPAMTOP_CLEANUP_CMD_H

#define CLEANUP_NOT_A_COMMAND (-1)

/* argv[0] is "cleanup"; returns the exit status, or CLEANUP_NOT_A_COMMAND
 * when there is no --plan (the console's cleanup then). */
int cleanup_command(int argc, char **argv);

#endif
