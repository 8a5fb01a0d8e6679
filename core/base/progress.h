/*
 * progress - how far a long piece of work has come, and a request to stop
 * it, shared between the thread doing it and the one showing it (atomics:
 * no lock). The work checks `cancel` between its steps and stops before
 * anything is changed.
 */
#ifndef SPAMTOP_PROGRESS_H
#define SPAMTOP_PROGRESS_H

#include <stdatomic.h>
#include <stddef.h>

struct work_progress {
	atomic_size_t done, total;	/* e.g. messages confirmed from their queue files, of how many */
	atomic_int cancel;		/* set by the one who asked for the work */
};

#endif
