/*
 * parse_ahead - a history read on two cores (see parse_ahead.h).
 *
 * Blocks of lines are read from the source straight into their buffer
 * (source_next_lines) and split there; whoever takes a turn at the source
 * reads the next block, gives the source up, and parses that block while
 * another may read the block after. A parser thread takes turns all the
 * time; the model's thread applies the blocks in the order they were read,
 * and when the next one is not parsed yet it takes a turn too rather than
 * wait. So the two cores share the parse, whichever side is the slower
 * one: two busy threads on two cores, nobody preempted. Several streams (a
 * mail log and Dovecot's own) each get such a pipeline, and the model's
 * thread takes the earliest of their next lines.
 */
#include "core/logs/parse_ahead.h"

#include <errno.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#define PARSERS 1		/* threads; the model's thread parses when it would wait */
#define PARSER_NICE 3		/* the model's thread first when several streams' parsers want a core */
/* Eight blocks of 128 KiB (some 950 lines of a mail log) in flight: few
 * hand-overs (each a lock and a wake-up), room for either side's jitter, and
 * a footprint that stays in the caches (with sixteen, the kernel's copy into
 * the blocks cost twice as much) */
#define BLOCK_LINES 2048		/* room for lines of 64 bytes on average; shorter ones end a block early */
#define BLOCK_FILL (128u * 1024)	/* a block is full when its lines take this much */
#define BLOCK_TEXT (BLOCK_FILL + SOURCE_MAX_LINE_DEFAULT + SOURCE_LINES_CHUNK)
#define BLOCKS 8

struct block {
	char *text;
	size_t used;
	struct source_line *span;	/* the lines, as read */
	struct parsed_line *lines;
	size_t n;
	int last;		/* the source ended (or failed) after these lines */
	int ready;		/* parsed: the model's to apply */
} __attribute__((aligned(64)));	/* a cache line each: no thread's writes slow another's reads */

struct pipeline {
	struct ahead_input *in;	/* its stream: read one after the other, each closed at its end */
	size_t nin, cur;
	time_t reference;
	struct block blocks[BLOCKS];
	size_t claimed, taken;	/* blocks given to a parser and given back, counting on */
	int reading;		/* a parser is copying lines out of the source */
	int ended;		/* the stream is read to its end */
	int stop;		/* the reader gave up before its start: parsers leave */
	int rc;			/* 0, or -1 with err: a source of the stream failed */
	struct error err;
	pthread_mutex_t lock;
	pthread_cond_t changed;
};

/* next_input - the stream's current source is read (or failed): its counts
 * kept, closed, and the next one read; 0 when there is none */
static int next_input(struct pipeline *p)
{
	struct ahead_input *in = &p->in[p->cur++];
	in->stats = *source_stats(in->src);
	source_close(in->src);
	in->src = NULL;
	return p->cur < p->nin;
}

/* read_lines - the turn at the stream: lines read into b until it is full
 * or the stream ends (then b->last) */
static void read_lines(struct pipeline *p, struct block *b)
{
	b->used = b->n = 0;
	b->last = 0;
	while (b->used < BLOCK_FILL && b->n < BLOCK_LINES / 2) {
		struct error err;
		size_t n, used;
		int rc = source_next_lines(p->in[p->cur].src, b->text + b->used, BLOCK_TEXT - b->used,
					   b->span + b->n, BLOCK_LINES - b->n, &n, &used, &err);
		if (rc < 0 && p->rc == 0) {	/* the first failure is told; the stream goes on */
			p->rc = -1;
			p->err = err;
		}
		if (rc <= 0) {
			if (next_input(p))
				continue;
			b->last = 1;
			return;
		}
		b->n += n;
		b->used += used;
	}
}

/* parse_lines - what the model's thread needs no state for: syslog fields, the event */
static void parse_lines(struct block *b, struct time_context *tc)
{
	struct parsed_line *lines = b->lines;
	const struct source_line *span = b->span;
	for (size_t i = 0, n = b->n; i < n; i++) {
		struct parsed_line *pl = &lines[i];
		pl->line = span[i].line;
		pl->len = span[i].len;
		pl->st = logline_parse(tc, pl->line, pl->len, &pl->ll);
		if (pl->st == LINE_POSTFIX)
			event_parse(&pl->ll, &pl->ev);
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

/* turn_open - a block may be claimed (called with the lock held) */
static int turn_open(const struct pipeline *p)
{
	return !p->ended && !p->stop && !p->reading && p->claimed - p->taken < BLOCKS;
}

/* take_turn - the next block claimed, its lines read, then parsed while
 * another thread may read the block after (called with the lock held, and
 * turn_open; returns with it held) */
static void take_turn(struct pipeline *p, struct time_context *tc)
{
	struct block *b = &p->blocks[p->claimed++ % BLOCKS];
	p->reading = 1;
	pthread_mutex_unlock(&p->lock);
	read_lines(p, b);
	pthread_mutex_lock(&p->lock);
	p->reading = 0;
	p->ended = b->last;
	pthread_cond_broadcast(&p->changed);
	pthread_mutex_unlock(&p->lock);
	parse_lines(b, tc);
	pthread_mutex_lock(&p->lock);
	b->ready = 1;
	pthread_cond_broadcast(&p->changed);
}

static void *parser(void *arg)
{
	struct pipeline *p = arg;
	yield_to_model();
	struct time_context tc;
	time_context_init(&tc, p->reference);
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->ended && !p->stop && !turn_open(p))
			pthread_cond_wait(&p->changed, &p->lock);
		if (p->ended || p->stop)
			break;
		take_turn(p, &tc);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static void pipeline_free(struct pipeline *p)
{
	while (p->cur < p->nin)	/* not read (the run could not start) */
		(void)next_input(p);
	for (int i = 0; i < BLOCKS; i++) {
		free(p->blocks[i].text);
		free(p->blocks[i].span);
		free(p->blocks[i].lines);
	}
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->changed);
	free(p);
}

static struct pipeline *pipeline_new(struct ahead_input *in, size_t nin, time_t reference)
{
	struct pipeline *p = aligned_alloc(_Alignof(struct pipeline), sizeof(*p));	/* its blocks' lines */
	if (p == NULL)
		return NULL;
	memset(p, 0, sizeof(*p));
	p->in = in;
	p->nin = nin;
	p->reference = reference;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->changed, NULL);
	for (int i = 0; i < BLOCKS; i++) {
		p->blocks[i].text = malloc(BLOCK_TEXT);
		p->blocks[i].span = malloc(BLOCK_LINES * sizeof(struct source_line));
		p->blocks[i].lines = malloc(BLOCK_LINES * sizeof(struct parsed_line));
		if (p->blocks[i].text == NULL || p->blocks[i].span == NULL || p->blocks[i].lines == NULL) {
			pipeline_free(p);
			return NULL;
		}
	}
	return p;
}

/* a stream's place on the model's side: its block being applied, and the line */
struct cursor {
	struct pipeline *p;
	struct block *b;	/* NULL: the next one is not taken yet */
	size_t i;
	int done;
	struct time_context tc;	/* the model's thread's, for the blocks it parses */
};

/* cursor_line - the stream's next line, once its block is parsed; NULL at its end */
static const struct parsed_line *cursor_line(struct cursor *c)
{
	struct pipeline *p = c->p;
	while (!c->done) {
		if (c->b == NULL) {
			pthread_mutex_lock(&p->lock);
			struct block *b = &p->blocks[p->taken % BLOCKS];
			while (!b->ready) {	/* not parsed yet: parse the next one meanwhile */
				if (turn_open(p))
					take_turn(p, &c->tc);
				else
					pthread_cond_wait(&p->changed, &p->lock);
			}
			pthread_mutex_unlock(&p->lock);
			c->b = b;
			c->i = 0;
		}
		if (c->i < c->b->n)
			return &c->b->lines[c->i];
		c->done = c->b->last;	/* the block is applied: given back */
		pthread_mutex_lock(&p->lock);
		c->b->ready = 0;
		p->taken++;
		pthread_cond_broadcast(&p->changed);
		pthread_mutex_unlock(&p->lock);
		c->b = NULL;
	}
	return NULL;
}

/* The parsed lines come from the other core's cache: a line's first
 * PREFETCH_BYTES (its syslog fields and the event's common ones, which the
 * model reads) are asked for PREFETCH_AHEAD lines before they are applied */
#define PREFETCH_AHEAD 6
#define PREFETCH_BYTES 384
#define SOON_AHEAD 3		/* the line is in cache by then; what it will touch may not be */

/* apply_one - one stream: every block's lines in a row, each first to soon
 * (if given) SOON_AHEAD lines before fn */
static void apply_one(struct cursor *c, parsed_fn *fn, parsed_fn *soon, void *arg)
{
	while (cursor_line(c)) {
		const struct parsed_line *line = c->b->lines;
		for (size_t i = c->i, n = c->b->n; i < n; i++) {
			if (i + PREFETCH_AHEAD < n)
				for (size_t o = 0; o < PREFETCH_BYTES; o += 64)
					__builtin_prefetch((const char *)&line[i + PREFETCH_AHEAD] + o);
			if (soon && i + SOON_AHEAD < n)
				soon(&line[i + SOON_AHEAD], arg);
			fn(&line[i], arg);
		}
		c->i = c->b->n;
	}
}

/* earlier - a's line goes before b's: by time; within a second Postfix's
 * before another program's (Dovecot logs a relay once Postfix has queued
 * the message, in the same second as Postfix's lines of it, most often) */
static int earlier(const struct parsed_line *a, const struct parsed_line *b)
{
	if (a->ll.time != b->ll.time)
		return a->ll.time < b->ll.time;
	return a->st == LINE_POSTFIX && b->st != LINE_POSTFIX;
}

/* apply_merged - several streams by their lines' times: the earliest line of
 * the streams' next ones (earlier), the first stream's on a tie; a line
 * without a time (malformed) goes at once, where its stream has got to */
static void apply_merged(struct cursor *c, size_t n, parsed_fn *fn, void *arg)
{
	for (;;) {
		struct cursor *best = NULL;
		const struct parsed_line *first = NULL;
		for (size_t k = 0; k < n; k++) {
			const struct parsed_line *pl = cursor_line(&c[k]);
			if (pl == NULL)
				continue;
			if (pl->st == LINE_MALFORMED) {
				best = &c[k];
				first = pl;
				break;
			}
			if (first == NULL || earlier(pl, first)) {
				best = &c[k];
				first = pl;
			}
		}
		if (best == NULL)
			return;
		fn(first, arg);
		best->i++;
	}
}

static int parser_threads = PARSERS;

void parse_ahead_set_threads(int n)
{
	parser_threads = n < 0 ? PARSERS : n > PARSERS ? PARSERS : n;
}

/* start_parsers - each stream's parser threads, as many as can be started (a
 * stream with none is read by the model's thread alone, turn after turn) */
static void start_parsers(struct pipeline **p, size_t n, pthread_t (*t)[PARSERS], int *started)
{
	for (size_t k = 0; k < n; k++) {
		started[k] = 0;
		while (started[k] < parser_threads && pthread_create(&t[k][started[k]], NULL, parser, p[k]) == 0)
			started[k]++;
	}
}

int parse_ahead_merge(struct ahead_input *in, size_t n, time_t reference, parsed_fn *fn, parsed_fn *soon,
		      void *arg, struct error *err)
{
	size_t nstreams = 0;
	for (size_t i = 0; i < n; i++)
		nstreams += i == 0 || in[i].stream != in[i - 1].stream;
	size_t alloc = nstreams ? nstreams : 1;
	struct pipeline **p = calloc(alloc, sizeof(*p));
	struct cursor *c = calloc(alloc, sizeof(*c));
	pthread_t (*t)[PARSERS] = calloc(alloc, sizeof(*t));
	int *started = calloc(alloc, sizeof(*started));
	int ok = p && c && t && started;
	for (size_t i = 0, k = 0; ok && i < n; k++) {	/* a pipeline per stream */
		size_t j = i + 1;
		while (j < n && in[j].stream == in[i].stream)
			j++;
		ok = (p[k] = pipeline_new(&in[i], j - i, reference)) != NULL;
		c[k].p = p[k];
		time_context_init(&c[k].tc, reference);
		i = j;
	}
	int rc = 0;
	if (!ok) {
		error_set(err, "out of memory");
		rc = -1;
	} else {
		start_parsers(p, nstreams, t, started);
		if (nstreams == 1)
			apply_one(&c[0], fn, soon, arg);
		else
			apply_merged(c, nstreams, fn, arg);
	}
	for (size_t k = 0; p && k < nstreams && p[k]; k++) {
		pthread_mutex_lock(&p[k]->lock);
		p[k]->stop = 1;	/* the parsers leave */
		pthread_cond_broadcast(&p[k]->changed);
		pthread_mutex_unlock(&p[k]->lock);
		for (int i = 0; started && i < started[k]; i++)
			pthread_join(t[k][i], NULL);
		if (p[k]->rc < 0 && rc == 0) {
			*err = p[k]->err;
			rc = -1;
		}
		pipeline_free(p[k]);
	}
	for (size_t i = 0; i < n; i++)	/* a stream whose pipeline could not be set up */
		if (in[i].src) {
			in[i].stats = *source_stats(in[i].src);
			source_close(in[i].src);
			in[i].src = NULL;
		}
	free(p);
	free(c);
	free(t);
	free(started);
	return rc;
}
