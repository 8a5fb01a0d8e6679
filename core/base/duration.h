/*
 * duration - "30m", "2h", "1d", "90s" (a bare number is minutes) as seconds,
 * for --since.
 */
#ifndef SPAMTOP_DURATION_H
#define SPAMTOP_DURATION_H

/* Returns 0 and the seconds (1 s to 366 days), or -1 on anything else. */
int duration_parse(const char *s, long *seconds);

#endif
