/*
 * clock - the wall clock, or the time a test fixed (see clock.h).
 */
#include "core/base/clock.h"

#include <time.h>

static int64_t fixed;

int64_t clock_now_ms(void)
{
	if (fixed)
		return fixed * 1000;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_now(void)
{
	return clock_now_ms() / 1000;
}

void clock_fix(int64_t t)
{
	fixed = t;
}
