/*
 * monitor_cmd - the monitoring commands: spamtop check, spamtop metrics.
 */
#ifndef SPAMTOP_MONITOR_CMD_H
#define SPAMTOP_MONITOR_CMD_H

#define MONITOR_NOT_A_COMMAND (-1)

/* argv[0] is the command name; returns the exit status or MONITOR_NOT_A_COMMAND. */
int monitor_command(int argc, char **argv);

#endif
