/*
 * soak - an endless log through follow mode: does memory level off?
 *
 * usage: genlog LINES | soak FILE
 * Reads generated log lines from standard input and writes them into FILE
 * a million at a time, while a follower (core/logs/follow, as the console uses
 * it) reads FILE into the model; after each million the file is truncated,
 * as copytruncate would, and the follower starts over. Every million lines
 * it prints lines read, resident memory, aggregates, open and ended records,
 * and interned bytes, so the curve can be read. It checks that no line was
 * lost or read twice, and at the end that the outbreak's account and relay
 * survived every collection of cold keys (they are the suspects).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/model/detect.h"
#include "core/logs/follow.h"
#include "core/model/model.h"

#define CHUNK_LINES 1000000

static void add(const char *line, size_t len, void *arg)
{
	model_add_line(arg, line, len);
	if (model_wants_collect(arg))
		model_collect(arg);
}

static double rss_mb(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return (double)resident * (double)sysconf(_SC_PAGESIZE) / 1e6;
}

/* culprits_found - genlog's compromised account and trusted relay are still suspects */
static int culprits_found(const struct model *m)
{
	struct detect_thresholds th;
	detect_thresholds_default(&th);
	struct suspect s[16];
	size_t n = detect_suspects(m, &th, s, 16);
	int account = 0, relay = 0;
	for (size_t i = 0; i < n; i++) {
		account |= s[i].kind == SUSPECT_SASL_USER && strcmp(s[i].agg->key->s, "victim@example.com") == 0;
		relay |= s[i].kind == SUSPECT_TRUSTED_RELAY && strcmp(s[i].agg->key->s, "192.0.2.25") == 0;
	}
	const struct model_totals *t = model_totals(m);
	printf("suspects at the end: %zu (account victim@example.com %s, relay 192.0.2.25 %s); "
	       "%llu cold keys dropped in %llu collections\n", n, account ? "found" : "MISSING",
	       relay ? "found" : "MISSING", (unsigned long long)t->evicted_keys, (unsigned long long)t->collections);
	return account && relay;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fputs("usage: genlog LINES | soak FILE\n", stderr);
		return 2;
	}
	FILE *out = fopen(argv[1], "w");
	struct error err;
	if (out == NULL)
		return 1;
	struct log_follow *f = follow_open(argv[1], 1, 0, &err);
	struct model *m = model_new(NULL, time(NULL));
	if (f == NULL || m == NULL) {
		fprintf(stderr, "soak: %s\n", f ? "out of memory" : err.msg);
		return 1;
	}
	char *line = NULL;
	size_t cap = 0;
	unsigned long long written = 0;
	printf("%12s %10s %10s %10s %10s %10s %12s\n", "lines", "rss_MB", "senders", "ips", "open", "ended",
	       "interned_MB");
	for (;;) {
		long n = 0;
		ssize_t len;
		while (n < CHUNK_LINES && (len = getline(&line, &cap, stdin)) > 0) {
			fwrite(line, 1, (size_t)len, out);
			n++;
		}
		fflush(out);
		written += (unsigned long long)n;
		while (follow_poll(f, 0, add, m, &err) > 0 || follow_backlog(f) > 0)
			;
		const struct model_totals *t = model_totals(m);
		printf("%12llu %10.1f %10zu %10zu %10zu %10zu %12.1f\n", (unsigned long long)t->lines, rss_mb(),
		       model_agg_count(m, AGG_SENDER), model_agg_count(m, AGG_CLIENT_IP), model_open_count(m),
		       model_ended_count(m), (double)model_string_bytes(m) / 1e6);
		fflush(stdout);
		if (t->lines != written) {
			fprintf(stderr, "soak: %llu lines written, %llu read\n", written, (unsigned long long)t->lines);
			return 1;
		}
		if (n < CHUNK_LINES)
			break;
		if (ftruncate(fileno(out), 0) < 0 || fseek(out, 0, SEEK_SET) < 0)
			return 1;
		follow_poll(f, 0, add, m, &err);	/* it notices the truncation before new lines come */
	}
	free(line);
	if (!culprits_found(m))
		return 1;
	follow_close(f);
	model_free(m);
	fclose(out);
	return 0;
}
