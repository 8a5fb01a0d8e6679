/*
 * reaction - what a key or a tick asks of the console's loop, as flags:
 * redraw, rebuild the table on top (rows point into the model and the
 * snapshot), quit, read the queue now, new lines came (rebuilt at the next
 * tick). Key handlers return them; only the loop acts on them.
 */
#ifndef SPAMTOP_REACTION_H
#define SPAMTOP_REACTION_H

enum reaction { R_NONE = 0, R_REDRAW = 1, R_REBUILD = 2, R_QUIT = 4, R_QUEUE = 8, R_DATA = 16 };

#endif
