/*
 * hostile-log - writes the hostile-strings log (tests/hostile/hostile.h) to
 * standard output, for the tests that drive the real program with it.
 */
#include "hostile.h"

int main(void)
{
	hostile_write_log(stdout);
	return fflush(stdout) == 0 ? 0 : 1;
}
