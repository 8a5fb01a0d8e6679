/*
 * duration - parsing "30m"-style durations (see duration.h).
 */
#include "core/base/duration.h"

#include <stdlib.h>

int duration_parse(const char *s, long *seconds)
{
	char *end;
	if (*s < '0' || *s > '9')
		return -1;
	long v = strtol(s, &end, 10);
	long unit = 60;
	switch (*end) {
	case 0: break;
	case 's': unit = 1; end++; break;
	case 'm': unit = 60; end++; break;
	case 'h': unit = 3600; end++; break;
	case 'd': unit = 86400; end++; break;
	default: return -1;
	}
	if (*end || v < 1 || v > 366L * 86400 / unit)
		return -1;
	*seconds = v * unit;
	return 0;
}
