/*
 * cmd_io - safe text and a terminal question for the commands (see cmd_io.h).
 */
#include "cmd_io.h"

#include <stdlib.h>
#include <string.h>

#include "core/base/buf.h"
#include "core/base/sanitize.h"

void say_text(FILE *f, const char *s)
{
	struct buf b = BUF_INIT;
	sanitize_text(&b, s, strlen(s));
	fputs(buf_str(&b), f);
	buf_free(&b);
}

void say_lines(FILE *f, const char *text, size_t len, const char *indent)
{
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct buf b = BUF_INIT;
		sanitize_text(&b, p, n);
		fprintf(f, "%s%s\n", indent, buf_str(&b));
		buf_free(&b);
		p += n + (nl != NULL);
	}
}

int ask(const char *question)
{
	FILE *tty = fopen("/dev/tty", "r+e");	/* "e": close-on-exec */
	if (tty == NULL)
		return -1;
	fprintf(tty, "%s [y/N] ", question);
	fflush(tty);
	char answer[16] = "";
	int yes = fgets(answer, sizeof(answer), tty) && (answer[0] == 'y' || answer[0] == 'Y');
	fclose(tty);
	return yes;
}

int throttle_arg(const char *s, size_t *batch, int *seconds)
{
	char *end;
	long n = strtol(s, &end, 10), secs = *end == '/' ? strtol(end + 1, &end, 10) : -1;
	if (*s == 0 || *end || n < 1 || n > 100000 || secs < 1 || secs > 3600) {
		fprintf(stderr, "spamtop: --throttle wants N/SECS: 1 to 100000 messages every 1 to 3600 seconds\n");
		return -1;
	}
	*batch = (size_t)n;
	*seconds = (int)secs;
	return 0;
}
