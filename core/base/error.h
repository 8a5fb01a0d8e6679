/*
 * error - an error as a value: core functions return -1 and fill one of
 * these with a sentence for the user; the front end decides how to show it.
 */
#ifndef SPAMTOP_ERROR_H
#define SPAMTOP_ERROR_H

struct error {
	char msg[512];
};

void error_set(struct error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* error_set() followed by ": strerror(errnum)" */
void error_errno(struct error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
