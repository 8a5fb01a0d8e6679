/*
 * clock - the wall clock, read in one place so that the rules that depend
 * on "now" (a stamp from the future, a listing's year, an age, a backup's
 * name, the journal's time) can be tested: a test fixes the clock, the
 * program never does.
 */
#ifndef SPAMTOP_CLOCK_H
#define SPAMTOP_CLOCK_H

#include <stdint.h>

/* Seconds since the epoch. */
int64_t clock_now(void);
/* Milliseconds since the epoch (the journal's stamps). */
int64_t clock_now_ms(void);
/* Tests only: from now on the clock says t (seconds); 0 gives the real clock back. */
void clock_fix(int64_t t);

#endif
