/*
 * queue_cmd - the queue commands of the command line (see queue_cmd.c).
 */
#ifndef SPAMTOP_QUEUE_CMD_H
#define SPAMTOP_QUEUE_CMD_H

#define QUEUE_NOT_A_COMMAND (-1)

/* argv[0] is the command word. Returns the exit status, or
 * QUEUE_NOT_A_COMMAND when argv[0] is not a queue command. */
int queue_command(int argc, char **argv);

#endif
