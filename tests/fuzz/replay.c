/*
 * replay - runs the fuzz targets (targets.c) on files, without libFuzzer:
 * `make check` replays every input in tests/fuzz/regressions/ (crashes
 * found by `make fuzz`, kept so they stay fixed) and the seed corpus under
 * the sanitizers. Prints "fuzz-replay: N passed, 0 failed"; a crash ends it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	int n = 0;
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (f == NULL) {
			fprintf(stderr, "fuzz-replay: cannot open %s\n", argv[i]);
			return 1;
		}
		size_t cap = 1 << 16, len = 0, got;
		uint8_t *data = malloc(cap);
		while (data && (got = fread(data + len, 1, cap - len, f)) > 0)
			if ((len += got) == cap)
				data = realloc(data, cap *= 2);
		fclose(f);
		if (data == NULL)
			return 1;
		uint8_t *exact = malloc(len ? len : 1);	/* exactly len bytes, as libFuzzer gives: */
		if (exact == NULL)				/* a read past the end is caught */
			return 1;
		memcpy(exact, data, len);
		free(data);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
		n++;
	}
	printf("fuzz-replay: %d passed, 0 failed\n", n);
	return 0;
}
