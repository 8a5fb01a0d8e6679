/*
 * parse_ahead - a history read on two cores (see parse_ahead.h).
 *
 * Two parser threads take turns at the source: the one whose turn it is
 * copies the next block of lines out of it, gives the source up, and splits
 * the block's lines while the other copies the block after. The model's
 * thread applies the blocks in the order they were read. Three busy threads
 * on two cores: the scheduler gives the model one core and the parsers what
 * it leaves, so neither side waits for the other to be the faster one (with
 * one parser, the model waited on it for most blocks).
 */
#include "core/logs/parse_ahead.h"

#include <errno.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#define PARSERS 2
#define PARSER_NICE 3		/* the model's thread first when all three want a core */
/* Sixteen blocks of 1 024 lines in flight: few hand-overs (each a lock and a
 * wake-up among three threads) and room for either side's jitter */
#define BLOCK_LINES 1024
#define BLOCK_TEXT (SOURCE_MAX_LINE_DEFAULT + (1u << 20))	/* the longest line fits */
#define BLOCKS 16

struct block {
	char *text;
	size_t used;
	struct parsed_line *lines;
	size_t n;
	int last;		/* the source ended (or failed) after these lines */
	int ready;		/* parsed: the model's to apply */
};

struct pipeline {
	struct line_source *src;
	time_t reference;
	struct block blocks[BLOCKS];
	size_t claimed, taken;	/* blocks given to a parser and given back, counting on */
	int reading;		/* a parser is copying lines out of the source */
	int ended;		/* the source is read to its end (or failed) */
	int rc;			/* the source's: 0, or -1 with err */
	struct error err;
	pthread_mutex_t lock;
	pthread_cond_t changed;
};

/* copy_lines - the turn at the source: lines copied into b until it is full
 * or the source ends (then b->last) */
static void copy_lines(struct pipeline *p, struct block *b)
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
	}
}

/* parse_lines - what the model's thread needs no state for: syslog fields, the event */
static void parse_lines(struct block *b, struct time_context *tc)
{
	for (size_t i = 0; i < b->n; i++) {
		struct parsed_line *pl = &b->lines[i];
		pl->st = logline_parse(tc, pl->line, pl->len, &pl->ll);
		if (pl->st == LINE_POSTFIX)
			event_parse(pl->ll.service, pl->ll.text, &pl->ev);
	}
}

/* yield_to_model - this thread's nice value raised by PARSER_NICE (Linux keeps
 * one per thread); left as it is when it cannot be read */
static void yield_to_model(void)
{
	id_t self = (id_t)syscall(SYS_gettid);
	errno = 0;
	int prio = getpriority(PRIO_PROCESS, self);
	if (errno == 0)
		(void)setpriority(PRIO_PROCESS, self, prio + PARSER_NICE);
}

static void *parser(void *arg)
{
	struct pipeline *p = arg;
	yield_to_model();
	struct time_context tc;
	time_context_init(&tc, p->reference);
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->ended && (p->reading || p->claimed - p->taken == BLOCKS))
			pthread_cond_wait(&p->changed, &p->lock);
		if (p->ended)
			break;
		struct block *b = &p->blocks[p->claimed++ % BLOCKS];
		p->reading = 1;
		pthread_mutex_unlock(&p->lock);
		copy_lines(p, b);
		pthread_mutex_lock(&p->lock);
		p->reading = 0;
		p->ended = b->last;
		pthread_cond_broadcast(&p->changed);
		pthread_mutex_unlock(&p->lock);
		parse_lines(b, &tc);
		pthread_mutex_lock(&p->lock);
		b->ready = 1;
		pthread_cond_broadcast(&p->changed);
	}
	pthread_mutex_unlock(&p->lock);
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

static struct pipeline *pipeline_new(struct line_source *src, time_t reference)
{
	struct pipeline *p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->src = src;
	p->reference = reference;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->changed, NULL);
	for (int i = 0; i < BLOCKS; i++) {
		p->blocks[i].text = malloc(BLOCK_TEXT);
		p->blocks[i].lines = malloc(BLOCK_LINES * sizeof(struct parsed_line));
		if (p->blocks[i].text == NULL || p->blocks[i].lines == NULL) {
			pipeline_free(p);
			return NULL;
		}
	}
	return p;
}

/* apply_blocks - the model's side: each block once parsed, in the order read */
static void apply_blocks(struct pipeline *p, parsed_fn *fn, void *arg)
{
	for (int last = 0; !last;) {
		pthread_mutex_lock(&p->lock);
		struct block *b = &p->blocks[p->taken % BLOCKS];
		while (!b->ready)
			pthread_cond_wait(&p->changed, &p->lock);
		pthread_mutex_unlock(&p->lock);
		for (size_t i = 0; i < b->n; i++)
			fn(&b->lines[i], arg);
		last = b->last;
		pthread_mutex_lock(&p->lock);
		b->ready = 0;
		p->taken++;
		pthread_cond_broadcast(&p->changed);
		pthread_mutex_unlock(&p->lock);
	}
}

int parse_ahead_run(struct line_source *src, time_t reference, parsed_fn *fn, void *arg, struct error *err)
{
	struct pipeline *p = pipeline_new(src, reference);
	if (p == NULL) {
		error_set(err, "out of memory");
		return -1;
	}
	pthread_t t[PARSERS];
	int started = 0;
	while (started < PARSERS && pthread_create(&t[started], NULL, parser, p) == 0)
		started++;
	if (started == 0) {
		pipeline_free(p);
		error_set(err, "cannot start a parser thread");
		return -1;
	}
	apply_blocks(p, fn, arg);
	for (int i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	int rc = p->rc;
	if (rc < 0)
		*err = p->err;
	pipeline_free(p);
	return rc;
}
