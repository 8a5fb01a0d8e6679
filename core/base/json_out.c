/*
 * json_out - jansson output through a callback that escapes DEL (see json_out.h).
 */
#include "core/base/json_out.h"

#include <stdlib.h>
#include <string.h>

static int write_escaped(const char *buffer, size_t size, void *data)
{
	FILE *f = data;
	while (size > 0) {
		const char *del = memchr(buffer, 0x7f, size);
		size_t n = del ? (size_t)(del - buffer) : size;
		if (n && fwrite(buffer, 1, n, f) != n)
			return -1;
		if (del && fputs("\\u007f", f) == EOF)
			return -1;
		buffer += n + (del != NULL);
		size -= n + (del != NULL);
	}
	return 0;
}

int json_out_file(const json_t *j, size_t flags, FILE *f)
{
	return json_dump_callback(j, write_escaped, f, flags) == 0 && !ferror(f) ? 0 : -1;
}

char *json_out_string(const json_t *j, size_t flags)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (f == NULL)
		return NULL;
	int rc = json_out_file(j, flags, f);
	if (fclose(f) != 0 || rc < 0) {
		free(text);
		return NULL;
	}
	return text;
}
