/*
 * intern - string interning over an arena and an open-addressing table.
 *
 * Lookup of an existing string allocates nothing: this is on the parser's
 * hot path. New strings are copied into arena chunks of 256 KiB.
 */
#include "core/base/intern.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/base/buf.h"

#define CHUNK_SIZE (256 * 1024)

struct chunk {
	struct chunk *next;
	size_t used;
	size_t size;
	char mem[];
};

struct slot {
	uint32_t hash;
	struct istr *str;
};

struct intern_table {
	struct slot *slots;
	uint64_t seed;
	size_t mask;		/* slot count - 1 (a power of two) */
	size_t count;
	size_t bytes;
	struct chunk *chunks;
};

/* intern_hash - hash64_seeded with the table's seed, 32 bits of it */
uint32_t intern_hash(const struct intern_table *t, const char *s, size_t len)
{
	return intern_hash_seeded(t->seed, s, len);
}

/* random_seed - from the kernel; the clock and address as a fallback */
static uint64_t random_seed(const void *salt)
{
	uint64_t seed = 0;
	FILE *f = fopen("/dev/urandom", "rbe");
	if (f) {
		if (fread(&seed, sizeof(seed), 1, f) != 1)
			seed = 0;
		fclose(f);
	}
	if (seed == 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = ((uint64_t)ts.tv_nsec << 32) ^ (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)salt;
	}
	return seed | 1;
}

uint64_t intern_seed(void)
{
	static const char salt;
	return random_seed(&salt);
}

static uint64_t process_seed;	/* never 0 once drawn (random_seed sets its low bit) */

static void draw_process_seed(void)
{
	__atomic_store_n(&process_seed, intern_seed(), __ATOMIC_RELEASE);
}

uint64_t intern_process_seed(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	uint64_t seed = __atomic_load_n(&process_seed, __ATOMIC_ACQUIRE);	/* every line's hashes ask */
	if (seed)
		return seed;
	(void)pthread_once(&once, draw_process_seed);
	return __atomic_load_n(&process_seed, __ATOMIC_ACQUIRE);
}

#define SLOTS_FIRST 1024

/* table_new - an empty table of slots slots (a power of two) */
static struct intern_table *table_new(uint64_t seed, size_t slots)
{
	struct intern_table *t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->mask = slots - 1;
	t->seed = seed;
	t->slots = calloc(slots, sizeof(*t->slots));
	if (t->slots == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

struct intern_table *intern_new(void)
{
	return table_new(intern_process_seed(), SLOTS_FIRST);
}

struct intern_table *intern_new_like(const struct intern_table *like, size_t expect)
{
	size_t slots = SLOTS_FIRST;	/* no grow (a rehash of all) while it fills */
	while (slots / 4 * 3 < expect && slots < (SIZE_MAX >> 2))
		slots *= 2;
	return table_new(like->seed, slots);
}

void intern_free(struct intern_table *t)
{
	if (t == NULL)
		return;
	struct chunk *c = t->chunks;
	while (c) {
		struct chunk *next = c->next;
		free(c);
		c = next;
	}
	free(t->slots);
	free(t);
}

/* arena_alloc - carve size bytes (8-aligned) from the current chunk */
static void *arena_alloc(struct intern_table *t, size_t size)
{
	size = (size + 7) & ~(size_t)7;
	struct chunk *c = t->chunks;
	if (c == NULL || c->size - c->used < size) {
		size_t csize = size > CHUNK_SIZE ? size : CHUNK_SIZE;
		c = malloc(sizeof(*c) + csize);
		if (c == NULL)
			return NULL;
		c->next = t->chunks;
		c->used = 0;
		c->size = csize;
		t->chunks = c;
	}
	void *p = c->mem + c->used;
	c->used += size;
	return p;
}

static int grow(struct intern_table *t)
{
	size_t nmask = t->mask * 2 + 1;
	struct slot *ns = calloc(nmask + 1, sizeof(*ns));
	if (ns == NULL)
		return -1;
	for (size_t i = 0; i <= t->mask; i++) {
		if (t->slots[i].str == NULL)
			continue;
		size_t j = t->slots[i].hash & nmask;
		while (ns[j].str)
			j = (j + 1) & nmask;
		ns[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = ns;
	t->mask = nmask;
	return 0;
}

/* find_slot - index of the string's slot, or of the empty slot it would take */
static size_t find_slot(const struct intern_table *t, const char *s, size_t len, uint32_t h)
{
	size_t i = h & t->mask;
	for (;;) {
		const struct slot *e = &t->slots[i];
		if (e->str == NULL || (e->hash == h && e->str->len == len && bytes_eq(e->str->s, s, len)))
			return i;
		i = (i + 1) & t->mask;
	}
}

struct istr *intern_find(const struct intern_table *t, const char *s, size_t len)
{
	if (len > UINT32_MAX)
		return NULL;
	return t->slots[find_slot(t, s, len, intern_hash(t, s, len))].str;
}

struct istr *intern(struct intern_table *t, const char *s, size_t len)
{
	return len > UINT32_MAX - 1 ? NULL : intern_hashed(t, s, len, intern_hash(t, s, len));
}

struct istr *intern_hashed(struct intern_table *t, const char *s, size_t len, uint32_t h)
{
	if (len > UINT32_MAX - 1)
		return NULL;
	size_t i = find_slot(t, s, len, h);
	if (t->slots[i].str)
		return t->slots[i].str;
	if ((t->count + 1) * 4 > (t->mask + 1) * 3) {
		if (grow(t) < 0)
			return NULL;
		i = find_slot(t, s, len, h);
	}
	struct istr *e = arena_alloc(t, sizeof(*e) + len + 1);
	if (e == NULL)
		return NULL;
	memset(e, 0, sizeof(*e));
	e->len = (uint32_t)len;
	e->hash = h;
	if (len)
		memcpy(e->s, s, len);
	e->s[len] = 0;
	t->slots[i].hash = h;
	t->slots[i].str = e;
	t->count++;
	t->bytes += len;
	return e;
}

void intern_prefetch(const struct intern_table *t, uint32_t h)
{
	__builtin_prefetch(&t->slots[h & t->mask]);
}

size_t intern_count(const struct intern_table *t) { return t->count; }
size_t intern_bytes(const struct intern_table *t) { return t->bytes; }
