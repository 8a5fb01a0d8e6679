/*
 * cmd_io - safe text and a terminal question for the commands (see cmd_io.h).
 */
#include "cmd_io.h"

#include <string.h>

#include "core/buf.h"
#include "core/sanitize.h"

void say_text(FILE *f, const char *s)
{
	struct buf b = BUF_INIT;
	sanitize_text(&b, s, strlen(s));
	fputs(buf_str(&b), f);
	buf_free(&b);
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
