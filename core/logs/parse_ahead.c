/*
 * parse_ahead - a history read on two cores (see parse_ahead.h).
 */
#include "core/logs/parse_ahead.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Small blocks, many in flight: a block is handed over while what the reader
 * wrote is still in the caches, and sixteen absorb either thread's jitter
 * (against 512 x 4, the same memory of parsed lines: ~7 % less time) */
#define BLOCK_LINES 128
#define BLOCK_TEXT (SOURCE_MAX_LINE_DEFAULT + (1u << 20))	/* the longest line fits */
#define BLOCKS 16

struct block {
	char *text;
	size_t used;
	struct parsed_line *lines;
	size_t n;
	int last;		/* the source ended (or failed) after these lines */
};

struct pipeline {
	struct line_source *src;
	time_t reference;
	struct block blocks[BLOCKS];
	size_t filled, taken;	/* blocks handed over and given back, counting on */
	int rc;			/* the reader's: 0, or -1 with err */
	struct error err;
	pthread_mutex_t lock;
	pthread_cond_t changed;
};

/* fill - the reader's part of one block: copy and parse lines until it is full */
static void fill(struct pipeline *p, struct block *b, struct time_context *tc)
{
	const char *line;
	size_t len;
	b->used = b->n = 0;
	b->last = 0;
	while (b->n < BLOCK_LINES && b->used + SOURCE_MAX_LINE_DEFAULT <= BLOCK_TEXT) {
		int rc = source_next(p->src, &line, &len, &p->err);
		if (rc <= 0) {
			p->rc = rc < 0 ? -1 : 0;
			b->last = 1;
			return;
		}
		struct parsed_line *pl = &b->lines[b->n++];
		char *copy = b->text + b->used;
		memcpy(copy, line, len);
		b->used += len;
		pl->line = copy;
		pl->len = len;
		pl->st = logline_parse(tc, copy, len, &pl->ll);
		if (pl->st == LINE_POSTFIX)
			event_parse(pl->ll.service, pl->ll.text, &pl->ev);
	}
}

static void *reader(void *arg)
{
	struct pipeline *p = arg;
	struct time_context tc;
	time_context_init(&tc, p->reference);
	for (int last = 0; !last;) {
		pthread_mutex_lock(&p->lock);
		while (p->filled - p->taken == BLOCKS)
			pthread_cond_wait(&p->changed, &p->lock);
		struct block *b = &p->blocks[p->filled % BLOCKS];
		pthread_mutex_unlock(&p->lock);
		fill(p, b, &tc);
		last = b->last;
		pthread_mutex_lock(&p->lock);
		p->filled++;
		pthread_cond_broadcast(&p->changed);
		pthread_mutex_unlock(&p->lock);
	}
	return NULL;
}

static void pipeline_free(struct pipeline *p)
{
	for (int i = 0; i < BLOCKS; i++) {
		free(p->blocks[i].text);
		free(p->blocks[i].lines);
	}
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->changed);
	free(p);
}

int parse_ahead_run(struct line_source *src, time_t reference, parsed_fn *fn, void *arg, struct error *err)
{
	struct pipeline *p = calloc(1, sizeof(*p));
	if (p == NULL) {
		error_set(err, "out of memory");
		return -1;
	}
	p->src = src;
	p->reference = reference;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->changed, NULL);
	for (int i = 0; i < BLOCKS; i++) {
		p->blocks[i].text = malloc(BLOCK_TEXT);
		p->blocks[i].lines = malloc(BLOCK_LINES * sizeof(struct parsed_line));
		if (p->blocks[i].text == NULL || p->blocks[i].lines == NULL) {
			pipeline_free(p);
			error_set(err, "out of memory");
			return -1;
		}
	}
	pthread_t t;
	if (pthread_create(&t, NULL, reader, p) != 0) {
		pipeline_free(p);
		error_set(err, "cannot start the reader thread");
		return -1;
	}
	for (int last = 0; !last;) {
		pthread_mutex_lock(&p->lock);
		while (p->filled == p->taken)
			pthread_cond_wait(&p->changed, &p->lock);
		struct block *b = &p->blocks[p->taken % BLOCKS];
		pthread_mutex_unlock(&p->lock);
		for (size_t i = 0; i < b->n; i++)
			fn(&b->lines[i], arg);
		last = b->last;
		pthread_mutex_lock(&p->lock);
		p->taken++;
		pthread_cond_broadcast(&p->changed);
		pthread_mutex_unlock(&p->lock);
	}
	pthread_join(t, NULL);
	int rc = p->rc;
	if (rc < 0)
		*err = p->err;
	pipeline_free(p);
	return rc;
}
